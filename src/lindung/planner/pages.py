"""The budget planner as a page (``/rencana``): a budget → the workers it covers, or workers → the budget,
month by month with each price's lines and legal basis. The same service and answers as ``lindung plan``
and ``POST /api/v1/planner``.

The form: a budget as people type it ("201.600.000") or a number of workers, the period as two months,
the funding source, and the occupation mix as rows (occupation, count) or a worker list's file (only
its occupation column is counted, nothing is kept).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from lindung.api import limits
from lindung.enrolment.schemas import Upload
from lindung.kit import clock
from lindung.kit.errors import InvalidInput, LindungError
from lindung.planner import service
from lindung.planner.schemas import MixLine, PlanRequest
from lindung.rules.catalogues import funding_sources, occupations
from lindung.web.context import Page, SignedIn
from lindung.web.forms import FormValues, field_errors, month, whole

router = APIRouter()

MIX_ROWS = 4
FORM_MARGIN = 1024 * 1024
_FIELD_OF = {"occupation": "mix", "first_month": "first_month", "last_month": "last_month", "months": "last_month"}
"""Where an error the service names by its own field is shown in the form."""
T = TypeVar("T")


async def _sent_file(request: Request) -> UploadFile | None:
    form = await request.form()
    sent = form.get("berkas")
    return sent if isinstance(sent, UploadFile) and sent.filename else None


SentFile = Annotated[UploadFile | None, Depends(_sent_file)]


def _view(page: Page, values: dict[str, Any], errors: dict[str, str], **result: Any) -> dict[str, Any]:
    lang = page.lang
    return {"heading": page.t("page.planner.title"), "values": values, "errors": errors,
            "mix_rows": range(1, MIX_ROWS + 1),
            "occupations": [(code, o.label(lang)) for code, o in occupations().items()],
            "fundings": [(code, f.label(lang)) for code, f in funding_sources().items()],
            "plan": None, **result}


@router.get("/rencana", response_class=HTMLResponse)
def planner(page: SignedIn) -> Response:
    page.actor.require("plan.use")
    year = clock.today().year
    defaults = {"first_month": f"{year}-01", "last_month": f"{year}-12", "funding": "kadin",
                "mix_occupation_1": "lainnya", "mix_count_1": "1"}
    return page.render("planner/page.html", **_view(page, defaults, {}))


def _read(errors: dict[str, str], page: Page, field: str, read: Callable[[], T]) -> T | None:
    try:
        return read()
    except LindungError as exc:
        errors[field] = exc.message(page.lang)
        return None


def _mix(values: dict[str, str], errors: dict[str, str], page: Page) -> list[MixLine]:
    found = []
    for row in range(1, MIX_ROWS + 1):
        code = values.get(f"mix_occupation_{row}", "")
        count = values.get(f"mix_count_{row}", "")
        if not code and not count:
            continue
        number = _read(errors, page, "mix", lambda count=count: whole(count, "mix"))  # type: ignore[misc]
        if "mix" in errors:
            continue
        if not code or number is None or number < 1:
            errors.setdefault("mix", InvalidInput("mix", f"{code}={count}").message(page.lang))
            continue
        found.append(MixLine(occupation=code, count=number))
    return found


@router.post("/rencana", response_class=HTMLResponse, max_body_size=limits.UPLOAD_LIMIT + FORM_MARGIN)
def compute(page: SignedIn, values: FormValues, sent: SentFile) -> Response:
    page.actor.require("plan.use")
    errors: dict[str, str] = {}
    budget = _read(errors, page, "budget", lambda: whole(values.get("budget"), "budget"))
    workers = _read(errors, page, "workers", lambda: whole(values.get("workers"), "workers"))
    first = _read(errors, page, "first_month", lambda: month(values.get("first_month"), "first_month"))
    last = _read(errors, page, "last_month", lambda: month(values.get("last_month"), "last_month"))
    if first is None and "first_month" not in errors:
        errors["first_month"] = InvalidInput("first_month", "").message(page.lang)
    if last is None and "last_month" not in errors:
        errors["last_month"] = InvalidInput("last_month", "").message(page.lang)
    mix = _mix(values, errors, page)
    upload = None
    if sent is not None:
        data = sent.file.read(limits.UPLOAD_LIMIT + 1)
        if len(data) > limits.UPLOAD_LIMIT:
            errors["berkas"] = InvalidInput("file", sent.filename or "", reason="plan_file_broken").message(page.lang)
        else:
            upload = Upload(name=sent.filename or "file", content=data)
    if budget is None and workers is None and "budget" not in errors and "workers" not in errors:
        errors["budget"] = page.t("page.planner.budget_needed")
    if not errors and first is not None and last is not None:
        try:
            request = PlanRequest(first_month=first, last_month=last, funding=values.get("funding") or "",
                                  budget=budget, workers=workers, mix=mix)
            plan = service.plan(request, by=page.actor, lang=page.lang, worker_list=upload)
        except (ValidationError, LindungError) as exc:
            errors = {("berkas" if name == "file" else _FIELD_OF.get(name, name)): message
                      for name, message in field_errors(exc, page.lang).items()}
        else:
            return page.render("planner/page.html", **_view(page, values, {}, plan=plan))
    return page.render("planner/page.html", status=422, **_view(page, values, errors))
