"""Running an app for real (uvicorn in a thread on a free port), for tests that need HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(*apps_and_ports: tuple[Any, int]) -> Iterator[None]:
    """Serve each (app, port) until the block ends; waits until all have started."""
    servers = [
        uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
        for app, port in apps_and_ports
    ]
    threads = [threading.Thread(target=server.run, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while not all(server.started for server in servers):
        assert time.monotonic() < deadline, "a test server did not start in 30 s"
        time.sleep(0.05)
    try:
        yield
    finally:
        for server in servers:
            server.should_exit = True
        for thread in threads:
            thread.join(timeout=10)
