"""The claim workflow: draft → submitted → verified (required documents received) → approved (by a
second person) → paid (once), or rejected with a coded reason; documents checked by their content;
a sponsor's staff see their own sponsor's claims; the service levels (JKM paid within 3 working days
of complete documents, a JKK case decided within 30 days) and the sponsor's statement of claims."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from lindung.claims import documents as store
from lindung.claims import service
from lindung.claims.catalogue import catalogue
from lindung.claims.schemas import Account, ClaimRequest, ClaimView
from lindung.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from lindung.sponsors import repository as sponsors_repo
from lindung.workers import service as workers
from lindung.workers.schemas import WorkerUpdate
from tests.billing import factories as bf
from tests.claims.factories import (
    CASHIER,
    OFFICER,
    SECOND_OFFICER,
    SUPERVISOR,
    attach_all,
    enrolled,
    new,
    paid,
    png,
    report,
    to_approved,
)
from tests.conftest import CliResult, TestDatabase
from tests.racing import race
from tests.users import actor, add_user

Cli = Callable[..., CliResult]

DIED = dt.date(2026, 3, 10)
TODAY = dt.date(2026, 3, 16)
OTHER_SUPERVISOR = "citra.supervisor"
SPOUSE = {"name": "Siti Rahmah", "relationship": "spouse"}
ACCOUNT = {"bank": "BRI", "number": "0123456789012", "holder": "Siti Rahmah"}


def _worker(database: TestDatabase, code: str = "KADIN-2026", sponsor: str = "KADIN") -> str:
    """A worker of ``code`` (made with its sponsor when missing), the 2026 yearly bill paid on time."""
    with database.session() as s:
        if sponsors_repo.agreement_by_code(s, code) is None:
            bf.agreement(s, code, sponsor=sponsor, funding="kadin" if sponsor == "KADIN" else "apbdes")
        worker = enrolled(s, code, first="2026-01")
        run = bf.bill(s, "2026-01", on=dt.date(2026, 1, 2))
        for b in run.bills:
            bf.pay(s, b.payment_code, b.payable, on=dt.date(2026, 1, 5))
        return worker.nik


def _jkm(database: TestDatabase, *, by: str = OFFICER, died: dt.date = DIED, today: dt.date = TODAY,
         nik: str | None = None) -> str:
    """A JKM draft (42.000.000 to the widow) entered by ``by``; its number."""
    nik = nik or _worker(database)
    with database.session() as s:
        claim = service.new_claim(s, ClaimRequest.model_validate(
            {"nik": nik, "type": "jkm", "event_date": died.isoformat(), "claimant": SPOUSE, "account": ACCOUNT}),
            by=actor(s, by), today=today)
        assert (claim.status, claim.total) == ("draft", 42_000_000)
        return claim.number


def _status(database: TestDatabase, number: str) -> ClaimView:
    with database.session() as s:
        return service.show(s, number, by=actor(s, OFFICER), today=TODAY)


def _submitted(database: TestDatabase, number: str) -> None:
    with database.session() as s:
        attach_all(s, number, TODAY)
        service.submit(s, number, by=actor(s, OFFICER), today=TODAY)


# --- four eyes ------------------------------------------------------------------------------------


def test_whoever_entered_the_claim_may_not_approve_it(database: TestDatabase, cli: Cli) -> None:
    """A supervisor enters a claim (supervisors may make too); an officer verifies it; the same
    supervisor's approval is refused, through the service and the CLI (exit code 7), and nothing
    changes: the claim stays verified, no step is added, no death is recorded. Another supervisor
    approves."""
    number = _jkm(database, by=SUPERVISOR)
    _submitted(database, number)
    with database.session() as s:
        service.verify(s, number, by=actor(s, OFFICER), today=TODAY)
    with database.session() as s, pytest.raises(service.SameUser) as err:
        service.approve(s, number, by=actor(s, SUPERVISOR), today=TODAY)
    assert isinstance(err.value, Forbidden) and err.value.exit_code == 7
    assert "budi.supervisor" in err.value.message("en") and number in err.value.message("en")
    refused = cli("claim", "approve", number, "--by", SUPERVISOR, "--lang", "en")
    assert refused.exit_code == 7, refused.stderr
    assert f"entered or verified claim {number}: someone else must approve it" in refused.err
    assert "Traceback" not in refused.stderr
    after = _status(database, number)
    assert (after.status, after.approved_by) == ("verified", None)
    assert [step.status for step in after.history] == ["draft", "submitted", "verified"]
    assert database.scalar("SELECT count(*) FROM worker_deaths") == 0
    with database.session() as s:
        approved = service.approve(s, number, by=actor(s, OTHER_SUPERVISOR), today=TODAY)
        assert (approved.status, approved.approved_by) == ("approved", OTHER_SUPERVISOR)


def test_whoever_verified_the_claim_may_not_approve_it(database: TestDatabase) -> None:
    """An officer enters, a supervisor verifies: that supervisor may not approve it; another may."""
    number = _jkm(database)
    _submitted(database, number)
    with database.session() as s:
        service.verify(s, number, by=actor(s, OTHER_SUPERVISOR), today=TODAY)
    with database.session() as s, pytest.raises(service.SameUser):
        service.approve(s, number, by=actor(s, OTHER_SUPERVISOR), today=TODAY)
    assert _status(database, number).status == "verified"
    with database.session() as s:
        assert service.approve(s, number, by=actor(s, SUPERVISOR), today=TODAY).status == "approved"


def test_an_officer_may_not_approve_at_all(database: TestDatabase) -> None:
    """Approving needs claim.approve (a supervisor's): an officer who did nothing else is refused."""
    number = _jkm(database)
    _submitted(database, number)
    with database.session() as s:
        service.verify(s, number, by=actor(s, OFFICER), today=TODAY)
    with database.session() as s, pytest.raises(Forbidden) as err:
        service.approve(s, number, by=actor(s, SECOND_OFFICER), today=TODAY)
    assert not isinstance(err.value, service.SameUser)


# --- paid once ------------------------------------------------------------------------------------


def test_a_claim_is_paid_once_for_its_decided_total(database: TestDatabase) -> None:
    """Only an approved claim is paid; the payment is the decided total with the account copied; a
    second payment is refused and leaves the one payment row."""
    number = _jkm(database)
    with database.session() as s, pytest.raises(service.WrongStatus):
        service.pay(s, number, "TRF-EARLY", TODAY, by=actor(s, CASHIER), today=TODAY)
    with database.session() as s:
        to_approved(s, number, TODAY)
    with database.session() as s:
        done = service.pay(s, number, "TRF-0001", dt.date(2026, 3, 17), by=actor(s, CASHIER),
                           today=dt.date(2026, 3, 17))
        assert done.payment is not None
        assert (done.payment.amount, done.payment.reference, done.payment.paid_on, done.payment.by) == (
            42_000_000, "TRF-0001", dt.date(2026, 3, 17), CASHIER)
        assert (done.payment.account_bank, done.payment.account_number, done.payment.account_holder) == (
            "BRI", "*********9012", "Siti Rahmah")
    with database.session() as s, pytest.raises(service.AlreadyPaid) as err:
        service.pay(s, number, "TRF-0002", dt.date(2026, 3, 18), by=actor(s, CASHIER), today=dt.date(2026, 3, 18))
    assert number in err.value.message("id")
    assert database.scalar("SELECT count(*) FROM claim_payments") == 1
    assert database.scalar("SELECT account_number FROM claim_payments") == "0123456789012"  # in full


def test_two_payments_at_once_on_postgresql_one_wins(postgres_database: TestDatabase) -> None:
    """Two cashiers record the same approved claim's payment at the same moment: exactly one payment
    is recorded, the other is told the claim is already paid."""
    number = _jkm(postgres_database)
    with postgres_database.session() as s:
        to_approved(s, number, TODAY)

    def pay(reference: str) -> Callable[[Session], object]:
        def job(s: Session) -> object:
            return service.pay(s, number, reference, TODAY, by=actor(s, CASHIER), today=TODAY)
        return job

    results = race(postgres_database, [pay("TRF-A"), pay("TRF-B")])
    won = [r for r in results if isinstance(r, ClaimView)]
    lost = [r for r in results if isinstance(r, service.AlreadyPaid)]
    assert (len(won), len(lost)) == (1, 1), results
    assert postgres_database.scalar("SELECT count(*) FROM claim_payments") == 1
    winner = won[0].payment
    assert winner is not None and winner.amount == 42_000_000
    assert postgres_database.scalar("SELECT reference FROM claim_payments") == winner.reference
    shown = _status(postgres_database, number)
    assert [step.status for step in shown.history].count("paid") == 1


# --- documents ------------------------------------------------------------------------------------


def test_verify_names_the_documents_still_missing(database: TestDatabase) -> None:
    """Only the KTP arrived: verification is refused, and the message names every missing one (a
    widow is paid on her marriage book too); the claim stays submitted."""
    number = _jkm(database)
    with database.session() as s:
        service.attach(s, number, "ktp", png(1), "ktp.png", by=actor(s, OFFICER), today=TODAY)
        service.submit(s, number, by=actor(s, OFFICER), today=TODAY)
    with database.session() as s, pytest.raises(service.DocumentsMissing) as err:
        service.verify(s, number, by=actor(s, OFFICER), today=TODAY)
    missing = ["kk", "akta_kematian", "sk_ahli_waris", "ktp_ahli_waris", "buku_tabungan", "buku_nikah"]
    for lang in ("id", "en"):
        text = err.value.message(lang)
        assert number in text
        labels = [catalogue().label(code, lang) for code in missing]  # said as the reader reads them
        assert text.endswith("; ".join(labels) + "."), text
        assert catalogue().label("ktp", lang) + ";" not in text  # the KTP is not missing
    assert "belum lengkap" in err.value.message("id") and "not complete" in err.value.message("en")
    view = _status(database, number)
    assert view.status == "submitted"
    assert [d.code for d in view.documents if d.required and not d.received] == missing


@pytest.fixture
def documents_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv(store.ENV_DOCUMENTS_DIR, str(folder))
    return folder


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_file_that_is_no_pdf_jpeg_or_png_or_too_large_is_refused_and_nothing_is_stored(
        database: TestDatabase, documents_dir: Path, cli: Cli, tmp_path: Path) -> None:
    """A text file named .pdf, and a file over 10 MB, are refused through the service and through
    ``lindung claim attach``: no claim_documents row, no file in the documents folder. A real PNG is
    then taken, stored once under its SHA-256 in that folder."""
    number = _jkm(database)
    text = b"Surat keterangan kematian\n(ini bukan PDF)\n"
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)  # 10 MB + 9 bytes
    with database.session() as s, pytest.raises(InvalidInput) as err:
        service.attach(s, number, "akta_kematian", text, "akta.pdf", by=actor(s, OFFICER), today=TODAY)
    assert err.value.code == "invalid.document_type"
    with database.session() as s, pytest.raises(InvalidInput) as err:
        service.attach(s, number, "akta_kematian", big, "akta.pdf", by=actor(s, OFFICER), today=TODAY)
    assert err.value.code == "invalid.document_too_large"
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "akta.pdf").write_bytes(text)
    (uploads / "besar.pdf").write_bytes(big)
    for name in ("akta.pdf", "besar.pdf"):
        refused = cli("claim", "attach", number, "--document", "akta_kematian", str(uploads / name),
                      "--by", OFFICER)
        assert refused.exit_code == 2, refused.stderr
        assert "Traceback" not in refused.stderr and name in refused.err
    assert database.scalar("SELECT count(*) FROM claim_documents") == 0
    assert _files(documents_dir) == []

    photo = png(7)
    with database.session() as s:
        view = service.attach(s, number, "akta_kematian", photo, "akta.png", by=actor(s, OFFICER), today=TODAY)
    [akta] = [d for d in view.documents if d.code == "akta_kematian"]
    assert (akta.received, akta.received_by) == (True, OFFICER)
    sha = hashlib.sha256(photo).hexdigest()
    assert _files(documents_dir) == [documents_dir / sha[:2] / sha]
    assert database.scalar("SELECT count(*) FROM claim_documents") == 1


