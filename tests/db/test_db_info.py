"""``lindung db info``: which database is in use and what it holds, on both engines; reading it creates
and migrates nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from lindung.kit import db as kitdb
from lindung.system import service as system
from tests.billing import factories as bf
from tests.conftest import ENGINES
from tests.enrolment.import_files import person, write_csv
from tests.users import ADMIN, OFFICERS, SUPERVISORS

ADMIN_AND_STAFF = (ADMIN, *OFFICERS, *SUPERVISORS)

TABLES = {"sponsors": "sponsors", "agreements": "agreements", "workers": "workers", "enrolments": "enrolments",
          "bills": "bills", "payments": "payments", "import_proposals": "import_proposals",
          "audit_entries": "audit_log", "users": "users", "jobs": "jobs"}


def fill(database, cli, tmp_path: Path) -> int:
    """Two sponsors and agreements, three enrolled workers and one not, the bills of January (one
    paid), an import proposed; the number of bills."""
    with database.session() as s:
        bf.agreement(s, "KADIN-2026", cycle=1)
        bf.agreement(s, "CSR-2026", sponsor="CSR", funding="csr", cycle=1)
        bf.cohort(s, 3, "KADIN-2026")
        bf.worker(s)  # registered, not enrolled
    with database.session() as s:
        run = bf.bill(s, "2026-01", on=bf.JAN_1)
        (kadin,) = [b for b in run.bills if b.agreement == "KADIN-2026"]
        bf.pay(s, kadin.payment_code, kadin.total, on=dt.date(2026, 1, 5))
    path = write_csv(tmp_path / "kadin.csv", [person()])
    r = cli("import", "workers", str(path), "--agreement", "KADIN-2026", "--propose", "--by", bf.MAKER)
    assert r.exit_code == 0, r.stderr
    return len(run.bills)


def squeezed(text: str) -> str:
    """Without any whitespace: Rich folds a long path anywhere."""
    return "".join(text.split())


class TestWhatIsInUse:
    def test_engine_schema_and_counts_match_the_database(self, database, cli, tmp_path):
        bills = fill(database, cli, tmp_path)
        r = cli("db", "info", "--json")
        assert r.exit_code == 0 and r.stderr == "", r.stderr
        info = r.json()
        assert info["database"] == kitdb.shown_url(database.url) and info["engine"] == database.dialect
        assert info["exists"] is True and info["server_version"][0].isdigit()
        assert info["schema"] == {"current": sorted(kitdb.head_revisions()), "head": sorted(kitdb.head_revisions()),
                                  "migrated": True, "up_to_date": True}
        assert info["missing_tables"] == []
        in_db = {key: database.scalar(f"SELECT count(*) FROM {table}") for key, table in TABLES.items()}
        assert info["counts"] == in_db
        assert {k: v for k, v in info["counts"].items() if k not in ("audit_entries", "users")} == {
            "sponsors": 2, "agreements": 2, "workers": 4, "enrolments": 3, "bills": bills, "payments": 1,
            "import_proposals": 1, "jobs": 1}  # the proposal's check ran as a job
        assert info["counts"]["users"] == len(ADMIN_AND_STAFF)
        assert bills >= 1 and info["counts"]["audit_entries"] > 0
        if database.dialect == "sqlite":
            path = Path(make_url(database.url).database or "")
            assert info["file"] == str(path) and info["size_bytes"] == path.stat().st_size > 0
        else:
            assert info["file"] is None and info["size_bytes"] is None

    def test_said_in_indonesian_and_in_english(self, database, cli, tmp_path):
        fill(database, cli, tmp_path)
        out = cli("db", "info").out
        engine = "SQLite" if database.dialect == "sqlite" else "PostgreSQL"
        head = ", ".join(sorted(kitdb.head_revisions()))
        assert squeezed(f"Basis data {kitdb.shown_url(database.url)}") in squeezed(out)
        for said in (f"Mesin {engine} ", f"Versi skema {head} (terbaru)", "Pekerja 4 ", "Kepesertaan 3 ",
                     "Usulan impor 1 "):
            assert said in out, (said, out)
        assert ("Berkas " in out) == (database.dialect == "sqlite")
        en = cli("db", "info", "--lang", "en").out
        for said in ("Database in use", f"Engine {engine} ", f"Schema version {head} (up to date)", "Workers 4 ",
                     "Enrolments 3 ", "Import proposals 1 "):
            assert said in en, (said, en)

    def test_a_database_behind_the_code(self, sqlite_database, cli):
        from alembic import command

        command.downgrade(kitdb.alembic_config(sqlite_database.engine), "-1")
        (current,) = kitdb.current_revisions(sqlite_database.engine)
        info = cli("db", "info", "--json").json()
        assert info["schema"]["current"] == [current] and info["schema"]["up_to_date"] is False
        assert "import_proposals" in info["missing_tables"] or info["counts"]["import_proposals"] == 0
        out = cli("db", "info").out
        assert f"{current}; terbaru" in out and "lindung db upgrade" in out
        assert kitdb.current_revisions(sqlite_database.engine) == {current}  # not migrated by reading

    def test_the_password_is_not_shown(self, postgres_database, cli, monkeypatch):
        # The test server trusts local connections: the password is carried, never asked for.
        url = make_url(postgres_database.url).set(password="rahasia")
        monkeypatch.setenv(kitdb.ENV_URL, url.render_as_string(hide_password=False))
        kitdb.dispose_engines()
        r = cli("db", "info", "--json")
        assert r.exit_code == 0, r.stderr
        assert r.json()["database"] == url.render_as_string(hide_password=True)
        assert "***" in r.json()["database"]
        human = cli("db", "info")
        assert "rahasia" not in r.stdout + r.stderr + human.stdout + human.stderr
        assert "postgres:***@" in human.out


class TestADatabaseNotThereYet:
    def test_a_sqlite_file_not_created_yet_is_said_and_not_made(self, cli, tmp_path, monkeypatch):
        monkeypatch.setenv(kitdb.ENV_DATA_DIR, str(tmp_path / "nanti"))
        path = tmp_path / "nanti" / "lindung.sqlite"
        r = cli("db", "info", "--json")
        assert r.exit_code == 0 and r.stderr == "", r.stderr
        info = r.json()
        assert (info["exists"], info["file"], info["size_bytes"], info["engine"]) == (False, str(path), None, "sqlite")
        assert info["schema"]["migrated"] is False and set(info["counts"].values()) == {0}
        r = cli("db", "info")
        assert squeezed(r.out) == squeezed(f"Basis data sqlite:///{path} belum ada. Perintah pertama yang "
                                           f"memakainya akan membuatnya di {path}.")
        en = cli("db", "info", "--lang", "en").out
        assert squeezed(en) == squeezed(f"The database sqlite:///{path} does not exist yet. The first command "
                                        f"that uses it will create it at {path}.")
        assert not (tmp_path / "nanti").exists()

    def test_at_the_default_place_too(self, cli, tmp_path, monkeypatch):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
        kitdb.dispose_engines()
        info = cli("db", "info", "--json").json()
        assert info["exists"] is False and info["file"] == str(kitdb.data_dir() / "lindung.sqlite")
        assert not (tmp_path / "share").exists()

    @pytest.mark.parametrize("empty_database", ENGINES, indirect=True)
    def test_an_empty_database_is_not_migrated_by_reading_it(self, empty_database, cli):
        dialect, url = empty_database
        info = cli("db", "info", "--json").json()
        assert info["schema"]["migrated"] is False and info["schema"]["current"] == []
        assert set(info["counts"].values()) == {0} and info["missing_tables"] == sorted(TABLES)
        assert info["exists"] is (dialect == "postgresql")  # the SQLite file is not there yet
        assert "belum dimigrasikan" in cli("db", "info").out or dialect == "sqlite"
        if dialect == "sqlite":
            assert not Path(make_url(url).database or "").exists()
        else:
            assert inspect(kitdb.get_engine(url)).get_table_names() == []


def test_the_counted_tables_are_the_models():
    from lindung.models import metadata

    assert set(system.MAIN_TABLES.values()) <= set(metadata.tables)
    assert system.MAIN_TABLES == TABLES
