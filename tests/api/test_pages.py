"""The HTML pages: plain HTTP (no JavaScript) and a real browser (Debian's Chromium).

The browser tests drive ``/usr/bin/chromium`` through Python Playwright and never
download a browser; they skip, saying why, when Chromium or Playwright is missing.
Screenshots go to ``tests/artifacts/`` (ignored by git) for people to look at.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode

from api.app import create_app
from api.pages import (
    amount,
    number,
    render_error_page,
    render_stream_page,
    render_streams_page,
)
from api.settings import ServiceSettings
from catalogue import aggregates
from catalogue.demo import demo_file
from catalogue.ingest.resolve import Vocabulary
from tests.api.conftest import LiveServer, loaded_store

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HIDDEN_STREAMS = (
    "elkem-process-products",
    "norsep-heroya-recovered-salt",
    "borregaard-sarpsborg-lignin",
    "eramet-furnace-off-gas",
    "eramet-mor-dust",
)
"""The demo's confidential (first two) and restricted streams: no anonymous page names them."""
PAGES = ("/", "/map", "/query", "/elements", "/elements/Dy", "/elements/P", "/elements/HREE")


# ------------------------------------------------------------------ HTML checks


class _Structure(HTMLParser):
    """What the accessibility checks need from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[str] = []
        self.links: list[str] = []
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: set[str] = set()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "html":
            self.lang = found.get("lang")
        elif tag in ("h1", "h2", "h3"):
            self.headings.append(tag)
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        elif tag == "label" and found.get("for"):
            self.label_targets.add(str(found["for"]))
        elif tag in ("input", "select", "textarea") and found.get("type") not in ("hidden",):
            self.controls.append(found)


def structure(html: str) -> _Structure:
    parsed = _Structure()
    parsed.feed(html)
    return parsed


@pytest.fixture(scope="module")
def client(demo_server: LiveServer) -> Iterator[httpx.Client]:
    with demo_server.client() as http:
        yield http


def _has_route(http: httpx.Client, path: str) -> bool:
    """Whether the service answers GET ``path`` (``POST /streams`` comes from publishing)."""
    return "get" in http.get("/openapi.json").json().get("paths", {}).get(path, {})


@pytest.mark.parametrize("path", PAGES)
def test_page_is_accessible_html(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    page = structure(response.text)
    assert page.lang == "en"
    assert page.headings.count("h1") == 1
    assert "#main" in page.links and "main" in page.ids, "skip link to the main content"
    for control in page.controls:
        assert control.get("id") in page.label_targets, f"unlabelled form field {control}"


def test_pages_send_a_content_security_policy(client: httpx.Client) -> None:
    policy = client.get("/map").headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
    assert "script-src" not in policy  # default-src 'self': no inline or third-party script


def test_home_page_has_search_form_for_streams(client: httpx.Client) -> None:
    html = client.get("/").text
    form = re.search(r'<form class="search" action="/streams" method="get".*?</form>', html, re.S)
    assert form is not None
    for name in ("q", "material", "element", "country", "kind"):
        assert f'name="{name}"' in form[0]
    assert re.search(r"\d+ supplies and \d+ demands", html)


def test_home_page_shows_aggregates_of_non_public_supply(client: httpx.Client) -> None:
    html = client.get("/").text
    section = re.search(r'<section class="aggregates".*?</section>', html, re.S)
    assert section is not None
    # The demo's hidden supplies appear as material classes with counts, by country.
    for material in ("MOR dust", "lignin", "silicon fines", "recovered salt"):
        assert material in section[0]
    assert "<td>NO</td>" in section[0]
    # Elkem's 90,000 t/a is one stream's figure: too few to add up, so withheld.
    assert "90,000" not in section[0] and "90 kt" not in section[0]
    assert "withheld" in section[0]


def test_element_page_without_javascript_has_chart_and_table(client: httpx.Client) -> None:
    html = client.get("/elements/Dy").text
    assert "Where is dysprosium in the catalogue?" in html
    svg = re.search(r"<svg role=\"img\".*?</svg>", html, re.S)
    assert svg is not None and "<title" in svg[0] and "<desc" in svg[0] and "<rect" in svg[0]
    assert 'class="chart-data"' in html
    assert "Recoverable dysprosium by country" in html
    assert "/streams/yara-porsgrunn-apatite-rare-earths" in html


def test_unknown_element_is_a_404_page_with_suggestions(client: httpx.Client) -> None:
    response = client.get("/elements/galium")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "/elements/gallium" in response.text or "Did you mean" in response.text


def test_element_form_redirects_to_the_element_page(client: httpx.Client) -> None:
    response = client.get("/elements", params={"name": "vanadium"})
    assert response.status_code == 303
    assert response.headers["location"] == "/elements/vanadium"


def test_map_page_lists_streams_and_draws_an_outline(client: httpx.Client) -> None:
    html = client.get("/map").text
    assert "/streams/celsa-mo-i-rana-ladle-slag" in html
    assert 'id="map-outline"' in html and "<circle" in html
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    data = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert data is not None and "celsa-mo-i-rana-ladle-slag" in data[1]


def test_leaflet_is_served_from_the_python_package(client: httpx.Client) -> None:
    pytest.importorskip("xstatic.pkg.leaflet")
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/static/site.css").status_code == 200


def test_query_page_shows_the_matching_queries(client: httpx.Client) -> None:
    html = client.get("/query").text
    assert "match/crm_candidates.rq" in html
    assert "supplies with a component" in html  # its summary
    assert "?fractionMin" in html  # and its text
    chosen = client.get("/query", params={"example": "match/demands"}).text
    assert re.search(r"<textarea[^>]*>[^<]*ss:Demand", chosen)


def test_query_run_shows_a_table(client: httpx.Client) -> None:
    query = "SELECT ?identifier WHERE { ?s <http://purl.org/dc/terms/identifier> ?identifier }"
    response = client.get("/query/run", params={"query": query})
    assert response.status_code == 200
    assert "<td>celsa-mo-i-rana-ladle-slag</td>" in response.text
    for hidden in HIDDEN_STREAMS:
        assert hidden not in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("DROP ALL", "Only SELECT, ASK, CONSTRUCT"),
        ("SELECT * WHERE { ?s ?p }", "error"),
        ("DESCRIBE <https://example.org/x>", "Only SELECT, ASK, CONSTRUCT"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ],
)
def test_query_run_reports_errors(client: httpx.Client, query: str, message: str) -> None:
    response = client.get("/query/run", params={"query": query})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert message.lower() in response.text.lower()


def test_query_run_ask_and_construct(client: httpx.Client) -> None:
    ask = client.get("/query/run", params={"query": "ASK { ?s ?p ?o }"})
    assert "ASK answered <strong>true</strong>" in ask.text
    construct = client.get(
        "/query/run",
        params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"},
    )
    assert construct.status_code == 200 and '<th scope="col">predicate</th>' in construct.text


def test_pages_escape_what_they_show(client: httpx.Client) -> None:
    response = client.get("/query/run", params={"query": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)" in response.text


def test_no_page_names_a_hidden_stream_to_anonymous_callers(client: httpx.Client) -> None:
    paths = [
        *PAGES,
        "/elements/Si",
        "/elements/Mn",
        "/query/run?query=SELECT+*+WHERE+%7B%3Fs+%3Fp+%3Fo%7D",
    ]
    if _has_route(client, "/streams"):
        paths += ["/streams", "/streams?per_page=100", "/streams?country=NO"]
    for path in paths:
        html = client.get(path, headers={"accept": "text/html"}).text
        for hidden in HIDDEN_STREAMS:
            assert hidden not in html, f"{hidden} named on {path}"


# ------------------------------------------------------------------ renderers


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over its own demo store (the live server holds the shared store's lock),
    with routes that call the renderers as ``GET /streams`` will."""
    store = loaded_store(tmp_path_factory.mktemp("pages-store"), [demo_file()])
    app = create_app(ServiceSettings(store=store))

    @app.get("/render/stream")
    def stream_page(request: Request) -> Any:
        return render_stream_page(request, SAMPLE_STREAM)

    @app.get("/render/streams")
    def streams_page(request: Request) -> Any:
        return render_streams_page(request, SAMPLE_LISTING)

    @app.get("/render/missing")
    def missing_page(request: Request) -> Any:
        return render_error_page(request, 404, "No such stream", "no stream <x> here")

    with TestClient(app) as test_client:
        yield test_client


