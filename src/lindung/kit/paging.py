"""One page of a long list, cut in SQL: a service takes a ``Window`` (how many, from where) and gives
``Paged`` rows (that page, and how many match in all), so that no door ever loads a whole table.

``fetch`` runs a SELECT twice: once counted, once with ``LIMIT``/``OFFSET``. The statement must order
its rows on a unique key (``… ORDER BY created_at DESC, id DESC``) so that pages neither repeat nor
skip a row while nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

LIMIT_MAX = 500
"""The most rows one page may hold (the API's ``limit``)."""
LIMIT_DEFAULT = 100

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Window:
    """Which rows of a list: ``limit`` rows from the ``offset``-th (0 = the first)."""

    limit: int = LIMIT_DEFAULT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= LIMIT_MAX or self.offset < 0:
            raise ValueError(f"a window of 1..{LIMIT_MAX} rows from offset 0 or more")


@dataclass(frozen=True)
class Paged(Generic[T]):
    """A page of rows and the number of rows the whole list holds."""

    items: list[T]
    total: int
    window: Window

    def map(self, convert: Callable[[T], U]) -> Paged[U]:
        return Paged([convert(item) for item in self.items], self.total, self.window)


def fetch(session: Session, statement: Select[Any], window: Window) -> Paged[Any]:
    """The rows of ``statement`` in ``window`` (ORM entities when it selects one entity, rows
    otherwise) and how many it selects in all."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    page = statement.limit(window.limit).offset(window.offset)
    result = session.execute(page)
    entities = len(statement.column_descriptions) == 1 and isinstance(
        statement.column_descriptions[0].get("entity"), type)
    items: list[Any] = list(result.scalars().all()) if entities else list(result.all())
    return Paged(items, int(total), window)


def cut(rows: Sequence[T], window: Window) -> Paged[T]:
    """A page of a list that is already small and in memory (a sponsor's agreements, the roles):
    the same answer as ``fetch`` for lists that never grow with the registry."""
    return Paged(list(rows[window.offset:window.offset + window.limit]), len(rows), window)
