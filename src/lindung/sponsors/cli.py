"""``lindung sponsor …`` and ``lindung agreement …``."""

from __future__ import annotations

import datetime as dt

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from lindung.enrolment import roster
from lindung.kit import clock
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import catalogue, format_count, t
from lindung.rules.catalogues import funding_source
from lindung.rules.money import rp
from lindung.rules.period import Month
from lindung.sponsors import amendments
from lindung.sponsors import service as sponsors
from lindung.sponsors.schemas import (
    DEFAULT_AFTER_DEATH,
    AgreementChanges,
    AgreementCreate,
    AgreementDetail,
    AgreementRead,
    AmendmentRead,
    DraftEdit,
    SponsorCreate,
    SponsorRead,
    SponsorUpdate,
)
from lindung.terminal.app import (
    ByOption,
    LangOption,
    OutOption,
    UnmaskOption,
    command_lines,
    lang_of,
    out_console,
    print_json,
    stacked_header,
    write_csv,
)
from lindung.terminal.args import JsonOption, int_arg, month_arg
from lindung.terminal.work import work

sponsor_app = typer.Typer(help="Sponsor.", no_args_is_help=True)
agreement_app = typer.Typer(help="Perjanjian kerja sama (MoU/PKS).", no_args_is_help=True)


@sponsor_app.command("add")
def sponsor_add(
    code: str = typer.Option(..., "--code", help="Kode sponsor, mis. KADIN."),
    name: str = typer.Option(..., "--name", help="Nama sponsor."),
    funding: str = typer.Option(
        ..., "--funding", help="Sumber dana: apbn, apbd, apbdes, csr, bank, kadin, sertakan, mandiri."),
    type_: str | None = typer.Option(None, "--type", help="Jenis sponsor (bawaan: dari sumber dana)."),
    by: str | None = typer.Option(None, "--by", help="Petugas yang mencatat."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Tambah sponsor."""
    lg = lang_of(lang)
    with work(by) as w:
        out = sponsors.add_sponsor(w.session, SponsorCreate(code=code, name=name, funding=funding, type=type_),
                                   by=w.actor)
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.sponsor_added", lg, sponsor=out.code, name=escape(out.name),
                        funding=funding_source(out.funding).label(lg)))


@sponsor_app.command("update")
def sponsor_update(
    code: str = typer.Argument(..., help="Kode sponsor."),
    name: str | None = typer.Option(None, "--name", help="Nama sponsor."),
    funding: str | None = typer.Option(
        None, "--funding", help="Sumber dana: apbn, apbd, apbdes, csr, bank, kadin, sertakan, mandiri."),
    type_: str | None = typer.Option(None, "--type", help="Jenis sponsor."),
    by: str | None = typer.Option(None, "--by", help="Petugas yang mengubah."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Perbaiki nama, sumber dana atau jenis sponsor (kodenya tetap).

    Perjanjian yang sudah ada tetap dengan sumber dananya; sumber dana sponsor menjadi bawaan perjanjian baru.
    Dicatat di log audit.
    """
    lg = lang_of(lang)
    with work(by) as w:
        out = sponsors.update_sponsor(w.session, code, SponsorUpdate(name=name, funding=funding, type=type_),
                                      by=w.actor)
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.sponsor_updated", lg, sponsor=out.code, name=escape(out.name),
                        funding=funding_source(out.funding).label(lg),
                        type=t(f"registry.sponsor_type.{out.type}", lg)))


