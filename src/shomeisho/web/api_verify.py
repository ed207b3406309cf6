"""``POST /api/v1/verify``: the verification API for private apps (issue 5).

An organisation's app sends a certificate (text as JSON, or a QR image as multipart) with its
API key and gets the same verdict the public page and the command line give. Order matters:
the key and its rate limit are checked before the body is read, so a refused client costs
almost nothing; the body is read into memory with hard caps and never written anywhere (not
even to a temporary file); the verification runs in a worker thread so one large image does
not stall the other requests.

Nothing of a certificate is logged: not by us, not in uvicorn's access log (a query string or
path under this endpoint is cut from the log line, in case a client puts a certificate there),
and not in a traceback (an unexpected failure is logged as its type and code locations only,
because an exception message may quote its input). Usage is counted per key, day, format and
verdict (:mod:`shomeisho.api_access.usage`).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from shomeisho.api_access.keys import ApiKey
from shomeisho.api_access.limits import RateLimiter, retry_after
from shomeisho.api_access.service import ApiKeyCheck
from shomeisho.api_access.usage import RATE_LIMITED, UsageRecorder
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.errors import AccessDeniedError, InputError, NotFoundError
from shomeisho.presented import MAX_INPUT_BYTES, read_bytes
from shomeisho.verifier import Verifier
from shomeisho.web import metrics
from shomeisho.web.api_verify_schemas import (
    MAX_TEXT,
    PROBLEM_RESPONSES,
    REQUEST_BODY,
    ResultOut,
    VerifyOptions,
    VerifyOut,
    VerifyText,
)
from shomeisho.web.problems import problem

PATH = "/api/v1/verify"
MAX_JSON_BODY = 64 * 1024  # 8,000 characters even when every one is a \uXXXX escape
MAX_MULTIPART_BODY = MAX_INPUT_BYTES + 64 * 1024  # the image and the multipart framing
CHALLENGE = 'Bearer realm="shomeisho verification API"'
NO_TRUST_LIST = "this service has no trust list configured"
log = logging.getLogger("shomeisho.web.api_verify")
router = APIRouter(prefix="/api/v1", tags=["verification"])
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="The API key the national operator issued to your organisation "
    "(`shomeisho_<id>_<secret>`), as `Authorization: Bearer <key>`.",
)
key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKeyHeader",
    description="The same API key in an `X-API-Key` header, for clients that cannot set "
    "`Authorization`.",
)


@dataclass
class ApiGate:
    """What stands before the verifier: key check, rate limits, usage counts (one per app;
    tests swap in parts with their own clocks)."""

    keys: ApiKeyCheck
    limiter: RateLimiter
    usage: UsageRecorder


class ApiRefusedError(Exception):
    """A refusal with its HTTP status, our code and any headers (Retry-After, the challenge)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        where: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(code)
        self.status, self.code, self.detail, self.where = status, code, detail, where
        self.headers = headers or {}
        self.extra = extra


_TITLES = {
    400: "Request refused / 受け付けられません",
    401: "API key needed / APIキーが必要です",
    413: "Too large / 大きすぎます",
    415: "Unsupported media type / 対応していない形式です",
    422: "Input not usable / 入力を確認してください",
    429: "Too many requests / リクエストが多すぎます",
    500: "Internal error / 内部エラー",
    503: "Not available / 利用できません",
}


def install(app: FastAPI) -> None:
    """Wire the API into ``app`` (its engine and secret are on ``app.state``)."""
    store = SqlApiKeyStore(app.state.engine)
    app.state.api_gate = ApiGate(
        ApiKeyCheck(store, app.state.secret), RateLimiter(), UsageRecorder(store)
    )
    app.add_exception_handler(ApiRefusedError, _refused)  # type: ignore[arg-type]
    app.include_router(router)
    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, PayloadFreeAccessLog) for f in access_log.filters):
        access_log.addFilter(PayloadFreeAccessLog())


def close(app: FastAPI) -> None:
    """On shutdown: write the usage counts still in memory."""
    gate: ApiGate | None = getattr(app.state, "api_gate", None)
    if gate is not None:
        gate.usage.close()


