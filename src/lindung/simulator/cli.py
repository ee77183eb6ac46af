"""``lindung simulate``: what a package costs and what it pays.

Officers use it at socialisation events; other parts of Lindung call the same rule functions.
Arguments are parsed here, at the edge; the rules receive ints, Decimals, Months and dates.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import typer

from lindung.kit.dates import parse_date
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import component_label, t
from lindung.kit.lokal import terbilang_rupiah
from lindung.kit.numbers import MONTHS_MAX, rupiah_amount, whole_number
from lindung.rules import benefits
from lindung.rules.catalogues import funding_source, occupation
from lindung.rules.contributions import contribution_for_span
from lindung.rules.explain import Component
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.rules.scholarships import NOT_AT_SCHOOL, Child, ScholarshipResult
from lindung.terminal.app import LangOption, lang_of, out_console, print_json
from lindung.terminal.args import int_arg
from lindung.terminal.tables import component_table

app = typer.Typer(help="Simulasi iuran dan manfaat.", no_args_is_help=True)
benefit_app = typer.Typer(help="Simulasi manfaat JKM dan JKK.", no_args_is_help=True)
app.add_typer(benefit_app, name="benefit")

_CHILD = re.compile(r"^\s*([a-zA-Z]+)\s*(?::\s*(\d+))?\s*$")


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


def parse_child(text: str) -> Child:
    """'sma:3' -> Child('sma', 3); 'belum' -> a child not yet at school."""
    m = _CHILD.match(text)
    if not m:
        raise InvalidInput("child", text)
    level = m.group(1).lower()
    if level == NOT_AT_SCHOOL:
        return Child(NOT_AT_SCHOOL, 1)
    if m.group(2) is None:
        raise InvalidInput("child", text)
    return Child(level, int(m.group(2)))


def _income_or_base(income: str | None, base: str | None) -> tuple[int | None, int | None]:
    i, b = int_arg(income, "income"), int_arg(base, "base")
    if (i is None) == (b is None):
        raise InvalidInput("income_or_base", "")
    return (None if i is None else rupiah_amount(i, "income"),
            None if b is None else rupiah_amount(b, "base", minimum=1))


# --- rendering --------------------------------------------------------------------------------


def label(code: str, lang: str) -> str:
    """A component's label (``kit.i18n.component_label``)."""
    return component_label(code, lang)


def _print_total(amount: int, lang: str, key: str = "ui.total") -> None:
    out_console.print(f"[bold]{t(key, lang)}: {rp(amount)}[/bold]")
    out_console.print(f"({terbilang_rupiah(amount, lang)})")


def _print_scholarship(result: ScholarshipResult, lang: str) -> None:
    out_console.print()
    out_console.print(f"[bold]{t('ui.scholarship', lang)}[/bold]")
    if result.condition is not None:
        out_console.print(f"  {label('scholarship.condition', lang)}: {result.condition.arithmetic} "
                          f"— {result.condition.reference}")
    if result.reason:
        out_console.print(f"  {t(result.reason, lang)}")
    for i, child in enumerate(result.children, start=1):
        head = f"{t('ui.child', lang)} {i} ({child.child.label()})"
        if not child.eligible:
            out_console.print(f"  {head}: {t(child.reason or 'error', lang)}")
            continue
        out_console.print(component_table(list(child.components), lang, head))
    out_console.print(f"  {t('ui.scholarship_this_year', lang)}: [bold]{rp(result.this_year)}[/bold]")
    out_console.print(f"  {t('ui.scholarship_projected', lang)}: [bold]{rp(result.projected)}[/bold]")


def _emit_benefit(result: benefits.BenefitResult, as_json: bool, lang: str) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    out_console.print(f"[bold]{t(f'benefit.{result.kind}', lang)}[/bold] — "
                      f"{t('ui.event_date', lang)} {result.date.isoformat()}")
    out_console.print(component_table(list(result.components), lang))
    _print_total(result.total, lang, "ui.total_now")
    for note in result.notes:
        out_console.print(t(note, lang))
    if result.scholarship is not None:
        _print_scholarship(result.scholarship, lang)


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
    count = int_arg(months, "months")
    occ = occupation(occupation_code)
    source = funding_source(funding)
    amount = int_arg(income, "income")
    amount = None if amount is None else rupiah_amount(amount, "income")
    count = whole_number(count, "months", minimum=1, maximum=MONTHS_MAX)
    span = contribution_for_span(first, count, income=amount, transport=occ.transport,
                                 funding=source.code, jht=jht)
    aggregated = _aggregate(span.runs)
    if as_json:
        print_json({"total": span.total, "months": count, "first_month": str(first),
                    "last_month": str(first + (count - 1)), "occupation": occ.code,
                    "sector": span.months[0].sector, "funding": source.code, "jht": jht,
                    "base": span.months[0].base, "bracket": span.months[0].bracket,
                    "components": [c.to_dict() for c in aggregated],
                    "runs": span.to_dict()["runs"],
                    "per_month": [{"month": str(m.month), "total": m.total} for m in span.months]})
        return
    out_console.print(f"[bold]{t('ui.contribution_title', language)}[/bold] {first}"
                      + (f" – {first + (count - 1)} ({count} {t('ui.months', language)})" if count > 1 else ""))
    sector = t("ui.sector_transport" if occ.transport else "ui.sector_other", language)
    out_console.print(f"{t('ui.occupation', language)}: {occ.label(language)} ({sector}) · "
                      f"{t('ui.funding', language)}: {source.label(language)}")
    for run in span.runs:
        title = (f"{run.first}" if run.months == 1 else f"{run.first} – {run.last}: {run.months} × "
                 f"{rp(run.each.total)} = {rp(run.total)}")
        out_console.print(component_table(list(run.each.components), language, title))
    _print_total(span.total, language)


