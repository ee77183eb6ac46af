"""The pages of sponsors, agreements and the approvals inbox: the acceptance walks in a real browser
(both engines), and bad input, scope and refusals through a signed-in test client."""

from __future__ import annotations

from typing import Any

import pytest

from lindung.demo.data import KADIN, RENEWAL
from tests.web.support import page_client

pytestmark = pytest.mark.real_clock

GOOD = {"code": "UJI-2027", "sponsor": "KADIN", "start": "2027-01", "end": "2027-12", "quota": "1.000",
        "budget": "Rp201.600.000", "funding": "", "jht": "0", "billing_cycle": "", "after_death": "credit",
        "occupations": "", "regions": ""}


def _agreements(app: Any) -> int:
    with page_client(app, "demo.petugas") as officer:
        return officer.get("/perjanjian").text.count('href="/perjanjian/')


def test_agreement_pages_render_for_an_officer(demo_app: Any) -> None:
    with page_client(demo_app, "demo.petugas") as officer:
        listed = officer.get("/perjanjian")
        assert listed.status_code == 200, listed.text[-2000:]
        assert KADIN in listed.text and RENEWAL in listed.text
        shown = officer.get(f"/perjanjian/{RENEWAL}")
        assert shown.status_code == 200, shown.text[-2000:]
        for path in ("/perjanjian/baru", f"/perjanjian/{RENEWAL}/ubah", f"/perjanjian/{KADIN}/adendum",
                     f"/perjanjian/{KADIN}/pekerja", "/sponsor", "/sponsor/baru"):
            answer = officer.get(path)
            assert answer.status_code == 200, (path, answer.text[-2000:])
