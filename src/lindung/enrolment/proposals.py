"""Maker-checker for bulk enrolment: an officer proposes a sponsor's file, another person approves it.

product.md has a supervisor approve the bulk enrolments an officer makes: proposing needs
``import.propose``, approving ``import.approve``, and the user who approves must not be the user who
proposed (compared by user id; each step is audited).

- ``propose``: after the file was checked (the whole import run and rolled back), the file itself is
  kept with its SHA-256 and the check's counts; nothing is enrolled.
- ``approve``: by someone else, the kept file is imported — every check again, against the registry,
  quota and budget as they are then — in the same transaction that marks the proposal approved and
  names the import it became; if the import fails, the proposal stays proposed.
- ``reject``: by anyone who may propose or approve (the proposer too: a withdrawal); nothing is
  enrolled.

The whole flows, each in the transactions it needs (check, then keep; approve, or check what
approving would do now), are ``enrolment.importing``'s. A direct ``lindung import workers`` (without
``--propose``) still enrols at once for a user whose role has ``import.run``; a branch that wants four
eyes on every file takes that permission from its officers (``users/roles.yaml``), who then propose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.enrolment import repository
from lindung.enrolment.importer import ErrorSink, Progress, import_workers
from lindung.enrolment.models import ImportProposal
from lindung.enrolment.schemas import ImportSummary, ProposalView, Upload
from lindung.kit import clock
from lindung.kit.auth import Actor, recorded, same_user
from lindung.kit.db import utcnow
from lindung.kit.errors import Conflict, NotFound
from lindung.kit.i18n import t
from lindung.kit.paging import Paged, Window
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import Agreement


class SelfApproval(Conflict):
    code = "import.self_approval"


class ProposalDecided(Conflict):
    code = "import.proposal_decided"

    def shown_context(self, lang: str) -> dict[str, Any]:
        context = super().shown_context(lang)
        context["status"] = t(f"import.proposal_status.{context['status']}", lang)
        return context


class ProposalAltered(Conflict):
    code = "import.proposal_altered"


class ProposalWaiting(Conflict):
    """The same file (its bytes, and sheet) is proposed for the agreement already and still waits: a
    second proposal would put one list twice before the supervisor (a double submission)."""

    code = "import.proposal_waiting"

    def shown_context(self, lang: str) -> dict[str, Any]:
        context = super().shown_context(lang)
        context["at"] = clock.format_time(context["at"], lang)  # the branch's time
        return context


def digest(content: bytes) -> str:
    """The SHA-256 a proposal keeps of its file."""
    return hashlib.sha256(content).hexdigest()


def refuse_waiting_twin(session: Session, agreement_code: str, sha256: str, sheet: str | None, *,
                        by: Actor) -> Agreement:
    """The agreement, held (PostgreSQL row lock) so that two officers proposing one file at once do not
    both pass: the second waits and then finds the first; ``ProposalWaiting`` when a proposal of the
    file whose SHA-256 is ``sha256`` (and of that sheet) waits for it."""
    by.require("import.propose")
    agreement = sponsors.get_agreement(session, agreement_code, for_update=True, scope=by.scope)
    for twin in repository.waiting_proposals(session, agreement.id, sha256):
        if twin.sheet == sheet:
            raise ProposalWaiting(number=twin.id, agreement=agreement.code, by=twin.proposed_by, at=twin.proposed_at)
    return agreement


def _view(p: ImportProposal, code: str) -> ProposalView:
    return ProposalView(id=p.id, agreement=code, file=p.file_name, sheet=p.sheet, read=p.read,
                        would_enrol=p.would_enrol, would_cost=p.would_cost, already_enrolled=p.already_enrolled,
                        refused=p.refused, status=p.status, proposed_by=p.proposed_by, proposed_at=p.proposed_at,
                        decided_by=p.decided_by, decided_at=p.decided_at, import_id=p.provenance_id)


def propose(session: Session, upload: Upload, checked: ImportSummary, *, by: Actor,
            sheet: str | None = None) -> ProposalView:
    """Keep the checked file as a proposal (``checked``: the summary of its dry run); flushes."""
    by.require("import.propose")
    content = upload.read_bytes()
    sha256 = digest(content)
    agreement = refuse_waiting_twin(session, checked.agreement, sha256, sheet, by=by)
    proposal = ImportProposal(
        agreement_id=agreement.id, file_name=upload.file_name[:200], sheet=sheet, content=content,
        sha256=sha256, read=checked.read, would_enrol=checked.enrolled,
        would_cost=checked.committed_cost, already_enrolled=checked.already_enrolled, refused=checked.refused,
        status="proposed", proposed_by=by.username, proposed_by_id=by.user_id, proposed_at=utcnow())
    session.add(proposal)
    session.flush()
    audit.record(session, actor=by, action="enrolment.import_proposed", subject_type="agreement",
                 subject_id=agreement.id, data={"proposal": proposal.id, "file": checked.file, "read": checked.read,
                                                "would_enrol": checked.enrolled, "refused": checked.refused})
    return _view(proposal, agreement.code)


def _get(session: Session, proposal_id: int, *, by: Actor, for_update: bool = False) -> ImportProposal:
    """The proposal; NotFound, also when it is another sponsor's (for a sponsor's staff)."""
    found = repository.proposal(session, proposal_id, for_update=for_update)
    if found is None or (by.scope.sponsor_id is not None and found.agreement.sponsor_id != by.scope.sponsor_id):
        raise NotFound("import.proposal_not_found", value=proposal_id)
    return found


def _undecided(proposal: ImportProposal) -> None:
    if proposal.status != "proposed":
        raise ProposalDecided(value=proposal.id, status=proposal.status, by=proposal.decided_by or "")


def show(session: Session, proposal_id: int, *, by: Actor) -> ProposalView:
    """One proposal (a sponsor's staff: their sponsor's only)."""
    by.require("import.read")
    proposal = _get(session, proposal_id, by=by)
    return _view(proposal, proposal.agreement.code)


def approvable(session: Session, proposal_id: int, *, by: Actor) -> ProposalView:
    """The proposal, when ``by`` may approve it now: refused at once (before a job is started) when it
    was decided already or ``by`` proposed it. ``approve`` checks again under its lock."""
    by.require("import.approve")
    proposal = _get(session, proposal_id, by=by)
    _undecided(proposal)
    if same_user(by, proposal.proposed_by_id, proposal.proposed_by):
        raise SelfApproval(value=proposal.id, by=by.username)
    return _view(proposal, proposal.agreement.code)


def approve(session: Session, proposal_id: int, *, by: Actor, today: dt.date, on_errors: ErrorSink | None = None,
            on_progress: Progress | None = None) -> tuple[ProposalView, ImportSummary]:
    """Import the proposal's file on another user's word (see the module); flushes. The summary names
    the proposal (``proposal_id``)."""
    by.require("import.approve")
    proposal = _get(session, proposal_id, by=by, for_update=True)
    _undecided(proposal)
    if same_user(by, proposal.proposed_by_id, proposal.proposed_by):  # one user, however written
        raise SelfApproval(value=proposal.id, by=by.username)
    if digest(proposal.content) != proposal.sha256:
        raise ProposalAltered(value=proposal.id)
    kept = _kept(proposal)
    # The import is the proposer's (its provenance says who made the list); the approval is recorded
    # on the proposal and in the audit log.
    summary = import_workers(session, kept.upload(), proposal.agreement.code, by=by, today=today, sheet=kept.sheet,
                             on_errors=on_errors, on_progress=on_progress, purpose="approval",
                             made_by=recorded(proposal.proposed_by_id, proposal.proposed_by))
    _decide(proposal, "approved", by)
    proposal.provenance_id = summary.import_id
    session.flush()
    audit.record(session, actor=by, action="enrolment.import_approved", subject_type="agreement",
                 subject_id=proposal.agreement_id, data={"proposal": proposal.id, "proposed_by": proposal.proposed_by,
                                                         "import": summary.import_id, "enrolled": summary.enrolled})
    return _view(proposal, proposal.agreement.code), summary.model_copy(update={"proposal_id": proposal.id})


@dataclass(frozen=True, slots=True)
class KeptFile:
    """The file a proposal keeps, as proposed."""

    name: str
    sheet: str | None
    content: bytes

    def upload(self) -> Upload:
        return Upload(self.name, self.content)


def kept_file(session: Session, proposal_id: int, *, by: Actor) -> KeptFile:
    """The file a proposal keeps, as proposed (to read its refused rows again after the approval; a
    sponsor's staff: their sponsor's proposals only)."""
    by.require("import.read")
    return _kept(_get(session, proposal_id, by=by))


def _kept(proposal: ImportProposal) -> KeptFile:
    return KeptFile(Upload(proposal.file_name, b"").file_name, proposal.sheet, proposal.content)


def _decide(proposal: ImportProposal, status: str, by: Actor) -> None:
    proposal.status, proposal.decided_at = status, utcnow()
    proposal.decided_by, proposal.decided_by_id = by.username, by.user_id


def reject(session: Session, proposal_id: int, *, by: Actor) -> ProposalView:
    """Turn a proposal down (an approver), or withdraw it (its proposer); nothing is enrolled."""
    by.require_any("import.propose", "import.approve")
    proposal = _get(session, proposal_id, by=by, for_update=True)
    by.require("import.propose" if same_user(by, proposal.proposed_by_id, proposal.proposed_by)
               else "import.approve")
    _undecided(proposal)
    _decide(proposal, "rejected", by)
    session.flush()
    audit.record(session, actor=by, action="enrolment.import_rejected", subject_type="agreement",
                 subject_id=proposal.agreement_id, data={"proposal": proposal.id, "proposed_by": proposal.proposed_by})
    return _view(proposal, proposal.agreement.code)


def listing(session: Session, *, by: Actor, agreement_code: str | None = None, status: str | None = "proposed",
            limit: int = 100) -> list[ProposalView]:
    """Proposals, newest first (``status`` None: every one; a sponsor's staff: their sponsor's)."""
    by.require("import.read")
    agreement_id = (sponsors.get_agreement(session, agreement_code, scope=by.scope).id
                    if agreement_code is not None else None)
    return [_view(p, code) for p, code in repository.proposals(session, by.scope, agreement_id=agreement_id,
                                                                 status=status, limit=limit)]


def listing_page(session: Session, *, by: Actor, agreement_code: str | None = None, status: str | None = None,
                 window: Window) -> Paged[ProposalView]:
    """``listing``, a page of it (newest first), cut in SQL; ``status`` None: every proposal."""
    by.require("import.read")
    agreement_id = (sponsors.get_agreement(session, agreement_code, scope=by.scope).id
                    if agreement_code is not None else None)
    return repository.proposals_page(session, by.scope, agreement_id=agreement_id, status=status,
                                     window=window).map(lambda row: _view(*row))
