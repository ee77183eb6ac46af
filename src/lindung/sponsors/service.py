"""Sponsors and agreements: drafting, the cost estimate, approval by a second person, life cycle.

Status: draft → approved → active → ended, or draft → withdrawn. Only approved and active agreements
accept enrolments.
The user who approves must not be the user who drafted or changed the draft (maker-checker, by user
id); the database refuses it too (CHECKs on the user ids, and on the names of rows from before users).

Who acts is an ``Actor`` (``kit.auth``): each use case checks its permission first. A sponsor's staff
reach only their sponsor and its agreements: any other is "not found", and lists hold only theirs.

Cost estimate (from the rules engine, never a number in code):
- list price: the undiscounted monthly contribution of the package, month by month over the
  agreement's period, × quota (Kadin: 1.000 × Rp16.800 × 12 = Rp201.600.000);
- expected cost: the same with the dated discounts the funding source gets (PP 50/2025), for the
  sector of the target group (transport only when every target occupation is transport).
Both are stored when the agreement is drafted, as the inputs of the approval decision.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.kit import clock, i18n
from lindung.kit.auth import EVERYTHING, Actor, Scope, same_user
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, InvalidInput, NotFound, StatusError
from lindung.kit.numbers import COUNT_MAX, MONTHS_MAX, rupiah_amount, whole_number
from lindung.kit.paging import Paged, Window
from lindung.kit.privacy import mask_niks_in_text
from lindung.regions import service as regions
from lindung.rules.catalogues import funding_source
from lindung.rules.catalogues import occupation as find_occupation
from lindung.rules.contributions import OTHER, TRANSPORT, choose_base, contribution_for_month, lowest_income
from lindung.rules.params import ParameterSet, default_parameters
from lindung.rules.period import Month
from lindung.sponsors import repository
from lindung.sponsors.models import (
    AFTER_DEATH_POLICIES,
    AGREEMENT_STATUSES,
    OPEN_STATUSES,
    Agreement,
    AgreementOccupation,
    AgreementRegion,
    Sponsor,
)
from lindung.sponsors.schemas import (
    AgreementChanges,
    AgreementCreate,
    AgreementDetail,
    AgreementEdited,
    AgreementRead,
    AmendmentRead,
    DraftEdit,
    EstimateRead,
    FieldChange,
    Package,
    SponsorCreate,
    SponsorDetail,
    SponsorRead,
    SponsorRef,
    SponsorTotals,
    SponsorUpdate,
    SponsorUpdated,
    Targets,
    Use,
    Withdrawal,
)

# Sponsor types by funding source (rules.md 5): who the sponsor is, not how BPJS groups it.
SPONSOR_TYPES = ("government", "village", "company", "bank", "association", "individual", "self")
DEFAULT_TYPE_BY_FUNDING = {"apbn": "government", "apbd": "government", "apbdes": "village",
                           "csr": "company", "bank": "bank", "kadin": "association",
                           "sertakan": "individual", "mandiri": "self"}
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")


class SelfApproval(Conflict):
    code = "agreement.self_approval"


class StatusConflict(StatusError, Conflict):
    code = "agreement.status"


class SponsorExists(Conflict):
    code = "sponsor.exists"


class AgreementExists(Conflict):
    code = "agreement.exists"


def normalize_code(text: str, field: str = "code") -> str:
    code = str(text).strip().upper()
    if not _CODE.match(code):
        raise InvalidInput(field, text, reason="code")
    return code


def checked_quota(value: object) -> int:
    return whole_number(value, "quota", minimum=1, maximum=COUNT_MAX)


# --- sponsors ---------------------------------------------------------------------------------


def _sponsor_name(text: str) -> str:
    name = " ".join(str(text).split())
    if not name or len(name) > 200 or not name.isprintable():
        raise InvalidInput("name", text)
    return name


def _known_code(text: object) -> str | None:
    """``text`` as a stored code would be written (upper case), or None when no code could be written so
    (every code was checked by ``normalize_code`` when it was made): such a text names nothing, and is
    never sent to the database (a NUL, say, which PostgreSQL refuses to read)."""
    code = str(text).strip().upper()
    return code if _CODE.match(code) else None


def _sponsor_type(text: str) -> str:
    kind = text.strip().casefold()
    if kind not in SPONSOR_TYPES:
        raise InvalidInput("sponsor_type", text, known=", ".join(SPONSOR_TYPES))
    return kind


def sponsor_read(s: Sponsor) -> SponsorRead:
    return SponsorRead(code=s.code, name=s.name, type=s.type, funding=s.funding_code, created_by=s.created_by,
                       created_at=s.created_at)


def add_sponsor(session: Session, data: SponsorCreate, *, by: Actor) -> SponsorRead:
    by.require("sponsor.write")
    code = normalize_code(data.code)
    source = funding_source(data.funding)
    kind = _sponsor_type(data.type or DEFAULT_TYPE_BY_FUNDING.get(source.code, "association"))
    clean_name = _sponsor_name(data.name)
    if repository.sponsor_by_code(session, code) is not None:
        raise SponsorExists(sponsor=code)
    sponsor = Sponsor(code=code, name=clean_name, type=kind, funding_code=source.code, created_by=by.username,
                      created_at=utcnow())
    session.add(sponsor)
    session.flush()
    audit.record(session, actor=by, action="sponsor.added", subject_type="sponsor", subject_id=sponsor.id,
                 data={"sponsor_type": kind, "funding": source.code})
    return sponsor_read(sponsor)


def update_sponsor(session: Session, code: str, changes: SponsorUpdate, *, by: Actor) -> SponsorUpdated:
    """Correct a sponsor's name, funding source or type (its code names it everywhere and stays):
    checked as ``add_sponsor`` checks them, one audit entry naming each field before and after.
    Agreements keep the funding source they were drafted with; the sponsor's is the default of new
    ones. ``InvalidInput`` when nothing changes."""
    by.require("sponsor.write")
    sponsor = get_sponsor(session, code)
    before = {"name": sponsor.name, "funding": sponsor.funding_code, "type": sponsor.type}
    after = dict(before)  # every value checked before any is set
    if changes.name is not None:
        after["name"] = _sponsor_name(changes.name)
    if changes.funding is not None:
        after["funding"] = funding_source(changes.funding).code
    if changes.type is not None:
        after["type"] = _sponsor_type(changes.type)
    changed = [field for field in before if before[field] != after[field]]
    if not changed:
        raise InvalidInput("sponsor", sponsor.code, reason="sponsor_unchanged")
    sponsor.name, sponsor.funding_code, sponsor.type = after["name"], after["funding"], after["type"]
    session.flush()
    # An individual donor's name is personal data (UU 27/2022 PDP), which the audit log never holds: its
    # change is named, not written out, as a worker's changes are.
    personal = "individual" in (before["type"], after["type"])
    audit.record(session, actor=by, action="sponsor.updated", subject_type="sponsor", subject_id=sponsor.id,
                 data={"changes": [[f, None, None] if f == "name" and personal else [f, before[f], after[f]]
                                   for f in changed]})
    return SponsorUpdated(**sponsor_read(sponsor).model_dump(), changed=changed)


def get_sponsor(session: Session, code: str, scope: Scope | None = None) -> Sponsor:
    """The sponsor with that code (any case); NotFound, also when ``scope`` is another sponsor's."""
    known = _known_code(code)
    found = repository.sponsor_by_code(session, known) if known is not None else None
    if found is None or (scope is not None and scope.sponsor_id is not None and found.id != scope.sponsor_id):
        raise NotFound("sponsor.not_found", sponsor=code)
    return found


