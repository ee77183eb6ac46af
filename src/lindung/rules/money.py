"""Money is an int of whole rupiah; rates are Decimal; one named rounding function.

No float ever enters here: ``round_rupiah`` refuses one, so a float that sneaks into a
calculation fails loudly instead of losing a rupiah.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Rupiah = int


def round_rupiah(value: Decimal | int) -> Rupiah:
    """Whole rupiah, half up (rules.md 2.1): Decimal('12.5') -> 13."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"money must be Decimal or int, not {type(value).__name__}")
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_rate(base: Rupiah, rate: Decimal) -> Rupiah:
    """``rate`` × ``base`` rounded to whole rupiah."""
    return round_rupiah(Decimal(base) * rate)


def format_rupiah(amount: Rupiah) -> str:
    """16800 -> 'Rp16.800', -16800 -> '-Rp16.800' (PUEBI style: no space, dots between thousands).

    Written here rather than through lokal-id (``kit.lokal``, which gives the same text: a test holds
    them equal) because the rules write amounts into their arithmetic and import nothing of Lindung."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def format_percent(rate: Decimal) -> str:
    """Decimal('0.01') -> '1%', Decimal('0.075') -> '7,5%'."""
    pct = (rate * 100).normalize()
    text = format(pct, "f")
    return text.replace(".", ",") + "%"


def rp(amount: Rupiah) -> str:
    """Short alias used in arithmetic strings: 'Rp1.000.000'."""
    return format_rupiah(amount)
