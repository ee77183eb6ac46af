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


def _age_band(pg: bool, month: str = "mo.m") -> str:
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
    age = f"(({month} - {born} - {late}) / 12)"
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


_PROBE = ("SELECT 1 AS paid FROM contribution_lines p WHERE p.month = {m} AND p.worker_id = en.worker_id "
          "AND p.void_seq = 0 AND p.status = 'paid' AND p.enrolment_id = en.id{extra}")
"""Is the enrolment's live line of month ``m`` paid: asked of the ledger's primary key (month, worker,
void_seq) once per enrolment-month, never joined or hashed. A freshly billed ledger has no statistics, and
PostgreSQL then planned a join (or a hashed subplan) over the whole ledger — 8 s for 500 workers in the
benchmark, against milliseconds. On PostgreSQL a LATERAL subquery with LIMIT 1 can only be probed; SQLite
probes a correlated EXISTS anyway."""


class _Lines:
    """The SQL of line probes on one engine: a column (0/1) or a condition that must hold."""

    def __init__(self, pg: bool) -> None:
        self.pg = pg
        self.joins: list[str] = []
        self.conditions: list[str] = []

    def flag(self, m: str, extra: str = "") -> str:
        """1 when the line is there (paid), else 0."""
        probe = _PROBE.format(m=m, extra=extra)
        if not self.pg:
            return f"CASE WHEN EXISTS ({probe}) THEN 1 ELSE 0 END"
        alias = f"l{len(self.joins)}"
        self.joins.append(f"LEFT JOIN LATERAL ({probe} LIMIT 1) {alias} ON true ")
        return f"CASE WHEN {alias}.paid IS NULL THEN 0 ELSE 1 END"

    def only(self, m: str, extra: str = "") -> None:
        """Only the rows whose line is there."""
        probe = _PROBE.format(m=m, extra=extra)
        if self.pg:
            self.joins.append(f"JOIN LATERAL ({probe} LIMIT 1) l{len(self.joins)} ON true ")
        else:
            self.conditions.append(f"EXISTS ({probe})")


def _rows(pg: bool, where: str, columns: str, lines: _Lines, month: str = "mo.m") -> str:
    """Enrolments matching ``where`` × the months ``mo`` they cover × their worker and sponsor, with
    ``columns`` (enrolled, protected, started, stops) and the cell the row counts in at ``month``."""
    conditions = "".join(f" AND {c}" for c in lines.conditions)
    return (
        f"SELECT {month} AS month, a.sponsor_id AS sponsor_id, w.domicile_code AS desa_code, "
        f"en.occupation_code AS occupation_code, w.sex AS sex, {_age_band(pg, month)} AS age_band, {columns} "
        "FROM enrolments en "
        "JOIN mo ON mo.m >= en.first_month AND mo.m <= en.last_month "
        "JOIN workers w ON w.id = en.worker_id "
        "JOIN agreements a ON a.id = en.agreement_id "
        f"{''.join(lines.joins)}"
        f"WHERE en.status = 'active' AND ({where}){conditions}"
    )


def _facets(rows: str, sign: int) -> tuple[str, str]:
    """The facets' sums of ``rows`` (one per enrolment-month, or a change of one), grouped once per cell
    (``base``) and then per facet."""
    s = "" if sign == 1 else f"{sign} * "
    base = (
        "base AS (SELECT x.month, x.sponsor_id, x.desa_code, x.occupation_code, x.sex, x.age_band, "
        "SUM(x.enrolled) AS enrolled, SUM(x.protected) AS protected, SUM(x.started) AS started, "
        "SUM(x.stops) AS stops "
        f"FROM ({rows}) x GROUP BY x.month, x.sponsor_id, x.desa_code, x.occupation_code, x.sex, x.age_band)"
    )
    sums = ", ".join(f"{s}SUM(b.{c})" for c in COUNTS)
    parts = " UNION ALL ".join(
        f"SELECT b.month, '{facet}', b.desa_code, b.sponsor_id, {value}, {sums} FROM base b "
        f"GROUP BY b.month, b.desa_code, b.sponsor_id{'' if facet == 'all' else ', ' + value}"
        for facet, value in FACETS)
    return f"{_MONTHS}, {base}", f"SELECT u.* FROM ({parts}) u"


