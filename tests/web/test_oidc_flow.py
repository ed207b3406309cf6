"""The real OpenID Connect flow end to end, over HTTP, against the built-in card provider.

A live service (uvicorn in a thread) is both the relying party and the demo provider, exactly
as ``serve --demo`` runs them; the test is the browser: it follows the redirects, fills the
card reader's form and reads the page it lands on. No step is bypassed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from shomeisho.db.bootstrap import prepare
from shomeisho.db.engine import make_engine
from shomeisho.errors import AccessDeniedError
from shomeisho.identity.enrolment import card_key_and_certificate
from shomeisho.issuer_setup import create_demo_trust_setup
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from tests.db.records_factory import CARD_HOLDER as HOLDER
from tests.db.records_factory import OPERATOR, event, resident
from tests.live_server import free_port, serving


@dataclass
class Live:
    base: str
    app: Any
    subject: str


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    prepare(engine)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(demo=True, data_dir=tmp_path, public_url=base)
    create_demo_trust_setup(
        tmp_path / "keys",
        settings.key_passphrase.get_secret_value(),
        country="JP",
        country_alpha3="JPN",
        shc_issuer=settings.shc_issuer_url,
    )
    app = create_app(settings, engine=engine)
    person = app.state.records.add_resident(OPERATOR, resident())
    app.state.records.record_vaccination(OPERATOR, person.resident_id, event("V-1", 1))
    app.state.records.record_vaccination(OPERATOR, person.resident_id, event("V-2", 2))
    key, certificate = card_key_and_certificate(app.state.card_authority)
    card = app.state.card_store.create(HOLDER, "1234", key, certificate)
    app.state.records.link_identity(OPERATOR, person.resident_id, card.subject)
    with serving((app, port)):
        yield Live(base, app, card.subject)


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', html))


def to_card_reader(browser: httpx.Client, live: Live) -> tuple[str, dict[str, str]]:
    start = browser.get(f"{live.base}/sign-in")
    assert start.status_code == 303
    reader = browser.get(start.headers["location"])
    assert reader.status_code == 200 and "暗証番号" in reader.text
    return start.headers["location"], hidden_fields(reader.text)


def test_sign_in_with_the_card_and_pin(live: Live) -> None:
    with httpx.Client(follow_redirects=False) as browser:
        location, fields = to_card_reader(browser, live)
        query = parse_qs(urlparse(location).query)
        assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
        wrong = browser.post(
            f"{live.base}/idp/authorize", data=fields | {"card": live.subject, "pin": "0000"}
        )
        assert wrong.status_code == 401 and "あと2回" in wrong.text
        right = browser.post(
            f"{live.base}/idp/authorize", data=fields | {"card": live.subject, "pin": "1234"}
        )
        assert right.status_code == 303
        callback = urlparse(right.headers["location"])
        assert callback.path == "/auth/callback"
        landed = browser.get(right.headers["location"])
        assert landed.status_code == 303 and landed.headers["location"] == "/me"
        page = browser.get(f"{live.base}/me")
        assert "髙橋 𠮷子" in page.text and "接種記録が2件" in page.text


def test_the_third_wrong_pin_locks_the_card_for_good(live: Live) -> None:
    with httpx.Client(follow_redirects=False) as browser:
        _, fields = to_card_reader(browser, live)
        for _ in range(2):
            browser.post(
                f"{live.base}/idp/authorize", data=fields | {"card": live.subject, "pin": "9999"}
            )
        third = browser.post(
            f"{live.base}/idp/authorize", data=fields | {"card": live.subject, "pin": "9999"}
        )
        assert third.status_code == 401 and "ロックされています" in third.text
        right = browser.post(
            f"{live.base}/idp/authorize", data=fields | {"card": live.subject, "pin": "1234"}
        )
        assert right.status_code == 401 and "市区町村の窓口" in right.text


def code_for(browser: httpx.Client, live: Live) -> tuple[str, dict[str, str]]:
    _, fields = to_card_reader(browser, live)
    right = browser.post(
        f"{live.base}/idp/authorize", data=fields | {"card": live.subject, "pin": "1234"}
    )
    return parse_qs(urlparse(right.headers["location"]).query)["code"][0], fields


def test_a_code_is_single_use_and_bound_to_its_verifier(live: Live) -> None:
    settings = live.app.state.settings
    auth = (settings.oidc_client_id, settings.oidc_client_secret.get_secret_value())
    with httpx.Client(follow_redirects=False) as browser:
        code, fields = code_for(browser, live)
        exchange = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": fields["redirect_uri"],
            "code_verifier": "not-the-verifier-" + "x" * 40,
        }
        wrong_verifier = httpx.post(f"{live.base}/idp/token", data=exchange, auth=auth)
        assert (
            wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
        )
        again = httpx.post(f"{live.base}/idp/token", data=exchange, auth=auth)
        assert again.status_code == 400  # the failed attempt used the code up
        code, fields = code_for(browser, live)
        wrong_client = httpx.post(
            f"{live.base}/idp/token", data=exchange | {"code": code}, auth=("shomeisho", "wrong")
        )
        assert wrong_client.status_code == 401 and wrong_client.json()["error"] == "invalid_client"


def test_the_callback_refuses_a_foreign_state(live: Live) -> None:
    with httpx.Client(follow_redirects=False) as browser:
        code, _ = code_for(browser, live)
        answer = browser.get(
            f"{live.base}/auth/callback", params={"code": code, "state": "forged-state"}
        )
        assert answer.status_code == 401 and "state" in answer.text
        assert browser.get(f"{live.base}/me").status_code == 303  # not signed in


def test_an_unregistered_redirect_is_refused_on_the_page(live: Live) -> None:
    with httpx.Client(follow_redirects=False) as browser:
        location, _ = to_card_reader(browser, live)
        hostile = location.replace("auth%2Fcallback", "evil")
        answer = browser.get(hostile)
        assert answer.status_code == 400 and "redirect_uri" in answer.text
        assert "location" not in answer.headers


def test_id_tokens_are_checked_for_signature_nonce_and_audience(live: Live) -> None:
    party = live.app.state.relying_party
    provider = live.app.state.idp
    now = int(time.time())
    claims = {
        "iss": party.issuer,
        "aud": party.client_id,
        "sub": "s",
        "iat": now,
        "exp": now + 60,
        "nonce": "n" * 20,
    }
    kid = provider.jwks()["keys"][0]["kid"]
    good = jwt.encode({"alg": "ES256", "kid": kid}, claims, provider._key)
    assert party.verify_id_token(good, "n" * 20)["sub"] == "s"
    stranger = ECKey.generate_key("P-256")
    forged = jwt.encode({"alg": "ES256", "kid": kid}, claims, stranger)
    for token, nonce, fragment in (
        (forged, "n" * 20, "signature"),
        (good, "m" * 20, "nonce"),
        (
            jwt.encode({"alg": "ES256", "kid": kid}, claims | {"aud": "other"}, provider._key),
            "n" * 20,
            "aud",
        ),
        (
            jwt.encode({"alg": "ES256", "kid": kid}, claims | {"exp": now - 1}, provider._key),
            "n" * 20,
            "exp",
        ),
    ):
        with pytest.raises(AccessDeniedError, match=fragment):
            party.verify_id_token(token, nonce)


def test_a_standalone_provider_on_its_own_port(tmp_path: Path) -> None:
    """The relying party against a provider in another server, as in production."""
    from shomeisho.web.app import create_provider_app

    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    prepare(engine)
    idp_port, rp_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{idp_port}/idp"
    rp_base = f"http://127.0.0.1:{rp_port}"
    settings = Settings(demo=True, data_dir=tmp_path, public_url=rp_base, oidc_issuer=issuer)
    provider = create_provider_app(
        settings, issuer=issuer, redirect_uris=(f"{rp_base}/auth/callback",), engine=engine
    )
    service = create_app(settings, engine=engine)
    assert service.state.idp is None  # the service runs no provider of its own
    person = service.state.records.add_resident(OPERATOR, resident())
    key, certificate = card_key_and_certificate(provider.state.card_authority)
    card = provider.state.card_store.create(HOLDER, "1234", key, certificate)
    service.state.records.link_identity(OPERATOR, person.resident_id, card.subject)
    with (
        serving((provider, idp_port), (service, rp_port)),
        httpx.Client(follow_redirects=False) as browser,
    ):
        start = browser.get(f"{rp_base}/sign-in")
        assert start.headers["location"].startswith(f"{issuer}/authorize?")
        fields = hidden_fields(browser.get(start.headers["location"]).text)
        right = browser.post(
            f"{issuer}/authorize", data=fields | {"card": card.subject, "pin": "1234"}
        )
        assert right.headers["location"].startswith(f"{rp_base}/auth/callback?")
        assert browser.get(right.headers["location"]).headers["location"] == "/me"
        assert "髙橋 𠮷子" in browser.get(f"{rp_base}/me").text
