"""``lindung region find NAME``: the codes of a desa/kelurahan known by its name."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from lindung.kit.db import unit_of_work
from lindung.kit.i18n import t
from lindung.regions import service as regions
from lindung.terminal.app import LangOption, lang_of, out_console, print_json
from lindung.terminal.args import JsonOption

app = typer.Typer(help="Wilayah Kemendagri.", no_args_is_help=True)


@app.command("find")
def find(
    name: str = typer.Argument(..., help=("Nama desa/kelurahan, boleh diikuti kecamatan dan kabupaten/kota: "
                                          "'Sukamurni, Sukakarya'.")),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Cari kode desa/kelurahan dari namanya.

    Aturan yang sama seperti desa yang ditulis dengan nama dalam impor atau pendaftaran: nama diseragamkan, tanpa
    'Desa'/'Kel.', dipersempit oleh kecamatan dan kabupaten/kota yang ditulis sesudah koma.
    """
    lg = lang_of(lang)
    # The region list is public reference data: no user is needed to read it (``work`` would ask for one).
    with unit_of_work(readonly=True) as session:
        rows = regions.find_villages(session, name)
    if json_out:
        print_json(rows)
        return
    if not rows:
        out_console.print(t("region.none_found", lg, name=escape(name)))
        return
    table = Table(title=t("region.found", lg, name=escape(name), n=len(rows)), title_justify="left")
    for col in ("code", "name", "kecamatan", "regency", "postal_code"):
        table.add_column(t(f"region.col.{col}", lg), no_wrap=col == "code")
    for r in rows:
        table.add_row(r.code, escape(r.name), escape(r.kecamatan), escape(r.regency), r.postal_code or "-")
    out_console.print(table)
