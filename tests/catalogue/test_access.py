"""Confidentiality by dataset: each level in its own graph, each caller a list of graphs.

One submission holds a public, a restricted and a confidential stream of one
organisation, each with a marker in its name. Whatever query a caller's view runs,
including ``GRAPH ?g`` and ``FROM NAMED`` aimed at a hidden graph, it sees only the
markers of the levels it is cleared for. Every test that reads a store runs on each backend
(``tests/backends.py``: embedded, Oxigraph server, Virtuoso).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from catalogue.access import (
    ADMINISTRATOR,
    ANONYMOUS,
    Caller,
    Level,
    Role,
    level_graphs,
    partition,
    view_for,
)
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.publish import load_files, withdraw
from catalogue.store.base import CatalogueStore
from tests.backends import Backend

TEMPLATE = """identifier,kind,name,organisation,site,country,material,quantity,unit,confidentiality
open-slag,supply,Slag MARKER-PUBLIC,Shared Smelter AS,Plant A,NO,steelmaking slag,10,kt/a,public
club-dust,supply,Dust MARKER-RESTRICTED,Shared Smelter AS,Plant A,NO,fly ash,5,kt/a,restricted
secret-heat,supply,Heat MARKER-CONFIDENTIAL,Shared Smelter AS,Plant B,NO,surplus heat,3,GWh/a,\
confidential
"""
MARKERS = {
    Level.PUBLIC: "MARKER-PUBLIC",
    Level.RESTRICTED: "MARKER-RESTRICTED",
    Level.CONFIDENTIAL: "MARKER-CONFIDENTIAL",
}
EVERY_NAME = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE { ?s rdfs:label ?name }"""


@pytest.fixture
def store(backend: Backend, tmp_path: Path) -> Iterator[CatalogueStore]:
    """TEMPLATE published to an empty catalogue on each backend."""
    source = tmp_path / "streams.csv"
    source.write_text(TEMPLATE, encoding="utf-8")
    with backend.opened() as opened:
        load_files([source], opened, backend.settings, publisher="Shared Smelter AS")
        yield opened


def names(store: CatalogueStore, caller: Caller, query: str = EVERY_NAME) -> set[str]:
    return {str(row["name"].value) for row in store.select(query, view_for(store, caller))}


def seen_levels(found: set[str]) -> set[Level]:
    return {level for level, marker in MARKERS.items() if any(marker in name for name in found)}


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        (ANONYMOUS, {Level.PUBLIC}),
        (Caller(Role.READER, "Someone Else AS"), {Level.PUBLIC, Level.RESTRICTED}),
        (Caller(Role.PUBLISHER, "Someone Else AS"), {Level.PUBLIC, Level.RESTRICTED}),
        (Caller(Role.PUBLISHER, "Shared Smelter AS"), set(Level)),
        (ADMINISTRATOR, set(Level)),
    ],
)
def test_each_caller_sees_exactly_its_levels(
    store: CatalogueStore, caller: Caller, expected: set[Level]
) -> None:
    assert seen_levels(names(store, caller)) == expected


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?name WHERE { GRAPH ?g { ?s rdfs:label ?name } }",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?name FROM NAMED <https://w3id.org/sidestream/data/submission/streams/confidential>"
        " WHERE { GRAPH ?g { ?s rdfs:label ?name } }",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?name FROM <https://w3id.org/sidestream/data/submission/streams/restricted>"
        " WHERE { ?s rdfs:label ?name }",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?name WHERE { GRAPH "
        "<https://w3id.org/sidestream/data/submission/streams/confidential>"
        " { ?s rdfs:label ?name } }",
    ],
)
def test_naming_a_hidden_graph_reaches_nothing_hidden(store: CatalogueStore, query: str) -> None:
    assert seen_levels(names(store, ANONYMOUS, query)) <= {Level.PUBLIC}


def test_each_level_has_its_graph_and_inferences(store: CatalogueStore) -> None:
    submission = NamedNode("https://w3id.org/sidestream/data/submission/streams")
    graphs = {graph.value for graph in store.named_graphs()}
    for graph in level_graphs(submission).values():
        assert graph.value in graphs
        assert graph.value + "/inferred" in graphs


def test_the_organisation_shows_with_its_most_open_stream(store: CatalogueStore) -> None:
    query = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE { ?stream ss:heldBy ?org . ?org rdfs:label ?name }"""
    assert names(store, ANONYMOUS, query) == {"Shared Smelter AS"}


def test_the_site_of_a_confidential_stream_stays_hidden(store: CatalogueStore) -> None:
    query = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE { ?site a ss:Site ; rdfs:label ?name }"""
    assert names(store, ANONYMOUS, query) == {"Plant A"}
    assert names(store, ADMINISTRATOR, query) == {"Plant A", "Plant B"}


def test_withdrawal_removes_every_level(store: CatalogueStore, backend: Backend) -> None:
    assert withdraw(store, backend.settings, "streams")
    assert names(store, ADMINISTRATOR) == set()
    assert view_for(store, ANONYMOUS).graphs == ()


def test_reloading_the_same_file_replaces_every_level(
    store: CatalogueStore, backend: Backend, tmp_path: Path
) -> None:
    source = tmp_path / "streams.csv"
    source.write_text(TEMPLATE.replace("Plant A", "Plant C"), encoding="utf-8")
    graphs = set(store.named_graphs())
    result = load_files(
        [source], store, backend.settings, publisher="Shared Smelter AS", replace=True
    )
    assert [s.status for s in result.submissions] == ["replaced"]
    assert set(store.named_graphs()) == graphs
    assert seen_levels(names(store, ANONYMOUS)) == {Level.PUBLIC}
    query = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE { ?site a ss:Site ; rdfs:label ?name }"""
    assert names(store, ADMINISTRATOR, query) == {"Plant C", "Plant B"}


def test_partition_follows_fragments_attachments_and_blank_nodes() -> None:
    stream = "https://example.org/stream/x"
    org = NamedNode("https://example.org/organisation/o")
    node = BlankNode()
    quads = [
        Quad(NamedNode(stream), NamedNode(RDF_TYPE), NamedNode(SS.Supply)),
        Quad(NamedNode(stream), NamedNode(SS.confidentiality), Level.RESTRICTED.iri),
        Quad(NamedNode(stream), NamedNode(SS.heldBy), org),
        Quad(NamedNode(stream + "#quantity"), NamedNode(SS.note), node),
        Quad(node, NamedNode(SS.note), Literal("deep")),
        Quad(org, NamedNode(SS.note), Literal("org")),
        Quad(NamedNode("https://example.org/loose"), NamedNode(SS.note), Literal("loose")),
    ]
    parts = partition(quads)
    assert set(parts) == {Level.RESTRICTED}, "nothing here is public, so nothing goes public"
    assert len(parts[Level.RESTRICTED]) == len(quads)
