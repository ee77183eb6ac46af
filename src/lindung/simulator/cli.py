"""``lindung simulate``: what a package costs and what it pays.

Officers use it at socialisation events; other parts of Lindung call the same rule functions.
Arguments are parsed here, at the edge; the rules receive ints, Decimals, Months and dates.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import typer

from lindung.kit.dates import parse_date
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import component_label, t
from lindung.kit.lokal import terbilang_rupiah
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.simulator import service
from lindung.simulator.schemas import BenefitKind, BenefitRequest, BenefitView, ContributionRequest, ScholarshipView
from lindung.terminal.app import LangOption, lang_of, out_console, print_json
from lindung.terminal.args import int_arg
from lindung.terminal.tables import component_table

app = typer.Typer(help="Simulasi iuran dan manfaat.", no_args_is_help=True)
benefit_app = typer.Typer(help="Simulasi manfaat JKM dan JKK.", no_args_is_help=True)
app.add_typer(benefit_app, name="benefit")

# --- parsing at the edge ----------------------------------------------------------------------


def _decimal_arg(value: str | None, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        d = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(field, value) from None
    if not d.is_finite():
        raise InvalidInput(field, value)
    return d


def _money(value: str | None, field: str) -> int | None:
    return int_arg(value, field)


def _whole(value: str, field: str) -> int:
    """An option Typer requires (so given) as a whole number."""
    found = int_arg(value, field)
    if found is None:
        raise InvalidInput(field, value)
    return found


# --- rendering --------------------------------------------------------------------------------


def label(code: str, lang: str) -> str:
    """A component's label (``kit.i18n.component_label``)."""
    return component_label(code, lang)


def _print_total(amount: int, lang: str, key: str = "ui.total") -> None:
    out_console.print(f"[bold]{t(key, lang)}: {rp(amount)}[/bold]")
    out_console.print(f"({terbilang_rupiah(amount, lang)})")


def _print_scholarship(result: ScholarshipView, lang: str) -> None:
    out_console.print()
    out_console.print(f"[bold]{t('ui.scholarship', lang)}[/bold]")
    if result.condition is not None:
        out_console.print(f"  {result.condition.label}: {result.condition.arithmetic} "
                          f"— {result.condition.reference}")
    if result.reason_text:
        out_console.print(f"  {result.reason_text}")
    for i, child in enumerate(result.children, start=1):
        head = f"{t('ui.child', lang)} {i} ({child.child})"
        if not child.eligible:
            out_console.print(f"  {head}: {child.reason_text or t('error', lang)}")
            continue
        out_console.print(component_table(child.components, lang, head))
    out_console.print(f"  {t('ui.scholarship_this_year', lang)}: [bold]{rp(result.this_year)}[/bold]")
    out_console.print(f"  {t('ui.scholarship_projected', lang)}: [bold]{rp(result.projected)}[/bold]")


def _emit_benefit(result: BenefitView, as_json: bool, lang: str) -> None:
    if as_json:
        print_json(result)
        return
    if result.benefit == "scholarship":
        assert result.scholarship is not None
        _print_scholarship(result.scholarship, lang)
        return
    out_console.print(f"[bold]{t(f'benefit.{result.benefit}', lang)}[/bold] — "
                      f"{t('ui.event_date', lang)} {result.date.isoformat()}")
    out_console.print(component_table(result.components, lang))
    _print_total(result.total, lang, "ui.total_now")
    for note in result.notes_text:
        out_console.print(note)
    if result.scholarship is not None:
        _print_scholarship(result.scholarship, lang)


def _benefit(kind: BenefitKind, date: str, lang: str | None, as_json: bool, **given: object) -> None:
    """Compute ``kind`` (``simulator.service.benefit``) from the options given and show it."""
    language = lang_of(lang)
    request = BenefitRequest.model_validate({"date": parse_date(date),
                                             **{k: v for k, v in given.items() if v is not None}})
    _emit_benefit(service.benefit(kind, request, lang=language), as_json, language)


# --- commands ---------------------------------------------------------------------------------


