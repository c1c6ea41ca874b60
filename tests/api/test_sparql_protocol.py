"""The SPARQL 1.1 Protocol endpoint, through clients nobody here wrote (SPARQLWrapper,
rdflib's SPARQLStore, httpx), against a real service on loopback over the demo catalogue."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from api.settings import ServiceSettings
from catalogue.access import ANONYMOUS, Role, view_for
from catalogue.demo import demo_file
from catalogue.store import opened_store
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import (
    LiveServer,
    loaded_store,
    service_settings,
    start_server,
    stop_server,
)

SS = "https://w3id.org/sidestream/ontology/"
CONFIDENTIAL_STREAMS = ("elkem-process-products", "norsep-heroya-recovered-salt")
SUPPLIES = f"PREFIX ss: <{SS}> SELECT ?supply WHERE {{ ?supply a ss:Supply }} ORDER BY ?supply"
EVERYTHING = "CONSTRUCT WHERE { ?s ?p ?o }"
RESTRICTED_STREAM = "eramet-mor-dust"
CALLERS = {
    "reader": ("Curious Institute", Role.READER),
    "demo": ("demo", Role.PUBLISHER),  # the organisation the demo is published as
    "other": ("Acme Metals", Role.PUBLISHER),
    "admin": ("Catalogue Office", Role.ADMINISTRATOR),
}


@dataclass
class Demo:
    server: LiveServer
    public: rdflib.Graph
    """Every statement of the anonymous view, read from the store without SPARQL."""
    public_graphs: frozenset[str]
    confidential_graphs: tuple[str, ...]
    tokens: dict[str, str]

    def client(self, who: str | None = None) -> httpx.Client:
        if who is None:
            return self.server.client()
        return self.server.client(Authorization=f"Bearer {self.tokens[who]}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = loaded_store(tmp_path_factory.mktemp("sparql-protocol"), [demo_file()])
    public = rdflib.Graph()
    with opened_store(ServiceSettings(store=path)) as store:
        view = view_for(store, ANONYMOUS)
        assert view.graphs
        for graph in view.graphs:
            for quad in store.quads(graph):
                public.add(tuple(_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))
        confidential = tuple(
            g.value for g in store.named_graphs() if g.value.endswith("/confidential")
        )
        hidden_text = " ".join(
            str(q) for g in store.named_graphs() if g not in view.graphs for q in store.quads(g)
        )
    # The demo must hold what the confidentiality tests look for, or they prove nothing.
    assert confidential and len(public) > 500
    assert all(name in hidden_text for name in CONFIDENTIAL_STREAMS)
    settings = service_settings(path)
    tokens = {
        name: create_token(tokens_path(settings), organisation, role, label=f"sparql {name}")[0]
        for name, (organisation, role) in CALLERS.items()
    }
    live, running = start_server(settings)
    yield Demo(live, public, frozenset(g.value for g in view.graphs), confidential, tokens)
    stop_server(running)


def _rdflib(term: object) -> rdflib.term.Node:
    """A pyoxigraph term as rdflib's, through N-Triples syntax (no hand mapping)."""
    graph = rdflib.Graph().parse(data=f"<urn:s> <urn:p> {term} .", format="nt")
    return next(iter(graph))[2]


