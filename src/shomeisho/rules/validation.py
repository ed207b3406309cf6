"""CertLogic's static validator: what the reference validator reports about an expression.

It exists apart from the evaluator because it is a separate pass with its own contract: it never
raises, it returns every :class:`~shomeisho.rules.limits.Problem` it finds, and it enforces the
size caps (depth, nodes, string length) before any other work, so the evaluator may assume a
well-formed, bounded expression.
"""

from __future__ import annotations

import re

from shomeisho.rules.limits import (
    COMPARISONS,
    DATE_COMPARISONS,
    DEFAULT_LIMITS,
    INFIX_OPERATORS,
    TIME_UNITS,
    Limits,
    Problem,
    is_int,
)


def validate(expression: object, *, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Every problem the specification's validator finds in ``expression`` (empty when valid).

    The caps come first: an expression over them yields that single problem (code
    ``rules.depth`` or ``rules.size``) and is not examined further."""
    over = _over_limits(expression, limits)
    if over is not None:
        return [over]
    return _validate(expression)


def _over_limits(expression: object, limits: Limits) -> Problem | None:
    """Walks the expression without recursion, stopping at the first cap it passes."""
    stack: list[tuple[object, int]] = [(expression, 0)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            return Problem(
                expression, f"expression has more than {limits.max_nodes} nodes", "rules.size"
            )
        if isinstance(value, str):
            if len(value) > limits.max_string:
                return Problem(
                    expression,
                    f"expression holds a string longer than {limits.max_string} characters",
                    "rules.size",
                )
        elif isinstance(value, list | dict):
            if depth >= limits.max_depth:
                return Problem(
                    expression,
                    f"expression is nested deeper than {limits.max_depth} levels",
                    "rules.depth",
                )
            if isinstance(value, dict):
                for key, item in value.items():
                    stack.append((key, depth + 1))
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
    return None


_PATH = re.compile(r"[^.]+(?:\.[^.]+)*")


def _js(value: object) -> str:
    """A value in a message the way the reference implementation's template strings show it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join("" if item is None else _js(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _validate(expr: object) -> list[Problem]:
    if isinstance(expr, str | bool) or is_int(expr):
        return []
    if isinstance(expr, float):
        return [Problem(expr, f"{_js(expr)} is a non-integer number")]
    if isinstance(expr, list):
        return [problem for item in expr for problem in _validate(item)]
    if not isinstance(expr, dict):
        return [Problem(expr, "invalid CertLogic expression")]
    if len(expr) != 1:
        return [
            Problem(expr, f"expression object must have exactly one key, but it has {len(expr)}")
        ]
    ((operator, values),) = expr.items()
    if operator == "var":
        if not isinstance(values, str):
            return [Problem(expr, 'not of the form { "var": "<path>" }')]
        if values == "" or _PATH.fullmatch(values):
            return []
        return [Problem(expr, f"data access path doesn't have a valid format: {values}")]
    if not isinstance(values, list):
        return [Problem(expr, 'operation not of the form { "<operator>": [ <values...> ] }')]
    count = len(values)
    problems: list[Problem] = []
    if operator in ("if", "reduce"):
        if count != 3:
            problems.append(
                Problem(
                    expr,
                    f'a{"n" if operator == "if" else ""} "{operator}"-operation must have exactly '
                    f"3 values/operands, but it has {count}",
                )
            )
        problems.extend(p for value in values[:3] for p in _validate(value))
        return problems
    if operator in INFIX_OPERATORS:
        if operator == "and":
            most = count
            if count < 2:
                problems.append(
                    Problem(
                        expr,
                        f'an "and" operation must have at least 2 operands, but it has {count}',
                    )
                )
        elif operator in COMPARISONS or operator in DATE_COMPARISONS:
            most = 3
            if not 2 <= count <= 3:
                problems.append(
                    Problem(
                        expr,
                        f'an operation with operator "{operator}" must have 2 or 3 operands, '
                        f"but it has {count}",
                    )
                )
        else:
            most = 2
            if count != 2:
                problems.append(
                    Problem(
                        expr,
                        f'an operation with operator "{operator}" must have 2 operands, '
                        f"but it has {count}",
                    )
                )
        problems.extend(p for value in values[:most] for p in _validate(value))
        return problems
    if operator in ("!", "dccDateOfBirth"):
        if count != 1:
            what = (
                "a !-operation (logical not/negation)"
                if operator == "!"
                else 'a "dccDateOfBirth"-operation'
            )
            return [Problem(expr, f"{what} must have exactly 1 operand, but it has {count}")]
        return _validate(values[0])
    if operator == "plusTime":
        problems = _first_then_integer(expr, values, "plusTime", 3, "amount")
        if count >= 3 and values[2] not in TIME_UNITS:
            problems.append(
                Problem(
                    expr,
                    '"unit" argument (#3) of "plusTime" must be a string equal to one of '
                    f"{', '.join(TIME_UNITS)}, but it is: {_js(values[2])}",
                )
            )
        return problems
    if operator == "extractFromUVCI":
        return _first_then_integer(expr, values, "extractFromUVCI", 2, "index")
    return [Problem(expr, f'unrecognised operator: "{_js(operator)}"')]


__all__ = ["validate"]


def _first_then_integer(
    expr: object, values: list[object], operator: str, expected: int, argument: str
) -> list[Problem]:
    """plusTime and extractFromUVCI alike: an exact operand count, an expression first and an
    integer literal second (their problems in the order the specification lists them)."""
    problems = []
    if len(values) != expected:
        article = "an" if operator[0] in "aeiou" else "a"
        problems.append(
            Problem(
                expr,
                f'{article} "{operator}"-operation must have exactly {expected} values/operands, '
                f"but it has {len(values)}",
            )
        )
    if values:
        problems.extend(_validate(values[0]))
    if len(values) >= 2 and not is_int(values[1]):
        problems.append(
            Problem(
                expr,
                f'"{argument}" argument (#2) of "{operator}" must be an integer, '
                f"but it is: {_js(values[1])}",
            )
        )
    return problems
