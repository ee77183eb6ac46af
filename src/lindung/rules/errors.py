"""The errors a user may see, at the bottom of Lindung's layers: the rules raise them, and every
other layer raises their subclasses (``kit.errors``).

Each error carries a message code and its context; the rules cannot render a message (the message
catalogues live in ``kit.i18n``, a layer above), so rendering goes through a seam that ``kit.i18n``
fills when it is imported (``install``): the rules stay pure and importable alone, and every door
(CLI, API, pages) gets the messages in the reader's language. Without it a message is its code and
context, which is what a rule's own test sees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

Translate = Callable[..., str]
"""``translate(code, lang, **fields) -> str``."""
ShowContext = Callable[["LindungError", str], dict[str, Any]]
"""``show(error, lang) -> context as the message shows it`` (counts grouped as the language writes them)."""


def _untranslated(code: str, lang: str, **fields: Any) -> str:
    detail = ", ".join(f"{k}={v}" for k, v in fields.items())
    return f"{code} ({detail})" if detail else code


def _as_given(error: LindungError, lang: str) -> dict[str, Any]:
    return dict(error.context)


_seam: dict[str, Any] = {"translate": _untranslated, "show": _as_given}


def install(translate: Translate, show: ShowContext) -> None:
    """Render messages with ``translate`` and ``show`` (``kit.i18n`` calls this once)."""
    _seam["translate"], _seam["show"] = translate, show


def translate(code: str, lang: str = "id", **fields: Any) -> str:
    """The message ``code`` through the installed catalogue."""
    text: str = _seam["translate"](code, lang, **fields)
    return text


class LindungError(Exception):
    """Base of every error a user may see. ``code`` names a message in kit/messages.yaml."""

    code: str = "error"
    exit_code: int = 1
    http_status: int = 400
    counts: ClassVar[tuple[str, ...]] = ()
    """Context fields that are counts (of workers, rows): grouped as the reader's language writes
    them, 1.000 or 1,000."""
    rupiah: ClassVar[tuple[str, ...]] = ()
    """Context fields that are amounts of rupiah (ints, as every error carries them): shown as
    Rp201.600.000 in both languages."""
    labels: ClassVar[dict[str, str]] = {}
    """Context fields that are codes with a label in the catalogue (field -> the label's prefix): shown
    as the label in the reader's language, where the catalogue has one."""

    def __init__(self, code: str | None = None, **context: Any) -> None:
        if code is not None:
            self.code = code
        self.context = context
        super().__init__(f"{self.code}: {context}")

    def shown_context(self, lang: str) -> dict[str, Any]:
        """The context as the message shows it in ``lang``."""
        shown: dict[str, Any] = _seam["show"](self, lang)
        return shown

    def message(self, lang: str = "id") -> str:
        return translate(self.code, lang, **self.shown_context(lang))


class InvalidInput(LindungError):
    """A value given by a person is not acceptable: ``field`` names it, ``value`` repeats it.

    ``field`` is the code's name for the value (``paid_on``); a person never sees it. A message that
    says which value was wrong shows ``{field}`` as the label ``field.<name>`` of the catalogue, in
    the reader's language ("Tanggal bayar", "The payment date"); tests/kit/test_invalid_input_fields.py
    renders every field the code raises and fails on a name of ours in the text."""

    code = "invalid_input"
    exit_code = 2
    http_status = 422
    labels: ClassVar[dict[str, str]] = {"field": "field."}

    def __init__(self, field: str, value: object, reason: str | None = None, **context: Any) -> None:
        super().__init__(f"invalid.{field}" if reason is None else f"invalid.{reason}",
                         field=field, value=value, **context)


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
