"""Content negotiation: Accept with q-values, ``?format=``, 406, ``Vary`` and ``Link``.

The rules are checked on :func:`api.conneg.negotiate` directly, then end to end on a
stream of the demo served on loopback: every RDF syntax parses in rdflib, gives the same
graph and holds the stream's label.
"""

from __future__ import annotations

import pytest
import rdflib
from fastapi import HTTPException
from rdflib.compare import isomorphic
from starlette.requests import Request

from api import conneg
from tests.api.conftest import LiveServer

STREAM = "eramet-kvinesdal-simn-slag"
STREAM_IRI = rdflib.URIRef(f"https://w3id.org/sidestream/data/stream/{STREAM}")
LABEL = "SiMn slag (Silica Green Stone, SiGS)"
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
OFFERED = [*conneg.RDF, conneg.HTML, conneg.JSON]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def request(accept: str | None = None, query: str = "") -> Request:
    headers = [] if accept is None else [(b"accept", accept.encode())]
    return Request(
        {"type": "http", "method": "GET", "path": "/", "query_string": query.encode(),
         "headers": headers}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "ttl"),  # no preference: the server's first
        ("*/*", "ttl"),
        (BROWSER, "html"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "rdf"),
        ("application/x-turtle", "ttl"),  # an alias
        ("text/turtle;q=0.5, application/rdf+xml", "rdf"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.6", "rdf"),
        ("application/*;q=0.9, text/turtle;q=0.1", "jsonld"),  # first application/* offered
        ("text/*, text/turtle;q=0", "html"),  # the specific range rules out Turtle
        ("application/json", "json"),
        ("image/png, */*;q=0.1", "ttl"),
        ("TEXT/TURTLE", "ttl"),  # media types compare without case
    ],
)
def test_accept_picks_the_best_offered_representation(accept: str | None, expected: str) -> None:
    assert conneg.negotiate(request(accept), OFFERED).name == expected


def test_format_parameter_wins_over_accept() -> None:
    chosen = conneg.negotiate(request("text/turtle", "format=jsonld"), OFFERED)
    assert chosen is conneg.JSON_LD


@pytest.mark.parametrize(
    ("accept", "query"),
    [
        ("image/png", ""),
        ("text/turtle;q=0", ""),
        ("text/turtle;q=nonsense", ""),
        ("text/turtle;q=nan", ""),
        (None, "format=xls"),
    ],
)
def test_nothing_acceptable_is_406_listing_what_is_available(
    accept: str | None, query: str
) -> None:
    with pytest.raises(HTTPException) as refused:
        conneg.negotiate(request(accept, query), [conneg.TURTLE, conneg.JSON_LD])
    assert refused.value.status_code == 406
    assert refused.value.detail["available"] == ["text/turtle", "application/ld+json"]
    assert refused.value.detail["formats"] == ["ttl", "jsonld"]


@pytest.mark.parametrize("media_type", list(RDFLIB_FORMATS))
def test_every_rdf_syntax_parses_and_holds_the_stream_label(
    demo_server: LiveServer, media_type: str
) -> None:
    with demo_server.client(Accept=media_type) as client:
        answer = client.get(f"/streams/{STREAM}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == media_type
    assert answer.headers["vary"] == "Accept"
    graph = rdflib.Graph().parse(data=answer.content, format=RDFLIB_FORMATS[media_type])
    assert rdflib.Literal(LABEL, lang="en") in set(graph.objects(STREAM_IRI, rdflib.RDFS.label))
    # The fragments come along: resource, quantity and location.
    for fragment in ("resource", "quantity", "location"):
        assert (rdflib.URIRef(f"{STREAM_IRI}#{fragment}"), None, None) in graph


def test_the_four_syntaxes_give_the_same_graph(demo_server: LiveServer) -> None:
    graphs = []
    with demo_server.client() as client:
        for media_type, name in RDFLIB_FORMATS.items():
            answer = client.get(f"/streams/{STREAM}", headers={"Accept": media_type})
            graphs.append(rdflib.Graph().parse(data=answer.content, format=name))
    assert len(graphs[0]) > 20
    for graph in graphs[1:]:
        assert isomorphic(graphs[0], graph)


def test_json_ld_carries_the_shipped_context(demo_server: LiveServer) -> None:
    from catalogue.ingest.rdf import shipped_context

    with demo_server.client() as client:
        document = client.get(f"/streams/{STREAM}", params={"format": "jsonld"}).json()
    assert document["@context"] == shipped_context()
    ids = {node["@id"] for node in document["@graph"]}
    assert f"data:stream/{STREAM}" in ids  # IRIs compacted with the context's prefixes


def test_406_body_and_alternate_links(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        refused = client.get(f"/streams/{STREAM}", headers={"Accept": "image/png"})
        bad_format = client.get(f"/streams/{STREAM}", params={"format": "xls"})
        turtle = client.get(f"/streams/{STREAM}", params={"format": "ttl"})
    assert refused.status_code == 406
    assert refused.headers["vary"] == "Accept"
    available = refused.json()["available"]
    assert set(RDFLIB_FORMATS) <= set(available)
    assert bad_format.status_code == 406
    links = turtle.headers["link"]
    for media_type in RDFLIB_FORMATS:
        assert f'rel="alternate"; type="{media_type}"' in links
    assert f"/streams/{STREAM}?format=rdf>" in links


def test_browsers_get_html_when_pages_exist(demo_server: LiveServer) -> None:
    with demo_server.client(Accept=BROWSER) as client:
        answer = client.get(f"/streams/{STREAM}")
    if conneg.page_renderer("render_stream_page") is None:
        assert answer.status_code == 200  # RDF/XML or Turtle through */*
        assert answer.headers["content-type"].startswith(("text/turtle", "application/"))
    else:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        assert LABEL in answer.text


def test_json_ld_nodes_are_pyoxigraphs_expanded_json_ld_compacted() -> None:
    """The JSON-LD writer builds node objects itself; they must be what pyoxigraph's
    expanded JSON-LD gives once its IRIs are compacted (the writer it replaced)."""
    import json

    import pyoxigraph
    from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

    ss = "https://w3id.org/sidestream/ontology/"
    stream = NamedNode("https://w3id.org/sidestream/data/stream/x")
    part = BlankNode("part")
    triples = [
        Triple(stream, NamedNode(conneg.prefixes()["rdf"] + "type"), NamedNode(ss + "Supply")),
        Triple(stream, NamedNode(conneg.prefixes()["rdfs"] + "label"), Literal("x", language="en")),
        Triple(stream, NamedNode(ss + "temperatureCelsius"), Literal("1.5", datatype=NamedNode(
            "http://www.w3.org/2001/XMLSchema#decimal"))),
        Triple(stream, NamedNode(ss + "note"), Literal("plain")),
        Triple(stream, NamedNode(ss + "hasPart"), part),
        Triple(part, NamedNode(ss + "element"), NamedNode("http://example.org//odd")),
    ]  # fmt: skip
    expanded = json.loads(pyoxigraph.serialize(triples, format=RdfFormat.JSON_LD))
    assert conneg._json_ld_nodes(triples) == conneg._compact_node(expanded)
    document = json.loads(conneg.serialize(triples, conneg.JSON_LD))
    assert document["@graph"][0]["@id"] == "data:stream/x"
