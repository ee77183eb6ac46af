"""``lindung enrol NIK --agreement CODE [--from MONTH]``, one worker at a time; ``lindung import workers
FILE --agreement CODE [--sheet NAME] [--errors OUT.csv] [--refused-rows OUT.xlsx] [--check | --propose]
[--lang en] [--json]``; ``import list|undo|proposals|approve|reject|template``.

An import (and a check, a proposal, an approval) runs as a job (``enrolment.jobs``) in the
foreground: ``lindung job list`` shows it afterwards; its progress feeds the bar drawn here."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lindung.enrolment import imports, proposals
from lindung.enrolment import jobs as import_jobs
from lindung.enrolment import service as enrolment
from lindung.enrolment.files import ErrorFile, opened, write_refused_rows_file
from lindung.enrolment.schemas import ImportJob, ImportSummary, Upload
from lindung.kit import clock
from lindung.kit.errors import InvalidInput, LindungError
from lindung.kit.i18n import format_count, t
from lindung.kit.numbers import ID_MAX
from lindung.rules.money import rp
from lindung.terminal.app import (
    ByOption,
    LangOption,
    check_not_overwriting,
    check_writable,
    err_console,
    lang_of,
    out_console,
    print_json,
    stacked_header,
)
from lindung.terminal.args import JsonOption, int_arg, month_arg
from lindung.terminal.work import work

app = typer.Typer(help="Impor berkas sponsor (CSV/XLSX).", no_args_is_help=True)


def _refused_rows(source: Upload, sheet: str | None, report: ErrorFile, out: Path | None,
                  lang: str) -> tuple[Path, int] | None:
    """The refused rows as sent, with their reasons, to ``out``: (``out``, rows written); None when
    not asked for. Written after the import's transaction, from its error report: a failure here is
    said, and the import stays as saved."""
    if out is None or report.written is None:
        return None
    try:
        count = write_refused_rows_file(source, sheet, report, out, lang)
    except (OSError, LindungError) as error:
        reason = error.message(lang) if isinstance(error, LindungError) else str(error)
        err_console.print(t("import.refused_rows_failed", lang, file=str(out), reason=reason))
        return None
    return out, count


@contextmanager
def _bar(description: str, *, shown: bool) -> Iterator[Callable[[int, int | None], None]]:
    """A progress bar on the terminal (stderr) while the block runs, fed by the job's progress; the
    callback to give the job."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err_console, transient=True,
                        disable=not (shown and err_console.is_terminal))
    task = progress.add_task(description, total=None)

    def on_progress(done: int, total: int | None) -> None:
        progress.update(task, completed=done, total=max(total or 0, done) or None)

    with progress:
        yield on_progress


def _run_job(by: str | None, job: ImportJob, upload: Upload | None, report: ErrorFile, lang: str, *,
             bar: bool) -> ImportSummary:
    """Start the import job (its row committed, queued) and run it here, the bar fed from its
    progress; the error report is kept only if it succeeds."""
    try:
        with work(by) as w:
            started = import_jobs.start(w.session, job, by=w.actor)
            actor = w.actor
        checking = job.mode in ("check", "propose")  # a proposal is checked; the import waits for the approval
        description = t("import.progress_check" if checking else "import.progress", lang,
                        file=started.params["file"])
        with _bar(description, shown=bar) as on_progress:
            return import_jobs.run(started.id, upload, by=actor, today=clock.today(), on_progress=on_progress,
                                   on_errors=report)
    except BaseException:
        report.discard()
        raise


