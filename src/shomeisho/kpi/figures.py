"""A period's figures, computed from its facts alone: every count as a named cell, the sums that
tie the cells together (for suppression), and the times (percentiles) from the histogram.

Why cells with names: the page, the CSV and the JSON must show the same numbers withheld the
same way, so all three are written from one list of cells (:mod:`shomeisho.kpi.published`), and
each cell's name (figure, breakdown, key, municipality) is what the open data calls it.

Journey figures are national only. Journey events carry no municipality, on purpose: they are
kept without personal data, and a journey tied to a place of residence in a small municipality
comes close to identifying someone. Per municipality the figures are the issuances (by channel
and format), which are tied to the resident's municipality anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from shomeisho.errors import Verdict
from shomeisho.kpi.facts import (
    ENDED,
    FORMATS,
    ISSUING_CHANNELS,
    NO_USE,
    REFUSED,
    USES,
    VERIFYING_CHANNELS,
    PeriodFacts,
    histogram,
)
from shomeisho.kpi.suppression import Relation
from shomeisho.procedure.journey_metrics import GOAL, STEPS

GOAL_SECONDS = int(GOAL.total_seconds())
BAND = 10  # seconds per band of the time-to-certificate distribution
LAST_BAND = 120  # times over this are one band (twice the goal)
VERDICTS = tuple(v.value for v in Verdict)
VERIFIED_FORMATS = (*FORMATS, "unknown")  # "unknown": nothing could be read
ABANDONED = "abandoned"  # the reason key of journeys that left without an ending
# the steps every journey goes through, in order (travel is only for overseas use)
MAIN_PATH = tuple(step for step in STEPS if step != "travel")


@dataclass(frozen=True, slots=True, order=True)
class Cell:
    """The name of one published figure: ``figure`` broken down by ``breakdown`` = ``key``
    (``total`` / "" for the whole), for ``municipality`` ("" for the whole country)."""

    figure: str
    breakdown: str = "total"
    key: str = ""
    municipality: str = ""


@dataclass
class Figures:
    """The counts of a period (``counts``), the relations among them, and the times: median
    and p95 in whole seconds per use ("" for all journeys), None without any certificate."""

    first: str
    last: str
    scope: str  # "" for the whole country, else the municipality code
    counts: dict[Cell, int] = field(default_factory=dict)
    relations: list[Relation[Cell]] = field(default_factory=list)
    median: dict[str, int | None] = field(default_factory=dict)
    p95: dict[str, int | None] = field(default_factory=dict)

    def put(self, cell: Cell, value: int) -> Cell:
        self.counts[cell] = self.counts.get(cell, 0) + value
        return cell

    def sums(self, total: Cell, parts: Iterable[Cell]) -> None:
        self.relations.append(Relation(total, tuple(parts)))


def band_of(seconds: int) -> str:
    """The distribution band of a time in whole seconds: ``"0-10"`` is over 0 and up to and
    including 10 s (so every band up to ``"50-60"`` is within the 60-second goal)."""
    if seconds > LAST_BAND:
        return f"{LAST_BAND}-"
    upper = max(BAND, -(-seconds // BAND) * BAND)
    return f"{upper - BAND}-{upper}"


BANDS = tuple(band_of(s) for s in range(BAND, LAST_BAND + BAND + 1, BAND))


def percentile(counts: Mapping[int, int], percent: int) -> int | None:
    """The nearest-rank percentile of a histogram (value -> how many): the value at rank
    ``ceil(percent * n / 100)``, as :func:`~shomeisho.procedure.journey_metrics.nearest_rank`
    computes it on the list of values, in the same integer arithmetic."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, (percent * total + 99) // 100)
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")  # pragma: no cover


def figures(period: PeriodFacts, municipality: str = "") -> Figures:
    """The figures of ``period``: national (``municipality`` ""), with the issuances of each
    municipality, the verifications and the journeys; or one municipality's issuances (its
    facts must then hold only that municipality's issuances)."""
    found = Figures(period.first.isoformat(), period.last.isoformat(), municipality)
    _issuances(found, period, municipality)
    if not municipality:
        _verifications(found, period)
        _journeys(found, period)
    return found


def _issuances(found: Figures, period: PeriodFacts, scope: str) -> None:
    facts = period.facts.issuances
    total = found.put(Cell("issuances", municipality=scope), sum(f.issuances for f in facts))
    channels = [Cell("issuances", "channel", c, scope) for c in ISSUING_CHANNELS]
    for cell in channels:
        found.put(cell, sum(f.issuances for f in facts if f.channel == cell.key))
    found.sums(total, channels)
    days = [Cell("issuances", "day", d.day.isoformat(), scope) for d in period.daily]
    for cell, day in zip(days, period.daily, strict=True):
        found.put(cell, day.issuances)
    found.sums(total, days)
    for name in FORMATS:  # not a partition (one issuance holds several formats): no relation
        held = sum(f.issuances for f in facts if name in f.format_list())
        found.put(Cell("certificates", "format", name, scope), held)
    if scope:
        return
    codes = sorted({f.municipality_code for f in facts})
    for code in codes:
        mine = [f for f in facts if f.municipality_code == code]
        own = found.put(Cell("issuances", municipality=code), sum(f.issuances for f in mine))
        parts = [Cell("issuances", "channel", c, code) for c in ISSUING_CHANNELS]
        for cell in parts:
            found.put(cell, sum(f.issuances for f in mine if f.channel == cell.key))
        found.sums(own, parts)
    found.sums(total, [Cell("issuances", municipality=code) for code in codes])
    for cell in channels:
        found.sums(cell, [Cell("issuances", "channel", cell.key, code) for code in codes])


