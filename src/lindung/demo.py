"""``lindung demo``: migrate, load the Kabupaten Bekasi demo data (idempotently) and show a short tour.

The data follows the news story the project starts from: Kadin Kabupaten Bekasi covers 1.000
vulnerable workers for 2026; the regency (APBD) covers farmers; a company's CSR covers fishers on
the coast. Workers are generated: names are made up, NIKs are structurally valid (province 32,
regency 16, the kecamatan of their desa, birth date, serial) and live in real Bekasi desa codes.
The cohorts are loaded set-based (like a bulk import), through the same quota/budget counter
update as single enrolments; the database constraints back every invariant.
"""

from __future__ import annotations

import datetime as dt
import random
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from lindung import demo_billing, demo_file
from lindung.audit import service as audit
from lindung.billing.cli import arrears_sentence
from lindung.enrolment import repository as enrolment_repo
from lindung.enrolment import service as enrolment
from lindung.enrolment.errors import QuotaExceeded
from lindung.enrolment.models import Enrolment
from lindung.kit import clock
from lindung.kit.cli import LangOption, check_writable, command_lines, lang_of, out_console, print_json
from lindung.kit.cliargs import JsonOption
from lindung.kit.db import database_label, ensure_database, get_engine, session_scope
from lindung.kit.i18n import format_count, format_date, t
from lindung.kit.lokal import REGIONS_DECREE, parse_nik
from lindung.kit.privacy import mask_nik
from lindung.regions import repository as regions_repo
from lindung.regions.models import Region
from lindung.rules.catalogues import occupations
from lindung.rules.contributions import OTHER, TRANSPORT
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.sponsors import repository as sponsors_repo
from lindung.sponsors import service as sponsors
from lindung.sponsors.models import DEFAULT_AFTER_DEATH
from lindung.workers import repository as workers_repo
from lindung.workers import service as workers
from lindung.workers.models import Heir, Worker

REGENCY = "32.16"
DEMO_SEED = 3216
OFFICER, SUPERVISOR = "demo.petugas", "demo.supervisor"
SAMPLE_PER_AGREEMENT = 2
PARAGRAPH_WIDTH = 110  # sentences wrap here on a wide terminal (commands are never wrapped but at the width)

_MALE = ["Asep", "Dedi", "Ujang", "Agus", "Budi", "Hendra", "Rahmat", "Supriadi", "Iwan", "Yayan",
         "Dadang", "Cecep", "Jajang", "Wawan", "Dodi", "Eko", "Ahmad", "Muhamad", "Rudi", "Sutisna",
         "Endang", "Nana", "Komarudin", "Saepudin", "Ade", "Tatang", "Rohman", "Hasan", "Maman", "Udin"]
_FEMALE = ["Siti", "Nur", "Euis", "Neneng", "Imas", "Ai", "Yanti", "Dewi", "Rina", "Sri", "Tuti",
           "Lilis", "Enah", "Iis", "Popon", "Cucu", "Elis", "Nining", "Wati", "Ratna", "Aminah",
           "Kokom", "Onih", "Entin", "Fitri", "Yuli", "Nurhayati", "Atikah", "Mimin", "Titin"]
_FAMILY = ["Hidayat", "Suryana", "Saputra", "Permana", "Gunawan", "Setiawan", "Kurniawan", "Hermawan",
           "Nurjaman", "Sulaeman", "Wijaya", "Rohimah", "Maryati", "Kusnadi", "Suhendar", "Mulyana",
           "Sopandi", "Hasanah", "Rosita", "Fauzi", "Jaelani", "Ramdani", "Nuraeni", "Sukmawati"]


@dataclass(frozen=True)
class DemoAgreement:
    sponsor_code: str
    sponsor_name: str
    funding: str
    code: str
    quota: int
    budget: int
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


def _list_price_budget(quota: int, months: int, start: str) -> int:
    """A budget equal to the undiscounted list price of the package (what sponsors sign for)."""
    est = sponsors.estimate(quota=quota, start=Month.parse(start), months=months,
                            base=_lowest_base(Month.parse(start)), funding="apbd", jht=False,
                            sector="other")
    return est.list_price


