"""One business rule in the EU DCC shape, read from and written back to its JSON document.

Countries publish acceptance rules (what a certificate must show to be accepted on arrival) and
invalidation rules (certificates the issuing country itself no longer stands behind) as JSON
documents with the keys of the EU gateway's validation-rule schema: ``Identifier``, ``Type``,
``Country``, ``Version``, ``SchemaVersion``, ``Engine``, ``EngineVersion``, ``CertificateType``,
``Description``, ``ValidFrom``, ``ValidTo``, ``AffectedFields`` and ``Logic``. A rule set
reaches a verifier through a trust bundle that anyone along the way could have damaged, so
:func:`parse_rule` checks every field and raises :class:`~shomeisho.errors.RuleError` with a code
of the ``rules.format`` family and a ``where`` naming the rule and the field; a rule whose
CertLogic the validator refuses is refused here, before it can fail every certificate at a border.

Beyond the gateway schema, two consistencies are enforced because a rule breaking them is a
mistake that would silently change which rules apply: the identifier's country part is the
``Country``, and its prefix agrees with ``Type`` and ``CertificateType`` (``IR`` for invalidation;
``GR``/``VR``/``TR``/``RR`` for General/Vaccination/Test/Recovery acceptance). Every payload field
the logic reads must be covered by ``AffectedFields`` (as the EU test-data tooling checks), so the
published list of what a rule looks at can be trusted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, TypeVar

from shomeisho.errors import RuleError
from shomeisho.rules.validation import validate

ENGINE: Final = "CERTLOGIC"
FIELDS: Final = (
    "Identifier",
    "Type",
    "Country",
    "Version",
    "SchemaVersion",
    "Engine",
    "EngineVersion",
    "CertificateType",
    "Description",
    "ValidFrom",
    "ValidTo",
    "AffectedFields",
    "Logic",
)

_IDENTIFIER = re.compile(r"(GR|VR|TR|RR|IR)-([A-Z]{2})-[0-9]{4}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_SEMVER = re.compile(r"(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})")
_LANG = re.compile(r"[a-z]{2}(?:-[a-z]{2})?")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_MAX_TEXT = 2_000
_Choice = TypeVar("_Choice", bound=StrEnum)


class RuleType(StrEnum):
    """Who a rule speaks for: the country of arrival, or the country that issued."""

    ACCEPTANCE = "Acceptance"
    INVALIDATION = "Invalidation"


class CertificateType(StrEnum):
    """Which certificates a rule applies to; ``General`` rules apply to every type."""

    GENERAL = "General"
    VACCINATION = "Vaccination"
    TEST = "Test"
    RECOVERY = "Recovery"


_PREFIX_OF_TYPE = {
    CertificateType.GENERAL: "GR",
    CertificateType.VACCINATION: "VR",
    CertificateType.TEST: "TR",
    CertificateType.RECOVERY: "RR",
}


@dataclass(frozen=True, eq=True)
class BusinessRule:
    """A parsed rule. ``descriptions`` maps a language (``en``, ``ja``) to the rule's text and
    always has ``en``; ``logic`` is the CertLogic expression (validated; treat it as read-only).
    Rules are equal when every field is; they hash by identifier, country and version."""

    identifier: str
    type: RuleType
    country: str
    version: str
    schema_version: str
    engine: str
    engine_version: str
    certificate_type: CertificateType
    descriptions: Mapping[str, str]
    valid_from: datetime
    valid_to: datetime
    affected_fields: tuple[str, ...]
    logic: Any

    def __hash__(self) -> int:
        return hash((self.identifier, self.country, self.version))

    @property
    def version_key(self) -> tuple[int, int, int]:
        """The version as numbers, so that ``1.10.0`` sorts after ``1.9.0``."""
        major, minor, patch = self.version.split(".")
        return int(major), int(minor), int(patch)

    def in_force(self, at: datetime) -> bool:
        """Whether the validation clock ``at`` lies in ``ValidFrom <= at < ValidTo``."""
        return self.valid_from <= at < self.valid_to

    def to_document(self) -> dict[str, Any]:
        """The rule as the EU JSON document (:func:`parse_rule` reads it back equal)."""
        return {
            "Identifier": self.identifier,
            "Type": self.type.value,
            "Country": self.country,
            "Version": self.version,
            "SchemaVersion": self.schema_version,
            "Engine": self.engine,
            "EngineVersion": self.engine_version,
            "CertificateType": self.certificate_type.value,
            "Description": [{"lang": k, "desc": text} for k, text in self.descriptions.items()],
            "ValidFrom": _timestamp(self.valid_from),
            "ValidTo": _timestamp(self.valid_to),
            "AffectedFields": list(self.affected_fields),
            "Logic": copy.deepcopy(self.logic),
        }


def parse_rule(doc: object) -> BusinessRule:
    """Read one rule document. Raises :class:`RuleError` (``rules.format`` family) naming the
    rule and the field at fault; never anything else."""
    if not isinstance(doc, Mapping):
        raise RuleError("a rule must be a JSON object", code="rules.format", where="rule")
    raw_id = doc.get("Identifier")
    name = raw_id if isinstance(raw_id, str) and len(raw_id) <= 32 else "rule"
    reader = _Reader(doc, name)
    unknown = sorted(str(key)[:40] for key in doc if key not in FIELDS)
    if unknown:
        raise reader.error(
            "rules.format.unknown", unknown[0], f"{name} has an unknown key {unknown[0]!r}"
        )

    identifier = reader.text("Identifier", "rules.format.identifier")
    match = _IDENTIFIER.fullmatch(identifier)
    if match is None:
        raise reader.error(
            "rules.format.identifier",
            "Identifier",
            f"{_shown(identifier)} is not a rule identifier like VR-JP-0001 "
            "(GR, VR, TR, RR or IR, a country, four digits)",
        )
    rule_type = reader.choice("Type", RuleType, "rules.format.type")
    country = reader.text("Country", "rules.format.country")
    if not _COUNTRY.fullmatch(country):
        raise reader.error(
            "rules.format.country", "Country", f"{_shown(country)} is not a two-letter country code"
        )
    certificate_type = reader.choice(
        "CertificateType", CertificateType, "rules.format.certificate_type"
    )
    _check_identifier(reader, match, rule_type, country, certificate_type)

    version = reader.semver("Version")
    schema_version = reader.semver("SchemaVersion")
    engine = reader.text("Engine", "rules.format.engine")
    if engine != ENGINE:
        raise reader.error("rules.format.engine", "Engine", f"{_shown(engine)} is not {ENGINE}")
    engine_version = reader.semver("EngineVersion")
    descriptions = _descriptions(reader)
    valid_from = reader.timestamp("ValidFrom")
    valid_to = reader.timestamp("ValidTo")
    if not valid_from < valid_to:
        raise reader.error("rules.format.validity", "ValidTo", f"{name} ends before it starts")
    affected = _affected_fields(reader)
    logic = _logic(reader, affected)
    return BusinessRule(
        identifier=identifier,
        type=rule_type,
        country=country,
        version=version,
        schema_version=schema_version,
        engine=engine,
        engine_version=engine_version,
        certificate_type=certificate_type,
        descriptions=descriptions,
        valid_from=valid_from,
        valid_to=valid_to,
        affected_fields=affected,
        logic=logic,
    )


class _Reader:
    """Field access that turns every wrong shape into a ``rules.format.*`` error."""

    def __init__(self, doc: Mapping[Any, Any], name: str) -> None:
        self.doc = doc
        self.name = name

    def error(self, code: str, field: str, message: str) -> RuleError:
        return RuleError(message, code=code, where=f"{self.name} {field}")

    def get(self, field: str) -> object:
        if field not in self.doc:
            raise self.error("rules.format.missing", field, f"{self.name} has no {field}")
        return self.doc[field]

    def text(self, field: str, code: str) -> str:
        value = self.get(field)
        if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
            raise self.error(code, field, f"{field} of {self.name} must be a non-empty string")
        return value

    def choice(self, field: str, kind: type[_Choice], code: str) -> _Choice:
        value = self.get(field)
        for member in kind:
            if value == member.value:
                return member
        allowed = ", ".join(member.value for member in kind)
        raise self.error(code, field, f"{field} of {self.name} must be one of {allowed}")

    def semver(self, field: str) -> str:
        value = self.get(field)
        if not isinstance(value, str) or not _SEMVER.fullmatch(value):
            raise self.error(
                "rules.format.version",
                field,
                f"{field} of {self.name} must be a version like 1.0.0",
            )
        return value

    def timestamp(self, field: str) -> datetime:
        value = self.get(field)
        if isinstance(value, str) and _TIMESTAMP.fullmatch(value):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(
            "rules.format.validity",
            field,
            f"{field} of {self.name} must be a date-time with its offset, "
            "like 2022-03-01T00:00:00+09:00",
        )


def _check_identifier(
    reader: _Reader,
    match: re.Match[str],
    rule_type: RuleType,
    country: str,
    certificate_type: CertificateType,
) -> None:
    prefix, id_country = match.group(1), match.group(2)
    if id_country != country:
        raise reader.error(
            "rules.format.identifier",
            "Identifier",
            f"{reader.name} is a rule of {id_country}, not {country}",
        )
    invalidation = rule_type is RuleType.INVALIDATION
    expected = "IR" if invalidation else _PREFIX_OF_TYPE[certificate_type]
    if prefix != expected:
        raise reader.error(
            "rules.format.identifier",
            "Identifier",
            f"a {certificate_type.value} {rule_type.value.lower()} rule is named {expected}-..., "
            f"not {prefix}-...",
        )


def _descriptions(reader: _Reader) -> dict[str, str]:
    items = reader.get("Description")
    if not isinstance(items, list) or not items:
        raise reader.error(
            "rules.format.description", "Description", "Description must be a list of {lang, desc}"
        )
    out: dict[str, str] = {}
    for item in items:
        if not isinstance(item, Mapping) or set(item) != {"lang", "desc"}:
            raise reader.error(
                "rules.format.description",
                "Description",
                "each description is exactly {lang, desc}",
            )
        lang, text = item["lang"], item["desc"]
        if not isinstance(lang, str) or not _LANG.fullmatch(lang):
            message = f"{_shown(str(lang))} is not a language code"
            raise reader.error("rules.format.description", "Description", message)
        if not isinstance(text, str) or not text.strip() or len(text) > _MAX_TEXT:
            raise reader.error(
                "rules.format.description", "Description", f"the {lang} description is empty"
            )
        if lang in out:
            raise reader.error(
                "rules.format.description", "Description", f"two descriptions in {lang}"
            )
        out[lang] = text
    if "en" not in out:
        raise reader.error(
            "rules.format.description", "Description", "an English (en) description is needed"
        )
    return out


def _affected_fields(reader: _Reader) -> tuple[str, ...]:
    fields = reader.get("AffectedFields")
    # May be empty: a rule on external parameters alone (the signing time) reads no field.
    if not isinstance(fields, list) or not all(
        isinstance(f, str) and f and len(f) <= _MAX_TEXT for f in fields
    ):
        raise reader.error(
            "rules.format.affected_fields",
            "AffectedFields",
            "AffectedFields must be a list of payload paths",
        )
    return tuple(fields)


def _logic(reader: _Reader, affected: tuple[str, ...]) -> object:
    logic = reader.get("Logic")
    if not isinstance(logic, Mapping) or not logic:
        raise reader.error(
            "rules.format.logic", "Logic", "Logic must be a CertLogic operation (an object)"
        )
    problems = validate(logic)
    if problems:
        extra = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise reader.error(
            "rules.format.logic",
            "Logic",
            f"the logic is not valid CertLogic: {problems[0].message}{extra}",
        )
    for path in payload_paths(logic):
        if not _covered(path, affected):
            raise reader.error(
                "rules.format.affected_fields",
                "AffectedFields",
                f"the logic reads payload.{path}, which AffectedFields does not list",
            )
    return copy.deepcopy(logic)


def payload_paths(logic: object) -> list[str]:
    """Every ``payload.…`` path the logic reads with ``var`` (without the ``payload.`` prefix),
    in order of first appearance. The logic must already be valid (bounded) CertLogic."""
    found: dict[str, None] = {}
    stack: list[object] = [logic]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "var" and isinstance(value, str):
                    if value.startswith("payload."):
                        found.setdefault(value.removeprefix("payload."))
                else:
                    stack.append(value)
    return list(found)


def _covered(path: str, affected: tuple[str, ...]) -> bool:
    """A listed field covers itself and what lies under it; reading a parent of a listed field
    (to test that ``v.0`` is there before reading ``v.0.dn``) is covered too."""
    return any(
        path == field or path.startswith(field + ".") or field.startswith(path + ".")
        for field in affected
    )


def _shown(text: str) -> str:
    """A value from the document in a message, cut short: the document may be hostile."""
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


def _timestamp(moment: datetime) -> str:
    text = moment.isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


__all__ = [
    "ENGINE",
    "FIELDS",
    "BusinessRule",
    "CertificateType",
    "RuleType",
    "parse_rule",
    "payload_paths",
]
