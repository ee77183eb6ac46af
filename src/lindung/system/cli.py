"""``lindung db upgrade|status|info``."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from lindung.kit.i18n import format_count, t
from lindung.system import service as system
from lindung.terminal.app import LangOption, lang_of, out_console, print_json
from lindung.terminal.args import JsonOption

app = typer.Typer(help="Basis data.", no_args_is_help=True)

ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@app.command("upgrade")
def db_upgrade(json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Migrasikan basis data ke versi terbaru."""
    lg = lang_of(lang)
    out = system.upgrade_database()
    if json_out:
        print_json(out)
        return
    key = "db.upgraded" if out.changed else "db.up_to_date"
    out_console.print(t(key, lg, database=out.database, revision=", ".join(out.after)))


@app.command("status")
def db_status(json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Versi basis data dan versi terbaru."""
    lg = lang_of(lang)
    out = system.database_status()
    if json_out:
        print_json(out)
        return
    out_console.print(t("db.status", lg, database=out.database, current=", ".join(out.current) or "-",
                        head=", ".join(out.head)))


@app.command("info")
def db_info(json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Basis data yang dipakai: URL, mesin dan versinya, berkas SQLite, versi skema dan jumlah baris tabel
    utama. Tidak membuat atau memigrasikan apa pun."""
    lg = lang_of(lang)
    found = system.database_info()
    if json_out:
        print_json(found.model_dump(mode="json", by_alias=True))
        return
    info = found.model_dump(by_alias=True)
    if not info["exists"]:
        out_console.print(escape(t("db.info.not_created", lg, database=info["database"], path=info["file"])))
        return
    out_console.print(f"[bold]{t('db.info.title', lg)}[/bold]")
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(t("db.info.database", lg), escape(info["database"]))
    grid.add_row(t("db.info.engine", lg), " ".join(
        part for part in (ENGINE_NAMES.get(info["engine"], info["engine"]), info["server_version"]) if part))
    if info["file"] is not None:
        grid.add_row(t("db.info.file", lg), f"{escape(info['file'])} ({file_size(info['size_bytes'], lg)})")
    grid.add_row(t("db.info.schema", lg), _schema(info["schema"], lg))
    grid.add_row(t("db.info.rows", lg), "")
    missing = set(info["missing_tables"])
    for key, count in info["counts"].items():
        shown = format_count(count, lg)
        grid.add_row(f"  {t(f'db.info.table.{key}', lg)}", t("db.info.no_table", lg, count=shown)
                     if key in missing else shown)
    out_console.print(grid)


def _schema(schema: dict[str, Any], lang: str) -> str:
    current, head = ", ".join(schema["current"]), ", ".join(schema["head"])
    if not schema["migrated"]:
        return t("db.info.schema_none", lang, head=head)
    if schema["up_to_date"]:
        return t("db.info.schema_current", lang, current=current)
    return t("db.info.schema_behind", lang, current=current, head=head)


def file_size(size: int, lang: str) -> str:
    """12_900_000 -> '12,3 MB' (Indonesian) or '12.3 MB' (English); bytes as a whole number."""
    if size < 1024:
        return f"{format_count(size, lang)} B"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB", "TB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    text = f"{value:.1f}"
    return f"{text.replace('.', ',') if lang == 'id' else text} {unit}"
