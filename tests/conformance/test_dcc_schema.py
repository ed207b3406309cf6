"""The DCC schema as shomeisho compiles it (``jsonschema-rs``, the published draft 2020-12 schema
as is) judges payloads exactly as ``jsonschema``, the reference implementation, does; and the
shipped copies of the schema and value sets are the corpus files, unchanged."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from shomeisho.errors import SchemaError
from shomeisho.formats.dcc import schema
from tests.conformance.conftest import CANDIDATES

pytestmark = pytest.mark.conformance

SHARED = next((c for c in CANDIDATES if c.is_dir()), None)
SCHEMA_DIR = SHARED / "dcc-schema" if SHARED else None
DATA = Path(schema.__file__).resolve().parents[2] / "data" / "dcc"
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)$"
)


def _examples(kind: str) -> list[Path]:
    if SCHEMA_DIR is None:
        return []
    return sorted((SCHEMA_DIR / kind).rglob("*.json"))


def _corpus_payloads() -> list[tuple[str, Any]]:
    if SHARED is None:
        return []
    root = SHARED / "dgc-testdata"
    out = []
    for path in sorted(root.rglob("*.json")):
        if path.parent.name.lower() != "raw":
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc.get("JSON"), dict):
            out.append((path.relative_to(root).as_posix(), doc["JSON"]))
    return out


def _reference_date_time(value: object) -> bool:
    """A second implementation of the DCC date-time profile (RFC 3339 plus ``+02``/``+0200``
    offsets) for jsonschema, whose own check needs rfc3339-validator; parsing is Python's."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:
        return False
    return True


def _reference(formats: bool) -> jsonschema.protocols.Validator:
    original = json.loads((DATA / "DCC.combined-schema.json").read_text(encoding="utf-8"))
    if not formats:
        return jsonschema.Draft202012Validator(original)
    checker = jsonschema.FormatChecker(formats=["date"])
    checker.checks("date-time")(_reference_date_time)
    return jsonschema.Draft202012Validator(original, format_checker=checker)


def _ours(formats: bool, value: Any) -> bool:
    return schema.validator(formats=formats).is_valid(value)


def _checked(value: Any) -> bool:
    """What the verify path (:func:`schema.check`) says."""
    try:
        schema.check(value)
    except SchemaError:
        return False
    return True


@pytest.mark.parametrize("formats", [False, True], ids=["annotation", "asserted"])
@pytest.mark.parametrize(
    "path",
    _examples("test/valid") + _examples("test/invalid") + _examples("examples"),
    ids=lambda p: p.relative_to(SCHEMA_DIR).as_posix() if SCHEMA_DIR else str(p),
)
def test_upstream_examples(path: Path, formats: bool) -> None:
    value = json.loads(path.read_text(encoding="utf-8"))
    reference = _reference(formats).is_valid(value)
    assert _ours(formats, value) == reference
    if not formats:
        assert _checked(value) == reference
    expected_valid = "invalid" not in path.parts
    assert reference == expected_valid, "the upstream example itself is misfiled"
    if expected_valid:  # upstream's valid examples carry no format warning either
        assert schema.validate(value) == []


def test_every_upstream_example_was_found() -> None:
    assert len(_examples("test/valid")) >= 13 and len(_examples("test/invalid")) >= 6


def test_corpus_payloads_agree() -> None:
    """~560 national payloads of every schema version: the two validators agree on each."""
    payloads = _corpus_payloads()
    assert len(payloads) > 500
    for formats in (False, True):
        reference = _reference(formats)
        disagree = [
            name for name, value in payloads if _ours(formats, value) != reference.is_valid(value)
        ]
        assert not disagree, f"formats={formats}: {disagree}"
    assert [name for name, value in payloads if _checked(value) != _ours(False, value)] == []


_VALID = {
    "ver": "1.3.0",
    "nam": {"fn": "Müller", "fnt": "MUELLER", "gn": "Anna", "gnt": "ANNA"},
    "dob": "1961-04-09",
    "v": [
        {
            "tg": "840539006",
            "vp": "1119349007",
            "mp": "EU/1/20/1528",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2021-06-22",
            "co": "JP",
            "is": "Ministry of Health, Labour and Welfare",
            "ci": "URN:UVCI:01:JP:0123456789ABCDEFGHJKMNPQRS",
        }
    ],
}


