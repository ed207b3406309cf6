"""``shomeisho`` command: wiring of sub-commands and the one place where errors become exit codes.

Exit codes: 0 success (for ``verify``: every input valid), 1 a certificate was not valid or a job
failed, 2 the command was used wrongly (bad option, unreadable record or trust file).
"""

from __future__ import annotations

import os
import sys
import traceback

import typer
from rich.console import Console

from shomeisho.errors import AccessDeniedError, InputError, KeyStoreError, ShomeishoError

app = typer.Typer(
    name="shomeisho",
    help="Issue, present and verify official vaccination certificates "
    "(SMART Health Cards, EU DCC, ICAO VDS-NC). 証明書の発行と検証。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
keys_app = typer.Typer(
    help="Create and inspect issuing keys and trust setups.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
records_app = typer.Typer(
    help="Vaccination records: import and search, as a staff member.", no_args_is_help=True
)
app.add_typer(records_app, name="records")
db_app = typer.Typer(help="The record database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
api_keys_app = typer.Typer(
    help="API keys of private apps (national operator): create, list, revoke, usage.",
    no_args_is_help=True,
)
app.add_typer(api_keys_app, name="api-keys")
trust_app = typer.Typer(
    help="The signed national trust list: build it (operator), sync and show it (verifiers).",
    no_args_is_help=True,
)
app.add_typer(trust_app, name="trust")
kpi_app = typer.Typer(
    help="The KPI dashboard's facts (docs/kpi.md): roll them up from the raw records.",
    no_args_is_help=True,
)
app.add_typer(kpi_app, name="kpi")

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _register() -> None:
    from shomeisho.cli import (
        admin,
        api_keys,
        demo,
        demo_data,
        idp,
        issue,
        keys,
        kpi,
        records,
        revoke,
        selfcheck,
        serve,
        trust,
        verify,
    )

    keys_app.command("init")(keys.init)
    records_app.command("import")(records.import_csv)
    records_app.command("search")(records.search)
    db_app.command("upgrade")(admin.db_upgrade)
    staff_app.command("add")(admin.staff_add)
    audit_app.command("verify")(admin.audit_verify)
    api_keys_app.command("create")(api_keys.create)
    api_keys_app.command("list")(api_keys.list_keys)
    api_keys_app.command("revoke")(api_keys.revoke)
    api_keys_app.command("usage")(api_keys.usage)
    trust_app.command("build")(trust.build)
    trust_app.command("show")(trust.show)
    trust_app.command("sync")(trust.sync)
    kpi_app.command("rollup")(kpi.rollup)
    app.command("demo-data")(demo_data.demo_data)
    app.command("serve")(serve.serve)
    app.command("idp")(idp.idp)
    app.command("issue")(issue.issue)
    app.command("verify")(verify.verify)
    app.command("revoke")(revoke.revoke)
    app.command("demo")(demo.demo)
    app.command("selfcheck")(selfcheck.selfcheck)


_register()


def run() -> None:
    """Entry point: run the app and turn our errors into a message and an exit code."""
    try:
        app()
    except (InputError, KeyStoreError, AccessDeniedError) as exc:
        err.print(f"[bold red]error[/] ({exc.code}): {exc}")
        sys.exit(2)
    except ShomeishoError as exc:
        err.print(f"[bold red]error[/] ({exc.code}): {exc}")
        sys.exit(1)
    except Exception as exc:  # a bug: say so plainly, without dumping internals on the user
        err.print(
            f"[bold red]internal error[/]: {type(exc).__name__}. This is a defect in "
            "shomeisho; please report it. Set SHOMEISHO_DEBUG=1 to see the details."
        )
        if os.environ.get("SHOMEISHO_DEBUG"):
            traceback.print_exc()
        sys.exit(1)


if __name__ == "__main__":
    run()
