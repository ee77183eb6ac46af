"""Typed domain errors. Each carries a message code and its context; ``kit.i18n`` renders it in
Indonesian or English, and one handler per interface (CLI, HTTP) maps it to an exit code or status.
A business conflict is never a traceback.
"""

from __future__ import annotations

from typing import Any, ClassVar


class LindungError(Exception):
    """Base of every error a user may see. ``code`` names a message in kit/messages.yaml."""

    code: str = "error"
    exit_code: int = 1
    http_status: int = 400
    counts: ClassVar[tuple[str, ...]] = ()
    """Context fields that are counts (of workers, rows): grouped as the reader's language writes
    them, 1.000 or 1,000."""

    def __init__(self, code: str | None = None, **context: Any) -> None:
        if code is not None:
            self.code = code
        self.context = context
        super().__init__(f"{self.code}: {context}")

    def shown_context(self, lang: str) -> dict[str, Any]:
        """The context as the message shows it in ``lang``."""
        from lindung.kit.i18n import format_count

        context = dict(self.context)
        for key in self.counts:
            if isinstance(context.get(key), int):
                context[key] = format_count(context[key], lang)
        return context

    def message(self, lang: str = "id") -> str:
        from lindung.kit.i18n import t

        return t(self.code, lang, **self.shown_context(lang))


class StatusError(LindungError):
    """An error whose ``status``/``wanted`` context are agreement statuses: shown in the reader's
    language ("disetujui"), not as codes ("approved")."""

    def message(self, lang: str = "id") -> str:
        from lindung.kit.i18n import t

        context = self.shown_context(lang)
        for key in ("status", "wanted"):
            if key in context:
                context[key] = t(f"registry.status.{context[key]}", lang)
        return t(self.code, lang, **context)


class InvalidInput(LindungError):
    """A value given by a person is not acceptable: ``field`` names it, ``value`` repeats it.

    ``field`` is the code's name for the value (``paid_on``); a person never sees it. A message that
    says which value was wrong shows ``{field}`` as the label ``field.<name>`` of the catalogue, in
    the reader's language ("Tanggal bayar", "The payment date"); tests/kit/test_invalid_input_fields.py
    renders every field the code raises and fails on a name of ours in the text."""

    code = "invalid_input"
    exit_code = 2
    http_status = 422

    def __init__(self, field: str, value: object, reason: str | None = None, **context: Any) -> None:
        super().__init__(f"invalid.{field}" if reason is None else f"invalid.{reason}",
                         field=field, value=value, **context)

    def shown_context(self, lang: str) -> dict[str, Any]:
        from lindung.kit.i18n import catalogue, t

        context = super().shown_context(lang)
        label = f"field.{context.get('field')}"
        if label in catalogue():
            context["field"] = t(label, lang)
        return context


class NotFound(LindungError):
    code = "not_found"
    exit_code = 3
    http_status = 404


class Conflict(LindungError):
    code = "conflict"
    exit_code = 4
    http_status = 409


class ParameterError(LindungError):
    """A parameter file is broken. Not a user error: the message names file and key."""

    code = "parameter_error"
    exit_code = 5
    http_status = 500

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__("parameter_error", file=file, key=key, problem=problem)
        self.file, self.key, self.problem = file, key, problem

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.problem}"

    def message(self, lang: str = "id") -> str:
        return str(self)


class NoRuleInForce(LindungError):
    """A parameter has no value on the asked date (before its first value or after a null end)."""

    code = "no_rule_in_force"
    exit_code = 5
    http_status = 422
