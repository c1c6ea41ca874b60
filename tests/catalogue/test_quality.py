"""The data-quality score of each stream (issue 9, ``catalogue.quality``), on crafted rows.

Every row is loaded the production way (``load_files``) into a real store and read back as
the service reads it (``lookup.stream_description``, ``stream_summary``). What visibility
depends on runs on every backend (``tests/backends.py``).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from catalogue import lookup
from catalogue.access import ADMINISTRATOR, ANONYMOUS, Caller, Role, view_for
from catalogue.config import Settings
from catalogue.inference import materialise
from catalogue.namespaces import SS
from catalogue.publish import load_files, prepare_file
from catalogue.quality import note_quads, stream_notes
from catalogue.report import Problem, Severity
from catalogue.store.base import CatalogueStore
from catalogue.store.oxigraph import OxigraphStore
from tests.backends import Backend

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
YEAR = 2025
COMPLETE = {
    "identifier": "bf-slag",
    "kind": "supply",
    "name": "Blast furnace slag",
    "organisation": "Acme Iron AS",
    "site": "Works",
    "country": "NO",
    "latitude": "59.1",
    "longitude": "9.6",
    "nace": "24.10",
    "material": "blast furnace slag",
    "ewc": "10 02 02",
    "state": "solid",
    "quantity": "300000",
    "unit": "t/a",
    "reference_year": "2024",
    "composition": "CaO=40 %; SiO2=35 %",
    "composition_basis": "measured",
    "status": "by-product",
    "treatment": "material-recovery",
    "source": "Acme annual report 2024",
}
"""Every recommended field, a measured composition within the usual ranges (Ca 28.6 % of
21.4-32.2 %, Si 16.4 % of 12.6-18.7 %), figures one year old: nothing to deduct."""


SPARSE = {
    "identifier": "sparse",
    "kind": "supply",
    "name": "Some slag",
    "organisation": "Acme Iron AS",
    "material": "blast furnace slag",
}
"""The required fields alone."""


def row(**changes: str) -> dict[str, str]:
    found = {**COMPLETE, **changes}
    return {key: value for key, value in found.items() if value != ""}


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    header = list(dict.fromkeys(key for found in rows for key in found))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def loaded(tmp_path: Path, *rows: dict[str, str], year: int = YEAR) -> OxigraphStore:
    store = OxigraphStore()
    source = write(tmp_path / "streams.csv", list(rows))
    load_files([source], store, Settings(), publisher="Acme Iron AS", year=year, now=NOW)
    return store


def quality(store: CatalogueStore, identifier: str, caller: Caller = ADMINISTRATOR) -> Any:
    found = lookup.stream_description(store, view_for(store, caller), identifier)
    if found is None:
        return None
    stream, triples = found
    return lookup.stream_summary(stream, triples)["quality"]


def test_a_complete_measured_recent_plausible_supply_scores_1(tmp_path: Path) -> None:
    found = quality(loaded(tmp_path, row()), "bf-slag")
    assert found == {
        "score": 1,
        "completeness": 1,
        "plausibility": 1,
        "basis": 1,
        "age": 1,
        "age_years": 1,
        "issues": {"en": [], "nb": []},
    }


def test_a_sparse_supply_scores_low_and_names_what_is_missing(tmp_path: Path) -> None:
    found = quality(loaded(tmp_path, SPARSE), "sparse")
    assert found["completeness"] == 0
    assert found["basis"] == 0
    assert found["age"] == 0.5 and found["age_years"] is None
    # the warnings that fields are empty are completeness's deductions, not counted twice
    assert found["plausibility"] == 1
    assert found["score"] < 0.5
    assert (
        "Recommended fields not filled: quantity, unit, reference_year, composition, "
        "location, ewc, nace, source, status, treatment." in found["issues"]["en"]
    )
    assert any(
        text.startswith("Anbefalte felt som ikke er fylt ut") for text in found["issues"]["nb"]
    )


def test_half_the_recommended_fields_give_completeness_one_half(tmp_path: Path) -> None:
    half = row(ewc="", nace="", source="", status="", treatment="")
    found = quality(loaded(tmp_path, half), "bf-slag")
    assert found["completeness"] == 0.5
    assert found["issues"]["en"] == [
        "Recommended fields not filled: ewc, nace, source, status, treatment."
    ]


def test_a_composition_outside_the_usual_range_lowers_plausibility(tmp_path: Path) -> None:
    store = loaded(tmp_path, row(), row(identifier="odd-slag", composition="CaO=10 %; SiO2=35 %"))
    plausible, odd = quality(store, "bf-slag"), quality(store, "odd-slag")
    assert plausible["plausibility"] == 1
    assert odd["plausibility"] == 0.75
    assert odd["score"] < plausible["score"]
    assert odd["issues"]["en"] == [
        "Ca 7.1 % is outside the usual 21.4 % to 32.2 % for blast furnace slag."
    ]
    assert odd["issues"]["nb"] == [
        "Ca 7,1 % er utenfor det vanlige 21,4 % til 32,2 % for masovnsslagg."
    ]


def test_a_subclass_is_judged_by_its_superclass_range(tmp_path: Path) -> None:
    granulated = row(material="granulated blast furnace slag", composition="CaO=60 %")
    found = quality(loaded(tmp_path, granulated), "bf-slag")
    assert found["plausibility"] == 0.75
    assert "for blast furnace slag" in found["issues"]["en"][0]


def test_a_flow_far_above_the_largest_plants_lowers_plausibility(tmp_path: Path) -> None:
    found = quality(loaded(tmp_path, row(quantity="50", unit="Mt/a")), "bf-slag")
    assert found["plausibility"] == 0.75
    assert found["issues"]["en"] == [
        "50 Mt/a is more than one stream of blast furnace slag usually is (at most 8 Mt/a): "
        "check the unit."
    ]


def test_best_estimates_over_the_whole_lower_plausibility(tmp_path: Path) -> None:
    # lower bounds sum to 70 % (the shapes accept it), midpoints to 105 %; plain slag has
    # no usual ranges, so this is the one deduction
    ranges = row(material="slag", composition="CaO=40-80 %; SiO2=30-60 %")
    found = quality(loaded(tmp_path, ranges), "bf-slag")
    assert found["plausibility"] == 0.75
    assert found["issues"]["en"] == [
        "The best estimates of the composition add up to 105 %, more than the whole material."
    ]


@pytest.mark.parametrize(
    ("basis", "score", "issue"),
    [
        ("measured", 1, None),
        ("calculated", 0.8, "The composition is calculated, not measured."),
        ("literature", 0.6, "The composition is literature, not measured."),
        ("estimated", 0.4, "The composition is estimated, not measured."),
        ("målt", 1, None),  # the Norwegian label of measured
        (
            "",
            0.3,
            "The composition does not say whether it is measured or estimated (composition_basis).",
        ),
    ],
)
def test_a_measured_composition_scores_above_an_estimated_one(
    tmp_path: Path, basis: str, score: float, issue: str | None
) -> None:
    found = quality(loaded(tmp_path, row(composition_basis=basis)), "bf-slag")
    assert found["basis"] == score
    assert found["issues"]["en"] == ([issue] if issue else [])


def test_an_unknown_composition_basis_is_rejected_naming_row_and_column(tmp_path: Path) -> None:
    from catalogue.errors import SubmissionRejected

    with pytest.raises(SubmissionRejected) as rejected:
        loaded(tmp_path, row(composition_basis="guessed"))
    (problem,) = rejected.value.report.violations
    assert (problem.row, problem.column, problem.value) == (2, "composition_basis", "guessed")


@pytest.mark.parametrize(
    ("reference", "age", "score"),
    [("2025", 0, 1), ("2023", 2, 1), ("2019", 6, 0.5), ("2015", 10, 0), ("2005", 20, 0)],
)
def test_old_figures_score_lower_against_the_reporting_year(
    tmp_path: Path, reference: str, age: int, score: float
) -> None:
    found = quality(loaded(tmp_path, row(reference_year=reference), year=2025), "bf-slag")
    assert (found["age_years"], found["age"]) == (age, score)
    if age > 2:
        assert found["issues"]["en"] == [
            f"The figures are from {reference}, {age} years before the reporting year 2025."
        ]


def test_without_a_version_record_the_age_falls_back_to_the_reference_year(
    tmp_path: Path,
) -> None:
    """Data loaded before versions existed has no ``ss:reportingYear``: age 0, not a guess."""
    prepared = prepare_file(write(tmp_path / "old.csv", [row(reference_year="2010")]), Settings())
    inferred = materialise(prepared.quads, NamedNode("urn:test:inferred"))
    quality_node = NamedNode(prepared.identifiers["bf-slag"] + "#quality")
    facts = {q.predicate.value: q.object.value for q in inferred if q.subject == quality_node}
    assert facts[str(SS.ageInYears)] == "0"
    assert facts[str(SS.ageScore)] == "1.00"


def test_a_shapes_warning_becomes_a_note_and_lowers_the_score(tmp_path: Path) -> None:
    # hazardous yes against an entry the List of Waste marks non-hazardous: a warning
    store = loaded(tmp_path, row(), row(identifier="warned", hazardous="yes"))
    clean, warned = quality(store, "bf-slag"), quality(store, "warned")
    assert warned["plausibility"] == 0.9
    assert warned["score"] < clean["score"]
    (issue,) = warned["issues"]["en"]
    assert issue.startswith("Warning when loaded: The hazardous column says yes")
    assert warned["issues"]["nb"][0].startswith("Advarsel ved lasting: Kolonnen hazardous sier yes")
    notes = store.select(
        """PREFIX ss: <https://w3id.org/sidestream/ontology/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?note ?stream ?rule ?column ?text WHERE {
          ?note a ss:QualityNote ; ss:noteOf ?stream ; ss:rule ?rule ; ss:column ?column ;
            rdfs:comment ?text FILTER(LANG(?text) = "en") }""",
        view_for(store, ADMINISTRATOR),
    )
    assert [(r["note"].value, r["rule"].value, r["column"].value) for r in notes] == [
        (
            Settings().data_base + "stream/warned#note-1",
            "https://w3id.org/sidestream/shapes/StreamHazardousNonHazardousCodeShape",
            "hazardous",
        )
    ]


def test_notes_are_the_warnings_of_each_stream_row_once_each() -> None:
    def warning(row: int, rule: str, column: str | None = None) -> Problem:
        message = {"en": f"{rule} in English", "nb": f"{rule} på norsk"}
        return Problem(Severity.WARNING, message, rule, row=row, column=column)

    problems = [
        warning(2, "b", "ewc"),
        warning(2, "a"),
        warning(2, "a"),  # the same warning for two components of one row: one note
        warning(3, "c"),
        Problem(Severity.VIOLATION, {"en": "x"}, "v", row=3),
        warning(9, "no such stream"),
    ]
    notes = stream_notes(problems, {"urn:s/one": 2, "urn:s/two": 3})
    quads = note_quads(notes)
    subjects = sorted({q.subject.value for q in quads})
    assert subjects == ["urn:s/one#note-1", "urn:s/one#note-2", "urn:s/two#note-1"]
    rules = {q.subject.value: q.object.value for q in quads if q.predicate.value == str(SS.rule)}
    assert rules == {"urn:s/one#note-1": "a", "urn:s/one#note-2": "b", "urn:s/two#note-1": "c"}
    assert Quad(NamedNode("urn:s/one#note-2"), NamedNode(SS.column), Literal("ewc")) in quads


def test_a_demand_is_scored_without_a_composition_basis(tmp_path: Path) -> None:
    demand = {
        "identifier": "needs-slag",
        "kind": "demand",
        "name": "Slag for cement",
        "material": "blast furnace slag",
        "quantity": "50000",
        "unit": "t/a",
        "reference_year": "2025",
        "composition": "CaO>=30 %",
        "latitude": "59.1",
        "longitude": "9.6",
        "nace": "23.51",
        "source": "Cement AS",
    }
    found = quality(loaded(tmp_path, demand), "needs-slag")
    assert found["basis"] is None
    assert found["completeness"] == 1 and found["score"] == 1


QUALITY = """PREFIX ss: <https://w3id.org/sidestream/ontology/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?identifier ?score ?issue WHERE {
  ?stream dcterms:identifier ?identifier ; ss:hasQualityAssessment ?q .
  ?q ss:qualityScore ?score .
  OPTIONAL { ?note ss:noteOf ?stream ; ss:rule ?issue }
}"""


def test_a_confidential_streams_quality_and_notes_are_as_hidden_as_the_stream(
    backend: Backend, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "levels.csv",
        [
            row(identifier="open", hazardous="yes"),
            row(identifier="secret", hazardous="yes", confidentiality="confidential"),
        ],
    )
    with backend.opened() as store:
        load_files([source], store, backend.settings, publisher="Acme Iron AS", now=NOW)

        def seen(caller: Caller) -> set[str]:
            return {r["identifier"].value for r in store.select(QUALITY, view_for(store, caller))}

        assert seen(ANONYMOUS) == {"open"}
        assert seen(Caller(Role.READER, "Someone Else AS")) == {"open"}
        assert seen(Caller(Role.PUBLISHER, "Acme Iron AS")) == {"open", "secret"}
        assert quality(store, "secret", ANONYMOUS) is None
        assert quality(store, "secret", ADMINISTRATOR)["plausibility"] == 0.9
        anonymous = lookup.StreamFilters(min_quality=0.5)
        listed = lookup.list_streams(
            store, view_for(store, ANONYMOUS), anonymous, page=1, per_page=10
        )
        assert [item["identifier"] for item in listed.items] == ["open"]


def test_min_quality_filters_the_list_and_its_count(tmp_path: Path) -> None:
    sparse = {**SPARSE, "material": "slag"}
    store = loaded(tmp_path, row(), sparse)
    view = view_for(store, ADMINISTRATOR)

    def listed(minimum: float | None) -> tuple[int, list[tuple[str, float]]]:
        page = lookup.list_streams(
            store, view, lookup.StreamFilters(min_quality=minimum), page=1, per_page=10
        )
        return page.total, [(item["identifier"], item["quality"]) for item in page.items]

    low = quality(store, "sparse")["score"]
    assert listed(None) == (2, [("bf-slag", 1), ("sparse", low)])
    assert listed(0.6) == (1, [("bf-slag", 1)])
    assert listed(1) == (1, [("bf-slag", 1)])
    assert listed(low) == (2, [("bf-slag", 1), ("sparse", low)])
    from catalogue.errors import InputError

    with pytest.raises(InputError, match="min_quality is a score from 0 to 1"):
        lookup.filter_bindings(lookup.StreamFilters(min_quality=1.5))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_chunked_load_gives_the_quality_quads_of_the_whole_file(
    tmp_path: Path, workers: int
) -> None:
    """Notes come from each row's warnings, which a chunked load validates in one process
    and writes, mapped again, in another: the same notes and assessments all the same."""
    rows = [
        row(
            identifier=f"slag-{n:02}",
            hazardous="yes" if n % 3 == 0 else "",
            composition="CaO=10 %" if n % 4 == 0 else COMPLETE["composition"],
            reference_year=str(2010 + n % 15),
            country="" if n % 5 == 0 else "NO",
            confidentiality=("public", "restricted", "confidential")[n % 3],
        )
        for n in range(25)
    ]
    source = write(tmp_path / "streams.csv", rows)

    def quality_quads(settings: Settings) -> set[Quad]:
        store = OxigraphStore()
        load_files([source], store, settings, publisher="Acme Iron AS", year=YEAR, now=NOW)
        return {
            q for q in store.quads() if "#quality" in q.subject.value or "#note-" in q.subject.value
        }

    whole = quality_quads(Settings())
    chunked = Settings().model_copy(update={"load_chunk_streams": 10, "load_workers": workers})
    assert quality_quads(chunked) == whole
    assert len({q.subject for q in whole if "#note-" in q.subject.value}) >= 9
    assert {q.graph_name.value.rsplit("/", 2)[-2:][0] for q in whole} >= {
        "restricted",
        "confidential",
    }


RDF_SUPPLY = """@prefix ss: <https://w3id.org/sidestream/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix low: <https://w3id.org/sidestream/vocab/low/> .
@prefix stream: <https://w3id.org/sidestream/data/stream/> .
@prefix org: <https://w3id.org/sidestream/data/organisation/> .

