"""Loading the demo through the services, as its users: what is missing of it, and nothing else.

1. Users. On a database without users the demo adds its first administrator, ``demo.admin``; as that
   administrator it adds its officer, supervisor, a sponsor's staff (once Kadin exists) and a regional
   viewer. A database that has users but no ``demo.admin`` is someone's own: the demo refuses it
   (``NotTheDemosDatabase``) before writing anything.
2. Sponsors (the officer), agreements (drafted by the officer, approved by the supervisor, activated by
   the officer) and Kadin's renewal (drafted, left for the supervisor).
3. Each agreement's cohort, enrolled by the officer through the bulk import: the generated workers
   (``data.cohorts``) as a CSV in memory, imported as of the agreement's first day so that they are
   covered from its start month. The import's provenance source is ``demo``: how the demo later tells
   its enrolments from a user's.

An agreement the demo finds already there is left as it is: its cohort is imported only in the run that
drafts it, in the same transaction, so the demo never enrols anyone into an agreement twice or into an
agreement somebody else changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lindung.demo import data, reads
from lindung.demo.data import ADMIN, OFFICER, SUPERVISOR, DemoAgreement, Person
from lindung.demo.schemas import Added
from lindung.enrolment import importer
from lindung.enrolment.schemas import ImportSummary, Upload
from lindung.insight import targets
from lindung.insight.schemas import TargetSet
from lindung.kit import clock
from lindung.kit.auth import Actor
from lindung.kit.errors import Conflict
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import AgreementCreate, SponsorCreate
from lindung.users import credentials
from lindung.users import service as users
from lindung.users.schemas import UserCreate


class NotTheDemosDatabase(Conflict):
    """The database has users of its own (no ``demo.admin``): the demo runs only on a database of its own."""

    code = "demo.not_own_database"


@dataclass(frozen=True, slots=True)
class DemoActors:
    """The demo's users acting: who makes, who checks, who manages users."""

    admin: Actor
    officer: Actor
    supervisor: Actor


def actors(session: Session) -> DemoActors:
    return DemoActors(users.acting(session, ADMIN), users.acting(session, OFFICER), users.acting(session, SUPERVISOR))


def own_database(session: Session) -> int:
    """Make sure the database is the demo's: add ``demo.admin`` as the first user of a database without
    users (1), or find it (0); ``NotTheDemosDatabase`` when someone else's users are there instead."""
    if users.no_users_yet(session):
        first = data.USERS[0]
        users.add_user(session, UserCreate(username=first.username, role=first.role, full_name=first.full_name),
                       by=None)
        return 1
    try:
        users.acting(session, ADMIN)
    except users.UnknownUser:
        raise NotTheDemosDatabase(user=ADMIN) from None
    return 0


def _add_users(session: Session, admin: Actor, sponsors_there: set[str]) -> int:
    """The demo's users that are missing (a sponsor's staff once their sponsor exists), added by ``admin``."""
    known = {u.username for u in users.list_users(session, by=admin)}
    added = 0
    for u in data.USERS:
        if u.username in known or (u.sponsor is not None and u.sponsor not in sponsors_there):
            continue
        users.add_user(session, UserCreate(username=u.username, role=u.role, full_name=u.full_name, sponsor=u.sponsor,
                                           region=u.region), by=admin)
        added += 1
    return added


def _set_passwords(session: Session, admin: Actor, now: dt.datetime) -> None:
    """Give each demo user who has none the demo's password (``data.USERS``), so that a person can sign
    in to the pages as them; a password someone set since is left as it is."""
    for u in data.USERS:
        if u.password and users.has_no_password(session, u.username):
            credentials.set_password(session, u.username, u.password, by=admin, now=now)


