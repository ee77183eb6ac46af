"""A sponsor's impact report as a PDF (``insight.impact.Impact``): what a CSR manager hands to the
board without editing. A4 (``kit.pdf``: DejaVu Sans embedded, the shared colours and footer), in
Indonesian or English: the sponsor's name on the cover line, the period, the key figures as large
numbers, charts drawn in the PDF (workers protected month by month, by occupation, by kecamatan and by
desa of domicile, the ten largest), a small table under each chart with its numbers, the families
helped by claims, the coverage targets, the legal basis (from the rules' own references) and the day
it was made. Figures only: the report holds no name and no NIK, so neither does this PDF.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as babel_date
from fpdf import FPDF

from lindung.insight.schemas_impact import Count, Impact
from lindung.kit import pdf as kit
from lindung.kit.i18n import LANGS, catalogue, format_count, format_date, t
from lindung.rules.catalogues import occupations
from lindung.rules.money import rp
from lindung.rules.params import default_parameters
from lindung.rules.period import Month

TOP = 10
"""Rows of the regions' charts: the ten with the most workers."""

BASIS_PARAMETERS = ("contribution.jkk_rate", "scholarship.max_children", "contribution.discount_excluded_funding")
"""The parameters whose references name the report's legal basis: the contributions and benefits
(PP 44/2015), their amendment with the scholarships (PP 82/2019), the current discount (PP 50/2025)."""

REGULATION = re.compile(r"\b(?:PP|UU|Perpres|Permenaker) \d+/\d{4}")


def legal_basis() -> list[str]:
    """The regulations the report rests on, each the first named in its parameter's reference."""
    params = default_parameters()
    found: list[str] = []
    for name in BASIS_PARAMETERS:
        match = REGULATION.search(params[name].reference)
        if match and match.group(0) not in found:
            found.append(match.group(0))
    return found


def month_text(month: Month, lang: str, *, short: bool = False) -> str:
    """``Januari 2026`` / ``January 2026``; short: ``Jan`` (the chart's labels)."""
    locale = "id" if lang == "id" else "en"
    return str(babel_date(month.first_day(), format="LLL" if short else "LLLL y", locale=locale))


def occupation_label(code: str, lang: str) -> str:
    known = occupations()
    return known[code].label(lang) if code in known else code


def sex_label(code: str, lang: str) -> str:
    key = f"registry.sex.{code}"
    return t(key, lang) if key in catalogue() else code


def percent(part: int, whole: int, lang: str) -> str:
    """``part`` of ``whole`` as a percentage with one decimal (12,5% / 12.5%); "-" without a whole."""
    if whole <= 0:
        return t("impact.none", lang)
    value = (Decimal(part) * 100 / whole).quantize(Decimal("1.0"), rounding=ROUND_HALF_UP)
    text = format(value, "f")
    return (text.replace(".", ",") if lang == "id" else text) + "%"


def _region(c: Count) -> str:
    return f"{c.name} ({c.code})" if c.name else c.code


def _key_figures(pdf: FPDF, boxes: Sequence[tuple[str, str, str]]) -> None:
    """Large numbers in boxes, two to a row: (label, number, note)."""
    gap = 4.0
    width = (pdf.epw - gap) / 2
    height = 21.0
    for i, (label, number, note) in enumerate(boxes):
        if i % 2 == 0:
            kit.keep(pdf, height + gap)
            y = pdf.get_y()
        x = pdf.l_margin + (i % 2) * (width + gap)
        pdf.set_fill_color(*kit.TOTAL_FILL)
        pdf.set_draw_color(*kit.HEAD_FILL)
        pdf.rect(x, y, width, height, style="DF")
        pdf.set_fill_color(*kit.BAR)
        pdf.rect(x, y, 1.5, height, style="F")
        pdf.set_xy(x + 4, y + 2)
        pdf.set_font(kit.FONT, "", 8)
        pdf.set_text_color(*kit.MUTED)
        pdf.cell(width - 6, 4, label)
        pdf.set_xy(x + 4, y + 6.5)
        pdf.set_font(kit.FONT, "B", 17)
        pdf.set_text_color(*kit.ACCENT)
        pdf.cell(width - 6, 8, number)
        pdf.set_xy(x + 4, y + 15)
        pdf.set_font(kit.FONT, "", 7.5)
        pdf.set_text_color(*kit.MUTED)
        pdf.cell(width - 6, 4, note)
        if i % 2 == 1 or i == len(boxes) - 1:
            pdf.set_xy(pdf.l_margin, y + height + gap)
    pdf.set_text_color(*kit.INK)


