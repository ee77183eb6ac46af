"""Users and permissions (``lindung user …``, and every command's ``--by`` / ``LINDUNG_USER``): on
both engines, a command by an unknown or disabled user, or by one without the permission, is refused
with a clear message and nothing written; maker-checker compares users, whatever the spelling."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.kit.auth import NotPermitted
from lindung.kit.errors import Conflict, InvalidInput
from lindung.models import metadata
from lindung.sponsors import service as sponsors
from lindung.users import service as users
from lindung.users.roles import catalogue
from lindung.users.schemas import UserCreate
from tests.factories import make_agreement, make_sponsor
from tests.users import ADMIN, actor, add_user

TABLES = sorted(t.name for t in metadata.sorted_tables)


def row_counts(database) -> dict[str, int]:
    return {table: int(database.scalar(f"SELECT COUNT(*) FROM {table}")) for table in TABLES}


class TestWhoActs:
    """The same write, tried by four kinds of people: only the one allowed does it."""

    COMMAND = ("sponsor", "add", "--code", "KADIN", "--name", "Kadin Kabupaten Bekasi", "--funding", "kadin")

    def test_an_unknown_user_is_refused_and_nothing_is_written(self, database, cli):
        before = row_counts(database)
        r = cli(*self.COMMAND, "--by", "siapa.saja")
        assert r.exit_code == 7
        assert r.err == ("Galat: Pengguna 'siapa.saja' tidak dikenal. Sebutkan pengguna yang aktif dengan --by NAMA "
                         "atau LINDUNG_USER=NAMA (daftar: lindung user list); tidak ada yang disimpan.")
        assert row_counts(database) == before

    def test_lindung_user_names_the_user_too(self, database, cli, monkeypatch):
        monkeypatch.setenv("LINDUNG_USER", "nobody.here")
        r = cli(*self.COMMAND, "--lang", "en")
        assert r.exit_code == 7 and "Unknown user 'nobody.here'" in r.err
        monkeypatch.setenv("LINDUNG_USER", "Ani")  # any case: the user ani
        assert cli(*self.COMMAND).exit_code == 0

    def test_a_disabled_user_is_refused_and_nothing_is_written(self, database, cli):
        assert cli("user", "disable", "cici", "--by", ADMIN).exit_code == 0
        before = row_counts(database)
        r = cli(*self.COMMAND, "--by", "cici", "--lang", "en")
        assert r.exit_code == 7
        assert r.err == "Error: User 'cici' is disabled; nothing was saved."
        assert row_counts(database) == before
        assert cli("user", "enable", "cici", "--by", ADMIN).exit_code == 0
        assert cli(*self.COMMAND, "--by", "cici").exit_code == 0

    def test_a_user_without_the_permission_is_refused_and_nothing_is_written(self, database, cli):
        before = row_counts(database)
        r = cli(*self.COMMAND, "--by", ADMIN)  # the administrator manages users, not sponsors
        assert r.exit_code == 7
        assert r.err == ("Galat: Pengguna 'admin' (administrator) tidak berhak melakukan ini (perlu izin "
                         "sponsor.write); tidak ada yang disimpan.")
        assert row_counts(database) == before

    @pytest.mark.parametrize("by", ["ani", "budi"])
    def test_an_officer_or_a_supervisor_may(self, database, cli, by):
        r = cli(*self.COMMAND, "--by", by, "--json")
        assert r.exit_code == 0, r.err
        assert r.json()["created_by"] == by

    def test_reading_needs_a_user_too(self, database, cli):
        with database.session() as s:
            make_agreement(s)
        assert cli("agreement", "show", "KADIN-2026", "--by", "ani").exit_code == 0
        r = cli("agreement", "show", "KADIN-2026", "--by", "orang.asing")
        assert r.exit_code == 7 and "tidak dikenal" in r.err


class TestMakerChecker:
    def test_the_same_user_under_another_spelling_is_refused(self, database, cli):
        with database.session() as s:
            make_agreement(s, approve=False, maker="citra.supervisor")
        for spelling in ("CITRA.SUPERVISOR", " Citra.Supervisor ", "citra.supervisor"):
            r = cli("agreement", "approve", "KADIN-2026", "--by", spelling, "--lang", "en")
            assert r.exit_code == 4, (spelling, r.err)
            assert "Agreement KADIN-2026 was drafted by citra.supervisor" in r.err
        assert database.scalar("SELECT status FROM agreements") == "draft"
        assert cli("agreement", "approve", "KADIN-2026", "--by", "BUDI.Supervisor").exit_code == 0

    def test_the_database_compares_users_too(self, database):
        from sqlalchemy import text
        from sqlalchemy.exc import IntegrityError

        with database.session() as s:
            make_agreement(s, approve=False)
        with pytest.raises(IntegrityError), database.session() as s:
            # Written behind the services, with another name but the drafter's user id.
            s.execute(text("UPDATE agreements SET status = 'approved', approved_by = 'x', "
                           "approved_by_id = drafted_by_id"))


class TestAddingUsers:
    def test_the_first_user_is_the_first_administrator_then_only_administrators_add(self, empty_database, cli):
        r = cli("user", "add", "kepala", "--role", "officer")
        assert r.exit_code == 2 and "administrator" in r.err
        r = cli("user", "add", "Kepala.Cabang", "--role", "administrator", "--name", "Kepala Cabang")
        assert r.exit_code == 0, r.err
        assert "Administrator pertama kepala.cabang ditambahkan" in r.out
        r = cli("user", "add", "lain", "--role", "administrator")  # nobody acting any more
        assert r.exit_code == 7, r.err
        r = cli("user", "add", "ani", "--role", "officer", "--by", "kepala.cabang", "--json")
        assert r.exit_code == 0, r.err
        assert (r.json()["role"], r.json()["created_by"]) == ("officer", "kepala.cabang")
        r = cli("user", "add", "budi", "--role", "supervisor", "--by", "ani")  # an officer adds nobody
        assert r.exit_code == 7 and "user.admin" in r.err

    def test_a_role_takes_the_scope_it_needs(self, database):
        with database.session() as s:
            make_sponsor(s)
            admin = actor(s, ADMIN)
            for data, code in ((UserCreate(username="k1", role="sponsor"), "invalid.scope_sponsor"),
                               (UserCreate(username="k2", role="sponsor", region="32.16"), "invalid.scope_sponsor"),
                               (UserCreate(username="v1", role="viewer"), "invalid.scope_region"),
                               (UserCreate(username="o1", role="officer", sponsor="KADIN"), "invalid.scope_none"),
                               (UserCreate(username="x y", role="officer"), "invalid.username"),
                               (UserCreate(username="r1", role="bos"), "invalid.role")):
                with pytest.raises(InvalidInput) as refused:
                    users.add_user(s, data, by=admin)
                assert refused.value.code == code, data
            staff = users.add_user(s, UserCreate(username="kadin.staf", role="Staf sponsor", sponsor="kadin"),
                                   by=admin)
            viewer = users.add_user(s, UserCreate(username="disnaker", role="viewer", region="3216"), by=admin)
        assert (staff.role, staff.sponsor, staff.region) == ("sponsor", "KADIN", None)
        assert (viewer.role, viewer.sponsor, viewer.region) == ("viewer", None, "32.16")

    def test_a_username_is_taken_once_in_any_case(self, database):
        with database.session() as s, pytest.raises(Conflict) as taken:
            users.add_user(s, UserCreate(username="ANI", role="officer"), by=actor(s, ADMIN))
        assert taken.value.code == "user.exists"

    def test_every_change_is_in_the_audit_log(self, database, cli):
        assert cli("user", "add", "eko", "--role", "officer", "--name", "Eko Prasetyo", "--by", ADMIN).exit_code == 0
        assert cli("user", "role", "eko", "supervisor", "--by", ADMIN).exit_code == 0
        assert cli("user", "disable", "eko", "--by", ADMIN).exit_code == 0
        with database.session(readonly=True) as s:
            eko = s.scalars(select(AuditEntry).where(AuditEntry.subject_type == "user")
                            .order_by(AuditEntry.id.desc()).limit(3)).all()[::-1]
            said = [(e.actor, e.action, audit.detail_text(e, "en")) for e in eko]
        assert said == [(ADMIN, "user.added", "eko: officer (-)"),
                        (ADMIN, "user.role_changed", "eko: officer → supervisor (-)"),
                        (ADMIN, "user.disabled", "eko disabled")]


class TestTheLastAdministrator:
    def test_cannot_be_disabled_or_demoted(self, database, cli):
        r = cli("user", "disable", ADMIN, "--by", ADMIN, "--lang", "en")
        assert r.exit_code == 4 and "last active administrator" in r.err
        r = cli("user", "role", ADMIN, "officer", "--by", ADMIN)
        assert r.exit_code == 4
        assert cli("user", "add", "admin2", "--role", "administrator", "--by", ADMIN).exit_code == 0
        assert cli("user", "disable", ADMIN, "--by", "admin2").exit_code == 0


class TestReadingUsers:
    def test_the_list_is_the_administrators(self, database, cli):
        r = cli("user", "list", "--by", ADMIN, "--json")
        assert r.exit_code == 0
        assert {u["username"]: u["role"] for u in r.json()}["budi.supervisor"] == "supervisor"
        assert cli("user", "list", "--by", "budi").exit_code == 7

    def test_anyone_sees_themself(self, database, cli):
        r = cli("user", "show", "ani", "--by", "ani", "--json")
        assert r.exit_code == 0 and "worker.read_nik" in r.json()["permissions"]
        assert cli("user", "show", "budi", "--by", "ani").exit_code == 7
        r = cli("user", "show", "ani", "--by", "ani")
        assert "Melihat NIK lengkap" in r.out

    def test_the_roles_and_their_permissions(self, cli):
        r = cli("user", "roles", "--json")
        roles = {x["role"]: set(x["permissions"]) for x in r.json()}
        assert roles["officer"] < roles["supervisor"]  # a supervisor does all an officer does, and approves
        assert roles["supervisor"] - roles["officer"] == {"agreement.approve", "import.approve", "claim.approve",
                                                          "audit.read"}
        assert roles["viewer"] == {"report.read", "plan.use"}
        assert "worker.read_nik" not in roles["sponsor"] | roles["administrator"]


class TestTheCatalogue:
    def test_every_permission_the_code_asks_for_is_in_the_catalogue(self):
        """``require("x")`` of a permission the catalogue lacks would refuse everyone, silently."""
        import re
        from pathlib import Path

        import lindung

        asked: set[str] = set()
        for path in Path(lindung.__file__).parent.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for call in re.finditer(r"\b(?:require|require_any|can)\(([^()]*)\)", text):
                asked |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', call.group(1)))
        assert asked, "no permission found in the code"
        assert asked <= set(catalogue().permissions), sorted(asked - set(catalogue().permissions))

    def test_a_role_including_itself_is_refused_naming_it(self):
        from lindung.kit.errors import ParameterError
        from lindung.users.roles import _parse

        data = {"reference": "x", "permissions": {"a.b": {"id": "x", "en": "x"}},
                "roles": {"r": {"id": "R", "en": "R", "scope": "none", "permissions": ["a.b"], "includes": ["r"]}}}
        with pytest.raises(ParameterError) as broken:
            _parse(data)
        assert "roles.r" in str(broken.value)
        data["roles"]["r"] = {"id": "R", "en": "R", "scope": "none", "permissions": ["c.d"]}
        with pytest.raises(ParameterError, match=r"unknown permission c\.d"):
            _parse(data)


class TestScopedUsers:
    def test_a_sponsors_staff_may_read_but_not_write(self, database):
        with database.session() as s:
            make_agreement(s)
            staff = add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
            assert sponsors.show_agreement(s, "KADIN-2026", by=staff).code == "KADIN-2026"
            with pytest.raises(NotPermitted):
                sponsors.approve(s, "KADIN-2026", by=staff)

    def test_the_audit_log_counts_no_user_twice(self, database):
        with database.session(readonly=True) as s:
            added = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "user.added"))
            assert added == s.scalar(select(func.count()).select_from(users.User))
