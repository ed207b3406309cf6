"""The universal verifier: every format, the trust list, revocation and a country's rules.

The formats answer "is this certificate technically sound?" against a :class:`TrustStore`
(signature, chain, key usage, validity, the revocation lists the store carries). A checker at a
border or a venue asks one more question: "does it meet the rules of the country that asks?".
:class:`Verifier` is the one place that puts the two together, so the command line, the public
page and the API for private apps give the same verdict for the same input. It holds no
personal data and records nothing about what it verified.

Rules are judged only for a certificate that is technically valid: the EU verifier apps do the
same, and a rule verdict on a certificate whose signature or validity already failed would only
hide the reason that matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shomeisho.errors import InputError, RuleError, TrustListError, Verdict
from shomeisho.presented import Outcome, Presented, verify_presented
from shomeisho.rules.mapping import check_verification
from shomeisho.rules.rulesets import RuleBook
from shomeisho.trust.store import TrustStore
from shomeisho.trust.trust_list import TrustListContent


@dataclass
class Verifier:
    """Verifies presented inputs against one trust list and, when a country is named, the
    business rules the list carries.

    ``trust_list`` is the signed list the trust came from, when it came from one: a verifier
    shows its version and age, so a checker knows how current the offline trust is."""

    trust: TrustStore
    trust_list: TrustListContent | None = None
    rules: RuleBook | None = None

    @classmethod
    def from_trust_list(cls, store: TrustStore, content: TrustListContent) -> Verifier:
        """A verifier for a signed list; ``store`` is its trust store with kept revocations.

        A list whose rules do not parse is refused as a whole: the operator signed it, so a
        broken rule is the operator's defect to fix, not something to skip quietly."""
        rules = None
        if content.rules:
            try:
                rules = RuleBook.from_documents(content.rules, content.value_sets)
            except RuleError as exc:
                raise TrustListError(
                    f"trust list version {content.version} carries a rule that cannot be "
                    f"used: {exc.message}",
                    code="trust.rules",
                    where=exc.where,
                ) from None
        return cls(store, trust_list=content, rules=rules)

    def rule_countries(self, at: datetime | None = None) -> list[str]:
        """Countries of arrival whose acceptance rules this verifier holds (alpha-2, sorted);
        with ``at``, only those with rules in force then."""
        return self.rules.countries(at) if self.rules is not None else []

    def verify(
        self, items: list[Presented], *, at: datetime, country: str | None = None
    ) -> list[Outcome]:
        """A verdict per certificate found in ``items``; ``country`` (ISO 3166-1 alpha-2) is the
        country of arrival whose acceptance rules apply, or None for the technical verdict."""
        if country is not None and country not in self.rule_countries():
            known = ", ".join(self.rule_countries()) or "none"
            raise InputError(
                f"this verifier holds no rules of country {country!r} (rules are held for: "
                f"{known})",
                code="input.country",
                where="country",
            )
        outcomes = verify_presented(items, self.trust, at=at)
        if country is None or self.rules is None:
            return outcomes
        in_force = country in self.rules.countries(at)
        for outcome in outcomes:
            verification = outcome.verification
            if verification.verdict is not Verdict.VALID:
                continue
            if not in_force:
                verification.warnings.append(
                    RuleError(
                        f"no acceptance rules of {country} are in force at {at.date().isoformat()}"
                        "; only the technical checks were made",
                        code="rules.none_in_force",
                    )
                )
            verification.errors.extend(
                check_verification(
                    self.rules,
                    verification,
                    arrival=country,
                    at=at,
                    issuer_countries=self.trust.issuer_countries,
                )
            )
        return outcomes
