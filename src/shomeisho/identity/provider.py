"""The demo OpenID Connect provider: authorization code + PKCE, ID tokens from the card.

Enough of OIDC Core and RFC 7636 for a relying party to run its real flow against it: a
discovery document, a JWKS, an authorization request that must carry ``state``, ``nonce`` and
an S256 ``code_challenge`` from a registered client and redirect URI, single-use codes that live
60 seconds, a token endpoint that authenticates the client and checks the PKCE verifier, and an
ES256 ID token carrying what the card says (name, kana, old surname, date of birth, sex,
address). No HTTP here: :mod:`shomeisho.web.idp_routes` is the thin edge.

Codes are kept in this process's memory: the demo provider runs as one process (inside the
service, or standalone with ``shomeisho idp``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey

from shomeisho.errors import AccessDeniedError, InputError
from shomeisho.identity.cards import Card, PinOutcome, PinResult
from shomeisho.identity.enrolment import prove_possession

CODE_LIFETIME = 60
TOKEN_LIFETIME = 300


class CardStore(Protocol):
    def get(self, subject: str) -> Card | None: ...
    def try_pin(self, subject: str, pin: str) -> PinResult: ...
    def private_key(self, subject: str) -> ec.EllipticCurvePrivateKey: ...


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    secret: str
    redirect_uris: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str


@dataclass(frozen=True, slots=True)
class _Grant:
    request: AuthorizationRequest
    subject: str
    auth_time: int
    expires: float


class IdentityProvider:
    """One issuer: its signing key, its registered clients and its cards."""

    def __init__(
        self,
        *,
        issuer: str,
        cards: CardStore,
        card_authority: x509.Certificate,
        clients: list[Client],
        signing_key: ECKey | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self._cards = cards
        self._authority = card_authority
        self._clients = {client.client_id: client for client in clients}
        self._key = signing_key or ECKey.generate_key(
            "P-256", parameters={"use": "sig", "alg": "ES256"}
        )
        self._kid = self._key.thumbprint()
        self._clock = clock
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    # -- documents -------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid"],
            "claims_supported": [
                "sub", "name", "family_name", "given_name", "birthdate", "gender", "address",
                "jp_name_kana", "jp_former_family_name", "jp_municipality_code",
            ],
        }  # fmt: skip

    def jwks(self) -> dict[str, Any]:
        public = self._key.as_dict(private=False)
        return {"keys": [public | {"kid": self._kid, "use": "sig", "alg": "ES256"}]}

    # -- authorization ------------------------------------------------------------------------

    def authorization_request(self, params: dict[str, str]) -> AuthorizationRequest:
        """Check an authorization request; InputError (never a redirect) if it is not ours."""
        client = self._clients.get(params.get("client_id", ""))
        if client is None:
            raise InputError("unknown client_id", code="input.oidc", where="client_id")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            raise InputError(
                "redirect_uri is not registered for this client",
                code="input.oidc",
                where="redirect_uri",
            )
        for name, expected in (("response_type", "code"), ("code_challenge_method", "S256")):
            if params.get(name) != expected:
                raise InputError(f"{name} must be {expected}", code="input.oidc", where=name)
        if "openid" not in params.get("scope", "").split():
            raise InputError("scope must include openid", code="input.oidc", where="scope")
        for name in ("state", "nonce", "code_challenge"):
            if not 8 <= len(params.get(name, "")) <= 200:
                raise InputError(f"{name} is required", code="input.oidc", where=name)
        return AuthorizationRequest(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            state=params["state"],
            nonce=params["nonce"],
            code_challenge=params["code_challenge"],
        )

    def sign_in(
        self, request: AuthorizationRequest, subject: str, pin: str
    ) -> tuple[str | None, PinResult]:
        """The card and PIN: a code for the client when they are right, else the PIN result."""
        result = self._cards.try_pin(subject, pin)
        if result.outcome is not PinOutcome.ACCEPTED:
            return None, result
        prove_possession(
            self._cards.private_key(subject),
            self._card(subject).certificate_pem,
            self._authority,
            datetime.now(UTC),
        )
        code = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._grants = {k: g for k, g in self._grants.items() if g.expires > now}
            self._grants[code] = _Grant(request, subject, int(now), now + CODE_LIFETIME)
        return code, result

    # -- token ---------------------------------------------------------------------------------

    def exchange(
        self,
        *,
        client_id: str,
        client_secret: str,
        code: str,
        redirect_uri: str,
        code_verifier: str,
    ) -> dict[str, Any]:
        """The token response for a code (used at most once), or AccessDeniedError."""
        client = self._clients.get(client_id)
        if client is None or not hmac.compare_digest(client.secret, client_secret):
            raise AccessDeniedError("client authentication failed", code="access.oidc_client")
        with self._lock:
            grant = self._grants.pop(code, None)
        if grant is None or grant.expires <= self._clock():
            raise AccessDeniedError("the code is unknown, used or expired", code="access.oidc_code")
        request = grant.request
        if request.client_id != client_id or request.redirect_uri != redirect_uri:
            raise AccessDeniedError(
                "the code was issued to another client", code="access.oidc_code"
            )
        digest = hashlib.sha256(code_verifier.encode("ascii", "replace")).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        if not hmac.compare_digest(challenge, request.code_challenge):
            raise AccessDeniedError(
                "the PKCE code_verifier does not match", code="access.oidc_pkce"
            )
        now = int(self._clock())
        claims = self._claims(self._card(grant.subject)) | {
            "iss": self.issuer,
            "sub": grant.subject,
            "aud": client_id,
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
            "auth_time": grant.auth_time,
            "nonce": request.nonce,
        }
        id_token = jwt.encode({"alg": "ES256", "kid": self._kid, "typ": "JWT"}, claims, self._key)
        return {
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "id_token": id_token,
        }

    def _card(self, subject: str) -> Card:
        card = self._cards.get(subject)
        if card is None:
            raise AccessDeniedError("no such card", code="access.oidc_code")
        return card

    @staticmethod
    def _claims(card: Card) -> dict[str, Any]:
        holder = card.holder
        return {
            "name": f"{holder.family_name} {holder.given_name}",
            "family_name": holder.family_name,
            "given_name": holder.given_name,
            "jp_name_kana": f"{holder.family_name_kana} {holder.given_name_kana}".strip(),
            "jp_former_family_name": holder.former_family_name,
            "birthdate": holder.birth_date,
            "gender": holder.sex,
            "address": {"formatted": holder.address, "country": "JP"},
            "jp_municipality_code": holder.municipality_code,
        }