def list_sponsors(session: Session, *, by: Actor) -> list[SponsorRead]:
    """Every sponsor, by code (a sponsor's staff: their own)."""
    by.require("agreement.read")
    return [sponsor_read(s) for s in repository.sponsors(session, by.scope)]


def sponsor_page(session: Session, *, by: Actor, window: Window) -> Paged[SponsorRead]:
    """``list_sponsors``, one page of it (cut in SQL)."""
    by.require("agreement.read")
    return repository.sponsor_page(session, by.scope, window).map(sponsor_read)


def show_sponsor(session: Session, code: str, *, by: Actor) -> SponsorDetail:
    """A sponsor with its agreements, and quota, places, budget and rupiah committed over those in
    force; which have an addendum waiting."""
    by.require("agreement.read")
    sponsor = get_sponsor(session, code, by.scope)
    agreements = [describe(a) for a in repository.agreements(session, EVERYTHING, sponsor_id=sponsor.id)]
    live = [a for a in agreements if a.status in OPEN_STATUSES]
    totals = SponsorTotals(open_agreements=len(live), quota=sum(a.quota for a in live),
                           enrolled=sum(a.use.enrolled for a in live), budget=sum(a.budget for a in live),
                           committed=sum(a.use.committed for a in live))
    pending = [a.code for a in agreements if any(m.status == "proposed" for m in a.amendments)]
    return SponsorDetail(**sponsor_read(sponsor).model_dump(), agreements=agreements, totals=totals,
                         amendments_pending=pending)



