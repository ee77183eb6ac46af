"""``lindung bill | pay | coverage`` and ``lindung billing …`` (lists as CSV, receipts, ends).

Each command is one service call in one unit of work, except ``bill``: a bill run is a job
(``billing.jobs``), run here in the foreground with its progress bar, one unit of work per batch of
agreements (an interrupted run keeps the batches it finished and a rerun issues only what is missing).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from lindung.billing import coverage as coverage_service
from lindung.billing import ends, lists
from lindung.billing import jobs as bill_jobs
from lindung.billing import service as billing
from lindung.billing.schemas import (
    AgreementEnd,
    BillRunRequest,
    Coverage,
    EndResult,
    PaymentCreate,
    Receipt,
    Settlement,
)
from lindung.kit import clock
from lindung.kit.dates import parse_date
from lindung.kit.i18n import format_count, format_date, t
from lindung.kit.listing import CsvList
from lindung.kit.lokal import terbilang_rupiah
from lindung.kit.schemas import Schema
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.terminal.app import (
    PANEL_BILLING,
    ByOption,
    LangOption,
    OutOption,
    UnmaskOption,
    lang_of,
    out_console,
    print_json,
    write_csv,
)
from lindung.terminal.args import JsonOption, int_arg
from lindung.terminal.work import work

app = typer.Typer()  # merged into the root: bill, pay, coverage and the billing group
lists_app = typer.Typer(help="Daftar, tanda bukti dan berakhirnya kepesertaan.",
                        no_args_is_help=True)
app.add_typer(lists_app, name="billing", rich_help_panel=PANEL_BILLING)

AtOption = typer.Option(None, "--at", help="Tanggal (bawaan: hari ini).")
DaysOption = typer.Option(30, "--days", min=0, help="Jangka waktu dalam hari.")



def _date(value: str | None, field: str) -> dt.date:
    return parse_date(value, field) if value else clock.today()


def _amount(value: str) -> int:
    text = value.strip()
    if text[:2].casefold() == "rp":
        text = text[2:].strip()
    amount = int_arg(text, "amount")
    assert amount is not None
    return billing.check_amount(amount)


# --- bill ---------------------------------------------------------------------------------------


@app.command("bill", rich_help_panel=PANEL_BILLING)
def bill(
    month: str = typer.Argument(..., help="Bulan tagihan TTTT-BB, mis. 2026-11."),
    agreement: str | None = typer.Option(None, "--agreement", help="Hanya perjanjian ini."),
    on: str | None = typer.Option(None, "--on", help="Tanggal terbit (bawaan: hari ini)."),
    batch: int = typer.Option(50, "--batch", min=1, help="Jumlah perjanjian per transaksi."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Terbitkan tagihan yang jatuh tempo sampai bulan itu (aman diulang)."""
    lg = lang_of(lang)
    request = BillRunRequest(month=Month.parse(month), agreement=agreement, issue_date=_date(on, "on"), batch=batch)
    with work(by) as w:
        job = bill_jobs.start(w.session, request, by=w.actor)
        actor = w.actor
    with Progress(transient=True, disable=json_out or not sys.stdout.isatty()) as progress:
        task = progress.add_task(t("billing.progress", lg), total=None, visible=False)

        def advance(done: int, total: int | None) -> None:
            # a bar only when the run takes more than one batch, as before bill runs were jobs
            progress.update(task, completed=done, total=total, visible=(total or 0) > batch)

        run = bill_jobs.run(job.id, by=actor, on_progress=advance)
    if json_out:
        print_json(run)
        return
    if not run.bills:
        out_console.print(t("billing.none_issued", lg, month=str(run.month)))
        return
    credit = any(b.credit_applied for b in run.bills)
    columns = ["payment_code", "agreement", "cycle", "due_date", "worker_months", "total"]
    columns += ["credit", "payable"] if credit else []
    table = Table(title=t("billing.bills_title", lg, month=str(run.month)), title_justify="left")
    for col in columns:
        # the payment code and amounts are never cut (people copy them); the rest may fold
        keep = col in ("payment_code", "due_date", "total", "credit", "payable")
        table.add_column(t(f"billing.col.{col}", lg), no_wrap=keep, overflow="fold",
                         justify="left" if col in ("payment_code", "agreement", "cycle", "due_date") else "right")
    for b in run.bills:
        cycle = f"{b.cycle.start}–{b.cycle.end}" + (f" (+{b.seq - 1})" if b.seq > 1 else "")
        cells = [b.payment_code, b.agreement, cycle, b.due_date.isoformat(), format_count(b.worker_months, lg),
                 rp(b.total)]
        cells += [rp(b.credit_applied), rp(b.payable)] if credit else []
        table.add_row(*cells)
    out_console.print(table)
    out_console.print(t("billing.issued", lg, bills=run.bills_issued, month=str(run.month),
                        worker_months=format_count(run.worker_months, lg), total=rp(run.total),
                        payable=rp(run.payable)))


