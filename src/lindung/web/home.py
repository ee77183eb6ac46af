"""The home page: what waits for the signed-in person."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from lindung.web.context import SignedIn

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(page: SignedIn) -> Response:
    return page.render("web/home.html", heading=page.t("page.home.title"))
