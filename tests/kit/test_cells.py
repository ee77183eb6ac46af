"""A text that would start a spreadsheet formula is written as text; numbers and names are not touched."""

from __future__ import annotations

import pytest

from lindung.kit.cells import inert


@pytest.mark.parametrize(("value", "written"), [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-Dedi", "'-Dedi"),
    ("\t=1", "'\t=1"),
    # Left as they are: they compute nothing.
    ("-5", "-5"), ("+62 812-3456-7890", "+62 812-3456-7890"), ("-1.500.000,00", "-1.500.000,00"),
    ("Asep Saputra", "Asep Saputra"), ("Dedi-Mulyadi", "Dedi-Mulyadi"), ("", ""), (16800, 16800), (None, None),
])
def test_a_formula_becomes_text_and_nothing_else_changes(value, written):
    assert inert(value) == written