def _verifications(found: Figures, period: PeriodFacts) -> None:
    facts = period.facts.verifications
    total = found.put(Cell("verifications"), sum(f.total for f in facts))
    for breakdown, keys in (
        ("verdict", VERDICTS),
        ("channel", VERIFYING_CHANNELS),
        ("format", VERIFIED_FORMATS),
    ):
        cells = [Cell("verifications", breakdown, key) for key in keys]
        for cell in cells:
            found.put(cell, sum(f.total for f in facts if getattr(f, breakdown) == cell.key))
        found.sums(total, cells)
    days = [Cell("verifications", "day", d.day.isoformat()) for d in period.daily]
    for cell, day in zip(days, period.daily, strict=True):
        found.put(cell, day.verifications)
    found.sums(total, days)


def _journeys(found: Figures, period: PeriodFacts) -> None:
    facts = period.facts
    started = found.put(Cell("journeys_started"), sum(j.started for j in facts.journeys))
    certified = found.put(Cell("journeys_with_certificate"),
                          sum(j.certificates for j in facts.journeys))  # fmt: skip
    by_use = {}
    for use in USES:
        mine = [j for j in facts.journeys if j.use == use]
        by_use[use] = found.put(Cell("journeys_started", "use", use), sum(j.started for j in mine))
        with_certificate = found.put(
            Cell("journeys_with_certificate", "use", use), sum(j.certificates for j in mine)
        )
        found.sums(by_use[use], [with_certificate])  # the rest did not get one
    found.sums(started, by_use.values())
    found.sums(certified, [Cell("journeys_with_certificate", "use", u) for u in USES])
    days = [Cell("journeys_started", "day", d.day.isoformat()) for d in period.daily]
    for cell, day in zip(days, period.daily, strict=True):
        found.put(cell, day.journeys_started)
    found.sums(started, days)
    _endings(found, period, started, certified)
    _steps(found, period, started, by_use["overseas"])
    _times(found, period, certified)


def _endings(found: Figures, period: PeriodFacts, started: Cell, certified: Cell) -> None:
    reasons = period.facts.reasons
    ended = _in_step_order({f"{r.step}/{r.code}" for r in reasons if r.kind == ENDED})
    endings = [Cell("journeys_ended", "reason", key) for key in ended]
    for cell in endings:
        found.put(cell, sum(r.journeys for r in reasons
                            if r.kind == ENDED and f"{r.step}/{r.code}" == cell.key))  # fmt: skip
    left = found.put(Cell("journeys_ended", "reason", ABANDONED),
                     sum(j.abandoned for j in period.facts.journeys))  # fmt: skip
    found.sums(started, [certified, *endings, left])  # every journey ends one way
    refused = _in_step_order({f"{r.step}/{r.code}" for r in reasons if r.kind == REFUSED})
    for key in refused:  # not a partition: a journey may meet several refusals
        found.put(Cell("journeys_refused", "step_field", key),
                  sum(r.journeys for r in reasons
                      if r.kind == REFUSED and f"{r.step}/{r.code}" == key))  # fmt: skip


def _in_step_order(keys: set[str]) -> list[str]:
    """``step/code`` keys in the order of the steps, then of the codes."""

    def order(key: str) -> tuple[int, str]:
        step, _, code = key.partition("/")
        return (STEPS.index(step) if step in STEPS else len(STEPS), code)

    return sorted(keys, key=order)


def _steps(found: Figures, period: PeriodFacts, started: Cell, overseas: Cell) -> None:
    steps = period.facts.steps
    for step in STEPS:
        reached = found.put(Cell("step_reached", "step", step),
                            sum(s.reached for s in steps if s.step == step))  # fmt: skip
        completed = found.put(Cell("step_completed", "step", step),
                              sum(s.completed for s in steps if s.step == step))  # fmt: skip
        found.sums(overseas if step == "travel" else started, [reached])
        found.sums(reached, [completed])  # reached and left at this step
    for before, after in pairwise(MAIN_PATH):  # completed one step, left before the next
        found.sums(Cell("step_completed", "step", before), [Cell("step_completed", "step", after)])


def _times(found: Figures, period: PeriodFacts, certified: Cell) -> None:
    times = period.facts.times
    for use in ("", *USES):
        counts = histogram(times, use or None)
        found.median[use] = percentile(counts, 50)
        found.p95[use] = percentile(counts, 95)
        if use == NO_USE:
            continue  # a certificate always has a use
        within = found.put(Cell("within_60s", "use" if use else "total", use),
                           sum(n for s, n in counts.items() if s <= GOAL_SECONDS))  # fmt: skip
        base = Cell("journeys_with_certificate", "use" if use else "total", use)
        found.sums(base, [within])  # the rest took longer
    all_times = histogram(times)
    bands = [Cell("time_to_certificate", "band", band) for band in BANDS]
    for cell in bands:
        found.put(cell, sum(n for s, n in all_times.items() if band_of(s) == cell.key))
    found.sums(certified, bands)
    goal = BANDS.index(band_of(GOAL_SECONDS)) + 1
    found.sums(Cell("within_60s"), bands[:goal])
