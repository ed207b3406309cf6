"""Request and answer shapes of ``POST /api/v1/verify``, with the examples the OpenAPI page shows.

The answer is deliberately small (data minimisation): a private app needs the verdict, the
reasons, and, to match the certificate to the person in front of it, the holder's name and date
of birth, only once the signature verified. It does not get the certificate id (a stable
identifier that would let apps link one person's checks across places and time; revocation is
already checked here), nor passport numbers, vaccination details or signer key ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shomeisho.presented import Outcome

MAX_TEXT = 8_000  # characters, as on the public page: the largest QR holds 7,089 digits
COUNTRY = r"^[A-Z]{2}$"
SHOWN = ("format", "verdict", "errors", "warnings", "name", "name_romanised", "date_of_birth",
         "issuer", "expires_at", "source", "notes")  # fmt: skip

_COUNTRY_HELP = (
    "Country of arrival (ISO 3166-1 alpha-2) whose acceptance rules apply; without it the "
    "verdict is the technical one (signature, trust, validity). `rules_applied` in the answer "
    "says whether this service holds rules for that country."
)
_AT_HELP = (
    "Validation time, ISO 8601 with an offset (`2026-11-01T09:00:00+09:00`); default now. "
    "For checking a certificate as it stood at boarding time, for example."
)


class VerifyOptions(BaseModel):
    """What a request may say besides the certificate."""

    model_config = ConfigDict(extra="forbid")

    country: str | None = Field(None, pattern=COUNTRY, description=_COUNTRY_HELP)
    at: AwareDatetime | None = Field(None, description=_AT_HELP)


class VerifyText(VerifyOptions):
    """A certificate as text: what a QR scanner returns (`HC1:…`, `shc:/…`, VDS-NC JSON), several
    `HC1:`/`shc:/` lines, or the contents of a `.smart-health-card` file."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "HC1:6BFOXN%TSMAHN-HWWK2RL99TEZP3Z9M52N651WGRJPTWG%E5EM5K:3"},
                {"text": "shc:/5676290952432060346029243740...", "country": "JP"},
            ]
        },
    )

    text: str = Field(
        min_length=1,
        description=f"The certificate text, at most {MAX_TEXT:,} characters.",
        json_schema_extra={"maxLength": MAX_TEXT},
    )


class ErrorOut(BaseModel):
    code: str = Field(description="Stable code, listed in docs/errors.md.")
    message: str
    where: str | None = None
    rule_id: str | None = Field(None, description="The acceptance rule that failed, if any.")


class ResultOut(BaseModel):
    """One certificate found in the request."""

    source: str = Field(description='Where it was found: "text", "image (code 2 of 3)", ...')
    format: str = Field(description="shc, dcc, vdsnc, or unknown when unreadable.")
    verdict: str = Field(
        description="valid, rules_failed, not_yet_valid, expired, untrusted, invalid, revoked "
        "or unreadable: the most severe of the errors."
    )
    valid: bool
    errors: list[ErrorOut]
    warnings: list[ErrorOut] = Field(description="Facts that do not change the verdict.")
    name: str | None = Field(description="The holder's name; only under a verified signature.")
    name_romanised: str | None = None
    date_of_birth: str | None = Field(description="YYYY, YYYY-MM or YYYY-MM-DD; as `name`.")
    issuer: str | None = None
    expires_at: datetime | None = None
    notes: list[str] = []

    @classmethod
    def of(cls, outcome: Outcome) -> ResultOut:
        """Reuses the ``--json`` shape, keeping only what a checker may see."""
        shown: dict[str, Any] = {
            k: v for k, v in outcome.as_dict().items() if k in SHOWN and v not in ("", None)
        }
        shown.setdefault("name", None)
        shown.setdefault("date_of_birth", None)
        return cls(valid=shown["verdict"] == "valid", **shown)


class VerifyOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "source": "text",
                            "format": "dcc",
                            "verdict": "valid",
                            "valid": True,
                            "errors": [],
                            "warnings": [],
                            "name": "髙橋 𠮷子",
                            "name_romanised": "TAKAHASHI YOSHIKO",
                            "date_of_birth": "1961-04-09",
                            "issuer": "JP",
                            "expires_at": "2027-11-01T09:00:00+00:00",
                            "notes": [],
                        }
                    ],
                    "verified_at": "2026-11-23T10:15:00+00:00",
                    "country": None,
                    "rules_applied": False,
                },
                {
                    "results": [
                        {
                            "source": "text",
                            "format": "dcc",
                            "verdict": "invalid",
                            "valid": False,
                            "errors": [
                                {"code": "signature.mismatch", "message": "signature mismatch"}
                            ],
                            "warnings": [],
                            "name": None,
                            "date_of_birth": None,
                            "notes": [],
                        }
                    ],
                    "verified_at": "2026-11-23T10:15:00+00:00",
                    "country": "JP",
                    "rules_applied": False,
                },
            ]
        }
    )

    results: list[ResultOut] = Field(
        description="One per certificate found (an image may hold several)."
    )
    verified_at: datetime = Field(description="The validation time used.")
    country: str | None
    rules_applied: bool = Field(description="Whether the country's acceptance rules were applied.")


class ProblemOut(BaseModel):
    """RFC 9457 problem details with our stable code."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    where: str | None = None


def problem_example(status: int, code: str, detail: str) -> dict[str, Any]:
    """An OpenAPI response entry in ``application/problem+json`` with one example."""
    return {
        "application/problem+json": {
            "schema": ProblemOut.model_json_schema(),
            "example": {
                "type": f"https://shomeisho.example.jp/problems/{code}",
                "title": "…",
                "status": status,
                "detail": detail,
                "code": code,
            },
        }
    }


MULTIPART_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["image"],
    "properties": {
        "image": {
            "type": "string",
            "format": "binary",
            "description": "A PNG or JPEG photo or screenshot with one or more QR codes (at most "
            "20 MiB); a `.smart-health-card` file is read as well.",
        },
        "country": {"type": "string", "pattern": COUNTRY, "description": _COUNTRY_HELP},
        "at": {"type": "string", "format": "date-time", "description": _AT_HELP},
    },
}


REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": VerifyText.model_json_schema(),
            "examples": {
                "text": {
                    "summary": "A QR code's text",
                    "value": {"text": "HC1:6BFOXN%TSMAHN-HWWK2RL99TEZP3Z9M52N651WG…"},
                },
                "rules": {
                    "summary": "With the country of arrival and a validation time",
                    "value": {
                        "text": "shc:/56762909524320603460292437404460…",
                        "country": "JP",
                        "at": "2026-11-01T09:00:00+09:00",
                    },
                },
            },
        },
        "multipart/form-data": {
            "schema": MULTIPART_SCHEMA,
            "encoding": {"image": {"contentType": "image/png, image/jpeg"}},
        },
    },
}

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {
        "description": "No API key, or a wrong or revoked one (`access.api_key`).",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": problem_example(401, "access.api_key", "send your API key as ..."),
    },
    413: {
        "description": f"Text over {MAX_TEXT:,} characters or an image over 20 MiB.",
        "content": problem_example(413, "input.too_large", "the text is longer than 8,000 ..."),
    },
    415: {
        "description": "Neither JSON nor multipart/form-data.",
        "content": problem_example(415, "input.media_type", "send JSON or multipart ..."),
    },
    422: {
        "description": "The request is not usable: bad JSON, no text or image, a country "
        "that is not two capital letters, a time without an offset (`input.request`).",
        "content": problem_example(422, "input.request", "country: String should match ..."),
    },
    429: {
        "description": "The key's rate limit is reached (`access.rate_limit`).",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before the next request is admitted.",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
        "content": problem_example(429, "access.rate_limit", "this key may send 60 ..."),
    },
    503: {
        "description": "The service has no trust list configured (`error.not_configured`).",
        "content": problem_example(503, "error.not_configured", "this service has no ..."),
    },
}
