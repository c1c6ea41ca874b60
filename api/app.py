"""``create_app(settings)``: the FastAPI application, with the store opened once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.settings import ServiceSettings
from catalogue import __version__
from catalogue.store.open import open_store

if TYPE_CHECKING:
    from catalogue.federation.schedule import HarvestSchedule


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The service for ``settings`` (default: from ``SIDESTREAM_*`` variables)."""
    settings = settings or ServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = open_store(settings)
        from api.deps import ViewCache
        from api.events import on_store_change
        from catalogue.store.oxigraph import OxigraphStore

        if isinstance(app.state.store, OxigraphStore):
            # Views are read once per caller until a write (api.deps.ViewCache).
            app.state.views = ViewCache()
            on_store_change(app, app.state.views.clear)
        from api.sparql.run import start_sparql, stop_sparql

        await start_sparql(app)
        from api.compaction import start_compaction, stop_compaction

        compaction = start_compaction(app)
        harvests = start_harvests(app, settings)
        try:
            yield
        finally:
            if harvests is not None:
                await asyncio.to_thread(harvests.stop)
            await stop_compaction(compaction)
            await stop_sparql(app)
            app.state.store.close()

    app = FastAPI(
        title="sidestream",
        summary="A semantic catalogue of industrial sidestreams and the critical raw "
        "materials they contain",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    from api.limits import BodyLimit

    app.add_middleware(BodyLimit, limit=settings.upload_limit)
    from api.headers import install_headers

    install_headers(app, settings)
    from api.routes import include_routes

    include_routes(app)
    from api.pages import mount_static

    mount_static(app)
    return app


def start_harvests(app: FastAPI, settings: ServiceSettings) -> HarvestSchedule | None:
    """Harvest ``harvest_sources`` now and every ``harvest_interval`` seconds, in a thread
    (none when either is unset); the store-change listeners run after a round that wrote."""
    if not settings.harvest_sources or not settings.harvest_interval:
        return None
    from api.events import store_changed
    from catalogue.federation.schedule import HarvestSchedule

    loop = asyncio.get_running_loop()
    return HarvestSchedule(
        app.state.store,
        settings,
        settings.harvest_interval,
        lambda: loop.call_soon_threadsafe(store_changed, app),
    ).start()
