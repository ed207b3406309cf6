"""``shomeisho serve``: run the web service (staff pages and API; the resident's journey and the
verifier build on it).

With ``--demo`` everything is local and made on first start: the SQLite database in the data
directory, the demo staff accounts and synthetic residents (``demo-data``), and the demo keys,
whose certificates are issued, read back from their QR images and verified once as a start-up
check. Then it says where to open it.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
import uvicorn
from rich.console import Console
from sqlalchemy import func, select

from shomeisho.cli.context import load_settings, open_database
from shomeisho.cli.demo import demo as certificate_round_trip
from shomeisho.cli.demo_data import DEMO_PIN, DEMO_STAFF_PASSWORD, demo_data
from shomeisho.db.tables import ResidentRow
from shomeisho.web.app import create_app
from shomeisho.web.logs import configure_logging

out = Console(highlight=False, soft_wrap=True)


def serve(
    demo: bool = typer.Option(False, "--demo", help="Local demo: SQLite, demo data and keys."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Data directory (default: SHOMEISHO_DATA_DIR, or shomeisho-demo)."
    ),
) -> None:
    """Run the web service; --demo prepares a complete local demo on first start."""
    if demo and data_dir is None:
        data_dir = Path("shomeisho-demo")
    settings = load_settings(demo, data_dir)
    engine = open_database(settings)
    if demo:
        with engine.connect() as connection:
            residents = connection.execute(select(func.count()).select_from(ResidentRow)).scalar()
        if not residents:
            out.print("First start: creating demo staff accounts and synthetic residents ...")
            demo_data(residents=200, municipality=[], csv_dir=None, seed=2021, data_dir=data_dir)
        certificate_round_trip(out_dir=settings.data_dir)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    if "SHOMEISHO_PUBLIC_URL" not in os.environ:
        settings.public_url = url  # redirect URIs and the demo provider's issuer follow the port
    out.print(f"\n[bold]shomeisho is running:[/] staff pages {url}/staff , API {url}/api/v1/docs")
    out.print(
        f"Verifier {url}/verify , KPIs {url}/kpi , service status {url}/status "
        "(one JSON log line per request follows)"
    )
    if demo:
        out.print(
            f"Staff: clerk-131016 (千代田区), clerk-011002 (札幌市) or operator, password "
            f"[bold]{DEMO_STAFF_PASSWORD}[/]. Residents: {url}/journey with a demo card, PIN "
            f"[bold]{DEMO_PIN}[/] (demo only). Stop with Ctrl+C."
        )
    engine.dispose()
    settings.background_jobs = True  # the self-check and the nightly roll-up run in the service
    configure_logging(settings.log_level)  # JSON lines on stderr (docs/operations.md)
    # uvicorn's own access log would write paths with query strings (a staff search carries a
    # name): the service writes its own access line, with the route template only
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)