def _select(pg: bool, where: str, sign: int) -> tuple[str, str]:
    """The counts of the enrolments matching ``where`` (on ``en``) in months ``mo``, as they stand."""
    lines = _Lines(pg)
    paid, paid_next = lines.flag("mo.m"), lines.flag("mo.m + 1")
    columns = (f"1 AS enrolled, {paid} AS protected, CASE WHEN en.first_month = mo.m THEN 1 ELSE 0 END AS started, "
               f"CASE WHEN {paid} = 1 AND {paid_next} = 0 THEN 1 ELSE 0 END AS stops")
    return _facets(_rows(pg, where, columns, lines), sign)


def _settled(pg: bool, marker: str) -> tuple[str, str]:
    """What lines newly paid (``p.<marker> = :t_marker``) in months ``mo`` of agreement ``:t_agreement``
    change: each is one more protected in its month, one more stop there unless next month is paid too,
    and one stop fewer in the month before when that month was paid already (it no longer stops)."""
    where = "en.agreement_id = :t_agreement"
    newly = f" AND p.{marker} = :t_marker"
    earlier = f" AND (p.{marker} IS NULL OR p.{marker} <> :t_marker)"
    this = _Lines(pg)
    this.only("mo.m", newly)
    stop = this.flag("mo.m + 1")
    counted = _rows(pg, where, f"0 AS enrolled, 1 AS protected, 0 AS started, 1 - {stop} AS stops", this)
    before = _Lines(pg)
    before.only("mo.m", newly)
    before.only("mo.m - 1", earlier)
    ended = _rows(pg, f"{where} AND mo.m > en.first_month", "0 AS enrolled, 0 AS protected, 0 AS started, "
                  "-1 AS stops", before, month="mo.m - 1")
    return _facets(f"{counted} UNION ALL {ended}", 1)


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
    ctes, select = _select(_pg(bind), touched.where, sign)
    _upsert(bind, ctes, select, {**touched.params, "t_first": span[0], "t_last": span[1]}, clean=sign > 0)


def _upsert(bind: Session | Connection, ctes: str, select: str, params: dict[str, Any], *, clean: bool) -> None:
    update = ", ".join(f"{c} = insight_facets.{c} + excluded.{c}" for c in COUNTS)
    bind.execute(text(f"{ctes} INSERT INTO insight_facets ({', '.join((*KEY, *COUNTS))}) {select} WHERE true "
                      f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {update}"), params)
    if clean:
        bind.execute(text("DELETE FROM insight_facets WHERE month >= :t_first AND month <= :t_last AND "
                          + " AND ".join(f"{c} = 0" for c in COUNTS)), params)


def settled(session: Session, *, agreement_id: int, first: int, last: int, payment_id: int | None = None,
            credit_entry_id: int | None = None) -> None:
    """Count the lines a payment (``payment_id``) or an application of credit (``credit_entry_id``) has just
    marked paid in months ``first`` … ``last`` of the agreement: one pass over them alone (``_settled``),
    where ``tracking`` would count the agreement's months twice. Called after the lines are marked."""
    marker, value = ("payment_id", payment_id) if payment_id is not None else ("credit_entry_id", credit_entry_id)
    if value is None:
        raise ValueError("a payment or a credit entry")
    session.flush()
    ctes, select = _settled(_pg(session), marker)
    _upsert(session, ctes, select, {"t_agreement": agreement_id, "t_marker": value, "t_first": first,
                                    "t_last": last}, clean=False)
    session.execute(text("DELETE FROM insight_facets WHERE month >= :t_first AND month <= :t_last AND "
                         + " AND ".join(f"{c} = 0" for c in COUNTS)), {"t_first": first - 1, "t_last": last})


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