# --- pay ----------------------------------------------------------------------------------------


@app.command("pay", rich_help_panel=PANEL_BILLING)
def pay(
    code: str = typer.Option(..., "--code", help="Kode bayar tagihan."),
    amount: str = typer.Option(..., "--amount", help="Jumlah rupiah (bilangan bulat)."),
    reference: str = typer.Option(..., "--reference", help="Referensi bank (unik)."),
    date: str | None = typer.Option(
        None, "--date", help="Tanggal bayar (bawaan: hari ini, atau tanggal --on bila diberikan)."),
    on: str | None = typer.Option(None, "--on", help="Tanggal pencatatan (bawaan: hari ini)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Catat pembayaran dan terbitkan tanda buktinya."""
    lg = lang_of(lang)
    value = _amount(amount)
    recorded = _date(on, "on")  # the branch's today unless --on
    # A payment made today by default, as the README has it; recorded on another day (--on), that day.
    payment = PaymentCreate(code=code, amount=value, reference=reference,
                            paid_on=parse_date(date, "date") if date else None)
    with work(by) as w:
        receipt = billing.pay(w.session, payment, today=recorded, by=w.actor)
    if json_out:
        print_json(receipt)
        return
    render_receipt(receipt, lg)


def render_receipt(r: Receipt, lang: str) -> None:
    out_console.print(f"[bold]{t('billing.receipt_title', lang)}[/bold]  {r.receipt}")
    rows = [("receipt_date", format_date(r.issued_on, lang)),
            ("sponsor", f"{escape(r.sponsor.name)} ({r.sponsor.code})"),
            ("agreement", r.agreement), ("payment_code", r.payment_code),
            ("cycle", f"{r.cycle.start}–{r.cycle.end}"), ("reference", escape(r.reference)),
            ("paid_on", format_date(r.paid_on, lang)),
            ("amount", f"{rp(r.amount)} ({terbilang_rupiah(r.amount, lang)})")]
    for key, value in rows:
        out_console.print(f"  {t(f'billing.col.{key}', lang)}: {value}")
    table = Table(title=t("billing.allocation", lang), title_justify="left")
    table.add_column(t("billing.col.month", lang))
    table.add_column(t("billing.col.worker_months", lang), justify="right")
    table.add_column(t("billing.col.amount", lang), justify="right")
    for x in r.allocation:
        table.add_row(str(x.month), format_count(x.worker_months, lang), rp(x.amount))
    table.add_row(t("ui.total", lang), format_count(r.worker_months, lang), rp(r.allocated))
    out_console.print(table)
    out_console.print(t("billing.receipt_credit", lang, before=rp(r.credit_before), used=rp(r.credit_used),
                        added=rp(r.credit_added), after=rp(r.credit_after)))
    out_console.print(t("billing.receipt_bill_left", lang, months=format_count(r.bill.unpaid_worker_months, lang),
                        amount=rp(r.bill.unpaid), total=rp(r.bill.total)))


# --- coverage -----------------------------------------------------------------------------------


@app.command("coverage", rich_help_panel=PANEL_BILLING)
def coverage(
    nik: str = typer.Argument(..., help="NIK pekerja."),
    at: str | None = AtOption,
    unmask: bool = typer.Option(False, "--unmask", help="Tampilkan NIK lengkap (dicatat di log audit)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Apakah pekerja terlindungi pada tanggal itu, dan mengapa."""
    lg = lang_of(lang)
    day = _date(at, "at")
    with work(by, readonly=not unmask) as w:
        report = coverage_service.coverage(w.session, nik, at=day, unmask=unmask, by=w.actor)
    if json_out:
        print_json(report)
        return
    render_coverage(report, lg)


def arrears_sentence(arrears: Iterable[tuple[str, dt.date]], lang: str) -> str:
    """"Tunggakan …: 2026-11 (masih dapat dibayar sampai 31 Januari 2027)." for (month, payable until)."""
    return t("coverage.arrears", lang, months="; ".join(
        t("coverage.arrears_month", lang, month=month, until=format_date(until, lang)) for month, until in arrears))


def render_coverage(c: Coverage, lang: str) -> None:
    d = c.decision
    who = f"{escape(c.worker.name)} ({c.worker.nik})"
    key = "coverage.protected" if c.protected else "coverage.not_protected"
    out_console.print(f"[bold]{t(key, lang, who=who, date=format_date(c.at, lang))}[/bold]")
    out_console.print(t(f"coverage.reason.{d.reason}", lang, month=str(d.month),
                        paid_on=d.paid_on.isoformat() if d.paid_on else "-", due=d.due.due_date.isoformat(),
                        event=c.at.isoformat()))
    died_on = c.worker.died_on
    if died_on is not None:
        key = "coverage.died" if died_on <= c.at else "coverage.died_later"
        out_console.print(t(key, lang, died_on=died_on.isoformat()))
    if c.payments_after or c.bills_after:
        # An answer for a past day: what follows is as it stood then (docs/decisions/0028-coverage-as-of.md).
        out_console.print(t("coverage.as_of", lang, date=format_date(c.at, lang),
                            paid=format_count(c.payments_after, lang), billed=format_count(c.bills_after, lang)))
    if c.protected_until is not None:
        out_console.print(t("coverage.until", lang, date=format_date(c.protected_until, lang)))
    else:
        out_console.print(t("coverage.until_none", lang))
    if c.arrears:
        out_console.print(arrears_sentence(((str(a.month), a.payable_until) for a in c.arrears), lang))
    current = c.current
    out_console.print(t("coverage.masa_iur", lang, months=c.contribution_months,
                        start=str(current.start) if current else "-"))
    for i, ms in enumerate(c.memberships, start=1):
        if ms.ended_on is not None:
            out_console.print(t("coverage.membership_ended", lang, n=i, start=str(ms.start), end=str(ms.end),
                                ended_on=ms.ended_on.isoformat(), months=ms.paid_months))
    table = Table(title=t("coverage.months_title", lang, date=format_date(c.at, lang)), title_justify="left")
    for col in ("month", "state", "agreement", "amount", "paid_on"):
        table.add_column(t(f"billing.col.{col}", lang), justify="right" if col == "amount" else "left")
    for m in c.months:
        table.add_row(str(m.month), t(f"coverage.state.{m.state}", lang), m.agreement or "-",
                      rp(m.amount) if m.amount is not None else "-", m.paid_on.isoformat() if m.paid_on else "-")
    out_console.print(table)
    # The rule the decision followed, in the reader's words and with the law it rests on: a decision of
    # ours where the law is silent (coverage.event_policy), not a section of our specification.
    out_console.print(f"[dim]{escape(t(f'coverage.policy.{d.policy}', lang))}[/dim]")


# --- lists (CSV) --------------------------------------------------------------------------------


@lists_app.command("overdue")
def overdue(at: str | None = AtOption, out: str | None = OutOption, by: str | None = ByOption,
            lang: str | None = LangOption) -> None:
    """Tagihan lewat jatuh tempo (CSV)."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        rows = lists.overdue_bills(w.session, _date(at, "at"), by=w.actor)
    _write_csv(rows, lists.OVERDUE, out, lg)


@lists_app.command("unpaid")
def unpaid(at: str | None = AtOption, out: str | None = OutOption, by: str | None = ByOption,
           lang: str | None = LangOption) -> None:
    """Perjanjian dengan bulan iuran yang belum dibayar (CSV)."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        rows = lists.agreements_with_unpaid(w.session, _date(at, "at"), by=w.actor)
    _write_csv(rows, lists.UNPAID, out, lg)


@lists_app.command("ending")
def ending(
    at: str | None = AtOption,
    days: int = DaysOption,
    unmask: bool = UnmaskOption,
    by: str | None = ByOption,
    out: str | None = OutOption,
    lang: str | None = LangOption,
) -> None:
    """Pekerja yang perlindungannya berakhir dalam N hari (CSV)."""
    _worker_list(lists.protection_ending, lists.ENDING, at, days, unmask, by, out, lang)


@lists_app.command("lapsing")
def lapsing(
    at: str | None = AtOption,
    days: int = DaysOption,
    unmask: bool = UnmaskOption,
    by: str | None = ByOption,
    out: str | None = OutOption,
    lang: str | None = LangOption,
) -> None:
    """Pekerja menunggak yang kepesertaannya berakhir dalam N hari bila tidak dibayar (CSV)."""
    _worker_list(lists.lapsing, lists.LAPSING, at, days, unmask, by, out, lang)


def _worker_list(make: Callable[..., Iterable[Schema]], spec: CsvList, at: str | None, days: int,
                 unmask: bool, by: str | None, out: str | None, lang: str | None) -> None:
    """A list of workers as CSV: read-only unless NIKs are unmasked (then audited, so written)."""
    with work(by, readonly=not unmask) as w:
        rows = list(make(w.session, _date(at, "at"), days=days, unmask=unmask, by=w.actor))
    _write_csv(rows, spec, out, lang_of(lang))


def _write_csv(rows: Iterable[Schema], spec: CsvList, out: str | None, lang: str) -> None:
    """Typed rows as CSV: each row's JSON values (ISO dates, months as text, whole numbers)."""
    write_csv((row.model_dump(mode="json") for row in rows), spec, out, lang)


@lists_app.command("statement")
def statement(
    sponsor: str | None = typer.Option(None, "--sponsor", help="Hanya sponsor ini."),
    out: str | None = OutOption,
    by: str | None = ByOption,
    lang: str | None = LangOption,
) -> None:
    """Rekening sponsor per perjanjian (CSV)."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        rows = lists.statements(w.session, sponsor, by=w.actor)
    _write_csv(rows, lists.STATEMENT, out, lg)


# --- bills and receipts -------------------------------------------------------------------------


@lists_app.command("show")
def show(code: str = typer.Argument(..., help="Kode bayar tagihan."), by: str | None = ByOption,
         json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Tagihan dan pembayarannya."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        found = billing.bill_status(w.session, code, by=w.actor)
    if json_out:
        print_json(found)
        return
    out_console.print(t("billing.bill_line", lg, payment_code=found.payment_code, agreement=found.agreement,
                        start=str(found.cycle.start), end=str(found.cycle.end), due=found.due_date.isoformat(),
                        months=format_count(found.worker_months, lg), total=rp(found.total),
                        unpaid_months=format_count(found.unpaid_worker_months, lg),
                        unpaid=rp(found.unpaid)))
    for p in found.payments:
        out_console.print(f"  {p.receipt}  {p.paid_on.isoformat()}  {escape(p.reference)}  {rp(p.amount)}")


@lists_app.command("receipt")
def receipt(number: str = typer.Argument(..., help="Nomor tanda bukti, mis. TBPI/2026/000001."),
            by: str | None = ByOption, json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Cetak ulang tanda bukti penerimaan iuran."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        r = billing.find_receipt(w.session, number, by=w.actor)
    if json_out:
        print_json(r)
        return
    render_receipt(r, lg)


# --- ends ---------------------------------------------------------------------------------------


def _render_settlement(x: Settlement, lang: str) -> None:
    out_console.print(t("billing.settlement", lang, agreement=x.agreement, voided=x.voided_worker_months,
                        unpaid=rp(x.voided_unpaid), paid_months=x.paid_worker_months, paid=rp(x.paid_amount),
                        policy=t(f"billing.policy.{x.policy}", lang)))


def _render_end(result: EndResult, lang: str) -> None:
    key = "billing.death_done" if result.reason == "death" else "billing.leave_done"
    out_console.print(t(key, lang, nik=result.nik, died_on=result.died_on.isoformat() if result.died_on else "",
                        month=str(result.last_month), ended=result.enrolments_ended,
                        cancelled=result.enrolments_cancelled))
    for x in result.settlements:
        _render_settlement(x, lang)


@lists_app.command("death")
def death(
    nik: str = typer.Argument(..., help="NIK pekerja."),
    date: str = typer.Option(..., "--date", help="Tanggal meninggal."),
    on: str | None = typer.Option(None, "--on", help="Tanggal pencatatan (bawaan: hari ini)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Catat kematian: tidak ada tagihan lagi; iuran sesudahnya dikembalikan atau dikreditkan."""
    lg = lang_of(lang)
    with work(by) as w:
        result = ends.record_death(w.session, nik, died_on=parse_date(date, "date"), by=w.actor,
                                   today=_date(on, "on"))
    if json_out:
        print_json(result)
        return
    _render_end(result, lg)


@lists_app.command("leave")
def leave(
    nik: str = typer.Argument(..., help="NIK pekerja."),
    agreement: str = typer.Option(..., "--agreement", help="Kode perjanjian."),
    last_month: str = typer.Option(..., "--last-month", help="Bulan terakhir yang ditanggung."),
    on: str | None = typer.Option(None, "--on", help="Tanggal pencatatan (bawaan: hari ini)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Pekerja keluar dari perjanjian setelah bulan itu."""
    lg = lang_of(lang)
    with work(by) as w:
        result = ends.leave(w.session, nik, agreement, last_month=Month.parse(last_month), by=w.actor,
                            today=_date(on, "on"))
    if json_out:
        print_json(result)
        return
    _render_end(result, lg)


@lists_app.command("end-agreement")
def end_agreement(
    code: str = typer.Argument(..., help="Kode perjanjian."),
    last_month: str | None = typer.Option(
        None, "--last-month", help="Bulan terakhir yang ditanggung (bawaan: bulan ini)."),
    on: str | None = typer.Option(None, "--on", help="Tanggal pencatatan (bawaan: hari ini)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Akhiri perjanjian: tidak ada tagihan lagi."""
    lg = lang_of(lang)
    today = _date(on, "on")
    month = Month.parse(last_month) if last_month else Month.of(today)
    with work(by) as w:
        result = ends.end_agreement(w.session, code, last_month=month, by=w.actor, today=today)
    if json_out:
        print_json(result)
        return
    _render_agreement_end(result, lg)


def _render_agreement_end(result: AgreementEnd, lang: str) -> None:
    out_console.print(t("billing.agreement_ended", lang, agreement=result.agreement, month=str(result.last_month),
                        ended=result.enrolments_ended, cancelled=result.enrolments_cancelled))
    _render_settlement(result.settlement, lang)
