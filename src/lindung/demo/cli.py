"""``lindung demo``: migrate, load the Kabupaten Bekasi demo data (idempotently) and show a short tour,
ending with the commands to try next and the demo's users to try them as."""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path
from typing import Any

import typer
from rich.console import RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from lindung.billing.cli import arrears_sentence
from lindung.claims.catalogue import catalogue as claims_catalogue
from lindung.demo import data, sample_file, service
from lindung.demo.schemas import AgreementBilling, BillingSummary, DemoRun, DemoUserRead, StoryClaim, StoryClaims
from lindung.kit import clock
from lindung.kit.i18n import format_count, format_date, t
from lindung.rules.catalogues import relationships
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.terminal.app import LangOption, check_writable, command_lines, lang_of, out_console, print_json
from lindung.terminal.args import JsonOption
from lindung.terminal.work import ENV_USER
from lindung.users.roles import role as find_role

PARAGRAPH_WIDTH = 110  # sentences wrap here on a wide terminal (commands are never wrapped but at the width)
ENDING_FILE = "akan-berakhir.csv"
SAMPLE_FILE = "susulan-petani.csv"
REFUSED_FILE = "perbaiki.xlsx"
LETTER_FILE = "surat.pdf"
ACTING = data.OFFICER
"""Who the commands to try next act as (``export LINDUNG_USER=…``, their first line)."""


