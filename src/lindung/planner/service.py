"""The budget planner: what a budget buys under the dated rules, and what a number of workers costs.

Pure rules, no database: every month of the period is priced with
``rules.contributions.contribution_for_month`` for each sector of the mix (transport work and the
others have their own PP 50/2025 discount, by month and funding source; APBN/APBD funding gets none),
so the figures follow the parameters' dates, never a number written here.

The rules the answers follow (docs/planner.md):

- **The mix.** Only the sector of an occupation changes its price. ``N`` workers in the mix are split
  into the transport share ``round(N × transport weight / all weights)`` (halves up) and the rest, so
  that one more worker adds one worker to exactly one sector and the cost grows with ``N``. Within a
  sector the workers are shared among its occupations by largest remainder (shown, not priced).
- **Budget → workers.** The largest ``N`` covered every month of the whole period with the budget
  (the same workers every month); what is left is said.
- **Worker-months in order.** Those ``N`` workers every month, then what is left bought month by
  month from the first month: each month as many more workers of the mix as the rest pays for that
  month alone. Their sum is the second answer.
- **Workers → budget.** ``workers`` (or the mix's counts added up) every month of the period.
"""

from __future__ import annotations

from dataclasses import dataclass

from lindung.enrolment.schemas import Upload
from lindung.kit.auth import Actor
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import component_label, t
from lindung.kit.numbers import COUNT_MAX, MONTHS_MAX, rupiah_amount, whole_number
from lindung.planner.files import WorkerList, occupations_of
from lindung.planner.schemas import (
    MixLine,
    MixView,
    MonthRow,
    PlanRequest,
    PlanView,
    SectorMonth,
    TopUpRow,
)
from lindung.rules.catalogues import Occupation, funding_source, occupation
from lindung.rules.contributions import OTHER, TRANSPORT, MonthlyContribution, contribution_for_month, lowest_income
from lindung.rules.period import Month
from lindung.simulator.schemas import ComponentLine

SECTORS = (OTHER, TRANSPORT)


@dataclass(frozen=True, slots=True)
class _Mix:
    """The mix as weights: each occupation with its count, and the weight of each sector."""

    lines: tuple[tuple[Occupation, int], ...]

    def weight(self, sector: str) -> int:
        return sum(n for occ, n in self.lines if _sector(occ) == sector)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.lines)

    def split(self, workers: int) -> dict[str, int]:
        """``workers`` by sector: the transport share rounded (halves up), the rest the other sector."""
        whole = self.total
        transport = (2 * workers * self.weight(TRANSPORT) + whole) // (2 * whole)
        return {OTHER: workers - transport, TRANSPORT: transport}

    def sectors(self) -> tuple[str, ...]:
        return tuple(s for s in SECTORS if self.weight(s) > 0)


def _sector(occ: Occupation) -> str:
    return TRANSPORT if occ.transport else OTHER


def _read_mix(lines: list[MixLine], extra: WorkerList | None) -> _Mix:
    counts: dict[str, int] = {}
    known: dict[str, Occupation] = {}
    for line in lines:
        occ = occupation(line.occupation)
        count = whole_number(line.count, "mix", minimum=1, maximum=COUNT_MAX)
        known[occ.code] = occ
        counts[occ.code] = counts.get(occ.code, 0) + count
    if extra is not None:
        for code, count in extra.counts.items():
            known[code] = occupation(code)
            counts[code] = counts.get(code, 0) + count
    if not counts:
        raise InvalidInput("mix", "")
    if sum(counts.values()) > COUNT_MAX:
        raise InvalidInput("mix", sum(counts.values()))
    return _Mix(tuple((known[code], n) for code, n in counts.items()))


def _period(first: Month, last: Month) -> list[Month]:
    if last < first:
        raise InvalidInput("last_month", str(last), reason="period_reversed", first=str(first))
    count = whole_number(first.months_until(last) + 1, "months", minimum=1, maximum=MONTHS_MAX)
    return first.span(count)


def _components(price: MonthlyContribution, lang: str) -> list[ComponentLine]:
    return [ComponentLine(code=c.code, label=component_label(c.code, lang), amount=c.amount, arithmetic=c.arithmetic,
                          reference=c.reference, verified=c.verified, note=c.note) for c in price.components]


