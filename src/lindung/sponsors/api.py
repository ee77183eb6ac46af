"""Sponsors, agreements and their addenda over HTTP (``/api/v1/sponsors``, ``/api/v1/agreements``): the
same services as ``lindung sponsor …``, ``lindung agreement …`` and ``lindung billing end-agreement``, the
same schemas as their ``--json``.

A sponsor and an agreement are addressed by their codes, an addendum by its number (``agreement show``
lists them). A sponsor's staff reach their own sponsor and its agreements only: any other answers 404,
as one that does not exist. An agreement's workers are a page cut in SQL, their NIKs masked.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession
from lindung.api.paging import Page, PageWindow
from lindung.billing import ends
from lindung.billing.schemas import AgreementEnded
from lindung.enrolment import roster
from lindung.enrolment.schemas import RosterEntry
from lindung.kit import clock
from lindung.kit.numbers import ID_MAX
from lindung.kit.schemas import MonthText, Schema
from lindung.sponsors import amendments
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import (
    AgreementChanges,
    AgreementCreate,
    AgreementDetail,
    AgreementEdited,
    AgreementRead,
    AmendmentRead,
    SponsorCreate,
    SponsorDetail,
    SponsorRead,
    SponsorUpdate,
    SponsorUpdated,
)

router = APIRouter(tags=["sponsors"])

Code = Annotated[str, Path(min_length=1, max_length=64, description="The code, any case (KADIN-2026)")]
Number = Annotated[int, Path(ge=1, le=ID_MAX, description="The addendum's number (agreement show lists it)")]


class AgreementApproval(Schema):
    version: int | None = None
    """The draft's version the approver read (``version`` of the agreement): refused (409) when the draft
    has changed since. None: whatever it is now."""


class WithdrawalReason(Schema):
    reason: str


class AgreementEnding(Schema):
    last_month: MonthText | None = None
    """The last month the agreement covers, when it covers workers: their enrolments end with it, the
    bills after it are voided and what was paid for them settled. None: it ends unused, at once."""


class AddendumProposal(Schema):
    quota: int | None = None
    budget: int | None = None
    reference: str | None = None
    """The addendum's document number, e.g. 'Adendum I No. 12/PKS/2026'."""


# --- sponsors -------------------------------------------------------------------------------------


@router.get("/sponsors", dependencies=[requires("agreement.read")],
            summary="Sponsors by code (a sponsor's staff: their own)")
def list_sponsors(session: DbSession, by: CurrentUser, window: PageWindow) -> Page[SponsorRead]:
    return Page[SponsorRead].of(sponsors.sponsor_page(session, by=by, window=window))


@router.post("/sponsors", status_code=201, dependencies=[requires("sponsor.write")],
             summary="Add a sponsor")
def add_sponsor(body: SponsorCreate, session: DbSession, by: CurrentUser) -> SponsorRead:
    return sponsors.add_sponsor(session, body, by=by)


@router.get("/sponsors/{code}", dependencies=[requires("agreement.read")],
            summary="A sponsor with its agreements, and quota and budget use over those in force")
def show_sponsor(code: Code, session: DbSession, by: CurrentUser) -> SponsorDetail:
    return sponsors.show_sponsor(session, code, by=by)


@router.patch("/sponsors/{code}", dependencies=[requires("sponsor.write")],
              summary="Correct a sponsor's name, funding source or type (its code stays)")
def update_sponsor(code: Code, body: SponsorUpdate, session: DbSession, by: CurrentUser) -> SponsorUpdated:
    return sponsors.update_sponsor(session, code, body, by=by)


# --- agreements -----------------------------------------------------------------------------------


@router.get("/agreements", dependencies=[requires("agreement.read")],
            summary="Agreements by code, with their quota and budget use")
def list_agreements(
    session: DbSession, by: CurrentUser, window: PageWindow,
    sponsor: Annotated[str | None, Query(max_length=64, description="Only this sponsor's (its code)")] = None,
    status: Annotated[list[str] | None, Query(
        max_length=5, description="Only these statuses: draft, approved, active, ended, withdrawn "
                                  "(or their Indonesian labels); may repeat")] = None,
) -> Page[AgreementRead]:
    return Page[AgreementRead].of(sponsors.agreement_page(session, by=by, window=window, sponsor=sponsor,
                                                          statuses=status or ()))


