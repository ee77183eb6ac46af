"""Reading a form as a person fills it in: numbers with Indonesian separators, rupiah with or without
``Rp``, dates and months; and each error said next to its field.

A page handler reads the form's fields, builds the service's input schema from them, and calls the
service; an error (a field the schema refuses, or the service's ``InvalidInput``) comes back as
``{field: message}`` (``field_errors``) and the form is shown again with what was typed (status 422),
so that nothing typed is lost; ``page.refused`` is raised, so that the request's unit of work rolls back
whatever the service wrote before it refused.

    @router.post("/pekerja/baru")
    def register(page: SignedIn, session: DbSession, values: FormValues) -> Response:
        try:
            data = WorkerCreate(nik=values.get("nik", ""), ...)
            found = workers.register(session, data, by=page.actor, today=clock.today())
        except (ValidationError, LindungError) as exc:
            raise page.refused("workers/new.html", values=values, errors=field_errors(exc, page.lang)) from None
        return page.redirect(f"/pekerja/{found.ref}", said="page.workers.registered")
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import ValidationError

from lindung.kit.dates import parse_date
from lindung.kit.errors import InvalidInput, LindungError
from lindung.kit.i18n import catalogue, t
from lindung.kit.numbers import ID_MAX
from lindung.rules.period import Month

_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"^\d+$")


async def form_values(request: Request) -> dict[str, str]:
    """The form's text fields (the form token left out), each trimmed; a field sent twice keeps its last."""
    form = await request.form()
    return {key: value.strip() for key, value in form.multi_items() if isinstance(value, str) and key != "csrf_token"}


Offset = Annotated[int, Query(ge=0, le=ID_MAX, description="Rows of the list to skip")]
"""A list page's ``?offset=``: 0 … 2³¹−1 (beyond, a 404 page rather than a number no database takes)."""

FormValues = Annotated[dict[str, str], Depends(form_values)]
"""The form's text fields, for a plain (``def``, not ``async``) handler: FastAPI reads the form first and
runs the handler in its thread pool, so that the services' database work never blocks the server's loop.

    @router.post("/pekerja/baru")
    def register(page: SignedIn, session: DbSession, values: FormValues) -> Response: ...
"""


def whole(text: str | None, field: str) -> int | None:
    """``1.000`` or ``1000`` (or ``Rp16.800``, ``16.800,-``) as 1000; None for nothing typed;
    ``InvalidInput(field)`` for anything else (``1,5``, ``seribu``, ``-3``)."""
    raw = (text or "").strip()
    if not raw:
        return None
    cleaned = re.sub(r"^rp\.?\s*", "", raw, flags=re.IGNORECASE).replace(" ", "")
    cleaned = re.sub(r",-$|,00$", "", cleaned)
    if _PLAIN.match(cleaned):
        return int(cleaned)
    if _GROUPED.match(cleaned):
        return int(cleaned.replace(".", ""))
    raise InvalidInput(field, raw)


def day(text: str | None, field: str) -> dt.date | None:
    """A date as ``<input type=date>`` sends it (``2026-12-07``) or as a person writes it
    (``7/12/2026``, ``07-12-2026``); None for nothing typed; ``InvalidInput(field)`` otherwise."""
    raw = (text or "").strip()
    return parse_date(raw, field) if raw else None


def month(text: str | None, field: str) -> Month | None:
    """A month as ``<input type=month>`` sends it (``2026-12``); None for nothing typed."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return Month.parse(raw)
    except InvalidInput:
        raise InvalidInput(field, raw) from None


def field_errors(exc: Exception, lang: str) -> dict[str, str]:
    """``{field: message}`` for a schema's refusal or a service's error (``"_"``: not about one field)."""
    found: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            name = ".".join(str(p) for p in error.get("loc", ())) or "_"
            kind = str(error.get("type", "invalid"))
            key = f"problem.field.{kind}" if f"problem.field.{kind}" in catalogue() else "problem.field.invalid"
            cause = error.get("ctx", {}).get("error") if isinstance(error.get("ctx"), dict) else None
            found.setdefault(name, cause.message(lang) if isinstance(cause, LindungError) else t(key, lang))
        return found
    if isinstance(exc, LindungError):
        field = exc.context.get("field")
        name = str(field) if field is not None and exc.code.startswith("invalid") else "_"
        found[name] = exc.message(lang)
        return found
    raise exc


def kept(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Only ``names`` of ``values`` (what a form shows again)."""
    return {name: values[name] for name in names if name in values}
