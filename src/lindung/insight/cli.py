"""``lindung report dashboard`` (the dashboard at the terminal) and ``lindung target`` (coverage targets)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from lindung.insight import service, targets
from lindung.insight.schemas import Figures, TargetSet
from lindung.kit import clock
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import format_count, t
from lindung.rules.catalogues import occupations
from lindung.terminal.app import ByOption, LangOption, lang_of, out_console, print_json
from lindung.terminal.args import JsonOption
from lindung.terminal.work import work

target_app = typer.Typer(help="Target cakupan per wilayah, pekerjaan dan tahun.", no_args_is_help=True)


def _count(n: int | None, lg: str) -> str:
    return t("report.small", lg) if n is None else format_count(n, lg)


def _occupation(code: str | None, lg: str) -> str:
    if code is None:
        return t("insight.all_occupations", lg)
    known = occupations()
    return known[code].label(lg) if code in known else code


def _table(title: str, rows: list[Figures], label: str, lg: str, names: dict[str, str] | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(label, overflow="fold", ratio=1)
    for col in ("protected", "enrolled", "new", "ending"):
        table.add_column(t(f"insight.col.{col}", lg), justify="right", no_wrap=True)
    for r in rows:
        shown = (names or {}).get(r.key, r.name or r.key)
        table.add_row(escape(shown), _count(r.protected, lg), _count(r.enrolled, lg), _count(r.new, lg),
                      _count(r.ending, lg))
    return table


def dashboard(
    region: str | None = typer.Option(None, "--region", help="Kode wilayah (tingkat apa pun), mis. 32.16."),
    sponsor: str | None = typer.Option(None, "--sponsor", help="Kode sponsor (petugas cabang)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Dasbor: pekerja terlindungi bulan ini terhadap target, per kecamatan dan pekerjaan, dan bulan demi bulan.

    Pemantau wilayah hanya melihat wilayahnya, dan angka di bawah 5 tidak ditampilkan.
    """
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        d = service.dashboard(w.session, by=w.actor, today=clock.today(), region=region, sponsor=sponsor)
    if json_out:
        print_json(d)
        return
    where = d.region_name or d.region or t("insight.everywhere", lg)
    out_console.print(t("insight.headline", lg, month=str(d.month), where=where,
                        protected=_count(d.total.protected, lg), enrolled=_count(d.total.enrolled, lg),
                        ending=_count(d.total.ending, lg)))
    if d.sponsor:
        out_console.print(t("insight.for_sponsor", lg, sponsor=f"{d.sponsor_name} ({d.sponsor})"))
    if d.targets:
        table = Table(title=t("insight.targets_title", lg, year=d.today.year), title_justify="left")
        table.add_column(t("insight.col.region", lg), overflow="fold", ratio=1)
        table.add_column(t("insight.col.occupation", lg), overflow="fold")
        table.add_column(t("insight.col.target", lg), justify="right", no_wrap=True)
        table.add_column(t("insight.col.protected", lg), justify="right", no_wrap=True)
        table.add_column("%", justify="right", no_wrap=True)
        for x in d.targets:
            table.add_row(escape(x.region_name or x.region), escape(_occupation(x.occupation, lg)),
                          format_count(x.target, lg), _count(x.protected, lg),
                          "" if x.percent is None else f"{x.percent:.1f}".replace(".", "," if lg == "id" else "."))
        out_console.print(table)
    out_console.print(_table(t("insight.by_kecamatan", lg), d.by_kecamatan, t("insight.col.kecamatan", lg), lg))
    labels = {code: _occupation(code, lg) for code in occupations()}
    out_console.print(_table(t("insight.by_occupation", lg), d.by_occupation, t("insight.col.occupation", lg), lg,
                             labels))
    months = Table(title=t("insight.by_month", lg), title_justify="left")
    months.add_column(t("insight.col.month", lg), no_wrap=True)
    for col in ("protected", "enrolled", "new", "lapsed"):
        months.add_column(t(f"insight.col.{col}", lg), justify="right", no_wrap=True)
    for m in d.months:
        months.add_row(str(m.month), _count(m.protected, lg), _count(m.enrolled, lg), _count(m.new, lg),
                       "–" if not m.final else _count(m.lapsed, lg))
    out_console.print(months)
    if d.withheld_below is not None:
        out_console.print(t("report.small_note", lg, n=d.withheld_below))


@target_app.command("list")
def list_targets(
    year: int | None = typer.Option(None, "--year", help="Tahun (bawaan: semua)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Target cakupan yang ditetapkan."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        found = targets.list_targets(w.session, by=w.actor, year=year)
    if json_out:
        print_json(found)
        return
    if not found:
        out_console.print(t("insight.no_targets", lg))
        return
    table = Table(title=t("insight.targets", lg), title_justify="left")
    for col in ("year", "region", "occupation", "target"):
        table.add_column(t(f"insight.col.{col}", lg), overflow="fold", justify="right" if col == "target" else "left")
    for x in found:
        table.add_row(str(x.year), escape(f"{x.region_name or ''} ({x.region})"), escape(_occupation(x.occupation, lg)),
                      format_count(x.workers, lg))
    out_console.print(table)


@target_app.command("set")
def set_target(
    year: int = typer.Argument(..., help="Tahun, mis. 2026."),
    region: str = typer.Argument(..., help="Kode wilayah: kabupaten, kecamatan atau desa, mis. 32.16."),
    workers: int = typer.Argument(..., help="Jumlah pekerja yang hendak dilindungi."),
    occupation: str | None = typer.Option(None, "--occupation", help="Kode atau nama pekerjaan (bawaan: semua)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Tetapkan (atau ganti) satu target cakupan."""
    lg = lang_of(lang)
    with work(by) as w:
        saved = targets.set_target(w.session, TargetSet(year=year, region=region, occupation=occupation,
                                                        workers=workers), by=w.actor)
    if json_out:
        print_json(saved)
        return
    out_console.print(t("insight.target_saved", lg, year=saved.year, region=saved.region_name or saved.region,
                        occupation=_occupation(saved.occupation, lg), workers=format_count(saved.workers, lg)))


@target_app.command("remove")
def remove_target(
    year: int = typer.Argument(..., help="Tahun, mis. 2026."),
    region: str = typer.Argument(..., help="Kode wilayah: kabupaten, kecamatan atau desa, mis. 32.16."),
    occupation: str | None = typer.Option(None, "--occupation", help="Kode atau nama pekerjaan (bawaan: semua)."),
    by: str | None = ByOption,
    lang: str | None = LangOption,
) -> None:
    """Hapus satu target cakupan."""
    lg = lang_of(lang)
    with work(by) as w:
        gone = targets.remove_target(w.session, year=year, region=region, occupation=occupation, by=w.actor)
    out_console.print(t("insight.target_removed", lg, year=gone.year, region=gone.region_name or gone.region,
                        occupation=_occupation(gone.occupation, lg)))


@target_app.command("load")
def load_targets(
    file: Path = typer.Argument(..., help="Berkas CSV: tahun, wilayah, pekerjaan, target."),
    by: str | None = ByOption,
    lang: str | None = LangOption,
) -> None:
    """Muat target dari berkas CSV: semua baris atau tidak sama sekali."""
    lg = lang_of(lang)
    try:
        content = file.read_bytes()
    except OSError as error:
        raise InvalidInput("target_file", str(file), reason="target_file_unreadable") from error
    with work(by) as w:
        loaded = targets.load_csv(w.session, content, by=w.actor)
    out_console.print(t("insight.targets_loaded", lg, n=format_count(loaded.saved, lg)))