def _lowest_base(month: Month) -> int:
    from lindung.rules.contributions import choose_base

    return choose_base(month, income=workers.lowest_income(month.first_day())).base


def demo_agreements() -> tuple[DemoAgreement, ...]:
    return (
        DemoAgreement(
            "KADIN", "Kadin Kabupaten Bekasi", "kadin", "KADIN-2026", 1000,
            _list_price_budget(1000, 12, "2026-01"), "2026-01", 12, 1000,
            (("ojek", 20), ("pedagang", 25), ("buruh_harian", 20), ("tukang_bangunan", 10),
             ("pemulung", 5), ("kuli_angkut", 8), ("tukang_parkir", 5), ("asisten_rumah_tangga", 7)),
            ("",), billing_cycle=12, after_death="refund"),
        DemoAgreement(
            "PEMKAB-BEKASI", "Pemerintah Kabupaten Bekasi (Dinas Ketenagakerjaan)", "apbd",
            "BEKASI-TANI-2026", 26000, _list_price_budget(26000, 12, "2026-01"), "2026-01", 12, 2000,
            (("petani", 70), ("buruh_tani", 30)),
            ("32.16.13", "32.16.16", "32.16.14", "32.16.15", "32.16.03", "32.16.04", "32.16.12",
             "32.16.10", "32.16.23", "32.16.22"),
            target_occupations=("petani", "buruh_tani"), target_regions=(REGENCY,), billing_cycle=1),
        DemoAgreement(
            "CSR-PESISIR", "PT Pesisir Cikarang Sejahtera (CSR)", "csr", "CSR-NELAYAN-2026", 500,
            _list_price_budget(500, 12, "2026-03"), "2026-03", 12, 350,
            (("nelayan", 80), ("pembudidaya_ikan", 20)),
            ("32.16.17", "32.16.01", "32.16.02"),
            target_occupations=("nelayan", "pembudidaya_ikan"),
            target_regions=("32.16.17", "32.16.01", "32.16.02"), activate=False, billing_cycle=6),
    )


class _People:
    """Deterministic made-up people with structurally valid, unique NIKs.

    The serial (the NIK's last four digits, what a masked NIK shows) is drawn from its own generator:
    a low number, as in a real kecamatan, but not 0001 for everybody, so that masked lists can be
    told apart."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial_rng = random.Random(seed + 1)
        self.serials: dict[str, int] = {}

    def person(self, desa: str, today: dt.date) -> tuple[str, str, str, dt.date]:
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
        nik = f"{prefix}{serial:04d}"
        assert parse_nik(nik, reference=today).valid
        return nik, name, sex, born


def load(session: Session, today: dt.date) -> dict[str, Any]:
    """Load what is missing of the demo data; returns what was added (all zero on a second run)."""
    added = {"sponsors": 0, "agreements": 0, "workers": 0, "enrolments": 0}
    people = _People(DEMO_SEED)
    desa_by_kecamatan: dict[str, list[Region]] = {}
    for desa in regions_repo.villages_under(session, REGENCY):
        desa_by_kecamatan.setdefault(desa.code.rsplit(".", 1)[0], []).append(desa)
    for spec in demo_agreements():
        if sponsors_repo.sponsor_by_code(session, spec.sponsor_code) is None:
            sponsors.add_sponsor(session, code=spec.sponsor_code, name=spec.sponsor_name,
                                 funding=spec.funding, by=OFFICER)
            added["sponsors"] += 1
        if sponsors_repo.agreement_by_code(session, spec.code) is not None:
            continue
        sponsors.draft_agreement(session, sponsors.AgreementInput(
            code=spec.code, sponsor=spec.sponsor_code, quota=spec.quota, budget=spec.budget,
            start=Month.parse(spec.start), months=spec.months, billing_cycle=spec.billing_cycle,
            after_death=spec.after_death, target_occupations=spec.target_occupations,
            target_regions=spec.target_regions), by=OFFICER)
        sponsors.approve(session, spec.code, by=SUPERVISOR)
        if spec.activate:
            sponsors.activate(session, spec.code, by=OFFICER)
        added["agreements"] += 1
        everywhere = [d for ds in desa_by_kecamatan.values() for d in ds]
        places = [d for k in spec.kecamatan for d in (desa_by_kecamatan[k] if k else everywhere)]
        occ_codes = [c for c, _ in spec.occupations]
        weights = [w for _, w in spec.occupations]
        rows: list[dict[str, Any]] = []
        for _ in range(spec.load):
            desa = people.rng.choice(places)
            nik, name, sex, born = people.person(desa.code, today)
            spouse = None
            if people.rng.randrange(5) < 3:  # three in five have a spouse
                spouse = f"{people.rng.choice(_FEMALE if sex == 'L' else _MALE)} {people.rng.choice(_FAMILY)}"
            rows.append({"nik": nik, "name": name, "sex": sex, "birth_date": born, "domicile_code": desa.code,
                         "occupation_code": people.rng.choices(occ_codes, weights)[0],
                         "phone": f"08{people.rng.randrange(10**9, 10**10)}", "spouse": spouse})
        _enrol_cohort(session, spec.code, rows, today)
        added["workers"] += len(rows)
        added["enrolments"] += len(rows)
    added["agreements"] += _draft_renewal(session)
    return added


RENEWAL = "KADIN-2027"
"""Kadin's MoU for the year after KADIN-2026, which the demo leaves drafted, awaiting approval."""


