"""The region list and the occupation catalogue over HTTP (``/api/v1/regions``,
``/api/v1/occupations``): the services of ``lindung region find`` and of the registry's catalogue.

Both are public reference data; any signed-in user reads them (every role holds ``worker.read`` or
``report.read``, and a regional viewer names the areas of their figures with the list)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from lindung.api.auth import requires
from lindung.api.deps import ReadSession
from lindung.api.paging import Page, PageWindow
from lindung.regions import service as regions
from lindung.regions.schemas import RegionRead, VillageFound
from lindung.workers import service as workers
from lindung.workers.schemas import OccupationRead

router = APIRouter(tags=["regions"])


@router.get("/regions", dependencies=[requires()],
            summary="Desa/kelurahan a name may mean ('Sukamurni, Sukakarya'), by code")
def find_villages(session: ReadSession, window: PageWindow,
                  q: Annotated[str, Query(min_length=1, max_length=200,
                                          description="A desa's name, optionally ', kecamatan[, kabupaten/kota]'")],
                  ) -> Page[VillageFound]:
    return Page[VillageFound].of(regions.search_villages(session, q, window))


@router.get("/regions/{code}", dependencies=[requires()],
            summary="A region (code dotted or not) with its parents and children")
def region(session: ReadSession,
           code: Annotated[str, Path(max_length=20, description="32.16.01.2001 or 3216012001")]) -> RegionRead:
    return regions.region(session, code)


@router.get("/occupations", dependencies=[requires()],
            summary="The occupation catalogue: both labels and the transport flag")
def occupations(session: ReadSession) -> list[OccupationRead]:
    return workers.occupation_catalogue(session)
