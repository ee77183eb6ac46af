"""``lindung import workers FILE --agreement CODE [--sheet NAME] [--errors OUT.csv] [--refused-rows OUT.xlsx]
[--check | --propose] [--lang en] [--json]``; ``import list|undo|proposals|approve|reject|template``."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lindung.enrolment import imports, proposals
from lindung.enrolment.importer import ImportSummary, import_workers, record_check, render_error
from lindung.enrolment.importer_rows import RowError
from lindung.enrolment.refused_rows import is_xlsx, reasons_from_report, write_refused_rows
from lindung.kit import clock
from lindung.kit.cells import inert
from lindung.kit.cli import (
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
from lindung.kit.cliargs import JsonOption, int_arg
from lindung.kit.db import unit_of_work
from lindung.kit.errors import InvalidInput, LindungError
from lindung.kit.i18n import format_count, t
from lindung.kit.numbers import ID_MAX
from lindung.rules.money import rp
from lindung.terminal.work import actor_name, work

app = typer.Typer(help="Impor berkas sponsor (CSV/XLSX).", no_args_is_help=True)

ERROR_HEADER = {"id": ("baris", "kolom", "nilai", "alasan"), "en": ("row", "column", "value", "reason")}


class _ErrorFile:
    """Writes refused rows to ``OUT.csv.partial`` during the import; renamed to ``OUT.csv`` only
    after the transaction commits, so a failed import never leaves a report of work not done.
    ``needed``: without ``OUT.csv`` the report still goes to a temporary file (the refused rows are
    written from it), removed by ``close``."""

    def __init__(self, path: Path | None, lang: str, *, needed: bool = False) -> None:
        self.path, self.lang, self.count = path, lang, 0
        self.partial: Path | None = None
        if path is not None:
            self.partial = path.with_name(path.name + ".partial")
        elif needed:
            handle, name = tempfile.mkstemp(prefix="lindung-errors-", suffix=".csv")
            os.close(handle)
            self.partial = Path(name)

    def __call__(self, errors: Iterator[RowError]) -> None:
        if self.partial is None:
            return
        with self.partial.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(ERROR_HEADER[self.lang])
            for error in errors:
                w.writerow(map(inert, render_error(error, self.lang)))
                self.count += 1

    def publish(self) -> None:
        if self.partial is not None and self.path is not None and self.partial.exists():
            os.replace(self.partial, self.path)

    @property
    def written(self) -> Path | None:
        """The report as it stands after ``publish``."""
        return self.path if self.path is not None else self.partial

    def discard(self) -> None:
        if self.partial is not None:
            with contextlib.suppress(FileNotFoundError):
                self.partial.unlink()

    def close(self) -> None:
        """Remove the temporary report (one asked for with ``--errors`` stays)."""
        if self.path is None:
            self.discard()


def _refused_rows(file: Path, sheet: str | None, report: _ErrorFile, out: Path | None,
                  lang: str) -> tuple[Path, int] | None:
    """The refused rows as sent, with their reasons, to ``out`` (``.partial`` first, then renamed):
    (``out``, rows written); None when not asked for. Written after the import's transaction, from
    its error report: a failure here is said, and the import stays as saved."""
    if out is None or report.written is None:
        return None
    partial = out.with_name(out.name + ".partial")
    try:
        count = write_refused_rows(file, sheet, reasons_from_report(report.written), partial, lang,
                                   xlsx=is_xlsx(out))
        os.replace(partial, out)
    except (OSError, LindungError) as error:
        reason = error.message(lang) if isinstance(error, LindungError) else str(error)
        err_console.print(t("import.refused_rows_failed", lang, file=str(out), reason=reason))
        return None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return out, count


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
    dry_run = dry_run or propose  # a proposal is checked first; the import waits for the approval
    report = _ErrorFile(errors, lg, needed=refused_rows is not None)
    show_bar = not json_out and err_console.is_terminal
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err_console, transient=True, disable=not show_bar)
    task = progress.add_task(t("import.progress_check" if dry_run else "import.progress", lg, file=file.name),
                             total=None)

    def on_progress(done: int, total: int) -> None:
        progress.update(task, completed=done, total=max(total, done) or None)

    who = actor_name(by)
    if propose and file.is_file():  # a file proposed already and waiting: said before it is checked again
        with work(who, dry_run=True) as w:
            proposals.refuse_waiting_twin(w.session, agreement, hashlib.sha256(file.read_bytes()).hexdigest(), sheet)
    try:
        with progress, work(who, dry_run=dry_run) as w:
            summary = import_workers(w.session, file, agreement, by=w.actor, today=clock.today(),
                                     on_progress=on_progress, on_errors=report, sheet=sheet,
                                     purpose="check" if dry_run else "import")
    except BaseException:
        report.discard()
        raise
    try:
        if propose and summary.read:
            with work(who) as w:
                proposal = proposals.propose(w.session, file, summary, by=w.actor, sheet=sheet)
            report.publish()
            fixes = _refused_rows(file, sheet, report, refused_rows, lg)
            if json_out:
                print_json(proposal.to_dict())
                return
            _print(summary, report, lg, False, dry_run=True, fixes=fixes)
            out_console.print(t("import.proposed", lg, number=proposal.id, agreement=proposal.agreement))
            return
        if dry_run:
            with work(who) as w:
                record_check(w.session, summary, by=w.actor)
        report.publish()
        fixes = _refused_rows(file, sheet, report, refused_rows, lg)
    finally:
        report.close()
    _print(summary, report, lg, json_out, dry_run=dry_run, fixes=fixes)
    if summary.read == 0:
        raise typer.Exit(1)


def _print(summary: ImportSummary, report: _ErrorFile, lang: str, json_out: bool, *, dry_run: bool,
           fixes: tuple[Path, int] | None = None) -> None:
    counts = {"read": summary.read, "enrolled": summary.enrolled,
              "already_enrolled": summary.already_enrolled, "refused": summary.refused}
    if json_out:
        print_json({**counts, "agreement": summary.agreement, "file": summary.file, "sheet": summary.sheet,
                    "import_id": None if dry_run else summary.import_id,
                    "new_workers": summary.new_workers, "committed_cost": summary.committed_cost,
                    "heirs": summary.heirs, "heirs_kept": summary.heirs_kept,
                    "heirs_kept_rows": list(summary.heirs_kept_rows), "needs_review": summary.needs_review,
                    "refused_by_reason": {code.removeprefix("import."): n
                                          for code, n in summary.refused_by_reason.items()},
                    "errors_file": str(report.path) if report.path is not None else None,
                    "refused_rows_file": str(fixes[0]) if fixes is not None else None,
                    "dry_run": dry_run})
        return
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
    return ", ".join(f"{t('import.reason.' + code.removeprefix('import.'), lang)} {format_count(n, lang)}"
                     for code, n in ranked)


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
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Templat XLSX yang diisi sponsor.

    Lembar 'Data' berisi judul kolom yang dibaca impor, kolom NIK, tanggal, desa dan telepon sebagai teks (agar Excel
    menyimpan setiap digit), pilihan untuk jenis kelamin dan pekerjaan; 'Petunjuk' menjelaskan cara mengisinya; dengan
    perjanjian, pekerjaan sasarannya dan (bila menyasar wilayah) desanya beserta kodenya.
    """
    from lindung.enrolment.template import write_template  # openpyxl: 80 ms no other command should pay

    lg = lang_of(lang)
    target = out or Path(f"templat-peserta{'-' + agreement.strip().upper() if agreement else ''}.xlsx")
    check_writable(target, "--out")
    with unit_of_work(readonly=True) as session:
        info = write_template(session, target, agreement_code=agreement, lang=lg)
    if json_out:
        print_json({"file": info.path, "agreement": info.agreement, "occupations": info.occupations,
                    "villages": info.villages})
        return
    villages = t("template.villages", lg, n=info.villages) if info.villages else ""
    out_console.print(t("template.written", lg, file=info.path, occupations=info.occupations, villages=villages))


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
        print_json([r.to_dict() for r in rows])
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
        print_json(result.to_dict())
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
    report = _ErrorFile(errors, lg, needed=refused_rows is not None)
    who = actor_name(by)
    try:
        with work(who, dry_run=dry_run) as w:
            _view, summary = proposals.approve(w.session, proposal_id, by=w.actor, today=clock.today(),
                                               on_errors=report)
    except BaseException:
        report.discard()
        raise
    fixes = None
    try:
        if dry_run:  # what was checked, by whom: the approval itself was rolled back
            with work(who) as w:
                record_check(w.session, summary, by=w.actor)
        report.publish()
        if refused_rows is not None:
            with work(who, readonly=True) as w:
                kept = proposals.kept_file(w.session, proposal_id, by=w.actor)
            with kept.on_disk() as path:
                fixes = _refused_rows(path, kept.sheet, report, refused_rows, lg)
    finally:
        report.close()
    _print(summary, report, lg, json_out, dry_run=dry_run, fixes=fixes)


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
        print_json(view.to_dict())
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
        print_json([r.to_dict() for r in rows])
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

