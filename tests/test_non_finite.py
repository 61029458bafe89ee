"""Infinity and NaN never get in (issue 8, point 6): a non-finite number in an event line is a bad
line, and everything the console prints as JSON is strict JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SMALL_DAY

from console.core.events import EVENT_ADAPTER


def strict_json(text: str) -> object:
    """``json.loads`` that refuses Infinity, -Infinity and NaN, as every other JSON reader does."""

    def refuse(constant: str) -> object:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def hotline(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *argv], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_report_on_infinite_and_nan_values_skips_those_lines_and_prints_strict_json(tmp_path: Path) -> None:
    # the small day's two call_ended lines (18 and 26) with a talk time of 1e400 (inf) and NaN
    lines = SMALL_DAY.read_text(encoding="utf-8").splitlines()
    assert '"talk_seconds": 240' in lines[17] and '"wrap_seconds": 0' in lines[25]
    lines[17] = lines[17].replace('"talk_seconds": 240', '"talk_seconds": 1e400')
    lines[25] = lines[25].replace('"wrap_seconds": 0', '"wrap_seconds": NaN')
    path = tmp_path / "non-finite.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = hotline("report", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = strict_json(result.stdout)
    assert report["problems"]["count"] == 2
    assert report["problems"]["first"] == [
        "line 18: call_ended.talk_seconds: Input should be a finite number",
        "line 26: call_ended.wrap_seconds: Input should be a finite number",
    ]
    # no call ended: nothing to average, so AHT is unknown, not inf
    assert report["totals"]["offered"] == 8
    assert report["totals"]["aht_seconds"] is None
    assert "2 lines" in result.stderr and "line 18" in result.stderr and "skipped" in result.stderr

    text = hotline("report", str(path))
    assert text.returncode == 0, text.stderr
    aht = next(line for line in text.stdout.splitlines() if "平均处理 AHT" in line)
    assert "—" in aht and "inf" not in aht
    assert not re.search(r"\b(inf|nan)\b", text.stdout, re.IGNORECASE)


@pytest.mark.parametrize("value", ["1e400", "-1e400", "Infinity", "-Infinity", "NaN"])
def test_every_float_of_an_event_refuses_non_finite_numbers(value: str) -> None:
    line = (
        '{"type": "call_ended", "ts": "2026-11-27T09:05:50+08:00", "call_id": "C2", "agent_id": "A1",'
        f' "talk_seconds": 1, "wrap_seconds": {value}}}'
    )
    with pytest.raises(ValueError, match="finite number"):
        EVENT_ADAPTER.validate_json(line)


@pytest.mark.parametrize(
    "argv",
    [
        ["schema", "events"],
        ["schema", "snapshot"],
        ["report", str(SMALL_DAY), "--json"],
        ["escalations", "list", "--json"],
        ["escalations", "show", "1", "--json"],
    ],
)
def test_json_output_is_strict_json(argv: list[str]) -> None:
    added = hotline(
        "escalations", "add", "--call-id", "C9", "--agent-id", "A1", "--category", "crisis",
        "--severity", "3", "--summary", "caller in crisis",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    result = hotline(*argv)
    assert result.returncode == 0, result.stderr
    strict_json(result.stdout)


@pytest.mark.parametrize("value", ["inf", "nan", "1e400"])
def test_a_non_finite_setting_is_one_sentence(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HOTLINE_TARGET_ASA_SECONDS", value)
    result = hotline("report", str(SMALL_DAY))
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.strip() == (
        "hotline: setting target_asa_seconds: Input should be a finite number (environment variable HOTLINE_TARGET_ASA_SECONDS)"
    )


def test_a_talk_time_beyond_a_day_is_refused_so_sums_stay_finite() -> None:
    # 1e308 is finite, but two of them add up to inf: a call's talk or wrap time is at most a day
    line = (
        '{"type": "call_ended", "ts": "2026-11-27T09:05:50+08:00", "call_id": "C2", "agent_id": "A1",'
        ' "talk_seconds": 1e308}'
    )
    with pytest.raises(ValueError, match="less than or equal to 86400"):
        EVENT_ADAPTER.validate_json(line)
