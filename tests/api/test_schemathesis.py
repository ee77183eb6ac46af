"""Schemathesis against ``/api/v1/openapi.json``, on SQLite and PostgreSQL, with an officer's token.

For every operation of the route table, ``EXAMPLES`` generated requests: valid ones, invalid ones
(wrong types, missing fields, values out of their ranges, in bodies, paths and queries), and valid ones
addressing the world's real resources (a real agreement, worker, bill, claim …). No answer may be a 5xx
or contradict the document: its status codes, content types and schemas.

One test per operation, so that pytest-xdist spreads them over the cores. The longer run (1.000
examples per operation) is ``bench/bench_schemathesis.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lindung.api.app import API_PREFIX, api_routes, create_app
from lindung.workers.refs import worker_ref
from tests.api.support import make_tokens
from tests.conftest import TestDatabase

EXAMPLES = 50
OPERATIONS = sorted(api_routes())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _world(database: TestDatabase) -> tuple[str, dict[str, str]]:
    """The officer's token, and the real resources' path values by ``resource.param``, in a world with
    two sponsors' agreements, a paid-up worker and a claim."""
    from tests.billing import factories as bf
    from tests.claims.factories import enrolled, new, paid_yearly

    with database.session() as s:
        bf.agreement(s)
        bf.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes")
        farmer = enrolled(s, occupation="petani", first="2026-01", name="Ujang Suparman",
                          heirs=[{"name": "Siti Aminah", "relationship": "spouse"}])
        paid_yearly(s, "2026-01", 1)
        claim = new(s, dt.date(2026, 11, 20), nik=farmer.nik, type="jkm", event_date="2026-11-02",
                    claimant={"name": "Siti Aminah", "relationship": "spouse"})
        token = make_tokens(s, ["ani"])["ani"]
        known = {"workers.ref": worker_ref(farmer.id), "agreements.code": "KADIN-2026", "sponsors.code": "KADIN",
                 "claims.number": claim.number, "users.username": "ani"}
    known["bills.code"] = str(database.scalar("SELECT payment_code FROM bills ORDER BY id LIMIT 1"))
    known["receipts.number"] = str(database.scalar("SELECT receipt_no FROM payments ORDER BY id LIMIT 1"))
    return token, known


def _real_path(path: str, known: dict[str, str]) -> dict[str, str] | None:
    """The path parameters of ``path`` naming the world's real resources, if it knows them all."""
    resource = path[len(API_PREFIX) + 1:].split("/")[0]
    names = PLACEHOLDER.findall(path)
    values = {name: known.get(f"{resource}.{name}") for name in names}
    if not names or any(v is None for v in values.values()):
        return None
    return {k: v for k, v in values.items() if v is not None}


_LOADED: dict[str, Any] = {}


def _schema(app: FastAPI) -> Any:
    """The OpenAPI document as schemathesis reads it, loaded once per process (it is the same for every
    app; loading it took seconds per operation), pointed at this test's ``app``."""
    if "schema" not in _LOADED:
        _LOADED["schema"] = schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", app)
    schema = _LOADED["schema"]
    schema.app = app
    return schema


@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_5xx_and_every_answer_matches_the_document(operation: str, database: TestDatabase) -> None:
    token, known = _world(database)
    app = create_app(database.engine)
    schema = _schema(app)
    method, path = operation.split(" ", 1)
    found = schema.find_operation_by_path(method.lower(), path)
    assert found is not None, f"{operation} is not in the OpenAPI document"
    strategies = [found.as_strategy(GenerationMode.POSITIVE), found.as_strategy(GenerationMode.NEGATIVE)]
    real = _real_path(path, known)
    if real is not None:
        strategies.append(found.as_strategy(GenerationMode.POSITIVE, path_parameters=real))
    headers = {"Authorization": f"Bearer {token}"}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(*strategies), lang=st.sampled_from(["id", "en"]))
    def run(case: schemathesis.Case, lang: str) -> None:
        case.call_and_validate(headers={**headers, "Accept-Language": lang}, checks=CHECKS)

    run()