# --- agreements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """What an agreement is expected to cost over its whole period, at full quota."""

    quota: int
    months: int
    monthly_list_price: tuple[int, ...]   # undiscounted, month by month
    monthly_expected: tuple[int, ...]     # with the discounts for the funding source and sector
    sector: str

    @property
    def list_price(self) -> int:
        return self.quota * sum(self.monthly_list_price)

    @property
    def expected(self) -> int:
        return self.quota * sum(self.monthly_expected)

    def to_dict(self) -> dict[str, Any]:
        return {"quota": self.quota, "months": self.months, "sector": self.sector,
                "list_price": self.list_price, "expected": self.expected,
                "monthly_list_price": list(self.monthly_list_price),
                "monthly_expected": list(self.monthly_expected)}


def estimate(*, quota: int, start: Month, months: int, base: int, funding: str, jht: bool, sector: str,
             params: ParameterSet | None = None) -> Estimate:
    listed: list[int] = []
    expected: list[int] = []
    for month in start.span(months):
        c = contribution_for_month(month, base=base, transport=sector == TRANSPORT, funding=funding,
                                   jht=jht, params=params)
        expected.append(c.total)
        listed.append(sum(x.amount for x in c.components
                          if x.code != "bracket" and not x.code.startswith("discount")))
    return Estimate(quota, months, tuple(listed), tuple(expected), sector)


def estimate_for(agreement: Agreement, params: ParameterSet | None = None, *, quota: int | None = None) -> Estimate:
    """The estimate recomputed with today's parameters (the stored one is as drafted), for the
    agreement's quota or ``quota`` workers."""
    codes = [t.occupation_code for t in agreement.target_occupations]
    return estimate(quota=agreement.quota if quota is None else quota, start=Month.from_index(agreement.start_month),
                    months=agreement.months, base=agreement.base, funding=agreement.funding_code,
                    jht=agreement.jht, sector=_target_sector(codes), params=params)


def _target_sector(occupation_codes: list[str] | None) -> str:
    if not occupation_codes:
        return OTHER
    return TRANSPORT if all(find_occupation(c).transport for c in occupation_codes) else OTHER


@dataclass(frozen=True)
class _Resolved:
    """An agreement's input checked and its package worked out: what its row stores."""

    sponsor: Sponsor
    quota: int
    budget: int
    start: Month
    months: int
    funding: str
    income: int | None
    base: int
    bracket: int | None
    jht: bool
    billing_cycle: int
    after_death: str
    occupations: list[str]
    regions: list[str]
    estimate: Estimate


def _resolve(session: Session, data: AgreementCreate, params: ParameterSet) -> _Resolved:
    sponsor = get_sponsor(session, data.sponsor)
    quota = checked_quota(data.quota)
    budget = rupiah_amount(data.budget, "budget")
    months = whole_number(data.months, "months", minimum=1, maximum=MONTHS_MAX)
    source = funding_source(data.funding or sponsor.funding_code)
    cycles: tuple[int, ...] = params.at("contribution.prepay_cycles", data.start.first_day()).value
    cycle = cycles[-1] if data.billing_cycle is None else data.billing_cycle
    if cycle not in cycles:
        raise InvalidInput("billing_cycle", data.billing_cycle, known=", ".join(map(str, cycles)))
    after_death = str(data.after_death).strip().casefold()
    if after_death not in AFTER_DEATH_POLICIES:
        raise InvalidInput("after_death", data.after_death, known=", ".join(AFTER_DEATH_POLICIES))
    if data.income is None:
        choice = choose_base(data.start, income=lowest_income(data.start.first_day(), params), params=params)
    else:
        choice = choose_base(data.start, income=rupiah_amount(data.income, "income"), params=params)
    occupations = sorted({find_occupation(o).code for o in data.target_occupations})
    region_codes = sorted({regions.resolve(session, r, field="target_region").code
                           for r in data.target_regions})
    est = estimate(quota=quota, start=data.start, months=months, base=choice.base, funding=source.code,
                   jht=data.jht, sector=_target_sector(occupations), params=params)
    return _Resolved(sponsor, quota, budget, data.start, months, source.code, data.income, choice.base,
                     choice.bracket.number if choice.bracket else None, bool(data.jht), cycle, after_death,
                     occupations, region_codes, est)


