"""Keeping the summary current, set-based (``lindung.summary.models.InsightFacet``).

A change to enrolments, workers or the ledger is wrapped in ``tracking(session, Touched(...))``: before
the change, the touched enrolments' counts are taken out of the summary (one INSERT … ON CONFLICT DO
UPDATE adding negative counts); after it, they are put back as they now stand. The touched set must name
the same enrolments before and after (an agreement, a worker, an import, a list of enrolment ids), and
may bound the months the change can alter. A change that only adds enrolments (an import, one
enrolment) calls ``add`` after it. Rows left at zero are deleted.

Every statement counts with the same grouped join of enrolments × the months they cover × workers ×
the paid live contribution line of the month and of the next one (``_select``); a count from scratch
(``rebuild``, and ``differences``, which compares without writing) is that join over every enrolment.
The SQL serves both engines: a recursive CTE for the months, ``INSERT … SELECT … ON CONFLICT DO
UPDATE`` (SQLite 3.24+, PostgreSQL 9.5+).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

AGE_BANDS: tuple[int, ...] = (25, 35, 45, 55)
"""Lower bounds of the age bands after the first: band 0 is under 25, 1 is 25–34, 2 is 35–44, 3 is 45–54,
4 is 55 and over (our grouping for the dashboard, not the law's). Age on the month's first day."""

COUNTS = ("enrolled", "protected", "started", "stops")


@dataclass(frozen=True)
class Touched:
    """The enrolments a change may alter the counts of, and the months it may alter them in
    (``first``/``last`` as ``Month.index``; None: every month the enrolments cover).

    ``where`` is a condition on ``en`` (the enrolments table), the same before and after the change."""

    where: str
    params: Mapping[str, Any] = field(default_factory=dict)
    first: int | None = None
    last: int | None = None

    @classmethod
    def agreement(cls, agreement_id: int, first: int | None = None, last: int | None = None) -> Touched:
        return cls("en.agreement_id = :t_agreement", {"t_agreement": agreement_id}, first, last)

    @classmethod
    def worker(cls, worker_id: int, first: int | None = None, last: int | None = None) -> Touched:
        return cls("en.worker_id = :t_worker", {"t_worker": worker_id}, first, last)

    @classmethod
    def workers(cls, worker_ids: Sequence[int], first: int | None = None, last: int | None = None) -> Touched:
        ids = sorted({int(i) for i in worker_ids})
        names = {f"t_w{k}": i for k, i in enumerate(ids)}
        where = f"en.worker_id IN ({', '.join(':' + n for n in names)})" if ids else "1 = 0"
        return cls(where, names, first, last)

    @classmethod
    def provenance(cls, provenance_id: int) -> Touched:
        return cls("en.provenance_id = :t_provenance", {"t_provenance": provenance_id})

    @classmethod
    def enrolments(cls, ids: Sequence[int], first: int | None = None, last: int | None = None) -> Touched:
        ids = sorted({int(i) for i in ids})
        names = {f"t_e{k}": i for k, i in enumerate(ids)}
        where = f"en.id IN ({', '.join(':' + n for n in names)})" if ids else "1 = 0"
        return cls(where, names, first, last)


def _pg(bind: Session | Connection) -> bool:
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    return dialect.name == "postgresql"


def _age_band(pg: bool) -> str:
    """The age band on the first day of month ``mo.m`` (a ``Month.index``): whole years are the months
    from the birth month, less one when the birthday falls after the 1st, divided by 12."""
    if pg:
        born = ("(CAST(EXTRACT(YEAR FROM w.birth_date) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM w.birth_date) "
                "AS INTEGER) - 1)")
        late = "CASE WHEN EXTRACT(DAY FROM w.birth_date) > 1 THEN 1 ELSE 0 END"
    else:
        born = ("(CAST(strftime('%Y', w.birth_date) AS INTEGER) * 12 + CAST(strftime('%m', w.birth_date) "
                "AS INTEGER) - 1)")
        late = "CASE WHEN CAST(strftime('%d', w.birth_date) AS INTEGER) > 1 THEN 1 ELSE 0 END"
    age = f"((mo.m - {born} - {late}) / 12)"
    whens = " ".join(f"WHEN {age} < {bound} THEN {band}" for band, bound in enumerate(AGE_BANDS))
    return f"CASE {whens} ELSE {len(AGE_BANDS)} END"


FACETS: tuple[tuple[str, str], ...] = (
    ("all", "''"),
    ("occupation", "b.occupation_code"),
    ("sex", "b.sex"),
    ("age", "CAST(b.age_band AS VARCHAR(2))"),
)
"""Each facet and the value its rows carry (``all``: every worker of the desa, one row)."""
KEY = ("month", "facet", "desa_code", "sponsor_id", "value")


def _select(pg: bool, where: str, sign: int) -> tuple[str, str]:
    """The facets' counts of the enrolments matching ``where`` (on ``en``) in months ``mo``: one grouped
    pass over enrolments × months × workers × the paid lines (``base``), summed once per facet."""
    s = "" if sign == 1 else f"{sign} * "
    base = (
        "base AS (SELECT mo.m AS month, a.sponsor_id AS sponsor_id, w.domicile_code AS desa_code, "
        f"en.occupation_code AS occupation_code, w.sex AS sex, {_age_band(pg)} AS age_band, "
        "COUNT(*) AS enrolled, "
        "SUM(CASE WHEN p.worker_id IS NULL THEN 0 ELSE 1 END) AS protected, "
        "SUM(CASE WHEN en.first_month = mo.m THEN 1 ELSE 0 END) AS started, "
        "SUM(CASE WHEN p.worker_id IS NOT NULL AND n.worker_id IS NULL THEN 1 ELSE 0 END) AS stops "
        "FROM enrolments en "
        "JOIN mo ON mo.m >= en.first_month AND mo.m <= en.last_month "
        "JOIN workers w ON w.id = en.worker_id "
        "JOIN agreements a ON a.id = en.agreement_id "
        "LEFT JOIN contribution_lines p ON p.month = mo.m AND p.worker_id = en.worker_id AND p.void_seq = 0 "
        "AND p.status = 'paid' AND p.enrolment_id = en.id "
        "LEFT JOIN contribution_lines n ON n.month = mo.m + 1 AND n.worker_id = en.worker_id AND n.void_seq = 0 "
        "AND n.status = 'paid' AND n.enrolment_id = en.id "
        f"WHERE en.status = 'active' AND ({where}) "
        "GROUP BY mo.m, a.sponsor_id, w.domicile_code, en.occupation_code, w.sex, 6)"
    )
    sums = ", ".join(f"{s}SUM(b.{c})" for c in COUNTS)
    parts = " UNION ALL ".join(
        f"SELECT b.month, '{facet}', b.desa_code, b.sponsor_id, {value}, {sums} FROM base b "
        f"GROUP BY b.month, b.desa_code, b.sponsor_id{'' if facet == 'all' else ', ' + value}"
        for facet, value in FACETS)
    return f"{_MONTHS}, {base}", f"SELECT u.* FROM ({parts}) u"


_MONTHS = "WITH RECURSIVE mo(m) AS (SELECT CAST(:t_first AS INTEGER) UNION ALL SELECT m + 1 FROM mo WHERE m < :t_last)"


def _span(bind: Session | Connection, touched: Touched) -> tuple[int, int] | None:
    """The months to count: the touched ones, or every month the touched enrolments cover."""
    if touched.first is not None and touched.last is not None:
        return (touched.first, touched.last) if touched.first <= touched.last else None
    row = bind.execute(text(f"SELECT min(en.first_month), max(en.last_month) FROM enrolments en "
                            f"WHERE en.status = 'active' AND ({touched.where})"), dict(touched.params)).one()
    if row[0] is None:
        return None
    first = int(row[0]) if touched.first is None else max(touched.first, int(row[0]))
    last = int(row[1]) if touched.last is None else min(touched.last, int(row[1]))
    return (first, last) if first <= last else None


def _apply(bind: Session | Connection, touched: Touched, span: tuple[int, int], sign: int) -> None:
    params = {**touched.params, "t_first": span[0], "t_last": span[1]}
    update = ", ".join(f"{c} = insight_facets.{c} + excluded.{c}" for c in COUNTS)
    ctes, select = _select(_pg(bind), touched.where, sign)
    bind.execute(text(f"{ctes} INSERT INTO insight_facets ({', '.join((*KEY, *COUNTS))}) {select} WHERE true "
                      f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {update}"), params)
    if sign > 0:
        bind.execute(text("DELETE FROM insight_facets WHERE month >= :t_first AND month <= :t_last AND "
                          + " AND ".join(f"{c} = 0" for c in COUNTS)), params)


@contextmanager
def tracking(session: Session, touched: Touched) -> Iterator[None]:
    """Take the touched enrolments' counts out before the body changes them, and put them back after.
    The months counted are fixed before the change (an enrolment cut short is still counted in the
    months it covered before)."""
    session.flush()
    span = _span(session, touched)
    if span is not None:
        _apply(session, touched, span, -1)
    yield
    session.flush()
    after = _span(session, touched)
    if span is None:
        span = after
    elif after is not None:
        span = (min(span[0], after[0]), max(span[1], after[1]))
    if span is not None:
        _apply(session, touched, span, +1)


def add(bind: Session | Connection, touched: Touched) -> None:
    """Count enrolments that were not counted before (new ones: an import's, one enrolment)."""
    if isinstance(bind, Session):
        bind.flush()
    span = _span(bind, touched)
    if span is not None:
        _apply(bind, touched, span, +1)


ALL = Touched("1 = 1")


def rebuild(bind: Session | Connection) -> None:
    """Empty the summary and count every active enrolment again."""
    bind.execute(text("DELETE FROM insight_facets"))
    add(bind, ALL)


@dataclass(frozen=True)
class Difference:
    key: tuple[Any, ...]
    """(month, facet, desa, sponsor id, value)"""
    stored: tuple[int, ...] | None
    counted: tuple[int, ...] | None
    """(enrolled, protected, started, stops), or None where there is no row"""


def differences(bind: Session | Connection, *, limit: int = 20) -> tuple[int, list[Difference]]:
    """Rows where the stored summary differs from a count from scratch (nothing written): how many, and
    the first ``limit`` of them."""
    span = _span(bind, ALL)
    counted: dict[tuple[Any, ...], tuple[int, ...]] = {}
    if span is not None:
        ctes, select = _select(_pg(bind), ALL.where, 1)
        rows = bind.execute(text(f"{ctes} {select}"), {"t_first": span[0], "t_last": span[1]}).all()
        counted = {tuple(r[:len(KEY)]): tuple(int(x) for x in r[len(KEY):]) for r in rows}
    stored = {tuple(r[:len(KEY)]): tuple(int(x) for x in r[len(KEY):])
              for r in bind.execute(text(f"SELECT {', '.join((*KEY, *COUNTS))} FROM insight_facets")).all()}
    found: list[Difference] = []
    total = 0
    for k in sorted(set(counted) | set(stored), key=lambda x: tuple(str(v) for v in x)):
        if counted.get(k) != stored.get(k):
            total += 1
            if len(found) < limit:
                found.append(Difference(k, stored.get(k), counted.get(k)))
    return total, found
