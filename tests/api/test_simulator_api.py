"""The simulator over HTTP, on both engines: open to anyone without a token; the published amounts to
the rupiah (the figures of tests/simulator), each line with its arithmetic, law and label in the
reader's language; every bad input a 4xx problem document with the CLI's code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lindung.api.app import create_app
from tests.api.support import assert_problem
from tests.conftest import TestDatabase

CONTRIBUTION = "/api/v1/simulator/contribution"


def benefits(kind: str) -> str:
    return f"/api/v1/simulator/benefits/{kind}"


@pytest.fixture
def client(database: TestDatabase) -> Iterator[TestClient]:
    with TestClient(create_app(database.engine)) as c:
        yield c


def ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize(("body", "total"), [
    ({"month": "2025-11"}, 16_800),
    ({"month": "2025-11", "jht": True}, 36_800),
    ({"month": "2026-02", "occupation": "ojek"}, 8_400),
    ({"month": "2026-02", "occupation": "Tukang Ojek"}, 8_400),
    ({"month": "2026-05", "occupation": "petani", "funding": "apbd"}, 16_800),
    ({"month": "2026-04", "occupation": "petani"}, 8_400),
    ({"month": "2026-01", "months": 12, "funding": "kadin"}, 126_000),
    ({"month": "2026-01", "months": 12, "funding": "apbd"}, 201_600),
])
def test_a_contribution_to_the_rupiah_without_a_token(client: TestClient, body: dict[str, Any], total: int) -> None:
    out = ok(client.post(CONTRIBUTION, json={"income": 1_000_000, **body}))
    assert out["total"] == total
    assert sum(c["amount"] for c in out["components"] if c["code"] != "bracket") == total


def test_a_contribution_explains_each_line_in_the_reader_s_language(client: TestClient) -> None:
    body = {"income": 1_000_000, "month": "2026-01", "months": 12, "funding": "kadin"}
    out = ok(client.post(CONTRIBUTION, json=body))
    jkk = next(c for c in out["components"] if c["code"] == "jkk")
    assert (jkk["amount"], jkk["arithmetic"], jkk["label"]) == (120_000, "3 × Rp10.000 + 9 × Rp10.000", "Iuran JKK")
    assert "PP 44/2015" in jkk["reference"]
    assert [(r["from"], r["to"], r["months"]) for r in out["runs"]] == [("2026-01", "2026-03", 3),
                                                                        ("2026-04", "2026-12", 9)]
    assert len(out["per_month"]) == 12 and out["funding_label"] == "Kadin / asosiasi"
    english = ok(client.post(CONTRIBUTION, json=body, headers={"Accept-Language": "en"}))
    assert next(c for c in english["components"] if c["code"] == "jkk")["label"] == "JKK contribution"
    assert english["total"] == 126_000


@pytest.mark.parametrize(("kind", "body", "total", "extra"), [
    ("jkm", {"date": "2026-05-10"}, 42_000_000, {}),
    ("jkm", {"date": "2026-05-10", "contribution_months": 40, "children": ["sma:3"]}, 42_000_000,
     {"scholarship_this_year": 3_000_000, "scholarship_projected": 63_000_000}),
    ("jkk-death", {"date": "2026-05-10", "base": 1_000_000}, 70_000_000, {}),
    ("jkk-death", {"date": "2026-05-10", "income": 2_000_000}, 118_000_000, {}),
    ("jkk-disability-total", {"date": "2026-05-10", "base": 1_000_000, "children": ["pt:5"]}, 68_000_000,
     {"scholarship_projected": 12_000_000}),
    ("jkk-disability-partial", {"date": "2026-05-10", "income": 1_000_000, "percent": 10, "function_loss": "50"},
     4_000_000, {}),
    ("jkk-stmb", {"date": "2026-05-10", "base": 2_000_000, "months": 14}, 26_000_000, {}),
    ("scholarship", {"date": "2026-05-10", "cause": "jkm", "contribution_months": 36, "children": ["sma:3", "tk:1"]},
     0, {"scholarship_this_year": 4_500_000, "scholarship_projected": 150_000_000}),
])
def test_each_benefit_to_the_rupiah(client: TestClient, kind: str, body: dict[str, Any], total: int,
                                    extra: dict[str, int]) -> None:
    out = ok(client.post(benefits(kind), json=body))
    assert out["total"] == total
    for key, value in extra.items():
        assert out[key] == value, key
    assert all(c["arithmetic"] and c["reference"] and c["label"] for c in out["components"])


def test_jkk_death_lines_with_their_law(client: TestClient) -> None:
    out = ok(client.post(benefits("jkk-death"), json={"date": "2026-05-10", "base": 1_000_000},
                         headers={"Accept-Language": "en"}))
    lines = {c["code"]: (c["amount"], c["arithmetic"], c["label"]) for c in out["components"]}
    assert lines == {"jkk.death": (48_000_000, "60% × 80 × Rp1.000.000", "JKK death benefit"),
                     "jkk.funeral": (10_000_000, "Rp10.000.000", "Funeral cost"),
                     "jkk.periodic": (12_000_000, "24 × Rp500.000", "Periodic benefit (paid at once)")}


@pytest.mark.parametrize(("path", "body", "code", "field"), [
    (CONTRIBUTION, {"income": -5, "month": "2026-01"}, "invalid.income", "income"),
    (CONTRIBUTION, {"income": 10**18, "month": "2026-01"}, "invalid.too_large", "income"),
    (CONTRIBUTION, {"income": 1_000_000, "month": "2026-13"}, "invalid.month", "month"),
    (CONTRIBUTION, {"income": 1_000_000, "month": "2026-01", "occupation": "astronot"}, "invalid.occupation",
     "occupation"),
    (CONTRIBUTION, {"income": 1_000_000, "month": "2026-01", "funding": "apbx"}, "invalid.funding", "funding"),
    (CONTRIBUTION, {"income": 1_000_000, "month": "2026-01", "months": 0}, "invalid.months", "months"),
    (benefits("jkk-death"), {"date": "2026-05-10", "income": -1}, "invalid.income", "income"),
    (benefits("jkk-death"), {"date": "2026-05-10"}, "invalid.income_or_base", "income_or_base"),
    (benefits("jkk-death"), {"date": "2026-05-10", "income": 1, "base": 1}, "invalid.income_or_base",
     "income_or_base"),
    (benefits("jkk-death"), {"date": "2026-05-10", "income": 1_000_000, "children": ["sma:4"]},
     "invalid.level_year", "level"),
    (benefits("jkk-death"), {"date": "2026-05-10", "income": 1_000_000, "children": ["kuliah:1"]},
     "invalid.level", "level"),
    (benefits("jkk-death"), {"date": "2026-05-10", "income": 1_000_000, "children": ["sma"]}, "invalid.child",
     "child"),
    (benefits("jkk-disability-partial"), {"date": "2026-05-10", "base": 1_000_000, "percent": 120},
     "invalid.percent", "percent"),
    (benefits("jkk-stmb"), {"date": "2026-05-10", "base": 1_000_000, "months": -1}, "invalid.months", "months"),
    (benefits("scholarship"), {"date": "2026-05-10", "cause": "sakit", "children": ["sd:1"]}, "invalid.cause",
     "cause"),
    (benefits("jkm"), {"date": "2026-05-10", "percent": 10}, "invalid.benefit_field", "benefit_field"),
])
def test_bad_input_is_refused_with_the_cli_s_code(client: TestClient, path: str, body: dict[str, Any], code: str,
                                                 field: str) -> None:
    problem = assert_problem(client.post(path, json=body), 422, code)
    assert problem["errors"][0]["field"] == field
    assert problem["detail"]


def test_no_rule_before_the_law_is_a_problem_not_a_500(client: TestClient) -> None:
    answer = client.post(benefits("jkk-death"), json={"date": "2010-01-01", "base": 1_000_000})
    assert 400 <= answer.status_code < 500 and answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("path", "raw", "field"), [
    (CONTRIBUTION, '{"income": 1000000, "month": ', None),
    (CONTRIBUTION, '{"income": "satu juta", "month": "2026-01"}', "income"),
    (CONTRIBUTION, '{"month": "2026-01"}', "income"),
    (CONTRIBUTION, '{"income": true, "month": "2026-01"}', "income"),
    (CONTRIBUTION, '{"income": 1000000.5, "month": "2026-01"}', "income"),
    (CONTRIBUTION, '{"income": 1000000, "month": "2026-01", "astronot": true}', "astronot"),
    (benefits("jkm"), '{"date": "2026-02-30"}', "date"),
    (benefits("jkm"), '{"date": "2026-05-10", "children": "sma:3"}', "children"),
    (benefits("pensiun"), '{"date": "2026-05-10"}', "kind"),
    (benefits("jkk-disability-partial"), '{"date": "2026-05-10", "base": 1000000, "percent": "NaN"}', "percent"),
])
def test_a_request_the_api_cannot_read_is_422_with_its_field(client: TestClient, path: str, raw: str,
                                                            field: str | None) -> None:
    answer = client.post(path, content=raw, headers={"Content-Type": "application/json"})
    problem = assert_problem(answer, 422, "invalid_request")
    if field is None:  # malformed JSON: where it broke
        assert [e["code"] for e in problem["errors"]] == ["json_invalid"]
    else:
        assert field in [e["field"] for e in problem["errors"]], problem


def test_the_english_message(client: TestClient) -> None:
    answer = client.post(CONTRIBUTION, json={"income": 1_000_000, "month": "2026-13"},
                         headers={"Accept-Language": "en"})
    assert "Invalid month: '2026-13'" in assert_problem(answer, 422, "invalid.month")["detail"]