def test_a_document_arriving_late_is_still_taken(database: TestDatabase) -> None:
    """Late documents never void a claim: a paid claim still takes one (a second copy of the KK)."""
    number = _jkm(database)
    with database.session() as s:
        to_approved(s, number, TODAY)
        paid(s, number, TODAY)
    with database.session() as s:
        view = service.attach(s, number, "kk", png(99), "kk-2.png", by=actor(s, OFFICER), today=TODAY)
        assert view.status == "paid"
        assert [d.files for d in view.documents if d.code == "kk"] == [2]


# --- rejection and reopening ----------------------------------------------------------------------


def test_rejecting_with_an_unknown_reason_is_refused_clearly(database: TestDatabase) -> None:
    number = _jkm(database)
    with database.session() as s, pytest.raises(InvalidInput) as err:
        service.reject(s, number, "tidak_suka", None, by=actor(s, OFFICER), today=TODAY)
    assert err.value.code == "invalid.reject_reason"
    assert "tidak_suka" in err.value.message("en") and "documents_invalid" in err.value.message("en")
    assert _status(database, number).status == "draft"


def test_a_rejected_claim_is_reopened_only_as_a_new_claim_and_never_approved(database: TestDatabase) -> None:
    """Rejected for invalid documents with a note (a full NIK in it is masked); it cannot be
    approved any more; a new claim for the same death points to it."""
    nik = _worker(database)
    number = _jkm(database, nik=nik)
    _submitted(database, number)
    with database.session() as s:
        service.verify(s, number, by=actor(s, OFFICER), today=TODAY)
    with database.session() as s:
        rejected = service.reject(s, number, "documents_invalid", f"KTP ahli waris tidak cocok dengan {nik}",
                                  by=actor(s, OFFICER), today=TODAY)
        assert (rejected.status, rejected.rejected_reason) == ("rejected", "documents_invalid")
        assert rejected.rejected_note is not None and rejected.rejected_note.startswith("KTP ahli waris tidak cocok")
        assert nik not in rejected.rejected_note
    with database.session() as s, pytest.raises(service.WrongStatus):
        service.approve(s, number, by=actor(s, SUPERVISOR), today=TODAY)
    with database.session() as s, pytest.raises(service.WrongStatus):
        service.reject(s, number, "other", None, by=actor(s, OFFICER), today=TODAY)
    assert _status(database, number).status == "rejected"
    with database.session() as s:
        again = new(s, TODAY, nik=nik, type="jkm", event_date=DIED.isoformat(), claimant=SPOUSE, account=ACCOUNT,
                    reopens=number)
        assert (again.status, again.reopens, again.total) == ("draft", number, 42_000_000)
        assert again.number != number
        with pytest.raises(service.NotReopenable):
            new(s, TODAY, nik=nik, type="jkm", event_date=DIED.isoformat(), claimant=SPOUSE, reopens=again.number)


