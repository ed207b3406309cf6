"""Files that carry several health cards: ``.smart-health-card`` and ``$health-cards-issue``.

``.smart-health-card`` (MIME ``application/smart-health-card``) is ``{"verifiableCredential":
[jws, ...]}``; the FHIR ``$health-cards-issue`` operation answers with a ``Parameters`` resource
whose ``verifiableCredential`` parameters carry the JWS and whose optional ``resourceLink``
parameters point bundled resources at hosted ones. Each JWS is verified on its own; problems of
the file itself (trailing characters, a wrong extension) are the *same* error object in every
card's Verification, so callers can count them once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shomeisho.errors import InputError, MalformedError, SchemaError, ShomeishoError
from shomeisho.formats.shc import crl as crlmod
from shomeisho.formats.shc.problems import FORMAT_NAME, Findings
from shomeisho.formats.shc.verify import verify_jws
from shomeisho.model import Verification
from shomeisho.trust.store import TrustStore
from shomeisho.wire import strict_json

FILE_EXTENSION = ".smart-health-card"
MEDIA_TYPE = "application/smart-health-card"
MAX_FILE = 1 << 20
MAX_CARDS = 100
_SHORT_REF = re.compile(r"^resource:(0|[1-9][0-9]*)$")


def write_health_card_file(cards: Iterable[str]) -> bytes:
    """The ``.smart-health-card`` file for one or more compact JWS."""
    cards = list(cards)
    if not cards:
        raise InputError("a health card file needs at least one card", code="input.cards")
    return strict_json.dumps_compact({"verifiableCredential": cards}).encode("utf-8")


def read_health_card_file(
    data: bytes, findings: Findings, *, filename: str | None = None
) -> list[str]:
    """The JWS strings in a ``.smart-health-card`` file; problems go to ``findings``."""
    if filename is not None and not filename.endswith(FILE_EXTENSION):
        findings.warnings.append(
            InputError(
                f"health card files are named *{FILE_EXTENSION}",
                code="input.file_extension",
                where=filename,
            )
        )
    doc = _load(data, findings, "health card file")
    if doc is None:
        return []
    cards = doc.get("verifiableCredential")
    if not isinstance(cards, list) or not cards or not all(isinstance(c, str) for c in cards):
        findings.errors.append(
            SchemaError(
                "the file's verifiableCredential must be a non-empty list of JWS strings",
                code="schema.card_file",
                where="verifiableCredential",
            )
        )
        return []
    return _capped(cards, findings)


def read_fhir_health_card(data: bytes, findings: Findings) -> list[str]:
    """The JWS strings in a ``$health-cards-issue`` Parameters response."""
    doc = _load(data, findings, "Parameters resource")
    if doc is None:
        return []
    if doc.get("resourceType") != "Parameters":
        findings.errors.append(
            SchemaError(
                "the response is not a FHIR Parameters resource",
                code="schema.card_file",
                where="resourceType",
            )
        )
        return []
    parameters = doc.get("parameter", [])
    if not isinstance(parameters, list) or not all(isinstance(p, dict) for p in parameters):
        findings.errors.append(
            SchemaError(
                "Parameters.parameter must be a list of objects",
                code="schema.card_file",
                where="parameter",
            )
        )
        return []
    cards: list[str] = []
    links: list[dict[str, Any]] = []
    for i, parameter in enumerate(parameters):
        name = parameter.get("name")
        if name == "verifiableCredential":
            value = parameter.get("valueString")
            if not isinstance(value, str):
                findings.errors.append(
                    SchemaError(
                        "verifiableCredential needs a valueString",
                        code="schema.card_file",
                        where=f"parameter[{i}]",
                    )
                )
                continue
            cards.append(value)
        elif name == "resourceLink":
            links.append(parameter)
        else:
            findings.warnings.append(
                SchemaError(
                    f"unknown parameter {name!r}", code="schema.card_file", where=f"parameter[{i}]"
                )
            )
    for link in links:
        _check_link(link, len(cards), findings)
    return _capped(cards, findings)


def _check_link(link: dict[str, Any], count: int, findings: Findings) -> None:
    parts = link.get("part")
    values: dict[str, Any] = {}
    if isinstance(parts, list):
        for part in parts:
            if isinstance(part, dict) and isinstance(part.get("name"), str):
                values[part["name"]] = next(
                    (v for k, v in part.items() if k.startswith("value")), None
                )
    index = values.get("vcIndex", 0)
    bundled, hosted = values.get("bundledResource"), values.get("hostedResource")
    if (
        not isinstance(index, int)
        or not 0 <= index < max(count, 1)
        or not isinstance(bundled, str)
        or not _SHORT_REF.match(bundled)
        or not isinstance(hosted, str)
    ):
        findings.errors.append(
            SchemaError(
                "a resourceLink needs a vcIndex of a card, a "
                "bundledResource resource:N and a hostedResource URL",
                code="schema.card_file",
                where="resourceLink",
            )
        )


def _load(data: bytes, findings: Findings, what: str) -> dict[str, Any] | None:
    if len(data) > MAX_FILE:
        findings.errors.append(
            MalformedError(
                f"the {what} is {len(data)} bytes; the limit is {MAX_FILE}",
                code="malformed.too_long",
            )
        )
        return None
    text = data.strip(b" \t\r\n")
    if text != data:
        findings.errors.append(
            MalformedError(
                f"the {what} has characters before or after the JSON",
                code="malformed.trailing",
                where=what,
            )
        )
    try:
        doc = strict_json.loads(text, what=what, max_length=MAX_FILE)
    except MalformedError as exc:
        findings.errors.append(exc)
        return None
    if not isinstance(doc, dict):
        findings.errors.append(
            MalformedError(
                f"the {what} is not a JSON object", code="malformed.json.object", where=what
            )
        )
        return None
    return doc


def _capped(cards: list[str], findings: Findings) -> list[str]:
    if len(cards) > MAX_CARDS:
        findings.errors.append(
            MalformedError(
                f"{len(cards)} cards in one file; the limit is {MAX_CARDS}",
                code="malformed.too_long",
            )
        )
        return cards[:MAX_CARDS]
    return cards


def _verify_all(
    cards: list[str],
    findings: Findings,
    trust: TrustStore,
    at: datetime,
    crls: crlmod.CrlSet | None,
) -> list[Verification]:
    results: list[Verification] = []
    for card in cards:
        result = Verification(format=FORMAT_NAME)
        shared: list[ShomeishoError] = list(findings.errors)
        result.errors.extend(shared)
        result.warnings.extend(findings.warnings)
        results.append(verify_jws(card, trust, at, crls=crls, into=result))
    if not results:
        results.append(
            Verification(
                format=FORMAT_NAME, errors=list(findings.errors), warnings=list(findings.warnings)
            )
        )
    return results


def verify_health_card_file(
    data: bytes,
    trust: TrustStore,
    at: datetime,
    *,
    filename: str | None = None,
    crls: crlmod.CrlSet | None = None,
) -> list[Verification]:
    """One Verification per card in a ``.smart-health-card`` file (at least one)."""
    findings = Findings()
    cards = read_health_card_file(data, findings, filename=filename)
    return _verify_all(cards, findings, trust, at, crls)


def verify_fhir_health_card(
    data: bytes, trust: TrustStore, at: datetime, *, crls: crlmod.CrlSet | None = None
) -> list[Verification]:
    """One Verification per card in a ``$health-cards-issue`` Parameters response."""
    findings = Findings()
    cards = read_fhir_health_card(data, findings)
    return _verify_all(cards, findings, trust, at, crls)
