"""``lindung summary check``: the dashboard's summary against a count from scratch."""

from __future__ import annotations

import typer
from rich.table import Table

from lindung.kit.i18n import format_count, t
from lindung.rules.period import Month
from lindung.summary import service
from lindung.terminal.app import ByOption, LangOption, lang_of, out_console, print_json
from lindung.terminal.args import JsonOption
from lindung.terminal.work import work

app = typer.Typer(help="Ringkasan dasbor: periksa dan bangun ulang.", no_args_is_help=True)


@app.command("check")
def check(
    repair: bool = typer.Option(False, "--repair", help="Bangun ulang bila berbeda (administrator)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Hitung ulang ringkasan dari data dasar dan bandingkan.

    Keluar dengan kode 1 bila ada selisih yang tidak diperbaiki.
    """
    lg = lang_of(lang)
    with work(by, readonly=not repair) as w:
        out = service.check(w.session, by=w.actor, repair=repair)
    if json_out:
        print_json(out)
    elif not out.differences:
        out_console.print(t("summary.same", lg))
    else:
        table = Table(title=t("summary.differ", lg, n=format_count(out.differences, lg)), title_justify="left")
        for name in ("month", "facet", "desa", "value", "stored", "counted"):
            table.add_column(t(f"summary.col.{name}", lg), overflow="fold")
        for row in out.rows:
            table.add_row(str(Month.from_index(row.month)), row.facet, row.desa, row.value,
                          " ".join(map(str, row.stored or [])), " ".join(map(str, row.counted or [])))
        out_console.print(table)
        if out.repaired:
            out_console.print(t("summary.repaired", lg))
    if out.differences and not out.repaired:
        raise typer.Exit(1)
