"""Starting and stopping the endpoint's executor with the app (called from the lifespan)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from api.events import on_store_change
from api.settings import ServiceSettings
from api.sparql.executor import SparqlExecutor
from catalogue.store.oxigraph import OxigraphStore

if TYPE_CHECKING:
    from api.sparql.remote import RemoteSparqlExecutor


async def start_sparql(app: FastAPI) -> None:
    """The executor for the store backend, chosen here only (the routes never ask which).

    Embedded store: checkpoint it, start the workers, refresh the checkpoint after every
    write. Remote store: forward queries to its server (``api.sparql.remote``), which sees
    writes at once, so nothing listens for them.
    """
    settings: ServiceSettings = app.state.settings
    store = app.state.store
    if not isinstance(store, OxigraphStore):
        # Imported here so the embedded service never loads SPARQLWrapper (as open_store).
        from api.sparql.remote import RemoteSparqlExecutor
        from catalogue.store.remote import RemoteStore

        if not isinstance(store, RemoteStore):
            raise TypeError(f"no SPARQL endpoint for a {type(store).__name__}")

        remote = RemoteSparqlExecutor(
            store, timeout=settings.sparql_timeout, row_limit=settings.sparql_row_limit
        )
        await remote.start()
        app.state.sparql = remote
        return
    if store.path is None:
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
    executor: SparqlExecutor | RemoteSparqlExecutor | None = getattr(app.state, "sparql", None)
    if executor is not None:
        await executor.stop()
