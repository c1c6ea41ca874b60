"""The reporting cycle over HTTP: ``?year=`` on every read, a stream's history in its JSON
and on its page (Chromium), and ``GET /diff``; on a real service over the demo's two
reporting years (2020 and the illustrative 2021)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.settings import ServiceSettings
from catalogue.demo import demo_rounds
from catalogue.publish import load_files
from catalogue.store import opened_store
from tests.api.conftest import LiveServer, service_settings, start_server, stop_server
from tests.api.test_pages import browser  # noqa: F401  (the Chromium fixture)

SLAG = "eramet-kvinesdal-simn-slag"
QUANTITY = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
PREFIX data: <https://w3id.org/sidestream/data/stream/>
SELECT ?value WHERE { data:%s ss:hasQuantity/ss:numericValue ?value }"""


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("two-years")
    settings = service_settings(folder / "store")
    with opened_store(ServiceSettings(store=settings.store)) as store:
        for files in demo_rounds():
            load_files(files, store, settings, publisher="demo")
    live, running = start_server(settings)
    yield live
    stop_server(running)


def test_a_stream_in_any_year_and_its_history(two_years: LiveServer) -> None:
    with two_years.client(Accept="application/json") as http:
        latest = http.get(f"/streams/{SLAG}").json()
        earlier = http.get(f"/streams/{SLAG}", params={"year": 2020}).json()
        assert http.get("/streams/eramet-sauda-mn-slag", params={"year": 2020}).status_code == 404
        assert http.get(f"/streams/{SLAG}", params={"year": 1800}).status_code == 422
        assert http.get(f"/streams/{SLAG}", params={"year": "last"}).status_code == 422
    assert latest["quantity"]["value"] == 205000
    assert earlier["quantity"]["value"] == 220000
    history = [(v["year"], v["quantity"], v["current"]) for v in latest["history"]]
    assert history == [(2020, 220000.0, False), (2021, 205000.0, True)]
    assert earlier["history"] == latest["history"]  # history does not depend on the year


def test_lists_sparql_and_matches_follow_the_year(two_years: LiveServer) -> None:
    with two_years.client(Accept="application/json") as http:

        def identifiers(**params: Any) -> set[str]:
            body = http.get("/streams", params={"q": "slag", "per_page": 100, **params}).json()
            return {item["identifier"] for item in body["items"]}

        assert "eramet-sauda-mn-slag" in identifiers()
        assert "eramet-sauda-mn-slag" not in identifiers(year=2020)
        assert SLAG in identifiers(year=2020)

        def sparql(**params: Any) -> list[str]:
            answer = http.get(
                "/sparql",
                params={"query": QUANTITY % SLAG, **params},
                headers={"Accept": "application/sparql-results+json"},
            )
            return [b["value"]["value"] for b in answer.json()["results"]["bindings"]]

        assert sparql() == ["205000"]
        assert sparql(year=2020) == ["220000"]
        latest = http.get("/match", params={"supply": SLAG}).json()
        earlier = http.get("/match", params={"supply": SLAG, "year": 2020}).json()
        assert (
            http.get("/match", params={"supply": "eramet-sauda-mn-slag", "year": 2020}).status_code
            == 404
        )
    assert latest and earlier


def test_diff_over_http(two_years: LiveServer) -> None:
    with two_years.client() as http:
        answer = http.get("/diff", params={"from": 2020, "to": 2021})
        assert http.get("/diff", params={"from": 2020}).status_code == 422
        backwards = http.get("/diff", params={"from": 2021, "to": 2020}).json()
    assert answer.status_code == 200
    changes = {c["identifier"]: c for c in answer.json()}
    assert {i: c["change"] for i, c in changes.items()} == {
        "alcoa-mosjoen-spent-pot-lining": "changed",
        "eramet-kvinesdal-simn-slag": "changed",
        "eramet-sauda-mn-slag": "added",
        "mo-industripark-recovered-surplus-heat": "changed",
        "noah-langoya-incineration-fly-ash": "changed",
    }
    assert changes["alcoa-mosjoen-spent-pot-lining"]["columns"]["treatment"] == {
        "before": "landfill",
        "after": "material-recovery",
    }
    assert {c["identifier"]: c["change"] for c in backwards}["eramet-sauda-mn-slag"] == "removed"


def test_browser_stream_page_shows_its_history(browser: Any, two_years: LiveServer) -> None:  # noqa: F811
    page = browser.new_page()
    page.set_extra_http_headers({"accept": "text/html"})
    page.goto(two_years.url + f"/streams/{SLAG}")
    history = page.get_by_role("region", name="History")
    history.wait_for()
    chart = history.get_by_role("img", name="Quantity by reporting year")
    assert chart.count() == 1
    rows = history.locator("table.history tbody tr")
    assert rows.count() == 2
    assert "replaced in 2021" in rows.nth(0).inner_text()
    assert "current" in rows.nth(1).inner_text()
    page.screenshot(path=str(Path("tests/artifacts/stream-history.png")), full_page=True)
    # the earlier year's page, from the history table's link
    history.get_by_role("link", name="2020").click()
    page.wait_for_url("**year=2020")
    assert "220" in page.locator("dl.facts").first.inner_text()
    page.close()


def test_an_organisations_streams_year_by_year(two_years: LiveServer) -> None:
    with two_years.client() as http:
        found = http.get("/organisations/eramet-norway-as/history").json()
        assert http.get("/organisations/nobody-at-all/history").status_code == 404
    streams = {s["identifier"]: s for s in found["streams"]}
    assert found["years"] == [2020, 2021]
    assert streams["eramet-kvinesdal-simn-slag"]["quantities"] == {
        "2020": 220000.0,
        "2021": 205000.0,
    }
    assert streams["eramet-sauda-mn-slag"]["quantities"] == {"2021": 150000.0}
    # a stream not reported again keeps its 2020 figures in 2021
    assert streams["eramet-kvinesdal-surplus-heat"]["reported"] == [2020]
    assert set(streams["eramet-kvinesdal-surplus-heat"]["quantities"]) == {"2020", "2021"}
    assert found["totals"] == {"2020": {"t/a": 220000.0}, "2021": {"t/a": 355000.0}}
