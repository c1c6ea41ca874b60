"""The yearly reporting cycle (issue 9): versions, years, history, diff and withdrawal.

The demo catalogue has two reporting years (``catalogue.demo.demo_rounds``): 2020, the
report's figures, and an illustrative 2021 that re-reports five streams (four changed,
one unchanged) and adds one. Every test runs on each backend, through the command line.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from catalogue.access import ADMINISTRATOR, ANONYMOUS, view_for
from catalogue.changes import diff, stream_history
from catalogue.demo import demo_rounds
from catalogue.store.base import CatalogueStore
from tests.backends import Backend

DATA = "https://w3id.org/sidestream/data/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PUBLIC = "https://w3id.org/sidestream/vocab/confidentiality/public"
SLAG = DATA + "stream/eramet-kvinesdal-simn-slag"
QUANTITY = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
SELECT ?value WHERE { <%s> ss:hasQuantity/ss:numericValue ?value }"""
IDENTIFIERS = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ss: <https://w3id.org/sidestream/ontology/>
SELECT DISTINCT ?id WHERE { ?s dcterms:identifier ?id ; a ?kind .
  FILTER(?kind IN (ss:Supply, ss:Demand)) }"""


def rounds() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """The demo's two years as template rows by identifier (non-empty cells only): every
    stream file of each round (deposits too; not the exchanges, which are no streams)."""
    first, second = ({k: v for p in files for k, v in _rows(p).items()} for files in demo_rounds())
    return first, second


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["identifier"]: {column: cell for column, cell in row.items() if cell}
        for row in rows
        if row.get("kind") in ("supply", "demand", "deposit")
    }


def values(store: CatalogueStore, query: str, year: int | None = None) -> list[str]:
    rows = store.select(query, view_for(store, ADMINISTRATOR, year))
    return sorted(next(iter(row.values())).value for row in rows)


def snapshot(backend: Backend) -> list[str]:
    with backend.opened() as store:
        return sorted(str(quad) for quad in store.quads())


@pytest.fixture
def two_years(backend: Backend) -> Backend:
    assert backend.main("load", "--demo") == 0
    return backend


def test_latest_by_default_and_any_year_on_request(two_years: Backend) -> None:
    first, second = rounds()
    with two_years.opened() as store:
        # one version of the stream in each view, and the right one
        assert values(store, QUANTITY % SLAG) == ["205000"]
        assert values(store, QUANTITY % SLAG, 2020) == ["220000"]
        assert values(store, QUANTITY % SLAG, 2021) == ["205000"]
        # streams not reported again stay current with their 2020 version; the new one
        # is absent before its year; nothing is there before the first year
        assert values(store, IDENTIFIERS, 2020) == sorted(first)
        assert values(store, IDENTIFIERS) == sorted(first.keys() | second.keys())
        assert values(store, IDENTIFIERS, 2021) == sorted(first.keys() | second.keys())
        # the 2020 report's streams are not there before 2020 (the deposits file reports
        # for the latest year of its own figures)
        assert not set(values(store, IDENTIFIERS, 2019)) & set(_rows(demo_rounds()[0][0]))
        # every version is kept, each in a graph of its own
        everything = view_for(store, ADMINISTRATOR, history=True)
        versions = stream_history(store, everything, "eramet-kvinesdal-simn-slag")
    assert [(v.year, float(v.quantity or 0), v.until) for v in versions] == [
        (2020, 220000.0, 2021),
        (2021, 205000.0, None),
    ]


def test_a_new_version_records_the_one_it_revises(two_years: Backend) -> None:
    query = """PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?version ?before WHERE {
      ?version dcterms:isVersionOf <%s> . OPTIONAL { ?version prov:wasRevisionOf ?before } }"""
    with two_years.opened() as store:
        rows = store.select(query % SLAG, view_for(store, ADMINISTRATOR, history=True))
    found = sorted((r["version"].value, r["before"].value if "before" in r else None) for r in rows)
    assert found == [
        (SLAG + "#version-2020", None),
        (SLAG + "#version-2021", SLAG + "#version-2020"),
    ]


def test_the_diff_lists_exactly_the_changes(
    two_years: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = rounds()
    expected = {}
    for identifier, row in second.items():
        if identifier not in first:
            expected[identifier] = ("added", set())
            continue
        before = first[identifier]
        changed = {c for c in before.keys() | row.keys() if before.get(c) != row.get(c)}
        if changed:
            expected[identifier] = ("changed", changed)
    assert len(expected) == 5  # four changed, one added; BriqSil came again unchanged

    capsys.readouterr()
    assert two_years.main("diff", "2020", "2021", "--json") == 0
    changes = json.loads(capsys.readouterr().out)
    assert {c["identifier"]: (c["change"], set(c["columns"])) for c in changes} == expected
    slag = next(c for c in changes if c["identifier"] == "eramet-kvinesdal-simn-slag")
    assert slag["columns"]["quantity"] == {"before": "220000", "after": "205000"}
    # the other way round, the added stream is removed and the changes are mirrored
    with two_years.opened() as store:
        back = diff(store, view_for(store, ANONYMOUS, 2021), view_for(store, ANONYMOUS, 2020))
    assert {c.identifier: c.kind for c in back} == {
        i: "removed" if kind == "added" else kind for i, (kind, _) in expected.items()
    }


def test_a_withdrawn_stream_stays_in_history(
    two_years: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    spl = "alcoa-mosjoen-spent-pot-lining"
    stream = DATA + "stream/" + spl
    assert two_years.main("withdraw", "--stream", spl, "--year", "2022") == 0
    with two_years.opened() as store:
        assert values(store, QUANTITY % stream) == []
        assert values(store, QUANTITY % stream, 2022) == []
        assert values(store, QUANTITY % stream, 2021) == ["45"]
        assert values(store, QUANTITY % stream, 2020) == ["50"]
        after = diff(store, view_for(store, ANONYMOUS, 2021), view_for(store, ANONYMOUS, 2022))
    assert [(c.identifier, c.kind) for c in after] == [(spl, "removed")]
    capsys.readouterr()
    assert two_years.main("history", spl, "--json") == 0
    history = json.loads(capsys.readouterr().out)
    assert [(v["year"], v["quantity"], v["until"], v["withdrawn"]) for v in history] == [
        (2020, 50.0, 2021, False),
        (2021, 45.0, 2022, True),
    ]
    # withdrawing it again, or as of a year it was reported for, is refused
    assert two_years.main("withdraw", "--stream", spl, "--year", "2023") == 1
    assert (
        two_years.main("withdraw", "--stream", "eramet-kvinesdal-simn-slag", "--year", "2021") == 1
    )


def test_a_year_before_the_latest_version_is_refused_and_stores_nothing(
    two_years: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, second = rounds()
    late = tmp_path / "late-report.csv"
    header = sorted({column for row in second.values() for column in row})
    with late.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(second["eramet-kvinesdal-simn-slag"])
    before = snapshot(two_years)
    capsys.readouterr()
    assert two_years.main("load", str(late), "--year", "2019") == 1
    assert "cannot come after" in capsys.readouterr().err
    assert two_years.main("load", str(late), "--year", "2021") == 1  # the same year again
    assert snapshot(two_years) == before


def test_inferences_follow_each_version(backend: Backend, tmp_path: Path) -> None:
    """Element matching reads inferences materialised per graph: after a new version, the
    latest view ranks the new figures, a year's view the old, and neither counts twice."""
    row = {
        "identifier": "test-gallium-residue", "kind": "supply", "name": "Gallium residue",
        "organisation": "Test Alumina", "country": "NO", "latitude": "59.1",
        "longitude": "9.6", "material": "red mud", "state": "sludge", "unit": "t/a",
        "composition": "Ga=0.01 %", "confidentiality": "public",
    }  # fmt: skip
    other = {**row, "identifier": "test-other-residue", "name": "Other residue", "quantity": "5000"}
    for year, quantity, rows in (("2023", "1000", [row, other]), ("2024", "3000", [row])):
        path = tmp_path / f"report-{year}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*row, "quantity", "reference_year"])
            writer.writeheader()
            for each in rows:
                writer.writerow({"quantity": quantity, **each, "reference_year": year})
        assert backend.main("load", str(path)) == 0

    def masses(*year: str) -> list[tuple[str, float]]:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert backend.main("match", "--element", "Ga", "--top", "5", "--json", *year) == 0
        return [(r["identifier"], r["recoverable"]["mass"]) for r in json.loads(out.getvalue())]

    assert masses() == [("test-other-residue", 0.5), ("test-gallium-residue", 0.3)]
    assert masses("--year", "2023") == [("test-other-residue", 0.5), ("test-gallium-residue", 0.1)]


