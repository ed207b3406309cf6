"""Element-level FHIR checks: typed handlers for the shapes vaccination cards use, and a walk.

Used by :mod:`.profile`. The typed handlers know Patient and Immunization elements (names,
dates, codings, references, performers) and check them without visiting every node generically;
anything else goes through :func:`walk`: no empty strings, arrays or objects, codings without
unknown members, no ``CodeableConcept.text`` (warning), references that are short and resolve.
A location (``where``) is only formatted when something is wrong; the hot path builds no strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from shomeisho.errors import MalformedError, SchemaError
from shomeisho.formats.shc.problems import Sink

MAX_DEPTH = 16  # below a resource member; the payload adds 7 levels above it
SHORT_REF = re.compile(r"^resource:(0|[1-9][0-9]*)$")
FHIR_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
FHIR_DATETIME = re.compile(
    r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$"
)
_CODING_MEMBERS = frozenset(
    {"system", "version", "code", "display", "userSelected", "id", "extension"}
)
_PLAIN_CODING = frozenset({"system", "code"})
# Elements whose FHIR type is CodeableConcept, by name (enough for SHC content).
_CODEABLE = frozenset(
    """vaccineCode code type valueCodeableConcept site route maritalStatus statusReason
    reasonCode category method interpretation bodySite subpotentReason fundingSource
    programEligibility targetDisease function relationship""".split()  # noqa: SIM905
)


@dataclass
class Context:
    """What every check needs: the bundle's fullUrls and where findings go."""

    full_urls: set[str]
    sink: Sink

    def error(self, code: str, message: str, where: str) -> None:
        self.sink.errors.append(SchemaError(message, code=code, where=where))

    def warn(self, code: str, message: str, where: str) -> None:
        self.sink.warnings.append(SchemaError(message, code=code, where=where))


# -- typed elements: (value, base, name, ctx); where = base/name, built on error ---------------


def t_string(value: object, base: str, name: str, ctx: Context) -> None:
    if type(value) is not str:
        ctx.error("schema.fhir.type", "expected a string", f"{base}/{name}")
    elif not value:
        ctx.error("schema.fhir.empty_string", "empty strings are not allowed", f"{base}/{name}")


def t_date(value: object, base: str, name: str, ctx: Context) -> None:
    if type(value) is str and value and FHIR_DATE.match(value):
        return
    t_string(value, base, name, ctx)
    if type(value) is str and value:
        ctx.error("schema.fhir.date", f"{value!r} is not a FHIR date", f"{base}/{name}")


def t_datetime(value: object, base: str, name: str, ctx: Context) -> None:
    if type(value) is str and value and FHIR_DATETIME.match(value):
        return
    t_string(value, base, name, ctx)
    if type(value) is str and value:
        ctx.error("schema.fhir.date", f"{value!r} is not a FHIR dateTime", f"{base}/{name}")


def _container(value: object, kind: type, base: str, name: str, ctx: Context) -> bool:
    """Type and emptiness of an object or array element; True if it is worth reading."""
    if type(value) is not kind:
        noun = "an object" if kind is dict else "an array"
        ctx.error("schema.fhir.type", f"expected {noun}", f"{base}/{name}")
        return False
    if not value:
        ctx.error("schema.fhir.empty", "empty objects and arrays are not allowed", f"{base}/{name}")
        return False
    return True


def t_codeable(value: object, base: str, name: str, ctx: Context) -> None:
    if not _container(value, dict, base, name, ctx):
        return
    assert isinstance(value, dict)
    for key, item in value.items():
        if key == "coding":
            if _container(item, list, base, f"{name}/coding", ctx):
                for coding in item:
                    _coding_in_concept(coding, f"{base}/{name}/coding", ctx)
            continue
        if key == "text":
            ctx.warn(
                "schema.fhir.cc_text", "CodeableConcept.text should be left out", f"{base}/{name}"
            )
        walk(item, key, f"{base}/{name}/{key}", ctx, 4)


def _coding_in_concept(coding: object, where: str, ctx: Context) -> None:
    if type(coding) is dict and coding and coding.keys() <= _PLAIN_CODING:
        for part in coding.values():
            if type(part) is not str or not part:
                walk(part, "code", where, ctx, 4)
        return
    check_coding(coding, where, ctx)
    walk(coding, "coding", where, ctx, 4)


