"""The receipt of a payment (tanda bukti penerimaan iuran) as a PDF, drawn from a ``Receipt``.

A4, DejaVu Sans embedded (the package's own fonts under ``lindung/static/fonts``, as the claims'
decision letter), every text from the message catalogues (``billing.pdf.*``), dates in the language's
long form, amounts as Rp8.400.000 in both languages and in words (the terbilang of
``kit.lokal.terbilang_rupiah``). A receipt names no worker: it says which worker-months of which bill
the payment settled, so it holds no personal data beyond the sponsor's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from importlib import resources
from pathlib import Path

from babel.dates import format_date as babel_date
from fpdf import FPDF
from fpdf.fonts import FontFace

from lindung.billing.schemas import Receipt
from lindung.kit.i18n import LANGS, format_count, format_date, t
from lindung.kit.lokal import terbilang_rupiah
from lindung.rules.money import rp
from lindung.rules.period import Month

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# Layout, in millimetres and points.
MARGIN = 20.0
INK = (33, 37, 41)
MUTED = (95, 102, 110)
ACCENT = (22, 55, 95)
RULE = (170, 178, 189)
HEAD = FontFace(emphasis="BOLD", color=INK, fill_color=(228, 233, 240))
TOTAL = FontFace(emphasis="BOLD", fill_color=(243, 245, 248))


@contextmanager
def _fonts(pdf: FPDF) -> Iterator[None]:
    """DejaVu Sans regular and bold from the package's own files (a real path, even when zipped)."""
    folder = resources.files("lindung") / "static" / "fonts"
    with ExitStack() as stack:
        for style, name in FONT_FILES.items():
            path: Path = stack.enter_context(resources.as_file(folder / name))
            pdf.add_font(FONT, style, str(path))
        yield


def month_text(month: Month | str, lang: str) -> str:
    """``Januari 2027`` / ``January 2027``."""
    m = Month.parse(month) if isinstance(month, str) else month
    return str(babel_date(dt.date(m.year, m.month, 1), format="LLLL y", locale="id" if lang == "id" else "en"))


class _Receipt(FPDF):
    def __init__(self, lang: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.lang = lang
        self.set_margins(MARGIN, 18, MARGIN)
        self.set_auto_page_break(True, margin=22)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-15)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 4, t("billing.pdf.footer", self.lang), align="L")
        self.cell(self.epw / 2, 4, t("billing.pdf.page", self.lang, page=self.page_no(), pages="{nb}"), align="R")


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 10.5)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.2)
    pdf.set_text_color(*INK)


def _fields(pdf: FPDF, rows: Sequence[tuple[str, str]]) -> None:
    pdf.set_font(FONT, "", 9)
    with pdf.table(col_widths=(0.38, 0.62), width=pdf.epw, align="LEFT", borders_layout="NONE",
                   first_row_as_headings=False, text_align="LEFT", v_align="TOP", line_height=4.6,
                   padding=(1, 1.5, 1, 0)) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=FontFace(color=MUTED))
            row.cell(value)


def _paragraph(pdf: FPDF, text: str, *, size: float = 9.5, bold: bool = False) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, size / 2, text, align="L", new_x="LMARGIN", new_y="NEXT")


def render_receipt(receipt: Receipt, *, lang: str = "id", office: str | None = None) -> bytes:
    """The receipt as PDF bytes, in Indonesian (``lang="id"``) or English, with ``office`` (the
    branch's name) as its letterhead when given. Another language gives the Indonesian receipt."""
    lang = lang if lang in LANGS else "id"
    r = receipt
    pdf = _Receipt(lang)
    pdf.set_title(t("billing.pdf.subject", lang, number=r.receipt))
    pdf.set_subject(t("billing.pdf.title", lang))
    pdf.set_author(office or "Lindung")
    pdf.set_creator("Lindung")
    pdf.set_lang(lang)
    pdf.set_creation_date(dt.datetime.combine(r.issued_on, dt.time(), dt.UTC))
    with _fonts(pdf):
        pdf.add_page()
        if office:
            pdf.set_font(FONT, "B", 11)
            pdf.set_text_color(*ACCENT)
            pdf.multi_cell(0, 5.5, office, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, "B", 15)
        pdf.cell(0, 8, t("billing.pdf.title", lang), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        pdf.cell(0, 5.5, t("billing.pdf.number", lang, number=r.receipt), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        _paragraph(pdf, t("billing.pdf.received", lang, sponsor=r.sponsor.name, amount=rp(r.amount)))
        words = terbilang_rupiah(r.amount, lang)
        _paragraph(pdf, t("billing.pdf.in_words", lang, words=words[:1].upper() + words[1:]), bold=True)

        _section(pdf, t("billing.pdf.section.payment", lang))
        _fields(pdf, [
            (t("billing.pdf.field.amount", lang), rp(r.amount)),
            (t("billing.pdf.field.paid_on", lang), format_date(r.paid_on, lang)),
            (t("billing.pdf.field.reference", lang), r.reference),
            (t("billing.pdf.field.issued_on", lang), format_date(r.issued_on, lang)),
            (t("billing.pdf.field.recorded_by", lang), r.recorded_by),
        ])
        _section(pdf, t("billing.pdf.section.bill", lang))
        _fields(pdf, [
            (t("billing.pdf.field.payment_code", lang), r.payment_code),
            (t("billing.pdf.field.sponsor", lang), f"{r.sponsor.name} ({r.sponsor.code})"),
            (t("billing.pdf.field.agreement", lang), r.agreement),
            (t("billing.pdf.field.cycle", lang), t("billing.pdf.cycle", lang, start=month_text(r.cycle.start, lang),
                                                    end=month_text(r.cycle.end, lang))),
        ])

        _section(pdf, t("billing.pdf.section.allocation", lang))
        if r.allocation:
            pdf.set_draw_color(*RULE)
            pdf.set_line_width(0.2)
            pdf.set_font(FONT, "", 8.5)
            with pdf.table(col_widths=(50, 40, 40), width=pdf.epw, align="LEFT", borders_layout="HORIZONTAL_LINES",
                           headings_style=HEAD, text_align="LEFT", v_align="TOP", line_height=4.2,
                           padding=(1.4, 1.5, 1.4, 1.5)) as table:
                heading = table.row()
                heading.cell(t("billing.pdf.col.month", lang))
                heading.cell(t("billing.pdf.col.worker_months", lang), align="RIGHT")
                heading.cell(t("billing.pdf.col.amount", lang), align="RIGHT")
                for a in r.allocation:
                    row = table.row()
                    row.cell(month_text(a.month, lang))
                    row.cell(format_count(a.worker_months, lang), align="RIGHT")
                    row.cell(rp(a.amount), align="RIGHT")
                last = table.row()
                last.cell(t("billing.pdf.col.total", lang), style=TOTAL)
                last.cell(format_count(r.worker_months, lang), align="RIGHT", style=TOTAL)
                last.cell(rp(r.allocated), align="RIGHT", style=TOTAL)
        else:
            _paragraph(pdf, t("billing.pdf.nothing_allocated", lang))
        pdf.ln(2)
        _paragraph(pdf, t("billing.pdf.credit", lang, before=rp(r.credit_before), used=rp(r.credit_used),
                          added=rp(r.credit_added), after=rp(r.credit_after)), size=8.5)
        _paragraph(pdf, t("billing.pdf.left", lang, months=format_count(r.bill.unpaid_worker_months, lang),
                          amount=rp(r.bill.unpaid), total=rp(r.bill.total)), size=8.5, bold=True)
        return bytes(pdf.output())
