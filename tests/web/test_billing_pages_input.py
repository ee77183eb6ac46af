"""The billing pages without a browser: bad input refused next to its field in Indonesian with nothing
recorded, a payment form sent twice recorded once, unknown codes as 404 pages, a bill run started as a
job, a sponsor's staff seeing their own bills only, and the lists' CSVs (UTF-8 with a BOM, Indonesian
headers, NIKs masked).

The demo runs on the tests' fixed day (``tests.factories.TODAY``, 10 January 2026): its January bills
are issued, none of the regency's is paid yet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from typing import Any

from pypdf import PdfReader

from lindung.billing import service
from lindung.billing.schemas import BillRead
from lindung.jobs import service as jobs
from lindung.kit import clock
from lindung.kit.auth import Actor
from lindung.kit.paging import Window
from lindung.rules.money import rp
from lindung.users import service as users
from tests.conftest import TestDatabase
from tests.web.support import page_client

MASKED = re.compile(r"^\d{4}\*{8}\d{4}$")


def _actor(db: TestDatabase, name: str) -> Actor:
    with db.session(readonly=True) as s:
        return users.acting(s, name)


def _open_bill(db: TestDatabase, agreement: str, *, unpaid: bool = True) -> BillRead:
    officer = _actor(db, "demo.petugas")
    with db.session(readonly=True) as s:
        found = service.list_bills(s, Window(), by=officer, agreement=agreement, status="unpaid" if unpaid else None)
        assert found.items, f"no bill of {agreement}"
        return service.bill_status(s, found.items[0].payment_code, by=officer)


def _bill(db: TestDatabase, code: str) -> BillRead:
    with db.session(readonly=True) as s:
        return service.bill_status(s, code, by=_actor(db, "demo.petugas"))


def _error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{field}">(.*?)</p>', html, re.S)
    assert found, f"no error next to {field}"
    return found.group(1).replace("&#39;", "'")


def test_the_payment_form_refuses_bad_input_and_records_a_payment_once(demo_app: Any,
                                                                      demo_database: TestDatabase) -> None:
    bill = _open_bill(demo_database, "BEKASI-TANI-2026")
    code = bill.payment_code
    with demo_database.session(readonly=True) as s:
        line = service.bill_lines(s, code, Window(limit=1), by=_actor(demo_database, "demo.petugas")).items[0]
    today = clock.today()
    good = {"amount": rp(line.amount * 10), "paid_on": today.isoformat(), "reference": "BJB-TRF-20260110-01"}
    with page_client(demo_app, "demo.petugas") as officer:
        shown = officer.get(f"/tagihan/{code}")
        assert shown.status_code == 200 and f'action="/tagihan/{code}/bayar#bayar"' in shown.text
        refusals = [
            ({"amount": "seribu"}, "amount", "Jumlah tidak valid: 'seribu'"),
            ({"amount": "-8.400.000"}, "amount", "Jumlah tidak valid: '-8.400.000'"),
            ({"amount": "0"}, "amount", "Harus bilangan bulat rupiah lebih dari 0"),
            ({"amount": ""}, "amount", "wajib diisi"),
            ({"paid_on": "2026-02-30"}, "paid_on", "Tanggal tidak valid: '2026-02-30'"),
            ({"paid_on": (today + dt.timedelta(days=3)).isoformat()}, "paid_on", "ada di masa depan"),
            ({"reference": ""}, "reference", "wajib diisi"),
            ({"reference": "transfer #1!"}, "reference", "Referensi pembayaran tidak valid"),
        ]
        for change, field, said in refusals:
            answer = officer.post(f"/tagihan/{code}/bayar", {**good, **change})
            assert answer.status_code == 422, (change, answer.status_code)
            assert said in _error_of(answer.text, field), (change, _error_of(answer.text, field))
            assert "Ada 1 hal yang perlu diperbaiki" in answer.text
        assert _bill(demo_database, code).payments == [], "nothing recorded"

        first = officer.post(f"/tagihan/{code}/bayar", good)
        assert first.status_code == 303
        receipt_path = first.headers["location"]
        assert re.fullmatch(rf"/tagihan/{code}/kuitansi/TBPI-2026-\d{{6}}", receipt_path)
        after = _bill(demo_database, code)
        assert after.status == "partly_paid" and len(after.payments) == 1
        assert after.settled == line.amount * 10 and after.unpaid == bill.total - line.amount * 10

        again = officer.post(f"/tagihan/{code}/bayar", good)  # the same form sent a second time
        assert again.status_code == 422
        number = after.payments[0].receipt
        assert f"sudah tercatat (tanda bukti {number}); tidak dicatat dua kali" in _error_of(again.text, "reference")
        twice = _bill(demo_database, code)
        assert len(twice.payments) == 1 and twice.settled == after.settled, "recorded once"

        page = officer.get(receipt_path)
        assert page.status_code == 200 and number in page.text and rp(line.amount * 10) in page.text
        pdf = officer.get(receipt_path + ".pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert number in text and rp(line.amount * 10) in text

        other = _open_bill(demo_database, "KADIN-2026", unpaid=False).payment_code
        assert officer.get(f"/tagihan/{other}{receipt_path[len('/tagihan/') + len(code):]}").status_code == 404, \
            "a receipt under another bill's address is not found"


def test_unknown_codes_are_not_found_and_bad_queries_are_said(demo_app: Any, demo_database: TestDatabase) -> None:
    code = _open_bill(demo_database, "BEKASI-TANI-2026").payment_code
    with page_client(demo_app, "demo.petugas") as officer:
        for path in ("/tagihan/0000000000000000", "/tagihan/bukan-kode", f"/tagihan/{code}/kuitansi/TBPI-2026-999999",
                     f"/tagihan/{code}/kuitansi/TBPI-2026-999999.pdf", f"/tagihan/{code}/kuitansi/apa.pdf",
                     "/tagihan/terbitkan/999999"):
            answer = officer.get(path)
            assert answer.status_code == 404, path
            assert "Tidak ditemukan" in answer.text and "Traceback" not in answer.text
        assert "Tidak ada tagihan dengan kode bayar 0000000000000000." in officer.get("/tagihan/0000000000000000").text
        answer = officer.get("/tagihan", params={"bulan": "2026-13", "status": "entah"})
        assert answer.status_code == 422
        assert "Bulan tidak valid: '2026-13'" in _error_of(answer.text, "bulan")
        assert "Status ini tidak dikenal." in _error_of(answer.text, "status")
        answer = officer.get("/tagihan/akan-putus", params={"hari": "-3", "tanggal": "2026-02-30"})
        assert answer.status_code == 422
        assert "Jumlah hari tidak valid" in _error_of(answer.text, "hari")
        assert "Tanggal tidak valid" in _error_of(answer.text, "tanggal")
        assert officer.get("/tagihan/rekening-sponsor", params={"sponsor": "TIDAK-ADA"}).status_code == 422


def test_a_bill_run_is_refused_for_a_bad_month_or_agreement_and_runs_as_a_job(demo_app: Any,
                                                                             demo_database: TestDatabase) -> None:
    officer_actor = _actor(demo_database, "demo.petugas")

    def job_count() -> int:
        with demo_database.session(readonly=True) as s:
            return jobs.newest(s, by=officer_actor).total

    before = job_count()
    with page_client(demo_app, "demo.petugas") as officer:
        form = officer.get("/tagihan/terbitkan")
        assert form.status_code == 200 and 'value="2026-02"' in form.text, "next month by default"
        for sent, field, said in [
            ({"bulan": "2026-13"}, "bulan", "Bulan tidak valid: '2026-13'"),
            ({"bulan": ""}, "bulan", "Pilih bulannya."),
            ({"bulan": "2026-02", "perjanjian": "TIDAK-ADA"}, "perjanjian", "TIDAK-ADA"),
            ({"bulan": "2026-02", "perjanjian": "KADIN-2027"}, "perjanjian",
             "hanya perjanjian yang disetujui atau aktif yang ditagih"),
        ]:
            answer = officer.post("/tagihan/terbitkan", sent)
            assert answer.status_code == 422, sent
            assert said in _error_of(answer.text, field), (sent, _error_of(answer.text, field))
        assert job_count() == before, "no job recorded"

        started = officer.post("/tagihan/terbitkan", {"bulan": "2026-02", "perjanjian": "BEKASI-TANI-2026"})
        assert started.status_code == 303
        address = started.headers["location"]
        assert re.fullmatch(r"/tagihan/terbitkan/\d+", address)
        deadline = time.monotonic() + 60
        while not demo_app.state.job_runner.idle():
            assert time.monotonic() < deadline, "the bill run did not end"
            time.sleep(0.05)
        done = officer.get(address)
        assert done.status_code == 200 and "Selesai" in done.text
        assert "1 tagihan baru sampai Februari 2026" in done.text
        assert 'hx-trigger="every 2s"' not in done.text, "a finished run is not polled"
    with demo_database.session(readonly=True) as s:
        issued = service.list_bills(s, Window(), by=officer_actor, agreement="BEKASI-TANI-2026")
    assert [str(b.cycle.start) for b in issued.items][:2] == ["2026-02", "2026-01"]


def test_a_sponsors_staff_see_their_own_bills_and_the_lists_download_as_csv(demo_app: Any,
                                                                          demo_database: TestDatabase) -> None:
    regency = _open_bill(demo_database, "BEKASI-TANI-2026").payment_code
    kadin = _open_bill(demo_database, "KADIN-2026", unpaid=False).payment_code
    with page_client(demo_app, "demo.kadin") as staff:
        listed = staff.get("/tagihan")
        assert listed.status_code == 200 and kadin in listed.text
        assert "BEKASI-TANI-2026" not in listed.text and regency not in listed.text
        assert staff.get(f"/tagihan/{regency}").status_code == 404, "another sponsor's bill is not found"
        assert staff.get(f"/tagihan/{kadin}").status_code == 200
        assert 'action="/tagihan/' not in staff.get(f"/tagihan/{kadin}").text, "no payment form without payment.record"
        assert staff.get("/tagihan/terbitkan").status_code == 403
        assert staff.post(f"/tagihan/{kadin}/bayar", {"amount": "1.000", "reference": "X1"}).status_code == 403
        statement = staff.get("/tagihan/rekening-sponsor.csv")
        assert statement.status_code == 200 and statement.headers["content-type"].startswith("text/csv")
        assert statement.content.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads UTF-8"
        rows = list(csv.reader(io.StringIO(statement.content.decode("utf-8-sig"))))
        assert rows[0][:4] == ["Kode sponsor", "Nama sponsor", "Perjanjian", "Status"]
        assert {r[0] for r in rows[1:]} == {"KADIN"}
    with page_client(demo_app, "demo.petugas") as officer:
        for path in ("/tagihan/berakhir.csv", "/tagihan/akan-putus.csv"):
            answer = officer.get(path, params={"hari": "400"})
            rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
            assert rows[0][:2] == ["NIK", "Nama"]
            assert all(MASKED.match(r[0]) for r in rows[1:]), f"{path}: NIKs masked"
        ending = list(csv.reader(io.StringIO(officer.get("/tagihan/berakhir.csv", params={"hari": "400"})
                                             .content.decode("utf-8-sig"))))
        assert len(ending) > 1, "the demo's workers, protected until their last paid month"
    with page_client(demo_app, "demo.disnaker") as viewer:
        assert viewer.get("/tagihan").status_code == 403, "a region's viewer sees aggregates only"
        assert viewer.get("/tagihan", params={"bulan": "2026-13"}).status_code == 403, "refused before the query"
        assert viewer.get("/tagihan/akan-putus.csv").status_code == 403
