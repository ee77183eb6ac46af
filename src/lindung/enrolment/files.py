"""The import's files on a disk, for a door that has one (the CLI, the benchmark): the sponsor's file
opened as an ``Upload``, and the reports written beside it so that a failed import never leaves a
report of work not done.

The use cases take the file as an upload and give the refused rows to a callback (``ErrorFile`` is
one); none of them knows a path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lindung.enrolment.importer_read import ImportFileError
from lindung.enrolment.importer_rows import RowError
from lindung.enrolment.refused_rows import is_xlsx, reasons_from_report, write_error_report, write_refused_rows
from lindung.enrolment.schemas import Upload


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Upload]:
    """The sponsor's file at ``path`` as an upload (a stream read as it goes), closed afterwards;
    ``ImportFileError`` when it is missing, a folder, or not readable by this user."""
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise ImportFileError("import.file_missing", file=str(path)) from None
    except IsADirectoryError:
        raise ImportFileError("import.file_is_folder", file=str(path)) from None
    except PermissionError:
        raise ImportFileError("import.file_denied", file=str(path)) from None
    with stream:
        yield Upload(path.name, stream)


class ErrorFile:
    """Writes refused rows to ``OUT.csv.partial`` during the import; renamed to ``OUT.csv`` only
    after the transaction commits (``publish``), so a failed import never leaves a report of work
    not done (``discard``). ``needed``: without ``OUT.csv`` the report still goes to a temporary file
    (the refused rows are written from it), removed by ``close``."""

    def __init__(self, path: Path | None, lang: str, *, needed: bool = False) -> None:
        self.path, self.lang, self.count = path, lang, 0
        self.partial: Path | None = None
        if path is not None:
            self.partial = path.with_name(path.name + ".partial")
        elif needed:
            handle, name = tempfile.mkstemp(prefix="lindung-errors-", suffix=".csv")
            os.close(handle)
            self.partial = Path(name)

    def __call__(self, errors: Iterator[RowError]) -> None:
        if self.partial is None:
            return
        with self.partial.open("wb") as f:
            self.count = write_error_report(errors, f, self.lang)

    def publish(self) -> None:
        if self.partial is not None and self.path is not None and self.partial.exists():
            os.replace(self.partial, self.path)

    @property
    def written(self) -> Path | None:
        """The report as it stands after ``publish``."""
        return self.path if self.path is not None else self.partial

    def discard(self) -> None:
        if self.partial is not None:
            with contextlib.suppress(FileNotFoundError):
                self.partial.unlink()

    def close(self) -> None:
        """Remove the temporary report (one asked for with ``--errors`` stays)."""
        if self.path is None:
            self.discard()


def write_refused_rows_file(source: Upload, sheet: str | None, report: ErrorFile, out: Path, lang: str) -> int:
    """The refused rows of ``source`` that the published ``report`` names, whole with their reasons,
    to ``out`` (``.partial`` first, then renamed; XLSX when its name ends so, else CSV); returns the
    rows written. Raises ``OSError`` or ``LindungError`` (nothing is left at ``out`` then)."""
    assert report.written is not None, "the refused rows are read from an error report"
    partial = out.with_name(out.name + ".partial")
    try:
        with report.written.open("rb") as reasons, partial.open("wb") as f:
            count = write_refused_rows(source, sheet, reasons_from_report(reasons), f, lang, xlsx=is_xlsx(out.name))
        os.replace(partial, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return count