def t_reference(value: object, base: str, name: str, ctx: Context) -> None:
    if not _container(value, dict, base, name, ctx):
        return
    assert isinstance(value, dict)
    for key, item in value.items():
        if key == "reference":
            if type(item) is not str or item not in ctx.full_urls:
                t_string(item, base, f"{name}/reference", ctx)
                check_reference(item, f"{base}/{name}", ctx)
        elif key == "display":
            t_string(item, base, f"{name}/display", ctx)
        else:
            walk(item, key, f"{base}/{name}/{key}", ctx, 4)


def t_performers(value: object, base: str, name: str, ctx: Context) -> None:
    if not _container(value, list, base, name, ctx):
        return
    assert isinstance(value, list)
    for performer in value:
        if not _container(performer, dict, base, name, ctx):
            continue
        for key, item in performer.items():
            if key == "actor":
                t_reference(item, base, f"{name}/actor", ctx)
            else:
                walk(item, key, f"{base}/{name}/{key}", ctx, 4)


def t_names(value: object, base: str, name: str, ctx: Context) -> None:
    if not _container(value, list, base, name, ctx):
        return
    assert isinstance(value, list)
    for entry in value:
        if not _container(entry, dict, base, name, ctx):
            continue
        for key, item in entry.items():
            if key in ("family", "use", "text"):
                if type(item) is not str or not item:
                    t_string(item, base, f"{name}/{key}", ctx)
            elif key == "given":
                if _container(item, list, base, f"{name}/given", ctx):
                    for part in item:
                        if type(part) is not str or not part:
                            t_string(part, base, f"{name}/given", ctx)
            else:
                walk(item, key, f"{base}/{name}/{key}", ctx, 4)


Check = Callable[[object, str, str, Context], None]
TYPED: dict[str, dict[str, Check]] = {
    "Immunization": {
        "status": t_string,
        "vaccineCode": t_codeable,
        "patient": t_reference,
        "occurrenceDateTime": t_datetime,
        "occurrenceString": t_string,
        "lotNumber": t_string,
        "performer": t_performers,
    },
    "Patient": {"name": t_names, "birthDate": t_date},
}


# -- the generic walk ----------------------------------------------------------------------------


def walk(value: object, name: str, where: str, ctx: Context, depth: int) -> None:
    """Generic rules for any element: emptiness, codings, CodeableConcept.text, references."""
    kind = type(value)
    if kind is str:
        if not value:
            ctx.error("schema.fhir.empty_string", "empty strings are not allowed", where)
        return
    if kind is not dict and kind is not list:
        return
    if depth > MAX_DEPTH:
        ctx.sink.errors.append(
            MalformedError("the bundle is nested too deeply", code="malformed.depth", where=where)
        )
        return
    if not value:
        ctx.error("schema.fhir.empty", "empty objects and arrays are not allowed", where)
        return
    if kind is list:
        assert isinstance(value, list)
        for item in value:
            if name == "coding":
                check_coding(item, where, ctx)
            walk(item, name, where, ctx, depth + 1)
        return
    assert isinstance(value, dict)
    if "text" in value and (name in _CODEABLE or "coding" in value):
        ctx.warn("schema.fhir.cc_text", "CodeableConcept.text should be left out", where)
    reference = value.get("reference")
    if type(reference) is str and reference not in ctx.full_urls:
        check_reference(reference, where, ctx)
    for key, item in value.items():
        walk(item, key, f"{where}/{key}", ctx, depth + 1)


def check_reference(reference: object, where: str, ctx: Context) -> None:
    """A reference that is not one of the entries' fullUrls: say why."""
    if type(reference) is not str or not reference:
        return
    if not SHORT_REF.match(reference):
        ctx.error(
            "schema.fhir.reference",
            f"reference {reference!r} is not a short resource:N URI",
            f"{where}/reference",
        )
    ctx.error(
        "schema.fhir.reference_unresolved",
        f"reference {reference!r} is not the fullUrl of an entry",
        f"{where}/reference",
    )


def check_coding(coding: object, where: str, ctx: Context) -> None:
    if type(coding) is not dict:
        ctx.error("schema.fhir.type", "a Coding must be an object", where)
        return
    unknown = coding.keys() - _CODING_MEMBERS
    if unknown:
        ctx.error(
            "schema.fhir.property",
            f"a Coding has unknown members {', '.join(sorted(unknown))}",
            where,
        )
    if "display" in coding:
        ctx.warn("schema.fhir.display", "Coding.display should be left out", where)
