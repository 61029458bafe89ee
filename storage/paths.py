"""Where the console's files live by default: the user data folder (platformdirs). Light to import."""

from __future__ import annotations

from pathlib import Path

import platformdirs

__all__ = ["default_db_path", "default_recordings_path", "is_practice_db_path", "practice_db_path"]

#: What a practice log's name ends with, before its suffix: escalations.db -> escalations-practice.db.
PRACTICE_SUFFIX = "-practice"


def default_db_path() -> Path:
    """Where the escalation log lives unless told otherwise (``~/.local/share/hotline-console/`` on Linux)."""
    return Path(platformdirs.user_data_dir("hotline-console")) / "escalations.db"


def practice_db_path(real: Path) -> Path:
    """The practice log beside the real one (``escalations-practice.db`` beside ``escalations.db``): a
    replayed day's cases go there, so a training case never stays in the shared, append-only log."""
    real = Path(real)
    return real.with_name(f"{real.stem}{PRACTICE_SUFFIX}{real.suffix}")


def is_practice_db_path(path: Path) -> bool:
    """Whether ``path`` is named as a practice log (the console's header says PRACTICE log)."""
    return Path(path).stem.endswith(PRACTICE_SUFFIX)


def default_recordings_path() -> Path:
    """Where live sessions are recorded unless told otherwise (beside the escalation log)."""
    return Path(platformdirs.user_data_dir("hotline-console")) / "recordings.db"
