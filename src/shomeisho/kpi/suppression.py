"""Small counts are withheld, and so is any figure that would give one away by subtraction.

Why: "verifiers never log payloads; KPIs suppress small counts" (the brief). A count from 1 to 9
can point at a person ("3 residents of a village got an overseas certificate this week"), so it
is published as "<10" (primary suppression). That is not enough on its own: when a total and all
but one of its parts are published, the missing part is the total minus the others. So every
published table declares the sums it contains as :class:`Relation` s, and a second cell is
withheld wherever one relation would leave exactly one unknown that is small, or that was itself
withheld (complementary suppression, the rule statistical offices use). Zero is published: it
says nothing about anyone.

The choice of the second cell is the usual heuristic: the smallest published non-zero part of
that relation (the least information lost), else the relation's total; this repeats until no
relation discloses anything, because a cell withheld for one relation may be the only unknown
of another (a municipality's total is both the sum of its channels and a part of the national
total). It is not an optimal cell-suppression solver; it guarantees that no *declared* relation
reveals a count from 1 to 9 or a withheld cell. Which relations are declared is documented with
the figures (docs/kpi.md).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

SMALL = 10  # counts from 1 to SMALL - 1 are withheld
WITHHELD_SMALL = "small"  # the count itself is from 1 to 9
WITHHELD_COMPLEMENTARY = "complementary"  # withheld so that another count cannot be derived

K = TypeVar("K", bound=Hashable)


def is_small(count: int) -> bool:
    return 0 < count < SMALL


@dataclass(frozen=True, slots=True)
class Relation(Generic[K]):
    """``total = sum(parts) + remainder``, where the remainder is not published as a cell of
    its own (zero when the parts are exhaustive, e.g. app + counter = all issuances; the
    journeys that did not complete a step, for ``reached = completed + remainder``). A reader
    who sees the total and the parts can compute the remainder, so it is checked like a cell."""

    total: K
    parts: tuple[K, ...]


def withhold(counts: Mapping[K, int], relations: Iterable[Relation[K]]) -> dict[K, str]:
    """The cells to withhold, each with why (:data:`WITHHELD_SMALL` or
    :data:`WITHHELD_COMPLEMENTARY`). Every key a relation names must be in ``counts``."""
    withheld: dict[K, str] = {key: WITHHELD_SMALL for key, n in counts.items() if is_small(n)}
    every = list(relations)
    changed = True
    while changed:  # each pass withholds at least one more cell or stops: it ends
        changed = False
        for relation in every:
            cell = _to_withhold(relation, counts, withheld)
            if cell is not None:
                withheld[cell] = WITHHELD_COMPLEMENTARY
                changed = True
    return withheld


def _to_withhold(
    relation: Relation[K], counts: Mapping[K, int], withheld: Mapping[K, str]
) -> K | None:
    """The cell to withhold so that ``relation`` gives nothing away, or None if it gives
    nothing away as it stands."""
    unknown = [key for key in (relation.total, *relation.parts) if key in withheld]
    remainder = counts[relation.total] - sum(counts[part] for part in relation.parts)
    pieces = len(unknown) + (remainder != 0)
    if pieces != 1:
        return None  # nothing unknown, or at least two unknowns that only their sum ties
    if not unknown and not is_small(remainder):
        return None  # the remainder alone is unknown, and it may be known: it is 10 or more
    shown = [p for p in relation.parts if p not in withheld and counts[p] > 0]
    if shown:
        return min(shown, key=lambda part: counts[part])  # the first of equals: deterministic
    if relation.total not in withheld and counts[relation.total] > 0:
        return relation.total
    return None
