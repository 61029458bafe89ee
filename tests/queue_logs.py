"""Hand-written Asterisk queue_logs the queue_log tests share (tests/queue_log, tests/fuzz): every verb in
one day, and a day of the faults real logs hold. The figures each gives are worked out in the tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(clock: str, day: str = "2026-11-27") -> int:
    """The epoch of a local time of the centre (what Asterisk writes first on each line)."""
    return int(datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI).timestamp())


def log(*lines: tuple[str, str]) -> str:
    """``(local time, the rest of the line)`` pairs, written as Asterisk writes them."""
    return "".join(f"{at(clock)}|{rest}\n" for clock, rest in lines)


# Every verb, one day. Agents: 1127 (Local/…, PJSIP/…, Agent/… forms), 1130, and the member "Zhang Wei" (1200).
EVERY_VERB = log(
    ("08:59:00", "NONE|NONE|NONE|QUEUESTART|"),
    ("09:00:00", "NONE|pension|Local/1127@from-queue/n|ADDMEMBER|"),
    ("09:00:00", "NONE|medical|Agent/1130|AGENTLOGIN|Agent/1130"),
    ("09:00:00", "NONE|pension|Zhang Wei|ADDMEMBER|1|training"),  # added paused: 培训 from the start
    ("09:01:00", "c1|pension|NONE|ENTERQUEUE||13812345678|1"),
    ("09:01:04", "c1|pension|PJSIP/1127|RINGNOANSWER|4000"),  # a missed ring for 1127
    ("09:01:12", "c1|pension|Agent/1127|CONNECT|12|c1.1|8"),  # waited 12 s: within 30
    ("09:04:12", "c1|pension|Agent/1127|COMPLETECALLER|12|180|1"),  # talk 180
    ("09:05:00", "c2|medical|NONE|ENTERQUEUE||13900001111|1"),
    ("09:05:40", "c2|medical|Agent/1130|CONNECT|40|c2.1|2"),  # 40 s: not within 30
    ("09:07:40", "c2|medical|Agent/1130|COMPLETEAGENT|40|120|1"),  # talk 120
    ("09:10:00", "c3|NONE|NONE|DID|12333-1"),  # the DID: topic 社保卡, over the queue's
    ("09:10:00", "c3|pension|NONE|ENTERQUEUE||13700002222|1"),
    ("09:10:03", "c3|pension|NONE|ABANDON|1|1|3"),  # abandoned after 3 s: short
    ("09:11:00", "c4|pension|NONE|ENTERQUEUE||13700003333|1"),
    ("09:11:50", "c4|pension|NONE|EXITWITHTIMEOUT|1|1|50"),  # timed out after 50 s
    ("09:12:00", "c5|medical|NONE|ENTERQUEUE||13700004444|1"),
    ("09:12:20", "c5|medical|NONE|EXITWITHKEY|5|1|1|20"),  # left with a key after 20 s
    ("09:13:00", "c6|medical|NONE|ENTERQUEUE||13700005555|1"),
    ("09:13:02", "c6|medical|NONE|EXITEMPTY|1|1|2"),  # no agents, after 2 s: short
    ("09:14:00", "c7|pension|NONE|ENTERQUEUE||13700006666|1"),
    ("09:14:10", "c7|pension|Agent/1127|CONNECT|10|c7.1|2"),  # 10 s: within
    ("09:16:10", "c7|pension|Agent/1127|TRANSFER|8001|from-internal|10|120|1"),  # talk 120
    ("09:20:00", "c8|pension|NONE|ENTERQUEUE||13700007777|1"),
    ("09:20:25", "c8|pension|Agent/1130|CONNECT|25|c8.1|1"),  # 25 s: within
    ("09:21:25", "c8|pension|Agent/1130|BLINDTRANSFER|8002|from-internal|25|60|1"),  # talk 60
    ("09:22:00", "c9|medical|NONE|ENTERQUEUE||13700008888|1"),
    ("09:22:30", "c9|medical|Agent/1127|CONNECT|30|c9.1|1"),  # 30 s: within (at most T)
    ("09:24:00", "c9|medical|Agent/1127|ATTENDEDTRANSFER|BRIDGE|SIP/8003-00000001|30|90|1"),  # talk 90
    ("09:25:00", "NONE|pension|PJSIP/1127|PAUSE|lunch"),  # the centre's code for 用餐
    ("09:30:00", "c10|pension|NONE|ENTERQUEUE||13700009999|1"),
    ("09:30:05", "c10|pension|PJSIP/1130|RINGCANCELED|5000"),  # a canceled ring for 1130
    ("09:30:05", "c10|pension|NONE|ABANDON|1|1|5"),  # 5 s: short (at most S)
    ("09:35:00", "NONE|pension|PJSIP/1127|UNPAUSE|"),  # 用餐 09:25-09:35, 10 min
    ("09:40:00", "NONE|NONE|Agent/1130|PAUSEALL|"),  # no reason: 小休
    ("09:52:00", "NONE|NONE|Agent/1130|UNPAUSEALL|"),  # 小休 12 min: 2 min over the 10-minute limit
    ("10:00:00", "NONE|pension|Zhang Wei|UNPAUSE|"),  # 培训 09:00-10:00, 60 min, exempt
    ("10:05:00", "NONE|pension|Local/1127@from-queue/n|REMOVEMEMBER|"),
    ("10:06:00", "NONE|medical|Agent/1130|AGENTLOGOFF|Agent/1130|3960"),
)

CENTRE = {
    "queue_log_topics": {"pension": "养老保险", "12333-1": "社保卡"},
    "queue_log_pause_reasons": {"lunch": "用餐", "training": "培训"},
    "queue_log_agents": {"Zhang Wei": "1200"},
}


FAULTY = log(
    ("09:00:00", "NONE|q|PJSIP/7|ADDMEMBER|"),
    ("09:00:10", "c1|q|NONE|ENTERQUEUE||13812345678|1"),
    ("09:00:11", "c1|q|NONE|ENTERQUEUE||13812345678|1"),  # a duplicate: skipped, reported
    ("09:00:30", "c1|q|PJSIP/7|CONNECT|20|c1.1|1"),
    ("09:00:29", "c2|q|NONE|ENTERQUEUE||13900001111|1"),  # a second out of order: put back in order
    ("09:00:40", "c2|q|NONE|ABANDON|1|1|11"),
    ("09:01:00", "o1|q|NONE|OUTDIAL|8001"),  # outbound add-on verb: counted, unknown
    ("09:01:00", "NONE|q|PJSIP/7|AGENTCALLBACKLOGIN|"),  # known
    ("09:02:00", "c3|q|NONE|ENTERQUEUE||13700002222|1"),  # never exits: closed after the time-out
    ("09:03:00", "c1|q|PJSIP/7|COMPLETEAGENT|20|150|1"),
    ("09:03:00", "c9|q|PJSIP/7|COMPLETEAGENT|20|150|1"),  # a call never seen: reported
    ("13:30:00", "c4|q|NONE|ENTERQUEUE||13700003333|1"),
) + "\n   \n" + f"{at('13:30:05')}|c4|q|NONE|ABAN"  # blank lines, then a last line cut short
