"""Catalogues on loopback for the federation tests.

``sidestream serve`` processes (each its own store and ``SIDESTREAM_DATA_BASE``, so the
IRIs differ) for the three-instance acceptance test; in-process services for the rest;
and a plain static-file server playing a foreign DCAT-AP catalogue whose files a test
may rewrite.
"""

from __future__ import annotations

import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.settings import ServiceSettings
from catalogue.publish import load_files
from catalogue.store import opened_store
from tests.oxigraph_server import free_port

DATA = Path(__file__).parent / "data"
REGION_A = DATA / "region-a.csv"
REGION_B = DATA / "region-b.csv"
BASE_A = "http://region-a.example/data/"
BASE_B = "http://region-b.example/data/"
BASE_HUB = "http://hub.example/data/"


def loaded(folder: Path, base: str, *files: Path) -> Path:
    """A store in ``folder`` minting IRIs under ``base``, holding ``files``."""
    path = folder / "store"
    settings = ServiceSettings(store=path, data_base=base)
    with opened_store(settings) as store:
        load_files(list(files), store, settings, publisher="test")
    return path


@dataclass
class Instance:
    """A ``sidestream serve`` process."""

    url: str
    process: subprocess.Popen  # type: ignore[type-arg]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@contextmanager
def serving(folder: Path, store: Path, base: str, **env: str) -> Iterator[Instance]:
    """``sidestream serve`` on a free loopback port over ``store``; stopped on exit."""
    port = free_port()
    log = folder / f"serve-{port}.log"
    variables = {
        **os.environ,
        "SIDESTREAM_DATA_BASE": base,
        "SIDESTREAM_SPARQL_WORKERS": "1",
        "SIDESTREAM_DESCRIBE_IN_WORKERS": "false",
        **env,
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "catalogue.cli", "serve", "--store", str(store),
             "--port", str(port)],
            stdout=output,
            stderr=output,
            env=variables,
            start_new_session=True,
        )  # fmt: skip
    instance = Instance(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(instance.url + "/catalogue", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sidestream serve did not start: {log.read_text()}")
            time.sleep(0.2)
        yield instance
    finally:
        instance.stop()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 (the base class's own attribute)
        ".ttl": "text/turtle",
        ".nt": "application/n-triples",
        ".html": "text/html",
        "": "application/octet-stream",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_site(folder: Path) -> Iterator[str]:
    """Files of ``folder`` over HTTP on a free loopback port (a foreign catalogue)."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
