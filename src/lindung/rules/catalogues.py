"""Catalogues that are not dated law: occupations (with the PP 50/2025 transport flag and the labels
sponsor spreadsheets use) and funding sources. Loaded strictly, like the parameters."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

from lindung.rules.errors import InvalidInput, ParameterError
from lindung.rules.params import strict_yaml

_FOLD = re.compile(r"[\s.\-/_]+")


def fold_label(text: str) -> str:
    """'Tukang  Ojek' / 'tukang-ojek' / 'TUKANG_OJEK' -> 'tukang ojek'."""
    return _FOLD.sub(" ", str(text)).strip().casefold()


@dataclass(frozen=True, slots=True)
class Occupation:
    code: str
    label_id: str
    label_en: str
    transport: bool
    aliases: tuple[str, ...]

    def label(self, lang: str = "id") -> str:
        return self.label_en if lang == "en" else self.label_id


@dataclass(frozen=True, slots=True)
class FundingSource:
    code: str
    label_id: str
    label_en: str
    bpjs_group: str | None

    def label(self, lang: str = "id") -> str:
        return self.label_en if lang == "en" else self.label_id


def _read(name: str) -> dict[str, Any]:
    text = resources.files("lindung.rules").joinpath("catalogues", f"{name}.yaml").read_text("utf-8")
    doc = strict_yaml(text, f"catalogues/{name}.yaml")
    if not isinstance(doc, dict) or set(doc) != {"reference", name}:
        raise ParameterError(f"catalogues/{name}.yaml", "(top)", f"expected keys reference and {name}")
    data: dict[str, Any] = doc[name]
    return data


@cache
def occupations() -> dict[str, Occupation]:
    out: dict[str, Occupation] = {}
    seen: dict[str, str] = {}
    for code, row in _read("occupations").items():
        file = "catalogues/occupations.yaml"
        if set(row) != {"id", "en", "transport", "aliases"} or not isinstance(row["transport"], bool):
            raise ParameterError(file, code, "expected id, en, transport (true/false), aliases")
        occ = Occupation(code, row["id"], row["en"], row["transport"], tuple(row["aliases"]))
        for label in (code, occ.label_id, occ.label_en, *occ.aliases):
            folded = fold_label(label)
            if seen.get(folded, code) != code:
                raise ParameterError(file, code, f"label {label!r} also maps to {seen[folded]}")
            seen[folded] = code
        out[code] = occ
    return out


class _Labelled(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def label_id(self) -> str: ...
    @property
    def label_en(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


def _folded_labels(entries: Iterable[_Labelled]) -> dict[str, str]:
    """Folded code, labels and aliases of each catalogue entry -> its code."""
    return {fold_label(text): e.code for e in entries for text in (e.code, e.label_id, e.label_en, *e.aliases)}


@cache
def _occupation_labels() -> dict[str, str]:
    return _folded_labels(occupations().values())


def match_occupation(label: str) -> Occupation | None:
    """Code, label or alias (case-insensitive) -> occupation; None when it cannot be mapped."""
    code = _occupation_labels().get(fold_label(label))
    return occupations()[code] if code else None


def occupation(label: str) -> Occupation:
    found = match_occupation(label)
    if found is None:
        raise InvalidInput("occupation", label, known=", ".join(occupations()))
    return found


@cache
def funding_sources() -> dict[str, FundingSource]:
    out = {}
    for code, row in _read("funding_sources").items():
        if set(row) != {"id", "en", "bpjs_group"}:
            raise ParameterError("catalogues/funding_sources.yaml", code, "expected id, en, bpjs_group")
        out[code] = FundingSource(code, row["id"], row["en"], row["bpjs_group"])
    return out


def funding_source(code: str) -> FundingSource:
    found = funding_sources().get(str(code).strip().casefold())
    if found is None:
        raise InvalidInput("funding", code, known=", ".join(funding_sources()))
    return found


@dataclass(frozen=True, slots=True)
class Relationship:
    code: str
    label_id: str
    label_en: str
    aliases: tuple[str, ...]

    def label(self, lang: str = "id") -> str:
        return self.label_en if lang == "en" else self.label_id


@cache
def relationships() -> dict[str, Relationship]:
    out = {}
    for code, row in _read("relationships").items():
        if set(row) != {"id", "en", "aliases"}:
            raise ParameterError("catalogues/relationships.yaml", code, "expected id, en, aliases")
        out[code] = Relationship(code, row["id"], row["en"], tuple(row["aliases"]))
    return out


@cache
def _relationship_labels() -> dict[str, str]:
    return _folded_labels(relationships().values())


def match_relationship(label: str) -> Relationship | None:
    """Code, label or alias (case, spaces and punctuation folded) -> relationship; None when unknown."""
    code = _relationship_labels().get(fold_label(label))
    return relationships()[code] if code is not None else None


def relationship(label: str) -> Relationship:
    """Code or alias (case-insensitive) -> relationship; InvalidInput when unknown."""
    found = match_relationship(label)
    if found is None:
        raise InvalidInput("relationship", label, known=", ".join(relationships()))
    return found
