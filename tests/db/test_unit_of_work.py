"""One use case, one transaction; SQLite writers hold the write lock from their first statement."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from lindung.kit import db as kitdb
from lindung.sponsors.models import Sponsor
from tests.factories import make_sponsor


def sponsor_count(database) -> int:
    return int(database.scalar("SELECT count(*) FROM sponsors"))


class TestSessionScope:
    def test_commits_when_the_block_ends(self, database):
        with database.session() as s:
            make_sponsor(s, "KADIN")
        assert sponsor_count(database) == 1

    def test_rolls_back_everything_when_the_block_raises(self, database):
        with pytest.raises(RuntimeError), database.session() as s:
            make_sponsor(s, "KADIN")
            make_sponsor(s, "CSR", "csr")
            raise RuntimeError("use case failed halfway")
        assert sponsor_count(database) == 0

    def test_a_readonly_unit_never_commits(self, database):
        with database.session(readonly=True) as s:
            make_sponsor(s, "KADIN")
            assert s.query(Sponsor).count() == 1
        assert sponsor_count(database) == 0


class TestSqliteWriteTransactions:
    def test_a_write_transaction_takes_the_write_lock_at_begin(self, sqlite_database):
        path = sqlite_database.url.removeprefix("sqlite:///")
        with sqlite_database.session() as s:
            s.execute(text("SELECT 1"))  # nothing written yet, but BEGIN IMMEDIATE already ran
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()

    def test_a_readonly_transaction_does_not_block_writers(self, sqlite_database):
        path = sqlite_database.url.removeprefix("sqlite:///")
        with sqlite_database.session(readonly=True) as s:
            s.execute(text("SELECT count(*) FROM regions"))
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            other.close()

    def test_foreign_keys_are_enforced(self, sqlite_database):
        with pytest.raises(Exception, match="FOREIGN KEY"), sqlite_database.session() as s:
            s.execute(text("INSERT INTO regions (code, name, level, kind, parent_code, decree) "
                           "VALUES ('99.99', 'Nowhere', 2, 'kabupaten', '99', 'x')"))


class TestOutdatedDatabase:
    def test_a_server_database_behind_the_code_is_refused_with_the_command_to_run(self, postgres_database):
        engine = postgres_database.engine
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '2000_01_01_old'"))
        with pytest.raises(kitdb.DatabaseOutdated) as exc:
            kitdb.ensure_database(engine)
        assert "lindung db upgrade" in exc.value.message("en")
