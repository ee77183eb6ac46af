"""JKM and JKK benefits (rules.md 3 and 4), each component explained.

The rules in force on the event date apply: a death in August 2019 is paid under PP 44/2015's
amounts, one in 2026 under PP 82/2019's. ``total`` is the cash payable now; scholarships are
reported beside it (this year's payment and the projected remaining entitlement).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lindung.rules.contributions import choose_base
from lindung.rules.errors import InvalidInput
from lindung.rules.explain import Component, total
from lindung.rules.money import Rupiah, apply_rate, format_percent, round_rupiah, rp
from lindung.rules.params import ParameterSet, Step, default_parameters
from lindung.rules.period import Month
from lindung.rules.scholarships import Child, ScholarshipResult, scholarships


@dataclass(frozen=True)
class BenefitResult:
    kind: str
    date: dt.date
    components: tuple[Component, ...]
    base: Rupiah | None = None
    scholarship: ScholarshipResult | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> Rupiah:
        """Cash payable now (scholarships excluded)."""
        return total(c for c in self.components if c.code != "bracket")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"benefit": self.kind, "date": self.date.isoformat(), "base": self.base,
                               "total": self.total, "components": [c.to_dict() for c in self.components],
                               "notes": list(self.notes)}
        if self.scholarship is not None:
            out["scholarship_this_year"] = self.scholarship.this_year
            out["scholarship_projected"] = self.scholarship.projected
            out["scholarship"] = self.scholarship.to_dict()
        return out


def _base(day: dt.date, income: Rupiah | None, base: Rupiah | None, params: ParameterSet
          ) -> tuple[Rupiah, list[Component]]:
    choice = choose_base(Month.of(day), income=income, base=base, params=params)
    line = choice.component()
    return choice.base, [line] if line else []


def _periodic(prefix: str, day: dt.date, params: ParameterSet) -> Component:
    monthly = params.at(f"{prefix}.periodic_monthly", day)
    months = params.at(f"{prefix}.periodic_months", day)
    return Component.of(f"{prefix}.periodic", monthly.value * months.value,
                        f"{months.value} × {rp(monthly.value)}", months, monthly)


def _children_result(day: dt.date, cause: str, children: Sequence[Child], contribution_months: int | None,
                     params: ParameterSet) -> ScholarshipResult | None:
    if not children:
        return None
    return scholarships(day, cause, children, contribution_months=contribution_months, params=params)


def jkm_death(day: dt.date, *, contribution_months: int | None = None, children: Sequence[Child] = (),
              params: ParameterSet | None = None) -> BenefitResult:
    """Death not caused by work: lump sum + periodic benefit paid at once + funeral, any bracket."""
    params = params or default_parameters()
    lump = params.at("jkm.lump_sum", day)
    funeral = params.at("jkm.funeral", day)
    components = (
        Component.of("jkm.lump_sum", lump.value, rp(lump.value), lump),
        _periodic("jkm", day, params),
        Component.of("jkm.funeral", funeral.value, rp(funeral.value), funeral),
    )
    return BenefitResult("jkm", day, components, None,
                         _children_result(day, "jkm", children, contribution_months, params))


def _share_of_80(code: str, rate_name: str, day: dt.date, dasar: Rupiah, params: ParameterSet
                 ) -> Component:
    rate = params.at(rate_name, day)
    multiple = params.at("jkk.wage_multiple", day)
    amount = round_rupiah(rate.value * multiple.value * dasar)
    return Component.of(code, amount, f"{format_percent(rate.value)} × {multiple.value} × {rp(dasar)}",
                        rate, multiple)


def jkk_death(day: dt.date, *, income: Rupiah | None = None, base: Rupiah | None = None,
              children: Sequence[Child] = (), params: ParameterSet | None = None) -> BenefitResult:
    """Death from a work accident: 60% × 80 × dasar (never below the JKM lump sum), funeral,
    periodic benefit, and scholarships with no minimum contribution period."""
    params = params or default_parameters()
    dasar, lines = _base(day, income, base, params)
    death = _share_of_80("jkk.death", "jkk.death_rate", day, dasar, params)
    floor = params.at("jkm.lump_sum", day)
    if death.amount < floor.value:
        death = Component.of("jkk.death", floor.value,
                             f"max({death.arithmetic} = {rp(death.amount)}, santunan JKM {rp(floor.value)})",
                             params.at("jkk.death_rate", day), floor)
    funeral = params.at("jkk.funeral", day)
    components = (*lines, death, Component.of("jkk.funeral", funeral.value, rp(funeral.value), funeral),
                  _periodic("jkk", day, params))
    return BenefitResult("jkk_death", day, components, dasar,
                         _children_result(day, "jkk", children, None, params))


def jkk_total_disability(day: dt.date, *, income: Rupiah | None = None, base: Rupiah | None = None,
                         children: Sequence[Child] = (), params: ParameterSet | None = None
                         ) -> BenefitResult:
    """Total permanent disability: 70% × 80 × dasar, the periodic benefit at once, scholarships."""
    params = params or default_parameters()
    dasar, lines = _base(day, income, base, params)
    components = (*lines,
                  _share_of_80("jkk.total_disability", "jkk.total_disability_rate", day, dasar, params),
                  _periodic("jkk", day, params))
    return BenefitResult("jkk_disability_total", day, components, dasar,
                         _children_result(day, "jkk", children, None, params))


def checked_percent(value: Decimal, field_name: str = "percent") -> Decimal:
    """A percentage as a person gives it: more than 0, at most 100 (else InvalidInput naming the field)."""
    if not isinstance(value, Decimal) or not value.is_finite() or not Decimal(0) < value <= Decimal(100):
        raise InvalidInput("percent", value, field_name=field_name)
    return value


def jkk_partial_disability(day: dt.date, *, percent: Decimal, function_loss: Decimal | None = None,
                           income: Rupiah | None = None, base: Rupiah | None = None,
                           params: ParameterSet | None = None) -> BenefitResult:
    """Partial permanent disability. Anatomical: table % × 80 × dasar. Functional: % loss of
    function × table % × 80 × dasar. The percentages come from the doctor's assessment."""
    params = params or default_parameters()
    dasar, lines = _base(day, income, base, params)
    pct = checked_percent(percent) / 100
    multiple = params.at("jkk.wage_multiple", day)
    if function_loss is None:
        amount = round_rupiah(pct * multiple.value * dasar)
        arithmetic = f"{format_percent(pct)} × {multiple.value} × {rp(dasar)}"
        code = "jkk.partial_anatomical"
    else:
        loss = checked_percent(function_loss, "function_loss") / 100
        amount = round_rupiah(loss * pct * multiple.value * dasar)
        arithmetic = f"{format_percent(loss)} × {format_percent(pct)} × {multiple.value} × {rp(dasar)}"
        code = "jkk.partial_functional"
    return BenefitResult("jkk_disability_partial", day,
                         (*lines, Component.of(code, amount, arithmetic, multiple)), dasar)


