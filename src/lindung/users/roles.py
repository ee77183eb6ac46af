"""The roles catalogue (``roles.yaml``): named permissions and roles as named sets of them, read
strictly (an unknown key, a role including a role that does not exist or itself, a permission not
in the list: each fails naming the role)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lindung.kit.errors import InvalidInput, ParameterError
from lindung.kit.i18n import load_yaml

CATALOGUE = "roles.yaml"
SCOPES = ("none", "sponsor", "region")


@dataclass(frozen=True, slots=True)
class Role:
    code: str
    label_id: str
    label_en: str
    scope: str
    """``none``, ``sponsor`` (bound to one sponsor) or ``region`` (bound to one region)."""
    permissions: frozenset[str]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_id


@dataclass(frozen=True, slots=True)
class Permission:
    code: str
    label_id: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_id


@dataclass(frozen=True, slots=True)
class Catalogue:
    permissions: dict[str, Permission]
    roles: dict[str, Role]


def _parse(data: Any) -> Catalogue:
    if not isinstance(data, dict) or set(data) != {"reference", "permissions", "roles"}:
        raise ParameterError(CATALOGUE, "(top)", "expected keys reference, permissions and roles")
    permissions: dict[str, Permission] = {}
    for code, labels in data["permissions"].items():
        if not isinstance(labels, dict) or set(labels) != {"id", "en"}:
            raise ParameterError(CATALOGUE, f"permissions.{code}", "expected id and en")
        permissions[code] = Permission(code, str(labels["id"]), str(labels["en"]))
    raw = data["roles"]
    roles: dict[str, Role] = {}

    def build(code: str, seen: tuple[str, ...]) -> Role:
        if code in roles:
            return roles[code]
        entry = raw.get(code)
        where = f"roles.{code}"
        if not isinstance(entry, dict) or not {"id", "en", "scope", "permissions"} <= set(entry) or not set(
                entry) <= {"id", "en", "scope", "permissions", "includes"}:
            raise ParameterError(CATALOGUE, where, "expected id, en, scope, permissions and optionally includes")
        if entry["scope"] not in SCOPES:
            raise ParameterError(CATALOGUE, where, f"scope must be one of {', '.join(SCOPES)}")
        granted = set(entry["permissions"] or ())
        for other in entry.get("includes") or ():
            if other in seen or other == code:
                raise ParameterError(CATALOGUE, where, f"includes {other}, which includes it")
            if other not in raw:
                raise ParameterError(CATALOGUE, where, f"includes {other}, which is no role")
            granted |= build(other, (*seen, code)).permissions
        unknown = sorted(granted - set(permissions))
        if unknown:
            raise ParameterError(CATALOGUE, where, f"unknown permission {unknown[0]}")
        role = Role(code, str(entry["id"]), str(entry["en"]), entry["scope"], frozenset(granted))
        roles[code] = role
        return role

    for code in raw:
        build(code, ())
    return Catalogue(permissions, {code: roles[code] for code in raw})


@cache
def catalogue() -> Catalogue:
    return _parse(load_yaml(resources.files("lindung.users").joinpath(CATALOGUE).read_text(encoding="utf-8")))


def role(code: str) -> Role:
    """A role by its code or either label, any case; InvalidInput naming the roles otherwise."""
    wanted = " ".join(str(code).split()).casefold()
    for found in catalogue().roles.values():
        if wanted in (found.code, found.label_id.casefold(), found.label_en.casefold()):
            return found
    raise InvalidInput("role", code, known=", ".join(catalogue().roles))
