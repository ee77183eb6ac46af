"""Jinja2 for the pages: one environment, every text from the message catalogues, values in the reader's
language.

A template says every word with ``t("code", field=…)`` (the catalogues of ``kit.i18n``; a test scans the
templates for text outside it) and shows a value with a filter that writes it as an Indonesian (or
English) reader expects it:

=================  ===========================================================
``|rp``            ``Rp16.800`` (rupiah keep the Indonesian form in both languages)
``|count``         ``12.000`` / ``12,000``
``|date``          ``7 Desember 2026`` / ``7 December 2026``
``|month``         ``Desember 2026`` / ``December 2026`` (a ``Month``, a date or ``2026-12``)
``|stamp``         ``7 Desember 2026 14:05 WIB`` (a stored time, in the branch's zone)
``|nik``           ``3216********0001`` (a NIK masked; a masked one stays as it is)
``|label(prefix)`` the catalogue's label of a code (``"paid"|label("status.bill.")``)
=================  ===========================================================

Autoescaping is on for every template. Templates live in ``web/templates``: the frame's in ``web/``,
each domain's in a folder of its name.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from babel.dates import format_date as babel_date
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from lindung.kit import clock
from lindung.kit.i18n import catalogue, format_count, format_date, t
from lindung.kit.privacy import mask_nik
from lindung.rules.money import rp
from lindung.rules.period import Month


def _lang(ctx: Context) -> str:
    lang = ctx.get("lang", "id")
    return lang if lang in ("id", "en") else "id"


def month_text(value: Month | dt.date | str | None, lang: str) -> str:
    """``Desember 2026``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = Month.parse(value)
    day = dt.date(value.year, value.month, 1)
    return str(babel_date(day, format="LLLL y", locale="id" if lang == "id" else "en"))


@pass_context
def _rp(ctx: Context, amount: int | None) -> str:
    return "" if amount is None else rp(int(amount))


@pass_context
def _count(ctx: Context, n: int | None) -> str:
    return "" if n is None else format_count(int(n), _lang(ctx))


@pass_context
def _date(ctx: Context, day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = clock.local(day).date()
    return format_date(day, _lang(ctx))


@pass_context
def _month(ctx: Context, value: Month | dt.date | str | None) -> str:
    return month_text(value, _lang(ctx))


@pass_context
def _stamp(ctx: Context, at: dt.datetime | None) -> str:
    return "" if at is None else clock.format_time(at, _lang(ctx))


def _nik(nik: str | None) -> str:
    if not nik:
        return ""
    return nik if "*" in nik else mask_nik(nik)


@pass_context
def _label(ctx: Context, code: object, prefix: str) -> str:
    """The catalogue's label for ``prefix + code``; the code itself when there is none."""
    if code is None:
        return ""
    key = f"{prefix}{code}"
    return t(key, _lang(ctx)) if key in catalogue() else str(code)


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("lindung.web", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters.update(rp=_rp, count=_count, date=_date, month=_month, stamp=_stamp, nik=_nik, label=_label)
    return env


def render(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(context)
