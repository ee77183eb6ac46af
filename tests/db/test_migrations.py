"""The schema: migrations build exactly the models, a new database migrates itself, regions load."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy.exc
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from lindung.kit import db as kitdb
from lindung.kit.lokal import REGIONS_DECREE
from lindung.models import metadata
from lindung.workers.models import Worker
from tests.conftest import ENGINES


class TestMigrationsMatchTheModels:
    def test_no_difference_between_migrated_schema_and_models(self, database):
        with database.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, metadata) == []

    def test_the_database_is_at_the_newest_revision(self, database):
        assert kitdb.current_revisions(database.engine) == kitdb.head_revisions()

    def test_revision_ids_fit_the_version_table(self):
        # alembic_version.version_num is VARCHAR(32): PostgreSQL refuses a longer id at the end of the
        # migration (SQLite would not notice). It happened: 2026_12_06_import_proposal_four_eyes (36).
        from alembic.script import ScriptDirectory

        ids = [script.revision for script in ScriptDirectory.from_config(kitdb.alembic_config()).walk_revisions()]
        assert ids and all(len(revision) <= 32 for revision in ids), ids

    def test_revision_files_are_date_prefixed(self):
        names = [p.name for p in (kitdb.migrations_dir() / "versions").glob("*.py")]
        assert names
        for name in names:
            assert name[:11].replace("_", "").isdigit() and name[4] == name[7] == "_", name


class TestANewDatabaseMigratesItself:
    @pytest.mark.parametrize("empty_database", ENGINES, indirect=True)
    def test_first_use_creates_every_table(self, empty_database):
        _dialect, url = empty_database
        engine = kitdb.get_engine(url)
        assert kitdb.current_revisions(engine) == set()
        kitdb.ensure_database(engine)
        assert kitdb.current_revisions(engine) == kitdb.head_revisions()
        assert {"regions", "workers", "sponsors", "agreements", "enrolments", "audit_log"} <= set(
            inspect(engine).get_table_names())

    def test_sqlite_file_is_created_in_the_data_dir(self, tmp_path, monkeypatch):
        monkeypatch.delenv(kitdb.ENV_URL, raising=False)
        monkeypatch.setenv(kitdb.ENV_DATA_DIR, str(tmp_path / "somewhere"))
        assert kitdb.database_url() == f"sqlite:///{tmp_path / 'somewhere' / 'lindung.sqlite'}"
        engine = kitdb.make_engine()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == kitdb.SQLITE_BUSY_TIMEOUT_MS
        engine.dispose()
        assert (tmp_path / "somewhere" / "lindung.sqlite").exists()


class TestRegionsAreLoaded:
    def test_the_whole_kemendagri_list(self, database):
        assert database.scalar("SELECT count(*) FROM regions WHERE level = 4") == 83762
        assert database.scalar("SELECT count(*) FROM regions WHERE level = 1") == 38
        assert database.scalar("SELECT count(DISTINCT decree) FROM regions") == 1
        assert database.scalar("SELECT min(decree) FROM regions") == REGIONS_DECREE

    def test_kabupaten_bekasi_has_23_kecamatan_and_187_desa(self, database):
        assert database.scalar("SELECT name FROM regions WHERE code = '32.16'") == "Kabupaten Bekasi"
        assert database.scalar("SELECT count(*) FROM regions WHERE parent_code = '32.16'") == 23
        assert database.scalar(
            "SELECT count(*) FROM regions WHERE level = 4 AND code LIKE '32.16.%'") == 187

    def test_every_desa_has_a_postal_code_and_an_existing_parent(self, database):
        assert database.scalar("SELECT count(*) FROM regions WHERE level = 4 AND postal_code IS NULL") == 0
        assert database.scalar(
            "SELECT count(*) FROM regions r LEFT JOIN regions p ON p.code = r.parent_code "
            "WHERE r.level > 1 AND p.code IS NULL") == 0


class TestOccupationsAreSeeded:
    def test_catalogue_and_aliases(self, database):
        assert database.scalar("SELECT transport FROM occupations WHERE code = 'ojek'") in (True, 1)
        assert database.scalar("SELECT occupation_code FROM occupation_aliases WHERE alias = 'ojol'") == "ojek"
        assert database.scalar(
            "SELECT occupation_code FROM occupation_aliases WHERE alias = 'buruh harian lepas'") == "buruh_harian"


class TestProvenanceMigration:
    """2026_12_02_provenance moves who/when/source off every worker and enrolment row into one
    provenance per distinct triple, and drops the NIK's region codes (read off the NIK now)."""

    BEFORE = "2026_11_26_billing"

    @pytest.mark.parametrize("empty_database", ENGINES, indirect=True)
    def test_existing_rows_keep_who_wrote_them_and_their_heirs(self, empty_database):
        _dialect, url = empty_database
        engine = kitdb.get_engine(url)
        kitdb.upgrade(engine, self.BEFORE)
        at1, at2 = "2026-01-05 08:00:00+00:00", "2026-02-01 09:30:00+00:00"
        with engine.begin() as conn:
            for wid, nik, by, at, source in ((1, "3216014107950001", "ani", at1, "import:kadin.csv"),
                                             (2, "3216010101900002", "ani", at1, "import:kadin.csv"),
                                             (3, "3216015505850003", "budi", at2, None)):
                conn.execute(text(
                    "INSERT INTO workers (id, nik, name, sex, birth_date, nik_province_code, nik_regency_code, "
                    "nik_district_code, needs_review, domicile_code, occupation_code, declared_income, source, "
                    "created_by, created_at) VALUES (:id, :nik, 'W', :sex, '1990-01-01', '32', '32.16', "
                    "'32.16.01', false, '32.16.01.2001', 'petani', 0, :source, :by, :at)"),
                    {"id": wid, "nik": nik, "sex": "P" if nik[6] >= "4" else "L", "source": source, "by": by,
                     "at": at})
            conn.execute(text("INSERT INTO heirs (worker_id, position, name, relationship_code) "
                              "VALUES (1, 1, 'Suami', 'spouse')"))
            conn.execute(text(
                "INSERT INTO enrolments (worker_id, agreement_id, first_month, last_month, occupation_code, "
                "sector, committed_cost, status, enrolled_by, enrolled_at, source) VALUES "
                "(1, 1, 24313, 24324, 'petani', 'other', 201600, 'active', 'ani', :at, 'import:kadin.csv'), "
                "(3, 1, 24314, 24324, 'petani', 'other', 184800, 'active', 'cici', :at2, 'cli')"),
                {"at": at1, "at2": at2})

        kitdb.upgrade(engine)

        with engine.connect() as conn:
            origin = dict(conn.execute(text(
                "SELECT w.id, p.actor || '|' || COALESCE(p.source, '-') FROM workers w "
                "JOIN provenances p ON p.id = w.provenance_id")).all())
            assert origin == {1: "ani|import:kadin.csv", 2: "ani|import:kadin.csv", 3: "budi|-"}
            assert conn.execute(text(
                "SELECT COUNT(DISTINCT provenance_id) FROM workers WHERE id IN (1, 2)")).scalar() == 1
            enrolled = conn.execute(text(
                "SELECT e.worker_id, p.actor, p.source FROM enrolments e JOIN provenances p "
                "ON p.id = e.provenance_id ORDER BY e.worker_id")).all()
            assert [tuple(r) for r in enrolled] == [(1, "ani", "import:kadin.csv"), (3, "cici", "cli")]
            assert conn.execute(text("SELECT COUNT(*) FROM provenances")).scalar() == 3
            # The table rebuild on SQLite must not take the heirs with it (foreign keys cascade).
            assert conn.execute(text("SELECT name FROM heirs WHERE worker_id = 1")).scalar() == "Suami"
            columns = {c["name"] for c in inspect(conn).get_columns("workers")}
            assert "created_by" not in columns and "nik_district_code" not in columns
        with kitdb.session_scope(engine) as s:
            worker = s.get(Worker, 1)
            assert worker is not None
            assert (worker.nik_province_code, worker.nik_regency_code, worker.nik_district_code) == (
                "32", "32.16", "32.16.01")
            assert (worker.provenance.actor, worker.provenance.source) == ("ani", "import:kadin.csv")
            assert worker.provenance.at == dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)

        command.downgrade(kitdb.alembic_config(engine), self.BEFORE)
        with engine.connect() as conn:
            back = conn.execute(text(
                "SELECT id, created_by, source, nik_district_code FROM workers ORDER BY id")).all()
            assert [tuple(r) for r in back] == [(1, "ani", "import:kadin.csv", "32.16.01"),
                                                (2, "ani", "import:kadin.csv", "32.16.01"),
                                                (3, "budi", None, "32.16.01")]
            assert conn.execute(text("SELECT enrolled_by FROM enrolments ORDER BY worker_id")).scalars().all() == [
                "ani", "cici"]
            assert conn.execute(text("SELECT COUNT(*) FROM heirs")).scalar() == 1
        engine.dispose()


