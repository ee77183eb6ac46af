"""Membership cards as PDF: one card (ID-1, 85,6 × 54 mm) or an A4 sheet of cards (2 × 5, with cut marks)
for a sponsor to hand out, drawn from ``CardView``s.

Every word comes from the catalogue (``card.pdf.*``) in the reader's language, DejaVu Sans is embedded
from the package's own files (as the claims' letters do), and the QR code (``segno``) holds only the
card's verification address, ``<base>/kartu/<token>``: no name, no NIK. The NIK printed is masked.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from importlib import resources
from pathlib import Path

import segno
from fpdf import FPDF

from lindung.cards.schemas import CardSheet, CardView
from lindung.kit.i18n import LANGS, format_date, t

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# The card (ISO/IEC 7810 ID-1) and its layout, in millimetres and points. No literal here may equal a
# parameter of the law (tests/rules/test_no_law_in_code.py).
CARD_W = 85.6
CARD_H = 54.0
PAD = 3.5
BAND_H = 11.0
QR_SIZE = 25.0
RADIUS = 3.0
TITLE_PT = 7.0
SUBTITLE_PT = 5.2
NAME_PT = 9.0
NAME_MIN_PT = 6.0
LABEL_PT = 5.0
VALUE_PT = 7.0
STATUS_PT = 7.2
NOTE_PT = 4.6
QR_SCALE = 8
"""Pixels per QR module in the embedded image (a sharp image a phone and a decoder read well)."""

# The sheet: A4 portrait, cards edge to edge, cut marks outside the grid.
COLUMNS = 2
ROWS = 5
A4_W = 210.0
A4_H = 297.0
MARK = 4.0
MARK_GAP = 1.5
HEADER_PT = 7.0

INK = (33, 37, 41)
MUTED = (95, 102, 110)
ACCENT = (22, 55, 95)
WHITE = (255, 255, 255)
RULE = (170, 178, 189)
GOOD = (24, 106, 59)
BAD = (176, 42, 42)


def verification_url(base: str, token: str) -> str:
    """The address a card's QR code holds: ``<base>/kartu/<token>``."""
    return f"{base.rstrip('/')}/kartu/{token}"


def _qr_png(url: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=QR_SCALE, border=4)
    out.seek(0)
    return out


@contextmanager
def _fonts(pdf: FPDF) -> Iterator[None]:
    """DejaVu Sans regular and bold from the package's own files (a real path, even when zipped)."""
    folder = resources.files("lindung") / "static" / "fonts"
    with ExitStack() as stack:
        for style, name in FONT_FILES.items():
            path: Path = stack.enter_context(resources.as_file(folder / name))
            pdf.add_font(FONT, style, str(path))
        yield


def _fitted(pdf: FPDF, text: str, width: float, size: float, smallest: float, style: str = "") -> str:
    """Sets the largest font size from ``size`` down to ``smallest`` at which ``text`` fits ``width``;
    a text too long even then is cut with an ellipsis."""
    while size > smallest:
        pdf.set_font(FONT, style, size)
        if pdf.get_string_width(text) <= width:
            return text
        size -= 0.25
    pdf.set_font(FONT, style, smallest)
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…" if text else text


def _line(pdf: FPDF, x: float, y: float, width: float, label: str, value: str) -> float:
    """A label and its value under it; returns the y after them."""
    pdf.set_xy(x, y)
    pdf.set_font(FONT, "", LABEL_PT)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 2.4, label)
    pdf.set_xy(x, y + 2.3)
    pdf.set_text_color(*INK)
    shown = _fitted(pdf, value, width, VALUE_PT, LABEL_PT)
    pdf.cell(width, 3.2, shown)
    return y + 6.1


