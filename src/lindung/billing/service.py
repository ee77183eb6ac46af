"""Issuing bills and recording payments.

Bills
    Per agreement per billing cycle: cycles of ``billing_cycle_months`` (1, 3, 6 or 12) aligned to the
    agreement's start month and cut at its last month. ``issue_bills(month)`` issues every cycle that
    starts on or before ``month`` and still has unbilled worker-months, for approved and active
    agreements. The price of each month × sector of each package comes from the rules
    (``monthly_price_table``; the components, for the record, from ``contribution_for_month``): a
    handful of rule calls, stored once as immutable ``contribution_prices`` rows. Then one
    ``INSERT … SELECT`` writes every worker-month (see ``repository._BILL_LINES``). Running it again
    issues nothing new: a live worker-month can exist only once, and the cycle register remembers up
    to which enrolment each cycle was billed, so a worker enrolled later gets a supplementary bill
    (``seq`` 2, 3 …) and nothing else is rescanned.
    The due date of a bill is the rules' due date (``rules.coverage.due_date``) of its first month.
    Credit the sponsor has on the agreement is applied to a new bill at once, oldest month first.

Payments
    A payment names a bill by its payment code. Its amount, plus any credit the sponsor has on the
    agreement, settles whole worker-months of that bill, oldest first; what is left (a remainder
    smaller than a worker-month, or an overpayment) becomes credit, applied to later bills. A bank
    reference is recorded once (also when two arrive at once: unique constraint): the same reference
    again for the same bill, amount and day is a retry, answered with the first receipt
    (``record_payment``; the CLI's ``pay`` refuses it, naming that receipt), with other details it is
    refused. Each accepted payment gets a numbered receipt (tanda bukti penerimaan iuran), gap-free
    per year.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.billing import repository as repo
from lindung.billing.models import Bill, CreditEntry, Payment
from lindung.billing.schemas import (
    AllocatedMonth,
    BillFilter,
    BillLeft,
    BillLine,
    BillPayment,
    BillRead,
    BillRow,
    BillRun,
    Cycle,
    IssuedBill,
    PaymentCreate,
    Receipt,
    SponsorRef,
    bill_state,
)
from lindung.kit import lokal
from lindung.kit.auth import EVERYTHING, Actor, Scope
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, InvalidInput, NotFound
from lindung.kit.numbers import rupiah_amount
from lindung.kit.paging import Paged, Window
from lindung.kit.privacy import mask_nik
from lindung.rules.contributions import OTHER, TRANSPORT, contribution_for_month, monthly_price_table
from lindung.rules.coverage import due_date
from lindung.rules.params import ParameterSet
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import OPEN_STATUSES, Agreement
from lindung.summary import cells

NextWorkingDay = Callable[[dt.date], tuple[dt.date, bool]]
RECEIPT_PREFIX = "TBPI"
_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9/._:-]{0,63}$")


class AgreementNotBillable(Conflict):
    code = "billing.agreement_not_billable"


class DuplicatePayment(Conflict):
    code = "billing.duplicate_reference"


class BillNotFound(NotFound):
    code = "billing.bill_not_found"


class LedgerConflict(Conflict):
    code = "billing.ledger_conflict"


# --- payment codes ------------------------------------------------------------------------------


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits`` (catches any single mistyped digit and most swaps)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def payment_code(agreement_id: int, cycle_start: Month, seq: int) -> str:
    """16 digits: agreement id (7), cycle's first month YYYYMM (6), bill sequence (2), Luhn digit."""
    if not 0 < agreement_id < 10**7 or not 0 < seq < 100:
        raise ValueError("payment code out of range")
    body = f"{agreement_id:07d}{cycle_start.year:04d}{cycle_start.month:02d}{seq:02d}"
    return body + luhn_digit(body)


def normalize_payment_code(text: str) -> str:
    code = re.sub(r"[\s.-]", "", str(text))
    if not (len(code) == 16 and code.isascii() and code.isdigit() and luhn_digit(code[:-1]) == code[-1]):
        raise InvalidInput("payment_code", text)
    return code


def normalize_reference(text: str) -> str:
    ref = "".join(str(text).split()).upper()
    if not _REFERENCE.match(ref):
        raise InvalidInput("reference", text)
    return ref


def check_amount(amount: object) -> int:
    """A positive whole number of rupiah (an int, never a bool or a float)."""
    return rupiah_amount(amount, "amount", minimum=1)


