"""JSON logs: one JSON object per line, through structlog, for our code and every library alike.

``configure_logging`` is called once, by ``shomeisho serve`` and ``shomeisho idp``; apps built in
tests log nothing unless a test configures it. Every line has ``timestamp`` (UTC, ISO 8601),
``level``, ``logger`` and ``event``, plus ``request_id`` while a request is being answered (bound
by :class:`~shomeisho.web.observability.RequestObserver`).

What must never be in a line: personal data and certificate content. Our code logs route
templates and codes, never paths, query strings or bodies (docs/operations.md). An exception
is logged as its type and the code locations it passed through, never its message or locals:
a message may quote its input (a certificate, a name), whichever library raised it.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import IO, Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

_HANDLER_NAME = "shomeisho-json"
# HTTP clients (the OpenID Connect client, the self-check, webhooks) log each request's URL
_URL_LOGGERS = ("httpx", "httpcore", "httpx2", "authlib")


def exception_without_message(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    """Replace ``exc_info`` with ``{"type", "where"}``: the exception's class and the last code
    locations, not its text (see the module docstring)."""
    info = event.pop("exc_info", None)
    if info is True:
        info = sys.exc_info()
    elif isinstance(info, BaseException):
        info = (type(info), info, info.__traceback__)
    if isinstance(info, tuple) and len(info) == 3 and info[0] is not None:
        frames = traceback.extract_tb(info[2])[-8:]
        event["exception"] = {
            "type": info[0].__name__,
            "where": " <- ".join(
                f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames)
            ),
        }
    event.pop("stack_info", None)
    return event


def _shared() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        exception_without_message,
    ]


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> None:
    """Route structlog and the standard library's logging (uvicorn, SQLAlchemy, ours) to one
    handler that writes JSON lines to ``stream`` (standard error by default). Idempotent: a
    second call replaces the handler of the first."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()  # uvicorn's own text handlers, if it set any up
        uvicorn_logger.propagate = True
    for name in _URL_LOGGERS:  # they write whole URLs, query strings included, at INFO
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def unconfigure_logging() -> None:
    """Undo :func:`configure_logging` (tests)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    structlog.reset_defaults()


def request_logger(name: str) -> Any:
    """A structlog logger over the standard library logger ``name``, usable whether or not
    :func:`configure_logging` ran (unconfigured, the standard library drops INFO lines)."""
    return structlog.wrap_logger(
        logging.getLogger(name),
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
    )
