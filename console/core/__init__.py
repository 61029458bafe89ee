"""The headless core every room shares: the traffic events and their labels, formatting and masking, the
problems a source reports, the overdue rule, the paths the console ships with and the crash report.

Console, storage and widgets may all import it; it imports none of them (an import-linter contract in
pyproject.toml keeps it so) and nothing of Textual.
"""
