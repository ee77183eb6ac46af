"""What Lindung's PDFs share (the claims' decision letter, the payment receipt, a sponsor's impact
report): an A4 page with DejaVu Sans embedded (vendored under ``lindung/static/fonts``: no system
font), the colours, a section's heading, label-and-value fields, a paragraph, a footer with who made
the document and "page n of m", and two simple charts drawn in the PDF itself (horizontal bars with
their labels and values; a column per month).

Every word comes from the caller (the message catalogues); this module writes none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# Layout, in millimetres and points. (No literal here may equal a rate of the law's parameters:
# tests/rules/test_no_law_in_code.py reads every number in the code.)
MARGIN = 20.0
NOTE_PT = 7.5
INK = (33, 37, 41)
MUTED = (95, 102, 110)
ACCENT = (22, 55, 95)
RULE = (170, 178, 189)
HEAD_FILL = (228, 233, 240)
TOTAL_FILL = (243, 245, 248)
BAR = (46, 94, 150)
BAR_LIGHT = (214, 224, 238)

HEAD = FontFace(emphasis="BOLD", color=INK, fill_color=HEAD_FILL)
TOTAL = FontFace(emphasis="BOLD", fill_color=TOTAL_FILL)

Color = tuple[int, int, int]


class Document(FPDF):
    """An A4 portrait page with Lindung's margins and a footer: ``footer_left`` at the left and
    ``page_text`` (a text with ``{page}`` and ``{pages}``) at the right, on every page."""

    def __init__(self, lang: str, *, footer_left: str, page_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.lang = lang
        self.footer_left = footer_left
        self.page_text = page_text
        self.set_margins(MARGIN, 18, MARGIN)
        self.set_auto_page_break(True, margin=22)
        self.alias_nb_pages()

    def describe(self, *, title: str, subject: str, author: str | None, lang: str, day: dt.date) -> None:
        """The document's properties (title, subject, author, language, creation date)."""
        self.set_title(title)
        self.set_subject(subject)
        self.set_author(author or "Lindung")
        self.set_creator("Lindung")
        self.set_lang(lang)
        self.set_creation_date(dt.datetime.combine(day, dt.time(), dt.UTC))

    def footer(self) -> None:
        self.set_y(-15)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FONT, "", NOTE_PT)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 4, self.footer_left, align="L")
        self.cell(self.epw / 2, 4, self.page_text.format(page=self.page_no(), pages="{nb}"), align="R")


@contextmanager
def fonts(pdf: FPDF) -> Iterator[None]:
    """DejaVu Sans regular and bold from the package's own files (a real path, even when the package
    is zipped)."""
    folder = resources.files("lindung") / "static" / "fonts"
    with ExitStack() as stack:
        for style, name in FONT_FILES.items():
            path: Path = stack.enter_context(resources.as_file(folder / name))
            pdf.add_font(FONT, style, str(path))
        yield


def keep(pdf: FPDF, height: float) -> None:
    """A new page unless ``height`` millimetres are left on this one."""
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()


def section(pdf: FPDF, title: str, *, before: float = 2.5) -> None:
    """A section's heading with a rule under it, across the current margins."""
    pdf.ln(before)
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "B", 10.5)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.2)
    pdf.set_text_color(*INK)


def paragraph(pdf: FPDF, text: str, *, size: float = 9.5, bold: bool = False, color: Color = INK) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size / 2, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def fields(pdf: FPDF, rows: Sequence[tuple[str, str | None]], *, label_share: float = 0.41, size: float = 9,
           line_height: float = 4.4, padding: tuple[float, float, float, float] = (0.45, 1.5, 0.45, 0)) -> None:
    """Label and value side by side, each wrapping in its own column; a row without a value is left out."""
    shown = [(label, value) for label, value in rows if value]
    if not shown:
        return
    pdf.set_font(FONT, "", size)
    label_style = FontFace(color=MUTED)
    with pdf.table(col_widths=(label_share, 1 - label_share), width=pdf.epw, align="LEFT",
                   borders_layout="NONE", first_row_as_headings=False, text_align="LEFT", v_align="TOP",
                   line_height=line_height, padding=padding) as table:
        for label, value in shown:
            row = table.row()
            row.cell(label, style=label_style)
            row.cell(value)


