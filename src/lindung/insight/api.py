"""The dashboard and coverage targets over HTTP: ``GET /api/v1/dashboard`` (the service of the
``/dasbor`` page and ``lindung report dashboard --json``), ``GET/PUT/DELETE /api/v1/targets``.

Aggregates only. A regional viewer reads their own region (or a part of it), counts under 5 withheld;
a sponsor's staff their own sponsor's figures. The reads use the request's one session (``DbSession``,
which the token's check uses too): a second, read-only session would hold a second connection per
request, and twenty clients at once emptied the pool (measured: 500s after the pool's 30 s timeout)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession
from lindung.insight import service, targets
from lindung.insight.schemas import Dashboard, TargetRead, TargetSet
from lindung.kit import clock

router = APIRouter(tags=["insight"])

Region = Annotated[str | None, Query(max_length=20, description="A Kemendagri code of any level: 32.16")]
SponsorCode = Annotated[str | None, Query(max_length=32, description="A sponsor's code (branch roles)")]


@router.get("/dashboard", dependencies=[requires("report.read")],
            summary="Coverage against targets, month by month, agreements, bills and claims (figures only)")
def dashboard(session: DbSession, by: CurrentUser, region: Region = None, sponsor: SponsorCode = None) -> Dashboard:
    return service.dashboard(session, by=by, today=clock.today(), region=region, sponsor=sponsor)


@router.get("/targets", dependencies=[requires("report.read")], summary="Coverage targets")
def list_targets(session: DbSession, by: CurrentUser,
                 year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> list[TargetRead]:
    return targets.list_targets(session, by=by, year=year)


@router.put("/targets", dependencies=[requires("target.write")], summary="Set (or replace) a coverage target")
def set_target(body: TargetSet, session: DbSession, by: CurrentUser) -> TargetRead:
    return targets.set_target(session, body, by=by)


@router.delete("/targets/{year}/{region}", dependencies=[requires("target.write")],
               summary="Remove a coverage target (occupation: a code, or none for every occupation)")
def remove_target(year: int, region: str, session: DbSession, by: CurrentUser,
                  occupation: Annotated[str | None, Query(max_length=40)] = None) -> TargetRead:
    return targets.remove_target(session, year=year, region=region, occupation=occupation, by=by)
