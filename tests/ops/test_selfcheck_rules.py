"""The self-check's rules without a network: step order, stop at the first failure, the deadline,
short details, the synthetic PIN, the alert policy and payload, the page reading, the webhook."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shomeisho.ops.alerts import AlertKind, AlertState, alert_payload
from shomeisho.ops.runs import SelfCheckRun, StepResult
from shomeisho.ops.selfcheck import (
    FORMATS,
    Deadline,
    StepFailedError,
    run_selfcheck,
    step_names,
    synthetic_pin,
)
from shomeisho.web.alerting import WebhookAlerter
from shomeisho.web.selfcheck_client import HttpSelfCheck, failure, form_posting_to

T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Clock:
    """A monotonic clock that each step moves on by ``step`` seconds."""

    def __init__(self, step: float = 0.25) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        return self.now


class Target:
    def __init__(self, clock: Clock, fail: str = "", raise_: Exception | None = None) -> None:
        self.clock = clock
        self.fail = fail
        self.raise_ = raise_
        self.called: list[str] = []

    def _do(self, step: str) -> str:
        self.called.append(step)
        self.clock.now += self.clock.step
        if step == self.fail:
            if self.raise_ is not None:
                raise self.raise_
            raise StepFailedError("http_500:error.internal")
        return "ok"

    def service(self, deadline: Deadline) -> str:
        return self._do("service")

    def sign_in(self, deadline: Deadline) -> str:
        return self._do("sign_in")

    def issue(self, deadline: Deadline) -> str:
        return self._do("issue")

    def download(self, deadline: Deadline) -> str:
        return self._do("download")

    def verify(self, format_name: str, deadline: Deadline) -> str:
        return self._do(f"verify_{format_name}")


def test_a_green_run_has_every_step_in_order_with_its_time() -> None:
    clock = Clock()
    run = run_selfcheck(Target(clock), FORMATS, trigger="command", deadline_seconds=60,
                        clock=lambda: T0, monotonic=clock)  # fmt: skip
    assert run.ok and run.failed_step is None and run.trigger == "command"
    assert [s.step for s in run.steps] == list(step_names(FORMATS)) == [
        "service", "sign_in", "issue", "download", "verify_shc", "verify_vdsnc", "verify_dcc",
    ]  # fmt: skip
    assert all(s.ms == pytest.approx(250.0) for s in run.steps)


def test_a_run_stops_at_the_first_failure_and_names_it() -> None:
    clock = Clock()
    target = Target(clock, fail="issue")
    run = run_selfcheck(target, FORMATS, trigger="schedule", deadline_seconds=60,
                        monotonic=clock)  # fmt: skip
    assert not run.ok and run.failed_step == "issue"
    assert target.called == ["service", "sign_in", "issue"]  # nothing after it was tried
    by_step = {s.step: s for s in run.steps}
    assert by_step["issue"].detail == "http_500:error.internal"
    assert [by_step[s].detail for s in ("download", "verify_shc", "verify_dcc")] == ["not_run"] * 3
    assert all(by_step[s].ms == 0 for s in ("download", "verify_vdsnc"))


def test_an_unexpected_exception_still_names_its_step() -> None:
    clock = Clock()
    run = run_selfcheck(Target(clock, fail="download", raise_=KeyError("名前")), FORMATS,
                        trigger="schedule", deadline_seconds=60, monotonic=clock)  # fmt: skip
    assert run.failed_step == "download"
    assert run.steps[3].detail == "error_KeyError"  # the class, never the message


def test_the_deadline_fails_the_step_that_overran_it() -> None:
    clock = Clock(step=20.0)
    target = Target(clock)
    run = run_selfcheck(target, FORMATS, trigger="schedule", deadline_seconds=50,
                        monotonic=clock)  # fmt: skip
    assert run.failed_step == "issue" and run.steps[2].detail == "deadline"  # 60 s > 50 s
    assert target.called == ["service", "sign_in", "issue"]


def test_details_are_short_printable_codes() -> None:
    clock = Clock()
    target = Target(clock, fail="sign_in", raise_=StepFailedError("x" * 300 + "髙橋\n"))
    run = run_selfcheck(target, FORMATS, trigger="schedule", deadline_seconds=60,
                        monotonic=clock)  # fmt: skip
    assert run.steps[1].detail == "x" * 80


def test_the_synthetic_pin_is_four_digits_derived_from_the_secret() -> None:
    pin = synthetic_pin(b"a" * 32)
    assert len(pin) == 4 and pin.isdigit() and pin == synthetic_pin(b"a" * 32)
    assert {synthetic_pin(bytes([n]) * 32) for n in range(20)} != {pin}


def _run(ok: bool, at: datetime, step: str = "issue") -> SelfCheckRun:
    steps = (StepResult("service", True, 3.0, "http_200"),
             StepResult(step, ok, 40.0, "" if ok else "http_400:keys.passphrase"))  # fmt: skip
    return SelfCheckRun(at, at + timedelta(seconds=1), steps, "schedule")


def test_alerts_on_the_first_failure_then_at_most_once_per_repeat_then_on_recovery() -> None:
    repeat = timedelta(hours=6)
    state, kinds = AlertState(), []
    runs = [_run(True, T0)] + [_run(False, T0 + n * HOUR) for n in range(1, 15)]
    runs.append(_run(True, T0 + 15 * HOUR))
    runs.append(_run(True, T0 + 16 * HOUR))
    for run in runs:
        state, kind = state.after(run, repeat)
        kinds.append(kind)
    sent = [(n, kind) for n, kind in enumerate(kinds) if kind is not None]
    assert sent == [
        (1, AlertKind.FAILED),
        (7, AlertKind.STILL_FAILING),  # 6 hours after the first alert
        (13, AlertKind.STILL_FAILING),
        (15, AlertKind.RECOVERED),
    ]
    assert state == AlertState()
    # the stored history gives the same state as the live sequence (how the command follows it)
    assert AlertState.replay(runs[:10], repeat) == AlertState(T0 + HOUR, T0 + 7 * HOUR)


def test_the_alert_payload_names_the_step_and_carries_no_more_than_codes() -> None:
    run = _run(False, T0)
    payload = alert_payload(AlertKind.FAILED, run, service="shomeisho",
                            instance="https://cert.example.jp", failing_since=T0)  # fmt: skip
    assert payload["event"] == "selfcheck_failed" and payload["status"] == "red"
    assert payload["failed_step"] == "issue" and payload["detail"] == "http_400:keys.passphrase"
    assert payload["steps"][1] == {"step": "issue", "ok": False, "ms": 40.0,
                                   "detail": "http_400:keys.passphrase"}  # fmt: skip
    assert "step issue" in payload["text"]
    recovered = alert_payload(AlertKind.RECOVERED, _run(True, T0), service="shomeisho",
                              instance="https://cert.example.jp", failing_since=T0)  # fmt: skip
    assert recovered["status"] == "green" and recovered["failed_step"] is None
    json.dumps(payload)  # plain JSON


def test_forms_are_read_as_a_browser_sends_them() -> None:
    html = """<form method="get" action="/verify"></form>
    <form method="post" action="/idp/authorize"><input type="hidden" name="state" value="a&amp;b">
    <select name="card"><option value="card-1">x</option></select>
    <input name="pin" type="password"><input type="checkbox" name="keep" value="yes">
    <input type="radio" name="use" value="overseas" checked><button type="submit">go</button>
    </form>"""
    form = form_posting_to(html, "/idp/authorize")
    assert form.fields == {"state": "a&b", "pin": "", "use": "overseas"}
    with pytest.raises(StepFailedError, match="form_missing:/journey/start"):
        form_posting_to(html, "/journey/start")


def test_an_error_page_gives_its_status_and_code() -> None:
    page = httpx.Response(400, headers={"content-type": "text/html; charset=utf-8"},
                          text="<p>コード: <code>keys.passphrase</code></p>")  # fmt: skip
    assert failure(page).detail == "http_400:keys.passphrase"
    assert failure(httpx.Response(503, text="down")).detail == "http_503"


def test_the_webhook_is_tried_twice_and_never_raises() -> None:
    seen: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        seen.append(len(seen))
        return httpx.Response(502 if len(seen) == 1 else 204)

    alerter = WebhookAlerter("http://hooks.invalid/x", retry_pause=0,
                             transport=httpx.MockTransport(flaky))  # fmt: skip
    assert alerter.send({"event": "selfcheck_failed"}) is True and len(seen) == 2

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    dead = WebhookAlerter("http://hooks.invalid/x", retry_pause=0,
                          transport=httpx.MockTransport(down))  # fmt: skip
    assert dead.send({"event": "selfcheck_failed"}) is False
    assert WebhookAlerter(None).send({"event": "selfcheck_failed"}) is False
    assert WebhookAlerter("not a url", retry_pause=0).send({"event": "x"}) is False


def test_every_request_says_it_is_synthetic() -> None:
    seen: list[httpx.Request] = []

    def service(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        page = '<form method="post" action="/journey/start"><button>start</button></form>'
        return httpx.Response(200, text=page, headers={"content-type": "text/html"})

    target = HttpSelfCheck("http://service.invalid", card=lambda: ("card-x", "0000"),
                           formats=FORMATS, transport=httpx.MockTransport(service))  # fmt: skip
    with target:
        assert target.service(Deadline(10)) == "http_200"
    assert seen and all(r.headers["X-Shomeisho-Synthetic"] == "selfcheck" for r in seen)
