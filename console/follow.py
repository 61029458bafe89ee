"""A file followed as ``tail -F`` follows it: the lines appended to it, across rotations and truncations.

Asterisk appends to ``/var/log/asterisk/queue_log``; logrotate moves it away once a day, either by
renaming it (Asterisk then opens a new file: the default) or by copying it and truncating it in place
(``copytruncate``). :class:`FollowedFile` gives the complete lines appended since it last looked,
whichever happened:

- a partial last line (Asterisk mid-write) waits until its newline comes: never given twice, never lost;
- **rename**: the path names another file (another inode) or none. The old file is read to its end first
  (what was written before the rename is not lost; a partial line left there is given as a line, since its
  writer will never end it), then the new file from its start;
- **truncation**: the file is shorter than where the reading was. It is read again from its start. Two
  limits belong to truncation itself, not to this reader: the lines written between logrotate's copy
  and its truncation are lost (logrotate documents it), and a file truncated and then written past the
  old reading position before the follower looks again cannot be told from one that grew. The console
  looks every quarter second; prefer rename rotation.

Memory is bounded whatever the file: it is read a chunk at a time, and a line longer than
``max_line_bytes`` is reported and skipped without being held whole. Plain files only: a followed log is
the file Asterisk writes, never gzip, never a pipe or a device. Headless, never blocks, never sleeps.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = ["FollowedFile"]

_GZIP_MAGIC = b"\x1f\x8b"
_KEEP_PROBLEMS = 1000


class FollowedFile:
    """Follows ``path``; :meth:`read_lines` gives what arrived since the last call."""

    def __init__(self, path: Path, *, max_line_bytes: int = 65_536, read_chunk: int = 1 << 20) -> None:
        self.path = Path(path)
        self.max_line_bytes = max_line_bytes
        self.read_chunk = read_chunk
        self.rotations = 0  # the path named another file (renamed and created again, or appeared again)
        self.truncations = 0  # the file was found shorter than what had been read of it
        self.generation = 0  # +1 at each rotation or truncation
        self.line_number = 0  # lines given from the current generation
        self.missing = False  # the path names no file right now
        self.problems: list[str] = []
        self._handle: BinaryIO | None = None
        self._identity: tuple[int, int] | None = None  # device and inode of the open file
        self._offset = 0  # bytes read of the open file
        self._partial = b""  # the start of a line whose newline has not come yet
        self._skipping = 0  # bytes of an overlong line being read past (0: none)
        self._away = False  # the file was renamed away and no new one is there yet

    def check(self) -> None:
        """Open the file now, when it is there, so that one that cannot be followed is refused at start, in
        one sentence (ValueError), rather than at the first read."""
        if self._handle is None:
            self._open()

    # ------------------------------------------------------------------ reading
    def read_lines(self, max_bytes: int | None = None) -> list[bytes]:
        """The complete lines that arrived since the last call (newline and carriage return taken off), in
        order, reading about ``max_bytes`` at most (None: all there is). Raises ValueError, in one
        sentence, for a path that is not a plain file or is gzip."""
        lines: list[bytes] = []
        budget = float("inf") if max_bytes is None else max_bytes
        if self._handle is None:
            if not self._open():
                return lines
            if self._away:  # the file created again after a rename: a rotation
                self._away = False
                self._rotated()
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            now = None
        except OSError as error:
            self._problem(f"cannot look at {self.path.name} ({error.strerror}); following it again when it can be read")
            return lines
        replaced = now is None or (now.st_dev, now.st_ino) != self._identity
        if not replaced and now is not None and now.st_size < self._offset:
            self.truncations += 1
            if self._partial:
                self._problem(f"{self.path.name} was truncated with a line half written; that half is lost")
            self._restart()
            self._handle.seek(0)  # type: ignore[union-attr]
        budget -= self._read_into(lines, budget)
        if replaced and budget > 0:
            # the old file's last lines first (its writer has moved on: a partial line there is a line)
            if self._partial:
                self._give(lines, self._partial)
                self._partial = b""
            self._close()
            if now is not None and self._open():
                self._rotated()
                budget -= self._read_into(lines, budget)
            else:
                self._away = self.missing = True
        return lines

    def _rotated(self) -> None:
        self.rotations += 1
        self.generation += 1
        self.line_number = 0

    def _read_into(self, lines: list[bytes], budget: float) -> int:
        """Read what the open file has (up to ``budget`` bytes) into ``lines``; how many bytes were read."""
        handle = self._handle
        read = 0
        while handle is not None and read < budget:
            chunk = handle.read(self.read_chunk)
            if not chunk:
                break
            read += len(chunk)
            self._offset += len(chunk)
            self._split(chunk, lines)
        return read

    def _split(self, chunk: bytes, lines: list[bytes]) -> None:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                rest = chunk[start:]
                if self._skipping:
                    self._skipping += len(rest)
                elif len(self._partial) + len(rest) > self.max_line_bytes:
                    self._skipping = len(self._partial) + len(rest)  # too long: read past it, never held
                    self._partial = b""
                else:
                    self._partial += rest
                return
            piece = chunk[start:end]
            if self._skipping:
                self.line_number += 1
                self._too_long(self._skipping + len(piece))
                self._skipping = 0
            elif len(self._partial) + len(piece) > self.max_line_bytes:
                self.line_number += 1
                self._too_long(len(self._partial) + len(piece))
                self._partial = b""
            else:
                self._give(lines, self._partial + piece if self._partial else piece)
                self._partial = b""
            start = end + 1

    def _give(self, lines: list[bytes], line: bytes) -> None:
        self.line_number += 1
        lines.append(line[:-1] if line.endswith(b"\r") else line)

    def _too_long(self, length: int) -> None:
        self._problem(
            f"line {self.line_number}: a line of {length:,} bytes, longer than the {self.max_line_bytes:,}-byte limit "
            "(the event_line_max_bytes setting): skipped"
        )

    def _problem(self, message: str) -> None:
        if len(self.problems) < _KEEP_PROBLEMS:
            self.problems.append(message)

    def _restart(self) -> None:
        self._offset = 0
        self._partial = b""
        self._skipping = 0
        self.generation += 1
        self.line_number = 0

    # ------------------------------------------------------------------ opening
    def _open(self) -> bool:
        """Open the path from its start (False: it is missing, as :attr:`missing` says); refuse, in one
        sentence, what cannot be followed. Looked at before it is opened: opening a FIFO would wait."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            self.missing = True
            return False
        except OSError as error:
            raise ValueError(f"{self.path}: cannot open ({error.strerror})") from None
        if stat.S_ISDIR(info.st_mode):
            raise ValueError(f"{self.path}: is a folder, not a queue_log")
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{self.path}: is not a regular file (a pipe or a device); follow the file Asterisk writes")
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - held open between reads, closed by close()
        except FileNotFoundError:  # gone between the look and the opening: missing, for now
            self.missing = True
            return False
        except OSError as error:
            raise ValueError(f"{self.path}: cannot open ({error.strerror})") from None
        if handle.read(2) == _GZIP_MAGIC:
            handle.close()
            raise ValueError(f"{self.path}: is gzip-compressed; a followed queue_log must be the plain file Asterisk writes")
        handle.seek(0)
        opened = os.fstat(handle.fileno())
        self._handle = handle
        self._identity = (opened.st_dev, opened.st_ino)
        self._offset = 0
        self._partial = b""
        self._skipping = 0
        self.missing = False
        return True

    def _close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def close(self) -> None:
        self._close()
