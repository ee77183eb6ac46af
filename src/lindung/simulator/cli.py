"""``lindung simulate``: what a package costs and what it pays."""

from __future__ import annotations

import typer

app = typer.Typer(help="Simulasi iuran dan manfaat / contribution and benefit simulator.", no_args_is_help=True)
