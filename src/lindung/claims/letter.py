"""The decision letter of a claim (surat penetapan manfaat), as a PDF drawn from a ``ClaimView``.

A4, DejaVu Sans embedded (vendored under ``lindung/static/fonts``: no system font, no system
package), every text from the message catalogues (``claims.letter.*``, ``claims.type.*``, the rules'
``component.*`` and ``scholarship.*``), dates in the language's long form, amounts as Rp1.500.000 in
both languages and in words. The letter shows what the view holds and nothing more: the NIK and the
account number come masked in the view and stay so (a full 16-digit NIK given by mistake is masked
here too).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from functools import cache
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from lindung.claims.schemas import ChildScholarshipView, ClaimView, ComponentView
from lindung.kit import clock
from lindung.kit.i18n import LANGS, catalogue, component_label, format_count, format_date, load_yaml, t
from lindung.kit.lokal import terbilang_rupiah
from lindung.kit.privacy import mask_nik, mask_niks_in_text
from lindung.rules.catalogues import relationships
from lindung.rules.money import rp

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

BASIS_CODES = ("bracket", "coverage", "scholarship.condition")
"""Components that say what the amounts rest on (the income bracket, the coverage, the scholarship's
condition) rather than an amount paid: one line under the table, not rows of it."""

# Layout, in millimetres and points. (No literal here may equal a rate of the law's parameters:
# tests/rules/test_no_law_in_code.py reads every number in the code.)
MARGIN = 20.0
TITLE_PT = 15
NUMBER_PT = 10
BODY_PT = 9.5
FIELD_PT = 9
TABLE_PT = 8.5
SMALL_PT = 8
NOTE_PT = 7.5
LINE = 5.0
INK = (33, 37, 41)
MUTED = (95, 102, 110)
ACCENT = (22, 55, 95)
RULE = (170, 178, 189)
HEAD_FILL = (228, 233, 240)
TOTAL_FILL = (243, 245, 248)
DRAFT_RED = (176, 42, 42)

DECIDED = ("approved", "paid", "rejected")
"""The statuses of a decided claim; any other gets a letter marked as a draft."""


# --- words and labels -------------------------------------------------------------------------------

def amount_in_words(amount: int, lang: str) -> str:
    """70000000 -> 'tujuh puluh juta rupiah' (id) or 'seventy million rupiah' (en): the receipts'
    terbilang (``kit.lokal.terbilang_rupiah``, lokal-id's in Indonesian), so that a letter and a
    receipt write an amount the same way."""
    words = terbilang_rupiah(amount, lang)
    return words[:1].lower() + words[1:]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _message_or_code(code: str, lang: str, **fields: object) -> str:
    """A reason or note given as a message code: its text when the catalogue has it and ``fields``
    fill every field it names, else the code (never a text with a {field} left in it)."""
    entry = catalogue().get(code)
    if entry is None:
        return code
    needed = {name for _, name, _, _ in string.Formatter().parse(entry.get(lang) or entry["id"]) if name}
    return t(code, lang, **fields) if needed <= set(fields) else code


@cache
def _reject_reasons() -> dict[str, dict[str, str]]:
    """The officers' rejection reasons (``claims/catalogue.yaml``, ``reject_reasons``)."""
    text = (resources.files("lindung") / "claims" / "catalogue.yaml").read_text(encoding="utf-8")
    reasons = (load_yaml(text) or {}).get("reject_reasons") or {}
    return {str(code): entry for code, entry in reasons.items() if isinstance(entry, dict)}


def _rejection_text(code: str, lang: str) -> str:
    if code in catalogue():
        return t(code, lang)
    entry = _reject_reasons().get(code)
    if entry:
        return str(entry.get(lang) or entry.get("id") or code)
    return code


def relationship_label(code: str | None, lang: str) -> str | None:
    """An heir's relationship (the heirs catalogue), or self/facility, in ``lang``."""
    if not code:
        return None
    known = relationships()
    if code in known:
        return known[code].label(lang)
    key = f"claims.letter.relationship.{code}"
    return t(key, lang) if key in catalogue() else code


def _masked(nik: str) -> str:
    """The NIK as the view gives it (masked); a bare 16-digit one is masked here, never shown."""
    return mask_nik(nik) if len(nik) == 16 and nik.isdigit() else nik


def _day(at: dt.datetime, lang: str) -> str:
    """A stored timestamp's date as the branch reads it (4 Desember 2026)."""
    return format_date(clock.local(at).date(), lang)


def _level(child: ChildScholarshipView, lang: str) -> str:
    if child.level == "belum":
        return t("claims.letter.child.not_at_school", lang)
    return t("claims.letter.child.level", lang, level=child.level.upper(), year=child.year)


# --- the PDF ----------------------------------------------------------------------------------------

Fields = Sequence[tuple[str, str | None]]
"""(label, value) lines of a block; a line without a value is left out."""


class _Letter(FPDF):
    """An A4 page with the letter's footer (who made it, page n of m) on every page and, from the
    second page on, a line saying which letter the page continues."""

    def __init__(self, lang: str, number: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.lang = lang
        self.number = number
        self.set_margins(MARGIN, 18, MARGIN)
        self.set_auto_page_break(True, margin=22)
        self.alias_nb_pages()

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, "", NOTE_PT)
        self.set_text_color(*MUTED)
        self.cell(0, 4, t("claims.letter.continued", self.lang, number=self.number), align="L",
                  new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FONT, "", NOTE_PT)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 4, t("claims.letter.footer", self.lang), align="L")
        self.cell(self.epw / 2, 4, t("claims.letter.page", self.lang, page=self.page_no(), pages="{nb}"),
                  align="R")


