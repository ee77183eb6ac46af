"""The budget planner in a real browser on both engines: Kadin's Rp201.600.000 buys 1.000 workers for the
twelve months of 2025 at Rp16.800; the same budget in 2026 covers more worker-months, April to December
at Rp8.400 under PP 50/2025, month by month."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import Web

pytestmark = pytest.mark.real_clock


def plan(visit: Web, budget: str, first: str, last: str) -> str:
    page = visit.page
    page.fill("#f-budget", budget)
    page.fill("#f-first_month", first)
    page.fill("#f-last_month", last)
    page.select_option("#f-funding", "kadin")
    page.select_option("#f-mix_occupation_1", "petani")
    page.fill("#f-mix_count_1", "1")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_selector("#jawaban")
    return page.locator("#jawaban").inner_text()


def test_kadin_budget_in_2025_and_in_2026(web: Web) -> None:
    kadin = web.as_("demo.kadin")
    kadin.goto("/rencana")
    said = plan(kadin, "201.600.000", "2025-01", "2025-12")
    assert "1.000 pekerja × 12 bulan = 12.000 pekerja-bulan" in said, said
    assert "sisa Rp0" in said, said
    january = kadin.page.locator("#bulan tr[data-month='2025-01']").inner_text()
    assert "Rp16.800" in january and "1.000" in january and "Rp16.800.000" in january
    kadin.check("planner-2025")

    said = plan(kadin, "201.600.000", "2026-01", "2026-12")
    workers, months, worker_months = (int(x.replace(".", "")) for x in re.findall(
        r"([\d.]+) pekerja × ([\d.]+) bulan = ([\d.]+) pekerja-bulan", said)[0])
    assert months == 12 and worker_months == workers * 12 > 12_000, said
    # three months at Rp16.800 and nine at Rp8.400 per worker: the whole budget covers this many workers
    per_worker = 3 * 16_800 + 9 * 8_400
    assert workers == 201_600_000 // per_worker
    assert "Rp16.800" in kadin.page.locator("#bulan tr[data-month='2026-03']").inner_text()
    assert "Rp8.400" in kadin.page.locator("#bulan tr[data-month='2026-04']").inner_text()
    kadin.check("planner-2026")
