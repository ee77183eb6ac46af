"""What reading a job gives (the CLI's ``--json``; the API's job resource)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lindung.kit.schemas import Schema


class JobRead(Schema):
    id: int
    kind: str
    params: dict[str, Any]
    status: str
    """``queued``, ``running``, ``done``, ``failed``, or ``interrupted``: marked running by a process
    of this machine that is gone (killed, the machine restarted); nothing it did was kept."""
    done: int
    total: int | None
    created_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result: dict[str, Any] | None
    error_code: str | None
    error_context: dict[str, Any] | None
