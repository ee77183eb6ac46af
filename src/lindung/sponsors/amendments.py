"""Addenda: an agreement's quota and budget changed after it was approved.

Sponsors widen a programme (Kadin covers 500 more workers; the regency's budget is raised in the
revised APBD) or narrow it. A draft is simply edited (it has not been approved yet: its approval will
cover the change). An approved or active agreement changes through an amendment: one person proposes
it (the new quota and/or budget, the addendum's document number, the cost estimate for the new quota),
and nothing changes until another person approves it — the rule agreements and bulk imports follow.
The approval re-checks, with the agreement row locked, that the new quota is not below the places
already taken nor the new budget below the rupiah already committed (enrolments may have come since
the proposal); the CHECK constraints on the agreement back this up. One amendment may be pending per
agreement at a time (a partial unique index); the proposer may withdraw it (``reject``). Every step is
audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, InvalidInput, NotFound, StatusError
from lindung.kit.numbers import rupiah_amount
from lindung.rules.money import rp
from lindung.rules.params import ParameterSet
from lindung.sponsors import repository
from lindung.sponsors.models import Agreement, AgreementAmendment
from lindung.sponsors.service import (
    DRAFT_EDITED,
    checked_quota,
    draft_change_detail,
    estimate_for,
    get_agreement,
)

AMENDABLE = ("draft", "approved", "active")
REFERENCE_MAX = 200
"""The longest reference of an addendum (its letter's number and date): the column's width."""


class AmendmentBelowUse(Conflict):
    """The new quota is below the places taken, or the new budget below the rupiah committed."""

    code = "agreement.amend_below_use"
    counts = ("quota", "enrolled")


class AmendmentPending(Conflict):
    code = "agreement.amend_pending"


class AmendmentSelfApproval(Conflict):
    code = "agreement.amend_self_approval"


class AmendmentChanged(Conflict):
    """``amend-approve --number N`` when the addendum waiting is no longer number N (withdrawn, and
    another proposed since the approver read it)."""

    code = "agreement.amend_changed"


class AgreementClosed(StatusError, Conflict):
    """An ended agreement, or a withdrawn draft, takes no amendment."""

    code = "agreement.amend_closed"


@dataclass(frozen=True, slots=True)
class AmendmentView:
    id: int | None
    """None for a draft's edit (no amendment: the change is made at once)."""
    agreement: str
    reference: str | None
    quota_before: int
    quota_after: int
    budget_before: int
    budget_after: int
    estimate_list_price_after: int
    estimate_expected_after: int
    status: str
    """``applied`` (a draft's edit), ``proposed``, ``approved`` or ``rejected``."""
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str | None = None
    decided_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "proposed_at": self.proposed_at.isoformat(timespec="seconds"),
                "decided_at": self.decided_at.isoformat(timespec="seconds") if self.decided_at else None}


def view(a: AgreementAmendment, code: str) -> AmendmentView:
    return AmendmentView(a.id, code, a.reference, a.quota_before, a.quota_after, a.budget_before, a.budget_after,
                         a.estimate_list_price_after, a.estimate_expected_after, a.status, a.proposed_by,
                         a.proposed_at, a.decided_by, a.decided_at)


def _check_use(agreement: Agreement, quota: int, budget: int) -> None:
    if quota < agreement.enrolled_count or budget < agreement.committed_cost:
        raise AmendmentBelowUse(agreement=agreement.code, quota=quota, enrolled=agreement.enrolled_count,
                                budget=rp(budget), committed=rp(agreement.committed_cost))


