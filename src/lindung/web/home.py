"""The home page: what waits for the signed-in person, by what their role lets them do — each a count,
a link to its list and the first few items.

- the branch (officer, supervisor): approvals waiting (a supervisor), claims to approve, import
  proposals, overdue bills, claims past their service level. Workers about to lapse and workers whose
  protection ends are left to the billing lists' own pages: on a PostgreSQL database without fresh
  statistics their candidate queries (``billing.repository.lapse_candidates``,
  ``protection_end_candidates``) take tens of seconds, too long to hold up every sign-in;
- a sponsor's staff: their sponsor's open bills and their workers' claims
  (the services keep them to their sponsor);
- a regional viewer: the figures of their region only (never a name or a NIK);
- an administrator: users, who is locked out, tokens about to expire.

Every block is a read of the service the block's own page uses, asked only when the person's role
grants it; nothing here decides what the services decide.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from lindung.api.deps import ReadSession
from lindung.approvals import service as approvals
from lindung.billing import lists as billing_lists
from lindung.billing import service as billing
from lindung.claims import service as claims
from lindung.enrolment import proposals
from lindung.kit import clock
from lindung.kit.paging import Paged, Window
from lindung.reports import service as reports
from lindung.users import credentials
from lindung.web.context import Page, SignedIn

router = APIRouter()

FIRST = 5
"""How many items of each block the home page shows."""


def _first(paged: Paged[Any]) -> dict[str, Any]:
    return {"total": paged.total, "items": paged.items}


def _listed(rows: list[Any]) -> dict[str, Any]:
    return {"total": len(rows), "items": rows[:FIRST]}


def waiting(page: Page, session: ReadSession) -> dict[str, dict[str, Any]]:
    """Each block the person's role grants, by name: ``{"total": n, "items": [...]}``."""
    by, today, window = page.actor, clock.today(), Window(limit=FIRST)
    scope = by.scope
    blocks: dict[str, dict[str, Any]] = {}
    if by.can("user.admin"):
        blocks["admin"] = {"attention": credentials.attention(session, by=by, now=clock.now())}
        return blocks  # the administrator looks after users; the branch's work is the branch's
    if scope.region_code is not None:  # a regional viewer: their region's figures, nothing else
        if by.can("report.read"):
            blocks["figures"] = {"summary": reports.enrolled(session, by=by, today=today)}
        return blocks
    if scope.unlimited and by.can("agreement.approve"):
        blocks["approvals"] = _first(approvals.awaiting_page(session, by=by, window=window))
    if by.can("claim.approve"):
        blocks["claims_to_approve"] = _listed(claims.list_claims(session, by=by, today=today, status="verified"))
    if by.can("import.approve") or by.can("import.propose"):
        blocks["proposals"] = _first(proposals.listing_page(session, by=by, status="proposed", window=window))
    if by.can("bill.read"):
        if scope.unlimited:
            blocks["overdue_bills"] = _first(billing_lists.overdue_page(session, today, window, by=by))
        else:
            blocks["open_bills"] = _first(billing.list_bills(session, window, by=by, status="open"))
    if by.can("claim.read"):
        if scope.unlimited:
            blocks["claims_overdue"] = _listed(claims.list_claims(session, by=by, today=today, overdue=True))
        else:
            blocks["claims"] = _listed(claims.list_claims(session, by=by, today=today))
    if by.can("report.read"):
        blocks["figures"] = {"summary": reports.enrolled(session, by=by, today=today)}
    return blocks


@router.get("/", response_class=HTMLResponse)
def home(page: SignedIn, session: ReadSession) -> Response:
    return page.render("web/home.html", heading=page.t("page.home.title"), blocks=waiting(page, session))
