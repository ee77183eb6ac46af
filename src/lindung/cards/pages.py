"""The public page of a card: ``/kartu/{token}``, the address a card's QR code holds. Anyone may open it
(``Visitor``): it shows the holder's name masked and today's status (protected until …, not protected,
or revoked), nothing more; an unknown token is the ordinary "not found" page. Printing and revoking a
card are on the worker's page (``workers.pages``), the sheet on the agreement's (``sponsors.pages``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response

from lindung.api.deps import ReadSession
from lindung.cards import service as cards
from lindung.kit import clock
from lindung.web.context import Visitor

router = APIRouter()

Token = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/kartu/{token}", response_class=HTMLResponse)
def verify(token: Token, page: Visitor, session: ReadSession) -> Response:
    said = cards.verify(session, token, today=clock.today())
    return page.render("cards/verify.html", card=said, heading=page.t("card.verify.title"))
