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

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.kit.auth import Actor, same_user
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, InvalidInput, NotFound, StatusError
from lindung.kit.numbers import rupiah_amount
from lindung.rules.params import ParameterSet
from lindung.sponsors import repository
from lindung.sponsors.models import Agreement, AgreementAmendment
from lindung.sponsors.schemas import AmendmentRead
from lindung.sponsors.service import (
    amendment_read,
    checked_quota,
    estimate_for,
    get_agreement,
    record_draft_change,
)

AMENDABLE = ("draft", "approved", "active")
REFERENCE_MAX = 200
"""The longest reference of an addendum (its letter's number and date): the column's width."""


class AmendmentBelowUse(Conflict):
    """The new quota is below the places taken, or the new budget below the rupiah committed."""

    code = "agreement.amend_below_use"
    counts = ("quota", "enrolled")
    rupiah = ("budget", "committed")


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


def _check_use(agreement: Agreement, quota: int, budget: int) -> None:
    if quota < agreement.enrolled_count or budget < agreement.committed_cost:
        raise AmendmentBelowUse(agreement=agreement.code, quota=quota, enrolled=agreement.enrolled_count,
                                budget=budget, committed=agreement.committed_cost)


def amend(session: Session, code: str, *, quota: int | None = None, budget: int | None = None,
          reference: str | None = None, by: Actor, params: ParameterSet | None = None) -> AmendmentRead:
    """Edit a draft at once, or propose an amendment of an approved or active agreement (flushes)."""
    by.require("agreement.draft")
    agreement = get_agreement(session, code, for_update=True)
    if agreement.status not in AMENDABLE:
        raise AgreementClosed(agreement=agreement.code, status=agreement.status)
    new_quota = agreement.quota if quota is None else checked_quota(quota)
    new_budget = agreement.budget if budget is None else rupiah_amount(budget, "budget")
    if (new_quota, new_budget) == (agreement.quota, agreement.budget):
        raise InvalidInput("amendment", agreement.code, reason="amend_nothing")
    note = (" ".join(str(reference).split()) or None) if reference is not None else None
    if note is not None and not note.isprintable():
        raise InvalidInput("amendment_reference", note[:40], reason="control_characters")
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
        record_draft_change(session, agreement, [("quota", before_quota, new_quota),
                                                 ("budget", before_budget, new_budget)], by=by)
        return AmendmentRead(id=None, agreement=agreement.code, reference=note, quota_before=before_quota,
                             quota_after=new_quota, budget_before=before_budget, budget_after=new_budget,
                             estimate_list_price_after=estimate[0], estimate_expected_after=estimate[1],
                             status="applied", proposed_by=by.username, proposed_at=now, decided_by=by.username,
                             decided_at=now)
    amendment = AgreementAmendment(
        agreement_id=agreement.id, reference=note, quota_before=before_quota, quota_after=new_quota,
        budget_before=before_budget, budget_after=new_budget, estimate_list_price_after=estimate[0],
        estimate_expected_after=estimate[1], status="proposed", proposed_by=by.username, proposed_by_id=by.user_id,
        proposed_at=now)
    session.add(amendment)
    session.flush()
    audit.record(session, actor=by, action="agreement.amendment_proposed", subject_type="agreement",
                 subject_id=agreement.id, data=_facts(amendment))
    return amendment_read(amendment, agreement.code)


def _facts(amendment: AgreementAmendment) -> dict[str, object]:
    """An addendum as its audit entries state it."""
    return {"number": amendment.id, "quota_before": amendment.quota_before, "quota_after": amendment.quota_after,
            "budget_before": amendment.budget_before, "budget_after": amendment.budget_after,
            "proposed_by": amendment.proposed_by}


def approve(session: Session, code: str, *, by: Actor, number: int | None = None,
            params: ParameterSet | None = None) -> AmendmentRead:
    """Apply the agreement's pending amendment on a second user's word (flushes). With ``number``,
    only that amendment: the approver's word stands for the figures they read, not for another
    proposal made since."""
    by.require("agreement.approve")
    agreement = get_agreement(session, code, for_update=True)
    amendment = _pending(session, agreement)
    if number is not None and amendment.id != number:
        raise AmendmentChanged(agreement=agreement.code, number=number, pending=amendment.id,
                               by=amendment.proposed_by)
    if same_user(by, amendment.proposed_by_id, amendment.proposed_by):
        raise AmendmentSelfApproval(agreement=agreement.code, person=by.username)
    if agreement.status not in AMENDABLE:
        raise AgreementClosed(agreement=agreement.code, status=agreement.status)
    session.refresh(agreement)  # the counters as they are now that the row is held
    _check_use(agreement, amendment.quota_after, amendment.budget_after)
    _apply(agreement, amendment.quota_after, amendment.budget_after, _estimate(agreement, amendment.quota_after,
                                                                               params))
    _decide(amendment, "approved", by)
    session.flush()
    audit.record(session, actor=by, action="agreement.amendment_approved", subject_type="agreement",
                 subject_id=agreement.id, data=_facts(amendment))
    return amendment_read(amendment, agreement.code)


def _decide(amendment: AgreementAmendment, status: str, by: Actor) -> None:
    amendment.status, amendment.decided_at = status, utcnow()
    amendment.decided_by, amendment.decided_by_id = by.username, by.user_id


def reject(session: Session, code: str, *, by: Actor, number: int | None = None) -> AmendmentRead:
    """Turn down the pending amendment (a checker), or withdraw it (its proposer); nothing changes.
    With ``number``, only that amendment (``AmendmentChanged`` when another is the one waiting)."""
    agreement = get_agreement(session, code, for_update=True)
    amendment = _pending(session, agreement)
    if number is not None and amendment.id != number:
        raise AmendmentChanged(agreement=agreement.code, number=number, pending=amendment.id,
                               by=amendment.proposed_by)
    by.require("agreement.draft" if same_user(by, amendment.proposed_by_id, amendment.proposed_by)
               else "agreement.approve")
    _decide(amendment, "rejected", by)
    session.flush()
    audit.record(session, actor=by, action="agreement.amendment_rejected", subject_type="agreement",
                 subject_id=agreement.id, data=_facts(amendment))
    return amendment_read(amendment, agreement.code)


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
