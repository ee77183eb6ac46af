"""Who receives a death benefit (rules.md 3.1): the first priority group with a member receives it.

With no heir and no will, the funeral cost goes to whoever arranged the funeral and the rest stays
in the fund.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lindung.rules.errors import InvalidInput
from lindung.rules.params import ParameterSet, Value, default_parameters

FUNERAL_ORGANISER = "funeral_organiser"


@dataclass(frozen=True, slots=True)
class Relative:
    name: str
    relationship: str  # a code of the heirs.priority parameter, or funeral_organiser


@dataclass(frozen=True, slots=True)
class HeirDecision:
    date: dt.date
    rank: int | None  # 1-based priority group that receives; None when nobody does
    recipients: tuple[Relative, ...]
    funeral_to: tuple[Relative, ...]  # receives the funeral cost when there is no heir
    rest_stays_in_fund: bool
    source: Value

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "rank": self.rank,
                "recipients": [{"name": r.name, "relationship": r.relationship} for r in self.recipients],
                "funeral_to": [{"name": r.name, "relationship": r.relationship} for r in self.funeral_to],
                "rest_stays_in_fund": self.rest_stays_in_fund, "reference": self.source.reference}


def determine_heirs(day: dt.date, relatives: Sequence[Relative], *,
                    params: ParameterSet | None = None) -> HeirDecision:
    """The living relatives given, in the legal order of ``heirs.priority`` in force on ``day``."""
    params = params or default_parameters()
    source = params.at("heirs.priority", day)
    groups: tuple[tuple[str, ...], ...] = source.value
    known = {c for g in groups for c in g} | {FUNERAL_ORGANISER}
    for r in relatives:
        if r.relationship not in known:
            raise InvalidInput("relationship", r.relationship, known=", ".join(sorted(known)))
    for rank, group in enumerate(groups, start=1):
        members = tuple(r for r in relatives if r.relationship in group)
        if members:
            return HeirDecision(day, rank, members, (), False, source)
    organisers = tuple(r for r in relatives if r.relationship == FUNERAL_ORGANISER)
    return HeirDecision(day, None, (), organisers, True, source)
