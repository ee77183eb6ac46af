"""The planner's arithmetic, to the rupiah, from the prices the law states (PP 44/2015: JKK 1 % of the
Rp1.000.000 base, JKM Rp6.800; PP 50/2025: half off for non-transport April–December 2026 and for
transport January 2026 – March 2027, not for APBN/APBD money). Pure rules: no database."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from lindung.enrolment.schemas import Upload
from lindung.kit.auth import Actor
from lindung.kit.errors import Forbidden, InvalidInput
from lindung.planner import service
from lindung.planner.schemas import PlanRequest, PlanView

PLANNER = Actor(1, "perencana", "officer", frozenset({"plan.use"}))
FULL = 10_000 + 6_800          # a month at the cheapest package: JKK 1 % × Rp1.000.000 + JKM
HALF = FULL // 2               # PP 50/2025: 50 % off both
BUDGET = 201_600_000


def plan(**given: Any) -> PlanView:
    body = {"first_month": "2025-01", "last_month": "2025-12", "funding": "kadin", "mix": [{"occupation": "lainnya"}],
            **given}
    return service.plan(PlanRequest.model_validate(body), by=PLANNER)


def test_kadin_2025_buys_1000_workers_for_12_months_with_nothing_left() -> None:
    out = plan(budget=BUDGET)
    assert (out.workers, out.months, out.worker_months, out.total, out.left) == (1_000, 12, 12_000, BUDGET, 0)
    assert [r.sectors[0].price for r in out.rows] == [FULL] * 12
    assert out.rows[0].subtotal == 1_000 * FULL and out.rows[-1].running_total == BUDGET and out.rows[-1].left == 0
    assert out.worker_months_in_order == 12_000 and out.topup == []


def test_kadin_2026_covers_more_because_april_to_december_are_halved() -> None:
    out = plan(budget=BUDGET, first_month="2026-01", last_month="2026-12")
    assert [r.sectors[0].price for r in out.rows] == [FULL] * 3 + [HALF] * 9
    per_worker = 3 * FULL + 9 * HALF
    workers = BUDGET // per_worker
    assert out.workers == workers and out.total == workers * per_worker and out.left == BUDGET - workers * per_worker
    assert out.worker_months == workers * 12 > 12_000
    april = out.rows[3]
    assert april.month == "2026-04" and april.subtotal == workers * HALF
    assert april.running_total == workers * (3 * FULL + HALF)
    codes = {c.code: c for c in april.sectors[0].components}
    assert codes["discount.jkk"].amount == -(10_000 // 2) and "PP 50/2025" in codes["discount.jkk"].reference


def test_apbd_money_gets_no_discount_in_2026() -> None:
    out = plan(budget=BUDGET, first_month="2026-01", last_month="2026-12", funding="apbd")
    assert [r.sectors[0].price for r in out.rows] == [FULL] * 12
    assert (out.workers, out.left) == (1_000, 0)


def test_transport_is_halved_from_january_2026_to_march_2027() -> None:
    out = plan(workers=10, first_month="2025-12", last_month="2027-04", mix=[{"occupation": "ojek"}])
    prices = {r.month: r.sectors[0].price for r in out.rows}
    assert prices["2025-12"] == FULL and prices["2027-04"] == FULL
    assert all(prices[m] == HALF for m in prices if "2026-01" <= m <= "2027-03")
    assert out.total == 10 * (2 * FULL + 15 * HALF) and out.left is None


def test_the_reverse_workers_times_months_gives_the_budget_month_by_month() -> None:
    out = plan(workers=1_000, first_month="2026-01", last_month="2026-12")
    assert out.direction == "workers_to_budget"
    assert out.total == 1_000 * (3 * FULL + 9 * HALF)
    assert [r.subtotal for r in out.rows] == [1_000 * FULL] * 3 + [1_000 * HALF] * 9


def test_a_mix_splits_by_sector_and_the_leftover_is_bought_in_order() -> None:
    mix = [{"occupation": "petani", "count": 70}, {"occupation": "ojek", "count": 30}]
    out = plan(budget=100_000_000, first_month="2026-01", last_month="2026-12", mix=mix)
    other, transport = out.rows[0].sectors
    assert other.workers + transport.workers == out.workers
    assert transport.workers == (2 * out.workers * 30 + 100) // 200
    cost = other.workers * (3 * FULL + 9 * HALF) + transport.workers * 12 * HALF
    assert out.total == cost <= 100_000_000
    assert out.left is not None and out.left_after_topup is not None
    assert out.worker_months_in_order == out.worker_months + sum(t.workers for t in out.topup)
    assert out.left - sum(t.cost for t in out.topup) == out.left_after_topup >= 0


def test_a_worker_list_is_counted_by_occupation() -> None:
    text = "Nama,Pekerjaan,NIK\nA,Petani,1\nB,tukang ojek,2\nC,petani,3\n"
    out = service.plan(PlanRequest.model_validate({"first_month": "2026-01", "last_month": "2026-01",
                                                   "funding": "csr"}),
                       by=PLANNER, worker_list=Upload(name="daftar.csv", content=text.encode()))
    assert {m.occupation: m.workers for m in out.mix} == {"petani": 2, "ojek": 1}
    assert out.total == 2 * FULL + HALF


def test_an_xlsx_worker_list_too() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["DAFTAR 2026"], ["No", "Jenis Pekerjaan"], [1, "Nelayan"], [2, "Nelayan"]):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    out = service.plan(PlanRequest.model_validate({"first_month": "2025-01", "last_month": "2025-01",
                                                   "funding": "csr"}),
                       by=PLANNER, worker_list=Upload(name="daftar.xlsx", content=data.getvalue()))
    assert out.workers == 2 and out.total == 2 * FULL


@pytest.mark.parametrize(("given", "field"), [
    ({"budget": -1}, "budget"),
    ({"budget": 1, "last_month": "2024-12"}, "last_month"),
    ({"budget": 1, "funding": "dermawan"}, "funding"),
    ({"budget": 1, "mix": []}, "mix"),
    ({"budget": 1, "mix": [{"occupation": "astronot"}]}, "occupation"),
    ({"budget": 1, "mix": [{"occupation": "petani", "count": 0}]}, "mix"),
    ({"budget": 1, "workers": 3}, "workers"),
])
def test_bad_input_is_refused_by_its_field(given: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan(**given)
    assert caught.value.context["field"] == field


@pytest.mark.parametrize("content", [b"", b"Nama,Umur\nA,3\n", b"Pekerjaan\nastronot\n", b"PK\x03\x04broken"])
def test_a_broken_worker_list_is_refused_as_the_file(content: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.plan(PlanRequest.model_validate({"first_month": "2025-01", "last_month": "2025-01",
                                                 "funding": "csr"}),
                     by=PLANNER, worker_list=Upload(name="x.csv", content=content))
    assert caught.value.context["field"] == "file"


def test_only_a_user_with_plan_use_may_plan() -> None:
    with pytest.raises(Forbidden):
        service.plan(PlanRequest.model_validate({"first_month": "2025-01", "last_month": "2025-01",
                                                 "funding": "csr", "budget": 1, "mix": [{"occupation": "petani"}]}),
                     by=Actor(2, "admin", "administrator", frozenset({"user.admin"})))
