"""Recordings of live sessions (录制): every snapshot a live feed served, kept so a day can be replayed.

A live session hands each snapshot it accepts to a :class:`RecorderThread`, which queues it for a
:class:`SnapshotRecorder` on a writer thread of its own (a locked file never holds up the poll); the
recorder appends it to one SQLite table indexed by the feed's clock. :class:`Recording` reads them back for a replay: the days
recorded, a day's span, the snapshot in force at any moment (one indexed query), and every snapshot
between two moments, streamed.

Size: a snapshot of a 60-agent floor is about 10 KB of JSON, once a second. Every ``keyframe_seconds``
of the feed's clock (and at the first snapshot of a session and of each day) a keyframe is compressed
alone; every other snapshot is compressed with its keyframe's JSON as zlib's preset dictionary, so it
costs little more than what changed. Any snapshot decodes from itself and its keyframe: two rows, never
a chain. Recordings are not a log of record: days older than ``retention_days`` (by the feed's clock,
never the machine's) are deleted. docs/recordings.md has the figures.
"""

from __future__ import annotations

import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from storage._sqlite import META_TABLE, FileBacked, HotlineFile
from storage.errors import DatabaseBusy, NoRecordings, StorageError
from storage.paths import default_recordings_path

__all__ = ["RECORDINGS_VERSION", "RecorderThread", "Recording", "SnapshotRecorder", "default_recordings_path"]

#: The version of the recordings table that ``meta.recordings_version`` names; a newer one is refused.
RECORDINGS_VERSION = 1
_WHAT = "recordings file"
_LEVEL = 9  # every level from 6 up gives about the same size here; 9 costs nothing that matters at 1 Hz
_PAGE = 256  # rows read per query by Recording.between
_KEYFRAMES_KEPT = 8  # decoded keyframes Recording.between keeps (sessions recorded over each other)

_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS snapshots (
        snapshot_id INTEGER PRIMARY KEY,
        clock       REAL NOT NULL,
        utc_offset  INTEGER NOT NULL,
        day         TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        keyframe_id INTEGER,
        payload     BLOB NOT NULL
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS snapshots_by_clock ON snapshots (clock, seq)",
    "CREATE INDEX IF NOT EXISTS snapshots_by_day ON snapshots (day, clock)",
)
_OBJECTS = frozenset({"snapshots", "snapshots_by_clock", "snapshots_by_day"})
_COLUMNS = "snapshot_id, clock, utc_offset, seq, keyframe_id, payload"

Snapshot = tuple[datetime, int, bytes]
"""A recorded snapshot: the feed's clock, its ``seq`` and the JSON bytes as the feed served them."""



def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")  # a bug in the caller, not the user's doing


def _check_version(file: HotlineFile) -> None:
    version = file.meta("recordings_version").get("recordings_version")
    if version != str(RECORDINGS_VERSION):
        raise StorageError(
            f"the {_WHAT} {file.path} holds recordings of version {version}, and this hotline-console reads "
            f"version {RECORDINGS_VERSION}: use the hotline-console that wrote it"
        )


@dataclass(frozen=True, slots=True)
class _Keyframe:
    snapshot_id: int
    clock: float
    day: date
    raw: bytes


