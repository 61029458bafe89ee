"""Where the console's files live by default: the user data folder (platformdirs). Light to import."""

from __future__ import annotations

from pathlib import Path

import platformdirs

__all__ = ["default_db_path", "default_recordings_path"]


def default_db_path() -> Path:
    """Where the escalation log lives unless told otherwise (``~/.local/share/hotline-console/`` on Linux)."""
    return Path(platformdirs.user_data_dir("hotline-console")) / "escalations.db"


def default_recordings_path() -> Path:
    """Where live sessions are recorded unless told otherwise (beside the escalation log)."""
    return Path(platformdirs.user_data_dir("hotline-console")) / "recordings.db"