# --- cycles and prices --------------------------------------------------------------------------


def cycles_due(agreement: Agreement, month: Month) -> list[tuple[int, int]]:
    """(first, last) month indexes of the agreement's cycles that start on or before ``month``."""
    step = int(agreement.billing_cycle_months)
    out: list[tuple[int, int]] = []
    start = agreement.start_month
    while start <= min(month.index, agreement.end_month):
        out.append((start, min(start + step - 1, agreement.end_month)))
        start += step
    return out


@dataclass(frozen=True, slots=True)
class _Package:
    base: int
    funding: str
    jht: bool


class PriceBook:
    """Prices of month × sector per package for one bill run, each a ``contribution_prices`` row.

    The amount is what ``monthly_price_table`` gives; the components stored beside it come from
    ``contribution_for_month`` for the same facts, and must add up to the same amount.
    """

    def __init__(self, params: ParameterSet | None = None) -> None:
        self.params = params
        self._rows: dict[tuple[_Package, int, str], dict[str, Any]] = {}

    def span(self, package: _Package, first: int, last: int) -> None:
        missing = [m for m in range(first, last + 1) if (package, m, OTHER) not in self._rows]
        if not missing:
            return
        start, count = Month.from_index(missing[0]), missing[-1] - missing[0] + 1
        table = monthly_price_table(start, count, base=package.base, funding=package.funding, jht=package.jht,
                                    params=self.params)
        for (month, sector), amount in table.items():
            self._rows[(package, month.index, sector)] = self._row(package, month, sector, amount)

    def _row(self, package: _Package, month: Month, sector: str, amount: int) -> dict[str, Any]:
        c = contribution_for_month(month, base=package.base, transport=sector == TRANSPORT,
                                   funding=package.funding, jht=package.jht, params=self.params)
        if c.total != amount:  # pragma: no cover - the two rule functions disagree: a bug in rules/
            raise AssertionError(f"price of {month} {sector}: table {amount} ≠ components {c.total}")
        parts = {"jkk": c.amount("jkk"), "jkm": c.amount("jkm"), "jht_amount": c.amount("jht"),
                 "discount_jkk": c.amount("discount.jkk"), "discount_jkm": c.amount("discount.jkm")}
        rate = str(c.discount_rate)
        key = "|".join(str(x) for x in (month.index, sector, package.base, package.funding, int(package.jht),
                                        *parts.values(), rate, amount))
        return {"key": key, "month": month.index, "sector": sector, "base": package.base,
                "funding_code": package.funding, "jht": package.jht, **parts, "discount_rate": rate,
                "amount": amount, "explanation": json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True)}

    def resolve(self, session: Session) -> dict[tuple[_Package, int, str], tuple[int, int]]:
        """Store the rows not yet in the database; {(package, month, sector): (price id, amount)}."""
        keys = {r["key"] for r in self._rows.values()}
        found = repo.prices_by_key(session, keys)
        now = utcnow()
        repo.add_prices(session, [{**r, "created_at": now} for r in self._rows.values() if r["key"] not in found])
        found = repo.prices_by_key(session, keys)
        return {k: found[r["key"]] for k, r in self._rows.items()}


# --- issuing bills ------------------------------------------------------------------------------


def billable_agreement_ids(session: Session, month: Month, agreement: str | None = None, *,
                           scope: Scope | None = None) -> list[int]:
    """Ids of the agreements a bill run for ``month`` looks at: every open one (of ``scope``'s sponsor
    for a sponsor's staff), or ``agreement`` (not found when it is another sponsor's than ``scope``'s,
    refused when it is not open)."""
    if agreement is None:
        return repo.billable_agreement_ids(session, month.index, OPEN_STATUSES, scope or EVERYTHING)
    found = sponsors.get_agreement(session, agreement, scope=scope)
    if found.status not in OPEN_STATUSES:
        raise AgreementNotBillable(agreement=found.code, status=found.status)
    return [found.id] if found.start_month <= month.index else []


@dataclass
class _Candidate:
    agreement: Agreement
    cycle_start: int
    cycle_end: int
    after_enrolment: int
    watermark: int
    seq: int
    bill_id: int = 0


