"""Rule sets per country: which rules apply to a certificate, and whether it meets them.

"International standards exist, but every country differs a little": the same sound certificate
may be accepted in one country and refused in another. A :class:`RuleBook` holds the business
rules of many countries (:mod:`~shomeisho.rules.business_rule`) and the value sets they may
consult, and answers for one check, exactly as the EU DCC validation apps do:

* **selection** (:meth:`RuleBook.select`): the *acceptance* rules of the country of arrival plus
  the *invalidation* rules of the issuing country; only rules in force at the validation clock
  (``ValidFrom <= at < ValidTo``); of several versions of one identifier in force, only the
  highest; only rules for the certificate's type (vaccination, test, recovery) or ``General``.
* **evaluation** (:meth:`RuleBook.check`): each selected rule's CertLogic runs on
  ``{"payload": <DCC payload>, "external": {validationClock, valueSets, countryCode, exp, iat,
  issuerCountryCode, kid, region}}``. A rule is met only when the result is exactly ``true``; any
  other value, and any :class:`~shomeisho.errors.RuleError` while evaluating (the CertLogic
  specification advises counting an evaluation error as a failed rule), is a
  :class:`~shomeisho.errors.RuleFailedError` naming the rule, with its descriptions so a page can
  say in the reader's language what was not met.

A book with no acceptance rules for a country passes every certificate there: a verifier should
offer only :meth:`RuleBook.countries`. The rule sets shipped with shomeisho (``data/rules``,
described in ``docs/rules.md``) come from :func:`bundled_rule_book`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from shomeisho.errors import InputError, RuleError, RuleFailedError
from shomeisho.rules.business_rule import (
    BusinessRule,
    CertificateType,
    RuleType,
    parse_rule,
)
from shomeisho.rules.certlogic import MAX_DEPTH, evaluate_validated, validate

_GROUP_TYPES = (
    ("v", CertificateType.VACCINATION),
    ("t", CertificateType.TEST),
    ("r", CertificateType.RECOVERY),
)
_MAX_VALUE_SETS = 1_000
_MAX_CODES = 100_000
_MAX_RULE_FILE = 1 << 20  # characters of one shipped rule file


class RuleDocuments(NamedTuple):
    """A rule book as JSON documents: what a signed trust bundle carries."""

    rules: list[dict[str, Any]]
    value_sets: dict[str, list[str]]


class RuleBook:
    """The rules of several countries and the value sets they consult (immutable)."""

    def __init__(
        self,
        rules: Iterable[BusinessRule] = (),
        value_sets: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        ordered = sorted(rules, key=lambda r: (r.country, r.identifier, r.version_key))
        seen: set[tuple[str, str]] = set()
        for rule in ordered:
            key = (rule.identifier, rule.version)
            if key in seen:
                raise RuleError(
                    f"{rule.identifier} version {rule.version} appears twice",
                    code="rules.format.duplicate",
                    where=f"{rule.identifier} Version",
                )
            seen.add(key)
        self._rules = tuple(ordered)
        # Each rule's logic validated once, on a copy only this book holds, so that a check
        # need not validate it again (a rule may be built without parse_rule).
        self._logic = {(rule.identifier, rule.version): _validated(rule) for rule in ordered}
        self._value_sets = _checked_value_sets(value_sets or {})
        self._external_value_sets = {name: list(codes) for name, codes in self._value_sets.items()}

    @classmethod
    def from_documents(cls, rules: object, value_sets: object) -> RuleBook:
        """A book from rule documents (EU JSON shape) and value sets (id -> codes). Raises
        :class:`RuleError` (``rules.format`` family) for anything malformed."""
        if not isinstance(rules, list):
            raise RuleError("rules must be a JSON array of rules", code="rules.format")
        if not isinstance(value_sets, Mapping):
            raise RuleError(
                "value sets must map a value set id to its codes", code="rules.format.value_sets"
            )
        return cls((parse_rule(doc) for doc in rules), value_sets)

    def to_documents(self) -> RuleDocuments:
        """The book as documents; ``RuleBook.from_documents(*book.to_documents())`` equals it."""
        return RuleDocuments(
            [rule.to_document() for rule in self._rules],
            {name: list(codes) for name, codes in self._value_sets.items()},
        )

    @property
    def rules(self) -> tuple[BusinessRule, ...]:
        return self._rules

    @property
    def value_sets(self) -> Mapping[str, tuple[str, ...]]:
        return dict(self._value_sets)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleBook):
            return NotImplemented
        return self._rules == other._rules and self._value_sets == other._value_sets

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RuleBook({len(self._rules)} rules, countries={self.countries()})"

    def countries(self, at: datetime | None = None) -> list[str]:
        """Countries of arrival this book has acceptance rules for (sorted); with ``at``, only
        those with an acceptance rule in force then."""
        return sorted(
            {
                rule.country
                for rule in self._rules
                if rule.type is RuleType.ACCEPTANCE and (at is None or rule.in_force(_aware(at)))
            }
        )

    def select(
        self,
        *,
        at: datetime,
        arrival: str,
        issuer_country: str | None,
        certificate_type: CertificateType | None,
    ) -> list[BusinessRule]:
        """The rules that apply (see the module docstring): acceptance rules first, each group
        by identifier. ``certificate_type`` None (a payload of no single type) selects only
        ``General`` rules."""
        at = _aware(at)
        newest: dict[str, BusinessRule] = {}
        for rule in self._rules:
            if rule.type is RuleType.ACCEPTANCE:
                if rule.country != arrival:
                    continue
            elif issuer_country is None or rule.country != issuer_country:
                continue
            if rule.certificate_type not in (CertificateType.GENERAL, certificate_type):
                continue
            if not rule.in_force(at):
                continue
            held = newest.get(rule.identifier)
            if held is None or rule.version_key > held.version_key:
                newest[rule.identifier] = rule
        return sorted(
            newest.values(), key=lambda r: (r.type is RuleType.INVALIDATION, r.identifier)
        )

    def check(
        self,
        payload: Mapping[str, Any],
        *,
        arrival: str,
        at: datetime,
        issuer_country: str | None,
        issued_at: datetime | None,
        expires_at: datetime | None,
        kid: str | None = None,
        region: str | None = None,
    ) -> list[RuleFailedError]:
        """Every applicable rule that ``payload`` (a DCC payload) does not meet; empty when it
        meets them all. Never raises for any payload."""
        rules = self.select(
            at=at,
            arrival=arrival,
            issuer_country=issuer_country,
            certificate_type=certificate_type_of(payload),
        )
        if not rules:
            return []
        data = {
            "payload": payload if isinstance(payload, dict) else dict(payload),
            "external": {
                "validationClock": _iso(at),
                "valueSets": self._external_value_sets,  # shared: evaluation never writes
                "countryCode": arrival,
                "exp": None if expires_at is None else _iso(expires_at),
                "iat": None if issued_at is None else _iso(issued_at),
                "issuerCountryCode": issuer_country,
                "kid": kid,
                "region": region,
            },
        }
        failures = (
            _failure(rule, self._logic[rule.identifier, rule.version], data) for rule in rules
        )
        return [failure for failure in failures if failure is not None]


def certificate_type_of(payload: Mapping[str, Any]) -> CertificateType | None:
    """Vaccination, Test or Recovery when exactly one of ``v``, ``t``, ``r`` is present."""
    present = [kind for group, kind in _GROUP_TYPES if payload.get(group) is not None]
    return present[0] if len(present) == 1 else None


def _validated(rule: BusinessRule) -> object:
    logic = copy.deepcopy(rule.logic)
    problems = validate(logic)
    if problems:
        raise RuleError(
            f"the logic of {rule.identifier} is not valid CertLogic: {problems[0].message}",
            code="rules.format.logic",
            where=f"{rule.identifier} Logic",
        )
    return logic


def _failure(rule: BusinessRule, logic: object, data: dict[str, Any]) -> RuleFailedError | None:
    named = f"{rule.type.value.lower()} rule {rule.identifier} of {rule.country}"
    try:
        result = evaluate_validated(logic, data)
    except RuleError as exc:
        message = (
            f"The {named} could not be evaluated on this certificate, so it is not met "
            f"({exc.message}): {rule.descriptions['en']}"
        )
    else:
        if result is True:
            return None
        message = f"The {named} is not met: {rule.descriptions['en']}"
    return RuleFailedError(
        message,
        rule_id=rule.identifier,
        descriptions=dict(rule.descriptions),
        where=f"{rule.type.value.lower()} rule {rule.identifier} {rule.version}",
    )


def _checked_value_sets(value_sets: Mapping[Any, Any]) -> dict[str, tuple[str, ...]]:
    if len(value_sets) > _MAX_VALUE_SETS:
        raise RuleError("too many value sets", code="rules.format.value_sets")
    out: dict[str, tuple[str, ...]] = {}
    for name in sorted(value_sets, key=str):
        codes = value_sets[name]
        if (
            not isinstance(name, str)
            or not name
            or isinstance(codes, str | bytes)
            or not isinstance(codes, Sequence)
            or len(codes) > _MAX_CODES
            or not all(isinstance(code, str) for code in codes)
        ):
            raise RuleError(
                f"value set {str(name)[:60]!r} must be a list of codes (strings)",
                code="rules.format.value_sets",
                where=f"value set {str(name)[:60]}",
            )
        out[name] = tuple(codes)
    return out


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError("the validation clock must be timezone-aware", code="input.time")
    return moment


def _iso(moment: datetime) -> str:
    return _aware(moment).isoformat(timespec="seconds")


# -- shipped data ----------------------------------------------------------------------------------
@cache
def shipped_value_sets() -> dict[str, tuple[str, ...]]:
    """The eHealth Network value sets shipped in ``data/dcc/valuesets``, by ``valueSetId``, as
    the EU gateway hands them to rules (every code, active or not: old certificates carry
    retired codes). The rapid-test device list is left out: the shipped one is only upstream's
    example, and a rule consulting it would refuse real tests."""
    # Imported here: the value set files belong to the DCC format package.
    from shomeisho.formats.dcc.schema import data_file
    from shomeisho.formats.dcc.valuesets import FILES
    from shomeisho.wire import strict_json

    out: dict[str, tuple[str, ...]] = {}
    for file in FILES.values():
        doc = strict_json.loads(data_file("valuesets", file), what="value set")
        out[doc["valueSetId"]] = tuple(sorted(doc["valueSetValues"]))
    return out


@cache
def bundled_rule_book() -> RuleBook:
    """The rule sets shipped in ``shomeisho/data/rules`` (one JSON array of rules per country)
    with :func:`shipped_value_sets`."""
    from shomeisho.wire import strict_json

    folder = resources.files("shomeisho").joinpath("data", "rules")
    documents: list[object] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            loaded = strict_json.loads(
                entry.read_text(encoding="utf-8"),
                what=entry.name,
                max_length=_MAX_RULE_FILE,
                max_depth=MAX_DEPTH + 4,  # the array, a rule and its Logic around the expression
            )
            if not isinstance(loaded, list):
                raise RuleError(
                    f"{entry.name} must hold a JSON array of rules",
                    code="rules.format",
                    where=entry.name,
                )
            documents.extend(loaded)
    return RuleBook.from_documents(documents, shipped_value_sets())


__all__ = [
    "BusinessRule",
    "CertificateType",
    "RuleBook",
    "RuleDocuments",
    "RuleType",
    "bundled_rule_book",
    "certificate_type_of",
    "parse_rule",
    "shipped_value_sets",
]
