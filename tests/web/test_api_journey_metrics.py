"""``GET /api/v1/journeys/metrics``: events written through the journey log with a fixed clock,
read back as figures over HTTP, on SQLite and PostgreSQL; then a real journey through the pages.

The figures themselves are checked one by one in tests/procedure/test_journey_metrics.py; here
the point is the path from the table to the JSON: the window's time zone and bounds in SQL,
journeys followed past the window's end, access, problems, and that nothing identifying leaves.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shomeisho.db.journey import SqlJourneyLog
from shomeisho.db.staff import create_staff
from shomeisho.procedure.journey_metrics import STEPS, USES
from shomeisho.records.entities import Role
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from shomeisho.web.schemas import JourneyMetricsOut
from tests.db.records_factory import CHIYODA, create_accounts
from tests.web.staff_session import signed_in
from tests.web.test_journey import sign_in_through_journey
from tests.web.test_oidc_flow import Live, live  # noqa: F401

PASSWORD = "a-long-test-password"
URL = "/api/v1/journeys/metrics"
# 2 November 2026 in Japan is 1 November 15:00 UTC to 2 November 15:00 UTC
DAY_START = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)


@dataclass
class Api:
    client: TestClient
    log: SqlJourneyLog
    now: list[datetime]

    def as_(self, login: str) -> TestClient:
        return signed_in(self.client, login, PASSWORD)

    def journey(self, at: datetime, *steps: tuple[float, str, str, str]) -> str:
        """Write a started journey with the log's own clock set to each event's time."""
        journey_id = secrets.token_hex(16)
        self.now[0] = at
        self.log.record(journey_id, "start", "started")
        for seconds, step, kind, detail in steps:
            self.now[0] = at + timedelta(seconds=seconds)
            self.log.record(journey_id, step, kind, detail)
        return journey_id


@pytest.fixture
def api(engine: Engine, tmp_path: Path) -> Iterator[Api]:
    create_accounts(
        engine,
        {"operator": (Role.NATIONAL_OPERATOR, None), "clerk": (Role.CLERK, CHIYODA)},
        PASSWORD,
    )
    now = [DAY_START]
    log = SqlJourneyLog(engine, clock=lambda: now[0])
    with TestClient(create_app(Settings(demo=True, data_dir=tmp_path), engine=engine)) as client:
        yield Api(client, log, now)


def domestic(api: Api, at: datetime, seconds: float) -> str:
    return api.journey(
        at,
        (5, "sign_in", "submitted", ""),
        (10, "use", "submitted", "domestic"),
        (seconds, "check", "submitted", ""),
        (seconds, "certificate", "outcome", "issued"),
    )


def write_day(api: Api) -> list[str]:
    """Journeys around 2 November 2026 (Japan time); returns every journey id written."""
    return [
        # 23:59:59 on 1 November in Japan: outside the day
        domestic(api, DAY_START - timedelta(seconds=1), 20),
        # midnight in Japan: the first instant of the day
        domestic(api, DAY_START, 30),
        domestic(api, DAY_START + timedelta(hours=3), 60),
        api.journey(
            DAY_START + timedelta(hours=4),
            (4, "sign_in", "submitted", ""),
            (8, "use", "submitted", "overseas"),
            (20, "travel", "validation_error", "passport_number"),
            (30, "travel", "submitted", ""),
            (75, "check", "submitted", ""),
            (75, "certificate", "outcome", "issued"),
        ),
        api.journey(
            DAY_START + timedelta(hours=5),
            (4, "sign_in", "submitted", ""),
            (6, "use", "outcome", "no_records"),
        ),
        api.journey(DAY_START + timedelta(hours=6)),
        # 23:59:30 in Japan, certificate on 3 November: followed past the window's end
        domestic(api, DAY_START + timedelta(days=1, seconds=-30), 45),
        # midnight of 3 November: outside
        domestic(api, DAY_START + timedelta(days=1), 50),
    ]


def test_figures_of_one_japanese_day(api: Api) -> None:
    write_day(api)
    answer = api.as_("operator").get(URL, params={"from": "2026-11-02", "to": "2026-11-02"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["window_start"] == "2026-11-02T00:00:00+09:00"
    assert body["window_end"] == "2026-11-03T00:00:00+09:00"
    assert body["percentile_method"] == "nearest-rank"
    assert (body["journeys_started"], body["certificates"], body["certificate_rate"]) == (
        6,
        4,
        4 / 6,
    )
    # 30, 45, 60, 75 s: nearest-rank median rank 2 -> 45 s, p95 rank 4 -> 75 s
    assert body["time_to_certificate"] == {
        "count": 4,
        "median_seconds": 45.0,
        "p95_seconds": 75.0,
        "within_60s": 3,
        "share_within_60s": 0.75,
    }
    steps = {s["step"]: s for s in body["steps"]}
    assert list(steps) == list(STEPS)
    assert (steps["sign_in"]["reached"], steps["sign_in"]["completed"]) == (6, 5)
    assert (steps["use"]["reached"], steps["use"]["completed"]) == (5, 4)
    assert steps["travel"] == {
        "step": "travel",
        "base": 1,
        "reached": 1,
        "completed": 1,
        "reached_rate": 1.0,
        "completed_rate": 1.0,
    }
    assert (steps["certificate"]["completed"], steps["certificate"]["completed_rate"]) == (
        4,
        4 / 6,
    )
    assert body["validation_errors"] == [
        {"step": "travel", "field": "passport_number", "events": 1, "journeys": 1}
    ]
    assert body["ended_without_certificate"] == [
        {"step": "use", "outcome": "no_records", "journeys": 1}
    ]
    assert (body["abandoned"], body["use_not_chosen"]) == (1, 2)
    by_use = {u["use"]: u for u in body["by_use"]}
    assert (by_use["domestic"]["journeys"], by_use["domestic"]["certificates"]) == (3, 3)
    assert by_use["overseas"]["time_to_certificate"]["median_seconds"] == 75.0


def test_the_figures_name_no_journey_and_no_person(api: Api) -> None:
    written = write_day(api)
    answer = api.as_("operator").get(URL, params={"from": "2026-11-01", "to": "2026-11-03"})
    text = answer.text
    assert answer.json()["journeys_started"] == len(written)
    assert not [journey_id for journey_id in written if journey_id in text]
    # every key is a documented field; every string value is a time of the window or a word
    # of the events' vocabulary
    keys, values = _keys_and_strings(answer.json())
    schema = JourneyMetricsOut.model_json_schema()
    documented = {
        name for model in [schema, *schema["$defs"].values()] for name in model["properties"]
    }
    assert keys <= documented, keys - documented
    vocabulary = {*STEPS, *USES, "nearest-rank", "passport_number", "no_records"}
    times = {answer.json()["window_start"], answer.json()["window_end"]}
    assert values - times <= vocabulary, values - times - vocabulary


def _keys_and_strings(value: Any) -> tuple[set[str], set[str]]:
    keys: set[str] = set()
    strings: set[str] = set()
    if isinstance(value, str):
        strings.add(value)
    elif isinstance(value, dict | list):
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            if isinstance(key, str):
                keys.add(key)
            more_keys, more_strings = _keys_and_strings(item)
            keys |= more_keys
            strings |= more_strings
    return keys, strings


def test_the_default_window_is_the_last_seven_days(api: Api) -> None:
    now = datetime.now(UTC)
    domestic(api, now - timedelta(days=1), 40)
    domestic(api, now - timedelta(days=8), 40)
    body = api.as_("operator").get(URL).json()
    assert body["journeys_started"] == 1 and body["certificates"] == 1
    start = datetime.fromisoformat(body["window_start"])
    end = datetime.fromisoformat(body["window_end"])
    assert end - start == timedelta(days=7) and abs(end - now) < timedelta(minutes=1)


def test_an_empty_window_has_zeros_and_nulls(api: Api) -> None:
    body = api.as_("operator").get(URL, params={"from": "2026-11-02T09:00:00Z"}).json()
    assert body["journeys_started"] == 0 and body["certificate_rate"] is None
    assert body["time_to_certificate"]["median_seconds"] is None
    assert json.dumps(body)  # every field is plain JSON


@pytest.mark.parametrize(
    ("params", "code", "where"),
    [
        ({"from": "last week"}, "input.date", "from"),
        ({"to": "2026-02-30"}, "input.date", "to"),
        ({"from": "2026-11-03", "to": "2026-11-02"}, "input.date", "from"),
        ({"from": "2020-01-01", "to": "2026-11-02"}, "input.date", "from"),
        ({"from": "2026-11-01T00:00:00+09:00" + " " * 30}, "input.request", "query.from"),
    ],
)
def test_unusable_windows_are_problems(
    api: Api, params: dict[str, str], code: str, where: str
) -> None:
    answer = api.as_("operator").get(URL, params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert (answer.json()["code"], answer.json()["where"]) == (code, where)


def test_municipal_staff_may_not_read_the_national_figures(api: Api) -> None:
    answer = api.as_("clerk").get(URL)
    assert answer.status_code == 403 and answer.json()["code"] == "access.municipality"


def test_the_figures_are_in_the_openapi_document(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    operation = document["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to"}
    assert "national operator" in operation["description"]


def test_a_real_journey_is_counted_at_every_step(live: Live) -> None:  # noqa: F811
    create_staff(
        live.app.state.engine,
        login="operator",
        display_name="operator",
        role=Role.NATIONAL_OPERATOR,
        municipality_code=None,
        password=PASSWORD,
        created_by="test",
    )
    with httpx.Client(follow_redirects=False) as browser:
        sign_in_through_journey(browser, live)
        browser.post(f"{live.base}/journey/use", data={"use": "domestic"})
        issued = browser.post(f"{live.base}/journey/check", data={"consent": "yes"})
        assert issued.headers["location"] == "/journey/certificate"
        # a second journey whose sign-in answer is refused (no pending sign-in cookie)
        browser.cookies.clear()
        browser.post(f"{live.base}/journey/start")
        refused = browser.get(f"{live.base}/auth/callback", params={"code": "x", "state": "y"})
        assert refused.status_code == 401
    with httpx.Client(base_url=live.base) as staff:
        signed_in = staff.post("/api/v1/session", json={"login": "operator", "password": PASSWORD})
        assert signed_in.status_code == 200
        body = staff.get(URL).json()
    assert (body["journeys_started"], body["certificates"], body["abandoned"]) == (2, 1, 1)
    steps = {s["step"]: (s["reached"], s["completed"]) for s in body["steps"]}
    assert steps == {
        "start": (2, 2),
        "sign_in": (2, 1),  # written by the OIDC callback
        "use": (1, 1),
        "travel": (0, 0),
        "check": (1, 1),
        "certificate": (1, 1),
    }
    assert [(e["step"], e["journeys"]) for e in body["validation_errors"]] == [("sign_in", 1)]
    assert body["time_to_certificate"]["count"] == 1