SAMPLE_STREAM: dict[str, Any] = {
    # The shape of catalogue.lookup.stream_summary, as GET /streams/{identifier} gives it.
    "identifier": "celsa-mo-i-rana-ladle-slag",
    "iri": "https://w3id.org/sidestream/data/stream/celsa-mo-i-rana-ladle-slag",
    "kind": "supply",
    "name": "Ladle slag",
    "description": "Slag from the ladle furnace <b>not bold</b>",
    "material": {"iri": "https://w3id.org/sidestream/ontology/LadleSlag", "label": "ladle slag"},
    "requests": [],
    "organisation": {"iri": "https://example.org/celsa", "name": "Celsa Armeringsstål AS"},
    "site": {"iri": "https://example.org/rana", "name": "Mo i Rana"},
    "country": "NO",
    "location": {"wkt": "POINT(14.1 66.3)", "longitude": 14.1, "latitude": 66.3},
    "codes": [{"property": "physicalState", "iri": "https://example.org/solid", "label": "solid"}],
    "quantity": {
        "value": 25000,
        "minimum": 20000,
        "maximum": 30000,
        "unit": "t/a",
        "basis": "flow",
        "year": 2020,
        "approximate": True,
    },
    "figures": [{"label": "quantity", "value": "25000 t/a"}, {"label": "hazardous", "value": "no"}],
    "composition": [
        {
            "component": "c1",
            "element": "Ca",
            "formula": "CaO",
            "fraction": 0.5,
            "minimum": None,
            "maximum": None,
            "bound": None,
            "text": "CaO 50 %",
            "derived_from": None,
        }
    ],
    "requirements": [],
    "provenance": {"source": "Prosess21", "graphs": []},
    "alternates": {"turtle": "/streams/celsa-mo-i-rana-ladle-slag?format=turtle"},
}
SAMPLE_LISTING: dict[str, Any] = {
    "items": [
        {
            "identifier": "celsa-mo-i-rana-ladle-slag",
            "name": "Ladle slag",
            "kind": "supply",
            "material": "ladle slag",
            "organisation": "Celsa",
            "country": "NO",
            "quantity": 25000,
            "unit": "t/a",
            "iri": "https://w3id.org/sidestream/data/stream/celsa-mo-i-rana-ladle-slag",
        }
    ],
    "total": 41,
    "page": 2,
    "per_page": 20,
    "filters": {"material": "slag", "country": "NO", "kind": None},
}


