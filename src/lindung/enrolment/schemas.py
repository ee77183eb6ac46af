"""What the enrolment use cases take and give: the CLI's ``--json`` prints these, the API will serve
them. Money is an int of rupiah; months are ``YYYY-MM`` text; times are UTC, to the second (as the
CLI's JSON had them before these schemas).

One input is no JSON: a sponsor's file, which a door hands over as an ``Upload`` (its name and its
bytes, or a binary stream), never as a path on the machine that runs the use case.
"""

from __future__ import annotations

import datetime as dt
import io
import ntpath
import posixpath
from dataclasses import dataclass
from typing import Annotated, BinaryIO, Literal

from pydantic import ConfigDict, Field, PlainSerializer, model_validator

from lindung.kit.schemas import MonthText
from lindung.kit.schemas import Schema as _Schema


def _seconds(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


Stamp = Annotated[dt.datetime, PlainSerializer(_seconds, return_type=str, when_used="json")]
"""A moment: a UTC ``datetime`` in Python, ISO 8601 to the second in JSON (``2026-12-07T03:14:00+00:00``)."""


# --- the file a door hands over -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upload:
    """A sponsor's file as a door hands it to a use case: its name as the sender's computer called it
    and its content, as bytes or as a binary stream.

    A stream is read as it goes (a file of a million rows never sits in memory) and more than once,
    each time from its start (the encoding is found, then the rows read; the refused rows are read
    again after the import), so it must be seekable: a file the CLI opened, an upload a server spooled
    to disk. It is never closed here: whoever opened it closes it."""

    name: str
    content: bytes | BinaryIO

    @property
    def file_name(self) -> str:
        """The name without any folder (a browser may send ``C:\\Users\\…\\kadin.csv``)."""
        name = ntpath.basename(posixpath.basename(self.name.strip()))
        return name if name not in ("", ".", "..") else "file"

    def stream(self) -> BinaryIO:
        """The content from its start."""
        if isinstance(self.content, bytes | bytearray | memoryview):
            return io.BytesIO(self.content)
        if not self.content.seekable():
            raise ValueError("an upload's stream must be seekable: spool it to a file first")
        self.content.seek(0)
        return self.content

    def read_bytes(self) -> bytes:
        """The whole content (a proposal keeps it)."""
        if isinstance(self.content, bytes):
            return self.content
        return self.stream().read()


# --- importing a file -------------------------------------------------------------------------


class ImportSummary(_Schema):
    """What an import did (or, for a check, would do): counts, the reasons rows were refused, and
    the number to find it again. The same for a direct import, a check, a proposal's check and an
    approval; it is the result of an import job."""

    read: int
    enrolled: int
    """Rows enrolled (a check: that would be)."""
    already_enrolled: int
    """Rows whose worker this agreement covers already: counted, not refused (the same file twice adds nothing)."""
    refused: int
    agreement: str
    file: str
    """The file's name, with ``[sheet]`` when a workbook has several worksheets."""
    sheet: str | None = None
    """The worksheet read, when the workbook has more than one."""
    import_id: int | None = None
    """The import's number (``import list``, ``import undo``); None for a check, which keeps nothing."""
    new_workers: int = 0
    committed_cost: int = 0
    heirs: int = 0
    """Heirs recorded from the file's heir columns (for workers who had none)."""
    heirs_kept: int = 0
    """Workers whose heirs in the registry differ from the file's: the registry's were kept."""
    heirs_kept_rows: tuple[int, ...] = ()
    """Their rows in the file, the first thousand of them: where an officer looks to check with the
    worker which heirs are right."""
    needs_review: int = 0
    """New workers flagged for review (their NIK's kecamatan is not in the region list)."""
    refused_by_reason: dict[str, int] = Field(default_factory=dict)
    """Each reason (``occupation_unknown``; its message is ``import.reason.<reason>``) -> rows it
    refused; a row with several reasons counts under each."""
    errors_file: str | None = None
    """Where the door wrote the error report (the CLI's ``--errors``), if it did."""
    refused_rows_file: str | None = None
    """Where the door wrote the refused rows (the CLI's ``--refused-rows``), if it did."""
    dry_run: bool = False
    """A check: everything was run and rolled back."""
    proposal_id: int | None = None
    """The import proposal this run kept (``propose``) or carried out or checked (an approval)."""


ImportMode = Literal["import", "check", "propose", "approve"]


class ImportJob(_Schema):
    """An import job's parameters, as its ``jobs`` row keeps them (never the file's content, nor any
    personal data):

    - ``import``: import the file now (``import.run``);
    - ``check``: run the whole import and roll it back (``import.propose`` or ``import.run``); with
      ``proposal``, what approving that proposal would do now (``import.approve``);
    - ``propose``: check the file and keep it for another person to approve (``import.propose``);
    - ``approve``: import the file that ``proposal`` keeps (``import.approve``)."""

    mode: ImportMode
    agreement: str | None = None
    file: str | None = None
    sheet: str | None = None
    proposal: int | None = None

    @model_validator(mode="after")
    def _complete(self) -> ImportJob:
        if self.mode == "approve" and self.proposal is None:
            raise ValueError("an approval names its proposal")
        if self.proposal is None and (self.agreement is None or self.file is None):
            raise ValueError("a file's import names its agreement and its file")
        return self


# --- history, undo, proposals ---------------------------------------------------------------------


class ImportRecord(_Schema):
    """An import made, with what its enrolments are now."""

    id: int
    at: Stamp
    by: str
    file: str
    agreement: str
    active: int
    cancelled: int
    committed_cost: int
    """Rupiah its active enrolments commit."""


class UndoResult(_Schema):
    import_id: int
    file: str
    agreement: str
    """Its agreement's code (codes, comma-separated, if it ever enrolled into several)."""
    cancelled: int
    released_cost: int
    """Rupiah given back to the agreements' budgets."""


class ProposalView(_Schema):
    """An import proposal: the file kept, what its check found, and how it was decided."""

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
    """``proposed``, ``approved`` or ``rejected``."""
    proposed_by: str
    proposed_at: Stamp
    decided_by: str | None
    decided_at: Stamp | None
    import_id: int | None
    """The import an approval became."""


# --- one enrolment --------------------------------------------------------------------------------


class AgreementUse(_Schema):
    enrolled: int
    quota: int
    committed: int
    budget: int


class Enrolled(_Schema):
    """One worker enrolled: the span, its sector and cost, and the agreement's use after it. The NIK is
    masked."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)

    nik: str
    agreement: str
    from_: MonthText = Field(alias="from")
    to: MonthText
    sector: str
    committed_cost: int
    agreement_use: AgreementUse


# --- who an agreement covers ----------------------------------------------------------------------


class RosterEntry(_Schema):
    """One enrolment of an agreement with its worker, as ``lindung agreement workers`` lists them: the
    NIK and phone masked, codes as codes, the enrolment time in UTC."""

    nik: str
    name: str
    sex: str
    phone: str | None
    desa_code: str
    desa: str | None
    occupation: str
    sector: str
    first_month: MonthText
    last_month: MonthText
    status: str
    committed_cost: int
    needs_review: bool
    enrolled_at: dt.datetime | None
    enrolled_by: str | None
    source: str | None


# --- the template ----------------------------------------------------------------------------------


class TemplateInfo(_Schema):
    file: str
    """The name to save it under: ``templat-peserta[-CODE].xlsx`` (the CLI: where it wrote it)."""
    agreement: str | None
    occupations: int
    """Occupations offered in its drop-down (the agreement's target, else the whole catalogue)."""
    villages: int
    """Desa/kelurahan of the agreement's target regions listed (0 without regions)."""
