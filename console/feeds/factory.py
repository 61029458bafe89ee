"""One way to open a source: the command line's choice of what to show, turned into a source.

    choice = DayFile(path, speed=60)               # a day of traffic, replayed (the bundled day or a file)
    choice = Feed(url, token=..., record=True)      # a live-metrics feed, polled (and recorded)
    choice = Recorded(path, day=None, speed=60)     # a recorded live session, replayed
    with ExitStack() as closing:
        source = open_source(choice, settings, closing)

Each choice is a small frozen dataclass; :func:`open_source` builds the source behind it and registers
on ``closing`` whatever has to be closed after the console (a file, a recording, the recorder). A new
kind of source is one more choice and one more branch here; nothing else changes. Headless: no Textual,
and each source's modules are imported only when that source is opened.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.feeds.poller import FeedPoller
    from console.feeds.protocol import FeedSnapshot
    from console.feeds.recorded import RecordingSource
    from console.feeds.replay import ReplaySource
    from console.feeds.source import FloorSource
    from console.settings import Settings
    from storage.recordings import RecorderThread

__all__ = [
    "DayFile",
    "Feed",
    "QueueLog",
    "Recorded",
    "SourceChoice",
    "SourceUnavailable",
    "feed_address_problem",
    "open_source",
]


@dataclass(frozen=True, slots=True)
class DayFile:
    """A day of traffic in an event file (.jsonl or .jsonl.gz), replayed at ``speed`` (None: as fast as
    it goes)."""

    path: Path
    speed: float | None = 60.0


@dataclass(frozen=True, slots=True)
class Feed:
    """A live-metrics feed at ``url`` (its address or its ``/snapshot``), polled every ``interval``
    seconds (None: the feed_interval_seconds setting), with ``token`` as its bearer token; its snapshots
    recorded when ``record`` is set (to the recording_db setting, else the user data folder)."""

    url: str
    token: str | None = field(default=None, repr=False)  # never shown, not even in a crash report's frame
    interval: float | None = None
    record: bool = True


@dataclass(frozen=True, slots=True)
class Recorded:
    """A recorded live session in the recordings file ``path``: the day ``day`` (None: the last one
    recorded), replayed at ``speed``."""

    path: Path
    day: date | None = None
    speed: float | None = 60.0


@dataclass(frozen=True, slots=True)
class QueueLog:
    """An Asterisk queue_log (the file, or a CSV export of its table): replayed at ``speed``, or, with
    ``follow``, read so far and then followed as Asterisk appends to it (a live floor). ``queue``: that
    queue's calls only."""

    path: Path
    speed: float | None = 60.0
    follow: bool = False
    queue: str | None = None


SourceChoice = DayFile | Feed | Recorded | QueueLog


class SourceUnavailable(Exception):
    """The chosen source cannot be opened; the message is one sentence saying why and what to do."""


