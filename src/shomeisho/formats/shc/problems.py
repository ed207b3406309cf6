"""Where SHC checks put what they find, and the few constants every SHC module shares.

Every check takes a *sink*: any object with ``errors`` and ``warnings`` lists. A
:class:`~shomeisho.model.Verification` is one; :class:`Findings` is the same thing for inputs that
are not a whole certificate (a bare FHIR bundle, an unsigned JWT payload). Problems are always
instances of the classes in :mod:`shomeisho.errors`, with a precise code from the class's family;
the full list of codes is in the package docstring (:mod:`shomeisho.formats.shc`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from shomeisho.errors import ShomeishoError, Verdict, worst_verdict

FORMAT_NAME = "shc"

MAX_SINGLE_QR_JWS = 1195
"""The longest JWS that fits one version-22 QR at error correction L (SHC spec, "Health Cards as
QR codes")."""

MAX_CHUNK_JWS = 1191
"""The longest JWS part a (deprecated) chunk may carry."""

MAX_JWS_TEXT = 64 * 1024
"""Cap on any JWS we are asked to read; a real card is about 1.2 KB."""


class Sink(Protocol):
    """Anything that collects problems: a Verification, or Findings."""

    errors: list[ShomeishoError]
    warnings: list[ShomeishoError]


@dataclass
class Findings:
    """Problems found in an input that is not a signed certificate (nothing to give a verdict on
    beyond "these rules are broken")."""

    errors: list[ShomeishoError] = field(default_factory=list)
    warnings: list[ShomeishoError] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        return worst_verdict(self.errors)


def codes(sink: Sink) -> tuple[list[str], list[str]]:
    """The error and warning codes in a sink, in order (handy in tests and logs)."""
    return [e.code for e in sink.errors], [w.code for w in sink.warnings]
