"""Store backends: one small interface, pyoxigraph embedded today, remote SPARQL later."""

from catalogue.store.base import CatalogueStore, SubmissionWrite
from catalogue.store.open import open_store, opened_store

__all__ = ["CatalogueStore", "SubmissionWrite", "open_store", "opened_store"]
