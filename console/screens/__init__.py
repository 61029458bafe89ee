"""The console's screens: the dashboard, the escalation form, the help screen, go-to-time."""
