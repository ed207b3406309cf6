"""The C reading of typical DCC claims (``_accel.dcc_claims``) against the Python path.

:func:`typical.read_claims` answers ``(cwt.read(data), typical_vaccination(payload))``. With the
accelerator it must give exactly that (types included), the same errors, and it may call a
payload typical only when :func:`typical.typical_vaccination` does: the C check may decline more
often, never less.
"""

from __future__ import annotations

from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shomeisho.errors import MalformedError, SchemaError
from shomeisho.formats.dcc import payload, typical
from shomeisho.model import VaccinationRecord
from tests.formats.test_dcc import _ODD_VALUES, _variants
from tests.wire.test_accel_cbor import typed

pytestmark = pytest.mark.skipif(
    typical._claims_c is None, reason="the optional C accelerator is not built"
)

IAT, EXP = 1_700_000_000, 1_800_000_000
# the record fixture is only read (to_payload builds a new payload every time)
FIXTURE_READ_ONLY = [HealthCheck.function_scoped_fixture]


def claims_of(body: Any, **changes: Any) -> dict[Any, Any]:
    claims: dict[Any, Any] = {1: "JP", 6: IAT, 4: EXP, -260: {1: body}}
    for label, value in changes.items():
        claims[int(label.lstrip("_").replace("m", "-"))] = value
    return claims


def read(data: bytes, *, fast: bool) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(typical, "_claims_c", None)
        try:
            claims, is_typical = typical.read_claims(data)
        except (MalformedError, SchemaError) as exc:
            return ("error", type(exc), exc.code, exc.message)
    return ("ok", typed(tuple(claims)), is_typical)


def agrees(data: bytes) -> bool:
    """Both paths say the same; and C calls typical only what typical_vaccination calls so."""
    fast, general = read(data, fast=True), read(data, fast=False)
    sets = typical._CODE_SETS[0] if typical._CODE_SETS else typical._code_sets()
    assert sets is not None
    found = typical._claims_c(data, sets, 16) if typical._claims_c is not None else None
    if found is not None and len(found) == 4:
        assert general[0] == "ok" and general[2] is True
    return bool(fast == general)


def test_the_typical_certificate_is_read_in_c(record: VaccinationRecord) -> None:
    data = cbor2.dumps(claims_of(payload.to_payload(record)))
    sets = typical._code_sets()
    assert sets is not None and typical._claims_c is not None
    found = typical._claims_c(data, sets, 16)
    assert found is not None and len(found) == 4
    assert read(data, fast=True) == read(data, fast=False)
    assert read(data, fast=True)[2] is True


@pytest.mark.slow
def test_odd_payloads_read_alike(record: VaccinationRecord) -> None:
    """The ~600 payload variants of test_dcc (every field odd, missing, or extra)."""
    variants = _variants(payload.to_payload(record))
    typical_count = 0
    for body in variants:
        data = cbor2.dumps(claims_of(body))
        assert agrees(data), body
        typical_count += read(data, fast=True)[2] is True
    assert typical_count > 50


@pytest.mark.parametrize(
    "changes",
    [
        {"_1": None}, {"_1": 5}, {"_1": b"JP"}, {"_6": True}, {"_6": -1}, {"_6": 1.5},
        {"_6": 253402300799}, {"_6": 253402300800}, {"_4": 2**64 - 1}, {"_4": -(2**63)},
        {"_4": "1800000000"}, {"_4": cbor2.CBORTag(1, EXP)}, {"m260": {1: {}, 2: {}}},
        {"m260": []}, {"_7": "extra"}, {"_1": "", "_6": 0, "_4": 0},
    ],
)  # fmt: skip
def test_odd_claims_read_alike(record: VaccinationRecord, changes: dict[str, Any]) -> None:
    assert agrees(cbor2.dumps(claims_of(payload.to_payload(record), **changes)))