class PayloadFreeAccessLog(logging.Filter):
    """Cuts anything after the endpoint's path from uvicorn's access log line (``args[2]`` is
    the path with its query string), so a certificate put in the URL is not written to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2]
            if path.startswith(PATH) and path != PATH:
                record.args = (*args[:2], f"{PATH}…", *args[3:])
        return True


async def _refused(_request: Request, exc: ApiRefusedError) -> Response:
    title = _TITLES[exc.status]
    response = problem(exc.status, title, exc.detail, exc.code, where=exc.where, **exc.extra)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    response.headers.update(exc.headers)
    return response


async def api_client(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header: Annotated[str | None, Depends(key_header)],
) -> ApiKey:
    """The calling key, admitted by its rate limit; 401 or 429 otherwise. Async: a known key
    is recognised from memory, so a thread hop would cost more than the check (a key not seen
    for a few seconds costs one indexed read)."""
    gate: ApiGate = request.app.state.api_gate
    token = credentials.credentials if credentials is not None else header
    try:
        key = gate.keys.authenticate(token.strip() if token else None)
    except AccessDeniedError as exc:
        raise ApiRefusedError(401, exc.code, exc.message) from None
    wait = gate.limiter.admit(key)
    if wait > 0:
        gate.usage.count(key.key_id, "", RATE_LIMITED)
        seconds = retry_after(wait)
        raise ApiRefusedError(
            429,
            "access.rate_limit",
            f"this key may send {key.rate_per_minute} requests a minute, in bursts of at most "
            f"{key.burst}; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    return key


@router.post(
    "/verify",
    response_model=VerifyOut,
    summary="Verify certificates (private apps, API key)",
    description=(
        "Verifies every certificate in the request: SMART Health Cards, EU DCC and ICAO VDS-NC, "
        "against the national trust list, with revocation, and the country's acceptance rules "
        "when `country` is given. Send JSON (`text`) or multipart/form-data (`image`). The "
        "answer has one result per certificate; the holder's name and date of birth appear "
        "only when the signature verified. Nothing of the certificate is stored or logged; "
        "usage is counted per key, day, format and verdict. Rate limits per key answer 429 "
        "with `Retry-After`. See docs/api.md."
    ),
    responses=PROBLEM_RESPONSES,
    openapi_extra={"requestBody": REQUEST_BODY},
)
async def verify(request: Request, key: Annotated[ApiKey, Depends(api_client)]) -> Response:
    verifier: Verifier | None = request.app.state.verifier
    if verifier is None:
        raise ApiRefusedError(503, "error.not_configured", NO_TRUST_LIST)
    submitted = await _submission(request)
    try:
        if submitted.source == "image":  # reading QR codes in a photo takes long: off the loop
            answer = await run_in_threadpool(_verified, verifier, submitted)
        else:  # a text of at most 8,000 characters verifies in well under a millisecond
            answer = _verified(verifier, submitted)
    except NotFoundError:  # a verifier that reloads its trust list may find none
        raise ApiRefusedError(503, "error.not_configured", NO_TRUST_LIST) from None
    except InputError as exc:  # e.g. a country whose rules this service does not hold
        raise ApiRefusedError(422, exc.code, exc.message, where=exc.where) from None
    except Exception as exc:
        _log_without_payload(exc)
        raise ApiRefusedError(
            500, "error.internal", "something went wrong on our side; it has been logged"
        ) from None
    finally:
        del submitted  # nothing of the certificate outlives the request
    gate: ApiGate = request.app.state.api_gate
    for result in answer.results:
        gate.usage.count(key.key_id, result.format, result.verdict)
    metrics.count_verified(request, ((r.format, r.verdict) for r in answer.results), "api")
    return Response(orjson.dumps(answer.model_dump(mode="json")), media_type="application/json")


@dataclass
class Submission:
    """What a request handed over, not yet read: certificate text or an image's bytes."""

    data: bytes
    source: str  # "text" or "image"
    name: str
    options: VerifyOptions