def test_a_chunked_file_that_revises_streams_gives_the_same_catalogue(tmp_path: Path) -> None:
    """A file above ``load_chunk_streams`` that makes new versions is written whole, in one
    transaction with the move into history, and stores exactly what an unchunked load does."""
    from datetime import UTC, datetime

    from catalogue.config import Settings
    from catalogue.publish import load_files
    from catalogue.store.oxigraph import OxigraphStore

    now = datetime(2026, 11, 24, tzinfo=UTC)

    def catalogue(settings: Settings, folder: Path) -> list[str]:
        store = OxigraphStore(folder)
        try:
            for path in (path for files in demo_rounds() for path in files):
                load_files([path], store, settings, publisher="demo", now=now)  # chunked: alone
            return sorted(str(quad) for quad in store.quads())
        finally:
            store.close()

    chunked = Settings().model_copy(update={"load_chunk_streams": 2, "load_workers": 2})
    assert catalogue(chunked, tmp_path / "chunked") == catalogue(Settings(), tmp_path / "whole")


def test_withdrawing_a_years_submission_brings_back_what_it_replaced(two_years: Backend) -> None:
    """A submission loaded by mistake is removed whole; the versions it replaced are current
    again, exactly as before it was loaded (and it can be loaded again)."""
    first, _ = rounds()
    assert two_years.main("withdraw", "prosess21-demo-2021") == 0
    with two_years.opened() as store:
        assert values(store, QUANTITY % SLAG) == ["220000"]
        assert values(store, IDENTIFIERS) == sorted(first)
        everything = view_for(store, ADMINISTRATOR, history=True)
        assert [
            v.year for v in stream_history(store, everything, "eramet-kvinesdal-simn-slag")
        ] == [2020]
    once = snapshot(two_years)
    assert two_years.main("load", str(demo_rounds()[1][0])) == 0
    with two_years.opened() as store:
        assert values(store, QUANTITY % SLAG) == ["205000"]
    assert two_years.main("withdraw", "prosess21-demo-2021") == 0
    assert snapshot(two_years) == once


