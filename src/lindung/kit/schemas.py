"""What every domain's schemas share: the base model and the types that cross a door as text."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from lindung.rules.period import Month


class Schema(BaseModel):
    """A use case's input or output: immutable, and refusing fields it does not know."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _month(value: Any) -> Month:
    return value if isinstance(value, Month) else Month.parse(str(value))


MonthText = Annotated[Month, BeforeValidator(_month), PlainSerializer(str, return_type=str),
                      WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}$", "examples": ["2026-11"]})]
"""A contribution month: ``Month`` in Python, ``"2026-11"`` in JSON (``Month.parse`` reads it)."""
