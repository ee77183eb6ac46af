"""``lindung user add|list|show|disable|enable|role|roles|password|token|tokens|revoke-token``."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape
from rich.table import Table

from lindung.kit import clock
from lindung.kit.dates import parse_date
from lindung.kit.db import unit_of_work
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import format_count, format_date, t
from lindung.terminal.app import LangOption, lang_of, out_console, print_json, stacked_header
from lindung.terminal.args import JsonOption
from lindung.terminal.work import actor_name, work
from lindung.users import credentials
from lindung.users import roles as role_catalogue
from lindung.users import service as users
from lindung.users.schemas import TokenRead, UserCreate, UserRead

app = typer.Typer(help="Pengguna, perannya, kata sandi dan token API.", no_args_is_help=True)

ByAdminOption = typer.Option(None, "--by", help="Administrator yang bertindak (bawaan: LINDUNG_USER).")
BySelfOption = typer.Option(None, "--by", help="Yang bertindak: pengguna itu sendiri, atau administrator "
                                               "(bawaan: LINDUNG_USER).")


def _role(code: str, lang: str) -> str:
    found = role_catalogue.catalogue().roles.get(code)
    return found.label(lang) if found is not None else code


def _scope(user: UserRead, lang: str) -> str:
    if user.sponsor:
        return t("user.scope_sponsor", lang, sponsor=user.sponsor)
    if user.region:
        return t("user.scope_region", lang, region=user.region)
    return ""


@app.command("add")
def user_add(
    username: str = typer.Argument(..., help="Nama pengguna, mis. ani.petugas (huruf kecil)."),
    role: str = typer.Option(..., "--role", help="Peran: administrator, officer, supervisor, sponsor, viewer."),
    name: str | None = typer.Option(None, "--name", help="Nama lengkap."),
    sponsor: str | None = typer.Option(None, "--sponsor", help="Kode sponsor (peran sponsor)."),
    region: str | None = typer.Option(None, "--region", help="Kode wilayah (peran viewer), mis. 32.16."),
    by: str | None = ByAdminOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Tambah pengguna.

    Pengguna pertama sebuah basis data adalah administratornya dan ditambahkan tanpa --by; sesudahnya
    pengguna ditambahkan oleh administrator.
    """
    lg = lang_of(lang)
    data = UserCreate(username=username, role=role, full_name=name, sponsor=sponsor, region=region)
    with unit_of_work() as s:
        # A database without users takes its first administrator from whoever runs the command.
        me = None if users.no_users_yet(s) else users.acting(s, actor_name(by))
        out = users.add_user(s, data, by=me)
    if json_out:
        print_json(out)
        return
    if me is None:
        out_console.print(t("user.first_added", lg, user=out.username))
        return
    out_console.print(t("user.added", lg, user=out.username, role=_role(out.role, lg), scope=_scope(out, lg)))


