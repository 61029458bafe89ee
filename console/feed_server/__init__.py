"""Serving a feed (``hotline feed-server``): a replayed day published as the live-feed protocol over HTTP.

It lives apart from ``console/feeds/``, which reads feeds: the console never needs the server, and the
server never needs the console's screens.
"""
