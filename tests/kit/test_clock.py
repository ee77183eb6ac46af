"""The branch's clock: today's date and shown times in the branch's zone (``LINDUNG_TIMEZONE``)."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.kit import clock

pytestmark = pytest.mark.real_clock

# 08:15 UTC on 10 January 2026; Indonesia's zones are UTC+7, +8 and +9 (no summer time).
AT = dt.datetime(2026, 1, 10, 8, 15, tzinfo=dt.UTC)


def test_the_default_branch_reads_wib(monkeypatch: pytest.MonkeyPatch) -> None:
    assert clock.zone().key == "Asia/Jakarta"
    assert clock.format_time(AT) == "10 Januari 2026 15:15 WIB"
    assert clock.format_time(AT, "en") == "10 January 2026 15:15 WIB"
    assert clock.format_stamp(AT) == "2026-01-10 15:15:00 WIB"


@pytest.mark.parametrize(("setting", "shown"), [
    ("WITA", "16:15 WITA"), ("wit", "17:15 WIT"), (" Asia/Makassar ", "16:15 WITA"), ("Asia/Pontianak", "15:15 WIB"),
    ("UTC", "08:15 UTC"),
])
def test_the_zone_is_a_setting(monkeypatch: pytest.MonkeyPatch, setting: str, shown: str) -> None:
    monkeypatch.setenv(clock.ENV_ZONE, setting)
    assert clock.format_time(AT).endswith(shown)


@pytest.mark.parametrize("setting", ["Mars/Olympus", "../etc/passwd", "WIB+1"])
def test_an_unknown_zone_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv(clock.ENV_ZONE, setting)
    with pytest.raises(clock.InvalidTimezone) as raised:
        clock.today()
    assert raised.value.message() == (
        f"LINDUNG_TIMEZONE='{setting}' bukan zona waktu yang dikenal. Gunakan WIB, WITA, WIT atau nama IANA "
        "seperti Asia/Makassar.")
    assert raised.value.message("en").startswith(f"LINDUNG_TIMEZONE='{setting}' is not a known time zone.")


def test_the_branch_day_starts_before_the_utc_day() -> None:
    """06:30 WIB on the 16th is still the 15th in UTC: the branch's day is the 16th."""
    early = dt.datetime(2026, 12, 15, 23, 30, tzinfo=dt.UTC)
    assert clock.local(early).date() == dt.date(2026, 12, 16)
    assert clock.local(early.replace(tzinfo=None)).date() == dt.date(2026, 12, 16)  # naive: stored UTC
    assert clock.day_start(dt.date(2026, 12, 16)) == dt.datetime(2026, 12, 15, 17, 0, tzinfo=dt.UTC)


def test_today_is_the_branch_date(monkeypatch: pytest.MonkeyPatch) -> None:
    for hours, setting in ((7, "WIB"), (9, "WIT"), (0, "UTC")):
        monkeypatch.setenv(clock.ENV_ZONE, setting)
        offset = dt.timedelta(hours=hours)
        before = (dt.datetime.now(dt.UTC) + offset).date()
        today = clock.today()
        after = (dt.datetime.now(dt.UTC) + offset).date()
        assert today in (before, after)
        assert clock.now().utcoffset() == offset