@app.command("list")
def user_list(by: str | None = ByAdminOption, json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Daftar pengguna."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        rows = users.list_users(w.session, by=w.actor)
    if json_out:
        print_json(rows)
        return
    table = Table(title=t("user.list_title", lg, n=format_count(len(rows), lg)), title_justify="left")
    table.add_column(t("user.col.username", lg), no_wrap=True)
    table.add_column(t("user.col.full_name", lg), overflow="fold", ratio=1)
    table.add_column(t("user.col.role", lg) + "\n" + t("user.col.scope", lg), overflow="fold", ratio=1)
    table.add_column(t("user.col.active", lg), no_wrap=True)
    for u in rows:
        table.add_row(escape(u.username), escape(u.full_name or "-"),
                      _role(u.role, lg) + _scope(u, lg), t("ui.yes" if u.active else "ui.no", lg))
    out_console.print(table)


@app.command("show")
def user_show(username: str = typer.Argument(..., help="Nama pengguna."), by: str | None = ByAdminOption,
              json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Seorang pengguna: peran, cakupan dan izinnya (siapa pun boleh melihat dirinya sendiri)."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        u = users.show_user(w.session, username, by=w.actor)
    if json_out:
        print_json(u)
        return
    permissions = role_catalogue.catalogue().permissions
    table = Table(show_header=False, title=escape(u.username), title_justify="left")
    table.add_column()
    table.add_column(overflow="fold")
    created = clock.format_time(u.created_at, lg) + (f" ({escape(u.created_by)})" if u.created_by else "")
    password = (t("user.password_since", lg, at=clock.format_time(u.password_changed_at, lg))
                if u.password_changed_at is not None else t("user.password_none", lg))
    rows = [("full_name", escape(u.full_name or "-")), ("role", _role(u.role, lg) + _scope(u, lg)),
            ("active", t("ui.yes" if u.active else "ui.no", lg)), ("created", created), ("password", password)]
    if u.locked_until is not None and u.locked_until > clock.now():
        rows.append(("locked", clock.format_time(u.locked_until, lg)))
    for key, value in (*rows,
                       ("permissions", "\n".join(f"{p} — {permissions[p].label(lg)}" for p in u.permissions))):
        table.add_row(t(f"user.col.{key}", lg), value)
    out_console.print(table)


@app.command("disable")
def user_disable(username: str = typer.Argument(..., help="Nama pengguna."), by: str | None = ByAdminOption,
                 json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Nonaktifkan pengguna: tidak dapat bertindak lagi; yang sudah dilakukannya tetap tercatat."""
    _set_active(username, False, by, json_out, lang)


@app.command("enable")
def user_enable(username: str = typer.Argument(..., help="Nama pengguna."), by: str | None = ByAdminOption,
                json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Aktifkan kembali pengguna yang dinonaktifkan."""
    _set_active(username, True, by, json_out, lang)


def _set_active(username: str, active: bool, by: str | None, json_out: bool, lang: str | None) -> None:
    lg = lang_of(lang)
    with work(by) as w:
        u = users.set_active(w.session, username, active, by=w.actor)
    if json_out:
        print_json(u)
        return
    out_console.print(t("user.enabled" if active else "user.disabled", lg, user=u.username))


@app.command("role")
def user_role(
    username: str = typer.Argument(..., help="Nama pengguna."),
    role: str = typer.Argument(..., help="Peran baru."),
    sponsor: str | None = typer.Option(None, "--sponsor", help="Kode sponsor (peran sponsor)."),
    region: str | None = typer.Option(None, "--region", help="Kode wilayah (peran viewer)."),
    by: str | None = ByAdminOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Ganti peran pengguna (dicatat di log audit)."""
    lg = lang_of(lang)
    with work(by) as w:
        changed = users.change_role(w.session, username, role, sponsor=sponsor, region=region, by=w.actor)
    if json_out:
        print_json(changed)
        return
    u = changed.user
    out_console.print(t("user.role_changed", lg, user=u.username, before=_role(changed.before, lg),
                        after=_role(u.role, lg), scope=_scope(u, lg)))


@app.command("roles")
def user_roles(json_out: bool = JsonOption, lang: str | None = LangOption) -> None:
    """Peran yang ada dan izin masing-masing."""
    lg = lang_of(lang)
    cat = users.roles()
    if json_out:
        print_json(cat.roles)
        return
    meaning = {p.code: (p.label.en if lg == "en" else p.label.id) for p in cat.permissions}
    table = Table(title=t("user.roles_title", lg), title_justify="left")
    table.add_column(t("user.col.role", lg) + "\n" + t("user.col.scope", lg), no_wrap=True)
    table.add_column(t("user.col.permissions", lg), overflow="fold", ratio=1)
    for r in cat.roles:
        label = r.label.en if lg == "en" else r.label.id
        table.add_row(f"{r.role}\n{label}\n[dim]{t('user.scope.' + r.scope, lg)}[/dim]",
                      "\n".join(f"{p} — {meaning[p]}" for p in r.permissions))
    out_console.print(table)


# --- passwords and API tokens (users/credentials.py) -----------------------------------------


def _read_password(from_stdin: bool, user: str, lang: str) -> str:
    """The new password: one line of standard input (its line end cut off), or typed twice at a prompt
    that does not show it. Never an argument: arguments show in the process list and the shell's history."""
    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    first = str(typer.prompt(t("user.password_prompt", lang, user=user), hide_input=True, err=True))
    again = str(typer.prompt(t("user.password_again", lang), hide_input=True, err=True))
    if first != again:
        raise InvalidInput("password", "", reason="password_mismatch")
    return first


@app.command("password")
def user_password(
    username: str = typer.Argument(..., help="Nama pengguna."),
    from_stdin: bool = typer.Option(False, "--stdin", help="Baca kata sandi dari satu baris masukan standar "
                                                           "(untuk skrip), bukan dari prompt."),
    by: str | None = BySelfOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Tetapkan kata sandi: milik sendiri, atau milik siapa pun oleh administrator.

    Kata sandi diketik dua kali tanpa ditampilkan (atau dibaca dengan --stdin), tidak pernah sebagai argumen.
    Paling sedikit 12 karakter, bukan nama pengguna, bukan kata sandi yang umum. Hitungan salah dan kunci akun
    dihapus; dicatat di log audit tanpa kata sandinya.
    """
    lg = lang_of(lang)
    with work(by, readonly=True) as w:  # who may, before anyone types a password
        target = users.show_user(w.session, username, by=w.actor)
    password = _read_password(from_stdin, target.username, lg)
    credentials.check_password(password, target.username)
    with work(by) as w:
        out = credentials.set_password(w.session, target.username, password, by=w.actor, now=clock.now())
    if json_out:
        print_json(out)
        return
    out_console.print(t("user.password_set", lg, user=out.username))


def _until(token: TokenRead, lang: str) -> str:
    return format_date(token.valid_through, lang)


@app.command("token")
def user_token(
    username: str = typer.Argument(..., help="Nama pengguna yang diwakili token."),
    name: str | None = typer.Option(None, "--name", help="Untuk apa token ini, mis. 'sistem keuangan Kadin' "
                                                         "(bawaan: token dan tanggal hari ini)."),
    expires: str | None = typer.Option(None, "--expires", help="Hari terakhir token berlaku, mis. 2027-03-31 "
                                                               "(bawaan: 90 hari lagi; paling lama setahun)."),
    by: str | None = BySelfOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Buat token API untuk integrasi: untuk diri sendiri, atau untuk siapa pun oleh administrator.

    Token bertindak sebagai penggunanya, dengan peran dan cakupannya. Rahasianya ditampilkan sekali ini saja;
    yang disimpan hanya hash-nya.
    """
    lg = lang_of(lang)
    last_day = parse_date(expires, "expires") if expires is not None else None
    now = clock.now()
    label = name if name is not None else f"token {now.date().isoformat()}"
    with work(by) as w:
        token, secret = credentials.create_token(w.session, username, name=label, expires=last_day, by=w.actor,
                                                 now=now)
    if json_out:
        print_json({"token": token, "secret": secret})
        return
    out_console.print(t("user.token_created", lg, id=token.id, prefix=token.prefix, user=token.user,
                        name=escape(token.name), until=_until(token, lg)))
    out_console.print(t("user.token_secret", lg), style="bold yellow")
    sys.stdout.flush()
    sys.stdout.write(secret + "\n")


@app.command("tokens")
def user_tokens(
    username: str | None = typer.Argument(None, help="Nama pengguna (bawaan: yang bertindak)."),
    all_users: bool = typer.Option(False, "--all", help="Token semua pengguna (administrator)."),
    by: str | None = BySelfOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Token API seorang pengguna: nomor, nama, awalan, masa berlaku, pemakaian terakhir, keadaan; rahasianya tidak."""
    lg = lang_of(lang)
    with work(by, readonly=True) as w:
        whose = None if all_users else (username or w.actor.username)
        rows = credentials.list_tokens(w.session, whose, by=w.actor, now=clock.now())
    if json_out:
        print_json(rows)
        return
    n = format_count(len(rows), lg)
    title = t("user.tokens_title_all", lg, n=n) if whose is None else t("user.tokens_title", lg, user=whose, n=n)
    table = Table(title=escape(title), title_justify="left")
    table.add_column(stacked_header("user.token_col", lg, "id", "prefix"), no_wrap=True)
    table.add_column(stacked_header("user.token_col", lg, "name", *(("user",) if whose is None else ())),
                     overflow="fold", ratio=1)
    table.add_column(stacked_header("user.token_col", lg, "until", "last_used"), no_wrap=True)
    table.add_column(t("user.token_col.status", lg), no_wrap=True)
    for r in rows:
        table.add_row(f"{r.id}\n{escape(r.prefix)}…", escape(r.name) + (f"\n{escape(r.user)}" if whose is None else ""),
                      _until(r, lg) + "\n" + (clock.format_stamp(r.last_used_at) if r.last_used_at else "-"),
                      t(f"user.token_status.{r.status}", lg))
    out_console.print(table)


@app.command("revoke-token")
def user_revoke_token(
    token_id: int = typer.Argument(..., help="Nomor token (lindung user tokens)."),
    by: str | None = BySelfOption,
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Cabut token API: sejak saat itu token ditolak (dicatat di log audit)."""
    lg = lang_of(lang)
    with work(by) as w:
        token = credentials.revoke_token(w.session, token_id, by=w.actor, now=clock.now())
    if json_out:
        print_json(token)
        return
    out_console.print(t("user.token_revoked", lg, id=token.id, prefix=token.prefix, user=token.user))
