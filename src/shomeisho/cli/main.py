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

from shomeisho.errors import InputError, KeyStoreError, ShomeishoError

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

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _register() -> None:
    from shomeisho.cli import demo, issue, keys, verify

    keys_app.command("init")(keys.init)
    app.command("issue")(issue.issue)
    app.command("verify")(verify.verify)
    app.command("demo")(demo.demo)


_register()


def run() -> None:
    """Entry point: run the app and turn our errors into a message and an exit code."""
    try:
        app()
    except (InputError, KeyStoreError) as exc:
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