def demo(
    sample_file_path: Path | None = typer.Option(
        None, "--sample-file",
        help="Tulis juga daftar susulan petani dari Pemkab, dengan cacat yang biasa ada, untuk mencoba impor."),
    serve: bool = typer.Option(False, "--serve", help="Lalu jalankan server halaman web dan API pada data contoh."),
    host: str = typer.Option("127.0.0.1", "--host", help="Alamat yang didengarkan server (dengan --serve)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port server (dengan --serve)."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Siapkan data contoh Kabupaten Bekasi dan tampilkan tur singkat."""
    lg = lang_of(lang)
    check_writable(sample_file_path, "--sample-file")
    today = clock.today()
    result = service.run(today)
    written: dict[str, Any] | None = None
    if sample_file_path is not None:
        content = service.sample(today)
        sample_file_path.write_bytes(content.data)
        written = {"file": str(sample_file_path), "rows": content.rows, "good": content.good,
                   "agreement": content.agreement}
    try_next = next_commands(result, today)
    if json_out:
        print_json({**result.model_dump(mode="json"), **({"sample_file": written} if written else {}),
                    "try_next": try_next})
        return
    _print_tour(result, try_next, lg)
    if written is not None:
        out_console.print("")
        _say(t("demo.sample_file", lg, **written))
    if serve:
        _serve(host, port, lg)


def _serve(host: str, port: int, lang: str) -> None:
    """Start the pages and the API on the demo's database, after printing where and as whom to sign in."""
    import uvicorn

    from lindung.api.app import create_app

    app = create_app()
    p = out_console.print
    p("")
    p(f"[bold]{escape(t('demo.serving', lang, url=f'http://{host}:{port}/'))}[/bold]")
    _say(t("demo.logins_hint", lang), 2)
    for u in data.USERS:
        p(f"  {u.username:<17} {u.password:<26} {escape(find_role(u.role).label(lang))}", highlight=False)
    p(t("demo.serving_stop", lang))
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def _print_tour(out: DemoRun, try_next: list[dict[str, Any]], lang: str) -> None:
    p = out_console.print
    p(f"[bold]{t('demo.title', lang)}[/bold]  ({escape(out.database)})")
    added = out.added
    if added.agreements or added.workers:
        _say(t("demo.added", lang, **{k: format_count(v, lang) for k, v in added.model_dump().items()}))
    else:
        p(t("demo.already", lang))
    if added.users:
        _say(t("demo.added_users", lang, users=format_count(added.users, lang)))
    billed, money = out.billing_added, out.billing
    if any(billed.model_dump().values()):
        _say(t("demo.billing_added", lang, month=money.month, bills=format_count(billed.bills, lang),
               worker_months=format_count(billed.worker_months, lang), payments=format_count(billed.payments, lang),
               deaths=format_count(billed.deaths, lang)))
    else:
        p(t("demo.billing_already", lang, month=money.month))
    filed = out.claims_added.model_dump()
    if any(filed.values()):
        _say(t("demo.claims_added", lang, **{k: format_count(v, lang) for k, v in filed.items()}))
    lv = out.regions.by_level
    reg = out.regions.regency
    _say(t("demo.regions", lang, provinces=lv.get(1, 0), regencies=lv.get(2, 0),
           districts=format_count(lv.get(3, 0), lang), villages=format_count(lv.get(4, 0), lang),
           decree=out.regions.decree, regency=reg.name, kecamatan=reg.kecamatan, desa=reg.desa))
    _say(t("demo.registry", lang, workers=format_count(out.workers, lang), sponsors=out.sponsors,
           occupations=out.occupations))
    p("")
    p(f"[bold]{t('registry.agreements', lang)}[/bold]")
    for a in out.agreements:
        _say(t("demo.agreement_line", lang, agreement=a.code, sponsor=escape(a.sponsor.name),
               status=t(f"registry.status.{a.status}", lang), start=a.start, end=a.end,
               enrolled=format_count(a.use.enrolled, lang), quota=format_count(a.quota, lang),
               committed=rp(a.use.committed), budget=rp(a.budget), estimate=rp(a.estimate.list_price),
               expected=rp(a.estimate.expected)))
    kadin = next((a for a in out.agreements if a.code == data.KADIN), None)
    if kadin is not None and out.kadin_monthly_list_price is not None:
        _say(t("demo.kadin_estimate", lang, quota=format_count(kadin.quota, lang),
               price=rp(out.kadin_monthly_list_price), months=kadin.months,
               total=rp(kadin.estimate.list_price), expected=rp(kadin.estimate.expected)))
    _print_billing(money, lang)
    _print_claims(out.claims, lang)
    table = Table(title=t("demo.sample", lang), title_justify="left")
    for col in ("nik", "name", "domicile", "occupation", "agreement"):  # NIK and agreement never cut
        table.add_column(t(f"registry.col.{col}", lang), no_wrap=col in ("nik", "agreement"), overflow="fold")
    for w in out.sample_workers:
        table.add_row(w.nik, escape(w.name), escape(w.desa), w.occupation, w.agreement or "-")
    p("")
    p(table)
    _print_next(out, try_next, lang)


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


def _billing_line(a: AgreementBilling, lang: str) -> None:
    states = ", ".join(t(f"demo.bills.{k}", lang, n=format_count(n, lang))
                       for k, n in (("paid", a.bills_paid), ("partial", a.bills_partial), ("unpaid", a.bills_unpaid))
                       if n)
    _say(t("demo.billing_line", lang, agreement=a.code, cycle=t(f"demo.cycle.{a.cycle_months}", lang),
           bills=format_count(a.bills, lang), states=states or "-", billed=rp(a.billed - a.cancelled),
           received=rp(a.received), outstanding=rp(a.outstanding)))
    extra = [t("demo.late", lang, cycle=x.cycle, paid_on=x.paid_on.isoformat(), due=x.due_date.isoformat())
             for x in a.late_payments]
    if a.credit:
        extra.append(t("demo.billing_credit", lang, amount=rp(a.credit)))
    if a.refunds:
        extra.append(t("demo.billing_refund", lang, amount=rp(a.refunds)))
    codes = [t(f"demo.code.{b.state}", lang, payment_code=b.payment_code, cycle=b.cycle, due=b.due_date.isoformat(),
               unpaid=rp(b.unpaid), months=format_count(b.unpaid_worker_months, lang),
               paid_on=b.payments[-1].paid_on.isoformat() if b.payments else "-")
             for b in a.shown]
    if codes:
        extra.append(t("demo.billing_codes", lang, codes="; ".join(codes)))
    if a.left_to_user:
        extra.append(t("demo.left_to_user", lang, agreement=a.code))
    for line in extra:
        _say(line, 2)


def _print_billing(money: BillingSummary, lang: str) -> None:
    p = out_console.print
    p("")
    p(f"[bold]{t('demo.billing_title', lang, date=format_date(money.as_of, lang))}[/bold]")
    for a in money.agreements:
        _billing_line(a, lang)
    death = money.death
    if death:
        _say(t("demo.death", lang, name=escape(death.name), nik=death.nik, agreement=death.agreement,
               died_on=death.died_on.isoformat(), months=death.contribution_months,
               amount=rp(death.refund if death.policy == "refund" else death.credit),
               policy=t(f"billing.policy.{death.policy}", lang)))
    w = money.worker
    if not w:
        return
    p("")
    title = t("demo.worker_title", lang, name=escape(w.name), nik=w.nik, occupation=getattr(w.occupation, lang),
              agreement=w.agreement)
    p(f"[bold]{title}[/bold]")
    for decision in (w.today, w.late_event):
        if decision is None:
            continue
        key = "coverage.protected" if decision.protected else "coverage.not_protected"
        _say(t(key, lang, who=escape(w.name), date=format_date(decision.at, lang)) + " " + t(
            f"coverage.reason.{decision.reason}", lang, month=decision.month,
            paid_on=decision.paid_on.isoformat() if decision.paid_on else "-", due=decision.due.isoformat(),
            event=decision.at.isoformat()), 2)
        if decision is w.today:
            until = w.protected_until
            _say((t("coverage.until", lang, date=format_date(until, lang)) if until
                  else t("coverage.until_none", lang))
                 + " " + t("coverage.masa_iur", lang, months=w.contribution_months, start=w.membership_start or "-"),
                 2)
            if w.arrears:
                _say(arrears_sentence(((a.month, a.payable_until) for a in w.arrears), lang), 2)


def _relationship(code: str | None, lang: str) -> str:
    found = relationships().get(code or "")
    return found.label(lang) if found else code or "-"


def _jkm_line(c: StoryClaim, lang: str) -> str:
    return t("demo.claim_jkm", lang, number=c.number, name=escape(c.name), nik=c.nik, agreement=c.agreement or "-",
             died_on=c.event_date.isoformat(), payee=escape(c.payee or "-"),
             relationship=_relationship(c.relationship, lang), officer=c.entered_by, approver=c.approved_by or "-",
             amount=rp(c.paid_amount or 0), paid_on=c.paid_on.isoformat() if c.paid_on else "-",
             bank=c.account_bank or "-", reference=escape(c.reference or "-"))


def _jkk_line(c: StoryClaim, lang: str) -> str:
    accident = c.accident
    waiting = ""
    if c.status in ("submitted", "verified") and c.due_on is not None:
        waiting = t("demo.claim_overdue" if c.overdue else "demo.claim_waiting", lang, due=c.due_on.isoformat())
    missing = ", ".join(claims_catalogue().label(code, lang) for code in c.documents_missing)
    return t("demo.claim_jkk", lang, number=c.number, name=escape(c.name), nik=c.nik,
             occupation=getattr(c.occupation, lang) if c.occupation else "-", agreement=c.agreement or "-",
             occurred_on=(accident.occurred_on if accident else c.event_date).isoformat(),
             hours=accident.hours_to_report if accident else "-", deadline=accident.deadline_hours if accident else "-",
             months=c.months or "-", status=t(f"claims.status.{c.status}", lang), waiting=waiting,
             missing=escape(missing) or "-")


def _print_claims(claims: StoryClaims, lang: str) -> None:
    if claims.jkm is None and claims.jkk is None:
        return
    out_console.print("")
    out_console.print(f"[bold]{t('demo.claims_title', lang)}[/bold]")
    if claims.jkm is not None:
        _say(_jkm_line(claims.jkm, lang))
    if claims.jkk is not None:
        _say(_jkk_line(claims.jkk, lang))


def _print_next(out: DemoRun, try_next: list[dict[str, Any]], lang: str) -> None:
    p = out_console.print
    p("")
    p(f"[bold]{t('demo.next', lang)}[/bold] {t('demo.next_hint', lang)}")
    worker = out.billing.worker
    if worker:
        _say(t("demo.next_synthetic", lang, nik=worker.full_nik_synthetic))
    width = max(out_console.width, 40)
    for group in try_next:
        title = t(f"demo.next.{group['group']}", lang)
        p(f"[bold]{title}[/bold]")
        if group["group"] == "users":
            _print_users(out.users, lang)
        for command in group["commands"]:
            for line in command_lines(command, width):
                p(line, markup=False, highlight=False, soft_wrap=True)


def _print_users(users: list[DemoUserRead], lang: str) -> None:
    _say(t("demo.users_hint", lang), 2)
    for u in users:
        scope = (t("demo.user_scope.sponsor", lang, sponsor=u.sponsor) if u.sponsor
                 else t("demo.user_scope.region", lang, region=u.region) if u.region else "")
        line = t("demo.user_line", lang, user=u.username, role=find_role(u.role).label(lang), scope=scope)
        _say("• " + line + ("" if u.active else t("demo.user_disabled", lang)), 2)


def next_commands(out: DemoRun, today: dt.date) -> list[dict[str, Any]]:
    """Commands that work on the demo data as it is now, with its real codes and numbers, acting as
    the demo's officer (the first line says so); then the demo's users, to act as another."""
    money = out.billing
    by_code = {a.code: a for a in money.agreements}
    groups: list[dict[str, Any]] = [{"group": "user", "commands": [f"export {ENV_USER}={ACTING}"]}]
    worker = money.worker
    if worker:
        nik = worker.full_nik_synthetic
        cov = [f"lindung coverage {nik}"]
        if worker.late_event:
            cov.append(f"lindung coverage {nik} --at {worker.late_event.at.isoformat()} --lang en")
        cov.append(f"lindung worker show {nik}")
        groups.append({"group": "coverage", "commands": cov})
    bills = [f"lindung bill {money.month}", "lindung billing statement", "lindung billing overdue",
             "lindung billing unpaid", f"lindung billing ending --days {money.ending_days} --out {ENDING_FILE}",
             f"lindung billing lapsing --days {money.lapsing_days}"]
    due = [b for code in (data.REGENCY_FARMERS, data.CSR_FISHERS, data.KADIN)
           if code in by_code for b in by_code[code].shown if b.state != "paid"]
    if due:
        bill = due[0]
        bills.append(f"lindung billing show {bill.payment_code}")
        reference = f"TRF-{bill.payment_code}-{len(bill.payments) + 1}"
        bills.append(f"lindung pay --code {bill.payment_code} --amount {format_count(bill.unpaid)} "
                     f"--reference {reference} --date {today.isoformat()}")
    late = [x for a in money.agreements for x in a.late_payments]
    receipt = late[0].receipt if late else money.first_receipt
    if receipt:
        bills.append(f"lindung billing receipt {receipt}")
    groups.append({"group": "billing", "commands": bills})
    story = out.claims
    filed: list[str] = []
    if story.jkm is not None:
        filed.append(f"lindung claim show {story.jkm.number}")
        if story.jkm.status in ("approved", "paid"):
            filed.append(f"lindung claim letter {story.jkm.number} --out {LETTER_FILE}")
    if story.jkk is not None:
        filed.append(f"lindung claim show {story.jkk.number}")
        if story.jkk.accident is not None:
            filed.append(f"lindung accident show {story.jkk.accident.id}")
        filed.append(f"lindung claim list --status {story.jkk.status}")
    if filed:
        groups.append({"group": "claims", "commands": filed})
    sim: list[str] = []
    kadin = next((a for a in out.agreements if a.code == data.KADIN), None)
    death = money.death
    if kadin:
        day = death.died_on.isoformat() if death else (
            f"{Month.parse(kadin.start) + data.DEATH_MONTHS_AFTER_START}-{data.DEATH_DAY:02d}")
        base = kadin.package.base
        sim.append(f"lindung simulate contribution --income {base} --month {day[:7]} --occupation ojek")
        if death:
            sim.append(f"lindung simulate benefit jkm --date {day} --contribution-months {death.contribution_months}")
        sim.append(f"lindung simulate benefit jkk-death --date {day} --income {base} --child sma:3")
    groups.append({"group": "simulate", "commands": sim})
    if out.import_open:
        agreement = f"--agreement {sample_file.AGREEMENT}"
        groups.insert(2, {"group": "import", "commands": [
            f"lindung demo --sample-file {SAMPLE_FILE}",
            f"lindung import workers {SAMPLE_FILE} {agreement} --check --refused-rows {REFUSED_FILE}",
            f"lindung import workers {SAMPLE_FILE} {agreement}",
            "lindung import list", "lindung worker find --needs-review"]})
    someone = next(iter(out.sample_workers), None)
    finding = ([f"lindung worker find {shlex.quote(someone.name)} --agreement {someone.agreement}"]
               if someone else [])
    waiting = any(a.code == data.RENEWAL and a.status == "draft" for a in out.agreements)
    approving = ([f"lindung approvals --by {data.SUPERVISOR}", f"lindung agreement show {data.RENEWAL}",
                  f"lindung agreement approve {data.RENEWAL} --version 1 --by {data.SUPERVISOR}"] if waiting else [])
    groups.append({"group": "registry", "commands": [
        "lindung agreement list", f"lindung agreement show {data.CSR_FISHERS} --lang en", *approving, *finding,
        f"lindung agreement workers {data.CSR_FISHERS} --out peserta-nelayan.csv",
        f"lindung import template --agreement {data.CSR_FISHERS} --out templat-nelayan.xlsx"]})
    groups.append({"group": "help", "commands": ["lindung --help", "lindung import workers --help --lang en"]})
    active = {u.username for u in out.users if u.active}
    others = [f"lindung agreement list --by {data.SPONSOR_STAFF}"] if data.SPONSOR_STAFF in active else []
    others += [f"lindung user list --by {data.ADMIN}"] if data.ADMIN in active else []
    groups.append({"group": "users", "commands": others})
    return [g for g in groups if g["commands"] or g["group"] == "users"]