def wrapper(demo: Demo, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(demo.server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method == POSTDIRECTLY:
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    elif method == POST:
        client.setMethod(POST)
    return client


def supplies_from_json(demo: Demo) -> list[str]:
    result = wrapper(demo, SUPPLIES, JSON).queryAndConvert()
    assert isinstance(result, dict)
    return [row["supply"]["value"] for row in result["results"]["bindings"]]


# --- result formats through SPARQLWrapper -------------------------------------------


def test_select_in_every_result_format_with_sparqlwrapper(demo: Demo) -> None:
    expected = supplies_from_json(demo)
    assert len(expected) > 10
    xml = wrapper(demo, SUPPLIES, XML).queryAndConvert()
    from_xml = [node.firstChild.data for node in xml.getElementsByTagName("uri")]  # type: ignore[union-attr]
    from_csv = [row["supply"] for row in csv.DictReader(io.StringIO(_text(demo, SUPPLIES, CSV)))]
    tsv_rows = _text(demo, SUPPLIES, TSV).splitlines()
    assert tsv_rows[0] == "?supply"
    from_tsv = [cell.strip("<>") for cell in tsv_rows[1:]]
    assert from_xml == from_csv == from_tsv == expected


def _text(demo: Demo, query: str, fmt: str) -> str:
    result = wrapper(demo, query, fmt).queryAndConvert()
    assert isinstance(result, bytes)
    return result.decode()


@pytest.mark.parametrize("method", [None, POST, POSTDIRECTLY])
def test_get_form_and_direct_post_answer_alike(demo: Demo, method: str | None) -> None:
    result = wrapper(demo, SUPPLIES, JSON, method).queryAndConvert()
    assert isinstance(result, dict)
    assert [row["supply"]["value"] for row in result["results"]["bindings"]] == (
        supplies_from_json(demo)
    )


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(demo: Demo, fmt: str) -> None:
    yes = wrapper(demo, f"ASK {{ ?s a <{SS}Supply> }}", fmt).query().convert()
    no = wrapper(demo, "ASK { ?s a <urn:nothing> }", fmt).query().convert()
    if fmt == JSON:
        assert (yes["boolean"], no["boolean"]) == (True, False)  # type: ignore[index]
    else:
        booleans = [d.getElementsByTagName("boolean")[0].firstChild.data for d in (yes, no)]  # type: ignore[union-attr]
        assert booleans == ["true", "false"]


@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD, RDFXML])
def test_construct_round_trips_with_sparqlwrapper(demo: Demo, fmt: str) -> None:
    result = wrapper(demo, EVERYTHING, fmt).queryAndConvert()
    if isinstance(result, bytes):  # Turtle and N3 come back as text
        result = rdflib.Graph().parse(data=result.decode(), format="turtle")
    assert isinstance(result, rdflib.Graph)
    assert len(result) == len(demo.public)
    assert isomorphic(result, demo.public)


def test_construct_as_n_triples(demo: Demo) -> None:
    with demo.server.client(Accept="application/n-triples") as client:
        response = client.get("/sparql", params={"query": EVERYTHING})
    assert response.headers["content-type"].startswith("application/n-triples")
    assert isomorphic(rdflib.Graph().parse(data=response.text, format="nt"), demo.public)


# --- rdflib's SPARQLStore ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_rdflib_sparqlstore_select(demo: Demo, fmt: str) -> None:
    store = SPARQLStore(demo.server.url + "/sparql", returnFormat=fmt)
    rows = list(rdflib.Graph(store).query(SUPPLIES))
    assert [str(row[0]) for row in rows] == supplies_from_json(demo)  # type: ignore[index]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore_construct_is_the_public_view(demo: Demo, method: str) -> None:
    store = SPARQLStore(demo.server.url + "/sparql", method=method)
    result = rdflib.Graph(store).query(EVERYTHING).graph
    assert result is not None
    assert isomorphic(result, demo.public)


# --- content negotiation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml;q=0.5, text/csv", "text/csv"),
        ("text/csv;q=0.2, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
        ("text/csv;q=0, */*;q=0.1", "application/sparql-results+json"),
        ("text/html, application/xml;q=0.9", "application/sparql-results+xml"),
    ],
)
def test_accept_with_q_values(demo: Demo, accept: str | None, expected: str) -> None:
    headers = {} if accept is None else {"Accept": accept}
    with demo.server.client(**headers) as client:
        response = client.get("/sparql", params={"query": SUPPLIES})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert response.headers["vary"] == "Accept"


def test_format_parameter_for_browsers(demo: Demo) -> None:
    with demo.server.client() as client:
        csv_text = client.get("/sparql", params={"query": SUPPLIES, "format": "csv"})
        turtle = client.get("/sparql", params={"query": EVERYTHING, "format": "text/turtle"})
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert turtle.headers["content-type"].startswith("text/turtle")


def test_406_lists_what_can_be_produced(demo: Demo) -> None:
    with demo.server.client(Accept="image/png") as client:
        nothing = client.get("/sparql", params={"query": SUPPLIES})
    with demo.server.client(Accept="text/turtle") as client:
        graph_for_select = client.get("/sparql", params={"query": SUPPLIES})
    assert nothing.status_code == graph_for_select.status_code == 406
    assert nothing.headers["vary"] == "Accept"
    assert "application/sparql-results+json" in nothing.json()["acceptable"]
    assert "text/turtle" in nothing.json()["acceptable"]
    assert graph_for_select.json()["acceptable"] == [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]


# --- refusals -------------------------------------------------------------------------


def test_syntax_error_is_400_with_the_parser_message(demo: Demo) -> None:
    with demo.server.client() as client:
        response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "error at 1:" in response.json()["error"]


