"""SQL for the dashboard: sums of the summary (``insight_facets``) under a region and a sponsor, and
the small tables read as they are (agreements, bills, claims). Counts and sums, never rows of people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

KECAMATAN_LENGTH = len("32.16.01")


def _where(region: str | None, sponsor_id: int | None, alias: str = "f") -> tuple[str, dict[str, Any]]:
    """Rows of desa in ``region`` (a code of any level, or the desa itself) and of ``sponsor_id``."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if region:
        clauses.append(f"({alias}.desa_code = :region OR {alias}.desa_code LIKE :region_prefix)")
        params |= {"region": region, "region_prefix": f"{region}.%"}
    if sponsor_id is not None:
        clauses.append(f"{alias}.sponsor_id = :sponsor")
        params["sponsor"] = sponsor_id
    return "".join(f" AND {c}" for c in clauses), params


def facet_sums(session: Session, *, month: int, facet: str, group: str, region: str | None,
               sponsor_id: int | None) -> list[tuple[Any, int, int, int, int]]:
    """(group key, enrolled, protected, started, stops) for ``month``, summed over one facet's rows by
    ``group``: ``value`` (the facet's value), ``desa``, ``kecamatan`` or ``sponsor``."""
    key = {"value": "f.value", "desa": "f.desa_code", "kecamatan": f"substr(f.desa_code, 1, {KECAMATAN_LENGTH})",
           "sponsor": "f.sponsor_id", "all": "f.facet"}[group]
    where, params = _where(region, sponsor_id)
    rows = session.execute(text(
        f"SELECT {key}, sum(f.enrolled), sum(f.protected), sum(f.started), sum(f.stops) FROM insight_facets f "
        f"WHERE f.month = :month AND f.facet = :facet{where} GROUP BY {key} ORDER BY {key}"),
        {"month": month, "facet": facet, **params}).all()
    return [(k, int(a), int(b), int(c), int(d)) for k, a, b, c, d in rows]


def series(session: Session, *, first: int, last: int, region: str | None, sponsor_id: int | None
           ) -> dict[int, tuple[int, int, int, int]]:
    """Month → (enrolled, protected, started, stops), months ``first`` … ``last``."""
    where, params = _where(region, sponsor_id)
    rows = session.execute(text(
        "SELECT f.month, sum(f.enrolled), sum(f.protected), sum(f.started), sum(f.stops) FROM insight_facets f "
        f"WHERE f.month >= :first AND f.month <= :last AND f.facet = 'all'{where} GROUP BY f.month"),
        {"first": first, "last": last, **params}).all()
    return {int(m): (int(a), int(b), int(c), int(d)) for m, a, b, c, d in rows}


def protected_in(session: Session, *, month: int, region: str, occupation: str | None, sponsor_id: int | None
                 ) -> int:
    """Workers protected in ``month`` in ``region`` (of ``occupation``, or all)."""
    where, params = _where(region, sponsor_id)
    facet = "AND f.facet = 'all'" if occupation is None else "AND f.facet = 'occupation' AND f.value = :occupation"
    value = session.execute(text(
        f"SELECT coalesce(sum(f.protected), 0) FROM insight_facets f WHERE f.month = :month {facet}{where}"),
        {"month": month, "occupation": occupation, **params}).scalar_one()
    return int(value)


def sponsors_in(session: Session, *, month: int, region: str | None) -> list[int]:
    """Sponsors with workers counted in ``region`` in ``month``."""
    where, params = _where(region, None)
    return [int(x) for x in session.scalars(text(
        f"SELECT DISTINCT f.sponsor_id FROM insight_facets f WHERE f.month = :month AND f.facet = 'all'{where}"),
        {"month": month, **params})]


def names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    if not codes:
        return {}
    found: dict[str, str] = {}
    listed = sorted(set(codes))
    for start in range(0, len(listed), 500):
        part = listed[start:start + 500]
        marks = ", ".join(f":c{i}" for i in range(len(part)))
        found |= {str(c): str(n) for c, n in session.execute(
            text(f"SELECT code, name FROM regions WHERE code IN ({marks})"),
            {f"c{i}": c for i, c in enumerate(part)})}
    return found


