"""Checkpoints of the floor through a replayed file, so that a seek is a restore and a short read.

A seek used to fold the day from its first line: 28 s to reach 20:00 on a 5,000-agent day. Here a
process of its own (:class:`IndexBuilder`, started when a big file is opened) reads the file once and
writes, every quarter hour of floor time and every 25,000 events, the whole state of the replay at that point: the floor
engine's (:meth:`FloorEngine.saved`), the problems met so far and where the reading stands (the byte
after the last line read, its number, the time checks' state, the next event). A seek then restores the
last checkpoint before its target and folds the few minutes after it (:meth:`ReplaySource.seek`); the
figures are exactly those of reading the whole file (tests/feeds/test_seek_index.py compares them).

A gzip file cannot be entered in the middle by zlib alone; ``indexed_gzip`` (the zran method of zlib's
own examples, kept by the nibabel authors) builds an index of entry points, written beside the
checkpoints, so a restore decompresses at most a few MB before its line.

The checkpoints live in the user cache folder, one folder per file *and* per settings *and* per version
of the code that folds (:func:`index_folder`): a file changed on disk (size, time, inode), a setting that
changes a figure or a newer engine finds no folder and makes a new one; the four most recent are kept.
They are pickles: Python's own way to keep a graph of objects (a call shares its quarter hour's counters
with the day), read back only from that folder. They hold what the floor holds, callers' numbers among
them, so the folders are this user's alone (0700, files 0600), as the crash reports are.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import zlib
from bisect import bisect_right
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.settings import Settings

__all__ = ["IndexBuilder", "SeekIndex", "build_index", "index_folder", "open_index"]

#: The layout of a folder; a change of it, or of the code that folds, is a new folder.
FORMAT = 1
#: Floor time between two checkpoints: a seek folds at most this much after restoring one ...
EVERY_SECONDS = 15 * 60.0
#: ... and at most this many events (a busy quarter hour of the biggest floor holds ~60,000: ~1.3 s).
EVERY_EVENTS = 25_000
#: The folders kept in the cache (the most recently made or used).
KEEP_FOLDERS = 4
#: indexed_gzip's entry points, in bytes of content: a restore decompresses at most this much to its line.
GZIP_SPACING = 4 << 20
_MANIFEST = "manifest.json"
_BUILDING = ".building-"  # a folder being written: its name, this, and the builder's process id
_GZIP_INDEX = "gzip.index"
#: The code whose change may change a checkpoint's meaning: its text is part of the folder's name.
_CODE = (
    "console/floor/engine.py", "console/floor/windows.py", "console/floor/counters.py", "console/floor/rules.py",
    "console/floor/snapshot.py", "console/timeline.py", "console/eventfile.py", "console/core/event_decoder.py",
    "console/core/events.py", "console/core/problems.py", "console/core/formatting.py", "console/feeds/replay.py",
    "console/feeds/seek_index.py",
)  # fmt: skip
#: The libraries whose version may change what a line decodes to, or a time's zone.
_LIBRARIES = ("pydantic", "pydantic-core", "msgspec", "tzdata", "indexed-gzip")


def cache_root() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("hotline-console")) / "seek"


def _identity(path: Path) -> dict[str, Any]:
    stat = os.stat(path)
    return {
        "path": str(Path(path).resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "inode": stat.st_ino,
        "device": stat.st_dev,
    }


@cache
def _code_digest() -> str:
    from importlib.metadata import PackageNotFoundError, version

    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256(sys.version.encode())
    for name in _CODE:
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library} {version(library)}".encode())
        except PackageNotFoundError:  # tzdata where the system's zone files serve
            digest.update(f"{library} none".encode())
    return digest.hexdigest()


def _settings_json(settings: Settings) -> str:
    # every setting but the feed's token (never written anywhere); the fold reads only a few of them, but
    # a setting read by none of them costs only a second index, never a wrong figure
    return settings.model_dump_json(exclude={"feed_token"})


def index_folder(path: Path, settings: Settings, root: Path | None = None) -> Path:
    """The folder of ``path``'s checkpoints under these settings and this code (it may not exist yet)."""
    key = json.dumps(
        {"format": FORMAT, "file": _identity(path), "settings": _settings_json(settings), "code": _code_digest()},
        sort_keys=True,
    )
    return (root or cache_root()) / hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The replay's state with every event read so far folded, all of them at or before ``at`` (epoch
    seconds): a seek to ``at`` or later restores it and folds on from the next event."""

    at: float
    file: Path


class SeekIndex:
    """The checkpoints of one file, read from its folder."""

    def __init__(self, folder: Path, path: Path, identity: dict[str, Any], times: list[float], gzip_index: bool) -> None:
        self.folder = folder
        self.path = Path(path)
        self.identity = identity  # the file the checkpoints were made of
        self.times = times
        self.gzip_index = folder / _GZIP_INDEX if gzip_index else None

    def current(self) -> SeekIndex:
        return self

    def before(self, ts: float) -> Checkpoint | None:
        """The last checkpoint at or before ``ts``, if any; none once the file is not the one they were
        made of (replaced or grown since: the state and the byte offsets are another file's)."""
        try:
            if _identity(self.path) != self.identity:
                return None
        except OSError:
            return None
        where = bisect_right(self.times, ts)
        if where == 0:
            return None
        at = self.times[where - 1]
        return Checkpoint(at, self.folder / _checkpoint_name(at))

    def load(self, checkpoint: Checkpoint) -> dict[str, Any]:
        """The state kept at ``checkpoint`` (its engine part for :meth:`FloorEngine.restore`)."""
        return pickle.loads(zlib.decompress(checkpoint.file.read_bytes()))

    def open_at(self, path: Path, offset: int) -> IO[bytes]:
        """``path``'s content from byte ``offset`` on (of the content: decompressed, for a gzip file)."""
        if self.gzip_index is None:
            handle = open(path, "rb")  # noqa: SIM115 - the replay owns the handle
            handle.seek(offset)
            return handle
        from indexed_gzip import IndexedGzipFile

        packed = IndexedGzipFile(str(path), index_file=str(self.gzip_index), auto_build=False, buffer_size=1 << 20)
        packed.seek(offset)
        return packed


def _checkpoint_name(at: float) -> str:
    return f"{at:.3f}.pickle"


def open_index(path: Path, settings: Settings, root: Path | None = None) -> SeekIndex | None:
    """The index of ``path`` when one was made for it as it is now (None otherwise); it counts as used."""
    try:
        folder = index_folder(path, settings, root)
        manifest = json.loads((folder / _MANIFEST).read_text())
        os.utime(folder)  # the most recently used are the ones kept
        identity, times, gzip_index = manifest["file"], [float(at) for at in manifest["times"]], manifest["gzip_index"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return SeekIndex(folder, path, identity, times, bool(gzip_index))


def build_index(path: Path, settings: Settings, root: Path | None = None, *, every_events: int = EVERY_EVENTS) -> SeekIndex:
    """Read ``path`` once and write its checkpoints (the builder process's work). The folder appears whole
    or not at all: it is written under a temporary name and renamed; a folder made meanwhile by another
    console on the same file is kept and this one dropped."""
    from console.eventfile import is_gzip_file
    from console.feeds.replay import ReplaySource
    from console.floor.engine import FloorEngine

    identity = _identity(path)
    folder = index_folder(path, settings, root)
    building = folder.with_name(f"{folder.name}{_BUILDING}{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    # the checkpoints hold what the floor holds, callers' numbers among them: this user's eyes only
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder.parent, 0o700)
    building.mkdir(mode=0o700)
    try:
        times: list[float] = []
        packed = is_gzip_file(path)
        engine = FloorEngine(settings)
        with ReplaySource(path, engine, speed=None) as replay:
            def keep(at: float, reader: dict[str, Any]) -> None:
                # one dumps for the engine, the problems and the reader: the objects they share stay shared
                state = {"engine": engine.saved(), "problems": (engine.problems.count, engine.problems.kept)}
                state["reader"] = reader
                packed_state = zlib.compress(pickle.dumps(state, pickle.HIGHEST_PROTOCOL), 1)  # ~3x, 15 ms a MB
                _write_private(building / _checkpoint_name(at), packed_state)
                times.append(at)

            replay.fold_keeping(EVERY_SECONDS, every_events, keep)
        gzip_index = False
        if packed and times:
            gzip_index = _index_gzip(path, building / _GZIP_INDEX)
            if not gzip_index:
                times.clear()  # a gzip file that cannot be indexed whole is not entered in the middle
        if _identity(path) != identity:
            raise OSError(f"{path} changed while its checkpoints were made")
        manifest = {"file": identity, "times": times, "gzip_index": gzip_index}
        _write_private(building / _MANIFEST, json.dumps(manifest).encode())
        try:
            building.rename(folder)
        except OSError:
            if not (folder / _MANIFEST).exists():
                raise
            shutil.rmtree(building, ignore_errors=True)  # another console made it first
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _prune(folder.parent)
    return SeekIndex(folder, path, identity, times, gzip_index)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file only this user can read."""
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(data)


def _index_gzip(path: Path, out: Path) -> bool:
    """Write ``indexed_gzip``'s entry points for ``path``; False when the file is cut short or corrupt
    anywhere (indexed_gzip indexes what it can read of such a file: the reading after a restore would not
    end as the reading of the whole file does, with the same problem at the same line)."""
    from indexed_gzip import IndexedGzipFile, ZranError

    try:
        with gzip.open(path, "rb") as whole:  # to its end, checked as the replay checks it
            while whole.read1(1 << 20):
                pass
        with IndexedGzipFile(str(path), spacing=GZIP_SPACING) as packed:
            packed.build_full_index()
            packed.export_index(str(out))
        os.chmod(out, 0o600)
    except (ZranError, OSError, EOFError, ValueError, zlib.error):
        return False
    return True


def _prune(root: Path) -> None:
    """Keep the :data:`KEEP_FOLDERS` folders most recently made or used; drop what a builder that was
    killed left half-made (its process is gone)."""
    try:
        entries = [entry for entry in root.iterdir() if entry.is_dir()]
        folders = sorted(
            (entry for entry in entries if _BUILDING not in entry.name),
            key=lambda entry: entry.stat().st_mtime,
            reverse=True,
        )
    except OSError:
        return
    for old in folders[KEEP_FOLDERS:]:
        shutil.rmtree(old, ignore_errors=True)
    for entry in entries:
        if _BUILDING in entry.name and not _alive(entry.name.rsplit(_BUILDING, 1)[1]):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # another user's process of that number: not ours to judge
        return True
    return True


class IndexBuilder:
    """The checkpoints of one file, made by a process of its own while the console runs.

    ``current()`` is the index once it exists (at once, for a file indexed before); until then, and if
    the process fails, None, and a seek reads the file as before. ``stop()`` ends the process."""

    def __init__(self, path: Path, settings: Settings, root: Path | None = None) -> None:
        self.path = Path(path)
        self._settings = settings
        self._root = root
        self.error: str | None = None
        self._index = open_index(self.path, settings, root)
        self._process: subprocess.Popen[bytes] | None = None
        if self._index is None:
            self._start()

    def _start(self) -> None:
        job = {"path": str(self.path.resolve()), "settings": _settings_json(self._settings), "root": str(self._root or "")}
        try:
            # the job goes through stdin, never argv: the settings are nobody else's business
            self._process = subprocess.Popen(
                [sys.executable, "-m", "console.feeds.seek_index"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=_child_environment(),
            )
            assert self._process.stdin is not None
            with self._process.stdin as stdin:
                stdin.write(json.dumps(job).encode())
        except OSError as error:  # no process to be had: seeks read the file, as without checkpoints
            self.error = f"no checkpoints for {self.path}: {error.strerror or error}"
            self.stop()
            self._process = None

    @property
    def building(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def current(self) -> SeekIndex | None:
        if self._index is None and self._process is not None and self._process.poll() is not None:
            process, self._process = self._process, None
            assert process.stderr is not None
            with process.stderr as stderr:
                said = stderr.read().decode(errors="replace").strip()
            if process.returncode == 0:
                self._index = open_index(self.path, self._settings, self._root)
            else:
                self.error = said.splitlines()[-1] if said else f"the checkpoint process ended ({process.returncode})"
        return self._index

    def wait(self) -> SeekIndex | None:
        """Wait for the process to end (tests, the bench); the index, or None when it failed."""
        if self._process is not None:
            self._process.wait()
        return self.current()

    def stop(self) -> None:
        """End the process (it drops its half-made folder); the index stays whatever it was."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _child_environment() -> dict[str, str]:
    """The builder's environment: the console's, without its settings (they come on stdin, checked
    already), so that a feed token set in the environment never reaches another process."""
    return {name: value for name, value in os.environ.items() if not name.startswith("HOTLINE_")}


def _main() -> int:
    """The builder process: the job (file, settings, cache folder) on stdin, one sentence on failure."""
    with suppress(OSError):
        os.nice(10)  # the console's ticks come first on a small machine
    # stopped by the console (SIGTERM): end as an exception does, so the half-made folder is removed
    signal.signal(signal.SIGTERM, _stopped)
    sys.dont_write_bytecode = False
    from console.eventfile import EventFileError
    from console.settings import Settings

    job = json.loads(sys.stdin.buffer.read())
    settings = Settings.model_validate(json.loads(job["settings"]))
    try:
        build_index(Path(job["path"]), settings, Path(job["root"]) if job["root"] else None)
    except (OSError, ValueError, EventFileError) as error:
        print(f"no checkpoints for {job['path']}: {error}", file=sys.stderr)
        return 1
    return 0


def _stopped(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(_main())
