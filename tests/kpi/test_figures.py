"""KPI figures from a hand-made day whose every figure is worked out below (pure, no database).

The day is 2 November 2026 in Japan (1 Nov 15:00 UTC to 2 Nov 15:00 UTC). Journeys started on
it (the cohort, journey_metrics' rule):

====  ======  ========  =====================================================  ==============
who   how     use       what happened                                          time
====  ======  ========  =====================================================  ==============
A     10 x    domestic  signs in, chooses, certificate                         30 s
B     10 x    domestic  certificate; one of them refuses consent once first    exactly 60 s
C     8 x     overseas  mistypes the passport number once, certificate        61 s
D     1 x     overseas  certificate                                          60.4 s -> 61 s
E     12 x    (none)    signs in, has no records: ``use/no_records``           -
F     10 x    (none)    starts and never signs in: abandoned                   -
====  ======  ========  =====================================================  ==============

Outside the cohort: one journey started a second before the day, one at the next midnight.

Counts: started 51 (domestic 20, overseas 9, none 22); with a certificate 29 (20 + 9); ended
``use/no_records`` 12, abandoned 10 (29 + 12 + 10 = 51). Steps: start 51/51; sign_in reached 51,
completed 41 (all but F); use reached 41, completed 29 (E stops there); travel (base: the 9
overseas) 9/9; check 29/29; certificate 29/29. Refused: ``check/no_consent`` 1 journey,
``travel/passport_number`` 8.

Times in whole seconds (rounded up): 30 x10, 60 x10, 61 x9. Nearest rank over 29: median rank
ceil(14.5) = 15 -> 60 s; p95 rank ceil(27.55) = 28 -> 61 s; within 60 s: 20 (60 s counts, 60.4 s
does not), share 20/29 = 0.6897. Domestic: median rank 10 -> 30 s, p95 rank 19 -> 60 s, 20/20.
Overseas: 9 journeys, so its times are withheld.

Issuances: Chiyoda 5 by app; Sapporo 24 by app and 10 at the counter (39; app 29, counter 10).
Verifications: page shc valid 70, page dcc valid 20, page vdsnc invalid 9, api shc valid 20, and
5 rate-limited API requests (not verifications): 119 in all.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from shomeisho.kpi.facts import (
    DailyTotals,
    IssuanceCounts,
    Issued,
    JourneyCounts,
    PeriodFacts,
    ReasonCounts,
    StepCounts,
    TimeCounts,
    VerificationCounts,
    VerificationTally,
    add,
    roll_up_day,
    whole_seconds,
)
from shomeisho.kpi.figures import BANDS, Cell, band_of, percentile
from shomeisho.kpi.published import Published, publish
from shomeisho.procedure.journey_metrics import JourneyEvent, nearest_rank

DAY = date(2026, 11, 2)
START = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)  # midnight in Japan
CHIYODA, SAPPORO = "131016", "011002"


def journey(name: str, at: datetime, *steps: tuple[float, str, str, str]) -> list[JourneyEvent]:
    events = [JourneyEvent(name, "start", "started", "", at)]
    events += [JourneyEvent(name, s, k, d, at + timedelta(seconds=t)) for t, s, k, d in steps]
    return events


def domestic(name: str, at: datetime, seconds: float, *extra: tuple[float, str, str, str]):  # type: ignore[no-untyped-def]
    return journey(
        name, at, (5, "sign_in", "submitted", ""), (10, "use", "submitted", "domestic"), *extra,
        (seconds, "check", "submitted", ""), (seconds, "certificate", "outcome", "issued"),
    )  # fmt: skip


def overseas(name: str, at: datetime, seconds: float, mistyped: bool):  # type: ignore[no-untyped-def]
    refusal = [(15, "travel", "validation_error", "passport_number")] if mistyped else []
    return journey(
        name, at, (5, "sign_in", "submitted", ""), (10, "use", "submitted", "overseas"), *refusal,
        (20, "travel", "submitted", ""), (seconds, "check", "submitted", ""),
        (seconds, "certificate", "outcome", "issued"),
    )  # fmt: skip


def the_events() -> list[JourneyEvent]:
    events: list[JourneyEvent] = []
    at = START + timedelta(hours=1)
    for n in range(10):
        events += domestic(f"A{n}", at + timedelta(minutes=n), 30)
    events += domestic("B0", at, 60, (40, "check", "validation_error", "no_consent"))
    for n in range(1, 10):
        events += domestic(f"B{n}", at + timedelta(minutes=n), 60)
    for n in range(8):
        events += overseas(f"C{n}", at + timedelta(minutes=n), 61, mistyped=True)
    events += overseas("D0", at, 60.4, mistyped=False)
    for n in range(12):
        events += journey(f"E{n}", at, (4, "sign_in", "submitted", ""),
                          (6, "use", "outcome", "no_records"))  # fmt: skip
    for n in range(10):
        events += journey(f"F{n}", at + timedelta(hours=n))
    events += domestic("before", START - timedelta(seconds=1), 20)  # started the day before
    events += domestic("after", START + timedelta(days=1), 20)  # the next day's first instant
    random.Random(6).shuffle(events)  # the order of events does not matter
    return events


def the_issued() -> list[Issued]:
    rows = []
    at = START + timedelta(hours=3)
    for n in range(5):
        rows.append(Issued(f"CHI{n}", CHIYODA, "app", "domestic", "shc", at))
    for n in range(24):
        use = "overseas" if n < 9 else "domestic"
        for fmt in ("shc", "vdsnc", "dcc") if use == "overseas" else ("shc",):
            rows.append(Issued(f"SAP{n}", SAPPORO, "app", use, fmt, at))
    for n in range(10):
        rows.append(Issued(f"CTR{n}", SAPPORO, "counter", "domestic", "shc", at))
    rows.append(Issued("LATE", SAPPORO, "app", "domestic", "shc", START + timedelta(days=1)))
    return rows


TALLIES = [
    VerificationTally("page", "shc", "valid", 70),
    VerificationTally("page", "dcc", "valid", 20),
    VerificationTally("page", "vdsnc", "invalid", 9),
    VerificationTally("api", "shc", "valid", 15),
    VerificationTally("api", "shc", "valid", 5),  # a second key's count of the same cell
    VerificationTally("api", "", "rate_limited", 5),
]


@pytest.fixture(scope="module")
def period() -> PeriodFacts:
    facts = roll_up_day(DAY, the_events(), the_issued(), TALLIES)
    return PeriodFacts(DAY, DAY, facts, (DailyTotals(DAY, 51, 39, 119),))


def test_the_day_s_facts(period: PeriodFacts) -> None:
    facts = period.facts
    assert facts.journeys == (
        JourneyCounts("domestic", 20, 20, 0),
        JourneyCounts("none", 22, 0, 10),
        JourneyCounts("overseas", 9, 9, 0),
    )
    assert StepCounts("none", "sign_in", 22, 12) in facts.steps
    assert StepCounts("overseas", "travel", 9, 9) in facts.steps
    assert not any(s.step == "travel" and s.use != "overseas" for s in facts.steps)
    assert facts.times == (
        TimeCounts("domestic", 30, 10),
        TimeCounts("domestic", 60, 10),
        TimeCounts("overseas", 61, 9),
    )
    assert facts.reasons == (
        ReasonCounts("domestic", "check", "refused", "no_consent", 1, 1),
        ReasonCounts("none", "use", "ended", "no_records", 12, 12),
        ReasonCounts("overseas", "travel", "refused", "passport_number", 8, 8),
    )
    assert facts.issuances == (
        IssuanceCounts(SAPPORO, "app", "domestic", "shc", 15),
        IssuanceCounts(SAPPORO, "app", "overseas", "dcc+shc+vdsnc", 9),
        IssuanceCounts(SAPPORO, "counter", "domestic", "shc", 10),
        IssuanceCounts(CHIYODA, "app", "domestic", "shc", 5),
    )
    assert facts.verifications == (
        VerificationCounts("api", "shc", "valid", 20),
        VerificationCounts("page", "dcc", "valid", 20),
        VerificationCounts("page", "shc", "valid", 70),
        VerificationCounts("page", "vdsnc", "invalid", 9),
    )


def values(published: Published, figure: str, breakdown: str, where: str = "") -> dict[str, object]:
    return {r.cell.key: r.value for r in published.of(figure, breakdown, where)}


def test_every_figure_without_suppression(period: PeriodFacts) -> None:
    exact = publish(period, suppress=False)
    v = lambda *a: exact.get(*a).value  # noqa: E731
    assert all(not row.withheld for row in exact.rows)
    # issuances
    assert v("issuances") == 39
    assert values(exact, "issuances", "channel") == {"app": 29, "counter": 10}
    assert values(exact, "issuances", "day") == {"2026-11-02": 39}
    assert values(exact, "certificates", "format") == {"shc": 39, "dcc": 9, "vdsnc": 9}
    assert exact.municipalities() == [SAPPORO, CHIYODA]  # in code order
    assert exact.get("issuances", municipality=CHIYODA).value == 5
    assert exact.get("issuances", municipality=SAPPORO).value == 34
    assert values(exact, "issuances", "channel", SAPPORO) == {"app": 24, "counter": 10}
    # verifications (rate-limited requests are not verifications)
    assert v("verifications") == 119
    assert values(exact, "verifications", "verdict") == {
        "valid": 110, "rules_failed": 0, "not_yet_valid": 0, "expired": 0, "untrusted": 0,
        "invalid": 9, "revoked": 0, "unreadable": 0,
    }  # fmt: skip
    assert values(exact, "verifications", "channel") == {"page": 99, "api": 20}
    assert values(exact, "verifications", "format") == {
        "shc": 90, "dcc": 20, "vdsnc": 9, "unknown": 0,
    }  # fmt: skip
    # journeys
    assert v("journeys_started") == 51
    assert values(exact, "journeys_started", "use") == {"domestic": 20, "overseas": 9, "none": 22}
    assert v("journeys_with_certificate") == 29
    assert v("certificate_rate") == round(29 / 51, 4)
    assert values(exact, "journeys_ended", "reason") == {"use/no_records": 12, "abandoned": 10}
    assert values(exact, "journeys_refused", "step_field") == {
        "check/no_consent": 1, "travel/passport_number": 8,
    }  # fmt: skip
    assert values(exact, "step_reached", "step") == {
        "start": 51, "sign_in": 51, "use": 41, "travel": 9, "check": 29, "certificate": 29,
    }  # fmt: skip
    assert values(exact, "step_completed", "step") == {
        "start": 51, "sign_in": 41, "use": 29, "travel": 9, "check": 29, "certificate": 29,
    }  # fmt: skip
    assert v("step_completed_rate", "step", "sign_in") == round(41 / 51, 4)
    assert v("step_completed_rate", "step", "travel") == 1.0  # of the 9 overseas journeys
    # times: nearest rank over whole seconds; exactly 60 s is within the goal, 60.4 s is not
    assert v("time_to_certificate_median") == 60
    assert v("time_to_certificate_p95") == 61
    assert v("within_60s") == 20
    assert v("share_within_60s") == round(20 / 29, 4) == 0.6897
    assert v("time_to_certificate_median", "use", "domestic") == 30
    assert v("time_to_certificate_p95", "use", "domestic") == 60
    assert v("share_within_60s", "use", "domestic") == 1.0
    assert v("time_to_certificate_median", "use", "overseas") == 61
    bands = values(exact, "time_to_certificate", "band")
    assert list(bands) == list(BANDS)
    assert {k: n for k, n in bands.items() if n} == {"20-30": 10, "50-60": 10, "60-70": 9}


def test_small_counts_and_what_would_reveal_them_are_withheld(period: PeriodFacts) -> None:
    public = publish(period)
    row = public.get
    # 9 is withheld, 10 is shown
    assert (row("journeys_started", "use", "overseas").value, row(
        "journeys_started", "use", "overseas").withheld) == (None, "small")  # fmt: skip
    assert row("journeys_ended", "reason", "abandoned").value == 10
    # derived by subtraction: 119 verifications, 9 invalid -> "valid" would say 110 - withheld
    assert row("verifications", "verdict", "invalid").withheld == "small"
    assert row("verifications", "verdict", "valid").withheld == "complementary"
    assert row("verifications", "verdict", "expired").value == 0  # zero is published
    assert row("verifications").value == 119
    # formats: vdsnc 9 small, and the smallest other non-zero part (dcc 20) with it
    assert row("verifications", "format", "vdsnc").withheld == "small"
    assert row("verifications", "format", "dcc").withheld == "complementary"
    assert row("verifications", "format", "shc").value == 90
    # the overseas journeys: 9 -> small; then none/domestic would give it away: domestic
    # (20 < 22) goes; with a certificate by use: overseas 9 small, domestic 20 complementary
    assert row("journeys_started", "use", "domestic").withheld == "complementary"
    assert row("journeys_started", "use", "none").value == 22
    assert row("journeys_with_certificate", "use", "domestic").withheld == "complementary"
    assert row("journeys_with_certificate").value == 29
    # times of 9 overseas journeys are withheld; all 29 and the 20 domestic ones are shown
    assert row("time_to_certificate_median", "use", "overseas").withheld == "small"
    assert row("time_to_certificate_median").value == 60
    assert row("time_to_certificate_p95").value == 61
    assert row("time_to_certificate_median", "use", "domestic").value == 30
    # within 60 s: 20 of 29 would say that 9 took longer, so 20 is withheld, and with it the
    # share; then the bands up to 60 s (10 + 10 = the withheld 20) lose one of their 10s
    assert row("within_60s").withheld == "complementary"
    assert row("share_within_60s").withheld == "complementary"
    assert row("time_to_certificate", "band", "60-70").withheld == "small"
    assert row("time_to_certificate", "band", "20-30").withheld == "complementary"
    assert row("time_to_certificate", "band", "50-60").value == 10
    assert row("time_to_certificate", "band", "0-10").value == 0
    # the travel step: its base (overseas journeys) is small, so are its counts and rates
    assert row("step_completed", "step", "travel").withheld == "small"
    assert row("step_completed_rate", "step", "travel").withheld == "small"
    assert row("step_completed_rate", "step", "sign_in").value == round(41 / 51, 4)
    assert row("step_completed", "step", "sign_in").value == 41  # 51 - 41 = 10 left: shown
    assert row("certificate_rate").value == round(29 / 51, 4)
    # refusals: a single journey is small, and so are 8
    assert row("journeys_refused", "step_field", "check/no_consent").withheld == "small"
    assert row("journeys_refused", "step_field", "travel/passport_number").withheld == "small"
    # municipalities: Chiyoda's 5 is small; Sapporo's 34 would be 39 - 5 and its app 24 would be
    # the national 29 - Chiyoda's app: both withheld. Sapporo's counter 10 stays: Sapporo's
    # total = its app + 10 then has two unknowns, and so has every other sum
    assert row("issuances", municipality=CHIYODA).withheld == "small"
    assert row("issuances", "channel", "app", CHIYODA).withheld == "small"
    assert row("issuances", "channel", "counter", CHIYODA).value == 0
    assert row("issuances", municipality=SAPPORO).withheld == "complementary"
    assert row("issuances", "channel", "app", SAPPORO).withheld == "complementary"
    assert row("issuances", "channel", "counter", SAPPORO).value == 10
    assert row("issuances", "channel", "app").value == 29
    assert row("issuances", "channel", "counter").value == 10
    assert row("issuances").value == 39
    assert row("certificates", "format", "vdsnc").withheld == "small"
    assert row("certificates", "format", "shc").value == 39
    # exactly these are withheld: every withheld row has no value, every other row its value
    exact = publish(period, suppress=False)
    withheld = {r.cell for r in public.rows if r.withheld}
    assert all(r.value is None for r in public.rows if r.withheld)
    assert all(r == exact.index[r.cell] for r in public.rows if r.cell not in withheld)
    assert {(c.figure, c.breakdown, c.key, c.municipality) for c in withheld} == {
        ("certificates", "format", "dcc", ""), ("certificates", "format", "vdsnc", ""),
        ("issuances", "total", "", SAPPORO), ("issuances", "channel", "app", SAPPORO),
        ("issuances", "total", "", CHIYODA), ("issuances", "channel", "app", CHIYODA),
        ("verifications", "verdict", "valid", ""), ("verifications", "verdict", "invalid", ""),
        ("verifications", "format", "dcc", ""), ("verifications", "format", "vdsnc", ""),
        ("journeys_started", "use", "domestic", ""), ("journeys_started", "use", "overseas", ""),
        ("journeys_with_certificate", "use", "domestic", ""),
        ("journeys_with_certificate", "use", "overseas", ""),
        ("journeys_refused", "step_field", "check/no_consent", ""),
        ("journeys_refused", "step_field", "travel/passport_number", ""),
        ("step_reached", "step", "travel", ""), ("step_completed", "step", "travel", ""),
        ("step_reached_rate", "step", "travel", ""), ("step_completed_rate", "step", "travel", ""),
        ("within_60s", "total", "", ""), ("within_60s", "use", "domestic", ""),
        ("share_within_60s", "total", "", ""), ("share_within_60s", "use", "domestic", ""),
        ("share_within_60s", "use", "overseas", ""),
        ("certificate_rate", "use", "domestic", ""), ("certificate_rate", "use", "overseas", ""),
        ("time_to_certificate", "band", "20-30", ""), ("time_to_certificate", "band", "60-70", ""),
        ("time_to_certificate_median", "use", "overseas", ""),
        ("time_to_certificate_p95", "use", "overseas", ""),
    }  # fmt: skip


def test_the_same_rows_for_a_period_of_two_days(period: PeriodFacts) -> None:
    two = PeriodFacts(DAY, DAY + timedelta(days=1), add([period.facts, period.facts]), ())
    exact = publish(two, suppress=False)
    assert exact.get("journeys_started").value == 102
    assert exact.get("time_to_certificate_median").value == 60  # same shape, same percentiles
    assert exact.get("verifications", "verdict", "invalid").value == 18
    assert publish(two).get("verifications", "verdict", "invalid").value == 18  # 18: shown


@pytest.mark.parametrize(
    ("seconds", "whole", "band"),
    [(0.0, 0, "0-10"), (10.0, 10, "0-10"), (10.2, 11, "10-20"), (60.0, 60, "50-60"),
     (60.000001, 61, "60-70"), (61.0, 61, "60-70"), (120.0, 120, "110-120"),
     (120.5, 121, "120-"), (3600.0, 3600, "120-")],
)  # fmt: skip
def test_times_round_up_to_the_second(seconds: float, whole: int, band: str) -> None:
    duration = timedelta(seconds=seconds)
    assert whole_seconds(duration) == whole
    assert band_of(whole) == band


def test_the_histogram_percentile_is_the_nearest_rank_of_the_list() -> None:
    rng = random.Random(2026)
    for _ in range(300):
        values = [rng.randrange(1, 200) for _ in range(rng.randrange(1, 80))]
        counts: dict[int, int] = {}
        for value in values:
            counts[value] = counts.get(value, 0) + 1
        ordered = sorted(timedelta(seconds=s) for s in values)
        for percent in (1, 50, 95, 100):
            found = nearest_rank(ordered, percent)
            assert found is not None
            assert percentile(counts, percent) == int(found.total_seconds())
    assert percentile({}, 50) is None


def test_a_municipality_s_own_figures_are_its_issuances(period: PeriodFacts) -> None:
    sapporo = [f for f in period.facts.issuances if f.municipality_code == SAPPORO]
    own = replace(period, facts=replace(period.facts, issuances=tuple(sapporo)))
    exact = publish(own, suppress=False, municipality=SAPPORO)
    assert exact.get("issuances").value == 34
    assert exact.get("issuances", "channel", "counter").value == 10
    assert exact.get("certificates", "format", "vdsnc").value == 9
    assert not exact.of("journeys_started", "total")
    assert {r.cell.municipality for r in exact.rows} == {SAPPORO}
    assert Cell("issuances", municipality=SAPPORO) in exact.index
