"""``GET /match?federated=true`` on a hub served in-process: a remote that answers nonsense
and one that never answers degrade the answer with warnings, within the time limit."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import LiveServer, service_settings, start_server, stop_server
from tests.federation.conftest import BASE_HUB, REGION_A, loaded, static_site


@pytest.fixture
def silent(tmp_path: Path) -> Iterator[str]:
    """An address that takes connections and never answers."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"


@pytest.fixture
def nonsense(tmp_path: Path) -> Iterator[str]:
    """A catalogue whose /match answers a web page."""
    site = tmp_path / "nonsense"
    site.mkdir()
    (site / "match").write_text("<html>maintenance</html>")
    with static_site(site) as url:
        yield url


@pytest.fixture
def hub(tmp_path: Path, silent: str, nonsense: str) -> Iterator[LiveServer]:
    settings = service_settings(
        loaded(tmp_path / "hub", BASE_HUB, REGION_A),
        data_base=BASE_HUB,
        federation=[silent, nonsense],
        federation_timeout=1.0,
    )
    live, running = start_server(settings)
    yield live
    stop_server(running)


def test_remotes_that_fail_become_warnings(hub: LiveServer, silent: str, nonsense: str) -> None:
    with hub.client() as client:
        started = time.monotonic()
        answer = client.get("/match", params={"element": "Ga", "federated": "true"})
        elapsed = time.monotonic() - started
    assert answer.status_code == 200
    assert [(r["identifier"], r["source"]) for r in answer.json()] == [
        ("a-red-mud", f"{hub.url}/catalogue"),
        ("odda-zinc-residue", f"{hub.url}/catalogue"),
    ]
    warnings = answer.headers["Sidestream-Warning"].split(" | ")
    assert warnings == [
        f"{silent}/catalogue left out: did not answer in time (ReadTimeout)",
        f"{nonsense}/catalogue left out: its answer is not a list of match results",
    ]
    assert elapsed < 5  # the silent one had 1 s


def test_federated_is_for_elements_and_plain_match_is_unchanged(hub: LiveServer) -> None:
    with hub.client() as client:
        refused = client.get("/match", params={"demand": "x", "federated": "true"})
        plain = client.get("/match", params={"element": "Ga"})
    assert refused.status_code == 400
    assert "federated matching is for element only" in refused.text
    assert "Sidestream-Warning" not in plain.headers
    assert all("source" not in r for r in plain.json())
