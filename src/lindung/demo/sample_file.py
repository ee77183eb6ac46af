"""The demo's sponsor file: a follow-up list of farmers the regency sends for its APBD agreement,
with the defects sponsors' lists arrive with, to try the bulk import on (``lindung demo --sample-file``).

Twenty farmers who can be enrolled — dates in the three forms, desa written as codes or as names with
their kecamatan, most with an heir, one with a NIK from a kecamatan the region list no longer has
(enrolled and flagged for review) — and one row of each kind the import refuses that a regency's
list typically has: a NIK that lost a digit, a birth date that does not agree with the NIK, an
ojek driver in a farmers' agreement, a worker Kadin already covers, a NIK one digit off that is a
farmer the regency already enrolled (another name: without the name it would pass as "already
enrolled"), an enrolled farmer again under a NIK with another serial (as a new worker they would be
covered twice), the same NIK twice, a farmer of the list again under a NIK with another serial (as
from a second desa's list), an heir's relationship nobody can pay, a desa that does not exist.
Deterministic for the demo data, and every good NIK is new to the registry.

The workers it names from the registry are the demo's own (``data.cohorts``): Kadin's first worker
who is not the one who dies, the regency's first two farmers. The service gives the file's bytes; the
CLI writes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from lindung.demo import data, reads
from lindung.demo.data import Person
from lindung.demo.schemas import SampleFile
from lindung.kit.auth import Actor
from lindung.kit.dates import try_parse_date
from lindung.kit.lokal import parse_nik
from lindung.regions.names import DesaNames
from lindung.sponsors import service as sponsors
from lindung.workers.names import may_be_same_person

AGREEMENT = data.REGENCY_FARMERS
OVERLAPPING = data.KADIN
HEADER = ("No", "NIK", "Nama Lengkap", "Tgl Lahir", "L/P", "Pekerjaan", "Desa", "Kecamatan", "No HP",
          "Nama Ahli Waris", "Hubungan")
GOOD_ROWS = 20
FLAGGED_ROW = 10
"""A good row whose NIK's kecamatan is not in the region list: enrolled, and flagged for review."""
DEFECTS = ("nik_format", "birth_date_mismatch", "not_target_occupation", "overlap", "registered_other_name",
           "registered_other_serial", "duplicate_in_file", "same_person_in_file", "heir_relationship_unknown",
           "desa_unknown")
"""One row of each, in this order, after the good ones (the refusal each one gets)."""
SEED = 3216 + 26
_NAMES = ("Ujang", "Dadang", "Entin", "Oneng", "Karta", "Sarip", "Enok", "Juju", "Odih", "Warsih", "Carman",
          "Tarsiah", "Rasta", "Kasmi", "Dulah", "Rukiah")
_FAMILY = ("Sanjaya", "Sudrajat", "Wiharja", "Kartika", "Suhara", "Marta", "Sarmili", "Nurdin")
_KIN = ("Istri", "Suami", "Anak", "anak kandung", "Ibu")
_FARMING = ("Petani", "petani padi", "Buruh Tani", "Petani")


def sponsor_file(session: Session, today: dt.date, *, by: Actor) -> SampleFile:
    """The list as CSV bytes (semicolons, UTF-8 with a BOM, as Excel saves it here)."""
    sponsors.show_agreement(session, AGREEMENT, by=by)  # the demo data must be there
    rng = random.Random(SEED)
    people = _people(session, rng, today, GOOD_ROWS + 5)
    good, spare = people[:GOOD_ROWS], people[GOOD_ROWS:]
    rows = [*good, *_defects(session, data.cohorts(reads.regency_villages(session)), good, spare, rng)]
    for i, row in enumerate(rows, start=1):
        row[0] = str(i)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SampleFile(data=buffer.getvalue().encode("utf-8-sig"), rows=len(rows), good=GOOD_ROWS, agreement=AGREEMENT)


def _retyped(session: Session, nik: str, taken: Sequence[list[str]] = ()) -> str:
    """``nik`` with another serial (its last four digits, 0001–9999) that no worker and no row of
    ``taken`` has."""
    serial = int(nik[12:])
    in_file = {row[1] for row in taken}
    for step in range(10, 10_000):
        number = f"{nik[:12]}{(serial + step - 1) % 9999 + 1:04d}"
        if number not in in_file and not reads.registered(session, number):
            return number
    raise LookupError(nik)  # unreachable: a kecamatan-day with 9.999 workers


