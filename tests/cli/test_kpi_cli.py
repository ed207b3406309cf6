"""``shomeisho demo-data`` writes the demo's history of use once and rolls it up, and ``shomeisho
kpi rollup`` rolls up what is due, or a range, as real processes; bad dates exit 2."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from shomeisho.db.engine import make_engine
from shomeisho.db.kpi_facts import ISSUANCES, SqlKpiStore
from shomeisho.db.kpi_sources import ISSUED
from shomeisho.kpi.facts import japan_day

EXE = shutil.which("shomeisho", path=str(Path(sys.executable).parent)) or "shomeisho"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: PLW1510 - the exit status is what is checked
        [EXE, *args], capture_output=True, text=True, timeout=300
    )


def test_demo_history_and_the_rollup_command(tmp_path: Path) -> None:
    places = ["--municipality", "131016", "--municipality", "011002"]
    made = run("demo-data", "--data-dir", str(tmp_path), "--residents", "25", *places,
               "--history-days", "8")  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    assert "8 days of demo use written and rolled up" in made.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    today = japan_day(datetime.now(UTC))
    store = SqlKpiStore(engine)
    assert sorted(store.rollup_times(today - timedelta(days=30))) == [
        today - timedelta(days=n) for n in range(8, 0, -1)
    ]
    with engine.connect() as connection:
        issued = connection.execute(
            select(func.count(func.distinct(ISSUED.c.certificate_id)))
        ).scalar_one()
        rolled = connection.execute(select(func.sum(ISSUANCES.c.issuances))).scalar_one()
    assert issued == rolled > 50  # every demo certificate is in the facts
    period = store.period(today - timedelta(days=8), today - timedelta(days=1))
    assert {f.municipality_code for f in period.facts.issuances} == {"131016", "011002"}
    assert sum(v.total for v in period.facts.verifications) > 500

    again = run("demo-data", "--data-dir", str(tmp_path), "--residents", "25", *places)
    assert again.returncode == 0 and "demo use written" not in again.stdout  # written once

    due = run("kpi", "rollup", "--demo", "--data-dir", str(tmp_path))
    assert due.returncode == 0, due.stdout + due.stderr
    assert "Rolled up 1 of 1 days" in due.stdout  # today; yesterday is fresh, the rest settled
    week = ["--from", (today - timedelta(days=8)).isoformat(), "--to", today.isoformat()]
    forced = run("kpi", "rollup", "--demo", "--data-dir", str(tmp_path), *week)
    assert forced.returncode == 0 and "Rolled up 9 of 9 days" in forced.stdout
    with engine.connect() as connection:
        assert connection.execute(select(func.sum(ISSUANCES.c.issuances))).scalar_one() == rolled
    engine.dispose()

    for bad in (["--from", "2026-02-30"], ["--from", "2026-11-02", "--to", "2026-11-01"]):
        refused = run("kpi", "rollup", "--demo", "--data-dir", str(tmp_path), *bad)
        assert refused.returncode == 2 and "input.date" in refused.stderr
        assert "Traceback" not in refused.stderr + refused.stdout
