"""``shomeisho selfcheck``: one end-to-end self-check against a running service, now.

The same check the service schedules for itself (docs/operations.md), from outside: useful
after a deployment, from a monitoring host's cron, or to see at once whether a fix worked. It
needs the service's database and data directory (it prepares the synthetic resident and its
card there, and stores the run beside the scheduled ones, so ``/status`` shows it too), and it
alerts through ``SHOMEISHO_ALERT_WEBHOOK_URL`` by the same rule as the service.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shomeisho.cli.context import DEMO_OPTION, load_settings, open_database
from shomeisho.db.store import SqlRecordStore
from shomeisho.identity.enrolment import load_or_create_card_authority
from shomeisho.ops.runs import SelfCheckRun
from shomeisho.ops.selfcheck import StepFailedError
from shomeisho.pki import IssuedKey
from shomeisho.records.service import RecordService
from shomeisho.web.selfcheck import SelfCheck

out = Console(highlight=False, soft_wrap=True)


def selfcheck(
    url: str | None = typer.Option(
        None, "--url", help="The service's public URL (default: SHOMEISHO_PUBLIC_URL)."
    ),
    demo: bool = DEMO_OPTION,
    data_dir: Path | None = typer.Option(None, "--data-dir", help="The service's data directory."),
    as_json: bool = typer.Option(False, "--json", help="Print the run as JSON."),
    new_card: bool = typer.Option(
        False,
        "--new-card",
        help="First give the synthetic resident a new card (after card_locked).",
    ),
) -> None:
    """Run the end-to-end self-check once; exit 0 when every step passed, 1 otherwise."""
    settings = load_settings(demo, data_dir)
    engine = open_database(settings)
    secret = settings.record_secret.get_secret_value().encode("utf-8")

    def authority() -> IssuedKey:
        folder = settings.data_dir / "idp"
        if not (folder / "card-ca.pem").exists():  # never make a CA the service does not trust
            raise StepFailedError("card_authority_missing")
        return load_or_create_card_authority(folder, secret)

    check = SelfCheck(
        settings,
        engine,
        records=RecordService(SqlRecordStore(engine), my_number_secret=secret),
        card_authority=authority,
        base_url=url,
        trigger="command",
    )
    check.new_card = new_card
    try:
        run = check.run_once()
    finally:
        engine.dispose()
    if as_json:
        out.print_json(json.dumps(document(run, check.base_url)))
    else:
        show(run, check.base_url)
    raise typer.Exit(0 if run.ok else 1)


def document(run: SelfCheckRun, url: str) -> dict[str, object]:
    return {
        "url": url,
        "ok": run.ok,
        "failed_step": run.failed_step,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat(),
        "steps": [
            {"step": s.step, "ok": s.ok, "ms": round(s.ms, 1), "detail": s.detail}
            for s in run.steps
        ],
    }


def show(run: SelfCheckRun, url: str) -> None:
    table = Table(title=f"self-check of {url}", title_justify="left")
    table.add_column("step")
    table.add_column("result")
    table.add_column("time", justify="right")
    table.add_column("detail")
    for step in run.steps:
        if step.ok:
            result = "[green]passed[/]"
        elif step.detail == "not_run":
            result = "[dim]not run[/]"
        else:
            result = "[bold red]FAILED[/]"
        table.add_row(step.step, result, f"{step.ms:,.0f} ms", step.detail)
    out.print(table)
    if run.ok:
        out.print("[bold green]green[/]: every step passed")
    else:
        out.print(f"[bold red]red[/]: failed at step [bold]{run.failed_step}[/]")
