"""Help screens in one language at a time: Indonesian by default, English with ``--lang en`` or
``LINDUNG_LANG=en`` — the help texts, and the words Typer writes itself (terminal/help_language.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.main import get_command

from lindung.cli import app
from lindung.terminal import help_language

TYPER_ENGLISH = ("Usage:", "Options", "Arguments", "Commands", "[required]", "Show this message and exit",
                 "<bool>", "<str>", "<path>")


def _words(text: str) -> str:
    """The text without the panels' borders, its whitespace collapsed."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_every_help_text_has_its_english_and_every_english_entry_is_used() -> None:
    root = get_command(app)
    texts = set(help_language.help_texts(root))
    catalogue = help_language.english()
    assert len(texts) > 150  # the walk reaches every command and option
    assert sorted(t for t in texts if t not in catalogue) == []
    assert sorted(t for t in catalogue if t not in texts) == []
    # Each text is written in one language: the old "Indonesian / English" pairs are gone.
    assert sorted(t for t in texts if " / " in t) == []
    assert sorted(t for t in texts if catalogue[t] == t) == []  # an English that is still the Indonesian


def test_a_command_s_help_in_indonesian_by_default(cli: Any) -> None:
    r = cli("import", "workers", "--help")
    assert r.exit_code == 0, r.err
    said = _words(r.stdout)
    assert said.startswith("Penggunaan: lindung import workers [OPSI] {file} Daftarkan pekerja dari berkas sponsor. "
                           "Dengan --check seluruh impor dijalankan terhadap registri apa adanya,"), said
    for words in ("Argumen", "Opsi", "* file BERKAS Berkas CSV atau XLSX dari sponsor. [wajib]",
                  "* --agreement TEKS Kode perjanjian. [wajib]",
                  "--propose Periksa dan ajukan untuk disetujui orang lain (lindung import approve).",
                  "--help Tampilkan bantuan ini lalu keluar."):
        assert words in said, words
    for english in (*TYPER_ENGLISH, "The agreement's code"):
        assert english not in r.stdout, english


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_command_s_help_in_english(cli: Any, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    if how == "option":
        r = cli("import", "workers", "--help", "--lang", "en")
    else:
        monkeypatch.setenv("LINDUNG_LANG", "en")
        r = cli("import", "workers", "--help")
    assert r.exit_code == 0, r.err
    said = _words(r.stdout)
    assert said.startswith("Usage: lindung import workers [OPTIONS] {file} Enrol workers from a sponsor's "
                           "spreadsheet. With --check the whole import runs, against the registry as it is,"), said
    for words in ("Arguments", "Options", "* file FILE The sponsor's CSV or XLSX file. [required]",
                  "* --agreement TEXT The agreement's code. [required]",
                  "--check,--dry-run Check only: every check (quota, budget, duplicates and overlaps included)",
                  "--help Show this message and exit."):
        assert words in said, words
    for indonesian in ("Penggunaan", "Opsi", "[wajib]", "Kode perjanjian", "Daftarkan", "TEKS"):
        assert indonesian not in r.stdout, indonesian


def test_the_command_list_in_either_language_and_switching_back(cli: Any) -> None:
    en = _words(cli("--help", "--lang", "en").stdout)
    assert "Usage: lindung [OPTIONS] COMMAND [ARGS]..." in en
    # Three panels in the order of the work, their titles in the language too.
    assert ("Registry and enrolment sponsor Sponsors. agreement Agreements (MoU/PKS). worker Workers (members). "
            "enrol Enrol a worker under a sponsor's agreement. import Import sponsors' files (CSV/XLSX). "
            "approvals What awaits a second person's approval. Billing and coverage bill") in en, en
    assert "Other demo" in en and "db Database." in en
    # The same process, next command line: Typer's words are module constants, set again each time.
    id_ = _words(cli("--help").stdout)
    assert "Penggunaan: lindung [OPSI] PERINTAH [ARG]..." in id_
    assert "Registri dan kepesertaan sponsor Sponsor." in id_ and "Tagihan dan perlindungan bill" in id_
    assert "import Impor berkas sponsor (CSV/XLSX)." in id_ and "Lainnya demo" in id_
    assert not any(english in id_ for english in TYPER_ENGLISH)
    group = _words(cli("worker", "--help").stdout)  # a group's commands: Typer's own panel, in Indonesian
    assert "Perintah add Daftarkan pekerja." in group


def test_a_paragraph_is_wrapped_by_the_terminal_not_by_the_source(cli: Any) -> None:
    # The docstring breaks this paragraph after "dibatalkan:"; at 200 columns the terminal breaks it
    # after 200 columns, not there.
    out = cli("import", "workers", "--help").stdout
    first = next(line.strip() for line in out.splitlines() if line.strip().startswith("Dengan --check"))
    assert "dibatalkan: ringkasan dan berkas galat" in first and len(first) > 150, out


def test_a_flag_shows_no_type_and_a_default_is_said_in_the_language(cli: Any) -> None:
    said = _words(cli("worker", "find", "--help").stdout)
    assert "--needs-review Hanya yang bertanda ⚑ perlu diperiksa." in said
    assert "--limit ANGKA Paling banyak ditampilkan (1–1000)." in said
    assert "[bawaan: 20]" in said or "[bawaan:" in said, said
    en = _words(cli("worker", "find", "--help", "--lang", "en").stdout)
    assert "--needs-review Only those flagged ⚑ for review." in en
    assert "--limit NUMBER At most this many shown (1–1000)." in en
    assert "[default:" in en and "[bawaan:" not in en


def test_a_usage_error_shows_the_usage_in_the_same_words(cli: Any) -> None:
    r = cli("import", "workers")
    assert r.exit_code == 2 and "Penggunaan: lindung import workers [OPSI] {file}" in r.err, r.err
    en = cli("import", "workers", "--lang", "en")
    assert "Usage: lindung import workers [OPTIONS] {file}" in en.err, en.err


def test_lang_given_to_a_group_reaches_its_command(cli: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./data of an older Lindung here, whose notice would come first
    r = cli("--lang", "en", "agreement", "show", "NOPE")
    assert r.exit_code != 0 and "Error:" in r.err and "Galat" not in r.err, r.err
    assert cli("agreement", "show", "NOPE").err.startswith("Galat:")
    bad = cli("--lang", "fr", "agreement", "list")
    assert bad.exit_code == 2 and "'--lang'" in bad.err, bad.err


def test_a_group_given_only_the_language_shows_its_help_in_it(cli: Any) -> None:
    r = cli("worker", "--lang", "en")
    assert r.exit_code == 2 and r.err == "", r.err  # as 'lindung worker' alone: its help, exit code 2
    said = _words(r.stdout)
    assert said.startswith("Usage: lindung worker [OPTIONS] COMMAND [ARGS]... Workers (members).")
    assert "find Find workers by name, NIK digits, region or agreement." in said
    alone = cli("worker")
    assert alone.exit_code == 2 and "Penggunaan: lindung worker [OPSI] PERINTAH [ARG]..." in _words(alone.stdout)


def test_every_command_s_help_shows_all_its_texts_in_either_language(cli: Any) -> None:
    # Rich reads [..] as markup: a help text with brackets (NAMA:HUBUNGAN[:NIK], [-KODE]) must still
    # show whole. Every command and group, both languages.
    root = get_command(app)
    catalogue = help_language.english()
    shown = 0
    for command, path in _commands(root, ()):
        for lang in ("id", "en"):
            r = cli(*path, "--help", "--lang", lang)
            assert r.exit_code == 0, (path, r.err)
            said = _words(r.stdout)
            texts = [command.help, *(getattr(p, "help", None) for p in command.params)]
            for paragraph in (p for text in texts if text for p in help_language.paragraphs(text)):
                expected = catalogue[paragraph] if lang == "en" else paragraph
                assert expected in said, (path, lang, expected)
                shown += 1
    assert shown > 600


def _commands(command: Any, path: tuple[str, ...]) -> Any:
    yield command, path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_the_version(cli: Any) -> None:
    from importlib.metadata import version

    r = cli("--version")
    assert (r.exit_code, r.stdout.strip()) == (0, f"Lindung {version('lindung')}")
    assert cli("--version", "--lang", "en").stdout.strip() == f"Lindung {version('lindung')}"


def test_a_value_typed_as_text_shows_what_it_means(cli: Any) -> None:
    # Numbers, months and dates are read as text (302.400.000, 17-05-1990): the type column says what
    # they are, not TEKS.
    said = _words(cli("agreement", "add", "--help").stdout)
    for words in ("--quota ANGKA", "--budget ANGKA", "--start BULAN", "--months ANGKA", "--sponsor TEKS"):
        assert words in said, words
    said = _words(cli("agreement", "add", "--help", "--lang", "en").stdout)
    assert "--quota NUMBER" in said and "--start MONTH" in said and "--sponsor TEXT" in said
    said = _words(cli("coverage", "--help").stdout)
    assert "* nik NIK" in said and "--at TANGGAL" in said
