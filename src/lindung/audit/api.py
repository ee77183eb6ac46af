"""The audit log over HTTP (``GET /api/v1/audit``): who did what, when — the service of ``lindung
audit``, a page at a time, newest first, each entry with what it says in the reader's language.

For whoever may read the log (``audit.read``, an unscoped user). A subject is named as the log names
it, ``TYPE:ID`` (``claim:12``, ``user:3``): never a NIK in the address.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from lindung.api.auth import CurrentUser, requires
from lindung.api.deps import DbSession, Lang
from lindung.api.paging import Page, PageWindow
from lindung.audit import service
from lindung.audit.schemas import AuditShown

router = APIRouter(tags=["audit"])

SUBJECT = r"^[a-z][a-z_]{0,39}:[0-9]{1,10}$"


@router.get("/audit", dependencies=[requires("audit.read")], summary="The audit log, newest first")
def audit_log(
    session: DbSession, by: CurrentUser, lang: Lang, window: PageWindow,
    actor: Annotated[str | None, Query(max_length=100, description="Only this user's entries (any case)")] = None,
    action: Annotated[str | None, Query(max_length=100, description="An action or its prefix: 'worker.'")] = None,
    subject: Annotated[str | None, Query(pattern=SUBJECT, description="TYPE:ID, e.g. claim:12")] = None,
    since: Annotated[dt.date | None, Query(description="From this day (the branch's zone)")] = None,
    until: Annotated[dt.date | None, Query(description="Through this day")] = None,
) -> Page[AuditShown]:
    about = None
    if subject is not None:
        kind, _, number = subject.partition(":")
        about = (kind, int(number))
    return Page.of(service.page(session, by=by, lang=lang, window=window, actor=actor, action=action, since=since,
                                until=until, subject=about))
