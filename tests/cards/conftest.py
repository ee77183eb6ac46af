"""Two sponsors with enrolled workers, January billed; KADIN's paid, DESA's not. On both engines."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.billing import factories as f
from tests.users import add_user

KADIN_STAFF, DESA_STAFF = "kadin.staf", "desa.staf"
OFFICER = "ani"
TODAY = dt.date(2026, 1, 20)


@pytest.fixture
def story(database) -> dict[str, list[str]]:
    with database.session() as s:
        f.agreement(s, cycle=1)
        kadin = [w.nik for w in f.cohort(s, 3)]
        f.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes", cycle=1)
        desa = [w.nik for w in f.cohort(s, 1, "DESA-2026")]
        add_user(s, KADIN_STAFF, "sponsor", sponsor="KADIN")
        add_user(s, DESA_STAFF, "sponsor", sponsor="DESA")
    with database.session() as s:
        bills = f.bill(s, "2026-01", on=dt.date(2026, 1, 2)).bills
    for b in bills:
        if b.agreement == "KADIN-2026":
            with database.session() as s:
                f.pay(s, b.payment_code, b.payable, on=dt.date(2026, 1, 10))
    return {"kadin": kadin, "desa": desa}