@app.command("workers")
def workers(
    file: Path = typer.Argument(..., help="Berkas CSV atau XLSX dari sponsor."),
    agreement: str = typer.Option(..., "--agreement", help="Kode perjanjian."),
    errors: Path | None = typer.Option(None, "--errors", help="Tulis baris yang ditolak ke CSV ini."),
    refused_rows: Path | None = typer.Option(
        None, "--refused-rows",
        help="Tulis baris yang ditolak, utuh seperti dikirim dan dengan alasannya, ke XLSX/CSV ini: "
             "diperbaiki lalu diimpor lagi."),
    sheet: str | None = typer.Option(
        None, "--sheet", help="Lembar XLSX yang dibaca (bawaan: satu-satunya lembar berisi daftar pekerja)."),
    by: str | None = typer.Option(None, "--by", help="Petugas."),
    dry_run: bool = typer.Option(
        False, "--check", "--dry-run",
        help=("Periksa saja: semua pemeriksaan (termasuk kuota, anggaran, duplikat, tumpang tindih) dan laporan baris"
              " yang ditolak, tanpa menyimpan apa pun.")),
    propose: bool = typer.Option(
        False, "--propose",
        help="Periksa dan ajukan untuk disetujui orang lain (lindung import approve)."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Daftarkan pekerja dari berkas sponsor.

    Dengan --check seluruh impor dijalankan terhadap registri apa adanya, dalam transaksi yang lalu dibatalkan:
    ringkasan dan berkas galat menyatakan apa yang akan dilakukan impor sekarang, dan tidak ada yang disimpan (log audit
    mencatat siapa memeriksa berkas apa).
    """
    lg = lang_of(lang)
    check_writable(errors, "--errors")
    check_writable(refused_rows, "--refused-rows")
    check_not_overwriting({"--errors": errors, "--refused-rows": refused_rows}, [file])
    report = ErrorFile(errors, lg, needed=refused_rows is not None)
    try:
        with opened(file) as upload:
            job = ImportJob(mode="propose" if propose else "check" if dry_run else "import", agreement=agreement,
                            file=upload.file_name, sheet=sheet)
            summary = _run_job(by, job, upload, report, lg, bar=not json_out)
            report.publish()
            fixes = _refused_rows(upload, sheet, report, refused_rows, lg)
    finally:
        report.close()
    if summary.proposal_id is not None:
        if json_out:
            with work(by, readonly=True) as w:
                print_json(proposals.show(w.session, summary.proposal_id, by=w.actor))
            return
        _print(summary, report, lg, False, fixes=fixes)
        out_console.print(t("import.proposed", lg, number=summary.proposal_id, agreement=summary.agreement))
        return
    _print(summary, report, lg, json_out, fixes=fixes)
    if summary.read == 0:
        raise typer.Exit(1)


def _print(summary: ImportSummary, report: ErrorFile, lang: str, json_out: bool,
           fixes: tuple[Path, int] | None = None) -> None:
    if json_out:
        print_json(summary.model_copy(update={
            "errors_file": str(report.path) if report.path is not None else None,
            "refused_rows_file": str(fixes[0]) if fixes is not None else None}))
        return
    dry_run = summary.dry_run
    counts = {"read": summary.read, "enrolled": summary.enrolled,
              "already_enrolled": summary.already_enrolled, "refused": summary.refused}
    shown = {name: format_count(n, lang) for name, n in counts.items()}
    if summary.sheet:
        out_console.print(t("import.sheet_read", lang, sheet=summary.sheet))
    if dry_run:
        out_console.print(t("import.summary_dry_run", lang, agreement=summary.agreement,
                            cost=rp(summary.committed_cost), **shown))
    else:
        out_console.print(t("import.summary", lang, agreement=summary.agreement, **shown))
        if summary.enrolled:  # the number to find it again (import list) or take it back (import undo)
            out_console.print(t("import.number", lang, number=summary.import_id))
    if summary.refused_by_reason:
        out_console.print(t("import.reasons", lang, reasons=reasons_line(summary.refused_by_reason, lang)))
    if summary.heirs:
        out_console.print(t("import.heirs_recorded_dry_run" if dry_run else "import.heirs_recorded", lang,
                            heirs=format_count(summary.heirs, lang)))
    if summary.heirs_kept:
        out_console.print(t("import.heirs_kept", lang, kept=format_count(summary.heirs_kept, lang),
                            rows=rows_line(summary.heirs_kept_rows, summary.heirs_kept)))
    if summary.needs_review:
        out_console.print(t("import.needs_review_dry_run" if dry_run else "import.needs_review", lang,
                            n=format_count(summary.needs_review, lang)))
    if summary.read == 0:
        out_console.print(t("import.nothing_read", lang))
    elif summary.refused and (report.path is not None or fixes is not None):
        if report.path is not None:
            out_console.print(t("import.errors_written", lang, file=str(report.path)))
        if fixes is not None:
            out_console.print(t("import.refused_rows_written", lang, file=str(fixes[0]), n=fixes[1]))
    elif summary.refused:
        out_console.print(t("import.errors_hint", lang))
    sys.stdout.flush()


def rows_line(rows: Sequence[int], total: int, shown: int = 10) -> str:
    """'12, 57, 103' — or the first ``shown`` rows and '…' when there are more (``--json`` has the
    first thousand)."""
    head = ", ".join(str(row) for row in rows[:shown])
    return f"{head}, …" if total > min(len(rows), shown) else head


def reasons_line(counts: dict[str, int], lang: str) -> str:
    """'NIK bukan 16 digit 3, pekerjaan tidak dikenal 2': the reasons, most rows first, so that an
    officer sees at once whether a file has one systematic fault (every date in another form) or a
    few typos, before opening the error file."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{t('import.reason.' + reason, lang)} {format_count(n, lang)}" for reason, n in ranked)


def _number(text: str, field: str) -> int:
    """An import's or a proposal's number as typed ('12'); InvalidInput naming ``field`` otherwise."""
    value = int_arg(text, field)
    assert value is not None  # a typed argument is never None
    if value > ID_MAX:
        raise InvalidInput(field, text)
    return value


@app.command("template")
def template(
    agreement: str | None = typer.Option(
        None, "--agreement", help="Kode perjanjian: pekerjaan dan desa sasarannya masuk templat."),
    out: Path | None = typer.Option(None, "--out", help="Berkas XLSX (bawaan: templat-peserta[-KODE].xlsx)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Templat XLSX yang diisi sponsor.

    Lembar 'Data' berisi judul kolom yang dibaca impor, kolom NIK, tanggal, desa dan telepon sebagai teks (agar Excel
    menyimpan setiap digit), pilihan untuk jenis kelamin dan pekerjaan; 'Petunjuk' menjelaskan cara mengisinya; dengan
    perjanjian, pekerjaan sasarannya dan (bila menyasar wilayah) desanya beserta kodenya.
    """
    from lindung.enrolment import template as templates  # openpyxl: 80 ms no other command should pay

    lg = lang_of(lang)
    target = out or Path(templates.template_name(agreement))
    check_writable(target, "--out")
    content = io.BytesIO()  # written whole once the agreement is known: an unknown one leaves no file
    with work(by, readonly=True) as w:
        info = templates.write_template(w.session, content, by=w.actor, agreement_code=agreement, lang=lg)
    target.write_bytes(content.getvalue())
    info = info.model_copy(update={"file": str(target)})
    if json_out:
        print_json(info)
        return
    villages = t("template.villages", lg, n=info.villages) if info.villages else ""
    out_console.print(t("template.written", lg, file=info.file, occupations=info.occupations, villages=villages))


@app.command("list")
def import_list(
    agreement: str | None = typer.Option(None, "--agreement", help="Hanya perjanjian ini."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="Paling banyak sekian baris."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Impor yang sudah dilakukan, terbaru dahulu.

    Masing-masing dengan nomornya (untuk import undo), kapan dan oleh siapa, berkasnya, perjanjiannya, dan
    kepesertaannya sekarang: aktif, dibatalkan, dan rupiah yang terikat.
    """
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        rows = imports.history(w.session, agreement, by=w.actor, limit=limit)
    if json_out:
        print_json(rows)
        return
    # Two lines a row (when and who; file and agreement; active and cancelled), as the agreement list
    # does, so that it fits 80 columns with no code or amount cut.
    table = Table(title=t("import.list_title", lg, n=len(rows)), title_justify="left")
    table.add_column(stacked_header("import.col", lg, "id"), justify="right", no_wrap=True)
    table.add_column(stacked_header("import.col", lg, "at", "by"), no_wrap=True)
    table.add_column(stacked_header("import.col", lg, "file", "agreement"), overflow="fold")
    table.add_column(stacked_header("import.col", lg, "active", "cancelled"), justify="right", no_wrap=True)
    table.add_column(stacked_header("import.col", lg, "committed"), justify="right", no_wrap=True)
    for r in rows:
        table.add_row(str(r.id), f"{clock.format_stamp(r.at)}\n[dim]{escape(r.by)}[/dim]",
                      f"{escape(r.file)}\n{r.agreement}",
                      f"{format_count(r.active, lg)}\n{format_count(r.cancelled, lg)}", rp(r.committed_cost))
    out_console.print(table)


@app.command("undo")
def import_undo(
    number: str = typer.Argument(..., help="Nomor impor (lindung import list)."),
    by: str | None = typer.Option(None, "--by", help="Petugas."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Batalkan impor yang belum ditagih.

    Kepesertaannya yang aktif dibatalkan dan kuota serta rupiahnya kembali ke perjanjian; pekerja yang didaftarkannya
    tetap di registri. Ditolak bila salah satunya sudah ditagih atau diakhiri lebih awal: akhiri lewat tagihan.
    """
    lg = lang_of(lang)
    with work(by) as w:
        result = imports.undo(w.session, _number(number, "import"), by=w.actor)
    if json_out:
        print_json(result)
        return
    out_console.print(t("import.undone", lg, number=result.import_id, file=escape(result.file),
                        agreement=result.agreement, n=result.cancelled, cost=rp(result.released_cost)))


@app.command("approve")
def import_approve(
    number: str = typer.Argument(..., help="Nomor usulan (lindung import proposals)."),
    by: str | None = typer.Option(None, "--by", help="Yang menyetujui (bukan pengusul)."),
    errors: Path | None = typer.Option(None, "--errors", help="Tulis baris yang ditolak ke CSV ini."),
    refused_rows: Path | None = typer.Option(
        None, "--refused-rows", help="Tulis baris yang ditolak, utuh dengan alasannya, ke XLSX/CSV ini."),
    dry_run: bool = typer.Option(
        False, "--check", "--dry-run",
        help=("Periksa saja apa yang akan dilakukan persetujuan sekarang; tidak ada yang disimpan, usulan tetap"
              " menunggu.")),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Setujui usulan impor: berkasnya diimpor sekarang.

    Oleh orang selain pengusulnya; setiap pemeriksaan dijalankan lagi terhadap registri, kuota dan anggaran
    sebagaimana adanya sekarang, dalam transaksi yang menandai usulan itu disetujui. Dengan --check
    persetujuan itu dijalankan lalu dibatalkan: registri, kuota dan anggaran mungkin berubah sejak usulan
    diperiksa, dan penyetuju melihat apa yang akan terjadi sekarang sebelum menyetujui.
    """
    lg = lang_of(lang)
    check_writable(errors, "--errors")
    check_writable(refused_rows, "--refused-rows")
    check_not_overwriting({"--errors": errors, "--refused-rows": refused_rows})
    proposal_id = _number(number, "proposal")
    report = ErrorFile(errors, lg, needed=refused_rows is not None)
    fixes = None
    try:
        job = ImportJob(mode="check" if dry_run else "approve", proposal=proposal_id)
        summary = _run_job(by, job, None, report, lg, bar=not json_out)
        report.publish()
        if refused_rows is not None:
            with work(by, readonly=True) as w:
                kept = proposals.kept_file(w.session, proposal_id, by=w.actor)
            fixes = _refused_rows(kept.upload(), kept.sheet, report, refused_rows, lg)
    finally:
        report.close()
    _print(summary, report, lg, json_out, fixes=fixes)


@app.command("reject")
def import_reject(
    number: str = typer.Argument(..., help="Nomor usulan."),
    by: str | None = typer.Option(None, "--by", help="Petugas."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Tolak (atau tarik kembali) usulan impor."""
    lg = lang_of(lang)
    with work(by) as w:
        view = proposals.reject(w.session, _number(number, "proposal"), by=w.actor)
    if json_out:
        print_json(view)
        return
    out_console.print(t("import.rejected", lg, number=view.id, file=escape(view.file),
                        by=escape(view.decided_by or "")))


@app.command("proposals")
def import_proposals(
    agreement: str | None = typer.Option(None, "--agreement", help="Hanya perjanjian ini."),
    every: bool = typer.Option(False, "--all", help="Juga yang sudah diputuskan."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Usulan impor yang menunggu persetujuan."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        rows = proposals.listing(w.session, by=w.actor, agreement_code=agreement,
                                 status=None if every else "proposed")
    if json_out:
        print_json(rows)
        return
    # Two facts per column, one above the other (as ``import list``): whole on an 80-column terminal.
    table = Table(title=t("import.proposals_title", lg, n=len(rows)), title_justify="left")
    table.add_column(stacked_header("import.pcol", lg, "id"), justify="right", no_wrap=True)
    table.add_column(stacked_header("import.pcol", lg, "at", "by"), no_wrap=True)
    table.add_column(stacked_header("import.pcol", lg, "file", "agreement", "cost"), overflow="fold", ratio=1)
    table.add_column(stacked_header("import.pcol", lg, "would_enrol", "refused", "status"), justify="right",
                     overflow="fold", ratio=1)
    for r in rows:
        status = t(f"import.proposal_status.{r.status}", lg) + (f" ({escape(r.decided_by)})" if r.decided_by else "")
        table.add_row(str(r.id), f"{clock.format_stamp(r.proposed_at)}\n{escape(r.proposed_by)}",
                      f"{escape(r.file + (f' [{r.sheet}]' if r.sheet else ''))}\n{r.agreement}\n{rp(r.would_cost)}",
                      f"{format_count(r.would_enrol, lg)}\n{format_count(r.refused, lg)}\n{status}")
    out_console.print(table)


def enrol(
    nik: str = typer.Argument(..., help="NIK pekerja yang sudah terdaftar."),
    agreement: str = typer.Option(..., "--agreement", help="Kode perjanjian."),
    from_month: str | None = typer.Option(None, "--from", help="Bulan pertama (bawaan: kebijakan mulai)."),
    by: str | None = typer.Option(None, "--by", help="Petugas."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Daftarkan pekerja ke perjanjian sponsor."""
    lg = lang_of(lang)
    with work(by) as w:
        out = enrolment.enrol(w.session, nik, agreement, by=w.actor, today=clock.today(),
                              first=month_arg(from_month), source="cli")
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.enrolled", lg, nik=out.nik, agreement=out.agreement, start=str(out.from_),
                        end=str(out.to), cost=rp(out.committed_cost), enrolled=out.agreement_use.enrolled,
                        quota=out.agreement_use.quota))
