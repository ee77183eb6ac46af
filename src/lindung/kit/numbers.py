"""How large a whole number a person may give Lindung: a quota, a budget, an income, a payment, a
number of days or months. Large enough for any real case, small enough that each value fits the column
it is stored in (PostgreSQL's ``integer`` and ``bigint``, SQLite's 64-bit integer) and a sum of a
thousand of them too. A value beyond its bound is refused with the bound named, before anything is
written; without the bound PostgreSQL stopped the command with a traceback ("bigint out of range").

These are technical bounds, not the law: no rule of ``rules.md`` sets them, so they are not parameters.
"""

from __future__ import annotations

from typing import Any

from lindung.kit.errors import InvalidInput

MONEY_MAX = 999_999_999_999_999
"""Rupiah: 15 digits (Rp999 triliun), more than any budget, income or payment Lindung will see."""

COUNT_MAX = 100_000_000
"""Workers (a quota): more than Indonesia's 84 million informal workers; fits an ``integer``."""

MONTHS_MAX = 1_200
"""Months (of coverage, of contributions, of temporary incapacity): a hundred years."""

DAYS_MAX = 36_600
"""Days (to look ahead in a list): a hundred years."""


ID_MAX = 2_147_483_647
"""A row's number a person types (an import, a proposal): PostgreSQL's ``integer``. A larger one names
no row, and is refused as no such number rather than sent to the database."""


class TooLarge(InvalidInput):
    """A whole number above its bound: says which number, what was given and the most it may be."""

    def __init__(self, field: str, value: object, maximum: int, *, money: bool = False) -> None:
        super().__init__(field, value, reason="too_large", maximum=maximum, money=money)

    def shown_context(self, lang: str) -> dict[str, Any]:
        from lindung.kit.i18n import format_count, t
        from lindung.rules.money import rp

        context = dict(self.context)
        maximum = int(context["maximum"])
        context["maximum"] = rp(maximum) if context.pop("money") else format_count(maximum, lang)
        context["what"] = t(f"number.{context['field']}", lang)
        return context


def whole_number(value: object, field: str, *, minimum: int, maximum: int, money: bool = False) -> int:
    """``value`` when it is an int (not a bool) from ``minimum`` to ``maximum``; otherwise the error
    naming ``field`` (``invalid.<field>`` below the minimum or not a number, ``TooLarge`` above)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInput(field, value)
    if value > maximum:
        raise TooLarge(field, value, maximum, money=money)
    return value


def rupiah_amount(value: object, field: str, *, minimum: int = 0) -> int:
    """A sum of rupiah a person gives (a budget, an income, a payment)."""
    return whole_number(value, field, minimum=minimum, maximum=MONEY_MAX, money=True)
