"""Harvesting every configured source: on demand (``sidestream harvest --all``) and on a
schedule while serving (``SIDESTREAM_HARVEST_INTERVAL``).

One source failing does not stop the others: each is harvested on its own, and its error
is reported beside the others' results (the store keeps what that source's last good
harvest wrote).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from catalogue.config import Settings
from catalogue.federation.harvest import HarvestResult, Progress, harvest
from catalogue.federation.sources import AllowList, FederationError, Source, sources
from catalogue.store.base import CatalogueStore, WriteProgress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What harvesting one source gave: a result, or the error that left it out."""

    source: str
    result: HarvestResult | None = None
    error: str | None = None


def allow_list(settings: Settings, *extra: Source) -> AllowList:
    """The remote catalogues the settings allow, and ``extra`` (an operator's own choice)."""
    return AllowList.of([*sources(settings.harvest_sources), *sources(settings.federation), *extra])


def harvest_all(
    store: CatalogueStore,
    settings: Settings,
    *,
    progress: Progress | None = None,
    write_progress: WriteProgress | None = None,
) -> list[Outcome]:
    """Harvest each of ``settings.harvest_sources`` in turn."""
    allow = allow_list(settings)
    outcomes = []
    for source in sources(settings.harvest_sources):
        try:
            result = harvest(
                store,
                settings,
                source,
                allow,
                progress=progress or _quiet,
                write_progress=write_progress,
            )
        except FederationError as error:
            outcomes.append(Outcome(source.url, error=str(error)))
        else:
            outcomes.append(Outcome(source.url, result=result))
    return outcomes


def _quiet(_: str) -> None:
    pass


class HarvestSchedule:
    """A daemon thread harvesting every source now and then every ``interval`` seconds;
    ``changed`` is called after a round that wrote something."""

    def __init__(
        self,
        store: CatalogueStore,
        settings: Settings,
        interval: float,
        changed: Callable[[], None],
    ) -> None:
        self.store, self.settings, self.interval, self.changed = store, settings, interval, changed
        self.stopping = threading.Event()
        self.rounds = 0
        self.thread = threading.Thread(target=self._run, name="harvest", daemon=True)

    def start(self) -> HarvestSchedule:
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                outcomes = harvest_all(self.store, self.settings)
            except Exception:  # the next round tries again; serving goes on meanwhile
                log.exception("harvesting failed")
                outcomes = []
            for outcome in outcomes:
                if outcome.error is not None:
                    log.warning("harvest of %s failed: %s", outcome.source, outcome.error)
            if any(o.result is not None and o.result.status != "unchanged" for o in outcomes):
                self.changed()
            self.rounds += 1
            self.stopping.wait(self.interval)

    def stop(self, patience: float = 10.0) -> None:
        """Stop after the round in progress (waiting up to ``patience`` seconds for it)."""
        self.stopping.set()
        self.thread.join(patience)
