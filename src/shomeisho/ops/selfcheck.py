"""The end-to-end self-check: a synthetic resident walks the whole service, step by step.

Why end to end: in 2021 a national app stopped working for months and nobody noticed, because
every part was "up". So the self-check does what a person does, in order: open the service,
sign in with the card, get a certificate in every format, download each QR image, and verify
each one at the public verifier. A run stops at the first step that fails (the later steps are
reported as not run, so a red run names exactly one culprit) and keeps each step's time.

This module is the plan and its bookkeeping only. Who performs a step is a
:class:`SelfCheckTarget` passed in (the HTTP driver in :mod:`shomeisho.web.selfcheck_client`),
so the order, the deadline and the "stop at the first failure" rule are tested without a
network. A step's detail is a short code ("http_503", "card_locked", "valid"): never a name,
a number or any part of a certificate, because runs are stored and sent to alert webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Protocol

from shomeisho.ops.runs import SelfCheckRun, StepResult

FORMATS = ("shc", "vdsnc", "dcc")  # the order of the verify steps
SERVICE, SIGN_IN, ISSUE, DOWNLOAD = "service", "sign_in", "issue", "download"
NOT_RUN = "not_run"
DEADLINE = "deadline"
SYNTHETIC_HEADER = "X-Shomeisho-Synthetic"  # sent on every request, so KPIs can leave it out
SYNTHETIC_VALUE = "selfcheck"


def verify_step(format_name: str) -> str:
    return f"verify_{format_name}"


def step_names(formats: Sequence[str]) -> tuple[str, ...]:
    """Every step of a run that expects ``formats``, in the order they run."""
    return (SERVICE, SIGN_IN, ISSUE, DOWNLOAD, *(verify_step(f) for f in formats))


class StepFailedError(Exception):
    """A step did not get what a person would have got; ``detail`` says what, as a short code."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Deadline:
    """The whole run's time budget: a hung service must make the run red, not make it hang."""

    def __init__(self, seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._end = monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._monotonic())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0


class SelfCheckTarget(Protocol):
    """What performs the steps (over HTTP against the running service, in production).

    Each method returns a short detail on success, or raises :class:`StepFailedError`; any other
    exception also fails the step (its class name becomes the detail). ``issue`` returns the
    formats the certificate page offered; ``verify`` is called once per expected format."""

    def service(self, deadline: Deadline) -> str: ...
    def sign_in(self, deadline: Deadline) -> str: ...
    def issue(self, deadline: Deadline) -> str: ...
    def download(self, deadline: Deadline) -> str: ...
    def verify(self, format_name: str, deadline: Deadline) -> str: ...


def run_selfcheck(
    target: SelfCheckTarget,
    formats: Sequence[str],
    *,
    trigger: str,
    deadline_seconds: float,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    monotonic: Callable[[], float] = time.monotonic,
) -> SelfCheckRun:
    """Run every step in order against ``target``; stop at the first failure."""
    deadline = Deadline(deadline_seconds, monotonic)
    plan: list[tuple[str, Callable[[], str]]] = [
        (SERVICE, lambda: target.service(deadline)),
        (SIGN_IN, lambda: target.sign_in(deadline)),
        (ISSUE, lambda: target.issue(deadline)),
        (DOWNLOAD, lambda: target.download(deadline)),
    ]
    plan += [(verify_step(name), partial(target.verify, name, deadline)) for name in formats]
    started = clock()
    results: list[StepResult] = []
    failed = False
    for step, perform in plan:
        if failed:
            results.append(StepResult(step, False, 0.0, NOT_RUN))
            continue
        begun = monotonic()
        ok, detail = _perform(perform, deadline)
        ms = (monotonic() - begun) * 1000.0
        if ok and deadline.expired:  # it passed, but too late for the run to be trusted
            ok, detail = False, DEADLINE
        results.append(StepResult(step, ok, ms, detail))
        failed = not ok
    return SelfCheckRun(started, clock(), tuple(results), trigger)


def _perform(perform: Callable[[], str], deadline: Deadline) -> tuple[bool, str]:
    if deadline.expired:
        return False, DEADLINE
    try:
        return True, short_code(perform())
    except StepFailedError as exc:
        return False, short_code(exc.detail)
    except Exception as exc:  # a defect or an unforeseen failure still names its step
        return False, short_code(f"error_{type(exc).__name__}")


def short_code(detail: str) -> str:
    """A detail as stored and alerted: printable ASCII, at most 80 characters."""
    cleaned = "".join(c for c in detail if c.isascii() and c.isprintable())
    return cleaned[:80]


def synthetic_pin(secret: bytes) -> str:
    """The synthetic card's PIN: derived from the service's record secret, so the scheduled job
    and ``shomeisho selfcheck`` both know it without storing it, and nobody without the secret
    can guess it better than any other card's PIN."""
    digest = hmac.new(secret, b"shomeisho selfcheck card PIN", hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 10_000:04d}"