@contextmanager
def _fonts(pdf: FPDF) -> Iterator[None]:
    """DejaVu Sans regular and bold from the package's own files (a real path, even when the package
    is zipped)."""
    folder = resources.files("lindung") / "static" / "fonts"
    with ExitStack() as stack:
        for style, name in FONT_FILES.items():
            path: Path = stack.enter_context(resources.as_file(folder / name))
            pdf.add_font(FONT, style, str(path))
        yield


def _keep(pdf: FPDF, height: float) -> None:
    """A new page unless ``height`` millimetres are left on this one."""
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()


def _section(pdf: FPDF, title: str) -> None:
    """A section's heading with a rule under it, across the current margins."""
    pdf.ln(2.5)
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "B", 10.5)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.2)
    pdf.set_text_color(*INK)


def _paragraph(pdf: FPDF, text: str, *, size: float = BODY_PT, bold: bool = False,
               color: tuple[int, int, int] = INK) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size / 2, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _fields(pdf: FPDF, rows: Fields, label_share: float = 0.41) -> None:
    """Label and value side by side, each wrapping in its own column, across the current margins."""
    shown = [(label, value) for label, value in rows if value]
    if not shown:
        return
    pdf.set_font(FONT, "", FIELD_PT)
    label_style = FontFace(color=MUTED)
    with pdf.table(col_widths=(label_share, 1 - label_share), width=pdf.epw, align="LEFT",
                   borders_layout="NONE", first_row_as_headings=False, text_align="LEFT", v_align="TOP",
                   line_height=4.4, padding=(0.45, 1.5, 0.45, 0)) as table:
        for label, value in shown:
            row = table.row()
            row.cell(label, style=label_style)
            row.cell(value)


def _columns(pdf: FPDF, left: Sequence[tuple[str, Fields]], right: Sequence[tuple[str, Fields]]) -> None:
    """Two columns of titled field blocks side by side; the page goes on below the longer one. The
    blocks are short: they start on a page with room for them."""
    gap = 8.0
    width = (pdf.epw - gap) / 2
    _keep(pdf, 75)
    top = pdf.get_y()
    margins = pdf.l_margin, pdf.r_margin
    bottoms = []
    for blocks, l_margin, r_margin in ((left, margins[0], margins[1] + width + gap),
                                       (right, margins[0] + width + gap, margins[1])):
        pdf.set_left_margin(l_margin)
        pdf.set_right_margin(r_margin)
        pdf.set_xy(l_margin, top)
        for title, rows in blocks:
            _section(pdf, title)
            _fields(pdf, rows)
        bottoms.append(pdf.get_y())
    pdf.set_left_margin(margins[0])
    pdf.set_right_margin(margins[1])
    pdf.set_xy(margins[0], max(bottoms))


def _table_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)


