"""Figures over HTTP (``GET /api/v1/reports/enrolled``): the service of ``lindung report enrolled``,
the same answer as its ``--json``.

Aggregates only, never a name or a NIK. A regional viewer reads their own region (or a part of it),
with counts under 5 withheld; another region is refused (403 ``auth.out_of_scope``: the region's
existence is public, its figures are not theirs). A sponsor's staff count their own sponsor's
enrolments.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession
from lindung.kit import clock
from lindung.reports import service
from lindung.reports.schemas import EnrolledSummary
from lindung.rules.period import Month

router = APIRouter(tags=["reports"])


@router.get("/reports/enrolled", dependencies=[requires("report.read")],
            summary="Workers enrolled, by kecamatan and occupation (figures only)")
def enrolled(
    session: DbSession, by: CurrentUser,
    region: Annotated[str | None, Query(max_length=20, description="A Kemendagri code of any level: 32.16")] = None,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (default: this month)")]
    = None,
) -> EnrolledSummary:
    return service.enrolled(session, by=by, today=clock.today(), region=region,
                            month=Month.parse(month) if month is not None else None)