def test_a_final_newline_does_not_satisfy_dollar() -> None:
    """The one place the reference is not followed: JSON Schema patterns are ECMA-262 regular
    expressions, where ``$`` matches only at the very end; ``jsonschema`` uses Python's ``re``,
    where it also matches before a final newline, so it takes ``"1961\\n"`` for a birth date."""
    body = json.loads(json.dumps(_VALID))
    body["dob"] = "1961\n"
    assert _reference(formats=False).is_valid(body)  # the reference's quirk
    assert not _ours(False, body) and not _checked(body)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("dn", True),
        ("dn", 2.0),
        ("dn", 2.5),
        ("dn", 2**70),
        ("dn", -(2**70)),
        ("dn", 0),
        ("dn", None),
        ("dt", "not a date"),
        ("dt", 20210622),
        ("co", "jp"),
        ("co", "xJPx"),
        ("ci", ""),
        ("ci", "x" * 81),
        ("dob", "2100-01-01"),
        ("dob", "1961-13"),
        ("nam", {"fn": "only a written name"}),
        ("nam", {"fnt": "lower case"}),
        ("v", []),
        ("t", [{}]),
        ("extra", {"anything": [1, 2.5, None]}),
    ],
)
def test_edge_values_are_judged_as_the_reference_judges_them(where: str, value: Any) -> None:
    """Integers written as floats, booleans, very large integers, unanchored patterns..."""
    body = json.loads(json.dumps(_VALID))
    target = body if where in ("dob", "nam", "v", "t", "extra") else body["v"][0]
    target[where] = value
    reference = _reference(formats=False).is_valid(body)
    assert _ours(False, body) == reference == _checked(body)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2021-06-11T17:30:00Z", True),
        ("2021-06-11T17:30:00.123+02:00", True),
        ("2021-06-11T17:30:00+02", True),
        ("2021-06-11T17:30:00+0200", True),
        ("2021-06-11t17:30:00z", True),
        ("2021-06-11T17:30:00", False),
        ("2021-06-11 17:30:00Z", False),
        ("2021-06-11T17:30Z", False),
        ("2021-06-11T24:00:00Z", False),
        ("2021-02-30T17:30:00Z", False),
        ("2021-06-11T17:30:00+24:00", False),
        ("2021-06-11", False),
    ],
)
def test_date_time_profile(value: str, ok: bool) -> None:
    assert schema.is_date_time(value) is ok
    assert _reference_date_time(value) is ok


def test_format_warnings_match_the_strict_validator() -> None:
    """``validate`` = lenient validator + ``format_warnings``; that must judge as the validator
    with formats asserted does, on every corpus and upstream payload."""
    payloads = [v for _, v in _corpus_payloads()]
    payloads += [json.loads(p.read_text()) for p in _examples("test") + _examples("examples")]
    for value in payloads:
        lenient, strict = _ours(False, value), _ours(True, value)
        assert strict == (lenient and not schema.format_warnings(value)), value


def test_validate_reports_formats_as_warnings() -> None:
    body = (
        json.loads((SCHEMA_DIR / "test/valid/V-min-data.json").read_text())
        if SCHEMA_DIR
        else pytest.skip("no corpus")
    )
    assert schema.validate(body) == []
    body["v"][0]["dt"] = "2021-06-11T10:00:00Z"
    warnings = schema.validate(body)
    assert [w.code for w in warnings] == ["schema.format"]
    assert warnings[0].where == "payload /v/0/dt"


@pytest.mark.parametrize("name", ["DCC.combined-schema.json", "LICENSE"])
def test_shipped_schema_is_the_corpus_file(name: str) -> None:
    assert SCHEMA_DIR is not None
    assert (DATA / name).read_bytes() == (SCHEMA_DIR / name).read_bytes()


def test_shipped_value_sets_are_the_corpus_files() -> None:
    assert SHARED is not None
    source = SHARED / "dcc-valuesets"
    names = [*sorted(p.name for p in source.glob("*.json")), "LICENSE"]
    for name in names:
        assert (DATA / "valuesets" / name).read_bytes() == (source / name).read_bytes(), name
