"""Regenerate the command reference in docs/cli.md from the help screens themselves.

    .venv/bin/python docs/make_cli_md.py

Runs ``lindung <command> --help --lang en`` for every group and command of the installed Lindung
(wide enough that Rich folds nothing) and writes what it prints, as Markdown, between the markers
``<!-- commands -->`` and ``<!-- /commands -->`` of docs/cli.md; the prose around them is left alone.
``--lang`` and ``--help``, which every command takes, are left out of each table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import typer

from lindung.cli import app

HERE = Path(__file__).resolve().parent
TARGET = HERE / "cli.md"
LINDUNG = Path(sys.executable).parent / "lindung"
START, END = "<!-- commands -->", "<!-- /commands -->"
COMMON = {"--lang", "--help"}


def command_paths() -> list[tuple[list[str], bool]]:
    """Every command's path from the root, with whether it is a group, in the help's own order."""
    found: list[tuple[list[str], bool]] = []

    def walk(command: object, path: list[str]) -> None:
        commands = getattr(command, "commands", None)
        found.append((path, commands is not None))
        for name, sub in (commands or {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def help_screen(path: list[str]) -> str:
    env = dict(os.environ, COLUMNS="1000", TERM="dumb", NO_COLOR="1")
    done = subprocess.run([str(LINDUNG), *path, "--help", "--lang", "en"], capture_output=True, text=True,
                          env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"lindung {' '.join(path)} --help --lang en exited {done.returncode}: {done.stderr}")
    return done.stdout


def parse(screen: str) -> tuple[str, list[str], list[tuple[str, list[str]]]]:
    """The usage line, the description's paragraphs, and each panel's title with its rows' text."""
    usage = ""
    paragraphs: list[str] = []
    panels: list[tuple[str, list[str]]] = []
    current: list[str] = []
    in_panel = False
    for raw in screen.splitlines():
        line = raw.strip()
        if line.startswith("Usage:"):
            usage = line.removeprefix("Usage:").strip()
        elif line.startswith("╭"):
            in_panel = True
            panels.append((line.strip("╭╮─ "), []))
        elif line.startswith("╰"):
            in_panel = False
        elif in_panel:
            panels[-1][1].append(line.strip("│").strip())
        elif usage and line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return usage, paragraphs, panels


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def anchor(path: list[str]) -> str:
    return "-".join(["lindung", *path])


def option_rows(kind: str, rows: list[str], path: list[str]) -> list[str]:
    out: list[str] = []
    for row in rows:
        required = row.startswith("* ")
        tokens = re.split(r"\s{2,}", row.removeprefix("* ").strip())
        name, rest = tokens[0], tokens[1:]
        if kind == "Arguments":
            metavar, meaning = rest[0], rest[-1]
            shown = f"`{{{name}}}`" if required else f"`[{name}]`"
        else:
            if name in COMMON:
                continue
            names = name.split(",")
            if rest and rest[0].startswith("-"):
                names.append(rest.pop(0))
            metavar = rest.pop(0) if len(rest) > 1 else ""
            meaning = rest[-1] if rest else ""
            shown = " / ".join(f"`{n}`" for n in names)
        if required and "[required]" not in meaning:
            meaning += " [required]"
        out.append(f"| {shown} | {cell(metavar)} | {cell(meaning)} |")
    missing = COMMON - {re.split(r"\s{2,}", r.removeprefix("* ").strip())[0] for r in rows}
    if kind == "Options" and missing:
        sys.exit(f"lindung {' '.join(path)}: no {', '.join(sorted(missing))}")
    return out


def command_rows(rows: list[str], path: list[str]) -> list[str]:
    out = []
    for row in rows:
        name, meaning = re.split(r"\s{2,}", row, maxsplit=1)
        out.append(f"| [`{name}`](#{anchor([*path, name])}) | {cell(meaning)} |")
    return out


def section(path: list[str]) -> str:
    usage, paragraphs, panels = parse(help_screen(path))
    level = "###" if len(path) <= 1 else "####"
    lines = [f"{level} `lindung {' '.join(path)}`" if path else "### `lindung`", ""]
    lines += ["```", usage, "```", ""]
    for paragraph in paragraphs:
        lines += [paragraph, ""]
    for title, rows in panels:
        if title in {"Arguments", "Options"}:
            body = option_rows(title, rows, path)
            if not body:
                continue
            header = "argument" if title == "Arguments" else "option"
            lines += [f"| {header} | value | meaning |", "|---|---|---|", *body, ""]
        else:
            lines += [f"| {title.lower()} | what it does |", "|---|---|", *command_rows(rows, path), ""]
    return "\n".join(lines)


def main() -> None:
    generated = "\n".join(section(path) for path, _ in command_paths())
    text = TARGET.read_text(encoding="utf-8")
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    if not rest:
        sys.exit(f"{TARGET}: no {START} marker")
    TARGET.write_text(f"{before}{START}\n\n{generated}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