def _card(pdf: FPDF, card: CardView, x0: float, y0: float, base: str, lang: str, *, outline: bool) -> None:
    """One card with its top left corner at (x0, y0)."""
    if outline:
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        pdf.rect(x0, y0, CARD_W, CARD_H, style="D", round_corners=True, corner_radius=RADIUS)
    # The band: the title on the house's blue.
    pdf.set_fill_color(*ACCENT)
    pdf.rect(x0, y0, CARD_W, BAND_H, style="F", round_corners=("TOP_LEFT", "TOP_RIGHT"),  # type: ignore[arg-type]
             corner_radius=RADIUS)
    pdf.set_text_color(*WHITE)
    inner = CARD_W - 2 * PAD
    pdf.set_xy(x0 + PAD, y0 + 1.6)
    pdf.cell(inner, 4, _fitted(pdf, t("card.pdf.title", lang), inner, TITLE_PT, LABEL_PT, "B"))
    pdf.set_xy(x0 + PAD, y0 + 6.0)
    pdf.cell(inner, 3.5, _fitted(pdf, t("card.pdf.subtitle", lang), inner, SUBTITLE_PT, NOTE_PT))
    # The holder and what covers them, at the left.
    left = CARD_W - QR_SIZE - 3 * PAD
    x = x0 + PAD
    y = y0 + BAND_H + 2.2
    pdf.set_text_color(*INK)
    pdf.set_xy(x, y)
    pdf.cell(left, 4.2, _fitted(pdf, card.name, left, NAME_PT, NAME_MIN_PT, "B"))
    y += 5.2
    y = _line(pdf, x, y, left, t("card.pdf.nik", lang), card.nik)
    y = _line(pdf, x, y, left, t("card.pdf.programmes", lang), t("card.pdf.programmes_value", lang))
    y = _line(pdf, x, y, left, t("card.pdf.sponsor", lang), card.sponsor or "-")
    # Protection on the day of printing.
    if card.protected and card.protected_until is not None:
        status, colour = t("card.pdf.protected_until", lang, date=format_date(card.protected_until, lang)), GOOD
    else:
        status, colour = t("card.pdf.not_protected", lang), BAD
    pdf.set_text_color(*colour)
    pdf.set_xy(x, y + 0.3)
    pdf.cell(left, 3.4, _fitted(pdf, status, left, STATUS_PT, LABEL_PT, "B"))
    pdf.set_text_color(*MUTED)
    pdf.set_xy(x, y0 + CARD_H - PAD - 2.2)
    note = t("card.pdf.printed", lang, date=format_date(card.printed_on, lang))
    pdf.cell(left, 2.4, _fitted(pdf, note, left, NOTE_PT, NOTE_PT - 1))
    # The QR code of the verification address, at the right.
    qx = x0 + CARD_W - PAD - QR_SIZE
    qy = y0 + BAND_H + 2.0
    pdf.image(_qr_png(verification_url(base, card.token)), x=qx, y=qy, w=QR_SIZE, h=QR_SIZE)
    pdf.set_xy(qx - 2, qy + QR_SIZE + 0.8)
    pdf.set_font(FONT, "", NOTE_PT)
    pdf.cell(QR_SIZE + 4, 2.4, _fitted(pdf, t("card.pdf.scan", lang), QR_SIZE + 4, NOTE_PT, NOTE_PT - 1), align="C")
    pdf.set_text_color(*INK)


def _new(lang: str, title: str, today: dt.date, fmt: tuple[float, float] | str) -> FPDF:
    """A PDF of pages ``fmt`` (width, height in mm, or a paper's name), nothing printed on by itself."""
    pdf = FPDF(unit="mm", format=fmt)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(title)
    pdf.set_author("Lindung")
    pdf.set_creator("Lindung")
    pdf.set_lang(lang)
    pdf.set_creation_date(dt.datetime.combine(today, dt.time(), dt.UTC))
    return pdf


def render_card(card: CardView, *, base: str, lang: str = "id") -> bytes:
    """One card, on a page of the card's own size, as PDF bytes."""
    lang = lang if lang in LANGS else "id"
    pdf = _new(lang, t("card.pdf.title", lang), card.printed_on, (CARD_W, CARD_H))
    with _fonts(pdf):
        pdf.add_page()
        _card(pdf, card, 0, 0, base, lang, outline=False)
        return bytes(pdf.output())


def _cut_marks(pdf: FPDF, left: float, top: float, columns: int, rows: int) -> None:
    """Short lines outside the grid at every edge between cards, where the scissors go."""
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.2)
    right = left + columns * CARD_W
    bottom = top + rows * CARD_H
    for c in range(columns + 1):
        x = left + c * CARD_W
        pdf.line(x, top - MARK_GAP - MARK, x, top - MARK_GAP)
        pdf.line(x, bottom + MARK_GAP, x, bottom + MARK_GAP + MARK)
    for r in range(rows + 1):
        y = top + r * CARD_H
        pdf.line(left - MARK_GAP - MARK, y, left - MARK_GAP, y)
        pdf.line(right + MARK_GAP, y, right + MARK_GAP + MARK, y)


def _pages(cards: Sequence[CardView]) -> list[Sequence[CardView]]:
    per_page = COLUMNS * ROWS
    return [cards[i:i + per_page] for i in range(0, len(cards), per_page)] or [()]


def render_sheet(sheet: CardSheet, *, base: str, lang: str = "id", today: dt.date) -> bytes:
    """Every card of the sheet on A4 pages, ``COLUMNS`` × ``ROWS`` a page with cut marks, as PDF bytes."""
    lang = lang if lang in LANGS else "id"
    title = t("card.pdf.sheet_title", lang, agreement=sheet.agreement, sponsor=sheet.sponsor)
    pdf = _new(lang, title, today, "A4")
    left = (A4_W - COLUMNS * CARD_W) / 2
    top = (A4_H - ROWS * CARD_H) / 2
    pages = _pages(sheet.cards)
    with _fonts(pdf):
        for number, cards in enumerate(pages, start=1):
            pdf.add_page()
            pdf.set_font(FONT, "", HEADER_PT)
            pdf.set_text_color(*MUTED)
            pdf.set_xy(left, 2.5)
            pdf.cell(COLUMNS * CARD_W, 3, title)
            pdf.set_xy(left, A4_H - top + MARK_GAP + MARK + 0.8)
            pdf.cell(COLUMNS * CARD_W, 3, t("card.pdf.sheet_page", lang, page=number, pages=len(pages)), align="R")
            _cut_marks(pdf, left, top, COLUMNS, ROWS)
            for i, card in enumerate(cards):
                row, column = divmod(i, COLUMNS)
                _card(pdf, card, left + column * CARD_W, top + row * CARD_H, base, lang, outline=True)
        return bytes(pdf.output())
