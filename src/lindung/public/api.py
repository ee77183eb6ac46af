"""The public checks over HTTP, without a token: ``POST /api/v1/public/coverage-check`` and
``POST /api/v1/public/claim-status``. The same service, limits and answers as the pages (``/cek``,
``/cek-klaim``); the NIK only in the body. A bad value is a 422 problem document by its field, too many
checks a 429 with ``Retry-After``, both in the reader's language."""

from __future__ import annotations

from fastapi import APIRouter, Request

from lindung.api.deps import Lang, ReadSession
from lindung.kit import clock
from lindung.public import service
from lindung.public.schemas import ClaimStatusAnswerView, ClaimStatusCheck, CoverageAnswerView, CoverageCheck

router = APIRouter(tags=["public"])


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post("/public/coverage-check", summary="Is a worker protected today, by NIK and birth date (public)")
def coverage_check(body: CoverageCheck, request: Request, session: ReadSession, lang: Lang) -> CoverageAnswerView:
    answer = service.check_coverage(session, body.nik, body.birth_date, today=clock.today(), client=_client(request))
    return CoverageAnswerView(**answer.model_dump(), message=service.coverage_sentence(answer, lang))


@router.post("/public/claim-status", summary="A claim's stage, by its number and the payee's NIK (public)")
def claim_status(body: ClaimStatusCheck, request: Request, session: ReadSession, lang: Lang) -> ClaimStatusAnswerView:
    answer = service.claim_status(session, body.number, body.payee_nik, today=clock.today(), client=_client(request))
    number = service.read_claim_number(body.number)
    return ClaimStatusAnswerView(**answer.model_dump(), message=service.claim_sentence(answer, number, lang),
                                 stage_label=service.stage_label_in(answer.stage, lang))
