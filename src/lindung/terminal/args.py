"""Arguments the commands share: ``--json``, and numbers and months as people type them."""

from __future__ import annotations

import re

import typer

from lindung.kit.errors import InvalidInput
from lindung.rules.period import Month

JsonOption = typer.Option(False, "--json", help="Keluaran JSON.")
_GROUPED = re.compile(r"^\d{1,3}(?:([._])\d{3})+$")


def int_arg(value: str | None, field: str) -> int | None:
    """'201600000', '201.600.000' or '201_600_000' -> 201600000; None stays None."""
    if value is None:
        return None
    text = value.strip()
    if _GROUPED.match(text):
        text = text.replace(".", "").replace("_", "")
    if not text.isascii() or not text.lstrip("-").isdigit():
        raise InvalidInput(field, value)
    return int(text)


def month_arg(value: str | None) -> Month | None:
    return None if value is None else Month.parse(value)
