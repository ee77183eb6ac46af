"""A claim document's file: checked by what it contains, stored once under its SHA-256.

A document (a death certificate, a family card, a hospital letter) arrives as bytes and the name its
sender gave it. The name proves nothing: the content is read, and only a PDF that opens with at least
one page, or a JPEG or PNG that Pillow can read to its end, is kept. Everything is checked before
anything is written, so a refused file leaves nothing behind.

Storage
    ``<root>/<sha[:2]>/<sha>``: the file named by the SHA-256 of its bytes, in a folder named by the
    hash's first two digits. The same bytes twice are one file. A file is written to a temporary file
    in the same folder, flushed to the disk and then renamed, so that a reader never sees half of it;
    files are readable by their owner only (``0o600``, folders ``0o700``): they are personal data.

Where ``root`` is (``documents_dir``)
    ``LINDUNG_DOCUMENTS_DIR`` when set; else the folder ``documents`` beside the SQLite file when the
    database is one; else ``<data dir>/documents`` (``kit.db.data_dir``). A server database
    (PostgreSQL) keeps no file: its deployment should set ``LINDUNG_DOCUMENTS_DIR`` to a disk that is
    backed up with the database, since the rows name files that only this folder holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from lindung.kit import db
from lindung.kit.errors import InvalidInput, NotFound

MAX_BYTES = 10 * 1024 * 1024
MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")
ENV_DOCUMENTS_DIR = "LINDUNG_DOCUMENTS_DIR"
FOLDER = "documents"

_MB = 1024 * 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_PDF_SIGNATURE = b"%PDF-"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FOLDER_MODE = 0o700


@dataclass(frozen=True)
class StoredFile:
    """A stored document's file: its SHA-256 (lower-case hex, its name in the store), media type and
    size in bytes."""

    sha256: str
    media_type: str
    size: int


def documents_dir(url: str | None = None) -> Path:
    """Where documents are stored: ``LINDUNG_DOCUMENTS_DIR``, else ``documents`` beside the SQLite
    file of ``url`` (the database in use: ``LINDUNG_DATABASE_URL`` or the default), else
    ``<data dir>/documents``. Raises ``kit.db.DatabaseUnavailable`` when ``LINDUNG_DATABASE_URL`` is
    not a URL Lindung can use (and no folder is set)."""
    return db.files_dir(ENV_DOCUMENTS_DIR, FOLDER, url)


# --- what a file is --------------------------------------------------------------------------------


def _is_image(data: bytes, pillow_format: str) -> bool:
    """Whether ``data`` is an image of ``pillow_format`` that Pillow reads to its end.

    ``verify`` checks a PNG's every chunk (its checksum) up to the last; for a JPEG it checks little,
    so a JPEG is also decoded, at an eighth of its size (``draft``: the decoder still reads every byte,
    a truncated file fails, and a 50-megapixel photo needs a few megabytes). A camera's JPEG with a
    second picture inside (MPO) is a JPEG. An image beyond Pillow's decompression-bomb limit fails.
    """
    accepted = ("JPEG", "MPO") if pillow_format == "JPEG" else (pillow_format,)
    try:
        with Image.open(BytesIO(data), formats=[pillow_format]) as image:
            if image.format not in accepted:
                return False
            image.verify()
        if pillow_format == "JPEG":
            with Image.open(BytesIO(data), formats=[pillow_format]) as image:
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
    except Exception:  # whatever a broken or hostile file makes Pillow raise is a refusal
        return False
    return True


def _is_pdf(data: bytes) -> bool:
    """Whether ``data`` is a PDF that pypdf opens, with at least one page it can reach: encrypted is
    fine when it opens without a password (a file only its owner may print or change), not when it
    needs one, nor when it is encrypted with AES and the ``cryptography`` package is not installed
    (pypdf cannot open it then)."""
    if not data.startswith(_PDF_SIGNATURE):
        return False
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return False
        if len(reader.pages) < 1:
            return False
        _ = reader.pages[0].mediabox  # the first page is reachable, not just counted
    except Exception:  # pypdf raises many kinds of errors on a broken or hostile file
        return False
    return True


def media_type_of(data: bytes, file_name: str) -> str:
    """``application/pdf``, ``image/jpeg`` or ``image/png``, by the content of ``data`` (never by
    ``file_name``, which only names the file in the refusal). Anything else — an empty file, text
    named ``.pdf``, a truncated image, a GIF — raises ``InvalidInput`` (``invalid.document_type``)."""
    if data.startswith(_PNG_SIGNATURE) and _is_image(data, "PNG"):
        return "image/png"
    if data.startswith(_JPEG_SIGNATURE) and _is_image(data, "JPEG"):
        return "image/jpeg"
    if _is_pdf(data):
        return "application/pdf"
    raise InvalidInput("document", file_name, reason="document_type")


# --- the store -------------------------------------------------------------------------------------


def _checked_sha256(sha256: str) -> str:
    """``sha256`` when it is 64 hexadecimal digits (lower-cased), else ``InvalidInput``: a name in
    the store is never built from anything else (no ``..``, no ``/``)."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256.lower()):
        raise InvalidInput("document", sha256)
    return sha256.lower()


