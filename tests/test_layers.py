"""The layers hold: rules < kit < domains < doors (docs/architecture.md).

- Every CLI module is a door: it parses, opens the unit of work, calls one service and renders; it
  never reaches the database itself (no session, repository, model or SQL import).
- The import-linter contracts in pyproject.toml (run by the test command: ``lint-imports``) name every
  top-level package of Lindung, and they do catch a violation: a copy of the code with one bad import
  is linted here and must fail.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import lindung

SRC = Path(lindung.__file__).parent
ROOT = SRC.parent.parent
DOOR_NAMES = ("cli.py", "api.py", "pages.py")

FORBIDDEN_IN_DOORS = ("sqlalchemy",)
"""Modules a door may not import (nor any of their submodules)."""
FORBIDDEN_SUFFIXES = (".repository", "_repository", ".models")
"""Modules of these names belong to the services' side: SQL and tables."""
FORBIDDEN_DB_NAMES = {"session_scope", "get_engine", "make_engine", "Session", "session_factory", "ensure_database"}
"""What of ``lindung.kit.db`` a door may not use: it opens its unit of work (``unit_of_work``) and no other."""


def door_modules() -> list[Path]:
    doors = [p for p in SRC.rglob("*.py") if p.name in DOOR_NAMES or p.name.endswith("_cli.py")]
    return sorted(doors)


def offences(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            if node.module == "lindung.kit.db":
                found += [f"line {node.lineno}: kit.db.{a.name}" for a in node.names if a.name in FORBIDDEN_DB_NAMES]
        for name in names:
            sql = name.split(".")[0] in FORBIDDEN_IN_DOORS
            if sql or (name.startswith("lindung.") and name.endswith(FORBIDDEN_SUFFIXES)):
                found.append(f"line {node.lineno}: {name}")
    return found


def test_there_are_doors_to_walk():
    walked = {p.relative_to(SRC).as_posix() for p in door_modules()}
    assert {"sponsors/cli.py", "workers/cli.py", "billing/cli.py", "users/cli.py"} <= walked, walked


@pytest.mark.parametrize("path", door_modules(), ids=lambda p: p.relative_to(SRC).as_posix())
def test_a_cli_module_reaches_no_session_repository_or_sql(path):
    assert offences(path) == []


def test_the_walk_finds_what_it_looks_for(tmp_path):
    bad = tmp_path / "cli.py"
    bad.write_text("from sqlalchemy import select\nfrom lindung.workers import repository\n"
                   "from lindung.kit.db import unit_of_work, session_scope\nimport lindung.billing.models\n")
    assert offences(bad) == ["line 1: sqlalchemy", "line 1: sqlalchemy.select", "line 2: lindung.workers.repository",
                             "line 3: kit.db.session_scope", "line 4: lindung.billing.models"]


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_the_contracts_name_every_top_level_package():
    tops = {f"lindung.{p.stem if p.is_file() else p.name}" for p in SRC.iterdir()
            if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")}
    by_id = {c["id"]: c for c in _contracts()}
    rules_forbids = set(by_id["rules"]["forbidden_modules"])  # type: ignore[arg-type]
    assert tops - {"lindung.rules"} <= rules_forbids, sorted(tops - {"lindung.rules"} - rules_forbids)
    doors = {"lindung.cli", "lindung.terminal", "lindung.api", "lindung.web"}
    sources = set(by_id["doors"]["source_modules"])  # type: ignore[arg-type]
    assert tops - doors - {"lindung.migrations"} <= sources, sorted(tops - doors - {"lindung.migrations"} - sources)


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with Lindung's contracts over the package in ``tree``/src."""
    linter = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(linter), "--no-cache", str(tree / "pyproject.toml")], cwd=tree, capture_output=True,
                          text=True, env={"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"}, check=False)


@pytest.mark.slow
def test_the_contracts_hold_and_catch_a_deliberate_violation(tmp_path):
    shutil.copytree(SRC, tmp_path / "src" / "lindung", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    clean = _lint(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    period = tmp_path / "src" / "lindung" / "rules" / "period.py"
    period.write_text(period.read_text(encoding="utf-8") + "\nimport lindung.kit.clock  # noqa\n", encoding="utf-8")
    service = tmp_path / "src" / "lindung" / "billing" / "service.py"
    service.write_text(service.read_text(encoding="utf-8") + "\nimport lindung.sponsors.cli  # noqa\n",
                       encoding="utf-8")
    broken = _lint(tmp_path)
    assert broken.returncode != 0
    said = " ".join(broken.stdout.split())
    assert "rules import nothing else of Lindung BROKEN" in said
    assert "lindung.rules.period -> lindung.kit.clock" in said
    assert "lindung.billing.service -> lindung.sponsors.cli" in said
