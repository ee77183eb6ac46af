"""SQL for a sponsor's impact report: set-based counts and sums over the sponsor's agreements, never a
row of a person (no name, no NIK leaves this module).

"Paid lines" are the live (``void_seq = 0``) contribution lines with ``status = 'paid'`` of the
agreements' enrolments, for the months of the period; a worker is *protected* in a month when such a
line exists for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, extract, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from lindung.billing.models import ContributionLine, Payment
from lindung.claims.models import Claim, ClaimPayment, ScholarshipChild
from lindung.enrolment.models import Enrolment
from lindung.insight.models import CoverageTarget
from lindung.regions.models import Region
from lindung.sponsors.models import Agreement
from lindung.workers.models import Worker

KECAMATAN_CODE_LENGTH = len("32.16.01")
COUNTED_STATUSES = ("approved", "active", "ended")
"""Agreements that count: approved once, whatever came after (a draft or a withdrawn one bought nothing)."""


def agreements(session: Session, sponsor_id: int, first: int, last: int) -> list[tuple[int, str, int, int]]:
    """(id, code, quota, budget) of the sponsor's agreements overlapping months ``first`` .. ``last``."""
    query = (select(Agreement.id, Agreement.code, Agreement.quota, Agreement.budget)
             .where(Agreement.sponsor_id == sponsor_id, Agreement.status.in_(COUNTED_STATUSES),
                    Agreement.start_month <= last, Agreement.end_month >= first)
             .order_by(Agreement.code))
    return [(int(i), str(c), int(q), int(b)) for i, c, q, b in session.execute(query)]


def _paid_lines(ids: Sequence[int], first: int, last: int) -> Select[int, int, int]:
    """(worker_id, month, enrolment_id) of the paid live lines of the agreements ``ids`` in the months."""
    return (select(ContributionLine.worker_id, ContributionLine.month, ContributionLine.enrolment_id)
            .join(Enrolment, Enrolment.id == ContributionLine.enrolment_id)
            .where(Enrolment.agreement_id.in_(ids), ContributionLine.void_seq == 0,
                   ContributionLine.status == "paid", ContributionLine.month >= first,
                   ContributionLine.month <= last))


def protected_workers(session: Session, ids: Sequence[int], first: int, last: int) -> tuple[int, int]:
    """(distinct workers, worker-months) of the paid live lines in the period."""
    lines = _paid_lines(ids, first, last).subquery()
    row = session.execute(select(func.count(func.distinct(lines.c.worker_id)), func.count())).one()
    return int(row[0]), int(row[1])


def per_worker(ids: Sequence[int], first: int, last: int) -> Select[Any]:
    """One row per worker protected in the period: (worker_id, occupation, domicile desa, sex). The
    occupation is the one of the enrolment of the worker's latest paid month in the period (a worker
    who changed occupation counts once, in the newer)."""
    lines = _paid_lines(ids, first, last).subquery()
    latest = (select(lines.c.worker_id, func.max(lines.c.month).label("month"))
              .group_by(lines.c.worker_id).subquery())
    return (select(latest.c.worker_id, Enrolment.occupation_code.label("occupation"),
                   Worker.domicile_code.label("desa"), Worker.sex.label("sex"))
            .join(ContributionLine, and_(ContributionLine.worker_id == latest.c.worker_id,
                                         ContributionLine.month == latest.c.month, ContributionLine.void_seq == 0))
            .join(Enrolment, Enrolment.id == ContributionLine.enrolment_id)
            .join(Worker, Worker.id == latest.c.worker_id))


def counted_by(session: Session, ids: Sequence[int], first: int, last: int, what: str
               ) -> list[tuple[str, str | None, int]]:
    """(code, region name or None, workers) of the workers protected in the period, by ``what``:
    ``occupation``, ``sex``, ``desa`` or ``kecamatan`` (of domicile, named from the regions table);
    most workers first, then by code."""
    rows = per_worker(ids, first, last).subquery()
    key: ColumnElement[str] = func.substr(rows.c.desa, 1, KECAMATAN_CODE_LENGTH) if what == "kecamatan" \
        else rows.c[what]
    n = func.count(rows.c.worker_id)
    counted = select(key.label("code"), n.label("n")).group_by(key).subquery()
    if what not in ("desa", "kecamatan"):
        plain = select(counted.c.code, counted.c.n).order_by(counted.c.n.desc(), counted.c.code)
        return [(str(c), None, int(k)) for c, k in session.execute(plain)]
    named = (select(counted.c.code, Region.name, counted.c.n)
             .outerjoin(Region, Region.code == counted.c.code)
             .order_by(counted.c.n.desc(), counted.c.code))
    return [(str(c), None if name is None else str(name), int(k)) for c, name, k in session.execute(named)]


