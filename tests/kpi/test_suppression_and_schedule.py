"""The suppression rule on small tables worked out by hand, which days a roll-up picks, and the
demo history's shape."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shomeisho.kpi.demo_history import DEMO_PREFIX, demo_history
from shomeisho.kpi.rollup import due_days, settles_at
from shomeisho.kpi.suppression import Relation, withhold
from shomeisho.model import JST


def test_nine_is_withheld_ten_and_zero_are_shown() -> None:
    assert withhold({"a": 9, "b": 10, "c": 0, "d": 1}, []) == {"a": "small", "d": "small"}


def test_a_part_that_the_total_gives_away_is_withheld_with_the_smallest_other_part() -> None:
    counts = {"all": 120, "valid": 100, "expired": 11, "invalid": 9}
    relations = [Relation("all", ("valid", "expired", "invalid"))]
    # 120 - 100 - 11 would be the 9: the smallest other part (11) goes too
    assert withhold(counts, relations) == {"invalid": "small", "expired": "complementary"}


def test_two_small_parts_protect_each_other() -> None:
    counts = {"all": 25, "a": 5, "b": 5, "c": 15}
    assert withhold(counts, [Relation("all", ("a", "b", "c"))]) == {"a": "small", "b": "small"}


def test_a_small_remainder_is_protected_too() -> None:
    # 20 reached a step and 15 completed it: the 5 who left would be 20 - 15
    assert withhold({"reached": 20, "completed": 15}, [Relation("reached", ("completed",))]) == {
        "completed": "complementary"
    }
    # 10 who left are not a small count
    assert withhold({"reached": 25, "completed": 15}, [Relation("reached", ("completed",))]) == {}
    # a remainder of 0 says nothing either
    assert withhold({"reached": 15, "completed": 15}, [Relation("reached", ("completed",))]) == {}


def test_a_withheld_total_is_not_left_to_its_parts() -> None:
    # Sapporo's total is withheld for the national sum; its channels would add up to it
    counts = {"japan": 39, "chiyoda": 5, "sapporo": 34, "app": 24, "counter": 10}
    relations = [Relation("japan", ("chiyoda", "sapporo")), Relation("sapporo", ("app", "counter"))]
    assert withhold(counts, relations) == {
        "chiyoda": "small",
        "sapporo": "complementary",
        "counter": "complementary",
    }


def test_the_cells_withheld_for_one_relation_are_checked_in_the_others() -> None:
    # a 2 x 2 table with totals: one small cell takes its row, its column and the opposite cell
    counts = {"a1": 5, "a2": 20, "b1": 30, "b2": 40, "a": 25, "b": 70, "c1": 35, "c2": 60, "t": 95}
    relations = [
        Relation("a", ("a1", "a2")), Relation("b", ("b1", "b2")),
        Relation("c1", ("a1", "b1")), Relation("c2", ("a2", "b2")), Relation("t", ("a", "b")),
    ]  # fmt: skip
    assert withhold(counts, relations) == {
        "a1": "small", "a2": "complementary", "b1": "complementary", "b2": "complementary",
    }  # fmt: skip


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=JST)


def test_the_days_a_roll_up_picks() -> None:
    assert settles_at(date(2026, 11, 8)) == at(10, 0)
    first = date(2026, 11, 8)
    # nothing rolled up yet: every day from the first with data to today
    assert due_days(at(10, 12), {}, first) == [first, date(2026, 11, 9), date(2026, 11, 10)]
    rolled = {
        date(2026, 11, 8): at(10, 1),  # after it settled: never again
        date(2026, 11, 9): at(10, 11, 30),  # half an hour ago: fresh enough
        date(2026, 11, 10): at(10, 10),  # two hours ago: refreshed
    }
    assert due_days(at(10, 12), rolled, first) == [date(2026, 11, 10)]
    # after midnight of the 11th the 9th has settled: one last roll-up; the 11th is new
    assert due_days(at(11, 0, 10), rolled, first) == [
        date(2026, 11, 9),
        date(2026, 11, 10),
        date(2026, 11, 11),
    ]
    # a service that was down for a week catches up, oldest first
    assert due_days(at(18, 9), rolled, first)[0] == date(2026, 11, 9)
    assert len(due_days(at(18, 9), rolled, first)) == 10  # the 9th to the 18th
    assert due_days(at(10, 12), {}, None) == [date(2026, 11, 10)]


def test_the_demo_history_is_reproducible_and_plausible() -> None:
    first, last = date(2026, 9, 1), date(2026, 9, 30)
    days = list(demo_history(first, last, seed=7))
    again = list(demo_history(first, last, seed=7))
    assert [d.events for d in days] == [d.events for d in again]
    assert [d.day for d in days] == [first + timedelta(days=n) for n in range(30)]
    events = [e for d in days for e in d.events]
    assert all(e.journey_id.startswith(DEMO_PREFIX) for e in events)
    started = sum(e.kind == "started" for e in events)
    issued = sum(e.detail == "issued" for e in events)
    assert 500 < started < 1200 and 0.75 < issued / started < 0.95
    app = [i for d in days for i in d.issuances if i.channel == "app"]
    assert len(app) == issued  # every certificate of a journey is an issuance
    weekend = [d for d in days if d.day.weekday() >= 5]
    assert all(i.channel != "counter" for d in weekend for i in d.issuances)
    assert all(first <= i.at.astimezone(JST).date() <= last for d in days for i in d.issuances)
