"""The claims catalogue (``catalogue.yaml``): documents per claim type and rejection reasons, as data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from lindung.claims.models import CLAIM_TYPES
from lindung.rules.errors import ParameterError
from lindung.rules.params import strict_yaml

FILE = "claims/catalogue.yaml"


@dataclass(frozen=True)
class Catalogue:
    reference: str
    verified: bool
    documents: dict[str, dict[str, str]]
    required: dict[str, tuple[str, ...]]
    required_for_payee: dict[str, tuple[str, ...]]
    reject_reasons: dict[str, dict[str, str]]
    reason_references: dict[str, str]

    def reference_of(self, reason: str) -> str | None:
        return self.reason_references.get(reason)

    def label(self, code: str, lang: str) -> str:
        entry = self.documents.get(code) or self.reject_reasons.get(code)
        return entry.get(lang, entry["id"]) if entry else code

    def required_for(self, claim_type: str, payee_relationship: str | None) -> tuple[str, ...]:
        extra = self.required_for_payee.get(payee_relationship or "", ())
        return (*self.required[claim_type], *(c for c in extra if c not in self.required[claim_type]))


def _labels(data: object, key: str) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict) or not data:
        raise ParameterError(FILE, key, "expected a mapping of code: {id, en}")
    for code, entry in data.items():
        if not isinstance(entry, dict) or set(entry) != {"id", "en"} or not all(
                isinstance(v, str) and v for v in entry.values()):
            raise ParameterError(FILE, f"{key}.{code}", "expected {id: text, en: text}")
    return data


def parse(text: str) -> Catalogue:
    data = strict_yaml(text, FILE)
    if not isinstance(data, dict):
        raise ParameterError(FILE, "(top)", "expected a mapping")
    unknown = set(data) - {"reference", "verified", "note", "documents", "required", "required_for_payee",
                           "reject_reasons", "reason_references"}
    if unknown:
        raise ParameterError(FILE, ", ".join(sorted(unknown)), "unknown key")
    documents = _labels(data.get("documents"), "documents")
    reasons = _labels(data.get("reject_reasons"), "reject_reasons")

    def codes(value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise ParameterError(FILE, key, "expected a list of document codes")
        for c in value:
            if c not in documents:
                raise ParameterError(FILE, key, f"unknown document {c!r}")
        if len(set(value)) != len(value):
            raise ParameterError(FILE, key, "a document is named twice")
        return tuple(value)

    required_raw = data.get("required")
    if not isinstance(required_raw, dict) or set(required_raw) != set(CLAIM_TYPES):
        raise ParameterError(FILE, "required", f"expected a list for each claim type: {', '.join(CLAIM_TYPES)}")
    required = {t: codes(v, f"required.{t}") for t, v in required_raw.items()}
    payee_raw = data.get("required_for_payee") or {}
    if not isinstance(payee_raw, dict):
        raise ParameterError(FILE, "required_for_payee", "expected a mapping")
    for_payee = {r: codes(v, f"required_for_payee.{r}") for r, v in payee_raw.items()}
    reference = data.get("reference")
    if not isinstance(reference, str) or not reference:
        raise ParameterError(FILE, "reference", "missing")
    refs = data.get("reason_references") or {}
    if not isinstance(refs, dict) or not all(isinstance(v, str) and v for v in refs.values()):
        raise ParameterError(FILE, "reason_references", "expected a mapping of reason: reference")
    return Catalogue(reference, bool(data.get("verified", True)), documents, required, for_payee, reasons, refs)


@cache
def catalogue() -> Catalogue:
    return parse((resources.files("lindung") / "claims" / "catalogue.yaml").read_text(encoding="utf-8"))