class SnapshotRecorder(FileBacked):
    """Appends the snapshots of one live session to ``path`` (see :func:`default_recordings_path`).

    Opening creates the file (and its folders) when missing, adds the recordings table to an existing
    hotline-console file (an escalation log may hold recordings too), and refuses any other file with
    :class:`NotAHotlineDatabase` before writing to it. ``zone`` is the centre's: a snapshot belongs to
    the day of its clock there. Methods may be called from any one thread at a time.
    """

    def __init__(
        self,
        path: Path,
        *,
        zone: ZoneInfo,
        keyframe_seconds: float = 30,
        retention_days: int | None = 30,
        busy_timeout_ms: int = 5000,
    ) -> None:
        if keyframe_seconds <= 0:
            raise ValueError("keyframe_seconds must be positive")
        if retention_days is not None and retention_days < 0:
            raise ValueError("retention_days must be 0 or more, or None to keep every day")
        self.path = Path(path)
        self.zone = zone
        self.keyframe_seconds = keyframe_seconds
        self.retention_days = retention_days
        self._keyframe: _Keyframe | None = None
        self._last: tuple[float, int] | None = None
        self._day: date | None = None  # the day of the last snapshot recorded: retention runs when it changes
        self._file = HotlineFile(
            self.path,
            busy_timeout_ms=busy_timeout_ms,
            what=_WHAT,
            remedy="choose another file for recordings (the recording_db setting)",
        )
        conn = self._file.conn
        try:
            self._file.refuse_writes()  # a recorder only writes: a read-only file is refused at once
            with self._file.errors(writing=False):
                if self._file.names():
                    self._file.check_schema((META_TABLE, *_SCHEMA))
                if not self._file.names() >= _OBJECTS:
                    with self._file.write():  # IF NOT EXISTS: another console may have been first
                        for statement in _SCHEMA:
                            conn.execute(statement)
                        self._file.claim(recordings_version=str(RECORDINGS_VERSION))
                _check_version(self._file)
                self._file.enable_wal()
                # A power cut may lose the last second or so, never the file: recordings are not a log
                # of record, and a commit a second should not cost a disk flush a second.
                conn.execute("PRAGMA synchronous = NORMAL")
                newest = conn.execute("SELECT day FROM snapshots ORDER BY clock DESC LIMIT 1").fetchone()
            if newest is not None:
                self._retain_from(date.fromisoformat(newest[0]))
        except BaseException:
            self._file.close()
            raise

    def record(self, clock: datetime, seq: int, payload: bytes) -> bool:
        """Append one snapshot: ``clock`` and ``seq`` as the feed gave them, ``payload`` its JSON bytes as
        received. Returns False, and records nothing, for a snapshot already in the file (the same clock
        and seq) or one whose clock is earlier than the last this recorder took: the live poller drops
        those too. A busy file raises :class:`DatabaseBusy` and records nothing."""
        _require_aware(clock, "clock")
        with self._file.lock:
            return self._record(clock, seq, payload)

    def new_session(self) -> None:
        """The feed restarted at an earlier clock (a replayed demo feed does): record it from there on,
        starting with a keyframe, instead of refusing its snapshots as out of order."""
        with self._file.lock:
            self._last = None
            self._keyframe = None

    def _record(self, clock: datetime, seq: int, payload: bytes) -> bool:
        ts = clock.timestamp()
        if self._last is not None and (ts < self._last[0] or (ts, seq) == self._last):
            return False
        day = clock.astimezone(self.zone).date()
        keyframe = self._keyframe
        is_keyframe = keyframe is None or keyframe.day != day or ts - keyframe.clock >= self.keyframe_seconds
        if is_keyframe:
            blob, keyframe_id = zlib.compress(payload, _LEVEL), None
        else:
            assert keyframe is not None
            packer = zlib.compressobj(_LEVEL, zdict=keyframe.raw)
            blob, keyframe_id = packer.compress(payload) + packer.flush(), keyframe.snapshot_id
        offset = int(clock.utcoffset().total_seconds())  # type: ignore[union-attr]
        with self._file.write():
            if day != self._day:
                self._apply_retention(day)
            cursor = self._file.conn.execute(
                "INSERT OR IGNORE INTO snapshots (clock, utc_offset, day, seq, keyframe_id, payload) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (ts, offset, day.isoformat(), seq, keyframe_id, blob),
            )
            inserted = cursor.rowcount == 1
        self._last = (ts, seq)
        self._day = day
        if inserted and is_keyframe:
            self._keyframe = _Keyframe(int(cursor.lastrowid or 0), ts, day, bytes(payload))
        return inserted

    def _retain_from(self, newest: date) -> None:
        """Retention on opening, against the newest day in the file. It writes only when there is
        something to delete, and a busy file puts it off to the first snapshot, which applies it too."""
        cutoff = self._cutoff(newest)
        if cutoff is None:
            return
        with self._file.errors(writing=False):
            stale = self._file.conn.execute("SELECT 1 FROM snapshots WHERE day < ? LIMIT 1", (cutoff,)).fetchone()
        if stale is None:
            return
        try:
            with self._file.write():
                self._apply_retention(newest)
        except DatabaseBusy:
            pass

    def _cutoff(self, today: date) -> str | None:
        if self.retention_days is None:
            return None
        return (today - timedelta(days=self.retention_days)).isoformat()

    def _apply_retention(self, today: date) -> None:
        """Delete the days more than ``retention_days`` before ``today`` (inside the caller's write).
        Whole days go: a delta never crosses midnight, so none loses its keyframe."""
        cutoff = self._cutoff(today)
        if cutoff is not None:
            self._file.conn.execute("DELETE FROM snapshots WHERE day < ?", (cutoff,))