def test_every_step_is_in_the_history_with_who_and_when(database: TestDatabase) -> None:
    number = _jkm(database)
    with database.session() as s:
        attach_all(s, number, TODAY)
        service.submit(s, number, by=actor(s, OFFICER), today=TODAY)
        service.verify(s, number, by=actor(s, SECOND_OFFICER), today=TODAY)
        service.approve(s, number, by=actor(s, SUPERVISOR), today=TODAY)
        paid(s, number, TODAY)
    view = _status(database, number)
    assert [(step.status, step.by) for step in view.history] == [
        ("draft", OFFICER), ("submitted", OFFICER), ("verified", SECOND_OFFICER), ("approved", SUPERVISOR),
        ("paid", CASHIER)]
    stamps = [step.at for step in view.history]
    assert all(at.tzinfo is not None for at in stamps)
    assert stamps == sorted(stamps)
    assert (view.entered_by, view.approved_by) == (OFFICER, SUPERVISOR)


# --- a sponsor's staff ----------------------------------------------------------------------------


def test_a_sponsor_s_staff_see_their_own_sponsor_s_claims_only(database: TestDatabase) -> None:
    """Kadin's staff see the claim of Kadin's worker (without the accident's description), not the
    village's: that one is not found, in a show as in a list or the statement."""
    kadin_nik = _worker(database)
    desa_nik = _worker(database, "DESA-2026", "DESA")
    kadin = _jkm(database, nik=kadin_nik)
    with database.session() as s:
        accident = report(s, desa_nik, dt.date(2026, 3, 2))
        desa = new(s, TODAY, nik=desa_nik, type="jkk-stmb", event_date="2026-03-10", accident=accident.id,
                   months=1).number
        staff = add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
        assert service.show(s, kadin, by=staff, today=TODAY).sponsor == "KADIN"
        with pytest.raises(NotFound):
            service.show(s, desa, by=staff, today=TODAY)
        with pytest.raises(NotFound):
            service.show_accident(s, accident.id, by=staff, today=TODAY)
        assert [r.number for r in service.list_claims(s, by=staff, today=TODAY)] == [kadin]
        assert [(r.sponsor, r.type) for r in service.statement(s, by=staff)] == [("KADIN", "jkm")]
        village = add_user(s, "staf.desa", "sponsor", sponsor="DESA")
        seen = service.show_accident(s, accident.id, by=village, today=TODAY)
        assert seen.what is None and seen.claims == [desa]


