"""A database that cannot be used now or as configured is said to the user, in Indonesian or English,
with exit code 6 and nothing saved, never as a traceback; the URL is shown without its password
(``kit.db.DatabaseUnavailable``, ``kit.db.database_error``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from lindung.kit import db as kitdb


@pytest.fixture
def fresh_engines() -> Any:
    kitdb.dispose_engines()
    yield
    kitdb.dispose_engines()


def _said(err: str) -> str:
    return " ".join(err.split())


def test_a_server_that_does_not_answer(cli: Any, monkeypatch: pytest.MonkeyPatch, fresh_engines: Any) -> None:
    monkeypatch.setenv(kitdb.ENV_URL, "postgresql+psycopg://postgres:rahasia@127.0.0.1:1/lindung")
    r = cli("sponsor", "list")
    assert r.exit_code == 6 and "Traceback" not in r.err, r.err
    said = _said(r.err)
    assert said.startswith("Galat: Basis data postgresql+psycopg://postgres:***@127.0.0.1:1/lindung tidak dapat "
                           "dihubungi: connection to server at \"127.0.0.1\", port 1 failed"), said
    assert "Connection refused. Periksa LINDUNG_DATABASE_URL" in said and "rahasia" not in said
    en = _said(cli("sponsor", "list", "--lang", "en").err)
    assert "The database postgresql+psycopg://postgres:***@127.0.0.1:1/lindung cannot be reached" in en


def test_a_database_the_server_does_not_have(postgres_database: Any, cli: Any,
                                             monkeypatch: pytest.MonkeyPatch, fresh_engines: Any) -> None:
    missing = make_url(postgres_database.url).set(database="lindung_no_such_database")
    monkeypatch.setenv(kitdb.ENV_URL, missing.render_as_string(hide_password=False))
    r = cli("sponsor", "list")
    assert r.exit_code == 6 and 'database "lindung_no_such_database" does not exist' in _said(r.err), r.err


def test_postgresql_urls_without_the_driver_name_use_psycopg(postgres_database: Any, cli: Any,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             fresh_engines: Any) -> None:
    # SQLAlchemy would take psycopg2 for these, which Lindung does not install.
    url = make_url(postgres_database.url)
    for scheme in ("postgresql", "postgres"):
        monkeypatch.setenv(kitdb.ENV_URL, url.set(drivername=scheme).render_as_string(hide_password=False))
        kitdb.dispose_engines()
        r = cli("sponsor", "add", "--code", f"K{scheme}", "--name", "Kadin", "--funding", "kadin")
        assert r.exit_code == 0, r.err
    assert postgres_database.scalar("SELECT count(*) FROM sponsors") == 2


@pytest.mark.parametrize(("url", "indonesian", "english"), [
    ("mysql://budi:rahasia@10.0.0.1/lindung",
     "Galat: LINDUNG_DATABASE_URL menunjuk basis data yang tidak didukung: 'mysql://budi:***@10.0.0.1/lindung'.",
     "Error: LINDUNG_DATABASE_URL names a database Lindung does not support: 'mysql://budi:***@10.0.0.1/lindung'."),
    ("postgresql+psycopg2://postgres@127.0.0.1/lindung", "tidak didukung", "does not support"),
    ("bukan url", "Galat: LINDUNG_DATABASE_URL bukan URL basis data (tidak ditampilkan: bisa memuat kata sandi).",
     "Error: LINDUNG_DATABASE_URL is not a database URL (not shown: it may hold a password)."),
])
def test_a_url_lindung_cannot_use(cli: Any, monkeypatch: pytest.MonkeyPatch, fresh_engines: Any, url: str,
                                  indonesian: str, english: str) -> None:
    monkeypatch.setenv(kitdb.ENV_URL, url)
    r = cli("sponsor", "list")
    assert r.exit_code == 6 and indonesian in _said(r.err) and "rahasia" not in r.err, r.err
    assert english in _said(cli("sponsor", "list", "--lang", "en").err)


def test_a_data_folder_that_cannot_be_made(cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           fresh_engines: Any) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.delenv(kitdb.ENV_URL, raising=False)
    monkeypatch.setenv(kitdb.ENV_DATA_DIR, str(tmp_path / "a-file" / "data"))
    r = cli("sponsor", "list")
    assert r.exit_code == 6 and "Traceback" not in r.err
    said = (f"Galat: Folder data {tmp_path / 'a-file' / 'data'} tidak dapat dibuat: Not a directory. "
            "Periksa LINDUNG_DATA_DIR.")
    assert "".join(r.err.split()) == "".join(said.split())  # Rich may fold the long path anywhere


def test_a_sqlite_file_another_writer_holds_past_the_busy_timeout(sqlite_database: Any, cli: Any,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  fresh_engines: Any) -> None:
    monkeypatch.setattr(kitdb, "SQLITE_BUSY_TIMEOUT_MS", 1000)
    path = make_url(sqlite_database.url).database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # a big import, say
        r = cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin", "--funding", "kadin")
        assert r.exit_code == 6 and "Traceback" not in r.err, r.err
        assert _said(r.err) == ("Galat: Basis data sedang dipakai penulis lain lebih dari 1 detik (misalnya impor "
                                "besar); tidak ada yang disimpan. Coba lagi sebentar lagi.")
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin", "--funding", "kadin").exit_code == 0
    assert sqlite_database.scalar("SELECT count(*) FROM sponsors") == 1


@pytest.mark.parametrize("error", [psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure])
def test_a_transaction_the_server_cancelled_is_to_be_run_again(error: type[psycopg.Error]) -> None:
    said = kitdb.database_error(OperationalError("UPDATE agreements …", {}, error("cancelled")))
    assert said is not None and said.exit_code == 6
    assert said.message("en") == ("This transaction collided with another and the database cancelled it; nothing "
                                  "was saved. Run the command once more.")


def test_any_other_database_error_stays_a_bug() -> None:
    assert kitdb.database_error(OperationalError("SELECT nothing", {}, psycopg.errors.UndefinedTable("x"))) is None
