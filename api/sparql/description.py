"""The SPARQL 1.1 Service Description answered at ``GET /sparql`` without a query."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from api.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
DCT_TITLE = NamedNode("http://purl.org/dc/terms/title")
PREFIXES = {
    "sd": SD,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "dcterms": "http://purl.org/dc/terms/",
    "formats": "http://www.w3.org/ns/formats/",
}


def limits_text(timeout: float, row_limit: int) -> str:
    """The endpoint's limits and access rules, as told to callers (also in the OpenAPI text)."""
    return (
        "Read-only SPARQL 1.1 Query endpoint (SPARQL Update and SERVICE are refused). "
        "The dataset is the caller's view: the default graph is the union of the graphs "
        "the caller may see and GRAPH reaches only those; FROM and FROM NAMED cannot "
        "widen it, default-graph-uri and named-graph-uri can only narrow it. "
        f"A query may run {timeout:g} s; a longer one is cancelled and answered with "
        f"503. A SELECT answers at most {row_limit} rows; a cut result carries the "
        "header 'SPARQL-Results-Truncated: true' and a Warning header saying where it "
        "was cut."
    )


def _sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def describe(
    endpoint: str, graphs: tuple[NamedNode, ...] | None, timeout: float, row_limit: int
) -> list[Triple]:
    """The description of ``endpoint`` for a caller who sees ``graphs`` (None: all)."""
    service = NamedNode(endpoint)
    dataset, default_graph = BlankNode(), BlankNode()
    triples = [
        Triple(service, RDF_TYPE, _sd("Service")),
        Triple(service, _sd("endpoint"), service),
        Triple(service, DCT_TITLE, Literal("sidestream SPARQL endpoint", language="en")),
        Triple(service, RDFS_COMMENT, Literal(limits_text(timeout, row_limit), language="en")),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        Triple(service, _sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default_graph),
        Triple(default_graph, RDF_TYPE, _sd("Graph")),
    ]
    triples += [
        Triple(service, _sd("resultFormat"), NamedNode(f.iri))
        for f in (*RESULT_FORMATS, *GRAPH_FORMATS)
    ]
    for graph in graphs or ():
        named = BlankNode()
        triples += [
            Triple(dataset, _sd("namedGraph"), named),
            Triple(named, RDF_TYPE, _sd("NamedGraph")),
            Triple(named, _sd("name"), graph),
        ]
    return triples
