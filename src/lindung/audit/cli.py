"""``lindung audit``: who did what, when — the log an auditor or administrator reads (UU 27/2022 PDP:
every unmasked NIK is there). Subjects are ids; a worker is looked up by NIK and shown masked."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from lindung.audit import service as audit
from lindung.kit import clock
from lindung.kit.dates import parse_date
from lindung.kit.i18n import format_count, t
from lindung.terminal.app import ByOption, LangOption, lang_of, out_console, print_json, stacked_header
from lindung.terminal.args import JsonOption
from lindung.terminal.work import work
from lindung.workers import service as workers


def audit_log(
    actor: str | None = typer.Option(None, "--actor", help="Hanya petugas ini."),
    action: str | None = typer.Option(None, "--action", help="Awalan tindakan, mis. worker."),
    since: str | None = typer.Option(None, "--since", help="Sejak tanggal ini."),
    until: str | None = typer.Option(None, "--until", help="Sampai tanggal ini."),
    worker: str | None = typer.Option(None, "--worker", help="NIK pekerja."),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000, help="Paling banyak sekian baris."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Log audit, terbaru dahulu, waktu di zona cabang."""
    lg = lang_of(lang)
    first = parse_date(since, "since") if since else None
    last = parse_date(until, "until") if until else None
    with work(by, readonly=True) as w:
        found = workers.audit_log(w.session, by=w.actor, worker=worker, actor=actor, action=action, since=first,
                                  until=last, limit=limit)
    # The facts of each entry in the reader's language, beside its values (``data``).
    rows = [audit.shown(e, lg) for e in found]
    if json_out:
        print_json(rows)
        return
    # Two facts per column, one above the other (as ``import list``), so that the detail keeps room on
    # an 80-column terminal instead of being folded a few letters a line.
    table = Table(title=t("audit.title", lg, n=format_count(len(rows), lg)), title_justify="left")
    table.add_column(stacked_header("audit.col", lg, "at", "actor"), no_wrap=True)
    table.add_column(stacked_header("audit.col", lg, "action", "subject"), no_wrap=True)
    table.add_column(stacked_header("audit.col", lg, "detail"), overflow="fold", ratio=1, min_width=20)
    for r in rows:
        table.add_row(f"{clock.format_stamp(r.at)}\n{escape(r.actor)}", f"{r.action}\n{r.subject_type} {r.subject_id}",
                      escape(r.text))
    out_console.print(table)
