"""A sponsor's staff reach their own sponsor and its agreements only, through every sponsors service that
takes a scope: another sponsor's is not found (it is not said to exist), lists hold only theirs."""

from __future__ import annotations

import pytest

from lindung.kit.auth import NotPermitted, OutOfScope
from lindung.kit.errors import NotFound
from lindung.sponsors import service as sponsors
from tests.factories import make_agreement
from tests.users import actor, add_user


@pytest.fixture
def two_sponsors(database):
    """Kadin and the regency, each with an agreement; a Kadin staff member and a regional viewer."""
    with database.session() as s:
        make_agreement(s, "KADIN-2026", sponsor="KADIN", funding="kadin")
        make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd")
        add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
        add_user(s, "disnaker", "viewer", region="32.16")
    return database


def test_get_sponsor(two_sponsors):
    with two_sponsors.session(readonly=True) as s:
        staff = actor(s, "kadin.staf")
        assert sponsors.get_sponsor(s, "kadin", staff.scope).code == "KADIN"
        with pytest.raises(NotFound):
            sponsors.get_sponsor(s, "PEMKAB", staff.scope)


def test_list_sponsors(two_sponsors):
    with two_sponsors.session(readonly=True) as s:
        assert [x.code for x in sponsors.list_sponsors(s, by=actor(s, "kadin.staf"))] == ["KADIN"]
        assert [x.code for x in sponsors.list_sponsors(s, by=actor(s, "ani"))] == ["KADIN", "PEMKAB"]


def test_show_sponsor(two_sponsors):
    with two_sponsors.session(readonly=True) as s:
        staff = actor(s, "kadin.staf")
        shown = sponsors.show_sponsor(s, "KADIN", by=staff)
        assert [a.code for a in shown.agreements] == ["KADIN-2026"]
        with pytest.raises(NotFound) as hidden:
            sponsors.show_sponsor(s, "PEMKAB", by=staff)
        assert hidden.value.code == "sponsor.not_found"


def test_get_agreement(two_sponsors):
    with two_sponsors.session(readonly=True) as s:
        staff = actor(s, "kadin.staf")
        assert sponsors.get_agreement(s, "KADIN-2026", scope=staff.scope).code == "KADIN-2026"
        with pytest.raises(NotFound):
            sponsors.get_agreement(s, "TANI-2026", scope=staff.scope)


def test_show_agreement(two_sponsors):
    with two_sponsors.session(readonly=True) as s:
        staff = actor(s, "kadin.staf")
        assert sponsors.show_agreement(s, "KADIN-2026", by=staff).sponsor.code == "KADIN"
        with pytest.raises(NotFound) as hidden:
            sponsors.show_agreement(s, "TANI-2026", by=staff)
        # Said as any unknown code is: nothing tells the staff the regency's agreement exists.
        assert hidden.value.message("en") == sponsors.NotFound("agreement.not_found", agreement="TANI-2026").message(
            "en")


def test_list_agreements(two_sponsors):
    with two_sponsors.session(readonly=True) as s:
        staff = actor(s, "kadin.staf")
        assert [a.code for a in sponsors.list_agreements(s, by=staff)] == ["KADIN-2026"]
        assert [a.code for a in sponsors.list_agreements(s, by=staff, statuses=["disetujui"])] == ["KADIN-2026"]
        with pytest.raises(NotFound):
            sponsors.list_agreements(s, by=staff, sponsor="PEMKAB")
        assert [a.code for a in sponsors.list_agreements(s, by=actor(s, "ani"))] == ["KADIN-2026", "TANI-2026"]


def test_a_regional_viewer_reads_no_agreement(two_sponsors):
    with two_sponsors.session(readonly=True) as s:
        viewer = actor(s, "disnaker")
        for read in (lambda: sponsors.list_agreements(s, by=viewer), lambda: sponsors.list_sponsors(s, by=viewer),
                     lambda: sponsors.show_agreement(s, "KADIN-2026", by=viewer)):
            with pytest.raises(NotPermitted):
                read()


def test_the_commands_say_the_same(two_sponsors, cli):
    assert cli("agreement", "show", "TANI-2026", "--by", "kadin.staf").exit_code == 3
    out = cli("agreement", "list", "--by", "kadin.staf", "--json").json()
    assert [a["code"] for a in out] == ["KADIN-2026"]
    assert cli("sponsor", "show", "PEMKAB", "--by", "kadin.staf").exit_code == 3
    assert cli("approvals", "--by", "kadin.staf").exit_code == 7  # the branch's list names every sponsor's


def test_the_approvals_list_is_the_branchs(two_sponsors):
    from lindung.approvals.service import awaiting

    with two_sponsors.session(readonly=True) as s, pytest.raises(OutOfScope):
        awaiting(s, by=actor(s, "kadin.staf"))
