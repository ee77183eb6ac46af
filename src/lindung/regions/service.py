"""Region codes: accepted dotted or undotted, checked against the loaded Kemendagri list."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from lindung.kit.errors import InvalidInput
from lindung.kit.lokal import normalize_region_code
from lindung.regions import repository
from lindung.regions.models import LEVEL_VILLAGE, Region
from lindung.regions.names import AMBIGUOUS, NOT_THERE, DesaNames, written_as_code
from lindung.regions.schemas import VillageFound

_DOTTED = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$")


def normalize(code: str, field: str = "region") -> str:
    """'3216012001' / '32.16.01.2001' / ' 32-16-01-2001 ' -> '32.16.01.2001'; InvalidInput otherwise."""
    text = str(code).strip()
    dotted = normalize_region_code(text) if text else ""
    if not _DOTTED.match(dotted):
        raise InvalidInput(field, code, reason="region")
    return dotted


def resolve(session: Session, code: str, *, field: str = "region", level: int | None = None) -> Region:
    """The region with that code; ``level=4`` demands a desa/kelurahan."""
    dotted = normalize(code, field)
    region = repository.get(session, dotted)
    if region is None:
        raise InvalidInput(field, code, reason="region_unknown")
    if level is not None and region.level != level:
        raise InvalidInput(field, code, reason="not_village" if level == LEVEL_VILLAGE else "region_level",
                           name=region.name)
    return region


PLACES_SHOWN = 10


def village(session: Session, text: str, *, nik: str = "", field: str = "domicile") -> Region:
    """A desa/kelurahan given by its code (dotted or not) or by its name, which may be followed by its
    kecamatan and kabupaten/kota: 'Sukamurni', 'Sukamurni, Sukakarya', 'Sukamurni, Sukakarya, Bekasi'.
    A name is taken when exactly one desa fits (``regions.names``, the NIK's kecamatan settling a
    name that fits several); otherwise the error lists the places it could be, with their codes."""
    if written_as_code(text):
        return resolve(session, text, field=field, level=LEVEL_VILLAGE)
    desa, kecamatan, regency = ([part.strip() for part in str(text).split(",")] + ["", ""])[:3]
    if not desa:
        raise InvalidInput(field, text, reason="region")
    names = DesaNames(repository.name_rows(session))
    code, problem, detail = names.resolve(desa, kecamatan, regency, nik)
    if code is not None:
        region = repository.get(session, code)
        assert region is not None
        return region
    if problem == AMBIGUOUS:
        places = names.places(desa, kecamatan, regency, nik)
        shown = "; ".join(map(str, places[:PLACES_SHOWN]))
        more = len(places) - PLACES_SHOWN
        raise InvalidInput(field, text, reason="desa_ambiguous", count=len(places),
                           places=shown + (f"; … (+{more})" if more > 0 else ""))
    if problem == NOT_THERE:
        raise InvalidInput(field, text, reason="desa_not_there", desa=desa, where=detail)
    raise InvalidInput(field, text, reason="desa_name_unknown", desa=desa)


def find_villages(session: Session, text: str) -> list[VillageFound]:
    """``region find``: every desa/kelurahan a name may mean, by code, with their postal codes. The
    name is read as ``village`` reads it (folded, without 'Desa'/'Kel.'), narrowed by a kecamatan and a
    kabupaten/kota written after commas: 'Sukamurni, Sukakarya'. Public reference data: no user
    needed."""
    desa, kecamatan, regency = ([part.strip() for part in str(text).split(",")] + ["", ""])[:3]
    places = DesaNames(repository.name_rows(session)).places(desa, kecamatan, regency)
    postal = repository.postal_codes(session, [p.code for p in places])
    return [VillageFound(code=p.code, name=p.name, kecamatan=p.kecamatan, regency=p.regency,
                         postal_code=postal.get(p.code)) for p in places]


def contains(area_code: str, code: str) -> bool:
    """True when region ``code`` is ``area_code`` itself or lies inside it (codes are hierarchical)."""
    return code == area_code or code.startswith(area_code + ".")
