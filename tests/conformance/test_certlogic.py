"""The CertLogic specification's own test suites (``certlogic/specification`` in the corpus):
every evaluation assertion and every validation case, each one a test.

Evaluation: the expression (the assertion's own, else its case's) on the assertion's data gives
exactly ``expected``, JSON type included (``1`` is not ``true``). Validation: :func:`validate`
finds exactly the listed issues, sub-expression and message alike.

The corpus marks 14 assertions ``"directive": "skip"`` (the reference implementations skip them
too); they are reported as skipped, with the reason, and nothing else is:

- ``ins-with-nulls.json``, 4 assertions: an ``in`` whose right-hand side is ``null``. The
  specification says that is an error ("operating on a non-array <operand 2> is considered an
  error"), which is what we do; the skipped assertions expect ``false``.
- ``patched-reduce.json`` (the whole file, 10 assertions): a ``reduce`` lambda reading the outer
  data as ``data``, an extension the specification only says CertLogic "may" add one day.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from shomeisho.errors import RuleError
from shomeisho.rules.certlogic import DateTime, evaluate, validate
from tests.conformance.conftest import corpus_root

pytestmark = pytest.mark.conformance


def specification_dir() -> Path:
    return corpus_root() / "certlogic" / "specification"


@dataclass(frozen=True)
class Assertion:
    suite: str
    case_number: int
    case: str
    number: int
    expression: Any
    data: Any
    expected: Any
    message: str
    skipped: bool

    @property
    def id(self) -> str:
        return f"{self.suite}::{self.case_number}.{self.case}#{self.number}"


@dataclass(frozen=True)
class ValidationCase:
    suite: str
    number: int
    expression: Any
    issues: tuple[tuple[Any, str], ...]

    @property
    def id(self) -> str:
        return f"{self.suite}#{self.number}:{json.dumps(self.expression)}"


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@cache
def assertions() -> tuple[Assertion, ...]:
    out = []
    for path in sorted((specification_dir() / "testSuite").glob("*.json")):
        suite = _load(path)
        for case_number, case in enumerate(suite["cases"], start=1):
            for number, assertion in enumerate(case["assertions"], start=1):
                out.append(
                    Assertion(
                        suite=path.stem,
                        case_number=case_number,
                        case=case["name"].strip(),
                        number=number,
                        expression=assertion.get(
                            "certLogicExpression", case.get("certLogicExpression")
                        ),
                        data=assertion["data"],
                        expected=assertion["expected"],
                        message=assertion.get("message", ""),
                        skipped="skip"
                        in (
                            suite.get("directive"),
                            case.get("directive"),
                            assertion.get("directive"),
                        ),
                    )
                )
    return tuple(out)


@cache
def validation_cases() -> tuple[ValidationCase, ...]:
    out = []
    for path in sorted((specification_dir() / "validation-testSuite").glob("*.json")):
        suite = _load(path)
        for number, case in enumerate(suite["cases"], start=1):
            if "skip" in (suite.get("directive"), case.get("directive")):
                raise AssertionError(f"{path.name}: validation cases marked skip are not expected")
            out.append(
                ValidationCase(
                    suite=path.stem,
                    number=number,
                    expression=case["certLogicExpression"],
                    issues=tuple((issue["expr"], issue["message"]) for issue in case["issues"]),
                )
            )
    return tuple(out)


def same_json(got: object, expected: object) -> bool:
    """Equal as JSON values, JSON types included (Python's ``True == 1`` must not pass)."""
    if isinstance(got, bool) or isinstance(expected, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(map(same_json, got, expected))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(same_json(got[k], expected[k]) for k in got)
    if isinstance(got, int | float) and isinstance(expected, int | float):
        return got == expected
    return type(got) is type(expected) and got == expected


def outcome(assertion: Assertion) -> tuple[bool, str]:
    try:
        got = evaluate(assertion.expression, assertion.data)
    except RuleError as error:
        return False, f"raised {error.code}: {error}"
    shown = got.isoformat() if isinstance(got, DateTime) else json.dumps(got)
    return same_json(got, assertion.expected), f"gave {shown}"


def validation_outcome(case: ValidationCase) -> tuple[bool, list[tuple[Any, str]]]:
    found = [(problem.expr, problem.message) for problem in validate(case.expression)]
    return found == list(case.issues), found


def test_corpus_is_present_and_complete() -> None:
    assert len(assertions()) >= 200, "the CertLogic evaluation suite looks truncated"
    assert len(validation_cases()) >= 20, "the CertLogic validation suite looks truncated"


@pytest.mark.parametrize("assertion", assertions(), ids=lambda a: a.id)
def test_evaluation(assertion: Assertion) -> None:
    if assertion.skipped:
        pytest.skip("marked skip in the corpus (not part of the specified behaviour)")
    ok, what = outcome(assertion)
    assert ok, (
        f"{assertion.id} ({assertion.message or 'no message'}): "
        f"{json.dumps(assertion.expression)} on {json.dumps(assertion.data)} {what}, "
        f"expected {json.dumps(assertion.expected)}"
    )


@pytest.mark.parametrize("case", validation_cases(), ids=lambda c: c.id)
def test_validation(case: ValidationCase) -> None:
    ok, found = validation_outcome(case)
    assert ok, f"{case.id}: expected issues {list(case.issues)}, found {found}"


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Re-runs every case (independent of test order) and prints the counts per suite."""
    evaluation: Counter[str] = Counter()
    for assertion in assertions():
        if assertion.skipped:
            evaluation["skipped"] += 1
            continue
        evaluation["run"] += 1
        evaluation["passed"] += outcome(assertion)[0]
    validation: Counter[str] = Counter()
    for case in validation_cases():
        validation["run"] += 1
        validation["passed"] += validation_outcome(case)[0]
    with capsys.disabled():
        print(
            f"\nCertLogic conformance: evaluation {evaluation['passed']}/{evaluation['run']} "
            f"assertions passed ({evaluation['skipped']} marked skip in the corpus); "
            f"validation {validation['passed']}/{validation['run']} cases passed"
        )
    assert evaluation["passed"] == evaluation["run"]
    assert validation["passed"] == validation["run"]
