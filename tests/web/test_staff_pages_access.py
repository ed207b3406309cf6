"""Every staff page for every kind of account: the status each must answer (both databases).

Pages redirect to sign-in when nobody is signed in (303) and show a "not allowed" (403) or "not
found" (404) page otherwise; what is allowed is the record service's decision, the same table
as the API's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.db.records_factory import CHIYODA, HEADER, SAPPORO, csv_row
from tests.web.test_api_records import ACCOUNTS, PASSWORD, Service, service  # noqa: F401

Call = Callable[[TestClient, Service], Any]


def csrf(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(url).text)
    return found.group(1) if found else "missing"


EVENT_FORM = {
    "administered_on": "2021-07-01",
    "product": "comirnaty",
    "dose_number": "2",
    "lot": "L2",
    "site": "",
}
PAGES: dict[str, Call] = {
    "search page": lambda c, s: c.get("/staff"),
    "search A": lambda c, s: c.get("/staff", params={"name": "髙橋", "municipality": CHIYODA}),
    "search B": lambda c, s: c.get("/staff", params={"name": "髙橋", "municipality": SAPPORO}),
    "resident of A": lambda c, s: c.get(f"/staff/residents/{s.resident_id}"),
    "new event form, A": lambda c, s: c.get(f"/staff/residents/{s.resident_id}/events/new"),
    "record event, A": lambda c, s: c.post(
        f"/staff/residents/{s.resident_id}/events/new",
        data=EVENT_FORM | {"source_record_id": "P-2", "csrf": csrf(c, "/staff/import")},
    ),
    "correct form, A": lambda c, s: c.get(f"/staff/events/{s.event_id}/correct"),
    "correct, A": lambda c, s: c.post(
        f"/staff/events/{s.event_id}/correct",
        data=EVENT_FORM
        | {"reason": "lot misread", "expected_version": "1", "csrf": csrf(c, "/staff/import")},
    ),
    "void form, A": lambda c, s: c.get(f"/staff/events/{s.event_id}/void"),
    "void, A": lambda c, s: c.post(
        f"/staff/events/{s.event_id}/void",
        data={"reason": "wrong person", "expected_version": "1", "csrf": csrf(c, "/staff/import")},
    ),
    "counter form, A": lambda c, s: c.get(f"/staff/residents/{s.resident_id}/certificate"),
    "counter issue, A": lambda c, s: c.post(
        f"/staff/residents/{s.resident_id}/certificate",
        data={"use": "domestic", "csrf": csrf(c, "/staff/import")},  # no consent: asked again
    ),
    "import form": lambda c, s: c.get("/staff/import"),
    "import into A": lambda c, s: c.post(
        "/staff/import",
        data={"municipality": CHIYODA, "csrf": csrf(c, "/staff/import")},
        files={"file": ("a.csv", (HEADER + csv_row(1)).encode(), "text/csv")},
    ),
    "figures (own)": lambda c, s: c.get("/staff/kpi"),
    "figures of A": lambda c, s: c.get("/staff/kpi", params={"municipality": CHIYODA}),
    "figures of B": lambda c, s: c.get("/staff/kpi", params={"municipality": SAPPORO}),
}

COLUMNS: tuple[str | None, ...] = ("clerk_a", "admin_a", "clerk_b", "operator", None)
EXPECTED: dict[str, tuple[int, ...]] = {
    #                       clerk A  admin A  clerk B  operator  nobody
    "search page":          (200,    200,    200,    200,    303),
    "search A":             (200,    200,    403,    200,    303),
    "search B":             (403,    403,    200,    200,    303),
    "resident of A":        (200,    200,    404,    200,    303),
    "new event form, A":    (200,    200,    404,    200,    303),
    "record event, A":      (303,    303,    404,    303,    303),
    "correct form, A":      (200,    200,    404,    200,    303),
    "correct, A":           (303,    303,    404,    303,    303),
    "void form, A":         (200,    200,    404,    200,    303),
    "void, A":              (303,    303,    404,    303,    303),
    "counter form, A":      (200,    200,    404,    403,    303),
    "counter issue, A":     (422,    422,    404,    403,    303),
    "import form":          (200,    200,    200,    200,    303),
    "import into A":        (200,    200,    403,    200,    303),
    "figures (own)":        (200,    200,    200,    200,    303),
    "figures of A":         (200,    200,    403,    200,    303),
    "figures of B":         (403,    403,    200,    200,    303),
}  # fmt: skip


@pytest.mark.parametrize("login", [*ACCOUNTS, None])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_access(service: Service, name: str, login: str | None) -> None:  # noqa: F811
    client = service.as_(login)
    client.follow_redirects = False
    try:
        answer = PAGES[name](client, service)
    finally:
        client.follow_redirects = True
    expected = EXPECTED[name][COLUMNS.index(login)]
    assert answer.status_code == expected, answer.text[:500]
    if expected == 303 and login is None:
        assert answer.headers["location"] == "/staff/sign-in"
    if expected >= 400:
        assert "Traceback" not in answer.text and "<h1>" in answer.text


def test_a_form_without_its_token_is_refused(service: Service) -> None:  # noqa: F811
    client = service.as_("clerk_a")
    answer = client.post(
        f"/staff/events/{service.event_id}/void",
        data={"reason": "wrong person", "expected_version": "1", "csrf": "forged"},
    )
    assert answer.status_code == 403
    assert (
        client.get(f"/api/v1/residents/{service.resident_id}").json()["events"][0]["status"]
        == "active"
    )
