"""Every setting has a bounded range: a value outside it stops the command with one sentence naming the
setting and where it came from, and every value inside it, the extremes too, runs the report, the
escalation commands and the console."""

from __future__ import annotations

import json
import re
from datetime import time
from pathlib import Path
from typing import Any, get_args

import annotated_types
import pytest
from helpers import at, bundled_replay, driven_console, floor_settled, screen_lines
from test_cli import hotline, run

from console.core.paths import bundled_day
from console.settings import Settings, load_settings
from storage import EscalationLog, NewCase

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def _numeric(annotation: Any) -> bool:
    return annotation in (int, float) or any(arg in (int, float) for arg in get_args(annotation))


NUMERIC = [name for name, field in Settings.model_fields.items() if _numeric(field.annotation)]


def bounds(name: str) -> tuple[float, bool, float]:
    """The field's lower bound, whether the bound itself is allowed (ge) or not (gt), and its upper bound."""
    lower: tuple[float, bool] | None = None
    upper: float | None = None
    for rule in Settings.model_fields[name].metadata:
        if isinstance(rule, annotated_types.Ge):
            lower = (rule.ge, True)
        elif isinstance(rule, annotated_types.Gt):
            lower = (rule.gt, False)
        elif isinstance(rule, annotated_types.Le):
            upper = rule.le
        assert not isinstance(rule, annotated_types.Lt), f"{name}: use le, so the upper bound itself can be tried"
    assert lower is not None and upper is not None, f"{name} needs a lower and an upper bound"
    return lower[0], lower[1], upper


def absurd_values(name: str) -> list[str]:
    """Values out of the field's range: absurdly large, negative, zero when zero is not allowed, and just
    past each bound."""
    low, low_allowed, high = bounds(name)
    values = {"1e20", "-1", str(high * 2 if high else 1)}
    if low > 0 or not low_allowed:
        values.add("0")
    if low > 0:
        values.add(str(low / 2))
    return sorted(values)


def the_error_is_one_sentence(code: int, err: str, name: str, origin: str) -> None:
    assert code != 0, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"hotline: setting {name}: ") and err.rstrip().endswith(f"({origin})"), err


def test_every_number_has_a_range() -> None:
    assert len(NUMERIC) >= 34  # every number the model had when its ranges were set
    for name in NUMERIC:
        bounds(name)


