"""Every page route says who may open it, and every route that changes something checks the form token:
a handler's dependencies include ``SignedIn`` or ``Visitor`` (whose non-GET requests are refused without
the session's token before the handler runs). Public pages are named here; any other is for signed-in
people only."""

from __future__ import annotations

from fastapi.routing import APIRoute

from lindung.web.app import PAGE_ROUTERS
from lindung.web.context import _signed_in, _visitor

PUBLIC = {"/masuk", "/bahasa", "/simulasi", "/cek", "/cek-klaim", "/kartu"}
"""Pages for anyone: signing in, the language switch, the benefit simulator (and what it computes), the
public coverage check and claim status, a membership card's verification page."""


def _routes() -> list[APIRoute]:
    return [r for router in PAGE_ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def _calls(route: APIRoute) -> set[object]:
    seen: set[object] = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        seen.add(dep.call)
        stack.extend(dep.dependencies)
    return seen


def test_every_page_route_knows_who_reads_it() -> None:
    routes = _routes()
    assert len(routes) >= 6
    for route in routes:
        calls = _calls(route)
        public = route.path in PUBLIC or any(route.path.startswith(p + "/") for p in PUBLIC - {"/masuk", "/bahasa"})
        if public:
            assert _visitor in calls or _signed_in in calls, f"{route.path}: neither SignedIn nor Visitor"
        else:
            assert _signed_in in calls, f"{route.path} is not in PUBLIC and does not ask for SignedIn"


def test_no_page_path_carries_a_nik_or_a_name() -> None:
    for route in _routes():
        for part in route.param_convertors:
            assert part not in {"nik", "name", "nama"}, f"{route.path}: personal data in an address"