def amend(session: Session, code: str, *, quota: int | None = None, budget: int | None = None,
          reference: str | None = None, by: str, params: ParameterSet | None = None) -> AmendmentView:
    """Edit a draft at once, or propose an amendment of an approved or active agreement (flushes)."""
    person = audit.normalize_person(by)
    agreement = get_agreement(session, code, for_update=True)
    if agreement.status not in AMENDABLE:
        raise AgreementClosed(agreement=agreement.code, status=agreement.status)
    new_quota = agreement.quota if quota is None else checked_quota(quota)
    new_budget = agreement.budget if budget is None else rupiah_amount(budget, "budget")
    if (new_quota, new_budget) == (agreement.quota, agreement.budget):
        raise InvalidInput("amendment", agreement.code, reason="amend_nothing")
    note = (" ".join(str(reference).split()) or None) if reference is not None else None
    if note is not None and len(note) > REFERENCE_MAX:
        raise InvalidInput("amendment_reference", note[:40] + "…", length=len(note), maximum=REFERENCE_MAX)
    _check_use(agreement, new_quota, new_budget)
    if repository.pending_amendment(session, agreement.id) is not None:
        raise AmendmentPending(agreement=agreement.code)
    before_quota, before_budget = agreement.quota, agreement.budget
    estimate = _estimate(agreement, new_quota, params)
    now = utcnow()
    if agreement.status == "draft":
        _apply(agreement, new_quota, new_budget, estimate)
        session.flush()
        audit.record(session, actor=person, action=DRAFT_EDITED, subject_type="agreement",
                     subject_id=agreement.id, detail=draft_change_detail([
                         ("quota", before_quota, new_quota), ("budget", before_budget, new_budget)]))
        return AmendmentView(None, agreement.code, note, before_quota, new_quota, before_budget, new_budget,
                             estimate[0], estimate[1], "applied", person, now, person, now)
    amendment = AgreementAmendment(
        agreement_id=agreement.id, reference=note, quota_before=before_quota, quota_after=new_quota,
        budget_before=before_budget, budget_after=new_budget, estimate_list_price_after=estimate[0],
        estimate_expected_after=estimate[1], status="proposed", proposed_by=person, proposed_at=now)
    session.add(amendment)
    session.flush()
    audit.record(session, actor=person, action="agreement.amendment_proposed", subject_type="agreement",
                 subject_id=agreement.id, detail=f"amendment {amendment.id}: quota {before_quota} -> {new_quota}, "
                                                 f"budget {before_budget} -> {new_budget}")
    return view(amendment, agreement.code)


def approve(session: Session, code: str, *, by: str, number: int | None = None,
            params: ParameterSet | None = None) -> AmendmentView:
    """Apply the agreement's pending amendment on a second person's word (flushes). With ``number``,
    only that amendment: the approver's word stands for the figures they read, not for another
    proposal made since."""
    person = audit.normalize_person(by)
    agreement = get_agreement(session, code, for_update=True)
    amendment = _pending(session, agreement)
    if number is not None and amendment.id != number:
        raise AmendmentChanged(agreement=agreement.code, number=number, pending=amendment.id,
                               by=amendment.proposed_by)
    if audit.same_person(person, amendment.proposed_by):
        raise AmendmentSelfApproval(agreement=agreement.code, person=person)
    if agreement.status not in AMENDABLE:
        raise AgreementClosed(agreement=agreement.code, status=agreement.status)
    session.refresh(agreement)  # the counters as they are now that the row is held
    _check_use(agreement, amendment.quota_after, amendment.budget_after)
    _apply(agreement, amendment.quota_after, amendment.budget_after, _estimate(agreement, amendment.quota_after,
                                                                               params))
    amendment.status, amendment.decided_by, amendment.decided_at = "approved", person, utcnow()
    session.flush()
    audit.record(session, actor=person, action="agreement.amendment_approved", subject_type="agreement",
                 subject_id=agreement.id, detail=f"amendment {amendment.id} by {amendment.proposed_by}: quota "
                                                 f"{amendment.quota_after}, budget {amendment.budget_after}")
    return view(amendment, agreement.code)


def reject(session: Session, code: str, *, by: str) -> AmendmentView:
    """Turn down the pending amendment (the proposer too: a withdrawal); nothing changes (flushes)."""
    person = audit.normalize_person(by)
    agreement = get_agreement(session, code, for_update=True)
    amendment = _pending(session, agreement)
    amendment.status, amendment.decided_by, amendment.decided_at = "rejected", person, utcnow()
    session.flush()
    audit.record(session, actor=person, action="agreement.amendment_rejected", subject_type="agreement",
                 subject_id=agreement.id, detail=f"amendment {amendment.id} by {amendment.proposed_by}")
    return view(amendment, agreement.code)


def _pending(session: Session, agreement: Agreement) -> AgreementAmendment:
    found = repository.pending_amendment(session, agreement.id)
    if found is None:
        raise NotFound("agreement.amend_none", agreement=agreement.code)
    return found


def _estimate(agreement: Agreement, quota: int, params: ParameterSet | None) -> tuple[int, int]:
    """(list price, expected cost) of the agreement's package for ``quota`` workers."""
    found = estimate_for(agreement, params, quota=quota)
    return found.list_price, found.expected


def _apply(agreement: Agreement, quota: int, budget: int, estimate: tuple[int, int]) -> None:
    agreement.quota, agreement.budget = quota, budget
    agreement.estimate_list_price, agreement.estimate_expected = estimate
