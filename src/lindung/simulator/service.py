"""The simulator: what a package costs and what it pays, for anyone (no user, no database).

The command line (``lindung simulate``) and the API (``/api/v1/simulator``) give it the same requests
and get the same answers: every amount with its arithmetic and legal reference (``rules``), labelled
in the reader's language. Numbers are checked here with the CLI's message codes (a negative income is
``invalid.income``, a child that is no ``LEVEL:YEAR`` is ``invalid.child``), so that both doors
refuse alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import component_label, t
from lindung.kit.numbers import MONTHS_MAX, rupiah_amount, whole_number
from lindung.rules import benefits
from lindung.rules.catalogues import funding_source, occupation
from lindung.rules.contributions import Run, contribution_for_span
from lindung.rules.explain import Component
from lindung.rules.money import rp
from lindung.rules.scholarships import CAUSES, NOT_AT_SCHOOL, Child, ScholarshipResult, scholarships
from lindung.simulator.schemas import (
    BenefitKind,
    BenefitRequest,
    BenefitView,
    ChildLine,
    ComponentLine,
    ContributionRequest,
    ContributionRun,
    ContributionView,
    MonthTotal,
    ScholarshipView,
)

_CHILD = re.compile(r"^\s*([a-zA-Z]+)\s*(?::\s*(\d{1,4}))?\s*$")

BENEFIT_FIELDS: dict[str, frozenset[str]] = {
    "jkm": frozenset({"contribution_months", "children"}),
    "jkk-death": frozenset({"income", "base", "children"}),
    "jkk-disability-total": frozenset({"income", "base", "children"}),
    "jkk-disability-partial": frozenset({"income", "base", "percent", "function_loss"}),
    "jkk-stmb": frozenset({"income", "base", "months"}),
    "scholarship": frozenset({"cause", "contribution_months", "children"}),
}
"""The fields of a ``BenefitRequest`` each kind uses (beside ``date``); another one given is refused,
so that nobody believes a figure took into account what it ignored."""


# --- reading a request ------------------------------------------------------------------------


def parse_child(text: str) -> Child:
    """'sma:3' -> Child('sma', 3); 'belum' -> a child not yet at school. The level and year are checked
    against the rules in force by the benefit (``invalid.level``, ``invalid.level_year``)."""
    m = _CHILD.match(str(text))
    if not m:
        raise InvalidInput("child", text)
    level = m.group(1).lower()
    if level == NOT_AT_SCHOOL:
        return Child(NOT_AT_SCHOOL, 1)
    if m.group(2) is None:
        raise InvalidInput("child", text)
    return Child(level, int(m.group(2)))


def _children(texts: Sequence[str]) -> list[Child]:
    return [parse_child(text) for text in texts]


def _income_or_base(income: int | None, base: int | None) -> tuple[int | None, int | None]:
    """Exactly one of the two, each a whole number of rupiah (a base of 1 or more)."""
    if (income is None) == (base is None):
        raise InvalidInput("income_or_base", "")
    return (None if income is None else rupiah_amount(income, "income"),
            None if base is None else rupiah_amount(base, "base", minimum=1))


def _contribution_months(value: int | None) -> int | None:
    return None if value is None else whole_number(value, "contribution_months", minimum=0, maximum=MONTHS_MAX)


def _only_fields_of(kind: BenefitKind, request: BenefitRequest) -> None:
    given = {name for name in request.model_fields_set if name != "date"}
    given = {name for name in given if getattr(request, name) not in (None, [])}
    extra = sorted(given - BENEFIT_FIELDS[kind])
    if extra:
        raise InvalidInput("benefit_field", extra[0], benefit=kind, used=", ".join(sorted(BENEFIT_FIELDS[kind])))


# --- saying a result --------------------------------------------------------------------------


def _line(c: Component, lang: str) -> ComponentLine:
    return ComponentLine(code=c.code, label=component_label(c.code, lang), amount=c.amount, arithmetic=c.arithmetic,
                         reference=c.reference, verified=c.verified, note=c.note)


def _lines(components: Iterable[Component], lang: str) -> list[ComponentLine]:
    return [_line(c, lang) for c in components]


def aggregate(runs: Sequence[Run]) -> list[Component]:
    """Each component code summed over runs of months: '3 × Rp10.000 + 9 × Rp10.000' (the bracket as
    the first month's, since it is no amount)."""
    order: list[str] = []
    parts: dict[str, list[str]] = {}
    sums: dict[str, int] = {}
    refs: dict[str, list[str]] = {}
    verified: dict[str, bool] = {}
    for run in runs:
        for c in run.each.components:
            if c.code not in sums:
                order.append(c.code)
                sums[c.code], parts[c.code], refs[c.code], verified[c.code] = 0, [], [], True
            if c.code == "bracket":
                if not parts[c.code]:
                    parts[c.code].append(c.arithmetic)
                    sums[c.code] = c.amount
            else:
                sums[c.code] += c.amount * run.months
                parts[c.code].append(f"{run.months} × {rp(c.amount)}" if run.months > 1 else rp(c.amount))
            if c.reference not in refs[c.code]:
                refs[c.code].append(c.reference)
            verified[c.code] = verified[c.code] and c.verified
    return [Component(code, sums[code], " + ".join(parts[code]), "; ".join(refs[code]), verified[code])
            for code in order]


def _scholarship(result: ScholarshipResult, lang: str) -> ScholarshipView:
    return ScholarshipView(
        cause=result.cause, eligible=result.eligible, reason=result.reason,
        reason_text=t(result.reason, lang) if result.reason else None,
        condition=_line(result.condition, lang) if result.condition is not None else None,
        this_year=result.this_year, projected=result.projected,
        children=[ChildLine(child=c.child.label(), level=c.child.level, year=c.child.year, eligible=c.eligible,
                            reason=c.reason, reason_text=t(c.reason, lang) if c.reason else None,
                            this_year=c.this_year, projected=c.projected, components=_lines(c.components, lang))
                  for c in result.children])


def _benefit_view(result: benefits.BenefitResult, lang: str) -> BenefitView:
    shown = result.scholarship
    return BenefitView(benefit=result.kind, date=result.date, base=result.base, total=result.total,
                       components=_lines(result.components, lang), notes=list(result.notes),
                       notes_text=[t(note, lang) for note in result.notes],
                       scholarship_this_year=shown.this_year if shown is not None else None,
                       scholarship_projected=shown.projected if shown is not None else None,
                       scholarship=_scholarship(shown, lang) if shown is not None else None)


# --- the use cases ----------------------------------------------------------------------------


def contribution(request: ContributionRequest, *, lang: str = "id") -> ContributionView:
    """One worker's contribution for ``request.months`` months from ``request.month``: each month's
    lines, runs of months that cost the same, and each line summed over the span."""
    occ = occupation(request.occupation)
    source = funding_source(request.funding)
    income = rupiah_amount(request.income, "income")
    count = whole_number(request.months, "months", minimum=1, maximum=MONTHS_MAX)
    first = request.month
    span = contribution_for_span(first, count, income=income, transport=occ.transport, funding=source.code,
                                 jht=request.jht)
    head = span.months[0]
    return ContributionView(
        total=span.total, months=count, first_month=str(first), last_month=str(first + (count - 1)),
        occupation=occ.code, occupation_label=occ.label(lang), sector=head.sector, funding=source.code,
        funding_label=source.label(lang), jht=request.jht, base=head.base, bracket=head.bracket,
        components=_lines(aggregate(span.runs), lang),
        runs=[ContributionRun(first=str(r.first), last=str(r.last), months=r.months, monthly=r.each.total,
                              total=r.total, components=_lines(r.each.components, lang)) for r in span.runs],
        per_month=[MonthTotal(month=str(m.month), total=m.total) for m in span.months])


def benefit(kind: BenefitKind, request: BenefitRequest, *, lang: str = "id") -> BenefitView:
    """What the law pays for ``kind`` on ``request.date``, each component explained; scholarships for
    the children beside the cash total."""
    if kind not in BENEFIT_FIELDS:
        raise InvalidInput("benefit", kind, known=", ".join(BENEFIT_FIELDS))
    _only_fields_of(kind, request)
    day = request.date
    if kind == "jkm":
        result = benefits.jkm_death(day, contribution_months=_contribution_months(request.contribution_months),
                                    children=_children(request.children))
    elif kind == "jkk-death":
        income, base = _income_or_base(request.income, request.base)
        result = benefits.jkk_death(day, income=income, base=base, children=_children(request.children))
    elif kind == "jkk-disability-total":
        income, base = _income_or_base(request.income, request.base)
        result = benefits.jkk_total_disability(day, income=income, base=base, children=_children(request.children))
    elif kind == "jkk-disability-partial":
        income, base = _income_or_base(request.income, request.base)
        if request.percent is None:
            raise InvalidInput("percent", "")
        result = benefits.jkk_partial_disability(day, percent=request.percent, function_loss=request.function_loss,
                                                 income=income, base=base)
    elif kind == "jkk-stmb":
        months = whole_number(request.months, "months", minimum=1, maximum=MONTHS_MAX)
        income, base = _income_or_base(request.income, request.base)
        result = benefits.jkk_stmb(day, months=months, income=income, base=base)
    else:
        return _scholarship_only(request, lang)
    return _benefit_view(result, lang)


def _scholarship_only(request: BenefitRequest, lang: str) -> BenefitView:
    cause = (request.cause or "").strip().lower()
    if cause not in CAUSES:
        raise InvalidInput("cause", request.cause or "")
    if not request.children:
        raise InvalidInput("child", "")
    result = scholarships(request.date, cause, _children(request.children),
                          contribution_months=_contribution_months(request.contribution_months))
    return BenefitView(benefit="scholarship", date=request.date, base=None, total=0, components=[], notes=[],
                       scholarship_this_year=result.this_year, scholarship_projected=result.projected,
                       scholarship=_scholarship(result, lang))