# --- service levels -------------------------------------------------------------------------------


def test_claims_past_their_service_level_are_listed_as_overdue(database: TestDatabase) -> None:
    """A JKK claim submitted on 1 June and not decided is due by 1 July (30 days): overdue from
    2 July. A JKM whose documents were complete on Thursday 11 June must be paid within 3 working
    days: Friday 12, Monday 15, (Tuesday 16 June is 1 Muharram) Wednesday 17: overdue from the 18th.
    A paid JKM is never overdue."""
    jkk_nik, jkm_nik, paid_nik = _worker(database), _worker(database), _worker(database)
    with database.session() as s:
        accident = report(s, jkk_nik, dt.date(2026, 5, 28))
        jkk = new(s, dt.date(2026, 6, 1), nik=jkk_nik, type="jkk-stmb", event_date="2026-06-01",
                  accident=accident.id, months=1).number
        service.submit(s, jkk, by=actor(s, OFFICER), today=dt.date(2026, 6, 1))
    jkm = _jkm(database, nik=jkm_nik, died=dt.date(2026, 6, 5), today=dt.date(2026, 6, 11))
    with database.session() as s:
        attach_all(s, jkm, dt.date(2026, 6, 11))
        service.submit(s, jkm, by=actor(s, OFFICER), today=dt.date(2026, 6, 11))
    done = _jkm(database, nik=paid_nik, died=dt.date(2026, 6, 5), today=dt.date(2026, 6, 11))
    with database.session() as s:
        to_approved(s, done, dt.date(2026, 6, 11))
        paid(s, done, dt.date(2026, 6, 12))

    def overdue(today: dt.date) -> list[tuple[str, int | None]]:
        with database.session() as s:
            return [(r.number, r.days_over) for r in service.list_claims(s, by=actor(s, OFFICER), today=today,
                                                                         overdue=True)]

    assert overdue(dt.date(2026, 6, 17)) == []
    assert overdue(dt.date(2026, 6, 18)) == [(jkm, 1)]
    assert overdue(dt.date(2026, 7, 1)) == [(jkm, 14)]
    assert overdue(dt.date(2026, 7, 2)) == [(jkm, 15), (jkk, 1)]  # newest first
    with database.session() as s:
        shown = service.show(s, jkk, by=actor(s, OFFICER), today=dt.date(2026, 7, 2))
        assert (shown.due_on, shown.overdue) == (dt.date(2026, 7, 1), True)
        shown = service.show(s, jkm, by=actor(s, OFFICER), today=dt.date(2026, 7, 2))
        assert (shown.complete_on, shown.due_on) == (dt.date(2026, 6, 11), dt.date(2026, 6, 17))
        # deciding the JKK case (rejecting it) takes it off the list
        service.reject(s, jkk, "not_work_accident", "Kecelakaan di luar pekerjaan", by=actor(s, OFFICER),
                       today=dt.date(2026, 7, 2))
    assert overdue(dt.date(2026, 7, 2)) == [(jkm, 15)]


