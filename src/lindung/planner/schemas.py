"""What the budget planner takes and gives (``lindung plan … --json``; ``POST /api/v1/planner``).

Every amount is whole rupiah. A request gives a budget (what does it buy?) or a number of workers
(what do they cost?), a period of months, a funding source and an occupation mix; the answer shows its
arithmetic month by month: each sector's price per worker with its components and legal basis, the
workers, the subtotal, the running total and what is left.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictInt

from lindung.kit.schemas import MonthText, Schema
from lindung.simulator.schemas import ComponentLine

Direction = Literal["budget_to_workers", "workers_to_budget"]


class MixLine(Schema):
    """One occupation of the mix and how many workers of it (or its weight: 70 and 30 are 70 %/30 %)."""

    occupation: str = Field(max_length=200)
    """An occupation's code or label ('petani', 'Tukang Ojek'): transport work is another sector."""
    count: StrictInt = 1
    """Workers of this occupation (1 or more); in a budget → workers plan, their share of the mix."""


class PlanRequest(Schema):
    """A budget (``budget``) → the workers it covers, or workers (``workers``, else the mix's counts)
    → the budget they need; never both."""

    first_month: MonthText
    """The period's first month, ``YYYY-MM``."""
    last_month: MonthText
    """The period's last month, ``YYYY-MM`` (not before the first)."""
    funding: str = Field(max_length=200)
    """The funding source's code (``kadin``, ``csr``, ``apbd``, ``apbdes``, ``apbn``…)."""
    budget: StrictInt | None = None
    """Rupiah to spend (0 or more): the planner finds the workers it covers."""
    workers: StrictInt | None = None
    """Workers to cover every month of the period (reverse: the budget they need)."""
    mix: list[MixLine] = Field(default_factory=list, max_length=200)
    """The occupation mix; at least one line (a worker list's occupations count as one)."""
    income: StrictInt | None = None
    """Declared income a month (rupiah), mapped to its bracket; by default the lowest bracket (the
    cheapest package)."""


class SectorMonth(Schema):
    """One sector's line of a month: price per worker with its components, workers, subtotal."""

    sector: str
    """``transport`` or ``other``."""
    sector_label: str
    workers: int
    price: int
    """Rupiah per worker for this month."""
    subtotal: int
    components: list[ComponentLine]
    """The price's lines: the base's bracket, JKK, JKM, the discounts, each with its arithmetic and law."""


class MonthRow(Schema):
    month: str
    workers: int
    sectors: list[SectorMonth]
    subtotal: int
    running_total: int
    left: int | None
    """What is left of the budget after this month (None when no budget was given)."""


class MixView(Schema):
    occupation: str
    label: str
    sector: str
    given: int
    """The count (or weight) given."""
    workers: int
    """Workers of this occupation in the plan."""


class TopUpRow(Schema):
    """A month where what is left after the whole-period plan buys more workers for that month only."""

    month: str
    workers: int
    cost: int
    left: int


class PlanView(Schema):
    direction: Direction
    first_month: str
    last_month: str
    months: int
    funding: str
    funding_label: str
    income: int
    """The declared income the prices are for (the lowest bracket's lower bound by default)."""
    base: int
    """The contribution base (dasar) of the first month."""
    budget: int | None
    workers: int
    """Workers covered every month of the period."""
    worker_months: int
    """``workers`` × ``months``."""
    total: int
    """What those workers cost over the period."""
    left: int | None
    """The budget less ``total`` (None without a budget)."""
    mix: list[MixView]
    rows: list[MonthRow]
    """Month by month."""
    topup: list[TopUpRow]
    """Months bought in order with what is left (budget → workers only)."""
    worker_months_in_order: int
    """``worker_months`` and the top-up's worker-months."""
    left_after_topup: int | None
    rule: str
    """How the worker-months in order are counted, in the reader's language."""