def load(session: Session, today: dt.date) -> Added:
    """Load what is missing of the demo (see the module); returns what was added, all zero on a second run."""
    added_users = own_database(session)
    admin = users.acting(session, ADMIN)
    there = {s.code for s in sponsors.list_sponsors(session, by=admin)}
    added_users += _add_users(session, admin, there)
    officer, supervisor = users.acting(session, OFFICER), users.acting(session, SUPERVISOR)
    added_sponsors = 0
    for sponsor in data.SPONSORS:
        if sponsor.code not in there:
            sponsors.add_sponsor(session, SponsorCreate(code=sponsor.code, name=sponsor.name, funding=sponsor.funding),
                                 by=officer)
            there.add(sponsor.code)
            added_sponsors += 1
    added_users += _add_users(session, admin, there)
    _set_passwords(session, admin, clock.now())
    agreements = {a.code for a in sponsors.list_agreements(session, by=officer)}
    people: Mapping[str, Sequence[Person]] | None = None
    added_agreements = workers = enrolments = 0
    for spec in data.AGREEMENTS:
        if spec.code in agreements:
            continue
        _draft(session, spec, officer)
        sponsors.approve(session, spec.code, by=supervisor)
        if spec.activate:
            sponsors.activate(session, spec.code, by=officer)
        added_agreements += 1
        if people is None:
            people = data.cohorts(reads.regency_villages(session))
        summary = import_cohort(session, spec, people[spec.code], by=officer, today=today)
        workers += summary.new_workers
        enrolments += summary.enrolled
    if data.RENEWAL not in agreements:
        _draft(session, data.RENEWAL_AGREEMENT, officer)
        added_agreements += 1
    _set_targets(session, admin, today)
    return Added(users=added_users, sponsors=added_sponsors, agreements=added_agreements, workers=workers,
                 enrolments=enrolments)


def _set_targets(session: Session, admin: Actor, today: dt.date) -> None:
    """The regency's coverage targets of this year and the next (``data.TARGETS``), where none is set."""
    have = {(t.year, t.region, t.occupation) for t in targets.list_targets(session, by=admin)}
    for year in (today.year, today.year + 1):
        for region, occupation, workers in data.TARGETS:
            if (year, region, occupation) not in have:
                targets.set_target(session, TargetSet(year=year, region=region, occupation=occupation,
                                                      workers=workers), by=admin)


def _draft(session: Session, spec: DemoAgreement, officer: Actor) -> None:
    sponsors.draft_agreement(session, AgreementCreate(
        code=spec.code, sponsor=spec.sponsor.code, quota=spec.quota, budget=spec.budget, start=Month.parse(spec.start),
        months=spec.months, billing_cycle=spec.billing_cycle, after_death=spec.after_death,
        target_occupations=spec.target_occupations, target_regions=spec.target_regions), by=officer)


# --- the cohorts, through the bulk import ----------------------------------------------------------

COHORT_HEADER = ("NIK", "Nama Lengkap", "Tgl Lahir", "L/P", "Pekerjaan", "Desa", "No HP", "Nama Ahli Waris",
                 "Hubungan Ahli Waris")


def cohort_csv(people: Sequence[Person]) -> bytes:
    """The cohort as the sponsor's list a branch receives: one row per worker, their spouse as heir."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COHORT_HEADER)
    for p in people:
        heir = [p.spouse, "Istri" if p.sex == "L" else "Suami"] if p.spouse else ["", ""]
        writer.writerow([p.nik, p.name, p.born.isoformat(), p.sex, p.occupation, p.desa, p.phone, *heir])
    return buffer.getvalue().encode("utf-8")


def import_cohort(session: Session, spec: DemoAgreement, people: Sequence[Person], *, by: Actor,
                  today: dt.date) -> ImportSummary:
    """Enrol the agreement's cohort from its start month: the bulk import of its list, as of the
    agreement's first day (or today, before it), under the demo's provenance source."""
    as_of = min(today, Month.parse(spec.start).first_day())
    summary = import_file(session, f"demo-{spec.code.lower()}.csv", cohort_csv(people), spec.code, by=by,
                          today=as_of, source=data.COHORT_SOURCE)
    if summary.enrolled != len(people) or summary.refused:  # generated to pass every check
        raise AssertionError(f"the demo's cohort of {spec.code}: {summary.model_dump()}")
    return summary


def import_file(session: Session, name: str, content: bytes, agreement: str, *, by: Actor, today: dt.date,
                source: str) -> ImportSummary:
    """The demo's one call into the bulk import (``enrolment.importer.import_workers``): its list as an
    upload, made in memory."""
    return importer.import_workers(session, Upload(name, content), agreement, by=by, today=today, source=source)
