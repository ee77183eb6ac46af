"""All SQL of billing, payments and coverage. Dialect-specific statements sit behind ``_pg(session)``.

The ledger (``contribution_lines``) has one index, its primary key (month, worker_id, void_seq);
live lines have ``void_seq = 0``. Every access goes through that key:

- a bill run writes each bill with one ``INSERT … SELECT``: the months of the cycle from a tiny
  temporary price table × the agreement's enrolments active in that month, at the price of their
  sector (``_SELECT_LINES``); a new month lands at the right edge of the key;
- a bill's lines are its agreement's enrolments × the months of its cycle, one key seek each
  (``_BILL_LINES``); a payment settles the due ones, whole worker-months oldest first, with one
  ``UPDATE`` driven by a window function (running sum) over them;
- coverage reads a worker's ledger with one query: the months of the worker's enrolment spans
  (every end voids the live lines after its cut, so live lines never lie outside them), one key
  seek each (``_LEDGER``).

Locking: every use case that moves money on an agreement locks the agreement row first
(PostgreSQL ``FOR UPDATE``; on SQLite ``BEGIN IMMEDIATE`` already serialises writers), so credit
balances, bill sequences and allocations are never computed from a stale read. Receipt numbers are
taken from a counter row in the payment's own transaction, so they have no gaps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, case, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lindung.billing.models import (
    Bill,
    BillingCycle,
    ContributionPrice,
    CreditEntry,
    EnrolmentEnd,
    Payment,
    ReceiptCounter,
    Refund,
    WorkerDeath,
)
from lindung.enrolment.models import Enrolment
from lindung.kit.auth import EVERYTHING, Scope
from lindung.kit.paging import Window, fetch
from lindung.sponsors.models import Agreement, Sponsor
from lindung.workers.models import Worker

TMP_PRICES = "billing_tmp_prices"


def _pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# A recursive CTE listing the month indexes :first … :last as ``months(month)``.
_MONTHS = ("months(month) AS (SELECT CAST(:first AS INTEGER) UNION ALL "
           "SELECT month + 1 FROM months WHERE month < :last)")


# --- agreements and cycles ----------------------------------------------------------------------


def billable_agreements(session: Session, month: int, statuses: Sequence[str], *,
                        agreement_ids: Sequence[int] | None = None, scope: Scope = EVERYTHING) -> list[Agreement]:
    """Agreements in ``statuses`` that started on or before ``month`` (of ``scope``'s sponsor only for
    a sponsor's staff), locked, in id order."""
    stmt = (select(Agreement).where(Agreement.status.in_(statuses), Agreement.start_month <= month)
            .order_by(Agreement.id))
    if agreement_ids is not None:
        stmt = stmt.where(Agreement.id.in_(list(agreement_ids)))
    if scope.sponsor_id is not None:
        stmt = stmt.where(Agreement.sponsor_id == scope.sponsor_id)
    if _pg(session):
        stmt = stmt.with_for_update(of=Agreement)
    return list(session.scalars(stmt))


def billable_agreement_ids(session: Session, month: int, statuses: Sequence[str], scope: Scope = EVERYTHING
                           ) -> list[int]:
    stmt = (select(Agreement.id).where(Agreement.status.in_(statuses), Agreement.start_month <= month)
            .order_by(Agreement.id))
    if scope.sponsor_id is not None:
        stmt = stmt.where(Agreement.sponsor_id == scope.sponsor_id)
    return list(session.scalars(stmt))


def lock_agreement(session: Session, agreement_id: int) -> None:
    if _pg(session):
        session.execute(select(Agreement.id).where(Agreement.id == agreement_id).with_for_update())


def cycle_register(session: Session, agreement_ids: Sequence[int]) -> dict[tuple[int, int], BillingCycle]:
    rows = session.scalars(select(BillingCycle).where(BillingCycle.agreement_id.in_(list(agreement_ids))))
    return {(c.agreement_id, c.cycle_start): c for c in rows}


def max_enrolment_id(session: Session) -> int:
    """The highest enrolment id there is (a primary-key lookup)."""
    return int(session.scalar(select(func.coalesce(func.max(Enrolment.id), 0))) or 0)


def newer_enrolments(session: Session, agreement_ids: Sequence[int], after: int) -> dict[int, int]:
    """Per agreement, the highest id of its active enrolments with an id above ``after`` (a range of
    the primary key: in a steady state only the few enrolments since the last run)."""
    rows = session.execute(
        select(Enrolment.agreement_id, func.max(Enrolment.id))
        .where(Enrolment.id > after, Enrolment.agreement_id.in_(list(agreement_ids)), Enrolment.status == "active")
        .group_by(Enrolment.agreement_id)).all()
    return {int(a): int(m) for a, m in rows}


def save_cycles(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or update the cycle register (agreement_id, cycle_start, cycle_end, watermark, bills)."""
    if not rows:
        return
    ins = (postgresql.insert(BillingCycle) if _pg(session) else sqlite.insert(BillingCycle))
    stmt = ins.on_conflict_do_update(
        index_elements=["agreement_id", "cycle_start"],
        set_={"enrolment_watermark": ins.excluded.enrolment_watermark,
              "bills": BillingCycle.bills + ins.excluded.bills,
              "checked_at": ins.excluded.checked_at})
    session.execute(stmt, list(rows))


def bill_seqs(session: Session, agreement_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    rows = session.execute(
        select(Bill.agreement_id, Bill.cycle_start, func.max(Bill.seq))
        .where(Bill.agreement_id.in_(list(agreement_ids))).group_by(Bill.agreement_id, Bill.cycle_start)).all()
    return {(int(a), int(c)): int(s) for a, c, s in rows}


# --- prices -------------------------------------------------------------------------------------


def prices_by_key(session: Session, keys: Iterable[str]) -> dict[str, tuple[int, int]]:
    """{key: (price id, amount)} of the price rows that exist."""
    wanted = list(set(keys))
    out: dict[str, tuple[int, int]] = {}
    for i in range(0, len(wanted), 500):
        rows = session.execute(select(ContributionPrice.key, ContributionPrice.id, ContributionPrice.amount)
                               .where(ContributionPrice.key.in_(wanted[i:i + 500]))).all()
        out.update({k: (int(pid), int(amount)) for k, pid, amount in rows})
    return out


def add_prices(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(ContributionPrice), list(rows))


# --- the bill run -------------------------------------------------------------------------------


def add_bills(session: Session, rows: Sequence[dict[str, Any]]) -> dict[tuple[int, int, int], int]:
    """Insert bills; {(agreement_id, cycle_start, seq): bill id}."""
    if not rows:
        return {}
    session.execute(insert(Bill), list(rows))
    keys = {(r["agreement_id"], r["cycle_start"], r["seq"]) for r in rows}
    agreements = sorted({k[0] for k in keys})
    found = session.execute(select(Bill.agreement_id, Bill.cycle_start, Bill.seq, Bill.id)
                            .where(Bill.agreement_id.in_(agreements))).all()
    return {(int(a), int(c), int(s)): int(i) for a, c, s, i in found if (a, c, s) in keys}


def stage_prices(session: Session, prices: Sequence[dict[str, Any]]) -> None:
    """Fill the tiny temporary price table the bill run joins against (made fresh in this
    transaction), one row per agreement × month with the price of each sector: agreement_id, month,
    other_price_id, other_amount, transport_price_id, transport_amount."""
    temp = "CREATE TEMPORARY TABLE" if _pg(session) else "CREATE TEMP TABLE"
    drop_tmp(session)
    session.execute(text(
        f"{temp} {TMP_PRICES} (agreement_id INTEGER NOT NULL, month INTEGER NOT NULL, "
        "other_price_id INTEGER NOT NULL, other_amount BIGINT NOT NULL, "
        "transport_price_id INTEGER NOT NULL, transport_amount BIGINT NOT NULL, PRIMARY KEY (agreement_id, month))"))
    if prices:
        session.execute(text(
            f"INSERT INTO {TMP_PRICES} (agreement_id, month, other_price_id, other_amount, transport_price_id, "
            "transport_amount) VALUES (:agreement_id, :month, :other_price_id, :other_amount, :transport_price_id, "
            ":transport_amount)"), list(prices))
    if _pg(session):  # the planner knows nothing about a fresh temporary table
        session.execute(text(f"ANALYZE {TMP_PRICES}"))


def drop_tmp(session: Session) -> None:
    session.execute(text(f"DROP TABLE IF EXISTS {TMP_PRICES}"))


# Every worker-month of one bill: the months of the cycle (a few rows of the price table, which
# drive the loop: CROSS JOIN keeps that order on SQLite) × the agreement's enrolments active in that
# month (only those after the cycle's watermark), at the price of their sector. The ledger's key
# refuses a worker-month live twice; the cycle register makes sure a rerun never tries.
_SELECT_LINES = f"""
FROM {TMP_PRICES} p CROSS JOIN enrolments e
WHERE p.agreement_id = :agreement AND p.month >= :first AND p.month <= :last
  AND e.agreement_id = :agreement AND e.status = 'active' AND e.id > :after
  AND e.first_month <= p.month AND e.last_month >= p.month
"""
_AMOUNT = "CASE WHEN e.sector = 'transport' THEN p.transport_amount ELSE p.other_amount END"
_INSERT_LINES = f"""
INSERT INTO contribution_lines (month, worker_id, void_seq, bill_id, enrolment_id, price_id, amount, status)
SELECT p.month, e.worker_id, 0, :bill, e.id,
       CASE WHEN e.sector = 'transport' THEN p.transport_price_id ELSE p.other_price_id END, {_AMOUNT}, 'due'
{_SELECT_LINES}"""


def bill_lines(session: Session, *, bill_id: int, agreement_id: int, first: int, last: int,
               after_enrolment: int) -> tuple[int, int]:
    """Write one bill's lines; (worker-months, total)."""
    params = {"bill": bill_id, "agreement": agreement_id, "first": first, "last": last, "after": after_enrolment}
    if _pg(session):
        row = session.execute(text(f"WITH written AS ({_INSERT_LINES} RETURNING amount) "
                                   "SELECT count(*), coalesce(sum(amount), 0) FROM written"), params).one()
        return int(row[0]), int(row[1])
    # SQLite has no INSERT in a CTE: count and sum the same selection first (one writer at a time).
    row = session.execute(text(f"SELECT count(*), coalesce(sum({_AMOUNT}), 0) {_SELECT_LINES}"), params).one()
    if row[0]:
        session.execute(text(_INSERT_LINES), params)
    return int(row[0]), int(row[1])


def delete_bills(session: Session, bill_ids: Sequence[int]) -> None:
    if bill_ids:
        session.execute(delete(Bill).where(Bill.id.in_(list(bill_ids))))


def set_bill_totals(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk update by id: worker_months, total."""
    if rows:
        session.execute(update(Bill), list(rows))


# --- a bill's lines, and settling them ----------------------------------------------------------


# A bill's live lines: the agreement's enrolments × the months of the cycle, one key seek each.
_BILL_LINES = f"""
WITH RECURSIVE {_MONTHS},
bill_lines AS (
  SELECT l.month, l.worker_id, l.amount, l.status
  FROM months m CROSS JOIN enrolments e
  JOIN contribution_lines l ON l.month = m.month AND l.worker_id = e.worker_id AND l.void_seq = 0
  WHERE e.agreement_id = :agreement AND e.first_month <= m.month AND e.last_month >= m.month
    AND l.bill_id = :bill
),
ranked AS (
  SELECT month, worker_id, amount,
         SUM(amount) OVER (ORDER BY month, worker_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
  FROM bill_lines WHERE status = 'due'
)"""


def _bill_params(bill: Bill) -> dict[str, int]:
    return {"agreement": bill.agreement_id, "bill": bill.id, "first": bill.cycle_start, "last": bill.cycle_end}


def affordable(session: Session, bill: Bill, funds: int) -> tuple[int, int]:
    """(worker-months, amount) that ``funds`` would settle on the bill: its due lines, oldest month
    first, whole worker-months only (a window running sum)."""
    row = session.execute(text(f"{_BILL_LINES} SELECT count(*), coalesce(sum(amount), 0) FROM ranked "
                               "WHERE running <= :funds"), {**_bill_params(bill), "funds": funds}).one()
    return int(row[0]), int(row[1])


def settle(session: Session, bill: Bill, funds: int, *, paid_on: dt.date, payment_id: int | None = None,
           credit_entry_id: int | None = None) -> list[tuple[int, int, int]]:
    """Mark as paid the bill's due lines that ``funds`` covers, whole worker-months oldest first, with
    one UPDATE; keep the bill's counters. Returns (month, worker-months, amount) settled."""
    params = {**_bill_params(bill), "funds": funds}
    per_month = [(int(m), int(n), int(a)) for m, n, a in session.execute(text(
        f"{_BILL_LINES} SELECT month, count(*), sum(amount) FROM ranked WHERE running <= :funds "
        "GROUP BY month ORDER BY month"), params).all()]
    if not per_month:
        return []
    session.execute(text(
        f"{_BILL_LINES} UPDATE contribution_lines SET status = 'paid', paid_on = :paid_on, payment_id = :payment, "
        "credit_entry_id = :credit WHERE void_seq = 0 AND (month, worker_id) IN "
        "(SELECT month, worker_id FROM ranked WHERE running <= :funds)"),
        {**params, "paid_on": paid_on, "payment": payment_id, "credit": credit_entry_id})
    n, amount = sum(x[1] for x in per_month), sum(x[2] for x in per_month)
    session.execute(update(Bill).where(Bill.id == bill.id).values(
        settled=Bill.settled + amount, settled_months=Bill.settled_months + n)
        .execution_options(synchronize_session=False))
    return per_month


def bill_lines_after(session: Session, bill: Bill, after: int) -> list[tuple[int, int, str, int]]:
    """The bill's live lines for months after ``after``: (month, worker id, status, amount)."""
    rows = session.execute(text(f"{_BILL_LINES} SELECT month, worker_id, status, amount FROM bill_lines "
                                "WHERE month > :after ORDER BY month, worker_id"),
                           {**_bill_params(bill), "after": after}).all()
    return [(int(m), int(w), str(s), int(a)) for m, w, s, a in rows]


# --- bills, payments, credit --------------------------------------------------------------------


def bill_by_code(session: Session, code: str) -> Bill | None:
    return session.scalars(select(Bill).where(Bill.payment_code == code)).one_or_none()


def _bill_state_where(state: str) -> Any:
    outstanding = Bill.total - Bill.settled - Bill.cancelled
    return {"unpaid": (outstanding > 0) & (Bill.settled == 0),
            "partly_paid": (outstanding > 0) & (Bill.settled > 0),
            "open": outstanding > 0,
            "paid": (outstanding <= 0) & (Bill.settled > 0),
            "cancelled": (outstanding <= 0) & (Bill.settled == 0)}[state]


def bills_page(session: Session, window: Window, *, scope: Scope = EVERYTHING, state: str | None = None,
               agreement_id: int | None = None, month: int | None = None) -> tuple[list[tuple[Any, ...]], int]:
    """Bills with their agreement's and sponsor's codes and the sponsor's name, newest first (by id: a
    unique key), of ``scope``'s sponsor for a sponsor's staff, in ``state`` (``schemas.BillFilter``),
    of one agreement, whose cycle holds ``month``: one query for the page, one for the count."""
    stmt = (select(Bill, Agreement.code, Sponsor.code, Sponsor.name)
            .join(Agreement, Agreement.id == Bill.agreement_id).join(Sponsor, Sponsor.id == Agreement.sponsor_id)
            .order_by(Bill.id.desc()))
    if scope.sponsor_id is not None:
        stmt = stmt.where(Agreement.sponsor_id == scope.sponsor_id)
    if state is not None:
        stmt = stmt.where(_bill_state_where(state))
    if agreement_id is not None:
        stmt = stmt.where(Bill.agreement_id == agreement_id)
    if month is not None:
        stmt = stmt.where(Bill.cycle_start <= month, Bill.cycle_end >= month)
    return _rows(session, stmt, window)


# A bill's live lines with their worker, a page at a time: the agreement's enrolments × the months of
# the cycle, one key seek each (as _BILL_LINES), ordered on the ledger's key.
_LINES_OF_BILL = f"""
WITH RECURSIVE {_MONTHS},
lines AS (
  SELECT DISTINCT l.month, l.worker_id, l.amount, l.status, l.paid_on
  FROM months m CROSS JOIN enrolments e
  JOIN contribution_lines l ON l.month = m.month AND l.worker_id = e.worker_id AND l.void_seq = 0
  WHERE e.agreement_id = :agreement AND e.first_month <= m.month AND e.last_month >= m.month
    AND l.bill_id = :bill
)"""


def bill_line_page(session: Session, bill: Bill, window: Window) -> tuple[list[tuple[Any, ...]], int]:
    """The bill's live lines in ``window``: (month, NIK, name, amount, status, paid on), by month and
    worker; and how many there are."""
    params = {**_bill_params(bill), "limit": window.limit, "offset": window.offset}
    total = int(session.execute(text(f"{_LINES_OF_BILL} SELECT count(*) FROM lines"), params).scalar_one())
    rows = session.execute(text(
        f"{_LINES_OF_BILL} SELECT x.month, w.nik, w.name, x.amount, x.status, x.paid_on FROM lines x "
        "JOIN workers w ON w.id = x.worker_id ORDER BY x.month, x.worker_id LIMIT :limit OFFSET :offset"),
        params).all()
    return [(int(m), str(n), str(name), int(a), str(st), _date(p)) for m, n, name, a, st, p in rows], total


def bills_of(session: Session, agreement_id: int, *, ending_after: int) -> list[Bill]:
    return list(session.scalars(select(Bill).where(Bill.agreement_id == agreement_id, Bill.cycle_end > ending_after)
                                .order_by(Bill.cycle_start, Bill.seq)))


def payment_by_reference(session: Session, reference: str) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.reference == reference)).one_or_none()


def payment_by_receipt(session: Session, receipt_no: str) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.receipt_no == receipt_no)).one_or_none()