#: What waits for the writer thread: a snapshot (clock, seq, payload), or None for a new session.
_Job = tuple[datetime, int, bytes] | None


class RecorderThread(FileBacked):
    """A :class:`SnapshotRecorder` on a writer thread of its own, fed by a bounded queue.

    :meth:`record` and :meth:`new_session` take the recorder's arguments and return at once: the poll
    never waits on the file. The thread writes what waits, in order. When ``max_waiting`` snapshots are
    waiting (the file has been locked for that many seconds of a 1 Hz feed), the oldest waiting one is
    dropped and counted: a supervisor recording a day keeps the newest figures, the gap lies in what is
    already past, and memory stays bounded. A write that fails (locked, read-only, a full disk) is said by
    :meth:`problem`, in storage/errors.py's sentence, until a snapshot is recorded again. :meth:`close`
    writes what is waiting, then closes the file; once a write fails while closing, the rest is dropped
    and counted rather than each waiting out the busy timeout (a quit is never held for minutes).
    """

    def __init__(self, recorder: SnapshotRecorder, *, max_waiting: int = 120) -> None:
        if max_waiting < 1:
            raise ValueError("max_waiting must be 1 or more")
        self.recorder = recorder
        self.path = recorder.path
        self.max_waiting = max_waiting
        self.dropped = 0  # snapshots dropped, from a full queue or at a close that could not write them
        self._waiting: deque[_Job] = deque()
        self._snapshots_waiting = 0
        self._writing = False
        self._closing = False
        self._problem: str | None = None
        self._dropped_in_trouble = 0  # dropped since the last snapshot recorded, for problem()
        self._defect: BaseException | None = None  # a bug in the writer: raised again to the caller
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._write_waiting, name=f"recorder {self.path.name}", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ the poll's side
    def record(self, clock: datetime, seq: int, payload: bytes) -> None:
        """Queue one snapshot for :meth:`SnapshotRecorder.record`; returns at once."""
        _require_aware(clock, "clock")  # a bug in the caller: said to the caller, not to the thread
        self._put((clock, seq, payload))

    def new_session(self) -> None:
        """Queue :meth:`SnapshotRecorder.new_session`, in order with the snapshots; never dropped."""
        self._put(None)

    def problem(self) -> str | None:
        """Why the recording is not going through, in one sentence; None while it is."""
        with self._changed:
            if self._problem is None:
                return None
            if self._dropped_in_trouble:
                noun = "snapshot" if self._dropped_in_trouble == 1 else "snapshots"
                return f"{self._problem} ({self._dropped_in_trouble} {noun} dropped meanwhile)"
            return self._problem

    def wait_written(self, timeout: float | None = None) -> bool:
        """Wait until nothing is waiting or being written; False if ``timeout`` seconds went by first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._waiting and not self._writing, timeout)

    def close(self) -> None:
        """Write what is waiting, stop the thread and close the file. Safe to call twice."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join()
        self.recorder.close()  # the file; FileBacked gives the context manager and the repr
        self._raise_defect()

    def _put(self, job: _Job) -> None:
        self._raise_defect()
        with self._changed:
            if self._closing:
                raise RuntimeError("the recorder is closed")  # a bug: nothing is handed over after close
            if job is not None:
                if self._snapshots_waiting >= self.max_waiting:
                    self._drop_oldest_snapshot()
                self._snapshots_waiting += 1
            self._waiting.append(job)
            self._changed.notify_all()

    def _drop_oldest_snapshot(self) -> None:
        for index, waiting in enumerate(self._waiting):
            if waiting is not None:
                del self._waiting[index]
                self._snapshots_waiting -= 1
                self.dropped += 1
                self._dropped_in_trouble += 1
                return

    def _raise_defect(self) -> None:
        if self._defect is not None:
            raise RuntimeError("the recorder's writer thread stopped on a defect") from self._defect

    # ------------------------------------------------------------------ the writer thread
    def _write_waiting(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting or self._closing)
                if not self._waiting:
                    return  # closing, and everything written
                job = self._waiting.popleft()
                if job is not None:
                    self._snapshots_waiting -= 1
                self._writing = True
            problem = None
            try:
                if job is None:
                    self.recorder.new_session()
                else:
                    self.recorder.record(*job)
            except StorageError as error:
                problem = str(error)
            except BaseException as defect:
                with self._changed:
                    self._defect = defect
                    self._writing = False
                    self._changed.notify_all()
                return
            with self._changed:
                self._writing = False
                if job is not None:
                    self._problem = problem
                    if problem is None:
                        self._dropped_in_trouble = 0
                if problem is not None and self._closing:
                    # the file is locked or failing at a quit: each waiting snapshot would wait out the
                    # busy timeout, so they are counted as dropped instead
                    lost = self._snapshots_waiting
                    self.dropped += lost
                    self._dropped_in_trouble += lost
                    self._waiting = deque(job for job in self._waiting if job is None)
                    self._snapshots_waiting = 0
                self._changed.notify_all()


