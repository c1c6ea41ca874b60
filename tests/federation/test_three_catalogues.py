"""Issue 10 acceptance: two regional catalogues and a hub, each a ``sidestream serve`` on
loopback with its own store and data base. The hub harvests both on its schedule; a
CRM-first federated query on the hub returns streams from both, each naming its source,
the stream both regions publish once; and a regional instance stopped in the middle of a
query leaves the other's results, with a warning."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx

from tests.federation.conftest import (
    BASE_A,
    BASE_B,
    BASE_HUB,
    REGION_A,
    REGION_B,
    loaded,
    serving,
)


def _ga(hub: str, **params: str) -> httpx.Response:
    return httpx.get(f"{hub}/match", params={"element": "Ga", **params}, timeout=60)


def test_hub_harvests_two_regions_and_matches_across_them(tmp_path: Path) -> None:
    store_a = loaded(tmp_path / "a", BASE_A, REGION_A)
    store_b = loaded(tmp_path / "b", BASE_B, REGION_B)
    (tmp_path / "hub").mkdir()
    with (
        serving(tmp_path, store_a, BASE_A) as region_a,
        serving(tmp_path, store_b, BASE_B) as region_b,
    ):
        catalogues = f"{region_a.url}/catalogue,{region_b.url}/catalogue"
        with serving(
            tmp_path,
            tmp_path / "hub" / "store",
            BASE_HUB,
            SIDESTREAM_HARVEST_SOURCES=catalogues,
            SIDESTREAM_HARVEST_INTERVAL="3600",
            SIDESTREAM_FEDERATION=catalogues,
            SIDESTREAM_FEDERATION_TIMEOUT="20",
        ) as hub:
            # the hub's first scheduled round harvests both regions
            deadline = time.monotonic() + 120
            harvested: set[str] = set()
            while harvested != {"a-red-mud", "odda-zinc-residue", "b-bauxite-residue"}:
                assert time.monotonic() < deadline, hub.log.read_text()
                time.sleep(0.5)
                harvested = {r["identifier"] for r in _ga(hub.url).json()}

            answer = _ga(hub.url, federated="true")
            assert answer.status_code == 200
            assert "Sidestream-Warning" not in answer.headers
            results = answer.json()
            sources = {r["identifier"]: r["source"] for r in results}
            assert sources == {
                "a-red-mud": f"{region_a.url}/catalogue",
                "b-bauxite-residue": f"{region_b.url}/catalogue",
                # published by both regions (same organisation, site 200 m apart): once
                "odda-zinc-residue": f"{region_a.url}/catalogue",
            }
            (odda,) = [r for r in results if r["identifier"] == "odda-zinc-residue"]
            assert odda["also_in"] == [f"{region_b.url}/catalogue"]
            # ranked again over all sources: by recoverable gallium, largest first
            masses = [r["recoverable"]["mass"] for r in results]
            assert masses == sorted(masses, reverse=True)
            assert results[0]["score"] == 1.0
            # the confidential stream of region A is not harvested and not answered live
            assert "a-secret-residue" not in sources

            # region B freezes with the hub's request waiting on it, then dies
            os.kill(region_b.process.pid, signal.SIGSTOP)
            pending: dict[str, httpx.Response] = {}
            asking = threading.Thread(
                target=lambda: pending.setdefault("answer", _ga(hub.url, federated="true"))
            )
            started = time.monotonic()
            asking.start()
            time.sleep(2)
            assert asking.is_alive()  # the hub is waiting for region B
            os.killpg(region_b.process.pid, signal.SIGKILL)
            asking.join(60)
            elapsed = time.monotonic() - started
            degraded = pending["answer"]
            assert degraded.status_code == 200
            warning = degraded.headers["Sidestream-Warning"]
            assert warning.startswith(f"{region_b.url}/catalogue left out: ")
            results = degraded.json()
            live_a = {
                r["identifier"] for r in results if r["source"] == f"{region_a.url}/catalogue"
            }
            assert live_a == {"a-red-mud", "odda-zinc-residue"}
            # region B's own stream still comes from the hub's harvest of it
            assert {r["source"] for r in results if r["identifier"] == "b-bauxite-residue"} == {
                f"{region_b.url}/catalogue"
            }
            assert elapsed < 20
