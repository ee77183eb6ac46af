"""Typed domain errors. Each carries a message code and its context; ``kit.i18n`` renders it in
Indonesian or English, and one handler per interface (CLI, HTTP) maps it to an exit code or status.
A business conflict is never a traceback.

The base classes the rules raise too (``LindungError``, ``InvalidInput``, ``ParameterError``,
``NoRuleInForce``) live in ``rules.errors``, the bottom layer; they are named here as well, so that
every other layer imports its errors from one place.
"""

from __future__ import annotations

from lindung.kit import i18n
from lindung.rules.errors import InvalidInput, LindungError, NoRuleInForce, ParameterError

__all__ = ["Conflict", "Forbidden", "InvalidInput", "LindungError", "NoRuleInForce", "NotFound", "ParameterError",
           "StatusError"]


class StatusError(LindungError):
    """An error whose ``status``/``wanted`` context are agreement statuses: shown in the reader's
    language ("disetujui"), not as codes ("approved")."""

    def message(self, lang: str = "id") -> str:
        context = self.shown_context(lang)
        for key in ("status", "wanted"):
            if key in context:
                context[key] = i18n.t(f"registry.status.{context[key]}", lang)
        return i18n.t(self.code, lang, **context)


class NotFound(LindungError):
    code = "not_found"
    exit_code = 3
    http_status = 404


class Conflict(LindungError):
    code = "conflict"
    exit_code = 4
    http_status = 409


class Forbidden(LindungError):
    """Whoever acts may not do this: not a known, active user, or one whose role lacks the permission
    (``kit.auth``). Nothing was done."""

    code = "forbidden"
    exit_code = 7
    http_status = 403
