"""What waits for a second person (maker-checker), in one list: draft agreements, proposed addenda and
proposed bulk imports, oldest first, each with what its approval would stand for and the command that
approves it.

product.md has a supervisor approve the agreements, bulk enrolments (and later claims) an officer makes;
each kind has its own approve command and its own rule that the maker may not check. Given a person,
each item says whether that person may approve it (not drafted, changed or proposed by them): the same
rules the approve commands apply (``audit.same_person`` through the edits of a draft), read here so
that nobody is sent to a command that will refuse them.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lindung.audit import service as audit
from lindung.enrolment import proposals
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement, AgreementAmendment

KINDS = ("agreement", "amendment", "import")


@dataclass(frozen=True, slots=True)
class Waiting:
    """One thing awaiting approval. ``facts`` are what its approval stands for (kind by kind), ``makers``
    everyone who may not approve it, ``command`` the approving command's words (``--by`` last)."""

    kind: str
    agreement: str
    sponsor: str
    number: int | None
    """The addendum's or proposal's number; a draft's version."""
    proposed_by: str
    proposed_at: dt.datetime
    facts: dict[str, Any]
    makers: tuple[str, ...]
    command: tuple[str, ...]
    agreement_status: str
    reject: tuple[str, ...]
    """The command that turns it down or withdraws it (``--by`` last; a draft's withdrawal also takes
    ``--reason``)."""
    may_approve: bool | None = None
    """Whether the person asked about may approve it (None: nobody was named)."""
    edits: list[dict[str, str]] = field(default_factory=list)
    check: tuple[str, ...] = ()
    """The command that shows what the approval would do now, saving nothing (an import's)."""

    @property
    def stale(self) -> bool:
        """An addendum or import of an agreement no longer open: its approval would be refused, so it
        waits for nothing but to be turned down."""
        return self.kind != "agreement" and self.agreement_status not in sponsors.OPEN_STATUSES

    @staticmethod
    def line(words: tuple[str, ...], by: str | None, placeholder: str) -> str:
        """A command, ready to copy: the person's name quoted for the shell, or a placeholder."""
        return shlex.join(words) + " --by " + (shlex.quote(by) if by else placeholder)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "agreement": self.agreement, "sponsor": self.sponsor, "number": self.number,
                "proposed_by": self.proposed_by, "proposed_at": self.proposed_at.isoformat(timespec="seconds"),
                **self.facts, "makers": list(self.makers), "may_approve": self.may_approve,
                "edits": self.edits, "agreement_status": self.agreement_status, "stale": self.stale,
                "command": list(self.command), "check": list(self.check), "reject": list(self.reject)}


def awaiting(session: Session, *, by: str | None = None) -> list[Waiting]:
    """Every draft agreement, proposed addendum and proposed import, oldest first. With ``by``, each
    says whether that person may approve it."""
    person = audit.normalize_person(by) if by is not None else None
    found = [*_drafts(session), *_addenda(session), *_imports(session)]
    found.sort(key=lambda w: (w.proposed_at, KINDS.index(w.kind), w.number or 0))
    if person is None:
        return found
    return [replace(w, may_approve=not any(audit.same_person(person, m) for m in w.makers)) for w in found]


def _drafts(session: Session) -> list[Waiting]:
    rows = session.scalars(select(Agreement).where(Agreement.status == "draft")
                           .options(selectinload(Agreement.sponsor)))
    out = []
    for a in rows:
        edits = sponsors.draft_edits(session, a)
        version = sponsors.draft_version(edits)
        out.append(Waiting(
            "agreement", a.code, a.sponsor.name, version, a.drafted_by, a.drafted_at,
            {"quota": a.quota, "budget": a.budget, "start": str(Month.from_index(a.start_month)),
             "end": str(Month.from_index(a.end_month)), "estimate_expected": a.estimate_expected},
            (a.drafted_by, *(e["by"] for e in edits)),
            ("lindung", "agreement", "approve", a.code, "--version", str(version)), a.status,
            ("lindung", "agreement", "withdraw", a.code), edits=edits))
    return out


def _addenda(session: Session) -> list[Waiting]:
    rows = session.execute(select(AgreementAmendment, Agreement).join(Agreement)
                           .where(AgreementAmendment.status == "proposed")
                           .options(selectinload(Agreement.sponsor)))
    return [Waiting("amendment", a.code, a.sponsor.name, m.id, m.proposed_by, m.proposed_at,
                    {"reference": m.reference, "quota_before": m.quota_before, "quota_after": m.quota_after,
                     "budget_before": m.budget_before, "budget_after": m.budget_after,
                     "estimate_expected": m.estimate_expected_after},
                    (m.proposed_by,), ("lindung", "agreement", "amend-approve", a.code, "--number", str(m.id)),
                    a.status,
                    ("lindung", "agreement", "amend-reject", a.code))
            for m, a in rows]


def _imports(session: Session) -> list[Waiting]:
    waiting = proposals.listing(session, status="proposed", limit=10_000)
    agreements = {a.code: a for a in session.scalars(
        select(Agreement).where(Agreement.code.in_({p.agreement for p in waiting}))
        .options(selectinload(Agreement.sponsor)))} if waiting else {}
    return [Waiting("import", p.agreement, agreements[p.agreement].sponsor.name, p.id, p.proposed_by, p.proposed_at,
                    {"file": p.file, "sheet": p.sheet, "read": p.read, "would_enrol": p.would_enrol,
                     "would_cost": p.would_cost, "already_enrolled": p.already_enrolled, "refused": p.refused},
                    (p.proposed_by,), ("lindung", "import", "approve", str(p.id)), agreements[p.agreement].status,
                    ("lindung", "import", "reject", str(p.id)), check=("lindung", "import", "approve", str(p.id),
                                                                        "--check"))
            for p in waiting]
