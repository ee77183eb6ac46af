"""Every message exists in Indonesian and English with the same fields; money helpers refuse floats."""

from __future__ import annotations

import string
from decimal import Decimal

import pytest

from lindung.kit.i18n import catalogue, t
from lindung.kit.lokal import terbilang_rupiah
from lindung.rules.money import apply_rate, format_rupiah, round_rupiah
from lindung.rules.period import Month


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_fields():
    problems = []
    for code, entry in catalogue().items():
        if not (isinstance(entry, dict) and entry.get("id") and entry.get("en")):
            problems.append(f"{code}: needs id and en")
            continue
        if _fields(entry["id"]) != _fields(entry["en"]):
            problems.append(f"{code}: fields differ {_fields(entry['id'])} vs {_fields(entry['en'])}")
    assert not problems, "\n".join(problems)


def test_every_invalid_input_raised_in_the_code_has_a_message():
    """``InvalidInput("field", …)`` renders ``invalid.<reason or field>``: a missing one would show the
    bare code to an officer (it happened: ``invalid.until``)."""
    import re
    from pathlib import Path

    import lindung

    missing = []
    for path in Path(lindung.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r'InvalidInput\(\s*"(\w+)"', text):
            depth, end = 1, m.end()
            while depth and end < len(text):  # the call's own text, to its closing parenthesis
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            reason = re.search(r'reason\s*=\s*"(\w+)"', text[m.start():end])
            code = f"invalid.{reason.group(1) if reason else m.group(1)}"
            if code not in catalogue():
                missing.append(f"{path.name}: {code}")
        # The helpers that read a number raise InvalidInput(field, value) for the field they are given
        # (it happened: invalid.version, invalid.number).
        for m in re.finditer(r'\b(?:int_arg|whole_number|rupiah_amount|_req_int|_decimal_arg)\([^()]*?,\s*"(\w+)"',
                             text):
            if f"invalid.{m.group(1)}" not in catalogue():
                missing.append(f"{path.name}: invalid.{m.group(1)}")
        # Those with a bound name the number in its "too large" message (kit.numbers.TooLarge).
        for m in re.finditer(r'\b(?:whole_number|rupiah_amount)\([^()]*?,\s*"(\w+)"', text):
            if f"number.{m.group(1)}" not in catalogue():
                missing.append(f"{path.name}: number.{m.group(1)}")
    assert not missing, missing


def test_render_in_each_language():
    assert t("invalid.month", "id", value="2026-13").startswith("Bulan tidak valid: '2026-13'")
    assert t("invalid.month", "en", value="2026-13").startswith("Invalid month: '2026-13'")


class TestMoney:
    @pytest.mark.parametrize(("value", "expected"), [
        (Decimal("12.5"), 13), (Decimal("12.4999"), 12), (Decimal("-12.5"), -13), (7, 7), (Decimal("0.5"), 1)])
    def test_half_up(self, value, expected):
        assert round_rupiah(value) == expected

    def test_refuses_float(self):
        with pytest.raises(TypeError):
            round_rupiah(12.5)  # type: ignore[arg-type]

    def test_rate_and_format(self):
        assert apply_rate(1_000_000, Decimal("0.01")) == 10_000
        assert format_rupiah(16_800) == "Rp16.800"
        assert format_rupiah(1_015_600_000) == "Rp1.015.600.000"

    def test_terbilang(self):
        assert terbilang_rupiah(16_800) == "Enam belas ribu delapan ratus rupiah"
        assert terbilang_rupiah(70_000_000, "en") == "Seventy million rupiah"
        assert terbilang_rupiah(1_015_600_000, "en") == "One billion fifteen million six hundred thousand rupiah"


class TestMonth:
    def test_parse_and_arithmetic(self):
        m = Month.parse("2026-11")
        assert str(m + 2) == "2027-01" and str(m - 11) == "2025-12"
        assert Month.from_index(m.index) == m
        assert m.last_day().isoformat() == "2026-11-30" and Month(2028, 2).last_day().day == 29
        assert m.months_until(Month(2027, 11)) == 12

    @pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026/05", "26-05", "", "2026-5-1"])
    def test_invalid(self, text):
        from lindung.kit.errors import InvalidInput
        with pytest.raises(InvalidInput):
            Month.parse(text)
