"""Checkpoints of the live store that worker processes open read-only.

Opening the live RocksDB store read-only from another process while the server writes
to it is undefined behaviour (pyoxigraph's docs), so workers never see it. The server
makes a RocksDB checkpoint (``Store.backup``: hard links to the immutable table files,
so it costs a flush and a directory of links, not a copy) after every write, and workers
move to the newest one at their next query. A snapshot is deleted once it is neither
the newest nor open in a worker.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

import pyoxigraph

log = logging.getLogger(__name__)


class Snapshots:
    """The snapshot folder of one running service, and which snapshots are in use."""

    def __init__(self, store: pyoxigraph.Store, folder: Path) -> None:
        self._store = store
        self.folder = folder
        self._lock = threading.Lock()
        self._generation = 0
        self._current: Path | None = None
        self._holders: dict[object, Path] = {}
        self.last_checkpoint_ms = 0.0

    def start(self) -> Path:
        """Clear what a previous run left (the live store's lock says none is running)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        return self.refresh()

    def refresh(self) -> Path:
        """Checkpoint the live store as the newest snapshot (call after each write)."""
        with self._lock:
            self._generation += 1
            target = self.folder / f"g{self._generation:06d}"
            started = time.perf_counter()
            self._store.backup(str(target))
            self.last_checkpoint_ms = (time.perf_counter() - started) * 1000
            self._current = target
        log.info("SPARQL snapshot %s in %.1f ms", target.name, self.last_checkpoint_ms)
        self.prune()
        return target

    @property
    def current(self) -> Path:
        assert self._current is not None, "Snapshots.start() first"
        return self._current

    def hold(self, holder: object) -> Path:
        """The newest snapshot, recorded as open in ``holder`` (a worker) until it moves on."""
        with self._lock:
            assert self._current is not None, "Snapshots.start() first"
            self._holders[holder] = self._current
            return self._current

    def release(self, holder: object) -> None:
        """``holder`` has nothing open any more (its process ended)."""
        with self._lock:
            self._holders.pop(holder, None)

    def prune(self) -> None:
        """Delete the snapshots nobody can still read."""
        with self._lock:
            keep = {self._current, *self._holders.values()}
            stale = [p for p in self.folder.iterdir() if p not in keep]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            self._holders.clear()
            self._current = None
        shutil.rmtree(self.folder, ignore_errors=True)
