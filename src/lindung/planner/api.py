"""The budget planner over HTTP (``POST /api/v1/planner``): the service of ``lindung plan`` and of the
``/rencana`` page, the same answer as ``lindung plan --json``. Pure rules, no personal data; a token
with ``plan.use`` (officers, supervisors, sponsors' staff, regional viewers)."""

from __future__ import annotations

from fastapi import APIRouter

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import Lang
from lindung.planner import service
from lindung.planner.schemas import PlanRequest, PlanView

router = APIRouter(tags=["planner"])


@router.post("/planner", dependencies=[requires("plan.use")],
             summary="What a budget buys (or what workers cost) over a period, month by month")
def plan(body: PlanRequest, by: CurrentUser, lang: Lang) -> PlanView:
    return service.plan(body, by=by, lang=lang)
