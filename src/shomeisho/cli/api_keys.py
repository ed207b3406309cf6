"""``shomeisho api-keys ...``: the national operator issues, lists and revokes private apps' API
keys and reads their usage (docs/api.md).

The operator signs in like every staff command (``--as LOGIN``); the authorisation table lets
only the national operator manage keys. With ``--demo`` the database is the one ``serve --demo``
uses (``shomeisho-demo``) unless ``--data-dir`` says otherwise, so a key made here works on the
demo server at once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shomeisho.api_access.service import ApiKeyService
from shomeisho.api_access.usage import japan_day
from shomeisho.cli.context import AS_OPTION, DEMO_OPTION, load_settings, open_database, sign_in
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.errors import InputError
from shomeisho.records.entities import Staff

out = Console(highlight=False, soft_wrap=True)
DATA_DIR_OPTION = typer.Option(
    None, "--data-dir", help="Data directory (with --demo, default: shomeisho-demo)."
)


def _service(login: str, demo: bool, data_dir: Path | None) -> tuple[ApiKeyService, Staff]:
    if demo and data_dir is None:
        data_dir = Path("shomeisho-demo")  # where `serve --demo` keeps its database
    settings = load_settings(demo, data_dir)
    engine = open_database(settings)
    actor = sign_in(engine, login)
    secret = settings.record_secret.get_secret_value().encode("utf-8")  # as the server's
    return ApiKeyService(SqlApiKeyStore(engine), secret), actor


def create(
    organisation: str = typer.Option(..., "--org", help="The organisation the key is for."),
    rate: int = typer.Option(..., "--rate", help="Requests a minute the key may send."),
    burst: int | None = typer.Option(
        None, "--burst", help="Requests it may send at once (default: ten seconds' worth)."
    ),
    login: str = AS_OPTION,
    demo: bool = DEMO_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Issue an API key for an organisation; the key is printed once and never again."""
    service, actor = _service(login, demo, data_dir)
    issued = service.create(actor, organisation, rate, burst)
    key = issued.key
    out.print(
        f"API key [bold]{key.key_id}[/] for {key.organisation}: {key.rate_per_minute} requests "
        f"a minute, bursts of {key.burst}. Hand it over now; it is not shown again "
        "(only its keyed hash is kept):"
    )
    typer.echo(issued.token)


def list_keys(
    login: str = AS_OPTION,
    demo: bool = DEMO_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """List every API key: organisation, limits, when made, whether revoked."""
    service, actor = _service(login, demo, data_dir)
    keys = service.keys(actor)
    table = Table(title=f"{len(keys)} API keys")
    for column in ("key id", "organisation", "rate/min", "burst", "created", "revoked"):
        table.add_column(column)
    for key in keys:
        revoked = "" if key.revoked_at is None else f"{_shown(key.revoked_at)} {key.revoked_by}"
        table.add_row(
            key.key_id,
            key.organisation,
            f"{key.rate_per_minute:,}",
            f"{key.burst:,}",
            f"{_shown(key.created_at)} {key.created_by}",
            revoked,
        )
    out.print(table)


def revoke(
    key_id: str = typer.Argument(..., help="The key id (the part after shomeisho_)."),
    login: str = AS_OPTION,
    demo: bool = DEMO_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Revoke an API key for good (running servers refuse it within 5 seconds)."""
    service, actor = _service(login, demo, data_dir)
    key, now = service.revoke(actor, key_id.strip())
    assert key.revoked_at is not None
    when = _shown(key.revoked_at)
    if now:
        out.print(f"revoked API key {key.key_id} of {key.organisation} at {when}")
    else:
        out.print(f"API key {key.key_id} of {key.organisation} was already revoked at {when}")


def usage(
    since: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD, Japan)."),
    until: str | None = typer.Option(None, "--to", help="Last day, included (default today)."),
    login: str = AS_OPTION,
    demo: bool = DEMO_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Verifications per key, day, format and verdict (default: the last 7 days)."""
    last = _day(until, "--to") if until else japan_day(datetime.now(UTC))
    first = _day(since, "--from") if since else last - timedelta(days=6)
    service, actor = _service(login, demo, data_dir)
    rows = service.usage(actor, first, last)
    table = Table(title=f"API usage {first} to {last} (Japan days)")
    for column in ("day", "key id", "organisation", "format", "verdict", "total"):
        table.add_column(column)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        table.add_row(str(row.day), row.key_id, row.organisation, row.format or "-",
                      row.verdict, f"{row.total:,}")  # fmt: skip
        totals[(row.key_id, row.organisation)] += row.total
    out.print(table)
    for (key_id, organisation), total in sorted(totals.items()):
        out.print(f"{key_id} ({organisation}): {total:,} in all")
    if not rows:
        out.print("no use of any key in these days")


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{option} must be a date like 2026-11-01, not {text[:20]!r}", code="input.date"
        ) from None


def _shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
