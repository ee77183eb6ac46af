"""No regulation number in code, and no float where money flows."""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

from lindung.rules.params import default_parameters

SRC = Path(__file__).resolve().parents[2] / "src" / "lindung"


def _python_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def _numbers_in_parameters() -> set[str]:
    """Every rupiah amount (≥ 1.000) and every rate of the shipped parameters, as source literals."""
    out: set[str] = set()

    def walk(v: object) -> None:
        if isinstance(v, bool) or v is None:
            return
        if isinstance(v, int) and v >= 1000:
            out.add(str(v))
            out.add(f"{v:_}")
        elif isinstance(v, Decimal) and 0 < v < 1:
            out.add(format(v.normalize(), "f"))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif hasattr(v, "__dataclass_fields__"):
            for name in v.__dataclass_fields__:
                walk(getattr(v, name))

    for param in default_parameters():
        for _, value in param.history():
            if value is not None:
                walk(value.value)
    return out


def test_no_regulation_number_appears_in_code():
    numbers = _numbers_in_parameters()
    assert "16800" not in numbers and "6800" in numbers and "0.01" in numbers
    numbers |= {"16800", "16_800", "42000000", "42_000_000", "70000000", "70_000_000"}
    found = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                    and not isinstance(node.value, bool):
                literal = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
                if literal in numbers or str(node.value) in numbers:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}: {literal}")
    assert not found, "regulation numbers in code:\n" + "\n".join(found)


def test_no_float_in_the_rules_or_money():
    found = []
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: float literal {node.value}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
                line = text.splitlines()[node.lineno - 1]
                if re.search(r"amount|rupiah|iuran|total|price|cost|budget|money|rate", line, re.I):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}: float() near money")
    rules = [f for f in found if f.startswith(("rules/", "kit/money"))]
    assert not rules, "\n".join(rules)
    assert not [f for f in found if "near money" in f], "\n".join(found)
