"""Where the default database lives, and what a command tells about it on stderr.

The default SQLite file is in the user's data directory (``platformdirs``: ``$XDG_DATA_HOME/lindung`` on
Linux), not in ``./data`` of whatever folder a command runs in: run from another folder, Lindung used
to start a new, empty database without a word. A new database is said once when it is created; an old
``./data/lindung.sqlite`` left behind is pointed out, with how to keep using it."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import platformdirs
import pytest
from alembic import command

from lindung.kit import db as kitdb
from lindung.kit.i18n import t
from tests.conftest import ENGINES

ON_LINUX = sys.platform.startswith("linux")


def squeezed(text: str) -> str:
    """Without any whitespace: Rich folds a long path anywhere."""
    return "".join(text.split())


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user of their own: HOME and XDG_DATA_HOME in the test's folder, no database configured,
    commands run from a folder with nothing in it."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    monkeypatch.delenv(kitdb.ENV_URL, raising=False)
    monkeypatch.delenv(kitdb.ENV_DATA_DIR, raising=False)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    kitdb.dispose_engines()
    yield tmp_path
    kitdb.dispose_engines()


def default_file() -> Path:
    return Path(platformdirs.user_data_dir("lindung", appauthor=False)) / "lindung.sqlite"


def place(template: Path, target: Path) -> Path:
    """A migrated database at ``target`` (a copy of the tests' template)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target


class TestTheDefaultPlace:
    def test_it_is_the_users_data_directory_not_the_current_folder(self, home):
        expected = home / "home" / ".local" / "share" / "lindung" / "lindung.sqlite"
        if ON_LINUX:  # platformdirs honours XDG_DATA_HOME on Linux
            assert default_file() == expected
        assert kitdb.data_dir() == default_file().parent
        assert kitdb.database_url() == f"sqlite:///{default_file().as_posix()}"
        assert "work" not in kitdb.database_url()

    def test_lindung_data_dir_and_lindung_database_url_still_decide(self, home, monkeypatch):
        monkeypatch.setenv(kitdb.ENV_DATA_DIR, "./data")
        assert kitdb.database_url() == f"sqlite:///{(home / 'work' / 'data' / 'lindung.sqlite').as_posix()}"
        monkeypatch.setenv(kitdb.ENV_URL, "postgresql+psycopg://postgres@127.0.0.1:5432/lindung")
        assert kitdb.database_url() == "postgresql+psycopg://postgres@127.0.0.1:5432/lindung"

    def test_a_command_run_from_another_folder_uses_the_same_database(self, home, cli, monkeypatch,
                                                                      _sqlite_template):
        place(_sqlite_template, default_file())
        r = cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin Kabupaten Bekasi", "--funding", "kadin")
        assert r.exit_code == 0 and r.stderr == "", r.stderr
        (home / "elsewhere").mkdir()
        monkeypatch.chdir(home / "elsewhere")
        r = cli("sponsor", "list", "--json")
        assert r.exit_code == 0 and r.stderr == "", r.stderr
        assert [s["code"] for s in r.json()] == ["KADIN"]
        assert not (home / "work" / "data").exists() and not (home / "elsewhere" / "data").exists()


class TestANewDatabaseIsSaid:
    @pytest.mark.parametrize("empty_database", ENGINES, indirect=True)
    def test_once_on_stderr_where_it_is_and_not_on_the_next_command(self, empty_database, cli):
        _dialect, url = empty_database
        # A new database's first command adds its first administrator.
        r = cli("user", "add", "kepala", "--role", "administrator", "--json")
        assert r.exit_code == 0, r.stderr
        assert r.json()["username"] == "kepala"  # stdout stays JSON
        assert squeezed(r.err) == squeezed(f"Basis data baru dibuat: {kitdb.shown_url(url)}")
        again = cli("sponsor", "list", "--json", "--by", "kepala")
        assert again.exit_code == 0 and again.stderr == "" and again.json() == []

    def test_in_english_too(self):
        assert t("db.created", "en", database="sqlite:////x/lindung.sqlite") == (
            "New database created: sqlite:////x/lindung.sqlite")

    def test_at_the_default_place_from_any_folder(self, home, cli, monkeypatch):
        r = cli("user", "add", "kepala", "--role", "administrator", "--lang", "en")
        assert r.exit_code == 0, r.stderr
        assert squeezed(r.err) == squeezed(f"New database created: sqlite:///{default_file().as_posix()}")
        (home / "elsewhere").mkdir()
        monkeypatch.chdir(home / "elsewhere")
        r = cli("user", "list", "--json", "--by", "kepala")
        assert r.exit_code == 0 and r.stderr == "" and [u["username"] for u in r.json()] == ["kepala"]

    def test_not_when_an_existing_database_is_merely_upgraded(self, sqlite_database, cli):
        command.downgrade(kitdb.alembic_config(sqlite_database.engine), "-1")
        assert kitdb.current_revisions(sqlite_database.engine) != kitdb.head_revisions()
        r = cli("sponsor", "list", "--json")
        assert r.exit_code == 0 and r.stderr == "" and r.json() == []
        assert kitdb.current_revisions(sqlite_database.engine) == kitdb.head_revisions()

    @pytest.mark.parametrize("empty_database", ["postgresql"], indirect=True)
    def test_by_db_upgrade_too(self, empty_database, cli):
        _dialect, url = empty_database
        r = cli("db", "upgrade", "--json")
        assert r.exit_code == 0, r.stderr
        assert r.json()["before"] == []
        assert squeezed(r.err) == squeezed(f"Basis data baru dibuat: {kitdb.shown_url(url)}")
        assert cli("db", "upgrade", "--json").stderr == ""

    def test_a_service_outside_a_command_says_nothing(self, empty_database, capsys):
        _dialect, url = empty_database
        kitdb.ensure_database(kitdb.get_engine(url))
        assert capsys.readouterr().err == ""


class TestAnOldDatabaseInTheCurrentFolder:
    @pytest.fixture
    def old_and_new(self, home, _sqlite_template) -> tuple[Path, Path]:
        return place(_sqlite_template, home / "work" / "data" / "lindung.sqlite"), place(_sqlite_template,
                                                                                          default_file())

    def test_is_pointed_out_once_with_both_places_and_how_to_keep_it(self, old_and_new, cli):
        old, new = old_and_new
        r = cli("sponsor", "list", "--json")
        assert r.exit_code == 0 and r.json() == []
        assert squeezed(r.err) == squeezed(f"Catatan: ada basis data lama di {old}, tetapi Lindung kini memakai "
                                           f"{new}. Untuk tetap memakai yang lama, jalankan dengan "
                                           "LINDUNG_DATA_DIR=./data.")
        r = cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin", "--funding", "kadin", "--lang", "en")
        assert r.exit_code == 0 and r.err.count("Note: there is an old database") == 1, r.err
        assert squeezed(r.err) == squeezed(f"Note: there is an old database at {old}, but Lindung now uses {new}. "
                                           "To keep using the old one, run with LINDUNG_DATA_DIR=./data.")

    def test_lindung_data_dir_dot_data_keeps_using_it_and_says_nothing(self, old_and_new, cli, monkeypatch):
        old, _new = old_and_new
        monkeypatch.setenv(kitdb.ENV_DATA_DIR, "./data")
        r = cli("sponsor", "add", "--code", "KADIN", "--name", "Kadin", "--funding", "kadin")
        assert r.exit_code == 0 and r.stderr == "", r.stderr
        assert kitdb.database_url() == f"sqlite:///{old.as_posix()}"
        with closing(sqlite3.connect(old)) as raw:
            assert raw.execute("SELECT code FROM sponsors").fetchall() == [("KADIN",)]

    def test_not_when_it_is_the_database_in_use(self, home, cli, _sqlite_template):
        place(_sqlite_template, home / "work" / "data" / "lindung.sqlite")
        default_file().parent.parent.mkdir(parents=True)
        default_file().parent.symlink_to(home / "work" / "data")  # the data directory is ./data
        r = cli("sponsor", "list", "--json")
        assert r.exit_code == 0 and r.stderr == "", r.stderr

    def test_not_without_one(self, home, cli, _sqlite_template):
        place(_sqlite_template, default_file())
        (home / "work" / "data").mkdir()  # a folder named data, no database in it
        assert cli("sponsor", "list", "--json").stderr == ""
