"""Issue 10's acceptance: template -> catalogue -> XLSX (or CSV) export -> a fresh store
gives the same triples; and the GeoJSON export (RFC 7946).

Everything goes through the command line (``sidestream load`` / ``export``) on real stores.
The export is the public part (``sidestream export`` answers as an anonymous caller), so
it is compared with the public part of the catalogue it came from: every asserted
statement, the version records of the reporting year included.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogue.access import ADMINISTRATOR, ANONYMOUS, Caller, view_for
from catalogue.demo import EXCHANGES_FILE, demo_file, demo_rounds
from tests.backends import Backend, Backends

DATA_BASE = "https://w3id.org/sidestream/data/"


def asserted(backend: Backend, caller: Caller, year: int | None = None) -> set[str]:
    """The asserted statements (not the inferred graphs, not the catalogue graph) of the
    submission graphs ``caller`` sees, without their graph names (a submission is named
    after its file)."""
    with backend.opened() as store:
        graphs = view_for(store, caller, year).graphs or ()
        return {
            f"{quad.subject} {quad.predicate} {quad.object}"
            for graph in graphs
            if graph.value.startswith(DATA_BASE + "submission/")
            and not graph.value.endswith("/inferred")
            for quad in store.quads(graph)
        }


@pytest.fixture(scope="module")
def demo(backends: Backends) -> Backend:
    """The demo's first reporting round (one file, one year), loaded once."""

    def fill(backend: Backend) -> None:
        assert backend.main("load", str(demo_file())) == 0

    return backends.shared("embedded", "roundtrip-demo", fill)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_template_to_catalogue_to_export_to_a_fresh_store_gives_the_same_triples(
    demo: Backend, backends: Backends, tmp_path: Path, fmt: str
) -> None:
    exported = tmp_path / f"catalogue.{fmt}"
    assert demo.main("export", "--format", fmt, "--output", str(exported)) == 0
    fresh = backends.fresh("embedded", tmp_path / "fresh")
    assert fresh.main("load", str(exported)) == 0
    before, after = asserted(demo, ANONYMOUS), asserted(fresh, ADMINISTRATOR)
    assert len(before) > 1500
    assert before == after


def test_a_later_year_round_trips_but_for_its_version_links(
    backends: Backends, tmp_path: Path
) -> None:
    """After two reporting rounds the latest view mixes streams reported for several
    years (the demo's deposits, 2020 and 2021); one file is one reporting year, so the
    versions' years and their prov:wasRevisionOf links are what a template cannot carry.
    The statements of every stream are the same."""
    source = backends.fresh("embedded", tmp_path / "source")
    assert source.main("load", "--demo") == 0
    assert len(demo_rounds()) == 2
    exported = tmp_path / "latest.xlsx"
    assert source.main("export", "--format", "xlsx", "--output", str(exported)) == 0
    fresh = backends.fresh("embedded", tmp_path / "fresh")
    # the demo's exchanges are no streams: they travel in their own file, not the export
    (exchanges,) = [p for files in demo_rounds() for p in files if p.name == EXCHANGES_FILE]
    assert fresh.main("load", str(exported), str(exchanges)) == 0

    def streams(statements: set[str]) -> set[str]:
        return {s for s in statements if "#version-" not in s}

    before, after = asserted(source, ANONYMOUS), asserted(fresh, ADMINISTRATOR)
    assert streams(before) == streams(after)
    assert before != after  # the version records differ, as said above

    # The catalogue as it stood for 2020 (--year) round-trips the same way.
    first_year = tmp_path / "2020.xlsx"
    options = ("--format", "xlsx", "--year", "2020", "--output", str(first_year))
    assert source.main("export", *options) == 0
    again = backends.fresh("embedded", tmp_path / "again")
    assert again.main("load", "--year", "2020", str(first_year), str(exchanges)) == 0
    in_2020 = asserted(source, ANONYMOUS, 2020)
    assert streams(in_2020) == streams(asserted(again, ADMINISTRATOR))
    assert streams(in_2020) != streams(before)


def test_geojson_is_a_feature_collection_of_the_public_streams_with_a_location(
    demo: Backend, tmp_path: Path
) -> None:
    path = tmp_path / "streams.geojson"
    assert demo.main("export", "--format", "geojson", "--output", str(path)) == 0
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) > 30
    for feature in features:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        longitude, latitude = feature["geometry"]["coordinates"]  # RFC 7946: lon, lat
        assert -180 <= longitude <= 180 and -90 <= latitude <= 90
        properties = feature["properties"]
        assert set(properties) >= {
            "identifier", "name", "kind", "material", "quantity", "unit", "organisation", "link"
        }  # fmt: skip
        assert properties["link"] == DATA_BASE + "stream/" + properties["identifier"]
    slag = next(f for f in features if f["id"] == "eramet-kvinesdal-simn-slag")
    # Kvinesdal is at about 58.3 N, 6.9 E: longitude first
    assert slag["geometry"]["coordinates"][0] == pytest.approx(6.9, abs=0.5)
    assert slag["geometry"]["coordinates"][1] == pytest.approx(58.3, abs=0.5)
    assert slag["properties"]["kind"] == "supply" and slag["properties"]["unit"] == "t/a"
    with demo.opened() as store:
        public = {
            row["identifier"].value
            for row in store.select(
                "PREFIX ss: <https://w3id.org/sidestream/ontology/> "
                "PREFIX dcterms: <http://purl.org/dc/terms/> "
                "PREFIX geo: <http://www.opengis.net/ont/geosparql#> "
                "SELECT ?identifier WHERE { ?s dcterms:identifier ?identifier ; "
                "geo:hasGeometry ?g ; ss:confidentiality ?c . "
                "FILTER(?c = <https://w3id.org/sidestream/vocab/confidentiality/public>) }"
            )
        }
    assert {f["id"] for f in features} == public
