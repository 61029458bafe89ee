"""The fast decoder of event lines: msgspec's JSON parser plus the checks of the pydantic models, for the hot path.

Pydantic stays the schema of record (``console/core/events.py``): this decoder is derived from its
models when it is imported (each field's kind, bounds and default are read from ``model_fields``) and
refuses to import if a model grows a field or a rule it does not mirror. It only ever *accepts*: a line
it takes yields the very event ``EVENT_ADAPTER`` would make (same values, same types, the same
``model_fields_set``); on anything it is not sure of (bad JSON, a wrong type, a bound crossed, a time
not in the plain ``YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)`` shape, a number pydantic would coerce) it
returns ``None`` and the caller validates the line with pydantic. A refused line therefore gets
pydantic's verdict and its message, identical by construction; tests/fuzz/test_decoder_differential.py
proves the accepting half on the fuzz corpus and on every bad line the other tests feed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import msgspec
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, TzInfo

from console.core.events import EARLIEST_TIME, LATEST_TIME, AgentState, AgentStateChanged, Event

__all__ = ["decode_event"]

_BAD = object()  # what a field check returns for a value it does not take
_REQUIRED = object()
_EXACT = 2**53  # the largest integer a float holds exactly
# The one time shape decoded here; [0-9], not \d, which also matches other scripts' digits.
_PLAIN_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
).fullmatch
_SAFE_YEARS = (f"{EARLIEST_TIME.year + 1:04}", f"{LATEST_TIME.year - 2:04}")
_from_iso = datetime.fromisoformat
_zones: dict[Any, TzInfo] = {}  # a fixed offset as fromisoformat gives it -> pydantic's zone of that offset


def _check_time(value: Any) -> Any:
    # Events often share their moment with the line before (an answer and the agent going on call): the
    # last time parsed is kept, and such a line gets the same (immutable) datetime, which the engine
    # then recognises by identity too.
    if value == _last_time[0]:
        return _last_time[1]
    # Years 2001 to 2098 are inside the hard bound (EARLIEST_TIME, LATEST_TIME) whatever the offset;
    # 2000 and 2099 go to pydantic, which compares the instant (comparing aware times costs ~1 us).
    if type(value) is not str or not _SAFE_YEARS[0] <= value[:4] <= _SAFE_YEARS[1] or _PLAIN_TIME(value) is None:
        return _BAD
    try:
        parsed = _from_iso(value)
    except ValueError:
        return _BAD
    offset = parsed.tzinfo
    zone = _zones.get(offset)
    if zone is None:
        zone = _zones[offset] = TzInfo(int(parsed.utcoffset().total_seconds()))  # type: ignore[union-attr]
    # a fresh datetime, not .replace(tzinfo=...): twice as fast, and the zone pydantic's parser gives
    when = datetime(
        parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second, parsed.microsecond, zone
    )
    _last_time[:] = (value, when)
    return when


_last_time: list[Any] = [object(), None]  # the last time string parsed (none yet: equal to nothing), its datetime


class _Text:
    """A string field's bounds (its check is written into the decoder of each event type, inline)."""

    __slots__ = ("low", "high", "optional")

    def __init__(self, low: int, high: float, optional: bool) -> None:
        self.low, self.high, self.optional = low, high, optional


def _check_number(kind: type, low: float, high: float, optional: bool) -> Callable[[Any], Any]:
    # JSON numbers only: pydantic's lax mode would also take "1.5" or 2.0 for an int, which goes to it.
    takes = (int, float) if kind is float else (int,)

    def check(value: Any) -> Any:
        if type(value) in takes:
            # an integer beyond 2**53 goes to pydantic: float() of it may round or overflow
            if type(value) is int and not -_EXACT <= value <= _EXACT:
                return _BAD
            number = kind(value)
            return number if low <= number <= high and math.isfinite(number) else _BAD
        return None if value is None and optional else _BAD

    return check


