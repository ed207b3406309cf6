"""Signing a test client in as a staff member through the API (or leaving it signed out)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def signed_in(client: TestClient, login: str | None, password: str) -> TestClient:
    """``client`` with a fresh staff session for ``login`` (None: no session at all)."""
    client.cookies.clear()
    if login is not None:
        answer = client.post("/api/v1/session", json={"login": login, "password": password})
        assert answer.status_code == 200, answer.text
    return client
