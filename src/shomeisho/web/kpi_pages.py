"""The KPI dashboard: ``/kpi`` (public), ``/kpi/data.csv`` and ``.json`` (open data), and
``/staff/kpi`` (staff: their municipality, or everything for the national operator).

Every figure comes from the fact tables (``db/kpi_facts.py``), never from the raw events, so a
visit costs a handful of grouped reads whatever the period. The public page and the open data
are written from the same published rows (:mod:`shomeisho.kpi.published`), so a count withheld
on the page is withheld in the CSV and the JSON too. Staff see exact counts of what they may
see anyway: clerks and municipal admins their own municipality's issuances, the national
operator all (and may choose a municipality), through the record service's access table.

This module also counts the public verifier page's verifications (per day, format and verdict,
in memory and written every few seconds like the API's usage), except those the self-check
makes, which say so in the ``X-Shomeisho-Synthetic: selfcheck`` header.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from shomeisho.api_access.usage import UsageRecorder
from shomeisho.db.kpi_facts import SqlKpiStore
from shomeisho.db.kpi_sources import SqlVerificationCounts
from shomeisho.errors import AccessDeniedError, InputError
from shomeisho.kpi.facts import japan_day
from shomeisho.kpi.published import Published, publish
from shomeisho.kpi.rollup import CHECK_INTERVAL, roll_up_due
from shomeisho.kpi.suppression import SMALL
from shomeisho.presented import Outcome
from shomeisho.records.access import Action, require
from shomeisho.records.municipalities import validate_code
from shomeisho.web import kpi_view, pages, sessions
from shomeisho.web.staff_pages import SignInNeededError

PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
LONGEST = 366  # days in one request, as for the journey metrics API
SYNTHETIC_HEADER = "X-Shomeisho-Synthetic"
LICENCE_URL = "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"
CSV_FIELDS = ("period_from", "period_to", "municipality_code", "municipality_name", "figure",
              "breakdown", "key", "value", "unit", "withheld")  # fmt: skip
log = logging.getLogger("shomeisho.kpi")
router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """The pages, the page's verification counter, and the roll-up job of the service."""
    store = SqlKpiStore(app.state.engine)
    app.state.kpi_store = store
    app.state.page_verifications = UsageRecorder(SqlVerificationCounts(app.state.engine))

    def roll_up() -> None:
        days = roll_up_due(store)
        if days:
            log.info("KPI facts rolled up for %d days", days)

    app.state.background.add("kpi-rollup", CHECK_INTERVAL, roll_up, first_delay=30)
    app.include_router(router)


def close(app: FastAPI) -> None:
    """On shutdown: write the page's counts still in memory."""
    recorder: UsageRecorder | None = getattr(app.state, "page_verifications", None)
    if recorder is not None:
        recorder.close()


def count_page_verifications(request: Request, outcomes: Iterable[Outcome]) -> None:
    """Count what the public page verified (format and verdict only), unless the self-check
    sent it: its traffic must not be counted as use."""
    if request.headers.get(SYNTHETIC_HEADER, "").strip().lower() == "selfcheck":
        return
    recorder: UsageRecorder | None = getattr(request.app.state, "page_verifications", None)
    if recorder is None:
        return
    for outcome in outcomes:
        recorder.count("page", outcome.verification.format, outcome.verification.verdict.value)


def period_asked(params: Any, today: date) -> tuple[date, date, int | None]:
    """``(first, last, days)`` from the query: ``days`` (the last N whole days, up to
    yesterday) or ``from``/``to`` (Japanese dates, both included, at most 366 days, not after
    today). Default: the last 30 days."""
    start, end = params.get("from", "").strip(), params.get("to", "").strip()
    if start or end:
        last = _date(end, "to") if end else today - timedelta(days=1)
        first = _date(start, "from") if start else last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise InputError("the period must start on or before its last day",
                             code="input.date", where="from")  # fmt: skip
        if last > today:
            raise InputError("the period cannot end after today", code="input.date", where="to")
        if (last - first).days + 1 > LONGEST:
            raise InputError("ask for at most 366 days at once", code="input.date", where="from")
        return first, last, None
    text = params.get("days", "").strip() or str(DEFAULT_DAYS)
    if not text.isdigit() or not 1 <= int(text) <= LONGEST:
        raise InputError("days must be a whole number from 1 to 366", code="input.date",
                         where="from")  # fmt: skip
    days = int(text)
    last = today - timedelta(days=1)
    return last - timedelta(days=days - 1), last, days


def _date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{where} must be a date like 2026-11-01, not {text[:20]!r}",
            code="input.date",
            where=where,
        ) from None


def _today() -> date:
    return japan_day(datetime.now(UTC))


def _store(request: Request) -> SqlKpiStore:
    store: SqlKpiStore = request.app.state.kpi_store
    return store


def _as_of(request: Request, first: date, last: date, t: dict[str, str]) -> list[str]:
    """When the period's figures were counted, and how many of its days are not yet."""
    rolled = _store(request).rollup_times(first, last)
    notes = []
    if rolled:
        oldest = min(rolled.values())
        notes.append(t["kpi_as_of"].format(at=pages.in_japan_time(oldest)))
    missing = (last - first).days + 1 - len(rolled)
    if missing:
        notes.append(t["kpi_not_rolled"].format(days=missing))
    return notes


