"""/metrics after real requests: the documented names, units and labels, route templates (never a
raw path), issuance, verification and import counts, and a journey-duration histogram with a
bucket boundary at exactly 60 seconds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from shomeisho.api_access.service import ApiKeyService
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.records.entities import Role
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from tests.db.records_factory import CHIYODA, HEADER, OPERATOR, create_accounts, csv_row
from tests.web.issued_for_verifying import issue_every_format, tampered
from tests.web.test_journey import overseas_certificate
from tests.web.test_oidc_flow import Live, live  # noqa: F401

DOCUMENTED = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text("utf-8")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("metrics")
    return folder, issue_every_format(folder)


def test_counts_after_real_requests(engine: Engine, texts: tuple[Path, dict[str, str]]) -> None:
    folder, issued = texts
    create_accounts(engine, {"clerk": (Role.CLERK, CHIYODA)}, "metrics-test-password")
    app = create_app(Settings(demo=True, data_dir=folder), engine=engine)
    key = ApiKeyService(SqlApiKeyStore(engine), app.state.secret).create(OPERATOR, "Org", 600)
    with TestClient(app) as client:
        assert client.get("/verify").status_code == 200
        for text in issued.values():
            assert client.post("/verify", data={"text": text}).status_code == 200
        client.post("/verify", data={"text": tampered(issued["dcc"])})
        bearer = {"Authorization": f"Bearer {key.token}"}
        for _ in range(2):
            client.post("/api/v1/verify", json={"text": issued["shc"]}, headers=bearer)
        client.post("/api/v1/verify", json={"text": "HC1:not base45"}, headers=bearer)
        client.post("/api/v1/verify", json={"text": "no format at all"}, headers=bearer)
        client.post("/api/v1/session", json={"login": "clerk", "password": "metrics-test-password"})
        content = HEADER + csv_row(1) + csv_row(2, dose_number="0") + csv_row(3)
        report = client.post(
            f"/api/v1/municipalities/{CHIYODA}/imports",
            files={"file": ("vrs.csv", content.encode(), "text/csv")},
        ).json()
        assert (report["inserted"], report["rejected_rows"]) == (2, 1)
        client.get("/staff/residents/no-such-id")
        client.get("/no/such/page?name=TAKAHASHI")
        client.get("/static/staff.css")
        answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    body = answer.text
    verified = {
        (labels["format"], labels["verdict"], labels["channel"]): count
        for (name, pairs), count in samples(body).items()
        if name == "shomeisho_verifications_total" and count
        for labels in [dict(pairs)]
    }
    assert verified == {
        ("shc", "valid", "page"): 1,
        ("dcc", "valid", "page"): 1,
        ("vdsnc", "valid", "page"): 1,
        ("dcc", "invalid", "page"): 1,  # the tampered one
        ("shc", "valid", "api"): 2,
        ("dcc", "unreadable", "api"): 1,
        ("unknown", "unreadable", "api"): 1,
    }
    assert value(body, "shomeisho_import_rows_total", outcome="inserted") == 2
    assert value(body, "shomeisho_import_rows_total", outcome="rejected") == 1
    assert (
        value(body, "shomeisho_http_requests_total", method="POST", route="/verify", status="200")
        == 4
    )
    routes = set(re.findall(r'route="([^"]*)"', body))
    assert {
        "/verify",
        "/api/v1/verify",
        "/staff/residents/{resident_id}",
        "/static/{path}",
        "(unmatched)",
    } <= routes
    assert "no-such-id" not in body and "TAKAHASHI" not in body and "/no/such" not in body
    assert (
        value(body, "shomeisho_http_request_duration_seconds_count", method="POST", route="/verify")
        == 4
    )
    keys = {
        k
        for (name, labels), _ in samples(body).items()
        if name == "shomeisho_signing_certificate_expiry_days"
        for k in labels
    }
    assert keys == {
        ("key", "vdsnc-bsc"),
        ("key", "dcc-dsc-vaccination"),
        ("key", "dcc-csca"),
        ("key", "vdsnc-csca"),
        ("key", "dcc-dsc-test"),
        ("key", "dcc-dsc-recovery"),
    }
    assert 0 <= value(body, "shomeisho_trust_list_age_seconds") < 3600
    assert "shomeisho_selfcheck_last_run_ok" not in body  # no run yet: no figure, not a 0


def test_every_metric_is_documented_with_its_type(tmp_path: Path, engine: Engine) -> None:
    body = TestClient(create_app(Settings(demo=True, data_dir=tmp_path), engine=engine)).get(
        "/metrics"
    )
    names = {
        family.name: family.type
        for family in text_string_to_metric_families(body.text)
        if family.type != "gauge" or not family.name.endswith("_created")
    }
    assert names
    for name, kind in names.items():
        shown = name + ("_total" if kind == "counter" else "")
        assert re.search(rf"`{shown}`\s*\|\s*{kind}", DOCUMENTED), (shown, kind)


def test_each_app_has_its_own_registry(tmp_path: Path, engine: Engine) -> None:
    first = TestClient(create_app(Settings(demo=True, data_dir=tmp_path), engine=engine))
    second = TestClient(create_app(Settings(demo=True, data_dir=tmp_path), engine=engine))
    first.get("/verify")
    first.get("/verify")
    assert (
        value(
            first.get("/metrics").text,
            "shomeisho_http_requests_total",
            method="GET",
            route="/verify",
            status="200",
        )
        == 2
    )
    assert (
        value(
            second.get("/metrics").text,
            "shomeisho_http_requests_total",
            method="GET",
            route="/verify",
            status="200",
        )
        == 0
    )


def test_the_journey_histogram_has_a_bucket_at_sixty_seconds(live: Live) -> None:  # noqa: F811
    with httpx.Client(follow_redirects=False) as browser:
        issued = overseas_certificate(browser, live)
        assert issued.headers["location"] == "/journey/certificate"
        browser.get(f"{live.base}/journey/certificate/shc.png")
        body = browser.get(f"{live.base}/metrics").text
    buckets = re.findall(r'shomeisho_journey_duration_seconds_bucket\{le="([^"]+)"\}', body)
    assert buckets == [
        "10.0",
        "20.0",
        "30.0",
        "45.0",
        "60.0",
        "90.0",
        "120.0",
        "180.0",
        "300.0",
        "600.0",
        "+Inf",
    ]
    assert value(body, "shomeisho_journey_duration_seconds_count") == 1
    assert value(body, "shomeisho_journey_duration_seconds_bucket", le="60.0") == 1
    for fmt in ("shc", "vdsnc", "dcc"):
        assert value(body, "shomeisho_certificates_issued_total", format=fmt, channel="online") == 1
    assert (
        value(
            body,
            "shomeisho_http_requests_total",
            method="GET",
            route="/journey/certificate/{name}.png",
            status="200",
        )
        == 1
    )
    assert "shc.png" not in body and "TK1234567" not in body


def test_the_self_checks_own_requests_are_not_counted_as_use(
    engine: Engine, texts: tuple[Path, dict[str, str]]
) -> None:
    folder, issued = texts
    app: Any = create_app(Settings(demo=True, data_dir=folder), engine=engine)
    client = TestClient(app)
    synthetic = {"X-Shomeisho-Synthetic": "selfcheck"}
    client.post("/verify", data={"text": issued["shc"]}, headers=synthetic)
    body = client.get("/metrics").text
    assert (
        value(body, "shomeisho_verifications_total", format="shc", verdict="valid", channel="page")
        == 0
    )
    assert (
        value(body, "shomeisho_http_requests_total", method="POST", route="/verify", status="200")
        == 1
    )
