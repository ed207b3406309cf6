"""Prometheus metrics of one app, served at ``/metrics`` (names, units, labels: docs/operations.md).

Why a registry per app and not prometheus-client's global one: tests create many apps in one
process, and a global registry refuses a second metric of the same name (and would mix the
counts of apps that have nothing to do with each other).

Labels hold route templates, formats, verdicts, channels and outcomes: small fixed sets. Never a
raw path, a query string, a name or anything of a certificate, which would both leak personal
data and grow the series without bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from shomeisho import __version__
from shomeisho.errors import Verdict
from shomeisho.ops.selfcheck import SYNTHETIC_HEADER, SYNTHETIC_VALUE
from shomeisho.procedure.journey_metrics import ISSUED

if TYPE_CHECKING:
    from shomeisho.records.service import ImportReport
    from shomeisho.web.operations import Operations

router = APIRouter(include_in_schema=False)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# start to certificate; 60 s is the Digital Agency's goal, so it is a bucket boundary exactly
JOURNEY_BUCKETS = (10.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0, 600.0)
FORMATS = ("shc", "dcc", "vdsnc")
CHANNELS_ISSUED = ("online", "counter")
CHANNELS_VERIFIED = ("page", "api")
IMPORT_OUTCOMES = ("inserted", "updated", "unchanged", "kept", "rejected")


class ServiceMetrics:
    """The instruments the code paths update, on this app's own registry."""

    def __init__(self, operations: Operations | None = None) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.http_requests = Counter(
            "shomeisho_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ("method", "route", "status"),
            registry=registry,
        )
        self.http_duration = Histogram(
            "shomeisho_http_request_duration_seconds",
            "Time from receiving a request to the end of its answer, in seconds.",
            ("method", "route"),
            buckets=HTTP_BUCKETS,
            registry=registry,
        )
        self.issued = Counter(
            "shomeisho_certificates_issued",
            "Certificates issued, one per format, by format and channel (online, counter).",
            ("format", "channel"),
            registry=registry,
        )
        self.verifications = Counter(
            "shomeisho_verifications",
            "Certificates verified by this service, by format, verdict and channel (page, api).",
            ("format", "verdict", "channel"),
            registry=registry,
        )
        self.import_rows = Counter(
            "shomeisho_import_rows",
            "CSV import rows, by outcome (inserted, updated, unchanged, kept: a staff "
            "correction was kept, rejected).",
            ("outcome",),
            registry=registry,
        )
        self.journey = Histogram(
            "shomeisho_journey_duration_seconds",
            "Time from the start of a resident's online procedure to the certificate, seconds.",
            buckets=JOURNEY_BUCKETS,
            registry=registry,
        )
        for fmt in FORMATS:  # series exist at 0 from the start, so rates and alerts work
            for channel in CHANNELS_ISSUED:
                self.issued.labels(fmt, channel)
            for verdict in Verdict:
                for channel in CHANNELS_VERIFIED:
                    self.verifications.labels(fmt, verdict.value, channel)
        for outcome in IMPORT_OUTCOMES:
            self.import_rows.labels(outcome)
        if operations is not None:
            registry.register(_OperationsCollector(operations))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _OperationsCollector(Collector):
    """Gauges read at scrape time from the status facts (cached a few seconds)."""

    def __init__(self, operations: Operations) -> None:
        self.operations = operations

    def collect(self) -> Iterator[Metric]:
        facts = self.operations.facts()
        now = datetime.now(UTC)
        build = GaugeMetricFamily(
            "shomeisho_build_info",
            "Always 1; the version and commit as labels.",
            labels=("version", "commit"),
        )
        build.add_metric((__version__, self.operations.commit), 1.0)
        yield build
        expiry = GaugeMetricFamily(
            "shomeisho_signing_certificate_expiry_days",
            "Days until the certificate of each key in the key store expires (negative: expired).",
            labels=("key",),
        )
        for cert in facts.certificates:
            left = cert.days_left(now)
            if left is not None:
                expiry.add_metric((cert.key,), round(left, 3))
        yield expiry
        trust = facts.trust_list
        age = trust.age_seconds(now) if trust is not None else None
        if age is not None:
            yield GaugeMetricFamily(
                "shomeisho_trust_list_age_seconds",
                "Seconds since the operator issued the trust list the verifier holds.",
                value=round(age, 3),
            )
        if facts.last_success is not None:
            yield GaugeMetricFamily(
                "shomeisho_selfcheck_last_success_timestamp_seconds",
                "When the newest successful end-to-end self-check started (Unix time).",
                value=facts.last_success.timestamp(),
            )
        if facts.last_run is not None:
            yield GaugeMetricFamily(
                "shomeisho_selfcheck_last_run_ok",
                "1 when the newest self-check run passed every step, else 0.",
                value=1.0 if facts.last_run.ok else 0.0,
            )


def of(request: Request) -> ServiceMetrics | None:
    """The app's metrics (None in an app without them, such as the standalone provider)."""
    found: ServiceMetrics | None = getattr(request.app.state, "metrics", None)
    return found


def counted(request: Request) -> ServiceMetrics | None:
    """The app's metrics for the figures of use (issued, verified, imported, journey time):
    None for the end-to-end self-check's own requests, which would otherwise add a synthetic
    resident's certificates every hour (they still count in the HTTP metrics)."""
    if request.headers.get(SYNTHETIC_HEADER) == SYNTHETIC_VALUE:
        return None
    return of(request)


def count_issued(request: Request, formats: Iterable[str], channel: str) -> None:
    found = counted(request)
    if found is not None:
        for fmt in formats:
            found.issued.labels(fmt, channel).inc()


def count_verified(request: Request, results: Iterable[tuple[str, str]], channel: str) -> None:
    """``results``: (format, verdict) of each certificate verified."""
    found = counted(request)
    if found is not None:
        for fmt, verdict in results:
            found.verifications.labels(fmt, verdict, channel).inc()


def count_import(request: Request, report: ImportReport) -> None:
    found = counted(request)
    if found is None:
        return
    outcome = report.outcome
    counts = zip(
        IMPORT_OUTCOMES,
        (
            outcome.inserted,
            outcome.updated,
            outcome.unchanged,
            outcome.locked,
            report.rejected_rows,
        ),
        strict=True,
    )
    for name, count in counts:
        if count:
            found.import_rows.labels(name).inc(count)


def observe_journey(request: Request, journey_id: str) -> None:
    """Start to certificate of one journey, from its stored events (the same times the KPIs
    use): the first ``start/started`` to the last ``certificate/outcome/issued``."""
    found = counted(request)
    if found is None or not journey_id:
        return
    events: list[Any] = request.app.state.journey_log.events(journey_id)
    started = next(
        (at for step, kind, _, at in events if (step, kind) == ("start", "started")), None
    )
    issued = [
        at
        for step, kind, detail, at in events
        if (step, kind, detail) == ("certificate", "outcome", ISSUED)
    ]
    if started is not None and issued:
        found.journey.observe(max(0.0, (issued[-1] - started).total_seconds()))


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text exposition of this app's metrics."""
    found = of(request)
    body = found.exposition() if found is not None else b""
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
