"""One behaviour, three backends: the embedded pyoxigraph store, a real Oxigraph server and a
real Virtuoso.

Every test here runs on both; anything a backend does differently is a bug in it.
"""

from __future__ import annotations

import base64
import http.server
import socket
import threading
import urllib.parse
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
)

from catalogue.store.base import EVERYTHING, CatalogueStore, SubmissionWrite, View
from catalogue.store.oxigraph import OxigraphStore, StoreError
from catalogue.store.remote import RemoteStore, RowCapReached, without_dataset_clauses
from tests.virtuoso_server import ROW_CAP, VirtuosoServer

A, B, META = NamedNode("urn:test:a"), NamedNode("urn:test:b"), NamedNode("urn:test:meta")
S, P = NamedNode("urn:test:s"), NamedNode("urn:test:p")
SUBMISSION = NamedNode("urn:test:submission")
VALUES = "SELECT ?o WHERE { ?s ?p ?o }"


def values(store: CatalogueStore, view: View = EVERYTHING, query: str = VALUES) -> set[str]:
    return {row["o"].value for row in store.select(query, view)}


@pytest.fixture(params=["embedded", "remote", "remote-listed", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CatalogueStore]:
    """A store holding "a" in graph A, "b" in graph B and a metadata triple."""
    opened: CatalogueStore
    if request.param == "embedded":
        opened = OxigraphStore(tmp_path / "store")
    elif request.param == "virtuoso":
        opened = request.getfixturevalue("virtuoso")
    else:
        remote: RemoteStore = request.getfixturevalue("remote")
        if request.param == "remote-listed":
            remote = RemoteStore(remote.endpoint, remote.update_endpoint, union="listed")
        opened = remote
    opened.write(
        SubmissionWrite(
            [
                Quad(S, P, Literal("a"), A),
                Quad(S, P, Literal("b"), B),
                Quad(SUBMISSION, P, Literal("meta"), META),
            ]
        )
    )
    yield opened
    opened.close()


def test_a_view_is_the_dataset(store: CatalogueStore) -> None:
    assert values(store, View((A,))) == {"a"}
    assert values(store, View((A, B))) == {"a", "b"}
    assert values(store, EVERYTHING) == {"a", "b", "meta"}


def test_an_empty_view_sees_nothing(store: CatalogueStore) -> None:
    assert values(store, View(())) == set()
    assert values(store, View(()), "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }") == set()
    assert not store.ask("ASK { ?s ?p ?o }", View(()))
    assert store.construct("CONSTRUCT WHERE { ?s ?p ?o }", View(())) == []


def test_a_query_cannot_name_its_way_out_of_its_view(store: CatalogueStore) -> None:
    view = View((A,))
    assert values(store, view, "SELECT ?o FROM <urn:test:b> WHERE { ?s ?p ?o }") == {"a"}
    named = "SELECT ?o FROM NAMED <urn:test:b> WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert values(store, view, named) == {"a"}
    # Virtuoso adds FROM to the protocol's dataset: the remote store removes it first.
    assert values(store, view, "SELECT ?o from<urn:test:b> FROM <urn:test:a> { ?s ?p ?o }") == {"a"}
    assert values(store, view, "SELECT ?o WHERE { GRAPH <urn:test:b> { ?s ?p ?o } }") == set()
    assert values(store, view, "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }") == {"a"}


def test_everything_reaches_every_named_graph(store: CatalogueStore) -> None:
    rows = store.select("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert {(row["g"].value, row["o"].value) for row in rows} == {
        ("urn:test:a", "a"),
        ("urn:test:b", "b"),
        ("urn:test:meta", "meta"),
    }


def test_ask_and_construct(store: CatalogueStore) -> None:
    assert store.ask('ASK { ?s ?p "b" }') is True
    assert store.ask('ASK { ?s ?p "b" }', View((A,))) is False
    triples = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", View((B,)))
    assert [(t.subject, t.predicate, t.object) for t in triples] == [(S, P, Literal("b"))]


def test_query_gives_pyoxigraph_results(store: CatalogueStore) -> None:
    solutions = store.query(VALUES, View((A,)))
    assert isinstance(solutions, QuerySolutions)
    assert [v.value for v in solutions.variables] == ["o"]
    assert [solution["o"] for solution in solutions] == [Literal("a")]
    answer = store.query("ASK { ?s ?p ?o }", View(()))
    assert isinstance(answer, QueryBoolean) and not answer
    triples = store.query("CONSTRUCT WHERE { ?s ?p ?o }", View((A,)))
    assert isinstance(triples, QueryTriples)
    assert [t.object for t in triples] == [Literal("a")]


def test_comments_and_base_before_the_query_form(store: CatalogueStore) -> None:
    # SPARQLWrapper guesses the form from the text; the remote store must not depend on it.
    query = "# a comment\nBASE <https://example.org/>\nSELECT ?o WHERE { <urn:test:s> ?p ?o }"
    assert values(store, View((A,)), query) == {"a"}


def test_a_malformed_query_is_an_error_without_warnings(store: CatalogueStore) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SPARQLWrapper's "unknown query type" included
        with pytest.raises((StoreError, SyntaxError)):
            store.query("this is not SPARQL")


def test_the_wrong_query_form_is_refused(store: CatalogueStore) -> None:
    with pytest.raises(TypeError):
        store.select("ASK { ?s ?p ?o }")
    with pytest.raises(TypeError):
        store.ask(VALUES)
    with pytest.raises(TypeError):
        store.construct(VALUES)


def test_terms_survive_the_round_trip(store: CatalogueStore) -> None:
    terms = [
        Literal('ünïcode "quoted"\nnew line', language="nb"),
        Literal("0.1", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        Literal(
            "2026-11-23T21:00:00Z", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
        ),
        NamedNode("https://example.org/a#fragment"),
    ]
    graph = NamedNode("urn:test:terms")
    store.add_quads(Quad(S, P, term, graph) for term in terms)
    found = {row["o"] for row in store.select(VALUES, View((graph,)))}
    assert found == set(terms)


def test_blank_nodes_stay_linked(store: CatalogueStore) -> None:
    node, graph = BlankNode(), NamedNode("urn:test:blank")
    store.add_quads([Quad(S, P, node, graph), Quad(node, P, Literal("deep"), graph)])
    query = "SELECT ?o WHERE { ?s ?p ?node . ?node ?p ?o }"
    assert values(store, View((graph,)), query) == {"deep"}


def test_replace_drops_the_old_graphs_and_metadata(store: CatalogueStore) -> None:
    store.write(
        SubmissionWrite(
            [Quad(S, P, Literal("a2"), A), Quad(SUBMISSION, P, Literal("meta2"), META)],
            replaces=[A, B],
            metadata_graph=META,
            metadata_subjects=[SUBMISSION],
        )
    )
    assert values(store) == {"a2", "meta2"}
    assert set(store.named_graphs()) == {A, META}


def test_withdrawal_leaves_no_graph(store: CatalogueStore, request: pytest.FixtureRequest) -> None:
    store.write(
        SubmissionWrite([], replaces=[A, B], metadata_graph=META, metadata_subjects=[SUBMISSION])
    )
    assert values(store) == set()
    # Oxigraph (embedded and server) keeps a graph emptied by DELETE as an empty graph;
    # Virtuoso has no empty graphs (a graph is its triples).
    empty_graphs = [] if request.node.callspec.params["store"] == "virtuoso" else [META]
    assert store.named_graphs() == empty_graphs


def test_a_rejected_write_changes_nothing(store: CatalogueStore) -> None:
    before = sorted(map(str, store.quads()))
    # A blank node may not appear in DELETE WHERE: the whole request is refused, the
    # drop before it included.
    with pytest.raises((StoreError, SyntaxError)):
        store.write(
            SubmissionWrite(
                [Quad(S, P, Literal("new"), A)],
                replaces=[A, B],
                metadata_graph=META,
                metadata_subjects=[BlankNode()],  # type: ignore[list-item]
            )
        )
    assert sorted(map(str, store.quads())) == before


def test_named_graphs_and_quads(store: CatalogueStore) -> None:
    assert set(store.named_graphs()) == {A, B, META}
    assert list(store.quads(B)) == [Quad(S, P, Literal("b"), B)]
    assert set(store.quads()) == {
        Quad(S, P, Literal("a"), A),
        Quad(S, P, Literal("b"), B),
        Quad(SUBMISSION, P, Literal("meta"), META),
    }
    assert list(store.quads(NamedNode("urn:test:absent"))) == []


# The remote store alone: what only a network and another process can do.


def test_a_failure_inside_one_update_request_rolls_all_of_it_back(remote: RemoteStore) -> None:
    """The guarantee write() relies on: Oxigraph server runs one request as one transaction."""
    remote.add_quads([Quad(S, P, Literal("a"), A), Quad(S, P, Literal("b"), B)])
    with pytest.raises(StoreError):
        # Parses, then fails at its last operation: B exists.
        remote._update(
            "DROP GRAPH <urn:test:a> ; INSERT DATA { GRAPH <urn:test:c> { <urn:test:s> "
            '<urn:test:p> "c" } } ; CREATE GRAPH <urn:test:b>'
        )
    assert values(remote) == {"a", "b"}
    assert set(remote.named_graphs()) == {A, B}


def test_the_union_can_be_listed_instead(remote: RemoteStore, oxigraph_server: object) -> None:
    remote.add_quads([Quad(S, P, Literal("a"), A), Quad(S, P, Literal("b"), B)])
    listed = RemoteStore(remote.endpoint, remote.update_endpoint, union="listed")
    assert values(listed) == {"a", "b"}
    assert values(listed, View(())) == set()


class Truncated(http.server.BaseHTTPRequestHandler):
    """Answers like Oxigraph server after its time limit: HTTP 200, a body cut short."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"lit')

    def log_message(self, *args: object) -> None:
        pass


def test_a_truncated_answer_is_an_error() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), Truncated)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        store = RemoteStore(f"http://127.0.0.1:{server.server_port}/query")
        with pytest.raises(StoreError, match="does not parse"):
            store.select(VALUES)
        with pytest.raises(StoreError, match="does not parse"):
            store.query(VALUES)
    finally:
        server.shutdown()
        server.server_close()


class Recording(Truncated):
    """Answers every query with no rows, and keeps what it was sent."""

    seen: ClassVar[list[tuple[str | None, str | None, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.headers["Authorization"], self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":["o"]},"results":{"bindings":[]}}')


def test_requests_are_form_encoded_with_the_credentials() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), Recording)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/query"
        assert RemoteStore(url, user="reader", password="s3cret").select(VALUES, View((A,))) == []
    finally:
        server.shutdown()
        server.server_close()
    authorization, content_type, body = Recording.seen[-1]
    assert authorization == "Basic " + base64.b64encode(b"reader:s3cret").decode()
    assert content_type == "application/x-www-form-urlencoded"
    form = urllib.parse.parse_qs(body.decode())
    assert form["query"] == [VALUES]
    assert form["default-graph-uri"] == form["named-graph-uri"] == ["urn:test:a"]


def test_an_unreachable_server_is_a_store_error() -> None:
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        store = RemoteStore(f"http://127.0.0.1:{bound.getsockname()[1]}/query")
        with pytest.raises(StoreError):
            store.named_graphs()


def test_dataset_clauses_are_removed_outside_strings_iris_and_comments() -> None:
    query = (
        "PREFIX from: <urn:from:> SELECT ?from FROM <urn:a> FROM NAMED from:b\n"
        'WHERE { ?s <urn:p/FROM> "FROM <urn:c>", ?from } # FROM <urn:d>'
    )
    assert without_dataset_clauses(query) == (
        "PREFIX from: <urn:from:> SELECT ?from    \n"
        'WHERE { ?s <urn:p/FROM> "FROM <urn:c>", ?from } # FROM <urn:d>'
    )


# Virtuoso alone: its row cap (ResultSetMaxRows, 10,000 on the test server).


def test_virtuoso_answers_at_its_row_cap_are_not_taken_as_complete(virtuoso: RemoteStore) -> None:
    big = NamedNode("urn:test:big")
    count = ROW_CAP + 5
    # Virtuoso's SPARQL compiler runs out of memory on one INSERT DATA of ~5,000 triples.
    for start in range(0, count, 1000):
        end = min(start + 1000, count)
        virtuoso.add_quads(Quad(S, P, Literal(str(i)), big) for i in range(start, end))
    # A caller's query: refused, whether cut (no LIMIT) or exactly at the cap.
    with pytest.raises(RowCapReached, match="ResultSetMaxRows"):
        virtuoso.select(VALUES, View((big,)))
    with pytest.raises(RowCapReached):
        virtuoso.select(f"{VALUES} LIMIT {ROW_CAP}", View((big,)))
    with pytest.raises(RowCapReached):
        virtuoso.query(VALUES, View((big,)))
    with pytest.raises(RowCapReached):  # a graph is cut at the cap without any header
        virtuoso.construct("CONSTRUCT WHERE { ?s ?p ?o }", View((big,)))
    assert len(virtuoso.select(f"{VALUES} LIMIT {ROW_CAP - 1}", View((big,)))) == ROW_CAP - 1
    # The store's own reads page past the cap: every quad, once.
    expected = {Quad(S, P, Literal(str(i)), big) for i in range(count)}
    whole = list(virtuoso.quads())
    assert len(whole) == count and set(whole) == expected
    one = list(virtuoso.quads(big))
    assert len(one) == count and set(one) == expected
    assert virtuoso.named_graphs() == [big]


def test_virtuoso_updates_through_a_user_behind_basic_authentication(
    virtuoso_server: VirtuosoServer, virtuoso: RemoteStore
) -> None:
    """The set-up docs/remote-stores.md recommends: a dedicated user with SPARQL_UPDATE,
    its updates and its Graph Store Protocol writes at paths that ask for basic credentials
    (anonymous SPARQL stays read-only on a real server; the test server also grants it,
    for the other tests)."""
    vhost = (
        "DB.DBA.VHOST_DEFINE(lpath=>'{}', ppath=>'{}', is_dav=>1, vsp_user=>'dba', "
        "auth_fn=>'DB.DBA.HP_AUTH_SQL_USER', realm=>'SPARQL', opts=>vector('noinherit', 1));"
    )
    virtuoso_server.isql(
        "DB.DBA.USER_CREATE('sidestream_test', 's3cret'); "
        'GRANT SPARQL_SELECT TO "sidestream_test"; GRANT SPARQL_UPDATE TO "sidestream_test"; '
        + vhost.format("/sparql-update", "/!sparql/")
        + vhost.format("/sparql-graph-update", "/!sparql-graph-crud/")
    )
    base = virtuoso.endpoint.removesuffix("/sparql")
    update, gsp = base + "/sparql-update", base + "/sparql-graph-update"
    big = [Quad(S, P, Literal(f"big {i}"), B) for i in range(30)]
    try:
        writer = RemoteStore(
            virtuoso.endpoint,
            update,
            gsp,
            user="sidestream_test",
            password="s3cret",
            union="listed",
            single_request_quads=10,
            batch_quads=8,
        )
        writer.add_quads([Quad(S, P, Literal("a"), A)])
        assert values(writer) == {"a"}
        writer.write(SubmissionWrite(big))  # staged: four GSP batches, then one update
        assert len(list(writer.quads(B))) == 30
        for user, password in ((None, None), ("sidestream_test", "wrong")):
            refused = RemoteStore(
                virtuoso.endpoint,
                update,
                gsp,
                user=user,
                password=password,
                single_request_quads=10,
            )
            with pytest.raises(StoreError):
                refused.add_quads([Quad(S, P, Literal("b"), B)])
            with pytest.raises(StoreError, match="401"):
                refused.write(SubmissionWrite(big, replaces=[B]))
        assert values(writer) == {"a"} | {quad.object.value for quad in big}
    finally:
        virtuoso_server.isql(
            "DB.DBA.VHOST_REMOVE(lpath=>'/sparql-update'); "
            "DB.DBA.VHOST_REMOVE(lpath=>'/sparql-graph-update'); "
            "DB.DBA.USER_DROP('sidestream_test');"
        )