def feed_address_problem(url: str) -> str | None:
    """Why no poll could use the feed address ``url``, in one sentence, or None: not http(s), a port outside
    1-65535, or a user and password in it (the token goes in a variable; an address is shown)."""
    from urllib.parse import urlsplit

    example = "a feed address like http://127.0.0.1:8333"
    if not url.startswith(("http://", "https://")):
        return f"{url!r} is not {example}"
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed [ of an IPv6 address
        return f"{url!r} is not {example}"
    try:
        port = parts.port
    except ValueError:
        return f"the address {parts.hostname!r} has a port outside 1 to 65535; give {example}"
    if parts.username is not None or parts.password is not None:
        return (
            "the feed address holds a user name or password; leave them out and put the feed's token in the "
            "variable that --token-env (or a centres file's token_env) names"
        )
    if not parts.hostname or port == 0:
        return f"the address has no host or a port of 0; give {example}"
    return None


def open_source(choice: SourceChoice, settings: Settings, closing: ExitStack) -> FloorSource:
    """The source behind ``choice``, ready to show; what it holds open is closed with ``closing``.
    Refuses, with :class:`SourceUnavailable` (or the event file's own ``EventFileError``), a source
    there is nothing to show from."""
    if isinstance(choice, DayFile):
        return _day_file(choice, settings, closing)
    if isinstance(choice, Feed):
        return _feed(choice, settings, closing)
    if isinstance(choice, QueueLog):
        return _queue_log(choice, settings, closing)
    return _recorded(choice, settings, closing)


def _queue_log(choice: QueueLog, settings: Settings, closing: ExitStack) -> FloorSource:
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine
    from console.queue_log import UNSEEN, QueueLogLines

    engine = FloorEngine(settings)
    engine.unseen = UNSEEN  # the voice menu is out of the log's sight: those figures show as unknown
    if choice.follow:
        from console.feeds.followed import FollowedQueueLog

        try:
            return closing.enter_context(FollowedQueueLog(choice.path, engine, queue=choice.queue))
        except ValueError as error:
            raise SourceUnavailable(str(error)) from None
    lines = QueueLogLines(settings, queue=choice.queue)
    replay = closing.enter_context(ReplaySource(choice.path, engine, speed=choice.speed, lines=lines))
    if replay.finished:
        raise SourceUnavailable(f"{choice.path} has no queue_log line to replay")
    return replay


def _day_file(choice: DayFile, settings: Settings, closing: ExitStack) -> ReplaySource:
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine

    replay = closing.enter_context(ReplaySource(choice.path, FloorEngine(settings), speed=choice.speed))
    if replay.finished:
        raise SourceUnavailable(f"{choice.path} has no events to replay")
    if settings.seek_index and choice.path.stat().st_size >= settings.seek_index_min_mb * 1e6:
        from console.feeds.seek_index import IndexBuilder

        # a big day's checkpoints, made by a process of its own meanwhile: seeks then restore one
        builder = IndexBuilder(choice.path, settings)
        closing.callback(builder.stop)
        replay.seek_index = builder
    return replay


def _feed(choice: Feed, settings: Settings, closing: ExitStack) -> FeedPoller:
    from console.feeds.live import LiveFloor
    from console.feeds.poller import FeedPoller, tls_verification

    try:
        verify = tls_verification(settings.feed_ca_bundle)
    except OSError as error:
        raise SourceUnavailable(
            f"cannot read the CA bundle {settings.feed_ca_bundle}: {error.strerror or error}"
        ) from None
    recorder = _recorder(settings, closing) if choice.record else None
    return FeedPoller(
        choice.url,
        LiveFloor(settings),
        interval=choice.interval or settings.feed_interval_seconds,
        token=choice.token,
        verify=verify,
        stale_after=settings.feed_stale_after_seconds,
        down_after=settings.feed_down_after_seconds,
        max_backoff=settings.feed_max_backoff_seconds,
        poll_timeout=settings.feed_poll_timeout_seconds,
        max_body_bytes=settings.feed_max_body_bytes,
        on_snapshot=None if recorder is None else (lambda snap, body: _record(recorder, snap, body)),
        on_restart=None if recorder is None else recorder.new_session,
        recording_problem=None if recorder is None else recorder.problem,
    )


def _recorder(settings: Settings, closing: ExitStack) -> RecorderThread:
    """The recorder on its writer thread: the poll hands it a snapshot and never waits on the file."""
    from storage import StorageError, default_recordings_path
    from storage.recordings import RecorderThread, SnapshotRecorder

    try:
        recorder = SnapshotRecorder(
            settings.recording_db or default_recordings_path(),
            zone=settings.zone,
            keyframe_seconds=settings.recording_keyframe_seconds,
            retention_days=settings.recording_retention_days,
        )
    except StorageError as error:
        raise SourceUnavailable(f"{error} (or watch with --no-record)") from None
    writer = RecorderThread(recorder)
    closing.callback(writer.close)  # writes what is waiting, stops the thread, closes the file
    return writer


def _record(recorder: RecorderThread, snap: FeedSnapshot, body: bytes) -> None:
    """Record a snapshot as the feed served it, unless it carries a caller's number in clear: then as
    parsed, with the numbers masked. A recording is a file on disk that outlives the session."""
    from console.feeds.protocol import SNAPSHOT_ADAPTER, masked_flags

    flags = masked_flags(snap.flags)
    if flags is not snap.flags:
        body = SNAPSHOT_ADAPTER.dump_json(snap.model_copy(update={"flags": flags}))
    recorder.record(snap.clock, snap.seq, body)


def _recorded(choice: Recorded, settings: Settings, closing: ExitStack) -> RecordingSource:
    from console.feeds.live import LiveFloor
    from console.feeds.recorded import RecordingSource
    from storage import StorageError
    from storage.recordings import Recording

    try:
        recording = Recording(choice.path)
    except StorageError as error:
        raise SourceUnavailable(str(error)) from None
    closing.callback(recording.close)  # all the source holds open: RecordingSource.close is this
    try:
        return RecordingSource(recording, LiveFloor(settings), day=choice.day, speed=choice.speed)
    except (StorageError, ValueError) as error:
        raise SourceUnavailable(str(error)) from None