HEAD = FontFace(emphasis="BOLD", color=INK, fill_color=HEAD_FILL)
TOTAL = FontFace(emphasis="BOLD", fill_color=TOTAL_FILL)


def _components_table(pdf: FPDF, components: Sequence[ComponentView], total: int, lang: str) -> bool:
    """The components paid, their arithmetic and legal basis, and the total; True when a reference is
    marked unverified."""
    _table_lines(pdf)
    unverified = False
    pdf.set_font(FONT, "", TABLE_PT)
    with pdf.table(col_widths=(44, 38, 58, 30), width=pdf.epw, align="LEFT", borders_layout="HORIZONTAL_LINES",
                   headings_style=HEAD, text_align="LEFT", v_align="TOP", line_height=4.2,
                   padding=(1.4, 1.5, 1.4, 1.5)) as table:
        heading = table.row()
        for key in ("component", "arithmetic", "reference"):
            heading.cell(t(f"claims.letter.col.{key}", lang))
        heading.cell(t("claims.letter.col.amount", lang), align="RIGHT")
        for c in components:
            row = table.row()
            row.cell(component_label(c.code, lang))
            row.cell(c.arithmetic)
            row.cell(c.reference + ("" if c.verified else " *"))
            row.cell(rp(c.amount), align="RIGHT")
            unverified = unverified or not c.verified
        last = table.row()
        last.cell(t("claims.letter.total", lang), colspan=3, style=TOTAL)
        last.cell(rp(total), align="RIGHT", style=TOTAL)
    return unverified


def _children_table(pdf: FPDF, claim: ClaimView, lang: str) -> None:
    _table_lines(pdf)
    muted = FontFace(color=MUTED)
    pdf.set_font(FONT, "", TABLE_PT)
    with pdf.table(col_widths=(46, 32, 28, 34, 30), width=pdf.epw, align="LEFT",
                   borders_layout="HORIZONTAL_LINES", headings_style=HEAD, text_align="LEFT", v_align="TOP",
                   line_height=4.2, padding=(1.4, 1.5, 1.4, 1.5)) as table:
        heading = table.row()
        heading.cell(t("claims.letter.child.col.name", lang))
        heading.cell(t("claims.letter.child.col.level", lang))
        for key in ("this_year", "projected", "years_paid"):
            heading.cell(t(f"claims.letter.child.col.{key}", lang), align="RIGHT")
        for child in claim.children:
            row = table.row()
            row.cell(child.name)
            row.cell(_level(child, lang))
            if child.eligible:
                row.cell(rp(child.this_year), align="RIGHT")
                row.cell(rp(child.projected), align="RIGHT")
                row.cell(format_count(child.years_paid, lang), align="RIGHT")
            else:
                reason = _message_or_code(child.reason, lang) if child.reason else ""
                row.cell(reason, colspan=3, style=muted)
        last = table.row()
        last.cell(t("claims.letter.child.total", lang), colspan=2, style=TOTAL)
        last.cell(rp(claim.scholarship_this_year), align="RIGHT", style=TOTAL)
        last.cell(rp(claim.scholarship_projected), align="RIGHT", style=TOTAL)
        last.cell("", style=TOTAL)