def draft_agreement(session: Session, data: AgreementCreate, *, by: Actor,
                    params: ParameterSet | None = None) -> AgreementDetail:
    """A new agreement in draft, with its package resolved and its cost estimate stored."""
    by.require("agreement.draft")
    code = normalize_code(data.code)
    r = _resolve(session, data, params or default_parameters())
    if repository.agreement_by_code(session, code) is not None:
        raise AgreementExists(agreement=code)
    agreement = Agreement(
        code=code, sponsor=r.sponsor, status="draft", drafted_by=by.username, drafted_by_id=by.user_id,
        drafted_at=utcnow(), enrolled_count=0, committed_cost=0)
    _store(agreement, r)
    session.add(agreement)
    session.flush()
    audit.record(session, actor=by, action="agreement.drafted", subject_type="agreement", subject_id=agreement.id,
                 data={"quota": agreement.quota, "budget": agreement.budget, "start": str(r.start),
                       "months": agreement.months})
    return detail(session, agreement)


def _store(agreement: Agreement, r: _Resolved) -> None:
    agreement.sponsor = r.sponsor
    agreement.funding_code = r.funding
    agreement.quota, agreement.budget = r.quota, r.budget
    agreement.start_month, agreement.months = r.start.index, r.months
    agreement.end_month = r.start.index + r.months - 1
    agreement.income, agreement.base, agreement.bracket = r.income, r.base, r.bracket
    agreement.jht, agreement.billing_cycle_months, agreement.after_death = r.jht, r.billing_cycle, r.after_death
    agreement.estimate_list_price, agreement.estimate_expected = r.estimate.list_price, r.estimate.expected
    if [t.occupation_code for t in agreement.target_occupations] != r.occupations:
        agreement.target_occupations = [AgreementOccupation(occupation_code=o) for o in r.occupations]
    if [t.region_code for t in agreement.target_regions] != r.regions:
        agreement.target_regions = [AgreementRegion(region_code=c) for c in r.regions]


class NotADraft(StatusError, Conflict):
    """Only a draft is edited field by field; an approved agreement changes by an addendum."""

    code = "agreement.edit_not_draft"


def _draft_fields(sponsor: str, quota: int, budget: int, start: Month, months: int, income: int | None,
                  base: int, jht: bool, funding: str, billing_cycle: int, after_death: str,
                  occupations: Iterable[str], regions: Iterable[str]) -> dict[str, object]:
    """The fields of a draft as the audit log and ``edit_draft`` name and compare them."""
    return {"sponsor": sponsor, "quota": quota, "budget": budget, "start": str(start), "months": months,
            "income": income, "base": base, "jht": jht, "funding": funding, "billing_cycle": billing_cycle,
            "after_death": after_death, "occupations": ",".join(occupations) or "-",
            "regions": ",".join(regions) or "-"}


def _stored_fields(a: Agreement) -> dict[str, object]:
    return _draft_fields(a.sponsor.code, a.quota, a.budget, Month.from_index(a.start_month), a.months, a.income,
                         a.base, a.jht, a.funding_code, a.billing_cycle_months, a.after_death,
                         (t.occupation_code for t in a.target_occupations), (t.region_code for t in a.target_regions))


def _resolved_fields(r: _Resolved) -> dict[str, object]:
    return _draft_fields(r.sponsor.code, r.quota, r.budget, r.start, r.months, r.income, r.base, r.jht, r.funding,
                         r.billing_cycle, r.after_death, r.occupations, r.regions)


