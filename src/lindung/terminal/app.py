"""Shared CLI plumbing: language option, one handler that turns domain errors into messages."""

from __future__ import annotations

import csv
import json
import os
import shlex
import sys
import traceback
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape

from lindung.kit import clock
from lindung.kit.cells import inert
from lindung.kit.db import database_error, notices
from lindung.kit.errors import InvalidInput, LindungError
from lindung.kit.i18n import t
from lindung.kit.listing import CsvList
from lindung.kit.privacy import mask_niks_in_text
from lindung.terminal import help_language, usage_errors

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)


# The language of the command line being run (``--lang`` wherever it stands), set by ``run_app``.
_run_lang: ContextVar[str | None] = ContextVar("lindung_run_lang", default=None)


def default_lang() -> str:
    """The command line's ``--lang`` (also when given to a group: ``lindung --lang en worker show``),
    else ``LINDUNG_LANG``, else Indonesian."""
    chosen = _run_lang.get()
    return chosen if chosen is not None else environment_lang()


def environment_lang() -> str:
    """``LINDUNG_LANG``: ``en`` for English, anything else Indonesian."""
    lang = os.environ.get("LINDUNG_LANG", "id").lower()
    return "en" if lang.startswith("en") else "id"


LangOption = typer.Option(None, "--lang", help="Bahasa: id (bawaan) atau en.", show_default=False)

# The panels of ``lindung --help``, in the order an officer meets the work (their English is in
# terminal/help_en.yaml like every help text).
PANEL_REGISTRY = "Registri dan kepesertaan"
PANEL_BILLING = "Tagihan dan perlindungan"
PANEL_CLAIMS = "Klaim"
PANEL_OTHER = "Lainnya"


ByOption = typer.Option(None, "--by", help="Petugas (bawaan: LINDUNG_USER).")
OutOption = typer.Option(None, "--out", help="Tulis CSV ke berkas ini (bawaan: layar).")
UnmaskOption = typer.Option(False, "--unmask", help="NIK lengkap (dicatat di log audit).")


def group_options(ctx: typer.Context, lang: str | None = LangOption) -> None:
    # Registered as each command group's callback (lindung/cli.py), so that ``--lang`` is accepted
    # before the command too (``lindung --lang en --help``). run_app has read it from the command line
    # already; an unknown language is refused here as anywhere. A group given only ``--lang`` shows
    # its help, as it does given nothing. No docstring: a callback's would stand in for the group's help.
    if lang is not None:
        lang_of(lang)
    if ctx.invoked_subcommand is None:
        shown = ctx.get_help()  # Typer's rich help prints itself and returns nothing
        if shown:
            typer.echo(shown)
        raise typer.Exit(2)


def lang_of(value: str | None) -> str:
    if value is None:
        return default_lang()
    v = value.lower()
    if v not in {"id", "en"}:
        raise typer.BadParameter("id atau en / id or en", param_hint="'--lang'")
    return v


def stacked_header(prefix: str, lang: str, *cols: str) -> str:
    """A table column's header naming the facts stacked in its cells, one per line
    (``{prefix}.{col}`` messages): how the wide tables fit an 80-column terminal."""
    return "\n".join(t(f"{prefix}.{col}", lang) for col in cols)


def _plain(obj: Any) -> Any:
    """A use case's result as JSON values: a schema (pydantic) as its JSON form, lists and dicts of them too."""
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, list | tuple):
        return [_plain(item) for item in obj]
    if isinstance(obj, dict):
        return {key: _plain(value) for key, value in obj.items()}
    return obj


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(_plain(obj), ensure_ascii=False, indent=2, default=str) + "\n")


def _lang_in(argv: Sequence[str]) -> str:
    """The language the command line asks for (``--lang en`` or ``--lang=en``), else the default:
    known before Typer parses anything, so that its usage errors are said in it too."""
    lang = environment_lang()
    for i, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value is not None:
            lang = "en" if value.lower().startswith("en") else "id"
    return lang


