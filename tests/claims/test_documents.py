"""A claim document's file: accepted by its content (a PDF, a JPEG or a PNG that really opens), never by
its name; refused before anything is written; stored once under its SHA-256; read back; and the folder
it is kept in follows the configuration.

Real files throughout: images made with Pillow, PDFs with fpdf2 and pypdf.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from io import BytesIO
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfWriter

from lindung.claims import documents
from lindung.claims.documents import (
    MAX_BYTES,
    StoredFile,
    documents_dir,
    media_type_of,
    path_of,
    read,
    read_upload,
    store,
)
from lindung.kit import db as kitdb
from lindung.kit.errors import InvalidInput, NotFound
from lindung.kit.i18n import LANGS, catalogue

POSIX = os.name == "posix"


# --- real files ------------------------------------------------------------------------------------


def _image(fmt: str, size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 60))
    for x in range(0, size[0], 3):  # not a flat colour: a JPEG of some substance
        image.putpixel((x, x % size[1]), (x % 256, 100, 200))
    out = BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def _mpo() -> bytes:
    """A camera's JPEG with a second picture inside (MPO): Pillow reads it as MPO, it is a JPEG."""
    image = Image.new("RGB", (64, 48), (10, 120, 30))
    out = BytesIO()
    image.save(out, format="MPO", save_all=True, append_images=[image])
    return out.getvalue()


def _fpdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Surat keterangan kematian")
    return bytes(pdf.output())


