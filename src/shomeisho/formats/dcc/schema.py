"""The DCC payload schema (1.3.x), compiled once with ``fastjsonschema`` for the verify hot path.

The published schema is JSON Schema draft 2020-12; ``fastjsonschema`` speaks drafts 4, 6 and 7.
The DCC schema uses nothing that differs between 2020-12 and draft-07 except where definitions
live (``$defs`` instead of ``definitions``), so :func:`to_draft07` moves them and rewrites the
``$ref`` pointers; ``tests/conformance/test_dcc_schema.py`` checks that the converted schema
judges the upstream examples and ~560 national payloads exactly as ``jsonschema`` does with the
original.

Formats: JSON Schema 2020-12 treats ``format`` as an annotation, and so do the upstream schema
tests (their valid examples include ``sc`` values that are ISO 8601 but not RFC 3339). So a payload
is *invalid* only when it breaks the schema with formats as annotations; a ``date`` or
``date-time`` that is not one is reported as a warning (``schema.format``). :func:`validate` runs
the validator compiled without formats and checks the few formatted fields (read from the schema)
directly; the validator compiled *with* formats exists to prove that this is the same judgement.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema

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


def to_draft07(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a 2020-12 schema that uses only draft-07 keywords into draft-07 form."""
    out = copy.deepcopy(schema)
    out["$schema"] = "http://json-schema.org/draft-07/schema#"
    out.pop("$id", None)  # refs stay local; no resolver ever looks at the network
    if "$defs" in out:
        out["definitions"] = out.pop("$defs")

    def fix(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node["$ref"] = "#/definitions/" + ref[len("#/$defs/") :]
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    fix(out)
    return out


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
def validator(*, formats: bool = True) -> Callable[[Any], Any]:
    """The compiled validator; built on first use and kept for the life of the process.

    ``formats=False`` gives JSON Schema 2020-12's default reading, where ``format`` is only an
    annotation (what ``jsonschema`` does without a format checker).
    """
    if formats:
        compiled: Callable[[Any], Any] = fastjsonschema.compile(
            to_draft07(original_schema()), formats=FORMATS, use_default=False
        )
    else:
        compiled = fastjsonschema.compile(
            to_draft07(original_schema()), use_default=False, use_formats=False
        )
    return compiled


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


def validate(payload: Any) -> list[SchemaError]:
    """Check ``payload`` against the schema; raise :class:`SchemaError` (``schema.payload``) for
    the first rule it breaks, and return warnings (``schema.format``) for ``date``/``date-time``
    fields that are not.

    Formats are annotations in JSON Schema 2020-12 unless a validator opts in, and issuers did
    put date-times where the schema says ``date`` (Poland in 2021, for one); such a payload is
    still read, with a warning a verifier may show. The compiled validator runs with formats off
    and :func:`format_warnings` checks the few formatted fields directly, which is the same
    judgement as ``validator(formats=True)`` (tested) at a third less cost.
    """
    try:
        validator(formats=False)(payload)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _error(exc, "schema.payload") from None
    return format_warnings(payload)


def _error(exc: fastjsonschema.JsonSchemaValueException, code: str) -> SchemaError:
    return SchemaError(
        f"the DCC payload breaks schema {schema_version()}: {_describe(exc)}",
        code=code,
        where=f"payload {_pointer(exc.path)}",
    )


def _pointer(path: Any) -> str:
    """``["data", "v", 0, "dt"]`` -> ``/v/0/dt`` (fastjsonschema calls the root ``data``)."""
    parts = list(path or [])
    if parts and parts[0] == "data":
        parts = parts[1:]
    return "/" + "/".join(str(p) for p in parts)


def _describe(exc: Any) -> str:
    """Turn fastjsonschema's ``data.v[0].dt must be date`` into words about the payload."""
    message = str(getattr(exc, "message", exc))
    if message.startswith("data."):
        return message[len("data.") :]
    if message.startswith("data["):
        return message[len("data") :]
    if message.startswith("data "):
        return "the payload" + message[len("data") :]
    return message