def _context(request: Request, published: Published, days: int | None) -> dict[str, Any]:
    t, lang = pages.texts(request), pages.language(request)
    first, last = date.fromisoformat(published.first), date.fromisoformat(published.last)
    query = f"from={published.first}&to={published.last}"
    return {
        "sections": kpi_view.sections(published, t, lang),
        "published": published,
        "periods": PERIODS,
        "days": days,
        "from_value": published.first,
        "to_value": published.last,
        "shown_period": t["kpi_shown_period"].format(first=published.first, last=published.last),
        "notes": _as_of(request, first, last, t),
        "data_query": query,
        "small": SMALL,
        "public_url": str(request.app.state.settings.public_url).rstrip("/"),
        "licence_url": LICENCE_URL,
    }


@router.get("/kpi", response_class=HTMLResponse)
def kpi_page(request: Request) -> Response:
    try:
        first, last, days = period_asked(request.query_params, _today())
    except InputError as exc:
        return _refused_period(request, "kpi/page.html", exc, staff=None)
    published = publish(_store(request).period(first, last))
    response = pages.render(request, "kpi/page.html", **_context(request, published, days))
    response.headers["Cache-Control"] = "private, max-age=300"  # the language is a cookie's
    return response


def _refused_period(
    request: Request, template: str, error: InputError, *, staff: Any, municipality: str = ""
) -> Response:
    params = request.query_params
    return pages.render(
        request,
        template,
        422,
        error=error,
        staff=staff,
        periods=PERIODS,
        days=None,
        from_value=params.get("from", ""),
        to_value=params.get("to", ""),
        municipality=municipality,
    )


@router.get("/kpi/data.csv")
def kpi_csv(request: Request) -> Response:
    first, last, _ = period_asked(request.query_params, _today())
    published = publish(_store(request).period(first, last))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for row in _records(published):
        writer.writerow(["" if v is None else v for v in row.values()])
    headers = _open_data_headers(first, last, "csv")
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/kpi/data.json")
def kpi_json(request: Request) -> Response:
    first, last, _ = period_asked(request.query_params, _today())
    published = publish(_store(request).period(first, last))
    url = str(request.app.state.settings.public_url).rstrip("/") + "/kpi"
    body = {
        "title": "接種証明書の利用状況 / Vaccination certificate figures",
        "period": {"from": published.first, "to": published.last, "time_zone": "Asia/Tokyo"},
        "counted_at": _counted_at(request, first, last),
        "suppression": {
            "threshold": SMALL,
            "rule": "counts from 1 to 9 are withheld (withheld: small), and so is any count that "
            "would reveal one by subtraction (withheld: complementary); see docs/kpi.md",
        },
        "licence": {
            "name": "公共データ利用規約（第1.0版）/ Public Data License 1.0 (PDL1.0)",
            "url": LICENCE_URL,
            "compatible_with": "CC BY 4.0",
            "attribution": f"出典: 接種証明書の利用状況（{url}）、PDL1.0",
        },
        "fields": "docs/kpi.md#open-data",
        "rows": list(_records(published)),
    }
    headers = _open_data_headers(first, last, "json")
    return Response(orjson.dumps(body), media_type="application/json", headers=headers)


def _counted_at(request: Request, first: date, last: date) -> str | None:
    rolled = _store(request).rollup_times(first, last)
    return min(rolled.values()).isoformat() if rolled else None


def _open_data_headers(first: date, last: date, kind: str) -> dict[str, str]:
    name = f"shomeisho-kpi-{first.isoformat()}-{last.isoformat()}.{kind}"
    return {
        "Content-Disposition": f'inline; filename="{name}"',
        "Link": f'<{LICENCE_URL}>; rel="license"',
        "Cache-Control": "public, max-age=300",
    }


def _records(published: Published) -> Iterable[dict[str, Any]]:
    for row in published.rows:
        cell = row.cell
        yield {
            "period_from": published.first,
            "period_to": published.last,
            "municipality_code": cell.municipality,
            "municipality_name": kpi_view.municipality_name(cell.municipality, "ja")
            if cell.municipality
            else "",
            "figure": cell.figure,
            "breakdown": cell.breakdown,
            "key": cell.key,
            "value": row.value,
            "unit": row.unit,
            "withheld": row.withheld,
        }


@router.get("/staff/kpi", response_class=HTMLResponse)
def staff_kpi(request: Request) -> Response:
    staff = sessions.signed_in_staff(request)
    if staff is None:
        raise SignInNeededError
    t = pages.texts(request)
    code = request.query_params.get("municipality", "").strip()
    code = code or staff.municipality_code or ""
    try:
        municipality = validate_code(code) if code else ""
        require(staff, Action.READ, municipality or None)
    except (InputError, AccessDeniedError) as exc:
        status, title = (403, t["not_allowed"]) if isinstance(exc, AccessDeniedError) else (
            422, t["error_title"])  # fmt: skip
        return pages.render(request, "staff/refused.html", status, staff=staff, title=title,
                            message=exc.message)  # fmt: skip
    try:
        first, last, days = period_asked(request.query_params, _today())
    except InputError as exc:
        return _refused_period(request, "staff/kpi.html", exc, staff=staff,
                               municipality=municipality)  # fmt: skip
    facts = _store(request).period(first, last, municipality)
    published = publish(facts, suppress=False, municipality=municipality)
    context = _context(request, published, days)
    response = pages.render(
        request, "staff/kpi.html", staff=staff, municipality=municipality, **context
    )
    response.headers["Cache-Control"] = "no-store"
    return response
