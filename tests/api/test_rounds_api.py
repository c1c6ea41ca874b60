"""Reporting rounds over HTTP, on a live service: who may open a round and read the status,
the stale flag in GET /streams and on stream pages (after two missed rounds, not before),
and a publisher's pre-filled template, published back as the next version."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from catalogue import audit
from catalogue.access import Role
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import TokenService, service_settings, start_server, stop_server
from tests.api.test_pages import ARTIFACTS, browser  # noqa: F401  (the Chromium fixture)
from tests.catalogue.test_rounds import BETA, HEADER, alpha

SECRET = {**BETA, "identifier": "beta-secret", "name": "Secret sludge", "material": "sludge",
          "confidentiality": "confidential"}  # fmt: skip


def csv_body(*rows: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def publish(client: httpx.Client, name: str, body: str | bytes, year: int, kind: str) -> None:
    answer = client.post(
        "/streams",
        params={"filename": name, "year": str(year)},
        content=body,
        headers={"Content-Type": kind},
    )
    assert answer.status_code == 201, answer.text


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenService]:
    settings = service_settings(tmp_path_factory.mktemp("rounds") / "store")
    path = tokens_path(settings)
    tokens = {
        "reader": create_token(path, "Curious Institute", Role.READER)[0],
        "alpha": create_token(path, "Alpha Metals", Role.PUBLISHER)[0],
        "beta": create_token(path, "Beta Energy", Role.PUBLISHER)[0],
        "nobody": create_token(path, "Nobody AS", Role.PUBLISHER)[0],
        "admin": create_token(path, "Catalogue Office", Role.ADMINISTRATOR)[0],
    }
    live, running = start_server(settings)
    service = TokenService(live, tokens)
    with service.client("alpha") as client:
        publish(client, "alpha-2023.csv", csv_body(alpha(2023)), 2023, "text/csv")
    with service.client("beta") as client:
        publish(client, "beta-2023.csv", csv_body(BETA, SECRET), 2023, "text/csv")
    yield service
    stop_server(running)


def open_round(service: TokenService, year: int, who: str = "admin") -> httpx.Response:
    with service.client(who) as client:
        return client.post("/rounds", json={"year": year})


def stale_items(service: TokenService, who: str | None = None) -> dict[str, bool]:
    with service.client(who) as client:
        answer = client.get("/streams", headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    return {item["identifier"]: item["stale"] for item in answer.json()["items"]}


def test_rounds_stale_flags_and_templates(service: TokenService, browser: Any) -> None:  # noqa: F811
    # who may open a round
    for who, status in (("reader", 403), ("alpha", 403)):
        assert open_round(service, 2023, who).status_code == status
    with service.client() as client:
        assert client.post("/rounds", json={"year": 2023}).status_code == 401
        assert client.get("/rounds").status_code == 401
    opened = open_round(service, 2023)
    assert opened.status_code == 201 and opened.json()["year"] == 2023
    assert opened.json()["by"] == "Catalogue Office"
    again = open_round(service, 2023)
    assert again.status_code == 200 and again.json() == opened.json()
    log = audit.audit_path(service.live.settings).read_text(encoding="utf-8").splitlines()
    opened_lines = [json.loads(line) for line in log if '"round-open"' in line]
    assert [(line["year"], line["organisation"]) for line in opened_lines] == [
        (2023, "Catalogue Office")
    ]
    assert open_round(service, 1066).status_code == 422

    # round two: Alpha reports, Beta does not; one missed round is not stale
    assert open_round(service, 2024).status_code == 201
    with service.client("alpha") as client:
        publish(client, "alpha-2024.csv", csv_body(alpha(2024)), 2024, "text/csv")
    assert stale_items(service) == {"alpha-slag": False, "beta-ash": False}
    with service.client("reader") as client:
        status = client.get("/rounds").json()
    assert status["year"] == 2024 and [r["year"] for r in status["rounds"]] == [2023, 2024]
    assert {o["name"]: o["reported"] for o in status["organisations"]} == {
        "Alpha Metals": True,
        "Beta Energy": False,
    }

    # round three: Beta's streams have missed two rounds
    assert open_round(service, 2025).status_code == 201
    assert stale_items(service) == {"alpha-slag": False, "beta-ash": True}
    assert stale_items(service, "beta")["beta-secret"] is True
    with service.client("reader") as client:
        listed = [s["identifier"] for s in client.get("/rounds").json()["stale"]]
        one = client.get("/streams/beta-ash", headers={"Accept": "application/json"}).json()
    assert listed == ["beta-ash"]  # the confidential one is not the reader's to see
    assert one["stale"] is True
    with service.client("beta") as client:
        assert "beta-secret" in [s["identifier"] for s in client.get("/rounds").json()["stale"]]

    page = browser.new_page()
    page.set_extra_http_headers({"accept": "text/html"})
    page.goto(service.live.url + "/streams/beta-ash")
    assert page.locator(".badge.stale").inner_text() == "possibly stale"
    page.screenshot(path=str(ARTIFACTS / "stream-possibly-stale.png"), full_page=True)
    page.goto(service.live.url + "/streams/alpha-slag")
    assert page.locator(".badge.stale").count() == 0
    page.goto(service.live.url + "/streams")
    assert page.locator("table.results .badge.stale").count() == 1
    page.close()

    # the templates: a publisher's own streams, for an open round only
    with service.client("reader") as client:
        assert client.get("/rounds/2025/template").status_code == 403
    with service.client("nobody") as client:
        assert client.get("/rounds/2025/template").status_code == 404
    with service.client("beta") as client:
        assert client.get("/rounds/2030/template").status_code == 404
        answer = client.get("/rounds/2025/template")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    identifiers = sorted(dict(zip(rows[0], row, strict=True))["identifier"] for row in rows[1:])
    assert identifiers == ["beta-ash", "beta-secret"]
    # updated and published for 2025, Beta's streams are current again
    with service.client("beta") as client:
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        publish(client, "beta-energy-2025.xlsx", answer.content, 2025, xlsx)
    assert stale_items(service, "beta") == {
        "alpha-slag": False,
        "beta-ash": False,
        "beta-secret": False,
    }