def _verified(verifier: Verifier, submitted: Submission) -> VerifyOut:
    options = submitted.options
    at = options.at or datetime.now(UTC)
    items = read_bytes(submitted.data, source=submitted.source, name=submitted.name)
    outcomes = verifier.verify(items, at=at, country=options.country)
    return VerifyOut(
        results=[ResultOut.of(outcome) for outcome in outcomes],
        verified_at=at,
        country=options.country,
        rules_applied=options.country is not None and options.country in verifier.rule_countries(),
    )


async def _submission(request: Request) -> Submission:
    """The certificate text or image and the options in the body, or a 413/415/422 refusal."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        raw = await _body(request, MAX_JSON_BODY)
        try:
            given = VerifyText.model_validate_json(raw)
        except ValidationError as exc:
            raise _unusable(exc) from None
        if len(given.text) > MAX_TEXT:
            raise ApiRefusedError(
                413, "input.too_large", f"the text is longer than {MAX_TEXT:,} characters"
            )
        text = given.text.strip()
        if not text:
            raise ApiRefusedError(422, "input.request", "the text is empty", where="text")
        return Submission(text.encode("utf-8"), "text", "", given)
    if media == "multipart/form-data":
        raw = await _body(request, MAX_MULTIPART_BODY)
        return await _image_submission(request.headers, raw)
    raise ApiRefusedError(
        415,
        "input.media_type",
        "send JSON ({\"text\": ...}) or multipart/form-data with an 'image' file",
    )


async def _image_submission(headers: Headers, raw: bytes) -> Submission:
    async def chunks() -> AsyncGenerator[bytes, None]:
        yield raw

    parser = _InMemoryParts(headers, chunks(), max_files=1, max_fields=2, max_part_size=1024)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ApiRefusedError(422, "input.request", exc.message) from None
    try:
        upload = form.get("image")
        if not isinstance(upload, UploadFile):
            raise ApiRefusedError(
                422, "input.request", "send the image as a file part named 'image'", where="image"
            )
        data = await upload.read()
        fields = {name: form.get(name) or None for name in ("country", "at")}
    finally:
        await form.close()
    if len(data) > MAX_INPUT_BYTES:
        raise ApiRefusedError(413, "input.too_large", "the image is larger than 20 MiB")
    if not data:
        raise ApiRefusedError(422, "input.request", "the image is empty", where="image")
    try:
        options = VerifyOptions.model_validate(fields)
    except ValidationError as exc:
        raise _unusable(exc) from None
    return Submission(data, "image", upload.filename or "", options)


class _InMemoryParts(MultiPartParser):
    """Starlette's multipart parser, but a file part stays in memory instead of going to a
    temporary file on disk past 1 MiB: nothing of a certificate is written anywhere."""

    spool_max_size = MAX_MULTIPART_BODY + 1


async def _body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiRefusedError(413, "input.too_large", f"the request is larger than {limit:,} bytes")
    received = bytearray()
    try:
        async for chunk in request.stream():
            received += chunk
            if len(received) > limit:
                raise ApiRefusedError(
                    413, "input.too_large", f"the request is larger than {limit:,} bytes"
                )
    except ClientDisconnect:  # the client went away mid-body: nobody is left to answer
        raise ApiRefusedError(400, "input.request", "the request ended early") from None
    return bytes(received)


def _unusable(exc: ValidationError) -> ApiRefusedError:
    """422 naming the fields; the rejected values are never echoed (nor logged)."""
    fields = [
        {"where": ".".join(str(p) for p in error["loc"]), "message": error["msg"]}
        for error in exc.errors(include_input=False, include_url=False)
    ]
    first = fields[0] if fields else {"where": "", "message": "invalid request"}
    detail = f"{first['where']}: {first['message']}" if first["where"] else first["message"]
    return ApiRefusedError(
        422, "input.request", detail, where=first["where"] or None, errors=fields
    )


def _log_without_payload(exc: BaseException) -> None:
    """The failure's type and where in our code it happened; not its message or locals, which
    may quote the certificate."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    log.error("verification failed: %s at %s", type(exc).__name__, where)