# --- the sponsor's statement ----------------------------------------------------------------------


def test_the_statement_counts_claims_by_sponsor_and_type_with_their_amounts(database: TestDatabase) -> None:
    """Kadin: a JKM paid (42 jt), a JKM rejected (ineligible: death before the enrolment), an STMB of
    6 months approved (6 × 100% × 1 jt = 6 jt, not paid yet); the village: one JKM draft.
    Decided = approved or paid."""
    a, b = _worker(database), _worker(database)
    with database.session() as s:
        later = enrolled(s, first="2026-06").nik  # enrolled from June: a death in March is not covered
    desa = _worker(database, "DESA-2026", "DESA")
    jkm_paid = _jkm(database, nik=a)
    with database.session() as s:
        to_approved(s, jkm_paid, TODAY)
        paid(s, jkm_paid, TODAY)
        refused = new(s, TODAY, nik=later, type="jkm", event_date=DIED.isoformat(), claimant=SPOUSE)
        assert (refused.status, refused.reason) == ("rejected", "coverage.not_enrolled")
        accident = report(s, b, dt.date(2026, 1, 20))
        stmb = new(s, TODAY, nik=b, type="jkk-stmb", event_date="2026-03-01", accident=accident.id, months=6,
                   account={"bank": "BNI", "number": "1234567890", "holder": "Asep Saputra"})
        to_approved(s, stmb.number, TODAY)
    _jkm(database, nik=desa)
    with database.session() as s:
        rows = [(r.sponsor, r.type, r.claims, r.decided, r.decided_amount, r.paid, r.paid_amount)
                for r in service.statement(s, by=actor(s, SUPERVISOR))]
        assert rows == [
            ("DESA", "jkm", 1, 0, 0, 0, 0),
            ("KADIN", "jkk-stmb", 1, 1, 6_000_000, 0, 0),
            ("KADIN", "jkm", 2, 1, 42_000_000, 1, 42_000_000),
        ]
        only = [(r.sponsor, r.type) for r in service.statement(s, "KADIN", by=actor(s, SUPERVISOR))]
        assert only == [("KADIN", "jkk-stmb"), ("KADIN", "jkm")]


