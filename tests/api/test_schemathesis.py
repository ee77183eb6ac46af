"""Schemathesis against ``/api/v1/openapi.json``, on SQLite and PostgreSQL, with an officer's token:
for every operation of the route table, at least ``EXAMPLES`` generated requests (valid and invalid
bodies, parameters and values), and no answer may be a 5xx or contradict the document (its status
codes, content types and schemas). The world holds real data for the requests to reach: two sponsors'
agreements, an enrolled and paid-up worker, a claim.

One test per operation, so that pytest-xdist spreads them over the cores. The longer run (1.000
examples per operation) is ``bench/bench_schemathesis.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lindung.api.app import api_routes, create_app
from tests.api.support import make_tokens
from tests.conftest import TestDatabase

EXAMPLES = 50
OPERATIONS = sorted(api_routes())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _world(database: TestDatabase) -> str:
    """The officer's token, in a world with data to reach."""
    from tests.billing import factories as bf
    from tests.claims.factories import enrolled, new, paid_yearly

    with database.session() as s:
        bf.agreement(s)
        bf.agreement(s, "DESA-2026", sponsor="DESA", funding="apbdes")
        farmer = enrolled(s, occupation="petani", first="2026-01", name="Ujang Suparman",
                          heirs=[{"name": "Siti Aminah", "relationship": "spouse"}])
        paid_yearly(s, "2026-01", 1)
        new(s, dt.date(2026, 11, 20), nik=farmer.nik, type="jkm", event_date="2026-11-02",
            claimant={"name": "Siti Aminah", "relationship": "spouse"})
        return make_tokens(s, ["ani"])["ani"]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_5xx_and_every_answer_matches_the_document(operation: str, database: TestDatabase) -> None:
    token = _world(database)
    app = create_app(database.engine)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    method, path = operation.split(" ", 1)
    found = schema.find_operation_by_path(method.lower(), path)
    assert found is not None, f"{operation} is not in the OpenAPI document"
    headers = {"Authorization": f"Bearer {token}"}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=found.as_strategy(), lang=st.sampled_from(["id", "en"]))
    def run(case: schemathesis.Case, lang: str) -> None:
        case.call_and_validate(headers={**headers, "Accept-Language": lang}, checks=CHECKS)

    run()
