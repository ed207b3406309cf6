"""Errors as RFC 9457 problem details (``application/problem+json``) with our stable codes.

Every refusal the service raises maps to one HTTP status by its family; anything unexpected is
logged and answered with a plain 500 that reveals nothing (no stack trace ever reaches a client).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from shomeisho.errors import (
    AccessDeniedError,
    ConflictError,
    InputError,
    NotFoundError,
    ShomeishoError,
)
from shomeisho.web import pages

PROBLEM = "application/problem+json"
log = logging.getLogger("shomeisho.web")


def status_of(error: ShomeishoError) -> int:
    if isinstance(error, AccessDeniedError):
        return 401 if error.code == "access.sign_in" else 403
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, InputError):
        return 422
    return 400


def problem(
    status: int, title: str, detail: str, code: str, *, where: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://shomeisho.example.jp/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if where:
        body["where"] = where
    body.update(extra)
    headers = {"WWW-Authenticate": 'Cookie realm="shomeisho staff"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


_TITLES = {
    401: "Sign-in needed / サインインが必要です",
    403: "Not allowed / 権限がありません",
    404: "Not found / 見つかりません",
    409: "Conflict / 競合しています",
    422: "Input not usable / 入力を確認してください",
    400: "Request refused / 受け付けられません",
}


def wants_page(request: Request) -> bool:
    """A person's browser on one of the pages (not the API): answer with a page, not JSON."""
    path = request.url.path
    return not path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def problem_page(request: Request, status: int, code: str, detail: str) -> Response:
    """The same refusal as a page in the person's language: what happened, what to do next,
    and the code to quote at the counter; never a stack trace."""
    return pages.render(
        request, "problem.html", status, problem_status=status, code=code, detail=detail
    )


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document (or page)."""

    @app.exception_handler(ShomeishoError)
    async def ours(request: Request, exc: ShomeishoError) -> Response:
        status = status_of(exc)
        if wants_page(request):
            return problem_page(request, status, exc.code, exc.message)
        return problem(status, _TITLES[status], exc.message, exc.code, where=exc.where)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {
                "where": ".".join(str(p) for p in error.get("loc", ())),
                "message": str(error.get("msg", "")),
            }
            for error in exc.errors()
        ]
        first = fields[0] if fields else {"where": "", "message": "invalid request"}
        return problem(
            422,
            _TITLES[422],
            f"{first['where']}: {first['message']}",
            "input.request",
            where=first["where"],
            errors=fields,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found.route", 405: "input.method", 401: "access.sign_in"}.get(
            exc.status_code, "error.http"
        )
        if wants_page(request):
            return problem_page(request, exc.status_code, code, str(exc.detail))
        return problem(exc.status_code, str(exc.detail), str(exc.detail), code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if wants_page(request):
            try:
                return problem_page(request, 500, "error.internal", "")
            except Exception:  # the page itself failed: the plain answer still goes out
                log.exception("the error page failed")
        return problem(
            500,
            "Internal error / 内部エラー",
            "something went wrong on our side; it has been logged",
            "error.internal",
        )
