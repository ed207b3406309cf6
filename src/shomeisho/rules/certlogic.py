"""CertLogic: the JsonLogic dialect the EU DCC / WHO GDHCN business rules are written in.

Follows the CertLogic specification 1.3.2 (``eu-dcc-business-rules/certlogic/specification``)
and passes its evaluation and validation test suites (``tests/conformance/test_certlogic.py``).

Two entry points:

- :func:`validate` checks an expression statically, as the reference validator does, and returns
  every :class:`Problem` (an empty list for a valid expression). It never raises.
- :func:`evaluate` validates first, then evaluates the expression on a data context. A valid
  expression evaluates to a JSON value (or a :class:`DateTime`); an invalid expression, or data
  that the expression cannot work on, raises :class:`~shomeisho.errors.RuleError` with a code
  from the ``rules`` family (``docs/errors.md``). Nothing else escapes.

The operations are exactly the specification's: ``var``, ``if``, ``===``, ``and``, ``<``, ``>``,
``<=``, ``>=`` (binary, or ternary "between"), ``in``, ``+``, ``!``, ``plusTime``, ``reduce``,
``after``, ``before``, ``not-after``, ``not-before``, ``extractFromUVCI`` and ``dccDateOfBirth``.
``or`` is not part of CertLogic and is refused as an unrecognised operator.

Where the reference implementation (certlogic-js) leans on JavaScript quirks the specification
does not ask for, this module takes the specified reading: ``var`` indexes only arrays (with a
fragment that is a plain integer) and objects (by the fragment as written); ``===`` and ``in``
compare by value and by JSON type (``1`` is not ``true``, date-times equal when they denote the
same millisecond); an impossible calendar date (``2021-02-30``) is an error, not JavaScript's
"Invalid Date". Numbers follow JavaScript's model: ``2.0`` is the integer ``2``.

Hostile rules are bounded: nesting depth, node count and string length are capped before any
work is done, evaluation counts its steps against a budget, and sums stay within JavaScript's
safe integers, so a rule can exhaust neither the stack nor memory nor time.

The pieces live beside this module: :mod:`~shomeisho.rules.limits` (operators, caps,
:class:`Problem`), :mod:`~shomeisho.rules.datetimes` (:class:`DateTime` and the date operations)
and :mod:`~shomeisho.rules.validation` (:func:`validate`). This module is the evaluator and the
public face: everything above is importable from here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from shomeisho.errors import RuleError
from shomeisho.rules.datetimes import (
    DateTime,
    dcc_date_of_birth,
    extract_from_uvci,
    parse_date_time,
    plus_time,
)
from shomeisho.rules.limits import (
    COMPARISONS,
    DATE_COMPARISONS,
    DEFAULT_LIMITS,
    INFIX_OPERATORS,
    MAX_DEPTH,
    MAX_NODES,
    MAX_SAFE_INTEGER,
    MAX_STEPS,
    MAX_STRING,
    TIME_UNITS,
    Limits,
    Problem,
    is_int,
)
from shomeisho.rules.validation import validate


# -- values ----------------------------------------------------------------------------------------
def _boolsiness(value: object) -> bool | None:
    """True for truthy, False for falsy, None for values that are neither (an error to test)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, float):
        return None if math.isnan(value) else value != 0
    if isinstance(value, str | list | dict):
        return len(value) > 0
    return None


def _describe(value: object) -> str:
    if isinstance(value, DateTime):
        return f"the date-time {value.isoformat()}"
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return f"a value of JSON type {_json_type(value)}"
    return f"a {type(value).__name__} (not a JSON value)"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# -- evaluation ------------------------------------------------------------------------------------
def evaluate(expression: object, data: object, *, limits: Limits = DEFAULT_LIMITS) -> object:
    """The value of ``expression`` on the data context ``data`` (JSON values as ``json`` loads
    them). Raises :class:`RuleError` for an invalid expression or when the data makes it fail."""
    problems = validate(expression, limits=limits)
    if problems:
        first = problems[0]
        extra = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RuleError(f"invalid CertLogic expression: {first.message}{extra}", code=first.code)
    return _Evaluation(limits.max_steps).run(expression, data)