@pytest.mark.parametrize(
    "claims",
    [
        {True: "JP", 6: IAT, 4: EXP, -260: {1: {}}},
        {"1": "JP", 6: IAT, 4: EXP, -260: {1: {}}},
        {1: "JP", 6: IAT, 4: EXP, -260: {True: {}}},
        {1: "JP", 6: IAT, 4: EXP},
        [1, 2],
        "text",
    ],
)
def test_odd_claim_maps_read_alike(claims: Any) -> None:
    assert agrees(cbor2.dumps(claims))


_DATES = st.text(alphabet="0123456789-/:T ", min_size=0, max_size=11) | st.sampled_from(
    ["2021-02-29", "2024-02-29", "2000-02-29", "1900-02-29", "0000-01-01", "0001-01-01",
     "9999-12-31", "1799-12-31", "1800-01-01", "2999-12-31", "3000-01-01", "2021-00-10",
     "2021-13-10", "2021-04-31", "2021-04-00", "1961-04", "1961-00", "1961-13", "1961",
     "17991", "٢٠٢١-٠٦-٢٢", "２０２１-06-22"]
)  # fmt: skip


@settings(max_examples=500, deadline=None, suppress_health_check=FIXTURE_READ_ONLY)
@given(dob=_DATES, dt=_DATES)
def test_dates_are_judged_alike(record: VaccinationRecord, dob: str, dt: str) -> None:
    body = payload.to_payload(record)
    body["dob"] = dob
    body["v"][0]["dt"] = dt
    assert agrees(cbor2.dumps(claims_of(body)))


_VALUES = st.one_of(
    st.sampled_from(_ODD_VALUES[:-2]),  # (no tags or bytes: they are drawn below)
    st.integers(-(2**64), 2**64 - 1),
    st.text(max_size=12),
    st.binary(max_size=4),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)


@settings(max_examples=500, deadline=None, suppress_health_check=FIXTURE_READ_ONLY)
@given(data=st.data())
def test_random_changes_read_alike(record: VaccinationRecord, data: st.DataObject) -> None:
    """One to three fields anywhere in the payload replaced, removed or added."""
    body = payload.to_payload(record)
    for _ in range(data.draw(st.integers(1, 3))):
        entries = body.get("v")
        places = [body, body.get("nam"), entries[0] if type(entries) is list and entries else None]
        target = data.draw(st.sampled_from([p for p in places if type(p) is dict]))
        key = data.draw(st.sampled_from([*target, "x", "fn", "tg", 1]))
        if data.draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = data.draw(_VALUES)
    assert agrees(cbor2.dumps(claims_of(body)))


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE_READ_ONLY)
@given(cut=st.integers(0, 400), flip=st.integers(0, 4000))
def test_damaged_claims_read_alike(record: VaccinationRecord, cut: int, flip: int) -> None:
    data = bytearray(cbor2.dumps(claims_of(payload.to_payload(record))))
    position = flip % len(data)
    data[position] ^= 1 << (flip % 8)
    assert agrees(bytes(data))
    assert agrees(bytes(data[:cut]))


def test_the_value_sets_are_checked_as_given() -> None:
    """Answers depend on the sets passed in, not on anything compiled into C."""
    assert typical._claims_c is not None
    body = {
        "ver": "1.3.0",
        "nam": {"fnt": "X"},
        "dob": "",
        "v": [
            {"tg": "a", "vp": "b", "mp": "c", "ma": "d", "dn": 1, "sd": 1,
             "dt": "2021-06-22", "co": "JP", "is": "I", "ci": "C"}
        ],
    }  # fmt: skip
    data = cbor2.dumps(claims_of(body))
    sets = (frozenset("a"), frozenset("b"), frozenset("c"), frozenset("d"), frozenset({"JP"}))
    found = typical._claims_c(data, sets, 16)
    assert found is not None and len(found) == 4 and found[3] == body
    for index in range(5):
        narrower = tuple(frozenset() if i == index else s for i, s in enumerate(sets))
        found = typical._claims_c(data, narrower, 16)
        assert found is not None and len(found) == 1
