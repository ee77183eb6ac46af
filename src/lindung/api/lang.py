"""The reader's language from ``Accept-Language``: English when the client prefers it, else Indonesian."""

from __future__ import annotations

from starlette.requests import Request

LANGS = ("id", "en")


def parse_accept_language(header: str | None) -> str:
    """'en-GB,en;q=0.9,id;q=0.5' -> 'en'; 'id-ID' -> 'id'; anything else, or nothing, -> 'id'."""
    best, best_q = "id", -1.0
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        q -= i * 1e-6  # equal weights: the first listed wins
        if lang in LANGS and q > best_q and q > 0:
            best, best_q = lang, q
    return best


def request_lang(request: Request) -> str:
    return parse_accept_language(request.headers.get("accept-language"))
