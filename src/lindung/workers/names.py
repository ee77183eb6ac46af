"""Whether two written names can be the same person's: the checks behind "this NIK is registered to
someone else" and "this worker is registered already, under a NIK one serial away".

A NIK has no check digit (rules.md section 6): a typo in the last four digits (the serial) gives
another valid NIK with the same region, birth date and sex. It may be a worker already in the
registry: enrolling the row would cover the registered person and leave the sponsor's worker
without protection. Or it may be a second NIK for a registered worker: as a new worker they would be
covered twice. The name is then the only thing that tells, so the import refuses a row whose NIK is
registered under a clearly different name, or whose new NIK is one serial away from a registered
worker of that name (``enrolment.importer``), and ``worker add`` refuses the latter unless the
officer says it is another person (``workers.service.register``). The ways one person's name is
written differently from list to list pass:

- case, accents, spacing, punctuation and apostrophes (``Ma'ruf`` / ``MARUF``);
- titles before the name (``H.``, ``Hj.``, ``Drs.``…) and degrees after a comma (``, S.Pd.``);
- ``bin`` / ``binti``;
- the old spelling and doubled letters (``Soekarno`` / ``Sukarno``, ``Djoko`` / ``Joko``,
  ``Muhammad`` / ``Muhamad``);
- one name a part of the other, in any order (``Agus`` / ``Agus Salim``, ``M. Yusuf`` /
  ``Muhammad Yusuf``);
- a typo in a word or two (``Budi Santoso`` / ``Budi Santosa``): as many words, each at least
  ``SIMILAR`` alike to the other's in the same place (``difflib``'s ratio).

``Siti Aminah`` / ``Siti Rahmah`` (``aminah`` / ``rahmah`` 0,67), ``Dewi Lestari`` / ``Dewi Sartika``
or ``Ai Rohimah`` / ``Sri Rohimah`` are other people. These are heuristics of data quality, not law,
so they live here and not among the rules' parameters. ``worker find`` uses the same rule to offer
names written otherwise.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata

from lindung.kit.cells import FORMULA_START

SIMILAR = 0.8
"""The least ``difflib.SequenceMatcher`` ratio of two words (normalised) taken as a misspelling of
one another: a word of five letters may differ in one, one of four not at all (Dedi is not Dodi)."""

TITLES = frozenset({
    "h", "hj", "haji", "hajah", "hajjah", "kh", "drs", "dra", "dr", "ir", "prof", "ust", "ustadz",
    "ustaz", "ustadzah", "raden", "rd", "r", "tb", "ny", "nn", "tn", "bpk", "bapak", "ibu",
})
"""Words written before a name that are not part of it (compared after normalisation)."""

CONNECTORS = frozenset({"bin", "binti", "bt", "bte"})

_OLD_SPELLING = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh"))
_APOSTROPHES = re.compile("['`\u2018\u2019\u02bc]")
_NOT_LETTER = re.compile(r"[^a-z]+")
_DOUBLED = re.compile(r"([a-z])\1+")


def tidy_name(text: str) -> str:
    """A person's name as written, with runs of white space made one and the invisible characters a
    spreadsheet or a copy from a chat can carry left out (control and format characters: a zero-width
    space, a bell): what is seen is what is kept."""
    text = str(text)
    if not text.isprintable():
        text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return " ".join(text.split())


def looks_like_formula(name: str) -> bool:
    """Begins as a spreadsheet formula does (a name never does, and one that did would be a formula in
    every list of workers a sponsor opens), also behind the apostrophe Lindung's own files put before one
    (``kit.cells``: a refused row sent back and imported again)."""
    return name.removeprefix("'").startswith(FORMULA_START)


@functools.lru_cache(maxsize=1 << 16)
def words(name: str) -> tuple[str, ...]:
    """The words of a name as compared: ASCII lower case, titles, degrees and ``bin``/``binti``
    dropped, old spelling modernised, doubled letters single."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.split(",", 1)[0]  # degrees follow a comma: "Siti Aminah, S.Pd."
    text = _NOT_LETTER.sub(" ", _APOSTROPHES.sub("", text))
    tokens = text.split()
    while len(tokens) > 1 and tokens[0] in TITLES:
        tokens.pop(0)
    result = []
    for token in tokens:
        if token in CONNECTORS:
            continue
        for old, new in _OLD_SPELLING:
            token = token.replace(old, new)
        result.append(_DOUBLED.sub(r"\1", token))
    return tuple(result)


def _part_of(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Every word of ``short`` is a word of ``long`` (an initial stands for a word it begins), each
    used once, and at least one is a whole word."""
    left = list(long)
    whole = False
    for word in short:
        if word in left:
            left.remove(word)
            whole = True
            continue
        if len(word) == 1:
            match = next((w for w in left if w.startswith(word)), None)
            if match is not None:
                left.remove(match)
                continue
        return False
    return whole


def may_be_same_person(a: str, b: str) -> bool:
    """Whether names ``a`` and ``b`` can be one person's name written two ways (see the module)."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    return _alike(wa, wb) if wa <= wb else _alike(wb, wa)


@functools.lru_cache(maxsize=1 << 16)
def _alike(wa: tuple[str, ...], wb: tuple[str, ...]) -> bool:
    """``may_be_same_person`` of two names' words, remembered: names repeat (Siti, Muhammad, Asep…),
    and the import compares each new worker with every registered one born the same day there."""
    if "".join(wa) == "".join(wb):
        return True
    if any(_part_of(x, y) for x, y in ((wa, wb), (wb, wa)) if len(x) <= len(y)):
        return True
    return len(wa) == len(wb) and all(map(_word_alike, wa, wb))


def _word_alike(a: str, b: str) -> bool:
    """One word with a typo: at least ``SIMILAR`` alike. Word by word, not the whole name, so that
    a shared family name does not make two given names one (twin sisters ``Ai Rohimah`` and ``Sri
    Rohimah``: same kecamatan, day and sex, NIKs one serial apart)."""
    if a == b:
        return True
    # The quick ratios are upper bounds of the ratio: most other words stop there.
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return (matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR
            and matcher.ratio() >= SIMILAR)
