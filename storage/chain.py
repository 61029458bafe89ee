"""The escalation log's hash chain: each entry carries the hash of the one before it, so an entry changed,
deleted or slipped in behind the console's back (triggers dropped, the file edited with the sqlite3
command line) shows, and :func:`verify` names the first one.

Pure Python over rows as SQLite stores them; nothing here opens a file. The encoding is documented in
docs/escalations.md ("The hash chain") so that an inspector can check a log with any SQLite client and
any SHA-256, without this code:

    hash = sha256(utf8(json([event_id, case_id, at, kind, by, payload, recorded_at, prev_hash]
                            + [the case row, column by column]   (an "opened" entry only)
                 ))).hexdigest()

``json`` is JSON with no spaces (``separators=(",", ":")``) and characters as they are (not ``\\u``
escapes); ``payload`` is the payload column's text as stored (a string inside the array, not re-parsed);
the first entry's ``prev_hash`` is 64 zeros. The case row is ``case_id, occurred_at, call_id, agent_id,
caller, category, severity, summary, logged_by, logged_at, flag_id``: the opening entry of a case
seals the case as opened, so a changed ``cases`` row breaks the chain there.

A chain alone cannot show that its last entries were cut off, or that the whole of it was rewritten by
someone who recomputed every hash: for that, the head (the last entry's number and hash) is written down
elsewhere, on the hand-over and in the console's own state folder, and :func:`verify` checks that an
anchor noted earlier is still in the chain (``anchor=``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CASE_COLUMNS",
    "EVENT_COLUMNS",
    "GENESIS",
    "Anchor",
    "ChainReport",
    "entry_hash",
    "verify",
]

#: The ``prev_hash`` of the first entry.
GENESIS = "0" * 64
#: The columns of an entry that its hash covers, in the order they are encoded.
EVENT_COLUMNS: tuple[str, ...] = ("event_id", "case_id", "at", "kind", "by", "payload", "recorded_at", "prev_hash")
#: The columns of a case that its opening entry's hash covers, in order.
CASE_COLUMNS: tuple[str, ...] = (
    "case_id",
    "occurred_at",
    "call_id",
    "agent_id",
    "caller",
    "category",
    "severity",
    "summary",
    "logged_by",
    "logged_at",
    "flag_id",
)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_sha256 = hashlib.sha256


def entry_hash(values: Sequence[Any], case: Sequence[Any] | None = None) -> str:
    """The hash of an entry: ``values`` are its :data:`EVENT_COLUMNS` as stored, ``case`` the
    :data:`CASE_COLUMNS` of its case when the entry opens it. (A tuple encodes as a JSON array.)"""
    encoded = tuple(values) if case is None else (*values, *case)
    return _sha256(_dumps(encoded).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Anchor:
    """An entry of the chain written down elsewhere: the chain must still hold it, with this hash."""

    event_id: int
    hash: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What :func:`verify` found: the number of entries checked, the head (last entry and its hash), and
    the first problem, if any (``problem`` one sentence, ``event_id`` and ``case_id`` the entry named)."""

    entries: int
    head: Anchor | None
    problem: str | None = None
    event_id: int | None = None
    case_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def head_text(self) -> str:
        """``entry 1234, sha256 3f2a…9c01`` — short enough to write on a hand-over sheet."""
        if self.head is None:
            return "no entries yet"
        return f"entry {self.head.event_id}, sha256 {self.head.hash[:12]}…{self.head.hash[-4:]}"


def _of(case_id: int | None) -> str:
    return f" of case {case_id}" if case_id is not None else " (an entry of the log itself)"


