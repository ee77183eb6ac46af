"""The dashboard (``/dasbor``, each table also as CSV: ``/dasbor.csv?bagian=…``), the coverage targets
(``/target``) and a sponsor's impact report (``/dampak``, and as a PDF: ``/dampak.pdf?sponsor=…&year=…&lang=…``,
a sponsor's code and a year in the address, never personal data) as pages, on ``insight.service``,
``insight.targets`` and ``insight.impact``.

Each table of the dashboard is built once here as a ``Section`` (its columns and cells, each cell with
the text shown and the number behind it) and written either as HTML — a table a chart is drawn from
(``static/charts.js``, Chart.js vendored) — or as CSV. A withheld count (a regional viewer's, under 5)
is "<5" in both and is not drawn."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from lindung.api.deps import DbSession, ReadSession
from lindung.insight import impact, service, targets
from lindung.insight.impact_pdf import occupation_label, percent, render_impact, sex_label
from lindung.insight.schemas import Dashboard, Figures, TargetSet
from lindung.insight.schemas_impact import Impact
from lindung.kit import clock
from lindung.kit.auth import OutOfScope
from lindung.kit.errors import InvalidInput, LindungError, NotFound
from lindung.kit.i18n import LANGS, format_count, t
from lindung.rules.catalogues import occupations
from lindung.rules.money import rp
from lindung.sponsors import service as sponsors
from lindung.web.context import Page, SignedIn
from lindung.web.forms import FormValues, field_errors, whole
from lindung.web.templating import month_text

router = APIRouter()

Text = Annotated[str, Query(max_length=32)]
FOLD_ABOVE = 25
"""A table with more rows than this and no chart is shown folded."""
FORM_FIELDS = {"target_year": "tahun", "region": "wilayah", "occupation": "pekerjaan", "target_workers": "target"}
"""The service's field names → the form's."""
TARGET_FILE_LIMIT = 1024 * 1024
"""A targets CSV is a few hundred lines; a megabyte is plenty."""


@dataclass(frozen=True)
class Cell:
    text: str
    value: int | float | None = None
    """The number behind the text (drawn, written to CSV); None: not a number, or withheld."""


@dataclass
class Section:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: str | None = None
    series: str = "1"
    note: str | None = None
    folded: bool = False
    """Shown closed (a long table with no chart: the desa), opened by a click."""


def _count(page: Page, n: int | None) -> Cell:
    return Cell(page.t("report.small"), None) if n is None else Cell(format_count(n, page.lang), n)


def _money(page: Page, n: int | None) -> Cell:
    return Cell(page.t("report.small"), None) if n is None else Cell(rp(n), n)


def _percent(page: Page, part: int | None, whole: int | None) -> Cell:
    if part is None or not whole:
        return Cell("")
    value = round(100 * part / whole, 1)
    return Cell(f"{value:.1f}".replace(".", "," if page.lang == "id" else ".") + " %", value)


def _occupation(code: str | None, lang: str) -> str:
    known = occupations()
    return known[code].label(lang) if code in known else (code or "")


def _figures_section(page: Page, name: str, rows: list[Figures], label: Any, *, chart: str | None = "hbar",
                     targets_: bool = False) -> Section:
    columns = [page.t(f"page.dashboard.col.{name}"), page.t("insight.col.protected"), page.t("insight.col.enrolled"),
               page.t("insight.col.new"), page.t("insight.col.ending")]
    if targets_:
        columns += [page.t("insight.col.target"), "%"]
    section = Section(name, page.t(f"page.dashboard.{name}"), columns, chart=chart)
    for r in rows:
        cells = [Cell(label(r)), _count(page, r.protected), _count(page, r.enrolled), _count(page, r.new),
                 _count(page, r.ending)]
        if targets_:
            cells += [Cell(format_count(r.target, page.lang), r.target) if r.target else Cell(""),
                      _percent(page, r.protected, r.target)]
        section.rows.append(cells)
    return section


def sections(page: Page, d: Dashboard) -> list[Section]:
    """Every table of the dashboard, in the page's order."""
    t, lang = page.t, page.lang
    out = []
    goals = Section("targets", t("page.dashboard.targets", year=d.today.year),
                    [t("insight.col.region"), t("insight.col.occupation"), t("insight.col.target"),
                     t("insight.col.protected"), "%"], chart=None)
    for x in d.targets:
        goals.rows.append([Cell(f"{x.region_name or ''} ({x.region})"),
                           Cell(_occupation(x.occupation, lang) if x.occupation else t("insight.all_occupations")),
                           Cell(format_count(x.target, lang), x.target), _count(page, x.protected),
                           _percent(page, x.protected, x.target)])
    out.append(goals)
    out.append(_figures_section(page, "kecamatan", d.by_kecamatan, lambda r: r.name or r.key, targets_=True))
    out.append(_figures_section(page, "occupation", d.by_occupation, lambda r: _occupation(r.key, lang),
                                targets_=True))
    out.append(_figures_section(page, "sponsor", d.by_sponsor, lambda r: f"{r.name} ({r.key})"))
    out[-1].title = t("page.dashboard.sponsor_section")
    out.append(_figures_section(page, "sex", d.by_sex, lambda r: t(f"page.dashboard.sex.{r.key}"), chart="bar"))
    out.append(_figures_section(page, "age", sorted(d.by_age, key=lambda r: int(r.key)),
                                lambda r: t(f"page.dashboard.age.{r.key}"), chart="bar"))
    months = Section("months", t("page.dashboard.months"),
                     [t("insight.col.month"), t("insight.col.protected"), t("insight.col.enrolled"),
                      t("insight.col.new"), t("insight.col.lapsed")], chart="line", series="1,2",
                     note=t("page.dashboard.months_note"))
    for m in d.months:
        months.rows.append([Cell(month_text(m.month, page.lang)), _count(page, m.protected),
                            _count(page, m.enrolled), _count(page, m.new),
                            _count(page, m.lapsed) if m.final else Cell(t("page.dashboard.not_final"))])
    out.append(months)
    flows = Section("flows", t("page.dashboard.flows"), [t("insight.col.month"), t("insight.col.new"),
                                                          t("insight.col.lapsed")], chart="bar", series="1,2")
    for m in d.months:
        flows.rows.append([Cell(month_text(m.month, page.lang)), _count(page, m.new),
                           _count(page, m.lapsed) if m.final else Cell(t("page.dashboard.not_final"))])
    out.append(flows)
    use = Section("agreements", t("page.dashboard.agreements"),
                  [t("page.dashboard.col.agreement"), t("page.dashboard.col.sponsor"), t("page.dashboard.col.quota"),
                   t("insight.col.enrolled"), "%", t("page.dashboard.col.budget"), t("page.dashboard.col.committed"),
                   t("page.dashboard.col.paid"), "%"], chart=None)
    for a in d.agreements:
        use.rows.append([Cell(a.agreement), Cell(a.sponsor_name), Cell(format_count(a.quota, lang), a.quota),
                         Cell(format_count(a.enrolled, lang), a.enrolled), _percent(page, a.enrolled, a.quota),
                         Cell(rp(a.budget), a.budget), Cell(rp(a.committed), a.committed), Cell(rp(a.paid), a.paid),
                         _percent(page, a.paid, a.budget)])
    out.append(use)
    if d.bills is not None:
        bills = Section("bills", t("page.dashboard.bills"),
                        [t("page.dashboard.col.state"), t("page.dashboard.col.bills"), t("page.dashboard.col.amount"),
                         t("page.dashboard.col.outstanding")], chart="bar", series="3",
                        note=t("page.dashboard.arrears", amount=rp(d.arrears or 0)))
        for b in d.bills:
            bills.rows.append([Cell(t(f"page.dashboard.bill.{b.state}")), Cell(format_count(b.bills, lang), b.bills),
                               Cell(rp(b.amount), b.amount), Cell(rp(b.outstanding), b.outstanding)])
        out.append(bills)
    claims = Section("claims", t("page.dashboard.claims"),
                     [t("page.dashboard.col.type"), t("page.dashboard.col.claims"), t("page.dashboard.col.in_progress"),
                      t("page.dashboard.col.paid_claims"), t("page.dashboard.col.amount_paid")], chart="hbar",
                     series="1,3")
    for c in d.claims:
        claims.rows.append([Cell(t(f"claims.type.{c.type}")), _count(page, c.claims), _count(page, c.in_progress),
                            _count(page, c.paid), _money(page, c.amount_paid)])
    times = d.claim_times
    if times.median_days is not None:
        claims.note = t("page.dashboard.claim_days", n=format_count(times.claims or 0, lang),
                        median=f"{times.median_days:g}", p90=f"{times.p90_days or 0:g}")
    out.append(claims)
    paid = Section("claims_paid", t("page.dashboard.claims_paid"),
                   [t("insight.col.month"), t("page.dashboard.col.paid_claims"), t("page.dashboard.col.amount_paid")],
                   chart="bar", series="2")
    for cm in d.claims_paid:
        paid.rows.append([Cell(month_text(cm.month, page.lang)), _count(page, cm.paid), _money(page, cm.amount)])
    out.append(paid)
    out.append(_figures_section(page, "desa", d.by_desa, lambda r: f"{r.name or ''} ({r.key})", chart=None,
                                targets_=True))
    out[-1].folded = len(d.by_desa) > FOLD_ABOVE
    return out


