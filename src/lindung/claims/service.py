"""Claims, from the accident report to the heir's payment (rules.md 3 and 4; product.md capability 5).

- **Accidents** (``report_accident``, ``record_outcome``): the stage I report, flagged when later than
  the deadline (never refused), and the stage II outcome. One accident gathers its claims over time.
- **A claim** (``new_claim``) is computed by the rules engine at the event date: eligibility from the
  coverage ledger (``billing.coverage.event_facts``, i.e. ``rules.coverage.covered_at``), every
  component with its arithmetic and reference, the heirs in legal priority, scholarships. The decision
  is written with its inputs and recomputed at submission and verification (a month paid by its due
  date after the claim was entered counts), then frozen from approval on.
- **Workflow**: draft → submitted → verified (required documents received) → approved (by a user who
  neither entered nor verified it) → paid (once: the decided total, the account copied), or rejected
  with a coded reason. An ineligible claim is recorded and rejected at once with the eligibility reason
  when nothing can change it any more. A rejected claim is reopened only as a new claim naming it.
- **Effects**: approving a death records it through billing's path (``billing.ends.record_death``):
  the enrolment ends, months paid after the death month become the sponsor's refund or credit.
- **Service levels** (``due_on``): a JKM is paid within ``claims.jkm_payment_days`` working days of
  complete documents; a JKK case is decided within ``jkk.decision_days`` days of its submission.

A sponsor's staff reach only claims filed under their sponsor (the agreement that billed the event
month); they see no accident description. Every step is written to ``claim_steps`` and the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.billing import coverage as billing_coverage
from lindung.billing import ends
from lindung.claims import documents as store
from lindung.claims import repository as repo
from lindung.claims.catalogue import catalogue
from lindung.claims.models import (
    CLAIM_STATUSES,
    CLAIM_TYPES,
    OUTCOMES,
    REPORTERS,
    Accident,
    Claim,
    ClaimDocument,
    ClaimPayment,
    ClaimStep,
    ScholarshipChild,
)
from lindung.claims.schemas import (
    AccidentOutcome,
    AccidentReport,
    AccidentRow,
    AccidentView,
    Account,
    ChildInput,
    ChildScholarshipView,
    ClaimRequest,
    ClaimRow,
    ClaimTypeTotal,
    ClaimView,
    ComponentView,
    DocumentView,
    Payee,
    PaymentView,
    Step,
)
from lindung.kit import clock, lokal
from lindung.kit.auth import Actor
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from lindung.kit.paging import Paged, Window, cut
from lindung.kit.privacy import mask_account, mask_nik, mask_niks_in_text
from lindung.rules import benefits
from lindung.rules.coverage import MonthState, Reason
from lindung.rules.explain import Component
from lindung.rules.heirs import FUNERAL_ORGANISER, Relative, determine_heirs
from lindung.rules.params import ParameterSet, default_parameters
from lindung.rules.scholarships import Child, scholarships
from lindung.sponsors import service as sponsors
from lindung.workers import service as workers
from lindung.workers.models import Worker

DEATHS = ("jkm", "jkk-death")
ENTITLING = ("jkm", "jkk-death", "jkk-disability-total")  # claims that open scholarships
LIVING = ("jkk-disability-total", "jkk-disability-partial", "jkk-stmb", "jkk-care")
OPEN = ("draft", "submitted", "verified", "approved")
CARE = ("transport", "medical", "home_care", "prosthesis", *benefits.AIDS)
CLAIMANTS = ("self", "facility", "guardian", FUNERAL_ORGANISER)
__all__ = ["CLAIM_STATUSES", "CLAIM_TYPES"]
NUMBER_PREFIX = "KL"


# --- errors ---------------------------------------------------------------------------------------


class ClaimNotFound(NotFound):
    code = "claims.not_found"


class AccidentNotFound(NotFound):
    code = "claims.accident_not_found"


class WrongStatus(Conflict):
    """The claim is not in a status this step starts from."""

    code = "claims.wrong_status"
    labels: ClassVar[dict[str, str]] = {"status": "claims.status.", "wanted": "claims.status."}


class SameUser(Forbidden):
    """Maker-checker: the approver entered or verified the claim."""

    code = "claims.four_eyes"


class AlreadyPaid(Conflict):
    code = "claims.already_paid"


class DocumentsMissing(Conflict):
    """``missing`` are document codes, shown as the catalogue's labels in the reader's language."""

    code = "claims.documents_missing"

    def shown_context(self, lang: str) -> dict[str, Any]:
        shown = super().shown_context(lang)
        cat = catalogue()
        shown["missing"] = "; ".join(cat.label(code, lang) for code in self.context["missing"].split(", "))
        return shown


class NoAccount(Conflict):
    code = "claims.no_account"


class DeathDateDiffers(Conflict):
    code = "claims.death_date_differs"


class NotEligible(Conflict):
    """Not eligible yet (its event month unpaid, before the month's due date): nothing to approve."""

    code = "claims.not_eligible"
    labels: ClassVar[dict[str, str]] = {"reason": ""}


class DeathClaimed(Conflict):
    code = "claims.death_claimed"
    labels: ClassVar[dict[str, str]] = {"status": "claims.status."}


class OutcomeRecorded(Conflict):
    code = "claims.outcome_recorded"


class ScholarshipYearClaimed(Conflict):
    code = "claims.scholarship_year_claimed"


class NotReopenable(Conflict):
    code = "claims.not_reopenable"


# --- small helpers --------------------------------------------------------------------------------


def _text(value: str | None, field: str, *, maximum: int = 200, required: bool = True) -> str | None:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        if required:
            raise InvalidInput(field, value or "", reason="claim_text_missing")
        return None
    if len(cleaned) > maximum:
        raise InvalidInput(field, cleaned[:40] + "…", reason="claim_text_long", maximum=maximum)
    return cleaned


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _age(born: dt.date | None, on: dt.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _add_working_days(start: dt.date, days: int) -> dt.date:
    day = start
    for _ in range(days):
        day, _known = lokal.next_working_day(day + dt.timedelta(days=1))
    return day


def _step(session: Session, claim: Claim, status: str, by: Actor, note: str | None = None, *,
          at: dt.datetime | None = None) -> None:
    session.add(ClaimStep(claim_id=claim.id, status=status, by_id=by.user_id, by_name=by.username,
                          at=at or utcnow(), note=note))
    audit.record(session, actor=by, action=f"claim.{status}", subject_type="claim", subject_id=claim.id,
                 data={"number": claim.number, "type": claim.type})


def _claim(session: Session, number: str, by: Actor, *, for_update: bool = False) -> Claim:
    cleaned = " ".join((number or "").split()).upper()
    found = repo.claim(session, cleaned, by.scope, for_update=for_update)
    if found is None:
        raise ClaimNotFound(number=cleaned or number)
    return found


def _want(claim: Claim, *statuses: str) -> None:
    if claim.status not in statuses:
        raise WrongStatus(number=claim.number, status=claim.status, wanted=statuses[0])


# --- accidents ------------------------------------------------------------------------------------


def report_accident(session: Session, report: AccidentReport, *, by: Actor, now: dt.datetime | None = None,
                    params: ParameterSet | None = None) -> AccidentView:
    """Record a stage I report. A report later than the deadline is flagged, never refused."""
    by.require("claim.enter")
    params = params or default_parameters()
    now = now or utcnow()
    today = clock.local(now).date()
    if report.occurred_on > today:
        raise InvalidInput("event_date", report.occurred_on.isoformat(), reason="date_future")
    if report.reporter not in REPORTERS:
        raise InvalidInput("reporter", report.reporter, known=", ".join(REPORTERS))
    worker = workers.get(session, report.nik, today=today, scope=by.scope)
    if report.occurred_on < worker.birth_date:
        raise InvalidInput("event_date", report.occurred_on.isoformat(), reason="claim_before_birth")
    reported_at = report.reported_at or now
    # the accident's time is the branch's clock time; without a time, the start of that day
    occurred = dt.datetime.combine(report.occurred_on, report.occurred_time or dt.time(), clock.zone()
                                   ).astimezone(dt.UTC)
    if reported_at < occurred:
        raise InvalidInput("reported_at", reported_at.isoformat(), reason="claim_reported_before_event")
    deadline = params.at("jkk.report_deadline_hours", report.occurred_on)
    late = reported_at - occurred > dt.timedelta(hours=deadline.value)
    accident = Accident(worker_id=worker.id, occurred_on=report.occurred_on, occurred_time=report.occurred_time,
                        place=_text(report.place, "accident_place"),
                        what=_text(report.what, "accident_what", maximum=2000),
                        reporter=report.reporter, reported_by=_text(report.reported_by, "reporter_name"),
                        reported_at=reported_at, late=late, recorded_by_id=by.user_id, recorded_at=utcnow())
    session.add(accident)
    session.flush()
    audit.record(session, actor=by, action="accident.report", subject_type="accident", subject_id=accident.id,
                 data={"occurred_on": report.occurred_on.isoformat(), "late": late})
    return _accident_view(session, accident, worker, by, params)


def record_outcome(session: Session, accident_id: int, outcome: AccidentOutcome, *, by: Actor, today: dt.date,
                   params: ParameterSet | None = None) -> AccidentView:
    """The stage II report: recovered, disabled (percentage, who assessed it) or died (the date)."""
    by.require("claim.enter")
    accident, worker = _accident(session, accident_id, by, today)
    if accident.outcome is not None:
        raise OutcomeRecorded(accident=accident.id, outcome=accident.outcome)
    if outcome.outcome not in OUTCOMES:
        raise InvalidInput("outcome", outcome.outcome, known=", ".join(OUTCOMES))
    on = outcome.on or today
    if on > today:
        raise InvalidInput("event_date", on.isoformat(), reason="date_future")
    if on < accident.occurred_on:
        raise InvalidInput("event_date", on.isoformat(), reason="claim_before_accident",
                           accident=accident.occurred_on.isoformat())
    percent = function_loss = None
    assessed = None
    if outcome.outcome == "disabled":
        if outcome.percent is None:
            raise InvalidInput("percent", "", reason="claim_percent_needed")
        percent = benefits.checked_percent(outcome.percent)
        if outcome.function_loss is not None:
            function_loss = benefits.checked_percent(outcome.function_loss, "function_loss")
        assessed = _text(outcome.assessed_by, "assessed_by")
    accident.outcome, accident.outcome_on = outcome.outcome, on
    accident.percent, accident.function_loss, accident.assessed_by = percent, function_loss, assessed
    accident.outcome_by_id, accident.outcome_at = by.user_id, utcnow()
    session.flush()
    audit.record(session, actor=by, action="accident.outcome", subject_type="accident", subject_id=accident.id,
                 data={"outcome": outcome.outcome, "on": on.isoformat()})
    return _accident_view(session, accident, worker, by, params or default_parameters())


def show_accident(session: Session, accident_id: int, *, by: Actor, today: dt.date) -> AccidentView:
    by.require_any("claim.read", "claim.enter")
    accident, worker = _accident(session, accident_id, by, today)
    return _accident_view(session, accident, worker, by, default_parameters())


def _accident(session: Session, accident_id: int, by: Actor, today: dt.date) -> tuple[Accident, Worker]:
    accident = repo.accident(session, accident_id)
    if accident is None:
        raise AccidentNotFound(accident=accident_id)
    worker = session.get(Worker, accident.worker_id)
    assert worker is not None
    own = by.scope.sponsor_id  # a sponsor's staff: only accidents with a claim of theirs
    if own is not None and not any(c.sponsor_id == own for c in repo.claims_of_accident(session, accident.id)):
        raise AccidentNotFound(accident=accident_id)
    return accident, worker


def _accident_view(session: Session, a: Accident, worker: Worker, by: Actor, params: ParameterSet
                   ) -> AccidentView:
    hours = params.at("jkk.report_deadline_hours", a.occurred_on).value
    return AccidentView(
        id=a.id, nik=mask_nik(worker.nik), name=worker.name, occurred_on=a.occurred_on,
        occurred_time=a.occurred_time, place=a.place, what=a.what if by.scope.sponsor_id is None else None,
        reporter=a.reporter, reported_by=a.reported_by, reported_at=a.reported_at, late=a.late,
        deadline_hours=hours, outcome=a.outcome, outcome_on=a.outcome_on,
        percent=a.percent if by.scope.sponsor_id is None else None,
        function_loss=a.function_loss if by.scope.sponsor_id is None else None,
        assessed_by=a.assessed_by, claims=[c.number for c in repo.claims_of_accident(session, a.id)])


# --- eligibility and the decision -----------------------------------------------------------------


def _eligibility(facts: billing_coverage.EventFacts, event: dt.date, today: dt.date
                 ) -> tuple[bool, str | None, str | None, bool]:
    """(eligible, reason code, its legal reference, final: the reason can no longer change)."""
    d = facts.decision
    if facts.died_on is not None and facts.died_on < event:
        return False, "coverage.died_earlier", catalogue().reference_of("coverage.died_earlier"), True
    if d.covered:
        return True, None, None, True
    if facts.enrolment is None and facts.line is None:
        return False, "coverage.not_enrolled", catalogue().reference_of("coverage.not_enrolled"), True
    history = facts.history
    if history.memberships and history.current is None and history.months.get(d.month) in (
            None, MonthState.OUTSIDE, MonthState.UNPAID, MonthState.TOO_LATE):
        return False, "coverage.lapsed", history.grace.reference, True
    final = d.reason is Reason.PAID_AFTER_EVENT or d.due.date < today
    return False, f"coverage.{d.reason.value}", d.policy.reference, final


def _component(c: Component) -> dict[str, Any]:
    return {"code": c.code, "amount": c.amount, "arithmetic": c.arithmetic, "reference": c.reference,
            "verified": c.verified}


def _children_of(request_children: Sequence[ChildInput], on: dt.date) -> list[Child]:
    return [Child(level=c.level, year=c.year, name=c.name, age=_age(c.born, on), married=c.married,
                  working=c.working) for c in request_children]


def _compute(session: Session, claim_type: str, worker: Worker, event: dt.date, inputs: dict[str, Any],
             facts: billing_coverage.EventFacts, accident: Accident | None, params: ParameterSet
             ) -> dict[str, Any]:
    """Every component at the rules' date (the accident's for a JKK case), frozen with its inputs."""
    day = accident.occurred_on if accident is not None else event
    income = worker.declared_income
    if accident is not None:  # one accident, one dasar: what its first claim not rejected used
        earlier = [c for c in repo.claims_of_accident(session, accident.id)
                   if c.status != "rejected" and "income" in c.decision]
        if earlier:
            income = earlier[0].decision["income"]
    children = [ChildInput.model_validate(c) for c in inputs.get("children", [])]
    decision: dict[str, Any] = {"rules_date": day.isoformat(), "income": income,
                                "contribution_months": facts.history.contribution_months,
                                "coverage": {"month": str(facts.decision.month), "reason": facts.decision.reason.value,
                                             "paid_on": facts.decision.paid_on.isoformat()
                                             if facts.decision.paid_on else None,
                                             "due": facts.decision.due.date.isoformat(),
                                             "reference": facts.decision.policy.reference},
                                "notes": []}
    result: benefits.BenefitResult
    if claim_type == "jkm":
        result = benefits.jkm_death(day, contribution_months=facts.history.contribution_months,
                                    children=_children_of(children, day), params=params)
    elif claim_type == "jkk-death":
        result = benefits.jkk_death(day, income=income, children=_children_of(children, day), params=params)
    elif claim_type == "jkk-disability-total":
        result = benefits.jkk_total_disability(day, income=income, children=_children_of(children, day),
                                               params=params)
    elif claim_type == "jkk-disability-partial":
        result = benefits.jkk_partial_disability(
            day, percent=Decimal(inputs["percent"]), income=income, params=params,
            function_loss=Decimal(inputs["function_loss"]) if inputs.get("function_loss") is not None else None)
    elif claim_type == "jkk-stmb":
        result = benefits.jkk_stmb(day, months=inputs["months"], already=inputs.get("months_before", 0),
                                   income=income, params=params)
        decision["months_before"] = inputs.get("months_before", 0)
    elif claim_type == "jkk-care":
        care, amount = inputs["care"], inputs["amount"]
        if care == "transport":
            result = benefits.jkk_transport(day, {inputs["mode"]: amount}, params=params)
        elif care == "medical":
            result = benefits.jkk_medical(day, cost=amount, params=params)
        elif care == "home_care":
            result = benefits.jkk_home_care(day, cost=amount, months=inputs["months"], params=params)
        elif care == "prosthesis":
            result = benefits.jkk_prosthesis(day, price=amount, params=params)
        else:
            result = benefits.jkk_aid(day, care, cost=amount, params=params)
    else:  # scholarship: computed by _scholarship_decision
        raise AssertionError(claim_type)
    decision["base"] = result.base
    decision["components"] = [_component(c) for c in result.components if c.code != "bracket"]
    bracket = [c for c in result.components if c.code == "bracket"]
    decision["basis"] = [_component(c) for c in bracket]
    decision["total"] = result.total
    decision["notes"] = list(result.notes)
    decision["children"] = []
    decision["scholarship_this_year"] = decision["scholarship_projected"] = 0
    if claim_type in ENTITLING:  # whether children may claim scholarships later, named here or not
        cause = "jkm" if claim_type == "jkm" else "jkk"
        entitlement = scholarships(day, cause, [], contribution_months=facts.history.contribution_months,
                                   params=params)
        decision["scholarship_eligible"], decision["scholarship_reason"] = entitlement.eligible, entitlement.reason
    if result.scholarship is not None:
        s = result.scholarship
        decision["scholarship_eligible"], decision["scholarship_reason"] = s.eligible, s.reason
        decision["scholarship_condition"] = _component(s.condition) if s.condition else None
        decision["children"] = [{"name": c.child.name or c.child.label(), "level": c.child.level,
                                 "year": c.child.year, "eligible": c.eligible, "reason": c.reason,
                                 "this_year": c.this_year, "projected": c.projected, "years_paid": 0,
                                 "components": [_component(x) for x in c.components]} for c in s.children]
        decision["scholarship_this_year"], decision["scholarship_projected"] = s.this_year, s.projected
    return decision


def _payee(session: Session, claim_type: str, worker: Worker, inputs: dict[str, Any], event: dt.date,
           params: ParameterSet) -> tuple[str | None, str | None, str | None, str | None, dict[str, Any] | None]:
    """(name, relationship, NIK, note, heirs decision) of whoever is paid."""
    claimant = inputs.get("claimant")
    if claim_type in DEATHS:
        relatives = [Relative(h.name, h.relationship_code) for h in worker.heirs]
        niks = {(_fold(h.name), h.relationship_code): h.nik for h in worker.heirs}
        if claimant is not None and claimant["relationship"] not in ("self", "facility", "guardian"):
            relatives.append(Relative(claimant["name"], claimant["relationship"]))
            niks[(_fold(claimant["name"]), claimant["relationship"])] = claimant.get("nik")
        decision = determine_heirs(event, relatives, params=params)
        heirs = decision.to_dict()
        chosen: Relative | None = None
        note = None
        if claimant is not None and any(_fold(r.name) == _fold(claimant["name"])
                                        and r.relationship == claimant["relationship"]
                                        for r in (*decision.recipients, *decision.funeral_to)):
            chosen = Relative(claimant["name"], claimant["relationship"])
        elif decision.recipients:
            chosen = decision.recipients[0]
            note = "claims.payee.claimant_not_entitled" if claimant is not None else None
        elif decision.funeral_to:
            chosen = decision.funeral_to[0]
        if decision.rest_stays_in_fund:
            note = "claims.payee.no_heir"
        if chosen is None:
            return None, None, None, "claims.payee.no_heir", heirs
        return chosen.name, chosen.relationship, niks.get((_fold(chosen.name), chosen.relationship)), note, heirs
    if claimant is not None:
        return claimant["name"], claimant["relationship"], claimant.get("nik"), None, None
    if claim_type in LIVING:
        return worker.name, "self", worker.nik, None, None
    return None, None, None, None, None


def _no_heir(decision: dict[str, Any]) -> None:
    """With no heir and no will only the funeral cost is paid (to whoever arranged it); the rest stays
    in the fund (rules.md 3.1)."""
    for c in decision["components"]:
        if not c["code"].endswith("funeral"):
            c["arithmetic"] = f"{c['arithmetic']} → 0 (tidak ada ahli waris / no heir)"
            c["amount"] = 0
    decision["total"] = sum(c["amount"] for c in decision["components"])
    decision["children"] = []
    decision["scholarship_this_year"] = decision["scholarship_projected"] = 0


# --- scholarships ---------------------------------------------------------------------------------


def _entitling_claim(session: Session, worker_id: int) -> Claim | None:
    return next((c for c in repo.claims_of_worker(session, worker_id)
                 if c.type in ENTITLING and c.status in ("approved", "paid")
                 and c.decision.get("scholarship_eligible")), None)


def _scholarship_claims(session: Session, worker_id: int, *, but: int | None) -> list[Claim]:
    """The worker's scholarship claims not rejected, except claim ``but`` (the one being decided)."""
    return [c for c in repo.claims_of_worker(session, worker_id)
            if c.type == "scholarship" and c.status != "rejected" and c.id != but]


def _years_of(claims: Sequence[Claim], name_key: str, *, paid_only: bool) -> list[tuple[str, int]]:
    return [(c.inputs["children"][0]["level"], c.inputs["children"][0]["year"]) for c in claims
            if _fold(c.inputs["children"][0]["name"]) == name_key and (c.status == "paid" or not paid_only)]


def _scholarship_decision(session: Session, worker: Worker, event: dt.date, child: ChildInput,
                          params: ParameterSet, claim_id: int | None
                          ) -> tuple[dict[str, Any], bool, str | None, str | None]:
    """(decision, eligible, reason, reference) of one school year for one child. A level-year already
    claimed for the child (by a claim not rejected) is refused; a child neither recorded nor claimed
    for before counts against the limit of children with those the worker's open claims name."""
    entitling = _entitling_claim(session, worker.id)
    base: dict[str, Any] = {"rules_date": event.isoformat(), "components": [], "basis": [], "total": 0,
                            "children": [], "scholarship_this_year": 0, "scholarship_projected": 0, "notes": [],
                            "base": None}
    if entitling is None:
        return base, False, "scholarship.no_entitlement", catalogue().reference_of("scholarship.no_entitlement")
    base["entitled_by"] = entitling.number
    day = dt.date.fromisoformat(entitling.decision["rules_date"])
    cause = "jkm" if entitling.type == "jkm" else "jkk"
    known = repo.children(session, worker.id)
    others = _scholarship_claims(session, worker.id, but=claim_id)
    key = _fold(child.name)
    recorded = next((c for c in known if c.name_key == key), None)
    limit = params.at("scholarship.max_children", day)
    named = {c.name_key for c in known} | {_fold(c.inputs["children"][0]["name"]) for c in others
                                           if c.id < (claim_id or 1 << 62)}
    if key not in named and len(named) >= limit.value:
        return base, False, "scholarship.max_children", limit.reference
    if recorded is not None:
        child = child.model_copy(update={"born": child.born or recorded.born,
                                         "married": child.married or recorded.married,
                                         "working": child.working or recorded.working})
    if (child.level, child.year) in _years_of(others, key, paid_only=False):
        raise ScholarshipYearClaimed(name=child.name, level=child.level.upper(), year=child.year)
    result = scholarships(day, cause, [Child(level=child.level, year=child.year, name=child.name,
                                             age=_age(child.born, event), married=child.married,
                                             working=child.working)],
                          contribution_months=entitling.decision.get("contribution_months"), params=params)
    one = result.children[0]
    years = len(_years_of(others, key, paid_only=True))
    base["children"] = [{"name": child.name, "level": child.level, "year": child.year, "eligible": one.eligible,
                         "reason": one.reason, "this_year": one.this_year, "projected": one.projected,
                         "years_paid": years, "components": [_component(x) for x in one.components]}]
    base["components"] = [_component(x) for x in one.components if x.code == "scholarship.this_year"]
    base["total"] = one.this_year
    base["scholarship_this_year"], base["scholarship_projected"] = one.this_year, one.projected
    base["contribution_months"] = entitling.decision.get("contribution_months")
    if not one.eligible:
        return base, False, one.reason, params.at("scholarship.child_age_limit", day).reference
    return base, True, None, None


def _record_children(session: Session, claim: Claim, worker: Worker) -> None:
    """The children an approved claim pays scholarships for become the worker's (at most the limit: the
    decisions have counted them)."""
    known = repo.children(session, worker.id)
    keys = {c.name_key for c in known}
    declared = {_fold(c["name"]): c for c in claim.inputs.get("children", [])}
    for c in claim.decision.get("children", []):
        key = _fold(c["name"])
        if not c["eligible"] or key in keys:
            continue
        given = declared.get(key, {})
        session.add(ScholarshipChild(worker_id=worker.id, position=len(keys) + 1, name=c["name"], name_key=key,
                                     born=dt.date.fromisoformat(given["born"]) if given.get("born") else None,
                                     married=bool(given.get("married")), working=bool(given.get("working")),
                                     claim_id=claim.id))
        keys.add(key)
    session.flush()


# --- a new claim ----------------------------------------------------------------------------------


def _inputs(req: ClaimRequest, session: Session, worker: Worker, accident: Accident | None) -> dict[str, Any]:
    t = req.type
    inputs: dict[str, Any] = {}
    if t == "jkk-disability-partial":
        percent = req.percent if req.percent is not None else (accident.percent if accident else None)
        loss = req.function_loss if req.function_loss is not None else (accident.function_loss if accident else None)
        if percent is None:
            raise InvalidInput("percent", "", reason="claim_percent_needed")
        inputs["percent"] = str(benefits.checked_percent(Decimal(percent)))
        inputs["function_loss"] = (None if loss is None
                                   else str(benefits.checked_percent(Decimal(loss), "function_loss")))
        inputs["assessed_by"] = _text(req.assessed_by or (accident.assessed_by if accident else None), "assessed_by")
    if t == "jkk-stmb":
        if req.months is None or req.months < 1 or req.months > 120:
            raise InvalidInput("months", req.months if req.months is not None else "")
        inputs["months"] = req.months
        assert accident is not None
        inputs["months_before"] = sum(c.inputs.get("months", 0) for c in repo.claims_of_accident(session, accident.id)
                                      if c.type == "jkk-stmb" and c.status != "rejected")
    if t == "jkk-care":
        care = req.care or ("transport" if req.mode else None)
        if care not in CARE:
            raise InvalidInput("care", care or "", known=", ".join(CARE))
        if req.amount is None or req.amount < 0:
            raise InvalidInput("amount", req.amount if req.amount is not None else "")
        inputs.update(care=care, amount=req.amount)
        if care == "transport":
            if req.mode not in ("land", "sea", "air"):
                raise InvalidInput("transport_mode", req.mode or "", known="land, sea, air")
            inputs["mode"] = req.mode
        if care == "home_care":
            if req.months is None or req.months < 1:
                raise InvalidInput("months", req.months if req.months is not None else "")
            inputs["months"] = req.months
    if req.children:
        if t not in (*ENTITLING, "scholarship"):
            raise InvalidInput("child", req.children[0].name, reason="claim_children_not_here")
        if t == "scholarship" and len(req.children) != 1:
            raise InvalidInput("child", ", ".join(c.name for c in req.children), reason="claim_one_child")
        names = [_fold(c.name) for c in req.children]
        if len(set(names)) != len(names):
            raise InvalidInput("child", req.children[0].name, reason="claim_child_twice")
        inputs["children"] = [c.model_dump(mode="json") for c in req.children]
    elif t == "scholarship":
        raise InvalidInput("child", "", reason="claim_one_child")
    if req.claimant is not None:
        c = req.claimant
        known = {*(code for g in default_parameters().at("heirs.priority", req.event_date).value for code in g),
                 *CLAIMANTS}
        if c.relationship not in known:
            raise InvalidInput("relationship", c.relationship, known=", ".join(sorted(known)))
        nik = workers.check_nik(c.nik, field="claimant_nik").nik if c.nik else None
        inputs["claimant"] = {"name": _text(c.name, "claimant_name"), "relationship": c.relationship, "nik": nik}
    return inputs


def new_claim(session: Session, req: ClaimRequest, *, by: Actor, today: dt.date,
              params: ParameterSet | None = None, now: dt.datetime | None = None,
              worker_ref: str | None = None) -> ClaimView:
    """Enter a claim: computed, recorded as a draft (or rejected at once with the eligibility reason
    when nothing can change it any more). ``now``: when (default: now; the demo tells its story).
    ``worker_ref``: the worker by their ref (``workers.refs``, a page's link) instead of ``req.nik``."""
    by.require("claim.enter")
    at = now or utcnow()
    params = params or default_parameters()
    if req.type not in CLAIM_TYPES:
        raise InvalidInput("claim_type", req.type, known=", ".join(CLAIM_TYPES))
    if req.event_date > today:
        raise InvalidInput("event_date", req.event_date.isoformat(), reason="date_future")
    worker = (workers.get_by_ref(session, worker_ref, scope=by.scope) if worker_ref
              else workers.get(session, req.nik, today=today, scope=by.scope))
    if req.event_date < worker.birth_date:
        raise InvalidInput("event_date", req.event_date.isoformat(), reason="claim_before_birth")
    reopens: Claim | None = None
    if req.reopens:
        reopens = _claim(session, req.reopens, by)
        if reopens.status != "rejected" or reopens.worker_id != worker.id or reopens.type != req.type:
            raise NotReopenable(number=reopens.number, status=reopens.status)
    accident: Accident | None = None
    if req.type.startswith("jkk-"):
        if req.accident is None:
            raise InvalidInput("accident", "", reason="claim_accident_needed")
        accident = repo.accident(session, req.accident)
        if accident is None or accident.worker_id != worker.id:
            raise AccidentNotFound(accident=req.accident)
        if req.event_date < accident.occurred_on:
            raise InvalidInput("event_date", req.event_date.isoformat(), reason="claim_before_accident",
                               accident=accident.occurred_on.isoformat())
    elif req.accident is not None:
        raise InvalidInput("accident", str(req.accident), reason="claim_accident_not_here")
    inputs = _inputs(req, session, worker, accident)
    rules_day = accident.occurred_on if accident is not None else req.event_date
    facts = billing_coverage.event_facts(session, worker.id, rules_day, params=params)
    if req.type in DEATHS and facts.died_on is not None and facts.died_on != req.event_date:
        raise DeathDateDiffers(died_on=facts.died_on.isoformat(), event_date=req.event_date.isoformat())
    if req.type in DEATHS:
        _no_other_death_claim(session, worker.id, but=None)
    claim = Claim(number="", type=req.type, worker_id=worker.id, accident_id=accident.id if accident else None,
                  reopens_id=reopens.id if reopens else None, event_date=req.event_date, status="draft",
                  eligible=False, inputs=inputs, decision={}, total=0, entered_by_id=by.user_id,
                  entered_at=at)
    holder = facts.enrolment or facts.latest
    if holder is not None:
        claim.agreement_id = holder.agreement_id
        claim.sponsor_id = repo.sponsor_of_agreement(session, holder.agreement_id)
    if req.account is not None:
        claim.account_bank = _text(req.account.bank, "payee_account", maximum=100)
        claim.account_number = _text(req.account.number.replace(" ", ""), "payee_account", maximum=40)
        claim.account_holder = _text(req.account.holder, "payee_account")
    claim.number = f"{NUMBER_PREFIX}-{today.year}-{repo.next_claim_no(session, today.year):06d}"
    session.add(claim)
    session.flush()
    _decide(session, claim, worker, facts, accident, params, today)
    _step(session, claim, "draft", by, at=at)
    if not claim.eligible and claim.decision.get("final"):
        _reject(session, claim, claim.reason or "other", None, by, at)
    return _view(session, claim, by, today)


def _no_other_death_claim(session: Session, worker_id: int, *, but: int | None) -> None:
    """One death, one death claim: another JKM or JKK death claim not rejected is refused."""
    other = next((c for c in repo.claims_of_worker(session, worker_id)
                  if c.type in DEATHS and c.status != "rejected" and c.id != but), None)
    if other is not None:
        raise DeathClaimed(number=other.number, status=other.status)


def _decide(session: Session, claim: Claim, worker: Worker, facts: billing_coverage.EventFacts | None,
            accident: Accident | None, params: ParameterSet, today: dt.date) -> None:
    """(Re)compute the claim's decision, eligibility and payee. Never after approval."""
    assert claim.status in ("draft", "submitted", "verified")
    if claim.type == "scholarship":
        child = ChildInput.model_validate(claim.inputs["children"][0])
        decision, eligible, reason, reference = _scholarship_decision(session, worker, claim.event_date, child,
                                                                      params, claim.id)
        final = True
    else:
        rules_day = accident.occurred_on if accident is not None else claim.event_date
        facts = facts or billing_coverage.event_facts(session, worker.id, rules_day, params=params)
        eligible, reason, reference, final = _eligibility(facts, rules_day, today)
        decision = _compute(session, claim.type, worker, claim.event_date, claim.inputs, facts, accident, params)
    name, relationship, nik, note, heirs = _payee(session, claim.type, worker, claim.inputs, claim.event_date,
                                                  params)
    if heirs is not None:
        decision["heirs"] = heirs
        if heirs["rank"] is None:
            _no_heir(decision)
    decision["reference"], decision["final"] = reference, final
    claim.decision = decision
    claim.eligible, claim.reason = eligible, reason
    claim.total = decision["total"] if eligible else 0
    claim.scholarship_this_year = decision["scholarship_this_year"] if eligible else 0
    claim.scholarship_projected = decision["scholarship_projected"] if eligible else 0
    claim.payee_name, claim.payee_relationship, claim.payee_nik, claim.payee_note = name, relationship, nik, note
    session.flush()


def _worker_of(session: Session, claim: Claim) -> Worker:
    worker = session.get(Worker, claim.worker_id)
    assert worker is not None
    return worker


def _accident_of(session: Session, claim: Claim) -> Accident | None:
    return repo.accident(session, claim.accident_id) if claim.accident_id is not None else None


# --- documents ------------------------------------------------------------------------------------


def attach(session: Session, number: str, code: str, data: bytes, file_name: str, *, by: Actor,
           today: dt.date, now: dt.datetime | None = None) -> ClaimView:
    """A received document: checked by its content, stored once by SHA-256, marked received by ``by``.
    Late documents never void a claim: any claim takes them, whatever its status."""
    by.require("claim.enter")
    claim = _claim(session, number, by)
    cat = catalogue()
    if code not in cat.documents:
        raise InvalidInput("document_code", code, known=", ".join(cat.documents))
    stored = store.store(data, file_name, root=_documents_root(session))
    if not any(d.code == code and d.sha256 == stored.sha256 for d in repo.documents(session, claim.id)):
        session.add(ClaimDocument(claim_id=claim.id, code=code, sha256=stored.sha256, media_type=stored.media_type,
                                  size=stored.size, file_name=_text(file_name.rsplit("/", 1)[-1], "file_name") or "",
                                  received_by_id=by.user_id, received_at=now or utcnow()))
        session.flush()
        audit.record(session, actor=by, action="claim.document", subject_type="claim", subject_id=claim.id,
                     data={"number": claim.number, "document": code, "sha256": stored.sha256[:12]})
    if claim.complete_on is None and not _missing(session, claim):
        claim.complete_on = today
        session.flush()
    return _view(session, claim, by, today)


def _documents_root(session: Session) -> Path:
    """Where the documents of the session's database are kept (beside its SQLite file, by default)."""
    return store.documents_dir(session.get_bind().engine.url.render_as_string(hide_password=False))


def _missing(session: Session, claim: Claim) -> list[str]:
    have = {d.code for d in repo.documents(session, claim.id)}
    return [c for c in catalogue().required_for(claim.type, claim.payee_relationship) if c not in have]


def set_account(session: Session, number: str, account: Account, *, by: Actor, today: dt.date) -> ClaimView:
    """The payee's bank account, given or corrected before approval (the payment copies it)."""
    by.require("claim.enter")
    claim = _claim(session, number, by, for_update=True)
    _want(claim, "draft", "submitted", "verified")
    claim.account_bank = _text(account.bank, "payee_account", maximum=100)
    claim.account_number = _text(account.number.replace(" ", ""), "payee_account", maximum=40)
    claim.account_holder = _text(account.holder, "payee_account")
    session.flush()
    audit.record(session, actor=by, action="claim.account", subject_type="claim", subject_id=claim.id,
                 data={"number": claim.number})
    return _view(session, claim, by, today)


# --- the workflow ---------------------------------------------------------------------------------


def submit(session: Session, number: str, *, by: Actor, today: dt.date,
           params: ParameterSet | None = None, now: dt.datetime | None = None) -> ClaimView:
    by.require("claim.enter")
    at = now or utcnow()
    claim = _claim(session, number, by, for_update=True)
    _want(claim, "draft")
    claim.status, claim.submitted_at, claim.submitted_on = "submitted", at, today
    _recheck(session, claim, by, params or default_parameters(), today, at)
    if claim.status == "submitted":
        _step(session, claim, "submitted", by, at=at)
    return _view(session, claim, by, today)


def verify(session: Session, number: str, *, by: Actor, today: dt.date,
           params: ParameterSet | None = None, now: dt.datetime | None = None) -> ClaimView:
    """The required documents are all received; the decision is computed once more."""
    by.require("claim.enter")
    at = now or utcnow()
    claim = _claim(session, number, by, for_update=True)
    _want(claim, "submitted")
    missing = _missing(session, claim)
    if missing:
        raise DocumentsMissing(number=claim.number, missing=", ".join(missing), count=len(missing))
    claim.status, claim.verified_by_id, claim.verified_at = "verified", by.user_id, at
    _recheck(session, claim, by, params or default_parameters(), today, at)
    if claim.status == "verified":
        _step(session, claim, "verified", by, at=at)
    return _view(session, claim, by, today)


def _recheck(session: Session, claim: Claim, by: Actor, params: ParameterSet, today: dt.date,
             at: dt.datetime) -> None:
    worker = _worker_of(session, claim)
    _decide(session, claim, worker, None, _accident_of(session, claim), params, today)
    if not claim.eligible and claim.decision.get("final"):
        _reject(session, claim, claim.reason or "other", None, by, at)


def approve(session: Session, number: str, *, by: Actor, today: dt.date, now: dt.datetime | None = None
            ) -> ClaimView:
    """A second person approves: not whoever entered or verified the claim (by user id). A death is
    recorded through billing (the enrolment ends; months paid after it become the sponsor's)."""
    by.require("claim.approve")
    claim = _claim(session, number, by, for_update=True)
    _want(claim, "verified")
    if by.user_id in (claim.entered_by_id, claim.verified_by_id):
        raise SameUser(number=claim.number, user=by.username)
    if not claim.eligible:
        # verified while its month could still be paid in time: decided once more, now
        _recheck(session, claim, by, default_parameters(), today, now or utcnow())
        if claim.status == "rejected":
            return _view(session, claim, by, today)
        if not claim.eligible:
            raise NotEligible(number=claim.number, reason=claim.reason or "")
    if claim.total > 0 and not (claim.account_bank and claim.account_number):
        raise NoAccount(number=claim.number)
    if claim.type in DEATHS:
        _no_other_death_claim(session, claim.worker_id, but=claim.id)
    at = now or utcnow()
    claim.status, claim.approved_by_id, claim.approved_at = "approved", by.user_id, at
    session.flush()
    worker = _worker_of(session, claim)
    if claim.type in DEATHS:
        facts = billing_coverage.event_facts(session, worker.id, claim.event_date)
        if facts.died_on is None:
            ends.record_death(session, worker.nik, died_on=claim.event_date, by=by, today=today)
    if claim.type in (*ENTITLING, "scholarship"):
        _record_children(session, claim, worker)
    _step(session, claim, "approved", by, at=at)
    return _view(session, claim, by, today)


def reject(session: Session, number: str, reason: str, note: str | None, *, by: Actor, today: dt.date,
           now: dt.datetime | None = None) -> ClaimView:
    """Rejected with a coded reason (``catalogue.yaml``'s, or an eligibility reason) and a note."""
    by.require("claim.enter")
    claim = _claim(session, number, by, for_update=True)
    _want(claim, *OPEN)
    if claim.status == "approved":
        by.require("claim.approve")
    known = set(catalogue().reject_reasons)
    if reason not in known and not (reason.startswith(("coverage.", "scholarship.")) and reason == claim.reason):
        raise InvalidInput("reject_reason", reason, known=", ".join(sorted(known)))
    _reject(session, claim, reason, _text(note, "reject_note", maximum=1000, required=False), by, now or utcnow())
    return _view(session, claim, by, today)


def _reject(session: Session, claim: Claim, reason: str, note: str | None, by: Actor, at: dt.datetime) -> None:
    claim.status, claim.rejected_reason = "rejected", reason
    claim.rejected_note = mask_niks_in_text(note) if note else None
    session.flush()
    _step(session, claim, "rejected", by, claim.rejected_note, at=at)


def pay(session: Session, number: str, reference: str, paid_on: dt.date, *, by: Actor, today: dt.date,
        now: dt.datetime | None = None) -> ClaimView:
    """The one payment of an approved claim: its decided total, the account copied. A second one is
    refused, also when two race (the row lock, and the unique ``claim_payments.claim_id`` behind it)."""
    by.require("claim.pay")
    ref = _text(reference, "bank_reference", maximum=100)
    if paid_on > today:
        raise InvalidInput("paid_on", paid_on.isoformat(), reason="date_future")
    claim = _claim(session, number, by, for_update=True)
    if claim.status == "paid" or repo.payment(session, claim.id) is not None:
        raise AlreadyPaid(number=claim.number)
    _want(claim, "approved")
    if claim.total > 0 and not (claim.account_bank and claim.account_number):
        raise NoAccount(number=claim.number)
    payment = ClaimPayment(claim_id=claim.id, reference=ref, paid_on=paid_on, amount=claim.total,
                           payee_name=claim.payee_name, account_bank=claim.account_bank,
                           account_number=claim.account_number, account_holder=claim.account_holder,
                           paid_by_id=by.user_id, recorded_at=now or utcnow())
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError as exc:
        raise AlreadyPaid(number=claim.number) from exc
    claim.status = "paid"
    session.flush()
    _step(session, claim, "paid", by, at=now)
    return _view(session, claim, by, today)


# --- reading --------------------------------------------------------------------------------------


def show(session: Session, number: str, *, by: Actor, today: dt.date) -> ClaimView:
    by.require_any("claim.read", "claim.enter")
    return _view(session, _claim(session, number, by), by, today)


def claim_for_letter(session: Session, number: str, *, by: Actor, today: dt.date) -> ClaimView:
    """What the decision letter draws: a decided claim (approved, paid or rejected)."""
    view = show(session, number, by=by, today=today)
    if view.status not in ("approved", "paid", "rejected"):
        raise WrongStatus(number=view.number, status=view.status, wanted="approved")
    return view


def _due(session: Session, claim: Claim, params: ParameterSet) -> dt.date | None:
    if claim.type == "jkm" and claim.complete_on is not None:
        days = params.at("claims.jkm_payment_days", claim.event_date).value
        return _add_working_days(claim.complete_on, days)
    if claim.type.startswith("jkk-") and claim.submitted_on is not None:
        days = params.at("jkk.decision_days", claim.event_date).value
        return claim.submitted_on + dt.timedelta(days=days)
    return None


def _overdue(claim: Claim, due: dt.date | None, today: dt.date) -> bool:
    if due is None or today <= due:
        return False
    if claim.type == "jkm":
        return claim.status in ("submitted", "verified", "approved")
    return claim.status in ("submitted", "verified")


def _view(session: Session, claim: Claim, by: Actor, today: dt.date) -> ClaimView:
    params = default_parameters()
    worker = _worker_of(session, claim)
    steps = repo.steps(session, claim.id)
    docs = repo.documents(session, claim.id)
    pay_row = repo.payment(session, claim.id)
    names = repo.usernames(session, [claim.entered_by_id, claim.approved_by_id,
                                     pay_row.paid_by_id if pay_row else None, *(x.received_by_id for x in docs)])
    required = catalogue().required_for(claim.type, claim.payee_relationship)
    codes = [*required, *(d.code for d in docs if d.code not in required)]
    documents = []
    for code in dict.fromkeys(codes):
        got = [d for d in docs if d.code == code]
        documents.append(DocumentView(code=code, required=code in required, received=bool(got), files=len(got),
                                      received_at=got[0].received_at if got else None,
                                      received_by=names.get(got[0].received_by_id) if got else None))
    d = claim.decision
    children = [ChildScholarshipView(name=c["name"], level=c["level"], year=c["year"], eligible=c["eligible"],
                                     reason=c["reason"], this_year=c["this_year"], projected=c["projected"],
                                     years_paid=c.get("years_paid", 0)) for c in d.get("children", [])]
    due = _due(session, claim, params)
    reopens = session.get(Claim, claim.reopens_id) if claim.reopens_id else None
    return ClaimView(
        number=claim.number, type=claim.type, status=claim.status, nik=mask_nik(worker.nik), name=worker.name,
        sponsor=repo.sponsor_code(session, claim.sponsor_id),
        agreement=repo.agreement_code(session, claim.agreement_id),
        accident=claim.accident_id, reopens=reopens.number if reopens else None, event_date=claim.event_date,
        eligible=claim.eligible, reason=claim.reason, reason_reference=d.get("reference"), total=claim.total,
        base=d.get("base"), contribution_months=d.get("contribution_months"),
        components=[ComponentView(**{k: c[k] for k in ("code", "amount", "arithmetic", "reference", "verified")})
                    for c in d.get("components", [])],
        scholarship_this_year=claim.scholarship_this_year, scholarship_projected=claim.scholarship_projected,
        children=children, documents=documents,
        payee=Payee(name=claim.payee_name, relationship=claim.payee_relationship,
                    nik=mask_nik(claim.payee_nik) if claim.payee_nik else None, note=claim.payee_note,
                    account_bank=claim.account_bank, account_number=mask_account(claim.account_number),
                    account_holder=claim.account_holder),
        history=[Step(status=s.status, by=s.by_name, at=s.at, note=s.note) for s in steps],
        rejected_reason=claim.rejected_reason, rejected_note=claim.rejected_note,
        payment=PaymentView(reference=pay_row.reference, paid_on=pay_row.paid_on, amount=pay_row.amount,
                            account_bank=pay_row.account_bank, account_number=mask_account(pay_row.account_number),
                            account_holder=pay_row.account_holder, by=names.get(pay_row.paid_by_id, ""))
        if pay_row else None,
        entered_by=names.get(claim.entered_by_id, ""), approved_by=names.get(claim.approved_by_id or 0),
        approved_at=claim.approved_at, complete_on=claim.complete_on, due_on=due,
        overdue=_overdue(claim, due, today), inputs=_shown_inputs(claim.inputs, by), notes=list(d.get("notes", [])))


def _shown_inputs(inputs: dict[str, Any], by: Actor) -> dict[str, Any]:
    shown = {k: v for k, v in inputs.items() if k != "claimant"}
    if by.scope.sponsor_id is not None:  # no medical details for a sponsor's staff
        for k in ("percent", "function_loss", "assessed_by"):
            shown.pop(k, None)
    return shown


def list_claims(session: Session, *, by: Actor, today: dt.date, status: str | None = None,
                sponsor: str | None = None, overdue: bool = False) -> list[ClaimRow]:
    """Claims, newest first; ``overdue``: those past their service level (JKM payment, JKK decision)."""
    by.require_any("claim.read", "claim.enter")
    if status is not None and status not in CLAIM_STATUSES:
        raise InvalidInput("claim_status", status, known=", ".join(CLAIM_STATUSES))
    sponsor_id = sponsors.get_sponsor(session, sponsor, by.scope).id if sponsor else None
    params = default_parameters()
    rows = []
    for claim, worker, code in repo.listing(session, by.scope, statuses=(status,) if status else (),
                                            sponsor_id=sponsor_id):
        due = _due(session, claim, params)
        late = _overdue(claim, due, today)
        if overdue and not late:
            continue
        rows.append(ClaimRow(number=claim.number, type=claim.type, status=claim.status, nik=mask_nik(worker.nik),
                             name=worker.name, sponsor=code, event_date=claim.event_date, eligible=claim.eligible,
                             claim_total=claim.total, entered_at=claim.entered_at, due_on=due, overdue=late,
                             days_over=(today - due).days if late and due else None))
    return rows


def claims_page(session: Session, *, by: Actor, today: dt.date, window: Window, status: str | None = None,
                claim_type: str | None = None, sponsor: str | None = None, overdue: bool = False
                ) -> Paged[ClaimRow]:
    """One page of ``list_claims``, cut in SQL (newest first); ``claim_type`` one of ``CLAIM_TYPES``.
    ``overdue``: only the open claims (submitted, verified, approved) are read, each deadline counted
    in working days, and the page cut from them."""
    by.require_any("claim.read", "claim.enter")
    if status is not None and status not in CLAIM_STATUSES:
        raise InvalidInput("claim_status", status, known=", ".join(CLAIM_STATUSES))
    if claim_type is not None and claim_type not in CLAIM_TYPES:
        raise InvalidInput("claim_type", claim_type, known=", ".join(CLAIM_TYPES))
    sponsor_id = sponsors.get_sponsor(session, sponsor, by.scope).id if sponsor else None
    params = default_parameters()
    types = (claim_type,) if claim_type else ()

    def row(claim: Claim, worker: Worker, code: str | None) -> ClaimRow:
        due = _due(session, claim, params)
        late = _overdue(claim, due, today)
        return ClaimRow(number=claim.number, type=claim.type, status=claim.status, nik=mask_nik(worker.nik),
                        name=worker.name, sponsor=code, event_date=claim.event_date, eligible=claim.eligible,
                        claim_total=claim.total, entered_at=claim.entered_at, due_on=due, overdue=late,
                        days_over=(today - due).days if late and due else None)

    if overdue:
        rows = [row(*r) for r in repo.open_claims(session, by.scope, types=types, sponsor_id=sponsor_id)]
        return cut([r for r in rows if r.overdue and (status is None or r.status == status)], window)
    found = repo.listing_page(session, by.scope, window, statuses=(status,) if status else (), types=types,
                              sponsor_id=sponsor_id)
    return found.map(lambda r: row(*r))


def accidents_page(session: Session, *, by: Actor, window: Window) -> Paged[AccidentRow]:
    """Work accidents, latest first, cut in SQL (a sponsor's staff: those with a claim of theirs)."""
    by.require_any("claim.read", "claim.enter")
    return repo.accidents_page(session, by.scope, window).map(
        lambda r: AccidentRow(id=r[0].id, nik=mask_nik(r[1].nik), name=r[1].name, occurred_on=r[0].occurred_on,
                              place=r[0].place, late=r[0].late, outcome=r[0].outcome))


def statement(session: Session, sponsor: str | None = None, *, by: Actor) -> list[ClaimTypeTotal]:
    """A sponsor's workers' claims by type: how many, decided and paid, and their amounts (no medical
    details). A sponsor's staff: their own."""
    by.require_any("claim.read", "bill.read")
    sponsor_id = sponsors.get_sponsor(session, sponsor, by.scope).id if sponsor else None
    return [ClaimTypeTotal(sponsor=r[0], type=r[1], claims=int(r[2]), decided=int(r[3] or 0),
                           decided_amount=int(r[4] or 0), paid=int(r[5] or 0), paid_amount=int(r[6] or 0))
            for r in repo.totals_by_type(session, by.scope, sponsor_id)]


def document_file(session: Session, number: str, sha256: str, *, by: Actor) -> bytes:
    """A stored document's bytes (for a reader of the claim)."""
    by.require_any("claim.read", "claim.enter")
    claim = _claim(session, number, by)
    if not any(d.sha256 == sha256 for d in repo.documents(session, claim.id)):
        raise ClaimNotFound(number=claim.number)
    return store.read(sha256, root=_documents_root(session))
