"""What waits for a second user (maker-checker), in one list: draft agreements, proposed addenda,
proposed bulk imports and verified claims, oldest first, each with what its approval would stand for.

product.md has a supervisor approve the agreements, bulk enrolments and claims an officer makes;
each kind has its own approve use case and its own rule that the maker may not check. Each item says
whether the user asking may approve it: their role grants that kind's approval, and they did not
draft, change or propose it (by user id, as the approve use cases compare; by name for rows from
before users) — so that nobody is sent to an approval that would refuse them. What to type or click to
approve is the door's to say (the CLI prints commands; the pages will show buttons).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, computed_field
from sqlalchemy.orm import Session

from lindung.approvals import repository
from lindung.kit.auth import Actor, same_user
from lindung.kit.paging import Paged, Window, cut
from lindung.kit.schemas import Schema
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import OPEN_STATUSES
from lindung.sponsors.schemas import DraftEdit

KINDS = ("agreement", "amendment", "import", "claim")
PERMISSION = {"agreement": "agreement.approve", "amendment": "agreement.approve", "import": "import.approve",
              "claim": "claim.approve"}
"""What a user's role needs to approve each kind."""


class Maker(Schema):
    """Someone who made or changed an item, and so may not approve it."""

    name: str
    user_id: int | None = Field(default=None, exclude=True)


class Waiting(Schema):
    """One thing awaiting approval. ``facts`` are what its approval stands for (kind by kind),
    ``makers`` everyone who may not approve it."""

    kind: str
    agreement: str
    sponsor: str
    number: int
    """The addendum's or proposal's number; a draft's version."""
    proposed_by: str
    proposed_at: dt.datetime
    facts: dict[str, Any]
    makers: list[Maker]
    agreement_status: str
    may_approve: bool
    """Whether the user who asked may approve it (their role, and not one of its makers)."""
    why_not: str | None = None
    """Why they may not: ``permission`` (their role does not approve this kind) or ``maker`` (they
    drafted, changed or proposed it)."""
    edits: list[DraftEdit] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stale(self) -> bool:
        """An addendum or import of an agreement no longer open: its approval would be refused, so it
        waits for nothing but to be turned down."""
        return self.kind in ("amendment", "import") and self.agreement_status not in OPEN_STATUSES


def awaiting(session: Session, *, by: Actor) -> list[Waiting]:
    """Every draft agreement, proposed addendum, proposed import and verified claim, oldest first, each
    saying whether ``by`` may approve it. For the branch (it names every sponsor's): not for a scoped user."""
    by.require("agreement.read")
    by.require_unscoped("approvals")
    found = [*_drafts(session), *_addenda(session), *_imports(session), *_claims(session)]
    found.sort(key=lambda w: (w["proposed_at"], KINDS.index(w["kind"]), w["number"]))
    out = []
    for w in found:
        why_not = ("permission" if not by.can(PERMISSION[w["kind"]])
                   else "maker" if any(same_user(by, m.user_id, m.name) for m in w["makers"]) else None)
        out.append(Waiting(**w, may_approve=why_not is None, why_not=why_not))
    return out


def awaiting_page(session: Session, *, by: Actor, window: Window) -> Paged[Waiting]:
    """One page of ``awaiting``. The list is what waits for a person today (drafts, addenda and
    imports not yet decided), never the registry, and is merged from three kinds in time order: it is
    cut after it is read."""
    return cut(awaiting(session, by=by), window)


def _drafts(session: Session) -> list[dict[str, Any]]:
    out = []
    for a in repository.drafts(session):
        entries = sponsors.draft_edit_entries(session, a)
        edits = sponsors.edits_of(entries)  # read once
        out.append({
            "kind": "agreement", "agreement": a.code, "sponsor": a.sponsor.name,
            "number": sponsors.draft_version(edits),
            "proposed_by": a.drafted_by, "proposed_at": a.drafted_at,
            "facts": {"quota": a.quota, "budget": a.budget, "start": str(Month.from_index(a.start_month)),
                      "end": str(Month.from_index(a.end_month)), "estimate_expected": a.estimate_expected},
            "makers": [Maker(name=a.drafted_by, user_id=a.drafted_by_id),
                       *(Maker(name=e.actor, user_id=e.actor_id) for e in entries)],
            "agreement_status": a.status, "edits": edits})
    return out


def _addenda(session: Session) -> list[dict[str, Any]]:
    return [{"kind": "amendment", "agreement": a.code, "sponsor": a.sponsor.name, "number": m.id,
             "proposed_by": m.proposed_by, "proposed_at": m.proposed_at,
             "facts": {"reference": m.reference, "quota_before": m.quota_before, "quota_after": m.quota_after,
                       "budget_before": m.budget_before, "budget_after": m.budget_after,
                       "estimate_expected": m.estimate_expected_after},
             "makers": [Maker(name=m.proposed_by, user_id=m.proposed_by_id)], "agreement_status": a.status}
            for m, a in repository.proposed_addenda(session)]


def _imports(session: Session) -> list[dict[str, Any]]:
    return [{"kind": "import", "agreement": a.code, "sponsor": a.sponsor.name, "number": p.id,
             "proposed_by": p.proposed_by, "proposed_at": p.proposed_at,
             "facts": {"file": p.file_name, "sheet": p.sheet, "read": p.read, "would_enrol": p.would_enrol,
                       "would_cost": p.would_cost, "already_enrolled": p.already_enrolled, "refused": p.refused},
             "makers": [Maker(name=p.proposed_by, user_id=p.proposed_by_id)], "agreement_status": a.status}
            for p, a in repository.proposed_imports(session)]


def _claims(session: Session) -> list[dict[str, Any]]:
    """Verified claims: waiting, since their verification, for a second person (not who entered or
    verified them: ``claims.service.approve``'s rule)."""
    out = []
    for claim, agreement, sponsor, entered, verified in repository.verified_claims(session):
        makers = [Maker(name=entered, user_id=claim.entered_by_id)]
        if claim.verified_by_id is not None and verified is not None:
            makers.append(Maker(name=verified, user_id=claim.verified_by_id))
        out.append({"kind": "claim", "agreement": agreement or "-", "sponsor": sponsor or "-", "number": claim.id,
                    "proposed_by": entered, "proposed_at": claim.verified_at or claim.entered_at,
                    "facts": {"claim": claim.number, "type": claim.type, "total": claim.total,
                              "event_date": claim.event_date.isoformat()},
                    "makers": makers, "agreement_status": "active"})
    return out
