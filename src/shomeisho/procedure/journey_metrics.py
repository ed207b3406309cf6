"""Figures of the resident's procedure, computed from its journey events (issue 4).

"Measured, not claimed": the 60-second goal and the predicted page times of docs/journey.md are
checked against what residents actually did. The pages write one event per step (a random journey
id, the step, what happened, a short code such as a field name), never personal data; this module
turns a set of such events into the figures the KPI dashboard shows. It is pure: the events come
in as values, so the same figures can be computed from the database, an export or a test.

Every figure is about a *cohort*: the journeys whose first ``start/started`` event falls in the
window ``[start, end)``, followed to their end even when that lies after the window, so a closed
window's figures do not change as time passes. Events of journeys started outside the window are
ignored.

Percentiles use the nearest-rank method: the p-th percentile of n sorted values is the value at
rank ``ceil(p * n / 100)`` (1-based), so it is always a duration that a resident really took;
the median is the 50th percentile by the same rule (for an even count, the lower of the two
middle values).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from shomeisho.errors import InputError

STEPS = ("start", "sign_in", "use", "travel", "check", "certificate")
KINDS = ("started", "submitted", "validation_error", "outcome")
USES = ("domestic", "overseas")  # the values of procedure.issuance.Use
ISSUED = "issued"  # the detail of certificate/outcome when the certificate was issued
PERCENTILE_METHOD = "nearest-rank"
GOAL = timedelta(seconds=60)  # the Digital Agency's north star for one procedure
JAPAN = timezone(timedelta(hours=9), "JST")  # no daylight saving time in Japan
DEFAULT_WINDOW = timedelta(days=7)
LONGEST_WINDOW = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class JourneyEvent:
    """One stored journey event; ``detail`` is a short code (a use, a field name, an outcome)."""

    journey_id: str
    step: str
    kind: str
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Durations:
    """Time from a journey's start to its certificate, over the journeys that got one.

    ``median`` and ``p95`` are nearest-rank percentiles (None without any journey);
    ``within_goal`` counts journeys done in 60 s or less (exactly 60 s is within the goal).
    """

    count: int
    median: timedelta | None
    p95: timedelta | None
    within_goal: int

    @property
    def share_within_goal(self) -> float | None:
        return _rate(self.within_goal, self.count)


@dataclass(frozen=True, slots=True)
class StepFigures:
    """How far journeys got through one step.

    ``reached``: journeys sent to the step's page (the step before it was completed) or with any
    event at it or beyond; pages shown are not logged, so a journey that opened a page and left
    counts as reaching it only through the step before. ``completed``: journeys that submitted
    the step (``start``: started; ``certificate``: issued; ``sign_in``: signed in, or already
    signed in and gone on to later steps). Both are relative to ``base``: the journeys started,
    except ``travel`` (overseas only), relative to the journeys whose chosen use is overseas.
    """

    step: str
    base: int
    reached: int
    completed: int

    @property
    def reached_rate(self) -> float | None:
        return _rate(self.reached, self.base)

    @property
    def completed_rate(self) -> float | None:
        return _rate(self.completed, self.base)


@dataclass(frozen=True, slots=True)
class ValidationErrors:
    """Refused answers at one step for one field: events, and journeys that met the error."""

    step: str
    field: str
    events: int
    journeys: int


@dataclass(frozen=True, slots=True)
class EndedWithout:
    """Journeys that ended with an outcome other than a certificate (e.g. ``use/no_records``):
    each journey without a certificate is counted once, under its last such outcome."""

    step: str
    outcome: str
    journeys: int


@dataclass(frozen=True, slots=True)
class UseFigures:
    """The figures of the journeys whose (last) chosen use is ``use``."""

    use: str
    journeys: int
    certificates: int
    time_to_certificate: Durations

    @property
    def certificate_rate(self) -> float | None:
        return _rate(self.certificates, self.journeys)


@dataclass(frozen=True, slots=True)
class JourneyMetrics:
    """Everything the dashboard shows for one window; no journey id or personal data in it.

    ``abandoned``: journeys started without a certificate and without an outcome that ended them
    (the resident left; journeys still under way at the time of asking count here too).
    ``use_not_chosen``: journeys that never submitted the use page (so have no use to split by).
    """

    start: datetime
    end: datetime
    journeys_started: int
    certificates: int
    time_to_certificate: Durations
    steps: tuple[StepFigures, ...]
    validation_errors: tuple[ValidationErrors, ...]
    ended_without_certificate: tuple[EndedWithout, ...]
    abandoned: int
    use_not_chosen: int
    by_use: tuple[UseFigures, ...]

    @property
    def certificate_rate(self) -> float | None:
        return _rate(self.certificates, self.journeys_started)


@dataclass(frozen=True, slots=True)
class _Journey:
    """What one journey's events say, in the terms the figures need."""

    use: str | None
    path: tuple[str, ...]
    with_events: frozenset[str]
    completed: frozenset[str]
    time_to_certificate: timedelta | None
    ended_by: tuple[str, str] | None
    errors: tuple[tuple[str, str], ...]

    def completed_step(self, index: int) -> bool:
        step = self.path[index]
        if step in self.completed:
            return True
        # a resident already signed in skips the provider and goes straight on to `use`
        return step == "sign_in" and any(s in self.with_events for s in self.path[index + 1 :])

    def reached_step(self, index: int) -> bool:
        if index == 0:
            return True
        if self.completed_step(index - 1):
            return True
        return any(s in self.with_events for s in self.path[index:])


