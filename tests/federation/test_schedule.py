"""The harvest schedule of ``serve``: a round at start, then every interval; a round that
wrote something tells the service (its ``changed`` callback), an unchanged one does not."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from catalogue.config import Settings
from catalogue.federation.harvest import recorded
from catalogue.federation.schedule import HarvestSchedule
from catalogue.matching.crm import match_element
from catalogue.store.oxigraph import OxigraphStore
from tests.federation.conftest import BASE_A, BASE_HUB, REGION_A, REGION_B, static_site
from tests.federation.test_harvest import DCAT, dump_of


def test_rounds_refresh_a_changed_source_and_report_only_changes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "dump.ttl").write_bytes(dump_of(tmp_path / "a", BASE_A, REGION_A))
    (site / "catalog.ttl").write_text(DCAT.replace("DUMP", "dump.ttl"))
    store = OxigraphStore()
    changes = threading.Semaphore(0)
    with static_site(site) as url:
        settings = Settings(
            store=tmp_path / "unused",
            data_base=BASE_HUB,
            harvest_sources=[url + "/catalog.ttl", "http://127.0.0.1:9/catalogue"],
        )
        schedule = HarvestSchedule(store, settings, 0.2, changes.release).start()
        try:
            assert changes.acquire(timeout=60)  # the first round harvested
            assert {r.identifier for r in match_element(store, "Ga")} == {
                "a-red-mud",
                "odda-zinc-residue",
            }
            rounds = schedule.rounds
            while schedule.rounds < rounds + 3:  # unchanged rounds report nothing
                time.sleep(0.1)
            assert not changes.acquire(blocking=False)
            (site / "dump.ttl").write_bytes(dump_of(tmp_path / "b", BASE_A, REGION_B))
            assert changes.acquire(timeout=60)
            assert {r.identifier for r in match_element(store, "Ga")} == {
                "odda-zinc-residue",
                "b-bauxite-residue",
            }
        finally:
            schedule.stop()
    assert not schedule.thread.is_alive()
    assert len(recorded(store, settings)) == 1  # the unreachable source wrote nothing