def _dashboard(page: Page, session: Any, wilayah: str, sponsor: str
               ) -> tuple[dict[str, str], dict[str, str], Dashboard | None, int]:
    values = {"wilayah": wilayah.strip(), "sponsor": sponsor.strip()}
    try:
        found = service.dashboard(session, by=page.actor, today=clock.today(), region=values["wilayah"] or None,
                                  sponsor=values["sponsor"] or None)
    except InvalidInput as exc:
        return values, {"wilayah": exc.message(page.lang)}, None, 422
    except OutOfScope:
        which = "sponsor" if values["sponsor"] and page.actor.scope.sponsor_id is not None else "wilayah"
        return values, {which: page.t("page.dashboard.not_yours")}, None, 403
    except NotFound as exc:
        return values, {"sponsor": exc.message(page.lang)}, None, 422
    return values, {}, found, 200


def _sponsor_options(page: Page, session: Any) -> list[tuple[str, str]]:
    if page.actor.scope.sponsor_id is not None or page.actor.scope.region_code is not None \
            or not page.can("agreement.read"):
        return []
    return [(s.code, f"{s.name} ({s.code})") for s in sponsors.list_sponsors(session, by=page.actor)]


@router.get("/dasbor", response_class=HTMLResponse)
def dashboard(page: SignedIn, session: ReadSession, wilayah: Text = "", sponsor: Text = "") -> Response:
    values, errors, found, status = _dashboard(page, session, wilayah, sponsor)
    query = urlencode({k: v for k, v in values.items() if v})
    return page.render("insight/dashboard.html", status=status, heading=page.t("page.dashboard.title"),
                       values=values, errors=errors, found=found, query=query,
                       sections=sections(page, found) if found else [], sponsors=_sponsor_options(page, session))


