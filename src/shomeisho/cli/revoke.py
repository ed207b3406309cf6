"""``shomeisho revoke``: withdraw a certificate we issued, for good, and publish it.

After the revocation is recorded (with its audit entry), the issuer's published lists are
written again: ``{data dir}/published/revocations.json`` (DCC hashes and SHC CRLs, what
``trust build --revocations`` takes) and ``published/crl/{kid}.json`` per SHC issuer key, the
files an issuer serves at ``{iss}/.well-known/crl/{kid}.json``. The service serves the same
lists live (``/issuer/.well-known/crl/{kid}.json``, ``/revocation/dcc.json``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console

from shomeisho.cli.context import AS_OPTION, DEMO_OPTION, load_settings, open_database, sign_in
from shomeisho.db.revocations import SqlRevocationStore
from shomeisho.procedure.revocation import (
    PublishedRevocations,
    RevocationReason,
    publishable_revocations,
    rid_secret,
)
from shomeisho.settings import Settings

out = Console(highlight=False, soft_wrap=True)


def revoke(
    certificate_id: str = typer.Argument(..., help="The certificate id (URN:UVCI:01:JP:…)."),
    reason: RevocationReason = typer.Option(..., "--reason", help="Why it is revoked."),
    login: str = AS_OPTION,
    demo: bool = DEMO_OPTION,
    data_dir: Path | None = typer.Option(None, "--data-dir", help="The service's data folder."),
) -> None:
    """Revoke a certificate (every format issued under its id) and publish the revocation lists."""
    settings = load_settings(demo, data_dir)
    engine = open_database(settings)
    actor = sign_in(engine, login)
    store = SqlRevocationStore(engine)
    revocation, formats = store.revoke(
        actor, certificate_id.strip(), reason, at=datetime.now(UTC).replace(microsecond=0)
    )
    published = publish(store, settings)
    out.print(
        f"[bold]Revoked[/] {revocation.certificate_id} ({reason.value}): "
        f"{', '.join(sorted(set(formats)))}"
    )
    if any(entry.endswith(revocation.certificate_id) for entry in published.unrevocable):
        out.print(
            "  note: ICAO VDS-NC has no revocation of a single seal; its VDS-NC stays verifiable "
            "(the SMART Health Card and DCC issued with it are revoked)"
        )
    target = settings.data_dir / "published" / "revocations.json"
    out.print(
        f"  published {len(published.dcc)} DCC hashes and "
        f"{sum(len(c['rids']) for per in published.shc.values() for c in per.values())} SHC "
        f"rids to {target}"
    )
    out.print(
        "  verifiers learn of it with the next trust list: "
        f"shomeisho trust build --revocations {target} …"
    )


def publish(store: SqlRevocationStore, settings: Settings) -> PublishedRevocations:
    """Write the issuer's revocation lists under ``{data dir}/published``."""
    secret = rid_secret(settings.record_secret.get_secret_value().encode("utf-8"))
    published = publishable_revocations(store.revoked_certificates(), rid_secret=secret)
    folder = settings.data_dir / "published"
    (folder / "crl").mkdir(parents=True, exist_ok=True)
    (folder / "revocations.json").write_text(
        json.dumps(published.as_document(), ensure_ascii=False, indent=1) + "\n", "utf-8"
    )
    for per_kid in published.shc.values():
        for kid, crl in per_kid.items():
            (folder / "crl" / f"{kid}.json").write_text(json.dumps(crl) + "\n", "utf-8")
    return published
