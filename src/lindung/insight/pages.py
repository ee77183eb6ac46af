"""Insight's pages. A sponsor's impact report (``/dampak``): the figures of ``insight.impact`` as tables
the dashboard's charts script draws (``data-chart``), a sponsor select for the branch's roles (a
sponsor's staff see their own), and the same report as a PDF (``/dampak.pdf?sponsor=…&year=…&lang=…``:
a sponsor's code and a year in the address, never personal data).

(The lead adds the dashboard's routes here.)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from lindung.api.deps import ReadSession
from lindung.insight import impact as service
from lindung.insight.impact_pdf import occupation_label, percent, render_impact, sex_label
from lindung.insight.schemas_impact import Impact
from lindung.kit import clock
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import LANGS, t
from lindung.sponsors import service as sponsors
from lindung.web.context import Page, SignedIn

router = APIRouter()

Text = Annotated[str, Query(max_length=32)]


def _year(text: str, default: int) -> int:
    value = text.strip()
    if not value:
        return default
    if not value.isdigit() or len(value) != len(str(default)):
        raise InvalidInput("year", value)
    return int(value)


def _report(page: Page, session: ReadSession, sponsor: str, year: str
            ) -> tuple[dict[str, str], dict[str, str], Impact | None, list[tuple[str, str]]]:
    """The form's values, its errors, the report (None until a sponsor is chosen) and the sponsors the
    reader may choose from."""
    choices = [(s.code, f"{s.name} ({s.code})") for s in sponsors.list_sponsors(session, by=page.actor)] \
        if page.actor.can("agreement.read") else []
    today = clock.today()
    code = sponsor.strip() or (choices[0][0] if len(choices) == 1 else "")
    values = {"sponsor": code, "year": year.strip() or str(today.year)}
    errors: dict[str, str] = {}
    try:
        wanted = _year(year, today.year)
    except InvalidInput as exc:
        errors["year"] = exc.message(page.lang)
        return values, errors, None, choices
    if not code:
        return values, errors, None, choices
    return values, errors, service.impact(session, code, year=wanted, by=page.actor, today=today), choices


@router.get("/dampak", response_class=HTMLResponse)
def impact_page(page: SignedIn, session: ReadSession, sponsor: Text = "", year: Text = "") -> Response:
    values, errors, found, choices = _report(page, session, sponsor, year)
    labels: dict[str, str] = {}
    shares: dict[str, str] = {}
    if found is not None:
        labels = {c.code: occupation_label(c.code, page.lang) for c in found.by_occupation}
        labels |= {c.code: sex_label(c.code, page.lang) for c in found.by_sex}
        shares = {"quota": percent(found.enrolled_now, found.quota, page.lang),
                  "budget": percent(found.paid, found.budget, page.lang),
                  "protected": percent(found.protected_now, found.quota, page.lang)}
        shares |= {f"{x.region}/{x.occupation or ''}": percent(x.sponsor_workers, x.target, page.lang)
                   for x in found.targets}
    return page.render("insight/impact.html", status=422 if errors else 200, heading=page.t("page.impact.title"),
                       values=values, errors=errors, found=found, choices=choices, labels=labels, shares=shares,
                       claim_types={k.code: t(f"claims.type.{k.code}", page.lang) for k in found.claims.by_type}
                       if found else {})


@router.get("/dampak.pdf")
def impact_pdf(page: SignedIn, session: ReadSession, sponsor: Text = "", year: Text = "", lang: Text = ""
               ) -> Response:
    """The report as a PDF, in ``lang`` (id or en; default: the reader's language)."""
    values, errors, found, _choices = _report(page, session, sponsor, year)
    if found is None:
        return page.render("insight/impact.html", status=422 if errors else 404, heading=page.t("page.impact.title"),
                           values=values, errors=errors, found=None, choices=_choices, labels={}, shares={},
                           claim_types={})
    language = lang if lang in LANGS else page.lang
    name = f"{t('impact.file', language)}-{found.sponsor}-{found.first.year}.pdf"
    return Response(render_impact(found, lang=language), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