class TestImportProposalsMigration:
    @pytest.mark.parametrize("empty_database", ENGINES, indirect=True)
    def test_it_goes_down_and_up_again(self, empty_database):
        from alembic import command

        _dialect, url = empty_database
        engine = kitdb.get_engine(url)
        kitdb.ensure_database(engine)
        assert "import_proposals" in inspect(engine).get_table_names()
        command.downgrade(kitdb.alembic_config(engine), "2026_12_02_provenance")
        assert "import_proposals" not in inspect(engine).get_table_names()
        assert kitdb.current_revisions(engine) == {"2026_12_02_provenance"}
        kitdb.upgrade(engine)
        assert "import_proposals" in inspect(engine).get_table_names()
        assert kitdb.current_revisions(engine) == kitdb.head_revisions()


class TestWithdrawnAgreementsMigration:
    @pytest.mark.parametrize("empty_database", ENGINES, indirect=True)
    def test_agreements_and_what_refers_to_them_survive_it_both_ways(self, empty_database):
        # On SQLite the migration rebuilds the agreements table, which enrolments, bills and amendments
        # refer to: every row and reference must come through, and a withdrawn draft going down
        # becomes a draft again (the old constraints know no other state for it).
        from tests.factories import enrol, make_agreement, make_worker
        from tests.users import seed

        _dialect, url = empty_database
        engine = kitdb.get_engine(url)
        kitdb.ensure_database(engine)
        seed(engine)  # the users the factories act as
        with kitdb.session_scope(engine) as s:
            make_agreement(s)
            make_agreement(s, "DRAFT-2026", approve=False)
            make_agreement(s, "GONE-2026", approve=False)
            enrol(s, make_worker(s, nik_="3216011705900001"))
            s.execute(text("UPDATE agreements SET status = 'withdrawn' WHERE code = 'GONE-2026'"))

        def rows() -> list[tuple[object, ...]]:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(
                    "SELECT a.code, a.status, a.approved_by, a.enrolled_count, count(e.id) FROM agreements a "
                    "LEFT JOIN enrolments e ON e.agreement_id = a.id GROUP BY a.code, a.status, a.approved_by, "
                    "a.enrolled_count ORDER BY a.code"))]

        command.downgrade(kitdb.alembic_config(engine), "2026_12_06_agreement_amendments")
        assert rows() == [("DRAFT-2026", "draft", None, 0, 0), ("GONE-2026", "draft", None, 0, 0),
                          ("KADIN-2026", "approved", "budi.supervisor", 1, 1)]
        with pytest.raises(sqlalchemy.exc.IntegrityError), engine.begin() as conn:  # the old CHECK is back
            conn.execute(text("UPDATE agreements SET status = 'withdrawn' WHERE code = 'GONE-2026'"))
        kitdb.upgrade(engine)
        assert kitdb.current_revisions(engine) == kitdb.head_revisions()
        with engine.begin() as conn:
            conn.execute(text("UPDATE agreements SET status = 'withdrawn' WHERE code = 'GONE-2026'"))
        assert rows() == [("DRAFT-2026", "draft", None, 0, 0), ("GONE-2026", "withdrawn", None, 0, 0),
                          ("KADIN-2026", "approved", "budi.supervisor", 1, 1)]
        with pytest.raises(sqlalchemy.exc.IntegrityError), engine.begin() as conn:  # and so is the new one
            conn.execute(text("UPDATE agreements SET status = 'withdrawn' WHERE code = 'KADIN-2026'"))
        engine.dispose()
