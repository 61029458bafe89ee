"""What hostile input is made of: values at the edges of every type, and the phone numbers and the
token that must never come out unmasked."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

#: A caller's number as the fuzz tests plant it in input; any output containing it in clear is a leak.
PLANTED_NUMBER = "13987654321"
#: The feed token of the fuzz runs; it must appear in nothing printed or written.
TOKEN = "fuzz-Secret-Token-0815"
#: A mobile number in clear, as tests/test_masked_numbers.py greps for it.
UNMASKED = re.compile(r"(?<!\d)1\d{10}(?!\d)")

EDGE_TIMES = [
    "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59+08:00", "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00", "1970-01-01T00:00:00Z", "2027-11-27T09:00:00+08:00",
    "2026-11-27T09:00:00", "2026-11-27T25:00:00+08:00", "2026-02-30T09:00:00+08:00", "2026-11-27", "",
]  # fmt: skip
EDGE_NUMBERS = [0, -1, 1, 2**31, 2**63, -(2**63), 10**20, 10**400, 1e20, 1e308, -1e308, 5e-324, 0.5, -0.0]

#: JSON text that is not a plain value: the literals Python's json accepts but JSON does not, huge numbers.
RAW_TOKENS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 5000, "[" * 200 + "]" * 200, "nul"]


def hostile_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(EDGE_TIMES),
        st.sampled_from(EDGE_NUMBERS),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=40),
        st.sampled_from([None, True, False, "", " ", "\x00", "\u202e", "🙂" * 50, "x" * 5000, PLANTED_NUMBER,
                         f"+86 {PLANTED_NUMBER[:3]}-{PLANTED_NUMBER[3:7]}-{PLANTED_NUMBER[7:]}",
                         f"call me on {PLANTED_NUMBER}", "=HYPERLINK(\"http://x\")", "on_call", "break", "小休"]),
    )  # fmt: skip


def hostile_values() -> st.SearchStrategy[Any]:
    return st.recursive(
        hostile_scalars(),
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=8,
    )


def leaks(text: str) -> list[str]:
    """Every unmasked mobile number and every trace of the token in ``text``."""
    found = UNMASKED.findall(text)
    if TOKEN.lower() in text.lower():  # in any case: a parser may quote a header lowercased
        found.append("the token")
    return found
