"""Region codes: accepted dotted or undotted, checked against the loaded Kemendagri list."""

from __future__ import annotations

import re
import threading

from sqlalchemy.orm import Session

from lindung.kit.errors import InvalidInput, NotFound
from lindung.kit.lokal import normalize_region_code
from lindung.kit.paging import Paged, Window, cut
from lindung.regions import repository
from lindung.regions.models import LEVEL_VILLAGE, Region
from lindung.regions.names import AMBIGUOUS, NOT_THERE, DesaNames, Place, written_as_code
from lindung.regions.schemas import RegionBrief, RegionRead, VillageFound

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
_NAMES: dict[tuple[str, tuple[int, str, int]], DesaNames] = {}
_NAMES_LOCK = threading.Lock()
NAMES_KEPT = 2
"""Region lists kept in memory at once (one per database a process serves; tests make many)."""


def desa_names(session: Session) -> DesaNames:
    """The desa names of the session's database, read and indexed once per process while the list
    stays as it is (``repository.fingerprint``): ~91.000 names take seconds to read and fold, which a
    command pays once but a server would pay on every request that names a desa."""
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), repository.fingerprint(session))
    with _NAMES_LOCK:
        found = _NAMES.get(key)
        if found is None:
            found = DesaNames(repository.name_rows(session))
            found.places("")  # indexed now, under the lock, not by two requests at once
            if len(_NAMES) >= NAMES_KEPT:
                _NAMES.clear()
            _NAMES[key] = found
    return found


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
    names = desa_names(session)
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
    return _found(session, _places(session, text))


def search_villages(session: Session, text: str, window: Window) -> Paged[VillageFound]:
    """One page of ``find_villages`` (the API's ``GET /regions?q=``): the places a name may mean are
    matched on the name list in memory, as ``find_villages`` does, and only the page's postal codes
    are read."""
    page = cut(_places(session, text), window)
    return Paged(_found(session, page.items), page.total, window)


def _places(session: Session, text: str) -> list[Place]:
    desa, kecamatan, regency = ([part.strip() for part in str(text).split(",")] + ["", ""])[:3]
    if not desa:
        return []
    return desa_names(session).places(desa, kecamatan, regency)


def _found(session: Session, places: list[Place]) -> list[VillageFound]:
    postal = repository.postal_codes(session, [p.code for p in places])
    return [VillageFound(code=p.code, name=p.name, kecamatan=p.kecamatan, regency=p.regency,
                         postal_code=postal.get(p.code)) for p in places]


def region(session: Session, code: str) -> RegionRead:
    """A region by its code (dotted or not; ``InvalidInput`` when it is no code), with its parents
    and its children: public reference data, for every user (a regional viewer names the areas of
    their figures with it). ``region.not_found`` for a code the list does not hold."""
    dotted = normalize(code, "region")
    found = repository.get(session, dotted)
    if found is None:
        raise NotFound("region.not_found", region=dotted)
    parents: list[RegionBrief] = []
    parent_code = found.parent_code
    while parent_code is not None:
        parent = repository.get(session, parent_code)
        if parent is None:
            break
        parents.insert(0, _brief(parent))
        parent_code = parent.parent_code
    return RegionRead(code=found.code, name=found.name, level=found.level, kind=found.kind,
                      postal_code=found.postal_code, parents=parents,
                      children=[_brief(child) for child in repository.children(session, found.code)])


def _brief(r: Region) -> RegionBrief:
    return RegionBrief(code=r.code, name=r.name, level=r.level, kind=r.kind)


def contains(area_code: str, code: str) -> bool:
    """True when region ``code`` is ``area_code`` itself or lies inside it (codes are hierarchical)."""
    return code == area_code or code.startswith(area_code + ".")
