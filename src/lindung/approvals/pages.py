"""The web pages of approvals (issue 21): ``/persetujuan``, what waits for a second person (the
``approvals`` service: draft agreements, addenda, import proposals, verified claims), oldest first, each
with what its approval stands for, whether the reader may approve it, and a link to where it is approved
(``/perjanjian/{code}``, ``/impor/usulan/{id}``, ``/klaim/{number}``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from lindung.api.deps import ReadSession
from lindung.approvals import service as approvals
from lindung.approvals.service import Waiting
from lindung.kit import clock
from lindung.kit.i18n import catalogue, format_count, t
from lindung.kit.paging import Window
from lindung.rules.money import rp
from lindung.web.context import SignedIn
from lindung.web.forms import Offset
from lindung.web.templating import month_text

router = APIRouter()

ROWS = 25


@dataclass(frozen=True)
class Item:
    """One thing waiting, as the page says it."""

    waiting: Waiting
    headline: str
    facts: str
    who: str
    link: str
    link_text: str
    note: str | None


def _link(w: Waiting) -> str:
    if w.kind == "import":
        return f"/impor/usulan/{w.number}"
    if w.kind == "claim":
        return f"/klaim/{quote(str(w.facts.get('claim', '')))}"
    return f"/perjanjian/{quote(w.agreement)}"


def _facts(w: Waiting, lang: str) -> str:
    f = w.facts
    if w.kind == "agreement":
        return t("page.approvals.facts.agreement", lang, start=month_text(f["start"], lang),
                 end=month_text(f["end"], lang), quota=format_count(f["quota"], lang), budget=rp(f["budget"]),
                 expected=rp(f["estimate_expected"]))
    if w.kind == "amendment":
        return t("page.approvals.facts.amendment", lang, quota_before=format_count(f["quota_before"], lang),
                 quota_after=format_count(f["quota_after"], lang), budget_before=rp(f["budget_before"]),
                 budget_after=rp(f["budget_after"]), expected=rp(f["estimate_expected"]),
                 reference=f["reference"] or "-")
    if w.kind == "claim":
        return t("page.approvals.facts.claim", lang, type=t(f"page.approvals.claim_type.{f['type']}", lang)
                 if f"page.approvals.claim_type.{f['type']}" in catalogue() else f["type"],
                 total=rp(f["total"]))
    file = f["file"] + (f" [{f['sheet']}]" if f["sheet"] else "")
    return t("page.approvals.facts.import", lang, file=file, read=format_count(f["read"], lang),
             enrol=format_count(f["would_enrol"], lang), cost=rp(f["would_cost"]),
             already=format_count(f["already_enrolled"], lang), refused=format_count(f["refused"], lang))


def _who(w: Waiting, lang: str) -> str:
    said = t(f"page.approvals.by.{w.kind}", lang, person=w.proposed_by, at=clock.format_time(w.proposed_at, lang))
    if w.edits:
        said += "; " + t("page.approvals.edited", lang, people=", ".join(dict.fromkeys(e.by for e in w.edits)),
                         at=clock.format_time(w.edits[-1].at, lang))
    return said


def _note(w: Waiting, lang: str) -> str | None:
    if w.stale:
        return t("page.approvals.stale", lang, agreement=w.agreement,
                 status=t(f"registry.status.{w.agreement_status}", lang))
    if w.why_not == "permission":
        return t("page.approvals.not_permitted", lang)
    if w.why_not == "maker":
        return t("page.approvals.not_you", lang)
    return None


def item(w: Waiting, lang: str) -> Item:
    number = w.facts.get("claim", w.number) if w.kind == "claim" else w.number
    return Item(w, t(f"page.approvals.kind.{w.kind}", lang, agreement=w.agreement, number=number, sponsor=w.sponsor),
                _facts(w, lang), _who(w, lang), _link(w),
                t("page.approvals.open_approve" if w.may_approve and not w.stale else "page.approvals.open", lang),
                _note(w, lang))


@router.get("/persetujuan", response_class=HTMLResponse)
def inbox(page: SignedIn, session: ReadSession,
          offset: Offset = 0) -> Response:
    found = approvals.awaiting_page(session, by=page.actor, window=Window(limit=ROWS, offset=offset))
    return page.render("approvals/inbox.html", paged=found.map(lambda w: item(w, page.lang)))
