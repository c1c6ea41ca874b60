"""The generated List of Waste, NACE, code-list and unit vocabularies (ontology/vocab/)."""

from __future__ import annotations

import os
import re
from collections import Counter
from functools import cache

import pytest
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from catalogue.namespaces import (
    BASIS,
    BOUND,
    CONFIDENTIALITY,
    LOW,
    NACE,
    QUDT,
    SS,
    STATE,
    STATUS,
    TREATMENT,
)
from catalogue.resources import ontology_dir
from catalogue.vocab import generator
from catalogue.vocab.low import source_path

# The template values of /work/shared/spec/interfaces.md, section 1.
TEMPLATE_UNITS = (
    "t/a",
    "kt/a",
    "Mt/a",
    "t",
    "kt",
    "Mt",
    "m3/a",
    "MWh/a",
    "GWh/a",
    "TWh/a",
    "TJ/a",
    "GJ/a",
    "Nm3/a",
    "units/a",
)
COMPOSITION_UNITS = ("%", "ppm", "mg/kg", "g/t")
CODE_LISTS = {
    STATE: ("solid", "liquid", "gas", "sludge", "heat", "electricity"),
    STATUS: ("waste", "by-product", "end-of-waste", "product"),
    TREATMENT: (
        "landfill",
        "energy-recovery",
        "material-recovery",
        "export",
        "discharge",
        "internal-reuse",
        "none",
    ),
    CONFIDENTIALITY: ("public", "restricted", "confidential"),
    BASIS: ("flow", "stock"),
    BOUND: ("exact", "range", "at-least", "at-most"),
}


@cache
def vocab(name: str) -> Graph:
    return Graph().parse(ontology_dir() / "vocab" / f"{name}.ttl", format="turtle")


def concepts_with_notation(graph: Graph, pattern: str) -> set[URIRef]:
    return {
        s
        for s, o in graph.subject_objects(SKOS.notation)
        if isinstance(s, URIRef) and re.fullmatch(pattern, str(o))
    }


# --------------------------------------------------------------------- List of Waste


def test_low_counts() -> None:
    low = vocab("low")
    assert len(concepts_with_notation(low, r"\d\d")) == 20
    assert len(concepts_with_notation(low, r"\d\d \d\d")) == 111
    codes = concepts_with_notation(low, r"\d\d \d\d \d\d\*?")
    assert len(codes) == 842
    hazardous = set(low.subjects(SS.absoluteHazardous, Literal(True)))
    assert len(hazardous) == 408
    assert hazardous == concepts_with_notation(low, r"\d\d \d\d \d\d\*")
    assert len(set(low.subjects(RDF.type, SS.WasteCode))) == 20 + 111 + 842


@pytest.mark.parametrize(
    ("code", "notation", "hazardous", "label"),
    [
        ("100104", "10 01 04*", True, "oil fly ash and boiler dust"),
        ("160802", "16 08 02*", True, None),
        ("100202", "10 02 02", False, "unprocessed slag"),
        ("190809", "19 08 09", False, None),  # hazardous in ewc-onto, not in the EU List
        ("190810", "19 08 10*", True, None),
    ],
)
def test_low_samples(code: str, notation: str, hazardous: bool, label: str | None) -> None:
    low = vocab("low")
    concept = LOW[code]
    assert low.value(concept, SKOS.notation) == Literal(notation)
    assert low.value(concept, SS.absoluteHazardous).toPython() is hazardous
    assert Literal(code) in set(low.objects(concept, SKOS.altLabel))
    assert (concept, SKOS.inScheme, LOW.scheme) in low
    assert (
        concept,
        SKOS.exactMatch,
        URIRef(f"https://w3id.org/ewc-onto/W{code[:2]}_{code[2:4]}_{code[4:]}"),
    ) in low
    if label:
        assert low.value(concept, SKOS.prefLabel) == Literal(label, lang="en")
        assert low.value(concept, RDFS.label) == Literal(label, lang="en")


def test_low_hierarchy() -> None:
    low = vocab("low")
    chapters = concepts_with_notation(low, r"\d\d")
    subchapters = concepts_with_notation(low, r"\d\d \d\d")
    assert chapters == set(low.subjects(SKOS.topConceptOf, LOW.scheme))
    for sub in subchapters:
        assert set(low.objects(sub, SKOS.broader)) <= chapters
        assert len(set(low.objects(sub, SKOS.broader))) == 1
    for code in concepts_with_notation(low, r"\d\d \d\d \d\d\*?"):
        parents = set(low.objects(code, SKOS.broader))
        assert len(parents) == 1 and parents <= subchapters, code
        assert str(next(iter(parents))) == str(code)[:-2]
        assert low.value(code, SKOS.prefLabel).language == "en"


