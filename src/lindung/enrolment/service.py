"""Enrolling a worker under an agreement, with every invariant checked inside the transaction.

A worker is covered from ``first`` to the agreement's last month. The use case:

1. the agreement must be approved or active, and its period not over; the worker must not have a
   recorded death;
2. on PostgreSQL the agreement row is locked, then the ``enrolments`` table in ``ROW EXCLUSIVE``
   mode (so that no bulk import can check and insert around this enrolment), then the worker's row
   (``FOR UPDATE``); SQLite's ``BEGIN IMMEDIATE`` serialises all writers. Then no active enrolment
   of that worker may share a month with the new span: the same agreement is ``AlreadyEnrolled``,
   another one is ``OverlappingEnrolment`` naming it. On PostgreSQL a trigger backs this up
   (``enrolment.models``);
3. the worker must be in the target group (occupations, regions) when the agreement has one;
4. the span's cost comes from ``monthly_price_table`` for the worker's sector and is committed: one
   conditional UPDATE adds the worker and the cost to the agreement's counters only if they stay
   within quota and budget (CHECK constraints back this up), else ``QuotaExceeded`` /
   ``BudgetExceeded``;
5. the enrolment row keeps the inputs: occupation, sector and committed cost as they were.

The first month follows the parameter coverage.sponsored_start_policy: a cohort starts at the
agreement's start month; a worker added later starts in the month the enrolment is accepted.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.enrolment import repository
from lindung.enrolment.errors import (
    AgreementNotOpen,
    AgreementPeriodOver,
    AlreadyEnrolled,
    BudgetExceeded,
    NotTargeted,
    OverlappingEnrolment,
    QuotaExceeded,
    WorkerDeceased,
)
from lindung.enrolment.models import Enrolment
from lindung.enrolment.schemas import AgreementUse, Enrolled
from lindung.kit.auth import Actor
from lindung.kit.errors import InvalidInput, ParameterError
from lindung.kit.privacy import mask_nik
from lindung.regions.service import contains
from lindung.rules.contributions import OTHER, TRANSPORT, monthly_price_table
from lindung.rules.params import ParameterSet, default_parameters
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import OPEN_STATUSES, Agreement
from lindung.summary import cells
from lindung.summary.cells import Touched
from lindung.workers import repository as workers_repo
from lindung.workers import service as workers
from lindung.workers.models import Worker

START_POLICY = "coverage.sponsored_start_policy"


def default_first_month(agreement: Agreement, today: dt.date, params: ParameterSet | None = None) -> Month:
    """Where a worker enrolled ``today`` starts, by the sponsored-start policy in force."""
    policy = (params or default_parameters()).at(START_POLICY, today).value
    start = Month.from_index(agreement.start_month)
    if policy == "agreement_start_or_acceptance_month":
        return max(start, Month.of(today))
    raise ParameterError("coverage/sponsored_start_policy.yaml", "value", f"unknown policy {policy!r}")


def span_costs(agreement: Agreement, first: Month, params: ParameterSet | None = None) -> dict[str, int]:
    """The contribution of the span ``first`` .. the agreement's last month, per sector.

    What set-based enrolment joins against: two numbers instead of one rule call per worker-month.
    """
    count = agreement.end_month - first.index + 1
    if count < 1:
        return {TRANSPORT: 0, OTHER: 0}
    if params is None:
        return dict(_default_span_costs(first.index, count, agreement.base, agreement.funding_code,
                                        agreement.jht))
    return _span_costs(first, count, agreement.base, agreement.funding_code, agreement.jht, params)


def _span_costs(first: Month, count: int, base: int, funding: str, jht: bool,
                params: ParameterSet | None) -> dict[str, int]:
    table = monthly_price_table(first, count, base=base, funding=funding, jht=jht, params=params)
    out = {TRANSPORT: 0, OTHER: 0}
    for (_month, sector), price in table.items():
        out[sector] += price
    return out


def kept_cost(agreement: Agreement, first: int, last: int, sector: str, params: ParameterSet | None = None) -> int:
    """What an enrolment from month index ``first`` to ``last`` commits under the agreement's package
    (the part an enrolment cut short keeps)."""
    count = last - first + 1
    if count < 1:
        return 0
    table = monthly_price_table(Month.from_index(first), count, base=agreement.base,
                                funding=agreement.funding_code, jht=agreement.jht, params=params)
    return sum(price for (_month, s), price in table.items() if s == sector)


@lru_cache(maxsize=256)
def _default_span_costs(first: int, count: int, base: int, funding: str, jht: bool
                        ) -> tuple[tuple[str, int], ...]:
    """Memo of ``_span_costs`` under the default (packaged, immutable) parameters."""
    return tuple(_span_costs(Month.from_index(first), count, base, funding, jht, None).items())


def check_targets(session: Session, agreement: Agreement, worker: Worker) -> None:
    occupations = [t.occupation_code for t in agreement.target_occupations]
    if occupations and worker.occupation_code not in occupations:
        raise NotTargeted("enrolment.not_targeted_occupation", agreement=agreement.code,
                          nik=mask_nik(worker.nik), value=worker.occupation_code,
                          allowed=", ".join(occupations))
    areas = [t.region_code for t in agreement.target_regions]
    if areas and not any(contains(a, worker.domicile_code) for a in areas):
        raise NotTargeted("enrolment.not_targeted_region", agreement=agreement.code,
                          nik=mask_nik(worker.nik), value=worker.domicile_code, allowed=", ".join(areas))


def enrol(session: Session, nik: str, agreement_code: str, *, by: Actor, today: dt.date,
          first: Month | None = None, source: str | None = None,
          params: ParameterSet | None = None) -> Enrolled:
    """Enrol one worker (flushes; the caller's unit of work commits): the span, its cost and the
    agreement's use after it, the NIK masked. ``source`` names the door (``cli``)."""
    by.require("worker.write")
    agreement = sponsors.get_agreement(session, agreement_code, for_update=True, scope=by.scope)
    if agreement.status not in OPEN_STATUSES:
        raise AgreementNotOpen(agreement=agreement.code, status=agreement.status)
    worker = workers.get(session, nik, today=today)
    repository.lock_for_enrolment(session)
    workers_repo.lock(session, worker.id)
    died = workers_repo.died_on(session, worker.id)
    if died is not None:
        raise WorkerDeceased(nik=mask_nik(worker.nik), died_on=died.isoformat())
    start, end = Month.from_index(agreement.start_month), Month.from_index(agreement.end_month)
    if first is None:
        first = default_first_month(agreement, today, params)
        if first > end:
            raise AgreementPeriodOver(agreement=agreement.code, end=str(end))
    elif not start <= first <= end:
        raise InvalidInput("from", str(first), reason="month_outside", start=str(start), end=str(end))
    check_targets(session, agreement, worker)
    _refuse_overlap(session, agreement, worker, first.index, end.index)

    occupation = workers_repo.occupation(session, worker.occupation_code)
    sector = TRANSPORT if occupation is not None and occupation.transport else OTHER
    cost = span_costs(agreement, first, params)[sector]
    if not repository.reserve(session, agreement.id, workers=1, cost=cost):
        status, enrolled, quota, committed, budget = repository.counters(session, agreement.id)
        if status not in OPEN_STATUSES:
            raise AgreementNotOpen(agreement=agreement.code, status=status)
        if enrolled + 1 > quota:
            raise QuotaExceeded(agreement=agreement.code, quota=quota, enrolled=enrolled)
        raise BudgetExceeded(agreement=agreement.code, budget=budget, committed=committed, cost=cost,
                                 left=budget - committed)
    enrolment = Enrolment(
        worker_id=worker.id, agreement_id=agreement.id, first_month=first.index, last_month=end.index,
        occupation_code=worker.occupation_code, sector=sector, committed_cost=cost, status="active",
        provenance_id=audit.provenance(session, actor=by, source=source).id)
    try:
        with session.begin_nested():
            session.add(enrolment)
        cells.add(session, Touched.enrolments([enrolment.id]))
    except IntegrityError:
        # Only reachable when another path enrolled the worker without the locks; the PostgreSQL
        # overlap trigger caught it.
        _refuse_overlap(session, agreement, worker, first.index, end.index)
        raise
    session.expire(agreement, ["enrolled_count", "committed_cost", "status"])
    use = AgreementUse(enrolled=agreement.enrolled_count, quota=agreement.quota, committed=agreement.committed_cost,
                       budget=agreement.budget)
    return Enrolled.model_validate({"nik": mask_nik(worker.nik), "agreement": agreement.code, "from": first, "to": end,
                                    "sector": sector, "committed_cost": cost, "agreement_use": use})


def _refuse_overlap(session: Session, agreement: Agreement, worker: Worker, first: int, last: int) -> None:
    overlaps = repository.overlapping(session, worker.id, first, last)
    if not overlaps:
        return
    existing, code = overlaps[0]
    months = {"from": str(Month.from_index(existing.first_month)),
              "to": str(Month.from_index(existing.last_month))}
    if existing.agreement_id == agreement.id:
        raise AlreadyEnrolled(agreement=code, nik=mask_nik(worker.nik), **months)
    raise OverlappingEnrolment(agreement=code, nik=mask_nik(worker.nik), wanted=agreement.code, **months)