def edit_draft(session: Session, code: str, changes: AgreementChanges, *, by: Actor,
               params: ParameterSet | None = None) -> AgreementEdited:
    """Change any field of a draft but its code: checked and worked out as ``agreement add`` does
    (package, bracket, cost estimate), audited field by field. The result names the fields that
    changed (``InvalidInput`` when none did). Whoever edits a draft may not approve it (``approve``).
    When the sponsor changes and the funding source was the old sponsor's, it becomes the new one's.
    With ``changes.version``, only the draft at that version (``DraftVersionChanged`` otherwise, as
    ``approve`` refuses it): an edit made over the HTTP API does not silently undo another's."""
    by.require("agreement.draft")
    if changes.lowest_income and changes.income is not None:
        raise InvalidInput("income", changes.income, reason="income_and_lowest")
    agreement = get_agreement(session, code, for_update=True)
    if agreement.status != "draft":
        raise NotADraft(agreement=agreement.code, status=agreement.status)
    if changes.version is not None:  # the draft the editor read, not one changed since
        _check_version(session, agreement, changes.version)
    before = _stored_fields(agreement)
    funding = changes.funding
    if funding is None and changes.sponsor is not None and agreement.funding_code == agreement.sponsor.funding_code:
        funding = get_sponsor(session, changes.sponsor).funding_code

    def pick(new: Any, old: Any) -> Any:
        return old if new is None else new

    data = AgreementCreate(
        code=agreement.code, sponsor=pick(changes.sponsor, agreement.sponsor.code),
        quota=pick(changes.quota, agreement.quota), budget=pick(changes.budget, agreement.budget),
        start=pick(changes.start, Month.from_index(agreement.start_month)),
        months=pick(changes.months, agreement.months),
        income=None if changes.lowest_income else pick(changes.income, agreement.income),
        jht=pick(changes.jht, agreement.jht), funding=pick(funding, agreement.funding_code),
        billing_cycle=pick(changes.billing_cycle, agreement.billing_cycle_months),
        after_death=pick(changes.after_death, agreement.after_death),
        target_occupations=pick(changes.target_occupations,
                                tuple(t.occupation_code for t in agreement.target_occupations)),
        target_regions=pick(changes.target_regions, tuple(t.region_code for t in agreement.target_regions)))
    resolved = _resolve(session, data, params or default_parameters())
    after = _resolved_fields(resolved)
    changed = [name for name in before if before[name] != after[name]]
    if not changed:  # refused before anything is stored: a caller that commits anyway keeps the draft as it was
        raise InvalidInput("edit", agreement.code, reason="edit_nothing")
    _store(agreement, resolved)
    session.flush()
    record_draft_change(session, agreement, [(n, before[n], after[n]) for n in changed], by=by)
    return AgreementEdited(**detail(session, agreement).model_dump(), changed=changed)


def record_draft_change(session: Session, agreement: Agreement, changes: Sequence[tuple[str, object, object]], *,
                        by: Actor) -> None:
    """The audit entry of a change to a draft (``edit_draft``, and ``amendments.amend`` of a draft):
    each field with its value before and after; ``draft_edits`` reads them back."""
    audit.record(session, actor=by, action=DRAFT_EDITED, subject_type="agreement", subject_id=agreement.id,
                 data={"changes": [[field, before, after] for field, before, after in changes]})


def _legacy_change_parts(change: str) -> list[tuple[str, str, str] | str]:
    """A change as entries before 7 December 2026 wrote it ('months 12 -> 10; jht False -> True'),
    part by part: (field, before, after), or the part's text where it is not in that form (an entry
    written otherwise, before 6 December)."""
    parts: list[tuple[str, str, str] | str] = []
    for part in change.split("; "):
        field, _, rest = part.partition(" ")
        before, arrow, after = rest.partition(" -> ")
        parts.append((field, before, after) if arrow else part)
    return parts


def get_agreement(session: Session, code: str, *, for_update: bool = False, scope: Scope | None = None) -> Agreement:
    """The agreement with that code (any case); NotFound, also when ``scope`` is another sponsor's."""
    known = _known_code(code)
    found = repository.agreement_by_code(session, known, for_update=for_update) if known is not None else None
    if found is None or (scope is not None and scope.sponsor_id is not None and found.sponsor_id != scope.sponsor_id):
        raise NotFound("agreement.not_found", agreement=code)
    return found


DRAFT_EDITED = "agreement.edited"
"""The audit action of a change to a draft (``agreement amend`` or ``agreement edit`` of a draft)."""


def draft_edit_entries(session: Session, agreement: Agreement) -> list[AuditEntry]:
    """The audit entries of the changes to a draft, oldest first (who changed it, by user id)."""
    return [e for e in audit.entries_for(session, "agreement", agreement.id) if e.action == DRAFT_EDITED]


def _as_edit(entry: AuditEntry) -> DraftEdit:
    if entry.data is not None:
        recorded: list[list[object]] = entry.data["changes"]  # type: ignore[assignment]
        changes = [FieldChange(field=str(f), before=_text(b), after=_text(a)) for f, b, a in recorded]
        return DraftEdit(by=entry.actor, at=entry.at, changes=changes)
    parts = _legacy_change_parts((entry.detail or "").removeprefix("draft: "))
    changes = [FieldChange(field=p[0], before=p[1], after=p[2]) for p in parts if not isinstance(p, str)]
    text = "; ".join(p for p in parts if isinstance(p, str)) or None
    return DraftEdit(by=entry.actor, at=entry.at, changes=changes, text=text)


