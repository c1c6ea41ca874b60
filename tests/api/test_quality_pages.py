"""Data quality over HTTP (issue 9): ``GET /streams?min_quality=``, the ``quality`` of list
items and of ``GET /streams/{id}``, and the quality section of a stream page in Chromium.

A real service on loopback over a store loaded the production way with crafted rows: one
complete and measured supply, one sparse supply, one that draws a shapes warning, and a
confidential one that no anonymous caller may see.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import LiveServer, loaded_store, service_settings, start_server, stop_server
from tests.api.test_pages import ARTIFACTS, browser  # noqa: F401  (the Chromium fixture)
from tests.catalogue.test_quality import COMPLETE as BLAST_FURNACE_SLAG

COMPLETE = {**BLAST_FURNACE_SLAG, "identifier": "good-slag", "name": "Well described slag"}
ROWS = [
    COMPLETE,
    {**COMPLETE, "identifier": "odd-slag", "name": "Odd slag", "composition": "CaO=10 %"}
    | {"composition_basis": "estimated", "hazardous": "yes"},
    {
        "identifier": "sparse-slag",
        "kind": "supply",
        "name": "Barely described slag",
        "organisation": "Acme Iron AS",
        "material": "slag",
    },
    {**COMPLETE, "identifier": "secret-slag", "name": "Secret slag"}
    | {"confidentiality": "confidential"},
]


@pytest.fixture(scope="module")
def quality_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("quality")
    source = folder / "quality.csv"
    header = list(dict.fromkeys(key for row in ROWS for key in row))
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(ROWS)
    live, running = start_server(service_settings(loaded_store(folder, [source])))
    yield live
    stop_server(running)


def listed(server: LiveServer, **params: Any) -> dict[str, Any]:
    with server.client(accept="application/json") as http:
        response = http.get("/streams", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["x-total-count"] == str(body["total"])
    return body


def test_min_quality_filters_the_list_anonymous_callers_see(quality_server: LiveServer) -> None:
    every = listed(quality_server)
    scores = {item["identifier"]: item["quality"] for item in every["items"]}
    assert set(scores) == {"good-slag", "odd-slag", "sparse-slag"}  # not the confidential one
    assert scores["good-slag"] == 1
    assert scores["sparse-slag"] < 0.6 < scores["odd-slag"] < 1
    good = listed(quality_server, min_quality=0.6)
    assert [item["identifier"] for item in good["items"]] == ["good-slag", "odd-slag"]
    assert good["total"] == 2 and good["filters"] == {"min_quality": "0.6"}
    best = listed(quality_server, min_quality=1)
    assert [item["identifier"] for item in best["items"]] == ["good-slag"]


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "high"])
def test_min_quality_outside_0_to_1_is_a_422_naming_it(
    quality_server: LiveServer, bad: str
) -> None:
    with quality_server.client(accept="application/json") as http:
        response = http.get("/streams", params={"min_quality": bad})
    assert response.status_code == 422
    assert "min_quality" in response.text


def test_a_streams_json_carries_its_quality_and_what_lowered_it(
    quality_server: LiveServer,
) -> None:
    with quality_server.client(accept="application/json") as http:
        odd = http.get("/streams/odd-slag").json()["quality"]
        secret = http.get("/streams/secret-slag")
    assert odd["basis"] == 0.4 and odd["plausibility"] == 0.65
    assert (
        "Ca 7.1 % is outside the usual 21.4 % to 32.2 % for blast furnace slag."
        in (odd["issues"]["en"])
    )
    assert "The composition is estimated, not measured." in odd["issues"]["en"]
    assert any(text.startswith("Warning when loaded:") for text in odd["issues"]["en"])
    assert len(odd["issues"]["nb"]) == len(odd["issues"]["en"])
    assert secret.status_code == 404


def test_the_stream_page_shows_the_score_as_a_bar_and_the_deductions(
    browser: Any,  # noqa: F811
    quality_server: LiveServer,
) -> None:
    page = browser.new_page()
    page.set_extra_http_headers({"accept": "text/html"})
    page.goto(quality_server.url + "/streams/odd-slag")
    section = page.get_by_role("region", name="Data quality")
    meter = section.locator("meter")
    score = float(meter.get_attribute("value") or "nan")
    assert 0 < score < 1
    assert section.get_by_text(f"Score {score:.2f}").is_visible()
    assert meter.bounding_box()["width"] > 40  # drawn as a bar
    issues = section.locator("ul.quality-issues li")
    assert issues.count() == 3
    assert section.get_by_text("The composition is estimated, not measured.").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stream-quality.png"), full_page=True)
    page.goto(quality_server.url + "/streams/good-slag")
    good = page.get_by_role("region", name="Data quality")
    assert good.get_by_text("Nothing lowered it.").is_visible()
    page.close()


def test_the_query_page_offers_the_quality_example(quality_server: LiveServer) -> None:
    with quality_server.client(accept="text/html") as http:
        page = http.get("/query", params={"example": "pages/example_top_quality_streams"})
    assert page.status_code == 200
    assert "ss:qualityScore" in page.text
