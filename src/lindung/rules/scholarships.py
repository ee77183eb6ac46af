"""Scholarships (beasiswa) for a deceased or totally disabled participant's children (rules.md 3.2).

Paid each school year at the child's current level; the projection is the remaining years of the
current level, counting the current year, plus every later level in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lindung.rules.errors import InvalidInput, NoRuleInForce
from lindung.rules.explain import Component
from lindung.rules.money import Rupiah, rp
from lindung.rules.params import ParameterSet, Tier, Value, default_parameters

NOT_AT_SCHOOL = "belum"
CAUSES = ("jkm", "jkk")


@dataclass(frozen=True, slots=True)
class Child:
    """``level`` is a tier code (tk, sd, smp, sma, pt) or ``belum`` (not yet at school);
    ``year`` is the year within the level, from 1."""

    level: str
    year: int = 1
    name: str | None = None
    age: int | None = None
    married: bool = False
    working: bool = False

    def label(self) -> str:
        return self.name or (self.level if self.level == NOT_AT_SCHOOL else f"{self.level}:{self.year}")


@dataclass(frozen=True, slots=True)
class ChildScholarship:
    child: Child
    eligible: bool
    reason: str | None  # message code when not eligible
    this_year: Rupiah
    projected: Rupiah
    components: tuple[Component, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"child": self.child.label(), "level": self.child.level, "year": self.child.year,
                "eligible": self.eligible, "reason": self.reason, "this_year": self.this_year,
                "projected": self.projected, "components": [c.to_dict() for c in self.components]}


@dataclass(frozen=True)
class ScholarshipResult:
    cause: str
    date: dt.date
    eligible: bool
    reason: str | None
    condition: Component | None
    children: tuple[ChildScholarship, ...] = field(default=())

    @property
    def this_year(self) -> Rupiah:
        return sum((c.this_year for c in self.children), 0)

    @property
    def projected(self) -> Rupiah:
        return sum((c.projected for c in self.children), 0)

    def to_dict(self) -> dict[str, Any]:
        return {"cause": self.cause, "eligible": self.eligible, "reason": self.reason,
                "condition": self.condition.to_dict() if self.condition else None,
                "this_year": self.this_year, "projected": self.projected,
                "children": [c.to_dict() for c in self.children]}


def tiers_at(day: dt.date, params: ParameterSet | None = None) -> tuple[Tier, ...]:
    params = params or default_parameters()
    tiers: tuple[Tier, ...] = params.at("scholarship.tiers", day).value
    return tiers


def validate_child(child: Child, tiers: Sequence[Tier]) -> None:
    """A level that does not exist, or a year beyond the level's length, is the user's mistake."""
    if child.level == NOT_AT_SCHOOL:
        return
    by_level = {t.level: t for t in tiers}
    tier = by_level.get(child.level)
    if tier is None:
        raise InvalidInput("level", child.level, known=", ".join([*by_level, NOT_AT_SCHOOL]))
    if isinstance(child.year, bool) or not isinstance(child.year, int) or not 1 <= child.year <= tier.max_years:
        raise InvalidInput("level", child.year, reason="level_year", level=child.level, year=child.year,
                           max=tier.max_years)


def _child_entitlement(child: Child, tiers: Sequence[Tier], source: Value, ceiling: Value
                       ) -> tuple[Rupiah, Rupiah, tuple[Component, ...]]:
    if child.level == NOT_AT_SCHOOL:
        start, first_year = 0, 1
        this_year = 0
    else:
        start = next(i for i, t in enumerate(tiers) if t.level == child.level)
        first_year = child.year
        this_year = tiers[start].amount
    lines: list[Component] = []
    if child.level != NOT_AT_SCHOOL:
        t = tiers[start]
        lines.append(Component.of("scholarship.this_year", this_year,
                                  f"{t.level.upper()} {child.year}/{t.max_years}: {rp(t.amount)}", source))
    projected = 0
    for i, t in enumerate(tiers[start:]):
        years = t.max_years - first_year + 1 if i == 0 else t.max_years
        amount = years * t.amount
        projected += amount
        lines.append(Component.of(f"scholarship.projected.{t.level}", amount,
                                  f"{years} × {rp(t.amount)}", source))
    if projected > ceiling.value:
        lines.append(Component.of("scholarship.ceiling", ceiling.value - projected,
                                  f"batas {rp(ceiling.value)} per anak", ceiling))
        projected = ceiling.value
    return this_year, projected, tuple(lines)


def scholarships(day: dt.date, cause: str, children: Sequence[Child], *,
                 contribution_months: int | None = None,
                 params: ParameterSet | None = None) -> ScholarshipResult:
    """Scholarship for each child (at most ``scholarship.max_children`` are paid) for an event on
    ``day`` by ``cause`` (jkm: needs the minimum contribution period; jkk: none)."""
    params = params or default_parameters()
    if cause not in CAUSES:
        raise InvalidInput("cause", cause)
    try:
        source = params.at("scholarship.tiers", day)
        minimum = params.at("scholarship.min_contribution_months", day)
        max_children = params.at("scholarship.max_children", day)
        age_limit = params.at("scholarship.child_age_limit", day)
        ceiling = params.at("scholarship.max_per_child", day)
    except NoRuleInForce:
        return ScholarshipResult(cause, day, False, "scholarship.no_rule", None, ())
    tiers: tuple[Tier, ...] = source.value
    for child in children:
        validate_child(child, tiers)
    if contribution_months is not None and (isinstance(contribution_months, bool)
                                            or not isinstance(contribution_months, int)
                                            or contribution_months < 0):
        raise InvalidInput("contribution_months", contribution_months)

    need: int = minimum.value[cause]
    condition: Component | None = None
    eligible, reason = True, None
    if need > 0:
        if contribution_months is None:
            eligible, reason = False, "scholarship.contribution_months_unknown"
            condition = Component.of("scholarship.condition", 0, f"masa iur ? ≥ {need}", minimum)
        else:
            eligible = contribution_months >= need
            reason = None if eligible else "scholarship.contribution_months_short"
            sign = "≥" if eligible else "<"
            condition = Component.of("scholarship.condition", 0,
                                     f"masa iur {contribution_months} {sign} {need} bulan", minimum)

    results: list[ChildScholarship] = []
    paid = 0
    for child in children:
        child_reason: str | None = None
        if not eligible:
            child_reason = reason
        elif child.age is not None and child.age >= age_limit.value:
            child_reason = "scholarship.child_too_old"
        elif child.married:
            child_reason = "scholarship.child_married"
        elif child.working:
            child_reason = "scholarship.child_working"
        elif paid >= max_children.value:
            child_reason = "scholarship.max_children"
        if child_reason is not None:
            results.append(ChildScholarship(child, False, child_reason, 0, 0, ()))
            continue
        paid += 1
        this_year, projected, lines = _child_entitlement(child, tiers, source, ceiling)
        results.append(ChildScholarship(child, True, None, this_year, projected, lines))
    return ScholarshipResult(cause, day, eligible, reason, condition, tuple(results))