def test_stream_page_shows_matches_with_explanations(renderer: TestClient) -> None:
    html = renderer.get("/render/stream").text
    assert "<h1>Ladle slag</h1>" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "25 kt/a" in html and "20\N{EN DASH}30 kt/a" in html
    assert "Celsa Armeringsstål AS" in html and "CaO 50 %" in html and "Hazardous" in html
    matches = re.findall(r'<p class="explanation">(.+?)</p>', html, re.S)
    assert matches, "a supply's page lists what it could become, with reasons"
    assert 'href="/streams/lindum-sor-neutralising-agent"' in html or "/streams/" in html


def test_error_page_is_html_with_the_status(renderer: TestClient) -> None:
    response = renderer.get("/render/missing")
    assert response.status_code == 404
    assert "<h1>No such stream</h1>" in response.text
    assert "no stream &lt;x&gt; here" in response.text


def test_streams_page_keeps_filters_in_page_links(renderer: TestClient) -> None:
    html = renderer.get("/render/streams").text
    assert "41 streams found, showing 21\N{EN DASH}21" in html
    assert 'href="/streams?material=slag&amp;country=NO&amp;page=1&amp;per_page=20"' in html
    assert 'value="slag"' in html and 'value="NO"' in html
    assert "25 kt/a" in html


# ------------------------------------------------------------------ aggregates and figures


def test_aggregates_over_the_demo_return_no_names(renderer: TestClient) -> None:
    found = aggregates.nonpublic_supply(renderer.app.state.store)  # type: ignore[attr-defined]
    assert sum(a.streams for a in found) == len(HIDDEN_STREAMS)
    text = repr(found)
    for hidden in HIDDEN_STREAMS:
        assert hidden not in text
    assert "Elkem" not in text and "Eramet" not in text


def test_aggregate_totals_need_three_streams_and_round_outwards() -> None:
    tonnes = NamedNode("http://qudt.org/vocab/unit/TONNE-PER-YR")
    slag = NamedNode("https://w3id.org/sidestream/ontology/Slag")

    def row(count: int, low: str, high: str) -> dict[str, Any]:
        return {
            "class": slag,
            "country": Literal("NO"),
            "unit": tonnes,
            "streams": Literal(str(count)),
            "quantified": Literal(str(count)),
            "lowTotal": Literal(low),
            "highTotal": Literal(high),
        }

    vocabulary = Vocabulary.load()
    [two] = aggregates._aggregates([row(2, "51234", "198765")], vocabulary)
    assert two.totals == () and two.withheld == 2
    [three] = aggregates._aggregates([row(3, "51234", "198765")], vocabulary)
    assert three.material == "slag" and three.streams == 3
    assert three.totals == (aggregates.QuantityTotal(Decimal(51000), Decimal(200000), "t/a", 3),)
    assert amount(Decimal(51000), Decimal(200000), "t/a") == "51\N{EN DASH}200 kt/a"


