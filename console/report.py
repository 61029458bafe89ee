"""The day report: a file replayed headless at full speed, printed in the layout of the 12333 returns.

``build_report`` replays and returns one JSON-ready dict (``hotline report --json`` prints it as is);
``render_report`` prints the same dict for people with Rich tables, double-width characters aligned.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from console.core.events import CATEGORY_LABELS  # re-exported: its home is next to UrgentCategory
from console.core.formatting import (
    MISSING,
    format_duration,
    format_rate,
    format_seconds,
    mask_number,
    mask_numbers_in,
    plural,
)
from console.core.problems import ProblemLog
from console.feeds.replay import ReplaySource
from console.floor.counters import ratio
from console.floor.engine import FloorEngine
from console.progress import stderr_progress
from console.settings import Settings
from console.staffing.advisor import callers_patience, workable_target
from console.staffing.erlang import agents_needed_a

__all__ = ["CATEGORY_LABELS", "ReportDayError", "build_report", "other_days_note", "render_report"]


class ReportDayError(ValueError):
    """The day asked for (``--date``) is not in the file."""


def build_report(
    path: Path,
    settings: Settings,
    *,
    strict: bool = False,
    progress: bool = False,
    day: date | None = None,
    queue_log: bool = False,
    queue: str | None = None,
) -> dict[str, Any]:
    """Replay ``path`` at full speed and return one day's figures as one JSON-ready dict: ``day``, or by
    default the day with the most calls offered; ``other_days`` gives the calls offered on the file's
    other days. ``progress`` shows how far the reading has got on stderr, when stderr is a terminal.

    ``queue_log``: the file is an Asterisk queue_log (console/queue_log.py), of ``queue`` alone when it is
    given; by default its last day is reported, the figures it cannot see are ``None`` (listed in
    ``unknown`` with why), and ``source`` says what the log held."""
    engine = FloorEngine(settings, ProblemLog(strict=strict), windows=False)  # the day's figures only
    lines = None
    if queue_log:
        from console.queue_log import UNSEEN, QueueLogLines

        lines = QueueLogLines(settings, queue=queue)
        engine.unseen = UNSEEN
    with ReplaySource(path, engine, speed=None, lines=lines) as replay:
        first = replay.next_event_time
        size = path.stat().st_size if progress else 0
        with stderr_progress(f"reading {path.name}", size, lambda: replay.bytes_read):
            replay.play_to_end()
    # The day's figures by interval reporting: each call in the day and hour it was offered in.
    offered = engine.days_offered()
    if day is None and lines is not None and offered:
        day = max(offered)  # a queue_log grows day after day: its last day, unless told
    try:
        figures = engine.report_day(day)
    except KeyError:
        seen = ", ".join(d.isoformat() for d in offered) or "none"
        raise ReportDayError(f"{path} holds no events on {day}; days with calls: {seen}") from None
    other_days = {d.isoformat(): calls for d, calls in offered.items() if d != figures.day}
    today = figures.totals
    finished = today.ivr_served + today.human_answered + today.abandoned
    topics_total = sum(figures.topics.values())
    totals = today.as_dict() | dict.fromkeys(engine.unseen)  # what the source cannot see: unknown, not 0
    report = {
        "centre": settings.centre_name,
        "file": str(path),
        "day": figures.day.isoformat() if figures.day else None,
        "other_days": other_days,
        "first_event": first.isoformat() if first else None,
        "last_event": engine.now.isoformat() if engine.now else None,
        "events": engine.events_applied,
        "settings": {
            "sl_seconds": settings.sl_seconds,
            "short_abandon_seconds": settings.short_abandon_seconds,
            "break_single_limit_minutes": settings.break_single_limit_minutes,
            "break_daily_limit_minutes": settings.break_daily_limit_minutes,
            "break_exempt_reasons": settings.break_exempt_reasons,
            "meal_limit_minutes": settings.meal_limit_minutes,
        },
        "source": {"format": "hotline events (JSON Lines)"} if lines is None else lines.summary.as_dict(figures.day),
        "unknown": dict(engine.unseen),
        "totals": totals,
        "in_progress_at_end": {"in_ivr": figures.in_ivr, "waiting": figures.waiting, "talking": figures.talking},
        "identity": None
        if engine.unseen
        else {
            "offered": today.offered,
            "finished": finished,
            "still_in_ivr_or_queue": figures.in_ivr + figures.waiting,
            "holds": today.offered == finished + figures.in_ivr + figures.waiting,
        },
        "hours": [{"hour": row.hour} | row.counters.as_dict() for row in figures.hours],
        "topics": [
            {"topic": topic, "calls": calls, "share": ratio(calls, topics_total)}
            for topic, calls in figures.topics.items()
            if calls
        ],
        "breaks": {
            "by_reason_minutes": {
                reason: round(seconds / 60, 1) for reason, seconds in sorted(figures.breaks.by_reason.items())
            },
            "counted": {"breaks": figures.breaks.counted, "minutes": round(figures.breaks.counted_seconds / 60, 1)},
            "exempt": {
                "breaks": figures.breaks.exempt,
                "minutes": round(figures.breaks.exempt_seconds / 60, 1),
                "reasons": settings.break_exempt_reasons,
            },
            "meals": {"meals": figures.breaks.meals, "minutes": round(figures.breaks.meal_seconds / 60, 1)},
            "single_overruns": [_jsonable(asdict(record)) for record in figures.single_overruns],
            "daily_overruns": [_jsonable(asdict(record)) for record in figures.daily_overruns],
            "meal_overruns": [_jsonable(asdict(record)) for record in figures.meal_overruns],
        },
        "urgent_flags": [
            flag.model_dump(mode="json", exclude_none=True)
            | {"note": mask_numbers_in(flag.note)}
            | ({"caller": mask_number(flag.caller)} if flag.caller else {})
            for flag in figures.flags
        ],
        "problems": {"count": engine.problems.count, "first": [str(p) for p in engine.problems.kept]},
    }
    report["staffing"] = _staffing(figures, settings)
    if engine.unseen:  # hours: the same figures unknown in every hour
        report["hours"] = [row | dict.fromkeys(engine.unseen) for row in report["hours"]]
    return report


_SHORT_AGENT_HOURS = 0.5  # an hour this many agent-hours short (two agents for a quarter) is a short hour
_OVER_AGENT_HOURS = 2.0  # an hour with this many agent-hours beyond the need (two agents idle) is overstaffed


def _staffing(figures: Any, settings: Settings) -> dict[str, Any]:
    """Per quarter hour, the agents the SL target needed (Erlang A on the quarter's calls that asked for
    a person, its AHT and the day's patience) against the agents signed in, working and on the phone;
    per hour the agent-hours short and over, and the hours that were short or overstaffed."""
    day = figures.totals
    day_aht = day.aht_seconds or settings.staffing_aht_seconds
    patience = callers_patience(
        day.patience_seconds, day.abandoned_queue - day.short_abandoned, settings.staffing_patience_seconds
    )
    target = workable_target(settings.target_service_level)
    quarters, hours = [], {}
    for index, (counters, (signed_in, working, on_phone)) in enumerate(
        zip(figures.quarters, figures.staff, strict=False)
    ):
        if not counters.human_requested and signed_in <= 0:
            continue
        aht = counters.aht_seconds if counters.handled >= 5 else day_aht
        needed = agents_needed_a(counters.human_requested / 900, aht, patience, target, settings.sl_seconds)  # type: ignore[arg-type]
        start = f"{index // 4:02d}:{index % 4 * 15:02d}"
        quarters.append(
            {
                "start": start,
                "calls": counters.human_requested,
                "aht_seconds": round(aht, 1),  # type: ignore[arg-type]
                "needed": needed,
                "signed_in": round(signed_in, 2),
                "working": round(working, 2),
                "on_phone": round(on_phone, 2),
                "gap": round(working - needed, 2),
            }
        )
        hour = hours.setdefault(index // 4, {"hour": index // 4, "short_agent_hours": 0.0, "over_agent_hours": 0.0})
        hour["short_agent_hours"] += max(0.0, needed - working) / 4
        hour["over_agent_hours"] += max(0.0, working - needed) / 4
    rows = []
    for hour in hours.values():
        short, over = round(hour["short_agent_hours"], 2), round(hour["over_agent_hours"], 2)
        verdict = "short" if short >= _SHORT_AGENT_HOURS else "overstaffed" if over >= _OVER_AGENT_HOURS else "fit"
        rows.append(hour | {"short_agent_hours": short, "over_agent_hours": over, "verdict": verdict})
    return {
        "target": settings.target_service_level,
        "sl_seconds": settings.sl_seconds,
        "patience_seconds": round(patience, 1),
        "quarters": quarters,
        "hours": rows,
        "short_hours": [row["hour"] for row in rows if row["verdict"] == "short"],
        "overstaffed_hours": [row["hour"] for row in rows if row["verdict"] == "overstaffed"],
        "short_agent_hours": round(sum(row["short_agent_hours"] for row in rows), 2),
        "over_agent_hours": round(sum(row["over_agent_hours"] for row in rows), 2),
    }


def other_days_note(report: dict[str, Any]) -> str | None:
    """One line saying which other days the file holds calls on, or None when it holds only one."""
    others = report["other_days"]
    if not others:
        return None
    days = ", ".join(f"{day} ({plural(calls, 'call')})" for day, calls in others.items())
    return f"{report['file']} also holds calls offered on {days}; this report is {report['day']}; use --date to choose"


def _source_line(report: dict[str, Any]) -> Text:
    """What was read: the format, and for a queue_log its lines, its days, and the verbs it did not know."""
    source = report["source"]
    if "days" not in source:
        return Text(f"source: {source['format']}", style="dim")
    days = ", ".join(f"{d} ({plural(calls, 'call')})" for d, calls in source["days"].items()) or MISSING
    words = [f"source: {source['format']}, {plural(source['lines'], 'line')}", f"days: {days}"]
    if source["unknown_verbs"]:
        words.append("verbs not known (counted, not used): " + ", ".join(f"{v} {n:,}" for v, n in source["unknown_verbs"].items()))
    if source["restarts"]:
        words.append(f"Asterisk restarts (QUEUESTART): {source['restarts']:,}")
    return Text(" · ".join(words), style="dim")


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else round(value, 1) if isinstance(value, float) else value
        for key, value in record.items()
    }


def _count(value: int | None) -> str:
    return MISSING if value is None else f"{value:,}"


def _staffing_table(staffing: dict[str, Any]) -> Table:
    """Per hour: the mean of its quarters' agents needed, signed in, working and on the phone, and the
    agent-hours short and over (docs/staffing.md)."""
    by_hour: dict[int, list[dict[str, Any]]] = {}
    for quarter in staffing["quarters"]:
        by_hour.setdefault(int(quarter["start"][:2]), []).append(quarter)
    short, over = staffing["short_hours"], staffing["overstaffed_hours"]
    table = Table(
        title="排班 Staffing: agents needed for the SL target against agents on the floor (mean of the quarter hours)",
        caption=(
            f"SL({staffing['sl_seconds']}) ≥ {format_rate(staffing['target'], 0)} by Erlang A, callers' patience "
            f"{format_duration(staffing['patience_seconds'])}; short {staffing['short_agent_hours']:,} agent-hours "
            f"({', '.join(f'{h:02d}:00' for h in short) or 'no hour'}), over {staffing['over_agent_hours']:,} "
            f"({', '.join(f'{h:02d}:00' for h in over) or 'no hour'})"
        ),
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        caption_justify="left",
    )
    for header in ("时段", "needed", "signed in", "working", "on phone", "short", "over", ""):
        table.add_column(header, justify="left" if header in ("时段", "") else "right")
    for row in staffing["hours"]:
        quarters = by_hour.get(row["hour"], [])
        n = max(1, len(quarters))
        verdict = row["verdict"]
        table.add_row(
            f"{row['hour']:02d}:00",
            f"{sum(q['needed'] for q in quarters) / n:.1f}",
            f"{sum(q['signed_in'] for q in quarters) / n:.1f}",
            f"{sum(q['working'] for q in quarters) / n:.1f}",
            f"{sum(q['on_phone'] for q in quarters) / n:.1f}",
            f"{row['short_agent_hours']:.2f}",
            f"{row['over_agent_hours']:.2f}",
            Text(
                verdict, style="bold red" if verdict == "short" else "yellow" if verdict == "overstaffed" else "green"
            ),
        )
    return table


def render_report(report: dict[str, Any], console: Console, settings: Settings) -> None:
    """Print ``report`` (from :func:`build_report`) in the layout of the 12333 returns."""
    t = report["totals"]
    sl = settings.sl_seconds
    title = Text.assemble(
        (f"{report['centre']} 日报", "bold"), f"  {report['day'] or MISSING}  ", (report["file"], "dim")
    )

    totals = Table(title="汇总 Totals", box=box.SIMPLE_HEAVY, show_header=False, title_justify="left")
    totals.add_column("figure")
    totals.add_column("value", justify="right")
    totals.add_column("note", style="dim")
    rows = [
        ("来电总量 offered", _count(t["offered"]), ""),
        ("接听总量 total answered", _count(t["total_answered"]), "人工 + 自动语音"),
        ("人工接听量 human answered", _count(t["human_answered"]), f"比重 {format_rate(t['human_share'])}"),
        ("自动语音量 IVR served", _count(t["ivr_served"]), f"比重 {format_rate(t['ivr_share'])}"),
        ("转人工 human requested", _count(t["human_requested"]), ""),
        (
            "放弃量 abandoned",
            _count(t["abandoned"]),
            f"菜单 {_count(t['abandoned_ivr'])} · 排队 {t['abandoned_queue']:,} · "
            f"短时(≤{settings.short_abandon_seconds} s) {t['short_abandoned']:,}",
        ),
        (
            "综合接通率 overall answer rate",
            format_rate(t["overall_answer_rate"]),
            f"target {format_rate(settings.target_overall_answer_rate, 0)}",
        ),
        (
            "人工接通率 human answer rate",
            format_rate(t["human_answer_rate"]),
            f"target {format_rate(settings.target_human_answer_rate, 0)}",
        ),
        (
            f"人工{sl}秒接通率 SL({sl})",
            format_rate(t["service_level"]),
            f"{t['answered_within_T']:,} within {sl} s · target {format_rate(settings.target_service_level, 0)}",
        ),
        ("平均等待 ASA", format_seconds(t["asa_seconds"]), "mean queue wait of answered calls"),
        ("平均处理 AHT", format_seconds(t["aht_seconds"]), "talk + after-call work"),
    ]
    progress = report["in_progress_at_end"]
    if any(progress.values()):
        rows.append(
            (
                "未结束 still open at end",
                _count(sum(progress.values())),
                f"菜单 {progress['in_ivr']} · 排队 {progress['waiting']} · 通话 {progress['talking']}",
            )
        )
    unknown = report["unknown"]
    keys = ("offered", "total_answered", "human_answered", "ivr_served", "human_requested", "abandoned", "overall_answer_rate")
    for key, row in zip(keys, rows, strict=False):  # an unknown figure: its dash, and why
        if key in unknown:
            row = (row[0], MISSING, unknown[key] if key != "abandoned" else f"排队 {t['abandoned_queue']:,} · {unknown[key]}")
        totals.add_row(*row)
    for row in rows[len(keys) :]:
        totals.add_row(*row)

    hours = Table(title="分时段 Hour by hour", box=box.SIMPLE_HEAVY, title_justify="left")
    for header in ("时段", "来电", "自动语音", "转人工", "人工接听", "放弃", "人工接通率", f"SL({sl})", "ASA", "AHT"):
        hours.add_column(header, justify="left" if header == "时段" else "right")
    for row in report["hours"]:
        hours.add_row(
            f"{row['hour']:02d}:00",
            _count(row["offered"]),
            _count(row["ivr_served"]),
            _count(row["human_requested"]),
            _count(row["human_answered"]),
            _count(row["abandoned"]),
            format_rate(row["human_answer_rate"]),
            format_rate(row["service_level"]),
            format_seconds(row["asa_seconds"]),
            format_seconds(row["aht_seconds"]),
        )

    topics = Table(title="热点业务 Top topics", box=box.SIMPLE_HEAVY, title_justify="left")
    topics.add_column("#", justify="right")
    topics.add_column("业务类别 topic")
    topics.add_column("calls", justify="right")
    topics.add_column("share", justify="right")
    for rank, row in enumerate(report["topics"][:10], 1):
        topics.add_row(str(rank), row["topic"], _count(row["calls"]), format_rate(row["share"]))

    breaks = report["breaks"]
    overruns = Table(
        title="小休超时 Break overruns",
        caption=(
            f"{plural(breaks['counted']['breaks'], 'break')} counted, {breaks['counted']['minutes']:,} min\n"
            f"{breaks['exempt']['breaks']:,} exempt ({'、'.join(breaks['exempt']['reasons']) or MISSING}), "
            f"{breaks['exempt']['minutes']:,} min, outside the limits\n"
            f"limits {settings.break_single_limit_minutes:g} min a break, {settings.break_daily_limit_minutes:g} min a day"
        ),
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        caption_justify="left",
    )
    for header in ("rule", "agent", "name", "reason", "start", "length", "over"):
        overruns.add_column(header, justify="right" if header in ("length", "over") else "left")
    for record in breaks["single_overruns"]:
        overruns.add_row(
            "single" + (" (ongoing)" if record["ongoing"] else ""),
            record["agent_id"],
            record["name"],
            record["reason"],
            record["start"][11:19],
            format_duration(record["seconds"]),
            Text("+" + format_duration(record["over_seconds"]), style="red"),
        )
    for record in breaks["daily_overruns"]:
        overruns.add_row(
            "daily",
            record["agent_id"],
            record["name"],
            "",
            "",
            format_duration(record["used_seconds"]),
            Text("+" + format_duration(record["over_seconds"]), style="red"),
        )

    meals = Table(
        title="用餐超时 Meal overruns",
        caption=(
            f"{plural(breaks['meals']['meals'], 'meal')}, {breaks['meals']['minutes']:,} min, outside the break limits\n"
            f"limit {settings.meal_limit_minutes:g} min a meal"
        ),
        box=box.SIMPLE_HEAVY,
        title_justify="left",
        caption_justify="left",
    )
    for header in ("agent", "name", "reason", "start", "meal", "over"):
        meals.add_column(header, justify="right" if header in ("meal", "over") else "left")
    for record in breaks["meal_overruns"]:
        meals.add_row(
            record["agent_id"] + (" (ongoing)" if record["ongoing"] else ""),
            record["name"],
            record["reason"],
            record["start"][11:19],
            format_duration(record["seconds"]),
            Text("+" + format_duration(record["over_seconds"]), style="magenta"),
        )

    parts: list[Any] = [
        title,
        _source_line(report),
        totals,
        hours,
        _staffing_table(report["staffing"]),
        topics,
        overruns,
        meals,
    ]
    by_reason = breaks["by_reason_minutes"]
    if by_reason:
        parts.append(Text("小休时长 breaks by reason: " + " · ".join(f"{r or MISSING} {m:,} min" for r, m in by_reason.items())))
    source = report["source"]
    rings = source.get("missed_rings", {})
    if rings or source.get("canceled_rings"):
        table = Table(title="未接振铃 Rings not answered, per agent", box=box.SIMPLE_HEAVY, title_justify="left")
        for header in ("agent", "RINGNOANSWER", "RINGCANCELED"):
            table.add_column(header, justify="left" if header == "agent" else "right")
        canceled = source.get("canceled_rings", {})
        for agent in sorted(set(rings) | set(canceled), key=lambda a: (-rings.get(a, 0), a)):
            table.add_row(agent, _count(rings.get(agent, 0)), _count(canceled.get(agent, 0)))
        parts.append(table)
    closed = source.get("calls_closed")
    if closed and closed["count"]:
        first = closed["first"][0]
        parts.append(
            Text(
                f"{plural(closed['count'], 'call')} never left the log and were closed by the reader; the first: "
                f"{first['call_id']} ({first['queue']}, line {first['line']}), {first['stage']}, {first['why']}",
                style="yellow",
            )
        )
    if report["urgent_flags"]:
        flags = Table(title="急件 Urgent flags", box=box.SIMPLE_HEAVY, title_justify="left")
        for header in ("time", "category", "sev", "agent", "call", "caller", "note"):
            flags.add_column(header)
        for flag in report["urgent_flags"]:
            flags.add_row(
                flag["ts"][11:19],
                CATEGORY_LABELS.get(flag["category"], flag["category"]),
                str(flag["severity"]),
                flag["agent_id"],
                flag["call_id"],
                flag.get("caller", MISSING),  # masked already
                flag.get("note", ""),  # masked already
            )
        parts.append(flags)
    problems = report["problems"]
    if problems["count"]:
        parts.append(Text(f"{plural(problems['count'], 'input problem')}; the first: {problems['first'][0]}", style="yellow"))
    console.print(Group(*parts))

