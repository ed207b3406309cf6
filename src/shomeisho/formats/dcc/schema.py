"""The DCC payload schema (1.3.x), compiled once with ``jsonschema-rs`` for the verify hot path.

The published schema is JSON Schema draft 2020-12, which ``jsonschema-rs`` (Rust) reads as
published: no conversion, and nothing to fetch (every ``$ref`` is local, and the shipped file is
checked to be the published one). Checking a payload costs about two microseconds.
``tests/conformance/test_dcc_schema.py`` checks that it judges the upstream examples and ~560
national payloads exactly as ``jsonschema`` (the reference implementation) does. One deliberate
difference: patterns are ECMA-262 regular expressions, as JSON Schema says, so ``$`` matches only
at the very end; Python's ``re`` (and so ``jsonschema``) also matches it before a final newline.

Formats: JSON Schema 2020-12 treats ``format`` as an annotation, and so do the upstream schema
tests (their valid examples include ``sc`` values that are ISO 8601 but not RFC 3339). So a payload
is *invalid* only when it breaks the schema with formats as annotations; a ``date`` or
``date-time`` that is not one is reported as a warning (``schema.format``). :func:`validate` runs
the validator with formats as annotations and checks the few formatted fields (read from the
schema) directly; the validator that asserts formats (with :data:`FORMATS`) exists to prove that
this is the same judgement. Only a payload that breaks the schema pays for a detailed error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from shomeisho.errors import SchemaError

SCHEMA_FILE = "DCC.combined-schema.json"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_DATE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2})(?::?(\d{2}))?)$",
    re.ASCII,
)


def data_file(*parts: str) -> str:
    """Read a file shipped in ``shomeisho/data/dcc`` (package data, never ../shared)."""
    node = resources.files("shomeisho").joinpath("data").joinpath("dcc")
    for part in parts:
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")


@cache
def original_schema() -> dict[str, Any]:
    """The schema exactly as published (draft 2020-12)."""
    schema: dict[str, Any] = json.loads(data_file(SCHEMA_FILE))
    return schema


def schema_version() -> str:
    """The version the shipped schema declares in its ``$comment`` (e.g. ``1.3.3``)."""
    match = re.search(r"\d+\.\d+\.\d+", str(original_schema().get("$comment", "")))
    return match.group(0) if match else "unknown"


def is_date(value: object) -> bool:
    """JSON Schema ``date``: ``YYYY-MM-DD`` naming a real calendar day."""
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_date_time(value: object) -> bool:
    """``date-time`` as DCCs write it: RFC 3339 (``2021-06-11T17:30:00+02:00``, ``...Z``), plus
    the ISO 8601 offsets ``+02`` and ``+0200`` that the upstream schema tests list as valid
    (``test/valid/T-rat-dates1.json``, ``-dates2.json``). Date, time and offset must be real."""
    if not isinstance(value, str):
        return False
    match = _DATE_TIME.match(value)
    if not match:
        return False
    day, hour, minute, second, _, _, off_h, off_m = match.groups()
    if not is_date(day) or int(hour) > 23 or int(minute) > 59 or int(second) > 60:
        return False
    return off_h is None or (int(off_h) <= 23 and int(off_m or 0) <= 59)


FORMATS: dict[str, Callable[[object], bool]] = {"date": is_date, "date-time": is_date_time}


@cache
def validator(*, formats: bool = True) -> jsonschema_rs.Validator:
    """The compiled validator; built on first use and kept for the life of the process.

    ``formats=False`` gives JSON Schema 2020-12's default reading, where ``format`` is only an
    annotation (what ``jsonschema`` does without a format checker); ``formats=True`` asserts
    ``date`` and ``date-time`` with :data:`FORMATS`.
    """
    if formats:
        return jsonschema_rs.Draft202012Validator(
            original_schema(), formats=FORMATS, validate_formats=True
        )
    return jsonschema_rs.Draft202012Validator(original_schema(), validate_formats=False)


@cache
def format_fields() -> dict[str, tuple[tuple[str, str], ...]]:
    """Group (``v``/``t``/``r``) -> ((field, format), ...), read from the schema itself."""
    original = original_schema()
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for group, spec in original["properties"].items():
        ref = spec.get("items", {}).get("$ref", "") if isinstance(spec, dict) else ""
        if not ref.startswith("#/$defs/"):
            continue
        entry = original["$defs"][ref[len("#/$defs/") :]]
        out[group] = tuple(
            (name, prop["format"])
            for name, prop in entry.get("properties", {}).items()
            if isinstance(prop, dict) and prop.get("format") in FORMATS
        )
    return out


def format_warnings(payload: Any) -> list[SchemaError]:
    """One ``schema.format`` warning per ``date``/``date-time`` field that is not one."""
    warnings: list[SchemaError] = []
    if not isinstance(payload, dict):
        return warnings
    for group, fields in format_fields().items():
        entries = payload.get(group)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            for name, kind in fields:
                value = entry.get(name)
                if isinstance(value, str) and not FORMATS[kind](value):
                    warnings.append(
                        SchemaError(
                            f"{group}[{index}].{name} is {value!r}, which is not a {kind} as "
                            f"schema {schema_version()} says; it is read as written",
                            code="schema.format",
                            where=f"payload /{group}/{index}/{name}",
                        )
                    )
    return warnings


_lenient: list[jsonschema_rs.Validator] = []  # validator(formats=False), once built


def validate(payload: Any) -> list[SchemaError]:
    """Check ``payload`` against the schema; raise :class:`SchemaError` (``schema.payload``) for
    the first rule it breaks, and return warnings (``schema.format``) for ``date``/``date-time``
    fields that are not.

    Formats are annotations in JSON Schema 2020-12 unless a validator opts in, and issuers did
    put date-times where the schema says ``date`` (Poland in 2021, for one); such a payload is
    still read, with a warning a verifier may show. The validator runs with formats as
    annotations and :func:`format_warnings` checks the few formatted fields directly, which is
    the same judgement as ``validator(formats=True)`` (tested).
    """
    check(payload)
    return format_warnings(payload)


def check(payload: Any) -> None:
    """:func:`validate` without the format warnings: raise SchemaError if ``payload`` breaks
    the schema (formats as annotations). Only a broken payload pays for the detailed error."""
    if not _lenient:
        _lenient.append(validator(formats=False))
    try:
        valid = _lenient[0].is_valid(payload)
    except (ValueError, TypeError, OverflowError):  # a value that is not JSON data at all
        valid = False
    if not valid:
        raise _error(_lenient[0], payload)


def _error(checker: jsonschema_rs.Validator, payload: Any) -> SchemaError:
    """The detailed error for a payload that :func:`validate` found invalid."""
    prefix = f"the DCC payload breaks schema {schema_version()}"
    try:
        first = next(iter(checker.iter_errors(payload)), None)
    except (ValueError, TypeError, OverflowError) as exc:
        return SchemaError(
            f"{prefix}: it holds a value that is not JSON data ({exc})",
            code="schema.payload",
            where="payload /",
        )
    if first is None:  # cannot happen: is_valid said no
        return SchemaError(prefix, code="schema.payload", where="payload /")
    return SchemaError(
        f"{prefix}: {_describe(first)}",
        code="schema.payload",
        where=f"payload {_pointer(first.instance_path)}",
    )


def _pointer(path: list[str | int]) -> str:
    """``["v", 0, "dt"]`` -> ``/v/0/dt``; the payload itself is ``/``."""
    return "/" + "/".join(str(part) for part in path)


def _place(path: list[str | int]) -> str:
    """``["v", 0, "dt"]`` -> ``v[0].dt``; the payload itself is ``the payload``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the payload"


