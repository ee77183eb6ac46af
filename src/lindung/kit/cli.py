"""Shared CLI plumbing: language option, one handler that turns domain errors into messages."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer
from rich.console import Console

from lindung.kit.errors import LindungError

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)


def default_lang() -> str:
    lang = os.environ.get("LINDUNG_LANG", "id").lower()
    return "en" if lang.startswith("en") else "id"


LangOption = typer.Option(None, "--lang", help="id (bawaan) atau en.", show_default=False)


def lang_of(value: str | None) -> str:
    if value is None:
        return default_lang()
    v = value.lower()
    if v not in {"id", "en"}:
        raise typer.BadParameter("id atau en / id or en")
    return v


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def run_app(app: typer.Typer, args: list[str] | None = None) -> int:
    """Run the Typer app; a LindungError becomes a message on stderr and its exit code."""
    lang = default_lang()
    argv = sys.argv[1:] if args is None else args
    if "--lang" in argv:
        i = argv.index("--lang")
        if i + 1 < len(argv):
            lang = "en" if argv[i + 1].lower().startswith("en") else "id"
    try:
        app(args=argv, prog_name="lindung")
    except LindungError as exc:
        label = "Error" if lang == "en" else "Galat"
        err_console.print(f"[bold red]{label}:[/] {exc.message(lang)}")
        return exc.exit_code
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
