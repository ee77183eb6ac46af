"""``lindung claim …`` and ``lindung accident …``: each command is one service call in one unit of work.

The option names are fixed (other tools call them): see docs/claims.md.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import typer
from rich.markup import escape

from lindung.claims import documents as store
from lindung.claims import service
from lindung.claims.catalogue import catalogue
from lindung.claims.letter import relationship_label, render_letter
from lindung.claims.schemas import (
    AccidentOutcome,
    AccidentReport,
    AccidentView,
    Account,
    ChildInput,
    Claimant,
    ClaimRequest,
    ClaimView,
)
from lindung.kit import clock
from lindung.kit.dates import parse_date
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import t
from lindung.kit.listing import YES_NO, CsvList, coded
from lindung.kit.lokal import terbilang_rupiah
from lindung.rules.money import rp
from lindung.terminal.app import (
    ByOption,
    LangOption,
    OutOption,
    check_writable,
    lang_of,
    out_console,
    print_json,
    write_csv,
)
from lindung.terminal.args import JsonOption, int_arg
from lindung.terminal.tables import component_table
from lindung.terminal.work import work

claim_app = typer.Typer(help="Klaim JKM, JKK dan beasiswa: dari pengajuan sampai pembayaran.", no_args_is_help=True)
accident_app = typer.Typer(help="Laporan kecelakaan kerja tahap I dan II.", no_args_is_help=True)

_CHILD = re.compile(r"^(?P<name>[^:]+):(?P<level>[A-Za-z]+):(?P<year>\d{1,2})(?::(?P<born>\d{4}-\d{2}-\d{2}))?$")
_ACCOUNT = re.compile(r"^(?P<bank>[^:]+):(?P<number>[0-9 .-]{4,40}):(?P<holder>[^:]+)$")

LIST = CsvList(columns=("number", "type", "status", "nik", "name", "sponsor", "event_date", "eligible",
                        "claim_total", "entered_at", "due_on", "overdue", "days_over"),
               labels={"type": coded("claims.type", service.CLAIM_TYPES),
                       "status": coded("claims.status", service.CLAIM_STATUSES),
                       "eligible": YES_NO, "overdue": YES_NO})


def _child(text: str, married: list[str], working: list[str]) -> ChildInput:
    m = _CHILD.match(text.strip())
    if not m:
        raise InvalidInput("child", text, reason="claim_child_format")
    name = " ".join(m.group("name").split())
    born = parse_date(m.group("born"), "child") if m.group("born") else None
    folded = name.casefold()
    return ChildInput(name=name, level=m.group("level").lower(), year=int(m.group("year")), born=born,
                      married=any(" ".join(x.split()).casefold() == folded for x in married),
                      working=any(" ".join(x.split()).casefold() == folded for x in working))


def _account(text: str | None) -> Account | None:
    if text is None:
        return None
    m = _ACCOUNT.match(text.strip())
    if not m:
        raise InvalidInput("payee_account", text, reason="claim_account_format")
    return Account(bank=m.group("bank").strip(), number=re.sub(r"[ .-]", "", m.group("number")),
                   holder=m.group("holder").strip())


def _decimal(text: str | None, field: str) -> str | None:
    if text is None:
        return None
    cleaned = text.strip().rstrip("%").replace(",", ".")
    if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", cleaned):
        raise InvalidInput(field, text)
    return cleaned


@claim_app.command("new")
def new(
    nik: str = typer.Argument(..., help="NIK pekerja."),
    claim_type: str = typer.Option(..., "--type", help="Jenis klaim: jkm, jkk-death, jkk-disability-total, "
                                   "jkk-disability-partial, jkk-stmb, jkk-care atau scholarship."),
    event_date: str = typer.Option(..., "--event-date", help="Tanggal peristiwa (meninggal, penetapan, tahun ajaran)."),
    accident: str | None = typer.Option(None, "--accident", help="Nomor kecelakaan (klaim JKK)."),
    percent: str | None = typer.Option(None, "--percent", help="Persentase cacat menurut tabel."),
    function_loss: str | None = typer.Option(None, "--function-loss", help="Persentase hilangnya fungsi."),
    assessed_by: str | None = typer.Option(None, "--assessed-by", help="Dokter yang menilai."),
    months: str | None = typer.Option(None, "--months", help="Bulan STMB periode ini, atau bulan homecare."),
    care: str | None = typer.Option(None, "--care", help="Layanan jkk-care: transport, medical, home_care, "
                                    "prosthesis, dentures, hearing_aid atau glasses."),
    mode: str | None = typer.Option(None, "--mode", help="Angkutan: land, sea, air."),
    amount: str | None = typer.Option(None, "--amount", help="Biaya dalam rupiah."),
    child: list[str] = typer.Option([], "--child", help="Anak NAMA:JENJANG:TAHUN[:LAHIR], mis. Sari:sd:6."),
    child_married: list[str] = typer.Option([], "--child-married", help="Anak (nama) yang sudah menikah."),
    child_working: list[str] = typer.Option([], "--child-working", help="Anak (nama) yang sudah bekerja."),
    claimant_name: str | None = typer.Option(None, "--claimant-name", help="Nama pemohon."),
    claimant_relationship: str | None = typer.Option(None, "--claimant-relationship",
                                                     help="Hubungan pemohon: spouse, child, parent, …"),
    claimant_nik: str | None = typer.Option(None, "--claimant-nik", help="NIK pemohon."),
    account: str | None = typer.Option(None, "--account", help="Rekening BANK:NOMOR:PEMILIK."),
    reopens: str | None = typer.Option(None, "--reopens", help="Nomor klaim ditolak yang diajukan ulang."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Catat klaim baru: dihitung menurut aturan pada tanggal peristiwa."""
    lg = lang_of(lang)
    claimant = None
    if claimant_name or claimant_relationship:
        if not (claimant_name and claimant_relationship):
            raise InvalidInput("claimant_name", claimant_name or claimant_relationship or "",
                               reason="claim_claimant_both")
        claimant = Claimant(name=claimant_name, relationship=claimant_relationship, nik=claimant_nik)
    request = ClaimRequest(
        nik=nik, type=claim_type.strip().lower(), event_date=parse_date(event_date, "event_date"),
        accident=int_arg(accident, "accident"), percent=_decimal(percent, "percent"),  # type: ignore[arg-type]
        function_loss=_decimal(function_loss, "function_loss"),  # type: ignore[arg-type]
        assessed_by=assessed_by, months=int_arg(months, "months"), care=care, mode=mode,
        amount=int_arg(amount, "amount"), children=[_child(c, child_married, child_working) for c in child],
        claimant=claimant, account=_account(account), reopens=reopens)
    with work(by) as w:
        view = service.new_claim(w.session, request, by=w.actor, today=clock.today())
    _emit(view, json_out, lg)


