"""The universal verifier: every format, the trust list, revocation and a country's rules.

The formats answer "is this certificate technically sound?" against a :class:`TrustStore`
(signature, chain, key usage, validity, the revocation lists the store carries). A checker at a
border or a venue asks one more question: "does it meet the rules of the country that asks?".
:class:`Verifier` is the one place that puts the two together, so the command line, the public
page and the API for private apps give the same verdict for the same input. It holds no
personal data and records nothing about what it verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shomeisho.presented import Outcome, Presented, verify_presented
from shomeisho.trust.store import TrustStore


@dataclass
class Verifier:
    """Verifies presented inputs against one trust list (and, later in this class, rules)."""

    trust: TrustStore

    def rule_countries(self) -> list[str]:
        """Countries of arrival whose acceptance rules this verifier holds (alpha-2, sorted)."""
        return []

    def verify(
        self, items: list[Presented], *, at: datetime, country: str | None = None
    ) -> list[Outcome]:
        """A verdict per certificate found in ``items``; ``country`` (ISO 3166-1 alpha-2) is the
        country of arrival whose acceptance rules apply, or None for the technical verdict."""
        del country  # rules are applied once the rule book is wired in (issue 5)
        return verify_presented(items, self.trust, at=at)