def test_a_refused_document_is_said_in_a_sentence_in_both_languages(database: TestDatabase, documents_dir: Path,
                                                                    cli: Cli, tmp_path: Path) -> None:
    number = _jkm(database)
    upload = tmp_path / "akta.pdf"
    upload.write_bytes(b"bukan PDF")
    for lang in ("id", "en"):
        refused = cli("claim", "attach", number, "--document", "akta_kematian", str(upload), "--by", OFFICER,
                      "--lang", lang)
        assert refused.exit_code == 2
        assert "akta.pdf" in refused.err and "invalid.document" not in refused.err, refused.err
    with database.session() as s, pytest.raises(InvalidInput) as err:
        service.attach(s, number, "akta_kematian", b"0" * (10 * 1024 * 1024 + 1), "besar.pdf", by=actor(s, OFFICER),
                       today=TODAY)
    assert "10 MB" in err.value.message("id") and "10 MB" in err.value.message("en")
    assert not err.value.message("en").startswith("invalid.")


def test_a_decided_claim_does_not_change_when_the_worker_is_edited(database: TestDatabase) -> None:
    """An STMB approved at dasar Rp1.000.000 keeps its amount after the worker's declared income is
    raised to Rp5.000.000 (a later period would be computed afresh)."""
    nik = _worker(database)
    with database.session() as s:
        accident = report(s, nik, dt.date(2026, 2, 2))
        claim = new(s, TODAY, nik=nik, type="jkk-stmb", event_date="2026-03-02", accident=accident.id, months=2,
                    account={"bank": "BNI", "number": "1234567890", "holder": "Asep Saputra"})
        assert (claim.base, claim.total) == (1_000_000, 2_000_000)  # 2 × 100% × Rp1.000.000
        to_approved(s, claim.number, TODAY)
    with database.session() as s:
        workers.update(s, nik, WorkerUpdate(income=5_000_000), by=actor(s, OFFICER), today=TODAY)
    with database.session() as s:
        after = service.show(s, claim.number, by=actor(s, OFFICER), today=TODAY)
        assert (after.base, after.total, [c.amount for c in after.components]) == (1_000_000, 2_000_000, [2_000_000])
        payment = service.pay(s, claim.number, "TRF-STMB", TODAY, by=actor(s, CASHIER), today=TODAY).payment
        assert payment is not None and payment.amount == 2_000_000


