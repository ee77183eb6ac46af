"""The menu: each section of the pages, its address, its label's message code and the permission that
shows it (the service checks again: a menu only hides what a person cannot use)."""

from __future__ import annotations

from dataclasses import dataclass

from lindung.kit.auth import Actor


@dataclass(frozen=True, slots=True)
class NavItem:
    path: str
    label: str
    permission: str | None
    unscoped: bool = False
    """Shown only to users without a sponsor or region scope (lists across every sponsor)."""
    current: bool = False
    hidden_from_viewers: bool = False
    """Not shown to a regional viewer (region scope), who reads aggregates of a region only."""


SECTIONS: tuple[NavItem, ...] = (
    NavItem("/", "page.nav.home", None),
    NavItem("/pekerja", "page.nav.workers", "worker.read"),
    NavItem("/perjanjian", "page.nav.agreements", "agreement.read"),
    NavItem("/impor", "page.nav.imports", "import.read"),
    NavItem("/tagihan", "page.nav.bills", "bill.read"),
    NavItem("/cakupan", "page.nav.coverage", "bill.read"),
    NavItem("/klaim", "page.nav.claims", "claim.read"),
    NavItem("/persetujuan", "page.nav.approvals", "agreement.approve", unscoped=True),
    NavItem("/dasbor", "page.nav.dashboard", "report.read"),
    NavItem("/dampak", "page.nav.impact", "report.read", hidden_from_viewers=True),
    NavItem("/target", "page.nav.targets", "target.write"),
    NavItem("/simulasi", "page.nav.simulator", None),
    NavItem("/rencana", "page.nav.planner", "plan.use"),
    NavItem("/audit", "page.nav.audit", "audit.read", unscoped=True),
    NavItem("/pengguna", "page.nav.users", "user.admin", unscoped=True),
)


def _current(section: str, path: str) -> bool:
    return path == "/" if section == "/" else path == section or path.startswith(section + "/")


def items(actor: Actor | None, path: str) -> list[NavItem]:
    """The sections ``actor`` may open (none before sign-in), the one ``path`` is in marked current."""
    if actor is None:
        return []
    shown = []
    for item in SECTIONS:
        if item.permission is not None and not actor.can(item.permission):
            continue
        if item.unscoped and not actor.scope.unlimited:
            continue
        if item.hidden_from_viewers and actor.scope.region_code is not None:
            continue
        shown.append(NavItem(item.path, item.label, item.permission, item.unscoped, _current(item.path, path),
                             item.hidden_from_viewers))
    return shown