def enrolled_at(session: Session, ids: Sequence[int], month: int) -> int:
    """Distinct workers with an active enrolment of the agreements covering ``month``."""
    query = select(func.count(func.distinct(Enrolment.worker_id))).where(
        Enrolment.agreement_id.in_(ids), Enrolment.status == "active", Enrolment.first_month <= month,
        Enrolment.last_month >= month)
    return int(session.execute(query).scalar_one())


def paid_in(session: Session, ids: Sequence[int], start: dt.date, end: dt.date) -> int:
    """Rupiah of the payments of the agreements with ``paid_on`` in ``start`` .. ``end``."""
    query = select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.agreement_id.in_(ids), Payment.paid_on >= start, Payment.paid_on <= end)
    return int(session.execute(query).scalar_one())


def monthly(session: Session, ids: Sequence[int], first: int, last: int, start: dt.date, end: dt.date
            ) -> tuple[dict[int, int], dict[int, int]]:
    """({month: workers protected}, {month: rupiah paid}) for the months of the period that have any."""
    lines = _paid_lines(ids, first, last).subquery()
    workers = {int(m): int(n) for m, n in session.execute(
        select(lines.c.month, func.count(func.distinct(lines.c.worker_id))).group_by(lines.c.month))}
    month = extract("year", Payment.paid_on) * 12 + extract("month", Payment.paid_on) - 1
    paid = {int(m): int(n) for m, n in session.execute(
        select(month, func.sum(Payment.amount))
        .where(Payment.agreement_id.in_(ids), Payment.paid_on >= start, Payment.paid_on <= end)
        .group_by(month))}
    return workers, paid


def _paid_claims(ids: Sequence[int], start: dt.date, end: dt.date) -> Select[int, int, str, int, int]:
    """(claim id, worker id, type, amount paid, scholarship this year) of the agreements' claims paid
    in the period."""
    return (select(Claim.id, Claim.worker_id, Claim.type, ClaimPayment.amount, Claim.scholarship_this_year)
            .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
            .where(Claim.agreement_id.in_(ids), ClaimPayment.paid_on >= start, ClaimPayment.paid_on <= end))


def claims_paid(session: Session, ids: Sequence[int], start: dt.date, end: dt.date
                ) -> tuple[int, int, int, int, int]:
    """(claims, families, rupiah paid, scholarship children, scholarships' rupiah this year)."""
    paid = _paid_claims(ids, start, end).subquery()
    claims, families, amount, scholarships = session.execute(
        select(func.count(), func.count(func.distinct(paid.c.worker_id)),
               func.coalesce(func.sum(paid.c.amount), 0),
               func.coalesce(func.sum(paid.c.scholarship_this_year), 0))).one()
    children = session.execute(select(func.count(ScholarshipChild.id)).where(
        ScholarshipChild.claim_id.in_(select(paid.c.id)))).scalar_one()
    return int(claims), int(families), int(amount), int(children), int(scholarships)


def claims_by_type(session: Session, ids: Sequence[int], start: dt.date, end: dt.date) -> list[tuple[str, int]]:
    paid = _paid_claims(ids, start, end).subquery()
    query = select(paid.c.type, func.count()).group_by(paid.c.type).order_by(func.count().desc(), paid.c.type)
    return [(str(k), int(n)) for k, n in session.execute(query)]


def target_shares(session: Session, ids: Sequence[int], first: int, last: int, year: int
                  ) -> list[tuple[str, str | None, str | None, int, int]]:
    """(region, its name, occupation or None, target workers, the sponsor's workers protected in the
    period that the target counts) for each coverage target of ``year`` of a region where at least one
    of those workers lives."""
    rows = per_worker(ids, first, last).subquery()
    inside = or_(rows.c.desa == CoverageTarget.region_code,
                 rows.c.desa.startswith(CoverageTarget.region_code.concat(".")))
    of_occupation = or_(CoverageTarget.occupation_code.is_(None), CoverageTarget.occupation_code == rows.c.occupation)
    query = (select(CoverageTarget.region_code, Region.name, CoverageTarget.occupation_code, CoverageTarget.workers,
                    func.count(rows.c.worker_id))
             .join(rows, and_(inside, of_occupation))
             .outerjoin(Region, Region.code == CoverageTarget.region_code)
             .where(CoverageTarget.year == year)
             .group_by(CoverageTarget.id, CoverageTarget.region_code, Region.name, CoverageTarget.occupation_code,
                       CoverageTarget.workers)
             .order_by(CoverageTarget.region_code, CoverageTarget.occupation_key))
    return [(str(r), None if name is None else str(name), None if o is None else str(o), int(w), int(n))
            for r, name, o, w, n in session.execute(query)]