def test_a_harvested_catalogues_identifiers_are_not_ours(tmp_path: Path) -> None:
    """A stream harvested from another catalogue with an identifier a local file also uses
    is another catalogue's stream: loading the file neither clashes with it nor makes a
    new version of it (which would move the harvest into history)."""
    from datetime import UTC, datetime

    from pyoxigraph import Literal, NamedNode, Quad

    from catalogue.config import Settings
    from catalogue.publish import load_files
    from catalogue.store.base import SubmissionWrite
    from catalogue.store.oxigraph import OxigraphStore

    settings = Settings()
    store = OxigraphStore(tmp_path / "store")
    try:
        harvest = NamedNode(settings.data_base + "harvest/elsewhere")
        meta = NamedNode(settings.data_base + "catalogue")
        remote = NamedNode("https://elsewhere.example/data/stream/eramet-kvinesdal-simn-slag")
        ss, dcterms = "https://w3id.org/sidestream/ontology/", "http://purl.org/dc/terms/"
        store.write(
            SubmissionWrite(
                quads=[
                    Quad(remote, NamedNode(RDF_TYPE), NamedNode(ss + "Supply"), harvest),
                    Quad(
                        remote,
                        NamedNode(dcterms + "identifier"),
                        Literal(SLAG.rsplit("/")[-1]),
                        harvest,
                    ),
                    Quad(harvest, NamedNode(RDF_TYPE), NamedNode(ss + "Submission"), meta),
                    Quad(
                        harvest,
                        NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"),
                        NamedNode("https://elsewhere.example/catalogue"),
                        meta,
                    ),
                    Quad(harvest, NamedNode(dcterms + "isPartOf"), harvest, meta),
                    Quad(harvest, NamedNode(ss + "confidentiality"), NamedNode(PUBLIC), meta),
                ],
                metadata_graph=meta,
            )
        )
        before = sorted(str(q) for q in store.quads(harvest))
        result = load_files(
            [demo_rounds()[1][0]], store, settings, publisher="demo", now=datetime.now(UTC)
        )
        assert result.submissions[0].revised == 0
        assert sorted(str(q) for q in store.quads(harvest)) == before
        assert not [g for g in store.named_graphs() if "harvest/elsewhere/until" in g.value]
    finally:
        store.close()
