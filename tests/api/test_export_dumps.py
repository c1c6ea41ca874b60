"""``GET /dumps/catalogue.{csv,xlsx,geojson}``: the non-RDF exports over HTTP hold only what
the caller may see, and read back as what they claim to be (a template the reader takes,
a GeoJSON FeatureCollection)."""

from __future__ import annotations

import csv
from pathlib import Path

from catalogue.demo import demo_file
from catalogue.ingest.template import read_template
from tests.api.conftest import LiveServer

TEMPLATE_FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def demo_identifiers(public: bool) -> set[str]:
    with Path(demo_file()).open(encoding="utf-8") as handle:
        return {
            row["identifier"]
            for row in csv.DictReader(handle)
            if ((row["confidentiality"] or "public") == "public") == public
        }


def test_template_dumps_are_templates_of_the_public_streams(
    demo_server: LiveServer, tmp_path: Path
) -> None:
    hidden = demo_identifiers(public=False)
    assert hidden
    with demo_server.client() as client:
        for fmt, media_type in TEMPLATE_FORMATS.items():
            answer = client.get(f"/dumps/catalogue.{fmt}")
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith(media_type)
            path = tmp_path / f"dump.{fmt}"
            path.write_bytes(answer.content)
            table = read_template(path)
            assert table.conforms, table.problems
            identifiers = {row.cells["identifier"] for row in table.rows}
            assert identifiers == demo_identifiers(public=True), fmt


def test_geojson_dump_holds_the_public_streams_with_a_location(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        answer = client.get("/dumps/catalogue.geojson")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    collection = answer.json()
    assert collection["type"] == "FeatureCollection"
    identifiers = {feature["properties"]["identifier"] for feature in collection["features"]}
    assert identifiers and identifiers <= demo_identifiers(public=True)
    assert not identifiers & demo_identifiers(public=False)


def test_dumps_of_a_reporting_year(demo_server: LiveServer, tmp_path: Path) -> None:
    """The demo is reported for 2020: the catalogue as it stood for 2019 had no streams."""
    with demo_server.client() as client:
        latest = client.get("/dumps/catalogue.csv")
        before = client.get("/dumps/catalogue.csv", params={"year": 2019})
        features = client.get("/dumps/catalogue.geojson", params={"year": 2019}).json()
        assert client.get("/dumps/catalogue.csv", params={"year": 1800}).status_code == 422
    rows = {}
    for name, answer in (("latest", latest), ("2019", before)):
        path = tmp_path / f"{name}.csv"
        path.write_bytes(answer.content)
        rows[name] = read_template(path).rows
    assert len(rows["latest"]) == len(demo_identifiers(public=True))
    assert rows["2019"] == [] and features["features"] == []
