"""An import job run by a server, and what it leaves to download: the error report and the refused rows.

The CLI writes an import's error report (``--errors``) and refused rows (``--refused-rows``) where its
user says. A server's client asks for them after the job (``GET /api/v1/imports/jobs/{id}/errors``,
``…/refused``), so the server keeps them, by job:

Storage
    ``<root>/<job id>/errors.csv`` (the CLI's error report: row, column, value, reason) and
    ``<root>/<job id>/refused.xlsx`` or ``refused.csv`` (the refused rows whole, under the sponsor's
    own header, with their reasons: XLSX when the sponsor sent a workbook, CSV otherwise), in the
    language of the request that started the job. Both are written only when the job ends well (a
    failed job leaves none: nothing was imported, and its error is the job's), ``.partial`` first and
    then renamed. Folders ``0o700``, files ``0o600``: they hold the NIKs and names the sponsor sent.

    The upload itself is spooled to ``<root>/spool/`` while it waits for its job and removed when the
    job ends, whatever the end.

How long
    ``LINDUNG_IMPORT_REPORTS_DAYS`` days (30 by default) after the job: each job that ends removes the
    report folders older than that (personal data is kept no longer than its use, UU 27/2022).

Where ``root`` is (``reports_dir``)
    ``LINDUNG_IMPORT_REPORTS_DIR`` when set; else the folder ``import-reports`` beside the SQLite file;
    else ``<data dir>/import-reports`` (as the claims' documents, ``claims.documents``).

Who reads them (``report_file``)
    whoever may read imports (``import.read``) and may see the job: its starter, or a user without
    scope (``jobs.service.get``); anyone else is told the job does not exist (404).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lindung.enrolment import jobs as import_jobs
from lindung.enrolment import proposals
from lindung.enrolment.files import ErrorFile, write_refused_rows_file
from lindung.enrolment.refused_rows import is_xlsx
from lindung.enrolment.schemas import ImportJob, ImportSummary, Upload
from lindung.jobs import service as jobs
from lindung.jobs.schemas import JobRead
from lindung.kit import db
from lindung.kit.auth import Actor
from lindung.kit.errors import Conflict, InvalidInput, LindungError, NotFound
from lindung.kit.privacy import mask_niks_in_text

ENV_REPORTS_DIR = "LINDUNG_IMPORT_REPORTS_DIR"
ENV_KEEP_DAYS = "LINDUNG_IMPORT_REPORTS_DAYS"
FOLDER = "import-reports"
SPOOL = "spool"
KEEP_DAYS = 30
CHUNK = 1024 * 1024
ERRORS = "errors.csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

Which = Literal["errors", "refused"]
log = logging.getLogger("lindung.enrolment.reports")


class ReportPending(Conflict):
    """The job has not ended yet: its files come when it does."""

    code = "import.report_pending"


def reports_dir(url: str | None = None) -> Path:
    """Where import jobs' files are kept (see the module); ``url``: the database in use."""
    return db.files_dir(ENV_REPORTS_DIR, FOLDER, url)


