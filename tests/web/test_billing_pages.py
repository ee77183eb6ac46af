"""The billing pages in a real browser, on both engines, on the demo as it stands today.

The acceptance walk: a month not yet billed (Kadin's renewal for next year, approved, with three of
Kadin's workers enrolled) is billed from the bill run page, which follows its job to the end; a
partial payment of that bill is first refused for a bad amount, then recorded; the bill's status and
balance change to the rupiah; the receipt opens as a PDF that names the amount; and the coverage of a
worker of that bill (read from the coverage service, as the worker page will show it) changes with it.
Then a sponsor's staff see only their sponsor's bills, and the branch reads its lists.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from lindung.billing import coverage as coverage_service
from lindung.billing import service
from lindung.billing.schemas import BillLine, BillRead, Coverage
from lindung.enrolment import service as enrolment
from lindung.enrolment.errors import WorkerDeceased
from lindung.enrolment.models import Enrolment
from lindung.kit import clock
from lindung.kit.paging import Window
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement
from lindung.users import service as users
from lindung.workers.models import Worker
from lindung.workers.refs import worker_ref
from tests.conftest import TestDatabase
from tests.web.conftest import Web

pytestmark = pytest.mark.real_clock

RENEWAL = "KADIN-2027"


def _renewal_with_workers(db: TestDatabase, count: int = 3) -> list[str]:
    """Kadin's renewal approved by the supervisor, and ``count`` of Kadin's workers of this year enrolled
    in it by the officer: cycles of it not billed yet. Their NIKs."""
    with db.session() as s:
        supervisor, officer = users.acting(s, "demo.supervisor"), users.acting(s, "demo.petugas")
        sponsors.approve(s, RENEWAL, by=supervisor)
        candidates = s.scalars(
            select(Worker.nik).join(Enrolment, Enrolment.worker_id == Worker.id)
            .join(Agreement, Agreement.id == Enrolment.agreement_id)
            .where(Agreement.code == "KADIN-2026", Enrolment.status == "active").order_by(Worker.id).limit(10)).all()
        enrolled: list[str] = []
        for nik in candidates:
            try:
                enrolment.enrol(s, nik, RENEWAL, by=officer, today=clock.today())
            except WorkerDeceased:
                continue
            enrolled.append(nik)
            if len(enrolled) == count:
                break
    return enrolled


def _bill(db: TestDatabase, code: str) -> tuple[BillRead, list[BillLine]]:
    with db.session(readonly=True) as s:
        officer = users.acting(s, "demo.petugas")
        return (service.bill_status(s, code, by=officer),
                service.bill_lines(s, code, Window(limit=500), by=officer).items)


def _coverage(db: TestDatabase, nik: str) -> Coverage:
    with db.session(readonly=True) as s:
        return coverage_service.coverage(s, nik, at=clock.today(), by=users.acting(s, "demo.petugas"))


def _ref(db: TestDatabase, nik: str) -> str:
    with db.session(readonly=True) as s:
        worker_id = s.scalar(select(Worker.id).where(Worker.nik == nik))
    assert worker_id is not None
    return worker_ref(worker_id)


def _month_line(c: Coverage, month: Month) -> str | None:
    return next(m.line for m in c.months if m.month == month)


def _read_pdf(path: Path) -> str:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages))


def test_issue_a_months_bills_record_a_partial_payment_and_open_its_receipt(web: Web) -> None:
    db = web.live.database
    niks = _renewal_with_workers(db)
    assert len(niks) == 3
    officer = web.as_("demo.petugas")
    officer.goto("/tagihan/terbitkan")
    assert officer.page.locator("#f-bulan").input_value() == str(Month.of(clock.today()) + 1), "next month"
    officer.page.locator("#f-perjanjian").select_option(RENEWAL)
    officer.check("bill-run-form")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Terbitkan tagihan").click()
    found_run = re.search(r"/tagihan/terbitkan/(\d+)$", officer.page.url)
    assert found_run
    run_id = found_run.group(1)
    status = officer.page.locator("#proses dl .badge")
    expect(status).to_have_text("Selesai", timeout=30_000)  # htmx follows the job until it ends
    assert "Penerbitan tagihan dimulai." in officer.text()
    assert "1 tagihan baru sampai" in officer.text()
    officer.check("bill-run-done")

    link = officer.page.locator("#proses table a").first
    code = link.inner_text()
    bill, lines = _bill(db, code)
    assert bill.agreement == RENEWAL and bill.status == "unpaid" and bill.worker_months == len(lines) == 3 * 12
    assert bill.total == sum(x.amount for x in lines)
    first = bill.cycle.start
    paying = sum(x.amount for x in lines if x.month == first)  # every worker's first month: a partial payment
    before = _coverage(db, niks[0])
    assert _month_line(before, first) == "due"
    ref = _ref(db, niks[0])
    month_cell = officer.page.locator(f'ol.strip li[data-month="{first}"]')
    officer.goto(f"/pekerja/{ref}")
    strip_before = month_cell.get_attribute("class")
    assert strip_before == "not_due", "the worker's page shows the renewal's first month as not paid yet"
    officer.goto(f"/tagihan/terbitkan/{run_id}")

    with officer.page.expect_navigation():
        officer.page.locator("#proses table a").first.click()
    expect(officer.page.locator("#status-tagihan")).to_have_text("Belum dibayar")
    expect(officer.page.locator("#sisa-tagihan")).to_have_text(f"{rp(bill.total)} (36 bulan-pekerja)")
    officer.check("bill-unpaid")

    officer.page.locator("#f-amount").fill("seribu")
    officer.page.locator("#f-reference").fill("BRI-KADIN-2027-01")
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Catat pembayaran").click()
    expect(officer.page.locator("#e-amount")).to_contain_text("Jumlah tidak valid: 'seribu'")
    officer.check("bill-payment-refused")
    assert _bill(db, code)[0].payments == [], "nothing recorded"

    officer.page.locator("#f-amount").fill(rp(paying))  # as a person types it: Rp50.400
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="Catat pembayaran").click()
    assert "Pembayaran dicatat dan tanda buktinya diterbitkan." in officer.text()
    number = officer.page.locator("h1").inner_text().removeprefix("Tanda bukti ")
    assert re.fullmatch(r"TBPI/\d{4}/\d{6}", number)
    officer.check("receipt")
    with officer.page.expect_download() as download:
        officer.page.get_by_role("link", name="Unduh tanda bukti (PDF)").click()
    text = _read_pdf(Path(download.value.path()))
    assert f"Nomor {number}" in text and rp(paying) in text and code in text

    with officer.page.expect_navigation():
        officer.page.get_by_role("link", name="Kembali ke tagihan").click()
    expect(officer.page.locator("#status-tagihan")).to_have_text("Dibayar sebagian")
    expect(officer.page.locator("#sisa-tagihan")).to_have_text(f"{rp(bill.total - paying)} (33 bulan-pekerja)")
    officer.check("bill-partly-paid")
    after, _lines = _bill(db, code)
    assert (after.status, after.settled, after.unpaid) == ("partly_paid", paying, bill.total - paying)

    now = _coverage(db, niks[0])
    assert _month_line(now, first) == "paid", "the worker's first month of the renewal is paid"
    officer.goto(f"/pekerja/{ref}")
    assert month_cell.get_attribute("class") == "paid", "the worker's coverage strip changed with the payment"
    officer.check("worker-after-payment")
    assert before.protected_until is not None and now.protected_until is not None
    assert now.protected_until > before.protected_until, "protected a month longer"


def test_a_sponsors_staff_see_their_bills_only_and_the_branch_reads_its_lists(web: Web) -> None:
    staff = web.as_("demo.kadin")
    staff.goto("/tagihan")
    agreements = staff.page.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    assert agreements and all(a.startswith("KADIN-") for a in agreements)
    staff.check("bills-sponsor")
    staff.goto("/tagihan/rekening-sponsor")
    assert "BEKASI-TANI-2026" not in staff.text() and "KADIN-2026" in staff.text()
    staff.check("statement-sponsor")
    with staff.page.expect_download() as download:
        staff.page.get_by_role("link", name="Unduh CSV (seluruh daftar)").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Kode sponsor" and {r[0] for r in rows[1:]} == {"KADIN"}

    officer = web.as_("demo.petugas")
    officer.goto("/tagihan")
    officer.check("bills-officer")
    officer.page.locator("#f-status").select_option("unpaid")
    officer.page.get_by_role("button", name="Tampilkan").click()
    expect(officer.page).to_have_url(re.compile(r"status=unpaid"))  # htmx swapped the list and kept its address
    states = officer.page.locator("table tbody tr td:last-child").all_inner_texts()
    assert states and set(states) == {"Belum dibayar"}
    officer.page.set_default_timeout(60_000)  # the lapsing and ending lists decide on every worker with the rules
    for path, name in (("/tagihan/lewat-jatuh-tempo", "overdue"), ("/tagihan/tunggakan", "unpaid"),
                       ("/tagihan/akan-putus", "lapsing"), ("/tagihan/berakhir", "ending")):
        officer.goto(path)
        assert officer.page.locator("h1").count() == 1
        officer.check(f"list-{name}")
    masked = officer.page.locator("table tbody tr td:first-child").all_inner_texts()
    assert all(re.fullmatch(r"\d{4}\*{8}\d{4}", nik) for nik in masked), "NIKs masked"
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="English").click()
    assert officer.page.locator("h1").inner_text() == "Protection ending soon"
    officer.check("list-ending-en")
