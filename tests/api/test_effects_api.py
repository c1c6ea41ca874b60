"""``GET /effects`` on a live service: the aggregates each caller gets equal the sum of
the exchanges it may see (computed from the file), a confidential exchange never counts
for anyone not cleared for it, and browsers get a page with a chart per indicator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from catalogue.access import Role
from catalogue.effects import Grouping
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import (
    TokenService,
    loaded_store,
    service_settings,
    start_server,
    stop_server,
)
from tests.api.test_pages import ARTIFACTS, browser  # noqa: F401  (the Chromium fixture)
from tests.catalogue.test_effects import EXCHANGES, LEVELS, as_found, expected, write_exchanges


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenService]:
    folder = tmp_path_factory.mktemp("effects")
    store = loaded_store(folder, [write_exchanges(folder / "exchanges.csv", EXCHANGES)])
    settings = service_settings(store)
    path = tokens_path(settings)
    tokens = {
        "reader": create_token(path, "Curious Institute", Role.READER)[0],
        "administrator": create_token(path, "Catalogue Office", Role.ADMINISTRATOR)[0],
    }
    live, running = start_server(settings)
    yield TokenService(live, tokens)
    stop_server(running)


@pytest.mark.parametrize("by", list(Grouping))
@pytest.mark.parametrize("caller", ["anonymous", "reader", "administrator"])
def test_effects_equal_the_sum_of_the_exchanges_the_caller_may_see(
    service: TokenService, caller: str, by: Grouping
) -> None:
    with service.client(None if caller == "anonymous" else caller) as client:
        answer = client.get("/effects", params={"by": by.value})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert as_found(answer.json()) == expected(LEVELS[caller], by)
    # the confidential exchange's region: only the administrator sees it
    assert ("Secret Valley" in answer.text) == (caller == "administrator" and by is Grouping.REGION)


def test_a_bad_grouping_is_a_422(service: TokenService) -> None:
    with service.client() as client:
        assert client.get("/effects", params={"by": "planet"}).status_code == 422


def test_the_effects_page_draws_a_chart_per_indicator(
    browser: Any,  # noqa: F811
    service: TokenService,
) -> None:
    page = browser.new_page()
    page.set_extra_http_headers({"accept": "text/html"})
    page.goto(service.live.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Effects").click()
    page.wait_for_url("**/effects")
    page.goto(service.live.url + "/effects?by=symbiosis")
    assert page.get_by_role("heading", level=1).inner_text() == "Effects of exchanges"
    captions = page.locator("figure.chart figcaption").all_inner_texts()
    # realised exchanges of public level: resources, energy, waste, CO2 (water is negative)
    assert captions == [
        "Resources saved by realised exchanges",
        "Energy saved by realised exchanges",
        "Waste saved by realised exchanges",
        "CO2 saved by realised exchanges",
    ]
    energy = page.locator("table.chart-data").nth(1).inner_text()
    assert "Ora" in energy and "390,000 MWh/a" in energy
    assert "Kalundborg Symbiosis" in energy and "12,000 MWh/a" in energy
    totals = page.locator("table.results").inner_text()
    assert "planned" in totals and "Secret" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "effects.png"), full_page=True)
    page.close()


def test_a_publisher_posts_an_exchanges_file_like_a_template(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("effects-publish")
    settings = service_settings(folder / "store")
    token = create_token(tokens_path(settings), "Asnaes Power Station", Role.PUBLISHER)[0]
    live, running = start_server(settings)
    try:
        with live.client(Authorization=f"Bearer {token}") as client:
            bad = [dict(row) for row in EXCHANGES[:2]]
            bad[1]["start_year"] = "19x3"
            rejected = client.post(
                "/streams",
                params={"filename": "kalundborg.csv"},
                content=write_exchanges(folder / "bad.csv", bad).read_bytes(),
                headers={"Content-Type": "text/csv"},
            )
            assert rejected.status_code == 422, rejected.text
            problems = rejected.json()["report"]["problems"]
            where = {(p["row"], p["column"]) for p in problems}
            assert (3, "start_year") in where
            assert client.get("/effects").json() == []  # nothing stored
            good = write_exchanges(folder / "good.csv", EXCHANGES)
            answer = client.post(
                "/streams",
                params={"filename": "kalundborg.csv", "year": "2024"},
                content=good.read_bytes(),
                headers={"Content-Type": "text/csv"},
            )
            assert answer.status_code == 201, answer.text
            assert answer.json()["year"] == 2024 and answer.json()["streams"] == []
            # the publisher sees its confidential exchange, anonymous callers do not
            mine = as_found(client.get("/effects").json())
        with live.client() as anonymous:
            public = as_found(anonymous.get("/effects").json())
            assert as_found(anonymous.get("/effects", params={"year": 2023}).json()) == {}
        assert public == expected(LEVELS["anonymous"], Grouping.REGION)
        assert mine == expected(LEVELS["administrator"], Grouping.REGION)
    finally:
        stop_server(running)
