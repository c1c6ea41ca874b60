"""A real Oxigraph server (PyPI ``oxigraph``) on a free loopback port, one per session.

Started in a temporary folder and stopped by its process id when the session ends; the
tests that need it skip with a reason when the ``oxigraph`` command is not installed.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
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

    def store(self) -> RemoteStore:
        return RemoteStore(self.query, self.update, self.gsp)

    def clear(self) -> None:
        """Every test starts on an empty dataset."""
        httpx.post(self.update, data={"update": "DROP SILENT ALL"}).raise_for_status()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    executable = shutil.which("oxigraph")
    if executable is None:
        pytest.skip("the Oxigraph server is not installed (pip install oxigraph, test extra)")
    folder: Path = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    process = subprocess.Popen(
        [executable, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
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
        yield Server(f"{base}/query", f"{base}/update", f"{base}/store")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def remote(oxigraph_server: Server) -> RemoteStore:
    """An empty remote store on the session's server."""
    oxigraph_server.clear()
    return oxigraph_server.store()
