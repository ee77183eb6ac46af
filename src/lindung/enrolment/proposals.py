"""Maker-checker for bulk enrolment: an officer proposes a sponsor's file, another person approves it.

product.md has a supervisor approve the bulk enrolments an officer makes: proposing needs
``import.propose``, approving ``import.approve``, and the user who approves must not be the user who
proposed (compared by user id; each step is audited).

- ``propose``: after the file was checked (the whole import run and rolled back, ``--check``), the
  file itself is kept with its SHA-256 and the check's counts; nothing is enrolled.
- ``approve``: by someone else, the kept file is imported — every check again, against the registry,
  quota and budget as they are then — in the same transaction that marks the proposal approved and
  names the import it became; if the import fails, the proposal stays proposed.
- ``reject``: by anyone (the proposer too: a withdrawal); nothing is enrolled.

A direct ``lindung import workers`` (without ``--propose``) still enrols at once for a user whose role
has ``import.run``; a branch that wants four eyes on every file takes that permission from its officers
(``users/roles.yaml``), who then propose.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from lindung.audit import service as audit
from lindung.enrolment.importer import ImportSummary, import_workers
from lindung.enrolment.importer_rows import RowError
from lindung.enrolment.models import ImportProposal
from lindung.kit import clock
from lindung.kit.auth import Actor, recorded, same_user
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, NotFound
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement


class SelfApproval(Conflict):
    code = "import.self_approval"


class ProposalDecided(Conflict):
    code = "import.proposal_decided"

    def message(self, lang: str = "id") -> str:
        from lindung.kit.i18n import t

        status = t(f"import.proposal_status.{self.context['status']}", lang)
        return t(self.code, lang, **{**self.context, "status": status})


class ProposalAltered(Conflict):
    code = "import.proposal_altered"


class ProposalWaiting(Conflict):
    """The same file (its bytes, and sheet) is proposed for the agreement already and still waits: a
    second proposal would put one list twice before the supervisor (a double submission)."""

    code = "import.proposal_waiting"

    def message(self, lang: str = "id") -> str:
        from lindung.kit.i18n import t

        at = clock.format_time(self.context["at"], lang)
        return t(self.code, lang, **{**self.context, "at": at})


def refuse_waiting_twin(session: Session, agreement_code: str, digest: str, sheet: str | None) -> Agreement:
    """The agreement, held (PostgreSQL row lock) so that two officers proposing one file at once do not
    both pass: the second waits and then finds the first; ``ProposalWaiting`` when a proposal of the
    file whose SHA-256 is ``digest`` (and of that sheet) waits for it."""
    agreement = sponsors.get_agreement(session, agreement_code, for_update=True)
    waiting = session.scalars(
        select(ImportProposal).where(ImportProposal.agreement_id == agreement.id, ImportProposal.sha256 == digest,
                                     ImportProposal.status == "proposed").order_by(ImportProposal.id)).all()
    for twin in waiting:
        if twin.sheet == sheet:
            raise ProposalWaiting(number=twin.id, agreement=agreement.code, by=twin.proposed_by, at=twin.proposed_at)
    return agreement


@dataclass(frozen=True, slots=True)
class ProposalView:
    id: int
    agreement: str
    file: str
    sheet: str | None
    read: int
    would_enrol: int
    would_cost: int
    already_enrolled: int
    refused: int
    status: str
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    import_id: int | None

    def to_dict(self) -> dict[str, Any]:
        decided = self.decided_at.isoformat(timespec="seconds") if self.decided_at else None
        return {**asdict(self), "proposed_at": self.proposed_at.isoformat(timespec="seconds"), "decided_at": decided}


def _view(p: ImportProposal, code: str) -> ProposalView:
    return ProposalView(p.id, code, p.file_name, p.sheet, p.read, p.would_enrol, p.would_cost, p.already_enrolled,
                        p.refused, p.status, p.proposed_by, p.proposed_at, p.decided_by, p.decided_at,
                        p.provenance_id)


def propose(session: Session, path: str | os.PathLike[str], checked: ImportSummary, *, by: Actor,
            sheet: str | None = None) -> ProposalView:
    """Keep the checked file as a proposal (``checked``: the summary of its dry run); flushes."""
    by.require("import.propose")
    content = Path(path).read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    agreement = refuse_waiting_twin(session, checked.agreement, digest, sheet)
    proposal = ImportProposal(
        agreement_id=agreement.id, file_name=os.path.basename(os.fspath(path))[:200], sheet=sheet, content=content,
        sha256=digest, read=checked.read, would_enrol=checked.enrolled,
        would_cost=checked.committed_cost, already_enrolled=checked.already_enrolled, refused=checked.refused,
        status="proposed", proposed_by=by.username, proposed_by_id=by.user_id, proposed_at=utcnow())
    session.add(proposal)
    session.flush()
    audit.record(session, actor=by, action="enrolment.import_proposed", subject_type="agreement",
                 subject_id=agreement.id, data={"proposal": proposal.id, "file": checked.file, "read": checked.read,
                                                "would_enrol": checked.enrolled, "refused": checked.refused})
    return _view(proposal, agreement.code)


def _get(session: Session, proposal_id: int, *, for_update: bool = False) -> ImportProposal:
    query = select(ImportProposal).where(ImportProposal.id == proposal_id)
    if for_update:
        query = query.with_for_update()
    found = session.scalars(query).one_or_none()
    if found is None:
        raise NotFound("import.proposal_not_found", value=proposal_id)
    return found


def _undecided(proposal: ImportProposal) -> None:
    if proposal.status != "proposed":
        raise ProposalDecided(value=proposal.id, status=proposal.status, by=proposal.decided_by or "")


def approve(session: Session, proposal_id: int, *, by: Actor, today: dt.date,
            on_errors: Callable[[Iterator[RowError]], None] | None = None) -> tuple[ProposalView, ImportSummary]:
    """Import the proposal's file on another user's word (see the module); flushes."""
    by.require("import.approve")
    proposal = _get(session, proposal_id, for_update=True)
    _undecided(proposal)
    if same_user(by, proposal.proposed_by_id, proposal.proposed_by):  # one user, however written
        raise SelfApproval(value=proposal.id, by=by.username)
    if hashlib.sha256(proposal.content).hexdigest() != proposal.sha256:
        raise ProposalAltered(value=proposal.id)
    agreement = session.get(Agreement, proposal.agreement_id)
    assert agreement is not None
    with _kept(proposal).on_disk() as path:
        # The import is the proposer's (its provenance says who made the list); the approval is recorded
        # on the proposal and in the audit log.
        summary = import_workers(session, path, agreement.code, by=by, today=today, sheet=proposal.sheet,
                                 on_errors=on_errors, purpose="approval",
                                 made_by=recorded(proposal.proposed_by_id, proposal.proposed_by))
    _decide(proposal, "approved", by)
    proposal.provenance_id = summary.import_id
    session.flush()
    audit.record(session, actor=by, action="enrolment.import_approved", subject_type="agreement",
                 subject_id=agreement.id, data={"proposal": proposal.id, "proposed_by": proposal.proposed_by,
                                                "import": summary.import_id, "enrolled": summary.enrolled})
    return _view(proposal, agreement.code), summary


@dataclass(frozen=True, slots=True)
class KeptFile:
    name: str
    sheet: str | None
    content: bytes

    @contextlib.contextmanager
    def on_disk(self) -> Iterator[Path]:
        """The file under its own name in a temporary folder (removed afterwards), for the reader."""
        with tempfile.TemporaryDirectory(prefix="lindung-proposal-") as folder:
            path = Path(folder) / self.name
            path.write_bytes(self.content)
            yield path


def kept_file(session: Session, proposal_id: int, *, by: Actor) -> KeptFile:
    """The file a proposal keeps, as proposed (to read its refused rows again after the approval; a
    sponsor's staff: their sponsor's proposals only)."""
    by.require("import.read")
    proposal = _get(session, proposal_id)
    if by.scope.sponsor_id is not None and proposal.agreement.sponsor_id != by.scope.sponsor_id:
        raise NotFound("import.proposal_not_found", value=proposal_id)
    return _kept(proposal)


def _kept(proposal: ImportProposal) -> KeptFile:
    name = Path(proposal.file_name).name
    return KeptFile(name if name not in ("", ".", "..") else "proposal", proposal.sheet, proposal.content)


def _decide(proposal: ImportProposal, status: str, by: Actor) -> None:
    proposal.status, proposal.decided_at = status, utcnow()
    proposal.decided_by, proposal.decided_by_id = by.username, by.user_id


def reject(session: Session, proposal_id: int, *, by: Actor) -> ProposalView:
    """Turn a proposal down (an approver), or withdraw it (its proposer); nothing is enrolled."""
    proposal = _get(session, proposal_id, for_update=True)
    by.require("import.propose" if same_user(by, proposal.proposed_by_id, proposal.proposed_by)
               else "import.approve")
    _undecided(proposal)
    _decide(proposal, "rejected", by)
    session.flush()
    agreement = session.get(Agreement, proposal.agreement_id)
    assert agreement is not None
    audit.record(session, actor=by, action="enrolment.import_rejected", subject_type="agreement",
                 subject_id=agreement.id, data={"proposal": proposal.id, "proposed_by": proposal.proposed_by})
    return _view(proposal, agreement.code)


def listing(session: Session, *, by: Actor, agreement_code: str | None = None, status: str | None = "proposed",
            limit: int = 100) -> list[ProposalView]:
    """Proposals, newest first (``status`` None: every one; a sponsor's staff: their sponsor's)."""
    by.require("import.read")
    query = (select(ImportProposal, Agreement.code).join(Agreement, Agreement.id == ImportProposal.agreement_id)
             .options(defer(ImportProposal.content))  # a list does not read the files
             .order_by(ImportProposal.id.desc()).limit(limit))
    if status is not None:
        query = query.where(ImportProposal.status == status)
    if agreement_code is not None:
        query = query.where(ImportProposal.agreement_id == sponsors.get_agreement(session, agreement_code,
                                                                                  scope=by.scope).id)
    if by.scope.sponsor_id is not None:
        query = query.where(Agreement.sponsor_id == by.scope.sponsor_id)
    return [_view(p, code) for p, code in session.execute(query)]
