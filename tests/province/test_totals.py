"""The province's rows and total line: counters summed and rates computed from the sums (never an
average of rates), the instantaneous figures summed, the longest wait the longest, the worst centre first."""

from __future__ import annotations

from dataclasses import replace

from helpers import at, ev

from console.core.events import AgentState
from console.floor.counters import Counters
from console.floor.snapshot import FloorSnapshot
from console.settings import Settings
from console.viewmodel.province import CentreFloor, build_province, province_snapshot


def floor(
    today: Counters,
    *,
    clock: str = "10:00:00",
    waiting: int = 0,
    longest: float | None = None,
    agents: dict[AgentState, int] | None = None,
    flags: list | None = None,
) -> FloorSnapshot:
    now = at(clock)
    return FloorSnapshot(
        now=now, day=now.date(), today=today, recent=Counters(), last_hour=Counters(), in_ivr=0, waiting=waiting,
        talking=0, longest_wait_seconds=longest, agents_by_state=agents or {}, breaks=[], topics=[], topics_today={},
        flags=flags or [], breaks_taken_today=None, break_seconds_today=None, sl_seconds=30,
    )  # fmt: skip


# A big centre doing well, a small one doing badly: the average of their rates is not the province's rate.
BIG = Counters(
    offered=1000, ivr_served=400, human_requested=560, human_answered=500, abandoned_ivr=40, abandoned_queue=60,
    short_abandoned=10, answered_within_T=450, wait_answered_seconds=5000.0, handled=490, handle_seconds=98000.0,
)  # fmt: skip
SMALL = Counters(
    offered=100, ivr_served=40, human_requested=56, human_answered=30, abandoned_ivr=4, abandoned_queue=26,
    short_abandoned=6, answered_within_T=15, wait_answered_seconds=900.0, handled=30, handle_seconds=6000.0,
)  # fmt: skip
MIDDLE = Counters(
    offered=300, ivr_served=120, human_requested=168, human_answered=150, abandoned_ivr=12, abandoned_queue=18,
    short_abandoned=3, answered_within_T=120, wait_answered_seconds=1800.0, handled=150, handle_seconds=30000.0,
)  # fmt: skip


def test_counters_add_up_field_by_field() -> None:
    total = Counters.total([BIG, SMALL, MIDDLE])
    assert total.offered == 1400 and total.human_answered == 680 and total.abandoned_queue == 104
    assert total.short_abandoned == 19 and total.answered_within_T == 585 and total.handle_seconds == 134000.0
    assert Counters.total([]) == Counters()


def test_the_total_line_is_computed_from_the_summed_counters() -> None:
    settings = Settings()
    centres = [
        CentreFloor("杭州", "LIVE", floor(BIG, waiting=4, longest=42.0, agents={AgentState.AVAILABLE: 5, AgentState.ON_CALL: 30})),
        CentreFloor("舟山", "LIVE", floor(SMALL, waiting=7, longest=95.0, agents={AgentState.BREAK: 2, AgentState.RINGING: 1})),
        CentreFloor("湖州", "STALE 12 s", floor(MIDDLE, clock="09:59:48", waiting=1, longest=None,
                                               agents={AgentState.WRAP_UP: 3, AgentState.AVAILABLE: 1})),
    ]  # fmt: skip
    view = build_province(centres, settings, province="浙江")
    total = view.total
    # human answer rate by hand: (500 + 30 + 150) / ((500 + 60 - 10) + (30 + 26 - 6) + (150 + 18 - 3)) = 680 / 765
    assert total.human_answer_rate.text == "88.9%" and total.human_answer_rate.status == "good"
    average_of_rates = (500 / 550 + 30 / 50 + 150 / 165) / 3  # 80.6 %: what the province must never show
    assert f"{average_of_rates:.1%}" != total.human_answer_rate.text
    # SL(30) by hand: (450 + 15 + 120) / 765 = 76.5 %, more than 5 points under the 85 % target: red
    assert total.service_level.text == "76.5%" and total.service_level.status == "bad"
    # calls waiting summed, the longest wait the longest anywhere, agents summed by state
    assert total.waiting.text == "12" and total.longest_wait.text == "1:35"
    assert (total.available, total.on_phone, total.on_break) == ("6", "34", "2")
    # abandons: 1,400 offered, (40 + 4 + 12) + (60 + 26 + 18) = 160 abandoned
    assert total.abandoned.text == "160"
    # the stale centre's last known figures are in the total, and the line and the note say so
    assert total.state == "2 current · 1 last known"
    assert "1 centre not live counted with last known figures" in view.note
    assert view.title == "浙江 3 centres · 1 STALE · 2 LIVE" and view.sl_label == "SL(30)"


