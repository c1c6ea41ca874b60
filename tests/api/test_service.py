"""The service as the README starts it, and its API description.

``sidestream serve --demo`` is run as a real process on an empty store: it must load
the demo and answer, and its OpenAPI description must list every path of the interface
contract (shared/spec/interfaces.md section 3).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.api.conftest import LiveServer, free_port

CONTRACT = {
    "/sparql": {"get", "post"},
    "/streams": {"get", "post"},
    "/streams/{identifier}": {"get"},
    "/match": {"get"},
    "/ontology": {"get"},
    "/catalogue": {"get"},
    # The web pages are endpoints too.
    "/": {"get"},
    "/elements/{name}": {"get"},
    "/map": {"get"},
    "/query": {"get"},
}


def test_serve_demo_loads_the_demo_and_answers(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "catalogue.cli", "serve", "--demo", "--store",
         str(tmp_path / "store"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/match",
                    params={"demand": "lindum-sor-neutralising-agent", "top": 1},
                    timeout=5,
                )
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert answer is not None, process.stderr.read().decode() if process.stderr else ""
        assert answer.status_code == 200
        assert answer.json()[0]["identifier"] == "celsa-mo-i-rana-ladle-slag"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    said = err.decode()
    # each reporting round of the demo is one load, the later year's streams new versions
    assert "demo prosess21-demo.csv loaded: 75 streams for 2020" in said
    assert "demo prosess21-demo-2021.csv loaded: 6 streams for 2021" in said


def test_openapi_describes_every_contract_path(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        spec = client.get("/openapi.json").json()
        docs = client.get("/docs")
    for path, methods in CONTRACT.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), (path, set(spec["paths"][path]))
        for method in methods:
            assert spec["paths"][path][method].get("summary"), (path, method)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
