"""No refusal shows a name of our code: every ``InvalidInput`` the code raises — directly or through
the helpers that pass on the field they are given (``int_arg(value, "quota")``, ``whole_number``,
``regions.resolve(…, field=…)``) — rendered in Indonesian and English, fails on a snake_case name
("(paid_on)", as a first user saw) or on a ``{field}`` shown without its label.

The raise sites are found in the source (``ast``), so a new one is checked without being listed here.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

import lindung
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import LANGS, catalogue
from lindung.kit.numbers import TooLarge

SRC = Path(lindung.__file__).parent
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
SAMPLE = "7"


@dataclass(frozen=True)
class Raise:
    field: str
    reason: str | None
    context: tuple[str, ...]
    too_large: bool
    where: str


@dataclass(frozen=True)
class _Forwarder:
    """A function (``module``'s ``name``) whose parameter ``param`` (at ``index``, default ``default``)
    becomes a raise's field."""

    module: str
    name: str
    param: str
    index: int | None
    default: str | None
    reason: str | None
    context: tuple[str, ...]
    too_large: bool


def _module_file(dotted: str) -> str | None:
    """'lindung.regions.service' -> 'regions/service.py' (None outside Lindung or for a package)."""
    if not dotted.startswith("lindung."):
        return None
    path = dotted.removeprefix("lindung.").replace(".", "/") + ".py"
    return path if (SRC / path).exists() else None


@dataclass
class _Module:
    path: str
    tree: ast.Module
    names: dict[str, tuple[str, str]]  # a name imported from a module of ours -> (module, its name there)
    modules: dict[str, str]  # an alias of a module of ours -> the module

    @classmethod
    def read(cls, path: Path) -> _Module:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: dict[str, tuple[str, str]] = {}
        modules: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    as_module = _module_file(f"{node.module}.{alias.name}")
                    if as_module is not None:
                        modules[alias.asname or alias.name] = as_module
                    elif (source := _module_file(node.module)) is not None:
                        names[alias.asname or alias.name] = (source, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and (source := _module_file(alias.name)) is not None:
                        modules[alias.asname] = source
        return cls(str(path.relative_to(SRC)), tree, names, modules)

    def callee(self, call: ast.Call) -> tuple[str, str] | None:
        """(module, function) a call reaches, when it is a function of ours called by its name or
        through a module's alias; None for methods and anything else."""
        func = call.func
        if isinstance(func, ast.Name):
            return self.names.get(func.id, (self.path, func.id))
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in self.modules:
            return self.modules[func.value.id], func.attr
        return None


def _params(fn: ast.FunctionDef) -> tuple[list[str], list[str], dict[str, str | None]]:
    """(positional parameters, keyword-only ones, string defaults)."""
    args = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    positional_defaults = dict(zip(args[len(args) - len(fn.args.defaults):], fn.args.defaults, strict=True))
    keyword_defaults = dict(zip((a.arg for a in fn.args.kwonlyargs), fn.args.kw_defaults, strict=True))
    defaults: dict[str, str | None] = {}
    for name, node in {**positional_defaults, **keyword_defaults}.items():
        defaults[name] = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
    return [a for a in args if a not in ("self", "cls")], [a.arg for a in fn.args.kwonlyargs], defaults


def _argument(call: ast.Call, index: int | None, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if index is not None and index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args):
        return call.args[index]
    return None


def _functions() -> list[tuple[_Module, ast.FunctionDef]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _Module.read(path)
        out += [(module, node) for node in ast.walk(module.tree) if isinstance(node, ast.FunctionDef)]
    return out


def _raise_sites() -> list[Raise]:
    functions = _functions()
    found: list[Raise] = []
    forwarders: list[_Forwarder] = []

    def seen(module: _Module, call: ast.Call, fn: ast.FunctionDef, field: ast.expr | None, reason: str | None,
             context: tuple[str, ...], too_large: bool, default: str | None = None) -> None:
        where = f"{module.path}:{call.lineno}"
        params, keyword_only, defaults = _params(fn)
        if field is None:
            if default is not None:
                found.append(Raise(default, reason, context, too_large, where))
        elif isinstance(field, ast.Constant) and isinstance(field.value, str):
            found.append(Raise(field.value, reason, context, too_large, where))
        elif isinstance(field, ast.Name) and field.id in (*params, *keyword_only):
            forwarder = _Forwarder(module.path, fn.name, field.id,
                                   params.index(field.id) if field.id in params else None,
                                   defaults.get(field.id), reason, context, too_large)
            if forwarder not in forwarders:
                forwarders.append(forwarder)
        else:
            raise AssertionError(f"{where}: a field this test cannot read: {ast.unparse(field)}")

    for module, fn in functions:
        for call in ast.walk(fn):
            if not isinstance(call, ast.Call) or not (callee := module.callee(call)) \
                    or callee[1] not in ("InvalidInput", "TooLarge"):
                continue
            too_large = callee[1] == "TooLarge"
            keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
            reason_node = keywords.pop("reason", None)
            if too_large:
                reasons: list[str | None] = ["too_large"]
            elif reason_node is None:
                reasons = [None]
            elif isinstance(reason_node, ast.Constant):
                reasons = [reason_node.value]
            elif isinstance(reason_node, ast.IfExp) and all(
                    isinstance(n, ast.Constant) for n in (reason_node.body, reason_node.orelse)):
                reasons = [reason_node.body.value, reason_node.orelse.value]  # type: ignore[attr-defined]
            else:
                raise AssertionError(f"{module.path}:{call.lineno}: a reason this test cannot read")
            context = tuple(sorted(k for k in keywords if not (too_large and k in ("maximum", "money"))))
            for reason in reasons:
                seen(module, call, fn, call.args[0] if call.args else keywords.get("field"), reason, context,
                     too_large)
    # Follow the fields that helpers pass on, until no new caller turns up.
    done: set[_Forwarder] = set()
    while len(done) < len(forwarders):
        for forwarder in [f for f in forwarders if f not in done]:
            done.add(forwarder)
            for module, fn in functions:
                for call in ast.walk(fn):
                    if isinstance(call, ast.Call) and module.callee(call) == (forwarder.module, forwarder.name):
                        seen(module, call, fn, _argument(call, forwarder.index, forwarder.param), forwarder.reason,
                             forwarder.context, forwarder.too_large, default=forwarder.default)
    return found


RAISES = sorted({(r.field, r.reason, r.context, r.too_large): r for r in _raise_sites()}.values(),
                key=lambda r: (r.field, r.reason or "", r.too_large))


def _error(r: Raise) -> InvalidInput:
    if r.too_large:
        return TooLarge(r.field, SAMPLE, 1000)
    return InvalidInput(r.field, SAMPLE, reason=r.reason, **dict.fromkeys(r.context, SAMPLE))


def _template_fields(code: str, lang: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(catalogue()[code][lang]) if name}


def test_the_scan_finds_the_raise_sites_through_the_helpers():
    fields = {r.field for r in RAISES}
    # direct, through int_arg / whole_number / rupiah_amount, regions' field=, parameter defaults
    assert {"paid_on", "died_on", "billing_cycle", "contribution_months", "quota", "budget", "days",
            "target_region", "domicile", "region", "code", "by", "version", "number", "document"} <= fields
    reasons = {r.reason for r in RAISES if r.field == "document"}
    assert {None, "document_type", "document_empty", "document_too_large", "document_unreadable"} <= reasons
    assert any(r.too_large and r.field == "days" for r in RAISES)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("raised", RAISES, ids=lambda r: f"{r.field}-{'too_large' if r.too_large else r.reason or ''}")
def test_a_refusal_never_shows_a_name_of_our_code(raised: Raise, lang: str):
    error = _error(raised)
    assert error.code in catalogue(), f"{raised.where}: no message {error.code}"
    text = error.message(lang)
    assert "{" not in text, f"{raised.where}: a field the code does not give: {text}"
    assert not SNAKE.findall(text), f"{raised.where}: {text}"
    assert f"({raised.field})" not in text, f"{raised.where}: {text}"
    if "field" in _template_fields(error.code, lang):
        # the message names the value: by its label in the reader's language, never by our name for it
        assert f"field.{raised.field}" in catalogue(), f"{raised.where}: {error.code} shows {raised.field}"
        assert raised.field not in text.split(), text


def test_every_kind_of_invalid_input_is_scanned():
    """The subclasses render through their own messages; each is built where it is raised from a
    field the scan cannot see, so each is listed here and rendered."""
    for info in pkgutil.walk_packages(lindung.__path__, "lindung."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)

    def subclasses(cls: type) -> set[type]:
        return {c for s in cls.__subclasses__() for c in (s, *subclasses(s))}

    from lindung.insight.targets import TargetRowRefused
    from lindung.users.service import FirstUserNotAdministrator
    from lindung.workers.service import InvalidNik, NikMismatch, UnknownRelationship

    known: dict[type, list[InvalidInput]] = {
        TooLarge: [TooLarge("budget", 10**16, 10**15, money=True)],
        InvalidNik: [InvalidNik("321601170590001", ("format",)),
                     InvalidNik("3216011705900001", ("serial",), field="heir_nik", heir="Budi")],
        UnknownRelationship: [UnknownRelationship("tetangga", ("spouse", "child"))],
        FirstUserNotAdministrator: [FirstUserNotAdministrator("officer")],
        TargetRowRefused: [TargetRowRefused(3, InvalidInput("region", "99.99")),
                           TargetRowRefused(4, InvalidInput("target_file", "2026 32.16 *", reason="target_twice"))],
        NikMismatch: [],
    }
    assert subclasses(InvalidInput) == set(known)
    known[NikMismatch] = [NikMismatch("sex", "P", "L", "3216011705900001"),
                          NikMismatch("birth_date", "1990-05-18", "1990-05-17", "3216011705900001")]
    for errors in known.values():
        for error in errors:
            for lang in LANGS:
                text = error.message(lang)
                assert "{" not in text and not SNAKE.findall(text), text


@pytest.mark.parametrize(("lang", "said"), [("id", "Tanggal bayar 2030-01-01 ada di masa depan."),
                                            ("en", "The payment date 2030-01-01 is in the future.")])
def test_a_payment_date_in_the_future_is_called_what_the_officer_knows(lang: str, said: str):
    assert InvalidInput("paid_on", "2030-01-01", reason="date_future").message(lang) == said
