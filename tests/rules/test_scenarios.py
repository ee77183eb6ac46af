"""Runs the YAML scenario files in tests/rules/scenarios against the rule functions.

Each case names the call, its inputs, the expected outputs (only the keys given are compared, money
to the rupiah) and the article it exercises. A parameter set that records every lookup lets the last
test check that every dated change of every parameter is probed just before, at and after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from lindung.kit.lokal import next_working_day
from lindung.rules import benefits, coverage
from lindung.rules.catalogues import occupation
from lindung.rules.contributions import contribution_for_month, contribution_for_span
from lindung.rules.heirs import Relative, determine_heirs
from lindung.rules.params import ParameterSet, Value, default_parameters
from lindung.rules.period import Month
from lindung.rules.scholarships import Child, scholarships
from lindung.simulator.service import parse_child

SCENARIOS = Path(__file__).parent / "scenarios"


@dataclass(frozen=True)
class RecordingParameters(ParameterSet):
    """The shipped parameters, remembering every (name, date) looked up."""

    seen: set[tuple[str, dt.date]] = field(default_factory=set)

    def at(self, name: str, day: dt.date) -> Value:
        self.seen.add((name, day))
        return super().at(name, day)


PARAMS = RecordingParameters(default_parameters().parameters)


def load_cases() -> list[Any]:
    cases = []
    for file in sorted(SCENARIOS.glob("*.yaml")):
        for case in yaml.safe_load(file.read_text(encoding="utf-8")):
            assert {"name", "article", "call", "input", "expect"} <= set(case), (file.name, case)
            cases.append(pytest.param(case, id=f"{file.stem}: {case['name']}"))
    return cases


def _children(raw: list[Any]) -> list[Child]:
    return [parse_child(c) if isinstance(c, str) else Child(**c) for c in raw]


def _facts(i: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {"params": PARAMS, "jht": i.get("jht", False),
                             "funding": i.get("funding", "mandiri")}
    facts["transport"] = occupation(i.get("occupation", "lainnya")).transport
    if "income" in i:
        facts["income"] = i["income"]
    if "base" in i:
        facts["base"] = i["base"]
    return facts


def _benefit(result: benefits.BenefitResult) -> dict[str, Any]:
    out: dict[str, Any] = {"total": result.total,
                           "components": {c.code: c.amount for c in result.components}}
    if result.scholarship is not None:
        out["scholarship_this_year"] = result.scholarship.this_year
        out["scholarship_projected"] = result.scholarship.projected
    return out


def _paid(raw: dict[str, dt.date]) -> dict[Month, dt.date]:
    return {Month.parse(k): v for k, v in raw.items()}


def call_contribution(i: dict[str, Any]) -> dict[str, Any]:
    c = contribution_for_month(Month.parse(i["month"]), **_facts(i))
    return {"total": c.total, "base": c.base, "bracket": c.bracket,
            "components": {x.code: x.amount for x in c.components}}


def call_contribution_span(i: dict[str, Any]) -> dict[str, Any]:
    return {"total": contribution_for_span(Month.parse(i["month"]), i["months"], **_facts(i)).total}


def call_due_date(i: dict[str, Any]) -> dict[str, Any]:
    d = coverage.due_date(Month.parse(i["month"]), next_working_day=next_working_day, params=PARAMS)
    return {"date": d.date}


def call_jkm(i: dict[str, Any]) -> dict[str, Any]:
    return _benefit(benefits.jkm_death(i["date"], contribution_months=i.get("contribution_months"),
                                       children=_children(i.get("children", [])), params=PARAMS))


def _money(i: dict[str, Any]) -> dict[str, Any]:
    return {k: i[k] for k in ("income", "base") if k in i}


def call_jkk_death(i: dict[str, Any]) -> dict[str, Any]:
    return _benefit(benefits.jkk_death(i["date"], children=_children(i.get("children", [])),
                                       params=PARAMS, **_money(i)))


def call_jkk_total_disability(i: dict[str, Any]) -> dict[str, Any]:
    return _benefit(benefits.jkk_total_disability(i["date"], children=_children(i.get("children", [])),
                                                  params=PARAMS, **_money(i)))


def call_jkk_partial(i: dict[str, Any]) -> dict[str, Any]:
    loss = Decimal(i["function_loss"]) if "function_loss" in i else None
    return _benefit(benefits.jkk_partial_disability(i["date"], percent=Decimal(i["percent"]),
                                                    function_loss=loss, params=PARAMS, **_money(i)))


def call_jkk_stmb(i: dict[str, Any]) -> dict[str, Any]:
    return _benefit(benefits.jkk_stmb(i["date"], months=i["months"], params=PARAMS, **_money(i)))


def call_jkk_transport(i: dict[str, Any]) -> dict[str, Any]:
    return _benefit(benefits.jkk_transport(i["date"], i["costs"], params=PARAMS))


def call_jkk_home_care(i: dict[str, Any]) -> dict[str, Any]:
    return _benefit(benefits.jkk_home_care(i["date"], cost=i["cost"], months=i["months"], params=PARAMS))


def call_jkk_prosthesis(i: dict[str, Any]) -> dict[str, Any]:
    return _benefit(benefits.jkk_prosthesis(i["date"], price=i["price"], params=PARAMS))


def call_scholarship(i: dict[str, Any]) -> dict[str, Any]:
    r = scholarships(i["date"], i["cause"], _children(i["children"]),
                     contribution_months=i.get("contribution_months"), params=PARAMS)
    return {"scholarship_this_year": r.this_year, "scholarship_projected": r.projected}


def call_heirs(i: dict[str, Any]) -> dict[str, Any]:
    d = determine_heirs(i["date"], [Relative(n, r) for n, r in i["relatives"]], params=PARAMS)
    return {"rank": d.rank, "recipients": [r.name for r in d.recipients],
            "funeral_to": [r.name for r in d.funeral_to], "rest_stays_in_fund": d.rest_stays_in_fund}


def call_covered_at(i: dict[str, Any]) -> dict[str, Any]:
    r = coverage.covered_at(i["event"], _paid(i["paid"]), next_working_day=next_working_day, params=PARAMS)
    return {"covered": r.covered, "reason": r.reason.value}


def call_history(i: dict[str, Any]) -> dict[str, Any]:
    h = coverage.contribution_history(_paid(i["paid"]), i["as_of"], params=PARAMS)
    arrears = coverage.arrears_of(h, i["as_of"], next_working_day=next_working_day, params=PARAMS)
    return {"contribution_months": h.contribution_months, "protected_until": h.protected_until,
            "arrears": {str(m): until for m, until in arrears},
            "memberships": len(h.memberships),
            "states": {str(m): s.value for m, s in h.months.items()}}


CALLS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    name[len("call_"):]: fn for name, fn in globals().items() if name.startswith("call_")
}


def _compare(actual: Any, expected: Any, path: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing in {sorted(actual)}"
            _compare(actual[key], value, f"{path}.{key}")
    else:
        assert actual == expected, f"{path}: got {actual!r}, expected {expected!r}"
        if isinstance(expected, int) and not isinstance(expected, bool):
            assert type(actual) is int, f"{path}: money must be int, got {type(actual).__name__}"


@pytest.mark.parametrize("case", load_cases())
def test_scenario(case: dict[str, Any]) -> None:
    assert case["call"] in CALLS, f"unknown call {case['call']}"
    _compare(CALLS[case["call"]](case["input"]), case["expect"], case["name"])


def test_every_dated_change_is_probed_before_at_and_after() -> None:
    """Every change date of every parameter is looked up by some scenario on the day it takes
    effect, within the month before it, and after it (before the next change)."""
    PARAMS.seen.clear()
    for case in load_cases():
        CALLS[case.values[0]["call"]](case.values[0]["input"])
    missing = []
    for param in PARAMS:
        starts = list(param.starts)
        dates = sorted(d for n, d in PARAMS.seen if n == param.name)
        for k, start in enumerate(starts):
            if k == 0:
                continue
            nxt = starts[k + 1] if k + 1 < len(starts) else dt.date.max
            before = any(start - dt.timedelta(days=31) <= d < start for d in dates)
            at = start in dates
            after = any(start < d < nxt for d in dates)
            if not (before and at and after):
                missing.append(f"{param.name} {start}: before={before} at={at} after={after}")
    assert not missing, "\n".join(missing)