def evaluate_validated(
    expression: object, data: object, *, limits: Limits = DEFAULT_LIMITS
) -> object:
    """:func:`evaluate` without the validation pass, for an expression that :func:`validate`
    accepted under the same ``limits`` and that nobody can have changed since (a rule book
    validates each rule once, on a private copy, instead of at every check). Raises only
    :class:`RuleError`, for data the expression cannot work on."""
    return _Evaluation(limits.max_steps).run(expression, data)


@dataclass(slots=True)
class _Evaluation:
    budget: int
    steps: int = field(default=0)

    def spend(self, steps: int = 1) -> None:
        self.steps += steps
        if self.steps > self.budget:
            raise RuleError(f"evaluation took more than {self.budget} steps", code="rules.budget")

    def run(self, expr: object, data: object) -> object:
        """Evaluates an expression that :func:`validate` accepted."""
        self.spend()
        if isinstance(expr, str | bool | int | float):
            return expr
        if isinstance(expr, list):
            return [self.run(item, data) for item in expr]
        assert isinstance(expr, dict)
        ((operator, values),) = expr.items()
        if operator == "var":
            return self.access(data, values)
        if operator == "if":
            guard = self.run(values[0], data)
            return self.run(values[1] if _truth(guard, "the guard of an if") else values[2], data)
        if operator == "and":
            result: object = True
            for operand in values:
                if not _truth(result, 'an operand of an "and"'):
                    return result
                result = self.run(operand, data)
            return result
        if operator == "!":
            return not _truth(self.run(values[0], data), "the operand of a !")
        if operator == "plusTime":
            text = self.run(values[0], data)
            if not isinstance(text, str):
                raise RuleError(
                    f'the date argument of "plusTime" must be a string, not {_describe(text)}',
                    code="rules.type",
                )
            return plus_time(text, int(values[1]), values[2])
        if operator == "dccDateOfBirth":
            text = self.run(values[0], data)
            if not isinstance(text, str):
                raise RuleError(
                    f'the operand of "dccDateOfBirth" must be a string, not {_describe(text)}',
                    code="rules.type",
                )
            return dcc_date_of_birth(text)
        if operator == "reduce":
            return self.reduce(values, data)
        if operator == "extractFromUVCI":
            uvci = self.run(values[0], data)
            if uvci is not None and not isinstance(uvci, str):
                raise RuleError(
                    'the UVCI argument of "extractFromUVCI" must be a string or null, '
                    f"not {_describe(uvci)}",
                    code="rules.type",
                )
            return extract_from_uvci(uvci, int(values[1]))
        operands = [self.run(operand, data) for operand in values]
        return self.infix(operator, operands)

    def access(self, data: object, path: str) -> object:
        if path == "":
            return data
        value = data
        for fragment in path.split("."):
            self.spend()
            if isinstance(value, dict):
                value = value.get(fragment)
            elif isinstance(value, list) and _INDEX.fullmatch(fragment):
                index = int(fragment)
                value = value[index] if index < len(value) else None
            else:
                return None
        return value

    def reduce(self, values: Sequence[object], data: object) -> object:
        operand = self.run(values[0], data)
        accumulator = self.run(values[2], data)
        if operand is None:
            return accumulator
        if not isinstance(operand, list):
            raise RuleError(
                f"the operand of a reduce must be an array or null, not {_describe(operand)}",
                code="rules.type",
            )
        for current in operand:
            accumulator = self.run(values[1], {"accumulator": accumulator, "current": current})
        return accumulator

    def infix(self, operator: str, operands: list[object]) -> object:
        if operator == "===":
            return self.equal(operands[0], operands[1])
        if operator == "in":
            haystack = operands[1]
            if not isinstance(haystack, list):
                raise RuleError(
                    f'the right-hand side of an "in" must be an array, not {_describe(haystack)}',
                    code="rules.type",
                )
            return any(self.equal(operands[0], item) for item in haystack)
        if operator == "+":
            left, right = operands
            if not (is_int(left) and is_int(right)):
                raise RuleError(
                    'both operands of a "+" must be integers, '
                    f"not {_describe(left)} and {_describe(right)}",
                    code="rules.type",
                )
            total = left + right  # type: ignore[operator]
            if abs(total) > MAX_SAFE_INTEGER:
                raise RuleError(
                    f"the sum {total} is beyond the safe integers (±{MAX_SAFE_INTEGER})",
                    code="rules.integer",
                )
            return total
        if operator in COMPARISONS:
            if not all(is_int(operand) for operand in operands):
                raise RuleError(
                    f'every operand of a "{operator}" must be an integer, not '
                    + ", ".join(_describe(operand) for operand in operands),
                    code="rules.type",
                )
            numbers = [operand for operand in operands if isinstance(operand, int | float)]
            return _compare(operator, numbers)
        comparison = DATE_COMPARISONS[operator]
        instants = [operand.epoch_ms for operand in operands if isinstance(operand, DateTime)]
        if len(instants) != len(operands):
            raise RuleError(
                f'every operand of an "{operator}" must be a date-time (made by plusTime or '
                "dccDateOfBirth), not " + ", ".join(_describe(operand) for operand in operands),
                code="rules.type",
            )
        return _compare(comparison, instants)

    def equal(self, left: object, right: object) -> bool:
        """Strict equality by value and JSON type, without recursion and within the budget."""
        pending: list[tuple[object, object]] = [(left, right)]
        while pending:
            a, b = pending.pop()
            self.spend()
            _check_json(a)
            _check_json(b)
            if isinstance(a, bool) or isinstance(b, bool):
                if not (isinstance(a, bool) and isinstance(b, bool) and a is b):
                    return False
            elif isinstance(a, int | float) and isinstance(b, int | float):
                if a != b:
                    return False
            elif isinstance(a, list) and isinstance(b, list):
                if len(a) != len(b):
                    return False
                pending.extend(zip(a, b, strict=True))
            elif isinstance(a, dict) and isinstance(b, dict):
                if a.keys() != b.keys():
                    return False
                pending.extend((a[key], b[key]) for key in a)
            elif type(a) is not type(b) or a != b:
                return False
        return True


