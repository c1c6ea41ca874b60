"""No anonymous answer, from any endpoint, carries anything of a non-public stream.

A catalogue of three supplies and a demand, each level marked with a unique string in
names, descriptions, organisation and site; three organisations are named only by
streams of one level. Every route the service has (the OpenAPI paths and the pages) is
called as an anonymous caller with every identifier, organisation and site, including
the hidden ones, in every representation, and SPARQL with queries aimed at the hidden
graphs. The public marker must show where it belongs (so the check can see), and no
response may hold a restricted or confidential marker, identifier or name. A registered
reader then sees restricted but not confidential; the publishing organisation sees its
confidential stream.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest

from catalogue.access import Role
from catalogue.publish import load_files
from catalogue.store import opened_store
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import (
    TokenService,
    remote_settings,
    service_settings,
    start_server,
    stop_server,
)
from tests.oxigraph_server import start_oxigraph

HEADER = (
    "identifier,kind,name,description,organisation,site,country,latitude,longitude,material,"
    "composition,quantity,unit,confidentiality"
)
TEMPLATE = f"""{HEADER}
zq-open,supply,Open slag QQPUBLICMARK,about QQPUBLICMARK,Open Works QQPUBLICORG,Open Site,NO,\
59.1,9.6,steelmaking slag,V2O5=1 %,10,kt/a,public
zq-club,supply,Club slag QQRESTRICTEDMARK,about QQRESTRICTEDMARK,Club Works QQRESTRICTEDORG,\
Club Site QQRESTRICTEDSITE,NO,59.2,9.7,steelmaking slag,V2O5=2 %,20,kt/a,restricted
zq-secret,supply,Secret slag QQSECRETMARK,about QQSECRETMARK,Secret Works QQSECRETORG,\
Secret Site QQSECRETSITE,NO,59.3,9.8,steelmaking slag,V2O5=3 %,30,kt/a,confidential
zq-want,demand,Vanadium wanted QQDEMANDMARK,for alloys,Open Works QQPUBLICORG,,NO,59.1,9.6,\
vanadium,,1,kt/a,public
"""
HIDDEN = [
    "QQRESTRICTEDMARK",
    "QQRESTRICTEDORG",
    "QQRESTRICTEDSITE",
    "QQSECRETMARK",
    "QQSECRETORG",
    "QQSECRETSITE",
    "zq-club",
    "zq-secret",
    "club-works",
    "secret-works",
]
SECRET = [marker for marker in HIDDEN if "SECRET" in marker or "secret" in marker]
IDENTIFIERS = ["zq-open", "zq-club", "zq-secret", "zq-want"]
ORGANISATIONS = ["open-works-qqpublicorg", "club-works-qqrestrictedorg", "secret-works-qqsecretorg"]
SITES = [
    ("open-works-qqpublicorg", "open-site"),
    ("club-works-qqrestrictedorg", "club-site-qqrestrictedsite"),
    ("secret-works-qqsecretorg", "secret-site-qqsecretsite"),
]
SUBMISSION = "https://w3id.org/sidestream/data/submission/access"
SPARQL = [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"SELECT * FROM NAMED <{SUBMISSION}/confidential> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    f"SELECT * FROM <{SUBMISSION}/restricted> WHERE {{ ?s ?p ?o }}",
    f"SELECT * WHERE {{ GRAPH <{SUBMISSION}/confidential/inferred> {{ ?s ?p ?o }} }}",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "DESCRIBE <https://w3id.org/sidestream/data/stream/zq-secret>",
    "SELECT (COUNT(*) AS ?n) (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'QQSECRETMARK')) }",
]
RDF_TYPES = [
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "text/html",
    "application/json",
]


@pytest.fixture(scope="module", params=["embedded", "remote"])
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TokenService]:
    """The service on the embedded store, and on a real Oxigraph server (same checks)."""
    folder = tmp_path_factory.mktemp("access")
    source = folder / "access.csv"
    source.write_text(TEMPLATE, encoding="utf-8")
    with contextlib.ExitStack() as stack:
        settings = service_settings(folder / "store")
        if request.param == "remote":
            server = stack.enter_context(start_oxigraph(folder))
            settings = remote_settings(server, folder)
        with opened_store(settings) as store:
            load_files([source], store, settings, publisher="Secret Works QQSECRETORG")
        path = tokens_path(settings)
        tokens = {
            "reader": create_token(path, "Curious Institute", Role.READER)[0],
            "owner": create_token(path, "Secret Works QQSECRETORG", Role.PUBLISHER)[0],
            "other": create_token(path, "Someone Else AS", Role.PUBLISHER)[0],
        }
        live, running = start_server(settings)
        yield TokenService(live, tokens)
        stop_server(running)


def anonymous_requests() -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
    """(path, params, headers) for every readable route, with hidden values too."""
    yield "/streams", {}, {}
    yield "/streams", {"q": "QQ"}, {}
    yield "/streams", {"element": "V"}, {}
    yield "/streams", {"material": "steelmaking slag"}, {}
    yield "/streams", {"kind": "supply"}, {"Accept": "text/html"}
    for identifier in IDENTIFIERS:
        for accept in RDF_TYPES:
            yield f"/streams/{identifier}", {}, {"Accept": accept}
        yield f"/data/stream/{identifier}", {}, {}
        yield "/match", {"supply": identifier}, {}
        yield "/match", {"demand": identifier}, {}
    yield "/match", {"element": "V"}, {}
    for slug in ORGANISATIONS:
        yield f"/organisations/{slug}", {}, {"Accept": "text/turtle"}
        yield f"/data/organisation/{slug}", {}, {}
    for organisation, site in SITES:
        yield f"/sites/{organisation}/{site}", {}, {"Accept": "text/turtle"}
    for query in SPARQL:
        for accept in ("application/sparql-results+json", "text/csv", "text/turtle"):
            yield "/sparql", {"query": query}, {"Accept": accept}
        yield "/query/run", {"query": query}, {}
    for accept in ("text/turtle", "application/ld+json", "text/html"):
        yield "/catalogue", {}, {"Accept": accept}
    for fmt in ("ttl", "nq", "jsonld"):
        yield f"/dumps/catalogue.{fmt}", {}, {}
    for page in ("/", "/map", "/elements", "/elements/V", "/elements/vanadium", "/query"):
        yield page, {}, {"Accept": "text/html"}


def test_no_anonymous_answer_holds_anything_hidden(service: TokenService) -> None:
    bodies: list[str] = []
    with service.client() as client:
        for path, params, headers in anonymous_requests():
            answer = client.get(path, params=params, headers=headers, follow_redirects=True)
            assert answer.status_code < 500, (path, params, answer.text[:300])
            text = answer.text
            # An answer may echo what the caller itself sent ("no stream zq-club").
            asked = path + " " + " ".join(params.values())
            leaked = [marker for marker in HIDDEN if marker in text and marker not in asked]
            assert not leaked, f"{path} {params} {headers} shows {leaked}"
            bodies.append(text)
    everything = "\n".join(bodies)
    assert "QQPUBLICMARK" in everything and "QQPUBLICORG" in everything


def test_the_public_stream_shows_where_it_belongs(service: TokenService) -> None:
    with service.client() as client:
        page = client.get("/streams/zq-open", headers={"Accept": "text/turtle"})
        found = client.get("/match", params={"element": "V"}).json()
    assert page.status_code == 200 and "QQPUBLICMARK" in page.text
    assert [result["identifier"] for result in found] == ["zq-open"]


def test_hidden_streams_answer_as_if_they_did_not_exist(service: TokenService) -> None:
    def answers(client: httpx.Client, identifier: str) -> list[tuple[int, str]]:
        found = [
            client.get(f"/streams/{identifier}", headers={"Accept": "application/json"}),
            client.get("/match", params={"supply": identifier}),
            client.get(f"/data/stream/{identifier}", follow_redirects=True),
        ]
        return [(a.status_code, a.text.replace(identifier, "ID")) for a in found]

    with service.client() as client:
        nothing = answers(client, "zq-never-loaded")
        assert {status for status, _ in nothing} == {404}
        for identifier in ("zq-club", "zq-secret"):
            assert answers(client, identifier) == nothing


def sparql_text(service: TokenService, who: str | None) -> str:
    with service.client(who) as client:
        answer = client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "text/csv"},
        )
    assert answer.status_code == 200
    return answer.text


def test_a_reader_sees_restricted_but_not_confidential(service: TokenService) -> None:
    text = sparql_text(service, "reader")
    assert "QQRESTRICTEDMARK" in text
    assert not [marker for marker in SECRET if marker in text]


def test_another_publisher_sees_no_confidential_stream(service: TokenService) -> None:
    text = sparql_text(service, "other")
    assert "QQRESTRICTEDMARK" in text
    assert not [marker for marker in SECRET if marker in text]
    with service.client("other") as client:
        found = client.get("/match", params={"element": "V"}).json()
    assert {result["identifier"] for result in found} == {"zq-open", "zq-club"}


def test_the_publishing_organisation_sees_its_confidential_stream(service: TokenService) -> None:
    assert "QQSECRETMARK" in sparql_text(service, "owner")
    with service.client("owner") as client:
        found = client.get("/match", params={"element": "V"}).json()
        page = client.get("/streams/zq-secret", headers={"Accept": "text/turtle"})
    assert {result["identifier"] for result in found} == {"zq-open", "zq-club", "zq-secret"}
    assert page.status_code == 200 and "QQSECRETMARK" in page.text
