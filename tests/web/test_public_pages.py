"""The public checks in a real browser, as an anonymous visitor on the demo (both engines): a protected,
a lapsed and an unknown worker get answers of the same shape (the same headings and elements; only the
protected one names the worker, masked), the NIK never in the address nor shown whole; past the limit
of checks of one NIK the page says, in Indonesian, when to try again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from lindung.billing.coverage import protection_of
from lindung.kit import clock, throttle
from tests.conftest import TestDatabase
from tests.web.conftest import Visit, Web

pytestmark = pytest.mark.real_clock

UNKNOWN = "3216019905900999"
SHAPE = """() => Array.from(document.querySelectorAll('main *')).map(e => e.tagName + (e.id ? '#' + e.id : ''))
                 .join(' ')"""


def demo_workers(database: TestDatabase) -> tuple[tuple[str, dt.date, str], tuple[str, dt.date]]:
    """A protected worker (NIK, birth date, name) and a known worker not protected today, as
    ``billing.coverage.protection_of`` decides: one who lapsed where the demo has one today, else the
    demo's Kadin worker who died (every living demo worker is paid up to today)."""
    today = clock.today()
    protected: tuple[str, dt.date, str] | None = None
    lapsed: tuple[str, dt.date] | None = None
    with database.session(readonly=True) as s:
        pick = "SELECT w.id, w.nik, w.birth_date, w.name FROM workers w WHERE {} EXISTS " \
               "(SELECT 1 FROM worker_deaths d WHERE d.worker_id = w.id) ORDER BY w.id LIMIT 300"
        rows = [*s.execute(text(pick.format("NOT"))).all(), *s.execute(text(pick.format(""))).all()]
        for worker_id, nik, born, name in rows:
            if protected is not None and lapsed is not None:
                break
            born = born if isinstance(born, dt.date) else dt.date.fromisoformat(str(born))
            answer = protection_of(s, int(worker_id), at=today)
            if answer.protected and protected is None:
                protected = (str(nik), born, str(name))
            elif not answer.protected and lapsed is None:
                lapsed = (str(nik), born)
    assert protected is not None and lapsed is not None, "the demo has a protected and an unprotected worker"
    return protected, lapsed


def ask(visit: Visit, nik: str, born: dt.date) -> str:
    visit.page.locator("#f-nik").fill(nik)
    visit.page.locator("#f-birth_date").fill(born.isoformat())
    with visit.page.expect_navigation():
        visit.page.locator("form.form button[type=submit]").click()
    assert nik not in visit.page.url
    shape: str = visit.page.evaluate(SHAPE)
    return shape


def test_a_visitor_checks_three_workers_alike_and_meets_the_limit(web: Web, demo_database: TestDatabase) -> None:
    throttle.reset()
    (p_nik, p_born, p_name), (l_nik, l_born) = demo_workers(demo_database)
    visitor = web.anonymous()
    visitor.goto("/masuk")
    visitor.page.get_by_role("link", name="Cek kepesertaan").click()
    visitor.page.wait_for_url("**/cek")
    visitor.check("public-check-form")

    shapes = [ask(visitor, p_nik, p_born)]
    said = visitor.page.locator("#hasil .verdict").inner_text()
    masked = " ".join(w[0] + "*" * (len(w) - 1) for w in p_name.split())
    assert said.startswith(f"{masked} terlindungi sampai ")
    assert p_nik not in visitor.text() and p_name not in visitor.text()
    visitor.check("public-check-protected")

    shapes.append(ask(visitor, l_nik, l_born))
    assert visitor.page.locator("#hasil .verdict").inner_text() == "Tidak terlindungi."
    visitor.check("public-check-lapsed")
    shapes.append(ask(visitor, UNKNOWN, p_born))
    assert visitor.page.locator("#hasil .verdict").inner_text() == "Tidak terlindungi."
    assert visitor.page.locator("#hasil h2").all_inner_texts() == ["Hasil pemeriksaan"]
    assert shapes[0] == shapes[1] == shapes[2]

    for _ in range(4):  # the unknown NIK's 2nd … 5th check
        ask(visitor, UNKNOWN, p_born)
    ask(visitor, UNKNOWN, p_born)
    assert "Terlalu banyak pemeriksaan" in visitor.text() and "Coba lagi dalam" in visitor.text()
    assert visitor.page.locator("#hasil").count() == 0
    visitor.check("public-check-limit")

    visitor.goto("/cek-klaim")
    visitor.check("public-claim-form")
    throttle.reset()