_MAX_SHOWN = 120  # longer messages quote too much of the payload; they are described instead


def _describe(error: jsonschema_rs.ValidationError) -> str:
    """The broken rule in words about the payload: ``v[0].dn: "2" is not of type "integer"``.

    ``jsonschema-rs`` messages start with the offending value; an object or array (the whole
    payload, for a ``oneOf``) is described by the rule instead of being quoted. The rule and its
    limit are read from the schema (``schema_path``), which every jsonschema-rs version gives."""
    place = _place(error.instance_path)
    message = error.message
    if not isinstance(error.instance, dict | list) and len(message) <= _MAX_SHOWN:
        return f"{place}: {message}"
    keyword = str(error.schema_path[-1]) if error.schema_path else ""
    if keyword == "required":
        return f"{place}: {message}"
    rule = _rule(error.schema_path)
    if keyword == "type" and isinstance(rule, str | list):
        kinds = [rule] if isinstance(rule, str) else rule
        return f"{place} is not of type " + " or ".join(f'"{kind}"' for kind in kinds)
    if keyword in ("oneOf", "anyOf"):
        if "more than one" in message:
            return f"{place} is valid under more than one of the schemas listed in '{keyword}'"
        return f"{place} is not valid under any of the schemas listed in '{keyword}'"
    if keyword == "minItems" and isinstance(rule, int):
        return f"{place} has fewer items than the minimum of {rule}"
    if keyword == "maxItems" and isinstance(rule, int):
        return f"{place} has more items than the maximum of {rule}"
    if keyword == "maxLength" and isinstance(rule, int):
        return f"{place} is longer than {rule} characters"
    return f"{place} breaks the schema's {keyword or 'rules'!r} rule"


def _rule(path: list[str | int]) -> Any:
    """The value at ``path`` in the schema (a keyword's argument), or None."""
    node: Any = original_schema()
    for part in path:
        found = isinstance(node, dict) and part in node
        if not found and not (isinstance(node, list) and isinstance(part, int)):
            return None
        if not found and not 0 <= int(part) < len(node):
            return None
        node = node[part]
    return node
