"""Locate the public corpora in ../shared/conformance (CI puts shared/ beside the checkout)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [ROOT.parent / "shared" / "conformance", ROOT / "shared" / "conformance"]


def corpus_root() -> Path:
    for candidate in CANDIDATES:
        if candidate.is_dir():
            return candidate
    pytest.fail(
        "the conformance corpora are missing: expected ../shared/conformance beside the checkout "
        f"(looked in {', '.join(str(c) for c in CANDIDATES)}). Clone the project with shared/ "
        "beside it, as CI does.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def corpora() -> Path:
    return corpus_root()
