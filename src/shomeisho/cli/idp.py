"""``shomeisho idp``: the demo identity provider on its own port.

For running the relying party against a separate provider, as production does with the Digital
Agency's: start this, then the service with ``SHOMEISHO_OIDC_ISSUER=http://HOST:PORT/idp``.
"""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn
from rich.console import Console

from shomeisho.cli.context import load_settings, open_database
from shomeisho.web.app import create_provider_app
from shomeisho.web.logs import configure_logging

out = Console(highlight=False, soft_wrap=True)


def idp(
    port: int = typer.Option(9000, "--port", help="Port of the provider."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    redirect_uri: list[str] = typer.Option(
        [],
        "--redirect-uri",
        help="A relying party callback to allow (repeatable; default the local service's).",
    ),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Where the cards live."),
) -> None:
    """Run the demo My Number card identity provider on its own port."""
    settings = load_settings(True, data_dir or Path("shomeisho-demo"))
    engine = open_database(settings)
    issuer = f"http://{host}:{port}/idp"
    allowed = tuple(redirect_uri) or (f"{settings.public_url.rstrip('/')}/auth/callback",)
    out.print(f"demo identity provider: {issuer}  (relying party callbacks: {', '.join(allowed)})")
    configure_logging(settings.log_level)  # JSON lines on stderr, as the service writes them
    uvicorn.run(
        create_provider_app(settings, issuer=issuer, redirect_uris=allowed, engine=engine),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )
