"""``sidestream harvest`` and ``sidestream match --element --federated`` as commands, against
a regional catalogue served on loopback and one that is not there at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import LiveServer, service_settings, start_server, stop_server
from tests.federation.conftest import BASE_A, BASE_HUB, REGION_A, loaded
from tests.oxigraph_server import free_port


def sidestream(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalogue.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SIDESTREAM_DATA_BASE": BASE_HUB, **env},
    )


@pytest.fixture(scope="module")
def region_a(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("region-a")
    settings = service_settings(loaded(folder, BASE_A, REGION_A), data_base=BASE_A)
    live, running = start_server(settings)
    yield live
    stop_server(running)


def test_harvest_then_harvest_again(tmp_path: Path, region_a: LiveServer) -> None:
    store = str(tmp_path / "hub")
    first = sidestream("harvest", region_a.url, "--store", store)
    assert first.returncode == 0, first.stderr
    assert f"{region_a.url}/catalogue: harvested, 2 streams" in first.stdout
    assert "downloading" in first.stderr  # progress
    again = sidestream("harvest", region_a.url, "--store", store, "--json")
    assert again.returncode == 0, again.stderr
    (result,) = json.loads(again.stdout)
    assert (result["status"], result["streams"], result["rejected"]) == ("unchanged", 2, [])


def test_harvest_all_reports_each_source(tmp_path: Path, region_a: LiveServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    done = sidestream(
        "harvest",
        "--all",
        "--store",
        str(tmp_path / "hub"),
        SIDESTREAM_HARVEST_SOURCES=f"{region_a.url},{dead}",
    )
    assert done.returncode == 1  # one source failed
    assert f"{region_a.url}/catalogue: harvested, 2 streams" in done.stdout
    assert f"error: {dead}/catalogue cannot be reached (ConnectError" in done.stderr
    nothing = sidestream("harvest", "--all", "--store", str(tmp_path / "other"))
    assert nothing.returncode == 1
    assert "no sources: set SIDESTREAM_HARVEST_SOURCES" in nothing.stderr


def test_federated_match_names_sources_and_warns_about_a_dead_one(
    tmp_path: Path, region_a: LiveServer
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    store = str(tmp_path / "hub")
    loaded_hub = sidestream("load", str(REGION_A), "--store", store)  # the hub's own copy
    assert loaded_hub.returncode == 0, loaded_hub.stderr
    done = sidestream(
        "match",
        "--element",
        "Ga",
        "--federated",
        "--json",
        "--store",
        store,
        SIDESTREAM_FEDERATION=f"{region_a.url},{dead}",
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    # the hub's own rows and region A's are the same streams (same organisations): once each
    assert [(r["identifier"], r["source"], r.get("also_in")) for r in results] == [
        ("a-red-mud", "local", [f"{region_a.url}/catalogue"]),
        ("odda-zinc-residue", "local", [f"{region_a.url}/catalogue"]),
    ]
    assert f"warning: {dead}/catalogue left out: cannot be reached (ConnectError" in done.stderr
    table = sidestream(
        "match", "--element", "Ga", "--federated", "--store", store,
        SIDESTREAM_FEDERATION=region_a.url,
    )  # fmt: skip
    assert table.returncode == 0 and "local" in table.stdout and "source" in table.stdout


def test_federated_is_for_element_matching_only(tmp_path: Path) -> None:
    done = sidestream("match", "--demand", "x", "--federated", "--store", str(tmp_path / "s"))
    assert done.returncode == 2
    assert "--federated is for --element only" in done.stderr
