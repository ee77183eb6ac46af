"""Coverage targets: how many workers a region (a regency, kecamatan or desa) means to cover in a year,
of one occupation or of all — "Kabupaten Bekasi 2026: 26.000 petani". An administrator sets them one by
one or loads a CSV (columns ``tahun, wilayah, pekerjaan, target``; English headers ``year, region,
occupation, workers`` too); the dashboard counts protected workers against them.

A CSV is taken whole or not at all: every row is checked first, and the errors name their line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lindung.audit import service as audit
from lindung.insight.models import CoverageTarget
from lindung.insight.schemas import TargetLoad, TargetRead, TargetSet
from lindung.kit.auth import Actor
from lindung.kit.db import utcnow
from lindung.kit.errors import InvalidInput, NotFound
from lindung.kit.numbers import whole_number
from lindung.regions import repository as regions_repo
from lindung.regions import service as regions
from lindung.rules.catalogues import occupation as find_occupation

ALL_OCCUPATIONS = "*"
YEAR_MIN, YEAR_MAX = 2000, 2100
WORKERS_MAX = 100_000_000
HEADERS = {"tahun": "year", "year": "year", "wilayah": "region", "region": "region", "pekerjaan": "occupation",
           "occupation": "occupation", "target": "workers", "workers": "workers"}
ROWS_MAX = 100_000


class TargetNotFound(NotFound):
    code = "target.not_found"


@dataclass(frozen=True, slots=True)
class TargetView:
    year: int
    region_code: str
    region_name: str | None
    occupation_code: str | None
    workers: int


def _view(session: Session, row: CoverageTarget) -> TargetView:
    region = regions_repo.get(session, row.region_code)
    return TargetView(row.year, row.region_code, region.name if region else None, row.occupation_code, row.workers)


def _read(view: TargetView) -> TargetRead:
    return TargetRead(year=view.year, region=view.region_code, region_name=view.region_name,
                      occupation=view.occupation_code, workers=view.workers)


def in_view(session: Session, *, year: int, region: str | None) -> list[TargetView]:
    """The year's targets of ``region`` and the regions within it (None: every target of the year)."""
    query = select(CoverageTarget).where(CoverageTarget.year == year)
    if region:
        query = query.where((CoverageTarget.region_code == region)
                            | CoverageTarget.region_code.startswith(f"{region}.", autoescape=True))
    rows = session.scalars(query.order_by(CoverageTarget.region_code, CoverageTarget.occupation_key)).all()
    return [_view(session, r) for r in rows]


def list_targets(session: Session, *, by: Actor, year: int | None = None) -> list[TargetRead]:
    """Every target (of ``year``); a regional viewer: those of their region."""
    by.require("report.read")
    query = select(CoverageTarget)
    if year is not None:
        query = query.where(CoverageTarget.year == year)
    own = by.scope.region_code
    if own is not None:
        query = query.where((CoverageTarget.region_code == own)
                            | CoverageTarget.region_code.startswith(f"{own}.", autoescape=True))
    rows = session.scalars(query.order_by(CoverageTarget.year, CoverageTarget.region_code,
                                          CoverageTarget.occupation_key)).all()
    return [_read(_view(session, r)) for r in rows]


def _checked(session: Session, data: TargetSet) -> tuple[int, str, str | None, int]:
    year = whole_number(data.year, "target_year", minimum=YEAR_MIN, maximum=YEAR_MAX)
    region = regions.resolve(session, data.region).code
    occupation = None
    if data.occupation and data.occupation.strip() not in ("", ALL_OCCUPATIONS):
        occupation = find_occupation(data.occupation).code
    workers = whole_number(data.workers, "target_workers", minimum=1, maximum=WORKERS_MAX)
    return year, region, occupation, workers


