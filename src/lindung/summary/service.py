"""The summary's check: count from scratch and compare with what the services kept (``lindung summary
check``), and rebuild it when they differ (``--repair``). Nothing here is needed in normal work: the
services keep the summary current in the same transaction as their change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.kit.auth import Actor
from lindung.kit.errors import Forbidden
from lindung.summary import cells
from lindung.summary.schemas import SummaryCheck, SummaryDifference


class WholeRegistryOnly(Forbidden):
    """The check reads every sponsor's and region's counts: not for a sponsor's staff or a regional viewer."""

    code = "summary.whole_registry_only"


def _unscoped(by: Actor) -> None:
    if by.scope.sponsor_id is not None or by.scope.region_code is not None:
        raise WholeRegistryOnly(user=by.username)


def check(session: Session, *, by: Actor, repair: bool = False) -> SummaryCheck:
    """Compare the summary with a count from scratch; with ``repair`` (an administrator), rebuild it
    when they differ and compare again."""
    by.require("report.read", *(("user.admin",) if repair else ()))
    _unscoped(by)
    n, found = cells.differences(session)
    repaired = False
    if n and repair:
        cells.rebuild(session)
        audit.record(session, actor=by, action="summary.rebuild", subject_type="summary", subject_id=0,
                     data={"differences": n})
        repaired = True
        after, _rest = cells.differences(session)
        assert after == 0, after
    return SummaryCheck(differences=n, repaired=repaired, rows=[
        SummaryDifference(month=d.key[0], facet=d.key[1], desa=d.key[2], sponsor_id=d.key[3], value=d.key[4],
                          stored=list(d.stored) if d.stored else None, counted=list(d.counted) if d.counted else None)
        for d in found])
