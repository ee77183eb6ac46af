"""The ``lindung`` command. Each domain adds its own Typer sub-application here."""

from __future__ import annotations

import sys

import typer

from lindung.kit.cli import run_app
from lindung.simulator.cli import app as simulate_app

app = typer.Typer(
    name="lindung",
    help="Lindung: perlindungan BPJS Ketenagakerjaan (JKK, JKM) untuk pekerja rentan yang dibiayai sponsor.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(simulate_app, name="simulate")


def main() -> None:
    sys.exit(run_app(app))


if __name__ == "__main__":
    main()
