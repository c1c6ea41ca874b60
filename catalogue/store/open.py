"""Opening the configured store backend: the one place that chooses it."""

from __future__ import annotations

from catalogue.config import Settings
from catalogue.store.base import CatalogueStore
from catalogue.store.oxigraph import OxigraphStore


def open_store(settings: Settings) -> CatalogueStore:
    """The embedded pyoxigraph store at ``settings.store``."""
    return OxigraphStore(settings.store)