def _heading(pdf: FPDF, claim: ClaimView, lang: str, office: str | None, today: dt.date) -> None:
    if office:
        pdf.set_font(FONT, "B", 11)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(0, 5.5, office, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.65)
        pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
        pdf.set_line_width(0.2)
        pdf.line(pdf.l_margin, pdf.get_y() + 1.9, pdf.w - pdf.r_margin, pdf.get_y() + 1.9)
        pdf.ln(5)
    pdf.ln(1)
    pdf.set_font(FONT, "B", TITLE_PT)
    pdf.set_text_color(*INK)
    pdf.cell(0, 8, t("claims.letter.title", lang), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", NUMBER_PT)
    pdf.cell(0, 5.5, t("claims.letter.number", lang, number=claim.number), align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5.5, t("claims.letter.date", lang, date=format_date(today, lang)), align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(3)
    if claim.status not in DECIDED:
        pdf.set_draw_color(*DRAFT_RED)
        pdf.set_line_width(0.35)
        pdf.set_text_color(*DRAFT_RED)
        pdf.set_font(FONT, "B", BODY_PT)
        pdf.multi_cell(0, 7, t("claims.letter.draft", lang), border=1, align="C", new_x="LMARGIN",
                       new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.ln(2)
    _paragraph(pdf, t("claims.letter.opening", lang))


def _decided_by(claim: ClaimView) -> tuple[str, dt.datetime | None] | None:
    """Who decided the claim and when: the approver, or the last who rejected it."""
    if claim.status == "rejected":
        steps = [s for s in claim.history if s.status == "rejected"]
        return (steps[-1].by, steps[-1].at) if steps else None
    if claim.approved_by:
        return claim.approved_by, claim.approved_at
    return None


def _signature(pdf: FPDF, claim: ClaimView, lang: str) -> None:
    """The decider's block at the right: the date of the decision, the name."""
    decided = _decided_by(claim)
    if decided is None:
        return
    by, at = decided
    pdf.ln(6)
    x = pdf.l_margin + pdf.epw * 0.58
    width = pdf.epw * 0.42
    pdf.set_font(FONT, "", BODY_PT)
    if at is not None:
        pdf.set_x(x)
        pdf.cell(width, LINE, _day(at, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(x)
    pdf.cell(width, LINE, t("claims.letter.signature", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_x(x)
    pdf.set_font(FONT, "B", BODY_PT)
    pdf.multi_cell(width, LINE, by, align="L", new_x="LMARGIN", new_y="NEXT")


def render_letter(claim: ClaimView, *, lang: str = "id", office: str | None = None,
                  today: dt.date) -> bytes:
    """The claim's decision letter as PDF bytes: in Indonesian (``lang="id"``) or English, dated
    ``today``, with ``office`` (the branch's name and address) as its letterhead when given. A
    language other than id and en gives the Indonesian letter, as ``t`` does."""
    lang = lang if lang in LANGS else "id"
    pdf = _Letter(lang, claim.number)
    pdf.set_title(t("claims.letter.subject", lang, number=claim.number))
    pdf.set_subject(t("claims.letter.title", lang))
    pdf.set_author(office or "Lindung")
    pdf.set_creator("Lindung")
    pdf.set_lang(lang)
    pdf.set_creation_date(dt.datetime.combine(today, dt.time(), dt.UTC))
    with _fonts(pdf):
        pdf.add_page()
        _heading(pdf, claim, lang, office, today)
        _parties(pdf, claim, lang)
        _eligibility(pdf, claim, lang)
        _benefit(pdf, claim, lang)
        _scholarships(pdf, claim, lang)
        _decision(pdf, claim, lang)
        return bytes(pdf.output())


def _parties(pdf: FPDF, claim: ClaimView, lang: str) -> None:
    """The participant and the event at the left, the payee and the account at the right."""
    payee = claim.payee
    months = claim.contribution_months
    worker: Fields = [
        (t("claims.letter.field.name", lang), claim.name),
        (t("claims.letter.field.nik", lang), _masked(claim.nik)),
        (t("claims.letter.field.sponsor", lang), claim.sponsor),
        (t("claims.letter.field.agreement", lang), claim.agreement),
    ]
    event: Fields = [
        (t("claims.letter.field.type", lang), _message_or_code(f"claims.type.{claim.type}", lang)),
        (t("claims.letter.field.event_date", lang), format_date(claim.event_date, lang)),
        (t("claims.letter.field.contribution_months", lang),
         t("claims.letter.months", lang, months=format_count(months, lang)) if months is not None else None),
        (t("claims.letter.field.base", lang), rp(claim.base) if claim.base is not None else None),
        (t("claims.letter.field.reopens", lang), claim.reopens),
    ]
    to: Fields = [
        (t("claims.letter.field.name", lang), payee.name),
        (t("claims.letter.field.relationship", lang), relationship_label(payee.relationship, lang)),
        (t("claims.letter.field.note", lang), _message_or_code(payee.note, lang) if payee.note else None),
        (t("claims.letter.field.bank", lang), payee.account_bank),
        (t("claims.letter.field.account_number", lang), payee.account_number),
        (t("claims.letter.field.account_holder", lang), payee.account_holder),
    ]
    _columns(pdf, [(t("claims.letter.section.worker", lang), worker), (t("claims.letter.section.event", lang), event)],
             [(t("claims.letter.section.payee", lang), to)])


def _eligibility(pdf: FPDF, claim: ClaimView, lang: str) -> None:
    if claim.eligible and claim.status != "rejected":
        return
    _keep(pdf, 30)
    _section(pdf, t("claims.letter.section.eligibility", lang))
    if not claim.eligible:
        reason = _message_or_code(claim.reason, lang, who=claim.name, date=format_date(claim.event_date, lang)) \
            if claim.reason else "-"
        _paragraph(pdf, t("claims.letter.not_eligible", lang, reason=reason), bold=True)
        if claim.reason_reference:
            _paragraph(pdf, t("claims.letter.reference", lang, reference=claim.reason_reference),
                       size=SMALL_PT, color=MUTED)
        pdf.ln(1.5)
    if claim.status == "rejected":
        reason = _rejection_text(claim.rejected_reason, lang) if claim.rejected_reason else "-"
        _paragraph(pdf, t("claims.letter.rejected", lang, reason=reason), bold=True)
        if claim.rejected_note:
            _paragraph(pdf, t("claims.letter.rejected_note", lang, note=mask_niks_in_text(claim.rejected_note)))


def _benefit(pdf: FPDF, claim: ClaimView, lang: str) -> None:
    """The components paid and the total, in figures and in words; the basis of the calculation (the
    income bracket, the coverage, the scholarship's condition) in a line under them."""
    paid = [c for c in claim.components if c.code not in BASIS_CODES]
    basis = [c for c in claim.components if c.code in BASIS_CODES]
    if paid or claim.total:
        _keep(pdf, 45)
        _section(pdf, t("claims.letter.section.benefit", lang))
        unverified = _components_table(pdf, paid, claim.total, lang)
        pdf.ln(1.5)
        words = _capitalised(amount_in_words(claim.total, lang))
        _paragraph(pdf, t("claims.letter.in_words", lang, words=words), bold=True)
        if unverified:
            _paragraph(pdf, t("claims.letter.unverified", lang), size=NOTE_PT, color=MUTED)
    if basis:
        items = "; ".join(f"{component_label(c.code, lang)}: {c.arithmetic}" for c in basis)
        _paragraph(pdf, t("claims.letter.basis", lang, items=items), size=SMALL_PT, color=MUTED)
    if claim.notes:
        notes = " ".join(mask_niks_in_text(_message_or_code(n, lang)) for n in claim.notes)
        _paragraph(pdf, t("claims.letter.notes", lang, notes=notes), size=SMALL_PT)


def _scholarships(pdf: FPDF, claim: ClaimView, lang: str) -> None:
    if not claim.children:
        return
    _keep(pdf, 35)
    _section(pdf, t("claims.letter.section.scholarship", lang))
    _children_table(pdf, claim, lang)
    pdf.ln(1.5)
    if claim.type != "scholarship":
        _paragraph(pdf, t("claims.letter.scholarship.separate", lang), size=SMALL_PT, color=MUTED)


def _decision(pdf: FPDF, claim: ClaimView, lang: str) -> None:
    """Who decided and when, the payment when there is one, the closing sentence and the signature:
    kept together on one page, so that the signature never stands on a page of its own."""
    _keep(pdf, 30 + (40 if _decided_by(claim) else 0) + (12 if claim.payment else 0))
    _section(pdf, t("claims.letter.section.approval", lang))
    decided = _decided_by(claim)
    if decided is not None:
        by, at = decided
        key = "claims.letter.rejected_by" if claim.status == "rejected" else "claims.letter.approved"
        _paragraph(pdf, t(key, lang, by=by, date=_day(at, lang) if at else "-"))
    else:
        _paragraph(pdf, t("claims.letter.not_approved", lang))
    if claim.payment is not None:
        p = claim.payment
        _paragraph(pdf, t("claims.letter.paid", lang, date=format_date(p.paid_on, lang), amount=rp(p.amount),
                          reference=p.reference))
        if p.account_bank or p.account_number:
            _paragraph(pdf, t("claims.letter.paid_to", lang, bank=p.account_bank or "", number=p.account_number or "",
                              holder=p.account_holder or "-"))
    pdf.ln(3)
    _paragraph(pdf, t("claims.letter.closing", lang))
    _signature(pdf, claim, lang)
