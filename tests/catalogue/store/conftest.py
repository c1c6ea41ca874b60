"""Real servers on free loopback ports, one of each per session: Oxigraph server (PyPI
``oxigraph``) and Virtuoso Open Source (Debian ``virtuoso-opensource``).

Each is started in a temporary folder and stopped by its process id when the session ends
(``tests/oxigraph_server.py``, shared with the service tests; ``tests/virtuoso_server.py``);
the tests that need one skip with a reason when it is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalogue.store.remote import RemoteStore
from tests.oxigraph_server import Server, free_port, start_oxigraph
from tests.virtuoso_server import VirtuosoServer, start_virtuoso

__all__ = ["Server", "free_port"]


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with start_oxigraph(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture
def remote(oxigraph_server: Server) -> RemoteStore:
    """An empty remote store on the session's server."""
    oxigraph_server.clear()
    return oxigraph_server.store()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    with start_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture
def virtuoso(virtuoso_server: VirtuosoServer) -> RemoteStore:
    """An empty remote store on the session's Virtuoso (the listed union)."""
    virtuoso_server.clear()
    return virtuoso_server.store()