def sponsor_names(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Sponsor id → (code, name)."""
    if not ids:
        return {}
    marks = ", ".join(f":s{i}" for i in range(len(ids)))
    return {int(i): (str(c), str(n)) for i, c, n in session.execute(
        text(f"SELECT id, code, name FROM sponsors WHERE id IN ({marks})"), {f"s{i}": x for i, x in enumerate(ids)})}


def agreements_use(session: Session, *, sponsor_ids: Sequence[int] | None) -> list[tuple[Any, ...]]:
    """(code, sponsor code, sponsor name, status, quota, enrolled, budget, committed, billed, paid) of the
    agreements approved or later (of ``sponsor_ids``; None: every sponsor's)."""
    where, params = "", {}
    if sponsor_ids is not None:
        if not sponsor_ids:
            return []
        where = " AND a.sponsor_id IN (" + ", ".join(f":s{i}" for i in range(len(sponsor_ids))) + ")"
        params = {f"s{i}": x for i, x in enumerate(sponsor_ids)}
    return [tuple(r) for r in session.execute(text(
        "SELECT a.code, s.code, s.name, a.status, a.quota, a.enrolled_count, a.budget, a.committed_cost, "
        "coalesce(b.total, 0), coalesce(b.settled, 0) FROM agreements a JOIN sponsors s ON s.id = a.sponsor_id "
        "LEFT JOIN (SELECT agreement_id, sum(total - cancelled) AS total, sum(settled) AS settled FROM bills "
        "GROUP BY agreement_id) b ON b.agreement_id = a.id "
        f"WHERE a.status IN ('approved', 'active', 'ended'){where} ORDER BY s.code, a.code"), params)]


def bills_by_state(session: Session, *, today: dt.date, sponsor_id: int | None) -> list[tuple[str, int, int, int]]:
    """(state, bills, amount billed, outstanding): paid, partly paid, open (not yet due), overdue."""
    where = " AND a.sponsor_id = :sponsor" if sponsor_id is not None else ""
    state = ("CASE WHEN b.settled >= b.total - b.cancelled THEN 'paid' "
             "WHEN b.due_date < :today THEN 'overdue' "
             "WHEN b.settled > 0 THEN 'partly_paid' ELSE 'open' END")
    rows = session.execute(text(
        f"SELECT {state} AS state, count(*), sum(b.total - b.cancelled), sum(b.total - b.cancelled - b.settled) "
        f"FROM bills b JOIN agreements a ON a.id = b.agreement_id WHERE b.total > b.cancelled{where} "
        f"GROUP BY {state}"), {"today": today, "sponsor": sponsor_id}).all()
    return [(str(s), int(n), int(t), int(o)) for s, n, t, o in rows]


def _claims_where(region: str | None, sponsor_id: int | None) -> tuple[str, str, dict[str, Any]]:
    join = ""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if region:
        join = " JOIN workers w ON w.id = c.worker_id"
        clauses.append("(w.domicile_code = :region OR w.domicile_code LIKE :region_prefix)")
        params |= {"region": region, "region_prefix": f"{region}.%"}
    if sponsor_id is not None:
        clauses.append("c.sponsor_id = :sponsor")
        params["sponsor"] = sponsor_id
    return join, "".join(f" AND {c}" for c in clauses), params


def claims_by_type(session: Session, *, region: str | None, sponsor_id: int | None
                   ) -> list[tuple[str, int, int, int, int]]:
    """(type, claims entered, in progress, paid, amount paid) — drafts aside."""
    join, where, params = _claims_where(region, sponsor_id)
    rows = session.execute(text(
        "SELECT c.type, count(*), sum(CASE WHEN c.status IN ('submitted', 'verified', 'approved') THEN 1 ELSE 0 END), "
        "sum(CASE WHEN c.status = 'paid' THEN 1 ELSE 0 END), coalesce(sum(p.amount), 0) "
        f"FROM claims c LEFT JOIN claim_payments p ON p.claim_id = c.id{join} "
        f"WHERE c.status <> 'draft'{where} GROUP BY c.type ORDER BY c.type"), params).all()
    return [(str(t), int(n), int(o), int(pd), int(a)) for t, n, o, pd, a in rows]


def claims_paid(session: Session, *, since: dt.date, region: str | None, sponsor_id: int | None
                ) -> list[tuple[dt.date, int, dt.date | None]]:
    """(paid on, amount, documents complete on) of the claims paid since ``since``."""
    join, where, params = _claims_where(region, sponsor_id)
    rows = session.execute(text(
        f"SELECT p.paid_on, p.amount, c.complete_on FROM claims c JOIN claim_payments p ON p.claim_id = c.id{join} "
        f"WHERE p.paid_on >= :since{where}"), {"since": since, **params}).all()
    return [(_date(p), int(a), _date(c) if c is not None else None) for p, a, c in rows]


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
