"""The record questions that hold a certificate back until the municipality has checked."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shomeisho.records.consistency import RecordQuestion, open_questions
from shomeisho.records.entities import EventStatus, VaccinationEventRecord
from tests.db.records_factory import event


def stored(
    dose: int, day: date, status: EventStatus = EventStatus.ACTIVE, product: str = "comirnaty"
) -> VaccinationEventRecord:
    details = event(f"V-{dose}-{day}", dose, administered_on=day, product_code=product)
    return VaccinationEventRecord(
        f"E{dose}{day}", "R1", "131016", details, status, 1, "", "t", datetime.now(UTC)
    )


def test_a_clean_series_has_no_questions() -> None:
    assert open_questions([stored(1, date(2021, 6, 1)), stored(2, date(2021, 6, 22))]) == []
    assert open_questions([]) == []


def test_a_missing_dose_a_duplicate_and_a_dose_out_of_order_are_each_named() -> None:
    events = [stored(1, date(2021, 6, 1)), stored(3, date(2022, 1, 5))]
    assert open_questions(events) == [RecordQuestion("missing_dose", 2)]
    twice = [stored(1, date(2021, 6, 1)), stored(2, date(2021, 6, 22)), stored(2, date(2021, 7, 1))]
    assert open_questions(twice) == [RecordQuestion("duplicate_dose", 2)]
    backwards = [stored(1, date(2021, 6, 22)), stored(2, date(2021, 6, 1))]
    assert open_questions(backwards) == [RecordQuestion("dose_order", 2)]


def test_voided_events_and_routine_vaccines_do_not_raise_questions() -> None:
    events = [
        stored(1, date(2021, 6, 1)),
        stored(2, date(2021, 6, 22), EventStatus.VOIDED),
        stored(2, date(2021, 6, 29)),
        stored(4, date(2021, 5, 1), product="hib"),
    ]
    assert open_questions(events) == []