def _share(total: int, weights: list[int]) -> list[int]:
    """``total`` shared by ``weights`` (largest remainder, ties to the first)."""
    whole = sum(weights)
    if whole == 0:
        return [0 for _ in weights]
    floors = [total * w // whole for w in weights]
    rest = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


def plan(request: PlanRequest, *, by: Actor, lang: str = "id", worker_list: Upload | None = None) -> PlanView:
    """A budget → the workers it covers (and the worker-months in order), or workers → the budget, with
    the arithmetic month by month (see the module for the rules). ``worker_list``, a sponsor's file (CSV
    or XLSX, the import format or any sheet with an occupation column), adds its occupations to the mix:
    counts by occupation are all that is read of it, and nothing is written."""
    by.require("plan.use")
    listed = None if worker_list is None else occupations_of(worker_list)
    source = funding_source(request.funding)
    months = _period(request.first_month, request.last_month)
    if request.budget is not None and request.workers is not None:
        raise InvalidInput("workers", request.workers, reason="budget_or_workers")
    budget = None if request.budget is None else rupiah_amount(request.budget, "budget")
    income = None if request.income is None else rupiah_amount(request.income, "income")
    mix = _read_mix(request.mix, listed)
    sectors = mix.sectors()

    prices: dict[tuple[Month, str], MonthlyContribution] = {}
    for m in months:
        declared = income if income is not None else lowest_income(m.first_day())
        for sector in sectors:
            prices[(m, sector)] = contribution_for_month(m, income=declared, transport=sector == TRANSPORT,
                                                         funding=source.code)
    per_sector = {s: sum(prices[(m, s)].total for m in months) for s in sectors}

    def cost(workers: int) -> int:
        split = mix.split(workers)
        return sum(split[s] * per_sector[s] for s in sectors)

    if budget is not None:
        cheapest = max(1, min(per_sector.values()))
        low, high = 0, budget // cheapest + 1
        while low < high:  # the largest N with cost(N) <= budget: cost grows with N
            mid = (low + high + 1) // 2
            if cost(mid) <= budget:
                low = mid
            else:
                high = mid - 1
        workers = low
    else:
        given = request.workers if request.workers is not None else mix.total
        workers = whole_number(given, "workers", minimum=1, maximum=COUNT_MAX)

    split = mix.split(workers)
    rows: list[MonthRow] = []
    running = 0
    for m in months:
        lines = [SectorMonth(sector=s, sector_label=t(f"ui.sector_{s}", lang), workers=split[s],
                             price=prices[(m, s)].total, subtotal=split[s] * prices[(m, s)].total,
                             components=_components(prices[(m, s)], lang)) for s in sectors]
        subtotal = sum(line.subtotal for line in lines)
        running += subtotal
        rows.append(MonthRow(month=str(m), workers=workers, sectors=lines, subtotal=subtotal, running_total=running,
                             left=None if budget is None else budget - running))

    topup: list[TopUpRow] = []
    rest = None if budget is None else budget - running
    if rest is not None:
        for m in months:
            def month_cost(n: int, m: Month = m) -> int:
                part = mix.split(n)
                return sum(part[s] * prices[(m, s)].total for s in sectors)
            cheapest = max(1, min(prices[(m, s)].total for s in sectors))
            low, high = 0, rest // cheapest + 1
            while low < high:
                mid = (low + high + 1) // 2
                if month_cost(mid) <= rest:
                    low = mid
                else:
                    high = mid - 1
            if low:
                rest -= month_cost(low)
                topup.append(TopUpRow(month=str(m), workers=low, cost=month_cost(low), left=rest))

    shown: list[MixView] = []
    for sector in sectors:
        members = [(occ, n) for occ, n in mix.lines if _sector(occ) == sector]
        for (occ, n), count in zip(members, _share(split[sector], [n for _, n in members]), strict=True):
            shown.append(MixView(occupation=occ.code, label=occ.label(lang), sector=sector, given=n, workers=count))

    first_price = prices[(months[0], sectors[0])]
    worker_months = workers * len(months)
    return PlanView(
        direction="budget_to_workers" if budget is not None else "workers_to_budget",
        first_month=str(months[0]), last_month=str(months[-1]), months=len(months), funding=source.code,
        funding_label=source.label(lang),
        income=income if income is not None else lowest_income(months[0].first_day()), base=first_price.base,
        budget=budget, workers=workers, worker_months=worker_months, total=running,
        left=None if budget is None else budget - running, mix=shown, rows=rows, topup=topup,
        worker_months_in_order=worker_months + sum(r.workers for r in topup), left_after_topup=rest,
        rule=t("plan.rule", lang))