def issue_bills(session: Session, month: Month, *, today: dt.date, by: Actor,
                agreement_ids: Sequence[int] | None = None, params: ParameterSet | None = None,
                next_working_day: NextWorkingDay | None = None) -> BillRun:
    """Issue every cycle due by ``month`` not yet (fully) billed, for the given or all open agreements
    (of ``by``'s sponsor only, for a sponsor's staff).

    Set-based: prices into a tiny temporary table, one INSERT … SELECT for the worker-months.
    Idempotent and resumable: a second run, or a run after an interrupted one, issues only what is missing.
    """
    by.require("bill.issue")
    nwd = next_working_day or lokal.next_working_day
    agreements = repo.billable_agreements(session, month.index, OPEN_STATUSES, agreement_ids=agreement_ids,
                                          scope=by.scope)
    if not agreements:
        return BillRun.of(month, [])
    ids = [a.id for a in agreements]
    # Under the agreements' locks every enrolment of theirs is committed; all of them up to ``top``
    # are looked at by this run, so ``top`` becomes the watermark of every cycle it bills.
    top = repo.max_enrolment_id(session)
    register = repo.cycle_register(session, ids)
    newer = (repo.newer_enrolments(session, ids, min(c.enrolment_watermark for c in register.values()))
             if register else {})
    seqs = repo.bill_seqs(session, ids)
    candidates: list[_Candidate] = []
    for a in agreements:
        for first, last in cycles_due(a, month):
            known = register.get((a.id, first))
            after = known.enrolment_watermark if known is not None else 0
            if known is not None and newer.get(a.id, 0) <= after:
                continue  # billed for every enrolment there is
            candidates.append(_Candidate(a, first, last, after, top, seqs.get((a.id, first), 0) + 1))
    if not candidates:
        return BillRun.of(month, [], agreements=len(agreements))

    book = PriceBook(params)
    for c in candidates:
        book.span(_pkg(c.agreement), c.cycle_start, c.cycle_end)
    prices = book.resolve(session)

    now = utcnow()
    bill_rows: list[dict[str, Any]] = [
        {"agreement_id": c.agreement.id, "cycle_start": c.cycle_start, "cycle_end": c.cycle_end, "seq": c.seq,
         "payment_code": payment_code(c.agreement.id, Month.from_index(c.cycle_start), c.seq),
         "due_date": due_date(Month.from_index(c.cycle_start), next_working_day=nwd, params=params).date,
         "worker_months": 0, "total": 0, "settled": 0, "settled_months": 0, "cancelled": 0,
         "cancelled_months": 0, "issued_on": today, "issued_by": by.username, "issued_at": now}
        for c in candidates]
    bill_ids = repo.add_bills(session, bill_rows)
    repo.stage_prices(session, [
        {"agreement_id": c.agreement.id, "month": m,
         "other_price_id": prices[(_pkg(c.agreement), m, OTHER)][0],
         "other_amount": prices[(_pkg(c.agreement), m, OTHER)][1],
         "transport_price_id": prices[(_pkg(c.agreement), m, TRANSPORT)][0],
         "transport_amount": prices[(_pkg(c.agreement), m, TRANSPORT)][1]}
        for c in candidates for m in range(c.cycle_start, c.cycle_end + 1)])
    written: dict[int, tuple[int, int]] = {}
    try:
        for c in candidates:  # one INSERT … SELECT per bill
            c.bill_id = bill_ids[(c.agreement.id, c.cycle_start, c.seq)]
            written[c.bill_id] = repo.bill_lines(session, bill_id=c.bill_id, agreement_id=c.agreement.id,
                                                 first=c.cycle_start, last=c.cycle_end,
                                                 after_enrolment=c.after_enrolment)
    except IntegrityError as exc:
        # A live worker-month billed twice: an invariant broken elsewhere (see ends.py). Nothing is kept.
        raise LedgerConflict(month=str(month), detail=str(exc.orig).splitlines()[0]) from None
    repo.drop_tmp(session)
    repo.delete_bills(session, [b for b, (n, _t) in written.items() if n == 0])
    repo.set_bill_totals(session, [{"id": b, "worker_months": n, "total": total}
                                   for b, (n, total) in written.items() if n])
    repo.save_cycles(session, [{"agreement_id": c.agreement.id, "cycle_start": c.cycle_start,
                                "cycle_end": c.cycle_end, "enrolment_watermark": c.watermark,
                                "bills": 1 if written[c.bill_id][0] else 0, "checked_at": now}
                               for c in candidates])
    session.expire_all()
    credit = repo.credit_balances(session, ids)
    issued: list[IssuedBill] = []
    audit_rows: list[dict[str, Any]] = []
    for c, row in zip(candidates, bill_rows, strict=True):
        n, total = written[c.bill_id]
        if not n:
            continue
        credit_n = credit_amount = 0
        if credit.get(c.agreement.id, 0) > 0:
            bill = session.get(Bill, c.bill_id)
            assert bill is not None
            credit_n, credit_amount = _apply_credit(session, bill, credit[c.agreement.id], today)
            credit[c.agreement.id] -= credit_amount
        issued.append(IssuedBill.of(payment_code=row["payment_code"], agreement=c.agreement.code,
                                    cycle=Cycle.of(c.cycle_start, c.cycle_end), seq=c.seq, due_date=row["due_date"],
                                    worker_months=n, total=total, credit_applied=credit_amount,
                                    credit_months=credit_n))
        audit_rows.append({"at": now, "actor": by.username, "actor_id": by.user_id, "action": "bill.issue",
                           "subject_type": "bill", "subject_id": c.bill_id, "detail": None,
                           "data": {"bill": row["payment_code"], "worker_months": n, "total": total}})
    if audit_rows:
        session.execute(insert(AuditEntry), audit_rows)
    return BillRun.of(month, issued, agreements=len(agreements), cycles_checked=len(candidates))


