"""Arguments shared by the registry commands (sponsor, agreement, worker, enrol, db, demo)."""

from __future__ import annotations

import getpass
import os
import re

import typer

from lindung.kit.errors import InvalidInput
from lindung.rules.period import Month

JsonOption = typer.Option(False, "--json", help="Keluaran JSON.")
_GROUPED = re.compile(r"^\d{1,3}(?:([._])\d{3})+$")


def default_actor() -> str:
    """Who runs the command when ``--by`` is not given: LINDUNG_USER, else the login name."""
    env = os.environ.get("LINDUNG_USER", "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        return "unknown"


def actor(by: str | None) -> str:
    return by.strip() if by and by.strip() else default_actor()


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