def _draft_renewal(session: Session) -> int:
    """Kadin renews for the next year: the officer has drafted it, the supervisor has yet to approve it
    (``lindung approvals``). 1 when drafted now, 0 when it is there already."""
    if sponsors_repo.agreement_by_code(session, RENEWAL) is not None:
        return 0
    start = Month(2027, 1)
    sponsors.draft_agreement(session, sponsors.AgreementInput(
        code=RENEWAL, sponsor="KADIN", quota=1000, budget=_list_price_budget(1000, 12, str(start)), start=start,
        months=12, billing_cycle=12, after_death="refund"), by=OFFICER)
    return 1


def _enrol_cohort(session: Session, agreement_code: str, rows: list[dict[str, Any]], today: dt.date) -> None:
    """Register new workers and enrol them as the agreement's starting cohort, set-based.

    The rows are valid by construction (checked above: NIK structure, sex and birth date from the
    NIK, real desa codes); quota and budget go through the same conditional counter update as a
    single enrolment, and the database constraints back everything up.
    """
    agreement = sponsors.get_agreement(session, agreement_code)
    transport = {o.code for o in occupations().values() if o.transport}
    costs = enrolment.span_costs(agreement, Month.from_index(agreement.start_month))
    income = workers.lowest_income(today)
    origin = audit.provenance(session, actor=OFFICER, source="demo").id
    created = session.execute(
        insert(Worker).returning(Worker.id, sort_by_parameter_order=True),
        [{"nik": r["nik"], "name": r["name"], "sex": r["sex"], "birth_date": r["birth_date"],
          "needs_review": False, "domicile_code": r["domicile_code"], "occupation_code": r["occupation_code"],
          "declared_income": income, "phone": r["phone"], "provenance_id": origin} for r in rows]).scalars().all()
    heirs = [{"worker_id": wid, "position": 1, "name": r["spouse"], "relationship_code": "spouse", "nik": None}
             for wid, r in zip(created, rows, strict=True) if r["spouse"]]
    if heirs:
        session.execute(insert(Heir), heirs)
    sectors = [TRANSPORT if r["occupation_code"] in transport else OTHER for r in rows]
    total = sum(costs[s] for s in sectors)
    if not enrolment_repo.reserve(session, agreement.id, workers=len(rows), cost=total):
        raise QuotaExceeded(agreement=agreement.code, quota=agreement.quota, enrolled=agreement.enrolled_count)
    session.execute(insert(Enrolment), [
        {"worker_id": wid, "agreement_id": agreement.id, "first_month": agreement.start_month,
         "last_month": agreement.end_month, "occupation_code": r["occupation_code"], "sector": sector,
         "committed_cost": costs[sector], "status": "active", "provenance_id": origin}
        for wid, r, sector in zip(created, rows, sectors, strict=True)])
    session.expire(agreement)


