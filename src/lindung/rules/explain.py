"""Explained results: every amount says how it was computed and under which law."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lindung.rules.money import Rupiah
from lindung.rules.params import Value


@dataclass(frozen=True, slots=True)
class Component:
    """One line of a computation: ``code`` names it (labels live in kit/messages.yaml as
    ``component.<code>``), ``arithmetic`` shows the sum, ``reference`` cites the law."""

    code: str
    amount: Rupiah
    arithmetic: str
    reference: str
    verified: bool = True
    note: str | None = None

    @classmethod
    def of(cls, code: str, amount: Rupiah, arithmetic: str, *sources: Value, note: str | None = None
           ) -> Component:
        refs: list[str] = []
        for s in sources:
            if s.reference not in refs:
                refs.append(s.reference)
        return cls(code, amount, arithmetic, "; ".join(refs), all(s.verified for s in sources), note)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "amount": self.amount, "arithmetic": self.arithmetic,
                "reference": self.reference, "verified": self.verified, "note": self.note}


def total(components: Iterable[Component]) -> Rupiah:
    return sum((c.amount for c in components), 0)