def test_a_second_claim_for_a_death_already_paid_is_refused(database: TestDatabase) -> None:
    """The widow was paid 42.000.000 for her husband's death; a second JKM claim for the same death
    (another officer, another day) must not be taken (or, taken, must end rejected or stop before
    approval), or the death would be paid twice."""
    nik = _worker(database)
    first = _jkm(database, nik=nik)
    with database.session() as s:
        to_approved(s, first, TODAY)
        paid(s, first, TODAY)
    later = dt.date(2026, 3, 20)
    with database.session() as s:
        try:
            second = service.new_claim(s, ClaimRequest.model_validate(
                {"nik": nik, "type": "jkm", "event_date": DIED.isoformat(), "claimant": SPOUSE, "account": ACCOUNT}),
                by=actor(s, SECOND_OFFICER), today=later)
        except Conflict:
            return  # refused at entry
    if second.status == "rejected":
        return  # or recorded and rejected at once
    with database.session() as s, pytest.raises(Conflict):  # or refused on its way to approval
        to_approved(s, second.number, later)


# --- the payee's account --------------------------------------------------------------------------


def test_a_claim_without_an_account_is_not_approved_until_one_is_given(database: TestDatabase) -> None:
    """Entered without an account: approval is refused and says how to give one; once given, the
    supervisor approves, and the account can no longer be changed."""
    nik = _worker(database)
    with database.session() as s:
        number = service.new_claim(s, ClaimRequest.model_validate(
            {"nik": nik, "type": "jkm", "event_date": DIED.isoformat(), "claimant": SPOUSE}),
            by=actor(s, OFFICER), today=TODAY).number
    _submitted(database, number)
    with database.session() as s:
        service.verify(s, number, by=actor(s, OFFICER), today=TODAY)
    with database.session() as s, pytest.raises(service.NoAccount) as err:
        service.approve(s, number, by=actor(s, SUPERVISOR), today=TODAY)
    assert f"lindung claim account {number}" in err.value.message("id")
    assert _status(database, number).status == "verified"
    with database.session() as s:
        view = service.set_account(s, number, Account(bank="BRI", number="0123 4567 8901", holder="Siti Aminah"),
                                   by=actor(s, OFFICER), today=TODAY)
        assert (view.payee.account_bank, view.payee.account_number) == ("BRI", "********8901")
    with database.session() as s:
        assert service.approve(s, number, by=actor(s, SUPERVISOR), today=TODAY).status == "approved"
    with database.session() as s, pytest.raises(service.WrongStatus):
        service.set_account(s, number, Account(bank="BNI", number="999999999", holder="Orang Lain"),
                            by=actor(s, OFFICER), today=TODAY)
