"""What the tour shows: the demo's data as the database has it now, read through the services as the
demo's users (``reads``). The CLI renders it and adds the commands to try next."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from lindung.demo import billing, claims, data, reads
from lindung.demo.build import DemoActors
from lindung.demo.schemas import DemoUserRead, Regency, Regions, SampleWorker, Tour
from lindung.enrolment.service import default_first_month
from lindung.kit.lokal import REGIONS_DECREE
from lindung.rules.catalogues import occupations
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import OPEN_STATUSES
from lindung.users import service as users

SAMPLE_PER_AGREEMENT = 2


def tour(session: Session, today: dt.date, who: DemoActors) -> Tour:
    officer = who.officer
    places = reads.region_facts(session)
    agreements = sponsors.list_agreements(session, by=officer)
    found = billing.demo_agreements(session, by=officer, first=SAMPLE_PER_AGREEMENT)
    sample = [SampleWorker(nik=row["nik"], name=row["name"], desa=row["desa"] or row["desa_code"],
                           occupation=row["occupation"], agreement=code)
              for code, facts in found.rosters.items() for row in facts.first]  # in desa and name order
    kadin = next((a for a in agreements if a.code == data.KADIN), None)
    order = [u.username for u in data.USERS]
    return Tour(
        regions=Regions(decree=REGIONS_DECREE, by_level=places.by_level,
                        regency=Regency(code=data.REGENCY, name=places.regency_name, kecamatan=len(places.kecamatan),
                                        desa=places.desa)),
        occupations=len(occupations()),
        sponsors=len(sponsors.list_sponsors(session, by=officer)),
        workers=reads.registry_size(session),
        agreements=agreements,
        sample_workers=sample,
        kadin_monthly_list_price=kadin.estimate.monthly_list_price if kadin else None,
        users=sorted((DemoUserRead(username=u.username, role=u.role, sponsor=u.sponsor, region=u.region,
                                   active=u.active)
                      for u in users.list_users(session, by=who.admin) if u.username in order),
                     key=lambda u: order.index(u.username)),
        billing=billing.summary(session, today, found, by=officer),
        import_open=import_open(session, today),
        claims=claims.summary(session, today, data.cohorts(reads.regency_villages(session)), by=officer),
    )


def import_open(session: Session, today: dt.date) -> bool:
    """Whether the regency's farmers agreement still takes an import (it has months left)."""
    agreement = reads.agreement(session, data.REGENCY_FARMERS)
    if agreement is None or agreement.status not in OPEN_STATUSES:
        return False
    return default_first_month(agreement, today).index <= agreement.end_month
