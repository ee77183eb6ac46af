"""Tables the command line draws the same way in several commands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from rich.markup import escape
from rich.table import Table

from lindung.kit.i18n import component_label, t
from lindung.rules.money import rp

NO_AMOUNT = frozenset({"bracket", "coverage"})
"""Lines that explain a figure (the bracket, the coverage decision) rather than add one."""


class Explained(Protocol):
    """An explained amount: a rule's ``Component``, or a claim's ``ComponentView``."""

    @property
    def code(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def arithmetic(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def verified(self) -> bool: ...


def component_table(components: Iterable[Explained], lang: str, title: str | None = None) -> Table:
    """Components with their arithmetic; the legal references go below the table as numbered notes."""
    table = Table(title=title, title_justify="left", caption_justify="left")
    table.add_column(t("ui.component", lang))
    table.add_column(t("ui.arithmetic", lang))
    table.add_column(t("ui.amount", lang), justify="right")
    table.add_column(t("ui.reference", lang), justify="center")
    notes: list[str] = []
    for c in components:
        ref = c.reference + ("" if c.verified else f" [{t('ui.unverified', lang)}]")
        if ref not in notes:
            notes.append(ref)
        amount = rp(c.amount) if c.code not in NO_AMOUNT else ""
        table.add_row(escape(component_label(c.code, lang)), escape(c.arithmetic), amount,
                      escape(f"[{notes.index(ref) + 1}]"))
    table.caption = escape("\n".join(f"[{i}] {n}" for i, n in enumerate(notes, start=1)))
    return table