class Recording(FileBacked):
    """The recorded snapshots in ``path``, for a replay. Opens the file read-only: a file that is not a
    hotline-console file is refused with :class:`NotAHotlineDatabase`, and a hotline-console file with
    nothing recorded in it (an escalation log, say) with :class:`NoRecordings`. A recorder may keep
    writing while a recording is read. Methods may be called from any one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = HotlineFile(
            self.path,
            busy_timeout_ms=5000,
            what=_WHAT,
            remedy="name the recordings file a live session wrote (the recording_db setting)",
            create=False,
        )
        try:
            with self._file.errors(writing=False):
                names = self._file.names()
                if "snapshots" not in names:
                    why = "it is an empty file" if not names else "it is an escalation log, with no recordings table"
                    raise NoRecordings(self.path, why)
                self._file.check_schema((META_TABLE, *_SCHEMA))
                _check_version(self._file)
        except BaseException:
            self._file.close()
            raise

    def days(self) -> list[date]:
        """The days (in the centre's zone, as recorded) that have snapshots, oldest first."""
        # One index probe per day, not a scan of a month of rows.
        query = """
            WITH RECURSIVE recorded(day) AS (
                SELECT min(day) FROM snapshots
                UNION ALL
                SELECT (SELECT min(day) FROM snapshots WHERE day > recorded.day) FROM recorded
                WHERE recorded.day IS NOT NULL
            )
            SELECT day FROM recorded WHERE day IS NOT NULL
        """
        with self._file.read():
            return [date.fromisoformat(day) for (day,) in self._file.conn.execute(query)]

    def span(self, day: date) -> tuple[datetime, datetime] | None:
        """The clocks of the first and the last snapshot of ``day``; None when it has none."""
        query = "SELECT clock, utc_offset FROM snapshots WHERE day = ? ORDER BY clock {} LIMIT 1"  # snapshots_by_day
        with self._file.read():
            first = self._file.conn.execute(query.format("ASC"), (day.isoformat(),)).fetchone()
            last = self._file.conn.execute(query.format("DESC"), (day.isoformat(),)).fetchone()
        if first is None or last is None:
            return None
        return _clock(*first), _clock(*last)

    def at(self, when: datetime) -> Snapshot | None:
        """The snapshot in force at ``when``: the latest at or before it; None before the first."""
        _require_aware(when, "when")
        query = f"""
            SELECT s.clock, s.utc_offset, s.seq, s.keyframe_id, s.payload, k.payload
            FROM (SELECT {_COLUMNS} FROM snapshots WHERE clock <= ? ORDER BY clock DESC, seq DESC LIMIT 1) AS s
            LEFT JOIN snapshots AS k ON k.snapshot_id = s.keyframe_id
        """
        with self._file.read():
            row = self._file.conn.execute(query, (when.timestamp(),)).fetchone()
        if row is None:
            return None
        clock, offset, seq, keyframe_id, blob, keyframe_blob = row
        keyframe = None
        if keyframe_id is not None:
            if keyframe_blob is None:
                raise self._damaged(clock, offset)
            keyframe = self._inflate(keyframe_blob, None, clock, offset)
        return _clock(clock, offset), seq, self._inflate(blob, keyframe, clock, offset)

    def between(
        self, start: datetime, end: datetime, *, on_damaged: Callable[[StorageError], None] | None = None
    ) -> Iterator[Snapshot]:
        """Every snapshot from ``start`` (included) to ``end`` (excluded), in clock order. Read a page at a
        time: a day is never loaded whole, and no transaction stays open between pages. A row that
        cannot be decoded raises, or, with ``on_damaged``, is reported to it and skipped."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        hi = end.timestamp()
        keyframes: dict[int, bytes] = {}
        after: tuple[float, int] | None = None
        while True:
            with self._file.read():
                conn = self._file.conn
                if after is None:
                    rows = conn.execute(
                        f"SELECT {_COLUMNS} FROM snapshots WHERE clock >= ? AND clock < ? ORDER BY clock, seq LIMIT ?",
                        (start.timestamp(), hi, _PAGE),
                    ).fetchall()
                else:
                    rows = conn.execute(
                        f"SELECT {_COLUMNS} FROM snapshots WHERE (clock, seq) > (?, ?) AND clock < ? "
                        "ORDER BY clock, seq LIMIT ?",
                        (*after, hi, _PAGE),
                    ).fetchall()
                # The keyframes of this page's deltas that are neither decoded already nor on the page.
                blobs = {row[0]: row[5] for row in rows if row[4] is None}
                wanted = {row[4] for row in rows if row[4] is not None} - keyframes.keys() - blobs.keys()
                marks = ", ".join("?" * len(wanted))
                query = f"SELECT snapshot_id, payload FROM snapshots WHERE snapshot_id IN ({marks})"
                blobs |= dict(conn.execute(query, [*wanted]))
            for snapshot_id, clock, offset, seq, keyframe_id, blob in rows:
                try:
                    if keyframe_id is None:
                        raw = self._inflate(blob, None, clock, offset)
                        _keep(keyframes, snapshot_id, raw)
                    else:
                        keyframe = keyframes.get(keyframe_id)
                        if keyframe is None:
                            if keyframe_id not in blobs:
                                raise self._damaged(clock, offset)
                            keyframe = self._inflate(blobs[keyframe_id], None, clock, offset)
                            _keep(keyframes, keyframe_id, keyframe)
                        raw = self._inflate(blob, keyframe, clock, offset)
                except StorageError as damaged:
                    if on_damaged is None:
                        raise
                    on_damaged(damaged)  # a damaged row spoils itself, not the rest of the day
                    continue
                yield _clock(clock, offset), seq, raw
            if len(rows) < _PAGE:
                return
            after = (rows[-1][1], rows[-1][3])

    def _inflate(self, blob: bytes, keyframe: bytes | None, clock: float, offset: int) -> bytes:
        try:
            if keyframe is None:
                return zlib.decompress(blob)
            unpacker = zlib.decompressobj(zdict=keyframe)
            return unpacker.decompress(blob) + unpacker.flush()
        except zlib.error:
            raise self._damaged(clock, offset) from None

    def _damaged(self, clock: float, offset: int) -> StorageError:
        return StorageError(
            f"the {_WHAT} {self.path} is damaged: the snapshot of {_clock(clock, offset).isoformat()} cannot be "
            "decoded; replay from another moment"
        )



def _clock(clock: float, offset: int) -> datetime:
    return datetime.fromtimestamp(clock, timezone(timedelta(seconds=offset)))


def _keep(keyframes: dict[int, bytes], snapshot_id: int, raw: bytes) -> None:
    keyframes[snapshot_id] = raw
    if len(keyframes) > _KEYFRAMES_KEPT:
        del keyframes[next(iter(keyframes))]
