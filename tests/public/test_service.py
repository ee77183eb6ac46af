"""The public coverage check and claim status, on both engines: what each answer says, that every "no"
is the same answer in the same time, and the limits per client address and per NIK."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from lindung.kit import throttle
from lindung.kit.errors import InvalidInput
from lindung.public import service
from lindung.public.schemas import ClaimStatusAnswer, CoverageAnswer
from tests.billing import factories as bf
from tests.conftest import TestDatabase
from tests.public.world import PAID_UNTIL, TODAY, World, build

UNKNOWN_NIK = "3216019905900999"


@pytest.fixture
def world(database: TestDatabase) -> World:
    with database.session() as s:
        return build(s)


def check(database: TestDatabase, nik: str, born: dt.date | str, **kw: Any) -> CoverageAnswer:
    with database.session(readonly=True) as s:
        return service.check_coverage(s, nik, born, today=TODAY, **kw)


def status(database: TestDatabase, number: str, nik: str, **kw: Any) -> ClaimStatusAnswer:
    with database.session(readonly=True) as s:
        return service.claim_status(s, number, nik, today=TODAY, **kw)


def test_protected_lapsed_unknown_wrong_date_and_deceased(database: TestDatabase, world: World) -> None:
    yes = check(database, world.protected_nik, world.protected_born)
    assert (yes.protected, yes.until, yes.name) == (True, PAID_UNTIL, "J*** H******")
    assert yes.nik == world.protected_nik[:4] + "********" + world.protected_nik[-4:]
    assert service.coverage_sentence(yes, "id") == "J*** H****** terlindungi sampai 31 Desember 2026."

    def no(nik: str, born: dt.date) -> dict[str, Any]:
        answer = check(database, nik, born)
        assert service.coverage_sentence(answer, "id") == "Tidak terlindungi."
        dumped = answer.model_dump()
        dumped.pop("nik")  # the NIK asked about, masked: the only field that differs
        return dumped

    lapsed = no(world.lapsed_nik, world.lapsed_born)
    unknown = no(UNKNOWN_NIK, world.protected_born)
    wrong_date = no(world.protected_nik, world.protected_born + dt.timedelta(days=1))
    deceased = no(world.deceased_nik, world.deceased_born)
    assert lapsed == unknown == wrong_date == deceased == {
        "protected": False, "until": None, "name": None, "checked_on": TODAY}
    assert set(yes.model_dump()) == set(lapsed) | {"nik"}


def test_every_answer_takes_the_floor_and_known_and_unknown_take_the_same_time(
        database: TestDatabase, world: World) -> None:
    def timed(nik: str) -> float:
        started = time.monotonic()
        check(database, nik, world.protected_born)
        return time.monotonic() - started

    known = [timed(world.protected_nik) for _ in range(5)]
    unknown = [timed(UNKNOWN_NIK) for _ in range(5)]
    assert min(known + unknown) >= service.MIN_SECONDS
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.05


def test_a_paid_claim_s_stage_and_payment_day_and_one_answer_for_not_found(
        database: TestDatabase, world: World) -> None:
    found = status(database, world.claim_number, world.payee_nik)
    assert (found.found, found.stage, found.stage_on, found.paid_on) == (
        True, "paid", world.claim_paid_on, world.claim_paid_on)
    assert service.claim_sentence(found, world.claim_number, "id") == (
        f"Klaim {world.claim_number}: dibayar sejak 22 April 2026. Dibayar pada 22 April 2026.")
    unknown = status(database, "KL-2026-999999", world.payee_nik)
    wrong_payee = status(database, world.claim_number, world.protected_nik)
    assert unknown == wrong_payee == ClaimStatusAnswer(found=False, stage=None, stage_on=None, paid_on=None,
                                                       checked_on=TODAY)
    assert service.claim_sentence(unknown, "KL-2026-999999", "id") == "Tidak ditemukan."
    assert set(found.model_dump()) == set(unknown.model_dump())


@pytest.mark.parametrize(("nik", "born", "field"), [
    ("32160141079500AB", "1990-01-01", "nik"),
    ("321601410795000", "1990-01-01", "nik"),
    ("3216014107950001", "2026-02-30", "birth_date"),
    ("3216014107950001", "2027-01-01", "birth_date"),
])
def test_bad_input_is_a_field_error_before_any_lookup(sqlite_database: TestDatabase, nik: str, born: str,
                                                      field: str) -> None:
    with counted(sqlite_database) as statements, pytest.raises(InvalidInput) as refused:
        check(sqlite_database, nik, born)
    assert refused.value.context["field"] == field and refused.value.http_status == 422
    assert "NIK" in refused.value.message("id") or "Tanggal lahir" in refused.value.message("id")
    assert statements == []


class counted:
    """The SQL statements run on ``database``'s engine while inside (its real engine, listened to)."""

    def __init__(self, database: TestDatabase) -> None:
        self.engine = database.engine
        self.statements: list[str] = []

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.statements.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self.statements

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def no_floor(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The limits' tests make twenty checks: without the time floor (its own test is above)."""
    monkeypatch.setattr(service, "MIN_SECONDS", 0.0)
    yield


def test_the_sixth_check_of_one_nik_from_other_addresses_is_refused_unlooked(
        database: TestDatabase, world: World, no_floor: None) -> None:
    per_nik = service.CHECKS_PER_NIK.count
    for i in range(per_nik):
        check(database, world.protected_nik, world.protected_born, client=f"10.0.0.{i}")
    with counted(database) as statements, pytest.raises(service.TooManyChecks) as refused:
        check(database, world.protected_nik, world.protected_born, client="10.0.1.1")
    assert [s for s in statements if "workers" in s or "ledger" in s] == []
    assert refused.value.http_status == 429 and 0 < refused.value.retry_after <= service.CHECKS_PER_NIK.seconds
    assert "Coba lagi dalam" in refused.value.message("id")
    # the claim status counts against the same NIK (a payee's), and another NIK is still answered
    with pytest.raises(service.TooManyChecks):
        status(database, world.claim_number, world.protected_nik, client="10.0.1.2")
    assert check(database, world.lapsed_nik, world.lapsed_born, client="10.0.1.1").protected is False


def test_the_twenty_first_check_from_one_address_is_refused_unlooked(
        database: TestDatabase, world: World, no_floor: None) -> None:
    per_client = service.CHECKS_PER_CLIENT.count
    for _ in range(per_client):
        check(database, bf.nik(), world.protected_born, client="203.0.113.7")
    with counted(database) as statements, pytest.raises(service.TooManyChecks):
        check(database, world.protected_nik, world.protected_born, client="203.0.113.7")
    with pytest.raises(service.TooManyChecks):
        status(database, world.claim_number, world.payee_nik, client="203.0.113.7")
    assert [s for s in statements if "workers" in s or "ledger" in s] == []
    # another address is answered; the refused checks used up nothing of the NIK's
    assert check(database, world.protected_nik, world.protected_born, client="198.51.100.1").protected


def test_the_window_slides_and_a_key_is_the_nik_s_hmac() -> None:
    now = [1000.0]
    window = throttle.SlidingWindow(clock=lambda: now[0])
    limit = throttle.Limit(2, 60)
    key = throttle.nik_key("3216014107950001")
    assert "3216014107950001" not in key and key == throttle.nik_key("3216014107950001")
    assert window.hit([(key, limit)]) is None
    now[0] += 30
    assert window.hit([(key, limit)]) is None
    assert window.hit([(key, limit)]) == 30  # the first hit leaves the window in 30 s
    now[0] += 30
    assert window.hit([(key, limit)]) is None
    throttle.reset()
    assert len(window) == 0
