"""Journey figures from a hand-built set of journeys whose every figure is worked out below.

The window is 2 November 2026 (UTC). Journeys started in it (the cohort):

==  =========  ===========================================================  ===============
id  use        what happened                                                ends
==  =========  ===========================================================  ===============
A   domestic   signs in, forgets to choose a use once, certificate at 30 s   certificate
B   domestic   refuses consent once, certificate at exactly 60 s            certificate
C   overseas   mistypes the passport number twice, certificate at 90 s     certificate
D   overseas   wrong nationality on the travel page, leaves                 abandoned
E   -          signed in, no vaccination records                           use/no_records
F   -          starts and never signs in                                    abandoned
G   domestic   already signed in (no sign_in event); starts 10 s before    certificate
               the window's end and gets the certificate after it, at 45 s
K   -          the sign-in answer is refused, leaves                        abandoned
L   domestic   the service has no issuing keys                              check/no_keys
==  =========  ===========================================================  ===============

Outside the cohort: H started a minute before the window (its certificate is inside it), J
starts exactly at the window's end (the end is exclusive).

Times to certificate: 30, 45, 60, 90 s -> nearest-rank median rank ceil(4 / 2) = 2 -> 45 s,
p95 rank ceil(3.8) = 4 -> 90 s; within 60 s: 30, 45 and 60 (60 s counts) -> 3 of 4.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shomeisho.db import journey as db_journey
from shomeisho.errors import InputError
from shomeisho.procedure.issuance import Use
from shomeisho.procedure.journey_metrics import (
    JAPAN,
    STEPS,
    USES,
    Durations,
    EndedWithout,
    JourneyEvent,
    StepFigures,
    ValidationErrors,
    journey_metrics,
    nearest_rank,
    window,
)

START = datetime(2026, 11, 2, tzinfo=UTC)
END = START + timedelta(days=1)
T = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def journey(
    journey_id: str, at: datetime, *steps: tuple[float, str, str, str]
) -> list[JourneyEvent]:
    """A started journey: ``(seconds after the start, step, kind, detail)`` for each event."""
    events = [JourneyEvent(journey_id, "start", "started", "", at)]
    events += [JourneyEvent(journey_id, s, k, d, at + timedelta(seconds=t)) for t, s, k, d in steps]
    return events


def cohort() -> list[JourneyEvent]:
    return [
        *journey("A", T,
                 (5, "sign_in", "submitted", ""),
                 (10, "use", "validation_error", "no_choice"),
                 (12, "use", "submitted", "domestic"),
                 (30, "check", "submitted", ""),
                 (30, "certificate", "outcome", "issued")),
        *journey("B", T + timedelta(minutes=1),
                 (10, "sign_in", "submitted", ""),
                 (20, "use", "submitted", "domestic"),
                 (40, "check", "validation_error", "no_consent"),
                 (60, "check", "submitted", ""),
                 (60, "certificate", "outcome", "issued")),
        *journey("C", T + timedelta(minutes=2),
                 (5, "sign_in", "submitted", ""),
                 (10, "use", "submitted", "overseas"),
                 (30, "travel", "validation_error", "passport_number"),
                 (40, "travel", "validation_error", "passport_number"),
                 (50, "travel", "submitted", ""),
                 (90, "check", "submitted", ""),
                 (90, "certificate", "outcome", "issued")),
        *journey("D", T + timedelta(minutes=3),
                 (5, "sign_in", "submitted", ""),
                 (10, "use", "submitted", "overseas"),
                 (20, "travel", "validation_error", "nationality")),
        *journey("E", T + timedelta(minutes=4),
                 (5, "sign_in", "submitted", ""),
                 (6, "use", "outcome", "no_records")),
        *journey("F", T + timedelta(minutes=5)),
        *journey("G", END - timedelta(seconds=10),
                 (15, "use", "submitted", "domestic"),
                 (45, "check", "submitted", ""),
                 (45, "certificate", "outcome", "issued")),
        *journey("K", T + timedelta(minutes=6),
                 (8, "sign_in", "validation_error", "access.state")),
        *journey("L", T + timedelta(minutes=7),
                 (5, "sign_in", "submitted", ""),
                 (9, "use", "submitted", "domestic"),
                 (20, "check", "outcome", "no_keys")),
        *journey("H", START - timedelta(minutes=1),
                 (5, "sign_in", "submitted", ""),
                 (10, "use", "submitted", "domestic"),
                 (89, "check", "submitted", ""),
                 (89, "certificate", "outcome", "issued")),
        *journey("J", END, (5, "sign_in", "submitted", "")),
    ]  # fmt: skip


def test_journeys_and_certificates() -> None:
    figures = journey_metrics(cohort(), START, END)
    assert (figures.start, figures.end) == (START, END)
    assert figures.journeys_started == 9  # A B C D E F G K L; not H (before), not J (at the end)
    assert figures.certificates == 4  # A B C G; G's certificate comes after the window's end
    assert figures.certificate_rate == 4 / 9
    assert figures.abandoned == 3  # D F K
    assert figures.use_not_chosen == 3  # E F K
    assert figures.ended_without_certificate == (
        EndedWithout("use", "no_records", 1),
        EndedWithout("check", "no_keys", 1),
    )


def test_time_to_certificate() -> None:
    durations = journey_metrics(cohort(), START, END).time_to_certificate
    assert durations == Durations(
        count=4,
        median=timedelta(seconds=45),
        p95=timedelta(seconds=90),
        within_goal=3,  # 30 s, 45 s and B's exactly 60 s
    )
    assert durations.share_within_goal == 0.75


def test_exactly_sixty_seconds_is_within_the_goal_and_a_microsecond_more_is_not() -> None:
    at_goal = journey("X", T, (60, "certificate", "outcome", "issued"))
    over = journey("Y", T, (60.000001, "certificate", "outcome", "issued"))
    figures = journey_metrics(at_goal + over, START, END).time_to_certificate
    assert (figures.count, figures.within_goal, figures.share_within_goal) == (2, 1, 0.5)
    assert figures.median == timedelta(seconds=60)
    assert figures.p95 == timedelta(seconds=60, microseconds=1)


def test_per_step_completion() -> None:
    steps = {s.step: s for s in journey_metrics(cohort(), START, END).steps}
    assert tuple(steps) == STEPS
    assert steps["start"] == StepFigures("start", base=9, reached=9, completed=9)
    # every started journey is sent to sign in; G was signed in already and went on
    assert steps["sign_in"] == StepFigures("sign_in", base=9, reached=9, completed=7)
    # signed in: A B C D E G L; submitted a use: A B C D G L (E had no records)
    assert steps["use"] == StepFigures("use", base=9, reached=7, completed=6)
    # overseas only: C and D chose it; C got through, D left
    assert steps["travel"] == StepFigures("travel", base=2, reached=2, completed=1)
    # A B G L (domestic, after use) and C (after travel); L's check ended without keys
    assert steps["check"] == StepFigures("check", base=9, reached=5, completed=4)
    assert steps["certificate"] == StepFigures("certificate", base=9, reached=4, completed=4)
    assert (steps["travel"].reached_rate, steps["travel"].completed_rate) == (1.0, 0.5)
    assert (steps["use"].reached_rate, steps["use"].completed_rate) == (7 / 9, 6 / 9)


def test_validation_errors_per_step_and_field() -> None:
    assert journey_metrics(cohort(), START, END).validation_errors == (
        ValidationErrors("sign_in", "access.state", events=1, journeys=1),
        ValidationErrors("use", "no_choice", events=1, journeys=1),
        ValidationErrors("travel", "nationality", events=1, journeys=1),
        ValidationErrors("travel", "passport_number", events=2, journeys=1),
        ValidationErrors("check", "no_consent", events=1, journeys=1),
    )


def test_split_by_use() -> None:
    domestic, overseas = journey_metrics(cohort(), START, END).by_use
    assert (domestic.use, domestic.journeys, domestic.certificates) == ("domestic", 4, 3)
    assert domestic.certificate_rate == 0.75
    # 30, 45, 60 s: median rank 2 -> 45 s, p95 rank ceil(2.85) = 3 -> 60 s
    assert domestic.time_to_certificate == Durations(
        3, timedelta(seconds=45), timedelta(seconds=60), 3
    )
    assert (overseas.use, overseas.journeys, overseas.certificates) == ("overseas", 2, 1)
    assert overseas.time_to_certificate == Durations(
        1, timedelta(seconds=90), timedelta(seconds=90), 0
    )
    assert overseas.time_to_certificate.share_within_goal == 0.0


def test_the_order_of_the_events_does_not_matter() -> None:
    shuffled = cohort()
    random.Random(4).shuffle(shuffled)
    assert journey_metrics(shuffled, START, END) == journey_metrics(cohort(), START, END)


def test_a_changed_mind_counts_under_the_last_use_chosen() -> None:
    events = journey(
        "M", T,
        (5, "use", "submitted", "overseas"),
        (9, "travel", "validation_error", "passport_number"),
        (20, "use", "submitted", "domestic"),
        (40, "check", "submitted", ""),
        (40, "certificate", "outcome", "issued"),
    )  # fmt: skip
    figures = journey_metrics(events, START, END)
    assert [(u.use, u.journeys, u.certificates) for u in figures.by_use] == [
        ("domestic", 1, 1),
        ("overseas", 0, 0),
    ]
    travel = next(s for s in figures.steps if s.step == "travel")
    assert (travel.base, travel.reached, travel.reached_rate) == (0, 0, None)
    assert figures.validation_errors == (ValidationErrors("travel", "passport_number", 1, 1),)


def test_no_journeys_gives_zeros_and_no_rates() -> None:
    figures = journey_metrics([], START, END)
    assert (figures.journeys_started, figures.certificates, figures.abandoned) == (0, 0, 0)
    assert figures.certificate_rate is None
    assert figures.time_to_certificate == Durations(0, None, None, 0)
    assert figures.time_to_certificate.share_within_goal is None
    assert all(s.reached_rate is None and s.completed_rate is None for s in figures.steps)


def test_unknown_steps_and_kinds_are_ignored() -> None:
    events = [
        *journey("N", T, (5, "sign_in", "submitted", "")),
        JourneyEvent("N", "elsewhere", "submitted", "", T),
        JourneyEvent("N", "use", "clicked", "domestic", T),
    ]
    figures = journey_metrics(events, START, END)
    assert figures.journeys_started == 1 and figures.use_not_chosen == 1


def test_naive_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        journey_metrics([], START.replace(tzinfo=None), END)


def test_nearest_rank() -> None:
    values = [timedelta(seconds=s) for s in range(1, 61)]
    # 0.95 * 60 is 57.00000000000001 in floating point: rank 57, not 58
    assert nearest_rank(values, 95) == timedelta(seconds=57)
    assert nearest_rank(values, 50) == timedelta(seconds=30)
    assert nearest_rank(values[:20], 95) == timedelta(seconds=19)
    assert nearest_rank(values[:1], 50) == nearest_rank(values[:1], 95) == timedelta(seconds=1)
    assert nearest_rank(values, 100) == timedelta(seconds=60)
    assert nearest_rank([], 95) is None
    with pytest.raises(ValueError):
        nearest_rank(values, 0)


def test_the_vocabulary_is_the_storage_and_issuing_one() -> None:
    assert db_journey.STEPS == STEPS
    assert db_journey.KINDS == ("started", "submitted", "validation_error", "outcome")
    assert tuple(u.value for u in Use) == USES


NOW = datetime(2026, 11, 9, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (None, None, (NOW - timedelta(days=7), NOW)),
        # dates are Japanese days; a date as the end includes that day
        ("2026-11-01", "2026-11-07",
         (datetime(2026, 11, 1, tzinfo=JAPAN), datetime(2026, 11, 8, tzinfo=JAPAN))),
        ("2026-11-01", None, (datetime(2026, 11, 1, tzinfo=JAPAN), NOW)),
        (None, "2026-11-07",
         (datetime(2026, 11, 1, tzinfo=JAPAN), datetime(2026, 11, 8, tzinfo=JAPAN))),
        ("2026-11-01T09:00:00Z", "2026-11-01T10:00:00+00:00",
         (datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 1, 10, tzinfo=UTC))),
        ("2026-11-01T09:00", "2026-11-01T10:00:00-05:00",
         (datetime(2026, 11, 1, 9, tzinfo=JAPAN),
          datetime(2026, 11, 1, 10, tzinfo=timezone(timedelta(hours=-5))))),
    ],
)  # fmt: skip
def test_window(since: str | None, until: str | None, expected: tuple[datetime, datetime]) -> None:
    assert window(since, until, NOW) == expected


@pytest.mark.parametrize(
    ("since", "until", "where"),
    [
        ("yesterday", None, "from"),
        (None, "2026-13-01", "to"),
        ("2026-11-08", "2026-11-07", "from"),  # ends before it starts
        ("2026-11-07T12:00:00Z", "2026-11-07T12:00:00Z", "from"),  # empty
        ("2025-11-01", "2026-11-07", "from"),  # more than 366 days
    ],
)
def test_unusable_windows_are_input_errors(
    since: str | None, until: str | None, where: str
) -> None:
    with pytest.raises(InputError) as caught:
        window(since, until, NOW)
    assert caught.value.code == "input.date" and caught.value.where == where