def journey_metrics(
    events: Iterable[JourneyEvent], start: datetime, end: datetime
) -> JourneyMetrics:
    """The figures of the journeys started in ``[start, end)`` (aware datetimes), from their
    events. Events may come in any order; unknown steps or kinds are ignored."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the window's bounds must be aware datetimes")
    by_journey: dict[str, list[JourneyEvent]] = defaultdict(list)
    for event in events:
        if event.step in STEPS and event.kind in KINDS:
            by_journey[event.journey_id].append(event)
    journeys: list[_Journey] = []
    for found in by_journey.values():
        found.sort(key=lambda e: e.at)  # stable: events at the same instant keep their order
        first = next((e for e in found if (e.step, e.kind) == ("start", "started")), None)
        if first is not None and start <= first.at < end:
            journeys.append(_journey(found, first.at))

    return JourneyMetrics(
        start=start,
        end=end,
        journeys_started=len(journeys),
        certificates=sum(j.time_to_certificate is not None for j in journeys),
        time_to_certificate=_durations(journeys),
        steps=tuple(_step_figures(step, journeys) for step in STEPS),
        validation_errors=_validation_errors(journeys),
        ended_without_certificate=_ended_without(journeys),
        abandoned=sum(j.time_to_certificate is None and j.ended_by is None for j in journeys),
        use_not_chosen=sum(j.use is None for j in journeys),
        by_use=tuple(_use_figures(use, journeys) for use in USES),
    )


def _journey(events: Sequence[JourneyEvent], started_at: datetime) -> _Journey:
    issued_at = next(
        (
            e.at
            for e in events
            if (e.step, e.kind, e.detail) == ("certificate", "outcome", ISSUED)
            and e.at >= started_at
        ),
        None,
    )
    # the use the certificate was issued for: the last choice made before it
    chosen = [
        e.detail
        for e in events
        if (e.step, e.kind) == ("use", "submitted")
        and e.detail in USES
        and (issued_at is None or e.at <= issued_at)
    ]
    use = chosen[-1] if chosen else None
    path = STEPS if use == "overseas" else tuple(s for s in STEPS if s != "travel")
    completed = {"start"}
    ended_by = None
    for e in events:
        if e.kind == "submitted":
            completed.add(e.step)
        elif e.kind == "outcome" and e.detail == ISSUED and e.step == "certificate":
            completed.add("certificate")
        elif e.kind == "outcome":
            ended_by = (e.step, e.detail)
    return _Journey(
        use=use,
        path=path,
        with_events=frozenset(e.step for e in events),
        completed=frozenset(completed),
        time_to_certificate=None if issued_at is None else issued_at - started_at,
        ended_by=None if issued_at is not None else ended_by,
        errors=tuple((e.step, e.detail) for e in events if e.kind == "validation_error"),
    )


def nearest_rank(ordered: Sequence[timedelta], percent: int) -> timedelta | None:
    """The ``percent``-th percentile of sorted values by nearest rank (None when empty).

    Integer arithmetic on purpose: ``0.95 * 60`` is 57.00000000000001 in floating point, whose
    ceiling would pick the wrong rank.
    """
    if not ordered:
        return None
    if not 0 < percent <= 100:
        raise ValueError("percent must be in (0, 100]")
    rank = max(1, (percent * len(ordered) + 99) // 100)
    return ordered[rank - 1]


def _durations(journeys: Iterable[_Journey]) -> Durations:
    ordered = sorted(j.time_to_certificate for j in journeys if j.time_to_certificate is not None)
    return Durations(
        count=len(ordered),
        median=nearest_rank(ordered, 50),
        p95=nearest_rank(ordered, 95),
        within_goal=sum(d <= GOAL for d in ordered),
    )


def _step_figures(step: str, journeys: Sequence[_Journey]) -> StepFigures:
    on_path = [j for j in journeys if step in j.path]
    return StepFigures(
        step=step,
        base=len(on_path) if step == "travel" else len(journeys),
        reached=sum(j.reached_step(j.path.index(step)) for j in on_path),
        completed=sum(j.completed_step(j.path.index(step)) for j in on_path),
    )


def _validation_errors(journeys: Iterable[_Journey]) -> tuple[ValidationErrors, ...]:
    events: Counter[tuple[str, str]] = Counter()
    met: Counter[tuple[str, str]] = Counter()
    for journey in journeys:
        events.update(journey.errors)
        met.update(set(journey.errors))
    return tuple(
        ValidationErrors(step, field, events[(step, field)], met[(step, field)])
        for step, field in sorted(events, key=lambda k: (STEPS.index(k[0]), k[1]))
    )


def _ended_without(journeys: Iterable[_Journey]) -> tuple[EndedWithout, ...]:
    ended = Counter(j.ended_by for j in journeys if j.ended_by is not None)
    return tuple(
        EndedWithout(step, outcome, ended[(step, outcome)])
        for step, outcome in sorted(ended, key=lambda k: (STEPS.index(k[0]), k[1]))
    )


def _use_figures(use: str, journeys: Sequence[_Journey]) -> UseFigures:
    chose = [j for j in journeys if j.use == use]
    return UseFigures(
        use=use,
        journeys=len(chose),
        certificates=sum(j.time_to_certificate is not None for j in chose),
        time_to_certificate=_durations(chose),
    )


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def window(start: str | None, end: str | None, now: datetime) -> tuple[datetime, datetime]:
    """The window ``[start, end)`` a caller asks for, as aware datetimes.

    Each bound is an ISO 8601 date (``2026-11-01``) or date and time; dates and times without an
    offset are Japan time, because the service's days are Japanese days. A date as ``end``
    includes that whole day. Without ``end`` the window ends ``now``; without ``start`` it is the
    7 days before its end. Windows longer than 366 days are refused, so that one request cannot
    make the service read years of events at once.
    """
    upper = now if end is None else _bound(end, "to", end_of_day=True)
    lower = upper - DEFAULT_WINDOW if start is None else _bound(start, "from", end_of_day=False)
    if lower >= upper:
        raise InputError("the window must start before it ends", code="input.date", where="from")
    if upper - lower > LONGEST_WINDOW:
        raise InputError("ask for at most 366 days at once", code="input.date", where="from")
    return lower, upper


def _bound(text: str, where: str, *, end_of_day: bool) -> datetime:
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time(), tzinfo=JAPAN)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"{where} must be an ISO 8601 date (2026-11-01) or date and time "
            f"(2026-11-01T09:00:00+09:00), not {text[:40]!r}",
            code="input.date",
            where=where,
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=JAPAN)
