"""Help screens in the user's language: Indonesian first, English with ``--lang en``.

The help texts are written once, in Indonesian, where they belong (an option's ``help=``, a command's
docstring). ``help_en.yaml`` holds their English, paragraph by paragraph, keyed by the Indonesian
text, the way gettext keys a catalogue by its source strings (a YAML file like ``messages.yaml``
rather than gettext's compiled catalogues: one format of catalogue in the project, no build step).

``localise`` runs once per command line, before Typer parses it, on the Click command tree Typer
builds: every command's and option's help in the chosen language, each paragraph on one line (so the
terminal wraps it, not the source's line breaks), the type column (``TEKS``, ``ANGKA``, ``BERKAS``;
nothing for a flag) and the words Typer writes itself ("Usage", "Options", "[required]", the help
option's "Show this message and exit."), which Typer keeps as module constants of ``rich_utils`` and
Click as a formatter's default prefix. The help language follows the same choice as messages:
``--lang en`` on the command line, else ``LINDUNG_LANG``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from typing import Any

from typer import rich_utils
from typer._click import core as click_core
from typer._click import formatting as click_formatting

from lindung.kit.i18n import load_yaml, t

HELP_EN = "help_en.yaml"

# Typer's own words on a help screen, as message codes (both languages in messages.yaml).
_CHROME = {
    "ARGUMENTS_PANEL_TITLE": "help.arguments",
    "OPTIONS_PANEL_TITLE": "help.options",
    "COMMANDS_PANEL_TITLE": "help.commands",
    "REQUIRED_LONG_STRING": "help.required",
    "DEFAULT_STRING": "help.default",
    "ENVVAR_STRING": "help.envvar",
    "DEPRECATED_STRING": "help.deprecated",
}

# The type column: the kind of value an option takes, by the annotation Typer saw.
_TYPES = {"str": "help.type_text", "int": "help.type_number", "float": "help.type_number",
          "Path": "help.type_file", "list[str]": "help.type_text"}
# Values read as text (so that '302.400.000' or '17-05-1990' are taken as people write them) but
# meaning a number, a month or a date: by the parameter's name, which means the same in every command.
_KINDS = {
    **dict.fromkeys(("quota", "budget", "amount", "base", "months", "income", "percent", "function_loss",
                     "contribution_months", "billing_cycle", "version", "number"), "help.type_number"),
    **dict.fromkeys(("start", "from_month", "month", "last_month"), "help.type_month"),
    **dict.fromkeys(("date", "at", "on", "since", "until", "birth"), "help.type_date"),
    "nik": "help.type_nik",
    "out": "help.type_file",
}


@cache
def english() -> dict[str, str]:
    """Indonesian help paragraph -> its English."""
    entries = load_yaml(files("lindung.terminal").joinpath(HELP_EN).read_text(encoding="utf-8"))
    return {paragraph(entry["id"]): entry["en"] for entry in entries}


def paragraph(text: str) -> str:
    """A paragraph with its whitespace collapsed: the key it has in ``help_en.yaml``."""
    return " ".join(text.split())


def paragraphs(text: str) -> list[str]:
    """A help text's paragraphs (split at blank lines), each on one line."""
    return [paragraph(p) for p in inspect.cleandoc(text).split("\n\n") if p.strip()]


def translated(text: str | None, lang: str) -> str | None:
    """``text`` with each paragraph on one line and, in English, each paragraph's English (or the
    Indonesian, for a paragraph the catalogue lacks: the test of the catalogue keeps that from
    shipping)."""
    if not text:
        return text
    parts = paragraphs(text)
    if lang == "en":
        catalogue = english()
        parts = [catalogue.get(p, p) for p in parts]
    return "\n\n".join(parts)


def commands(command: Any) -> Iterator[Any]:
    """``command`` and every command under it."""
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from commands(sub)


def help_texts(root: Any) -> Iterator[str]:
    """Every help paragraph of the command tree (commands and their parameters), as written."""
    for command in commands(root):
        for text in (command.help, command.short_help, getattr(command, "rich_help_panel", None),
                     *(getattr(p, "help", None) for p in command.params)):
            if text:
                yield from paragraphs(text)


class _Formatter(click_formatting.HelpFormatter):
    """Click's formatter with the usage line's prefix in the help's language."""

    usage_prefix = "Usage: "

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, self.usage_prefix if prefix is None else prefix)


def _type_shown(param: Any, lang: str) -> str | None:
    if getattr(param, "is_flag", False):
        return None  # a flag takes no value: Typer's "<bool>" says nothing
    code = _KINDS.get(param.name) if param.bare_type() == "str" else None
    code = code or _TYPES.get(param.bare_type())
    return t(code, lang) if code else None


def localise(root: Any, lang: str) -> None:
    """Put the help of the Click command tree ``root`` (from ``typer.main.get_command``) and Typer's
    own words on a help screen in ``lang``."""
    for constant, code in _CHROME.items():
        setattr(rich_utils, constant, t(code, lang))
    _Formatter.usage_prefix = t("help.usage", lang) + " "
    click_core.Context.formatter_class = _Formatter
    for command in commands(root):
        command.options_metavar = t("help.options_metavar", lang)
        if hasattr(command, "subcommand_metavar"):
            command.subcommand_metavar = t("help.subcommand_metavar", lang)
        command.help = translated(command.help, lang)
        command.short_help = translated(command.short_help, lang)
        if getattr(command, "rich_help_panel", None):
            command.rich_help_panel = translated(command.rich_help_panel, lang)
        params = list(command.params)
        help_option = command.get_help_option(click_core.Context(command))
        if help_option is not None:
            help_option.help = t("help.help_option", lang)
            params.append(help_option)
        for param in params:
            param.help = translated(getattr(param, "help", None), lang)
            if hasattr(param, "bare_type"):
                shown = _type_shown(param, lang)
                # Typer asks each parameter for its type column; only the table changes, not the usage
                # line or how the value is read.
                param.display_type_rich = lambda ctx, shown=shown: shown