@router.post("/agreements", status_code=201, dependencies=[requires("agreement.draft")],
             summary="Draft an agreement, with its package and cost estimate")
def draft_agreement(body: AgreementCreate, session: DbSession, by: CurrentUser) -> AgreementDetail:
    return sponsors.draft_agreement(session, body, by=by)


@router.get("/agreements/{code}", dependencies=[requires("agreement.read")],
            summary="An agreement: quota and budget use, estimate, draft version and edits, addenda")
def show_agreement(code: Code, session: DbSession, by: CurrentUser) -> AgreementDetail:
    return sponsors.show_agreement(session, code, by=by)


@router.patch("/agreements/{code}", dependencies=[requires("agreement.draft")],
              summary="Edit a draft (with the version read: refused when it changed since)")
def edit_agreement(code: Code, body: AgreementChanges, session: DbSession, by: CurrentUser) -> AgreementEdited:
    return sponsors.edit_draft(session, code, body, by=by)


@router.post("/agreements/{code}/approve", dependencies=[requires("agreement.approve")],
             summary="Approve a draft (a second person: not whoever drafted or edited it)")
def approve_agreement(code: Code, session: DbSession, by: CurrentUser,
                      body: Annotated[AgreementApproval | None, Body()] = None) -> AgreementDetail:
    return sponsors.approve(session, code, by=by, version=body.version if body else None)


@router.post("/agreements/{code}/activate", dependencies=[requires("agreement.draft")],
             summary="Activate an approved agreement")
def activate_agreement(code: Code, session: DbSession, by: CurrentUser) -> AgreementRead:
    return sponsors.activate(session, code, by=by)


@router.post("/agreements/{code}/withdraw", dependencies=[requires("agreement.draft")],
             summary="Withdraw a draft that will not be approved, with the reason")
def withdraw_agreement(code: Code, body: WithdrawalReason, session: DbSession, by: CurrentUser) -> AgreementDetail:
    return sponsors.withdraw(session, code, reason=body.reason, by=by)


@router.post("/agreements/{code}/end", dependencies=[requires("agreement.draft")],
             summary="End an agreement: unused at once, or after its last month covered (enrolment.end too)")
def end_agreement(code: Code, session: DbSession, by: CurrentUser,
                  body: Annotated[AgreementEnding | None, Body()] = None) -> AgreementEnded:
    return ends.close_agreement(session, code, last_month=body.last_month if body else None, by=by,
                                today=clock.today())


@router.post("/agreements/{code}/addenda", status_code=201, dependencies=[requires("agreement.draft")],
             summary="Propose an addendum (new quota and/or budget); a draft is changed at once")
def propose_addendum(code: Code, body: AddendumProposal, session: DbSession, by: CurrentUser) -> AmendmentRead:
    return amendments.amend(session, code, quota=body.quota, budget=body.budget, reference=body.reference, by=by)


@router.post("/agreements/{code}/addenda/{number}/approve", dependencies=[requires("agreement.approve")],
             summary="Approve the addendum waiting (a second person: not its proposer)")
def approve_addendum(code: Code, number: Number, session: DbSession, by: CurrentUser) -> AmendmentRead:
    return amendments.approve(session, code, number=number, by=by)


@router.post("/agreements/{code}/addenda/{number}/reject", dependencies=[requires("agreement.draft")],
             summary="Turn down the addendum waiting (agreement.approve), or withdraw one's own")
def reject_addendum(code: Code, number: Number, session: DbSession, by: CurrentUser) -> AmendmentRead:
    return amendments.reject(session, code, number=number, by=by)


@router.get("/agreements/{code}/workers", dependencies=[requires("worker.read")],
            summary="The agreement's enrolled workers, in enrolment order (NIKs masked)")
def agreement_workers(
    code: Code, session: DbSession, by: CurrentUser, window: PageWindow,
    status: Annotated[str, Query(max_length=20, description="active (the default), cancelled or all")] = "active",
) -> Page[RosterEntry]:
    return Page[RosterEntry].of(roster.roster_page(session, code, by=by, window=window, status=status))
