"""A sponsor's name, funding source or type corrected (``lindung sponsor update``): checked as when
added, audited, the agreements' own funding sources untouched (both engines)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.kit.errors import InvalidInput
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import SponsorCreate, SponsorUpdate
from tests.factories import make_agreement
from tests.users import actor


def test_a_correction_is_audited_and_agreements_keep_their_funding(database):
    with database.session() as s:
        make_agreement(s)  # Kadin's, funded "kadin"
        changed = sponsors.update_sponsor(s, "kadin", SponsorUpdate(name="  Kadin   Kabupaten Bekasi ", funding="csr",
                                                                    type="Company"), by=actor(s, "ani"))
        assert changed.changed == ["name", "funding", "type"]
    with database.session(readonly=True) as s:
        sponsor = sponsors.get_sponsor(s, "KADIN")
        assert (sponsor.name, sponsor.funding_code, sponsor.type) == ("Kadin Kabupaten Bekasi", "csr", "company")
        assert sponsors.get_agreement(s, "KADIN-2026").funding_code == "kadin"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "sponsor.updated")).one()
        assert entry.actor == "ani"
        assert audit.detail_text(entry, "en") == (
            "name Sponsor KADIN → Kadin Kabupaten Bekasi; funding source Chamber of commerce or association → "
            "Corporate CSR; type association → company")


def test_an_individual_donors_name_is_not_written_into_the_audit_log(database):
    # A Sertakan donor is a person: the log says the name changed, not what it was or became (PDP).
    with database.session() as s:
        sponsors.add_sponsor(s, SponsorCreate(code="DONATUR-1", name="Haji Ahmad Fauzi", funding="sertakan"),
                             by=actor(s, "ani"))
        assert sponsors.update_sponsor(s, "DONATUR-1", SponsorUpdate(name="H. Ahmad Fauzi"),
                                       by=actor(s, "ani")).changed == ["name"]
        sponsors.add_sponsor(s, SponsorCreate(code="YAYASAN", name="Yayasan Amal", funding="sertakan",
                                              type="association"), by=actor(s, "ani"))
        sponsors.update_sponsor(s, "YAYASAN", SponsorUpdate(name="Hj. Siti Aminah", type="individual"),
                                by=actor(s, "ani"))
    with database.session(readonly=True) as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action.startswith("sponsor."))
                            .order_by(AuditEntry.id)).all()
        said = [audit.detail_text(e, "en") for e in entries]
        facts = [e.data for e in entries]
    assert facts == [
        {"sponsor_type": "individual", "funding": "sertakan"}, {"changes": [["name", None, None]]},
        {"sponsor_type": "association", "funding": "sertakan"},
        {"changes": [["name", None, None], ["type", "association", "individual"]]}]
    assert said[1::2] == ["name", "name; type association → individual"]
    assert "Fauzi" not in str(facts) and "Aminah" not in str(facts)


@pytest.mark.parametrize(("fields", "code"), [
    ({"name": "  "}, "invalid.name"), ({"funding": "xyz"}, "invalid.funding"),
    ({"type": "club"}, "invalid.sponsor_type"), ({"name": "Sponsor KADIN"}, "invalid.sponsor_unchanged"),
    ({"name": "Kadin", "type": "club"}, "invalid.sponsor_type")])
def test_a_wrong_value_or_no_change_changes_nothing(database, fields, code):
    with database.session() as s:
        make_agreement(s)
    with database.session() as s, pytest.raises(InvalidInput) as refused:
        sponsors.update_sponsor(s, "KADIN", SponsorUpdate(**fields), by=actor(s, "ani"))
    assert refused.value.code == code
    with database.session(readonly=True) as s:
        sponsor = sponsors.get_sponsor(s, "KADIN")
        assert (sponsor.name, sponsor.funding_code, sponsor.type) == ("Sponsor KADIN", "kadin", "association")
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "sponsor.updated")) is None


def test_the_command(database, cli):
    with database.session() as s:
        make_agreement(s)
    r = cli("sponsor", "update", "KADIN", "--name", "Kadin Kabupaten Bekasi", "--by", "ani")
    assert r.exit_code == 0, r.err
    assert "Sponsor KADIN sekarang: Kadin Kabupaten Bekasi; asosiasi; sumber dana" in " ".join(r.out.split())
    out = cli("sponsor", "update", "KADIN", "--type", "company", "--by", "ani", "--json").json()
    assert (out["type"], out["changed"]) == ("company", ["type"])
    r = cli("sponsor", "update", "NOPE", "--name", "x", "--by", "ani", "--lang", "en")
    assert r.exit_code == 3 and "NOPE" in r.err, r.err
