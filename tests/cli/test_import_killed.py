"""``shomeisho records import`` killed with SIGKILL mid-file, then run again: the same final state
as one clean run, with nothing doubled and nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from shomeisho.cli.demo_data import DEMO_STAFF_PASSWORD, write_csv
from shomeisho.db.engine import make_engine
from shomeisho.records.demo_residents import demo_rows
from tests.db.test_import import state

SHOMEISHO = Path(sys.executable).with_name("shomeisho")
YOKOHAMA = "141003"


def run(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = os.environ | {
        "SHOMEISHO_DATA_DIR": str(data_dir),
        "SHOMEISHO_STAFF_PASSWORD": DEMO_STAFF_PASSWORD,
    }
    return subprocess.Popen(
        [str(SHOMEISHO), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def prepared(data_dir: Path) -> None:
    """A demo database with the Yokohama clerk account and no residents."""
    done = run(data_dir, "demo-data", "--municipality", YOKOHAMA, "--residents", "0",
               "--data-dir", str(data_dir))  # fmt: skip
    assert done.wait(timeout=120) == 0, done.stdout.read() if done.stdout else ""


def import_file(data_dir: Path, csv_file: Path) -> subprocess.Popen[str]:
    return run(data_dir, "records", "import", str(csv_file), "--municipality", YOKOHAMA,
               "--as", f"clerk-{YOKOHAMA}", "--demo")  # fmt: skip


def test_a_killed_import_rerun_ends_in_the_state_of_one_clean_run(tmp_path: Path) -> None:
    csv_file = tmp_path / "yokohama.csv"
    rows = list(demo_rows(YOKOHAMA, 4000, seed=11))
    write_csv(csv_file, rows)

    killed_dir, clean_dir = tmp_path / "killed", tmp_path / "clean"
    prepared(killed_dir)
    prepared(clean_dir)
    engine = make_engine(f"sqlite:///{killed_dir / 'records.sqlite3'}")

    process = import_file(killed_dir, csv_file)
    deadline = time.monotonic() + 120
    batches = 0
    while batches < 2:  # at least two batches committed, most of the file still to come
        assert process.poll() is None, "the import finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
        with engine.connect() as connection:
            batches = connection.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'import.batch'")
            ).scalar_one()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    partial = state(engine)
    assert 0 < len(partial) < len(rows)

    rerun = import_file(killed_dir, csv_file)
    assert rerun.wait(timeout=300) == 0, rerun.stdout.read() if rerun.stdout else ""
    clean = import_file(clean_dir, csv_file)
    assert clean.wait(timeout=300) == 0, clean.stdout.read() if clean.stdout else ""

    clean_engine = make_engine(f"sqlite:///{clean_dir / 'records.sqlite3'}")
    assert state(engine) == state(clean_engine)
    residents = len({row["resident_number"] for row in rows})
    assert len(state(engine)) == residents + len(rows)
    audit = run(killed_dir, "audit", "verify", "--as", "operator", "--demo")
    output = audit.communicate(timeout=120)[0]
    assert audit.returncode == 0 and "audit log intact" in output, output
    engine.dispose()
    clean_engine.dispose()


def test_the_command_line_obeys_the_access_rules(tmp_path: Path) -> None:
    csv_file = tmp_path / "yokohama.csv"
    write_csv(csv_file, list(demo_rows(YOKOHAMA, 3, seed=1)))
    done = run(tmp_path, "demo-data", "--municipality", "131016", "--municipality", YOKOHAMA,
               "--residents", "0", "--data-dir", str(tmp_path))  # fmt: skip
    assert done.wait(timeout=120) == 0
    refused = run(tmp_path, "records", "import", str(csv_file), "--municipality", YOKOHAMA,
                  "--as", "clerk-131016", "--demo")  # fmt: skip
    output = refused.communicate(timeout=120)[0]
    assert refused.returncode == 2 and "access.municipality" in output, output
    audit = run(tmp_path, "audit", "verify", "--as", "clerk-131016", "--demo")
    output = audit.communicate(timeout=120)[0]
    assert audit.returncode == 2 and "access.role" in output, output
