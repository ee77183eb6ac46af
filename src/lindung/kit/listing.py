"""The CSV lists' words in the reader's language: one place maps a column to its header and a value's
code to its label.

Services give rows of raw values (codes: ``active``, ``L``, ``transport``, ``True``); a list's
``CsvList`` names its columns and, for the columns whose values are codes, the ``Labels`` of those
codes. Headers are the messages ``list.col.<column>``. Identifiers (agreement and payment codes, region
codes, NIKs, ISO dates, months) and numbers (whole rupiah, counts) are written as they are, so the rows
stay machine-readable; only the words change with ``--lang``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lindung.kit.i18n import t


@dataclass(frozen=True)
class Labels:
    """The labels of a column's codes: ``codes`` is every code the column holds (a test renders them
    all in both languages); a value outside them is written as it is."""

    codes: tuple[Any, ...]
    label_of: Callable[[Any, str], str]

    def __call__(self, value: Any, lang: str) -> Any:
        return self.label_of(value, lang) if value in self.codes else value


def coded(prefix: str, codes: Iterable[str]) -> Labels:
    """Labels that are the messages ``{prefix}.{code}``."""
    return Labels(tuple(codes), lambda code, lang: t(f"{prefix}.{code}", lang))


YES_NO = Labels((True, False), lambda value, lang: t("ui.yes" if value else "ui.no", lang))
"""A flag: ya/tidak, yes/no."""


@dataclass(frozen=True)
class CsvList:
    """A list's columns (the keys of its rows, in order) and the labels of its coded columns."""

    columns: tuple[str, ...]
    labels: Mapping[str, Labels] = field(default_factory=dict)

    def header(self, column: str, lang: str) -> str:
        return t(f"list.col.{column}", lang)

    def headers(self, lang: str) -> list[str]:
        return [self.header(column, lang) for column in self.columns]

    def cells(self, row: Mapping[str, Any], lang: str) -> list[Any]:
        """The row's values in column order, each code as its label."""
        out = []
        for column in self.columns:
            value = row.get(column, "")
            labels = self.labels.get(column)
            out.append(labels(value, lang) if labels is not None else value)
        return out