def payments_for_bill(session: Session, bill_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.bill_id == bill_id).order_by(Payment.id)))


def credit_balance(session: Session, agreement_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(CreditEntry.amount), 0))
                              .where(CreditEntry.agreement_id == agreement_id)) or 0)


def credit_balances(session: Session, agreement_ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(select(CreditEntry.agreement_id, func.sum(CreditEntry.amount))
                           .where(CreditEntry.agreement_id.in_(list(agreement_ids)))
                           .group_by(CreditEntry.agreement_id)).all()
    return {int(a): int(v) for a, v in rows}


def add_credit(session: Session, entry: CreditEntry) -> CreditEntry:
    session.add(entry)
    session.flush()
    return entry


def next_receipt_no(session: Session, year: int) -> int:
    """The next receipt number of ``year`` (an upsert on the counter row, held until commit)."""
    ins = postgresql.insert(ReceiptCounter) if _pg(session) else sqlite.insert(ReceiptCounter)
    stmt = ins.values(year=year, last_no=1).on_conflict_do_update(
        index_elements=["year"], set_={"last_no": ReceiptCounter.last_no + 1}).returning(ReceiptCounter.last_no)
    return int(session.execute(stmt).scalar_one())


# --- coverage: one indexed query on the ledger --------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerMonth:
    month: int
    status: str
    amount: int
    paid_on: dt.date | None
    payment_code: str
    agreement: str
    issued_on: dt.date | None = None  # the bill's: a coverage "as of" an earlier day leaves later bills out
    sponsor_id: int | None = None  # the agreement's sponsor


# The months a worker can have live lines in are the months of its enrolment spans (index on
# enrolments (worker_id, first_month)); each is one seek of the ledger's key.
_LEDGER = """
WITH RECURSIVE span(month, last_month) AS (
  SELECT first_month, last_month FROM enrolments WHERE worker_id = :worker
  UNION
  SELECT month + 1, last_month FROM span WHERE month < last_month
),
months AS (SELECT DISTINCT month FROM span)
SELECT l.month, l.status, l.amount, l.paid_on, b.payment_code, a.code, b.issued_on, a.sponsor_id
FROM months m
JOIN contribution_lines l ON l.month = m.month AND l.worker_id = :worker AND l.void_seq = 0
JOIN bills b ON b.id = l.bill_id
JOIN agreements a ON a.id = b.agreement_id
ORDER BY l.month
"""


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def ledger_of(session: Session, worker_id: int) -> list[LedgerMonth]:
    """The worker's live ledger lines, month by month: one query."""
    return [LedgerMonth(int(m), s, int(a), _date(p), code, ag, _date(issued), int(sp))
            for m, s, a, p, code, ag, issued, sp in session.execute(text(_LEDGER), {"worker": worker_id}).all()]


def explain_ledger_query(session: Session, worker_id: int) -> list[str]:
    """The database's plan for ``ledger_of`` (for the benchmark)."""
    if _pg(session):
        return [r[0] for r in session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {_LEDGER}"),
                                              {"worker": worker_id}).all()]
    return [str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {_LEDGER}"), {"worker": worker_id}).all()]


def death_of(session: Session, worker_id: int) -> WorkerDeath | None:
    return session.get(WorkerDeath, worker_id)


# --- ends ---------------------------------------------------------------------------------------


def active_enrolments(session: Session, worker_id: int, *, agreement_id: int | None = None) -> list[Enrolment]:
    stmt = select(Enrolment).where(Enrolment.worker_id == worker_id, Enrolment.status == "active")
    if agreement_id is not None:
        stmt = stmt.where(Enrolment.agreement_id == agreement_id)
    return list(session.scalars(stmt.order_by(Enrolment.first_month, Enrolment.id)))


def enrolment_spans(session: Session, worker_id: int) -> list[Enrolment]:
    """The worker's enrolments that were not cancelled, oldest first."""
    return list(session.scalars(select(Enrolment).where(Enrolment.worker_id == worker_id,
                                                        Enrolment.status != "cancelled")
                                .order_by(Enrolment.first_month, Enrolment.id)))


def last_enrolled_month(session: Session, worker_id: int) -> int:
    """The last month of any enrolment of the worker (0 when none)."""
    return int(session.scalar(select(func.coalesce(func.max(Enrolment.last_month), 0))
                              .where(Enrolment.worker_id == worker_id)) or 0)


def add_end(session: Session, end: EnrolmentEnd) -> None:
    session.add(end)


def add_death(session: Session, death: WorkerDeath) -> None:
    session.add(death)


@dataclass(frozen=True, slots=True)
class LiveLine:
    month: int
    worker_id: int
    bill_id: int
    agreement_id: int
    status: str
    amount: int


def worker_lines_after(session: Session, worker_id: int, after: int, last: int, *,
                       enrolment_id: int | None = None) -> list[LiveLine]:
    """Live lines of the worker for months ``after`` + 1 … ``last``: one key seek per month."""
    if last <= after:
        return []
    rows = session.execute(text(
        f"WITH RECURSIVE {_MONTHS} "
        "SELECT l.month, l.worker_id, l.bill_id, b.agreement_id, l.status, l.amount, l.enrolment_id "
        "FROM months m JOIN contribution_lines l ON l.month = m.month AND l.worker_id = :worker AND l.void_seq = 0 "
        "JOIN bills b ON b.id = l.bill_id ORDER BY l.month"),
        {"first": after + 1, "last": last, "worker": worker_id}).all()
    return [LiveLine(int(m), int(w), int(b), int(a), str(s), int(amt))
            for m, w, b, a, s, amt, e in rows if enrolment_id is None or int(e) == enrolment_id]


def void_lines(session: Session, lines: Sequence[LiveLine], reason: str) -> None:
    """Void live lines (each gets the next void_seq of its worker-month) and keep the bills' counters:
    an unpaid line voided is cancelled; a paid one stays settled (its money is refunded or credited)."""
    if not lines:
        return
    session.execute(text(
        "UPDATE contribution_lines SET status = 'void', void_reason = :reason, void_seq = ("
        "SELECT max(v.void_seq) + 1 FROM contribution_lines v "
        "WHERE v.month = contribution_lines.month AND v.worker_id = contribution_lines.worker_id) "
        "WHERE month = :month AND worker_id = :worker AND void_seq = 0"),
        [{"reason": reason, "month": x.month, "worker": x.worker_id} for x in lines])
    cancelled: dict[int, tuple[int, int]] = {}
    for x in lines:
        if x.status == "due":
            n, a = cancelled.get(x.bill_id, (0, 0))
            cancelled[x.bill_id] = (n + 1, a + x.amount)
    for bill_id, (n, a) in cancelled.items():
        session.execute(update(Bill).where(Bill.id == bill_id).values(
            cancelled=Bill.cancelled + a, cancelled_months=Bill.cancelled_months + n)
            .execution_options(synchronize_session=False))


def add_refund(session: Session, refund: Refund) -> None:
    session.add(refund)


def cut_cohorts(session: Session, agreement_id: int, last_month: int) -> list[tuple[int, str, int, int, int]]:
    """(first month, sector, enrolments, those still holding a place, committed cost) of the
    agreement's active enrolments that reach beyond ``last_month``."""
    freed = (select(EnrolmentEnd.id).where(EnrolmentEnd.enrolment_id == Enrolment.id,
                                           EnrolmentEnd.reason.in_(PLACE_FREEING)).exists())
    holding = func.sum(case((freed, 0), else_=1))
    rows = session.execute(
        select(Enrolment.first_month, Enrolment.sector, func.count(), holding, func.sum(Enrolment.committed_cost))
        .where(Enrolment.agreement_id == agreement_id, Enrolment.status == "active",
               Enrolment.last_month > last_month)
        .group_by(Enrolment.first_month, Enrolment.sector).order_by(Enrolment.first_month, Enrolment.sector)).all()
    return [(int(f), str(s), int(n), int(h or 0), int(c or 0)) for f, s, n, h, c in rows]


PLACE_FREEING = ("death", "left")


def place_freed(session: Session, enrolment_id: int) -> bool:
    """Whether an earlier cut (the worker died or left) already gave the enrolment's place back."""
    return session.scalar(select(EnrolmentEnd.id).where(EnrolmentEnd.enrolment_id == enrolment_id,
                                                        EnrolmentEnd.reason.in_(PLACE_FREEING)).limit(1)) is not None


def set_committed_cost(session: Session, agreement_id: int, last_month: int, first_month: int, sector: str,
                       cost: int) -> None:
    """The cost every enrolment of one cohort keeps once cut at ``last_month``."""
    session.execute(
        update(Enrolment).where(Enrolment.agreement_id == agreement_id, Enrolment.status == "active",
                                Enrolment.last_month > last_month, Enrolment.first_month == first_month,
                                Enrolment.sector == sector)
        .values(committed_cost=cost).execution_options(synchronize_session=False))


def end_agreement_enrolments(session: Session, agreement_id: int, last_month: int, *, by: str,
                             on: dt.date, at: dt.datetime) -> tuple[int, int]:
    """Cut every active enrolment of the agreement at ``last_month`` (set-based): record the ends,
    shorten the spans, cancel the ones that had not started. Returns (shortened, cancelled)."""
    ends = session.execute(text(
        "INSERT INTO enrolment_ends (enrolment_id, reason, previous_last_month, last_month, cancelled, "
        "effective_on, recorded_by, recorded_at) "
        "SELECT id, 'agreement_ended', last_month, CASE WHEN first_month > :m THEN last_month ELSE :m END, "
        "first_month > :m, :on, :by, :at FROM enrolments "
        "WHERE agreement_id = :a AND status = 'active' AND last_month > :m"),
        {"a": agreement_id, "m": last_month, "on": on, "by": by, "at": at})
    cancelled = session.execute(
        update(Enrolment).where(Enrolment.agreement_id == agreement_id, Enrolment.status == "active",
                                Enrolment.first_month > last_month)
        .values(status="cancelled", cancelled_by=by, cancelled_at=at).execution_options(synchronize_session=False))
    session.execute(
        update(Enrolment).where(Enrolment.agreement_id == agreement_id, Enrolment.status == "active",
                                Enrolment.last_month > last_month)
        .values(last_month=last_month).execution_options(synchronize_session=False))
    total = int(getattr(ends, "rowcount", 0) or 0)
    n_cancelled = int(getattr(cancelled, "rowcount", 0) or 0)
    return total - n_cancelled, n_cancelled


# --- lists --------------------------------------------------------------------------------------
#
# Each list takes the reader's ``scope``: a sponsor's staff get the rows of their sponsor's agreements
# (bills, and workers through the lines of those bills) only; everyone else every row.


def overdue_bills(session: Session, at: dt.date, scope: Scope = EVERYTHING, window: Window | None = None
                  ) -> tuple[list[tuple[Any, ...]], int]:
    """Bills due before ``at`` with something outstanding, with their agreement and sponsor (the
    ``window`` of them, or all), and how many there are."""
    stmt = (select(Bill, Agreement.code, Sponsor.code, Sponsor.name)
            .join(Agreement, Agreement.id == Bill.agreement_id).join(Sponsor, Sponsor.id == Agreement.sponsor_id)
            .where(Bill.due_date < at, Bill.total > Bill.settled + Bill.cancelled)
            .order_by(Bill.due_date, Agreement.code, Bill.cycle_start, Bill.seq))
    if scope.sponsor_id is not None:
        stmt = stmt.where(Agreement.sponsor_id == scope.sponsor_id)
    return _rows(session, stmt, window)


def unpaid_by_agreement(session: Session, through_month: int, scope: Scope = EVERYTHING,
                        window: Window | None = None) -> tuple[list[tuple[Any, ...]], int]:
    """Per agreement: due worker-months of months up to ``through_month``, workers, first and last
    such month, amount (a range scan of the ledger's key); the ``window`` of them, or all, and how
    many agreements there are."""
    own = scope.sponsor_id is not None
    per = text(
        "SELECT b.agreement_id AS agreement_id, count(*) AS n, count(DISTINCT l.worker_id) AS workers, "
        "min(l.month) AS first_month, max(l.month) AS last_month, sum(l.amount) AS amount "
        "FROM contribution_lines l JOIN bills b ON b.id = l.bill_id "
        + ("JOIN agreements sa ON sa.id = b.agreement_id AND sa.sponsor_id = :sponsor " if own else "")
        + "WHERE l.month <= :through AND l.void_seq = 0 AND l.status = 'due' GROUP BY b.agreement_id"
    ).bindparams(through=through_month, **_sponsor_param(scope)).columns(
        agreement_id=Integer, n=Integer, workers=Integer, first_month=Integer, last_month=Integer,
        amount=Integer).subquery()
    return _rows(session, select(Agreement.code, Sponsor.code, Sponsor.name, per.c.n, per.c.workers,
                                 per.c.first_month, per.c.last_month, per.c.amount)
                 .join(per, per.c.agreement_id == Agreement.id).join(Sponsor, Sponsor.id == Agreement.sponsor_id)
                 .order_by(Agreement.code), window)


def _month_of_date(session: Session, column: str) -> str:
    """SQL for the ``Month.index`` of a DATE column."""
    if _pg(session):
        return (f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12 "
                f"+ CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)")
    return (f"(CAST(strftime('%Y', {column}) AS INTEGER) * 12 "
            f"+ CAST(strftime('%m', {column}) AS INTEGER) - 1)")


def _own_line(alias: str, scope: Scope) -> str:
    """SQL: the line ``alias`` is on a bill of ``scope``'s sponsor (always true for everyone else)."""
    if scope.sponsor_id is None:
        return ""
    return (f"AND EXISTS (SELECT 1 FROM bills sb JOIN agreements sa ON sa.id = sb.agreement_id "
            f"WHERE sb.id = {alias}.bill_id AND sa.sponsor_id = :sponsor) ")


def protection_end_candidates(session: Session, *, at: dt.date, first_month: int, last_month: int,
                              grace: int, scope: Scope = EVERYTHING
                              ) -> Iterator[tuple[int, list[tuple[int, dt.date]]]]:
    """Workers whose unbroken paid run may end in [first_month, last_month] as known on ``at``, each
    with all its paid live months (month, paid on), in worker order.

    A necessary condition only (the rules decide): some month E in the window is paid by ``at``
    and month E+1 is not paid by ``at`` within its arrears window (paid on or before the end of
    month E + grace). Workers with a recorded death are left out. A sponsor's staff (``scope``): only
    where month E was billed to their sponsor (the worker's other months still count).
    """
    next_paid_month = _month_of_date(session, "n.paid_on")
    candidates = (
        "SELECT DISTINCT l.worker_id FROM contribution_lines l "
        "WHERE l.month BETWEEN :first AND :last AND l.void_seq = 0 AND l.status = 'paid' AND l.paid_on <= :at "
        + _own_line("l", scope) +
        "AND NOT EXISTS (SELECT 1 FROM contribution_lines n WHERE n.month = l.month + 1 "
        "AND n.worker_id = l.worker_id AND n.void_seq = 0 AND n.status = 'paid' AND n.paid_on <= :at "
        f"AND {next_paid_month} <= l.month + :grace) "
        "AND NOT EXISTS (SELECT 1 FROM worker_deaths d WHERE d.worker_id = l.worker_id)")
    rows = session.execute(text(
        "SELECT l.worker_id, l.month, l.paid_on FROM contribution_lines l "
        f"WHERE l.void_seq = 0 AND l.status = 'paid' AND l.worker_id IN ({candidates}) "
        "ORDER BY l.worker_id, l.month"),
        {"at": at, "first": first_month, "last": last_month, "grace": grace, **_sponsor_param(scope)})
    current: int | None = None
    months: list[tuple[int, dt.date]] = []
    for wid, month, paid_on in rows:
        if wid != current:
            if current is not None:
                yield current, months
            current, months = int(wid), []
        day = _date(paid_on)
        assert day is not None
        months.append((int(month), day))
    if current is not None:
        yield current, months


def lapse_candidates(session: Session, *, at: dt.date, first_month: int, last_month: int,
                     scope: Scope = EVERYTHING) -> Iterator[tuple[int, list[LedgerMonth]]]:
    """Workers with a live line in [first_month, last_month] that was unpaid on ``at`` (still due, or
    paid only after ``at``), each with all its live lines (with their agreement's sponsor), in worker
    and month order.

    A necessary condition only (the rules decide whether the month is arrears of a running
    membership). Workers with a recorded death are left out. A sponsor's staff (``scope``): only where
    that line was billed to their sponsor."""
    candidates = (
        "SELECT DISTINCT c.worker_id FROM contribution_lines c "
        "WHERE c.month BETWEEN :first AND :last AND c.void_seq = 0 "
        "AND (c.status = 'due' OR (c.status = 'paid' AND c.paid_on > :at)) "
        + _own_line("c", scope) +
        "AND NOT EXISTS (SELECT 1 FROM worker_deaths d WHERE d.worker_id = c.worker_id)")
    rows = session.execute(text(
        "SELECT l.worker_id, l.month, l.status, l.amount, l.paid_on, b.payment_code, a.code, a.sponsor_id "
        "FROM contribution_lines l JOIN bills b ON b.id = l.bill_id JOIN agreements a ON a.id = b.agreement_id "
        f"WHERE l.void_seq = 0 AND l.worker_id IN ({candidates}) ORDER BY l.worker_id, l.month"),
        {"at": at, "first": first_month, "last": last_month, **_sponsor_param(scope)})
    current: int | None = None
    lines: list[LedgerMonth] = []
    for wid, month, status, amount, paid_on, code, agreement, sponsor in rows:
        if wid != current:
            if current is not None:
                yield current, lines
            current, lines = int(wid), []
        lines.append(LedgerMonth(int(month), str(status), int(amount), _date(paid_on), str(code), str(agreement),
                                 sponsor_id=int(sponsor)))
    if current is not None:
        yield current, lines


def workers_by_ids(session: Session, ids: Sequence[int]) -> dict[int, Worker]:
    out: dict[int, Worker] = {}
    for i in range(0, len(ids), 500):
        out.update({w.id: w for w in session.scalars(select(Worker).where(Worker.id.in_(list(ids[i:i + 500]))))})
    return out


def agreement_of_month(session: Session, pairs: Sequence[tuple[int, int]], scope: Scope = EVERYTHING
                       ) -> dict[tuple[int, int], str]:
    """{(worker id, month): agreement code} of live lines (one key seek each); a sponsor's staff
    (``scope``): of lines billed to their sponsor only."""
    out: dict[tuple[int, int], str] = {}
    own = " AND a.sponsor_id = :sponsor" if scope.sponsor_id is not None else ""
    stmt = text("SELECT a.code FROM contribution_lines l JOIN bills b ON b.id = l.bill_id "
                "JOIN agreements a ON a.id = b.agreement_id "
                "WHERE l.month = :month AND l.worker_id = :worker AND l.void_seq = 0" + own)
    for worker, month in pairs:
        code = session.scalar(stmt, {"month": month, "worker": worker, **_sponsor_param(scope)})
        if code is not None:
            out[(worker, month)] = str(code)
    return out


def statements(session: Session, sponsor_id: int | None = None, scope: Scope = EVERYTHING,
               window: Window | None = None) -> tuple[list[tuple[Any, ...]], int]:
    """Per agreement (of ``sponsor_id``, and of ``scope``'s sponsor for a sponsor's staff): billed,
    cancelled (voided unpaid), settled (worker-months paid), received, payments, credit balance,
    refunds, outstanding — from the bills' counters, no ledger scan; the ``window`` of them, or all,
    and how many agreements there are."""
    billed = (select(Bill.agreement_id, func.sum(Bill.total).label("total"), func.sum(Bill.settled).label("settled"),
                     func.sum(Bill.cancelled).label("cancelled")).group_by(Bill.agreement_id).subquery())
    received = (select(Payment.agreement_id, func.sum(Payment.amount).label("v"), func.count().label("n"))
                .group_by(Payment.agreement_id).subquery())
    credit = select(CreditEntry.agreement_id, func.sum(CreditEntry.amount).label("v")).group_by(
        CreditEntry.agreement_id).subquery()
    refunds = select(Refund.agreement_id, func.sum(Refund.amount).label("v")).group_by(Refund.agreement_id).subquery()
    z = func.coalesce
    total, settled, cancelled = z(billed.c.total, 0), z(billed.c.settled, 0), z(billed.c.cancelled, 0)
    stmt = (select(Sponsor.code, Sponsor.name, Agreement.code, Agreement.status, total, cancelled, settled,
                   z(received.c.v, 0), z(received.c.n, 0), z(credit.c.v, 0), z(refunds.c.v, 0),
                   total - settled - cancelled)
            .join(Sponsor, Sponsor.id == Agreement.sponsor_id)
            .outerjoin(billed, billed.c.agreement_id == Agreement.id)
            .outerjoin(received, received.c.agreement_id == Agreement.id)
            .outerjoin(credit, credit.c.agreement_id == Agreement.id)
            .outerjoin(refunds, refunds.c.agreement_id == Agreement.id)
            .order_by(Sponsor.code, Agreement.code))
    if sponsor_id is not None:
        stmt = stmt.where(Agreement.sponsor_id == sponsor_id)
    if scope.sponsor_id is not None:
        stmt = stmt.where(Agreement.sponsor_id == scope.sponsor_id)
    return _rows(session, stmt, window)


def _rows(session: Session, stmt: Any, window: Window | None) -> tuple[list[tuple[Any, ...]], int]:
    """The rows of ``stmt`` (a SELECT ordered on a unique key) in ``window`` — a count and a LIMIT/OFFSET in
    SQL — or all of them; and how many it selects."""
    if window is None:
        rows = _tuples(session.execute(stmt).all())
        return rows, len(rows)
    paged = fetch(session, stmt, window)
    return _tuples(paged.items), paged.total


def _sponsor_param(scope: Scope) -> dict[str, int]:
    """The ``:sponsor`` parameter of a scoped list's SQL (none for everyone else)."""
    return {} if scope.sponsor_id is None else {"sponsor": scope.sponsor_id}


def _tuples(rows: Iterable[Any]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in rows]


def line_totals_by_bill(session: Session) -> dict[int, dict[str, int]]:
    """Recomputed from the lines (a full scan, for checks): per bill, amounts by line state."""
    rows = session.execute(text(
        "SELECT bill_id, status, paid_on IS NOT NULL, count(*), sum(amount) FROM contribution_lines "
        "GROUP BY bill_id, status, paid_on IS NOT NULL")).all()
    out: dict[int, dict[str, int]] = {}
    for bill, status, paid, n, amount in rows:
        d = out.setdefault(int(bill), {"total": 0, "months": 0, "settled": 0, "settled_months": 0,
                                       "cancelled": 0, "cancelled_months": 0})
        d["total"] += int(amount)
        d["months"] += int(n)
        if paid:
            d["settled"] += int(amount)
            d["settled_months"] += int(n)
        elif status == "void":
            d["cancelled"] += int(amount)
            d["cancelled_months"] += int(n)
    return out