INSERT = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"


def test_updates_are_refused_every_way(demo: Demo) -> None:
    with demo.server.client() as client:
        answers = [
            client.post("/sparql", data={"update": INSERT}),
            client.post(
                "/sparql",
                content=INSERT,
                headers={"Content-Type": "application/sparql-update"},
            ),
            client.get("/sparql", params={"update": INSERT}),
            client.get("/sparql", params={"query": INSERT}),
            client.post("/sparql", data={"query": "PREFIX x: <urn:> DROP ALL"}),
        ]
        assert [a.status_code for a in answers] == [403] * len(answers)
        assert all("read-only" in a.json()["error"] for a in answers)
        unchanged = client.get("/sparql", params={"query": "ASK { <urn:x> ?p ?o }"})
    assert unchanged.json()["boolean"] is False


def test_service_is_refused_and_never_called(demo: Demo) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(3)
    port = listener.getsockname()[1]
    calls: list[bytes] = []

    def accept() -> None:
        try:
            connection, _ = listener.accept()
            calls.append(connection.recv(1000))
            connection.close()
        except TimeoutError:
            pass

    watcher = threading.Thread(target=accept)
    watcher.start()
    remote = f"http://127.0.0.1:{port}/sparql"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}",
        f"select * where {{ ?a ?b ?c . service silent <{remote}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SeRvIcE<{remote}>{{?s ?p ?o}} }} }} }}",
        f"SELECT * WHERE {{ VALUES ?x {{ <{remote}> }} SERVICE ?x {{ ?s ?p ?o }} }}",
    ]
    with demo.server.client() as client:
        answers = [client.get("/sparql", params={"query": q}) for q in queries]
        # The word in a literal, an IRI, a comment, a variable or a prefixed name is no call.
        harmless = client.get(
            "/sparql",
            params={
                "query": f"PREFIX service: <{SS}> SELECT ?service WHERE {{ ?service ?p 'SERVICE' "
                "FILTER(?p != <urn:SERVICE> && ?p != service:x) } # SERVICE <urn:x> {}"
            },
        )
    watcher.join()
    listener.close()
    assert [a.status_code for a in answers] == [400] * len(queries)
    assert all("SERVICE" in a.json()["error"] for a in answers)
    assert harmless.status_code == 200
    assert calls == []


# --- confidentiality ------------------------------------------------------------------


def test_anonymous_graph_queries_reach_public_graphs_only(demo: Demo) -> None:
    with demo.server.client() as client:
        graphs = client.get(
            "/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}
        ).json()
    named = {row["g"]["value"] for row in graphs["results"]["bindings"]}
    assert named and named <= demo.public_graphs
    assert not any(g.endswith(("/restricted", "/confidential")) for g in named)


def test_from_named_and_default_graph_uri_cannot_open_confidential_graphs(demo: Demo) -> None:
    hidden = demo.confidential_graphs[0]
    dumps = [
        f"SELECT * FROM NAMED <{hidden}> WHERE {{ GRAPH <{hidden}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM NAMED <{hidden}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{hidden}> WHERE {{ ?s ?p ?o }}",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{hidden}> WHERE {{ ?s ?p ?o }}",
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
        "DESCRIBE ?s WHERE { ?s ?p ?o }",
    ]
    with demo.server.client() as client:
        texts = [client.get("/sparql", params={"query": q}).text for q in dumps]
        narrowed = client.get(
            "/sparql",
            params={
                "query": "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                "default-graph-uri": hidden,
                "named-graph-uri": hidden,
            },
        )
    # The view replaces FROM NAMED: the hidden graph is not there to be named...
    assert json.loads(texts[0])["results"]["bindings"] == []
    # ...and GRAPH ?g reaches the public graphs only.
    reached = {row["g"]["value"] for row in json.loads(texts[1])["results"]["bindings"]}
    assert reached <= demo.public_graphs
    assert narrowed.json()["results"]["bindings"] == []
    hidden_names = [*CONFIDENTIAL_STREAMS, *demo.confidential_graphs]
    # Booleans first: pytest's explanation of `in` over 600 kB texts takes minutes.
    leaks = [name for text in [*texts, narrowed.text] for name in hidden_names if name in text]
    assert leaks == []


