"""The province view against 12 real feed servers on 127.0.0.1: the total is the sum of the centres'
counters; three servers stopped show DOWN while the other nine stay LIVE and current; restarted on the
same ports, they recover alone. And Enter / Escape between the table and a centre's dashboard."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from datetime import time
from pathlib import Path

import httpx
from helpers import SMALL_DAY, FakeClock, Heard

from console.core.formatting import format_rate
from console.eventfile import write_event_file
from console.feed_server.server import make_app, serve
from console.province.centres import load_centres, open_centres
from console.province_app import ProvinceApp, ProvinceShown
from console.screens.dashboard import DashboardScreen
from console.screens.province import ProvinceScreen
from console.settings import Settings
from console.simulator import SimulationConfig, simulate_day
from storage import EscalationLog

CITIES = ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "上海"]


class Server:
    """One in-process feed server of a day on a port of 127.0.0.1, stopped and started again on the same port."""

    def __init__(self, day: Path, settings: Settings, clock: FakeClock) -> None:
        self.day, self.settings, self.clock = day, settings, clock
        self.port = 0
        self.url = ""
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, start: time) -> None:
        app = make_app(self.day, self.settings, speed=60, token=None, clock=self.clock, start=start, poll_seconds=0.05)
        bound: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(serve(app, "127.0.0.1", self.port, ready=bound.set_result, stop=self._stop))
        async with asyncio.timeout(10):
            self.url = await asyncio.shield(bound)
        self.port = int(self.url.rsplit(":", 1)[1])

    async def stop(self) -> None:
        assert self._stop is not None and self._task is not None
        self._stop.set()
        await self._task


def days(folder: Path, count: int) -> list[Path]:
    """``count`` small simulated days, each of its own size and seed."""
    paths = []
    for n in range(count):
        path = folder / f"day-{n}.jsonl"
        write_event_file(path, simulate_day(SimulationConfig(seed=100 + n, calls=600 + 150 * n, agents=6 + n)))
        paths.append(path)
    return paths


def centres_file(folder: Path, urls: list[str]) -> Path:
    path = folder / "centres.toml"
    tables = [f'[[centre]]\nname = "{name}"\nfeed = "{url}"\n' for name, url in zip(CITIES, urls, strict=True)]
    path.write_text('province = "测试"\n\n' + "\n".join(tables), encoding="utf-8")
    return path


def expected_total(bodies: list[dict]) -> dict[str, str]:
    """The total line worked out from the servers' own snapshots, summed here by hand."""
    counters = [body["counters"] for body in bodies]

    def total(name: str) -> int:
        return sum(c[name] for c in counters)

    denominator = total("human_answered") + total("abandoned_queue") - total("short_abandoned")
    waiting = sum(len(body["queue"]["waiting"]) for body in bodies)
    available = sum(1 for body in bodies for agent in body["agents"] if agent["state"] == "available")
    return {
        "human": format_rate(total("human_answered") / denominator),
        "sl": format_rate(total("answered_within_T") / denominator),
        "abandoned": f"{total('abandoned_ivr') + total('abandoned_queue'):,}",
        "waiting": f"{waiting:,}",
        "available": f"{available:,}",
    }


def states(view) -> dict[str, str]:  # noqa: ANN001
    return {row.key: row.state for row in view.rows}


def clocks(view) -> dict[str, str]:  # noqa: ANN001
    return {row.key: row.clock for row in view.rows}