@pytest.mark.parametrize("name", NUMERIC)
def test_a_number_out_of_range_is_refused_from_the_environment_and_the_file(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = [["report", str(tmp_path / "day.jsonl")], ["escalations", "--db", str(tmp_path / "e.db"), "list"]]
    variable = f"HOTLINE_{name.upper()}"
    for value in absurd_values(name):
        with monkeypatch.context() as env:
            env.setenv(variable, value)
            for argv in commands:
                code, _, err = run(capsys, *argv)
                the_error_is_one_sentence(code, err, name, f"environment variable {variable}")
        config = tmp_path / "hotline.toml"
        config.write_text(f"{name} = {value}\n", encoding="utf-8")
        for argv in commands:
            code, _, err = run(capsys, "--config", str(config), *argv)
            the_error_is_one_sentence(code, err, name, f"settings file {config}")
    assert not (tmp_path / "e.db").exists()  # refused before the log was opened


@pytest.mark.parametrize(
    ("variable", "value"),
    [("HOTLINE_ESCALATION_RESOLVE_HOURS", "inf"), ("HOTLINE_ESCALATION_ACT_MINUTES_SEVERITY3", "1e20")],
)
def test_the_values_that_crashed_list_and_report_end_in_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    name = variable.removeprefix("HOTLINE_").lower()
    for argv in (["escalations", "--db", str(tmp_path / "e.db"), "list"], ["report", str(bundled_day())]):
        result = hotline(*argv)
        the_error_is_one_sentence(result.returncode, result.stderr, name, f"environment variable {variable}")
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("variable", "value", "position"),
    [
        ("HOTLINE_TOPIC_ALARM_LINES", "{bad", "line 1 column 2"),
        ("HOTLINE_BREAK_EXEMPT_REASONS", "[", "line 1 column 2"),
        ("HOTLINE_BREAK_EXEMPT_REASONS", '["培训", ]', "line 1 column 8"),
    ],
)
def test_json_that_does_not_parse_names_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, position: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = hotline("escalations", "--db", str(tmp_path / "e.db"), "list")
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"hotline: the environment variable {variable} is not valid JSON (")
    assert position in result.stderr and "None" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "where"),
    [
        ("HOTLINE_TOPIC_ALARM_LINES", '{"失业保险": 0}', "topic_alarm_lines.失业保险"),
        ("HOTLINE_TOPIC_ALARM_LINES", json.dumps({"失业保险": 10**20}), "topic_alarm_lines.失业保险"),
        ("HOTLINE_TOPIC_ALARM_LINES", json.dumps({"保" * 33: 5}), "topic_alarm_lines." + "保" * 33),
        ("HOTLINE_TOPIC_ALARM_LINES", json.dumps({f"话题{n}": 5 for n in range(101)}), "topic_alarm_lines"),
        ("HOTLINE_BREAK_EXEMPT_REASONS", '["培训", ""]', "break_exempt_reasons.1"),
        ("HOTLINE_BREAK_EXEMPT_REASONS", json.dumps(["会" * 17]), "break_exempt_reasons.0"),
        ("HOTLINE_BREAK_EXEMPT_REASONS", json.dumps([f"r{n}" for n in range(51)]), "break_exempt_reasons"),
        ("HOTLINE_CENTRE_NAME", "杭" * 61, "centre_name"),
        ("HOTLINE_TIMEZONE", "Asia/" + "x" * 5000, "timezone"),
        ("HOTLINE_ESCALATION_DB", "/tmp/" + "d" * 5000, "escalation_db"),
    ],
    ids=["line-0", "line-1e20", "topic-33", "101-topics", "reason-empty", "reason-17", "51-reasons", "centre-61", "zone-5005", "path-5005"],
)
def test_tables_lists_and_text_are_bounded(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, variable: str, value: str, where: str
) -> None:
    monkeypatch.setenv(variable, value)
    code, _, err = run(capsys, "escalations", "--db", str(tmp_path / "e.db"), "list")
    the_error_is_one_sentence(code, err, where, f"environment variable {variable}")