def _a_name(rng: random.Random) -> str:
    return f"{rng.choice(_NAMES)} {rng.choice(_FAMILY)}"


def _people(session: Session, rng: random.Random, today: dt.date, n: int) -> list[list[str]]:
    """``n`` farmers of Kabupaten Bekasi, none in the registry, as rows of the file."""
    villages = reads.regency_desa(session)
    names = DesaNames(reads.region_names(session))
    kecamatan_name = dict(reads.region_facts(session).kecamatan)
    rows: list[list[str]] = []
    while len(rows) < n:
        i = len(rows)
        code, name = rng.choice(villages)
        sex = rng.choice("LP")
        born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 38))
        # Row 10's NIK was issued in a kecamatan the Kemendagri list no longer has (split, renumbered):
        # accepted, and flagged for an officer to check the ID card.
        issued = "99" if i == FLAGGED_ROW - 1 else code[6:8]
        nik = (f"{code[:2]}{code[3:5]}{issued}{born.day + (40 if sex == 'P' else 0):02d}"
               f"{born:%m%y}{rng.randrange(200, 9999):04d}")
        if (not parse_nik(nik, reference=today).valid or reads.registered(session, nik)
                or any(row[1] == nik for row in rows)):
            continue
        district = kecamatan_name.get(code.rsplit(".", 1)[0], "")
        by_name = i % 2 == 1 and names.resolve(name, district, "", nik)[0] == code
        written = (born.strftime("%d-%m-%Y"), born.strftime("%d/%m/%Y"), born.isoformat())[i % 3]
        heir = ["", ""] if i % 5 == 4 else [_a_name(rng), _KIN[i % 5]]
        rows.append(["", nik, _a_name(rng), written, sex, _FARMING[i % 4],
                     name if by_name else code, district if by_name else "",
                     f"08{rng.randrange(10**9, 10**10)}", *heir])
    return rows


def _row(p: Person, *, name: str, born: str, nik: str | None = None, phone: str = "") -> list[str]:
    """A demo worker as a row of the list, under ``name`` (and ``nik``), without an heir."""
    return ["", nik or p.nik, name, born, p.sex, "Petani", p.desa, "", phone, "", ""]


def _defects(session: Session, people: Mapping[str, Sequence[Person]], good: list[list[str]], spare: list[list[str]],
             rng: random.Random) -> list[list[str]]:
    """One refused row per kind of ``DEFECTS``: a new farmer's row spoiled in one place, a Kadin
    worker, a farmer the regency enrolled under another name, another under a retyped serial, a good
    row's NIK again."""

    def spoiled(source: list[str], column: str, value: str) -> list[str]:
        row = list(source)
        row[HEADER.index(column)] = value
        return row

    dies = data.death_person(people)
    covered = next(p for p in people[OVERLAPPING] if p != dies)  # covered until Kadin's agreement ends
    farmer, another = people[AGREEMENT][:2]
    retyped = _retyped(session, another.nik)
    other_name = _a_name(rng)
    while may_be_same_person(other_name, farmer.name):
        other_name = _a_name(rng)
    born = try_parse_date(spare[1][3])
    assert born is not None  # written by _people in one of the import's date forms
    return [
        spoiled(spare[0], "NIK", spare[0][1][:15]),                                   # a digit lost
        spoiled(spare[1], "Tgl Lahir", (born + dt.timedelta(days=1)).strftime("%d-%m-%Y")),  # not the NIK's
        spoiled(spare[2], "Pekerjaan", "Tukang Ojek"),                                # no farmer
        _row(covered, name=covered.name, born=covered.born.strftime("%d-%m-%Y"), phone=covered.phone),  # Kadin's
        _row(farmer, name=other_name, born=farmer.born.strftime("%d/%m/%Y")),  # a serial typo: enrolled already
        _row(another, name=another.name.upper(), born=another.born.strftime("%d-%m-%Y"),
             nik=retyped),                                       # another farmer enrolled, a serial retyped
        spoiled(good[6], "Nama Lengkap", _a_name(rng)),  # row 7's NIK again
        spoiled(good[11], "NIK", _retyped(session, good[11][1], [*good, *spare])),  # row 12, a serial retyped
        spoiled(spare[3], "Hubungan", "Tetangga"),                                    # a neighbour is no heir
        spoiled(spare[4], "Desa", "Atlantis"),                                        # no such desa
    ]
