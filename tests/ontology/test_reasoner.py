"""HermiT (through owlready2, on Java) finds the merged ontology consistent and satisfiable."""

from __future__ import annotations

import shutil

import pytest

from catalogue.reasoning import check_consistency

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report():
    assert shutil.which("java"), "HermiT needs a Java runtime on PATH (.ci/run installs one)"
    return check_consistency()


def test_owlready2_loads_every_class_and_individual(report, merged_store):
    from catalogue.ontology import statistics

    stats = statistics()
    # owlready2 sees at least the project's classes and the vocabularies' individuals.
    assert report.classes >= stats["classes"]
    assert report.individuals >= stats["elements"] + stats["wasteCodes"]


def test_hermit_finds_the_ontology_consistent(report):
    assert report.consistent


def test_hermit_finds_no_unsatisfiable_class(report):
    assert report.unsatisfiable == []


def test_hermit_detects_an_unsatisfiable_class(tmp_path, monkeypatch):
    """The check is real: a class under two disjoint classes is reported."""
    from catalogue import ontology

    extra = tmp_path / "broken.ttl"
    extra.write_text(
        "@prefix ss: <https://w3id.org/sidestream/ontology/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "ss:HotSlag a owl:Class ; rdfs:subClassOf ss:Material , ss:Energy .\n",
        encoding="utf-8",
    )
    original = ontology.ontology_files
    monkeypatch.setattr(ontology, "ontology_files", lambda: [*original(), extra])
    broken = check_consistency(include_vocabularies=True)
    assert broken.consistent
    assert broken.unsatisfiable == ["https://w3id.org/sidestream/ontology/HotSlag"]


def test_hermit_detects_an_inconsistent_ontology(tmp_path, monkeypatch):
    from catalogue import ontology

    extra = tmp_path / "inconsistent.ttl"
    extra.write_text(
        "@prefix ss: <https://w3id.org/sidestream/ontology/> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://example.org/both> a owl:NamedIndividual , ss:Supply , ss:Demand .\n",
        encoding="utf-8",
    )
    original = ontology.ontology_files
    monkeypatch.setattr(ontology, "ontology_files", lambda: [*original(), extra])
    assert not check_consistency().consistent