def _text(value: object) -> str:
    """A draft field's value as ``FieldChange`` holds it (as the entries before users wrote it)."""
    return str(value)


def draft_edits(session: Session, agreement: Agreement) -> list[DraftEdit]:
    """Who changed the draft, when, and what (the audit log's entries, oldest first): shown with the
    agreement, so that whoever approves it sees that the draft is not as first drafted."""
    return edits_of(draft_edit_entries(session, agreement))


def edits_of(entries: Sequence[AuditEntry]) -> list[DraftEdit]:
    """``draft_edits`` of entries already read (``draft_edit_entries``)."""
    return [_as_edit(e) for e in entries]


class DraftVersionChanged(Conflict):
    """``agreement approve --version N`` of a draft changed since the approver read version N."""

    code = "agreement.version_changed"

    def shown_context(self, lang: str) -> dict[str, Any]:
        context = super().shown_context(lang)
        context["at"] = clock.format_time(context["at"], lang)  # the branch's time, as agreement show has it
        return context


def draft_version(edits: Sequence[object]) -> int:
    """A draft's version: 1 as drafted, one more for each change (``draft_edits``). ``agreement show``
    prints it and ``agreement approve --version`` names the one the approver read."""
    return 1 + len(edits)


def _check_version(session: Session, agreement: Agreement, version: int,
                   edits: Sequence[AuditEntry] | None = None) -> None:
    """``DraftVersionChanged`` unless the draft is at ``version`` (what whoever acts read), naming who
    changed it last and when."""
    entries = draft_edit_entries(session, agreement) if edits is None else edits
    if version != draft_version(entries):
        last = entries[-1] if entries else None
        raise DraftVersionChanged(agreement=agreement.code, seen=version, version=draft_version(entries),
                                  by=last.actor if last else agreement.drafted_by,
                                  at=last.at if last else agreement.drafted_at)


def approve(session: Session, code: str, *, by: Actor, version: int | None = None,
            now: dt.datetime | None = None) -> AgreementDetail:
    """Approve a draft (a second user). With ``version``, only the draft as it was at that version
    (``draft_version``): a change since, by whoever, is refused naming who changed it and when, so an
    approval stands for what the approver read. The row is locked first, as every change locks it."""
    by.require("agreement.approve")
    agreement = get_agreement(session, code, for_update=True)
    if agreement.status != "draft":
        raise StatusConflict(agreement=agreement.code, status=agreement.status, wanted="approved")
    if same_user(by, agreement.drafted_by_id, agreement.drafted_by):
        raise SelfApproval(agreement=agreement.code, person=by.username)
    # Whoever changed the draft would check their own work, as its drafter would; the audit log,
    # written in the same transaction as each change, says who changed it.
    edits = draft_edit_entries(session, agreement)
    if any(same_user(by, e.actor_id, e.actor) for e in edits):
        raise SelfApproval("agreement.self_approval_edited", agreement=agreement.code, person=by.username)
    if version is not None:
        _check_version(session, agreement, version, edits)
    agreement.status = "approved"
    agreement.approved_by, agreement.approved_by_id = by.username, by.user_id
    agreement.approved_at = now or utcnow()
    session.flush()
    audit.record(session, actor=by, action="agreement.approved", subject_type="agreement", subject_id=agreement.id,
                 data={"version": draft_version(edits)})
    return detail(session, agreement)


def activate(session: Session, code: str, *, by: Actor, now: dt.datetime | None = None) -> AgreementRead:
    """An approved agreement becomes active, audited with who activated it."""
    by.require("agreement.draft")
    agreement = get_agreement(session, code, for_update=True)
    if agreement.status != "approved":
        raise StatusConflict(agreement=agreement.code, status=agreement.status, wanted="active")
    agreement.status = "active"
    agreement.activated_at = now or utcnow()
    session.flush()
    audit.record(session, actor=by, action="agreement.activated", subject_type="agreement", subject_id=agreement.id)
    return describe(agreement)


