"""``shomeisho kpi rollup``: roll the raw records up into the KPI facts (docs/kpi.md).

The service does this on its own (a background job looks every 10 minutes and rolls up what is
due); the command is for catching up at once, re-rolling a range after a fix, or a deployment
whose service runs without background jobs. Without ``--from``/``--to`` it rolls up what the
job would (days not settled yet, days never rolled up); with them it rolls up exactly those
days, whatever their state. Each day is replaced as a whole, so running it again is harmless,
also while the service runs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress

from shomeisho.cli.context import DEMO_OPTION, load_settings, open_database
from shomeisho.db.kpi_facts import SqlKpiStore
from shomeisho.errors import InputError
from shomeisho.kpi.facts import japan_day
from shomeisho.kpi.rollup import due_days, roll_up

out = Console(highlight=False, soft_wrap=True)
SHOW_PROGRESS_FROM = 8  # days; shorter runs just say what they did


def rollup(
    first: str | None = typer.Option(None, "--from", help="First day (Japan), e.g. 2026-11-01."),
    last: str | None = typer.Option(None, "--to", help="Last day, included (default: today)."),
    demo: bool = DEMO_OPTION,
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Data directory (with --demo, default: shomeisho-demo)."
    ),
) -> None:
    """Roll up the KPI facts: the due days, or every day from --from to --to."""
    settings = load_settings(demo, data_dir)
    engine = open_database(settings)
    try:
        store = SqlKpiStore(engine)
        now = datetime.now(UTC)
        if first is None and last is None:
            start = store.first_raw_day()
            days = due_days(now, store.rollup_times(start or japan_day(now)), start)
        else:
            days = days_between(first, last, japan_day(now))
        stored = roll_up_days(store, days)
    finally:
        engine.dispose()
    if not days:
        out.print("Nothing to roll up: every day is up to date.")
    else:
        out.print(f"Rolled up {stored} of {len(days)} days ({days[0]} to {days[-1]}).")


def days_between(first: str | None, last: str | None, today: date) -> list[date]:
    """The days ``first`` to ``last`` (ISO dates; ``last`` defaults to today, ``first`` to
    ``last``), refusing a reversed range."""
    end = _day(last, "--to") if last else today
    start = _day(first, "--from") if first else end
    if start > end:
        raise InputError("--from must not be after --to", code="input.date", where="--from")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{option} must be a date like 2026-11-01, not {text[:20]!r}",
            code="input.date",
            where=option,
        ) from None


def roll_up_days(store: SqlKpiStore, days: list[date], console: Console = out) -> int:
    """Roll up ``days`` with a progress bar when they are many."""
    if len(days) < SHOW_PROGRESS_FROM:
        return roll_up(store, days)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("KPI roll-up", total=len(days))
        return roll_up(store, days, progress=lambda _day: progress.advance(task))
