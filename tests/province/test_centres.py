"""The centres file of `hotline province`: what it names, and one clear sentence for every bad input."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from helpers import SMALL_DAY

from console.cli import build_parser, run_command
from console.core.paths import FIXTURES
from console.feeds.factory import DayFile, Feed, QueueLog
from console.province.centres import CentresError, load_centres
from console.province.demo import ZHEJIANG, centres_toml


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "centres.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_naming_each_kind_of_source(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "queue_log").write_text("", encoding="utf-8")
    day = tmp_path / "lishui.jsonl"
    day.write_bytes(SMALL_DAY.read_bytes())
    path = write(
        tmp_path,
        """
province = "浙江"

[[centre]]
name = "杭州"
feed = "http://127.0.0.1:8401"

[[centre]]
name = "宁波"
feed = "https://feed.ningbo.example:8443/snapshot"
token_env = "NINGBO_FEED_TOKEN"

[[centre]]
name = "温州"
queue_log = "logs/queue_log"
queue = "12333"

[[centre]]
name = "丽水"
day = "lishui.jsonl"
speed = 120
start = "09:30"
""",
    )
    province = load_centres(path)
    assert province.name == "浙江"
    hangzhou, ningbo, wenzhou, lishui = province.centres
    assert [c.name for c in province.centres] == ["杭州", "宁波", "温州", "丽水"]
    # feeds are not recorded in the province (docs/province.md says why); the token is never in the file
    assert hangzhou.choice == Feed("http://127.0.0.1:8401", record=False) and hangzhou.token_env is None
    assert ningbo.token_env == "NINGBO_FEED_TOKEN" and ningbo.choice.token is None  # type: ignore[union-attr]
    # paths are from the file's folder; a queue_log is followed, a day replayed from its start
    assert wenzhou.choice == QueueLog(tmp_path / "logs" / "queue_log", follow=True, queue="12333")
    assert lishui.choice == DayFile(day, speed=120) and lishui.start == time(9, 30)


def test_a_day_replays_at_60x_by_default(tmp_path: Path) -> None:
    path = write(tmp_path, f'[[centre]]\nname = "舟山"\nday = "{SMALL_DAY}"\n')
    (zhoushan,) = load_centres(path).centres
    assert zhoushan.choice == DayFile(SMALL_DAY, speed=60.0) and zhoushan.start is None


FEED = 'feed = "http://127.0.0.1:8401"'

BAD = [
    pytest.param(
        f'[[centre]]\nname = "杭州"\n{FEED}\nfed = "x"\n', "centre 1 (杭州): unknown key 'fed'", id="unknown-key"
    ),
    pytest.param(
        f'provence = "浙江"\n[[centre]]\nname = "杭州"\n{FEED}\n', "unknown key 'provence'", id="unknown-top-key"
    ),
    pytest.param(
        f'[[centre]]\nname = "杭州"\n{FEED}\nday = "{SMALL_DAY}"\n',
        "centre 1 (杭州): give exactly one source of feed, queue_log and day (here: feed and day)",
        id="two-sources",
    ),
    pytest.param('[[centre]]\nname = "杭州"\n', "centre 1 (杭州): give exactly one source", id="no-source"),
    pytest.param(
        f'[[centre]]\nname = "杭州"\n{FEED}\n[[centre]]\nname = "杭州"\nfeed = "http://127.0.0.1:8402"\n',
        "two centres are named 杭州",
        id="duplicate-names",
    ),
    pytest.param('province = "浙江"\n', "names no centre", id="no-centres"),
    pytest.param("", "names no centre", id="empty-file"),
    pytest.param('[[centre]]\nname = "杭州"\nfeed = "127.0.0.1:8401"\n', "is not a feed address like", id="no-scheme"),
    pytest.param(
        '[[centre]]\nname = "杭州"\nfeed = "http://127.0.0.1:99999"\n', "has a port outside 1 to 65535", id="bad-port"
    ),
    pytest.param(
        '[[centre]]\nname = "杭州"\nfeed = "http://user:secret@127.0.0.1:8401"\n', "holds a user name", id="password"
    ),
    pytest.param('[[centre]]\nname = "嘉兴"\nday = "nowhere.jsonl"\n', "centre 嘉兴: no such file", id="missing-day"),
    pytest.param(
        '[[centre]]\nname = "温州"\nqueue_log = "nowhere/queue_log"\n', "centre 温州: no such file", id="missing-log"
    ),
    pytest.param(
        f'[[centre]]\nname = "嘉兴"\nday = "{SMALL_DAY}"\ntoken_env = "T"\n',
        "token_env goes with feed, not with day",
        id="token-on-day",
    ),
    pytest.param(
        f'[[centre]]\nname = "杭州"\n{FEED}\nspeed = 60\n', "speed goes with day, not with feed", id="speed-on-feed"
    ),
    pytest.param(f'[[centre]]\nname = "杭州"\n{FEED}\nqueue = "q"\n', "queue goes with queue_log", id="queue-on-feed"),
    pytest.param(
        f'[[centre]]\nname = "嘉兴"\nday = "{SMALL_DAY}"\nstart = "25:00"\n',
        "is not a time of day like 09:30",
        id="bad-start",
    ),
    pytest.param(
        f'[[centre]]\nname = "嘉兴"\nday = "{SMALL_DAY}"\nspeed = 0\n',
        "speed: Input should be greater than or equal to 1",
        id="speed-0",
    ),
    pytest.param(f"[[centre]]\n{FEED}\n", "centre 1: name is missing", id="no-name"),
    pytest.param(
        f'[[centre]]\nname = ""\n{FEED}\n', "centre 1: name: String should have at least 1 character", id="empty-name"
    ),
    pytest.param('[[centre]\nname = "杭州"\n', "is not valid TOML", id="bad-toml"),
    # a name reaches the terminal: an escape sequence would wipe the screen, an override reverse the row
    pytest.param(
        f'[[centre]]\nname = "e\\u001b[2Jvil"\n{FEED}\n',
        "centre 1 (e\\x1b[2Jvil): name: holds a control character",
        id="escape",
    ),
    pytest.param(f'[[centre]]\nname = "a\\u202eb"\n{FEED}\n', "holds a control character", id="rtl-override"),
    pytest.param(
        f'province = "浙\\u001b]0;x\\u0007江"\n[[centre]]\nname = "a"\n{FEED}\n',
        "province: holds a control character",
        id="escape-province",
    ),
    pytest.param(
        f'[[centre]]\nname = "杭州"\n{FEED}\n[[centre]]\nname = "杭州 "\nfeed = "http://127.0.0.1:8402"\n',
        "two centres are named 杭州",
        id="duplicate-but-a-space",
    ),
    pytest.param(
        f'[[centre]]\nname = "hang"\n{FEED}\n[[centre]]\nname = "ｈａｎｇ"\nfeed = "http://127.0.0.1:8402"\n',
        "two centres are named hang",
        id="duplicate-full-width",
    ),
    pytest.param(f'[[centre]]\nname = "   "\n{FEED}\n', "at least 1 character", id="blank-name"),
    pytest.param('centre = "杭州"\n', "centre: Input should be a valid list", id="centre-not-tables"),
]


@pytest.mark.parametrize(("text", "sentence"), BAD)
def test_a_bad_file_is_one_sentence(tmp_path: Path, text: str, sentence: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CentresError) as refused:
        load_centres(path)
    message = str(refused.value)
    assert sentence in message and "\n" not in message and "\x1b" not in message and "\u202e" not in message


@pytest.mark.parametrize(("text", "sentence"), BAD[:3])
def test_the_command_says_it_and_exits_1(
    tmp_path: Path, text: str, sentence: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, text)
    code = run_command(build_parser().parse_args(["province", str(path)]))
    err = capsys.readouterr().err
    assert code == 1 and sentence in err and err.startswith("hotline: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_no_file_and_no_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(build_parser().parse_args(["province", str(tmp_path / "none.toml")])) == 1
    assert f"no centres file at {tmp_path / 'none.toml'}" in capsys.readouterr().err
    assert run_command(build_parser().parse_args(["province"])) == 1
    assert "province needs a centres file" in capsys.readouterr().err
    assert run_command(build_parser().parse_args(["province", "x.toml", "--demo"])) == 1
    assert "not both" in capsys.readouterr().err


def test_a_token_variable_that_is_unset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, f'[[centre]]\nname = "宁波"\n{FEED}\ntoken_env = "NINGBO_FEED_TOKEN"\n')
    monkeypatch.delenv("NINGBO_FEED_TOKEN", raising=False)
    assert run_command(build_parser().parse_args(["province", str(path)])) == 1
    assert "centre 宁波: token_env names NINGBO_FEED_TOKEN, which is not set or is empty" in capsys.readouterr().err
    monkeypatch.setenv("NINGBO_FEED_TOKEN", "bad token\twith spaces")
    assert run_command(build_parser().parse_args(["province", str(path)])) == 1
    err = capsys.readouterr().err
    assert err.startswith("hotline: centre 宁波: ") and "bad token" not in err  # never the token itself


def test_the_sample_file_is_the_demos() -> None:
    sample = FIXTURES / "zhejiang-centres.toml"
    assert sample.read_text(encoding="utf-8") == centres_toml()
    province = load_centres(sample)
    assert province.name == "浙江"
    assert [c.name for c in province.centres] == [
        "杭州",
        "宁波",
        "温州",
        "嘉兴",
        "湖州",
        "绍兴",
        "金华",
        "衢州",
        "舟山",
        "台州",
        "丽水",
    ]
    assert [c.choice.url for c in province.centres] == [f"http://127.0.0.1:{port}" for port in range(8401, 8412)]  # type: ignore[union-attr]
    assert [city.port for city in ZHEJIANG] == list(range(8401, 8412))


@pytest.mark.parametrize("kind", ["device", "fifo", "folder", "huge"])
def test_a_file_that_is_no_centres_file_is_refused_unread(tmp_path: Path, kind: str) -> None:
    import os

    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)  # reading it would wait for a writer for ever
    elif kind == "folder":
        path = tmp_path
    else:
        path = tmp_path / "huge.toml"
        path.write_text("# " + "x" * 1_000_000 + "\n")
    with pytest.raises(CentresError, match="not a regular file|larger than 1,000,000 bytes"):
        load_centres(path)