def jkk_stmb(day: dt.date, *, months: int, already: int = 0, income: Rupiah | None = None,
             base: Rupiah | None = None, params: ParameterSet | None = None) -> BenefitResult:
    """Temporary incapacity over ``months`` months, by the schedule in force on the accident date.

    ``already``: months of the same incapacity claimed before (a case claimed period by period), so
    that this period starts where the last one ended: after 12 months at 100%, at 50%."""
    params = params or default_parameters()
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise InvalidInput("months", months)
    if isinstance(already, bool) or not isinstance(already, int) or already < 0:
        raise InvalidInput("months", already)
    dasar, lines = _base(day, income, base, params)
    source = params.at("jkk.stmb_schedule", day)
    schedule: tuple[Step, ...] = source.value
    skip, left = already, months
    components = list(lines)
    for i, step in enumerate(schedule, start=1):
        span = None if step.months is None else step.months
        if span is not None and skip >= span:
            skip -= span
            continue
        room = None if span is None else span - skip
        skip = 0
        n = left if room is None else min(left, room)
        if n <= 0:
            break
        monthly = apply_rate(dasar, step.rate)
        components.append(Component.of(f"jkk.stmb.{i}", n * monthly,
                                       f"{n} × {format_percent(step.rate)} × {rp(dasar)}", source))
        left -= n
    return BenefitResult("jkk_stmb", day, tuple(components), dasar)