def _pkg(agreement: Agreement) -> _Package:
    return _Package(int(agreement.base), agreement.funding_code, bool(agreement.jht))


def _apply_credit(session: Session, bill: Bill, balance: int, on: dt.date) -> tuple[int, int]:
    """Settle what the sponsor's credit covers on a new bill, oldest month first."""
    n, amount = repo.affordable(session, bill, balance)
    if n == 0:
        return 0, 0
    entry = repo.add_credit(session, CreditEntry(agreement_id=bill.agreement_id, amount=-amount, kind="applied",
                                                 bill_id=bill.id, entered_on=on, created_at=utcnow()))
    settled = repo.settle(session, bill, balance, paid_on=on, credit_entry_id=entry.id)
    cells.settled(session, agreement_id=bill.agreement_id, first=bill.cycle_start, last=bill.cycle_end,
                  credit_entry_id=entry.id)
    assert (sum(x[1] for x in settled), sum(x[2] for x in settled)) == (n, amount)
    return n, amount


# --- payments -----------------------------------------------------------------------------------


def pay(session: Session, payment_in: PaymentCreate, *, today: dt.date, by: Actor) -> Receipt:
    """Record a payment for a bill, received on ``paid_on`` (default: ``today``, the day it is
    recorded), and return its receipt (``lindung pay``). A reference already recorded is refused,
    also when the details are the same: at the branch's desk a second entry of one transfer is a
    mistake to point out, with the first receipt's number (the API answers a retry with that receipt:
    ``record_payment``)."""
    found, replayed = record_payment(session, payment_in, today=today, by=by)
    if replayed:
        raise DuplicatePayment(reference=found.reference, receipt=found.receipt)
    return found