def tour(session: Session) -> dict[str, Any]:
    """What the demo shows: the data as it is in the database now."""
    levels = regions_repo.count_by_level(session)
    regency = regions_repo.get(session, REGENCY)
    bekasi_desa = len(regions_repo.villages_under(session, REGENCY))
    bekasi_kecamatan = len(regions_repo.children(session, REGENCY))
    agreements = [sponsors.describe(a) for a in sponsors_repo.agreements(session)]
    sample = []
    for a in sponsors_repo.agreements(session):  # the first two workers of each agreement
        for worker_id in session.scalars(select(Enrolment.worker_id).where(Enrolment.agreement_id == a.id)
                                         .order_by(Enrolment.id).limit(SAMPLE_PER_AGREEMENT)):
            w = session.get(Worker, worker_id)
            assert w is not None
            desa = regions_repo.get(session, w.domicile_code)
            sample.append({"nik": mask_nik(w.nik), "name": w.name, "desa": desa.name if desa else w.domicile_code,
                           "occupation": w.occupation_code, "agreement": a.code})
    kadin = next((a for a in agreements if a["code"] == "KADIN-2026"), None)
    return {
        "regions": {"decree": REGIONS_DECREE, "by_level": levels,
                    "regency": {"code": REGENCY, "name": regency.name if regency else None,
                                "kecamatan": bekasi_kecamatan, "desa": bekasi_desa}},
        "occupations": len(occupations()),
        "sponsors": len(sponsors_repo.sponsors(session)),
        "workers": workers_repo.count(session),
        "agreements": agreements,
        "sample_workers": sample,
        "kadin_monthly_list_price": kadin["estimate"]["monthly_list_price"] if kadin else None,
    }


