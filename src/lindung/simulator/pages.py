"""The benefit simulator as a page (``/simulasi``), for anyone, signed in or not: what a package costs
and what the law pays for a death or a work accident, each amount with its arithmetic and legal
reference. The same service and answers as ``lindung simulate`` and ``/api/v1/simulator``.

One kind at a time (``?jenis=jkm``): the form shows only the fields that kind uses, so that nobody types
a value the figure would ignore (the service refuses those). The kinds are links, so the page works
without JavaScript; htmx only swaps the form in place.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from lindung.kit import clock
from lindung.kit.errors import InvalidInput, LindungError
from lindung.kit.lokal import terbilang_rupiah
from lindung.rules.catalogues import funding_sources, occupations
from lindung.simulator import service
from lindung.simulator.schemas import BENEFIT_KINDS, BenefitKind, BenefitRequest, ContributionRequest
from lindung.web.context import Page, Visitor
from lindung.web.forms import FormValues, day, field_errors, month, whole

router = APIRouter()

CONTRIBUTION = "iuran"
KINDS: tuple[str, ...] = (CONTRIBUTION, *BENEFIT_KINDS)
"""The tabs of the simulator: the contribution, then each benefit of the service."""
FIELDS: dict[str, tuple[str, ...]] = {
    CONTRIBUTION: ("income", "month", "months", "occupation", "funding", "jht"),
    "jkm": ("date", "contribution_months", "children"),
    "jkk-death": ("date", "income", "base", "children"),
    "jkk-disability-total": ("date", "income", "base", "children"),
    "jkk-disability-partial": ("date", "income", "base", "percent", "function_loss"),
    "jkk-stmb": ("date", "income", "base", "months"),
    "scholarship": ("date", "cause", "contribution_months", "children"),
}
"""What each kind's form shows (the service's ``BENEFIT_FIELDS`` and ``date``; the contribution's own)."""
CHILD_ROWS = 4
LEVELS = ("belum", "tk", "sd", "smp", "sma", "pt")
_FIELD_OF = {"child": "children", "level": "children", "income_or_base": "income", "benefit_field": "_"}
"""Where an error the service names by its own field is shown in the form."""

T = TypeVar("T")


def _kind(jenis: str) -> str:
    return jenis if jenis in KINDS else "jkm"


def _view(page: Page, kind: str, values: dict[str, Any], errors: dict[str, str], **result: Any) -> dict[str, Any]:
    lang = page.lang
    return {
        "heading": page.t("page.simulator.title"), "kind": kind, "kinds": KINDS, "fields": FIELDS[kind],
        "values": values, "errors": errors, "child_rows": range(1, CHILD_ROWS + 1), "levels": LEVELS,
        "occupations": [(code, o.label(lang)) for code, o in occupations().items()],
        "fundings": [(code, f.label(lang)) for code, f in funding_sources().items()],
        "result": None, "contribution": None, "words": "", **result}


def _render(page: Page, kind: str, values: dict[str, Any], errors: dict[str, str], *, status: int = 200,
            **result: Any) -> HTMLResponse:
    template = "simulator/form.html" if page.request.headers.get("hx-request") == "true" else "simulator/page.html"
    return page.render(template, status=status, **_view(page, kind, values, errors, **result))


@router.get("/simulasi", response_class=HTMLResponse)
def simulator(page: Visitor, jenis: str = "jkm") -> Response:
    kind = _kind(jenis)
    defaults = {"month": str(clock.today())[:7], "months": "12" if kind == CONTRIBUTION else "",
                "occupation": "lainnya", "funding": "mandiri", "cause": "jkm"}
    return _render(page, kind, defaults, {})


def _read(errors: dict[str, str], page: Page, field: str, read: Callable[[], T]) -> T | None:
    """``read()``, or None with its error noted under ``field``."""
    try:
        return read()
    except LindungError as exc:
        errors[field] = exc.message(page.lang)
        return None


