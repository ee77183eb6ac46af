"""A sponsor's impact report (``insight.impact``): every figure against the same figure counted here
another way, on both engines; who may read it; the PDF in both languages, without a NIK or a name."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from lindung.enrolment import service as enrolment
from lindung.insight.impact import impact
from lindung.insight.impact_pdf import render_impact
from lindung.insight.models import CoverageTarget
from lindung.kit.auth import OutOfScope
from lindung.kit.errors import InvalidInput, NotFound
from lindung.kit.i18n import format_count
from lindung.rules.money import rp
from lindung.workers import service as workers
from lindung.workers.schemas import WorkerCreate
from tests.billing import factories as bf
from tests.claims.factories import new, paid, to_approved
from tests.conftest import TestDatabase
from tests.users import actor, add_user

TODAY = dt.date(2026, 4, 20)
DIED, CLAIM_DAY = dt.date(2026, 3, 20), dt.date(2026, 3, 25)
PEOPLE = [  # name, occupation, kecamatan, sex
    ("Asep Saputra", "pedagang", "01", "L"),
    ("Euis Komalasari", "pedagang", "13", "P"),
    ("Nining Suryani", "petani", "01", "P"),
    ("Dadang Hermawan", "petani", "17", "L"),
]
SPOUSE = {"name": "Siti Rahmah", "relationship": "spouse"}
ACCOUNT = {"bank": "BRI", "number": "0123456789012", "holder": "Siti Rahmah"}


def _person(s: Session, name: str, occupation: str, kecamatan: str, sex: str) -> str:
    number = bf.nik(kecamatan=kecamatan, sex=sex)
    workers.register(s, WorkerCreate(nik=number, name=name, domicile=bf.DESA[kecamatan], occupation=occupation,
                                     different_person=True), by=actor(s, bf.MAKER), today=bf.JAN_1)
    enrolment.enrol(s, number, "KADIN-2026" if name != "Other" else "CSR-2026", by=actor(s, bf.MAKER),
                    today=bf.JAN_1)
    return number


@pytest.fixture
def world(database: TestDatabase) -> dict[str, object]:
    """Kadin's 2026 agreement (monthly bills) with four workers, January to March paid, April billed and
    owed; a worker's death in March paid as a JKM claim; a CSR company's worker beside it (not Kadin's);
    three coverage targets."""
    out: dict[str, object] = {"niks": []}
    with database.session() as s:
        bf.agreement(s, "KADIN-2026", quota=10, cycle=1)
        bf.agreement(s, "CSR-2026", sponsor="CSR", funding="csr", quota=5, cycle=1)
        niks = [_person(s, *p) for p in PEOPLE]
        niks.append(_person(s, "Other", "nelayan", "01", "L"))
        out["niks"] = niks
        receipts = []
        for month, paid_on in (("2026-01", dt.date(2026, 1, 5)), ("2026-02", dt.date(2026, 2, 5)),
                               ("2026-03", dt.date(2026, 3, 10))):
            run = bf.bill(s, month)
            for b in run.bills:
                receipts.append(bf.pay(s, b.payment_code, b.payable, on=paid_on))
        out["receipts"] = [(r.agreement, r.paid_on, r.amount) for r in receipts]
        admin = actor(s, "admin")
        for region, occupation, n in (("32.16.01", None, 100), ("32.16", "petani", 50), ("32.16.13", "nelayan", 10)):
            s.add(CoverageTarget(year=2026, region_code=region, occupation_code=occupation,
                                 occupation_key=occupation or "*", workers=n, set_by=admin.username,
                                 set_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)))
        add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        add_user(s, "staf.csr", "sponsor", sponsor="CSR")
        add_user(s, "disnaker", "viewer", region="32.16")
    with database.session() as s:
        claim = new(s, CLAIM_DAY, nik=niks[0], type="jkm", event_date=DIED.isoformat(), claimant=SPOUSE,
                    account=ACCOUNT)
        to_approved(s, claim.number, CLAIM_DAY)
        out["claim_total"] = paid(s, claim.number, CLAIM_DAY).total
    with database.session() as s:
        bf.bill(s, "2026-04", on=dt.date(2026, 4, 1))
    return out


KADIN_LINES = """FROM contribution_lines cl JOIN enrolments e ON e.id = cl.enrolment_id
                 JOIN agreements a ON a.id = e.agreement_id JOIN sponsors sp ON sp.id = a.sponsor_id
                 WHERE sp.code = 'KADIN' AND cl.void_seq = 0 AND cl.status = 'paid'"""


def test_every_figure_of_kadin_s_year(database: TestDatabase, world: dict[str, object]) -> None:
    with database.session(readonly=True) as s:
        got = impact(s, "KADIN", year=2026, by=actor(s, "ani.petugas"), today=TODAY)
    kadin_paid = [(paid_on, amount) for code, paid_on, amount in world["receipts"] if code == "KADIN-2026"]  # type: ignore[attr-defined]
    assert len(kadin_paid) == 3
    total_paid = sum(a for _d, a in kadin_paid)
    assert (got.sponsor, got.sponsor_name, got.agreements) == ("KADIN", "Sponsor KADIN", ["KADIN-2026"])
    assert (str(got.first), str(got.last), str(got.at)) == ("2026-01", "2026-12", "2026-04")
    # Four workers paid January to March: 12 worker-months, counted here straight from the lines.
    assert got.workers_protected == 4 == database.scalar(f"SELECT COUNT(DISTINCT cl.worker_id) {KADIN_LINES}")
    assert got.worker_months == 12 == database.scalar(f"SELECT COUNT(*) {KADIN_LINES}")
    assert got.paid == total_paid == database.scalar(
        "SELECT SUM(p.amount) FROM payments p JOIN agreements a ON a.id = p.agreement_id WHERE a.code = 'KADIN-2026'")
    assert got.budget == database.scalar("SELECT budget FROM agreements WHERE code = 'KADIN-2026'")
    assert got.cost_per_worker_month == int((Decimal(total_paid) / 12).quantize(Decimal(1), ROUND_HALF_UP))
    assert [(c.code, c.workers) for c in got.by_occupation] == [("pedagang", 2), ("petani", 2)]
    assert sorted((c.code, c.workers) for c in got.by_sex) == [("L", 2), ("P", 2)]
    names = {code: database.scalar("SELECT name FROM regions WHERE code = :c", c=code)
             for code in ("32.16.01", "32.16.13", "32.16.17", *bf.DESA.values())}
    assert [(c.code, c.name, c.workers) for c in got.by_kecamatan] == [
        ("32.16.01", names["32.16.01"], 2), ("32.16.13", names["32.16.13"], 1), ("32.16.17", names["32.16.17"], 1)]
    assert [(c.code, c.name, c.workers) for c in got.by_desa] == [
        (bf.DESA["01"], names[bf.DESA["01"]], 2), (bf.DESA["13"], names[bf.DESA["13"]], 1),
        (bf.DESA["17"], names[bf.DESA["17"]], 1)]
    # Month by month: four protected in each of January to March, none after; each payment in its month.
    assert [(str(m.month), m.workers, m.paid) for m in got.months[:4]] == [
        ("2026-01", 4, kadin_paid[0][1]), ("2026-02", 4, kadin_paid[1][1]), ("2026-03", 4, kadin_paid[2][1]),
        ("2026-04", 0, 0)]
    assert len(got.months) == 12 and sum(m.paid for m in got.months) == got.paid
    # Now (April): the quota, who is enrolled (the dead worker's enrolment ended), nobody paid for yet.
    assert got.quota == 10
    assert got.enrolled_now == database.scalar(
        "SELECT COUNT(DISTINCT e.worker_id) FROM enrolments e JOIN agreements a ON a.id = e.agreement_id "
        "WHERE a.code = 'KADIN-2026' AND e.status = 'active' AND e.first_month <= :m AND e.last_month >= :m",
        m=2026 * 12 + 3)
    assert got.protected_now == 0
    # The JKM claim paid in March: one family.
    claims = got.claims
    assert (claims.claims, claims.families, claims.paid) == (1, 1, world["claim_total"])
    assert claims.paid == database.scalar("SELECT SUM(amount) FROM claim_payments")
    assert (claims.scholarship_children, claims.scholarship_this_year) == (0, 0)
    assert [(c.code, c.workers) for c in claims.by_type] == [("jkm", 1)]
    # Targets of the regions the workers live in: 32.16.01 (all occupations) counts Asep and Nining,
    # 32.16 petani counts Nining and Dadang; the nelayan target of 32.16.13 counts none of Kadin's.
    assert [(t.region, t.occupation, t.target, t.sponsor_workers) for t in got.targets] == [
        ("32.16", "petani", 50, 2), ("32.16.01", None, 100, 2)]


def test_a_year_without_anything_is_all_zero(database: TestDatabase, world: dict[str, object]) -> None:
    with database.session(readonly=True) as s:
        got = impact(s, "KADIN", year=2024, by=actor(s, "ani.petugas"), today=TODAY)
    assert (got.agreements, got.workers_protected, got.worker_months, got.paid, got.budget,
            got.cost_per_worker_month, got.quota, got.claims.claims, got.targets) == ([], 0, 0, 0, 0, None, 0, 0, [])
    assert str(got.at) == "2024-12"


def test_who_may_read_which_report(database: TestDatabase, world: dict[str, object]) -> None:
    with database.session(readonly=True) as s:
        own = impact(s, "kadin", year=2026, by=actor(s, "staf.kadin"), today=TODAY)
        assert own.workers_protected == 4
        csr = impact(s, "CSR", year=2026, by=actor(s, "staf.csr"), today=TODAY)
        assert (csr.workers_protected, csr.claims.claims) == (1, 0)
        with pytest.raises(NotFound):
            impact(s, "CSR", year=2026, by=actor(s, "staf.kadin"), today=TODAY)
        with pytest.raises(NotFound):
            impact(s, "KADIN", year=2026, by=actor(s, "staf.csr"), today=TODAY)
        with pytest.raises(OutOfScope):
            impact(s, "KADIN", year=2026, by=actor(s, "disnaker"), today=TODAY)
        with pytest.raises(InvalidInput) as bad:
            impact(s, "KADIN", year=1999, by=actor(s, "ani.petugas"), today=TODAY)
        assert "1999" in bad.value.message("id")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_pdf_says_the_totals_and_no_one_s_name_or_nik(database: TestDatabase, world: dict[str, object],
                                                          lang: str) -> None:
    with database.session(readonly=True) as s:
        got = impact(s, "KADIN", year=2026, by=actor(s, "staf.kadin"), today=TODAY)
    pdf = render_impact(got, lang=lang)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert "Sponsor KADIN" in flat
    for amount in (got.paid, got.budget, got.claims.paid):
        assert rp(amount) in flat, amount
    assert format_count(got.worker_months, lang) in flat
    assert "20 April 2026" in flat
    assert "PP 44/2015" in flat and "PP 82/2019" in flat and "PP 50/2025" in flat
    for nik in world["niks"]:  # type: ignore[attr-defined]
        assert nik not in text
    for name, *_ in PEOPLE:
        assert name not in flat
    assert "Siti Rahmah" not in flat