def _put(session: Session, year: int, region: str, occupation: str | None, workers: int, *, by: Actor) -> TargetRead:
    key = occupation or ALL_OCCUPATIONS
    row = session.scalars(select(CoverageTarget).where(
        CoverageTarget.year == year, CoverageTarget.region_code == region,
        CoverageTarget.occupation_key == key)).one_or_none()
    before = row.workers if row is not None else None
    if row is None:
        row = CoverageTarget(year=year, region_code=region, occupation_code=occupation, occupation_key=key,
                             workers=workers, set_by=by.username, set_at=utcnow())
        session.add(row)
    else:
        row.workers, row.set_by, row.set_at = workers, by.username, utcnow()
    session.flush()
    if before != workers:
        audit.record(session, actor=by, action="target.set", subject_type="target", subject_id=row.id,
                     data={"year": year, "region": region, "occupation": key, "before": before or 0,
                           "workers": workers})
    return _read(_view(session, row))


def set_target(session: Session, data: TargetSet, *, by: Actor) -> TargetRead:
    """Set (or replace) one target."""
    by.require("target.write")
    year, region, occupation, workers = _checked(session, data)
    return _put(session, year, region, occupation, workers, by=by)


def remove_target(session: Session, *, year: int, region: str, occupation: str | None, by: Actor) -> TargetRead:
    by.require("target.write")
    code = regions.resolve(session, region).code
    key = find_occupation(occupation).code if occupation and occupation != ALL_OCCUPATIONS else ALL_OCCUPATIONS
    row = session.scalars(select(CoverageTarget).where(
        CoverageTarget.year == year, CoverageTarget.region_code == code,
        CoverageTarget.occupation_key == key)).one_or_none()
    if row is None:
        raise TargetNotFound(year=year, region=code, occupation=key)
    shown = _read(_view(session, row))
    audit.record(session, actor=by, action="target.removed", subject_type="target", subject_id=row.id,
                 data={"year": year, "region": code, "occupation": key, "workers": row.workers})
    session.delete(row)
    session.flush()
    return shown


def load_csv(session: Session, content: bytes, *, by: Actor) -> TargetLoad:
    """Set every target of a CSV file, or none: the first errors are returned with their line, nothing saved."""
    by.require("target.write")
    try:
        text_ = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput("target_file", "", reason="target_file_encoding") from error
    sample = text_[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    rows = list(csv.reader(io.StringIO(text_), delimiter=delimiter))
    if not rows or not any(c.strip() for c in rows[0]):
        raise InvalidInput("target_file", "", reason="target_file_empty")
    header = [HEADERS.get(c.strip().lower()) for c in rows[0]]
    if set(header) - {None} != {"year", "region", "occupation", "workers"}:
        raise InvalidInput("target_file", ", ".join(c.strip() for c in rows[0]), reason="target_file_header")
    if len(rows) > ROWS_MAX + 1:
        raise InvalidInput("target_file", len(rows) - 1, reason="target_file_rows", most=ROWS_MAX)
    checked: list[tuple[int, str, str | None, int]] = []
    seen: set[tuple[int, str, str | None]] = set()
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        named = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h}
        try:
            row = _checked(session, TargetSet(year=_number(named.get("year", ""), "target_year"),
                                              region=named.get("region", ""),
                                              occupation=named.get("occupation") or None,
                                              workers=_number(named.get("workers", ""), "target_workers")))
        except InvalidInput as error:
            raise TargetRowRefused(line, error) from error
        if row[:3] in seen:
            raise TargetRowRefused(line, InvalidInput("target_file", f"{row[0]} {row[1]} {row[2] or ALL_OCCUPATIONS}",
                                                      reason="target_twice"))
        seen.add(row[:3])
        checked.append(row)
    saved = [_put(session, *row, by=by) for row in checked]
    return TargetLoad(saved=len(saved), targets=saved)


class TargetRowRefused(InvalidInput):
    """A row of a targets file is wrong: its line and what is wrong with it; nothing of the file is saved."""

    def __init__(self, line: int, error: InvalidInput) -> None:
        super().__init__("target_file", line, reason="target_row", line=line)
        self.error = error

    def shown_context(self, lang: str) -> dict[str, Any]:
        return {**super().shown_context(lang), "problem": self.error.message(lang)}


def _number(text_: str, field: str) -> int:
    cleaned = text_.replace(".", "").replace(" ", "")
    if not cleaned.isdigit():
        raise InvalidInput(field, text_)
    return int(cleaned)
