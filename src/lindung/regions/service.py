"""Region codes: accepted dotted or undotted, checked against the loaded Kemendagri list."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from lindung.kit.errors import InvalidInput
from lindung.kit.lokal import normalize_region_code
from lindung.regions import repository
from lindung.regions.models import LEVEL_VILLAGE, Region

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


def contains(area_code: str, code: str) -> bool:
    """True when region ``code`` is ``area_code`` itself or lies inside it (codes are hierarchical)."""
    return code == area_code or code.startswith(area_code + ".")
