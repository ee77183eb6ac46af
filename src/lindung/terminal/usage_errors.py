"""Typer's own usage errors, said in the user's language.

A missing option, a mistyped command or option, a word where a number goes: Typer (through the Click
it vendors) raises these before any command of ours runs, with English text only. The non-negotiable
"bad input gets a clear error, in Indonesian (English available)" covers them too, so ``run_app``
runs Typer without its own error display and says them here, from the exception's fields (its
parameter, option name, suggestions, and for a value that did not convert, the pydantic error's type
and limits) rather than by translating English sentences. Three Click errors carry only their
sentence (an unknown command, no command, extra arguments); those are matched by pattern. Anything
else keeps Typer's English text behind our label, never a traceback.

Typer 0.29 vendors Click as the private ``typer._click``; the exception classes are imported from
there (the version is pinned in requirements.lock, and ``tests/kit/test_usage_errors.py`` runs every
kind, so an upgrade that moves them fails the tests rather than the users).
"""

from __future__ import annotations

import re
from typing import Any

from typer import Abort as Abort
from typer._click import exceptions as click_errors

from lindung.kit.i18n import t

ClickException = click_errors.ClickException
UsageError = click_errors.UsageError

_NO_SUCH_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.(?: Did you mean (?P<matches>.*)\?)?\Z", re.S)
_EXTRA_ARGS = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)\Z", re.S)
_ARG_NARGS = re.compile(r"Argument '(?P<name>.*)' takes (?P<n>\d+) values\.\Z", re.S)

# pydantic's error types for the values our options take (int, bool, a path, a string), each with
# the field of the error's context its message names.
_VALUE_ERRORS: dict[str, str | None] = {
    "int_parsing": None,
    "int_from_float": None,
    "int_type": None,
    "float_parsing": None,
    "bool_parsing": None,
    "greater_than_equal": "ge",
    "greater_than": "gt",
    "less_than_equal": "le",
    "less_than": "lt",
}


def _hint(exc: click_errors.BadParameter) -> str | None:
    """The parameter as Typer names it in its own message: ``'--limit'``, ``'NIK'``."""
    hint: Any = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint()
    if hint is None:
        return None
    if isinstance(hint, str):
        return hint
    return " / ".join(repr(h) for h in hint)


def _value_reason(exc: click_errors.BadParameter, lang: str) -> str:
    """Why a value was refused: from the pydantic error behind it when it is one we know."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
        except (IndexError, TypeError):
            first = None
        if first is not None and first.get("type") in _VALUE_ERRORS:
            kind = str(first["type"])
            limit_field = _VALUE_ERRORS[kind]
            limit = (first.get("ctx") or {}).get(limit_field) if limit_field else None
            return t(f"usage.value.{kind}", lang, value=first.get("input"), limit=limit)
    return exc.message


def usage_message(exc: click_errors.ClickException, lang: str) -> str:
    """The error, in ``lang``: what was wrong and, where Typer knows it, what was meant."""
    if isinstance(exc, click_errors.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        kind = kind if kind in ("option", "argument") else "parameter"
        return t(f"usage.missing_{kind}", lang, name=_hint(exc) or "")
    if isinstance(exc, click_errors.BadParameter):
        hint = _hint(exc)
        reason = _value_reason(exc, lang)
        if hint is None:
            return t("usage.bad_value", lang, reason=reason)
        return t("usage.bad_value_for", lang, name=hint, reason=reason)
    if isinstance(exc, click_errors.NoSuchOption):
        said = t("usage.no_such_option", lang, name=exc.option_name)
        if exc.possibilities:
            said += " " + t("usage.did_you_mean", lang, options=", ".join(sorted(exc.possibilities)))
        return said
    if isinstance(exc, click_errors.BadOptionUsage):
        key = "usage.option_takes_no_value" if "does not take a value" in exc.message else "usage.option_needs_value"
        return t(key, lang, name=exc.option_name)
    if isinstance(exc, click_errors.FileError):
        return t("usage.file_error", lang, name=exc.ui_filename, reason=exc.message)
    message = exc.message
    if m := _NO_SUCH_COMMAND.match(message):
        said = t("usage.no_such_command", lang, name=m["name"])
        if m["matches"]:
            said += " " + t("usage.did_you_mean", lang, options=m["matches"])
        return said
    if message == "Missing command.":
        return t("usage.missing_command", lang)
    if m := _EXTRA_ARGS.match(message):
        return t("usage.extra_arguments", lang, args=m["args"])
    if m := _ARG_NARGS.match(message):
        return t("usage.argument_nargs", lang, name=m["name"], n=m["n"])
    return exc.format_message()


def usage_lines(exc: click_errors.UsageError, lang: str, help_suffix: str = "") -> list[str]:
    """The command's usage and where its help is (``help_suffix`` after ``--help``: the language
    asked for), under the error, as Typer shows them."""
    ctx = exc.ctx
    if ctx is None:
        return []
    pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
    lines = [t("usage.usage", lang, usage=f"{ctx.command_path} {pieces}".rstrip())]
    if ctx.command.get_help_option(ctx) is not None:
        lines.append(t("usage.help", lang, command=f"{ctx.command_path} {ctx.help_option_names[0]}{help_suffix}"))
    return lines


def is_help_shown(exc: click_errors.ClickException) -> bool:
    """A group called without a command: Typer has already printed its help (exit code 2, nothing more)."""
    return isinstance(exc, click_errors.NoArgsIsHelpError)