def _counts(pdf: FPDF, title: str, column: str, rows: Sequence[Count], label: str, lang: str, total: int,
            *, top: int | None = None) -> None:
    """A section with a bar chart of ``rows`` (the ``top`` largest) and its table."""
    shown = list(rows[:top] if top else rows)
    if not shown:
        return
    kit.keep(pdf, 30)
    kit.section(pdf, title, before=4)
    names = [_name(c, label, lang) for c in shown]
    kit.bar_chart(pdf, [(n, c.workers, format_count(c.workers, lang)) for n, c in zip(names, shown, strict=True)])
    kit.small_table(pdf, [t(column, lang), t("impact.col.workers", lang), t("impact.col.share", lang)],
                    [[n, format_count(c.workers, lang), percent(c.workers, total, lang)]
                     for n, c in zip(names, shown, strict=True)], widths=(60, 20, 20))


def _name(c: Count, label: str, lang: str) -> str:
    if label == "occupation":
        return occupation_label(c.code, lang)
    if label == "sex":
        return sex_label(c.code, lang)
    return _region(c)


def render_impact(report: Impact, *, lang: str = "id", office: str | None = None) -> bytes:
    """The report as PDF bytes, in Indonesian (``lang="id"``) or English; ``office`` (the branch's
    name) as its letterhead when given. Another language gives the Indonesian report."""
    lang = lang if lang in LANGS else "id"
    r = report
    made = format_date(r.generated_on, lang)
    pdf = kit.Document(lang, footer_left=t("impact.generated", lang, date=made), page_text=t("impact.page", lang,
                                                                                           page="{page}",
                                                                                           pages="{pages}"))
    pdf.describe(title=f"{t('impact.title', lang)}: {r.sponsor_name} {r.first.year}", subject=t("impact.title", lang),
                 author=office, lang=lang, day=r.generated_on)
    with kit.fonts(pdf):
        pdf.add_page()
        _cover(pdf, r, lang, office)
        _key(pdf, r, lang)
        _months(pdf, r, lang)
        _counts(pdf, t("impact.section.occupation", lang), "impact.col.occupation", r.by_occupation, "occupation",
                lang, r.workers_protected)
        _counts(pdf, t("impact.section.kecamatan", lang), "impact.col.kecamatan", r.by_kecamatan, "region", lang,
                r.workers_protected, top=TOP)
        _counts(pdf, t("impact.section.desa", lang), "impact.col.desa", r.by_desa, "region", lang,
                r.workers_protected, top=TOP)
        _counts(pdf, t("impact.section.sex", lang), "impact.col.sex", r.by_sex, "sex", lang, r.workers_protected)
        _money(pdf, r, lang)
        _claims(pdf, r, lang)
        _targets(pdf, r, lang)
        _closing(pdf, lang, made)
        return bytes(pdf.output())