@claim_app.command("attach")
def attach(
    number: str = typer.Argument(..., help="Nomor klaim."),
    document: tuple[str, str] = typer.Option(..., "--document", help="KODE BERKAS, mis. ktp ktp.pdf."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Terima satu dokumen (PDF, JPEG atau PNG, paling besar 10 MB)."""
    lg = lang_of(lang)
    code, file = document
    data = store.read_upload(Path(file))
    with work(by) as w:
        view = service.attach(w.session, number, code.strip().lower(), data, Path(file).name, by=w.actor,
                              today=clock.today())
    _emit(view, json_out, lg, brief=True)


@claim_app.command("account")
def account_command(
    number: str = typer.Argument(..., help="Nomor klaim."),
    account: str = typer.Option(..., "--account", help="Rekening BANK:NOMOR:PEMILIK."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Catat atau perbaiki rekening penerima (sebelum disetujui)."""
    lg = lang_of(lang)
    given = _account(account)
    assert given is not None
    with work(by) as w:
        view = service.set_account(w.session, number, given, by=w.actor, today=clock.today())
    _emit(view, json_out, lg, brief=True)


def _step_command(name: str, doc: str) -> None:
    def command(number: str = typer.Argument(..., help="Nomor klaim."), by: str | None = ByOption,
                json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
        lg = lang_of(lang)
        with work(by) as w:
            view = getattr(service, name)(w.session, number, by=w.actor, today=clock.today())
        _emit(view, json_out, lg, brief=True)

    command.__doc__ = doc
    claim_app.command(name)(command)


_step_command("submit", "Ajukan klaim (dari draf).")
_step_command("verify", "Verifikasi: semua dokumen wajib sudah diterima.")
_step_command("approve", "Setujui klaim (orang kedua: bukan yang mencatat atau memverifikasi).")


@claim_app.command("reject")
def reject(
    number: str = typer.Argument(..., help="Nomor klaim."),
    reason: str = typer.Option(..., "--reason", help="Kode alasan, mis. not_work_accident."),
    note: str | None = typer.Option(None, "--note", help="Catatan."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Tolak klaim dengan alasan berkode."""
    lg = lang_of(lang)
    with work(by) as w:
        view = service.reject(w.session, number, reason.strip(), note, by=w.actor, today=clock.today())
    _emit(view, json_out, lg, brief=True)


@claim_app.command("pay")
def pay(
    number: str = typer.Argument(..., help="Nomor klaim."),
    reference: str = typer.Option(..., "--reference", help="Referensi transfer bank."),
    date: str = typer.Option(..., "--date", help="Tanggal bayar."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Catat pembayaran klaim yang disetujui (sekali saja, sebesar total yang ditetapkan)."""
    lg = lang_of(lang)
    with work(by) as w:
        view = service.pay(w.session, number, reference, parse_date(date, "paid_on"), by=w.actor,
                           today=clock.today())
    _emit(view, json_out, lg, brief=True)


@claim_app.command("show")
def show(number: str = typer.Argument(..., help="Nomor klaim."), by: str | None = ByOption,
         json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Klaim: kelayakan, komponen, beasiswa, dokumen, penerima dan riwayat."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        view = service.show(w.session, number, by=w.actor, today=clock.today())
    _emit(view, json_out, lg)


@claim_app.command("letter")
def letter(
    number: str = typer.Argument(..., help="Nomor klaim."),
    out: Path = typer.Option(..., "--out", help="Berkas PDF."),
    by: str | None = ByOption,
    lang: str | None = LangOption,
) -> None:
    """Surat penetapan (PDF) kepada penerima."""
    lg = lang_of(lang)
    check_writable(out, "--out")
    with work(by, readonly=True) as w:
        view = service.claim_for_letter(w.session, number, by=w.actor, today=clock.today())
    out.write_bytes(render_letter(view, lang=lg, today=clock.today()))
    out_console.print(t("claims.ui.letter_written", lg, file=str(out), number=view.number))


@claim_app.command("list")
def list_claims(
    status: str | None = typer.Option(None, "--status",
                                      help="Status: draft, submitted, verified, approved, paid atau rejected."),
    sponsor: str | None = typer.Option(None, "--sponsor", help="Hanya sponsor ini."),
    overdue: bool = typer.Option(False, "--overdue", help="Hanya yang melewati batas waktu layanan."),
    out: str | None = OutOption,
    by: str | None = ByOption,
    lang: str | None = LangOption,
) -> None:
    """Daftar klaim (CSV), terbaru dulu."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        rows = service.list_claims(w.session, by=w.actor, today=clock.today(), status=status, sponsor=sponsor,
                                   overdue=overdue)
    write_csv((r.model_dump(mode="json") for r in rows), LIST, out, lg)


STATEMENT = CsvList(columns=("sponsor", "type", "claims", "decided", "decided_amount", "paid", "paid_amount"),
                    labels={"type": coded("claims.type", service.CLAIM_TYPES)})


@claim_app.command("statement")
def statement(sponsor: str | None = typer.Option(None, "--sponsor", help="Hanya sponsor ini."),
              out: str | None = OutOption, by: str | None = ByOption, lang: str | None = LangOption) -> None:
    """Klaim pekerja sponsor per jenis: jumlah dan nilai (CSV, tanpa rincian medis)."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        rows = service.statement(w.session, sponsor, by=w.actor)
    write_csv((r.model_dump(mode="json") for r in rows), STATEMENT, out, lg)


# --- accidents ------------------------------------------------------------------------------------


def _when(text: str) -> tuple[dt.date, dt.time | None]:
    value = text.strip().replace(" ", "T", 1)
    if "T" in value:
        day, _, clock_text = value.partition("T")
        m = re.fullmatch(r"(\d{1,2})[:.](\d{2})", clock_text)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise InvalidInput("date", text)
        return parse_date(day, "date"), dt.time(int(m.group(1)), int(m.group(2)))
    return parse_date(value, "date"), None


@accident_app.command("report")
def report(
    nik: str = typer.Argument(..., help="NIK pekerja."),
    date: str = typer.Option(..., "--date", help="Tanggal (dan jam) kejadian, mis. 2026-11-03T06:30."),
    place: str = typer.Option(..., "--place", help="Tempat kejadian."),
    what: str = typer.Option(..., "--what", help="Apa yang terjadi."),
    reported_by: str = typer.Option(..., "--reported-by", help="Pelapor (nama)."),
    reporter: str = typer.Option("other", "--reporter", help="worker, sponsor, family atau other."),
    reported_at: str | None = typer.Option(None, "--reported-at", help="Kapan laporan diterima (bawaan: sekarang)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Laporan kecelakaan kerja tahap I (terlambat lebih dari 2 × 24 jam: ditandai, tidak ditolak)."""
    lg = lang_of(lang)
    day, time = _when(date)
    received = None
    if reported_at:
        rday, rtime = _when(reported_at)
        received = clock.day_start(rday) + (dt.timedelta(hours=rtime.hour, minutes=rtime.minute) if rtime else
                                            dt.timedelta())
    data = AccidentReport(nik=nik, occurred_on=day, occurred_time=time, place=place, what=what,
                          reporter=reporter.strip().lower(), reported_by=reported_by, reported_at=received)
    with work(by) as w:
        view = service.report_accident(w.session, data, by=w.actor)
    _emit_accident(view, json_out, lg)


@accident_app.command("outcome")
def outcome(
    number: int = typer.Argument(..., help="Nomor kecelakaan."),
    result: str = typer.Argument(..., help="recovered, disabled atau died."),
    date: str | None = typer.Option(None, "--date", help="Tanggal (bawaan: hari ini)."),
    percent: str | None = typer.Option(None, "--percent", help="Persentase cacat."),
    function_loss: str | None = typer.Option(None, "--function-loss", help="Persentase hilangnya fungsi."),
    assessed_by: str | None = typer.Option(None, "--assessed-by", help="Dokter yang menilai."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Laporan tahap II: sembuh, cacat (persentase, penilai) atau meninggal (tanggal)."""
    lg = lang_of(lang)
    data = AccidentOutcome(outcome=result.strip().lower(), on=parse_date(date, "date") if date else None,
                           percent=_decimal(percent, "percent"),  # type: ignore[arg-type]
                           function_loss=_decimal(function_loss, "function_loss"),  # type: ignore[arg-type]
                           assessed_by=assessed_by)
    with work(by) as w:
        view = service.record_outcome(w.session, number, data, by=w.actor, today=clock.today())
    _emit_accident(view, json_out, lg)


@accident_app.command("show")
def show_accident(number: int = typer.Argument(..., help="Nomor kecelakaan."), by: str | None = ByOption,
                  json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Kecelakaan kerja: laporan, hasil dan klaimnya."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        view = service.show_accident(w.session, number, by=w.actor, today=clock.today())
    _emit_accident(view, json_out, lg)


# --- output ---------------------------------------------------------------------------------------


def _emit_accident(view: AccidentView, json_out: bool, lang: str) -> None:
    if json_out:
        print_json(view)
        return
    when = view.occurred_on.isoformat() + (f" {view.occurred_time:%H:%M}" if view.occurred_time else "")
    out_console.print(t("claims.ui.accident", lang, id=view.id, name=escape(view.name), nik=view.nik, when=when,
                        place=escape(view.place)))
    if view.what:
        out_console.print(f"  {escape(view.what)}")
    out_console.print("  " + t("claims.ui.reported", lang, by=escape(view.reported_by),
                               at=clock.format_stamp(view.reported_at)))
    if view.late:
        out_console.print("  [yellow]" + t("claims.ui.report_late", lang, hours=view.deadline_hours) + "[/yellow]")
    if view.outcome:
        out_console.print("  " + t(f"claims.outcome.{view.outcome}", lang) + f" ({view.outcome_on})"
                          + (f": {view.percent}%" if view.percent is not None else "")
                          + (f", {escape(view.assessed_by)}" if view.assessed_by else ""))
    if view.claims:
        out_console.print("  " + t("claims.ui.claims", lang, claims=", ".join(view.claims)))


def _emit(view: ClaimView, json_out: bool, lang: str, *, brief: bool = False) -> None:
    if json_out:
        print_json(view)
        return
    status = t(f"claims.status.{view.status}", lang)
    out_console.print(t("claims.ui.head", lang, number=view.number, type=t(f"claims.type.{view.type}", lang),
                        status=status, name=escape(view.name), nik=view.nik, date=view.event_date.isoformat()))
    if not view.eligible and view.reason:
        out_console.print("[red]" + escape(t("claims.ui.not_eligible", lang, reason=t(view.reason, lang),
                                              reference=view.reason_reference or "-")) + "[/red]")
    if view.status == "rejected" and view.rejected_reason and view.rejected_reason != view.reason:
        out_console.print("[red]" + escape(t("claims.ui.rejected", lang, reason=_reason(view.rejected_reason, lang),
                                              note=view.rejected_note or "")) + "[/red]")
    if not brief and view.components:
        out_console.print(component_table(view.components, lang))
    out_console.print(f"[bold]{t('ui.total', lang)}: {rp(view.total)}[/bold] ({terbilang_rupiah(view.total, lang)})")
    if view.children:
        for kid in view.children:
            line = (t("claims.ui.child", lang, name=escape(kid.name), level=kid.level.upper(), year=kid.year,
                      this_year=rp(kid.this_year), projected=rp(kid.projected))
                    if kid.eligible else t("claims.ui.child_not", lang, name=escape(kid.name),
                                           reason=t(kid.reason or "", lang)))
            out_console.print("  " + line)
        out_console.print("  " + t("claims.ui.scholarships", lang, this_year=rp(view.scholarship_this_year),
                                   projected=rp(view.scholarship_projected)))
    if not brief:
        missing = [catalogue().label(d.code, lang) for d in view.documents if d.required and not d.received]
        out_console.print(t("claims.ui.documents", lang, received=sum(1 for d in view.documents if d.received),
                            required=sum(1 for d in view.documents if d.required),
                            missing="; ".join(missing) or "-"))
        if view.payee.name:
            out_console.print(t("claims.ui.payee", lang, name=escape(view.payee.name),
                                relationship=relationship_label(view.payee.relationship, lang) or "-",
                                account=escape(" ".join(x for x in (view.payee.account_bank,
                                                                     view.payee.account_number) if x) or "-")))
        if view.payee.note:
            out_console.print("[yellow]" + t(view.payee.note, lang) + "[/yellow]")
        for s in view.history:
            out_console.print(f"  {clock.format_stamp(s.at)}  {t(f'claims.status.{s.status}', lang)}  "
                              f"{escape(s.by)}" + (f"  {escape(s.note)}" if s.note else ""))
    if view.due_on:
        key = "claims.ui.overdue" if view.overdue else "claims.ui.due"
        out_console.print(t(key, lang, date=view.due_on.isoformat()))
    if view.payment:
        out_console.print(t("claims.ui.paid", lang, amount=rp(view.payment.amount),
                            date=view.payment.paid_on.isoformat(), reference=escape(view.payment.reference)))


def _reason(code: str, lang: str) -> str:
    return catalogue().label(code, lang) if code in catalogue().reject_reasons else t(code, lang)
