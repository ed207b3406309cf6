"""Fact shapes, and the roll-up of one Japanese calendar day from the raw records.

Why facts: the dashboard must answer from a few thousand summed rows, never by reading millions
of journey events, and a closed day's figures must not change when raw rows are pruned later.
So each day is reduced once (and again while it is still settling) to counts keyed by the
dimensions the figures need: the use chosen, the step, the municipality, the channel, the
format, the verdict. Counts add across days, so a period's facts are the sums of its days'
(:func:`add`), and percentiles stay exact because times are kept as a histogram of whole
seconds rather than as a day's median (medians do not add).

The journey figures reuse :mod:`shomeisho.procedure.journey_metrics` as they are: each journey
is passed through :func:`~shomeisho.procedure.journey_metrics.journey_metrics` on its own, so
the cohort rule (a journey belongs to the day it *started*, followed to its end), what counts as
reaching or completing a step and how an ending is named are that module's definitions, not a
second copy of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from shomeisho.api_access.usage import RATE_LIMITED
from shomeisho.model import JST
from shomeisho.procedure.journey_metrics import JourneyEvent, journey_metrics

NO_USE = "none"  # journeys that never chose a use
USES = ("domestic", "overseas", NO_USE)
ISSUING_CHANNELS = ("app", "counter")  # the resident's own procedure, the municipal counter
VERIFYING_CHANNELS = ("page", "api")  # the public /verify page, private apps' API
FORMATS = ("shc", "dcc", "vdsnc")
ENDED, REFUSED = "ended", "refused"  # the kinds of a ReasonCounts
ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True, order=True)
class JourneyCounts:
    """Journeys of one use: started, with a certificate, abandoned (left without an ending)."""

    use: str
    started: int
    certificates: int
    abandoned: int


@dataclass(frozen=True, slots=True, order=True)
class StepCounts:
    """Journeys of one use that reached and that completed one step (journey_metrics' rules)."""

    use: str
    step: str
    reached: int
    completed: int


@dataclass(frozen=True, slots=True, order=True)
class TimeCounts:
    """Journeys of one use that got their certificate ``seconds`` after starting, rounded up
    to the whole second (so ``seconds <= 60`` is exactly "within 60 s")."""

    use: str
    seconds: int
    journeys: int


@dataclass(frozen=True, slots=True, order=True)
class ReasonCounts:
    """Why journeys did not go on: ``ended`` (an outcome such as ``use/no_records``; counted
    once per journey, under its last outcome) or ``refused`` (an answer refused at a step for a
    field; ``events`` counts each refusal, ``journeys`` each journey that met it)."""

    use: str
    step: str
    kind: str
    code: str
    journeys: int
    events: int


@dataclass(frozen=True, slots=True, order=True)
class IssuanceCounts:
    """Issuances (one certificate id: the formats given together to one person at one time) of
    residents of one municipality, by channel, use and the set of formats (``"shc+vdsnc"``)."""

    municipality_code: str
    channel: str
    use: str
    formats: str
    issuances: int

    def format_list(self) -> tuple[str, ...]:
        return tuple(self.formats.split("+")) if self.formats else ()


@dataclass(frozen=True, slots=True, order=True)
class VerificationCounts:
    """Certificates verified through one channel, by format and verdict."""

    channel: str
    format: str
    verdict: str
    total: int


@dataclass(frozen=True, slots=True)
class Facts:
    """The counts of one day, or summed over a period (every tuple sorted by its keys)."""

    journeys: tuple[JourneyCounts, ...] = ()
    steps: tuple[StepCounts, ...] = ()
    times: tuple[TimeCounts, ...] = ()
    reasons: tuple[ReasonCounts, ...] = ()
    issuances: tuple[IssuanceCounts, ...] = ()
    verifications: tuple[VerificationCounts, ...] = ()


@dataclass(frozen=True, slots=True)
class DailyTotals:
    """What the per-day charts show of one day."""

    day: date
    journeys_started: int
    issuances: int
    verifications: int


@dataclass(frozen=True, slots=True)
class PeriodFacts:
    """The facts of the days ``first`` to ``last`` (both included), summed, and per day."""

    first: date
    last: date
    facts: Facts
    daily: tuple[DailyTotals, ...]


@dataclass(frozen=True, slots=True)
class Issued:
    """One stored certificate (one format of an issuance), as the roll-up needs it."""

    certificate_id: str
    municipality_code: str
    channel: str
    use: str
    format: str
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class VerificationTally:
    """A stored verification count of one day (the page's, or one API key's)."""

    channel: str
    format: str
    verdict: str
    total: int


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` of a Japanese calendar day: the service's days are Japan's."""
    start = datetime.combine(day, time(), tzinfo=JST)
    return start, start + timedelta(days=1)


def japan_day(moment: datetime) -> date:
    return moment.astimezone(JST).date()


def whole_seconds(duration: timedelta) -> int:
    """``duration`` rounded up to the whole second, in exact integer arithmetic: 60.000001 s is
    61, so a journey over the 60-second goal never rounds into it."""
    return max(0, -((-duration) // ONE_SECOND))


def roll_up_day(
    day: date,
    events: Iterable[JourneyEvent],
    issued: Iterable[Issued],
    tallies: Iterable[VerificationTally],
) -> Facts:
    """The facts of ``day``: the journeys started on it (``events`` holds their events, also
    those after the day), the certificates issued on it and the verifications counted on it.

    Synthetic traffic must already be left out by the caller (it is the storage that knows which
    rows are synthetic). Rate-limited API requests are not verifications and are skipped.
    """
    start, end = day_bounds(day)
    return Facts(
        *_journey_facts(events, start, end),
        issuances=_issuance_facts(day, issued),
        verifications=_verification_facts(tallies),
    )


def _journey_facts(
    events: Iterable[JourneyEvent], start: datetime, end: datetime
) -> tuple[
    tuple[JourneyCounts, ...],
    tuple[StepCounts, ...],
    tuple[TimeCounts, ...],
    tuple[ReasonCounts, ...],
]:
    by_journey: dict[str, list[JourneyEvent]] = defaultdict(list)
    for event in events:
        by_journey[event.journey_id].append(event)
    journeys: Counter[tuple[str, str]] = Counter()
    steps: Counter[tuple[str, str, str]] = Counter()
    times: Counter[tuple[str, int]] = Counter()
    reasons: Counter[tuple[str, str, str, str, str]] = Counter()
    for found in by_journey.values():
        one = journey_metrics(found, start, end)  # the cohort rule decides if it counts
        if not one.journeys_started:
            continue
        use = next((u.use for u in one.by_use if u.journeys), NO_USE)
        journeys[(use, "started")] += 1
        journeys[(use, "certificates")] += one.certificates
        journeys[(use, "abandoned")] += one.abandoned
        for step in one.steps:
            steps[(use, step.step, "reached")] += step.reached
            steps[(use, step.step, "completed")] += step.completed
        if one.time_to_certificate.median is not None:  # the one journey's own time
            times[(use, whole_seconds(one.time_to_certificate.median))] += 1
        for ended in one.ended_without_certificate:
            reasons[(use, ended.step, ENDED, ended.outcome, "journeys")] += 1
            reasons[(use, ended.step, ENDED, ended.outcome, "events")] += 1
        for refused in one.validation_errors:
            reasons[(use, refused.step, REFUSED, refused.field, "journeys")] += 1
            reasons[(use, refused.step, REFUSED, refused.field, "events")] += refused.events
    return (
        tuple(
            JourneyCounts(
                use,
                journeys[(use, "started")],
                journeys[(use, "certificates")],
                journeys[(use, "abandoned")],
            )
            for use in sorted({use for use, _ in journeys})
        ),
        tuple(
            StepCounts(use, step, steps[(use, step, "reached")], steps[(use, step, "completed")])
            for use, step in sorted({(use, step) for use, step, _ in steps})
            if steps[(use, step, "reached")] or steps[(use, step, "completed")]
        ),
        tuple(TimeCounts(use, seconds, n) for (use, seconds), n in sorted(times.items())),
        tuple(
            ReasonCounts(*key, reasons[(*key, "journeys")], reasons[(*key, "events")])
            for key in sorted({k[:4] for k in reasons})
        ),
    )


def _issuance_facts(day: date, issued: Iterable[Issued]) -> tuple[IssuanceCounts, ...]:
    sets: dict[str, tuple[Issued, set[str]]] = {}
    for row in issued:
        if japan_day(row.issued_at) != day:
            continue
        sets.setdefault(row.certificate_id, (row, set()))[1].add(row.format)
    counts = Counter(
        (first.municipality_code, first.channel, first.use, "+".join(sorted(formats)))
        for first, formats in sets.values()
    )
    return tuple(IssuanceCounts(*key, n) for key, n in sorted(counts.items()))


def _verification_facts(tallies: Iterable[VerificationTally]) -> tuple[VerificationCounts, ...]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for tally in tallies:
        if tally.verdict != RATE_LIMITED and tally.total:
            counts[(tally.channel, tally.format or "unknown", tally.verdict)] += tally.total
    return tuple(VerificationCounts(*key, n) for key, n in sorted(counts.items()))


Fact = TypeVar("Fact", JourneyCounts, StepCounts, TimeCounts, ReasonCounts, IssuanceCounts,
               VerificationCounts)  # fmt: skip
# how many leading fields of each fact are its keys (the rest are counts that add up)
KEY_FIELDS: dict[type[Any], int] = {
    JourneyCounts: 1, StepCounts: 2, TimeCounts: 2, ReasonCounts: 4, IssuanceCounts: 4,
    VerificationCounts: 3,
}  # fmt: skip


def add(facts: Iterable[Facts]) -> Facts:
    """The sum of several days' facts (what the database's period query computes in SQL)."""
    every = list(facts)
    return Facts(
        journeys=_summed(JourneyCounts, (f.journeys for f in every)),
        steps=_summed(StepCounts, (f.steps for f in every)),
        times=_summed(TimeCounts, (f.times for f in every)),
        reasons=_summed(ReasonCounts, (f.reasons for f in every)),
        issuances=_summed(IssuanceCounts, (f.issuances for f in every)),
        verifications=_summed(VerificationCounts, (f.verifications for f in every)),
    )


def _summed(kind: type[Fact], groups: Iterable[tuple[Fact, ...]]) -> tuple[Fact, ...]:
    """Rows with the same keys added up."""
    keys = KEY_FIELDS[kind]
    totals: dict[tuple[Any, ...], list[int]] = {}
    for group in groups:
        for row in group:
            values = [getattr(row, f.name) for f in fields(row)]
            found = totals.setdefault(tuple(values[:keys]), [0] * (len(values) - keys))
            for index, number in enumerate(values[keys:]):
                found[index] += number
    return tuple(sorted(kind(*key, *numbers) for key, numbers in totals.items()))


def histogram(times: Iterable[TimeCounts], use: str | None = None) -> Mapping[int, int]:
    """Seconds -> journeys, over every use or one."""
    found: Counter[int] = Counter()
    for row in times:
        if use is None or row.use == use:
            found[row.seconds] += row.journeys
    return found
