"""``POST /api/v1/verify`` over real HTTP semantics (TestClient), real certificates and a real
database (SQLite and PostgreSQL): verdicts, what a private app is shown, keys, rate limits,
usage counts, size caps and the OpenAPI description."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine

from shomeisho import qr
from shomeisho.api_access.keys import NewApiKey
from shomeisho.api_access.limits import RateLimiter
from shomeisho.api_access.service import ApiKeyCheck, ApiKeyService
from shomeisho.api_access.usage import UsageRecorder
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.presented import Outcome, Presented
from shomeisho.settings import Settings
from shomeisho.verifier import Verifier
from shomeisho.web.app import create_app
from tests.db.records_factory import OPERATOR
from tests.web.issued_for_verifying import issue_every_format, tampered

URL = "/api/v1/verify"
SHOWN = {"source", "format", "verdict", "valid", "errors", "warnings", "name", "name_romanised",
         "date_of_birth", "issuer", "expires_at", "notes"}  # fmt: skip


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("api-verify")
    return folder, issue_every_format(folder)


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    key: NewApiKey
    texts: dict[str, str]
    engine: Engine

    def keys(self) -> ApiKeyService:
        return ApiKeyService(SqlApiKeyStore(self.engine), self.app.state.secret)


@pytest.fixture()
def api(engine: Engine, issued: tuple[Path, dict[str, str]]) -> Iterator[Api]:
    folder, texts = issued
    app = create_app(Settings(demo=True, data_dir=folder), engine=engine)
    made = ApiKeyService(SqlApiKeyStore(engine), app.state.secret).create(
        OPERATOR, "Example Travel", 6000, burst=1000
    )
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {made.token}"
        yield Api(app, client, made, texts, engine)


def test_every_format_verifies_and_shows_only_name_and_birth_date(api: Api) -> None:
    for fmt, text in api.texts.items():
        answer = api.client.post(URL, json={"text": text})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["country"] is None and body["rules_applied"] is False
        (result,) = body["results"]
        assert set(result) == SHOWN
        assert (result["format"], result["verdict"], result["valid"]) == (fmt, "valid", True)
        assert result["errors"] == [] and result["source"] == "text"
        assert "TAKAHASHI" in (result["name_romanised"] or result["name"])
        assert result["date_of_birth"] == "1961-04-09"
        for never in ("TK1234567", "certificate_id", "key_id", "FA4597", "comirnaty"):
            assert never not in answer.text  # no passport, certificate id, key, vaccinations
    by_header = api.client.post(
        URL,
        json={"text": api.texts["dcc"]},
        headers={"Authorization": "", "X-API-Key": api.key.token},
    )
    assert by_header.status_code == 200 and by_header.json()["results"][0]["valid"]


def test_qr_images_are_uploaded_and_each_code_is_verified(api: Api) -> None:
    png = qr.render_png(api.texts["vdsnc"], "vdsnc")
    answer = api.client.post(URL, files={"image": ("seal.png", png, "image/png")})
    assert answer.status_code == 200, answer.text
    (result,) = answer.json()["results"]
    assert (result["source"], result["format"], result["verdict"]) == ("image", "vdsnc", "valid")
    assert result["date_of_birth"] == "1961-04-09"

    pictures = [Image.open(io.BytesIO(qr.render_png(api.texts[f], f))) for f in ("dcc", "shc")]
    width, height = sum(p.width for p in pictures) + 40, max(p.height for p in pictures)
    sheet = Image.new("RGB", (width, height), "white")
    sheet.paste(pictures[0], (0, 0))
    sheet.paste(pictures[1], (pictures[0].width + 40, 0))
    buffer = io.BytesIO()
    sheet.save(buffer, "JPEG", quality=95)
    both = api.client.post(
        URL,
        files={"image": ("photo.jpg", buffer.getvalue(), "image/jpeg")},
        data={"country": "JP"},
    )
    assert both.status_code == 200, both.text
    results = both.json()["results"]
    assert sorted(r["format"] for r in results) == ["dcc", "shc"]
    assert all(r["valid"] and "of 2" in r["source"] for r in results)
    assert both.json()["country"] == "JP"


def test_broken_and_unreadable_certificates_get_verdicts_without_a_holder(api: Api) -> None:
    cases = {
        tampered(api.texts["dcc"]): ("dcc", "invalid"),
        "hello, this is no certificate": ("unknown", "unreadable"),
        "HC1:!!!not base45!!!": ("dcc", "unreadable"),
        api.texts["shc"][:200]: ("shc", "unreadable"),
    }
    for text, (fmt, verdict) in cases.items():
        answer = api.client.post(URL, json={"text": text})
        assert answer.status_code == 200, answer.text
        (result,) = answer.json()["results"]
        assert (result["format"], result["verdict"], result["valid"]) == (fmt, verdict, False)
        assert result["errors"] and all(e["code"] for e in result["errors"])
        assert result["name"] is None and result["date_of_birth"] is None
        assert "TAKAHASHI" not in answer.text
    junk = api.client.post(
        URL, files={"image": ("x.png", b"\x89PNG\r\n\x1a\nnot a png", "image/png")}
    )
    assert junk.status_code == 200 and junk.json()["results"][0]["verdict"] == "unreadable"


def problem_of(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code and body["status"] == status and "Traceback" not in answer.text
    return body


def test_no_key_a_wrong_key_and_a_revoked_key_are_401(api: Api) -> None:
    text = {"text": api.texts["dcc"]}
    clock = [0.0]
    store = SqlApiKeyStore(api.engine)
    api.app.state.api_gate.keys = ApiKeyCheck(store, api.app.state.secret, clock=lambda: clock[0])
    assert api.client.post(URL, json=text).status_code == 200
    wrong = api.key.token[:-3] + ("xyz" if not api.key.token.endswith("xyz") else "abc")
    for headers in (
        {"Authorization": ""},
        {"Authorization": f"Bearer {wrong}"},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": f"Basic {api.key.token}"},
        {"Authorization": "", "X-API-Key": wrong},
    ):
        refused = api.client.post(URL, json=text, headers=headers)
        problem_of(refused, 401, "access.api_key")
        assert refused.headers["www-authenticate"].startswith("Bearer")
    api.keys().revoke(OPERATOR, api.key.key.key_id)
    clock[0] += 5  # the revocation reaches this process once its memory of the key expires
    body = problem_of(api.client.post(URL, json=text), 401, "access.api_key")
    assert "revoked" in body["detail"]


def test_over_the_limit_is_429_with_retry_after_and_admitted_again_later(api: Api) -> None:
    tight = api.keys().create(OPERATOR, "Small App", 60, burst=2)
    clock = [100.0]
    api.app.state.api_gate.limiter = RateLimiter(clock=lambda: clock[0])
    headers = {"Authorization": f"Bearer {tight.token}"}
    text = {"text": api.texts["shc"]}
    assert [api.client.post(URL, json=text, headers=headers).status_code for _ in range(2)] == [
        200,
        200,
    ]
    limited = api.client.post(URL, json=text, headers=headers)
    body = problem_of(limited, 429, "access.rate_limit")
    assert limited.headers["retry-after"] == "1" and "60 requests a minute" in body["detail"]
    assert api.client.post(URL, json=text).status_code == 200  # another key has its own bucket
    clock[0] += 0.5
    assert api.client.post(URL, json=text, headers=headers).status_code == 429
    clock[0] += 0.5
    assert api.client.post(URL, json=text, headers=headers).status_code == 200
    assert api.client.post(URL, json=text, headers=headers).status_code == 429
    usage = api.app.state.api_gate.usage.pending()
    limited_counts = {k.key_id: n for k, n in usage.items() if k.verdict == "rate_limited"}
    assert limited_counts == {tight.key.key_id: 3}


def test_usage_is_counted_per_key_day_format_and_verdict_and_kept_at_shutdown(
    engine: Engine, issued: tuple[Path, dict[str, str]]
) -> None:
    folder, texts = issued
    app = create_app(Settings(demo=True, data_dir=folder), engine=engine)
    keys = ApiKeyService(SqlApiKeyStore(engine), app.state.secret)
    travel = keys.create(OPERATOR, "Example Travel", 6000)
    border = keys.create(OPERATOR, "Border Checks Inc.", 6000)
    noon = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)  # 12:00 in Japan
    app.state.api_gate.usage = UsageRecorder(
        SqlApiKeyStore(engine), interval=3600, clock=lambda: noon
    )
    with TestClient(app) as client:
        for token, text in [
            (travel.token, texts["dcc"]),
            (travel.token, texts["dcc"]),
            (travel.token, texts["shc"]),
            (travel.token, tampered(texts["dcc"])),
            (travel.token, "no certificate"),
            (border.token, texts["vdsnc"]),
        ]:
            answer = client.post(
                URL, json={"text": text}, headers={"Authorization": f"Bearer {token}"}
            )
            assert answer.status_code == 200
        refused = client.post(URL, json={"text": "x"}, headers={"Authorization": "Bearer wrong"})
        assert refused.status_code == 401  # not anyone's usage
        assert keys.usage(OPERATOR, date(2026, 11, 1), date(2026, 11, 1)) == []  # not per request
    rows = keys.usage(OPERATOR, date(2026, 11, 1), date(2026, 11, 1))  # written at shutdown
    assert {(r.organisation, r.format, r.verdict): r.total for r in rows} == {
        ("Example Travel", "dcc", "valid"): 2,
        ("Example Travel", "shc", "valid"): 1,
        ("Example Travel", "dcc", "invalid"): 1,
        ("Example Travel", "unknown", "unreadable"): 1,
        ("Border Checks Inc.", "vdsnc", "valid"): 1,
    }


def test_oversized_or_unusable_requests_are_refused_with_problems(api: Api) -> None:
    dcc = api.texts["dcc"]
    post = api.client.post
    problem_of(post(URL, json={"text": "HC1:" + "A" * 8000}), 413, "input.too_large")
    as_json = {"Content-Type": "application/json"}
    huge = b'{"text": "' + b"A" * 70_000 + b'"}'
    problem_of(post(URL, content=huge, headers=as_json), 413, "input.too_large")
    as_text = {"Content-Type": "text/plain"}
    problem_of(post(URL, content=dcc.encode(), headers=as_text), 415, "input.media_type")
    problem_of(post(URL, content=b"{not json", headers=as_json), 422, "input.request")
    problem_of(post(URL, json={}), 422, "input.request")
    problem_of(post(URL, json={"text": "   "}), 422, "input.request")
    problem_of(post(URL, json={"text": dcc, "extra": 1}), 422, "input.request")
    bad_country = problem_of(post(URL, json={"text": dcc, "country": "jp"}), 422, "input.request")
    assert bad_country["where"] == "country" and "jp" not in bad_country["detail"]
    naive = problem_of(
        post(URL, json={"text": dcc, "at": "2026-11-01T09:00:00"}), 422, "input.request"
    )
    assert naive["where"] == "at"
    problem_of(
        post(URL, data={"country": "JP"}, files={"other": ("a.txt", b"x")}), 422, "input.request"
    )
    problem_of(post(URL, files={"image": ("empty.png", b"", "image/png")}), 422, "input.request")
    big = b"\x89PNG\r\n\x1a\n" + bytes(20 * 1024 * 1024)
    problem_of(post(URL, files={"image": ("big.png", big, "image/png")}), 413, "input.too_large")


class RecordingVerifier:
    """The service's real verifier, remembering what it was asked (the rule book comes later)."""

    def __init__(self, inner: Verifier) -> None:
        self.inner = inner
        self.asked: list[tuple[datetime, str | None]] = []

    def verify(
        self, items: list[Presented], *, at: datetime, country: str | None = None
    ) -> list[Outcome]:
        self.asked.append((at, country))
        return self.inner.verify(items, at=at, country=country)

    def rule_countries(self) -> list[str]:
        return self.inner.rule_countries()


