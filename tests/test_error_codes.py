"""Every error code the code can raise is documented, and every code belongs to its class family."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shomeisho import errors

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = (
    "encoding",
    "decompression",
    "malformed",
    "signature",
    "schema",
    "untrusted",
    "expired",
    "not_yet_valid",
    "invalid",
    "revoked",
    "unreadable",
    "input",
    "keys",
    "access",
    "not_found",
    "conflict",
    "rules",
    "rules_failed",
    "trust",
)
CODE = re.compile(r'"((?:' + "|".join(FAMILIES) + r')(?:\.[a-z_0-9]+)+)"')


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "shomeisho").rglob("*.py"):
        found.update(CODE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_code_is_documented() -> None:
    documented = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = sorted(c for c in codes_in_source() if f"`{c}`" not in documented)
    assert not missing, f"add these codes to docs/errors.md: {missing}"


def test_codes_outside_their_family_are_refused() -> None:
    with pytest.raises(ValueError, match="family"):
        errors.SignatureError("x", code="schema.payload")
    assert (
        errors.SignatureFormatError("x", code="signature.format.der").code == "signature.format.der"
    )


def test_verdicts_follow_the_tree() -> None:
    assert errors.worst_verdict([]) is errors.Verdict.VALID
    assert (
        errors.worst_verdict([errors.ExpiredError("x"), errors.UntrustedError("y")])
        is errors.Verdict.UNTRUSTED
    )
    assert (
        errors.worst_verdict([errors.SchemaError("x"), errors.EncodingError("y")])
        is errors.Verdict.UNREADABLE
    )
    assert errors.KeyUsageError("x").verdict is errors.Verdict.UNTRUSTED
    # revoked is its own verdict and outranks other technical failures; a failed rule is the
    # mildest failure (the certificate itself is sound)
    assert errors.RevokedError("x").verdict is errors.Verdict.REVOKED
    assert (
        errors.worst_verdict([errors.SchemaError("x"), errors.RevokedError("y")])
        is errors.Verdict.REVOKED
    )
    failed = errors.RuleFailedError("x", rule_id="VR-JP-0001", descriptions={"en": "d"})
    assert failed.verdict is errors.Verdict.RULES_FAILED
    assert failed.as_dict()["rule_id"] == "VR-JP-0001"
    assert errors.worst_verdict([failed, errors.ExpiredError("y")]) is errors.Verdict.EXPIRED
