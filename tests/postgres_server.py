"""Find the PostgreSQL the tests need, or start a throwaway one."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from glob import glob
from pathlib import Path

import psycopg

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_binaries() -> Path:
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("no PostgreSQL answers and no initdb is installed to start one")


class ThrowawayServer:
    """initdb + pg_ctl in a temporary folder, on a free port that it keeps when stopped and
    started again; as root, the server runs as ``postgres``."""

    def __init__(self) -> None:
        self._binaries = _server_binaries()
        self._folder = Path(tempfile.mkdtemp(prefix="letopis-pg-"))
        self._run_as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self._folder, "postgres")
            self._run_as = ["runuser", "-u", "postgres", "--"]
        self._data = self._folder / "data"
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        initdb = self._binaries / "initdb"
        subprocess.run(
            [*self._run_as, str(initdb), "-D", str(self._data), "-U", "postgres", "--auth=trust"],
            check=True,
            capture_output=True,
        )

    def _pg_ctl(self, *arguments: str, check: bool = True) -> None:
        subprocess.run(
            [*self._run_as, str(self._binaries / "pg_ctl"), "-D", str(self._data), *arguments],
            check=check,
            capture_output=True,
        )

    def start(self) -> None:
        """Start the server (again) and return once it accepts connections."""
        self._pg_ctl(
            "-l",
            str(self._folder / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self._folder} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        deadline = time.monotonic() + 30
        while not answers(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError("the throwaway PostgreSQL did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        """Shut the server down as an operator would: open connections are ended and new
        ones refused until ``start``."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def remove(self) -> None:
        self._pg_ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(self._folder, ignore_errors=True)


@contextmanager
def restartable_server() -> Iterator[ThrowawayServer]:
    server = ThrowawayServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@contextmanager
def throwaway_server() -> Iterator[str]:
    with restartable_server() as server:
        yield server.url


@contextmanager
def postgres_server() -> Iterator[str]:
    url = os.environ.get("LETOPIS_TEST_POSTGRES_URL", DEFAULT_URL)
    if answers(url):
        yield url
    else:
        with throwaway_server() as started:
            yield started
