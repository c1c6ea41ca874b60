"""Starting and stopping the endpoint's executor with the app (called from the lifespan)."""

from __future__ import annotations

from fastapi import FastAPI

from api.events import on_store_change
from api.settings import ServiceSettings
from api.sparql.executor import SparqlExecutor
from catalogue.store.oxigraph import OxigraphStore


async def start_sparql(app: FastAPI) -> None:
    """Checkpoint the store, start the workers, refresh the checkpoint after every write."""
    settings: ServiceSettings = app.state.settings
    store = app.state.store
    if not isinstance(store, OxigraphStore) or store.path is None:
        raise TypeError("the SPARQL endpoint needs the embedded on-disk store")
    # Beside the store, so checkpoints are hard links on the same file system.
    folder = store.path.with_name(store.path.name + ".sparql-snapshots")
    executor = SparqlExecutor(
        store.raw,
        folder,
        workers=settings.sparql_workers,
        timeout=settings.sparql_timeout,
        row_limit=settings.sparql_row_limit,
    )
    await executor.start()
    app.state.sparql = executor
    on_store_change(app, executor.store_changed)


async def stop_sparql(app: FastAPI) -> None:
    executor: SparqlExecutor | None = getattr(app.state, "sparql", None)
    if executor is not None:
        await executor.stop()
