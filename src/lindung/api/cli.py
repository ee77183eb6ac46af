"""``lindung serve``: the web pages and the HTTP API under uvicorn, on the same database as the command line."""

from __future__ import annotations

import typer
import uvicorn

from lindung.api.app import API_PREFIX, create_app
from lindung.kit.i18n import t
from lindung.terminal.app import LangOption, lang_of, out_console


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Alamat yang didengarkan."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port yang didengarkan."),
    lang: str | None = LangOption,
) -> None:
    """Jalankan server halaman web dan API HTTP (migrasi basis data lebih dulu)."""
    lg = lang_of(lang)
    app = create_app()
    out_console.print(t("api.serving", lg, pages=f"http://{host}:{port}/",
                            url=f"http://{host}:{port}{API_PREFIX}/docs"))
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
