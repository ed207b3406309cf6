"""The predicted human time of the resident's procedure: the keystroke-level model (issue 4).

Card, Moran and Newell's KLM predicts a skilled person's time on a page as the sum of standard
operator times. Each page of the procedure has its operator sequence here, written as in
``docs/journey.md`` ("M P BB H 4K K": a count before an operator repeats it, and a click is
BB, press and release); a test keeps the
document and this module in step. The timed browser walk adds the measured system time to these
predictions and holds the sum under the budget of each use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from shomeisho.procedure.issuance import Use

#: Standard operator times in seconds (K: an average skilled typist).
OPERATOR_SECONDS: Final = MappingProxyType(
    {
        "K": 0.28,  # one keystroke
        "P": 1.10,  # point with the mouse (or finger) to a target
        "B": 0.10,  # press or release the button
        "H": 0.40,  # home the hand between mouse and keyboard
        "M": 1.35,  # mentally prepare (read the question, decide)
    }
)

#: Predicted human time plus measured system time must stay under these (seconds).
BUDGET_SECONDS: Final = MappingProxyType({Use.DOMESTIC: 30.0, Use.OVERSEAS: 45.0})

_TERM = re.compile(r"([1-9][0-9]*)?([A-Z]+)")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the procedure: its number in ``docs/journey.md``, its path, its operators."""

    number: int
    path: str
    operators: str

    @property
    def seconds(self) -> float:
        return seconds(self.operators)


PAGES: Final = (
    Page(1, "/journey", "M P BB"),
    Page(2, "/idp/authorize", "M P BB P BB H 4K K"),
    Page(3, "/journey/use", "M P BB P BB"),
    Page(4, "/journey/travel", "M P BB H 9K M H P BB"),
    Page(5, "/journey/check", "M M P BB P BB"),
    Page(6, "/journey/certificate", "M"),
)

#: The pages each use walks through, in order (the passport page is for overseas only).
USE_PAGES: Final = MappingProxyType(
    {Use.DOMESTIC: (1, 2, 3, 5, 6), Use.OVERSEAS: (1, 2, 3, 4, 5, 6)}
)


def operators(sequence: str) -> tuple[str, ...]:
    """``"M BB 2K"`` -> ``("M", "B", "B", "K", "K")``; anything else is a ValueError."""
    out: list[str] = []
    for term in sequence.split():
        match = _TERM.fullmatch(term)
        if match is None or any(letter not in OPERATOR_SECONDS for letter in match[2]):
            raise ValueError(f"not a KLM operator: {term!r}")
        out.extend(list(match[2]) * int(match[1] or 1))
    return tuple(out)


def seconds(sequence: str) -> float:
    """The predicted time of an operator sequence, in seconds (to the hundredth)."""
    return round(sum(OPERATOR_SECONDS[operator] for operator in operators(sequence)), 2)


def pages(use: Use) -> tuple[Page, ...]:
    by_number = {page.number: page for page in PAGES}
    return tuple(by_number[number] for number in USE_PAGES[use])


def predicted_seconds(use: Use) -> float:
    """The predicted human time of the whole procedure for a use, in seconds."""
    return round(sum(page.seconds for page in pages(use)), 2)
