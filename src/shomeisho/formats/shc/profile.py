"""Checks of the FHIR bundle against the SHC rules, lean enough to run on every verification.

Not a FHIR validator: one pass over the bundle applies the SHC "Health Cards are Compact" rules
and the parts of FHIR R4 a vaccination card depends on. Errors (``schema.fhir.*``, verdict
invalid): short ``resource:N`` fullUrls and references that resolve (``full_url``,
``reference``, ``reference_unresolved``), no empty elements (``empty``, ``empty_string``),
codings without unknown members (``property``), JSON types of the elements we read (``type``),
Immunization ``status`` completed (``status``) with exactly one ``occurrence[x]``
(``occurrence``) and its required elements (``required``), dates in FHIR form (``date``).
Warnings (data minimisation): ``id``, ``meta`` other than ``meta.security``, ``text``,
``display`` (Coding), ``cc_text`` (CodeableConcept).

Patient and Immunization, the resources a vaccination card is made of, are checked by typed
handlers that know their shape (:mod:`.elements`); everything else (other resources, unexpected
elements) goes through a generic walk.

``profile="usa-covid19-immunization"`` adds the US data-minimisation profile that the dev-tools
validator offers (:mod:`.usprofile`, errors ``schema.fhir.profile.usa``); it is off by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shomeisho.formats.shc import usprofile
from shomeisho.formats.shc.elements import SHORT_REF, TYPED, Context, check_coding, walk
from shomeisho.formats.shc.problems import Sink

USA_COVID19_IMMUNIZATION = usprofile.NAME
# JSON types of elements the typed handlers do not cover.
_MEMBER_TYPES: dict[str, dict[str, type]] = {
    "Immunization": {
        "location": dict,
        "manufacturer": dict,
        "isSubpotent": bool,
        "expirationDate": str,
        "site": dict,
        "route": dict,
        "note": list,
        "identifier": list,
        "protocolApplied": list,
        "encounter": dict,
    },
    "Patient": {
        "gender": str,
        "identifier": list,
        "telecom": list,
        "address": list,
        "managingOrganization": dict,
    },
    "Observation": {
        "status": str,
        "code": dict,
        "subject": dict,
        "performer": list,
        "effectiveDateTime": str,
        "valueCodeableConcept": dict,
    },
}


def check_bundle(bundle: object, sink: Sink, *, profile: str | None = None) -> None:
    """Check a decoded ``fhirBundle`` and record what is wrong; never raises for bad content."""
    ctx = Context(set(), sink)
    if type(bundle) is not dict or bundle.get("resourceType") != "Bundle":
        ctx.error("schema.fhir.bundle", "fhirBundle is not a FHIR Bundle", "fhirBundle")
        return
    if bundle.get("type") != "collection":
        ctx.error("schema.fhir.bundle", 'Bundle.type must be "collection"', "Bundle.type")
    entries = bundle.get("entry")
    if type(entries) is not list or not entries:
        ctx.error("schema.fhir.no_entries", "the Bundle has no entries", "Bundle.entry")
        return
    full_urls = ctx.full_urls
    for i, entry in enumerate(entries):
        url = entry.get("fullUrl") if type(entry) is dict else None
        if type(url) is not str or not SHORT_REF.match(url):
            ctx.error(
                "schema.fhir.full_url",
                f"fullUrl {url!r} is not a short resource:N URI",
                f"entry[{i}].fullUrl",
            )
        elif url in full_urls:
            ctx.error("schema.fhir.full_url", f"fullUrl {url} is used twice", f"entry[{i}].fullUrl")
        else:
            full_urls.add(url)
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if type(entry) is dict else None
        if type(resource) is not dict or type(resource.get("resourceType")) is not str:
            ctx.error(
                "schema.fhir.resource",
                "the entry has no resource with a resourceType",
                f"entry[{i}]",
            )
            continue
        _check_resource(resource, i, ctx)
    if profile == USA_COVID19_IMMUNIZATION:
        usprofile.check(entries, sink)
    elif profile is not None:
        ctx.error("schema.fhir.profile", f"unknown profile {profile!r}", "profile")


def _check_resource(resource: dict[str, Any], index: int, ctx: Context) -> None:
    kind = resource["resourceType"]
    base = f"entry[{index}]/{kind}"
    typed = TYPED.get(kind, {})
    types = _MEMBER_TYPES.get(kind, {})
    for name, value in resource.items():
        check = typed.get(name)
        if check is not None:
            check(value, base, name, ctx)
            continue
        if name == "resourceType":
            continue
        if name == "meta":
            _check_meta(value, base, ctx)
            continue
        if name == "id":
            ctx.warn("schema.fhir.id", "resources should not have an id", base)
        elif name == "text":
            ctx.warn("schema.fhir.text", "resources should not have a narrative text", base)
        expected = types.get(name)
        if expected is not None and type(value) is not expected:
            ctx.error("schema.fhir.type", f"{name} has the wrong JSON type", f"{base}/{name}")
        walk(value, name, f"{base}/{name}", ctx, 2)
    if kind == "Immunization":
        _check_immunization(resource, base, ctx)


def _check_meta(meta: object, base: str, ctx: Context) -> None:
    if type(meta) is not dict or len(meta) != 1 or "security" not in meta:
        ctx.warn("schema.fhir.meta", "meta may only hold security (identity assurance)", base)
    if type(meta) is dict and type(meta.get("security")) is list:
        for coding in meta["security"]:
            check_coding(coding, f"{base}/meta/security", ctx)


def _check_immunization(resource: Mapping[str, Any], base: str, ctx: Context) -> None:
    status = resource.get("status")
    if status is None:
        ctx.error("schema.fhir.required", "Immunization.status is missing", base)
    elif status != "completed":
        ctx.error(
            "schema.fhir.status",
            f'Immunization.status is {status!r}, not "completed"',
            f"{base}/status",
        )
    has_dt, has_str = "occurrenceDateTime" in resource, "occurrenceString" in resource
    if not has_dt and not has_str:
        ctx.error("schema.fhir.occurrence", "Immunization has no occurrence date", base)
    elif has_dt and has_str:
        ctx.error(
            "schema.fhir.occurrence",
            "Immunization has both occurrenceDateTime and occurrenceString",
            base,
        )
    for name in ("vaccineCode", "patient"):
        if name not in resource:
            ctx.error("schema.fhir.required", f"Immunization.{name} is missing", base)