def record_payment(session: Session, payment_in: PaymentCreate, *, today: dt.date, by: Actor
                   ) -> tuple[Receipt, bool]:
    """Record a payment for a bill and give its receipt, or, when the bank reference is recorded
    already for the same bill, amount and day paid, that first receipt again and nothing written
    (a retry of a request whose answer was lost): ``(receipt, replayed)``. The same reference with
    other details is ``DuplicatePayment`` (409).

    Race-safe: payments on one agreement wait for its lock, so the second of two identical requests
    finds the first one's payment and replays it; two agreements' payments with one reference meet at
    the reference's unique constraint, and the one refused there rolls back its receipt number with
    its insert (a savepoint) before it looks at the payment that won."""
    by.require("payment.record")
    amount = check_amount(payment_in.amount)
    ref = normalize_reference(payment_in.reference)
    number = normalize_payment_code(payment_in.code)
    paid_on = payment_in.paid_on or today
    if paid_on > today:
        raise InvalidInput("paid_on", paid_on.isoformat(), reason="date_future")
    bill = repo.bill_by_code(session, number)
    if bill is None or not _reaches(session, by, bill.agreement_id):
        raise BillNotFound(payment_code=number)
    repo.lock_agreement(session, bill.agreement_id)
    existing = repo.payment_by_reference(session, ref)
    if existing is not None:
        return _replay(session, existing, bill, amount, paid_on), True
    if paid_on < bill.issued_on:
        raise InvalidInput("paid_on", paid_on.isoformat(), reason="paid_before_bill",
                           issued=bill.issued_on.isoformat())
    credit_before = repo.credit_balance(session, bill.agreement_id)
    year = today.year
    try:
        with session.begin_nested():  # the receipt number is taken back if the reference is refused
            receipt_no = f"{RECEIPT_PREFIX}/{year}/{repo.next_receipt_no(session, year):06d}"
            payment = Payment(reference=ref, bill_id=bill.id, agreement_id=bill.agreement_id, amount=amount,
                              paid_on=paid_on, recorded_on=today, receipt_no=receipt_no, worker_months=0,
                              allocated=0, credit_before=credit_before, credit_after=credit_before,
                              allocation="[]", recorded_by=by.username, recorded_at=utcnow())
            session.add(payment)
    except IntegrityError:
        # Another transaction recorded the same reference between our check and our insert.
        winner = repo.payment_by_reference(session, ref)
        if winner is None:  # pragma: no cover - refused by another constraint than the reference's
            raise
        return _replay(session, winner, bill, amount, paid_on), True
    settled = repo.settle(session, bill, amount + credit_before, paid_on=paid_on, payment_id=payment.id)
    cells.settled(session, agreement_id=bill.agreement_id, first=bill.cycle_start, last=bill.cycle_end,
                  payment_id=payment.id)
    n, allocated = sum(x[1] for x in settled), sum(x[2] for x in settled)
    delta = amount - allocated
    if delta:
        repo.add_credit(session, CreditEntry(agreement_id=bill.agreement_id, amount=delta,
                                             kind="payment" if delta > 0 else "applied", payment_id=payment.id,
                                             bill_id=bill.id, entered_on=paid_on, created_at=utcnow()))
    payment.worker_months, payment.allocated, payment.credit_after = n, allocated, credit_before + delta
    payment.allocation = json.dumps(settled)
    session.flush()
    session.refresh(bill)
    audit.record(session, actor=by, action="payment.accept", subject_type="payment", subject_id=payment.id,
                 data={"receipt": receipt_no, "bill": number, "amount": amount})
    return receipt(session, payment), False


def _replay(session: Session, existing: Payment, bill: Bill, amount: int, paid_on: dt.date) -> Receipt:
    """The receipt of ``existing`` when it is the payment asked for again (same bill, amount and day
    paid); ``DuplicatePayment`` otherwise."""
    if (existing.bill_id, existing.amount, existing.paid_on) != (bill.id, amount, paid_on):
        raise DuplicatePayment(reference=existing.reference, receipt=existing.receipt_no)
    session.refresh(bill)  # read before the agreement's lock: the first payment has settled it since
    return receipt(session, existing)


def receipt(session: Session, payment: Payment) -> Receipt:
    bill = session.get(Bill, payment.bill_id)
    assert bill is not None
    agreement = session.get(Agreement, bill.agreement_id)
    assert agreement is not None
    unpaid_n, unpaid = _outstanding(bill)
    allocation = [AllocatedMonth(month=Month.from_index(m), worker_months=n, amount=a)
                  for m, n, a in json.loads(payment.allocation)]
    allocated = sum(x.amount for x in allocation)
    return Receipt(receipt=payment.receipt_no, issued_on=payment.recorded_on, paid_on=payment.paid_on,
                   reference=payment.reference, amount=payment.amount, payment_code=bill.payment_code,
                   agreement=agreement.code,
                   sponsor=SponsorRef(code=agreement.sponsor.code, name=agreement.sponsor.name),
                   cycle=Cycle.of(bill.cycle_start, bill.cycle_end), allocation=allocation,
                   worker_months=sum(x.worker_months for x in allocation), allocated=allocated,
                   credit_before=payment.credit_before, credit_used=max(0, allocated - payment.amount),
                   credit_added=max(0, payment.amount - allocated), credit_after=payment.credit_after,
                   bill=BillLeft(total=bill.total, unpaid_worker_months=unpaid_n, unpaid=unpaid),
                   recorded_by=payment.recorded_by)


def _outstanding(bill: Bill) -> tuple[int, int]:
    """(worker-months, amount) still due on the bill, from its counters."""
    return (bill.worker_months - bill.settled_months - bill.cancelled_months,
            bill.total - bill.settled - bill.cancelled)


def find_receipt(session: Session, number: str, *, by: Actor) -> Receipt:
    """A receipt again, by its number (a sponsor's staff: their sponsor's only)."""
    by.require("bill.read")
    payment = repo.payment_by_receipt(session, str(number).strip().upper())
    if payment is None or not _reaches(session, by, payment.agreement_id):
        raise NotFound("billing.receipt_not_found", number=number)
    return receipt(session, payment)


