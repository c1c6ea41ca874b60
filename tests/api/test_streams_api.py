"""``GET /streams`` filters and pages, ``GET /streams/{id}``, dereferenceable data IRIs,
organisations, sites and ontology terms, on the demo served on loopback.

Expected figures come from the demo CSV (public rows only: the service is asked
anonymously), so a stream that leaked from a restricted or confidential graph would
show as a wrong count.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDFS

from catalogue.demo import demo_file
from catalogue.ingest.resolve import Vocabulary
from catalogue.publish import load_files, slug
from catalogue.store import opened_store
from tests.api.conftest import LiveServer, service_settings, start_server, stop_server

HIDDEN = [
    "elkem-process-products",  # confidential
    "norsep-heroya-recovered-salt",  # confidential
    "borregaard-sarpsborg-lignin",  # restricted
    "eramet-mor-dust",  # restricted
]
SS = rdflib.Namespace("https://w3id.org/sidestream/ontology/")


@cache
def demo_rows() -> tuple[dict[str, str], ...]:
    with Path(demo_file()).open(encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def public_rows() -> list[dict[str, str]]:
    return [row for row in demo_rows() if row["confidentiality"] in ("", "public")]


def listing(server: LiveServer, **params: object) -> dict:
    with server.client() as client:
        answer = client.get("/streams", params={"per_page": 200, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def identifiers(body: dict) -> list[str]:
    return [item["identifier"] for item in body["items"]]


def test_hidden_rows_exist_in_the_demo() -> None:
    levels = {row["identifier"]: row["confidentiality"] for row in demo_rows()}
    assert all(levels[identifier] in ("restricted", "confidential") for identifier in HIDDEN)


def test_unfiltered_list_is_every_public_stream_in_identifier_order(
    demo_server: LiveServer,
) -> None:
    body = listing(demo_server)
    expected = sorted(row["identifier"] for row in public_rows())
    assert body["total"] == len(expected) == 70
    assert identifiers(body) == expected
    first = body["items"][0]
    assert set(first) >= {
        "identifier", "name", "kind", "material", "organisation", "country", "quantity",
        "unit", "iri", "url",
    }  # fmt: skip
    assert first["iri"] == f"https://w3id.org/sidestream/data/stream/{first['identifier']}"


@pytest.mark.parametrize("kind", ["supply", "demand"])
def test_kind_filter(demo_server: LiveServer, kind: str) -> None:
    expected = sorted(row["identifier"] for row in public_rows() if row["kind"] == kind)
    body = listing(demo_server, kind=kind)
    assert identifiers(body) == expected
    assert {item["kind"] for item in body["items"]} == {kind}


@pytest.mark.parametrize("country", ["NO", "se", "DK", "GB"])
def test_country_filter(demo_server: LiveServer, country: str) -> None:
    expected = sorted(r["identifier"] for r in public_rows() if r["country"] == country.upper())
    assert expected
    assert identifiers(listing(demo_server, country=country)) == expected


@pytest.mark.parametrize("words", ["slag", "CO2", "Herøya", "ammonium nitrate"])
def test_free_text_over_name_and_description(demo_server: LiveServer, words: str) -> None:
    expected = sorted(
        row["identifier"]
        for row in public_rows()
        if words.lower() in (row["name"] + "\n" + row["description"]).lower()
    )
    assert expected
    assert identifiers(listing(demo_server, q=words)) == expected


@cache
def _superclasses() -> dict[str, set[str]]:
    from catalogue.ontology import load_graph

    graph = load_graph(include_vocabularies=False)
    return {
        str(cls): {str(parent) for parent in graph.transitive_objects(cls, RDFS.subClassOf)}
        for cls in set(graph.subjects(RDFS.subClassOf, None))
    }


@pytest.mark.parametrize("material", ["slag", "Slag", "fly ash", "mineral residue", "CO2"])
def test_material_filter_includes_subclasses(demo_server: LiveServer, material: str) -> None:
    vocabulary = Vocabulary.load()
    wanted = vocabulary.material(material, demand=False).iri.value
    expected = []
    for row in public_rows():
        named = vocabulary.material(row["material"], demand=row["kind"] == "demand")
        if named.kind == "class" and wanted in _superclasses().get(
            named.iri.value, {named.iri.value}
        ):
            expected.append(row["identifier"])
    body = listing(demo_server, material=material)
    assert identifiers(body) == sorted(expected)
    # The same by IRI.
    assert identifiers(listing(demo_server, material=wanted)) == sorted(expected)


def test_material_filter_finds_subclass_members(demo_server: LiveServer) -> None:
    """Slag has subclasses in the demo (SiMn slag, ladle slag): the filter reaches them."""
    slag = identifiers(listing(demo_server, material="slag"))
    assert "eramet-kvinesdal-simn-slag" in slag


@pytest.mark.parametrize("element", ["Nd", "neodymium", "Co", "lithium", "Dy"])
def test_element_filter(demo_server: LiveServer, element: str) -> None:
    vocabulary = Vocabulary.load()
    found = vocabulary.element(element)
    symbol = re.compile(rf"(^|[;\s]){found.symbol}(?![a-z])")
    expected = set()
    for row in public_rows():
        if row["kind"] == "supply" and symbol.search(row["composition"]):
            expected.add(row["identifier"])
        if row["kind"] == "demand":
            named = vocabulary.material(row["material"], demand=True)
            if named.kind == "element" and named.iri == found.iri:
                expected.add(row["identifier"])
    assert expected
    assert identifiers(listing(demo_server, element=element)) == sorted(expected)


def test_filters_combine(demo_server: LiveServer) -> None:
    expected = sorted(
        row["identifier"]
        for row in public_rows()
        if row["kind"] == "demand" and row["country"] == "SE"
    )
    assert identifiers(listing(demo_server, kind="demand", country="SE")) == expected


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"kind": "both"}, 400),
        ({"material": "unobtainium"}, 400),
        ({"element": "unobtainium"}, 400),
        ({"page": 0}, 422),
        ({"per_page": 10_000}, 422),
    ],
)
def test_bad_filters_are_refused(demo_server: LiveServer, params: dict, status: int) -> None:
    with demo_server.client() as client:
        assert client.get("/streams", params=params).status_code == status


def test_pages_walk_the_whole_list_with_link_headers(demo_server: LiveServer) -> None:
    expected = sorted(row["identifier"] for row in public_rows())
    seen: list[str] = []
    with demo_server.client() as client:
        answer = client.get("/streams", params={"per_page": 7})
        pages = 0
        while True:
            pages += 1
            body = answer.json()
            assert body["total"] == len(expected)
            assert body["pages"] == 10
            assert answer.headers["x-total-count"] == str(len(expected))
            seen += identifiers(body)
            links = answer.headers["link"]
            assert ('rel="prev"' in links) == (body["page"] > 1)
            if "next" not in body["links"]:
                assert 'rel="next"' not in links
                break
            assert f'<{body["links"]["next"]}>; rel="next"' in links
            answer = client.get(body["links"]["next"])
    assert pages == 10
    assert seen == expected


def test_a_page_past_the_end_is_empty(demo_server: LiveServer) -> None:
    body = listing(demo_server, page=50, per_page=10)
    assert body["items"] == [] and body["total"] == 70


@pytest.mark.parametrize("identifier", HIDDEN)
def test_hidden_streams_are_404_and_never_listed(demo_server: LiveServer, identifier: str) -> None:
    with demo_server.client() as client:
        for fmt in ("ttl", "jsonld", "nt", "rdf", "json"):
            answer = client.get(f"/streams/{identifier}", params={"format": fmt})
            assert answer.status_code == 404, (fmt, answer.text)
        redirected = client.get(f"/data/stream/{identifier}", follow_redirects=True)
        assert redirected.status_code == 404
        browser = client.get(f"/streams/{identifier}", headers={"Accept": "text/html"})
        assert browser.status_code in (404, 406)  # 406 only while there are no pages
    row = next(row for row in demo_rows() if row["identifier"] == identifier)
    assert row["name"] not in browser.text
    for params in ({}, {"q": row["name"].split()[0]}, {"kind": row["kind"]}):
        assert identifier not in identifiers(listing(demo_server, **params))


def test_stream_json_summary(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        answer = client.get(
            "/streams/yara-porsgrunn-apatite-rare-earths", params={"format": "json"}
        )
    assert answer.status_code == 200
    stream = answer.json()
    assert stream["kind"] == "supply"
    assert stream["quantity"]["unit"] == "t/a"
    assert [part["element"] for part in stream["composition"]] == ["Nd", "Pr", "Dy"]
    assert stream["provenance"]["source"].startswith("Prosess21")
    assert stream["organisation"]["url"].endswith("/organisations/yara-international-asa")
    assert set(stream["alternates"]) == {"ttl", "jsonld", "nt", "rdf"}


def test_unknown_stream_is_404(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        assert client.get("/streams/no-such-stream").status_code == 404


def test_data_iris_redirect_to_their_documents(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        stream = client.get("/data/stream/eramet-kvinesdal-simn-slag?format=nt")
        organisation = client.get("/data/organisation/eramet-norway-as")
        site = client.get("/data/site/eramet-norway-as/kvinesdal")
    assert stream.status_code == 303
    assert stream.headers["location"] == (
        f"{demo_server.url}/streams/eramet-kvinesdal-simn-slag?format=nt"
    )
    assert organisation.headers["location"].endswith("/organisations/eramet-norway-as")
    assert site.headers["location"].endswith("/sites/eramet-norway-as/kvinesdal")


def _graph(server: LiveServer, path: str) -> rdflib.Graph:
    with server.client(Accept="text/turtle") as client:
        answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return rdflib.Graph().parse(data=answer.content, format="turtle")


def test_organisation_shows_only_its_visible_streams(demo_server: LiveServer) -> None:
    # Elkem's public streams show; its confidential supply (elkem-process-products) not.
    graph = _graph(demo_server, "/organisations/elkem-asa")
    elkem = rdflib.URIRef("https://w3id.org/sidestream/data/organisation/elkem-asa")
    streams = {str(s).rsplit("/", 1)[-1] for s in graph.subjects(SS.heldBy, elkem)}
    expected = {row["identifier"] for row in public_rows() if row["organisation"] == "Elkem ASA"}
    assert streams == expected
    assert "elkem-process-products" not in streams
    assert (elkem, RDFS.label, rdflib.Literal("Elkem ASA")) in graph


def test_organisation_named_only_by_hidden_streams_is_404(demo_server: LiveServer) -> None:
    names = {row["organisation"] for row in demo_rows() if row["identifier"] in HIDDEN}
    public = {row["organisation"] for row in public_rows()}
    only_hidden = sorted(names - public)
    assert only_hidden  # NORSEP AS, Borregaard ASA
    with demo_server.client() as client:
        for name in only_hidden:
            assert client.get(f"/organisations/{slug(name)}").status_code == 404, name


def test_site_is_content_negotiated(demo_server: LiveServer) -> None:
    graph = _graph(demo_server, "/sites/eramet-norway-as/kvinesdal")
    site = rdflib.URIRef("https://w3id.org/sidestream/data/site/eramet-norway-as/kvinesdal")
    assert (site, RDFS.label, rdflib.Literal("Kvinesdal")) in graph
    with demo_server.client() as client:
        summary = client.get("/sites/eramet-norway-as/kvinesdal", params={"format": "json"})
        missing = client.get("/sites/eramet-norway-as/nowhere")
    assert summary.json()["label"] == "Kvinesdal"
    assert missing.status_code == 404


def test_ontology_terms_and_vocabulary_concepts(demo_server: LiveServer) -> None:
    term = _graph(demo_server, "/ontology/SiMnSlag")
    assert (SS.SiMnSlag, RDFS.subClassOf, None) in term
    nd = rdflib.URIRef("https://w3id.org/sidestream/vocab/element/Nd")
    concept = _graph(demo_server, "/vocab/element/Nd")
    assert (nd, None, None) in concept
    nace = _graph(demo_server, "/vocab/nace/24.10")
    assert len(nace) > 0
    with demo_server.client() as client:
        assert client.get("/ontology/NoSuchTerm").status_code == 404
        assert client.get("/vocab/element/Xx").status_code == 404


def test_whole_ontology_in_rdf_and_html(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
        html = client.get("/ontology", headers={"Accept": "text/html"})
    graph = rdflib.Graph().parse(data=turtle.content, format="turtle")
    assert (SS.Supply, None, None) in graph
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Supply" in html.text


def test_stream_page_and_count_queries_filter_alike() -> None:
    """``stream_count.rq`` must count what ``stream_page.rq`` pages: same WHERE group."""
    from catalogue import queries

    def where(name: str) -> str:
        text = queries.load(f"lookup/{name}").text
        body = text[text.index("WHERE {") :]
        return body[: body.rindex("}") + 1]

    assert where("stream_page") == where("stream_count")


def test_list_is_html_for_browsers_and_refuses_rdf(demo_server: LiveServer) -> None:
    from api import conneg

    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    with demo_server.client() as client:
        page = client.get("/streams", params={"kind": "demand"}, headers={"Accept": browser})
        json_body = client.get("/streams", headers={"Accept": "*/*"})
        turtle = client.get("/streams", headers={"Accept": "text/turtle"})
    assert json_body.headers["content-type"].startswith("application/json")
    assert turtle.status_code == 406
    assert "application/json" in turtle.json()["available"]
    if conneg.page_renderer("render_streams_page") is not None:
        assert page.headers["content-type"].startswith("text/html")
        assert "Northvolt" in page.text
        assert page.headers["vary"] == "Accept"


@pytest.fixture(scope="module")
def own_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo minted under the service's own address (``{base_url}id/``)."""
    store = tmp_path_factory.mktemp("own-base") / "store"
    settings = service_settings(store)
    settings = settings.model_copy(update={"data_base": settings.base_url + "id/"})
    with opened_store(settings) as opened:
        load_files([demo_file()], opened, settings, publisher="demo")
    live, running = start_server(settings)
    yield live
    stop_server(running)


def test_data_iris_under_the_service_dereference(own_base: LiveServer) -> None:
    """Following a stream's own IRI gets its description, and its links lead on."""
    iri = f"{own_base.url}/id/stream/eramet-kvinesdal-simn-slag"
    with own_base.client(Accept="text/turtle") as client:
        answer = client.get(iri, follow_redirects=True)
        assert answer.status_code == 200
        assert answer.history[0].status_code == 303
        graph = rdflib.Graph().parse(data=answer.content, format="turtle")
        organisation = graph.value(rdflib.URIRef(iri), SS.heldBy)
        site = graph.value(rdflib.URIRef(iri), SS.atSite)
        assert str(organisation).startswith(f"{own_base.url}/id/organisation/")
        for linked in (organisation, site):
            followed = client.get(str(linked), follow_redirects=True)
            assert followed.status_code == 200, linked
            described = rdflib.Graph().parse(data=followed.content, format="turtle")
            assert (linked, RDFS.label, None) in described
        hidden = client.get(
            f"{own_base.url}/id/stream/elkem-process-products", follow_redirects=True
        )
        assert hidden.status_code == 404
