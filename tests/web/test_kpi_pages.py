"""The KPI roll-up on SQLite and PostgreSQL, and the pages and open data built on its facts.

The raw records are the hand-made day of tests/kpi/test_figures.py (whose every figure is
worked out there), written to the real tables, plus synthetic traffic that must stay out: a
journey with a synthetic event, a certificate of a synthetic resident, and a verification the
self-check makes on the public page.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select, update

from shomeisho.api_access.service import ApiKeyService
from shomeisho.api_access.usage import UsageKey
from shomeisho.db.api_keys import SqlApiKeyStore
from shomeisho.db.kpi_facts import FACT_TABLES, SqlKpiStore
from shomeisho.db.kpi_sources import (
    COUNTS,
    EVENTS,
    ISSUED,
    RESIDENTS,
    SqlVerificationCounts,
    add_journey_events,
)
from shomeisho.errors import InputError, Verdict
from shomeisho.kpi.facts import Facts, add, roll_up_day
from shomeisho.kpi.rollup import roll_up
from shomeisho.model import Verification
from shomeisho.presented import Outcome
from shomeisho.records.entities import Role
from shomeisho.settings import Settings
from shomeisho.web.app import create_app
from tests.db.records_factory import CHIYODA, OPERATOR, SAPPORO, create_accounts, resident
from tests.kpi.test_figures import DAY, START, TALLIES, domestic, the_events, the_issued
from tests.web.staff_session import signed_in

PASSWORD = "a-long-test-password"
PERIOD = {"from": DAY.isoformat(), "to": DAY.isoformat()}


@dataclass
class Kpi:
    engine: Engine
    client: TestClient
    app: Any
    store: SqlKpiStore

    def as_(self, login: str | None) -> TestClient:
        return signed_in(self.client, login, PASSWORD)


def write_raw_day(engine: Engine, app: Any) -> None:
    """The hand-made day, and synthetic traffic beside it."""
    add_journey_events(engine, the_events())
    add_journey_events(engine, domestic("selfcheck-1", START + timedelta(hours=2), 5))
    with engine.begin() as connection:  # one synthetic event makes the whole journey synthetic
        connection.execute(
            update(EVENTS)
            .where(EVENTS.c.journey_id == "selfcheck-1", EVENTS.c.step == "sign_in")
            .values(synthetic=True)
        )
    people = {
        code: app.state.records.add_resident(OPERATOR, resident(f"R-{code}", municipality=code))
        for code in (CHIYODA, SAPPORO)
    }
    robot = app.state.records.add_resident(OPERATOR, resident("SELFCHECK", municipality=SAPPORO))
    with engine.begin() as connection:
        connection.execute(
            update(RESIDENTS)
            .where(RESIDENTS.c.resident_id == robot.resident_id)
            .values(synthetic=True)
        )
        pks = dict(connection.execute(select(RESIDENTS.c.resident_id, RESIDENTS.c.id)).all())
        rows = [
            {"certificate_id": row.certificate_id,
             "resident_pk": pks[people[row.municipality_code].resident_id],
             "use": row.use, "format": row.format, "text": "not a real certificate",
             "issued_at": row.issued_at, "expires_at": row.issued_at + timedelta(days=365),
             "issued_by": "test", "channel": row.channel}
            for row in the_issued()
        ]  # fmt: skip
        rows.append(rows[0] | {"certificate_id": "ROBOT", "resident_pk": pks[robot.resident_id]})
        connection.execute(insert(ISSUED), rows)
    key = ApiKeyService(SqlApiKeyStore(engine), b"s" * 32).create(OPERATOR, "Example K.K.", 60)
    api = {UsageKey(key.key.key_id, DAY, "shc", "valid"): 20,
           UsageKey(key.key.key_id, DAY, "", "rate_limited"): 5}  # fmt: skip
    SqlApiKeyStore(engine).add_usage(api)
    page = {UsageKey("page", DAY, t.format, t.verdict): t.total
            for t in TALLIES if t.channel == "page"}  # fmt: skip
    SqlVerificationCounts(engine).add_usage(page)


@pytest.fixture
def kpi(engine: Engine, tmp_path: Path) -> Iterator[Kpi]:
    create_accounts(
        engine,
        {"operator": (Role.NATIONAL_OPERATOR, None), "clerk_a": (Role.CLERK, CHIYODA),
         "clerk_b": (Role.CLERK, SAPPORO)},
        PASSWORD,
    )  # fmt: skip
    app = create_app(Settings(demo=True, data_dir=tmp_path), engine=engine)
    write_raw_day(engine, app)
    store = SqlKpiStore(engine)
    assert roll_up(store, [DAY]) == 1
    with TestClient(app) as client:
        yield Kpi(engine, client, app, store)


def fact_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return sum(
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for _, table, _ in FACT_TABLES
        )


def test_the_rolled_up_day_is_the_pure_roll_up_without_synthetic_traffic(kpi: Kpi) -> None:
    expected = roll_up_day(DAY, the_events(), the_issued(), TALLIES)
    assert kpi.store.day_facts(DAY) == expected  # no selfcheck-1, no ROBOT, no rate_limited
    assert kpi.store.rollup_times(DAY)[DAY] <= datetime.now(UTC)
    assert kpi.store.first_raw_day() == DAY - timedelta(days=1)  # the journey started before


def test_rolling_up_again_replaces_the_day(kpi: Kpi) -> None:
    before = fact_rows(kpi.engine)
    assert roll_up(kpi.store, [DAY, DAY]) == 2
    assert fact_rows(kpi.engine) == before
    assert kpi.store.day_facts(DAY) == roll_up_day(DAY, the_events(), the_issued(), TALLIES)
    # a new journey on the day: rolled up again, the day holds it (replaced, not added to)
    add_journey_events(kpi.engine, domestic("late", START + timedelta(hours=20), 45))
    roll_up(kpi.store, [DAY])
    journeys = {j.use: j.started for j in kpi.store.day_facts(DAY).journeys}
    assert journeys == {"domestic": 21, "none": 22, "overseas": 9}


def test_an_older_roll_up_never_overwrites_a_newer_one(kpi: Kpi) -> None:
    stored = kpi.store.day_facts(DAY)
    computed = kpi.store.rollup_times(DAY)[DAY]
    assert not kpi.store.replace_day(DAY, Facts(), computed - timedelta(seconds=1))
    assert kpi.store.day_facts(DAY) == stored
    assert kpi.store.replace_day(DAY, Facts(), computed + timedelta(seconds=1))
    assert kpi.store.day_facts(DAY) == Facts()


def test_roll_ups_of_the_same_day_at_once_leave_one_day_of_facts(kpi: Kpi) -> None:
    expected, before = kpi.store.day_facts(DAY), fact_rows(kpi.engine)
    failures: list[BaseException] = []

    def roll() -> None:
        try:
            for _ in range(3):
                roll_up(SqlKpiStore(kpi.engine), [DAY])
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=roll) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert kpi.store.day_facts(DAY) == expected and fact_rows(kpi.engine) == before


def test_a_period_is_the_sum_of_its_days(kpi: Kpi) -> None:
    facts = kpi.store.day_facts(DAY)
    assert kpi.store.replace_day(DAY + timedelta(days=1), facts, datetime.now(UTC))
    period = kpi.store.period(DAY - timedelta(days=1), DAY + timedelta(days=1))
    assert period.facts == add([facts, facts])
    assert [(d.day, d.journeys_started, d.issuances, d.verifications) for d in period.daily] == [
        (DAY - timedelta(days=1), 0, 0, 0),
        (DAY, 51, 39, 119),
        (DAY + timedelta(days=1), 51, 39, 119),
    ]
    sapporo = kpi.store.period(DAY, DAY, SAPPORO)
    assert {f.municipality_code for f in sapporo.facts.issuances} == {SAPPORO}
    assert sapporo.facts.journeys == () and sapporo.daily[0].issuances == 34


def rows_of_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_page_the_csv_and_the_json_withhold_the_same_figures(kpi: Kpi) -> None:
    page = kpi.client.get("/kpi", params=PERIOD)
    assert page.status_code == 200
    assert "2026-11-02 〜 2026-11-02（日本時間）" in page.text
    assert '<svg class="kpi-chart" role="img"' in page.text and "<table" in page.text
    data = kpi.client.get("/kpi/data.json", params=PERIOD)
    table = kpi.client.get("/kpi/data.csv", params=PERIOD)
    assert data.status_code == table.status_code == 200
    assert table.headers["content-type"] == "text/csv; charset=utf-8"
    for answer in (data, table):
        assert answer.headers["link"] == (
            "<https://www.digital.go.jp/resources/open_data/public_data_license_v1.0>; "
            'rel="license"'
        )
    body = data.json()
    assert body["licence"]["compatible_with"] == "CC BY 4.0"
    assert body["period"] == {"from": "2026-11-02", "to": "2026-11-02", "time_zone": "Asia/Tokyo"}
    assert body["suppression"]["threshold"] == 10
    from_json = body["rows"]
    from_csv = rows_of_csv(table.text)
    assert len(from_json) == len(from_csv) == 95
    for j, c in zip(from_json, from_csv, strict=True):
        assert {k: "" if v is None else str(v) for k, v in j.items()} == c
    by_name = {
        (r["figure"], r["breakdown"], r["key"], r["municipality_code"]): r for r in from_json
    }
    assert by_name[("verifications", "verdict", "invalid", "")]["value"] is None
    assert by_name[("verifications", "verdict", "invalid", "")]["withheld"] == "small"
    assert by_name[("verifications", "verdict", "valid", "")]["withheld"] == "complementary"
    assert by_name[("journeys_started", "total", "", "")]["value"] == 51
    assert by_name[("time_to_certificate_median", "total", "", "")]["value"] == 60
    assert by_name[("issuances", "total", "", CHIYODA)]["municipality_name"] == "東京都千代田区"
    # the page shows them the same way: 119 verifications, "10未満" invalid, valid withheld
    verdicts = page.text[page.text.index('id="chart-verdicts-title"') :]
    assert '<th scope="row">無効（改ざん等）</th><td class="num">10未満</td>' in verdicts
    assert '<th scope="row">有効</th><td class="num">秘匿</td>' in verdicts
    assert "<dt>検証された証明書</dt><dd>119</dd>" in page.text
    assert "<dt>申請から発行までの時間（中央値）</dt><dd>60秒</dd>" in page.text
    assert "公共データ利用規約（第1.0版）" in page.text and "CC BY 4.0" in page.text


def test_the_page_in_english(kpi: Kpi) -> None:
    page = kpi.client.get("/kpi", params=PERIOD | {"lang": "en"})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "<dt>Certificates verified</dt><dd>119</dd>" in page.text
    assert "&lt;10" in page.text and "withheld" in page.text


@pytest.mark.parametrize(
    ("params", "where"),
    [({"from": "2026-11-31"}, "from"), ({"to": "next tuesday"}, "to"),
     ({"from": "2026-11-05", "to": "2026-11-01"}, "from"), ({"from": "2024-01-01"}, "from"),
     ({"days": "0"}, "from"), ({"days": "many"}, "from"),
     ({"to": (date.today() + timedelta(days=3)).isoformat()}, "to")],
)  # fmt: skip
def test_a_bad_period_is_a_clear_422(kpi: Kpi, params: dict[str, str], where: str) -> None:
    page = kpi.client.get("/kpi", params=params, headers={"accept": "text/html"})
    assert page.status_code == 422
    assert 'class="error-summary"' in page.text and f'href="#{where}"' in page.text
    assert 'aria-invalid="true"' in page.text and "Traceback" not in page.text
    problem = kpi.client.get("/kpi/data.json", params=params)
    assert problem.status_code == 422
    assert problem.json()["code"] == "input.date" and problem.json()["where"] == where
    assert kpi.client.get("/kpi/data.csv", params=params).status_code == 422


def test_staff_see_exact_counts_of_what_they_may_see(kpi: Kpi) -> None:
    clerk = kpi.as_("clerk_a")
    own = clerk.get("/staff/kpi", params=PERIOD)
    assert own.status_code == 200
    assert "<dt>発行された証明書</dt><dd>5</dd>" in own.text  # Chiyoda's 5, not "10未満"
    assert '<td class="num">10未満</td>' not in own.text
    assert '<td class="num">秘匿</td>' not in own.text
    assert clerk.get("/staff/kpi", params=PERIOD | {"municipality": SAPPORO}).status_code == 403
    sapporo = kpi.as_("clerk_b").get("/staff/kpi", params=PERIOD)
    assert "<dt>発行された証明書</dt><dd>34</dd>" in sapporo.text
    operator = kpi.as_("operator")
    national = operator.get("/staff/kpi", params=PERIOD)
    assert "<dt>検証された証明書</dt><dd>119</dd>" in national.text
    assert '<th scope="row">無効（改ざん等）</th><td class="num">9</td>' in national.text
    chosen = operator.get("/staff/kpi", params=PERIOD | {"municipality": CHIYODA})
    assert "<dt>発行された証明書</dt><dd>5</dd>" in chosen.text
    assert operator.get("/staff/kpi", params={"municipality": "12"}).status_code == 422
    assert operator.get("/staff/kpi", params={"days": "x"}).status_code == 422
    kpi.client.cookies.clear()
    kpi.client.follow_redirects = False
    try:
        assert kpi.client.get("/staff/kpi").headers["location"] == "/staff/sign-in"
    finally:
        kpi.client.follow_redirects = True


class CountingVerifier:
    """A verifier whose every upload reads as two certificates: a valid SHC and a bad DCC."""

    trust_list = None

    def rule_countries(self) -> list[str]:
        return []

    def verify(self, items: Any, *, at: Any, country: Any = None) -> list[Outcome]:
        bad = Verification("dcc", errors=[InputError("x", code="input.qr")])
        good = Verification("shc", signature_verified=True)
        return [Outcome("upload", good), Outcome("upload", bad)]


def test_the_public_page_counts_what_it_verified_but_not_the_self_check(
    engine: Engine, tmp_path: Path
) -> None:
    app = create_app(Settings(demo=True, data_dir=tmp_path), engine=engine)
    app.state.verifier = CountingVerifier()
    with TestClient(app) as client:
        for _ in range(3):
            assert client.post("/verify", data={"text": "HC1:anything"}).status_code == 200
        client.post(
            "/verify", data={"text": "HC1:x"}, headers={"X-Shomeisho-Synthetic": "selfcheck"}
        )
        assert any(job.name == "kpi-rollup" for job in app.state.background.jobs)
    # written at shutdown: the day, format and verdict of each, nothing else
    with engine.connect() as connection:
        columns = (COUNTS.c.channel, COUNTS.c.format, COUNTS.c.verdict, COUNTS.c.total)
        rows = connection.execute(select(*columns).order_by(COUNTS.c.format)).all()
    assert [tuple(r) for r in rows] == [
        ("page", "dcc", Verdict.INVALID.value, 3),
        ("page", "shc", "valid", 3),
    ]
