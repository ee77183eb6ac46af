"""What waits for a second person over HTTP (``/api/v1/approvals``): the service of ``lindung approvals``,
the same items as its ``--json``. For the branch: a sponsor's staff are refused (it names every sponsor's
drafts)."""

from __future__ import annotations

from fastapi import APIRouter

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession
from lindung.api.paging import Page, PageWindow
from lindung.approvals import service as approvals
from lindung.approvals.service import Waiting

router = APIRouter(tags=["approvals"])


@router.get("/approvals", dependencies=[requires("agreement.read", unscoped="approvals")],
            summary="Drafts, addenda and imports awaiting a second person, oldest first")
def awaiting(session: DbSession, by: CurrentUser, window: PageWindow) -> Page[Waiting]:
    return Page[Waiting].of(approvals.awaiting_page(session, by=by, window=window))
