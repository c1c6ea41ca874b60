"""The demo catalogue the matching tests read, loaded once by the command line."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from catalogue.cli import main
from catalogue.config import Settings
from catalogue.store import opened_store
from catalogue.store.base import CatalogueStore


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the demo catalogue (read it only: every matching test shares it)."""
    path = tmp_path_factory.mktemp("demo") / "store"
    assert main(["load", "--demo", "--store", str(path), "--by", "test"]) == 0
    return path


def opened(path: Path) -> AbstractContextManager[CatalogueStore]:
    """The store at ``path`` for one block, through the production context manager."""
    return opened_store(Settings(store=path))
