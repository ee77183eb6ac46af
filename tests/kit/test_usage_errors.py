"""Typer's own usage errors — found before any command of ours runs — are said in Indonesian by
default and in English with ``--lang en``, with the command's usage and where its help is, exit code 2
and no traceback (terminal/usage_errors.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from lindung.terminal.app import run_app

# (arguments, the command whose usage is shown, Indonesian, English): each kind of usage error our commands can meet.
CASES = [
    (["worker", "show"], "worker show", "Argumen 'nik' wajib diisi.", "Missing argument 'nik'."),
    (["agreement", "add", "--code", "X"], "agreement add", "Opsi '--sponsor' wajib diisi.",
     "Missing option '--sponsor'."),
    (["audit", "--limit", "abc"], "audit", "Nilai tidak sah untuk '--limit': 'abc' bukan bilangan bulat.",
     "Invalid value for '--limit': 'abc' is not a whole number."),
    (["audit", "--limit", "1.5"], "audit", "Nilai tidak sah untuk '--limit': '1.5' bukan bilangan bulat.",
     "Invalid value for '--limit': '1.5' is not a whole number."),
    (["audit", "--limit", "0"], "audit", "Nilai tidak sah untuk '--limit': 0 terlalu kecil: paling sedikit 1.",
     "Invalid value for '--limit': 0 is too small: at least 1."),
    (["audit", "--limit", "20000"], "audit",
     "Nilai tidak sah untuk '--limit': 20000 terlalu besar: paling banyak 10000.",
     "Invalid value for '--limit': 20000 is too large: at most 10000."),
    (["worker", "show", "--nik", "1"], "worker show", "Opsi --nik tidak ada. Mungkin maksudnya: --unmask?",
     "No such option: --nik. Did you mean --unmask?"),
    (["audit", "--zzz"], "audit", "Opsi --zzz tidak ada.", "No such option: --zzz."),
    (["wrker"], "", "Perintah 'wrker' tidak ada. Mungkin maksudnya: 'worker'?",
     "No such command 'wrker'. Did you mean 'worker'?"),
    (["worker", "qqq"], "worker", "Perintah 'qqq' tidak ada.", "No such command 'qqq'."),
    (["audit", "extra", "more"], "audit", "Argumen berlebih yang tidak dikenali: extra more.",
     "Unexpected extra arguments: extra more."),
]


def _said(err: str) -> str:
    return " ".join(err.split())


@pytest.mark.parametrize(("args", "command", "indonesian", "english"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_each_usage_error_in_both_languages(
        cli: Any, args: list[str], command: str, indonesian: str, english: str) -> None:
    r = cli(*args)
    assert r.exit_code == 2, r.err
    assert _said(r.err).startswith(f"Galat: {indonesian} "), r.err
    assert "Traceback" not in r.err and r.stdout == ""
    command = f"lindung {command}".rstrip()
    assert f"Penggunaan: {command} " in r.err and f"Bantuan: {command} --help" in r.err, r.err

    en = cli(*args, "--lang", "en")
    assert en.exit_code == 2 and _said(en.err).startswith(f"Error: {english} "), en.err
    # The help it points to is asked for in English too.
    assert f"Usage: {command} " in en.err and f"Help: {command} --help --lang en" in en.err, en.err


def test_lang_also_written_with_an_equals_sign_or_taken_from_the_environment(
        cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _said(cli("worker", "show", "--lang=en").err).startswith("Error: Missing argument 'nik'.")
    monkeypatch.setenv("LINDUNG_LANG", "en")
    said = _said(cli("worker", "show").err)
    assert said.startswith("Error: Missing argument 'nik'.") and said.endswith("Help: lindung worker show --help")
    assert _said(cli("worker", "show", "--lang", "id").err).startswith("Galat: Argumen 'nik' wajib diisi.")


def test_an_option_without_its_value_or_a_flag_given_one(cli: Any) -> None:
    r = cli("audit", "--limit")
    assert r.exit_code == 2 and _said(r.err) == "Galat: Opsi '--limit' memerlukan nilai."
    r = cli("audit", "--json=1")
    assert r.exit_code == 2 and _said(r.err) == "Galat: Opsi '--json' tidak menerima nilai."
    r = cli("audit", "--json=1", "--lang", "en")
    assert r.exit_code == 2 and _said(r.err) == "Error: Option '--json' does not take a value."


def test_a_wrong_language_names_the_option(cli: Any) -> None:
    r = cli("audit", "--lang", "xx")
    assert r.exit_code == 2 and _said(r.err).startswith("Galat: Nilai tidak sah untuk '--lang': id atau en / id or en")


def test_help_and_a_group_without_its_command_keep_their_exit_codes(cli: Any) -> None:
    assert cli("--help").exit_code == 0
    shown = cli("worker")  # Typer prints the group's help and ends with 2, as before
    assert shown.exit_code == 2 and "Galat" not in shown.err and "show" in shown.stdout + shown.err


# Kinds no command of ours has today (a file opened by Typer, an argument of two values, an EOF at a
# prompt), on a small app through the same run_app.
small = typer.Typer(add_completion=False)


@small.command()
def pair(values: tuple[int, int] = typer.Argument(...), lang: str = typer.Option("id", "--lang")) -> None:
    typer.echo(sum(values))


@small.command()
def ask(lang: str = typer.Option("id", "--lang")) -> None:
    raise EOFError


@small.command()
def read(src: typer.FileText = typer.Argument(...), lang: str = typer.Option("id", "--lang")) -> None:
    typer.echo(src.read())


@small.command()
def leave(code: int = typer.Argument(...)) -> None:
    raise typer.Exit(code)


@small.command()
def interrupted() -> None:
    raise KeyboardInterrupt  # Ctrl-C


def test_the_other_kinds_on_a_small_app(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_app(small, ["pair", "1"]) == 2
    assert "Galat: Argumen 'values' memerlukan 2 nilai." in _said(capsys.readouterr().err)
    assert run_app(small, ["pair", "1", "x"]) == 2
    assert "Galat: Nilai tidak sah untuk 'values': 'x' bukan bilangan bulat." in _said(capsys.readouterr().err)
    assert run_app(small, ["pair", "1", "2"]) == 0 and capsys.readouterr().out == "3\n"
    assert run_app(small, ["ask"]) == 1 and "Dibatalkan." in capsys.readouterr().err
    assert run_app(small, ["ask", "--lang", "en"]) == 1 and "Aborted." in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)
    assert run_app(small, ["read", "nothing.csv"]) == 2
    said = _said(capsys.readouterr().err)
    assert said.startswith("Galat: Nilai tidak sah untuk 'src': 'nothing.csv'"), said
    assert run_app(small, ["leave", "7"]) == 7
    assert run_app(small, ["interrupted"]) == 130  # as a shell reports a process stopped by Ctrl-C
