"""``lindung db upgrade|status``."""

from __future__ import annotations

import typer

from lindung.kit.cli import LangOption, lang_of, out_console, print_json
from lindung.kit.cliargs import JsonOption
from lindung.kit.db import current_revisions, database_label, get_engine, head_revisions, notice_created, upgrade
from lindung.kit.i18n import t

app = typer.Typer(help="Basis data.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade(json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Migrasikan basis data ke versi terbaru."""
    lg = lang_of(lang)
    engine = get_engine()
    before = sorted(current_revisions(engine))
    upgrade(engine)
    after = sorted(current_revisions(engine))
    if not before:
        notice_created(engine)
    out = {"database": database_label(engine), "before": before, "after": after, "changed": before != after}
    if json_out:
        print_json(out)
        return
    key = "db.upgraded" if out["changed"] else "db.up_to_date"
    out_console.print(t(key, lg, database=out["database"], revision=", ".join(after)))


@app.command("status")
def db_status(json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Versi basis data dan versi terbaru."""
    lg = lang_of(lang)
    engine = get_engine()
    current, heads = sorted(current_revisions(engine)), sorted(head_revisions())
    out = {"database": database_label(engine), "current": current, "head": heads,
           "up_to_date": current == heads}
    if json_out:
        print_json(out)
        return
    out_console.print(t("db.status", lg, database=out["database"], current=", ".join(current) or "-",
                        head=", ".join(heads)))
