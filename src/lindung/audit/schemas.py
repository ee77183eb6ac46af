"""What reading the audit log gives (the CLI's ``--json``; the API's body)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: dt.datetime
    actor: str
    action: str
    subject_type: str
    subject_id: int
    data: dict[str, Any] | None
    """The entry's facts as values (codes, numbers, field names); None for an entry from before
    7 December 2026, whose ``detail`` is its English text."""
    detail: str | None


class AuditShown(AuditRead):
    """An entry as ``lindung audit`` shows it: with ``text``, what it says in the reader's language
    (``audit.service.detail_text``: from ``data``, or an old entry's ``detail`` as it was written)."""

    text: str
