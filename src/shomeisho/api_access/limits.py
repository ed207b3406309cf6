"""Each key's rate limit: a token bucket per key, in this process's memory.

A bucket holds up to ``burst`` requests and refills at ``rate_per_minute / 60`` a second, so a
client may send a short burst and then its steady rate. Keeping the buckets in memory costs
nothing per request and needs no shared store; the price is that with several server processes
each process enforces the full limit on its own, so a key may reach up to N times its rate with
N processes. The operator sets the rate accordingly (docs/api.md), and a proxy in front of the
service can enforce a global ceiling. Buckets exist only for keys that authenticated, so an
attacker cannot grow this table with made-up keys.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from shomeisho.api_access.keys import ApiKey


class RateLimiter:
    """Token buckets per key id; ``clock`` (seconds, monotonic) is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, when)
        self._lock = threading.Lock()

    def admit(self, key: ApiKey) -> float:
        """0.0 when the request may go ahead (it takes one token), else how many seconds until
        the bucket holds a whole token again."""
        per_second = key.rate_per_minute / 60
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(key.key_id, (float(key.burst), now))
            tokens = min(float(key.burst), tokens + max(0.0, now - then) * per_second)
            if tokens >= 1.0:
                self._buckets[key.key_id] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key.key_id] = (tokens, now)
            return (1.0 - tokens) / per_second


def retry_after(wait: float) -> int:
    """The ``Retry-After`` value: whole seconds, rounded up, at least 1 (a client that waits
    that long is admitted)."""
    return max(1, math.ceil(wait))
