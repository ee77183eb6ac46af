"""Lists over HTTP: ``?limit=`` (1..500, 100 by default) and ``?offset=`` as a ``Window``, and one page
of a list as ``{"items", "total", "offset", "limit", "next_offset"}``. ``next_offset`` is where the next
page starts, or null on the last page."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict

from lindung.kit.paging import LIMIT_DEFAULT, LIMIT_MAX, Paged, Window

T = TypeVar("T")


def _window(limit: Annotated[int, Query(ge=1, le=LIMIT_MAX, description="Rows in this page (at most 500)")]
            = LIMIT_DEFAULT,
            offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Rows to skip")] = 0) -> Window:
    return Window(limit=limit, offset=offset)


PageWindow = Annotated[Window, Depends(_window)]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: list[T]
    total: int
    offset: int
    limit: int
    next_offset: int | None

    @classmethod
    def of(cls, paged: Paged[T]) -> Page[T]:
        end = paged.window.offset + len(paged.items)
        return cls(items=paged.items, total=paged.total, offset=paged.window.offset, limit=paged.window.limit,
                   next_offset=end if end < paged.total else None)