def _pypdf(*, user_password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password="pemilik", algorithm="RC4-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


PNG = _image("PNG")
JPEG = _image("JPEG")
PDF = _fpdf()

ACCEPTED = {
    "png": (PNG, "image/png"),
    "jpeg": (JPEG, "image/jpeg"),
    "jpeg-mpo": (_mpo(), "image/jpeg"),
    "pdf-fpdf2": (PDF, "application/pdf"),
    "pdf-pypdf": (_pypdf(), "application/pdf"),
    # encrypted with an empty user password: opens without one (only its owner may change it)
    "pdf-owner-password-only": (_pypdf(user_password=""), "application/pdf"),
}

REFUSED = {
    "text named .pdf": (b"Ini bukan PDF, hanya teks biasa.\n", "x.pdf"),
    "text starting like a PDF": (b"%PDF-1.7\nbukan isi PDF yang sebenarnya\n%%EOF\n", "surat.pdf"),
    "PNG signature then garbage": (PNG[:8] + b"garbage" * 40, "foto.png"),
    "PNG cut short": (PNG[: len(PNG) // 2], "foto.png"),
    "JPEG cut short": (JPEG[: len(JPEG) * 2 // 3], "foto.jpg"),
    "GIF": (_image("GIF"), "foto.gif"),
    "PNG named .jpg is still refused when broken": (PNG[:-20], "foto.jpg"),
    "PDF that needs a password": (_pypdf(user_password="rahasia"), "terkunci.pdf"),
    "PDF cut short": (PDF[: len(PDF) // 3], "surat.pdf"),
}


def _tree(root: Path) -> list[str]:
    """Every file and folder under ``root`` (temporary files included), relative, sorted."""
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.fixture(autouse=True)
def _no_documents_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(documents.ENV_DOCUMENTS_DIR, raising=False)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "documents"


# --- accepted by content ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACCEPTED)
def test_a_real_file_is_accepted_with_its_media_type(name: str, root: Path) -> None:
    data, media_type = ACCEPTED[name]
    assert media_type_of(data, "berkas") == media_type
    assert media_type in documents.MEDIA_TYPES
    stored = store(data, "berkas", root=root)
    sha = hashlib.sha256(data).hexdigest()
    assert stored == StoredFile(sha256=sha, media_type=media_type, size=len(data))
    assert path_of(sha, root=root) == root / sha[:2] / sha
    assert (root / sha[:2] / sha).read_bytes() == data
    assert _tree(root) == [sha[:2], f"{sha[:2]}/{sha}"]  # no temporary file left


def test_the_name_does_not_decide_the_type() -> None:
    assert media_type_of(PNG, "scan.pdf") == "image/png"
    assert media_type_of(PDF, "foto.jpg") == "application/pdf"
    assert media_type_of(JPEG, "tanpa-akhiran") == "image/jpeg"


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_a_stored_file_is_its_owners_only(root: Path) -> None:
    stored = store(PNG, "foto.png", root=root)
    assert stat.S_IMODE(path_of(stored.sha256, root=root).stat().st_mode) == 0o600
    assert stat.S_IMODE((root / stored.sha256[:2]).stat().st_mode) & 0o077 == 0


def test_the_same_bytes_twice_are_one_file(root: Path) -> None:
    first = store(JPEG, "ktp.jpg", root=root)
    written = path_of(first.sha256, root=root).stat().st_mtime_ns
    second = store(JPEG, "ktp-lagi.jpeg", root=root)
    assert first == second
    assert _tree(root) == [first.sha256[:2], f"{first.sha256[:2]}/{first.sha256}"]
    assert path_of(first.sha256, root=root).stat().st_mtime_ns == written  # not written again


def test_different_files_are_kept_apart(root: Path) -> None:
    shas = {store(data, name, root=root).sha256 for name, (data, _) in ACCEPTED.items()}
    assert len(shas) == len(ACCEPTED)
    assert sorted(p.name for p in root.rglob("*") if p.is_file()) == sorted(shas)


# --- refused before anything is written ------------------------------------------------------------


@pytest.mark.parametrize("case", REFUSED)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_written(case: str, root: Path) -> None:
    data, file_name = REFUSED[case]
    with pytest.raises(InvalidInput) as refused:
        media_type_of(data, file_name)
    assert refused.value.code == "invalid.document_type"
    assert refused.value.context["value"] == file_name
    with pytest.raises(InvalidInput) as refused:
        store(data, file_name, root=root)
    assert refused.value.code == "invalid.document_type"
    assert not root.exists()


def test_a_refusal_leaves_an_existing_store_as_it_was(root: Path) -> None:
    store(PDF, "surat.pdf", root=root)
    before = _tree(root)
    for data, file_name in [*REFUSED.values(), (b"", "kosong.pdf"), (b"%PDF-" + bytes(MAX_BYTES), "besar.pdf")]:
        with pytest.raises(InvalidInput):
            store(data, file_name, root=root)
    assert _tree(root) == before


def test_an_empty_file_is_refused(root: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        store(b"", "kosong.pdf", root=root)
    assert refused.value.code == "invalid.document_empty"
    assert not root.exists()
    with pytest.raises(InvalidInput) as refused:
        media_type_of(b"", "kosong.pdf")
    assert refused.value.code == "invalid.document_type"


def test_a_file_over_the_maximum_is_refused_before_it_is_checked(root: Path) -> None:
    too_large = PNG + bytes(MAX_BYTES + 1 - len(PNG))  # a PNG with trailing bytes: its size decides
    assert len(too_large) == MAX_BYTES + 1
    with pytest.raises(InvalidInput) as refused:
        store(too_large, "besar.png", root=root)
    assert refused.value.code == "invalid.document_too_large"
    assert refused.value.context == {"field": "document", "value": "besar.png", "size": 11, "maximum": 10}
    assert not root.exists()


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (InvalidInput("document", "x.pdf", reason="document_type"),
         {"id": "Berkas 'x.pdf' bukan PDF, JPEG atau PNG (diperiksa dari isinya).",
          "en": "The file 'x.pdf' is not a PDF, JPEG or PNG (checked by its content)."}),
        (InvalidInput("document", "besar.png", reason="document_too_large", size=11, maximum=10),
         {"id": "Berkas 'besar.png' berukuran 11 MB; paling besar 10 MB.",
          "en": "The file 'besar.png' is 11 MB; at most 10 MB is accepted."}),
        (InvalidInput("document", "kosong.pdf", reason="document_empty"),
         {"id": "Berkas 'kosong.pdf' kosong.", "en": "The file 'kosong.pdf' is empty."}),
    ],
    ids=["type", "too_large", "empty"],
)
def test_the_refusals_name_the_file_in_both_languages(error: InvalidInput, said: dict[str, str]) -> None:
    assert error.code in catalogue()
    for lang in LANGS:
        assert error.message(lang) == said[lang]


def test_the_refusals_raised_render_in_both_languages(root: Path) -> None:
    raised = []
    for data, name in [(b"teks", "x.pdf"), (b"", "kosong.pdf"), (bytes(MAX_BYTES + 1), "besar.pdf")]:
        with pytest.raises(InvalidInput) as refused:
            store(data, name, root=root)
        raised.append((refused.value, name))
    for error, name in raised:
        for lang in LANGS:
            text = error.message(lang)
            assert f"'{name}'" in text and "{" not in text and "document" not in text, text


# --- reading back ----------------------------------------------------------------------------------


def test_read_gives_the_bytes_stored(root: Path) -> None:
    stored = store(PDF, "surat.pdf", root=root)
    assert read(stored.sha256, root=root) == PDF
    assert read(stored.sha256.upper(), root=root) == PDF  # the same digits, whatever their case


def test_read_of_an_unknown_file_is_not_found(root: Path) -> None:
    unknown = hashlib.sha256(b"tidak pernah disimpan").hexdigest()
    with pytest.raises(NotFound) as missing:
        read(unknown, root=root)
    assert missing.value.code == "claims.document_missing"
    assert missing.value.context == {"sha256": unknown[:12]}
    for lang in LANGS:
        assert unknown[:12] in missing.value.message(lang)
    assert not root.exists()


@pytest.mark.parametrize("bad", ["", "abc", "g" * 64, "a" * 63, "a" * 65, "../" + "a" * 61, "a" * 64 + "\n",
                                 "ab/" + "c" * 61])
def test_a_name_that_is_no_sha256_is_refused(bad: str, root: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        read(bad, root=root)
    assert refused.value.code == "invalid.document"
    with pytest.raises(InvalidInput):
        path_of(bad, root=root)
    for lang in LANGS:
        assert "SHA-256" in refused.value.message(lang)


# --- where the store is ----------------------------------------------------------------------------


def test_the_folder_set_for_documents_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(documents.ENV_DOCUMENTS_DIR, str(tmp_path / "dokumen"))
    monkeypatch.setenv(kitdb.ENV_URL, "sqlite:////tmp/x/lindung.db")
    assert documents_dir() == tmp_path / "dokumen"


def test_beside_the_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(kitdb.ENV_URL, "sqlite:////tmp/x/lindung.db")
    assert documents_dir() == Path("/tmp/x/documents")


def test_in_the_data_dir_for_a_server_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(kitdb.ENV_URL, "postgresql+psycopg://postgres@127.0.0.1:5432/lindung")
    monkeypatch.setenv(kitdb.ENV_DATA_DIR, str(tmp_path))
    assert documents_dir() == tmp_path / "documents"


def test_beside_the_default_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(kitdb.ENV_DATA_DIR, str(tmp_path))
    assert documents_dir() == (tmp_path / kitdb.SQLITE_FILE).absolute().parent / "documents"


def test_store_defaults_to_the_documents_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(documents.ENV_DOCUMENTS_DIR, str(tmp_path / "dokumen"))
    stored = store(PNG, "foto.png")
    assert (tmp_path / "dokumen" / stored.sha256[:2] / stored.sha256).read_bytes() == PNG
    assert read(stored.sha256) == PNG


# --- a file named on the command line --------------------------------------------------------------


def test_read_upload_reads_a_file(tmp_path: Path) -> None:
    file = tmp_path / "surat.pdf"
    file.write_bytes(PDF)
    assert read_upload(file) == PDF


@pytest.mark.parametrize("what", ["missing", "folder", "inside a file"])
def test_read_upload_refuses_what_is_no_readable_file(what: str, tmp_path: Path) -> None:
    (tmp_path / "berkas").write_bytes(PDF)
    path = {"missing": tmp_path / "tidak-ada.pdf", "folder": tmp_path,
            "inside a file": tmp_path / "berkas" / "surat.pdf"}[what]
    with pytest.raises(InvalidInput) as refused:
        read_upload(path)
    assert refused.value.code == "invalid.document_unreadable"
    assert refused.value.context["value"] == str(path)
    for lang in LANGS:
        assert str(path) in refused.value.message(lang)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_read_upload_refuses_a_pipe_without_waiting_for_it(tmp_path: Path) -> None:
    pipe = tmp_path / "pipa"
    os.mkfifo(pipe)
    with pytest.raises(InvalidInput) as refused:
        read_upload(pipe)  # opening it would wait for a writer forever
    assert refused.value.code == "invalid.document_unreadable"


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="file permissions (root reads everything)")
def test_read_upload_refuses_a_file_it_may_not_read(tmp_path: Path) -> None:
    file = tmp_path / "rahasia.pdf"
    file.write_bytes(PDF)
    file.chmod(0)
    try:
        with pytest.raises(InvalidInput) as refused:
            read_upload(file)
        assert refused.value.code == "invalid.document_unreadable"
    finally:
        file.chmod(0o600)


def test_read_upload_refuses_a_huge_file_by_its_size_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "besar.pdf"
    with huge.open("wb") as f:
        f.truncate(50 * MAX_BYTES)  # sparse where the disk allows: 500 MB never read into memory
    with pytest.raises(InvalidInput) as refused:
        read_upload(huge)
    assert refused.value.code == "invalid.document_too_large"
    assert refused.value.context["size"] == 500 and refused.value.context["maximum"] == 10


def test_read_upload_takes_a_file_of_the_maximum(tmp_path: Path) -> None:
    file = tmp_path / "pas.pdf"
    file.write_bytes(bytes(MAX_BYTES))
    assert len(read_upload(file)) == MAX_BYTES
    (tmp_path / "lebih.pdf").write_bytes(bytes(MAX_BYTES + 1))
    with pytest.raises(InvalidInput) as refused:
        read_upload(tmp_path / "lebih.pdf")
    assert refused.value.code == "invalid.document_too_large"


@pytest.mark.skipif(sys.platform == "win32", reason="a symbolic link needs privileges on Windows")
def test_read_upload_follows_a_link_to_a_file(tmp_path: Path) -> None:
    (tmp_path / "asli.png").write_bytes(PNG)
    (tmp_path / "tautan.png").symlink_to(tmp_path / "asli.png")
    assert read_upload(tmp_path / "tautan.png") == PNG