def jkk_transport(day: dt.date, costs: Mapping[str, Rupiah], *, params: ParameterSet | None = None
                  ) -> BenefitResult:
    """Actual transport cost per mode used, each capped by that mode's cap."""
    params = params or default_parameters()
    source = params.at("jkk.transport_caps", day)
    caps: dict[str, int | None] = source.value
    components = []
    for mode, cost in costs.items():
        if mode not in caps:
            raise InvalidInput("transport_mode", mode, known=", ".join(caps))
        if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
            raise InvalidInput("amount", cost)
        cap = caps[mode]
        if cap is None:
            components.append(Component.of(f"jkk.transport.{mode}", cost, rp(cost), source))
        else:
            components.append(Component.of(f"jkk.transport.{mode}", min(cost, cap),
                                           f"min({rp(cost)}, {rp(cap)})", source))
    return BenefitResult("jkk_transport", day, tuple(components))


def jkk_home_care(day: dt.date, *, cost: Rupiah, months: int, params: ParameterSet | None = None
                  ) -> BenefitResult:
    """Home care: the actual cost of at most the maximum months, capped."""
    params = params or default_parameters()
    cap = params.at("jkk.home_care_cap", day)
    longest = params.at("jkk.home_care_max_months", day)
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        raise InvalidInput("amount", cost)
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise InvalidInput("months", months)
    notes = ("home_care.months_beyond_limit",) if months > longest.value else ()
    return BenefitResult("jkk_home_care", day,
                         (Component.of("jkk.home_care", min(cost, cap.value),
                                       f"min({rp(cost)}, {rp(cap.value)}), ≤ {longest.value} bulan",
                                       cap, longest),), notes=notes)


def jkk_prosthesis(day: dt.date, *, price: Rupiah, params: ParameterSet | None = None) -> BenefitResult:
    """Prostheses and orthoses: the government rehabilitation centre's price plus the markup."""
    params = params or default_parameters()
    if isinstance(price, bool) or not isinstance(price, int) or price < 0:
        raise InvalidInput("amount", price)
    markup = params.at("jkk.prosthesis_markup", day)
    amount = round_rupiah(price * (1 + markup.value))
    return BenefitResult("jkk_prosthesis", day, (Component.of(
        "jkk.prosthesis", amount, f"{rp(price)} + {format_percent(markup.value)}", markup),))


def jkk_medical(day: dt.date, *, cost: Rupiah, params: ParameterSet | None = None) -> BenefitResult:
    """Medical care reimbursed to a facility: the bill as treated, with no cost ceiling."""
    params = params or default_parameters()
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        raise InvalidInput("amount", cost)
    policy = params.at("jkk.medical_care", day)
    return BenefitResult("jkk_medical", day, (Component.of("jkk.medical", cost, rp(cost), policy),))


AIDS = ("dentures", "hearing_aid", "glasses")


def jkk_aid(day: dt.date, kind: str, *, cost: Rupiah, params: ParameterSet | None = None) -> BenefitResult:
    """Dentures, hearing aids, glasses: the cost up to the cap; where the cap is not known (null),
    the actual cost, marked unverified and noted for review."""
    params = params or default_parameters()
    source = params.at("jkk.aid_caps", day)
    caps: dict[str, int | None] = source.value
    if kind not in caps:
        raise InvalidInput("care", kind, known=", ".join(caps))
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        raise InvalidInput("amount", cost)
    cap = caps[kind]
    if cap is None:
        line = Component.of(f"jkk.aid.{kind}", cost, f"{rp(cost)} (batas belum diketahui)", source)
        return BenefitResult("jkk_aid", day, (line,), notes=("aid.cap_unknown",))
    return BenefitResult("jkk_aid", day, (Component.of(f"jkk.aid.{kind}", min(cost, cap),
                                                       f"min({rp(cost)}, {rp(cap)})", source),))
