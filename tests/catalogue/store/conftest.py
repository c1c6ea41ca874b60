"""Empty stores on the session's writing servers (``oxigraph_server``, ``virtuoso_server``:
``tests/conftest.py``, shared with the catalogue tests' ``backend``), each cleared first."""

from __future__ import annotations

import pytest

from catalogue.store.remote import RemoteStore
from tests.oxigraph_server import Server, free_port
from tests.virtuoso_server import VirtuosoServer

__all__ = ["Server", "free_port"]


@pytest.fixture
def remote(oxigraph_server: Server) -> RemoteStore:
    """An empty remote store on the session's server."""
    oxigraph_server.clear()
    return oxigraph_server.store()


@pytest.fixture
def virtuoso(virtuoso_server: VirtuosoServer) -> RemoteStore:
    """An empty remote store on the session's Virtuoso (the listed union)."""
    virtuoso_server.clear()
    return virtuoso_server.store()
