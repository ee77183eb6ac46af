"""How much a request may send, enforced by FastAPI while the body arrives (``max_body_size``): a
declared ``Content-Length`` over the limit is refused before a byte is read, and a body that turns out
longer (chunked, or lying about its length) is cut off at the limit, so that an oversized upload never
sits in memory or on disk whole. Either answers 413 as a problem document.

Two limits, read from the environment when the server starts: any body (JSON) may bring
``LINDUNG_MAX_BODY_BYTES`` (1 MiB by default), and an endpoint that receives a file
(``max_body_size=UPLOAD_LIMIT``: an import, a claim's document) ``LINDUNG_MAX_UPLOAD_BYTES`` (64 MiB by
default: a 26.000-row sponsor file is about 3 MB).
"""

from __future__ import annotations

import html
import json
import os

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lindung.api.lang import parse_accept_language
from lindung.kit.i18n import t


def _env_bytes(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else default


BODY_LIMIT = _env_bytes("LINDUNG_MAX_BODY_BYTES", 1024 * 1024)
UPLOAD_LIMIT = _env_bytes("LINDUNG_MAX_UPLOAD_BYTES", 64 * 1024 * 1024)


TOO_LARGE_PAGE = ('<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
                  '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
                  '<link rel="stylesheet" href="/static/lindung.css"></head><body><main id="isi"><h1>{title}</h1>'
                  '<p class="notice error" role="alert">{detail}</p><p><a href="/">{home}</a></p></main></body></html>')
"""What a page's form too large to read is answered with (the frame is not reached: the body was refused)."""


class TooLargeAsProblem:
    """ASGI middleware: FastAPI's own 413 for a declared ``Content-Length`` over the limit is plain
    text, written past the app's error handlers; this writes it as the problem document every other
    error is (``too_large``, in the reader's language)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def sending(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                content_type = dict(message.get("headers", ())).get(b"content-type", b"")
                if not content_type.startswith((b"application/problem+json", b"text/html")):
                    replaced = True
                    headers = Headers(scope=scope)
                    lang = parse_accept_language(headers.get("accept-language"))
                    path = str(scope.get("path", ""))
                    if path.startswith("/api/"):
                        media = b"application/problem+json"
                        body = json.dumps({"type": "about:blank", "title": t("problem.413", lang), "status": 413,
                                           "code": "too_large", "detail": t("problem.detail.too_large", lang),
                                           "instance": path}).encode()
                    else:  # a page's form: a page that says so (the pages' frame is not reached)
                        media = b"text/html; charset=utf-8"
                        body = TOO_LARGE_PAGE.format(lang=lang, title=html.escape(t("page.error.title_413", lang)),
                                                     detail=html.escape(t("problem.detail.too_large", lang)),
                                                     home=html.escape(t("page.error.home", lang))).encode()
                    await send({"type": "http.response.start", "status": 413,
                                "headers": [(b"content-type", media),
                                            (b"content-length", str(len(body)).encode()),
                                            (b"connection", b"close")]})
                    await send({"type": "http.response.body", "body": body})
                    return
            if replaced:
                return  # the plain text's body: already answered
            await send(message)

        await self.app(scope, receive, sending)