def _engine_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _private_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def keep_days() -> int:
    text = os.environ.get(ENV_KEEP_DAYS, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else KEEP_DAYS


# --- the upload, until its job has run ----------------------------------------------------------------


@dataclass(frozen=True)
class Spooled:
    """An upload written to the server's disk: where, as the sender named it, and its SHA-256."""

    path: Path
    name: str
    sha256: str

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def spool(stream: BinaryIO, name: str, engine: Engine, *, limit: int | None = None,
          refuse_empty: bool = False) -> Spooled:
    """Copy an upload's ``stream`` to a file of the store's spool (a megabyte at a time: never whole in
    memory), hashing it as it goes. With ``limit`` (bytes), a longer upload is refused
    (``InvalidInput`` ``document_too_large``) as soon as it passes the limit; with ``refuse_empty``,
    an empty one (``document_empty``): either before a job is recorded, nothing kept."""
    folder = _private_folder(reports_dir(_engine_url(engine)) / SPOOL)
    handle, path = tempfile.mkstemp(prefix="upload-", dir=folder)  # 0o600
    sha = hashlib.sha256()
    size = 0
    shown = Upload(name, b"").file_name
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if limit is not None and size > limit:
                    raise InvalidInput("file", shown, reason="document_too_large", size=_megabytes(size, up=True),
                                       maximum=_megabytes(limit))
                sha.update(chunk)
                out.write(chunk)
        if refuse_empty and size == 0:
            raise InvalidInput("file", shown, reason="document_empty")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise
    return Spooled(Path(path), name, sha.hexdigest())


def _megabytes(size: int, *, up: bool = False) -> int:
    """Whole megabytes (MiB): rounded down for a limit, up for a size over it ("2 MB; at most 1 MB")."""
    return -(-size // CHUNK) if up else max(size // CHUNK, 1)


# --- running the job and keeping its files ------------------------------------------------------------


def run_and_keep(job: JobRead, spooled: Spooled | None, *, by: Actor, today: dt.date, lang: str,
                 engine: Engine) -> ImportSummary:
    """Carry out import job ``job`` (``enrolment.jobs.run``) with the spooled upload (None for an
    approval or its check: the proposal keeps the file), keep its error report and refused rows under
    the job's number, remove the spooled upload, and forget reports past their days."""
    root = reports_dir(_engine_url(engine))
    folder = _private_folder(root / str(job.id))
    report = ErrorFile(folder / ERRORS, lang)
    params = ImportJob.model_validate(job.params)
    try:
        if spooled is not None:
            with spooled.path.open("rb") as stream:
                upload = Upload(spooled.name, stream)
                summary = import_jobs.run(job.id, upload, by=by, today=today, on_errors=report, engine=engine)
                report.publish()
                _refused_rows(upload, params.sheet, report, folder, lang)
        else:
            assert params.proposal is not None  # ImportJob holds it
            summary = import_jobs.run(job.id, None, by=by, today=today, on_errors=report, engine=engine)
            report.publish()
            with db.session_scope(engine, readonly=True) as session:
                kept = proposals.kept_file(session, params.proposal, by=by)
            _refused_rows(kept.upload(), kept.sheet, report, folder, lang)
    except BaseException:
        report.discard()
        with contextlib.suppress(OSError):
            folder.rmdir()  # empty: a failed job keeps no file
        raise
    finally:
        if spooled is not None:
            spooled.remove()
        forget_old(root)
    return summary


def _refused_rows(source: Upload, sheet: str | None, report: ErrorFile, folder: Path, lang: str) -> None:
    """The refused rows, in the format of the sponsor's file; a failure here is logged, and the import
    stays as saved (the error report has every reason)."""
    out = folder / ("refused.xlsx" if is_xlsx(source.file_name) else "refused.csv")
    try:
        write_refused_rows_file(source, sheet, report, out, lang)
    except (OSError, LindungError) as error:
        log.warning("refused rows not written for %s: %s", folder.name, mask_niks_in_text(repr(error)))


def forget_old(root: Path, *, now: float | None = None) -> int:
    """Remove the job folders (and spooled uploads) of ``root`` older than ``keep_days``; how many."""
    limit = (now if now is not None else time.time()) - keep_days() * 86_400
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in root.iterdir():
            if entry.name == SPOOL:
                for upload in entry.iterdir():
                    if upload.stat().st_mtime < limit:
                        upload.unlink(missing_ok=True)
                continue
            if entry.is_dir() and entry.name.isdigit() and entry.stat().st_mtime < limit:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
    return removed


# --- reading them ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFile:
    """A kept file: where it is, its media type, and the name to download it as."""

    path: Path
    media_type: str
    name: str


def report_file(session: Session, job_id: int, which: Which, *, by: Actor, engine: Engine) -> ReportFile:
    """Import job ``job_id``'s error report (``errors``) or refused rows (``refused``): ``NotFound``
    for a job ``by`` may not see or that is no import, ``ReportPending`` while it runs,
    ``import.report_missing`` when it failed (its error is the job's) or its files were forgotten."""
    by.require("import.read")
    job = jobs.get(session, job_id, by=by)
    if job.kind != import_jobs.KIND:
        raise NotFound("job.not_found", value=job_id)
    if job.status in ("queued", "running"):
        raise ReportPending(value=job_id)
    folder = reports_dir(_engine_url(engine)) / str(job_id)
    if which == "errors":
        candidates = [(folder / ERRORS, CSV_TYPE, f"impor-{job_id}-galat.csv")]
    else:
        candidates = [(folder / "refused.xlsx", XLSX_TYPE, f"impor-{job_id}-ditolak.xlsx"),
                      (folder / "refused.csv", CSV_TYPE, f"impor-{job_id}-ditolak.csv")]
    for path, media_type, name in candidates:
        if path.is_file():
            return ReportFile(path, media_type, name)
    raise NotFound("import.report_missing", value=job_id, days=keep_days())
