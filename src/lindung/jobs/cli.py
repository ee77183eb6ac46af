"""``lindung job list|show``: the long work that was run (imports, bill runs), how far it got and how
it ended."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from lindung.jobs import service as jobs
from lindung.jobs.schemas import JobRead
from lindung.kit import clock
from lindung.kit.i18n import format_count, t
from lindung.kit.paging import Window
from lindung.terminal.app import ByOption, LangOption, lang_of, out_console, print_json
from lindung.terminal.args import JsonOption
from lindung.terminal.work import work

app = typer.Typer(help="Pekerjaan panjang (impor, penerbitan tagihan).", no_args_is_help=True)


def _status(job: JobRead, lang: str) -> str:
    return t(f"job.status.{job.status}", lang)


def _progress(job: JobRead, lang: str) -> str:
    if job.total:
        return f"{format_count(job.done, lang)}/{format_count(job.total, lang)}"
    return format_count(job.done, lang) if job.done else "-"


def _outcome(job: JobRead, lang: str) -> str:
    if job.error_code is not None:
        return t(job.error_code, lang, **(job.error_context or {}))
    return ""


@app.command("list")
def job_list(limit: int = typer.Option(50, "--limit", min=1, max=500, help="Paling banyak sekian baris."),
             by: str | None = ByOption, json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Pekerjaan terbaru dahulu."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        rows = jobs.newest(w.session, by=w.actor, window=Window(limit=limit)).items
    if json_out:
        print_json(rows)
        return
    if not rows:
        out_console.print(t("job.none", lg))
        return
    table = Table(title=t("job.list_title", lg, n=format_count(len(rows), lg)), title_justify="left")
    table.add_column(t("job.col.id", lg), justify="right", no_wrap=True)
    table.add_column(t("job.col.kind", lg) + "\n" + t("job.col.by", lg), overflow="fold")
    table.add_column(t("job.col.status", lg) + "\n" + t("job.col.progress", lg), overflow="fold")
    table.add_column(t("job.col.started", lg), no_wrap=True)
    for job in rows:
        table.add_row(str(job.id), f"{t('job.kind.' + job.kind, lg)}\n[dim]{escape(job.created_by)}[/dim]",
                      f"{_status(job, lg)}\n{_progress(job, lg)}",
                      clock.format_stamp(job.started_at or job.created_at))
    out_console.print(table)


@app.command("show")
def job_show(number: int = typer.Argument(..., help="Nomor pekerjaan (lindung job list)."), by: str | None = ByOption,
             json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Satu pekerjaan: parameternya, kemajuannya dan hasilnya."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        job = jobs.get(w.session, number, by=w.actor)
    if json_out:
        print_json(job)
        return
    table = Table(show_header=False, title=f"{t('job.kind.' + job.kind, lg)} {job.id}", title_justify="left")
    table.add_column()
    table.add_column(overflow="fold")
    rows = [("status", _status(job, lg)), ("progress", _progress(job, lg)), ("by", escape(job.created_by)),
            ("started", clock.format_time(job.started_at, lg) if job.started_at else "-"),
            ("finished", clock.format_time(job.finished_at, lg) if job.finished_at else "-")]
    outcome = _outcome(job, lg)
    if outcome:
        rows.append(("result", escape(outcome)))
    for key, value in rows:
        table.add_row(t(f"job.col.{key}", lg), value)
    out_console.print(table)
