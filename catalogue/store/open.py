"""Opening the configured store backend: the one place that chooses it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from catalogue.config import Settings
from catalogue.store.base import CatalogueStore
from catalogue.store.oxigraph import OxigraphStore


def open_store(settings: Settings) -> CatalogueStore:
    """The remote SPARQL store when ``settings.endpoint`` is set, else the embedded
    pyoxigraph store at ``settings.store``; the caller closes it."""
    if settings.endpoint:
        from catalogue.store.remote import RemoteStore  # SPARQLWrapper only when needed

        return RemoteStore(
            settings.endpoint,
            settings.update_endpoint,
            settings.gsp_endpoint,
            user=settings.endpoint_user,
            password=settings.endpoint_password,
            union=settings.endpoint_union,
            single_request_quads=settings.endpoint_single_request_quads,
            batch_quads=settings.endpoint_batch_quads,
        )
    return OxigraphStore(settings.store, batch_quads=settings.store_batch_quads)


@contextmanager
def opened_store(settings: Settings) -> Iterator[CatalogueStore]:
    """``open_store`` for one block: the store is flushed and released when it ends."""
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()
