"""Where events and snapshots come from: replayed files now, live feeds later."""
