"""The public checks as pages, for anyone without signing in: ``/cek`` (is a worker protected, by NIK and
birth date) and ``/cek-klaim`` (a claim's stage, by its number and the payee's NIK).

The NIK travels only in a POST's body, and the answer shows it masked; the form is shown again empty of
it. Every answer has the same headings and elements; over the limit the page says when to try again
(429, ``Retry-After``).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from lindung.api.deps import ReadSession
from lindung.kit import clock
from lindung.kit.errors import InvalidInput
from lindung.public import service
from lindung.web.context import Page, Visitor
from lindung.web.forms import FormValues, field_errors

router = APIRouter()


def _client(page: Page) -> str | None:
    return page.request.client.host if page.request.client else None


def _refusal(page: Page, template: str, exc: Exception, values: dict[str, str]) -> HTMLResponse:
    status = 429 if isinstance(exc, service.TooManyChecks) else 422
    errors = field_errors(exc, page.lang)
    response = page.render(template, status=status, values=values, errors=errors, answer=None, sentence="")
    if isinstance(exc, service.TooManyChecks):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@router.get("/cek", response_class=HTMLResponse)
def coverage_form(page: Visitor) -> Response:
    return page.render("public/check.html", values={}, errors={}, answer=None, sentence="")


@router.post("/cek", response_class=HTMLResponse)
def coverage_check(page: Visitor, session: ReadSession, values: FormValues) -> Response:
    shown = {"birth_date": values.get("birth_date", "")[:40]}  # never the NIK back in the form
    try:
        answer = service.check_coverage(session, values.get("nik", ""), values.get("birth_date", ""),
                                        today=clock.today(), client=_client(page))
    except (InvalidInput, service.TooManyChecks) as exc:
        return _refusal(page, "public/check.html", exc, shown)
    return page.render("public/check.html", values=shown, errors={}, answer=answer,
                       sentence=service.coverage_sentence(answer, page.lang))


@router.get("/cek-klaim", response_class=HTMLResponse)
def claim_form(page: Visitor) -> Response:
    return page.render("public/claim.html", values={}, errors={}, answer=None, sentence="")


@router.post("/cek-klaim", response_class=HTMLResponse)
def claim_check(page: Visitor, session: ReadSession, values: FormValues) -> Response:
    shown = {"number": values.get("number", "")[:40]}
    try:
        answer = service.claim_status(session, values.get("number", ""), values.get("payee_nik", ""),
                                      today=clock.today(), client=_client(page))
    except (InvalidInput, service.TooManyChecks) as exc:
        return _refusal(page, "public/claim.html", exc, shown)
    number = service.read_claim_number(values.get("number", ""))
    return page.render("public/claim.html", values=shown, errors={}, answer=answer,
                       sentence=service.claim_sentence(answer, number, page.lang))