def end(session: Session, code: str, *, now: dt.datetime | None = None) -> Agreement:
    """The agreement's status becomes ended, nothing else (for ``billing.ends.end_agreement``, which
    ends its enrolments and settles its bills in the same transaction, and checks who may)."""
    agreement = get_agreement(session, code, for_update=True)
    mark_ended(session, agreement, now)
    return agreement


def mark_ended(session: Session, agreement: Agreement, now: dt.datetime | None = None) -> None:
    """An approved or active agreement's status becomes ended."""
    if agreement.status not in OPEN_STATUSES:
        raise StatusConflict(agreement=agreement.code, status=agreement.status, wanted="ended")
    agreement.status = "ended"
    agreement.ended_at = now or utcnow()
    session.flush()


class EndWithEnrolments(Conflict):
    """``agreement end`` of an agreement that covers workers: their enrolments and bills must end with it."""

    code = "agreement.end_has_enrolments"
    counts = ("enrolled",)


def end_unused(session: Session, code: str, *, by: Actor, now: dt.datetime | None = None) -> AgreementRead:
    """``lindung agreement end``: an approved or active agreement nobody is enrolled in ends at once,
    audited. One with enrolments is refused: it ends through ``billing end-agreement``, which ends them,
    voids the bills after its last month and settles what was paid for them; a bare change of status
    would leave them covered and billed. (A draft cannot end: an ended agreement was approved, a CHECK
    of the table; a wrong draft is corrected with ``agreement edit``, one not wanted is
    withdrawn: ``withdraw``.)"""
    by.require("agreement.draft")
    agreement = get_agreement(session, code, for_update=True)
    if agreement.enrolled_count and agreement.status in OPEN_STATUSES:
        raise EndWithEnrolments(agreement=agreement.code, enrolled=agreement.enrolled_count)
    before = agreement.status
    mark_ended(session, agreement, now)
    audit.record(session, actor=by, action="agreement.end", subject_type="agreement", subject_id=agreement.id,
                 data={"variant": "unused", "agreement_status": before})
    return describe(agreement)


WITHDRAWN = "agreement.withdrawn"
"""The audit action of a draft's withdrawal; its ``data`` holds the reason."""


class NotWithdrawable(StatusError, Conflict):
    """Only a draft is withdrawn; an approved agreement ends (``agreement end``, ``billing end-agreement``)."""

    code = "agreement.withdraw_not_draft"


def withdraw(session: Session, code: str, *, reason: str, by: Actor,
             now: dt.datetime | None = None) -> AgreementDetail:
    """``lindung agreement withdraw``: a draft that will not be approved — the sponsor pulled out, it
    was drafted twice — is withdrawn, with who and why in the audit log. It was never in force, so
    nothing else changes: no enrolment, bill or place was ever tied to it (only approved agreements
    take enrolments), and its code stays taken, the record of what was drafted. Anyone who drafts may
    withdraw it, its drafter too: withdrawing needs no second person, approving does."""
    by.require("agreement.draft")
    why = mask_niks_in_text(" ".join(str(reason).split()))  # the audit log takes no full NIK
    if not why.isprintable():
        raise InvalidInput("reason", why, reason="control_characters")
    if not why or len(why) > 500:
        raise InvalidInput("reason", reason, reason="withdraw_reason")
    agreement = get_agreement(session, code, for_update=True)
    if agreement.status != "draft":
        raise NotWithdrawable(agreement=agreement.code, status=agreement.status)
    agreement.status = "withdrawn"
    agreement.ended_at = now or utcnow()
    session.flush()
    audit.record(session, actor=by, action=WITHDRAWN, subject_type="agreement", subject_id=agreement.id,
                 data={"reason": why})
    return detail(session, agreement)


def withdrawal(session: Session, agreement: Agreement) -> Withdrawal | None:
    """Who withdrew a withdrawn draft, when and why (the audit log's entry), else None."""
    if agreement.status != "withdrawn":
        return None
    for e in reversed(audit.entries_for(session, "agreement", agreement.id)):
        if e.action == WITHDRAWN:
            reason = str(e.data["reason"]) if e.data else (e.detail or "").removeprefix("draft -> withdrawn: ")
            return Withdrawal(by=e.actor, at=e.at, reason=reason)
    return None


def agreement_status(text: str) -> str:
    """A status as an officer writes it: its code (``withdrawn``) or its label in either language
    (``ditarik``), any case."""
    wanted = " ".join(str(text).split()).casefold()
    for status in AGREEMENT_STATUSES:
        if wanted in (status, *(i18n.t(f"registry.status.{status}", lang).casefold() for lang in ("id", "en"))):
            return status
    raise InvalidInput("status", text, reason="agreement_status", known=", ".join(AGREEMENT_STATUSES))


