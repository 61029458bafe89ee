"""Where events and snapshots come from: replayed files, recorded sessions and live feeds (serving one is console/feed_server/)."""
