"""Every word of the pages comes from the message catalogues: no template holds text of its own, in its
content or in an attribute a person reads or hears (``aria-label``, ``title``, ``placeholder``, ``alt``),
and every message code a template names exists in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import lindung.web
from lindung.kit.i18n import catalogue

TEMPLATES = Path(lindung.web.__file__).parent / "templates"
ALL = sorted(TEMPLATES.rglob("*.html"))
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
READ_ATTRS = re.compile(r'\b(aria-label|title|placeholder|alt|aria-description|value)="([^"]*)"')
CODES = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*[,)]""")
WORDS = re.compile(r"[A-Za-z]{2,}")


def _names(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


def test_there_are_templates() -> None:
    assert len(ALL) >= 5


@pytest.mark.parametrize("path", ALL, ids=_names)
def test_no_text_outside_the_catalogues(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    without_jinja = JINJA.sub(" ", source)
    text = TAG.sub(" ", re.sub(r"<(script|style)\b.*?</\1>", " ", without_jinja, flags=re.S))
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    assert not WORDS.findall(text), f"{_names(path)}: text outside t(): {WORDS.findall(text)[:10]}"
    for name, value in READ_ATTRS.findall(without_jinja):
        if name == "value":
            continue  # form values are data (a code, a number), not words a person reads
        assert not WORDS.search(value), f"{_names(path)}: {name}=\"{value}\" is not from the catalogue"


@pytest.mark.parametrize("path", ALL, ids=_names)
def test_every_code_a_template_names_is_in_both_languages(path: Path) -> None:
    known = catalogue()
    source = re.sub(r"\{#.*?#\}", " ", path.read_text(encoding="utf-8"), flags=re.S)
    for code in CODES.findall(source):
        assert code in known, f"{_names(path)}: unknown message {code}"
        assert known[code].get("id") and known[code].get("en"), f"{code} lacks a language"
