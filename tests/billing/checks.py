"""Invariants every billing scenario can assert: the bills' counters equal what their lines say."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lindung.billing import repository as repo
from lindung.billing.models import Bill


def assert_counters_match_lines(s: Session) -> None:
    from_lines = repo.line_totals_by_bill(s)
    for bill in s.scalars(select(Bill)):
        got = from_lines.get(bill.id)
        assert got is not None, f"bill {bill.payment_code} has no lines"
        assert (bill.total, bill.worker_months) == (got["total"], got["months"]), bill.payment_code
        assert (bill.settled, bill.settled_months) == (got["settled"], got["settled_months"]), bill.payment_code
        assert (bill.cancelled, bill.cancelled_months) == (got["cancelled"], got["cancelled_months"]), bill.payment_code
