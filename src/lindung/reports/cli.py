"""``lindung report enrolled``: how many workers are covered where (figures, no people)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from lindung.insight import impact as impact_service
from lindung.insight.impact_pdf import render_impact
from lindung.kit import clock
from lindung.kit.i18n import format_count, t
from lindung.reports import service as reports
from lindung.rules.catalogues import occupations
from lindung.terminal.app import ByOption, LangOption, lang_of, out_console, print_json
from lindung.terminal.args import JsonOption, month_arg
from lindung.terminal.work import work

app = typer.Typer(help="Angka ringkasan (tanpa data pribadi).", no_args_is_help=True)


@app.command("enrolled")
def enrolled(
    region: str | None = typer.Option(None, "--region", help="Kode wilayah (tingkat apa pun), mis. 32.16."),
    month: str | None = typer.Option(None, "--month", help="Bulan TTTT-BB (bawaan: bulan ini)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Pekerja terdaftar per kecamatan dan pekerjaan.

    Pemantau wilayah hanya melihat wilayahnya, dan angka di bawah 5 tidak ditampilkan.
    """
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        out = reports.enrolled(w.session, by=w.actor, today=clock.today(), region=region, month=month_arg(month))
    if json_out:
        print_json(out)
        return

    def count(n: int | None) -> str:
        return t("report.small", lg) if n is None else format_count(n, lg)

    where = t("report.in_region", lg, region=out.region) if out.region else ""
    if not out.rows:
        out_console.print(t("report.none", lg))
        return
    table = Table(title=t("report.enrolled_title", lg, month=str(out.month), region=where, total=count(out.total)),
                  title_justify="left")
    table.add_column(t("report.col.kecamatan", lg), overflow="fold", ratio=1)
    table.add_column(t("report.col.occupation", lg), overflow="fold", ratio=1)
    table.add_column(t("report.col.workers", lg), justify="right", no_wrap=True)
    known = occupations()
    for row in out.rows:
        occupation = known[row.occupation].label(lg) if row.occupation in known else row.occupation
        table.add_row(escape(f"{row.kecamatan_name or ''} ({row.kecamatan})"), escape(occupation), count(row.workers))
    out_console.print(table)
    if out.suppressed_below is not None:
        out_console.print(t("report.small_note", lg, n=out.suppressed_below))


@app.command("impact")
def impact(
    sponsor: str = typer.Argument(..., help="Kode sponsor, mis. KADIN."),
    year: int | None = typer.Option(None, "--year", help="Tahun laporan (bawaan: tahun ini)."),
    out: Path = typer.Option(..., "--out", help="Berkas PDF yang ditulis."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Laporan dampak sponsor (PDF): pekerja terlindungi, iuran, klaim, target; tanpa data pribadi.

    Bahasa PDF mengikuti --lang (id atau en).
    """
    lg = lang_of(lang)
    today = clock.today()
    with work(by, readonly=True) as w:
        report = impact_service.impact(w.session, sponsor, year=today.year if year is None else year, by=w.actor,
                                       today=today)
    out.write_bytes(render_impact(report, lang=lg))
    if json_out:
        print_json(report)
        return
    out_console.print(t("impact.cli.saved", lg, sponsor=report.sponsor, year=report.first.year, path=escape(str(out))))
