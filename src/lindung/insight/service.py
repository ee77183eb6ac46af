"""The dashboard: coverage against targets, enrolments and lapses month by month, agreements' quota and
budget use, bills, claims — for officers and supervisors (everything, or a region or sponsor they pick),
a sponsor's staff (their own sponsor) and a regional viewer (their region, aggregates only).

Every count of workers is a sum of the summary table (``lindung.summary``), whose size does not grow
with the registry; agreements, bills and claims are read from their own tables, which grow with
sponsors and accidents, not with workers. A regional viewer receives no count under ``SMALL_COUNT`` and
no amount summed over fewer people (``None``, shown "<5"), so that nobody can be singled out of a small
desa; bills, which belong to sponsors and not to regions, are not shown to them.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from lindung.insight import repository as repo
from lindung.insight import targets as target_store
from lindung.insight.schemas import (
    AgreementUse,
    BillState,
    ClaimMonth,
    ClaimTimes,
    ClaimType,
    Dashboard,
    Figures,
    MonthFigures,
    TargetProgress,
)
from lindung.kit.auth import Actor, OutOfScope
from lindung.regions import service as regions
from lindung.rules.coverage import arrears_deadline
from lindung.rules.params import ParameterSet, default_parameters
from lindung.rules.period import Month
from lindung.sponsors import repository as sponsors_repo
from lindung.sponsors import service as sponsors

SMALL_COUNT = 5
"""Counts below this are withheld from a regional viewer (a privacy rule of ours, not the law)."""
SERIES_MONTHS = 12
"""How many months the month-by-month figures show, this one included."""

Shown = Callable[[int], int | None]


def _shown_for(by: Actor) -> tuple[Shown, int | None]:
    if by.scope.region_code is None:
        return (lambda n: n), None

    def shown(n: int) -> int | None:
        return None if n < SMALL_COUNT else n
    return shown, SMALL_COUNT


def _region_in_view(session: Session, by: Actor, region: str | None) -> str | None:
    wanted = regions.resolve(session, region).code if region else None
    own = by.scope.region_code
    if own is None:
        return wanted
    if wanted is None:
        return own
    if not regions.contains(own, wanted):
        raise OutOfScope(user=by.username, what=wanted)
    return wanted


def _sponsor_in_view(session: Session, by: Actor, sponsor: str | None) -> tuple[int | None, str | None, str | None]:
    """(id, code, name) of the sponsor whose figures are shown; a sponsor's staff: their own."""
    if by.scope.sponsor_id is not None:
        own = sponsors_repo.sponsor_by_id(session, by.scope.sponsor_id)
        if own is None:
            raise OutOfScope(user=by.username, what=sponsor or "")
        if sponsor and sponsor.strip().upper() != own.code:
            raise OutOfScope(user=by.username, what=sponsor)
        return own.id, own.code, own.name
    if not sponsor:
        return None, None, None
    found = sponsors.get_sponsor(session, sponsor)
    return found.id, found.code, found.name


