"""The staff API over real HTTP handling (TestClient) on SQLite and PostgreSQL.

The access table below lists every endpoint for every kind of account, with the status it must
answer; the test fails on any cell that differs, and a route added without a row fails too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shomeisho.records.entities import Role
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from tests.db.records_factory import CHIYODA, HEADER, SAPPORO, create_accounts, csv_row
from tests.web.staff_session import signed_in

PASSWORD = "a-long-test-password"
ACCOUNTS = {
    "clerk_a": (Role.CLERK, CHIYODA),
    "admin_a": (Role.MUNICIPAL_ADMIN, CHIYODA),
    "clerk_b": (Role.CLERK, SAPPORO),
    "operator": (Role.NATIONAL_OPERATOR, None),
}


@dataclass
class Service:
    engine: Engine
    client: TestClient
    resident_id: str
    event_id: str

    def as_(self, login: str | None) -> TestClient:
        return signed_in(self.client, login, PASSWORD)


@pytest.fixture
def service(engine: Engine, tmp_path: Any) -> Service:
    create_accounts(engine, ACCOUNTS, PASSWORD)
    app = create_app(Settings(demo=True, data_dir=tmp_path), engine=engine)
    client = TestClient(app)
    svc = Service(engine, client, "", "")
    api = svc.as_("clerk_a")
    resident = api.post(f"/api/v1/municipalities/{CHIYODA}/residents", json=RESIDENT)
    assert resident.status_code == 201, resident.text
    svc.resident_id = resident.json()["resident_id"]
    recorded = api.post(f"/api/v1/residents/{svc.resident_id}/events", json=EVENT)
    assert recorded.status_code == 201, recorded.text
    svc.event_id = recorded.json()["event"]["event_id"]
    return svc


RESIDENT = {
    "resident_number": "A0001",
    "family_name": "髙橋",
    "given_name": "𠮷子",
    "family_name_kana": "タカハシ",
    "given_name_kana": "ヨシコ",
    "family_name_romaji": "takahashi",
    "given_name_romaji": "yoshiko",
    "former_family_name": "山﨑",
    "birth_date": "1961-04-09",
    "sex": "female",
}
EVENT = {
    "administered_on": "2021-06-01",
    "product": "comirnaty",
    "lot": "FA4597",
    "dose_number": 1,
    "site": "会場",
    "source_record_id": "VRS-1",
}

Call = Callable[[TestClient, Service], Any]
ENDPOINTS: dict[str, Call] = {
    "GET residents of A": lambda c, s: c.get(f"/api/v1/municipalities/{CHIYODA}/residents"),
    "GET count of A": lambda c, s: c.get(f"/api/v1/municipalities/{CHIYODA}/residents/count"),
    "POST resident to A": lambda c, s: c.post(
        f"/api/v1/municipalities/{CHIYODA}/residents",
        json=RESIDENT | {"resident_number": "NEW1"},
    ),
    "GET resident of A": lambda c, s: c.get(f"/api/v1/residents/{s.resident_id}"),
    "POST event for resident of A": lambda c, s: c.post(
        f"/api/v1/residents/{s.resident_id}/events", json=EVENT | {"source_record_id": "VRS-2"}
    ),
    "POST correction of event of A": lambda c, s: c.post(
        f"/api/v1/events/{s.event_id}/correction",
        json={"expected_version": 1, "reason": "lot misread", "event": EVENT | {"lot": "X1"}},
    ),
    "POST void of event of A": lambda c, s: c.post(
        f"/api/v1/events/{s.event_id}/void", json={"expected_version": 1, "reason": "wrong one"}
    ),
    "GET history of event of A": lambda c, s: c.get(f"/api/v1/events/{s.event_id}/history"),
    "POST import into A": lambda c, s: c.post(
        f"/api/v1/municipalities/{CHIYODA}/imports",
        files={"file": ("a.csv", (HEADER + csv_row(1)).encode(), "text/csv")},
    ),
    "PUT My Number of resident of A": lambda c, s: c.put(
        f"/api/v1/residents/{s.resident_id}/my-number", json={"my_number": "123456789018"}
    ),
    "GET audit verification": lambda c, s: c.get("/api/v1/audit/verification"),
    "GET journey metrics": lambda c, s: c.get("/api/v1/journeys/metrics"),
    "GET session": lambda c, s: c.get("/api/v1/session"),
}

COLUMNS: tuple[str | None, ...] = ("clerk_a", "admin_a", "clerk_b", "operator", None)
EXPECTED: dict[str, tuple[int, ...]] = {
    #                                 clerk A  admin A  clerk B  operator  nobody
    "GET residents of A":             (200,    200,    403,    200,    401),
    "GET count of A":                 (200,    200,    403,    200,    401),
    "POST resident to A":             (201,    201,    403,    201,    401),
    "GET resident of A":              (200,    200,    404,    200,    401),
    "POST event for resident of A":   (201,    201,    404,    201,    401),
    "POST correction of event of A":  (200,    200,    404,    200,    401),
    "POST void of event of A":        (200,    200,    404,    200,    401),
    "GET history of event of A":      (200,    200,    404,    200,    401),
    "POST import into A":             (200,    200,    403,    200,    401),
    "PUT My Number of resident of A": (204,    204,    404,    204,    401),
    "GET audit verification":         (403,    403,    403,    200,    401),
    "GET journey metrics":            (403,    403,    403,    200,    401),
    "GET session":                    (200,    200,    200,    200,    401),
}  # fmt: skip


def test_every_route_is_in_the_table(service: Service) -> None:
    paths = service.client.get("/api/v1/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, item in paths.items() for method in item}
    session_routes = {("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")}
    # private apps' verification takes an API key, not a staff session: its own access tests
    # are in tests/web/test_api_verify.py
    api_key_routes = {("POST", "/api/v1/verify")}
    tested = {" ".join(name.split()[:1]) for name in ENDPOINTS}
    assert tested == {"GET", "POST", "PUT"}
    assert api_key_routes <= routes
    assert len(routes - session_routes - api_key_routes) == len(ENDPOINTS), sorted(routes)


@pytest.mark.parametrize("login", [*ACCOUNTS, None])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_access_table(service: Service, endpoint: str, login: str | None) -> None:
    answer = ENDPOINTS[endpoint](service.as_(login), service)
    assert answer.status_code == EXPECTED[endpoint][COLUMNS.index(login)], answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        assert body["status"] == answer.status_code and body["code"] and body["detail"]


def test_other_municipalities_cannot_even_count(service: Service) -> None:
    api = service.as_("clerk_b")
    answer = api.get(f"/api/v1/municipalities/{CHIYODA}/residents", params={"name": "髙橋"})
    assert answer.status_code == 403 and answer.json()["code"] == "access.municipality"
    mine = api.get(f"/api/v1/municipalities/{SAPPORO}/residents/count")
    assert mine.json() == {"total": 0}


def test_search_and_read_back(service: Service) -> None:
    api = service.as_("clerk_a")
    found = api.get(f"/api/v1/municipalities/{CHIYODA}/residents", params={"name": "ﾀｶﾊｼ"})
    assert found.json()["total"] == 1
    resident = found.json()["residents"][0]
    assert resident["given_name"] == "𠮷子" and resident["family_name_romaji"] == "TAKAHASHI"
    file = api.get(f"/api/v1/residents/{service.resident_id}").json()
    assert [e["source_record_id"] for e in file["events"]] == ["VRS-1"]


def test_the_same_event_twice_is_200_and_the_same_event(service: Service) -> None:
    api = service.as_("clerk_a")
    again = api.post(f"/api/v1/residents/{service.resident_id}/events", json=EVENT)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["event"]["event_id"] == service.event_id


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        ({"birth_date": "1961-02-30"}, "input.date", "birth_date"),
        ({"resident_number": "番号"}, "input.resident", "resident_number"),
        ({"given_name_romaji": "ヨシコ"}, "input.name", None),
        ({"sex": "x"}, "input.request", "body.sex"),
        ({"unknown_field": "x"}, "input.request", "body.unknown_field"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(
    service: Service, change: dict[str, str], code: str, where: str | None
) -> None:
    api = service.as_("clerk_a")
    body = RESIDENT | {"resident_number": "B1"} | change
    answer = api.post(f"/api/v1/municipalities/{CHIYODA}/residents", json=body)
    assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
    if where:
        assert answer.json()["where"] == where


def test_stale_correction_is_409(service: Service) -> None:
    api = service.as_("clerk_a")
    url = f"/api/v1/events/{service.event_id}/correction"
    body = {"expected_version": 1, "reason": "lot misread", "event": EVENT | {"lot": "X1"}}
    assert api.post(url, json=body).status_code == 200
    stale = api.post(url, json=body)
    assert stale.status_code == 409 and stale.json()["code"] == "conflict.version"


def test_import_reports_rejected_rows(service: Service) -> None:
    api = service.as_("clerk_a")
    content = HEADER + csv_row(1) + csv_row(2, dose_number="0") + csv_row(3)
    answer = api.post(
        f"/api/v1/municipalities/{CHIYODA}/imports",
        files={"file": ("vrs.csv", content.encode("cp932"), "text/csv")},
    )
    report = answer.json()
    assert (report["accepted"], report["inserted"], report["rejected_rows"]) == (2, 2, 1)
    assert report["problems"] == [{"row": 3, "column": "dose_number", "reason": "must be 1 to 20"}]


def test_wrong_password_and_unknown_login_look_the_same(service: Service) -> None:
    client = service.as_(None)
    wrong = client.post("/api/v1/session", json={"login": "clerk_a", "password": "nope"})
    unknown = client.post("/api/v1/session", json={"login": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_a_forged_cookie_is_refused(service: Service) -> None:
    client = service.as_(None)
    client.cookies.set("shomeisho_staff", "b3BlcmF0b3IKOTk5OTk5OTk5OQ==.deadbeef")
    assert client.get("/api/v1/session").status_code == 401


def test_openapi_document_lists_the_api(service: Service) -> None:
    document = service.client.get("/api/v1/openapi.json").json()
    assert "/api/v1/residents/{resident_id}" in document["paths"]
    assert document["info"]["title"] == "shomeisho"


def test_unknown_route_is_a_problem_too(service: Service) -> None:
    answer = service.client.get("/api/v1/nothing-here")
    assert (
        answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
    )
