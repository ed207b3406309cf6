"""``/readyz`` for load balancers, ``/status`` for people (and ``/status.json`` for programs).

``/readyz`` answers 200 when every readiness check passes and 503 naming each that fails
(:mod:`shomeisho.ops.readiness`), as JSON, never cached. ``/status`` is the public status page:
the same checks, the warnings, version, commit, schema revision, each signing certificate's end,
the trust list's age and the self-check's last run and 90 days of history, in Japanese or
English, without JavaScript. ``/status`` with ``Accept: application/json`` answers what
``/status.json`` does.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from shomeisho.model import JST
from shomeisho.ops.readiness import Readiness
from shomeisho.ops.status import ServiceStatus
from shomeisho.web import pages

if TYPE_CHECKING:
    from shomeisho.web.operations import Operations
    from shomeisho.web.readiness import ReadinessProbe

router = APIRouter(include_in_schema=False)
_NO_STORE = {"Cache-Control": "no-store"}
# The status page has no script, no form and loads only our own styles.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    probe: ReadinessProbe = request.app.state.readiness
    readiness: Readiness = probe.run()
    return JSONResponse(
        readiness.to_document(), status_code=200 if readiness.ok else 503, headers=_NO_STORE
    )


@router.get("/status.json")
def status_json(request: Request) -> JSONResponse:
    return _json(_status(request))


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request) -> Response:
    status = _status(request)
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return _json(status)
    response = pages.render(request, "status/status.html", **page_context(status))
    response.headers.update(_HEADERS)
    return response


def _status(request: Request) -> ServiceStatus:
    operations: Operations = request.app.state.operations
    return operations.status()


def _json(status: ServiceStatus) -> JSONResponse:
    return JSONResponse(status.to_document(), headers=_NO_STORE)


def page_context(status: ServiceStatus) -> dict[str, Any]:
    """What the template shows, worked out here so the template only lays it out."""
    now = status.checked_at
    trust = status.trust_list
    last = status.last_run
    days = list(status.uptime)
    return {
        "service": status,
        "state": status.state,
        "checked": _jst(now),
        "checks": status.readiness.checks,
        "warnings": [
            {
                "code": w.code,
                "text": "ops_warning_" + w.code.removeprefix("ops.").replace(".", "_"),
                "subject": w.subject,
                "date": _jst(w.at) if w.at and w.code.startswith("ops.selfcheck") else _day(w.at),
                "days": "" if w.days is None else math.floor(abs(w.days)),
            }
            for w in status.warnings
        ],
        "keys": [
            {
                "key": cert.key,
                "role": cert.role,
                "subject": cert.subject,
                "not_after": _day(cert.not_after),
                "days_left": _whole_days(cert.days_left(now)),
                "state": _key_state(cert.days_left(now), status.warn_days),
            }
            for cert in status.certificates
        ],
        "trust": None
        if trust is None
        else {
            "version": trust.version,
            "issued": _day(trust.issued_at),
            "next_update": _day(trust.next_update),
            "age_days": _whole_days(_in_days(trust.age_seconds(now))),
            "stale": trust.is_stale(now),
        },
        "last": None
        if last is None
        else {
            "at": _jst(last.started_at),
            "ok": last.ok,
            "failed_step": last.failed_step,
            "seconds": round((last.finished_at - last.started_at).total_seconds(), 1),
            "steps": last.steps,
        },
        "days": [
            {"day": d.day.isoformat(), "state": d.state, "runs": d.runs, "failures": d.failures}
            for d in days
        ],
        "first_day": days[0].day.isoformat() if days else "",
        "last_day": days[-1].day.isoformat() if days else "",
        "totals": status.uptime_counts(),
    }


def _in_days(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 86400


def _whole_days(days: float | None) -> int | None:
    """Whole days, rounded down (a certificate with 9.7 days left has 9 whole days)."""
    return None if days is None else math.floor(days)


def _key_state(left: float | None, warn_days: int) -> str:
    if left is None:
        return "none"
    if left < 0:
        return "expired"
    return "expiring" if left <= warn_days else "ok"


def _jst(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M")


def _day(moment: datetime | None) -> str:
    return moment.astimezone(JST).date().isoformat() if moment else ""