def _aggregate(runs: Any) -> list[Component]:
    """Sum each component code over runs of months: '3 × Rp10.000 + 9 × Rp10.000'."""
    order: list[str] = []
    parts: dict[str, list[str]] = {}
    sums: dict[str, int] = {}
    refs: dict[str, list[str]] = {}
    verified: dict[str, bool] = {}
    for run in runs:
        for c in run.each.components:
            if c.code not in sums:
                order.append(c.code)
                sums[c.code], parts[c.code], refs[c.code], verified[c.code] = 0, [], [], True
            if c.code == "bracket":
                if not parts[c.code]:
                    parts[c.code].append(c.arithmetic)
                    sums[c.code] = c.amount
            else:
                sums[c.code] += c.amount * run.months
                parts[c.code].append(f"{run.months} × {rp(c.amount)}" if run.months > 1 else rp(c.amount))
            if c.reference not in refs[c.code]:
                refs[c.code].append(c.reference)
            verified[c.code] = verified[c.code] and c.verified
    return [Component(code, sums[code], " + ".join(parts[code]), "; ".join(refs[code]), verified[code])
            for code in order]


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
    language = lang_of(lang)
    cm = int_arg(contribution_months, "contribution_months")
    if cm is not None:
        whole_number(cm, "contribution_months", minimum=0, maximum=MONTHS_MAX)
    result = benefits.jkm_death(parse_date(date), contribution_months=cm,
                                children=[parse_child(c) for c in child])
    _emit_benefit(result, as_json, language)


@benefit_app.command("jkk-death")
def jkk_death(date: str = DateOpt, income: str | None = IncomeOpt, base: str | None = BaseOpt,
              child: list[str] = ChildOpt, as_json: bool = JsonOpt, lang: str | None = LangOption) -> None:
    """Kematian akibat kecelakaan kerja."""
    language = lang_of(lang)
    money = _income_or_base(income, base)
    result = benefits.jkk_death(parse_date(date), income=money[0], base=money[1],
                                children=[parse_child(c) for c in child])
    _emit_benefit(result, as_json, language)


@benefit_app.command("jkk-disability-total")
def jkk_disability_total(date: str = DateOpt, income: str | None = IncomeOpt, base: str | None = BaseOpt,
                         child: list[str] = ChildOpt, as_json: bool = JsonOpt,
                         lang: str | None = LangOption) -> None:
    """Cacat total tetap."""
    language = lang_of(lang)
    money = _income_or_base(income, base)
    result = benefits.jkk_total_disability(parse_date(date), income=money[0], base=money[1],
                                           children=[parse_child(c) for c in child])
    _emit_benefit(result, as_json, language)


@benefit_app.command("jkk-disability-partial")
def jkk_disability_partial(
        date: str = DateOpt, income: str | None = IncomeOpt, base: str | None = BaseOpt,
        percent: str = typer.Option(..., "--percent", help="Persen tabel cacat (0-100)."),
        function_loss: str | None = typer.Option(None, "--function-loss", help="Persen kehilangan fungsi."),
        as_json: bool = JsonOpt, lang: str | None = LangOption) -> None:
    """Cacat sebagian tetap (anatomis atau fungsi)."""
    language = lang_of(lang)
    money = _income_or_base(income, base)
    pct = _decimal_arg(percent, "percent")
    assert pct is not None
    result = benefits.jkk_partial_disability(parse_date(date), percent=pct,
                                             function_loss=_decimal_arg(function_loss, "percent"),
                                             income=money[0], base=money[1])
    _emit_benefit(result, as_json, language)


@benefit_app.command("jkk-stmb")
def jkk_stmb(date: str = DateOpt, income: str | None = IncomeOpt, base: str | None = BaseOpt,
             months: str = typer.Option(..., "--months", help="Lama tidak mampu bekerja (bulan)."),
             as_json: bool = JsonOpt, lang: str | None = LangOption) -> None:
    """Santunan sementara tidak mampu bekerja."""
    language = lang_of(lang)
    k = whole_number(int_arg(months, "months"), "months", minimum=1, maximum=MONTHS_MAX)
    money = _income_or_base(income, base)
    result = benefits.jkk_stmb(parse_date(date), months=k, income=money[0], base=money[1])
    _emit_benefit(result, as_json, language)


@benefit_app.command("scholarship")
def scholarship(date: str = DateOpt,
                cause: str = typer.Option(..., "--cause", help="jkm atau jkk."),
                contribution_months: str | None = typer.Option(None, "--contribution-months",
                                                               help="Masa iur (bulan)."),
                child: list[str] = ChildOpt, as_json: bool = JsonOpt, lang: str | None = LangOption) -> None:
    """Beasiswa per anak: tahun ini dan sisa hak."""
    language = lang_of(lang)
    from lindung.rules.scholarships import scholarships

    if not child:
        raise InvalidInput("child", "")
    cm = int_arg(contribution_months, "contribution_months")
    if cm is not None:
        whole_number(cm, "contribution_months", minimum=0, maximum=MONTHS_MAX)
    result = scholarships(parse_date(date), cause.lower(), [parse_child(c) for c in child],
                          contribution_months=cm)
    if as_json:
        print_json({"total": 0, "components": [], "scholarship_this_year": result.this_year,
                    "scholarship_projected": result.projected, "scholarship": result.to_dict()})
        return
    _print_scholarship(result, language)