def test_the_province_floor_of_no_figures_yet() -> None:
    nothing = FloorSnapshot(
        now=None, day=None, today=Counters(), recent=Counters(), last_hour=Counters(), in_ivr=0, waiting=0, talking=0,
        longest_wait_seconds=None, agents_by_state={}, breaks=[], topics=[], topics_today={}, flags=[],
        breaks_taken_today=None, break_seconds_today=None,
    )  # fmt: skip
    # a centre never heard from adds nothing; its line shows — rather than 0
    total = province_snapshot([nothing, floor(SMALL, waiting=3, longest=12.0)])
    assert total.today == SMALL and total.waiting == 3 and total.longest_wait_seconds == 12.0
    view = build_province([CentreFloor("衢州", "CONNECTING", nothing)], Settings())
    (row,) = view.rows
    assert row.human_answer_rate.text == "—" and row.waiting.text == "—" and row.clock == "--:--:--"


def test_centres_never_heard_from_are_not_called_current() -> None:
    """Two centres DOWN before their first answer and one LIVE: the total is the live one's alone, and
    says so; it never reads "3 current"."""
    nothing = FloorSnapshot(
        now=None, day=None, today=Counters(), recent=Counters(), last_hour=Counters(), in_ivr=0, waiting=0, talking=0,
        longest_wait_seconds=None, agents_by_state={}, breaks=[], topics=[], topics_today={}, flags=[],
        breaks_taken_today=None, break_seconds_today=None,
    )  # fmt: skip
    view = build_province(
        [
            CentreFloor("杭州", "LIVE", floor(SMALL)),
            CentreFloor("宁波", "DOWN · cannot connect", nothing),
            CentreFloor("温州", "DOWN · cannot connect", nothing),
        ],
        Settings(),
    )
    assert view.total.state == "1 current · 2 without figures"
    assert "2 centres with no figures yet NOT in the total" in view.note


def test_the_worst_centre_comes_first() -> None:
    settings = Settings()  # SL target 85 %
    centres = [
        CentreFloor("杭州", "LIVE", floor(BIG)),  # SL 450 / 550 = 81.8 %
        CentreFloor("舟山", "LIVE", floor(SMALL)),  # SL 15 / 50 = 30 %: the furthest below
        CentreFloor("湖州", "LIVE", floor(MIDDLE)),  # SL 120 / 165 = 72.7 %
        CentreFloor("丽水", "LIVE", floor(Counters())),  # no SL yet: after those with one
        CentreFloor("衢州", "STALE 8 s", floor(BIG)),
        CentreFloor("温州", "DOWN · cannot connect (refused, or the host is down)", floor(BIG)),
        CentreFloor("台州", "CONNECTING", floor(Counters())),
    ]
    order = [row.key for row in build_province(centres, settings).rows]
    assert order == ["温州", "衢州", "台州", "舟山", "湖州", "杭州", "丽水"]
    rows = {row.key: row for row in build_province(centres, settings).rows}
    assert rows["温州"].last_known and rows["衢州"].last_known and not rows["杭州"].last_known


def test_open_urgent_flags_are_those_not_logged() -> None:
    flags = [
        ev("urgent_flag", "09:10:00", flag_id=f"F{n}", call_id=f"C{n}", agent_id="A1", category="crisis")
        for n in (1, 2)
    ]
    centres = [CentreFloor("杭州", "LIVE", floor(BIG, flags=flags))]
    assert build_province(centres, Settings()).rows[0].urgent.text == "2"
    view = build_province(centres, Settings(), logged_flags={"F1"})
    assert view.rows[0].urgent.text == "1" and view.total.urgent.text == "1" and view.total.urgent.status == "bad"


def test_centres_counting_at_different_t_give_no_province_sl() -> None:
    other_t = replace(floor(SMALL), sl_seconds=20)
    view = build_province([CentreFloor("杭州", "LIVE", floor(BIG)), CentreFloor("舟山", "LIVE", other_t)], Settings())
    assert view.total.service_level.text == "— mixed T"
