"""Every figure of the dashboard equals the same figure counted from the base tables (enrolments,
workers, the ledger, bills, claims) after imports, enrolments, bill runs, payments in full and in part,
a death, a leaving and a paid claim — on both engines; a regional viewer never receives a count under 5,
a NIK or a name; a sponsor's staff see their own sponsor's figures only."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from lindung.billing import ends
from lindung.billing.models import Bill
from lindung.claims.models import Claim, ClaimPayment
from lindung.enrolment.importer import import_workers
from lindung.enrolment.models import Enrolment
from lindung.insight import service, targets
from lindung.insight.schemas import Dashboard, TargetSet
from lindung.kit.errors import Forbidden
from lindung.rules.period import Month
from lindung.sponsors.models import Agreement, Sponsor
from lindung.summary.cells import AGE_BANDS
from lindung.workers.models import Worker
from tests.billing import factories as f
from tests.claims import factories as cf
from tests.enrolment.import_files import person, upload, write_csv
from tests.users import actor, add_user

SPOUSE = {"name": "Siti Rahmah", "relationship": "spouse"}
ACCOUNT = {"bank": "BRI", "number": "0123456789012", "holder": "Siti Rahmah"}
KECAMATAN = len("32.16.01")


def build(database: Any, tmp_path: Path) -> dict[str, Any]:
    """Kadin (monthly bills, 11 workers: 3 one by one, 8 by import) and the regency (apbd, 7 by import);
    January paid in full, February in part (Kadin) and in full (the regency), March unpaid; a worker
    dies in February (his JKM claim paid), another leaves after February."""
    with database.session() as s:
        f.agreement(s, cycle=1, quota=100)
        f.agreement(s, "PEMKAB-2026", sponsor="PEMKAB", funding="apbd", cycle=1, quota=100)
        heirs = ({"name": "Siti Rahmah", "relationship": "spouse"},)
        dying = cf.enrolled(s, "KADIN-2026", occupation="petani", first="2026-01", name="Ujang Suparman", heirs=heirs)
        leaving = f.cohort(s, 2, occupation="ojek")[0]
        add_user(s, "disnaker", "viewer", region="32.16")
        add_user(s, "staf.kadin", "sponsor", sponsor="KADIN")
    kadin = [person(occupation=o, sex=x, desa=d) for o, x, d in (
        ("Petani", "P", "32.16.01.2001"), ("Petani", "L", "32.16.01.2001"), ("Ojol", "L", "32.16.01.2002"),
        ("Pedagang", "P", "32.16.01.2002"), ("Nelayan", "L", "32.16.13.2001"), ("Petani", "P", "32.16.13.2001"),
        ("Buruh Tani", "L", "32.16.13.2001"), ("Petani", "L", "32.16.01.2001"))]
    regency = [person(occupation=o, desa="32.16.17.2001") for o in ("Petani",) * 5 + ("Buruh Tani",) * 2]
    with database.session() as s:
        import_workers(s, upload(write_csv(tmp_path / "k.csv", kadin)), "KADIN-2026", by=actor(s, f.MAKER),
                       today=f.JAN_1)
        import_workers(s, upload(write_csv(tmp_path / "p.csv", regency)), "PEMKAB-2026", by=actor(s, f.MAKER),
                       today=f.JAN_1)
    bills: dict[tuple[str, str], tuple[str, int]] = {}
    for month in ("2026-01", "2026-02", "2026-03"):
        with database.session() as s:
            for b in f.bill(s, month).bills:
                bills[(month, b.agreement)] = (b.payment_code, b.payable)
    with database.session() as s:
        for (month, _a), (code, amount) in bills.items():
            if month == "2026-01" or (month == "2026-02" and _a == "PEMKAB-2026"):
                f.pay(s, code, amount, on=Month.parse(month).day(5))
        code, _amount = bills[("2026-02", "KADIN-2026")]
        f.pay(s, code, 5 * 16_800, on=dt.date(2026, 2, 5))
    died = dt.date(2026, 2, 20)
    with database.session() as s:
        ends.record_death(s, dying.nik, died_on=died, by=actor(s, f.MAKER), today=dt.date(2026, 2, 21))
        ends.leave(s, leaving.nik, "KADIN-2026", last_month=Month.parse("2026-02"), by=actor(s, f.MAKER),
                   today=dt.date(2026, 2, 21))
    with database.session() as s:
        claim = cf.new(s, dt.date(2026, 2, 23), nik=dying.nik, type="jkm", event_date=died.isoformat(),
                       claimant=SPOUSE, account=ACCOUNT)
        cf.to_approved(s, claim.number, dt.date(2026, 2, 24))
        cf.paid(s, claim.number, dt.date(2026, 3, 2))
        targets.set_target(s, TargetSet(year=2026, region="32.16", occupation="petani", workers=100),
                           by=actor(s, "admin"))
        targets.set_target(s, TargetSet(year=2026, region="32.16.01", workers=20), by=actor(s, "admin"))
    return {"names": [p["Nama Lengkap"] for p in kadin + regency] + ["Ujang Suparman", "Asep Saputra"],
            "niks": [p["NIK"] for p in kadin + regency] + [dying.nik, leaving.nik]}


def band(born: dt.date, month: Month) -> int:
    day = month.first_day()
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return sum(1 for bound in AGE_BANDS if age >= bound)


def from_base(s: Any, month: Month, sponsor_id: int | None = None) -> dict[str, dict[str, tuple[int, int, int, int]]]:
    """(enrolled, protected, new, ending) by each grouping of the dashboard, counted in Python from the rows."""
    rows = s.execute(select(Enrolment.id, Enrolment.first_month, Enrolment.last_month, Enrolment.occupation_code,
                            Sponsor.code, Agreement.sponsor_id, Worker.domicile_code, Worker.sex, Worker.birth_date)
                     .join(Worker, Worker.id == Enrolment.worker_id)
                     .join(Agreement, Agreement.id == Enrolment.agreement_id)
                     .join(Sponsor, Sponsor.id == Agreement.sponsor_id).where(Enrolment.status == "active")).all()
    paid = {(int(e), int(m)) for e, m in s.execute(text(
        "SELECT enrolment_id, month FROM contribution_lines WHERE void_seq = 0 AND status = 'paid'"))}
    out: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    m = month.index
    for eid, first, last, occupation, sponsor, sid, desa, sex, born in rows:
        if not first <= m <= last or (sponsor_id is not None and sid != sponsor_id):
            continue
        born = born if isinstance(born, dt.date) else dt.date.fromisoformat(str(born))
        counts = (1, int((eid, m) in paid), int(first == m), int((eid, m) in paid and (eid, m + 1) not in paid))
        for group, key in (("total", ""), ("kecamatan", desa[:KECAMATAN]), ("desa", desa), ("occupation", occupation),
                           ("sponsor", sponsor), ("sex", sex), ("age", str(band(born, month)))):
            cell = out[group][key]
            for i, c in enumerate(counts):
                cell[i] += c
    return {g: {k: tuple(v) for k, v in rows_.items()} for g, rows_ in out.items()}  # type: ignore[misc]


def shown(d: Dashboard) -> dict[str, dict[str, tuple[Any, ...]]]:
    def table(rows: Any) -> dict[str, tuple[Any, ...]]:
        return {r.key: (r.enrolled, r.protected, r.new, r.ending) for r in rows}
    return {"total": {"": (d.total.enrolled, d.total.protected, d.total.new, d.total.ending)} if d.total.enrolled
            else {}, "kecamatan": table(d.by_kecamatan), "desa": table(d.by_desa),
            "occupation": table(d.by_occupation), "sponsor": table(d.by_sponsor), "sex": table(d.by_sex),
            "age": table(d.by_age)}


@pytest.fixture
def world(database: Any, tmp_path: Path) -> dict[str, Any]:
    return build(database, tmp_path)


def test_every_figure_equals_the_count_from_the_base_tables(database: Any, world: dict[str, Any]) -> None:
    for today in (dt.date(2026, 1, 20), dt.date(2026, 2, 20), dt.date(2026, 3, 20), dt.date(2026, 6, 20)):
        month = Month.of(today)
        with database.session(readonly=True) as s:
            d = service.dashboard(s, by=actor(s, f.MAKER), today=today)
            expected = from_base(s, month)
            assert shown(d) == expected, today
            kadin = s.scalar(select(Sponsor.id).where(Sponsor.code == "KADIN"))
            mine = service.dashboard(s, by=actor(s, "staf.kadin"), today=today)
            assert shown(mine) == from_base(s, month, kadin)
            assert service.dashboard(s, by=actor(s, f.MAKER), today=today, sponsor="KADIN") == mine
            # month by month: the same counts of each of the twelve months, and the lapses once final
            series = {str(x.month): (x.enrolled, x.protected, x.new) for x in d.months}
            for k in range(12):
                m = month - k
                base = from_base(s, m).get("total", {}).get("", (0, 0, 0, 0))
                assert series[str(m)] == base[:3], m
            for x in d.months:
                before = from_base(s, x.month - 1).get("total", {}).get("", (0, 0, 0, 0))
                assert x.lapsed == (before[3] if x.final else None)
    with database.session(readonly=True) as s:
        d = service.dashboard(s, by=actor(s, f.MAKER), today=dt.date(2026, 3, 20))
        # January and February protected all of Kadin's 11 and the regency's 7 in January; February:
        # the regency's 7, Kadin's 5 paid (the ojek's month is discounted: 5 × 16.800 bought more)
        assert d.months[-3].protected == 18
        # targets: petani in the regency (100), everything in Kecamatan 32.16.01 (20)
        progress = {(t.region, t.occupation): (t.target, t.protected) for t in d.targets}
        base = from_base(s, Month(2026, 3))
        assert progress[("32.16", "petani")] == (100, base["occupation"].get("petani", (0, 0))[1])
        assert progress[("32.16.01", None)] == (20, base["kecamatan"].get("32.16.01", (0, 0))[1])
        # bills by state and arrears, from the bills themselves
        bills = s.scalars(select(Bill)).all()
        by_state: Counter[str] = Counter()
        outstanding: Counter[str] = Counter()
        for b in bills:
            due = b.total - b.cancelled
            if due <= 0:
                continue
            state = ("paid" if b.settled >= due else "overdue" if b.due_date < dt.date(2026, 3, 20)
                     else "partly_paid" if b.settled else "open")
            by_state[state] += 1
            outstanding[state] += due - b.settled
        assert d.bills is not None
        assert {b.state: (b.bills, b.outstanding) for b in d.bills} == {
            k: (by_state[k], outstanding[k]) for k in by_state}
        assert d.arrears == outstanding["overdue"] > 0
        # claims: one JKM, paid Rp42.000.000
        [paid] = s.scalars(select(ClaimPayment)).all()
        [claim] = s.scalars(select(Claim)).all()
        assert [(c.type, c.claims, c.paid, c.amount_paid) for c in d.claims] == [("jkm", 1, 1, paid.amount)]
        assert paid.amount == 42_000_000
        assert [(str(c.month), c.paid, c.amount) for c in d.claims_paid if c.paid] == [("2026-03", 1, 42_000_000)]
        assert claim.complete_on is not None
        assert d.claim_times.median_days == (paid.paid_on - claim.complete_on).days


def test_a_viewer_receives_no_count_under_five_no_nik_and_no_name(database: Any, world: dict[str, Any]) -> None:
    with database.session(readonly=True) as s:
        viewer = actor(s, "disnaker")
        d = service.dashboard(s, by=viewer, today=dt.date(2026, 3, 20))
        officer = service.dashboard(s, by=actor(s, f.MAKER), today=dt.date(2026, 3, 20))
    dumped = d.model_dump(mode="json")
    assert d.withheld_below == 5 and d.bills is None and d.arrears is None

    def counts(node: Any, path: str = "") -> list[tuple[str, int]]:
        if isinstance(node, dict):
            return [x for k, v in node.items() for x in counts(v, f"{path}.{k}")]
        if isinstance(node, list):
            return [x for i, v in enumerate(node) for x in counts(v, f"{path}[{i}]")]
        return [(path, node)] if isinstance(node, int) and not isinstance(node, bool) else []
    money_and_settings = ("agreements", "target", "withheld_below", "percent", "_days")
    small = [(p, n) for p, n in counts(dumped) if n < 5 and not any(w in p for w in money_and_settings)]
    assert small == []
    # what was withheld is there for the officer: the viewer's None stands for 1–4 (or 0)
    assert officer.total.new == 0 and d.total.new is None
    assert any(r.protected is not None and r.protected < 5 for r in officer.by_desa)
    text_ = json.dumps(dumped)
    for value in (*world["names"], *world["niks"]):
        assert value not in text_
    with database.session(readonly=True) as s, pytest.raises(Forbidden):
        service.dashboard(s, by=actor(s, "disnaker"), today=dt.date(2026, 3, 20), region="32.17")
