"""Fuzzed settings: one to four settings at a time given hostile values (numbers at every edge, JSON that
is not, text), by environment variable and by settings file, before `hotline report --json` and
`hotline escalations list`, which work out every figure, colour and overdue time from them. Either the
command works, or it ends with one sentence naming the setting (and, for an environment variable, the
variable); never a crash."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from checks import assert_no_crash, hotline_in_process, strict_json
from helpers import SMALL_DAY
from hostile import PLANTED_NUMBER, TOKEN
from hypothesis import example, given
from hypothesis import strategies as st
from test_settings_bounds import NUMERIC, bounds

from console.settings import Settings

FIELDS = sorted(Settings.model_fields)
#: Setting values as text, the way an environment variable or a careless settings file carries them.
HOSTILE_TEXT = st.one_of(
    st.sampled_from([
        "0", "-1", "1", "1e20", "-1e20", "1e308", "1e400", "inf", "-inf", "nan", "NaN", "Infinity", "5e-324",
        "9223372036854775808", "0.0000001", "", " ", "true", "null", "[", "{bad", "[]", "{}", '["小休"]',
        '{"养老保险": 1e20}', '{"养老保险": -1}', '["' + "x" * 5000 + '"]', "x" * 5000, "Asia/Nowhere",
        "../../etc/passwd", "/dev/null", "=cmd", PLANTED_NUMBER, "\x00", TOKEN, "Geheim-Tök3n-4711",
    ]),
    st.integers().map(str),
    st.floats(allow_nan=False).map(repr),
    st.text(max_size=20),
)  # fmt: skip




@st.composite
def hostile_settings(draw: st.DrawFn) -> dict[str, str]:
    """One to four settings with hostile text, and numbers on, just past and far past their bounds."""
    values = draw(st.dictionaries(st.sampled_from(FIELDS), HOSTILE_TEXT, min_size=1, max_size=4))
    for name in draw(st.lists(st.sampled_from(NUMERIC), max_size=3, unique=True)):
        low, _, high = bounds(name)
        value = draw(st.one_of(st.sampled_from([low, high, low - 1, high + 1, high * 1e6]), st.floats(low, high)))
        values[name] = repr(int(value) if Settings.model_fields[name].annotation is int else value)
    return values


@pytest.fixture(scope="module")
def log_with_a_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An escalation log holding one open case, for `escalations list` to work out its overdue time."""
    db = tmp_path_factory.mktemp("fuzz-settings") / "escalations.db"
    code, _, err = hotline_in_process(
        "escalations", "add", "--db", str(db), "--by", "王班长", "--call-id", "C5", "--agent-id", "A2",
        "--caller", PLANTED_NUMBER, "--category", "crisis", "--severity", "3", "--summary", "来电人情绪激动",
        "--occurred-at", "2026-11-27T09:07",
    )  # fmt: skip
    assert code == 0, err
    return db


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _commands(db: Path, *config: str, named: list[str]) -> None:
    for argv in ([*config, "report", str(SMALL_DAY), "--json"], [*config, "escalations", "list", "--db", str(db)]):
        code, out, err = hotline_in_process(*argv)
        assert_no_crash(code, out, err)
        if code == 0 and "--json" in argv:
            strict_json(out)
        if code != 0:  # one sentence that names what to fix
            assert len(err.strip().splitlines()) == 1 and "None" not in err, err
            assert any(name in err for name in named), (named, err)


@given(values=hostile_settings())
@example(values={"escalation_act_minutes_severity3": "1e20"})  # the cases found by hand, always tried
@example(values={"escalation_resolve_hours": "1e20"})
@example(values={"topic_alarm_lines": "{bad"})
@example(values={"break_exempt_reasons": "["})
def test_fuzzed_environment_settings_work_or_are_refused_in_one_sentence(
    values: dict[str, str], log_with_a_case: Path
) -> None:
    variables = {f"HOTLINE_{name.upper()}": value.replace("\x00", "") for name, value in values.items()}
    with environment(variables):
        _commands(log_with_a_case, named=[*values, *variables])


def _toml_value(text: str) -> str:
    """As a careless settings file would hold it: the text itself when TOML takes it, else as a string."""
    import tomllib

    try:
        tomllib.loads(f"x = {text}")
    except tomllib.TOMLDecodeError:
        return json.dumps(text)
    return text


@given(values=hostile_settings())
@example(values={"escalation_act_minutes_severity3": "1e20"})
def test_a_fuzzed_settings_file_works_or_is_refused_in_one_sentence(
    values: dict[str, str], log_with_a_case: Path
) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-settings-") as folder:
        config = Path(folder) / "hotline.toml"
        config.write_text("".join(f"{name} = {_toml_value(value)}\n" for name, value in values.items()), encoding="utf-8")
        _commands(log_with_a_case, "--config", str(config), named=[*values, str(config)])
