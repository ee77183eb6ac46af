"""What may be shown of a NIK (UU 27/2022 PDP), also inside free text an officer wrote."""

from __future__ import annotations

import pytest

from lindung.kit.privacy import mask_nik, mask_niks_in_text


def test_a_nik_shows_its_first_and_last_four_digits_only():
    assert mask_nik("3216014107950001") == "3216********0001"
    assert mask_nik("12345") == "*****"


@pytest.mark.parametrize(("text", "shown"), [
    ("NIK 3216014107950001 salah", "NIK 3216********0001 salah"),
    ("3216 0141 0795 0001 dan 3216-0141-0795-0002.", "3216********0001 dan 3216********0002."),
    ("32.16.01.41.07.95.0001", "3216********0001"),
    # Not a NIK: fewer or more digits in the run, a sum of money, a document number.
    ("Rp201.600.000", "Rp201.600.000"),
    ("32160141079500011", "32160141079500011"),
    ("321601410795000", "321601410795000"),
    ("Adendum I No. 12/PKS/2026", "Adendum I No. 12/PKS/2026"),
])
def test_every_nik_in_free_text_is_masked_and_nothing_else(text, shown):
    assert mask_niks_in_text(text) == shown
