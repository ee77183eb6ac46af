"""Contributions of a BPU worker: bracket, JKK, JKM, optional JHT and the dated discounts.

Pure: facts, a month and the parameters in; an explained result out. The month's first day picks
the parameter values, so a discount that covers contribution months Jan 2026 – Mar 2027 is a pair
of dated values in a YAML file, never an ``if`` here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lindung.rules.errors import InvalidInput
from lindung.rules.explain import Component, total
from lindung.rules.money import Rupiah, apply_rate, format_percent, rp
from lindung.rules.params import Bracket, ParameterSet, Value, default_parameters
from lindung.rules.period import Month

TRANSPORT = "transport"
OTHER = "other"


@dataclass(frozen=True, slots=True)
class BaseChoice:
    """The contribution base (dasar): from a declared income through the bracket table, or given."""

    base: Rupiah
    income: Rupiah | None
    bracket: Bracket | None
    source: Value | None

    def component(self) -> Component | None:
        if self.bracket is None or self.source is None or self.income is None:
            return None
        b = self.bracket
        return Component.of("bracket", self.base,
                            f"#{b.number}: {rp(self.income)} ≥ {rp(b.lower)} → dasar {rp(b.base)}",
                            self.source)


def lowest_income(day: dt.date, params: ParameterSet | None = None) -> Rupiah:
    """The lower bound of the lowest income bracket in force on ``day``: the declared income of a
    worker, or an agreement, that declares none."""
    table = (params or default_parameters()).at("contribution.income_brackets", day).value
    return int(table[0].lower)


def choose_base(month: Month, *, income: Rupiah | None = None, base: Rupiah | None = None,
                params: ParameterSet | None = None) -> BaseChoice:
    """Exactly one of ``income`` (mapped to its bracket) or ``base`` (used as the dasar)."""
    params = params or default_parameters()
    if (income is None) == (base is None):
        raise InvalidInput("income_or_base", "")
    if base is not None:
        if isinstance(base, bool) or not isinstance(base, int) or base <= 0:
            raise InvalidInput("base", base)
        return BaseChoice(base, None, None, None)
    assert income is not None
    if isinstance(income, bool) or not isinstance(income, int) or income < 0:
        raise InvalidInput("income", income)
    source = params.at("contribution.income_brackets", month.first_day())
    table: tuple[Bracket, ...] = source.value
    chosen = table[0]
    for bracket in table:
        if bracket.lower <= income:
            chosen = bracket
        else:
            break
    return BaseChoice(chosen.base, income, chosen, source)


@dataclass(frozen=True, slots=True)
class MonthlyContribution:
    month: Month
    base: Rupiah
    sector: str
    funding: str
    jht: bool
    components: tuple[Component, ...]
    discount_rate: Decimal
    bracket: int | None = None

    @property
    def total(self) -> Rupiah:
        return total(c for c in self.components if c.code != "bracket")

    def amount(self, code: str) -> Rupiah:
        return sum((c.amount for c in self.components if c.code == code), 0)

    @property
    def key(self) -> tuple[Any, ...]:
        """Two months with equal keys cost the same for the same reasons."""
        return tuple((c.code, c.amount, c.arithmetic) for c in self.components)

    def to_dict(self) -> dict[str, Any]:
        return {"month": str(self.month), "base": self.base, "bracket": self.bracket,
                "sector": self.sector, "funding": self.funding, "jht": self.jht,
                "discount_rate": str(self.discount_rate), "total": self.total,
                "components": [c.to_dict() for c in self.components]}


def contribution_for_month(
    month: Month,
    *,
    income: Rupiah | None = None,
    base: Rupiah | None = None,
    transport: bool = False,
    funding: str = "mandiri",
    jht: bool = False,
    params: ParameterSet | None = None,
) -> MonthlyContribution:
    """What one worker's contribution for ``month`` is, with every component explained."""
    params = params or default_parameters()
    day = month.first_day()
    choice = choose_base(month, income=income, base=base, params=params)
    dasar = choice.base
    components: list[Component] = []
    bracket_line = choice.component()
    if bracket_line is not None:
        components.append(bracket_line)

    jkk_rate = params.at("contribution.jkk_rate", day)
    jkm_flat = params.at("contribution.jkm_flat", day)
    sector = TRANSPORT if transport else OTHER
    discount = params.at(f"contribution.discount_rate_{sector}", day)
    excluded = params.at("contribution.discount_excluded_funding", day)
    programmes = params.at("contribution.discounted_programmes", day)
    rate: Decimal = discount.value
    funding_excluded = funding in excluded.value
    effective = Decimal(0) if funding_excluded else rate

    jkk = apply_rate(dasar, jkk_rate.value)
    components.append(Component.of("jkk", jkk, f"{format_percent(jkk_rate.value)} × {rp(dasar)}", jkk_rate))
    components.extend(_discount("jkk", jkk, effective, programmes, discount))
    components.append(Component.of("jkm", jkm_flat.value, f"{rp(jkm_flat.value)} / bulan", jkm_flat))
    components.extend(_discount("jkm", jkm_flat.value, effective, programmes, discount))
    if rate > 0 and funding_excluded:
        components.append(Component.of("discount.excluded", 0, f"{funding} ∉ diskon", excluded, discount))
    if jht:
        jht_rate = params.at("contribution.jht_rate", day)
        components.append(Component.of("jht", apply_rate(dasar, jht_rate.value),
                                       f"{format_percent(jht_rate.value)} × {rp(dasar)}", jht_rate))
    return MonthlyContribution(month, dasar, sector, funding, jht, tuple(components), effective,
                               choice.bracket.number if choice.bracket else None)


