"""``shomeisho keys init``: create a demo trust setup for issuing and verifying."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from shomeisho.cli.context import load_settings
from shomeisho.issuer_setup import create_demo_trust_setup

out = Console(highlight=False, soft_wrap=True)


def init(
    directory: Path = typer.Argument(..., help="Empty folder to create the keys in."),
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Use the demo passphrase (never in "
        "production); otherwise SHOMEISHO_KEY_PASSPHRASE is required.",
    ),
    shc_issuer: str | None = typer.Option(None, help="SMART Health Cards issuer URL (iss)."),
) -> None:
    """Create a demo trust setup: DCC country signing CA and document signers, VDS-NC CSCA and
    barcode signer, SHC issuer key and JWKS, and a trust bundle for verifiers."""
    settings = load_settings(demo)
    result = create_demo_trust_setup(
        directory,
        settings.key_passphrase.get_secret_value(),
        country=settings.country,
        country_alpha3=settings.country_alpha3,
        shc_issuer=shc_issuer or settings.shc_issuer_url,
    )
    out.print(f"Created a trust setup in [bold]{result.directory}[/]")
    out.print(f"  keys (encrypted): {', '.join(result.key_names)}")
    out.print(f"  SHC issuer: {result.setup.shc_issuer}  key set: {result.jwks}")
    out.print(f"  trust bundle for verifiers: {result.trust_bundle}")
