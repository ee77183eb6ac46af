"""Reports: how many workers are covered where, for whoever may read figures (``report.read``).

A regional government viewer (Disnaker) reads the figures of its own region only, never people: any
count under ``SMALL_COUNT`` is withheld (``None``, said "<5"), so that nobody can be singled out of a
small kecamatan. A sponsor's staff count their own sponsor's enrolments; the branch counts all.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from lindung.kit.auth import Actor, OutOfScope
from lindung.regions import repository as regions_repo
from lindung.regions import service as regions
from lindung.reports import repository
from lindung.reports.schemas import EnrolledCount, EnrolledSummary
from lindung.rules.period import Month

SMALL_COUNT = 5
"""Counts below this are withheld from a regional viewer (a privacy rule of ours, not the law)."""


def enrolled(session: Session, *, by: Actor, today: dt.date, region: str | None = None,
             month: Month | None = None) -> EnrolledSummary:
    """Workers enrolled under an agreement in force for ``month`` (default: this month), by kecamatan of
    domicile and occupation, within ``region`` (a code of any level; a regional viewer: their region,
    or a part of it)."""
    by.require("report.read")
    wanted = regions.resolve(session, region).code if region is not None else None
    own = by.scope.region_code
    if own is not None:
        if wanted is None:
            wanted = own
        elif not regions.contains(own, wanted):
            raise OutOfScope(user=by.username, what=wanted)
    at = month or Month.of(today)
    counted = repository.enrolled_by_kecamatan_and_occupation(session, month=at.index, region=wanted,
                                                              scope=by.scope)
    small = SMALL_COUNT if own is not None else None
    names = {code: (found.name if (found := regions_repo.get(session, code)) is not None else None)
             for code in {k for k, _o, _n in counted}}

    def shown(n: int) -> int | None:
        return None if small is not None and n < small else n

    total = sum(n for _k, _o, n in counted)
    return EnrolledSummary(month=at, region=wanted, total=shown(total) if counted else 0, suppressed_below=small,
                           rows=[EnrolledCount(kecamatan=k, kecamatan_name=names[k], occupation=o, workers=shown(n))
                                 for k, o, n in counted])