def _cover(pdf: FPDF, r: Impact, lang: str, office: str | None) -> None:
    if office:
        pdf.set_font(kit.FONT, "B", 10)
        pdf.set_text_color(*kit.MUTED)
        pdf.multi_cell(0, 5, office, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.set_font(kit.FONT, "", 10)
    pdf.set_text_color(*kit.MUTED)
    pdf.cell(0, 5, t("impact.title", lang).upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(kit.FONT, "B", 20)
    pdf.set_text_color(*kit.ACCENT)
    pdf.multi_cell(0, 9, r.sponsor_name, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(kit.FONT, "", 10)
    pdf.set_text_color(*kit.INK)
    pdf.cell(0, 5.5, t("impact.period", lang, first=month_text(r.first, lang), last=month_text(r.last, lang)),
             new_x="LMARGIN", new_y="NEXT")
    kit.paragraph(pdf, t("impact.subtitle", lang), size=8.5, color=kit.MUTED)
    kit.paragraph(pdf, t("impact.agreements", lang, codes=", ".join(r.agreements)) if r.agreements
                  else t("impact.no_agreement", lang), size=8.5, color=kit.MUTED)
    pdf.ln(3)


def _key(pdf: FPDF, r: Impact, lang: str) -> None:
    at = month_text(r.at, lang)
    none = t("impact.none", lang)
    _key_figures(pdf, [
        (t("impact.key.workers", lang), format_count(r.workers_protected, lang),
         t("impact.key.protected_now", lang, month=at) + ": " + format_count(r.protected_now, lang)),
        (t("impact.key.worker_months", lang), format_count(r.worker_months, lang),
         t("impact.key.cost", lang) + ": " + (rp(r.cost_per_worker_month) if r.cost_per_worker_month is not None
                                               else none)),
        (t("impact.key.paid", lang), rp(r.paid), t("impact.key.budget", lang, budget=rp(r.budget))),
        (t("impact.key.quota", lang, month=at), percent(r.enrolled_now, r.quota, lang),
         t("impact.key.quota_of", lang, enrolled=format_count(r.enrolled_now, lang),
           quota=format_count(r.quota, lang))),
        (t("impact.key.families", lang), format_count(r.claims.families, lang),
         t("impact.key.claims_paid", lang) + ": " + rp(r.claims.paid)),
        (t("impact.money.budget_used", lang), percent(r.paid, r.budget, lang),
         t("impact.key.budget", lang, budget=rp(r.budget))),
    ])
    if not r.workers_protected:
        kit.paragraph(pdf, t("impact.nothing", lang), color=kit.MUTED)


def _months(pdf: FPDF, r: Impact, lang: str) -> None:
    kit.keep(pdf, 80)
    kit.section(pdf, t("impact.section.months", lang), before=4)
    kit.column_chart(pdf, [(month_text(m.month, lang, short=True), m.workers, format_count(m.workers, lang))
                           for m in r.months])
    kit.small_table(pdf, [t("impact.col.month", lang), t("impact.col.workers", lang), t("impact.col.paid", lang)],
                    [[month_text(m.month, lang), format_count(m.workers, lang), rp(m.paid)] for m in r.months]
                    + [["", format_count(r.worker_months, lang), rp(r.paid)]], widths=(50, 20, 30))


def _money(pdf: FPDF, r: Impact, lang: str) -> None:
    at = month_text(r.at, lang)
    none = t("impact.none", lang)
    kit.keep(pdf, 45)
    kit.section(pdf, t("impact.section.money", lang), before=4)
    kit.small_table(pdf, [t("impact.col.what", lang), t("impact.col.value", lang)], [
        [t("impact.money.budget", lang), rp(r.budget)],
        [t("impact.money.paid", lang), rp(r.paid)],
        [t("impact.money.budget_used", lang), percent(r.paid, r.budget, lang)],
        [t("impact.money.worker_months", lang), format_count(r.worker_months, lang)],
        [t("impact.money.cost", lang), rp(r.cost_per_worker_month) if r.cost_per_worker_month is not None else none],
        [t("impact.money.quota", lang), format_count(r.quota, lang)],
        [t("impact.money.enrolled_now", lang, month=at), format_count(r.enrolled_now, lang)],
        [t("impact.money.protected_now", lang, month=at), format_count(r.protected_now, lang)],
    ], widths=(65, 35))


def _claims(pdf: FPDF, r: Impact, lang: str) -> None:
    c = r.claims
    kit.keep(pdf, 40)
    kit.section(pdf, t("impact.section.claims", lang), before=4)
    if not c.claims:
        kit.paragraph(pdf, t("impact.claims.none", lang), color=kit.MUTED)
        return
    kit.small_table(pdf, [t("impact.col.what", lang), t("impact.col.value", lang)], [
        [t("impact.claims.count", lang), format_count(c.claims, lang)],
        [t("impact.claims.families", lang), format_count(c.families, lang)],
        [t("impact.claims.paid", lang), rp(c.paid)],
        [t("impact.claims.children", lang), format_count(c.scholarship_children, lang)],
        [t("impact.claims.scholarships", lang), rp(c.scholarship_this_year)],
    ], widths=(65, 35))
    pdf.ln(2)
    kit.small_table(pdf, [t("impact.col.claim_type", lang), t("impact.col.claims", lang)],
                    [[_claim_type(k.code, lang), format_count(k.workers, lang)] for k in c.by_type],
                    widths=(65, 35))


def _claim_type(code: str, lang: str) -> str:
    key = f"claims.type.{code}"
    return t(key, lang) if key in catalogue() else code


def _targets(pdf: FPDF, r: Impact, lang: str) -> None:
    kit.keep(pdf, 30)
    kit.section(pdf, t("impact.section.targets", lang), before=4)
    quota_row = [t("impact.money.quota", lang), format_count(r.quota, lang), format_count(r.protected_now, lang),
                 percent(r.protected_now, r.quota, lang)]
    rows = [quota_row] + [
        [f"{x.region_name or ''} ({x.region}), "
         f"{occupation_label(x.occupation, lang) if x.occupation else t('impact.all_occupations', lang)}",
         format_count(x.target, lang), format_count(x.sponsor_workers, lang),
         percent(x.sponsor_workers, x.target, lang)] for x in r.targets]
    kit.small_table(pdf, [t("impact.col.region", lang), t("impact.col.target", lang),
                          t("impact.col.sponsor_workers", lang), t("impact.col.share", lang)], rows,
                    widths=(52, 14, 20, 14))
    if not r.targets:
        pdf.ln(1)
        kit.paragraph(pdf, t("impact.targets.none", lang), size=8, color=kit.MUTED)


def _closing(pdf: FPDF, lang: str, made: str) -> None:
    kit.keep(pdf, 20)
    pdf.ln(4)
    kit.paragraph(pdf, t("impact.basis", lang, references=", ".join(legal_basis())), size=8, color=kit.MUTED)
    kit.paragraph(pdf, t("impact.privacy", lang), size=8, color=kit.MUTED)
    kit.paragraph(pdf, t("impact.generated", lang, date=made), size=8, color=kit.MUTED)
