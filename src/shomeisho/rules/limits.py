"""CertLogic's vocabulary and caps, shared by the validator and the evaluator.

It exists so that :mod:`~shomeisho.rules.validation` and :mod:`~shomeisho.rules.certlogic` (the
evaluator, which runs the validator first) agree on the operators, the limits a hostile rule is
held to, the shape of a :class:`Problem` and what counts as an integer, while the validator stays
free of any dependency on the evaluator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

MAX_DEPTH: Final = 64
"""Deepest nesting of arrays and objects in an expression (each operation takes two levels)."""
MAX_NODES: Final = 20_000
"""Most JSON values (operations, arrays, literals, keys) one expression may hold."""
MAX_STRING: Final = 4_096
"""Longest string (literal, operator or ``var`` path) in an expression, in characters."""
MAX_STEPS: Final = 250_000
"""Most evaluation steps (operations, ``reduce`` iterations, values compared) per evaluation."""
MAX_SAFE_INTEGER: Final = 2**53 - 1
"""JavaScript's ``Number.MAX_SAFE_INTEGER``: sums beyond it are refused, not rounded."""

TIME_UNITS: Final = ("year", "month", "day", "hour")
INFIX_OPERATORS: Final = frozenset(
    ("===", "and", ">", "<", ">=", "<=", "in", "+", "after", "before", "not-after", "not-before")
)
COMPARISONS: Final = frozenset(("<", ">", "<=", ">="))
DATE_COMPARISONS: Final = {"after": ">", "before": "<", "not-after": "<=", "not-before": ">="}


@dataclass(frozen=True, slots=True)
class Limits:
    """The caps one validation or evaluation works under (the defaults suit real rule sets)."""

    max_depth: int = MAX_DEPTH
    max_nodes: int = MAX_NODES
    max_string: int = MAX_STRING
    max_steps: int = MAX_STEPS


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an expression: the offending (sub-)expression and why."""

    expr: object
    message: str
    code: str = "rules.expression"


def is_int(value: object) -> bool:
    """JavaScript's ``Number.isInteger``, minus booleans (which are ints to Python)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


__all__ = [
    "COMPARISONS",
    "DATE_COMPARISONS",
    "DEFAULT_LIMITS",
    "INFIX_OPERATORS",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SAFE_INTEGER",
    "MAX_STEPS",
    "MAX_STRING",
    "TIME_UNITS",
    "Limits",
    "Problem",
    "is_int",
]
