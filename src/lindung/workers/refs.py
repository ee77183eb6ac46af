"""A worker's opaque id for URLs: their row id encoded with sqids (``Xk3aB9pQ``), never the NIK, because
URLs end up in access logs, proxies and browser histories.

The ref hides nothing secret (it is not encryption: anyone with the alphabet can decode it) but it
carries no personal data and does not invite counting (``/workers/1``, ``/workers/2``…). A worker has
exactly one ref: a text that decodes to an id but is not that id's own encoding (another padding,
another alphabet's luck) is no ref at all, so that a worker is never reachable under two URLs.
"""

from __future__ import annotations

from functools import cache

from sqids import Sqids

ALPHABET = "WdA6qhVxclrwNGkXsR1eE5yDFKCTZJUpHniBzmaoOQI32uLM7bf0tvP48SgYj9"
"""The 62 letters and digits, shuffled once (changing it changes every ref ever handed out)."""
MIN_LENGTH = 8
REF_MAX_LENGTH = 32
"""Longer than any ref of a row id: refused before decoding."""
ID_MAX = 2**31 - 1
"""The largest ``workers.id`` (an INTEGER column): a ref beyond it names no worker."""


@cache
def _coder() -> Sqids:
    return Sqids(alphabet=ALPHABET, min_length=MIN_LENGTH)


def worker_ref(worker_id: int) -> str:
    """The opaque id of the worker with row id ``worker_id``."""
    return str(_coder().encode([worker_id]))


def worker_id_of(ref: str) -> int | None:
    """The row id a ref names, or None when ``ref`` is no worker's ref (malformed, several numbers,
    not canonical, out of range)."""
    text = str(ref)
    if not MIN_LENGTH <= len(text) <= REF_MAX_LENGTH or any(c not in ALPHABET for c in text):
        return None
    try:
        ids = _coder().decode(text)
    except (ValueError, OverflowError):
        return None
    if len(ids) != 1 or not 1 <= ids[0] <= ID_MAX or worker_ref(ids[0]) != text:
        return None
    return int(ids[0])
