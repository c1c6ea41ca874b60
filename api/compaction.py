"""Compacting the embedded store in the background once the service has started.

A store filled by bulk loading (``Store.bulk_extend``, as the benchmarks and big loads
do) keeps its RocksDB table files as they were written, and every point read then
seeks through many of them: at 100,000 streams one stream's description took 4 ms
against 1 ms after ``Store.optimize()``. Compacting a store that needs none returns at
once, so it is done at every start, in a thread: pyoxigraph releases the GIL while it
compacts, and reads go on meanwhile. When it is done the store-change listeners run,
so the SPARQL workers move to a checkpoint of the compacted files.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from fastapi import FastAPI

from api.events import store_changed
from catalogue.store.oxigraph import OxigraphStore

log = logging.getLogger(__name__)


def start_compaction(app: FastAPI) -> threading.Thread | None:
    """Compact ``app.state.store`` in a daemon thread (an embedded on-disk store only).

    A daemon thread, so stopping the service does not wait for a long compaction:
    RocksDB keeps the store consistent if the process ends in the middle of one.
    """
    store = app.state.store
    if not isinstance(store, OxigraphStore) or store.path is None:
        return None
    loop = asyncio.get_running_loop()

    def compact() -> None:
        started = time.perf_counter()
        try:
            store.raw.optimize()
        except Exception:  # the service runs as well on an uncompacted store
            log.exception("compacting the store failed")
            return
        log.info("store compacted in %.1f s", time.perf_counter() - started)
        # New table files: the SPARQL workers should read them too. On the loop, where
        # publishers call the listeners.
        loop.call_soon_threadsafe(store_changed, app)

    thread = threading.Thread(target=compact, name="compaction", daemon=True)
    thread.start()
    return thread


async def stop_compaction(thread: threading.Thread | None, patience: float = 10.0) -> None:
    """Give a compaction still running ``patience`` seconds to finish.

    Enough for a small store, which its opener may want to open again in this process
    (RocksDB's lock goes only with the last handle, and the compaction holds one); a
    long one is left to end with the process.
    """
    if thread is not None and thread.is_alive():
        log.warning("waiting up to %.0f s for the store compaction to finish", patience)
        await asyncio.to_thread(thread.join, patience)