def dashboard(session: Session, *, by: Actor, today: dt.date, region: str | None = None,
              sponsor: str | None = None, params: ParameterSet | None = None) -> Dashboard:
    """The dashboard for ``today``'s month, within ``region`` (a code of any level) and ``sponsor`` (a code)."""
    by.require("report.read")
    params = params or default_parameters()
    place = _region_in_view(session, by, region)
    sponsor_id, sponsor_code, sponsor_name = _sponsor_in_view(session, by, sponsor)
    shown, small = _shown_for(by)
    now = Month.of(today)
    m = now.index

    def figures(rows: Sequence[tuple[Any, int, int, int, int]], name: Callable[[Any], str | None] = lambda _k: None,
                key: Callable[[Any], str] = str) -> list[Figures]:
        return [Figures(key=key(k), name=name(k), enrolled=shown(e), protected=shown(p), new=shown(n),
                        ending=shown(s)) for k, e, p, n, s in rows]

    def facet(name: str, group: str = "value") -> list[tuple[Any, int, int, int, int]]:
        return repo.facet_sums(session, month=m, facet=name, group=group, region=place, sponsor_id=sponsor_id)

    total_rows = facet("all", "all")
    total = (figures(total_rows)[0] if total_rows
             else Figures(key="", enrolled=0, protected=0, new=0, ending=0))
    kecamatan = facet("all", "kecamatan")
    desa = facet("all", "desa")
    names = repo.names(session, [str(k) for k, *_ in (*kecamatan, *desa)] + ([place] if place else []))
    by_sponsor = facet("all", "sponsor")
    sponsor_names = repo.sponsor_names(session, [int(k) for k, *_ in by_sponsor])

    year_targets = target_store.in_view(session, year=today.year, region=place)
    progress = []
    for t in year_targets:
        protected = repo.protected_in(session, month=m, region=t.region_code, occupation=t.occupation_code,
                                      sponsor_id=sponsor_id)
        progress.append(TargetProgress(year=t.year, region=t.region_code, region_name=t.region_name,
                                       occupation=t.occupation_code, target=t.workers, protected=shown(protected),
                                       percent=round(100 * protected / t.workers, 1)
                                       if shown(protected) is not None else None))
    whole = {t.region_code: t.workers for t in year_targets if t.occupation_code is None}
    by_occupation_target = {t.occupation_code: t.workers for t in year_targets
                            if t.occupation_code is not None and t.region_code == place}

    def with_targets(rows: list[Figures], targets: dict[Any, int]) -> list[Figures]:
        return [r.model_copy(update={"target": targets.get(r.key)}) for r in rows]

    grace: int = params.at("contribution.arrears_grace_months", today).value
    first = now - (SERIES_MONTHS - 1)
    series = repo.series(session, first=(first - 1).index, last=m, region=place, sponsor_id=sponsor_id)
    months = []
    for i in range(SERIES_MONTHS):
        month = first + i
        e, p, n, _s = series.get(month.index, (0, 0, 0, 0))
        before = series.get(month.index - 1, (0, 0, 0, 0))
        final = arrears_deadline(month, grace) < today
        months.append(MonthFigures(month=month, enrolled=shown(e), protected=shown(p), new=shown(n),
                                   lapsed=shown(before[3]) if final else None, final=final))

    viewer = by.scope.region_code is not None
    in_region = repo.sponsors_in(session, month=m, region=place) if place else None
    chosen = [sponsor_id] if sponsor_id is not None else in_region
    agreements = [AgreementUse(agreement=a, sponsor=sc, sponsor_name=sn, status=st, quota=q, enrolled=e, budget=b,
                               committed=c, billed=bl, paid=pd)
                  for a, sc, sn, st, q, e, b, c, bl, pd in repo.agreements_use(session, sponsor_ids=chosen)]
    bills = arrears = None
    if not viewer:
        bills = [BillState(state=s, bills=n, amount=a, outstanding=o)
                 for s, n, a, o in repo.bills_by_state(session, today=today, sponsor_id=sponsor_id)]
        arrears = sum(b.outstanding for b in bills if b.state == "overdue")

    claims = []
    for kind, n, open_, paid, amount in repo.claims_by_type(session, region=place, sponsor_id=sponsor_id):
        claims.append(ClaimType(type=kind, claims=shown(n), in_progress=shown(open_), paid=shown(paid),
                                amount_paid=amount if shown(paid) is not None else None))
    paid_rows = repo.claims_paid(session, since=first.first_day(), region=place, sponsor_id=sponsor_id)
    per_month: dict[int, tuple[int, int]] = {}
    for paid_on, amount, _complete in paid_rows:
        k = Month.of(paid_on).index
        c, a = per_month.get(k, (0, 0))
        per_month[k] = (c + 1, a + amount)
    claims_paid = []
    for i in range(SERIES_MONTHS):
        month = first + i
        c, a = per_month.get(month.index, (0, 0))
        claims_paid.append(ClaimMonth(month=month, paid=shown(c), amount=a if shown(c) is not None else None))
    days = sorted((paid_on - complete).days for paid_on, _a, complete in paid_rows if complete is not None)
    counted = shown(len(days)) if days else 0
    times = ClaimTimes(claims=counted,
                       median_days=float(statistics.median(days)) if days and counted else None,
                       p90_days=float(_percentile(days, 0.9)) if days and counted else None)

    return Dashboard(
        today=today, month=now, region=place, region_name=names.get(place) if place else None,
        sponsor=sponsor_code, sponsor_name=sponsor_name, withheld_below=small, total=total, targets=progress,
        by_kecamatan=with_targets(figures(kecamatan, names.get), whole),
        by_desa=with_targets(figures(desa, names.get), whole),
        by_occupation=with_targets(figures(facet("occupation")), by_occupation_target),
        by_sponsor=figures(by_sponsor, lambda k: sponsor_names.get(int(k), ("", ""))[1],
                           lambda k: sponsor_names.get(int(k), (str(k), ""))[0]),
        by_sex=figures(facet("sex")), by_age=figures(facet("age")), months=months, agreements=agreements,
        bills=bills, arrears=arrears, claims=claims, claims_paid=claims_paid, claim_times=times)


def _percentile(values: Sequence[int], q: float) -> float:
    """The ``q`` quantile of sorted ``values`` (nearest rank)."""
    return float(values[max(1, math.ceil(q * len(values))) - 1])
