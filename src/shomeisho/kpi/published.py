"""The figures as published: one list of rows that the page, the CSV and the JSON all show.

Why one list: a count withheld on the page but printed in the CSV would undo the suppression,
so the three are written from the same rows, and the rows are made here, once. Each row is a
count, a rate or a time; a withheld row has no value and says why (``small``: the count is from
1 to 9; ``complementary``: it would give a small or withheld count away by subtraction). A rate
is withheld when its numerator or denominator is, and a median or p95 when fewer than 10
journeys got a certificate (a time is not a count, but a time of 3 people is theirs). A row
without a value and without a reason has nothing to show (a rate of zero journeys).

Staff of a municipality, and the national operator, see their figures without suppression
(``suppress=False``): they may see their own residents anyway, and they need exact numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from shomeisho.kpi.facts import NO_USE, USES, PeriodFacts
from shomeisho.kpi.figures import Cell, Figures, figures
from shomeisho.kpi.suppression import SMALL, WITHHELD_COMPLEMENTARY, WITHHELD_SMALL, withhold
from shomeisho.procedure.journey_metrics import STEPS

COUNT, RATIO, SECONDS = "count", "ratio", "seconds"  # units


@dataclass(frozen=True, slots=True)
class Row:
    """One published figure. ``value`` is None when withheld (``withheld`` says why) or when
    there is nothing to compute."""

    cell: Cell
    value: int | float | None
    unit: str
    withheld: str = ""

    @property
    def figure(self) -> str:
        return self.cell.figure

    @property
    def shown(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Published:
    """The rows of one period and scope, in publication order."""

    first: str
    last: str
    scope: str
    suppressed: bool
    rows: tuple[Row, ...]
    index: dict[Cell, Row] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {row.cell: row for row in self.rows})

    def get(self, figure: str, breakdown: str = "total", key: str = "",
            municipality: str | None = None) -> Row:  # fmt: skip
        """The row of a cell (a count of 0 when the period has no such cell)."""
        cell = Cell(figure, breakdown, key, self.scope if municipality is None else municipality)
        return self.index.get(cell) or Row(cell, 0, COUNT)

    def of(self, figure: str, breakdown: str, municipality: str | None = None) -> list[Row]:
        """Every row of one figure's breakdown, in publication order."""
        where = self.scope if municipality is None else municipality
        return [
            r for r in self.rows
            if (r.cell.figure, r.cell.breakdown, r.cell.municipality) == (figure, breakdown, where)
        ]  # fmt: skip

    def municipalities(self) -> list[str]:
        """The municipalities with issuance rows of their own (national scope)."""
        return sorted({r.cell.municipality for r in self.rows if r.cell.municipality} - {""})


def publish(period: PeriodFacts, *, suppress: bool = True, municipality: str = "") -> Published:
    """The rows of ``period`` (national, or one municipality's issuances), with small counts
    and what would reveal them withheld unless ``suppress`` is False."""
    found = figures(period, municipality)
    withheld = withhold(found.counts, found.relations) if suppress else {}
    rows = list(_counts(found, withheld))
    if not municipality:
        rows.extend(_rates(found, withheld))
        rows.extend(_times(found, suppress))
    return Published(found.first, found.last, municipality, suppress, tuple(rows))


def _counts(found: Figures, withheld: dict[Cell, str]) -> Iterator[Row]:
    for cell, value in found.counts.items():  # in the order the figures were built
        reason = withheld.get(cell, "")
        yield Row(cell, None if reason else value, COUNT, reason)


def _rate(found: Figures, withheld: dict[Cell, str], cell: Cell, part: Cell, whole: Cell) -> Row:
    reasons = {withheld.get(part, ""), withheld.get(whole, "")} - {""}
    if reasons:
        why = WITHHELD_SMALL if WITHHELD_SMALL in reasons else WITHHELD_COMPLEMENTARY
        return Row(cell, None, RATIO, why)
    denominator = found.counts[whole]
    value = round(found.counts[part] / denominator, 4) if denominator else None
    return Row(cell, value, RATIO)


def _rates(found: Figures, withheld: dict[Cell, str]) -> Iterator[Row]:
    for use in ("", *USES):
        by = "use" if use else "total"
        started = Cell("journeys_started", by, use)
        certified = Cell("journeys_with_certificate", by, use)
        yield _rate(found, withheld, Cell("certificate_rate", by, use), certified, started)
        if use != NO_USE:
            within = Cell("within_60s", by, use)
            yield _rate(found, withheld, Cell("share_within_60s", by, use), within, certified)
    for step in STEPS:
        base = (
            Cell("journeys_started", "use", "overseas")
            if step == "travel"
            else Cell("journeys_started")
        )
        for measure in ("reached", "completed"):
            part = Cell(f"step_{measure}", "step", step)
            yield _rate(found, withheld, Cell(f"step_{measure}_rate", "step", step), part, base)


def _times(found: Figures, suppress: bool) -> Iterator[Row]:
    for use in ("", *USES):
        if use == NO_USE:
            continue
        by = "use" if use else "total"
        timed = found.counts[Cell("journeys_with_certificate", by, use)]
        for name, values in (("median", found.median), ("p95", found.p95)):
            cell = Cell(f"time_to_certificate_{name}", by, use)
            if suppress and 0 < timed < SMALL:
                yield Row(cell, None, SECONDS, WITHHELD_SMALL)
            else:
                yield Row(cell, values[use], SECONDS)
