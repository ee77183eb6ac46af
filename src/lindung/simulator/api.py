"""The simulator over HTTP (``/api/v1/simulator``): what a package costs and what the law pays, the
same service and answers as ``lindung simulate … --json``.

Open to anyone, without a token: it reads no database and tells nothing of anybody, only the law's
figures (the branch shows them at every socialisation event, and the public page will too).
"""

from __future__ import annotations

from fastapi import APIRouter

from lindung.api.deps import Lang
from lindung.simulator import service
from lindung.simulator.schemas import BenefitKind, BenefitRequest, BenefitView, ContributionRequest, ContributionView

router = APIRouter(tags=["simulator"])


@router.post("/simulator/contribution", summary="What a worker's contribution costs, month by month (public)")
def contribution(body: ContributionRequest, lang: Lang) -> ContributionView:
    return service.contribution(body, lang=lang)


@router.post("/simulator/benefits/{kind}", summary="What the law pays for a death or work accident (public)")
def benefit(kind: BenefitKind, body: BenefitRequest, lang: Lang) -> BenefitView:
    return service.benefit(kind, body, lang=lang)
