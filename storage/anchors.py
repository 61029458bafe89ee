"""Where a console notes the head of each escalation log it has seen (its last entry and that entry's
hash), so that the next start can tell a log cut short or rewritten whole, which its hash chain alone
cannot show (storage/chain.py): a file per log in the user state folder (platformdirs:
``~/.local/state/hotline-console/anchors/`` on Linux). Light to import; never raises on a bad or missing
note — a note that cannot be read is no note, and a note that cannot be written is skipped."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import platformdirs

from storage.chain import Anchor

__all__ = ["anchor_path", "noted_anchor", "note_anchor"]


def anchor_path(db: Path) -> Path:
    """The note for the log at ``db`` (by its resolved path)."""
    key = hashlib.sha256(str(Path(db).resolve()).encode("utf-8")).hexdigest()[:24]
    return Path(platformdirs.user_state_dir("hotline-console")) / "anchors" / f"{key}.json"


def noted_anchor(db: Path) -> Anchor | None:
    """The head noted for ``db`` the last time a console of this user checked it; None when none was."""
    try:
        record = json.loads(anchor_path(db).read_text(encoding="utf-8"))
        event_id, digest = record["event_id"], record["hash"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(event_id, int) or not isinstance(digest, str) or len(digest) != 64:
        return None
    return Anchor(event_id, digest)


def note_anchor(db: Path, head: Anchor | None) -> None:
    """Note ``head`` for ``db`` (written whole: a temporary file renamed over the note)."""
    if head is None:
        return
    path = anchor_path(db)
    record = {"db": str(Path(db).resolve()), "event_id": head.event_id, "hash": head.hash}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(record) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        return
