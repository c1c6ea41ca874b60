"""A real Oxigraph server (PyPI ``oxigraph``) on a free loopback port, one per session.

Started in a temporary folder and stopped by its process id when the session ends
(``tests/oxigraph_server.py``, shared with the service tests); the tests that need it skip
with a reason when the ``oxigraph`` command is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalogue.store.remote import RemoteStore
from tests.oxigraph_server import Server, free_port, start_oxigraph

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