def test_low_leaves_out_german_avv_entries() -> None:
    low = vocab("low")
    matches = {str(o) for o in low.objects(None, SKOS.exactMatch)}
    assert not [m for m in matches if re.search(r"W\d\d_\d\d_\d\d_\d\d$", m)]
    assert len(matches) == 20 + 111 + 842


def test_low_attribution() -> None:
    low = vocab("low")
    scheme = LOW.scheme
    assert (scheme, RDF.type, SKOS.ConceptScheme) in low
    assert URIRef("https://doi.org/10.5281/zenodo.15348556") in set(
        low.objects(scheme, URIRef("http://purl.org/dc/terms/source"))
    )
    assert low.value(scheme, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    citation = low.value(scheme, URIRef("http://purl.org/dc/terms/bibliographicCitation"))
    assert "10.5281/zenodo.15348556" in str(citation) and "Schmidt" in str(citation)


# ---------------------------------------------------------------------------- NACE


def test_nace_counts() -> None:
    # NACE Rev. 2, not Rev. 2.1 (22 / 87 / 287 / 651): see catalogue/vocab/nace.py.
    nace = vocab("nace")
    assert len(concepts_with_notation(nace, r"[A-Z]")) == 21
    assert len(concepts_with_notation(nace, r"\d\d")) == 88
    assert len(concepts_with_notation(nace, r"\d\d\.\d")) == 272
    assert len(concepts_with_notation(nace, r"\d\d\.\d\d")) == 615
    assert len(set(nace.subjects(RDF.type, SS.EconomicActivity))) == 21 + 88 + 272 + 615


def test_nace_is_revision_2() -> None:
    nace = vocab("nace")
    # 38.32 changed meaning in Rev. 2.1 (landfilling); in Rev. 2 it is material recovery.
    assert "recovery of sorted materials" in str(nace.value(NACE["38.32"], SKOS.prefLabel))
    assert nace.value(NACE["V"], SKOS.prefLabel) is None


def test_nace_chain() -> None:
    nace = vocab("nace")
    assert nace.value(NACE["24.10"], SKOS.broader) == NACE["24.1"]
    assert nace.value(NACE["24.1"], SKOS.broader) == NACE["24"]
    assert nace.value(NACE["24"], SKOS.broader) == NACE["C"]
    assert (NACE["C"], SKOS.topConceptOf, NACE.scheme) in nace
    assert nace.value(NACE["24.10"], SKOS.notation) == Literal("24.10")
    assert nace.value(NACE["24.10"], SKOS.prefLabel) == Literal(
        "manufacture of basic iron and steel and of ferro-alloys", lang="en"
    )
    for concept in nace.subjects(RDF.type, SS.EconomicActivity):
        if (concept, SKOS.topConceptOf, NACE.scheme) not in nace:
            assert nace.value(concept, SKOS.broader) is not None, concept


# ---------------------------------------------------------------------- code lists


@pytest.mark.parametrize("namespace", list(CODE_LISTS))
def test_code_list_values(namespace) -> None:
    lists = vocab("codelists")
    scheme = namespace.scheme
    assert (scheme, RDF.type, SKOS.ConceptScheme) in lists
    members = set(lists.subjects(SKOS.inScheme, scheme))
    assert members == {namespace[value] for value in CODE_LISTS[namespace]}
    for value in CODE_LISTS[namespace]:
        concept = namespace[value]
        assert lists.value(concept, SKOS.notation) == Literal(value)
        languages = Counter(label.language for label in lists.objects(concept, RDFS.label))
        assert languages == {"en": 1, "nb": 1}, concept
        assert (concept, RDF.type, SKOS.Concept) in lists
        assert lists.value(concept, SKOS.definition).language == "en"


def test_code_list_types() -> None:
    lists = vocab("codelists")
    assert (STATE.solid, RDF.type, SS.PhysicalState) in lists
    assert (STATUS["by-product"], RDF.type, SS.StreamStatus) in lists
    assert (TREATMENT.landfill, RDF.type, SS.Treatment) in lists
    assert (CONFIDENTIALITY.public, RDF.type, SS.ConfidentialityLevel) in lists
    assert (BASIS.flow, RDF.type, SS.QuantityBasis) in lists
    assert (BOUND["at-most"], RDF.type, SS.BoundDirection) in lists


# ----------------------------------------------------------------------------- units


def unit_for(units: Graph, symbol: str) -> URIRef:
    matches = set(units.subjects(SKOS.notation, Literal(symbol)))
    assert len(matches) == 1, (symbol, matches)
    return next(iter(matches))


@pytest.mark.parametrize("symbol", TEMPLATE_UNITS + COMPOSITION_UNITS)
def test_unit_symbols_resolve(symbol: str) -> None:
    units = vocab("units")
    unit = unit_for(units, symbol)
    assert (unit, RDF.type, QUDT.Unit) in units
    assert units.value(unit, SS.baseUnit) is not None
    assert units.value(unit, SS.factorToBase) is not None
    assert {label.language for label in units.objects(unit, RDFS.label)} == {"en", "nb"}
    assert units.value(unit, QUDT.hasQuantityKind) is not None


@pytest.mark.parametrize(
    ("symbol", "base", "factor"),
    [
        ("kt/a", "t/a", 1000),
        ("Mt/a", "t/a", 1_000_000),
        ("Mt", "t", 1_000_000),
        ("GWh/a", "MWh/a", 1000),
        ("TWh/a", "MWh/a", 1_000_000),
        ("GJ/a", "MWh/a", 1 / 3.6),
        ("TJ/a", "MWh/a", 1000 / 3.6),
        ("%", "kg/kg", 0.01),
        ("ppm", "kg/kg", 1e-6),
        ("g/t", "kg/kg", 1e-6),
        ("mg/kg", "kg/kg", 1e-6),
    ],
)
def test_unit_conversion(symbol: str, base: str, factor: float) -> None:
    units = vocab("units")
    unit = unit_for(units, symbol)
    assert units.value(unit, SS.baseUnit) == unit_for(units, base)
    assert float(units.value(unit, SS.factorToBase)) == pytest.approx(factor, rel=1e-12)


def test_unit_compatible_states() -> None:
    units = vocab("units")
    states = {
        symbol: set(units.objects(unit_for(units, symbol), SS.compatibleState))
        for symbol in TEMPLATE_UNITS
    }
    assert STATE.solid not in states["GWh/a"]  # no GWh/a on a slag
    assert states["GWh/a"] == {STATE.heat, STATE.electricity}
    assert states["t/a"] == {STATE.solid, STATE.liquid, STATE.sludge, STATE.gas}
    assert states["Nm3/a"] == {STATE.gas}
    assert states["units/a"] == {STATE.solid}
    assert all(states.values())


def test_minted_units_say_why() -> None:
    units = vocab("units")
    minted = {
        s
        for s in units.subjects(RDF.type, QUDT.Unit)
        if str(s).startswith("https://w3id.org/sidestream/vocab/unit/")
    }
    assert {str(units.value(m, SKOS.notation)) for m in minted} == {
        "MWh/a",
        "GWh/a",
        "TJ/a",
        "GJ/a",
        "Nm3/a",
        "g/t",
    }
    for unit in minted:
        assert units.value(unit, QUDT.conversionMultiplier) is not None
        assert "QUDT" in str(units.value(unit, RDFS.comment))


# ---------------------------------------------------------------- SKOS and drift


@pytest.mark.parametrize("name", ["low", "nace", "codelists"])
def test_skos_label_integrity(name: str) -> None:
    graph = vocab(name)
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        preferred = list(graph.objects(concept, SKOS.prefLabel))
        assert len({label.language for label in preferred}) == len(preferred), concept
        assert not set(preferred) & set(graph.objects(concept, SKOS.altLabel)), concept


@pytest.mark.parametrize("name", ["low", "nace", "codelists", "units"])
def test_generated_file_is_current(name: str) -> None:
    if name == "low" and not source_path().is_file():
        # CI always has shared/ beside the clone; only a bare checkout may lack it.
        if os.environ.get("CI"):
            pytest.fail(f"ewc-onto source absent at {source_path()}")
        pytest.skip(f"ewc-onto source absent at {source_path()}")
    assert isomorphic(generator(name).build(), vocab(name)), (
        f"ontology/vocab/{name}.ttl is stale: run python -m catalogue.vocab {name}"
    )
