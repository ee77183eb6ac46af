"""The administrator's pages in a real browser on both engines: a user added, given a password, and
signing in; an API token made (its secret shown once), working, and revoked; the audit log telling it.
Without a browser: the refusals of the users' and the audit log's forms, and who may open them."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.conftest import Web
from tests.web.support import page_client

pytestmark = pytest.mark.real_clock

NEW_PASSWORD = "kopi tubruk di pagi hari"


def test_an_administrator_adds_a_user_who_signs_in_and_a_token_is_made_and_revoked(web: Web) -> None:
    admin = web.as_("demo.admin")
    admin.goto("/pengguna")
    admin.check("users")
    admin.page.get_by_role("link", name="Tambah pengguna").click()
    admin.page.get_by_label("Nama pengguna").fill("Rina.Petugas")
    admin.page.get_by_label("Nama lengkap").fill("Rina Kusuma")
    admin.page.get_by_label("Peran").select_option("officer")
    admin.page.get_by_label("Kode sponsor").fill("KADIN")
    admin.page.get_by_role("button", name="Tambahkan").click()
    admin.page.locator(".field-error").first.wait_for()
    assert "kosongkan kode sponsor" in admin.text(), "an officer is bound to no sponsor"
    admin.check("users-new-refused")
    admin.page.get_by_label("Kode sponsor").fill("")
    with admin.page.expect_navigation():
        admin.page.get_by_role("button", name="Tambahkan").click()
    assert admin.page.url.endswith("/pengguna/rina.petugas")
    assert "Pengguna ditambahkan" in admin.text() and "belum punya kata sandi" in admin.text()

    admin.page.locator("#f-password").fill(NEW_PASSWORD)
    admin.page.locator("#f-repeat").fill(NEW_PASSWORD)
    with admin.page.expect_navigation():
        admin.page.get_by_role("button", name="Simpan kata sandi").click()
    assert "Kata sandi ditetapkan." in admin.text()
    assert NEW_PASSWORD not in admin.page.content(), "a password is never shown back"
    admin.check("user-page")

    rina = web.anonymous()
    rina.sign_in("rina.petugas", NEW_PASSWORD)
    assert "/masuk" not in rina.page.url and "Selamat datang, rina.petugas." in rina.text()

    admin.page.get_by_label("Nama token").fill("sistem laporan")
    admin.page.get_by_role("button", name="Buat token").click()
    admin.page.locator("#rahasia").wait_for()
    secret = admin.page.locator("#rahasia").input_value()
    assert re.fullmatch(r"lind_[A-Za-z0-9_-]{40,}", secret)
    admin.check("token-made")
    me = httpx.get(f"{web.live.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["username"] == "rina.petugas"
    admin.page.get_by_role("link", name="Sudah saya salin").click()
    admin.page.get_by_role("button", name="Cabut token sistem laporan").wait_for()
    assert secret not in admin.page.content(), "the secret is shown once, never again"
    with admin.page.expect_navigation():
        admin.page.get_by_role("button", name="Cabut token sistem laporan").click()
    assert "Token dicabut" in admin.text() and "dicabut" in admin.page.locator("table").inner_text()
    gone = httpx.get(f"{web.live.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert gone.status_code == 401

    supervisor = web.as_("demo.supervisor")
    supervisor.goto("/audit?subjek=")
    supervisor.page.get_by_label("Pengguna", exact=True).fill("demo.admin")
    supervisor.page.get_by_label("Tindakan").fill("auth.token")
    supervisor.page.get_by_role("button", name="Tampilkan").click()
    supervisor.page.wait_for_url(re.compile(r"tindakan=auth.token"))
    text = supervisor.page.locator("table").inner_text()
    assert 'token' in text and 'milik rina.petugas dicabut' in text and "untuk rina.petugas" in text
    assert secret[:20] not in supervisor.page.content()
    supervisor.check("audit")


def test_the_users_pages_refuse_bad_input_and_others(demo_app: object) -> None:
    with page_client(demo_app, "demo.admin") as admin:  # type: ignore[arg-type]
        answer = admin.post("/pengguna/baru", {"username": "Nama Salah!", "role": "officer"})
        assert answer.status_code == 422 and 'id="e-username">Nama pengguna tidak sah' in answer.text
        answer = admin.post("/pengguna/baru", {"username": "dewi.kadin", "role": "sponsor", "sponsor": "TIDAKADA"})
        assert answer.status_code == 422 and 'id="e-sponsor">Sponsor TIDAKADA tidak ditemukan' in answer.text
        answer = admin.post("/pengguna/baru", {"username": "demo.kadin", "role": "officer"})
        assert answer.status_code == 422 and "sudah ada" in answer.text
        answer = admin.post("/pengguna/demo.kadin/sandi", {"password": "pendek", "repeat": "pendek"})
        assert answer.status_code == 422 and 'id="e-password">Kata sandi terlalu pendek' in answer.text
        assert 'value="pendek"' not in answer.text, "a refused password is not shown back"
        answer = admin.post("/pengguna/demo.kadin/buka-kunci", {})
        assert answer.status_code == 422 and "tidak sedang terkunci" in answer.text
        answer = admin.post("/pengguna/demo.admin/nonaktifkan", {})
        assert answer.status_code == 422 and "administrator aktif terakhir" in answer.text
        answer = admin.post("/pengguna/demo.kadin/token", {"name": "x", "expires": "2030-02-30"})
        assert answer.status_code == 422 and 'id="e-expires">' in answer.text
        assert admin.get("/pengguna/tidak.ada").status_code == 404
        listed = admin.get("/pengguna")
        assert listed.status_code == 200 and "dewi.kadin" not in listed.text, "nothing refused was added"
    with page_client(demo_app, "demo.petugas") as officer:  # type: ignore[arg-type]
        for path in ("/pengguna", "/pengguna/baru", "/pengguna/demo.admin", "/audit"):
            assert officer.get(path).status_code == 403, path
        assert officer.post("/pengguna/baru", {"username": "x.y", "role": "officer"}).status_code == 403
        assert officer.get("/akun/token").status_code == 200, "anyone manages their own tokens"


def test_the_audit_log_says_a_bad_filter_by_its_field(demo_app: object) -> None:
    with page_client(demo_app, "demo.supervisor") as supervisor:  # type: ignore[arg-type]
        answer = supervisor.get("/audit", params={"dari": "2026-02-30", "subjek": "klaim satu"})
        assert answer.status_code == 422
        assert 'id="e-dari">Tanggal tidak valid' in answer.text and 'id="e-subjek">Subjek' in answer.text
        answer = supervisor.get("/audit", params={"dari": "2026-05-01", "sampai": "2026-04-01"})
        assert answer.status_code == 422 and 'id="e-sampai">Tanggal akhir 2026-04-01' in answer.text
        answer = supervisor.get("/audit", params={"subjek": "claim:1"})
        assert answer.status_code == 200 and "KL-2026-000001" in answer.text
    with page_client(demo_app, "demo.kadin") as kadin:  # type: ignore[arg-type]
        assert kadin.get("/audit").status_code == 403
