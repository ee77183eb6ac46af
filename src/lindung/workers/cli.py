"""``lindung worker add|update|show|find``: parse, one call of ``workers.service``, render."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from lindung.kit import clock
from lindung.kit.dates import parse_date
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import format_count, t
from lindung.rules.catalogues import relationships
from lindung.rules.money import rp
from lindung.terminal.app import LangOption, lang_of, out_console, print_json, stacked_header
from lindung.terminal.args import JsonOption, int_arg
from lindung.terminal.work import work
from lindung.workers import service as workers
from lindung.workers.schemas import HeirIn, WorkerCreate, WorkerRead, WorkerUpdate, Written

app = typer.Typer(help="Pekerja (peserta).", no_args_is_help=True)


def parse_heir(text: str) -> HeirIn:
    """'Siti Aminah:spouse' or 'Siti Aminah:spouse:3216…'."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise InvalidInput("heir", text)
    return HeirIn(name=parts[0], relationship=parts[1], nik=parts[2] if len(parts) == 3 and parts[2] else None)


@app.command("add")
def worker_add(
    nik: str = typer.Option(..., "--nik", help="NIK 16 digit."),
    name: str = typer.Option(..., "--name", help="Nama lengkap."),
    desa: str = typer.Option(..., "--desa", help=("Desa/kelurahan domisili: kode (bertitik atau tidak) atau nama, "
                                                  "mis. 'Sukamurni, Sukakarya[, Bekasi]'.")),
    occupation: str = typer.Option(..., "--occupation", help="Kode atau nama pekerjaan."),
    sex: str | None = typer.Option(None, "--sex", help="L atau P (harus sesuai NIK)."),
    birth: str | None = typer.Option(None, "--birth", help="Tanggal lahir (harus sesuai NIK)."),
    income: str | None = typer.Option(None, "--income", help="Penghasilan sebulan (bawaan: kelompok terendah)."),
    phone: str | None = typer.Option(None, "--phone", help="Nomor telepon."),
    heir: list[str] | None = typer.Option(None, "--heir", help="Ahli waris NAMA:HUBUNGAN[:NIK] (boleh berulang)."),
    different_person: bool = typer.Option(
        False, "--different-person",
        help="KTP sudah dicek: pekerja terdaftar bernama sama yang NIK-nya hanya beda 4 digit terakhir "
             "adalah orang lain."),
    by: str | None = typer.Option(None, "--by", help="Petugas yang mencatat."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Daftarkan pekerja."""

    lg = lang_of(lang)
    data = WorkerCreate(
        nik=nik, name=name, domicile=desa, occupation=occupation, sex=sex,
        birth_date=parse_date(birth, "birth_date") if birth else None, income=int_arg(income, "income"),
        phone=phone, heirs=tuple(parse_heir(h) for h in heir or ()), source="cli",
        different_person=different_person)
    with work(by) as w:
        out = workers.register(w.session, data, by=w.actor, today=clock.today())
    if json_out:
        print_json(out)
        return
    out_console.print(t("registry.worker_added", lg, nik=out.nik, name=escape(out.name)))
    if out.needs_review:
        out_console.print(t("registry.worker_review", lg))


@app.command("update")
def worker_update(
    nik: str = typer.Argument(..., help="NIK pekerja."),
    name: str | None = typer.Option(None, "--name", help="Nama lengkap."),
    desa: str | None = typer.Option(
        None, "--desa", help="Desa/kelurahan domisili: kode atau nama ('Sukamurni, Sukakarya')."),
    occupation: str | None = typer.Option(None, "--occupation", help="Kode atau nama pekerjaan."),
    income: str | None = typer.Option(None, "--income", help="Penghasilan sebulan."),
    phone: str | None = typer.Option(None, "--phone", help="Nomor telepon ('' menghapus)."),
    heir: list[str] | None = typer.Option(
        None, "--heir", help="Ahli waris NAMA:HUBUNGAN[:NIK], mengganti seluruh daftar (boleh berulang)."),
    no_heirs: bool = typer.Option(False, "--no-heirs", help="Hapus seluruh daftar ahli waris."),
    reviewed: bool = typer.Option(False, "--reviewed", help="Sudah diperiksa (KTP dicek): hapus tanda ⚑."),
    by: str | None = typer.Option(None, "--by", help="Petugas yang mengubah."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Perbarui data pekerja (bukan NIK)."""
    lg = lang_of(lang)
    if heir and no_heirs:
        raise InvalidInput("heir", "--heir + --no-heirs")
    heirs = tuple(parse_heir(h) for h in heir) if heir else (() if no_heirs else None)
    changes = WorkerUpdate(name=name, domicile=desa, occupation=occupation, income=int_arg(income, "income"),
                           phone=phone, heirs=heirs, reviewed=reviewed or None)
    with work(by) as w:
        out = workers.update(w.session, nik, changes, by=w.actor, today=clock.today())
    if json_out:
        print_json(out)
        return
    if out.changed:
        out_console.print(t("registry.worker_updated", lg, nik=out.nik, name=escape(out.name),
                            fields=", ".join(t(f"registry.col.{f}", lg).lower() for f in out.changed)))
    else:
        out_console.print(t("registry.worker_unchanged", lg, nik=out.nik, name=escape(out.name)))


@app.command("show")
def worker_show(
    nik: str = typer.Argument(..., help="NIK pekerja."),
    unmask: bool = typer.Option(False, "--unmask", help="Tampilkan NIK lengkap (dicatat di log audit)."),
    by: str | None = typer.Option(None, "--by", help="Siapa yang melihat (untuk log audit)."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Data pekerja; NIK disamarkan kecuali dengan --unmask."""
    lg = lang_of(lang)
    with work(by, readonly=not unmask) as w:
        out = workers.view(w.session, nik, unmask=unmask, by=w.actor)
    if json_out:
        print_json(out)
        return
    render_worker(out, lg)


@app.command("find")
def worker_find(
    text: str = typer.Argument("", help="Nama (setiap kata harus ada) atau 4–16 digit terakhir NIK."),
    region: str | None = typer.Option(None, "--region", help=("Wilayah: kode (tingkat apa pun) atau nama desa "
                                                              "'Sukamurni, Sukakarya'.")),
    agreement: str | None = typer.Option(None, "--agreement", help="Hanya peserta aktif perjanjian ini."),
    needs_review: bool = typer.Option(False, "--needs-review", help="Hanya yang bertanda ⚑ perlu diperiksa."),
    limit: int = typer.Option(50, "--limit", help="Paling banyak ditampilkan (1–1000)."),
    unmask: bool = typer.Option(False, "--unmask", help="Tampilkan NIK lengkap (dicatat di log audit)."),
    by: str | None = typer.Option(None, "--by", help="Siapa yang melihat (untuk log audit)."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Cari pekerja menurut nama, digit NIK, wilayah atau perjanjian.

    Untuk petugas yang punya nama dan desa tetapi tidak punya NIK, atau hanya NIK tersamar dari sebuah daftar.
    """
    lg = lang_of(lang)
    with work(by, readonly=not unmask) as w:
        out = workers.find(w.session, text, by=w.actor, region=region, agreement=agreement,
                           needs_review=needs_review, limit=limit, unmask=unmask)
    if json_out:
        print_json(out)
        return
    if not out.workers:
        out_console.print(t("registry.found_none", lg))
        if out.alike_partial:
            out_console.print(t("registry.alike_partial", lg, n=workers.ALIKE_SCAN_MAX))
        return
    title = t("registry.found_alike" if out.alike else "registry.found", lg, total=format_count(out.total, lg),
              shown=format_count(out.shown, lg))
    if out.alike_partial:
        out_console.print(t("registry.alike_partial", lg, n=workers.ALIKE_SCAN_MAX))
    table = Table(title=title, title_justify="left")
    # Two facts per column, one above the other, so that names, desa and codes stay whole on an
    # 80-column terminal.

    table.add_column(stacked_header("registry.find", lg, "nik", "sex_born"), no_wrap=True)
    table.add_column(stacked_header("registry.find", lg, "name", "desa"), overflow="fold", ratio=1)
    table.add_column(stacked_header("registry.find", lg, "occupation", "agreements"), overflow="fold", ratio=1)
    for row in out.workers:
        table.add_row(f"{row.nik}{' ⚑' if row.needs_review else ''}\n{row.sex} · {row.birth_date.isoformat()}",
                      f"{escape(row.name)}\n{escape(row.desa or row.desa_code)}",
                      f"{row.occupation}\n{', '.join(e.agreement for e in row.enrolments) or '-'}")
    out_console.print(table)


def registered_sentence(origin: Written, lang: str) -> str:
    """'10 Januari 2026 15:15 WIB oleh ani (import:kadin.csv)': who registered the worker, when (in
    the branch's zone, ``kit.clock``), from what."""
    when = clock.format_time(origin.at, lang)
    source = f" ({origin.source})" if origin.source else ""
    return t("registry.registered_value", lang, at=when, by=origin.by, source=source)


def render_worker(w: WorkerRead, lang: str) -> None:
    table = Table(show_header=False, title=escape(w.name), title_justify="left")
    table.add_column()
    table.add_column()
    occ = w.occupation
    rows = [
        ("nik", w.nik + (" ⚑ " + t("registry.review_short", lang) if w.needs_review else "")),
        ("sex", t(f"registry.sex.{w.sex}", lang)),
        ("birth_date", w.birth_date.isoformat()),
        ("domicile", f"{w.domicile.name}, {w.domicile.district} ({w.domicile.code})"),
        ("occupation", occ.label_en if lang == "en" else occ.label_id),
        ("income", t("registry.income_bracket", lang, income=rp(w.declared_income),
                     base=rp(w.income_bracket.base), bracket=w.income_bracket.number)),
        ("phone", w.phone or "-"),
        ("heirs", "; ".join(f"{h.name} ({relationships()[h.relationship].label(lang)})" for h in w.heirs) or "-"),
        ("enrolments", "; ".join(f"{e.agreement} {e.first}–{e.last} "
                                 f"({t('registry.enrolment_status.' + e.status, lang)})"
                                 for e in w.enrolments) or "-"),
        ("registered", registered_sentence(w.registered, lang)),
    ]
    for key, value in rows:
        table.add_row(t(f"registry.col.{key}", lang), escape(str(value)))
    out_console.print(table)
