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


_MONTH_PATTERN = r"^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(0[1-9]|1[0-2])$"
"""The months ``Month`` accepts (year 0001-9999, month 01-12), so that no schema-valid month is refused."""

MonthText = Annotated[Month, BeforeValidator(_month), PlainSerializer(str, return_type=str),
                      WithJsonSchema({"type": "string", "pattern": _MONTH_PATTERN, "examples": ["2026-11"]})]
"""A contribution month: ``Month`` in Python, ``"2026-11"`` in JSON (``Month.parse`` reads it)."""