def _reaches(session: Session, by: Actor, agreement_id: int) -> bool:
    """Whether ``by`` may see the agreement's bills and payments (a sponsor's staff: their own)."""
    if by.scope.sponsor_id is None:
        return True
    agreement = session.get(Agreement, agreement_id)
    return agreement is not None and agreement.sponsor_id == by.scope.sponsor_id


# --- a bill as it stands ------------------------------------------------------------------------


def bill_status(session: Session, code: str, *, by: Actor) -> BillRead:
    """A bill as issued and as it stands: paid, unpaid, voided, its payments (a sponsor's staff: their
    sponsor's bills only)."""
    by.require("bill.read")
    number = normalize_payment_code(code)
    bill = repo.bill_by_code(session, number)
    if bill is None or not _reaches(session, by, bill.agreement_id):
        raise BillNotFound(payment_code=number)
    agreement = session.get(Agreement, bill.agreement_id)
    assert agreement is not None
    unpaid_n, unpaid = _outstanding(bill)
    payments = repo.payments_for_bill(session, bill.id)
    return BillRead(payment_code=bill.payment_code, agreement=agreement.code,
                    sponsor=SponsorRef(code=agreement.sponsor.code, name=agreement.sponsor.name),
                    cycle=Cycle.of(bill.cycle_start, bill.cycle_end), seq=bill.seq, due_date=bill.due_date,
                    issued_on=bill.issued_on, worker_months=bill.worker_months, total=bill.total,
                    settled=bill.settled, cancelled=bill.cancelled, unpaid_worker_months=unpaid_n, unpaid=unpaid,
                    status=bill_state(bill.total, bill.settled, bill.cancelled),
                    payments=[BillPayment(receipt=p.receipt_no, reference=p.reference, amount=p.amount,
                                          paid_on=p.paid_on, worker_months=p.worker_months, allocated=p.allocated)
                              for p in payments])


def list_bills(session: Session, window: Window, *, by: Actor, status: BillFilter | None = None,
               agreement: str | None = None, month: Month | None = None) -> Paged[BillRow]:
    """A page of bills, newest first (a sponsor's staff: their sponsor's only; another sponsor's
    agreement is not found): ``status`` one of ``unpaid``, ``partly_paid``, ``paid``, ``cancelled``
    or ``open`` (unpaid or partly paid), of one agreement, whose cycle holds ``month``. Cut in SQL."""
    by.require("bill.read")
    agreement_id = sponsors.get_agreement(session, agreement, scope=by.scope).id if agreement else None
    rows, total = repo.bills_page(session, window, scope=by.scope, state=status, agreement_id=agreement_id,
                                  month=month.index if month is not None else None)
    items = []
    for bill, agreement_code, sponsor_code, sponsor_name in rows:
        unpaid_n, unpaid = _outstanding(bill)
        items.append(BillRow(payment_code=bill.payment_code, agreement=agreement_code,
                             sponsor=SponsorRef(code=sponsor_code, name=sponsor_name),
                             cycle=Cycle.of(bill.cycle_start, bill.cycle_end), seq=bill.seq, due_date=bill.due_date,
                             issued_on=bill.issued_on, worker_months=bill.worker_months, total=bill.total,
                             settled=bill.settled, cancelled=bill.cancelled, unpaid_worker_months=unpaid_n,
                             unpaid=unpaid, status=bill_state(bill.total, bill.settled, bill.cancelled)))
    return Paged(items, total, window)


def bill_lines(session: Session, code: str, window: Window, *, by: Actor) -> Paged[BillLine]:
    """A page of a bill's worker-months, by month and worker, NIKs masked (a sponsor's staff: their
    sponsor's bills only). Cut in SQL: a bill of a large agreement holds hundreds of thousands."""
    by.require("bill.read", "worker.read")
    number = normalize_payment_code(code)
    bill = repo.bill_by_code(session, number)
    if bill is None or not _reaches(session, by, bill.agreement_id):
        raise BillNotFound(payment_code=number)
    rows, total = repo.bill_line_page(session, bill, window)
    return Paged([BillLine(month=Month.from_index(m), nik=mask_nik(nik), name=name, amount=amount,
                           status="paid" if status == "paid" else "due", paid_on=paid_on)
                  for m, nik, name, amount, status, paid_on in rows], total, window)
