"""How figures are written for people, and read back from them: rates, durations, masked caller
numbers, times of day. One place for every view and the command line."""

from __future__ import annotations

import re
from datetime import time

__all__ = [
    "MISSING", "csv_cell", "format_bytes", "format_duration", "format_rate", "format_seconds", "mask_number", "mask_numbers_in", "parse_time_of_day",
    "plural",
]  # fmt: skip

#: How a cell starts that a spreadsheet would run as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: What a figure with nothing to divide by shows.
MISSING = "—"


def format_rate(value: float | None, digits: int = 1) -> str:
    """``0.8534`` → ``85.3%``; ``None`` → ``—``."""
    return MISSING if value is None else f"{value * 100:.{digits}f}%"


def format_seconds(value: float | None) -> str:
    """A short duration in seconds: ``32.5 s``, ``285 s`` (tenths below 100 s); ``None`` → ``—``."""
    if value is None:
        return MISSING
    return f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


def format_bytes(count: int) -> str:
    """A size for people, in decimal units: ``512`` → ``512 bytes``, ``64_000`` → ``64 kB``,
    ``8_000_000`` → ``8 MB``, ``820_000`` → ``820 kB``."""
    if count < 1000:
        return plural(count, "byte")
    for unit, size in (("kB", 1e3), ("MB", 1e6)):
        shown = f"{count / size:.3g}"
        if float(shown) < 1000:  # 999,999 bytes is 1 MB, not 1e+03 kB
            return f"{shown} {unit}"
    gigabytes = count / 1e9
    return f"{gigabytes:.3g} GB" if gigabytes < 1000 else f"{gigabytes:,.0f} GB"


def format_duration(seconds: float | None) -> str:
    """``754`` → ``12:34``, ``3754`` → ``1:02:34``; ``None`` → ``—``."""
    if seconds is None:
        return MISSING
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def mask_number(number: str | None) -> str:
    """Show a caller's number masked, as 12333 centres do: ``13812345678`` → ``138****5678``.

    Keeps the first three and last four digits of an 11-digit or longer number; shorter numbers keep
    only their last two digits. Anything that is not a digit is kept in place (``0571-88123456``). A
    number already masked (a feed's, a recording's) is shown as it is.
    """
    if not number:
        return MISSING
    if "*" in number:
        return number
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    if len(digits) >= 11:
        hidden = digits[3:-4]
    elif len(digits) > 2:
        hidden = digits[:-2]
    else:
        hidden = digits
    chars = list(number)
    for i in hidden:
        chars[i] = "*"
    return "".join(chars)


#: A phone number inside free text, not part of a longer run of digits: a Chinese mobile (11 digits
#: starting with 1, maybe after +86) or a landline with its area code (0571-87654321, 057187654321,
#: 010 12345678).
_PHONE_IN_TEXT = re.compile(r"(?<![\d*])(?:(?:\+?86[- ]?)?1\d{10}|0\d{2,3}[- ]?\d{7,8})(?![\d*])")


def mask_numbers_in(text: str) -> str:
    """Free text (an agent's note, a case summary) with every phone number in it masked by
    :func:`mask_number`'s rule: ``来电人 13912345678 称`` → ``来电人 139****5678 称``. Other figures
    (dates, amounts, call ids) are left as typed."""
    return _PHONE_IN_TEXT.sub(lambda match: mask_number(match.group()), text) if text else text


def parse_time_of_day(text: str) -> time:
    """``"9:30"``, ``"09:30"`` or ``"09:30:15"`` as a time; ValueError with one sentence otherwise."""
    parts = text.strip().split(":")
    try:
        if not 2 <= len(parts) <= 3:
            raise ValueError
        hour, minute, second = (int(p) for p in (parts + ["0"])[:3])
        return time(hour, minute, second)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a time of day like 09:30") from None


def plural(count: int, noun: str) -> str:
    """``1 call``, ``2 calls``, ``1,204 calls``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def csv_cell(value: object) -> object:
    """One cell of a CSV export, safe to open in a spreadsheet: text that starts with ``= + - @``, a tab
    or a carriage return gets a leading ``'`` (``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``), so it reads
    as text and never runs as a formula. Numbers the export writes itself (ids, counts, severity) stay
    numbers, a negative one included; ``None`` is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