def _discount(programme: str, amount: Rupiah, rate: Decimal, programmes: Value, source: Value
              ) -> Iterator[Component]:
    if rate <= 0 or programme not in programmes.value:
        return
    cut = apply_rate(amount, rate)
    yield Component.of(f"discount.{programme}", -cut, f"−{format_percent(rate)} × {rp(amount)}", source)


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive months that cost the same for the same reasons."""

    first: Month
    last: Month
    months: int
    each: MonthlyContribution

    @property
    def total(self) -> Rupiah:
        return self.each.total * self.months


@dataclass(frozen=True)
class SpanContribution:
    start: Month
    months: tuple[MonthlyContribution, ...]
    runs: tuple[Run, ...] = field(default=())

    @property
    def total(self) -> Rupiah:
        return sum((m.total for m in self.months), 0)

    def sum_by_code(self) -> dict[str, Rupiah]:
        out: dict[str, Rupiah] = {}
        for m in self.months:
            for c in m.components:
                if c.code != "bracket":
                    out[c.code] = out.get(c.code, 0) + c.amount
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"start": str(self.start), "months": len(self.months), "total": self.total,
                "by_component": self.sum_by_code(),
                "runs": [{"from": str(r.first), "to": str(r.last), "months": r.months,
                          "monthly": r.each.total, "total": r.total} for r in self.runs],
                "per_month": [m.to_dict() for m in self.months]}


def contribution_for_span(start: Month, count: int, **facts: Any) -> SpanContribution:
    """``count`` months from ``start``; ``facts`` as for ``contribution_for_month``."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidInput("months", count)
    months = tuple(contribution_for_month(m, **facts) for m in start.span(count))
    runs: list[Run] = []
    for m in months:
        if runs and runs[-1].each.key == m.key:
            r = runs[-1]
            runs[-1] = Run(r.first, m.month, r.months + 1, r.each)
        else:
            runs.append(Run(m.month, m.month, 1, m))
    return SpanContribution(start, months, tuple(runs))


def monthly_price_table(start: Month, count: int, *, base: Rupiah, funding: str, jht: bool,
                        params: ParameterSet | None = None) -> dict[tuple[Month, str], Rupiah]:
    """The contribution per (month, sector) over a span: what set-based billing joins against.

    A handful of rule evaluations (months × 2 sectors) instead of one per worker-month.
    """
    out: dict[tuple[Month, str], Rupiah] = {}
    for m in start.span(count):
        for transport in (False, True):
            c = contribution_for_month(m, base=base, transport=transport, funding=funding, jht=jht,
                                       params=params)
            out[(m, c.sector)] = c.total
    return out
