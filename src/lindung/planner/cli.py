"""``lindung plan``: what a budget buys under the dated rules, or what a number of workers costs.

Arguments are parsed here, at the edge (rupiah as people type them, months, ``--mix petani=700``, a
worker list's file); ``planner.service.plan`` does the rest, as for the API and the page.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from lindung.enrolment.schemas import Upload
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import format_count, t
from lindung.kit.lokal import terbilang_rupiah
from lindung.planner import service
from lindung.planner.schemas import MixLine, PlanRequest, PlanView
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.terminal.app import ByOption, LangOption, lang_of, out_console, print_json
from lindung.terminal.args import JsonOption, int_arg
from lindung.terminal.tables import component_table
from lindung.terminal.work import work


def parse_mix(texts: list[str]) -> list[MixLine]:
    """``petani=700`` (or ``petani:700``, or ``petani`` for one) -> MixLine."""
    found = []
    for text in texts:
        label, _, count = text.replace(":", "=").partition("=")
        if not label.strip():
            raise InvalidInput("mix", text)
        number = int_arg(count, "mix") if count.strip() else 1
        found.append(MixLine(occupation=label.strip(), count=number if number is not None else 1))
    return found


def _last_month(first: Month, last: str | None, months: str | None) -> Month:
    if (last is None) == (months is None):
        raise InvalidInput("last_month", last or months or "", reason="plan_period")
    if last is not None:
        return Month.parse(last)
    count = int_arg(months, "months")
    if count is None or count < 1:
        raise InvalidInput("months", months)
    return first + (count - 1)


def plan(
    budget: str | None = typer.Option(None, "--budget", help="Anggaran (Rp), mis. 201.600.000: berapa pekerja?"),
    workers: str | None = typer.Option(None, "--workers", help="Jumlah pekerja: berapa anggarannya?"),
    first: str = typer.Option(..., "--from", help="Bulan pertama, TTTT-BB."),
    last: str | None = typer.Option(None, "--to", help="Bulan terakhir, TTTT-BB."),
    months: str | None = typer.Option(None, "--months", help="Jumlah bulan sejak --from (ganti --to)."),
    funding: str = typer.Option(..., "--funding", help="Sumber dana: kadin, csr, apbd, apbdes, apbn..."),
    mix: list[str] = typer.Option([], "--mix", help="PEKERJAAN=JUMLAH, mis. petani=700 (boleh berulang)."),
    file: Path | None = typer.Option(None, "--file", help="Daftar pekerja (CSV/XLSX): hanya kolom Pekerjaan dihitung."),
    income: str | None = typer.Option(None, "--income", help="Penghasilan sebulan (bawaan: kelompok terendah)."),
    by: str | None = ByOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Rencana anggaran: berapa pekerja yang tercakup oleh anggaran, atau berapa anggaran untuk sejumlah pekerja.

    Setiap bulan dihitung menurut aturan yang berlaku (termasuk potongan PP 50/2025 menurut sektor dan
    sumber dana), dengan rinciannya bulan demi bulan.
    """
    lg = lang_of(lang)
    start = Month.parse(first)
    request = PlanRequest(first_month=start, last_month=_last_month(start, last, months), funding=funding,
                          budget=int_arg(budget, "budget"), workers=int_arg(workers, "workers"),
                          mix=parse_mix(mix), income=int_arg(income, "income"))
    sent = None
    if file is not None:
        try:
            sent = Upload(name=file.name, content=file.read_bytes())
        except OSError:
            raise InvalidInput("file", str(file), reason="plan_file_broken") from None
    with work(by, readonly=True) as w:
        out = service.plan(request, by=w.actor, lang=lg, worker_list=sent)
    if json_out:
        print_json(out)
        return
    show(out, lg)


def show(out: PlanView, lg: str) -> None:
    """The plan at 80 columns: what was asked, each distinct price with its lines and law, then the
    months."""
    title = t("plan.cli.title", lg, first=out.first_month, last=out.last_month, months=out.months)
    out_console.print(f"[bold]{escape(title)}[/bold]")
    out_console.print(escape(t("plan.cli.funding", lg, funding=out.funding_label, base=rp(out.base))))
    mix = ", ".join(f"{m.label} {format_count(m.workers, lg)}" for m in out.mix)
    out_console.print(escape(t("plan.cli.mix", lg, mix=mix)))
    seen: set[tuple[str, tuple[tuple[str, int], ...]]] = set()
    for row in out.rows:
        for s in row.sectors:
            key = (s.sector, tuple((c.code, c.amount) for c in s.components))
            if key in seen:
                continue
            seen.add(key)
            runs = [r.month for r in out.rows for x in r.sectors if x.sector == s.sector
                    and tuple((c.code, c.amount) for c in x.components) == key[1]]
            title = t("plan.cli.price", lg, sector=s.sector_label, first=runs[0], last=runs[-1], price=rp(s.price))
            out_console.print(component_table(s.components, lg, escape(title)))
    table = Table(title=t("plan.cli.months", lg), title_justify="left", pad_edge=False)
    table.add_column(t("plan.col.month", lg), no_wrap=True)
    table.add_column(t("plan.col.price", lg), overflow="fold")
    table.add_column(t("plan.col.subtotal", lg), justify="right", no_wrap=True)
    table.add_column(t("plan.col.running", lg), justify="right", no_wrap=True)
    if out.budget is not None:
        table.add_column(t("plan.col.left", lg), justify="right", no_wrap=True)
    for row in out.rows:
        prices = "\n".join(f"{rp(s.price)} × {format_count(s.workers, lg)}" for s in row.sectors)
        cells = [row.month, prices, rp(row.subtotal), rp(row.running_total)]
        if row.left is not None:
            cells.append(rp(row.left))
        table.add_row(*cells)
    out_console.print(table)
    if out.budget is not None:
        covers = t("plan.cli.covers", lg, workers=format_count(out.workers, lg), months=out.months,
                   worker_months=format_count(out.worker_months, lg), total=rp(out.total), left=rp(out.left or 0))
        out_console.print(f"[bold]{escape(covers)}[/bold]")
        out_console.print(escape(t("plan.cli.in_order", lg, worker_months=format_count(out.worker_months_in_order, lg),
                                   left=rp(out.left_after_topup or 0))))
        for top in out.topup:
            out_console.print(escape(t("plan.cli.topup", lg, month=top.month, workers=format_count(top.workers, lg),
                                       cost=rp(top.cost))))
        out_console.print(escape(out.rule))
    else:
        needs = t("plan.cli.needs", lg, workers=format_count(out.workers, lg), months=out.months, total=rp(out.total))
        out_console.print(f"[bold]{escape(needs)}[/bold]")
        out_console.print(f"({terbilang_rupiah(out.total, lg)})")