def amendment_read(m: Any, code: str) -> AmendmentRead:
    return AmendmentRead(id=m.id, agreement=code, reference=m.reference, quota_before=m.quota_before,
                         quota_after=m.quota_after, budget_before=m.budget_before, budget_after=m.budget_after,
                         estimate_list_price_after=m.estimate_list_price_after,
                         estimate_expected_after=m.estimate_expected_after, status=m.status,
                         proposed_by=m.proposed_by, proposed_at=m.proposed_at, decided_by=m.decided_by,
                         decided_at=m.decided_at)


def describe(agreement: Agreement) -> AgreementRead:
    start = Month.from_index(agreement.start_month)
    end_month = Month.from_index(agreement.end_month)
    return AgreementRead(
        code=agreement.code,
        sponsor=SponsorRef(code=agreement.sponsor.code, name=agreement.sponsor.name),
        funding=agreement.funding_code,
        status=agreement.status,
        quota=agreement.quota,
        budget=agreement.budget,
        start=str(start),
        end=str(end_month),
        months=agreement.months,
        package=Package(income=agreement.income, base=agreement.base, bracket=agreement.bracket, jht=agreement.jht,
                        billing_cycle_months=agreement.billing_cycle_months, after_death=agreement.after_death),
        targets=Targets(occupations=[t.occupation_code for t in agreement.target_occupations],
                        regions=[t.region_code for t in agreement.target_regions]),
        estimate=EstimateRead(list_price=agreement.estimate_list_price,
                              monthly_list_price=_monthly(agreement.estimate_list_price,
                                                          agreement.quota * agreement.months),
                              expected=agreement.estimate_expected,
                              budget_shortfall=max(agreement.estimate_expected - agreement.budget, 0)),
        use=Use(enrolled=agreement.enrolled_count, quota_left=agreement.quota - agreement.enrolled_count,
                committed=agreement.committed_cost, budget_left=agreement.budget - agreement.committed_cost),
        drafted_by=agreement.drafted_by,
        drafted_at=agreement.drafted_at,
        approved_by=agreement.approved_by,
        approved_at=agreement.approved_at,
        amendments=[amendment_read(m, agreement.code) for m in agreement.amendments],
    )


def detail(session: Session, agreement: Agreement) -> AgreementDetail:
    """``describe`` with what the audit log tells of the draft: its changes (``edits``), its version
    (what ``approve --version`` names) and, for a withdrawn draft, who withdrew it, when and why."""
    edits = draft_edits(session, agreement)
    return AgreementDetail(**describe(agreement).model_dump(), version=draft_version(edits), edits=edits,
                           withdrawn=withdrawal(session, agreement))


def show_agreement(session: Session, code: str, *, by: Actor) -> AgreementDetail:
    """One agreement with its history (``agreement show``); another sponsor's is not found."""
    by.require("agreement.read")
    return detail(session, get_agreement(session, code, scope=by.scope))


def list_agreements(session: Session, *, by: Actor, sponsor: str | None = None,
                    statuses: Iterable[str] = ()) -> list[AgreementRead]:
    """Agreements by code, of one sponsor or all (a sponsor's staff: their own), of the ``statuses``
    asked for (codes or either language's labels) or every status."""
    by.require("agreement.read")
    wanted = {agreement_status(s) for s in statuses}
    sponsor_id = get_sponsor(session, sponsor, by.scope).id if sponsor is not None else None
    return [describe(a) for a in repository.agreements(session, by.scope, sponsor_id=sponsor_id, statuses=wanted)]


def agreement_page(session: Session, *, by: Actor, window: Window, sponsor: str | None = None,
                   statuses: Iterable[str] = ()) -> Paged[AgreementRead]:
    """``list_agreements``, one page of it (cut in SQL), each with its quota and budget use."""
    by.require("agreement.read")
    wanted = {agreement_status(s) for s in statuses}
    sponsor_id = get_sponsor(session, sponsor, by.scope).id if sponsor is not None else None
    return repository.agreement_page(session, by.scope, window, sponsor_id=sponsor_id, statuses=wanted).map(describe)


def _monthly(total: int, worker_months: int) -> int | None:
    """The list price per worker-month when it was the same every month (else None)."""
    price, rest = divmod(total, worker_months)
    return price if rest == 0 else None
