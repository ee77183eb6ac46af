"""The schema: migrations build exactly the models, a new database migrates itself, regions load."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from lindung.kit import db as kitdb
from lindung.kit.lokal import REGIONS_DECREE
from lindung.models import metadata
from tests.conftest import ENGINES


class TestMigrationsMatchTheModels:
    def test_no_difference_between_migrated_schema_and_models(self, database):
        with database.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, metadata) == []

    def test_the_database_is_at_the_newest_revision(self, database):
        assert kitdb.current_revisions(database.engine) == kitdb.head_revisions()

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
