"""Jobs the service runs on its own, on a schedule: the self-check, the nightly KPI roll-up.

Why threads in the service rather than cron: a government service is often deployed where the
operator cannot add a cron entry, and "it checks itself every day" must not depend on someone
remembering to. Each job runs in its own daemon thread, sleeping between runs; a job that raises
is logged with its name and runs again at its next time (a failing job must never stop the
others or the service). Jobs start when the app starts serving and stop when it shuts down.
Tests create apps without starting jobs unless they ask (``Settings.background_jobs``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("shomeisho.background")


@dataclass
class Job:
    name: str
    interval: float  # seconds between the end of one run and the start of the next
    run: Callable[[], object]
    first_delay: float = 0.0


@dataclass
class BackgroundJobs:
    """The service's scheduled jobs; :meth:`start` and :meth:`stop` follow the app's lifespan."""

    jobs: list[Job] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def add(self, name: str, interval: float, run: Callable[[], object], *,
            first_delay: float = 0.0) -> None:  # fmt: skip
        self.jobs.append(Job(name, interval, run, first_delay))

    def start(self) -> None:
        self._stop.clear()
        for job in self.jobs:
            thread = threading.Thread(target=self._loop, args=(job,), name=job.name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def _loop(self, job: Job) -> None:
        if self._stop.wait(job.first_delay):
            return
        while True:
            try:
                job.run()
            except Exception as exc:  # keep running; the job itself reports what failed
                log.error("background job %s failed: %s", job.name, type(exc).__name__)
            if self._stop.wait(job.interval):
                return
