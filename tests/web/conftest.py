"""Web tests create several staff accounts per test; a cheap scrypt cost keeps them quick.

The cost is a parameter stored in each hash, so hashes made here still verify by the same code
path; only the work factor is smaller (production keeps 2**14).
"""

from __future__ import annotations

import pytest

from shomeisho.records import passwords


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_N", 2**8)