@app.command("contribution")
def contribution(
    income: str = typer.Option(..., "--income", help="Penghasilan sebulan (Rp)."),
    month: str = typer.Option(..., "--month", help="Bulan iuran pertama, TTTT-BB."),
    occupation_code: str = typer.Option("lainnya", "--occupation", help="Kode atau label pekerjaan."),
    funding: str = typer.Option("mandiri", "--funding", help="Sumber dana: apbn, apbd, apbdes, csr, kadin..."),
    jht: bool = typer.Option(False, "--jht", help="Ikut JHT (opsional)."),
    months: str = typer.Option("1", "--months", help="Jumlah bulan."),
    as_json: bool = typer.Option(False, "--json", help="Keluaran JSON."),
    lang: str | None = LangOption,
) -> None:
    """Iuran seorang pekerja untuk satu bulan atau beberapa bulan."""
    language = lang_of(lang)
    first = Month.parse(month)
    count = _whole(months, "months")
    amount = _whole(income, "income")
    out = service.contribution(ContributionRequest(income=amount, month=first, occupation=occupation_code,
                                                   funding=funding, jht=jht, months=count), lang=language)
    if as_json:
        print_json(out)
        return
    count = out.months
    out_console.print(f"[bold]{t('ui.contribution_title', language)}[/bold] {out.first_month}"
                      + (f" – {out.last_month} ({count} {t('ui.months', language)})" if count > 1 else ""))
    sector = t("ui.sector_transport" if out.sector == "transport" else "ui.sector_other", language)
    out_console.print(f"{t('ui.occupation', language)}: {out.occupation_label} ({sector}) · "
                      f"{t('ui.funding', language)}: {out.funding_label}")
    for run in out.runs:
        title = (f"{run.first}" if run.months == 1 else f"{run.first} – {run.last}: {run.months} × "
                 f"{rp(run.monthly)} = {rp(run.total)}")
        out_console.print(component_table(run.components, language, title))
    _print_total(out.total, language)


DateOpt = typer.Option(..., "--date", help="Tanggal peristiwa (TTTT-BB-HH).")
IncomeOpt = typer.Option(None, "--income", help="Penghasilan (dipetakan ke kelompoknya).")
BaseOpt = typer.Option(None, "--base", help="Dasar iuran, dipakai apa adanya.")
ChildOpt = typer.Option([], "--child", help="JENJANG:TAHUN (tk, sd, smp, sma, pt; atau 'belum').")
JsonOpt = typer.Option(False, "--json", help="Keluaran JSON.")


@benefit_app.command("jkm")
def jkm(date: str = DateOpt, contribution_months: str | None = typer.Option(
            None, "--contribution-months", help="Masa iur (bulan)."),
        child: list[str] = ChildOpt, as_json: bool = JsonOpt, lang: str | None = LangOption) -> None:
    """Jaminan Kematian (bukan karena kerja)."""
    _benefit("jkm", date, lang, as_json, contribution_months=int_arg(contribution_months, "contribution_months"),
             children=child)


@benefit_app.command("jkk-death")
def jkk_death(date: str = DateOpt, income: str | None = IncomeOpt, base: str | None = BaseOpt,
              child: list[str] = ChildOpt, as_json: bool = JsonOpt, lang: str | None = LangOption) -> None:
    """Kematian akibat kecelakaan kerja."""
    _benefit("jkk-death", date, lang, as_json, income=_money(income, "income"), base=_money(base, "base"),
             children=child)


@benefit_app.command("jkk-disability-total")
def jkk_disability_total(date: str = DateOpt, income: str | None = IncomeOpt, base: str | None = BaseOpt,
                         child: list[str] = ChildOpt, as_json: bool = JsonOpt,
                         lang: str | None = LangOption) -> None:
    """Cacat total tetap."""
    _benefit("jkk-disability-total", date, lang, as_json, income=_money(income, "income"),
             base=_money(base, "base"), children=child)


@benefit_app.command("jkk-disability-partial")
def jkk_disability_partial(
        date: str = DateOpt, income: str | None = IncomeOpt, base: str | None = BaseOpt,
        percent: str = typer.Option(..., "--percent", help="Persen tabel cacat (0-100)."),
        function_loss: str | None = typer.Option(None, "--function-loss", help="Persen kehilangan fungsi."),
        as_json: bool = JsonOpt, lang: str | None = LangOption) -> None:
    """Cacat sebagian tetap (anatomis atau fungsi)."""
    _benefit("jkk-disability-partial", date, lang, as_json, income=_money(income, "income"),
             base=_money(base, "base"), percent=_decimal_arg(percent, "percent"),
             function_loss=_decimal_arg(function_loss, "percent"))


@benefit_app.command("jkk-stmb")
def jkk_stmb(date: str = DateOpt, income: str | None = IncomeOpt, base: str | None = BaseOpt,
             months: str = typer.Option(..., "--months", help="Lama tidak mampu bekerja (bulan)."),
             as_json: bool = JsonOpt, lang: str | None = LangOption) -> None:
    """Santunan sementara tidak mampu bekerja."""
    _benefit("jkk-stmb", date, lang, as_json, months=int_arg(months, "months"), income=_money(income, "income"),
             base=_money(base, "base"))


@benefit_app.command("scholarship")
def scholarship(date: str = DateOpt,
                cause: str = typer.Option(..., "--cause", help="jkm atau jkk."),
                contribution_months: str | None = typer.Option(None, "--contribution-months",
                                                               help="Masa iur (bulan)."),
                child: list[str] = ChildOpt, as_json: bool = JsonOpt, lang: str | None = LangOption) -> None:
    """Beasiswa per anak: tahun ini dan sisa hak."""
    _benefit("scholarship", date, lang, as_json, cause=cause,
             contribution_months=int_arg(contribution_months, "contribution_months"), children=child)
