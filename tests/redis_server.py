"""A throwaway redis-server on 127.0.0.1, for the tests and the bench: test infrastructure.

It needs the `redis-server` program (Debian package redis-server; .ci/run installs it) and
the `redis` package (the `redis` extra). Nothing is saved to disk (`--save "" --appendonly no`).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

PROGRAM = "redis-server"
MISSING = f"{PROGRAM} is not installed (Debian package redis-server; .ci/run installs it)"


def available() -> bool:
    """True when redis-server and the redis package are both there."""
    try:
        import redis  # noqa: F401
    except ImportError:
        return False
    return shutil.which(PROGRAM) is not None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One redis-server process on a free port of 127.0.0.1; `stop()` ends it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, wait: float = 10.0) -> RedisServer:
        """Start the server and wait until it answers PING."""
        import redis

        self.directory.mkdir(parents=True, exist_ok=True)
        args = [PROGRAM, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + wait
        with redis.Redis(port=self.port, socket_connect_timeout=0.5) as client:
            while not _answers(client):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{PROGRAM} did not start on port {self.port}")
                time.sleep(0.05)
        return self

    def flush(self) -> None:
        """Empty every database."""
        import redis

        with redis.Redis(port=self.port) as client:
            client.flushall()

    def stop(self) -> None:
        """End the server (and wait for it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _answers(client: Any) -> bool:
    """True when the server answers PING."""
    import redis

    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