async def test_twelve_centres_three_go_down_and_come_back_alone(tmp_path: Path) -> None:
    settings = Settings(
        feed_interval_seconds=0.1, feed_stale_after_seconds=1.5, feed_down_after_seconds=2.0,
        feed_max_backoff_seconds=0.2, feed_poll_timeout_seconds=3.0,
    )  # fmt: skip
    clock = FakeClock()  # the servers' replays move only when the test says so
    servers = [Server(day, settings, clock) for day in days(tmp_path, 12)]
    for server in servers:
        await server.start(time(10, 0))
    province = load_centres(centres_file(tmp_path, [server.url for server in servers]))
    heard = Heard()
    try:
        with ExitStack() as closing, EscalationLog(tmp_path / "log.db") as log:
            sources = open_centres(province.centres, settings, closing)
            app = ProvinceApp(
                settings, sources, log, province=province.name, province_every=0.1, cases_every_seconds=3600
            )
            async with app.run_test(size=(160, 30), message_hook=heard):
                # every centre LIVE and caught up with its server, whose floor stands still meanwhile
                async with httpx.AsyncClient() as client:
                    bodies = [(await client.get(f"{server.url}/snapshot")).json() for server in servers]
                want = expected_total(bodies)
                first = await heard.next(
                    ProvinceShown,
                    lambda m: (
                        all(s == "LIVE" for s in states(m.view).values())
                        and m.view.total.human_answer_rate.text == want["human"]
                        and m.view.total.abandoned.text == want["abandoned"]
                    ),
                    seconds=60,
                )
                total = first.view.total
                assert len(first.view.rows) == 12 and total.state == "12 current"
                assert (total.service_level.text, total.waiting.text, total.available) == (
                    want["sl"], want["waiting"], want["available"],
                )  # fmt: skip
                assert first.view.title.startswith("测试 12 centres · 12 LIVE")

                # three servers stop; the floors of the nine others move on 10 minutes
                down = [CITIES[2], CITIES[5], CITIES[9]]
                before = clocks(first.view)
                for index in (2, 5, 9):
                    await servers[index].stop()
                clock.tick(10)
                shown = await heard.next(
                    ProvinceShown,
                    lambda m: (
                        all(states(m.view)[c].startswith("DOWN") for c in down)
                        and all(
                            states(m.view)[c] == "LIVE" and clocks(m.view)[c] > before[c]
                            for c in CITIES
                            if c not in down
                        )
                    ),
                    seconds=60,
                )
                rows = {row.key: row for row in shown.view.rows}
                assert [row.key for row in shown.view.rows[:3]] == sorted(
                    down, key=[r.key for r in shown.view.rows].index
                )
                assert {row.key for row in shown.view.rows[:3]} == set(down)  # DOWN first
                assert all(rows[c].last_known and "cannot connect" in rows[c].state for c in down)
                assert all(clocks(shown.view)[c] == before[c] for c in down)  # their last known floors
                assert shown.view.total.state == "9 current · 3 last known"

                # restarted on the same ports, a while later: the three recover by themselves
                for index in (2, 5, 9):
                    await servers[index].start(time(10, 30))
                back = None
                for _ in range(600):
                    clock.tick(1)
                    message = await heard.next(ProvinceShown, seconds=30)
                    if all(s == "LIVE" for s in states(message.view).values()) and all(
                        clocks(message.view)[c] >= "10:30:00" for c in down
                    ):
                        back = message
                        break
                assert back is not None, "the three centres did not come back"
                assert back.view.total.state == "12 current"
    finally:
        for server in servers:
            if server._task is not None and not server._task.done():
                await server.stop()


async def test_enter_opens_a_centres_dashboard_and_escape_comes_back(tmp_path: Path) -> None:
    path = tmp_path / "centres.toml"
    path.write_text(
        f'[[centre]]\nname = "湖州"\nday = "{SMALL_DAY}"\nstart = "09:20"\n\n'
        f'[[centre]]\nname = "舟山"\nday = "{SMALL_DAY}"\nstart = "09:10"\n',
        encoding="utf-8",
    )
    settings = Settings()
    heard = Heard()
    with ExitStack() as closing, EscalationLog(tmp_path / "log.db") as log:
        sources = open_centres(load_centres(path).centres, settings, closing)
        app = ProvinceApp(settings, sources, log, tick_seconds=3600, cases_every_seconds=3600)
        app.bell = lambda: None  # type: ignore[method-assign]
        async with app.run_test(size=(140, 40), message_hook=heard) as pilot:
            shown = await heard.next(ProvinceShown)
            assert {row.key for row in shown.view.rows} == {"湖州", "舟山"}
            # the total line first: it has no dashboard, Enter there says so and stays
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ProvinceScreen)
            # a replay key does nothing on the table
            await pilot.press("space")
            assert isinstance(app.screen, ProvinceScreen)
            chosen = shown.view.rows[0].key
            await pilot.press("down", "enter")
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)
            header = str(app.screen.query_one("FloorHeader").content)
            assert chosen in header and "REPLAY" in header
            # the dashboard's keys are the centre's: pause its replay
            await pilot.press("space")
            await pilot.pause()
            assert "PAUSED" in str(app.screen.query_one("FloorHeader").content)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ProvinceScreen)
            again = await heard.next(
                ProvinceShown, lambda m: any(row.state.startswith("PAUSED") for row in m.view.rows)
            )
            assert {row.key: row.state.split()[0] for row in again.view.rows}[chosen] == "PAUSED"