def path_of(sha256: str, *, root: Path | None = None) -> Path:
    """Where the file of ``sha256`` is (or would be): ``<root>/<sha[:2]>/<sha>``; ``root`` defaults
    to ``documents_dir()``."""
    sha256 = _checked_sha256(sha256)
    return (root if root is not None else documents_dir()) / sha256[:2] / sha256


def _size_in_mb(size: int) -> int:
    """Whole megabytes, rounded up: a file just over the maximum is never said to be of its size."""
    return -(-size // _MB)


def _too_large(value: str, size: int) -> InvalidInput:
    return InvalidInput("document", value, reason="document_too_large", size=_size_in_mb(size),
                        maximum=MAX_BYTES // _MB)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; elsewhere a folder cannot be opened, and this is
    skipped)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


def _write_atomically(target: Path, data: bytes) -> None:
    # mkstemp makes the file readable and writable by its owner only (0o600) before a byte is written.
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:12]}.", suffix=".partial")
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    _fsync_folder(target.parent)


def store(data: bytes, file_name: str, *, root: Path | None = None) -> StoredFile:
    """Check ``data`` and keep it once under its SHA-256 in ``root`` (default ``documents_dir()``).

    Refused with ``InvalidInput`` before anything is written: an empty file (``document_empty``), one
    over ``MAX_BYTES`` (``document_too_large``), one that is no PDF, JPEG or PNG (``document_type``).
    The same bytes stored again are not written again. ``OSError`` when the disk refuses (a folder
    that cannot be made, a full disk): no temporary file is left then.
    """
    if not data:
        raise InvalidInput("document", file_name, reason="document_empty")
    if len(data) > MAX_BYTES:
        raise _too_large(file_name, len(data))
    media_type = media_type_of(data, file_name)
    sha256 = hashlib.sha256(data).hexdigest()
    target = path_of(sha256, root=root)
    try:
        if target.stat().st_size == len(data):
            return StoredFile(sha256, media_type, len(data))
    except FileNotFoundError:
        pass
    target.parent.parent.mkdir(mode=_FOLDER_MODE, parents=True, exist_ok=True)
    target.parent.mkdir(mode=_FOLDER_MODE, exist_ok=True)
    _write_atomically(target, data)
    return StoredFile(sha256, media_type, len(data))


def read(sha256: str, *, root: Path | None = None) -> bytes:
    """The bytes of the stored file ``sha256``; ``InvalidInput`` when it is not 64 hexadecimal
    digits, ``NotFound`` (``claims.document_missing``) when the store has no such file."""
    path = path_of(sha256, root=root)
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound("claims.document_missing", sha256=sha256.lower()[:12]) from None


# --- a file a person names -------------------------------------------------------------------------


def read_upload(path: Path) -> bytes:
    """The bytes of the file at ``path`` (a door's upload: the command line names a file). Refused
    with ``InvalidInput``: a path that is missing, a folder or anything but a regular file (a device
    or a pipe could be endless), or not readable by this user (``document_unreadable``); a file over
    ``MAX_BYTES`` (``document_too_large``), by its size on the disk, before a byte of it is read."""
    shown = str(path)
    try:
        before = path.stat()
    except OSError:
        raise InvalidInput("document", shown, reason="document_unreadable") from None
    if not stat.S_ISREG(before.st_mode):
        raise InvalidInput("document", shown, reason="document_unreadable")
    if before.st_size > MAX_BYTES:
        raise _too_large(shown, before.st_size)
    try:
        with path.open("rb") as f:
            now = os.fstat(f.fileno())  # the file opened, which may not be the one looked at
            if not stat.S_ISREG(now.st_mode):
                raise InvalidInput("document", shown, reason="document_unreadable")
            if now.st_size > MAX_BYTES:
                raise _too_large(shown, now.st_size)
            data = f.read(MAX_BYTES + 1)
    except OSError:
        raise InvalidInput("document", shown, reason="document_unreadable") from None
    if len(data) > MAX_BYTES:  # it grew while being read
        raise _too_large(shown, len(data))
    return data