def test_number_and_amount() -> None:
    assert number(Decimal("1234567.8")) == "1,234,568"
    assert number(0.5) == "0.5"
    assert amount(2_500_000, None, "t") == "2.5 Mt"
    assert amount(None, None, "t") == ""


# ------------------------------------------------------------------ browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); .ci/run installs it")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Python playwright is not installed (the test extra)"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = ARTIFACTS / "chromium-profile"
    shutil.rmtree(profile, ignore_errors=True)
    with sync_api.sync_playwright() as playwright:
        # A persistent context is how Playwright gives Chromium a fresh --user-data-dir.
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1200, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_browser_search_the_demo_catalogue(browser: Any, demo_server: LiveServer) -> None:
    with demo_server.client() as http:
        if not _has_route(http, "/streams"):
            pytest.skip("GET /streams is not served yet (api/routes/streams.py)")
    page = browser.new_page()
    page.goto(demo_server.url + "/")
    _shot(page, "home")
    page.get_by_label("Material", exact=True).fill("slag")
    page.get_by_label("Kind", exact=True).select_option("supply")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/streams\?"))
    assert "material=slag" in page.url
    page.get_by_role("link", name="Ladle slag").wait_for()
    _shot(page, "search-results")
    page.close()


def test_browser_stream_page_shows_matches(browser: Any, demo_server: LiveServer) -> None:
    with demo_server.client() as http:
        if not _has_route(http, "/streams/{identifier}"):
            pytest.skip("GET /streams/{identifier} is not served yet (api/routes/streams.py)")
    page = browser.new_page()
    page.set_extra_http_headers({"accept": "text/html"})
    page.goto(demo_server.url + "/streams/celsa-mo-i-rana-ladle-slag")
    assert page.get_by_role("heading", level=1).inner_text() == "Ladle slag"
    explanations = page.locator("ol.matches .explanation")
    assert explanations.count() > 0 and explanations.first.inner_text().strip()
    _shot(page, "stream-celsa-ladle-slag")
    page.close()


def test_browser_element_pages(
    browser: Any, demo_server: LiveServer, wide_server: LiveServer
) -> None:
    page = browser.new_page()
    page.goto(demo_server.url + "/elements/Dy")
    assert "dysprosium" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("figure.chart svg rect").count() > 0
    _shot(page, "element-dy")
    page.goto(wide_server.url + "/elements/Ga")
    assert "gallium" in page.get_by_role("heading", level=1).inner_text()
    chart = page.get_by_role("img", name=re.compile("Recoverable gallium by stream"))
    assert chart.count() >= 1
    assert page.locator("table.chart-data tbody tr").count() > 0
    _shot(page, "element-ga")
    page.close()


def test_browser_map_works_without_tiles(browser: Any, demo_server: LiveServer) -> None:
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(demo_server.url + "/map")
    page.get_by_role("link", name="Ladle slag").first.wait_for()
    if importlib.util.find_spec("xstatic.pkg.leaflet") is not None:
        # Leaflet (from the Python package) draws the markers even when tiles cannot load.
        page.locator("#map.leaflet-container .leaflet-interactive").first.wait_for()
    # Leaflet and the page's own script run under the pages' Content-Security-Policy.
    assert not [text for text in console if "Content Security Policy" in text], console
    _shot(page, "map")
    page.close()


def test_browser_run_an_example_query(browser: Any, demo_server: LiveServer) -> None:
    page = browser.new_page()
    page.goto(demo_server.url + "/query")
    editor = page.get_by_label("Query")
    assert "SELECT" in editor.input_value()
    page.get_by_role("button", name="Run query").click()
    page.wait_for_url(re.compile(r"/query/run\?"))
    table = page.locator("table.results")
    table.wait_for()
    assert table.locator("tbody tr").count() > 0
    assert "NO" in table.inner_text()
    _shot(page, "query-result")
    page.close()