def demo(
    sample_file: Path | None = typer.Option(
        None, "--sample-file",
        help="Tulis juga daftar susulan petani dari Pemkab, dengan cacat yang biasa ada, untuk mencoba impor."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Siapkan data contoh Kabupaten Bekasi dan tampilkan tur singkat."""
    lg = lang_of(lang)
    check_writable(sample_file, "--sample-file")
    engine = ensure_database(get_engine())
    today = clock.today()
    with session_scope(engine) as s:
        added = load(s, today)
    with session_scope(engine) as s:
        billed = demo_billing.bring_up_to_date(s, today, by=OFFICER)
    with session_scope(engine, readonly=True) as s:
        shown = tour(s)
        money = demo_billing.summary(s, today)
    out = {"database": database_label(engine), "added": added, "billing_added": billed, **shown, "billing": money}
    with session_scope(engine, readonly=True) as s:
        out["import_open"] = import_open(s, today)
    if sample_file is not None:
        with session_scope(engine, readonly=True) as s:
            written = demo_file.write_sponsor_file(s, sample_file, today)
        out["sample_file"] = {"file": str(written.path), "rows": written.rows, "good": written.good,
                              "agreement": written.agreement}
    out["try_next"] = next_commands(out, today)
    if json_out:
        print_json(out)
        return
    _print_tour(out, lg)
    if sample_file is not None:
        out_console.print("")
        _say(t("demo.sample_file", lg, **out["sample_file"]))


def import_open(session: Session, today: dt.date) -> bool:
    """Whether the regency's farmers agreement still takes an import (it has months left)."""
    agreement = sponsors_repo.agreement_by_code(session, demo_file.AGREEMENT)
    if agreement is None or agreement.status not in sponsors.OPEN_STATUSES:
        return False
    return enrolment.default_first_month(agreement, today).index <= agreement.end_month


def _print_tour(out: dict[str, Any], lang: str) -> None:
    p = out_console.print
    p(f"[bold]{t('demo.title', lang)}[/bold]  ({escape(out['database'])})")
    added = out["added"]
    if added["agreements"] or added["workers"]:
        _say(t("demo.added", lang, **{k: format_count(v, lang) for k, v in added.items()}))
    else:
        p(t("demo.already", lang))
    billed, money = out["billing_added"], out["billing"]
    if any(billed.values()):
        _say(t("demo.billing_added", lang, month=money["month"], bills=format_count(billed["bills"], lang),
            worker_months=format_count(billed["worker_months"], lang), payments=format_count(billed["payments"], lang),
            deaths=format_count(billed["deaths"], lang)))
    else:
        p(t("demo.billing_already", lang, month=money["month"]))
    lv = out["regions"]["by_level"]
    reg = out["regions"]["regency"]
    _say(t("demo.regions", lang, provinces=lv.get(1, 0), regencies=lv.get(2, 0),
        districts=format_count(lv.get(3, 0), lang), villages=format_count(lv.get(4, 0), lang),
        decree=out["regions"]["decree"],
        regency=reg["name"], kecamatan=reg["kecamatan"], desa=reg["desa"]))
    _say(t("demo.registry", lang, workers=format_count(out["workers"], lang), sponsors=out["sponsors"],
        occupations=out["occupations"]))
    p("")
    p(f"[bold]{t('registry.agreements', lang)}[/bold]")
    for a in out["agreements"]:
        _say(t("demo.agreement_line", lang, agreement=a["code"], sponsor=escape(a["sponsor"]["name"]),
            status=t(f"registry.status.{a['status']}", lang), start=a["start"], end=a["end"],
            enrolled=format_count(a["use"]["enrolled"], lang), quota=format_count(a["quota"], lang),
            committed=rp(a["use"]["committed"]),
            budget=rp(a["budget"]), estimate=rp(a["estimate"]["list_price"]),
            expected=rp(a["estimate"]["expected"])))
    kadin = next((a for a in out["agreements"] if a["code"] == "KADIN-2026"), None)
    if kadin:
        _say(t("demo.kadin_estimate", lang, quota=format_count(kadin["quota"], lang),
            price=rp(out["kadin_monthly_list_price"]), months=kadin["months"],
            total=rp(kadin["estimate"]["list_price"]), expected=rp(kadin["estimate"]["expected"])))
    _print_billing(money, lang)
    table = Table(title=t("demo.sample", lang), title_justify="left")
    for col in ("nik", "name", "domicile", "occupation", "agreement"):  # NIK and agreement never cut
        table.add_column(t(f"registry.col.{col}", lang), no_wrap=col in ("nik", "agreement"),
                         overflow="fold")
    for w in out["sample_workers"]:
        table.add_row(w["nik"], escape(w["name"]), escape(w["desa"]), w["occupation"], w["agreement"] or "-")
    p("")
    p(table)
    _print_next(out, lang)


def _say(text: str, indent: int = 0) -> None:
    """A paragraph that wraps at the terminal width under its own indent (a bullet hangs)."""
    body: RenderableType = text
    if text.startswith("• "):
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        grid.add_row("•", text[2:])
        body = grid
    out_console.print(Padding(body, (0, 0, 0, indent), expand=False), width=min(out_console.width, PARAGRAPH_WIDTH))


def _print_billing(money: dict[str, Any], lang: str) -> None:
    p = out_console.print
    p("")
    title = t("demo.billing_title", lang, date=format_date(dt.date.fromisoformat(money["as_of"]), lang))
    p(f"[bold]{title}[/bold]")
    for a in money["agreements"]:
        states = ", ".join(t(f"demo.bills.{k}", lang, n=format_count(a[f"bills_{k}"], lang))
                           for k in ("paid", "partial", "unpaid") if a[f"bills_{k}"])
        _say(t("demo.billing_line", lang, agreement=a["code"], cycle=t(f"demo.cycle.{a['cycle_months']}", lang),
            bills=format_count(a["bills"], lang), states=states or "-", billed=rp(a["billed"] - a["cancelled"]),
            received=rp(a["received"]), outstanding=rp(a["outstanding"])))
        extra = [t("demo.late", lang, cycle=x["cycle"], paid_on=x["paid_on"], due=x["due_date"])
                 for x in a["late_payments"]]
        if a["credit"]:
            extra.append(t("demo.billing_credit", lang, amount=rp(a["credit"])))
        if a["refunds"]:
            extra.append(t("demo.billing_refund", lang, amount=rp(a["refunds"])))
        codes = [t(f"demo.code.{b['state']}", lang, payment_code=b["payment_code"], cycle=b["cycle"],
                   due=b["due_date"], unpaid=rp(b["unpaid"]), months=format_count(b["unpaid_worker_months"], lang),
                   paid_on=b["payments"][-1]["paid_on"] if b["payments"] else "-")
                 for b in a["shown"]]
        if codes:
            extra.append(t("demo.billing_codes", lang, codes="; ".join(codes)))
        for line in extra:
            _say(line, 2)
    death = money["death"]
    if death:
        _say(t("demo.death", lang, name=escape(death["name"]), nik=death["nik"], agreement=death["agreement"],
            died_on=death["died_on"], months=death["contribution_months"],
            amount=rp(death["refund"] if death["policy"] == "refund" else death["credit"]),
            policy=t(f"billing.policy.{death['policy']}", lang)))
    w = money["worker"]
    if not w:
        return
    p("")
    title = t("demo.worker_title", lang, name=escape(w["name"]), nik=w["nik"], occupation=w["occupation"][lang],
              agreement=w["agreement"])
    p(f"[bold]{title}[/bold]")
    for decision in (w["today"], w["late_event"]):
        if decision is None:
            continue
        key = "coverage.protected" if decision["protected"] else "coverage.not_protected"
        when = format_date(dt.date.fromisoformat(decision["at"]), lang)
        _say(t(key, lang, who=escape(w["name"]), date=when) + " " + t(
            f"coverage.reason.{decision['reason']}", lang, month=decision["month"],
            paid_on=decision["paid_on"] or "-", due=decision["due"], event=decision["at"]), 2)
        if decision is w["today"]:
            until = w["protected_until"]
            _say((t("coverage.until", lang, date=format_date(dt.date.fromisoformat(until), lang)) if until
                  else t("coverage.until_none", lang))
                 + " " + t("coverage.masa_iur", lang, months=w["contribution_months"],
                           start=w["membership_start"] or "-"), 2)
            if w["arrears"]:
                _say(arrears_sentence(((a["month"], dt.date.fromisoformat(a["payable_until"])) for a in w["arrears"]),
                                      lang), 2)


def _print_next(out: dict[str, Any], lang: str) -> None:
    p = out_console.print
    p("")
    p(f"[bold]{t('demo.next', lang)}[/bold] {t('demo.next_hint', lang)}")
    worker = out["billing"]["worker"]
    if worker:
        _say(t("demo.next_synthetic", lang, nik=worker["full_nik_synthetic"]))
    width = max(out_console.width, 40)
    for group in out["try_next"]:
        title = t(f"demo.next.{group['group']}", lang)
        p(f"[bold]{title}[/bold]")
        for command in group["commands"]:
            for line in command_lines(command, width):
                p(line, markup=False, highlight=False, soft_wrap=True)


def next_commands(out: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """Commands that work on the demo data as it is now, with its real codes and numbers."""
    money = out["billing"]
    by_code = {a["code"]: a for a in money["agreements"]}
    groups: list[dict[str, Any]] = []
    worker = money["worker"]
    if worker:
        nik = worker["full_nik_synthetic"]
        cov = [f"lindung coverage {nik}"]
        if worker["late_event"]:
            cov.append(f"lindung coverage {nik} --at {worker['late_event']['at']} --lang en")
        cov.append(f"lindung worker show {nik}")
        groups.append({"group": "coverage", "commands": cov})
    bills = [f"lindung bill {money['month']}", "lindung billing statement", "lindung billing overdue",
             "lindung billing unpaid",
             f"lindung billing ending --days {money['ending_days']} --out {_ENDING_FILE}",
             f"lindung billing lapsing --days {money['lapsing_days']}"]
    due = [b for code in (demo_billing.REGENCY_FARMERS, demo_billing.CSR_FISHERS, demo_billing.KADIN)
           if code in by_code for b in by_code[code]["shown"] if b["state"] != "paid"]
    if due:
        bill = due[0]
        bills.append(f"lindung billing show {bill['payment_code']}")
        reference = f"TRF-{bill['payment_code']}-{len(bill['payments']) + 1}"
        bills.append(f"lindung pay --code {bill['payment_code']} --amount {format_count(bill['unpaid'])} "
                     f"--reference {reference} --date {today.isoformat()}")
    late = [x for a in money["agreements"] for x in a["late_payments"]]
    receipt = late[0]["receipt"] if late else money["first_receipt"]
    if receipt:
        bills.append(f"lindung billing receipt {receipt}")
    groups.append({"group": "billing", "commands": bills})
    sim: list[str] = []
    kadin = next((a for a in out["agreements"] if a["code"] == demo_billing.KADIN), None)
    death = money["death"]
    if kadin:
        example = death["died_on"] if death else None
        day = example or f"{Month.parse(kadin['start']) + demo_billing.DEATH_MONTHS_AFTER_START}-" \
                         f"{demo_billing.DEATH_DAY:02d}"
        base = kadin["package"]["base"]
        sim.append(f"lindung simulate contribution --income {base} --month {day[:7]} --occupation ojek")
        if death:
            sim.append(f"lindung simulate benefit jkm --date {day} --contribution-months "
                       f"{death['contribution_months']}")
        sim.append(f"lindung simulate benefit jkk-death --date {day} --income {base} --child sma:3")
    groups.append({"group": "simulate", "commands": sim})
    if out.get("import_open"):
        sample = f"--agreement {demo_file.AGREEMENT}"
        groups.insert(1, {"group": "import", "commands": [
            f"lindung demo --sample-file {SAMPLE_FILE}",
            f"lindung import workers {SAMPLE_FILE} {sample} --check --refused-rows {REFUSED_FILE}",
            f"lindung import workers {SAMPLE_FILE} {sample} --by {OFFICER}",
            "lindung import list", "lindung worker find --needs-review"]})
    someone = next(iter(out.get("sample_workers") or []), None)
    finding = ([f"lindung worker find {shlex.quote(someone['name'])} --agreement {someone['agreement']}"]
               if someone else [])
    waiting = any(a["code"] == RENEWAL and a.get("status") == "draft" for a in out["agreements"])
    approving = ([f"lindung approvals --by {SUPERVISOR}", f"lindung agreement show {RENEWAL}",
                  f"lindung agreement approve {RENEWAL} --version 1 --by {SUPERVISOR}"] if waiting else [])
    groups.append({"group": "registry", "commands": [
        "lindung agreement list", f"lindung agreement show {demo_billing.CSR_FISHERS} --lang en", *approving,
        *finding,
        f"lindung agreement workers {demo_billing.CSR_FISHERS} --out peserta-nelayan.csv",
        f"lindung import template --agreement {demo_billing.CSR_FISHERS} --out templat-nelayan.xlsx"]})
    groups.append({"group": "help", "commands": ["lindung --help", "lindung import workers --help --lang en"]})
    return [g for g in groups if g["commands"]]


_ENDING_FILE = "akan-berakhir.csv"
SAMPLE_FILE = "susulan-petani.csv"
REFUSED_FILE = "perbaiki.xlsx"
