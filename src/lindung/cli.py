"""The ``lindung`` command. Each domain adds its own Typer sub-application here."""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import typer

from lindung.api.cli import serve as serve_command
from lindung.approvals.cli import approvals as approvals_command
from lindung.audit.cli import audit_log as audit_command
from lindung.billing.cli import app as billing_app
from lindung.billing.cli import lists_app as billing_lists_app
from lindung.cards.cli import app as card_app
from lindung.claims.cli import accident_app, claim_app
from lindung.demo.cli import demo as demo_command
from lindung.enrolment.cli import app as import_app
from lindung.enrolment.cli import enrol as enrol_command
from lindung.insight.cli import dashboard as dashboard_command
from lindung.insight.cli import target_app
from lindung.jobs.cli import app as job_app
from lindung.planner.cli import plan as plan_command
from lindung.regions.cli import app as region_app
from lindung.reports.cli import app as report_app
from lindung.simulator.cli import app as simulate_app
from lindung.simulator.cli import benefit_app
from lindung.sponsors.cli import agreement_app, sponsor_app
from lindung.summary.cli import app as summary_app
from lindung.system.cli import app as db_app
from lindung.terminal.app import PANEL_CLAIMS, PANEL_OTHER, PANEL_REGISTRY, LangOption, group_options, run_app
from lindung.users.cli import app as user_app
from lindung.workers.cli import app as worker_app

app = typer.Typer(
    name="lindung",
    help="Lindung: perlindungan BPJS Ketenagakerjaan (JKK, JKM) untuk pekerja rentan yang dibiayai sponsor.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _command_here(name: str, function: Callable[..., Any], panel: str) -> None:
    """An app's own command, at this place among the groups: Typer lists an app's own commands before
    its groups, a nameless Typer's where it is added."""
    holder = typer.Typer()
    holder.command(name, rich_help_panel=panel)(function)
    app.add_typer(holder)


# In the order of the work, in three panels.
app.add_typer(sponsor_app, name="sponsor", rich_help_panel=PANEL_REGISTRY)
app.add_typer(agreement_app, name="agreement", rich_help_panel=PANEL_REGISTRY)
app.add_typer(worker_app, name="worker", rich_help_panel=PANEL_REGISTRY)
_command_here("enrol", enrol_command, PANEL_REGISTRY)
app.add_typer(import_app, name="import", rich_help_panel=PANEL_REGISTRY)
_command_here("approvals", approvals_command, PANEL_REGISTRY)
app.add_typer(billing_app)  # bill, pay, coverage and the billing group: PANEL_BILLING
app.add_typer(accident_app, name="accident", rich_help_panel=PANEL_CLAIMS)
app.add_typer(claim_app, name="claim", rich_help_panel=PANEL_CLAIMS)
_command_here("demo", demo_command, PANEL_OTHER)
_command_here("serve", serve_command, PANEL_OTHER)
app.add_typer(simulate_app, name="simulate", rich_help_panel=PANEL_OTHER)
_command_here("plan", plan_command, PANEL_OTHER)
app.add_typer(region_app, name="region", rich_help_panel=PANEL_OTHER)
app.add_typer(report_app, name="report", rich_help_panel=PANEL_OTHER)
app.add_typer(summary_app, name="summary", rich_help_panel=PANEL_OTHER)
app.add_typer(target_app, name="target", rich_help_panel=PANEL_OTHER)
app.add_typer(card_app, name="card", rich_help_panel=PANEL_OTHER)
report_app.command("dashboard")(dashboard_command)
_command_here("audit", audit_command, PANEL_OTHER)
app.add_typer(user_app, name="user", rich_help_panel=PANEL_OTHER)
app.add_typer(job_app, name="job", rich_help_panel=PANEL_OTHER)
app.add_typer(db_app, name="db", rich_help_panel=PANEL_OTHER)
# Every group accepts --lang too, so that it may stand before the command (lindung --lang en --help).
for group in (simulate_app, benefit_app, db_app, sponsor_app, agreement_app, worker_app, import_app,
              region_app, billing_lists_app, user_app, job_app, report_app, summary_app, target_app, accident_app,
              claim_app, card_app):
    group.callback(invoke_without_command=True)(group_options)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"Lindung {version('lindung')}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root_options(ctx: typer.Context, lang: str | None = LangOption,
                 show_version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                                   help="Versi Lindung.")) -> None:
    # No docstring: it would stand in for the app's help.
    group_options(ctx, lang)


def main() -> None:
    sys.exit(run_app(app))


if __name__ == "__main__":
    main()
