"""The audit log as a page (``/audit``): who did what and when, newest first, a page at a time, each
entry said in the reader's language; filtered by user, action, days and subject. For whoever may read
the log (``audit.read``, an unscoped user): the service checks."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from lindung.api.deps import ReadSession
from lindung.audit import service
from lindung.audit.schemas import AuditShown
from lindung.kit.errors import LindungError
from lindung.kit.paging import Paged, Window
from lindung.web.context import SignedIn
from lindung.web.forms import Offset, day, field_errors

router = APIRouter()

PAGE_SIZE = 50
SUBJECT = re.compile(r"^([a-z][a-z_]{0,39}):([0-9]{1,10})$")
_FIELDS = {"actor": "pengguna", "since": "dari", "until": "sampai"}
"""The service's names of the filters, as the form names them."""


@router.get("/audit", response_class=HTMLResponse)
def audit_log(page: SignedIn, session: ReadSession,
              pengguna: Annotated[str, Query(max_length=100)] = "",
              tindakan: Annotated[str, Query(max_length=100)] = "",
              dari: Annotated[str, Query(max_length=30)] = "", sampai: Annotated[str, Query(max_length=30)] = "",
              subjek: Annotated[str, Query(max_length=60)] = "",
              offset: Offset = 0) -> Response:
    values = {"pengguna": pengguna.strip(), "tindakan": tindakan.strip(), "dari": dari.strip(),
              "sampai": sampai.strip(), "subjek": subjek.strip()}
    errors: dict[str, str] = {}
    since = until = None
    try:
        since = day(values["dari"], "since")
    except LindungError as exc:
        errors["dari"] = exc.message(page.lang)
    try:
        until = day(values["sampai"], "until")
    except LindungError as exc:
        errors["sampai"] = exc.message(page.lang)
    about = None
    if values["subjek"]:
        found = SUBJECT.match(values["subjek"].lower())
        if found is None:
            errors["subjek"] = page.t("page.audit.subject_invalid", value=values["subjek"])
        else:
            about = (found.group(1), int(found.group(2)))
    window = Window(limit=PAGE_SIZE, offset=offset)
    entries = Paged[AuditShown]([], 0, window)
    if not errors:
        try:
            entries = service.page(session, by=page.actor, lang=page.lang, window=window,
                                   actor=values["pengguna"] or None, action=values["tindakan"] or None,
                                   since=since, until=until, subject=about)
        except LindungError as exc:
            if not exc.code.startswith("invalid"):
                raise
            errors = {_FIELDS.get(name, name): message for name, message in field_errors(exc, page.lang).items()}
    query = urlencode({k: v for k, v in values.items() if v})
    return page.render("audit/log.html", status=422 if errors else 200, heading=page.t("page.audit.title"),
                       values=values, errors=errors, entries=entries, query=query)
