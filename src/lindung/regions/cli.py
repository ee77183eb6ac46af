"""``lindung region find NAME``: the codes of a desa/kelurahan known by its name."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from lindung.kit.cli import LangOption, lang_of, out_console, print_json
from lindung.kit.cliargs import JsonOption
from lindung.kit.db import unit_of_work
from lindung.kit.i18n import t
from lindung.regions import repository
from lindung.regions.names import DesaNames

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
    desa, kecamatan, regency = ([part.strip() for part in name.split(",")] + ["", ""])[:3]
    with unit_of_work(readonly=True) as session:
        places = DesaNames(repository.name_rows(session)).places(desa, kecamatan, regency)
        regions = {p.code: repository.get(session, p.code) for p in places}
        postal = {code: region.postal_code if region is not None else None for code, region in regions.items()}
    rows: list[dict[str, Any]] = [{"code": p.code, "name": p.name, "kecamatan": p.kecamatan, "regency": p.regency,
             "postal_code": postal[p.code]} for p in places]
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
        table.add_row(r["code"], escape(r["name"]), escape(r["kecamatan"]), escape(r["regency"]),
                      r["postal_code"] or "-")
    out_console.print(table)
