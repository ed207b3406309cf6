"""The keystroke-level model of the procedure, and ``docs/journey.md`` agreeing with it.

The document is where people read the prediction; the module is what the timed browser walk adds
to its measurements. These tests parse the document's tables so that neither can drift.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shomeisho.procedure import klm
from shomeisho.procedure.issuance import Use

JOURNEY_MD = Path(__file__).resolve().parents[2] / "docs" / "journey.md"


def table(header: tuple[str, ...]) -> list[list[str]]:
    """The body rows of the Markdown table in docs/journey.md with exactly this header."""
    tables: list[list[list[str]]] = []
    in_table = False
    for line in JOURNEY_MD.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            if not in_table:
                tables.append([])
            tables[-1].append([cell.strip() for cell in line.strip().strip("|").split("|")])
        in_table = line.startswith("|")
    for rows in tables:
        if tuple(rows[0]) == header:
            return rows[2:]  # after the header and the |---| line
    raise AssertionError(f"docs/journey.md has no table with the header {header}")


def test_operators_expand_counts_and_refuse_anything_else() -> None:
    assert klm.operators("M P B H 4K K") == ("M", "P", "B", "H", "K", "K", "K", "K", "K")
    assert klm.seconds("M P B") == 2.55
    assert klm.operators("P BB 2K") == ("P", "B", "B", "K", "K")  # a click is press + release
    assert klm.seconds("") == 0
    for wrong in ("X", "0K", "K4", "4", "mP", "4 K"):
        with pytest.raises(ValueError, match="not a KLM operator"):
            klm.operators(wrong)


def test_the_documented_operator_times_are_the_modules() -> None:
    rows = table(("operator", "meaning", "time"))
    documented = {operator: float(time.removesuffix(" s")) for operator, _, time in rows}
    assert documented == dict(klm.OPERATOR_SECONDS)


def test_the_documented_pages_are_the_modules() -> None:
    rows = table(("#", "page", "what the person does", "operators", "predicted"))
    assert [int(row[0]) for row in rows] == [page.number for page in klm.PAGES]
    for (_, name, _, operators, predicted), page in zip(rows, klm.PAGES, strict=True):
        assert f"`{page.path}`" in name, (name, page.path)
        assert operators == page.operators, (page.number, operators, page.operators)
        assert predicted == f"{page.seconds:.2f} s", (page.number, predicted, page.seconds)


def test_the_documented_totals_are_the_modules() -> None:
    rows = table(("use", "pages", "predicted human time"))
    assert [row[0] for row in rows] == [use.value for use in klm.USE_PAGES]
    for use_name, numbers, total in rows:
        use = Use(use_name)
        assert tuple(int(n) for n in numbers.split(",")) == klm.USE_PAGES[use]
        assert total == f"**{klm.predicted_seconds(use):.1f} s**", (use, total)


def test_each_use_walks_its_pages_in_order_and_leaves_room_for_the_system() -> None:
    assert [page.path for page in klm.pages(Use.OVERSEAS)] == [
        "/journey",
        "/idp/authorize",
        "/journey/use",
        "/journey/travel",
        "/journey/check",
        "/journey/certificate",
    ]
    assert "/journey/travel" not in [page.path for page in klm.pages(Use.DOMESTIC)]
    assert klm.predicted_seconds(Use.DOMESTIC) == 19.0
    assert klm.predicted_seconds(Use.OVERSEAS) == 27.62
    for use, budget in klm.BUDGET_SECONDS.items():
        assert klm.predicted_seconds(use) < budget