@pytest.mark.parametrize(
    ("who", "sees_restricted", "sees_confidential"),
    [
        (None, False, False),
        ("reader", True, False),
        ("other", True, False),
        ("demo", True, True),
        ("admin", True, True),
    ],
)
def test_each_caller_queries_its_own_view(
    demo: Demo, who: str | None, sees_restricted: bool, sees_confidential: bool
) -> None:
    query = "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"
    with demo.client(who) as client:
        text = client.get("/sparql", params={"query": query}).text
        default_graph = client.get("/sparql", params={"query": EVERYTHING}).text
    for answer in (text, default_graph):
        assert (RESTRICTED_STREAM in answer) is sees_restricted
        assert all((name in answer) is sees_confidential for name in CONFIDENTIAL_STREAMS)


def test_default_graph_uri_narrows_to_a_visible_graph(demo: Demo) -> None:
    graph = sorted(demo.public_graphs)[0]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with demo.client() as client:
        whole = client.get("/sparql", params={"query": query}).json()
        narrowed = client.get("/sparql", params={"query": query, "default-graph-uri": graph}).json()
    count = int(narrowed["results"]["bindings"][0]["n"]["value"])
    assert 0 < count < int(whole["results"]["bindings"][0]["n"]["value"])


def test_a_stream_published_through_the_api_is_queryable_at_once(demo: Demo) -> None:
    identifier = "sparql-fresh-slag"
    row = {"identifier": identifier, "kind": "supply", "name": "Fresh slag",
           "organisation": "Acme Metals", "country": "NO", "material": "SiMn slag",
           "state": "solid", "quantity": "1200", "unit": "t/a", "reference_year": "2023",
           "confidentiality": "restricted"}  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    query = f"ASK {{ ?s a <{SS}Supply> FILTER(CONTAINS(STR(?s), '{identifier}')) }}"
    # Restricted, so the anonymous view the other tests compare against stays as it was.
    with demo.client("reader") as reader:
        before = reader.get("/sparql", params={"query": query}).json()["boolean"]
        with demo.client("other") as publisher:
            published = publisher.post(
                "/streams",
                params={"filename": "sparql-fresh.csv"},
                content=out.getvalue().encode(),
                headers={"Content-Type": "text/csv"},
            )
        assert published.status_code == 201, published.text
        after = reader.get("/sparql", params={"query": query}).json()["boolean"]
    with demo.client() as anonymous:
        hidden = anonymous.get("/sparql", params={"query": query}).json()["boolean"]
        public = anonymous.get(
            "/sparql", params={"query": EVERYTHING}, headers={"Accept": "application/n-triples"}
        )
    assert (before, after, hidden) == (False, True, False)
    # What the other tests compare with is untouched, whatever order they run in.
    assert isomorphic(rdflib.Graph().parse(data=public.text, format="nt"), demo.public)


# --- service description --------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [(None, "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_service_description(demo: Demo, accept: str | None, rdflib_format: str) -> None:
    headers = {} if accept is None else {"Accept": accept}
    with demo.server.client(**headers) as client:
        response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["vary"] == "Accept"
    description = rdflib.Graph().parse(data=response.text, format=rdflib_format)
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = rdflib.URIRef(demo.server.url + "/sparql")
    assert (endpoint, sd.endpoint, endpoint) in description
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in description
    formats = set(description.objects(endpoint, sd.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats
    assert rdflib.URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    comment = str(description.value(endpoint, rdflib.RDFS.comment))
    assert "SPARQL-Results-Truncated" in comment
    assert "503" in comment
    names = {str(n) for n in description.objects(None, sd.name)}
    # The caller's graphs (other tests may publish more public ones; never hidden ones).
    assert names >= demo.public_graphs
    assert not any(name.endswith(("/restricted", "/confidential")) for name in names)


def test_openapi_documents_the_limits(demo: Demo) -> None:
    with demo.server.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "SPARQL-Results-Truncated" in paths["/sparql"]["get"]["description"]
    assert "413" in paths["/sparql"]["post"]["description"]


def test_long_queries_are_screened_too(demo: Demo) -> None:
    # Over 64 kB the screening runs in a thread; the answers must be the same.
    padding = "# " + "x" * 100_000 + "\n"
    with demo.client() as client:
        fine = client.post("/sparql", data={"query": padding + SUPPLIES})
        service = client.post(
            "/sparql",
            data={"query": padding + "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> {} }"},
        )
        update = client.post("/sparql", data={"query": padding + INSERT})
    assert fine.status_code == 200
    assert [service.status_code, update.status_code] == [400, 403]
