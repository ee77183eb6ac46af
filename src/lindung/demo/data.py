"""The story's facts: who the demo's users, sponsors and agreements are, the workers it enrols, and how
each sponsor pays. Nothing here reads or writes the database; ``build``, ``billing`` and ``tour`` do.

The data follows the news story the project starts from: Kadin Kabupaten Bekasi covers 1.000
vulnerable workers for 2026; the regency (APBD) covers farmers; a company's CSR covers fishers on
the coast. Workers are generated: names are made up, NIKs are structurally valid (province 32,
regency 16, the kecamatan of their desa, birth date, serial) and live in real Bekasi desa codes.
The same seed gives the same people on every run, so the demo always knows its own workers (which
farmer it shows, which Kadin worker dies) without looking them up.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from lindung.rules.contributions import choose_base, lowest_income
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import DEFAULT_AFTER_DEATH

REGENCY = "32.16"
DEMO_SEED = 3216
COHORT_SOURCE = "demo"
"""The provenance source of the demo's cohort imports: how the demo knows the enrolments it made
(an officer's import is ``import:FILE``, a single enrolment ``cli``; no door writes ``demo``)."""

# --- the demo's users ---------------------------------------------------------------------------

ADMIN = "demo.admin"
OFFICER = "demo.petugas"
SUPERVISOR = "demo.supervisor"
SPONSOR_STAFF = "demo.kadin"
VIEWER = "demo.disnaker"


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    sponsor: str | None = None
    region: str | None = None
    password: str = ""
    """The password the demo gives the user on its own database (printed for a person to sign in with;
    never on anyone else's database, which the demo refuses)."""


USERS: tuple[DemoUser, ...] = (
    DemoUser(ADMIN, "administrator", "Administrator data contoh", password="admin-bekasi-contoh"),
    DemoUser(OFFICER, "officer", "Petugas cabang (data contoh)", password="petugas-bekasi-contoh"),
    DemoUser(SUPERVISOR, "supervisor", "Supervisor cabang (data contoh)", password="supervisor-bekasi-contoh"),
    DemoUser(SPONSOR_STAFF, "sponsor", "Staf Kadin Kabupaten Bekasi (data contoh)", sponsor="KADIN",
             password="kadin-bekasi-contoh"),
    DemoUser(VIEWER, "viewer", "Disnaker Kabupaten Bekasi (data contoh)", region=REGENCY,
             password="disnaker-bekasi-contoh"),
)
"""In the order the demo adds them: the first administrator (the database's first user), then, by that
administrator, the officer who makes, the supervisor who checks, a sponsor's staff (once their sponsor
exists) and a regional viewer."""

# --- sponsors, agreements and their cohorts ----------------------------------------------------

_MALE = ["Asep", "Dedi", "Ujang", "Agus", "Budi", "Hendra", "Rahmat", "Supriadi", "Iwan", "Yayan",
         "Dadang", "Cecep", "Jajang", "Wawan", "Dodi", "Eko", "Ahmad", "Muhamad", "Rudi", "Sutisna",
         "Endang", "Nana", "Komarudin", "Saepudin", "Ade", "Tatang", "Rohman", "Hasan", "Maman", "Udin"]
_FEMALE = ["Siti", "Nur", "Euis", "Neneng", "Imas", "Ai", "Yanti", "Dewi", "Rina", "Sri", "Tuti",
           "Lilis", "Enah", "Iis", "Popon", "Cucu", "Elis", "Nining", "Wati", "Ratna", "Aminah",
           "Kokom", "Onih", "Entin", "Fitri", "Yuli", "Nurhayati", "Atikah", "Mimin", "Titin"]
_FAMILY = ["Hidayat", "Suryana", "Saputra", "Permana", "Gunawan", "Setiawan", "Kurniawan", "Hermawan",
           "Nurjaman", "Sulaeman", "Wijaya", "Rohimah", "Maryati", "Kusnadi", "Suhendar", "Mulyana",
           "Sopandi", "Hasanah", "Rosita", "Fauzi", "Jaelani", "Ramdani", "Nuraeni", "Sukmawati"]

KADIN, REGENCY_FARMERS, CSR_FISHERS = "KADIN-2026", "BEKASI-TANI-2026", "CSR-NELAYAN-2026"
RENEWAL = "KADIN-2027"
"""Kadin's MoU for the year after KADIN-2026, which the demo leaves drafted, awaiting approval."""


@dataclass(frozen=True)
class DemoSponsor:
    code: str
    name: str
    funding: str


@dataclass(frozen=True)
class DemoAgreement:
    sponsor: DemoSponsor
    code: str
    quota: int
    start: str
    months: int
    load: int  # workers enrolled in the demo
    occupations: tuple[tuple[str, int], ...]  # (occupation code, weight) of the generated workers
    kecamatan: tuple[str, ...]  # where they live ("" = anywhere in the regency)
    target_occupations: tuple[str, ...] = ()
    target_regions: tuple[str, ...] = ()
    activate: bool = True
    billing_cycle: int | None = None  # months per bill (one of contribution.prepay_cycles; None: the longest)
    after_death: str = DEFAULT_AFTER_DEATH  # money paid for months after a death: refund or credit

    @property
    def budget(self) -> int:
        return list_price_budget(self.quota, self.months, self.start)


def list_price_budget(quota: int, months: int, start: str) -> int:
    """A budget equal to the undiscounted list price of the package (what sponsors sign for)."""
    first = Month.parse(start)
    base = choose_base(first, income=lowest_income(first.first_day())).base
    return sponsors.estimate(quota=quota, start=first, months=months, base=base, funding="apbd", jht=False,
                             sector="other").list_price


KADIN_SPONSOR = DemoSponsor("KADIN", "Kadin Kabupaten Bekasi", "kadin")
REGENCY_SPONSOR = DemoSponsor("PEMKAB-BEKASI", "Pemerintah Kabupaten Bekasi (Dinas Ketenagakerjaan)", "apbd")
CSR_SPONSOR = DemoSponsor("CSR-PESISIR", "PT Pesisir Cikarang Sejahtera (CSR)", "csr")

AGREEMENTS: tuple[DemoAgreement, ...] = (
    DemoAgreement(
        KADIN_SPONSOR, KADIN, 1000, "2026-01", 12, 1000,
        (("ojek", 20), ("pedagang", 25), ("buruh_harian", 20), ("tukang_bangunan", 10),
         ("pemulung", 5), ("kuli_angkut", 8), ("tukang_parkir", 5), ("asisten_rumah_tangga", 7)),
        ("",), billing_cycle=12, after_death="refund"),
    DemoAgreement(
        REGENCY_SPONSOR, REGENCY_FARMERS, 26000, "2026-01", 12, 2000,
        (("petani", 70), ("buruh_tani", 30)),
        ("32.16.13", "32.16.16", "32.16.14", "32.16.15", "32.16.03", "32.16.04", "32.16.12",
         "32.16.10", "32.16.23", "32.16.22"),
        target_occupations=("petani", "buruh_tani"), target_regions=(REGENCY,), billing_cycle=1),
    DemoAgreement(
        CSR_SPONSOR, CSR_FISHERS, 500, "2026-03", 12, 350,
        (("nelayan", 80), ("pembudidaya_ikan", 20)),
        ("32.16.17", "32.16.01", "32.16.02"),
        target_occupations=("nelayan", "pembudidaya_ikan"),
        target_regions=("32.16.17", "32.16.01", "32.16.02"), activate=False, billing_cycle=6),
)
"""The agreements in force (or approved) the demo loads, in the story's order, each with its cohort."""

RENEWAL_AGREEMENT = DemoAgreement(KADIN_SPONSOR, RENEWAL, 1000, "2027-01", 12, 0, (), (), billing_cycle=12,
                                  after_death="refund")
"""Kadin renews for the next year: the officer drafts it, the supervisor has yet to approve it."""

SPONSORS: tuple[DemoSponsor, ...] = (KADIN_SPONSOR, REGENCY_SPONSOR, CSR_SPONSOR)


@dataclass(frozen=True, slots=True)
class Person:
    """One generated worker, as the cohort's file lists them."""

    nik: str
    name: str
    sex: str
    born: dt.date
    desa: str
    occupation: str
    phone: str
    spouse: str | None  # their heir, when they have one


class _People:
    """Deterministic made-up people with structurally valid, unique NIKs.

    The serial (the NIK's last four digits, what a masked NIK shows) is drawn from its own generator:
    a low number, as in a real kecamatan, but not 0001 for everybody, so that masked lists can be
    told apart."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial_rng = random.Random(seed + 1)
        self.serials: dict[str, int] = {}

    def person(self, desa: str) -> tuple[str, str, str, dt.date]:
        rng = self.rng
        sex = rng.choice("LP")
        born = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 43))
        first = rng.choice(_MALE if sex == "L" else _FEMALE)
        name = f"{first} {rng.choice(_FAMILY)}"
        kecamatan = desa.split(".")[2]
        day = born.day + (40 if sex == "P" else 0)
        prefix = f"3216{kecamatan}{day:02d}{born:%m%y}"
        step = self.serial_rng.randint(1, 5) if prefix in self.serials else self.serial_rng.randint(1, 60)
        self.serials[prefix] = serial = self.serials.get(prefix, 0) + step
        return f"{prefix}{serial:04d}", name, sex, born


@cache
def cohorts(villages: tuple[str, ...]) -> Mapping[str, tuple[Person, ...]]:
    """Each agreement's generated workers (by agreement code, in file order), from the regency's desa
    codes (``villages``, in code order): the same people on every run. Their NIKs are valid by
    construction (tests/demo checks them), and the import checks them again."""
    by_kecamatan: dict[str, list[str]] = {}
    for code in villages:
        by_kecamatan.setdefault(code.rsplit(".", 1)[0], []).append(code)
    everywhere = [d for ds in by_kecamatan.values() for d in ds]
    people = _People(DEMO_SEED)
    rng = people.rng
    out: dict[str, tuple[Person, ...]] = {}
    for spec in AGREEMENTS:
        places = [d for k in spec.kecamatan for d in (by_kecamatan[k] if k else everywhere)]
        codes = [c for c, _ in spec.occupations]
        weights = [w for _, w in spec.occupations]
        rows: list[Person] = []
        for _ in range(spec.load):
            desa = rng.choice(places)
            nik, name, sex, born = people.person(desa)
            spouse = None
            if rng.randrange(5) < 3:  # three in five have a spouse
                spouse = f"{rng.choice(_FEMALE if sex == 'L' else _MALE)} {rng.choice(_FAMILY)}"
            occupation = rng.choices(codes, weights)[0]
            rows.append(Person(nik, name, sex, born, desa, occupation, f"08{rng.randrange(10**9, 10**10)}", spouse))
        out[spec.code] = tuple(rows)
    return MappingProxyType(out)


# --- how each sponsor pays ---------------------------------------------------------------------


@dataclass(frozen=True)
class Payer:
    """How a demo sponsor pays its bills (cycles are counted from 0 at the agreement's start)."""

    bank: str  # prefix of its bank references
    days_early: int  # pays this many days before the due date (on the working day at or before it)
    late_cycle: int | None = None  # this cycle is paid late ...
    days_late: int = 0  # ... this many days after its due date
    partial_cycle: int | None = None  # this cycle is paid partially ...
    partial_percent: int = 0  # ... about this share of its total, rounded down to a round transfer
    unpaid_cycle: int | None = None  # this cycle (or the latest due, while it is not due yet) is left unpaid


PAYERS: Mapping[str, Payer] = {
    KADIN: Payer("BNI", days_early=5),
    REGENCY_FARMERS: Payer("BJB", days_early=3, late_cycle=2, days_late=35, unpaid_cycle=10),
    CSR_FISHERS: Payer("MANDIRI", days_early=2, partial_cycle=0, partial_percent=98),
}
ROUND_TRANSFER = 100_000
"""Sponsors transfer round amounts: a multiple of Rp100.000."""
DEATH_AGREEMENT = KADIN
DEATH_MONTHS_AFTER_START = 4  # the worker dies in the agreement's fifth month ...
DEATH_DAY = 10  # ... on the 10th
DEATH_RECORDED_AFTER = dt.timedelta(days=4)  # the heir claims JKM a few days later (its approval records the death)
EVENT_AFTER_DUE = dt.timedelta(days=7)  # the uncovered event: a week after the late month's due date


# --- the claims --------------------------------------------------------------------------------

JKM_PAID_AFTER = dt.timedelta(days=1)  # the heir's JKM is paid the working day after it is approved
JKM_BANK = "BRI"
JKM_ACCOUNT = "012301000456507"  # the heir's account (made up)
ACCIDENT_AGREEMENT = CSR_FISHERS
ACCIDENT_OCCUPATION = "nelayan"
ACCIDENT_DAYS_AGO = dt.timedelta(days=3)  # the fisherman's accident at sea: three days before today ...
ACCIDENT_TIME = dt.time(4, 30)  # ... at dawn, hauling the net
ACCIDENT_REPORTED_AFTER = dt.timedelta(hours=27, minutes=30)  # the family reports it the next morning
ACCIDENT_PLACE = "Laut Jawa, ± 4 mil di utara muara Citarum (Muara Gembong)"
ACCIDENT_WHAT = ("Lengan kanan terjepit gulungan tali saat menarik jaring di perahu dan patah; dibawa ke "
                 "puskesmas setelah perahu merapat.")
STMB_CLAIMED_AFTER = dt.timedelta(days=2)  # the STMB claim is entered and submitted two days after
STMB_MONTHS = 6  # the first six months of temporary incapacity
STMB_BANK = "BRI"
STMB_ACCOUNT = "012301000789501"  # the fisherman's own account (made up)
STMB_RECEIVED = ("ktp", "laporan_tahap_1")
"""The documents the family brought with the STMB claim: the doctor's statement and the bank book are
still to come, so the case shows what is missing."""


def death_person(people: Mapping[str, Sequence[Person]]) -> Person | None:
    """The Kadin worker who dies: the cohort's first with an heir."""
    return next((p for p in people.get(DEATH_AGREEMENT, ()) if p.spouse), None)


def shown_farmer(people: Mapping[str, Sequence[Person]]) -> Person | None:
    """The farmer whose coverage the tour shows: the regency's cohort's first."""
    return next(iter(people.get(REGENCY_FARMERS, ())), None)


def accident_person(people: Mapping[str, Sequence[Person]]) -> Person | None:
    """The fisherman who has the accident at sea: the CSR cohort's first man who is a nelayan and has a
    wife (the family who reports it)."""
    return next((p for p in people.get(ACCIDENT_AGREEMENT, ())
                 if p.occupation == ACCIDENT_OCCUPATION and p.sex == "L" and p.spouse), None)


TARGETS: tuple[tuple[str, str | None, int], ...] = (
    (REGENCY, "petani", 26_000),
    (REGENCY, None, 40_000),
    ("32.16.17", None, 1_500),
    ("32.16.01", None, 1_200),
    ("32.16.01", "petani", 600),
)
"""Coverage targets of Kabupaten Bekasi (region, occupation or None for all, workers), set for this year
and the next: the regency's 26.000 farmers of the news story, and made-up figures for two kecamatan."""
