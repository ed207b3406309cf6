"""A plausible, deterministic history of use for the demo: journeys, issuances, verifications.

Why: a freshly started demo has no history, and an empty dashboard shows nothing of what the
figures mean. This draws one (from a seed, so a screenshot or a test can be reproduced) with
the shapes real traffic has: fewer people at weekends and a counter that is closed then, times
near the predicted 19 s (domestic) and 28 s (overseas) of docs/journey.md with a slow tail past
60 s, people who mistype a passport number, forget to tick consent, have no record yet or leave,
and verifiers who mostly hold valid certificates. Journey ids start with ``demo-`` so that demo
history is recognisable in the database. Nothing here is a real person or a real measurement.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from shomeisho.kpi.facts import VerificationTally
from shomeisho.model import JST
from shomeisho.procedure.journey_metrics import JourneyEvent

DEMO_PREFIX = "demo-"  # the journey ids of the demo history
# resident counts of the demo municipalities, roughly (they weight where issuances go)
WEIGHTS = {"131016": 67, "011002": 1970, "271004": 2750, "472018": 317}
# human seconds per step (the keystroke-level predictions of docs/journey.md) + system time
STEP_SECONDS = {"sign_in": 8.4, "use": 4.3, "travel": 8.9, "check": 5.6}
VERDICT_SHARES = (("valid", 0.93), ("expired", 0.02), ("unreadable", 0.02),
                  ("invalid", 0.015), ("untrusted", 0.01), ("rules_failed", 0.003),
                  ("revoked", 0.002))  # fmt: skip
FORMAT_SHARES = (("shc", 0.72), ("vdsnc", 0.16), ("dcc", 0.12))


@dataclass(frozen=True, slots=True)
class DemoIssuance:
    """A certificate to issue for the history: when, how, for a resident of which place."""

    at: datetime
    channel: str
    use: str
    municipality_code: str


@dataclass
class DemoDay:
    """One day of demo history."""

    day: date
    events: list[JourneyEvent] = field(default_factory=list)
    issuances: list[DemoIssuance] = field(default_factory=list)
    verifications: list[VerificationTally] = field(default_factory=list)


def demo_history(
    first: date, last: date, *, seed: int = 2021, municipalities: Sequence[str] = tuple(WEIGHTS)
) -> Iterator[DemoDay]:
    """The demo history of the days ``first`` to ``last``, one day at a time."""
    rng = random.Random(f"kpi-demo:{seed}")  # noqa: S311 - reproducible on purpose
    weights = [WEIGHTS.get(code, 100) for code in municipalities]
    span = max(1, (last - first).days)
    day = first
    while day <= last:
        growth = 0.8 + 0.4 * (day - first).days / span  # use grows as word gets round
        weekend = day.weekday() >= 5
        found = DemoDay(day)
        for _ in range(_around(rng, (16 if weekend else 34) * growth)):
            events, issued = _journey(rng, day)
            found.events += events
            if issued is not None:
                at, use = issued
                code = rng.choices(municipalities, weights)[0]
                found.issuances.append(DemoIssuance(at, "app", use, code))
        for _ in range(0 if weekend else _around(rng, 4)):
            at = _moment(rng, day, 9, 17)
            use = "overseas" if rng.random() < 0.2 else "domestic"
            found.issuances.append(
                DemoIssuance(at, "counter", use, rng.choices(municipalities, weights)[0])
            )
        found.verifications = _verifications(rng, weekend, growth)
        yield found
        day += timedelta(days=1)


def _around(rng: random.Random, mean: float) -> int:
    """A count near ``mean`` (about +-15 %)."""
    return max(0, round(mean * rng.uniform(0.85, 1.15)))


def _moment(rng: random.Random, day: date, first_hour: int, last_hour: int) -> datetime:
    seconds = rng.uniform(first_hour * 3600, last_hour * 3600)
    return datetime.combine(day, time(), tzinfo=JST) + timedelta(seconds=seconds)


def _journey(
    rng: random.Random, day: date
) -> tuple[list[JourneyEvent], tuple[datetime, str] | None]:
    """One journey's events and, when it ends with a certificate, when and for which use."""
    journey_id = f"{DEMO_PREFIX}{rng.getrandbits(96):024x}"
    at = _moment(rng, day, 7, 23)
    slow = rng.uniform(2.0, 4.5) if rng.random() < 0.1 else 1.0  # reading slowly, interrupted
    events = [JourneyEvent(journey_id, "start", "started", "", at)]

    def event(step: str, kind: str, detail: str = "") -> None:
        events.append(JourneyEvent(journey_id, step, kind, detail, at))

    def wait(step: str) -> None:
        nonlocal at
        at += timedelta(seconds=STEP_SECONDS[step] * slow * rng.lognormvariate(0, 0.3) + 0.3)

    if rng.random() < 0.06:
        return events, None  # left before signing in
    wait("sign_in")
    if rng.random() < 0.015:
        event("sign_in", "validation_error", "access.oidc_state")
        return events, None
    event("sign_in", "submitted")
    wait("use")
    if rng.random() < 0.05:
        event("use", "outcome", "no_records")
        return events, None
    if rng.random() < 0.03:
        event("use", "validation_error", "no_choice")
        wait("use")
    if rng.random() < 0.02:
        return events, None  # left at the question of use
    use = "overseas" if rng.random() < 0.25 else "domestic"
    event("use", "submitted", use)
    if use == "overseas":
        wait("travel")
        if rng.random() < 0.15:
            event("travel", "validation_error", "passport_number")
            wait("travel")
        if rng.random() < 0.04:
            return events, None
        event("travel", "submitted")
    wait("check")
    if rng.random() < 0.03:
        event("check", "validation_error", "no_consent")
        wait("check")
    if rng.random() < 0.02:
        return events, None
    event("check", "submitted")
    at += timedelta(seconds=rng.uniform(0.2, 0.9))  # signing every format and drawing the QR
    event("certificate", "outcome", "issued")
    return events, (at, use)


def _verifications(rng: random.Random, weekend: bool, growth: float) -> list[VerificationTally]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for channel, mean in (("page", 45 if weekend else 70), ("api", 60 if weekend else 180)):
        for _ in range(_around(rng, mean * growth)):
            verdict = rng.choices([v for v, _ in VERDICT_SHARES],
                                  [w for _, w in VERDICT_SHARES])[0]  # fmt: skip
            fmt = (
                "unknown"
                if verdict == "unreadable"
                else rng.choices([f for f, _ in FORMAT_SHARES], [w for _, w in FORMAT_SHARES])[0]
            )
            counts[(channel, fmt, verdict)] += 1
    return [VerificationTally(*key, n) for key, n in sorted(counts.items())]
