"""The parameter loader is strict: broken files fail with the file and the key in the message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from lindung.kit.errors import NoRuleInForce, ParameterError
from lindung.rules.params import default_parameters, load_directory, parse_parameter

GOOD = """\
description: test
unit: rupiah
reference: PP 44/2015
values:
  2015-07-01:
    value: 6800
  2020-01-01:
    value: 7000
    reference: PP 99/2019
    verified: false
  2021-01-01: null
"""


def parse(text: str, name: str = "t.x"):
    return parse_parameter(name, text, f"{name}.yaml")


def broken(text: str) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        parse(text)
    assert "t.x.yaml" in str(info.value)
    return info.value


class TestLookup:
    def test_latest_value_whose_start_is_not_after_the_date(self):
        p = parse(GOOD)
        assert p.at(dt.date(2015, 7, 1)).value == 6800
        assert p.at(dt.date(2019, 12, 31)).value == 6800
        assert p.at(dt.date(2020, 1, 1)).value == 7000
        assert p.at(dt.date(2020, 1, 1)).reference == "PP 99/2019"
        assert p.at(dt.date(2020, 1, 1)).verified is False
        assert p.at(dt.date(2015, 7, 1)).verified is True

    def test_before_the_first_value_no_rule_is_in_force(self):
        with pytest.raises(NoRuleInForce):
            parse(GOOD).at(dt.date(2015, 6, 30))

    def test_null_ends_the_rule(self):
        with pytest.raises(NoRuleInForce):
            parse(GOOD).at(dt.date(2021, 1, 1))

    def test_rates_are_decimal_never_float(self):
        p = parse("description: r\nunit: rate\nreference: X\nvalues:\n  2015-07-01: {value: 0.01}\n")
        value = p.at(dt.date(2016, 1, 1)).value
        assert type(value) is Decimal and value == Decimal("0.01")


class TestBrokenFiles:
    def test_duplicate_key(self):
        err = broken(GOOD.replace("  2020-01-01:", "  2015-07-01:"))
        assert "duplicate key" in err.problem

    def test_duplicate_top_level_key(self):
        err = broken("unit: rupiah\n" + GOOD)
        assert "duplicate key 'unit'" in err.problem

    def test_dates_out_of_order(self):
        text = GOOD.replace("2020-01-01", "2014-01-01")
        err = broken(text)
        assert err.key == "values.2014-01-01" and "out of order" in err.problem

    def test_missing_reference(self):
        err = broken(GOOD.replace("reference: PP 44/2015\n", ""))
        assert err.key == "reference" and err.problem == "missing"

    def test_empty_value_reference(self):
        err = broken(GOOD.replace("reference: PP 99/2019", "reference: ''"))
        assert err.key == "values.2020-01-01.reference"

    def test_unknown_unit(self):
        err = broken(GOOD.replace("unit: rupiah", "unit: dollars"))
        assert err.key == "unit" and "unknown unit 'dollars'" in err.problem

    def test_unknown_top_level_key(self):
        err = broken(GOOD + "extra: 1\n")
        assert err.key == "extra"

    def test_unknown_key_in_a_value(self):
        err = broken(GOOD.replace("    verified: false", "    verifed: false"))
        assert err.key == "values.2020-01-01.verifed"

    def test_value_that_does_not_fit_the_unit(self):
        err = broken(GOOD.replace("value: 7000", "value: 70.5"))
        assert err.key == "values.2020-01-01.value"

    def test_rate_above_one(self):
        err = broken("description: r\nunit: rate\nreference: X\nvalues:\n  2015-07-01: {value: 1.5}\n")
        assert "between 0 and 1" in err.problem

    def test_key_that_is_not_a_date(self):
        err = broken(GOOD.replace("2020-01-01:", "sometime:"))
        assert err.key == "values.sometime"

    def test_bracket_table_out_of_order(self):
        text = ("description: b\nunit: bracket_table\nreference: X\nvalues:\n  2015-07-01:\n    value:\n"
                "      - {from: 0, base: 1000000}\n      - {from: 0, base: 1200000}\n")
        assert "increase" in broken(text).problem

    def test_invalid_yaml_names_the_line(self):
        err = broken("description: [unclosed\n")
        assert err.key.startswith("line ")


class TestShippedParameters:
    def test_every_shipped_file_loads(self):
        params = default_parameters()
        assert len(params) >= 40

    def test_unverified_values_stay_marked(self):
        params = default_parameters()
        assert params.at("contribution.income_brackets", dt.date(2026, 1, 1)).verified is False
        assert params.at("jkm.lump_sum", dt.date(2020, 1, 1)).verified is False  # PP 82/2019 date
        assert params.at("contribution.discount_rate_other", dt.date(2020, 9, 1)).verified is False
        assert params["jkk.aid_caps"].verified is False
        assert params.at("jkk.aid_caps", dt.date(2026, 1, 1)).value == {
            "dentures": None, "hearing_aid": None, "glasses": None}

    def test_a_broken_file_in_a_directory_names_the_file(self, tmp_path: Path):
        (tmp_path / "contribution").mkdir()
        (tmp_path / "contribution" / "jkm_flat.yaml").write_text(GOOD.replace("unit: rupiah", "unit: x"))
        with pytest.raises(ParameterError, match=r"contribution\.jkm_flat\.yaml: unit"):
            load_directory(tmp_path)
