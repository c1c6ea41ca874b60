"""Shared fixtures: the merged ontology, loaded once per test session."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph

from catalogue import ontology


@pytest.fixture(scope="session")
def merged_graph() -> Graph:
    """The merged ontology and vocabularies as an rdflib graph (read-only by convention)."""
    return ontology.load_graph()


@pytest.fixture(scope="session")
def merged_store() -> pyoxigraph.Store:
    """The merged ontology and vocabularies in pyoxigraph (read-only by convention)."""
    return ontology.load_store()
