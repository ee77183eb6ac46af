"""Messages in Indonesian (first) and English.

The catalogue is a YAML file beside this module (code -> {id, en} with ``str.format`` fields), not
gettext .po files: it needs no compile step, is read by tests for completeness, and is small.
Babel formats dates.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

import yaml

from lindung.rules import errors as _errors
from lindung.rules import params
from lindung.rules.money import rp

LANGS = ("id", "en")

SAFE_LOADER = params.SAFE_LOADER


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``, by the fastest safe loader there is."""
    return yaml.load(text, Loader=SAFE_LOADER)


CATALOGUE = "messages.yaml"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message: ``kit/messages.yaml`` and the ``messages.yaml`` of each package that has one
    (``users/``, ``audit/``…: a domain's messages beside its code). A code in two files is a mistake
    and fails, naming both."""
    root = resources.files("lindung")
    merged: dict[str, dict[str, str]] = {}
    where: dict[str, str] = {}
    folders = ["kit", *sorted(p.name for p in root.iterdir() if p.is_dir() and p.name != "kit")]
    for folder in folders:
        file = root.joinpath(folder, CATALOGUE)
        if not file.is_file():
            continue
        data: dict[str, dict[str, str]] = load_yaml(file.read_text(encoding="utf-8")) or {}
        for code, entry in data.items():
            if code in merged:
                raise ValueError(f"message {code} is in {where[code]} and {folder}/{CATALOGUE}")
            merged[code], where[code] = entry, f"{folder}/{CATALOGUE}"
    return merged


def t(code: str, lang: str = "id", /, **fields: Any) -> str:
    """The message ``code`` in ``lang``; unknown codes fall back to the code and its fields."""
    lang = lang if lang in LANGS else "id"
    entry = catalogue().get(code)
    if entry is None:
        detail = ", ".join(f"{k}={v}" for k, v in fields.items())
        return f"{code} ({detail})" if detail else code
    template = entry.get(lang) or entry["id"]
    try:
        return template.format(**fields)
    except (KeyError, IndexError):
        return template


def component_label(code: str, lang: str) -> str:
    """A computed amount's label, ``component.<code>``; a numbered stage (``jkk.stmb.2``) falls back to
    its family with the number, a projected level (``scholarship.projected.sd``) to "projected" with the
    level; a code with no label is shown as it is. The simulator, the claims and the letter share it."""
    key = f"component.{code}"
    known = catalogue()
    if key in known:
        return t(key, lang)
    stem, _, last = code.rpartition(".")
    if last.isdigit() and f"component.{stem}" in known:
        return f"{t(f'component.{stem}', lang)} ({last})"
    if stem == "scholarship.projected":
        return f"{t('component.scholarship.projected', lang)} {last.upper()}"
    return code


def format_count(n: int, lang: str = "id") -> str:
    """12000 -> '12.000' (Indonesian) or '12,000' (English): a count of people, rows or months. Rupiah
    keep the Indonesian form in both languages (``kit.money.rp``)."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "id" else text


def format_date(day: dt.date, lang: str = "id") -> str:
    """25 November 2026 / 25 November 2026 in the locale's long-ish form."""
    from babel.dates import format_date as _fmt

    return str(_fmt(day, format="d MMMM y", locale="id" if lang == "id" else "en"))


def _shown(error: _errors.LindungError, lang: str) -> dict[str, Any]:
    """An error's context as its message shows it: counts grouped as ``lang`` writes them, rupiah
    as Rp16.800."""
    context = dict(error.context)
    for key in error.counts:
        if isinstance(context.get(key), int):
            context[key] = format_count(context[key], lang)
    for key in error.rupiah:
        if isinstance(context.get(key), int):
            context[key] = rp(context[key])
    for key, prefix in error.labels.items():
        label = f"{prefix}{context.get(key)}"
        if key in context and label in catalogue():
            context[key] = t(label, lang)
    return context


# The rules raise errors but cannot read the catalogues (they import nothing of Lindung): their
# messages are rendered through this module from here on.
_errors.install(t, _shown)