def verify(
    events: Iterable[Sequence[Any]],
    cases: Mapping[int, Sequence[Any]],
    *,
    anchor: Anchor | None = None,
) -> ChainReport:
    """Check the chain: ``events`` are the entries in ``event_id`` order, each its :data:`EVENT_COLUMNS`
    then its stored ``hash``; ``cases`` maps each case number to its :data:`CASE_COLUMNS`. Returns the
    first problem found, naming the entry and its case:

    - an entry whose hash is not its own: it was changed after it was written (or written by hand);
    - an entry that does not follow the one before it: the entries between were deleted (its number
      jumps), it was slipped in out of turn (it claims to follow an earlier entry, or the entry after it
      follows the one before it), or the entry before it was changed and re-hashed;
    - an opening entry whose case is missing, a case with no opening entry;
    - ``anchor`` not found in the chain: entries up to it were cut off or the chain was rewritten.
    """
    rows = events if isinstance(events, list) else list(events)
    opened: set[int] = set()
    prev_hash = GENESIS
    prev_id = 0
    anchor_seen = anchor is None
    for index, row in enumerate(rows):
        event_id, case_id, kind, stored_prev, stored_hash = row[0], row[1], row[3], row[7], row[8]
        case = None
        if kind == "opened":
            case = cases.get(case_id)
            if case is None:
                return _problem(rows, index, f"entry {event_id} opens case {case_id}, which is not in the log: the case was deleted")
            opened.add(case_id)
        encoded = row[:8] if case is None else (*row[:8], *case)
        try:
            digest = _sha256(_dumps(encoded).encode("utf-8")).hexdigest()  # entry_hash, inlined
        except (TypeError, ValueError):  # a BLOB or a NaN put in by hand: no version writes one
            digest = None
        if digest != stored_hash:
            what = "entry or the case as opened" if kind == "opened" else "entry"
            return _problem(
                rows,
                index,
                f"entry {event_id}{_of(case_id)} does not match its hash: the {what} was changed after it was "
                "written, or written behind the log's back",
            )
        if stored_prev == prev_hash and event_id != prev_id + 1 and index > 0:
            # the log numbers each entry the one after the last: a gap is entries deleted, even when
            # everything after them was re-chained
            gap = f"entry {prev_id + 1}" if event_id == prev_id + 2 else f"entries {prev_id + 1} to {event_id - 1}"
            verb = "was" if event_id == prev_id + 2 else "were"
            return _problem(rows, index, f"{gap} before entry {event_id}{_of(case_id)} {verb} deleted")
        if stored_prev != prev_hash:
            # which earlier entry it claims to follow: looked up only now, not kept for every entry
            seen_hashes = {GENESIS: 0} | {earlier_row[8]: earlier_row[0] for earlier_row in rows[:index]}
            if stored_prev in seen_hashes:
                earlier = seen_hashes[stored_prev]
                why = (
                    f"entry {event_id}{_of(case_id)} was inserted out of turn: it claims to follow entry {earlier}, "
                    f"which entry {_next_id(rows, earlier)} already follows"
                )
            elif index + 1 < len(rows) and rows[index + 1][7] == prev_hash:
                why = f"entry {event_id}{_of(case_id)} was inserted out of turn: the entry after it follows entry {prev_id}"
            elif event_id > prev_id + 1:
                gap = f"entry {prev_id + 1}" if event_id == prev_id + 2 else f"entries {prev_id + 1} to {event_id - 1}"
                why = f"{gap} before entry {event_id}{_of(case_id)} {'was' if event_id == prev_id + 2 else 'were'} deleted"
            elif index == 0:
                why = f"entry {event_id}{_of(case_id)} does not start the chain: it was written behind the log's back"
            else:
                why = (
                    f"entry {prev_id} was changed and its hash recomputed: entry {event_id}{_of(case_id)} recorded "
                    "another hash for it"
                )
                return _problem(rows, index - 1, why)
            return _problem(rows, index, why)
        if anchor is not None and event_id == anchor.event_id:
            if stored_hash != anchor.hash:
                return _problem(rows, index, f"entry {event_id}{_of(case_id)} is not the one noted earlier: the log was cut short or rewritten up to it")
            anchor_seen = True
        prev_hash, prev_id = stored_hash, event_id
    head = _head(rows)
    if not anchor_seen:
        assert anchor is not None
        return ChainReport(
            len(rows),
            head,
            f"entry {anchor.event_id}, noted earlier, is no longer in the log: entries were cut off its end",
            anchor.event_id,
            None,
        )
    for case_id in sorted(set(cases) - opened):
        return ChainReport(
            len(rows), head, f"case {case_id} has no opening entry: it was inserted behind the log's back", None, case_id
        )
    return ChainReport(len(rows), head)


def _next_id(rows: Sequence[Sequence[Any]], event_id: int) -> int:
    for row in rows:
        if row[0] > event_id:
            return int(row[0])
    return event_id + 1


def _problem(rows: Sequence[Sequence[Any]], index: int, why: str) -> ChainReport:
    row = rows[index]
    return ChainReport(len(rows), _head(rows), why, int(row[0]), row[1])


def _head(rows: Sequence[Sequence[Any]]) -> Anchor | None:
    return Anchor(int(rows[-1][0]), str(rows[-1][8])) if rows else None
