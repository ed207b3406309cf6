"""Rendering a page: the one place that picks the language and fills what every template needs.

Language: ``?lang=`` wins and is remembered in a cookie, then the cookie, then Japanese.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from shomeisho.model import JST
from shomeisho.web import i18n

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def in_japan_time(moment: datetime) -> str:
    """Times are kept in UTC and shown in Japan's time, which is what residents read."""
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M")


templates.env.filters["jst"] = in_japan_time


def language(request: Request) -> str:
    return i18n.language_of(request.query_params.get("lang"), request.cookies.get(i18n.COOKIE))


def texts(request: Request) -> dict[str, str]:
    """The page texts in the request's language."""
    return i18n.translator(language(request))


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    chosen = language(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": i18n.translator(chosen),
            "lang": chosen,
            "other_lang": "en" if chosen == "ja" else "ja",
            **context,
        },
        status_code=status,
    )
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, chosen, samesite="lax", max_age=365 * 86400)
    return response