@router.get("/dasbor.csv")
def dashboard_csv(page: SignedIn, session: ReadSession, bagian: Text = "kecamatan", wilayah: Text = "",
                  sponsor: Text = "") -> Response:
    values, errors, found, status = _dashboard(page, session, wilayah, sponsor)
    if found is None:
        return page.render("insight/dashboard.html", status=status, heading=page.t("page.dashboard.title"),
                           values=values, errors=errors, found=None, query="", sections=[], sponsors=[])
    chosen = next((s for s in sections(page, found) if s.name == bagian), None)
    if chosen is None:
        raise NotFound("page.not_found")
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with a byte order mark
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(chosen.columns)
    for row in chosen.rows:
        writer.writerow([c.text if c.value is None else c.value for c in row])
    name = f"dasbor-{bagian}-{found.region or 'semua'}-{found.month}.csv"
    return Response(out.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- coverage targets ------------------------------------------------------------------------------------


def _targets_context(page: Page, session: Any, year: int, values: dict[str, str], errors: dict[str, str]
                     ) -> dict[str, Any]:
    found = targets.list_targets(session, by=page.actor, year=year)
    return {"heading": page.t("page.targets.title"), "year": year, "found": found, "values": values, "errors": errors,
            "occupations": [("", page.t("insight.all_occupations"))]
            + [(code, o.label(page.lang)) for code, o in sorted(occupations().items(), key=lambda x: x[1].label())],
            "labels": {code: o.label(page.lang) for code, o in occupations().items()},
            "may_write": page.can("target.write")}


def _year(text_: str) -> int:
    return int(text_) if text_.isdigit() and 2000 <= int(text_) <= 2100 else clock.today().year


@router.get("/target", response_class=HTMLResponse)
def target_list(page: SignedIn, session: ReadSession, tahun: Text = "") -> Response:
    page.actor.require("report.read")
    year = _year(tahun)
    return page.render("insight/targets.html", **_targets_context(page, session, year, {"tahun": str(year)}, {}))


@router.post("/target", response_class=HTMLResponse)
def target_set(page: SignedIn, session: DbSession, values: FormValues) -> Response:
    page.actor.require("target.write")
    year = _year(values.get("tahun", ""))
    try:
        saved = targets.set_target(session, TargetSet(
            year=whole(values.get("tahun"), "target_year") or 0, region=values.get("wilayah", ""),
            occupation=values.get("pekerjaan") or None,
            workers=whole(values.get("target"), "target_workers") or 0), by=page.actor)
    except LindungError as exc:
        errors = {FORM_FIELDS.get(k, k): v for k, v in field_errors(exc, page.lang).items()}
        raise page.refused("insight/targets.html", **_targets_context(page, session, year, values, errors)) from None
    return page.redirect(f"/target?tahun={saved.year}", said="page.targets.saved")


@router.post("/target/hapus", response_class=HTMLResponse)
def target_remove(page: SignedIn, session: DbSession, values: FormValues) -> Response:
    page.actor.require("target.write")
    year = _year(values.get("tahun", ""))
    targets.remove_target(session, year=year, region=values.get("wilayah", ""),
                          occupation=values.get("pekerjaan") or None, by=page.actor)
    return page.redirect(f"/target?tahun={year}", said="page.targets.removed")


async def _sent_file(request: Request) -> UploadFile | None:
    form = await request.form()
    sent = form.get("berkas")
    return sent if isinstance(sent, UploadFile) and sent.filename else None


@router.post("/target/unggah", response_class=HTMLResponse, max_body_size=TARGET_FILE_LIMIT)
def target_upload(page: SignedIn, session: DbSession, values: FormValues,
                  sent: Annotated[UploadFile | None, Depends(_sent_file)]) -> Response:
    page.actor.require("target.write")
    year = _year(values.get("tahun", ""))
    if sent is None:
        raise page.refused("insight/targets.html", **_targets_context(
            page, session, year, values, {"berkas": page.t("page.targets.no_file")}))
    try:
        loaded = targets.load_csv(session, sent.file.read(TARGET_FILE_LIMIT + 1), by=page.actor)
    except LindungError as exc:
        raise page.refused("insight/targets.html", **_targets_context(
            page, session, year, values, {"berkas": exc.message(page.lang)})) from None
    shown = loaded.targets[0].year if loaded.targets else year
    return page.redirect(f"/target?tahun={shown}", said="page.targets.loaded")


# --- a sponsor's impact report ---------------------------------------------------------------------------


def _report_year(text: str, default: int) -> int:
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
        wanted = _report_year(year, today.year)
    except InvalidInput as exc:
        errors["year"] = exc.message(page.lang)
        return values, errors, None, choices
    if not code:
        return values, errors, None, choices
    return values, errors, impact.impact(session, code, year=wanted, by=page.actor, today=today), choices


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