def test_country_and_validation_time_reach_the_verifier(api: Api) -> None:
    recording = RecordingVerifier(api.app.state.verifier)
    api.app.state.verifier = recording
    at = "2026-11-01T09:00:00+09:00"
    answer = api.client.post(URL, json={"text": api.texts["dcc"], "at": at})
    assert answer.status_code == 200
    moment = datetime.fromisoformat(at)
    assert datetime.fromisoformat(answer.json()["verified_at"]) == moment
    assert answer.json()["country"] is None and answer.json()["rules_applied"] is False
    abroad = api.client.post(URL, json={"text": api.texts["dcc"], "country": "DE", "at": at})
    assert recording.asked == [(moment, None), (moment, "DE")]
    if "DE" not in recording.rule_countries():  # a country whose rules are not held: said so
        problem_of(abroad, 422, "input.country")
    later = api.client.post(URL, json={"text": api.texts["dcc"], "at": "2040-01-01T00:00:00Z"})
    assert later.json()["results"][0]["verdict"] == "expired"


def test_a_service_without_a_trust_list_says_so_after_the_key_check(api: Api) -> None:
    api.app.state.verifier = None
    problem_of(
        api.client.post(URL, json={"text": "x"}, headers={"Authorization": ""}),
        401,
        "access.api_key",
    )
    problem_of(api.client.post(URL, json={"text": "x"}), 503, "error.not_configured")


def test_the_openapi_document_describes_the_endpoint(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    operation = document["paths"][URL]["post"]
    assert operation["tags"] == ["verification"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["application/json"]["examples"]["rules"]["value"]["country"] == "JP"
    assert content["application/json"]["schema"]["properties"]["text"]["maxLength"] == 8000
    assert content["multipart/form-data"]["schema"]["required"] == ["image"]
    responses = operation["responses"]
    assert {"200", "401", "413", "415", "422", "429", "503"} <= set(responses)
    assert "Retry-After" in responses["429"]["headers"]
    assert "application/problem+json" in responses["401"]["content"]
    ok = responses["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert document["components"]["schemas"][ok]["examples"][0]["results"][0]["verdict"] == "valid"
    schemes = document["components"]["securitySchemes"]
    assert (schemes["apiKey"]["type"], schemes["apiKey"]["scheme"]) == ("http", "bearer")
    assert (
        schemes["apiKeyHeader"]["in"] == "header" and schemes["apiKeyHeader"]["name"] == "X-API-Key"
    )
    assert {"apiKey": []} in operation["security"] and {"apiKeyHeader": []} in operation["security"]
