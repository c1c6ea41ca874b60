"""schema.org JSON-LD in stream pages (issue 10): public supplies are ``Offer``s, public
demands ``Demand``s, and a restricted or confidential stream's page carries none.

The markup is read the way a crawler reads it: Chromium (Playwright) loads the page, the
``<script type="application/ld+json">`` text is taken from the DOM and parsed as JSON-LD
by rdflib, and the triples are checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import rdflib
from rdflib import RDF, Literal, URIRef

from catalogue.access import Role
from catalogue.demo import demo_file
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import (
    LiveServer,
    loaded_store,
    service_settings,
    start_server,
    stop_server,
)
from tests.api.test_pages import browser  # noqa: F401 - the Chromium fixture

SDO = rdflib.Namespace("https://schema.org/")
SCRIPT = 'script[type="application/ld+json"]'


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str, str]]:
    """The demo on a server of its own, with a reader's and an administrator's token."""
    settings = service_settings(loaded_store(tmp_path_factory.mktemp("schema-org"), [demo_file()]))
    reader, _ = create_token(tokens_path(settings), "Reader Org", Role.READER)
    admin, _ = create_token(tokens_path(settings), "Catalogue Office", Role.ADMINISTRATOR)
    live, running = start_server(settings)
    yield live, reader, admin
    stop_server(running)


def markup(context: Any, url: str, token: str | None = None) -> list[str]:
    """The texts of the page's JSON-LD script elements, as Chromium's DOM holds them."""
    page = context.new_page()
    headers = {"accept": "text/html"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    page.set_extra_http_headers(headers)
    answer = page.goto(url)
    assert answer is not None and answer.status == 200
    page.get_by_role("heading", level=1).wait_for()
    texts = [element.text_content() or "" for element in page.query_selector_all(SCRIPT)]
    page.close()
    return texts


def graph_of(text: str, url: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="json-ld", publicID=url)


def one(graph: rdflib.Graph, subject: Any, predicate: URIRef) -> Any:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_a_public_supply_is_an_offer(browser: Any, service: tuple[LiveServer, str, str]) -> None:  # noqa: F811
    live = service[0]
    url = f"{live.url}/streams/eramet-kvinesdal-simn-slag"
    (text,) = markup(browser, url)
    graph = graph_of(text, url)
    (offer,) = graph.subjects(RDF.type, SDO.Offer)
    assert str(offer) == f"{url}#supply"
    product = one(graph, offer, SDO.itemOffered)
    assert (product, RDF.type, SDO.Product) in graph
    assert one(graph, product, SDO.material) == Literal("SiMn slag")
    assert "SiMn slag" in str(one(graph, product, SDO.name))
    level = one(graph, offer, SDO.inventoryLevel)
    assert (level, RDF.type, SDO.QuantitativeValue) in graph
    assert one(graph, level, SDO.value).toPython() == 220000
    assert one(graph, level, SDO.unitCode) == Literal("TNE")
    assert one(graph, level, SDO.unitText) == Literal("t/a")
    seller = one(graph, offer, SDO.seller)
    assert (seller, RDF.type, SDO.Organization) in graph
    assert one(graph, seller, SDO.name) == Literal("Eramet Norway AS")
    place = one(graph, offer, SDO.availableAtOrFrom)
    geo = one(graph, place, SDO.geo)
    assert (geo, RDF.type, SDO.GeoCoordinates) in graph
    assert float(one(graph, geo, SDO.latitude)) == pytest.approx(58.32)
    assert float(one(graph, geo, SDO.longitude)) == pytest.approx(6.97)
    assert one(graph, place, SDO.name) == Literal("Kvinesdal")


def test_a_public_demand_is_a_demand_its_organisation_seeks(
    browser: Any,  # noqa: F811
    service: tuple[LiveServer, str, str],
) -> None:
    live = service[0]
    url = f"{live.url}/streams/biofuel-development-hydrogen"
    (text,) = markup(browser, url)
    graph = graph_of(text, url)
    (demand,) = graph.subjects(RDF.type, SDO.Demand)
    assert not list(graph.subjects(RDF.type, SDO.Offer))
    (seeker,) = graph.subjects(SDO.seeks, demand)
    assert one(graph, seeker, SDO.name) == Literal("Biofuel Development AS")
    quantity = one(graph, demand, SDO.eligibleQuantity)
    assert one(graph, quantity, SDO.value).toPython() == 72000
    assert one(graph, quantity, SDO.unitCode) == Literal("TNE")
    assert "hydrogen" in str(one(graph, one(graph, demand, SDO.itemOffered), SDO.name))


@pytest.mark.parametrize(
    ("identifier", "who"),
    [("eramet-mor-dust", "reader"), ("elkem-process-products", "admin")],
)
def test_restricted_and_confidential_streams_carry_no_markup(
    browser: Any,  # noqa: F811
    service: tuple[LiveServer, str, str],
    identifier: str,
    who: str,
) -> None:
    live, reader, admin = service
    url = f"{live.url}/streams/{identifier}"
    assert markup(browser, url, reader if who == "reader" else admin) == []


def test_catalogue_text_cannot_end_the_script_element() -> None:
    from api.pages.schema_org import schema_org_script

    stream = {
        "kind": "supply",
        "identifier": "x",
        "url": "http://127.0.0.1/streams/x",
        "name": "</script><script>alert(1)</script> & more",
        "codes": [
            {
                "property": "confidentiality",
                "iri": "https://w3id.org/sidestream/vocab/confidentiality/public",
            }
        ],
    }
    text = str(schema_org_script(stream))
    assert "<" not in text and ">" not in text and "&" not in text
    graph = graph_of(text, stream["url"])
    (offer,) = graph.subjects(RDF.type, SDO.Offer)
    assert one(graph, offer, SDO.name) == Literal(stream["name"])