def _decimal(text: str | None, field: str) -> Decimal | None:
    raw = (text or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        found = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput("percent", text) from None
    if not found.is_finite():
        raise InvalidInput("percent", text)
    return found


def _children(values: dict[str, str], errors: dict[str, str], page: Page) -> list[str]:
    """Each child row as the service reads it (``sma:3``, ``belum``); a level without a year is refused."""
    found = []
    for row in range(1, CHILD_ROWS + 1):
        level = values.get(f"child_level_{row}", "")
        year = values.get(f"child_year_{row}", "")
        if not level and not year:
            continue
        if level == "belum":
            found.append("belum")
        elif not level or not year.isdigit():
            errors.setdefault("children", InvalidInput("child", f"{level}:{year}").message(page.lang))
        else:
            found.append(f"{level}:{int(year)}")
    return found


def _said(exc: Exception, page: Page) -> dict[str, str]:
    """The service's refusal next to the field the form shows it at."""
    found = field_errors(exc, page.lang)
    shown: dict[str, str] = {}
    for name, message in found.items():
        shown.setdefault(_FIELD_OF.get(name, name), message)
    if isinstance(exc, InvalidInput) and exc.code == "invalid.income_or_base":
        shown = {"income": page.t("page.simulator.income_or_base")}
    return shown


@router.post("/simulasi", response_class=HTMLResponse)
def compute(page: Visitor, values: FormValues, jenis: str = "jkm") -> Response:
    kind = _kind(values.get("jenis") or jenis)
    errors: dict[str, str] = {}
    if kind == CONTRIBUTION:
        return _contribution(page, values, errors)
    given: dict[str, Any] = {
        "date": _read(errors, page, "date", lambda: day(values.get("date"), "date")),
        "income": _read(errors, page, "income", lambda: whole(values.get("income"), "income")),
        "base": _read(errors, page, "base", lambda: whole(values.get("base"), "base")),
        "contribution_months": _read(errors, page, "contribution_months",
                                     lambda: whole(values.get("contribution_months"), "contribution_months")),
        "months": _read(errors, page, "months", lambda: whole(values.get("months"), "months")),
        "percent": _read(errors, page, "percent", lambda: _decimal(values.get("percent"), "percent")),
        "function_loss": _read(errors, page, "function_loss", lambda: _decimal(values.get("function_loss"), "percent")),
        "cause": values.get("cause") or None,
        "children": _children(values, errors, page),
    }
    if given["date"] is None and "date" not in errors:
        errors["date"] = page.t("page.simulator.date_needed")
    used = set(FIELDS[kind])
    body = {name: value for name, value in given.items() if name in used and value not in (None, [])}
    if not errors:
        try:
            kind_code: BenefitKind = kind  # type: ignore[assignment]  # one of BENEFIT_KINDS here
            result = service.benefit(kind_code, BenefitRequest(**body), lang=page.lang)
        except (ValidationError, LindungError) as exc:
            errors = _said(exc, page)
        else:
            return _render(page, kind, values, {}, result=result,
                           words=terbilang_rupiah(result.total, page.lang) if result.total else "")
    return _render(page, kind, values, errors, status=422)


def _contribution(page: Page, values: dict[str, str], errors: dict[str, str]) -> Response:
    income = _read(errors, page, "income", lambda: whole(values.get("income"), "income"))
    first = _read(errors, page, "month", lambda: month(values.get("month"), "month"))
    count = _read(errors, page, "months", lambda: whole(values.get("months"), "months"))
    if income is None and "income" not in errors:
        errors["income"] = InvalidInput("income", "").message(page.lang)
    if first is None and "month" not in errors:
        errors["month"] = InvalidInput("month", "").message(page.lang)
    if not errors and income is not None and first is not None:
        try:
            view = service.contribution(ContributionRequest(
                income=income, month=first, occupation=values.get("occupation") or "lainnya",
                funding=values.get("funding") or "mandiri", jht=values.get("jht") == "1",
                months=count if count is not None else 1), lang=page.lang)
        except (ValidationError, LindungError) as exc:
            errors = _said(exc, page)
        else:
            return _render(page, CONTRIBUTION, values, {}, contribution=view,
                           words=terbilang_rupiah(view.total, page.lang))
    return _render(page, CONTRIBUTION, values, errors, status=422)
