"""A real Oxigraph server (PyPI ``oxigraph``) on a free loopback port, for any test suite.

Started in a given folder and stopped by its process id; ``start_oxigraph`` skips the
calling tests with a reason when the ``oxigraph`` command is not installed. The store
tests share one per session (``tests/catalogue/store/conftest.py``); the service tests
start their own per module, so their data never meets the store tests' clearing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from catalogue.store.remote import RemoteStore


@dataclass(frozen=True)
class Server:
    query: str
    update: str
    gsp: str
    pid: int = 0
    """The server's process id (for tests that kill it)."""

    def store(self) -> RemoteStore:
        return RemoteStore(self.query, self.update, self.gsp)

    def clear(self) -> None:
        """Every test starts on an empty dataset."""
        httpx.post(self.update, data={"update": "DROP SILENT ALL"}).raise_for_status()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen, timeout: float) -> None:  # type: ignore[type-arg]
    """Terminate a server started for tests; kill it if it has not gone in ``timeout`` s."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def start_oxigraph(folder: Path, *extra: str) -> Iterator[Server]:
    """An Oxigraph server keeping its data in ``folder`` (``extra``: more serve options)."""
    executable = shutil.which("oxigraph")
    if executable is None:
        pytest.skip("the Oxigraph server is not installed (pip install oxigraph, test extra)")
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "serve",
            "--location",
            str(folder / "db"),
            "--bind",
            f"127.0.0.1:{port}",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.post(f"{base}/query", data={"query": "ASK {}"}).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "server.log").read_text()
                    pytest.fail(f"the Oxigraph server did not start: {log}")
                time.sleep(0.1)
        yield Server(f"{base}/query", f"{base}/update", f"{base}/store", process.pid)
    finally:
        stop_process(process, timeout=10)