def test_query_runs_in_process_without_the_endpoint(renderer: TestClient) -> None:
    """Without the SPARQL endpoint's workers the page runs the query on the store itself."""
    from api.routes import pages
    from catalogue.access import ANONYMOUS, view_for

    store = renderer.app.state.store  # type: ignore[attr-defined]
    view = view_for(store, ANONYMOUS)
    text = "SELECT ?id WHERE { ?s <http://purl.org/dc/terms/identifier> ?id }"
    table = pages._run(store, text, view)
    assert table["head"] == ["id"]
    found = {row[0] for row in table["rows"]}
    assert "celsa-mo-i-rana-ladle-slag" in found
    assert not found & set(HIDDEN_STREAMS)
    assert pages._run(store, "ASK { ?s ?p ?o }", view) == {"kind": "boolean", "value": True}


# ------------------------------------------------------------------ flows, stocks, totals

SMALL_COLUMNS = [
    "identifier", "name", "organisation", "site", "country", "latitude", "longitude", "material",
    "state", "quantity", "quantity_min", "quantity_max", "unit", "basis", "composition",
    "confidentiality",
]  # fmt: skip
# fmt: off
SMALL_ROWS = [
    # A public flow and a public stock holding gallium.
    ("pages-test-red-mud-flow", "Red mud (test flow)", "Test Alumina A", "Plant A", "GR",
     "38.3", "22.6", "red mud", "sludge", "100000", "", "", "t/a", "flow", "Ga=60 g/t", "public"),
    ("pages-test-red-mud-stock", "Red mud pond (test stock)", "Test Alumina B", "Pond B", "HU",
     "47.1", "17.9", "red mud", "sludge", "2000000", "", "", "t", "stock", "Ga=50 g/t", "public"),
    # Three non-public slag supplies, one in kt/a, one with gallium.
    ("pages-test-secret-slag-1", "Secret slag one", "Hidden Steel One", "Hidden site one", "NO",
     "58.1", "7.9", "ladle slag", "solid", "20000", "", "", "t/a", "flow", "Ga=10 g/t",
     "restricted"),
    ("pages-test-secret-slag-2", "Secret slag two", "Hidden Steel Two", "Hidden site two", "NO",
     "58.2", "8.0", "ladle slag", "solid", "", "30", "60", "kt/a", "flow", "", "confidential"),
    ("pages-test-secret-slag-3", "Secret slag three", "Hidden Steel Three", "Hidden site three",
     "NO", "58.3", "8.1", "ladle slag", "solid", "45000", "40000", "50000", "t/a", "flow", "",
     "restricted"),
]
# fmt: on
"""A small catalogue: gallium in a flow and a stock, three non-public slag supplies."""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("pages-small")
    source = folder / "small.csv"
    with source.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["kind", *SMALL_COLUMNS])
        writer.writerows(["supply", *row] for row in SMALL_ROWS)
    app = create_app(ServiceSettings(store=loaded_store(folder, [source])))
    with TestClient(app) as test_client:
        yield test_client


def test_element_page_keeps_stocks_apart_from_flows(small: TestClient) -> None:
    html = small.get("/elements/Ga").text
    headings = re.findall(r'<h2 id="section-\d+">(.*?)</h2>', html)
    assert headings == [
        "Flows (t/a): 6 t/a recoverable in all",
        "Stocks (t): 100 t recoverable in all",
    ]
    assert "Recoverable gallium by country (stocks, t)" in html


def test_aggregate_totals_on_pages_never_name_hidden_streams(small: TestClient) -> None:
    home = small.get("/").text
    section = re.search(r'<section class="aggregates".*?</section>', home, re.S)
    assert section is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section[0]))
    # 20 + 30 + 40 kt/a low, 20 + 60 + 50 kt/a high (the second stream is in kt/a).
    assert "ladle slag NO 3 90\N{EN DASH}130 kt/a in total (3 streams)" in text
    element = small.get("/elements/Ga").text
    assert "Non-public supply holding gallium" in element
    assert "withheld" in element  # one hidden gallium supply: its figure stays hidden
    for path in (
        "/",
        "/elements/Ga",
        "/map",
        "/query/run?query=SELECT+*+WHERE+%7B%3Fs+%3Fp+%3Fo%7D",
    ):
        html = small.get(path).text
        for secret in ("Secret slag", "Hidden Steel", "Hidden site", "pages-test-secret"):
            assert secret not in html, f"{secret} on {path}"
