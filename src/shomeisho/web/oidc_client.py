"""The service as an OpenID Connect relying party (Authlib for the protocol, joserfc for JWTs).

Authorization code flow with PKCE (S256); ``state`` and ``nonce`` are random per sign-in and
kept, with the code verifier, in a short-lived signed cookie. The callback checks ``state``,
exchanges the code with client authentication, and accepts the ID token only if its ES256
signature verifies under the issuer's JWKS and ``iss``, ``aud``, ``exp``, ``iat`` and ``nonce``
are right. The issuer, client id and secret come from settings.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from shomeisho.errors import AccessDeniedError
from shomeisho.web import sessions

PENDING_LIFETIME = 600


@dataclass(frozen=True, slots=True)
class Pending:
    """What the browser carries between the redirect to the provider and the callback."""

    state: str
    nonce: str
    code_verifier: str


class RelyingParty:
    def __init__(
        self, *, issuer: str, client_id: str, client_secret: str, redirect_uri: str, secret: bytes
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self._secret = secret
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            answer = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
            answer.raise_for_status()
            document = answer.json()
            if document.get("issuer") != self.issuer:
                raise AccessDeniedError("the provider names another issuer", code="access.oidc")
            self._metadata = document
        return self._metadata

    def _client(self) -> OAuth2Client:
        return OAuth2Client(
            self.client_id,
            self._client_secret,
            redirect_uri=self.redirect_uri,
            scope="openid",
            code_challenge_method="S256",
            timeout=10,
        )

    def start(self) -> tuple[str, str]:
        """The provider URL to send the browser to, and the cookie value to set."""
        pending = Pending(
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(48),
        )
        url, _ = self._client().create_authorization_url(
            self.metadata()["authorization_endpoint"],
            state=pending.state,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
        )
        return url, self._seal(pending)

    def finish(self, cookie: str | None, params: dict[str, str]) -> dict[str, Any]:
        """The verified ID token claims for a callback, or AccessDeniedError saying why not."""
        pending = self._open(cookie)
        if pending is None:
            raise AccessDeniedError(
                "the sign-in took too long or was started elsewhere; start again",
                code="access.oidc_state",
            )
        if not hmac.compare_digest(params.get("state", ""), pending.state):
            raise AccessDeniedError("the sign-in state does not match", code="access.oidc_state")
        if "error" in params:
            raise AccessDeniedError(
                f"the identity provider refused: {params['error']}", code="access.oidc"
            )
        client = self._client()
        token = client.fetch_token(
            self.metadata()["token_endpoint"],
            code=params.get("code", ""),
            code_verifier=pending.code_verifier,
        )
        return self.verify_id_token(str(token.get("id_token", "")), pending.nonce)

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            decoded = jwt.decode(id_token, self._jwks(), algorithms=["ES256"])
        except (JoseError, ValueError) as exc:
            raise AccessDeniedError(
                f"the ID token's signature does not verify ({type(exc).__name__})",
                code="access.oidc_token",
            ) from None
        claims = dict(decoded.claims)
        now = time.time()
        problems = [
            name
            for name, ok in (
                ("iss", claims.get("iss") == self.issuer),
                ("aud", claims.get("aud") == self.client_id),
                ("exp", isinstance(claims.get("exp"), int) and claims["exp"] > now),
                ("iat", isinstance(claims.get("iat"), int) and claims["iat"] <= now + 60),
                ("nonce", hmac.compare_digest(str(claims.get("nonce", "")), nonce)),
                ("sub", bool(claims.get("sub"))),
            )
            if not ok
        ]
        if problems:
            raise AccessDeniedError(
                f"the ID token's {', '.join(problems)} claim(s) are wrong",
                code="access.oidc_token",
            )
        return claims

    def _jwks(self) -> KeySet:
        if self._keys is None:
            answer = httpx.get(self.metadata()["jwks_uri"], timeout=10)
            answer.raise_for_status()
            self._keys = KeySet.import_key_set(answer.json())
        return self._keys

    def _seal(self, pending: Pending) -> str:
        data = {"s": pending.state, "n": pending.nonce, "v": pending.code_verifier}
        return sessions.seal(data, self._secret, "oidc", lifetime=PENDING_LIFETIME)

    def _open(self, cookie: str | None) -> Pending | None:
        data = sessions.unseal(cookie, self._secret, "oidc")
        if data is None:
            return None
        return Pending(str(data["s"]), str(data["n"]), str(data["v"]))
