"""Shared fixtures: the merged ontology, loaded once per test session, and the backends the
catalogue lives on (``tests/backends.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph

from catalogue import ontology
from tests.backends import KINDS, Backend, Backends, session_backends
from tests.oxigraph_server import Server
from tests.virtuoso_server import VirtuosoServer


@pytest.fixture(scope="session")
def merged_graph() -> Graph:
    """The merged ontology and vocabularies as an rdflib graph (read-only by convention)."""
    return ontology.load_graph()


@pytest.fixture(scope="session")
def merged_store() -> pyoxigraph.Store:
    """The merged ontology and vocabularies in pyoxigraph (read-only by convention)."""
    return ontology.load_store()


@pytest.fixture(scope="session")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backends]:
    """The session's test servers, each stopped by its process id when the session ends."""
    with session_backends(tmp_path_factory) as started:
        yield started


@pytest.fixture(scope="session", params=KINDS)
def backend_kind(request: pytest.FixtureRequest) -> str:
    """``embedded``, ``oxigraph`` or ``virtuoso``: every test that takes it runs on each."""
    return str(request.param)


@pytest.fixture
def backend(backends: Backends, backend_kind: str, tmp_path: Path) -> Backend:
    """An empty catalogue on each backend (a fresh folder, or the writing server cleared)."""
    return backends.fresh(backend_kind, tmp_path)


@pytest.fixture(scope="session")
def oxigraph_server(backends: Backends) -> Server:
    """The Oxigraph server that writing tests share (clear it before use)."""
    server = backends.server("oxigraph", "writes")
    assert isinstance(server, Server)
    return server


@pytest.fixture(scope="session")
def virtuoso_server(backends: Backends) -> VirtuosoServer:
    """The Virtuoso that writing tests share (clear it before use)."""
    server = backends.server("virtuoso", "writes")
    assert isinstance(server, VirtuosoServer)
    return server
