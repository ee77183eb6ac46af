"""Maker-checker for bulk enrolment: an officer proposes a sponsor's file, another person approves it.

product.md has a supervisor approve the bulk enrolments an officer makes. Lindung has no roles yet,
so the rule is the one agreements already follow: the person who approves must not be the person
who proposed (``--by`` names them; each step is audited).

- ``propose``: after the file was checked (the whole import run and rolled back, ``--check``), the
  file itself is kept with its SHA-256 and the check's counts; nothing is enrolled.
- ``approve``: by someone else, the kept file is imported — every check again, against the registry,
  quota and budget as they are then — in the same transaction that marks the proposal approved and
  names the import it became; if the import fails, the proposal stays proposed.
- ``reject``: by anyone (the proposer too: a withdrawal); nothing is enrolled.

A direct ``lindung import workers`` (without ``--propose``) still enrols at once, as #3 asks; a branch
that wants four eyes on every file uses ``--propose``, and with roles it can be made the only way.
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


def propose(session: Session, path: str | os.PathLike[str], checked: ImportSummary, *, by: str,
            sheet: str | None = None) -> ProposalView:
    """Keep the checked file as a proposal (``checked``: the summary of its dry run); flushes."""
    by = audit.normalize_person(by)
    content = Path(path).read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    agreement = refuse_waiting_twin(session, checked.agreement, digest, sheet)
    proposal = ImportProposal(
        agreement_id=agreement.id, file_name=os.path.basename(os.fspath(path))[:200], sheet=sheet, content=content,
        sha256=digest, read=checked.read, would_enrol=checked.enrolled,
        would_cost=checked.committed_cost, already_enrolled=checked.already_enrolled, refused=checked.refused,
        status="proposed", proposed_by=by, proposed_at=utcnow())
    session.add(proposal)
    session.flush()
    audit.record(session, actor=by, action="enrolment.import_proposed", subject_type="agreement",
                 subject_id=agreement.id, detail=f"proposal {proposal.id}: {checked.file}: read {checked.read}, "
                                                 f"would enrol {checked.enrolled}, refused {checked.refused}")
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


def approve(session: Session, proposal_id: int, *, by: str, today: dt.date,
            on_errors: Callable[[Iterator[RowError]], None] | None = None) -> tuple[ProposalView, ImportSummary]:
    """Import the proposal's file on another person's word (see the module); flushes."""
    by = audit.normalize_person(by)
    proposal = _get(session, proposal_id, for_update=True)
    _undecided(proposal)
    if audit.same_person(proposal.proposed_by, by):  # "Ani" is ani, as for agreements and addenda
        raise SelfApproval(value=proposal.id, by=by)
    if hashlib.sha256(proposal.content).hexdigest() != proposal.sha256:
        raise ProposalAltered(value=proposal.id)
    agreement = session.get(Agreement, proposal.agreement_id)
    assert agreement is not None
    with kept_file(session, proposal_id).on_disk() as path:
        # The import is the proposer's (its provenance says who made the list); the approval is recorded
        # on the proposal and in the audit log.
        summary = import_workers(session, path, agreement.code, by=proposal.proposed_by, today=today,
                                 sheet=proposal.sheet, on_errors=on_errors)
    proposal.status, proposal.decided_by, proposal.decided_at = "approved", by, utcnow()
    proposal.provenance_id = summary.import_id
    session.flush()
    audit.record(session, actor=by, action="enrolment.import_approved", subject_type="agreement",
                 subject_id=agreement.id, detail=f"proposal {proposal.id} by {proposal.proposed_by}: import "
                                                 f"{summary.import_id}, enrolled {summary.enrolled}")
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


def kept_file(session: Session, proposal_id: int) -> KeptFile:
    """The file a proposal keeps, as proposed (to read its refused rows again after the approval)."""
    proposal = _get(session, proposal_id)
    name = Path(proposal.file_name).name
    return KeptFile(name if name not in ("", ".", "..") else "proposal", proposal.sheet, proposal.content)


def reject(session: Session, proposal_id: int, *, by: str) -> ProposalView:
    by = audit.normalize_person(by)
    proposal = _get(session, proposal_id, for_update=True)
    _undecided(proposal)
    proposal.status, proposal.decided_by, proposal.decided_at = "rejected", by, utcnow()
    session.flush()
    agreement = session.get(Agreement, proposal.agreement_id)
    assert agreement is not None
    audit.record(session, actor=by, action="enrolment.import_rejected", subject_type="agreement",
                 subject_id=agreement.id, detail=f"proposal {proposal.id} by {proposal.proposed_by}")
    return _view(proposal, agreement.code)


def listing(session: Session, *, agreement_code: str | None = None, status: str | None = "proposed",
            limit: int = 100) -> list[ProposalView]:
    """Proposals, newest first (``status`` None: every one)."""
    query = (select(ImportProposal, Agreement.code).join(Agreement, Agreement.id == ImportProposal.agreement_id)
             .options(defer(ImportProposal.content))  # a list does not read the files
             .order_by(ImportProposal.id.desc()).limit(limit))
    if status is not None:
        query = query.where(ImportProposal.status == status)
    if agreement_code is not None:
        query = query.where(ImportProposal.agreement_id == sponsors.get_agreement(session, agreement_code).id)
    return [_view(p, code) for p, code in session.execute(query)]
