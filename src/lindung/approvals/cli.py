"""``lindung approvals``: what waits for a second person, with the command that approves each."""

from __future__ import annotations

import datetime as dt
import shlex

import typer
from rich.markup import escape
from rich.table import Table

from lindung.approvals.service import Waiting, awaiting
from lindung.kit import clock
from lindung.kit.i18n import format_count, format_date, t
from lindung.rules.money import rp
from lindung.terminal.app import LangOption, command_lines, lang_of, out_console, print_json
from lindung.terminal.args import JsonOption
from lindung.terminal.work import work


def _commands(w: Waiting) -> dict[str, tuple[str, ...]]:
    """The commands that check, approve and turn down an item (``--by`` follows)."""
    if w.kind == "agreement":
        return {"approve": ("lindung", "agreement", "approve", w.agreement, "--version", str(w.number)),
                "reject": ("lindung", "agreement", "withdraw", w.agreement)}
    if w.kind == "amendment":
        return {"approve": ("lindung", "agreement", "amend-approve", w.agreement, "--number", str(w.number)),
                "reject": ("lindung", "agreement", "amend-reject", w.agreement)}
    if w.kind == "claim":
        number = str(w.facts["claim"])
        return {"check": ("lindung", "claim", "show", number), "approve": ("lindung", "claim", "approve", number)}
    return {"check": ("lindung", "import", "approve", str(w.number), "--check"),
            "approve": ("lindung", "import", "approve", str(w.number)),
            "reject": ("lindung", "import", "reject", str(w.number))}


def _line(words: tuple[str, ...], by: str) -> str:
    """A command, ready to copy, with the person's name quoted for the shell."""
    return shlex.join(words) + " --by " + shlex.quote(by)


def approvals(
    by: str | None = typer.Option(
        None, "--by", help="Penyetuju: tandai yang boleh ia setujui (bawaan: LINDUNG_USER)."),
    json_out: bool = JsonOption,
    lang: str | None = LangOption,
) -> None:
    """Yang menunggu persetujuan orang kedua.

    Draf perjanjian, adendum dan usulan impor, terlama dahulu, masing-masing dengan apa yang disetujui
    dan perintah untuk menyetujuinya. Yang disusun, diubah atau diajukan pengguna itu sendiri, atau yang
    tidak boleh disetujui perannya, ditandai: perlu orang lain.
    """
    lg = lang_of(lang)
    with work(by, readonly=True) as wk:
        found = awaiting(wk.session, by=wk.actor)
        person, role = wk.actor.username, wk.actor.role
    if json_out:
        print_json([{**w.model_dump(mode="json"), "stale": w.stale} for w in found])
        return
    if not found:
        out_console.print(t("approvals.none", lg))
        return
    out_console.print(t("approvals.title", lg, n=format_count(len(found), lg)))
    width = max(out_console.width, 40) - 1  # the commands stand one column in
    for n, w in enumerate(found, 1):
        out_console.print()
        said = [f"[bold]{escape(_headline(w, lg))}[/bold]", escape(_facts(w, lg)), escape(_who(w, lg))]
        if w.stale:
            said.append(t("approvals.stale", lg, agreement=w.agreement,
                          status=t(f"registry.status.{w.agreement_status}", lg)))
        elif w.why_not == "permission":
            said.append(t("approvals.not_permitted", lg, person=escape(person), role=role))
        elif not w.may_approve:
            said.append(t("approvals.not_you", lg, person=escape(person)))
        # Every line wraps under the text's indent; the number hangs in front of the first.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, min_width=2)
        grid.add_column()
        grid.add_row(f"{n}.", "\n".join(said))
        out_console.print(grid)
        if not w.may_approve and not w.stale:
            continue
        known = _commands(w)
        commands = [known["reject"]] if w.stale else [known[k] for k in ("check", "approve") if k in known]
        for words in commands:
            for line in command_lines(_line(words, person), width):
                out_console.print(" " + line, markup=False, highlight=False, soft_wrap=True)


def _headline(w: Waiting, lang: str) -> str:
    number = w.facts["claim"] if w.kind == "claim" else w.number
    return t(f"approvals.kind.{w.kind}", lang, agreement=w.agreement, number=number, sponsor=w.sponsor)


def _facts(w: Waiting, lang: str) -> str:
    f = w.facts
    if w.kind == "agreement":
        return t("approvals.facts.agreement", lang, start=f["start"], end=f["end"],
                 quota=format_count(f["quota"], lang), budget=rp(f["budget"]), expected=rp(f["estimate_expected"]))
    if w.kind == "amendment":
        return t("approvals.facts.amendment", lang, quota_before=format_count(f["quota_before"], lang),
                 quota_after=format_count(f["quota_after"], lang), budget_before=rp(f["budget_before"]),
                 budget_after=rp(f["budget_after"]), expected=rp(f["estimate_expected"]),
                 reference=f["reference"] or "-")
    if w.kind == "claim":
        return t("approvals.facts.claim", lang, type=t(f"claims.type.{f['type']}", lang), total=rp(f["total"]),
                 event=format_date(dt.date.fromisoformat(f["event_date"]), lang))
    file = f["file"] + (f" [{f['sheet']}]" if f["sheet"] else "")
    return t("approvals.facts.import", lang, file=file, read=format_count(f["read"], lang),
             enrol=format_count(f["would_enrol"], lang), cost=rp(f["would_cost"]),
             already=format_count(f["already_enrolled"], lang), refused=format_count(f["refused"], lang))


def _who(w: Waiting, lang: str) -> str:
    said = t(f"approvals.by.{w.kind}", lang, person=w.proposed_by, at=_at(w.proposed_at, lang))
    if w.edits:
        said += "; " + t("approvals.edited", lang, people=", ".join(dict.fromkeys(e.by for e in w.edits)),
                         at=_at(w.edits[-1].at, lang))
    return said


def _at(at: dt.datetime, lang: str) -> str:
    return clock.format_time(at, lang)
