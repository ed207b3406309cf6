"""Record JSON: fields named in every error, NFC storage, round trip through record_to_dict."""

from __future__ import annotations

import json
import unicodedata

import pytest

from shomeisho.demo_record import demo_record
from shomeisho.errors import InputError
from shomeisho.record_file import record_from_dict, record_from_json, record_to_dict


def test_round_trip_of_the_demo_record() -> None:
    record = demo_record()
    again = record_from_json(json.dumps(record_to_dict(record)).encode())
    assert again == record


def test_names_are_stored_nfc() -> None:
    doc = record_to_dict(demo_record())
    doc["person"]["name"]["given"] = unicodedata.normalize("NFD", "ガ子")
    record = record_from_dict(doc)
    assert record.person.name.given == "ガ子"


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d["events"][1].update(date="2021/06/22"), "events[1].date"),
        (lambda d: d["events"][0].update(dose_number="1"), "events[0].dose_number"),
        (lambda d: d["events"][0].update(product="sputnik"), None),
        (lambda d: d["person"].update(birth_date="1961-13-01"), "person.birth_date"),
        (lambda d: d["person"].update(sex="female"), "person.sex"),
        (lambda d: d["person"].update(name={}), "person.name"),
        (lambda d: d.update(events=[]), "events"),
        (lambda d: d["events"][0].update(dose_number=0), "events[0]"),
    ],
)
def test_errors_name_the_field(mutate, where) -> None:
    doc = record_to_dict(demo_record())
    mutate(doc)
    with pytest.raises(InputError) as info:
        record_from_dict(doc)
    if where:
        assert info.value.where == where
        assert where in str(info.value)
    else:
        assert "known products" in info.value.message


@pytest.mark.parametrize("data", [b"\xff\xfe", b"{not json", b"[]", b"null"])
def test_unreadable_files(data: bytes) -> None:
    with pytest.raises(InputError):
        record_from_json(data)
