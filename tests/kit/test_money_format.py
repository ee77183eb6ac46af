"""The rules format rupiah themselves (they import nothing of Lindung); lokal-id, which the rest of
Lindung wraps in ``kit.lokal``, must write every amount the same way."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lindung.kit.lokal import rupiah
from lindung.rules.money import rp


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_rules_write_rupiah_as_lokal_id_does(amount: int) -> None:
    assert rp(amount) == rupiah(amount)


def test_examples() -> None:
    assert rp(16800) == "Rp16.800"
    assert rp(-16800) == "-Rp16.800"
    assert rp(0) == "Rp0"