def run_app(app: typer.Typer, args: list[str] | None = None) -> int:
    """Run the Typer app; a LindungError, or a usage error Typer finds before a command runs (a
    missing option, an unknown command, a word where a number goes), becomes a message on stderr in
    the user's language and its exit code. What the database layer notices meanwhile (a new database
    created, an old one left in ./data: ``kit.db.notices``) is said on stderr too, once each."""
    argv = sys.argv[1:] if args is None else args
    lang = _lang_in(argv)
    label = "Error" if lang == "en" else "Galat"
    chosen = _run_lang.set(lang)
    try:
        clock.zone()  # a wrong LINDUNG_TIMEZONE is said before any command runs
        command = typer.main.get_command(app)
        help_language.localise(command, lang)  # its help screens in the user's language
        with notices(lambda code, fields: err_console.print(escape(t(code, lang, **fields)))):
            result = command.main(args=argv, prog_name="lindung", standalone_mode=False)
    except LindungError as exc:
        err_console.print(f"[bold red]{label}:[/] {exc.message(lang)}")
        return exc.exit_code
    except usage_errors.Abort:
        err_console.print(t("usage.aborted", lang))
        return 1
    except usage_errors.ClickException as exc:
        if not usage_errors.is_help_shown(exc):
            err_console.print(f"[bold red]{label}:[/] {escape(usage_errors.usage_message(exc, lang))}")
            if isinstance(exc, usage_errors.UsageError):
                # English asked for on the command line only: the help it points to must ask for it too.
                suffix = " --lang en" if lang == "en" and environment_lang() != "en" else ""
                for line in usage_errors.usage_lines(exc, lang, help_suffix=suffix):
                    err_console.print(escape(line), style="dim")
        return exc.exit_code
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception as exc:
        # The database down, locked or misconfigured is said, not a traceback; anything else is a bug.
        said = database_error(exc)
        if said is None:
            return _internal_error(label, lang)
        err_console.print(f"[bold red]{label}:[/] {escape(said.message(lang))}")
        return said.exit_code
    finally:
        _run_lang.reset(chosen)
    # Without Typer's own error display a command's exit code (``typer.Exit``, ``--help``) comes back
    # as the value; commands themselves return nothing.
    return result if isinstance(result, int) else 0


INTERNAL_ERROR_EXIT = 70
"""Exit code of a bug of ours (sysexits' EX_SOFTWARE), apart from the codes of errors a user can mend."""


def _internal_error(label: str, lang: str) -> int:
    """A bug of ours, not something the user did: said as such, with the traceback for whoever
    mends it, but every NIK in it masked (a database's error repeats the row's values: "Key
    (nik)=(3216…) already exists"; engines hide the statement's parameters, ``kit.db``), since a
    traceback ends up in terminal logs and bug reports (UU 27/2022 PDP). The command's transaction
    was rolled back by its unit of work."""
    err_console.print(mask_niks_in_text(traceback.format_exc()), markup=False, highlight=False)
    err_console.print(f"[bold red]{label}:[/] {escape(t('internal_error', lang))}")
    return INTERNAL_ERROR_EXIT


def check_writable(path: str | os.PathLike[str] | None, option: str) -> None:
    """Refuse, before any work, a file a command could not write: its folder missing, the path a
    folder, or no permission (InvalidInput naming the option)."""
    if path is None:
        return
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise InvalidInput("out", str(path), reason="out_is_folder", option=option)
    if not folder.is_dir():
        raise InvalidInput("out", str(path), reason="out_no_folder", option=option, folder=str(folder))
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise InvalidInput("out", str(path), reason="out_denied", option=option)


def check_not_overwriting(outputs: dict[str, str | os.PathLike[str] | None],
                          inputs: Sequence[str | os.PathLike[str]] = ()) -> None:
    """Refuse, before any work, an output file (option -> path) that is one of the ``inputs`` or
    another output: writing it would destroy the sponsor's file, or one report would overwrite the
    other."""
    def same(a: Path, b: Path) -> bool:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()

    given = [(option, Path(path)) for option, path in outputs.items() if path is not None]
    for option, target in given:
        for source in map(Path, inputs):
            if same(target, source):
                raise InvalidInput("out", str(target), reason="out_is_input", option=option)
    for i, (option, target) in enumerate(given):
        for other, earlier in given[:i]:
            if same(target, earlier):
                raise InvalidInput("out", str(target), reason="out_twice", option=option, other=other)


@contextmanager
def _csv_target(out: str | None) -> Iterator[IO[str]]:
    if out is None:
        yield sys.stdout
        return
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        yield fh


def write_csv(rows: Iterable[dict[str, Any]], spec: CsvList, out: str | None, lang: str) -> int:
    """A list as CSV on the screen or into ``out`` (then says how many rows went there): headers and
    coded values in ``lang`` (``kit.listing``), identifiers and numbers as they are."""
    check_writable(out, "--out")
    n = 0
    with _csv_target(out) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(spec.headers(lang))
        for row in rows:
            writer.writerow([inert(value) for value in spec.cells(row, lang)])
            n += 1
    if out is not None:
        out_console.print(t("list.rows_written", lang, rows=n, file=out))
    return n


def command_lines(command: str, width: int) -> list[str]:
    """A shell command folded to ``width`` columns with backslash continuations, never inside an
    option and its value, so that it can be copied as it is shown."""
    tokens = shlex.split(command)
    parts: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i].startswith("--") and i + 1 < len(tokens) and not tokens[i + 1].startswith("--"):
            parts.append(shlex.join(tokens[i:i + 2]))
            i += 2
        else:
            parts.append(shlex.quote(tokens[i]))
            i += 1
    lines, current = [], "  " + parts[0]
    for part in parts[1:]:
        if len(current) + 1 + len(part) + 2 > width:
            lines.append(current + " \\")
            current = "      " + part
        else:
            current += " " + part
    return [*lines, current]