def table_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)


def small_table(pdf: FPDF, head: Sequence[str], rows: Sequence[Sequence[str]], *,
                widths: Sequence[float] | None = None, size: float = 8) -> None:
    """A plain table: a heading row, then the rows; every column but the first aligned right."""
    table_lines(pdf)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_font(FONT, "", size)
    aligns = ["LEFT", *["RIGHT"] * (len(head) - 1)]
    with pdf.table(col_widths=tuple(widths) if widths else None, width=pdf.epw, align="LEFT",
                   headings_style=HEAD, line_height=size / 2 + 1, padding=(1, 1.5, 1, 1.5),
                   text_align=tuple(aligns), borders_layout="HORIZONTAL_LINES") as table:
        row = table.row()
        for cell in head:
            row.cell(cell)
        for values in rows:
            row = table.row()
            for cell in values:
                row.cell(cell)


def bar_chart(pdf: FPDF, bars: Sequence[tuple[str, int, str]], *, label_share: float = 0.34,
              bar_height: float = 5.0, gap: float = 1.6, size: float = 8) -> None:
    """Horizontal bars: for each (label, value, value as text) the label at the left, a bar as long as
    the value against the largest, and the text after the bar."""
    if not bars:
        return
    keep(pdf, len(bars) * (bar_height + gap) + 4)
    top = pdf.get_y() + 1
    left = pdf.l_margin
    label_w = pdf.epw * label_share
    text_w = 24.0
    track = pdf.epw - label_w - text_w - 2
    largest = max(value for _l, value, _t in bars) or 1
    pdf.set_font(FONT, "", size)
    for i, (label, value, text) in enumerate(bars):
        y = top + i * (bar_height + gap)
        pdf.set_text_color(*INK)
        pdf.set_xy(left, y)
        shown = label
        while shown and pdf.get_string_width(shown) > label_w - 2:
            shown = shown[:-2] + "…" if len(shown) > 2 else ""
        pdf.cell(label_w - 2, bar_height, shown, align="R")
        pdf.set_fill_color(*BAR_LIGHT)
        inset = bar_height / 8
        pdf.rect(left + label_w, y + inset, track, bar_height - 2 * inset, style="F")
        width = track * value / largest
        if width > 0:
            pdf.set_fill_color(*BAR)
            pdf.rect(left + label_w, y + inset, max(width, inset), bar_height - 2 * inset, style="F")
        pdf.set_xy(left + label_w + track + 2, y)
        pdf.set_font(FONT, "B", size)
        pdf.cell(text_w, bar_height, text, align="L")
        pdf.set_font(FONT, "", size)
    pdf.set_xy(left, top + len(bars) * (bar_height + gap) + 1)
    pdf.set_text_color(*INK)


def column_chart(pdf: FPDF, columns: Sequence[tuple[str, int, str]], *, height: float = 42.0,
                 size: float = 7) -> None:
    """A column per (label, value, value as text), e.g. a month: the columns' heights against the
    largest, the value over each column and the label under it, on a base line."""
    if not columns:
        return
    keep(pdf, height + 14)
    top = pdf.get_y() + 5
    base = top + height
    left = pdf.l_margin
    slot = pdf.epw / len(columns)
    width = slot * 3 / 5
    largest = max(value for _l, value, _t in columns) or 1
    pdf.set_font(FONT, "", size)
    for i, (label, value, text) in enumerate(columns):
        x = left + i * slot
        tall = height * value / largest
        if tall > 0:
            pdf.set_fill_color(*BAR)
            pdf.rect(x + (slot - width) / 2, base - tall, width, tall, style="F")
        pdf.set_text_color(*INK)
        pdf.set_xy(x, base - tall - 4)
        pdf.cell(slot, 4, text, align="C")
        pdf.set_text_color(*MUTED)
        pdf.set_xy(x, base + 1)
        pdf.cell(slot, 4, label, align="C")
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.line(left, base, left + pdf.epw, base)
    pdf.set_text_color(*INK)
    pdf.set_xy(left, base + 7)
