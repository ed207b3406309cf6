"""API keys' shape and hashing, token buckets and the usage recorder, without a database."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, date, datetime

import pytest

from shomeisho.api_access.keys import (
    ApiKey,
    NewApiKey,
    digest_matches,
    key_id_of,
    new_token,
    organisation_name,
    rate_and_burst,
    token_digest,
)
from shomeisho.api_access.limits import RateLimiter, retry_after
from shomeisho.api_access.usage import UsageKey, UsageRecorder, japan_day
from shomeisho.errors import InputError

SECRET = b"a service secret of more than thirty-two bytes"
CREATED = datetime(2026, 11, 1, tzinfo=UTC)


def key(rate: int = 60, burst: int = 3) -> ApiKey:
    return ApiKey("0123456789ab", "Example Travel", rate, burst, CREATED, "operator")


def test_a_key_names_its_id_and_carries_256_random_bits() -> None:
    key_id, token = new_token()
    assert key_id_of(token) == key_id and len(key_id) == 12
    assert token.startswith(f"shomeisho_{key_id}_") and len(token) == 10 + 12 + 1 + 43
    assert new_token()[1] != token
    for wrong in ("", "shomeisho_", token + "x", token.replace("shomeisho_", "shomeishO_"),
                  token[:-1], f"Bearer {token}"):  # fmt: skip
        assert key_id_of(wrong) is None


def test_only_a_keyed_hash_is_kept_and_it_matches_only_its_key() -> None:
    _, token = new_token()
    digest = token_digest(SECRET, token)
    assert len(digest) == 64 and token not in digest
    assert digest_matches(SECRET, token, digest)
    assert not digest_matches(SECRET, new_token()[1], digest)
    assert not digest_matches(b"another secret entirely, also long enough", token, digest)
    issued = NewApiKey(key(), token)
    assert token not in repr(issued)


def test_organisation_names_and_limits_are_checked() -> None:
    assert organisation_name("  Example Travel 株式会社 ") == "Example Travel 株式会社"
    for bad in ("", "   ", "x" * 201, "Bad\x00Name", "tab\there"):
        with pytest.raises(InputError) as refused:
            organisation_name(bad)
        assert refused.value.code == "input.organisation"
    assert rate_and_burst(60, None) == (60, 10)
    assert rate_and_burst(1, None) == (1, 1)
    assert rate_and_burst(600, 5) == (600, 5)
    for rate, burst in ((0, None), (1_000_001, None), (60, 0)):
        with pytest.raises(InputError) as refused:
            rate_and_burst(rate, burst)
        assert refused.value.code == "input.rate"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_admits_its_burst_then_its_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(clock)
    sixty = key(rate=60, burst=3)
    assert [limiter.admit(sixty) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.admit(sixty)
    assert wait == pytest.approx(1.0) and retry_after(wait) == 1
    clock.now += 0.5
    assert limiter.admit(sixty) == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.admit(sixty) == 0.0  # one token a second
    clock.now += 3600
    assert [limiter.admit(sixty) for _ in range(4)][-1] > 0  # refilled only up to the burst
    slow = ApiKey("ba9876543210", "Slow Co", 2, 1, CREATED, "operator")
    assert limiter.admit(slow) == 0.0
    assert retry_after(limiter.admit(slow)) == 30  # two a minute
    assert limiter.admit(sixty) > 0  # buckets are per key


class Totals:
    """A sink that keeps totals in a dict (the SQL store is tested in tests/db)."""

    def __init__(self, failing: bool = False) -> None:
        self.totals: dict[UsageKey, int] = {}
        self.failing = failing

    def add_usage(self, counts: Mapping[UsageKey, int]) -> None:
        if self.failing:
            raise ConnectionError("database away")
        for usage, total in counts.items():
            self.totals[usage] = self.totals.get(usage, 0) + total


def test_usage_is_counted_per_japanese_day_and_written_in_batches() -> None:
    before, after = datetime(2026, 11, 1, 14, 59, tzinfo=UTC), datetime(2026, 11, 1, 15, tzinfo=UTC)
    moments = iter([before, after] * 2)
    sink = Totals()
    recorder = UsageRecorder(sink, interval=3600, clock=lambda: next(moments))
    recorder.count("k1", "dcc", "valid")
    recorder.count("k1", "dcc", "valid")
    recorder.count("k1", "dcc", "valid")
    recorder.count("k1", "", "rate_limited")
    assert sink.totals == {}  # nothing written per request
    assert recorder.flush() == 3
    assert sink.totals == {
        UsageKey("k1", date(2026, 11, 1), "dcc", "valid"): 2,  # 23:59 in Japan
        UsageKey("k1", date(2026, 11, 2), "dcc", "valid"): 1,  # midnight in Japan
        UsageKey("k1", date(2026, 11, 2), "", "rate_limited"): 1,
    }
    assert recorder.flush() == 0
    recorder.close()
    assert japan_day(datetime(2026, 12, 31, 15, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_counts_that_could_not_be_written_are_kept_and_written_later() -> None:
    sink = Totals(failing=True)
    recorder = UsageRecorder(sink, interval=3600)
    recorder.count("k1", "shc", "invalid")
    with pytest.raises(ConnectionError):
        recorder.flush()
    assert sum(recorder.pending().values()) == 1
    recorder.count("k1", "shc", "invalid")
    sink.failing = False
    recorder.close()  # a clean shutdown writes what is left
    assert list(sink.totals.values()) == [2] and recorder.pending() == {}


def test_the_background_writer_writes_without_being_asked() -> None:
    sink = Totals()
    recorder = UsageRecorder(sink, interval=0.05)
    recorder.count("k1", "vdsnc", "valid")
    deadline = time.monotonic() + 10
    while not sink.totals and time.monotonic() < deadline:
        time.sleep(0.01)
    recorder.close()
    assert list(sink.totals.values()) == [1]
