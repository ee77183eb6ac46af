"""A sponsor's impact report: what its money bought over a year, as a CSR manager hands it to the
board (``report.read``). Figures only, never a name or a NIK.

- A sponsor's staff read their own sponsor's report (another sponsor is *not found*); the branch's
  roles any sponsor's; a regional viewer is refused (a sponsor's report is not a region's figure).
- The period is a calendar year, January to December; "now" (enrolled now, protected now) is this
  month, or December when the year is over, or January when it has not begun.
- The agreements counted are the sponsor's approved ones (active or ended since) that overlap the
  period; their quotas and budgets add up.
- Workers protected: distinct workers with a paid live contribution line for a month of the period;
  by occupation (of the enrolment of their latest paid month), by kecamatan and desa of domicile, by
  sex. Worker-months: those lines. Rupiah paid: the payments with their ``paid_on`` in the period.
  Cost per worker-month: paid ÷ worker-months, whole rupiah half up (``rules.money``).
- Families helped: the agreements' claims paid in the period (``claim_payments.paid_on``), the
  distinct workers they were for, the rupiah paid, the scholarship children and this year's amounts.
- Coverage targets (``coverage_targets`` of the year) of the regions the sponsor's protected workers
  live in, each with the number of those workers it counts (of its occupation, when it names one).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from lindung.insight import impact_repository as repo
from lindung.insight.schemas_impact import ClaimsHelped, Count, Impact, MonthFigures, TargetShare
from lindung.kit.auth import Actor, OutOfScope
from lindung.kit.errors import InvalidInput
from lindung.rules.money import round_rupiah
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors

FIRST_YEAR, LAST_YEAR = 2000, 2100
"""The years a report may ask for (the coverage targets' own bounds)."""


def _period(year: int) -> tuple[Month, Month]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput("year", year)
    return Month(year, 1), Month(year, 12)


def now_month(year: int, today: dt.date) -> Month:
    """The month "now" means in a report of ``year`` read on ``today``."""
    first, last = _period(year)
    return max(first, min(last, Month.of(today)))


def impact(session: Session, sponsor_code: str, *, year: int, by: Actor, today: dt.date) -> Impact:
    """The sponsor's impact in ``year`` (see the module's note for every figure)."""
    by.require("report.read")
    if by.scope.region_code is not None:
        raise OutOfScope(user=by.username, what=sponsor_code)
    first, last = _period(year)
    sponsor = sponsors.get_sponsor(session, sponsor_code, by.scope)
    found = repo.agreements(session, sponsor.id, first.index, last.index)
    ids = [i for i, _c, _q, _b in found]
    start, end = first.first_day(), last.last_day()
    at = now_month(year, today)
    workers, worker_months = repo.protected_workers(session, ids, first.index, last.index)
    paid = repo.paid_in(session, ids, start, end)
    per_month_workers, per_month_paid = repo.monthly(session, ids, first.index, last.index, start, end)
    claims, families, claims_paid, children, scholarships = repo.claims_paid(session, ids, start, end)

    def counts(what: str) -> list[Count]:
        return [Count(code=c, name=n, workers=k) for c, n, k in repo.counted_by(session, ids, first.index,
                                                                                 last.index, what)]

    return Impact(
        sponsor=sponsor.code, sponsor_name=sponsor.name, first=first, last=last, at=at, generated_on=today,
        agreements=[c for _i, c, _q, _b in found],
        workers_protected=workers, by_occupation=counts("occupation"), by_kecamatan=counts("kecamatan"),
        by_desa=counts("desa"), by_sex=counts("sex"),
        worker_months=worker_months, paid=paid, budget=sum(b for _i, _c, _q, b in found),
        cost_per_worker_month=round_rupiah(Decimal(paid) / worker_months) if worker_months else None,
        quota=sum(q for _i, _c, q, _b in found),
        enrolled_now=repo.enrolled_at(session, ids, at.index),
        protected_now=repo.protected_workers(session, ids, at.index, at.index)[0],
        claims=ClaimsHelped(claims=claims, families=families, paid=claims_paid, scholarship_children=children,
                            scholarship_this_year=scholarships,
                            by_type=[Count(code=k, workers=n)
                                     for k, n in repo.claims_by_type(session, ids, start, end)]),
        targets=[TargetShare(region=r, region_name=name, occupation=o, target=w, sponsor_workers=n)
                 for r, name, o, w, n in repo.target_shares(session, ids, first.index, last.index, year)],
        months=[MonthFigures(month=m, workers=per_month_workers.get(m.index, 0), paid=per_month_paid.get(m.index, 0))
                for m in first.span(12)],
    )