stream:rdf-slag a ss:Supply ;
    dcterms:identifier "rdf-slag" ;
    rdfs:label "Slag sent as RDF"@en ;
    ss:hasResource <https://w3id.org/sidestream/data/stream/rdf-slag#resource> ;
    ss:heldBy org:acme-iron-as ;
    ss:wasteCode low:100202 ;
    ss:hazardous true .
<https://w3id.org/sidestream/data/stream/rdf-slag#resource> a ss:BlastFurnaceSlag .
org:acme-iron-as a ss:Organisation ; rdfs:label "Acme Iron AS" .
"""


def test_rdf_input_warnings_become_notes_by_their_focus_node(tmp_path: Path) -> None:
    source = tmp_path / "streams.ttl"
    source.write_text(RDF_SUPPLY, encoding="utf-8")
    store = OxigraphStore()
    load_files([source], store, Settings(), publisher="Acme Iron AS", year=YEAR, now=NOW)
    found = quality(store, "rdf-slag")
    warned = [text for text in found["issues"]["en"] if text.startswith("Warning when loaded")]
    assert len(warned) == 1 and "The hazardous column says yes" in warned[0]
    assert found["plausibility"] == 0.9


def test_an_earlier_versions_quality_and_notes_stay_with_it_in_history(tmp_path: Path) -> None:
    store = OxigraphStore()
    first = write(tmp_path / "first.csv", [row(reference_year="2020", hazardous="yes")])
    second = write(tmp_path / "second.csv", [row(reference_year="2025")])
    load_files([first], store, Settings(), publisher="Acme Iron AS", year=2024, now=NOW)
    load_files([second], store, Settings(), publisher="Acme Iron AS", year=2025, now=NOW)

    def seen(**when: int) -> Any:
        view = view_for(store, ADMINISTRATOR, **when)
        found = lookup.stream_description(store, view, "bf-slag")
        assert found is not None
        return lookup.stream_summary(*found)["quality"]

    latest, earlier = seen(), seen(year=2024)
    assert (latest["age_years"], latest["plausibility"], latest["score"]) == (0, 1, 1)
    assert (earlier["age_years"], earlier["plausibility"]) == (4, 0.9)
    assert any(text.startswith("Warning when loaded") for text in earlier["issues"]["en"])


def test_the_quality_command_lists_scores_and_explains_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from catalogue.cli import main

    source = write(tmp_path / "streams.csv", [row(), SPARSE])
    store = ["--store", str(tmp_path / "store")]
    assert main(["load", *store, str(source)]) == 0
    capsys.readouterr()
    assert main(["quality", *store, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [item["identifier"] for item in listed] == ["sparse", "bf-slag"]  # lowest first
    assert listed[1]["quality"] == 1 and listed[0]["quality"] < 0.5
    assert main(["quality", *store, "--min", "0.5"]) == 0
    assert capsys.readouterr().out.split() == ["1.00", "bf-slag", "Blast", "furnace", "slag"]
    assert main(["quality", *store, "sparse"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("sparse: quality 0.3")
    assert "  - Recommended fields not filled: quantity, unit" in text
    assert main(["quality", *store, "no-such-stream"]) == 1
    assert "no stream 'no-such-stream'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["quality", *store, "--min", "2"])
    assert usage.value.code == 2


def test_a_store_loaded_before_the_quality_rules_keeps_fast_demand_matching(
    tmp_path: Path,
) -> None:
    """Inference version 3 added the assessments; the candidate keys came with version 2,
    so a submission of version 2 still has them (matching.demand.keys_everywhere)."""
    from catalogue.matching.demand import keys_everywhere

    store = loaded(tmp_path, row())
    version = NamedNode(SS.inferenceVersion)
    (stamp,) = [q for q in store.raw if q.predicate == version]
    assert stamp.object.value == "3" and keys_everywhere(store)

    def stamped(number: str) -> None:
        for quad in [q for q in store.raw if q.predicate == version]:
            store.raw.remove(quad)
        literal = Literal(number, datatype=stamp.object.datatype)
        store.raw.add(Quad(stamp.subject, version, literal, stamp.graph_name))

    stamped("2")
    assert keys_everywhere(store)
    stamped("1")
    assert not keys_everywhere(store)