_INDEX = re.compile(r"[0-9]+")


def _check_json(value: object) -> None:
    if value is None or isinstance(value, bool | int | str | list | dict | DateTime):
        return
    if isinstance(value, float) and math.isfinite(value):
        return
    raise RuleError(f"the data holds {_describe(value)}", code="rules.data")


def _truth(value: object, what: str) -> bool:
    truth = _boolsiness(value)
    if truth is None:
        raise RuleError(
            f"{what} must be truthy or falsy, but it is {_describe(value)}", code="rules.type"
        )
    return truth


def _compare(operator: str, values: Sequence[int | float]) -> bool:
    def holds(left: int | float, right: int | float) -> bool:
        if operator == "<":
            return left < right
        if operator == ">":
            return left > right
        if operator == "<=":
            return left <= right
        return left >= right

    if len(values) == 2:
        return holds(values[0], values[1])
    return holds(values[0], values[1]) and holds(values[1], values[2])


__all__ = [
    "DEFAULT_LIMITS",
    "INFIX_OPERATORS",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SAFE_INTEGER",
    "MAX_STEPS",
    "MAX_STRING",
    "TIME_UNITS",
    "DateTime",
    "Limits",
    "Problem",
    "dcc_date_of_birth",
    "evaluate",
    "evaluate_validated",
    "extract_from_uvci",
    "parse_date_time",
    "plus_time",
    "validate",
]
