"""Law as data: one YAML file per parameter, with dated values and the legal reference beside them.

A file looks like this::

    description: Iuran JKM peserta BPU per bulan
    unit: rupiah
    reference: PP 44/2015 tentang JKK dan JKM
    values:
      2015-07-01:
        value: 6800
      2026-01-01: null          # null ends the rule

Lookup is "the latest value whose start is on or before the date". The loader is strict: a
duplicate key, an unknown key, dates out of order, a missing reference, an unknown unit or a value
that does not fit its unit fails with the file and the key in the message. Rates are read as
Decimal straight from the YAML text, so no float ever holds a rate.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from lindung.rules.errors import NoRuleInForce, ParameterError

TOP_KEYS_REQUIRED = {"description", "unit", "reference", "values"}
TOP_KEYS_OPTIONAL = {"note", "verified"}
ENTRY_KEYS_REQUIRED = {"value"}
ENTRY_KEYS_OPTIONAL = {"reference", "verified", "note"}


# --- a strict YAML loader -------------------------------------------------------------------


# libyaml's parser when PyYAML was built with it (the wheels are): a tenth of the pure-Python one's time.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(SAFE_LOADER):  # type: ignore[misc]
    """A safe loader (libyaml's when there is one) that refuses duplicate keys and reads floats as
    Decimal."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


def _construct_decimal(loader: _StrictLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    return Decimal(text)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def strict_yaml(text: str, file: str) -> Any:
    """Parse YAML strictly; errors name the file and the line."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else "?"
        raise ParameterError(file, where, str(exc.problem)) from exc
    except yaml.YAMLError as exc:
        raise ParameterError(file, "?", str(exc)) from exc


# --- units ------------------------------------------------------------------------------------

Validator = Callable[[Any, str, str], Any]


def _int(v: Any, file: str, key: str, minimum: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ParameterError(file, key, f"expected a whole number, got {v!r}")
    if v < minimum:
        raise ParameterError(file, key, f"must be at least {minimum}, got {v}")
    return v


def _rupiah(v: Any, file: str, key: str) -> int:
    return _int(v, file, key)


def _rate(v: Any, file: str, key: str) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
        raise ParameterError(file, key, f"expected a rate such as 0.01, got {v!r}")
    d = Decimal(v)
    if not Decimal(0) <= d <= Decimal(1):
        raise ParameterError(file, key, f"a rate must be between 0 and 1, got {d}")
    return d


def _multiplier(v: Any, file: str, key: str) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)) or Decimal(v) < 0:
        raise ParameterError(file, key, f"expected a non-negative number, got {v!r}")
    return Decimal(v)


def _day_of_month(v: Any, file: str, key: str) -> int:
    day = _int(v, file, key, 1)
    if day > 28:
        raise ParameterError(file, key, f"a day of month must be 1-28, got {day}")
    return day


def _codes(v: Any, file: str, key: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(c, str) and c for c in v):
        raise ParameterError(file, key, f"expected a list of codes, got {v!r}")
    if len(set(v)) != len(v):
        raise ParameterError(file, key, "a code appears twice")
    return tuple(v)


def _months_list(v: Any, file: str, key: str) -> tuple[int, ...]:
    if not isinstance(v, list) or not v:
        raise ParameterError(file, key, f"expected a list of month counts, got {v!r}")
    return tuple(_int(x, file, key, 1) for x in v)


def _policy(v: Any, file: str, key: str) -> str:
    if not isinstance(v, str) or not v:
        raise ParameterError(file, key, f"expected a policy name, got {v!r}")
    return v


def _mapping(v: Any, file: str, key: str) -> dict[str, Any]:
    if not isinstance(v, dict) or not v:
        raise ParameterError(file, key, f"expected a mapping, got {v!r}")
    return v


def _exact_keys(item: dict[str, Any], keys: set[str], file: str, key: str) -> None:
    if set(item) != keys:
        extra, missing = set(item) - keys, keys - set(item)
        raise ParameterError(file, key, f"expected keys {sorted(keys)}; unknown {sorted(extra)}, "
                                        f"missing {sorted(missing)}")


@dataclass(frozen=True, slots=True)
class Bracket:
    number: int
    lower: int
    base: int


def _bracket_table(v: Any, file: str, key: str) -> tuple[Bracket, ...]:
    if not isinstance(v, list) or not v:
        raise ParameterError(file, key, "expected a list of brackets")
    out: list[Bracket] = []
    for i, row in enumerate(v, start=1):
        k = f"{key}[{i}]"
        if not isinstance(row, dict):
            raise ParameterError(file, k, "expected {from, base}")
        _exact_keys(row, {"from", "base"}, file, k)
        lower, base = _rupiah(row["from"], file, k + ".from"), _rupiah(row["base"], file, k + ".base")
        if out and lower <= out[-1].lower:
            raise ParameterError(file, k, "bracket lower bounds must increase")
        if not out and lower != 0:
            raise ParameterError(file, k, "the first bracket must start at 0")
        out.append(Bracket(i, lower, base))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Tier:
    level: str
    amount: int
    max_years: int


def _scholarship_tiers(v: Any, file: str, key: str) -> tuple[Tier, ...]:
    out = []
    for level, row in _mapping(v, file, key).items():
        k = f"{key}.{level}"
        if not isinstance(row, dict):
            raise ParameterError(file, k, "expected {amount, max_years}")
        _exact_keys(row, {"amount", "max_years"}, file, k)
        out.append(Tier(str(level), _rupiah(row["amount"], file, k + ".amount"),
                        _int(row["max_years"], file, k + ".max_years", 1)))
    return tuple(out)


def _rupiah_by_key(v: Any, file: str, key: str) -> dict[str, int | None]:
    """Caps by mode or item; null means the cap is not known (and must say unverified)."""
    return {str(k): (None if x is None else _rupiah(x, file, f"{key}.{k}"))
            for k, x in _mapping(v, file, key).items()}


def _int_by_key(v: Any, file: str, key: str) -> dict[str, int]:
    return {str(k): _int(x, file, f"{key}.{k}") for k, x in _mapping(v, file, key).items()}


@dataclass(frozen=True, slots=True)
class Step:
    months: int | None  # None: until the end
    rate: Decimal


def _rate_schedule(v: Any, file: str, key: str) -> tuple[Step, ...]:
    if not isinstance(v, list) or not v:
        raise ParameterError(file, key, "expected a list of {months, rate}")
    out = []
    for i, row in enumerate(v, start=1):
        k = f"{key}[{i}]"
        if not isinstance(row, dict):
            raise ParameterError(file, k, "expected {months, rate}")
        _exact_keys(row, {"months", "rate"}, file, k)
        months = None if row["months"] is None else _int(row["months"], file, k + ".months", 1)
        if months is None and i != len(v):
            raise ParameterError(file, k, "only the last step may run until the end (months: null)")
        out.append(Step(months, _rate(row["rate"], file, k + ".rate")))
    if out[-1].months is not None:
        raise ParameterError(file, key, "the last step must have months: null")
    return tuple(out)


def _heir_priority(v: Any, file: str, key: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(v, list) or not v:
        raise ParameterError(file, key, "expected a list of groups")
    groups = tuple(_codes(g, file, f"{key}[{i}]") for i, g in enumerate(v, start=1))
    seen = [c for g in groups for c in g]
    if len(seen) != len(set(seen)):
        raise ParameterError(file, key, "a relationship appears in two groups")
    return groups


UNITS: dict[str, Validator] = {
    "rupiah": _rupiah,
    "rate": _rate,
    "multiplier": _multiplier,
    "months": lambda v, f, k: _int(v, f, k),
    "days": lambda v, f, k: _int(v, f, k),
    "hours": lambda v, f, k: _int(v, f, k),
    "years": lambda v, f, k: _int(v, f, k),
    "count": lambda v, f, k: _int(v, f, k),
    "day_of_month": _day_of_month,
    "codes": _codes,
    "policy": _policy,
    "months_list": _months_list,
    "bracket_table": _bracket_table,
    "scholarship_tiers": _scholarship_tiers,
    "rupiah_by_key": _rupiah_by_key,
    "months_by_key": _int_by_key,
    "rate_schedule": _rate_schedule,
    "heir_priority": _heir_priority,
}


# --- parameters ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Value:
    """One dated value of a parameter, with what an explanation needs."""

    parameter: str
    start: dt.date
    value: Any
    reference: str
    verified: bool
    note: str | None = None


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    reference: str
    verified: bool
    values: tuple[Value | None, ...]  # None entries end the rule
    starts: tuple[dt.date, ...]
    note: str | None = None

    def at(self, day: dt.date) -> Value:
        """The value in force on ``day``; NoRuleInForce before the first value or after a null."""
        i = bisect_right(self.starts, day)
        found = self.values[i - 1] if i else None
        if found is None:
            raise NoRuleInForce(parameter=self.name, date=day.isoformat())
        return found

    def history(self) -> Iterator[tuple[dt.date, Value | None]]:
        yield from zip(self.starts, self.values, strict=True)


def parse_parameter(name: str, text: str, file: str) -> Parameter:
    doc = strict_yaml(text, file)
    if not isinstance(doc, dict):
        raise ParameterError(file, "(top)", "a parameter file is a mapping")
    unknown = set(doc) - TOP_KEYS_REQUIRED - TOP_KEYS_OPTIONAL
    if unknown:
        raise ParameterError(file, sorted(unknown)[0], "unknown key")
    for required in sorted(TOP_KEYS_REQUIRED):
        if required not in doc or doc[required] in (None, ""):
            raise ParameterError(file, required, "missing")
    unit = doc["unit"]
    if unit not in UNITS:
        raise ParameterError(file, "unit", f"unknown unit {unit!r}; known: {', '.join(sorted(UNITS))}")
    reference = doc["reference"]
    if not isinstance(reference, str) or not reference.strip():
        raise ParameterError(file, "reference", "must be a citation of the legal instrument")
    file_verified = doc.get("verified", True)
    if not isinstance(file_verified, bool):
        raise ParameterError(file, "verified", "must be true or false")
    raw_values = doc["values"]
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterError(file, "values", "expected a mapping of dates to values")

    validate = UNITS[unit]
    starts: list[dt.date] = []
    values: list[Value | None] = []
    for start, entry in raw_values.items():
        key = f"values.{start}"
        if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
            raise ParameterError(file, key, "a value's key must be a date YYYY-MM-DD")
        if starts and start <= starts[-1]:
            raise ParameterError(file, key, f"dates out of order: {start} comes after {starts[-1]}")
        starts.append(start)
        if entry is None:
            values.append(None)
            continue
        if not isinstance(entry, dict):
            raise ParameterError(file, key, "expected {value, reference?, verified?, note?} or null")
        bad = set(entry) - ENTRY_KEYS_REQUIRED - ENTRY_KEYS_OPTIONAL
        if bad:
            raise ParameterError(file, f"{key}.{sorted(bad)[0]}", "unknown key")
        if "value" not in entry:
            raise ParameterError(file, f"{key}.value", "missing")
        ref = entry.get("reference", reference)
        if not isinstance(ref, str) or not ref.strip():
            raise ParameterError(file, f"{key}.reference", "must be a citation")
        verified = entry.get("verified", file_verified)
        if not isinstance(verified, bool):
            raise ParameterError(file, f"{key}.verified", "must be true or false")
        note = entry.get("note")
        values.append(Value(name, start, validate(entry["value"], file, f"{key}.value"), ref,
                            verified, None if note is None else str(note)))
    return Parameter(name, str(doc["description"]), unit, reference, file_verified,
                     tuple(values), tuple(starts), doc.get("note"))


@dataclass(frozen=True)
class ParameterSet:
    """All parameters, by dotted name ("contribution.jkm_flat")."""

    parameters: Mapping[str, Parameter] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ParameterError("(parameters)", name, "no such parameter") from None

    def at(self, name: str, day: dt.date) -> Value:
        return self[name].at(day)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters.values())

    def __len__(self) -> int:
        return len(self.parameters)


def _walk(root: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for child in sorted(root.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            yield from _walk(child, f"{prefix}{child.name}.")
        elif child.name.endswith(".yaml"):
            yield f"{prefix}{child.name[:-5]}", child


def load_directory(root: Traversable | Path) -> ParameterSet:
    """Load every ``*.yaml`` below ``root``; the dotted path is the parameter's name."""
    params: dict[str, Parameter] = {}
    for name, file in _walk(root):
        params[name] = parse_parameter(name, file.read_text(encoding="utf-8"), f"{name}.yaml")
    return ParameterSet(params)


@cache
def default_parameters() -> ParameterSet:
    """The parameters shipped with Lindung (src/lindung/rules/parameters)."""
    return load_directory(resources.files("lindung.rules").joinpath("parameters"))
