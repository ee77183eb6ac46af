"""The frame of the pages in a real browser: sign-in, the lock after five wrong passwords, the form token,
the language switch, sign-out, one's own password; every page of it without a serious axe violation."""

from __future__ import annotations

import httpx
import pytest

from lindung.users import credentials
from tests.web.conftest import PASSWORDS, Web

pytestmark = pytest.mark.real_clock


def test_signing_in_reaching_home_and_signing_out(web: Web) -> None:
    visitor = web.anonymous()
    visitor.goto("/akun/sandi")
    assert "/masuk" in visitor.page.url and "lanjut=%2Fakun%2Fsandi" in visitor.page.url
    visitor.check("sign-in")
    visitor.sign_in("demo.petugas")
    assert visitor.page.url.endswith("/akun/sandi"), "sent back to where the person was going"
    cookies = {c["name"]: c for c in visitor.context.cookies()}
    session = cookies["lindung_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    visitor.goto("/")
    assert visitor.page.get_by_role("navigation", name="Menu utama").is_visible()
    visitor.check("home-officer")
    with visitor.page.expect_navigation():
        visitor.page.get_by_role("button", name="Keluar").click()
    assert "/masuk" in visitor.page.url
    assert "Anda sudah keluar." in visitor.text()
    visitor.goto("/")
    assert "/masuk" in visitor.page.url, "the session ended: the home page asks to sign in again"


def test_five_wrong_passwords_lock_the_account(web: Web) -> None:
    visitor = web.anonymous()
    for _ in range(credentials.MAX_FAILED_LOGINS):
        visitor.sign_in("demo.kadin", "salah-sekali-lagi-ya")
        assert "Gagal masuk" in visitor.text()
    visitor.check("sign-in-failed")
    visitor.sign_in("demo.kadin")  # the right password, now refused: the account is locked
    assert "/masuk" in visitor.page.url and "Gagal masuk" in visitor.text()
    with web.live.database.session() as s:
        locked = s.execute(credentials.User.__table__.select().where(
            credentials.User.username == "demo.kadin")).one()
    assert locked.locked_until is not None and locked.failed_logins == credentials.MAX_FAILED_LOGINS


def test_a_form_posted_without_its_token_is_refused(web: Web) -> None:
    officer = web.as_("demo.petugas")
    cookies = {c["name"]: c["value"] for c in officer.context.cookies()}
    with httpx.Client(base_url=web.live.url, cookies=cookies) as client:
        refused = client.post("/keluar", data={})
        wrong = client.post("/keluar", data={"csrf_token": "bukan-tanda-yang-benar"})
        anonymous = httpx.post(f"{web.live.url}/masuk", data={"username": "demo.petugas",
                                                               "password": PASSWORDS["demo.petugas"]})
    assert refused.status_code == 403 and "tanda formulirnya" in refused.text
    assert wrong.status_code == 403
    assert anonymous.status_code == 403, "even the sign-in form needs its token"
    officer.goto("/")
    assert "/masuk" not in officer.page.url, "the refused sign-out did not end the session"


def test_the_language_switch_shows_the_same_page_in_english_for_the_session(web: Web) -> None:
    officer = web.as_("demo.petugas")
    officer.goto("/akun/sandi")
    assert officer.page.locator("h1").inner_text() == "Ganti kata sandi"
    assert officer.page.locator("html").get_attribute("lang") == "id"
    with officer.page.expect_navigation():
        officer.page.get_by_role("button", name="English").click()
    assert officer.page.url.endswith("/akun/sandi")
    assert officer.page.locator("h1").inner_text() == "Change password"
    assert officer.page.locator("html").get_attribute("lang") == "en"
    officer.check("password-en")
    officer.goto("/")
    assert officer.page.get_by_role("navigation", name="Main menu").is_visible(), "kept for the session"


def test_changing_ones_password_keeps_what_was_typed_wrong_out_and_ends_other_sessions(web: Web) -> None:
    first, second = web.as_("demo.supervisor"), web.as_("demo.supervisor")
    first.goto("/akun/sandi")
    first.page.locator("#f-current").fill(PASSWORDS["demo.supervisor"])
    first.page.locator("#f-password").fill("pendek")
    first.page.locator("#f-repeat").fill("pendek")
    with first.page.expect_navigation():
        first.page.get_by_role("button", name="Simpan kata sandi").click()
    assert "12 karakter" in first.text()
    first.check("password-refused")
    new = "kebun-kopi-di-lereng-gunung"
    first.page.locator("#f-current").fill(PASSWORDS["demo.supervisor"])
    first.page.locator("#f-password").fill(new)
    first.page.locator("#f-repeat").fill(new)
    with first.page.expect_navigation():
        first.page.get_by_role("button", name="Simpan kata sandi").click()
    assert "Kata sandi Anda sudah diganti." in first.text()
    second.goto("/")
    assert "/masuk" in second.page.url, "the other session was ended"
    second.sign_in("demo.supervisor", new)
    assert "/masuk" not in second.page.url


def test_errors_are_pages_in_the_readers_language_never_a_traceback(web: Web) -> None:
    officer = web.as_("demo.petugas")
    answer = officer.goto("/tidak-ada-halaman-ini")
    assert answer.status == 404
    assert officer.page.locator("h1").inner_text() == "Tidak ditemukan"
    assert "Traceback" not in officer.text()
    officer.check("not-found")