def test_the_feed_cannot_be_down_before_it_is_stale(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOTLINE_FEED_STALE_AFTER_SECONDS", "20")
    code, _, err = run(capsys, "report", "day.jsonl")
    assert code == 1 and err == (
        "hotline: settings: feed_stale_after_seconds (20) is longer than feed_down_after_seconds (15): "
        "the feed would be DOWN before it is STALE\n"
    )


# -- the extremes work -----------------------------------------------------------------------------


def extreme_settings(end: str) -> dict[str, Any]:
    """Every setting at the top (``"upper"``) or the bottom (``"lower"``) of its range; for a bound that is
    not itself allowed (above 0), a hundredth past it."""
    values: dict[str, Any] = {}
    for name in NUMERIC:
        low, low_allowed, high = bounds(name)
        values[name] = high if end == "upper" else (low if low_allowed else low + 0.01)
    if end == "upper":
        values |= {
            "centre_name": "杭" * 60,
            "supervisor_name": "王" * 32,
            "break_exempt_reasons": [f"{n:02d}" + "培" * 14 for n in range(50)],
            "topic_alarm_lines": {f"{n:02d}" + "保" * 30: 100_000 for n in range(100)},
        }
    return values


def _log_with_cases(path: Path) -> None:
    """Two cases of the bundled day: one resolved, one still open (overdue under any deadline but a year's)."""
    with EscalationLog(path) as log:
        form = {"call_id": "C0001", "agent_id": "A07", "category": "crisis", "severity": 3, "logged_by": "王班长"}
        first = log.open_case(NewCase(occurred_at=at("09:05:00"), summary="失业后说不想活了", caller="13812345678", **form), now=at("09:06:00"))
        log.open_case(NewCase(occurred_at=at("10:00:00"), summary="欠薪三年", caller="13912345678", **form), now=at("10:01:00"))
        log.set_status(first, "resolved", by="王班长", at=at("11:00:00"))


def toml_of(values: dict[str, Any]) -> str:
    """Settings as a TOML file: JSON numbers, strings and lists are TOML too; a table gets a section."""
    plain = [f"{name} = {json.dumps(value, ensure_ascii=False)}\n" for name, value in values.items() if not isinstance(value, dict)]
    tables = [
        f"[{name}]\n" + "".join(f"{json.dumps(key, ensure_ascii=False)} = {line}\n" for key, line in value.items())
        for name, value in values.items()
        if isinstance(value, dict)
    ]
    return "".join(plain + tables)


@pytest.mark.parametrize("end", ["upper", "lower"])
def test_the_report_and_the_escalation_commands_run_at_every_extreme(
    end: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = extreme_settings(end)
    config = tmp_path / "hotline.toml"
    config.write_text(toml_of(values), encoding="utf-8")
    assert load_settings(config).model_dump(include=set(values)) == values
    db = tmp_path / "e.db"
    _log_with_cases(db)

    code, out, err = run(capsys, "--config", str(config), "report", str(bundled_day()), "--json")
    assert code == 0 and err == "", err
    assert json.loads(out)["totals"]["offered"] > 10_000
    for argv in (["list"], ["list", "--open"], ["show", "2"], ["export"]):
        code, out, err = run(capsys, "--config", str(config), "escalations", "--db", str(db), *argv)
        assert code == 0 and err == "", (argv, err)
        assert "欠薪三年" in out and "139****5678" in out and "13912345678" not in out


@pytest.mark.parametrize("end", ["upper", "lower"])
async def test_the_console_runs_at_every_extreme(end: str, tmp_path: Path) -> None:
    settings = Settings(**extreme_settings(end))
    db = tmp_path / "e.db"
    _log_with_cases(db)
    with EscalationLog(db) as log:
        app = driven_console(settings, bundled_replay(time(10, 30), settings=settings), log)
        async with app.run_test(size=(160, 50)) as pilot:
            await floor_settled(app, pilot)
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown = "\n".join(screen_lines(app))
            assert "10:30:00" in shown and "139****5678" in shown, shown
            await pilot.press("right_square_bracket")
            await floor_settled(app, pilot)
            assert "10:45:00" in "\n".join(screen_lines(app))


# -- the ranges are documented ---------------------------------------------------------------------


def _figure(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def documented_range(name: str) -> str:
    """The range of a number as docs/settings.md writes it: ``1 to 600``, ``above 0, to 10,080``."""
    low, low_allowed, high = bounds(name)
    return f"{_figure(low)} to {_figure(high)}" if low_allowed else f"above {_figure(low)}, to {_figure(high)}"


def test_every_range_is_documented() -> None:
    rows = re.findall(r"^\| `(\w+)` \| `HOTLINE_\w+` \| `[^`]*` \| ([^|]*) \|", DOC.read_text(encoding="utf-8"), re.M)
    ranges = {name: cell.strip() for name, cell in rows}
    assert set(ranges) == set(Settings.model_fields)
    for name, shown in ranges.items():
        if name in NUMERIC:
            assert shown == documented_range(name), name
        else:
            assert shown, f"{name} has no range in docs/settings.md"
            for rule in Settings.model_fields[name].metadata:
                if isinstance(rule, annotated_types.MaxLen):
                    assert f"{rule.max_length:,}" in shown, name