@sponsor_app.command("show")
def sponsor_show(code: str = typer.Argument(..., help="Kode sponsor."), by: str | None = ByOption,
                 json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Sponsor dengan perjanjiannya dan pemakaian kuota serta anggaran."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        out = sponsors.show_sponsor(w.session, code, by=w.actor)
    if json_out:
        print_json(out)
        return
    tot = out.totals
    out_console.print(t("registry.sponsor_show", lg, sponsor=out.code, name=escape(out.name),
                        type=t(f"registry.sponsor_type.{out.type}", lg),
                        funding=funding_source(out.funding).label(lg)))
    if not out.agreements:
        out_console.print(t("registry.sponsor_no_agreements", lg, sponsor=out.code))
        return
    out_console.print(agreements_table(out.agreements, lg))
    out_console.print(t("registry.sponsor_totals", lg, open=tot.open_agreements,
                        enrolled=format_count(tot.enrolled, lg),
                        quota=format_count(tot.quota, lg), committed=rp(tot.committed),
                        budget=rp(tot.budget)))
    for code_pending in out.amendments_pending:
        out_console.print(t("registry.sponsor_amendment_pending", lg, agreement=code_pending))


@sponsor_app.command("list")
def sponsor_list(by: str | None = ByOption, json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Daftar sponsor."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        out: list[SponsorRead] = sponsors.list_sponsors(w.session, by=w.actor)
    if json_out:
        print_json(out)
        return
    table = Table(title=t("registry.sponsors", lg), title_justify="left")
    table.add_column(t("registry.col.code", lg), no_wrap=True)
    table.add_column(t("registry.col.name", lg), overflow="fold", ratio=1)
    table.add_column(stacked_header("registry.col", lg, "type", "funding"), overflow="fold", ratio=1)
    for x in out:  # the type over the funding source: whole on an 80-column terminal
        kind = t(f"registry.sponsor_type.{x.type}", lg)
        table.add_row(x.code, escape(x.name), f"{kind}\n{funding_source(x.funding).label(lg)}")
    out_console.print(table)


@agreement_app.command("add")
def agreement_add(
    code: str = typer.Option(..., "--code", help="Kode perjanjian, mis. KADIN-2026."),
    sponsor: str = typer.Option(..., "--sponsor", help="Kode sponsor."),
    quota: str = typer.Option(..., "--quota", help="Kuota pekerja."),
    budget: str = typer.Option(..., "--budget", help="Anggaran (rupiah)."),
    start: str = typer.Option(..., "--start", help="Bulan mulai, TTTT-BB."),
    months: str = typer.Option(..., "--months", help="Lama perlindungan (bulan)."),
    by: str | None = typer.Option(None, "--by", help="Petugas penyusun (maker; bawaan: LINDUNG_USER)."),
    income: str | None = typer.Option(None, "--income", help="Penghasilan yang dilaporkan (bawaan: terendah)."),
    jht: bool = typer.Option(False, "--jht", help="Tambah JHT."),
    funding: str | None = typer.Option(None, "--funding", help="Sumber dana (bawaan: sumber dana sponsor)."),
    billing_cycle: str | None = typer.Option(None, "--billing-cycle",
                                             help="Siklus tagihan dalam bulan (1, 3, 6, 12; bawaan 12)."),
    after_death: str = typer.Option(DEFAULT_AFTER_DEATH, "--after-death",
                                    help="Iuran bulan setelah peserta meninggal: refund atau credit."),
    occupation: list[str] | None = typer.Option(None, "--occupation", help="Pekerjaan sasaran (boleh berulang)."),
    region: list[str] | None = typer.Option(None, "--region", help="Wilayah sasaran (boleh berulang)."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Susun perjanjian (draf) dengan perkiraan biayanya."""
    lg = lang_of(lang)
    start_month = month_arg(start)
    assert start_month is not None
    data = AgreementCreate(
        code=code, sponsor=sponsor, quota=_req_int(quota, "quota"), budget=_req_int(budget, "budget"),
        start=start_month, months=_req_int(months, "months"), income=int_arg(income, "income"), jht=jht,
        funding=funding, billing_cycle=int_arg(billing_cycle, "billing_cycle_months"), after_death=after_death,
        target_occupations=tuple(occupation or ()), target_regions=tuple(region or ()))
    with work(by) as w:
        out = sponsors.draft_agreement(w.session, data, by=w.actor)
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.agreement_drafted", lg, agreement=out.code))
    render_agreement(out, lg)


@agreement_app.command("edit")
def agreement_edit(
    code: str = typer.Argument(..., help="Kode perjanjian."),
    by: str | None = typer.Option(None, "--by", help="Petugas yang mengubah (bawaan: LINDUNG_USER)."),
    sponsor: str | None = typer.Option(None, "--sponsor", help="Kode sponsor."),
    quota: str | None = typer.Option(None, "--quota", help="Kuota pekerja."),
    budget: str | None = typer.Option(None, "--budget", help="Anggaran (rupiah)."),
    start: str | None = typer.Option(None, "--start", help="Bulan mulai, TTTT-BB."),
    months: str | None = typer.Option(None, "--months", help="Lama perlindungan (bulan)."),
    income: str | None = typer.Option(None, "--income", help="Penghasilan yang dilaporkan."),
    lowest_income: bool = typer.Option(
        False, "--lowest-income", help="Tanpa penghasilan yang dilaporkan: paket kelompok terendah, seperti bawaan."),
    jht: bool | None = typer.Option(None, "--jht/--no-jht", help="Dengan atau tanpa JHT."),
    funding: str | None = typer.Option(None, "--funding", help="Sumber dana."),
    billing_cycle: str | None = typer.Option(None, "--billing-cycle",
                                             help="Siklus tagihan dalam bulan (1, 3, 6, 12)."),
    after_death: str | None = typer.Option(None, "--after-death",
                                           help="Iuran bulan setelah peserta meninggal: refund atau credit."),
    occupation: list[str] | None = typer.Option(
        None, "--occupation", help="Pekerjaan sasaran, mengganti daftarnya (boleh berulang)."),
    region: list[str] | None = typer.Option(
        None, "--region", help="Wilayah sasaran, mengganti daftarnya (boleh berulang)."),
    no_targets: bool = typer.Option(False, "--no-targets", help="Hapus semua sasaran (pekerjaan dan wilayah)."),
    version: str | None = typer.Option(
        None, "--version", help="Versi draf yang diperiksa (agreement show): ditolak bila draf diubah sesudahnya."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Ubah draf perjanjian sebelum disetujui: bidang apa pun selain kodenya.

    Diperiksa dan dihitung seperti agreement add (paket, kelompok penghasilan, perkiraan biaya) dan
    dicatat di log audit; yang mengubah draf tidak boleh menyetujuinya. Perjanjian yang sudah disetujui
    diubah lewat adendum (agreement amend).
    """
    lg = lang_of(lang)
    if no_targets and (occupation or region):
        raise InvalidInput("targets", "--no-targets + --occupation/--region")
    changes = AgreementChanges(
        sponsor=sponsor, quota=int_arg(quota, "quota"), budget=int_arg(budget, "budget"), start=month_arg(start),
        months=int_arg(months, "months"), income=int_arg(income, "income"), lowest_income=lowest_income, jht=jht,
        funding=funding, billing_cycle=int_arg(billing_cycle, "billing_cycle_months"), after_death=after_death,
        target_occupations=() if no_targets else (tuple(occupation) if occupation else None),
        target_regions=() if no_targets else (tuple(region) if region else None),
        version=int_arg(version, "version"))
    with work(by) as w:
        out = sponsors.edit_draft(w.session, code, changes, by=w.actor)
    if json_out:
        print_json(out)
        return
    fields = ", ".join(t(f"registry.edit_field.{name}", lg) for name in out.changed)
    out_console.print(t("registry.agreement_edited", lg, agreement=out.code, change=fields))
    render_agreement(out, lg)


def _req_int(value: str, field: str) -> int:
    parsed = int_arg(value, field)
    if parsed is None:
        raise InvalidInput(field, value)
    return parsed


@agreement_app.command("approve")
def agreement_approve(
    code: str = typer.Argument(..., help="Kode perjanjian."),
    by: str | None = typer.Option(None, "--by", help="Penyetuju (checker), bukan penyusun (bawaan: LINDUNG_USER)."),
    version: str | None = typer.Option(
        None, "--version", help="Versi draf yang diperiksa (agreement show): ditolak bila draf diubah sesudahnya."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Setujui perjanjian (orang kedua)."""
    lg = lang_of(lang)
    with work(by) as w:
        out = sponsors.approve(w.session, code, by=w.actor, version=int_arg(version, "version"))
    if json_out:
        print_json(out)
        return
    # What was approved, on the approver's screen: the figures their approval stands for.
    pkg = out.package
    package = t("registry.package", lg, base=rp(pkg.base), bracket=pkg.bracket or "-",
                jht=t("registry.with_jht" if pkg.jht else "registry.without_jht", lg))
    out_console.print(t("registry.agreement_approved", lg, agreement=out.code, version=out.version,
                        by=escape(out.approved_by or ""),
                        sponsor=escape(out.sponsor.name), start=out.start, end=out.end,
                        quota=format_count(out.quota, lg), budget=rp(out.budget), package=package))


@agreement_app.command("amend")
def agreement_amend(
    code: str = typer.Argument(..., help="Kode perjanjian."),
    quota: str | None = typer.Option(None, "--quota", help="Kuota baru (pekerja)."),
    budget: str | None = typer.Option(None, "--budget", help="Anggaran baru (rupiah)."),
    reference: str | None = typer.Option(None, "--reference", help="Nomor adendum, mis. 'Adendum I No. 12/PKS/2026'."),
    by: str | None = typer.Option(None, "--by", help="Pengusul (maker; bawaan: LINDUNG_USER)."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Ubah kuota/anggaran: draf langsung, yang sudah disetujui lewat adendum yang disetujui orang lain."""
    lg = lang_of(lang)
    with work(by) as w:
        out = amendments.amend(w.session, code, quota=int_arg(quota, "quota"), budget=int_arg(budget, "budget"),
                               reference=reference, by=w.actor)
    if json_out:
        print_json(out)
        return
    change = _change(out, lg)
    if out.status == "applied":
        out_console.print(t("registry.agreement_edited", lg, agreement=out.agreement, change=change))
    else:
        out_console.print(t("registry.amendment_proposed", lg, agreement=out.agreement, change=change, number=out.id,
                            expected=rp(out.estimate_expected_after)))


@agreement_app.command("amend-approve")
def agreement_amend_approve(
    code: str = typer.Argument(..., help="Kode perjanjian."),
    by: str | None = typer.Option(None, "--by", help="Penyetuju (checker), bukan pengusul (bawaan: LINDUNG_USER)."),
    number: str | None = typer.Option(
        None, "--number",
        help="Nomor adendum yang diperiksa (agreement show): ditolak bila yang menunggu adendum lain."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Setujui adendum yang diajukan (orang kedua)."""
    lg = lang_of(lang)
    with work(by) as w:
        out = amendments.approve(w.session, code, by=w.actor, number=int_arg(number, "number"))
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.amendment_approved", lg, agreement=out.agreement, change=_change(out, lg),
                        by=escape(out.decided_by or "")))


@agreement_app.command("amend-reject")
def agreement_amend_reject(
    code: str = typer.Argument(..., help="Kode perjanjian."),
    by: str | None = typer.Option(
        None, "--by", help="Petugas (pengusul boleh: menarik kembali; bawaan: LINDUNG_USER)."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Tolak atau tarik kembali adendum yang diajukan."""
    lg = lang_of(lang)
    with work(by) as w:
        out = amendments.reject(w.session, code, by=w.actor)
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.amendment_rejected", lg, agreement=out.agreement, by=escape(out.decided_by or "")))


def _change(m: AmendmentRead, lang: str) -> str:
    """'kuota 1.000 → 1.500, anggaran Rp201.600.000 → Rp302.400.000' (what changes only)."""
    parts = []
    if m.quota_after != m.quota_before:
        parts.append(t("registry.change.quota", lang, before=format_count(m.quota_before, lang),
                       after=format_count(m.quota_after, lang)))
    if m.budget_after != m.budget_before:
        parts.append(t("registry.change.budget", lang, before=rp(m.budget_before), after=rp(m.budget_after)))
    return ", ".join(parts)


@agreement_app.command("activate")
def agreement_activate(code: str = typer.Argument(..., help="Kode perjanjian."), by: str | None = ByOption,
                       json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Aktifkan perjanjian yang disetujui (dicatat di log audit)."""
    lg = lang_of(lang)
    with work(by) as w:
        out = sponsors.activate(w.session, code, by=w.actor)
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.agreement_status", lg, agreement=out.code, status=_status(out.status, lg)))


@agreement_app.command("end")
def agreement_end(code: str = typer.Argument(..., help="Kode perjanjian."), by: str | None = ByOption,
                  json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Akhiri perjanjian yang disetujui tetapi belum menanggung pekerja.

    Perjanjian yang menanggung pekerja diakhiri lewat billing end-agreement, yang mengakhiri kepesertaannya
    dan menyelesaikan tagihannya. Dicatat di log audit.
    """
    lg = lang_of(lang)
    with work(by) as w:
        out = sponsors.end_unused(w.session, code, by=w.actor)
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.agreement_status", lg, agreement=out.code, status=_status(out.status, lg)))


@agreement_app.command("show")
def agreement_show(code: str = typer.Argument(..., help="Kode perjanjian."), by: str | None = ByOption,
                   json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Rincian perjanjian."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        out = sponsors.show_agreement(w.session, code, by=w.actor)
    if json_out:
        print_json(out)
        return
    render_agreement(out, lg)


@agreement_app.command("withdraw")
def agreement_withdraw(
    code: str = typer.Argument(..., help="Kode perjanjian."),
    reason: str = typer.Option(..., "--reason", help="Mengapa draf ditarik, mis. 'sponsor batal'."),
    by: str | None = typer.Option(None, "--by", help="Petugas yang menarik (penyusun boleh; bawaan: LINDUNG_USER)."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Tarik draf perjanjian yang tidak akan disetujui.

    Draf itu tidak pernah berlaku, jadi tidak ada pekerja atau tagihan yang terkait. Kodenya tetap
    tercatat; siapa, kapan dan alasannya dicatat di log audit. Perjanjian yang sudah disetujui diakhiri
    lewat agreement end atau billing end-agreement.
    """
    lg = lang_of(lang)
    with work(by) as w:
        out = sponsors.withdraw(w.session, code, reason=reason, by=w.actor)
    if json_out:
        print_json(out)
        return
    gone = out.withdrawn
    assert gone is not None  # a withdrawn draft says who withdrew it
    out_console.print(t("registry.agreement_withdrawn", lg, agreement=out.code, by=escape(gone.by),
                        reason=escape(gone.reason)))


@agreement_app.command("workers")
def agreement_workers(
    code: str = typer.Argument(..., help="Kode perjanjian."),
    status: str = typer.Option("active", "--status", show_default=False,
                               help="Kepesertaan yang mana: aktif (bawaan), dibatalkan atau semua."),
    unmask: bool = UnmaskOption,
    by: str | None = ByOption,
    out: str | None = OutOption,
    lang: str | None = LangOption,
) -> None:
    """Pekerja yang ditanggung perjanjian (CSV)."""
    lg = lang_of(lang)
    # Read-only unless NIKs are unmasked: then the unmasking is audited, in the same transaction.
    with work(by, readonly=not unmask) as w:
        write_csv(roster.roster(w.session, code, status=status, unmask=unmask, by=w.actor), roster.ROSTER_LIST,
                  out, lg)


@agreement_app.command("list")
def agreement_list(sponsor: str | None = typer.Option(None, "--sponsor", help="Hanya sponsor ini."),
                   status: list[str] | None = typer.Option(
                       None, "--status", help="Hanya status ini: draft, approved, active, ended, withdrawn "
                                              "(atau draf, disetujui, aktif, berakhir, ditarik; boleh berulang)."),
                   by: str | None = ByOption, json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Daftar perjanjian dengan pemakaian kuota dan anggaran."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        out = sponsors.list_agreements(w.session, by=w.actor, sponsor=sponsor, statuses=status or ())
    if json_out:
        print_json(out)
        return
    out_console.print(agreements_table(out, lg))


def _status(status: str, lang: str) -> str:
    return t(f"registry.status.{status}", lang)


def agreements_table(rows: list[AgreementRead], lang: str) -> Table:
    """One agreement per row in four columns that fit an 80-column terminal: codes and amounts are
    never cut (people copy them), so each column stacks two short lines instead of folding words."""
    table = Table(title=t("registry.agreements", lang), title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column(stacked_header("registry.col", lang, "code", "sponsor"), no_wrap=True)
    table.add_column(stacked_header("registry.col", lang, "status", "period"), no_wrap=True)
    table.add_column(stacked_header("registry.col", lang, "quota_use"), justify="right", no_wrap=True)
    table.add_column(stacked_header("registry.col", lang, "committed", "budget"), justify="right", no_wrap=True)
    for a in rows:
        table.add_row(f"{a.code}\n[dim]{escape(a.sponsor.code)}[/dim]",
                      f"{_status(a.status, lang)}\n{a.start}–{a.end}",
                      f"{format_count(a.use.enrolled, lang)}/{format_count(a.quota, lang)}",
                      f"{rp(a.use.committed)}\n/ {rp(a.budget)}")
    return table


def render_agreement(a: AgreementDetail, lang: str) -> None:
    table = Table(show_header=False, title=f"{a.code} — {escape(a.sponsor.name)}", title_justify="left")
    table.add_column()
    table.add_column()
    pkg = a.package
    months = t("ui.months", lang)
    rows = [
        ("status", _status(a.status, lang)),
        ("funding", funding_source(a.funding).label(lang)),
        ("period", f"{a.start} – {a.end} ({a.months} {months})"),
        ("quota_use", f"{format_count(a.use.enrolled, lang)} / {format_count(a.quota, lang)}"),
        ("budget_use", f"{rp(a.use.committed)} / {rp(a.budget)}"),
        ("package", t("registry.package", lang, base=rp(pkg.base), bracket=pkg.bracket or "-",
                      jht=t("registry.with_jht" if pkg.jht else "registry.without_jht", lang))),
        ("billing_cycle", f"{pkg.billing_cycle_months} {months}"),
        ("after_death", t(f"registry.after_death.{pkg.after_death}", lang)),
        ("targets", ", ".join(a.targets.occupations + a.targets.regions) or "-"),
        ("estimate_list", t("registry.estimate_list", lang, quota=format_count(a.quota, lang),
                            price=rp(a.estimate.monthly_list_price or 0), months=a.months,
                            total=rp(a.estimate.list_price))),
        ("estimate_expected", rp(a.estimate.expected)),
        ("drafted_by", _by_at(a.drafted_by, a.drafted_at, lang)),
        ("approved_by", _by_at(a.approved_by, a.approved_at, lang) if a.approved_by and a.approved_at else "-"),
        ("version", str(a.version)),
    ]
    for e in a.edits:  # a draft changed after drafting: the checker sees it
        rows.append(("edited", f"{_by_at(e.by, e.at, lang)}: {_edit_change(e, lang)}"))
    if a.withdrawn is not None:  # after the changes, as it came
        rows.append(("withdrawn", f"{_by_at(a.withdrawn.by, a.withdrawn.at, lang)}: {a.withdrawn.reason}"))
    for m in a.amendments:
        rows.append(("amendment", t(f"registry.amendment_line.{m.status}", lang, number=m.id,
                                    change=_change(m, lang),
                                    reference=m.reference or "-",
                                    proposed=_by_at(m.proposed_by, m.proposed_at, lang),
                                    decided=_by_at(m.decided_by, m.decided_at, lang)
                                    if m.decided_by and m.decided_at else "")))
    for key, value in rows:
        table.add_row(t(f"registry.col.{key}", lang), escape(str(value)))
    out_console.print(table)
    if a.estimate.budget_shortfall:
        out_console.print(t("registry.budget_short", lang, budget=rp(a.budget),
                            expected=rp(a.estimate.expected), short=rp(a.estimate.budget_shortfall)))
    if a.status == "draft":  # how the checker approves what they just read
        out_console.print(t("registry.approve_hint", lang))
        command = f"lindung agreement approve {a.code} --version {a.version} --by {t('approvals.name', lang)}"
        for line in command_lines(command, max(out_console.width, 40)):
            out_console.print(line, markup=False, highlight=False, soft_wrap=True)


def _edit_change(edit: DraftEdit, lang: str) -> str:
    """A change of a draft in the reader's words: 'lama perlindungan 12 → 10; JHT tidak → ya'. An
    entry's text that is not field by field (written before 6 December 2026) stays as written."""
    def value(field: str, text: str) -> str:
        if text.isdigit() and field in ("budget", "income", "base"):
            return rp(int(text))
        if text.isdigit() and field == "quota":
            return format_count(int(text), lang)
        return {"True": t("ui.yes", lang), "False": t("ui.no", lang), "None": "-"}.get(text, text)

    parts = []
    for change in edit.changes:
        field, before, after = change.field, change.before, change.after
        if f"registry.edit_field.{field}" not in catalogue():
            parts.append(f"{field} {before} → {after}")
        elif before != after:  # an addendum of a draft names both quota and budget, changed or not
            parts.append(f"{t(f'registry.edit_field.{field}', lang)} {value(field, before)} → {value(field, after)}")
    if edit.text:
        parts.append(edit.text)
    return "; ".join(parts)


def _by_at(person: str, at: dt.datetime, lang: str) -> str:
    """'budi, 2 Desember 2026 09:14 WIB': who and when, in the branch's zone."""
    return f"{person}, {clock.format_time(at, lang)}"


def describe_month(index: int) -> str:
    return str(Month.from_index(index))
