"""Criticality pages (issue 9): for each CRM in the catalogue, the EU lists it is on, its
main applications and the recoverable mass across the catalogue by kind of supply, as
HTML (plain HTTP and Chromium), as JSON (``?format=json`` or ``Accept``) and as a query
on the query page; deposits in CRM-first results over HTTP as on the command line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalogue.access import ADMINISTRATOR, ANONYMOUS
from catalogue.cli import main
from catalogue.config import Settings
from catalogue.criticality import held_critical_elements
from catalogue.demo import DEPOSITS_FILE, demo_file
from catalogue.queries import load
from catalogue.store import opened_store
from tests.api.conftest import LiveServer, loaded_store, service_settings, start_server, stop_server
from tests.api.test_pages import browser, structure  # noqa: F401 (the Chromium fixture)
from tests.catalogue.matching.test_crm import write_template
from tests.catalogue.test_deposits import GALLIUM_ROWS

DEPOSITS = demo_file().with_name(DEPOSITS_FILE)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    # A public gallium flow (5 t/a) and a restricted gallium deposit (5,000 t).
    rows = [GALLIUM_ROWS[0], GALLIUM_ROWS[3]]
    extra = write_template(tmp_path_factory.mktemp("criticality-rows") / "more.csv", rows)
    return [demo_file(), DEPOSITS, extra]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, files: list[Path]) -> Path:
    return loaded_store(tmp_path_factory.mktemp("criticality"), files)


@pytest.fixture(scope="module")
def second_store(tmp_path_factory: pytest.TempPathFactory, files: list[Path]) -> Path:
    """The same files loaded by the command line into a store the server does not hold."""
    path = tmp_path_factory.mktemp("criticality-cli") / "store"
    assert main(["load", *map(str, files), "--store", str(path), "--by", "demo"]) == 0
    return path


@pytest.fixture(scope="module")
def server(store_path: Path) -> Iterator[LiveServer]:
    live, running = start_server(service_settings(store_path))
    yield live
    stop_server(running)


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


def by_category(totals: list[dict[str, Any]]) -> dict[str, tuple[float, str, int]]:
    return {t["category"]: (t["mass"], t["unit"], t["supplies"]) for t in totals}


def test_gallium_json_gives_lists_applications_and_visible_totals(client: httpx.Client) -> None:
    answer = client.get("/elements/Ga", params={"format": "json"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    (gallium,) = body["elements"]
    assert gallium["symbol"] == "Ga" and gallium["label"] == "gallium"
    assert [listing["list"] for listing in gallium["lists"]] == ["crm-2020", "crm-2023", "srm-2023"]
    assert gallium["lists"][2]["label"] == "EU strategic raw materials 2023"
    assert gallium["critical"] and gallium["strategic"]
    assert "light-emitting diodes (LEDs) and photocells" in gallium["applications"]["en"]
    assert "lysdioder (LED) og fotoceller" in gallium["applications"]["nb"]
    assert "[002] L1378" in gallium["applications_source"]
    # Public only: the demo deposit (1,500 t) and the flow (5 t/a), not the hidden deposit.
    assert by_category(body["recoverable"]) == {
        "flow": (5.0, "t/a", 1),
        "deposit": (1500.0, "t", 1),
    }
    supplies = {s["identifier"]: s for s in body["supplies"]}
    assert set(supplies) == {"ga-flow", "alteo-gardanne-red-mud-cassidaigne"}
    assert supplies["alteo-gardanne-red-mud-cassidaigne"]["category"] == "deposit"


def test_element_page_negotiates_html_json_and_refuses_the_rest(client: httpx.Client) -> None:
    html = client.get("/elements/Ga", headers={"accept": "text/html"})
    as_json = client.get("/elements/Ga", headers={"accept": "application/json"})
    neither = client.get("/elements/Ga", headers={"accept": "image/png"})
    assert html.headers["content-type"].startswith("text/html")
    assert as_json.json()["label"] == "gallium"
    assert neither.status_code == 406
    assert "format=json" in html.headers["link"] and html.headers["vary"] == "Accept"
    unknown = client.get("/elements/unobtainium", params={"format": "json"})
    assert unknown.status_code == 404 and "unobtainium" in unknown.json()["error"]


def test_group_page_lists_each_element(client: httpx.Client) -> None:
    body = client.get("/elements/HREE", params={"format": "json"}).json()
    symbols = [element["symbol"] for element in body["elements"]]
    assert {"Dy", "Tb", "Y"} <= set(symbols)
    dysprosium = body["elements"][symbols.index("Dy")]
    assert {listing["list"] for listing in dysprosium["lists"]} == {
        "crm-2020",
        "crm-2023",
        "srm-2023",
    }
    assert dysprosium["applications"] == {}  # no source in the project states them yet


def test_gallium_page_html_shows_lists_applications_totals_and_categories(
    client: httpx.Client,
) -> None:
    html = client.get("/elements/Ga").text
    page = structure(html)
    assert page.headings.count("h1") == 1
    assert "How critical gallium is" in html
    assert html.count('<td class="list-crm-2023">yes</td>') == 1
    assert "a substitute for mercury in medical thermometers" in html
    assert "deposits and landfills" in html and "1,500 t" in html
    assert "Recoverable gallium by kind of supply (t)" in html
    assert '<td class="category">deposit</td>' in html
    assert "Hidden deposit" not in html and "ga-hidden-deposit" not in html


def test_index_lists_each_listed_element_the_catalogue_holds(client: httpx.Client) -> None:
    body = client.get("/elements", params={"format": "json"}).json()
    held = {element["symbol"]: element for element in body["elements"]}
    assert held["Ga"]["recoverable"] == {
        "flow": {"mass": 5.0, "unit": "t/a"},
        "stock": {"mass": 0.0, "unit": "t"},
        "deposit": {"mass": 1500.0, "unit": "t"},
    }
    assert held["Ga"]["supplies"] == 2
    assert "Zn" not in held  # zinc is on no EU list
    html = client.get("/elements").text
    assert '<a href="/elements/Ga">gallium (Ga)</a>' in html
    assert "EU critical raw materials 2020; EU critical raw materials 2023" in html


def test_index_totals_are_the_callers_view(second_store: Path) -> None:
    with opened_store(Settings(store=second_store)) as store:
        public = {h.element.symbol: h for h in held_critical_elements(store, caller=ANONYMOUS)}
        everything = {
            h.element.symbol: h for h in held_critical_elements(store, caller=ADMINISTRATOR)
        }
    assert public["Ga"].deposit == 1500
    assert everything["Ga"].deposit == 6500  # and the restricted deposit's 5,000 t


def test_query_page_offers_and_runs_the_example(client: httpx.Client) -> None:
    example = load("pages/example_totals_per_critical_raw_material")
    page = client.get("/query", params={"example": example.name})
    assert page.status_code == 200 and example.summary in page.text
    ran = client.get("/query/run", params={"query": example.text})
    assert ran.status_code == 200
    assert "depositTonnes" in ran.text and "/element/Ga" in ran.text


def test_http_and_cli_give_the_same_deposit_results(
    client: httpx.Client, second_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["match", "--element", "Ga", "--json", "--store", str(second_store)]) == 0
    printed = json.loads(capsys.readouterr().out)
    answer = client.get("/match", params={"element": "Ga"})
    assert answer.json() == printed
    assert [r["category"] for r in printed] == ["flow", "deposit"]


def test_browser_from_the_index_to_gallium(browser: Any, server: LiveServer) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(server.url + "/elements")
    page.get_by_role("link", name="gallium (Ga)").click()
    page.wait_for_url("**/elements/Ga")
    page.get_by_role("heading", name="How critical gallium is").wait_for()
    row = page.get_by_role("row", name="gallium (Ga)")
    assert row.get_by_role("cell").all_inner_texts()[:3] == ["yes", "yes", "yes"]
    assert page.locator("figure.chart svg").count() >= 1
    assert page.get_by_role("rowheader", name="deposits and landfills").is_visible()
    page.screenshot(path=str(Path(__file__).parents[1] / "artifacts" / "criticality.png"))
    page.close()


def test_a_deposits_page_and_json_show_its_accessibility_and_status(client: httpx.Client) -> None:
    path = "/streams/alteo-gardanne-red-mud-cassidaigne"
    stream = client.get(path, headers={"Accept": "application/json"}).json()
    codes = {code["property"]: code["label"] for code in stream["codes"]}
    assert {"accessibility", "depositStatus"} <= codes.keys()
    page = client.get(path, headers={"Accept": "text/html"}).text
    assert f"<dt>Accessibility</dt><dd>{codes['accessibility']}</dd>" in page
    assert f"<dt>Deposit status</dt><dd>{codes['depositStatus']}</dd>" in page
