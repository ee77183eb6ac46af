"""Figures as a page (``/angka``): workers enrolled under an agreement in force for a month, by kecamatan
and occupation, within a region; and the same as a CSV (``/angka.csv``). Aggregates only, never a name
or a NIK; for a regional viewer the service keeps them to their region and withholds counts under 5
(shown "<5")."""

from __future__ import annotations

import csv
import io
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from lindung.api.deps import ReadSession
from lindung.kit import clock
from lindung.kit.auth import OutOfScope
from lindung.kit.errors import InvalidInput
from lindung.regions import service as regions
from lindung.reports import service
from lindung.reports.schemas import EnrolledSummary
from lindung.rules.catalogues import occupations
from lindung.rules.period import Month
from lindung.web.context import Page, SignedIn
from lindung.web.forms import month

router = APIRouter()

Text = Annotated[str, Query(max_length=20)]


def _figures(page: Page, session: ReadSession, wilayah: str, bulan: str
             ) -> tuple[dict[str, str], dict[str, str], EnrolledSummary | None, int]:
    """The form's values, its errors, the figures and the answer's status (403: a region not theirs)."""
    values = {"wilayah": wilayah.strip(), "bulan": bulan.strip()}
    errors: dict[str, str] = {}
    at: Month | None = None
    try:
        at = month(values["bulan"], "month")
    except InvalidInput as exc:
        errors["bulan"] = exc.message(page.lang)
    if errors:
        return values, errors, None, 422
    try:
        found = service.enrolled(session, by=page.actor, today=clock.today(), region=values["wilayah"] or None,
                                 month=at)
    except InvalidInput as exc:
        return values, {"wilayah": exc.message(page.lang)}, None, 422
    except OutOfScope:
        return values, {"wilayah": page.t("page.figures.not_your_region", region=values["wilayah"])}, None, 403
    return values, errors, found, 200


def _occupation(code: str, lang: str) -> str:
    known = occupations()
    return known[code].label(lang) if code in known else code


@router.get("/angka", response_class=HTMLResponse)
def figures(page: SignedIn, session: ReadSession, wilayah: Text = "", bulan: Text = "") -> Response:
    values, errors, found, status = _figures(page, session, wilayah, bulan)
    labels = {row.occupation: _occupation(row.occupation, page.lang) for row in found.rows} if found else {}
    query = urlencode({k: v for k, v in values.items() if v})
    place = f"{regions.resolve(session, found.region).name} ({found.region})" if found and found.region else ""
    return page.render("reports/figures.html", status=status, place=place,
                       heading=page.t("page.figures.title"), values=values, errors=errors, found=found,
                       occupation_labels=labels, query=query)


@router.get("/angka.csv")
def figures_csv(page: SignedIn, session: ReadSession, wilayah: Text = "", bulan: Text = "") -> Response:
    values, errors, found, status = _figures(page, session, wilayah, bulan)
    if found is None:
        return page.render("reports/figures.html", status=status, heading=page.t("page.figures.title"), values=values,
                           errors=errors, found=None, occupation_labels={}, query="", place="")
    small = page.t("report.small")
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with a byte order mark
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([page.t("page.figures.col.month"), page.t("page.figures.col.kecamatan_code"),
                     page.t("report.col.kecamatan"), page.t("page.figures.col.occupation_code"),
                     page.t("report.col.occupation"), page.t("report.col.workers")])
    for row in found.rows:
        writer.writerow([str(found.month), row.kecamatan, row.kecamatan_name or "", row.occupation,
                         _occupation(row.occupation, page.lang), small if row.workers is None else row.workers])
    name = f"angka-pekerja-{found.region or 'semua'}-{found.month}.csv"
    return Response(out.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