def _check_choice(choices: dict[str, Any]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        return choices.get(value, _BAD) if type(value) is str else _BAD

    return check


def _field_check(name: str, annotation: Any, metadata: list[Any]) -> Callable[[Any], Any] | _Text:
    """The check of one field, from its pydantic annotation and constraints."""
    if name == "ts":
        return _check_time
    optional = False
    if get_origin(annotation) in (Union, UnionType):
        members = [arg for arg in get_args(annotation) if arg is not NoneType]
        optional = len(members) < len(get_args(annotation))
        if len(members) != 1:
            raise TypeError(f"the event decoder does not mirror the field {name}: {annotation}")
        annotation = members[0]
    if get_origin(annotation) is Annotated:  # an optional constrained type: str | None of _Topic
        annotation, *extras = get_args(annotation)
        metadata = [*metadata, *(rule for info in extras if isinstance(info, FieldInfo) for rule in info.metadata)]
    low, high = 0, math.inf
    for rule in metadata:
        if isinstance(rule, annotated_types.MinLen | annotated_types.Ge):
            low = rule.min_length if isinstance(rule, annotated_types.MinLen) else rule.ge
        elif isinstance(rule, annotated_types.MaxLen | annotated_types.Le):
            high = rule.max_length if isinstance(rule, annotated_types.MaxLen) else rule.le
        else:
            raise TypeError(f"the event decoder does not mirror the rule {rule!r} of the field {name}")
    if annotation is str:
        return _Text(low, int(high) if high != math.inf else high, optional)
    if annotation in (int, float):
        return _check_number(annotation, low, high, optional)
    if get_origin(annotation) is Literal and not optional:
        return _check_choice({value: value for value in get_args(annotation)})
    if isinstance(annotation, type) and issubclass(annotation, StrEnum) and not optional:
        return _check_choice({member.value: member for member in annotation})
    raise TypeError(f"the event decoder does not mirror the field {name}: {annotation}")


def _break_has_reason(values: dict[str, Any]) -> bool:
    # AgentStateChanged._break_has_reason, mirrored
    return values["state"] is not AgentState.BREAK or bool(values["reason"])


#: The model validators mirrored here, by model: a model with any other one is refused at import.
_MODEL_RULES: dict[type[BaseModel], tuple[str, Callable[[dict[str, Any]], bool]]] = {
    AgentStateChanged: ("_break_has_reason", _break_has_reason),
}


#: The text fields a day repeats (a few hundred values), shared as pydantic's string cache shares them:
#: the topic windows keep one entry per call, and a copy of the topic each took ~10 MB on a 1 M-event day.
_REPEATED_TEXTS = frozenset({"topic", "service_type", "reason", "name", "agent_id"})
_TEXTS_KEPT = 16_384  # pydantic-core's cache holds as many; a file of endless new values only refills it
_texts: dict[str, str] = {}


def _shared(text: str | None) -> str | None:
    if text is None:
        return None
    kept = _texts.get(text)
    if kept is None:
        if len(_texts) >= _TEXTS_KEPT:
            _texts.clear()
        kept = _texts[text] = text
    return kept


class _Shape:
    """What the decoder knows of one event type: its fields in order, with checks and defaults."""

    __slots__ = ("model", "names", "fields", "rule", "build")

    def __init__(self, model: type[BaseModel]) -> None:
        config = model.model_config
        if config.get("extra") != "forbid" or not config.get("frozen") or config.get("allow_inf_nan") is not False:
            raise TypeError(f"the event decoder does not mirror the configuration of {model.__name__}")
        self.model = model
        self.names = frozenset(model.model_fields)
        self.fields = tuple(
            (
                name,
                _field_check(name, field.annotation, field.metadata),
                _REQUIRED if field.is_required() else field.default,
            )
            for name, field in model.model_fields.items()
        )
        if any(default is PydanticUndefined for _, _, default in self.fields):
            raise TypeError(f"the event decoder does not mirror a default factory of {model.__name__}")
        validators = set(model.__pydantic_decorators__.model_validators) | set(
            model.__pydantic_decorators__.field_validators
        )
        mirrored = _MODEL_RULES.get(model)
        if validators != ({mirrored[0]} if mirrored else set()):
            raise TypeError(f"the event decoder does not mirror the validators of {model.__name__}: {validators}")
        self.rule = mirrored[1] if mirrored else None
        self.build = self._builder()

    def _builder(self) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
        """A function from a parsed JSON dict to the model's field values, or ``None``: written out field by
        field (about twice as fast as a loop over the fields calling a check each)."""
        names: dict[str, Any] = {"_BAD": _BAD, "_MISSING": _REQUIRED, "rule": self.rule, "shared": _shared}
        required, checks = [], []
        for index, (name, check, default) in enumerate(self.fields):
            value = f"v{index}"
            names[f"c{index}"], names[f"d{index}"] = check, default
            if name == "type":
                continue  # the decoder was chosen by it: it is the literal itself
            if isinstance(check, _Text):
                bad = f"type({value}) is not str or not {check.low} <= len({value}) <= {check.high}"
                if check.optional:
                    bad = f"{value} is not None and ({bad})"
                test = [f"    if {bad}:", "        return None"]
                if name in _REPEATED_TEXTS:
                    test.append(f"    {value} = shared({value})")
            else:
                test = [f"    {value} = c{index}({value})", f"    if {value} is _BAD:", "        return None"]
            if default is _REQUIRED:
                required.append(f"        {value} = raw[{name!r}]")
                checks += test
            else:
                checks += [f"    {value} = raw.get({name!r}, _MISSING)", f"    if {value} is _MISSING:",
                           f"        {value} = d{index}", "    else:", *("    " + line for line in test)]  # fmt: skip
        fields = ", ".join(
            f"{name!r}: {'d' if name == 'type' else 'v'}{index}" for index, (name, _, _) in enumerate(self.fields)
        )
        names["d" + str([name for name, _, _ in self.fields].index("type"))] = self.model.model_fields["type"].default
        source = "\n".join(
            [
                "def build(raw):",
                "    try:",
                *required,
                "    except KeyError:",
                "        return None",
                *checks,
                f"    values = {{{fields}}}",
                *(["    if not rule(values):", "        return None"] if self.rule else []),
                "    return values",
            ]
        )
        exec(compile(source, f"<event decoder of {self.model.__name__}>", "exec"), names)  # noqa: S102
        return names["build"]


_SHAPES: dict[str, _Shape] = {
    model.model_fields["type"].default: _Shape(model) for model in get_args(get_args(Event)[0])
}
_new = object.__new__
_set = object.__setattr__
_loads = msgspec.json.decode
_JSONDecodeError = msgspec.DecodeError


def decode_event(line: bytes) -> Any:
    """The event of one JSON line, exactly as pydantic would validate it; ``None`` when this decoder
    does not take the line (it may be bad, or only unusual): validate it with pydantic then."""
    try:
        raw = _loads(line)
    except _JSONDecodeError:
        return None
    if type(raw) is not dict:
        return None
    kind = raw.get("type")
    shape = _SHAPES.get(kind) if type(kind) is str else None  # a list or a dict as the type: not hashable
    if shape is None or not shape.names.issuperset(raw):
        return None
    values = shape.build(raw)
    if values is None:
        return None
    return built_event(shape.model, values, set(raw))


def built_event(model: type[BaseModel], values: dict[str, Any], given: set[str]) -> Any:
    """The event pydantic's validator builds from ``values`` (every field, each already valid) with the
    fields ``given`` set: no extra and no private attributes. Only for values checked before: a reader of
    another format (console/queue_log.py) that makes each field itself within the model's bounds."""
    event = _new(model)
    _set(event, "__dict__", values)
    _set(event, "__pydantic_fields_set__", given)
    _set(event, "__pydantic_extra__", None)
    _set(event, "__pydantic_private__", None)
    return event
