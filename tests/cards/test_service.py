"""Membership cards' service on both engines: one live card per worker, revoke then a new token, a
sponsor's staff reach only their own workers, the sheet issues the missing cards only (set-based),
verification says protected / not protected / revoked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lindung.audit import service as audit
from lindung.audit.models import AuditEntry
from lindung.cards import service as cards
from lindung.cards.models import MembershipCard
from lindung.kit.auth import NotPermitted
from lindung.kit.errors import Conflict, InvalidInput, NotFound
from tests.cards.conftest import DESA_STAFF, KADIN_STAFF, OFFICER, TODAY
from tests.users import actor


def run(database, fn, *args, by: str | None = None, **kw):
    with database.session() as s:
        if by is not None:
            kw["by"] = actor(s, by)
        return fn(s, *args, **kw)


def count_cards(database) -> int:
    with database.session() as s:
        return int(s.scalar(select(func.count()).select_from(MembershipCard)) or 0)


def test_issue_twice_gives_the_same_card(database, story):
    first = run(database, cards.issue, story["kadin"][0], by=OFFICER, today=TODAY)
    again = run(database, cards.issue, first.worker_ref, by=OFFICER, today=TODAY)  # by ref this time
    assert first.made and not again.made
    assert again.token == first.token and len(first.token) >= 32
    assert first.nik == story["kadin"][0][:4] + "********" + story["kadin"][0][-4:]
    assert (first.sponsor, first.agreement) == ("Sponsor KADIN", "KADIN-2026")
    assert first.protected and first.protected_until is not None
    assert story["kadin"][0] not in first.token and count_cards(database) == 1
    with database.session() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "card.issue")).all()
        assert [e.data for e in entries] == [{"card": first.id, "made": True}, {"card": first.id, "made": False}]
        assert audit.detail_text(entries[0], "en") == f"card {first.id} printed"


def test_revoke_then_issue_gives_a_new_token(database, story):
    card = run(database, cards.issue, story["kadin"][0], by=OFFICER, today=TODAY)
    revoked = run(database, cards.revoke, card.token, "hilang, NIK " + story["kadin"][0], by=OFFICER, today=TODAY)
    assert revoked.revoked
    with pytest.raises(Conflict):  # a revoked card stays revoked
        run(database, cards.revoke, card.id, "lagi", by=OFFICER, today=TODAY)
    fresh = run(database, cards.issue, story["kadin"][0], by=OFFICER, today=TODAY)
    assert fresh.made and fresh.token != card.token
    assert run(database, cards.verify, card.token, today=TODAY).state == "revoked"
    assert run(database, cards.verify, fresh.token, today=TODAY).state == "protected"
    with database.session() as s:
        row = s.scalars(select(MembershipCard).where(MembershipCard.token == card.token)).one()
        assert story["kadin"][0] not in (row.revoke_reason or "") and row.revoked_by == OFFICER
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "card.revoke")).all()
        assert entry.data == {"card": card.id}


def test_revoke_needs_a_reason_and_the_permission(database, story):
    card = run(database, cards.issue, story["kadin"][0], by=OFFICER, today=TODAY)
    with pytest.raises(InvalidInput) as refused:
        run(database, cards.revoke, card.token, "  ", by=OFFICER, today=TODAY)
    assert refused.value.context["field"] == "reason"
    with pytest.raises(NotPermitted):
        run(database, cards.revoke, card.token, "hilang", by=KADIN_STAFF, today=TODAY)
    with pytest.raises(NotFound):
        run(database, cards.revoke, "no-such-token", "hilang", by=OFFICER, today=TODAY)
    assert run(database, cards.verify, card.token, today=TODAY).state == "protected"


def test_a_sponsors_staff_print_their_own_workers_only(database, story):
    own = run(database, cards.issue, story["kadin"][1], by=KADIN_STAFF, today=TODAY)
    assert own.sponsor == "Sponsor KADIN"
    for worker, staff in ((story["desa"][0], KADIN_STAFF), (own.worker_ref, DESA_STAFF),
                          (story["kadin"][0], DESA_STAFF)):
        with pytest.raises(NotFound):
            run(database, cards.issue, worker, by=staff, today=TODAY)
    with pytest.raises(NotFound):
        run(database, cards.sheet, "KADIN-2026", by=DESA_STAFF, today=TODAY)
    assert count_cards(database) == 1


def test_the_sheet_issues_the_missing_cards_only(database, story):
    first = run(database, cards.issue, story["kadin"][0], by=OFFICER, today=TODAY)
    sheet = run(database, cards.sheet, "KADIN-2026", by=KADIN_STAFF, today=TODAY)
    assert (sheet.agreement, sheet.sponsor, sheet.made, len(sheet.cards)) == ("KADIN-2026", "Sponsor KADIN", 2, 3)
    assert first.token in {c.token for c in sheet.cards}
    assert len({c.token for c in sheet.cards}) == 3 and all(len(c.token) >= 32 for c in sheet.cards)
    assert all(c.agreement == "KADIN-2026" and c.protected for c in sheet.cards)
    again = run(database, cards.sheet, "KADIN-2026", by=OFFICER, today=TODAY)
    assert again.made == 0 and {c.token for c in again.cards} == {c.token for c in sheet.cards}
    assert count_cards(database) == 3  # DESA's worker has none
    with database.session() as s:
        [entry, _] = s.scalars(select(AuditEntry).where(AuditEntry.action == "card.sheet")
                               .order_by(AuditEntry.id)).all()
        assert entry.data == {"agreement": "KADIN-2026", "cards": 3, "made": 2}
        assert audit.detail_text(entry, "id") == "lembar kartu KADIN-2026: 3 kartu, 2 baru"


def test_verify_says_protected_not_protected_or_revoked(database, story):
    paid = run(database, cards.issue, story["kadin"][2], by=OFFICER, today=TODAY)
    unpaid = run(database, cards.issue, story["desa"][0], by=OFFICER, today=TODAY)
    said = run(database, cards.verify, paid.token, today=TODAY)
    assert (said.state, said.protected_until is not None) == ("protected", True)
    assert said.name == "A*** S******"  # Asep Saputra, masked
    assert run(database, cards.verify, unpaid.token, today=TODAY).state == "not_protected"
    assert not unpaid.protected and unpaid.sponsor == "Sponsor DESA"
    with pytest.raises(NotFound):
        run(database, cards.verify, "x" * 43, today=TODAY)


def test_no_card_is_printed_for_a_worker_who_died(database, story):
    import datetime as dt

    from lindung.billing import ends

    with database.session() as s:
        ends.record_death(s, story["kadin"][1], died_on=TODAY - dt.timedelta(days=3), by=actor(s, OFFICER),
                          today=TODAY)
    with pytest.raises(Conflict) as refused:
        run(database, cards.issue, story["kadin"][1], by=OFFICER, today=TODAY)
    assert refused.value.code == "card.deceased" and count_cards(database) == 0
