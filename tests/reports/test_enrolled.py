"""``lindung report enrolled``: counts of enrolled workers by kecamatan and occupation. A regional
viewer reads their own region only, with counts under 5 withheld; a sponsor's staff count their own
sponsor's enrolments; nobody reads a person through it (both engines)."""

from __future__ import annotations

import re

import pytest

from lindung.kit.auth import NotPermitted, OutOfScope
from lindung.reports import service as reports
from lindung.rules.period import Month
from lindung.workers import service as workers
from tests.factories import (
    DESA_MUARAGEMBONG,
    DESA_PEBAYURAN,
    DESA_TARUMAJAYA,
    TODAY,
    enrol,
    make_agreement,
    make_worker,
)
from tests.users import actor, add_user

JAN = Month(2026, 1)


@pytest.fixture
def enrolled(database):
    """Kadin covers 6 traders in Tarumajaya (32.16.01) and 2 in Pebayuran (32.16.13); the regency covers
    3 farmers in Muaragembong (32.16.17). A viewer of Kabupaten Bekasi, one of Tarumajaya, Kadin's staff."""
    with database.session() as s:
        make_agreement(s, "KADIN-2026", sponsor="KADIN", funding="kadin")
        make_agreement(s, "TANI-2026", sponsor="PEMKAB", funding="apbd")
        for _ in range(6):
            enrol(s, make_worker(s, desa=DESA_TARUMAJAYA), "KADIN-2026")
        for _ in range(2):
            enrol(s, make_worker(s, desa=DESA_PEBAYURAN), "KADIN-2026")
        for _ in range(3):
            enrol(s, make_worker(s, desa=DESA_MUARAGEMBONG, occupation="petani"), "TANI-2026")
        add_user(s, "disnaker", "viewer", region="32.16")
        add_user(s, "camat", "viewer", region="32.16.01")
        add_user(s, "kadin.staf", "sponsor", sponsor="KADIN")
    return database


def counts(summary) -> dict[tuple[str, str], int | None]:
    return {(r.kecamatan, r.occupation): r.workers for r in summary.rows}


def test_the_branch_counts_everyone(enrolled):
    with enrolled.session(readonly=True) as s:
        out = reports.enrolled(s, by=actor(s, "ani"), today=TODAY)
    assert (out.month, out.total, out.suppressed_below) == (JAN, 11, None)
    assert counts(out) == {("32.16.01", "pedagang"): 6, ("32.16.13", "pedagang"): 2, ("32.16.17", "petani"): 3}
    assert {r.kecamatan: r.kecamatan_name for r in out.rows}["32.16.01"] == "Tarumajaya"


def test_a_regional_viewer_reads_their_region_with_small_counts_withheld(enrolled):
    with enrolled.session(readonly=True) as s:
        out = reports.enrolled(s, by=actor(s, "disnaker"), today=TODAY)
        assert (out.region, out.total, out.suppressed_below) == ("32.16", 11, 5)
        assert counts(out) == {("32.16.01", "pedagang"): 6, ("32.16.13", "pedagang"): None,
                               ("32.16.17", "petani"): None}
        part = reports.enrolled(s, by=actor(s, "disnaker"), today=TODAY, region="32.16.01")
        assert counts(part) == {("32.16.01", "pedagang"): 6}
        kecamatan = reports.enrolled(s, by=actor(s, "camat"), today=TODAY)
        assert (kecamatan.region, counts(kecamatan)) == ("32.16.01", {("32.16.01", "pedagang"): 6})
        with pytest.raises(OutOfScope):
            reports.enrolled(s, by=actor(s, "camat"), today=TODAY, region="32.16.13")
        with pytest.raises(OutOfScope):
            reports.enrolled(s, by=actor(s, "disnaker"), today=TODAY, region="32.73")


def test_a_regional_viewer_reads_no_person(enrolled):
    with enrolled.session(readonly=True) as s, pytest.raises(NotPermitted):
        workers.find(s, "Asep", by=actor(s, "disnaker"))


def test_a_sponsors_staff_count_their_own_enrolments(enrolled):
    with enrolled.session(readonly=True) as s:
        out = reports.enrolled(s, by=actor(s, "kadin.staf"), today=TODAY)
    assert counts(out) == {("32.16.01", "pedagang"): 6, ("32.16.13", "pedagang"): 2}


def test_a_month_outside_the_agreements_counts_nobody(enrolled):
    with enrolled.session(readonly=True) as s:
        out = reports.enrolled(s, by=actor(s, "ani"), today=TODAY, month=Month(2027, 1))
    assert (out.total, out.rows) == (0, [])


def test_the_command(enrolled, cli):
    said = " ".join(re.sub(r"[│┃┏┓┗┛┡┩━─┳┻╇└┘┴]", " ", cli("report", "enrolled", "--by", "disnaker").stdout).split())
    assert said.startswith("Pekerja terdaftar 2026-01 di 32.16: 11")
    assert "Tarumajaya (32.16.01) Pedagang" in said and "<5" in said and "Angka di bawah 5" in said
    r = cli("report", "enrolled", "--by", "camat", "--region", "32.16.13", "--lang", "en")
    assert r.exit_code == 7 and "their own sponsor's or region's data" in r.err
    out = cli("report", "enrolled", "--by", "ani", "--month", "2026-01", "--json").json()
    assert out["total"] == 11 and out["suppressed_below"] is None
