"""The generated element and raw-material vocabularies: content and drift."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from rdflib import DCTERMS, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from catalogue.namespaces import CHEBI, CRM, ELEM, SS, WD
from catalogue.resources import ontology_dir
from catalogue.vocab import crm, elements


def _load(name: str) -> Graph:
    return Graph().parse(ontology_dir() / "vocab" / f"{name}.ttl", format="turtle")


@pytest.fixture(scope="module")
def elements_graph() -> Graph:
    return _load("elements")


@pytest.fixture(scope="module")
def crm_graph() -> Graph:
    return _load("crm")


def _entries(graph: Graph, scheme: str) -> set[URIRef]:
    return {
        subject
        for subject in graph.subjects(SKOS.inScheme, CRM[scheme])
        if (subject, RDF.type, SS.ListedRawMaterial) in graph
    }


def _members(graph: Graph, group: str) -> set[URIRef]:
    return set(graph.subjects(SS.memberOfGroup, ELEM[group]))


# ---------------------------------------------------------------- elements


def test_118_elements_with_unique_symbols_and_atomic_numbers_1_to_118(elements_graph):
    found = set(elements_graph.subjects(RDF.type, SS.Element))
    assert len(found) == 118
    symbols = [elements_graph.value(element, SS.symbol) for element in found]
    numbers = [elements_graph.value(element, SS.atomicNumber).toPython() for element in found]
    assert len(set(symbols)) == 118
    assert sorted(numbers) == list(range(1, 119))
    for element in found:
        assert element == ELEM[str(elements_graph.value(element, SS.symbol))]
        assert (element, RDF.type, SKOS.Concept) in elements_graph
        assert (element, SKOS.inScheme, ELEM.scheme) in elements_graph


@pytest.mark.parametrize(
    ("symbol", "number", "weight"),
    [("Fe", 26, "55.845"), ("O", 8, "15.999"), ("Nd", 60, "144.242"), ("U", 92, "238.02891")],
)
def test_sample_atomic_numbers_and_weights(elements_graph, symbol, number, weight):
    element = ELEM[symbol]
    assert elements_graph.value(element, SS.atomicNumber).toPython() == number
    value = elements_graph.value(element, SS.standardAtomicWeight).toPython()
    assert isinstance(value, Decimal)
    assert abs(value - Decimal(weight)) < Decimal("0.01")


def test_elements_without_standard_weight_say_so(elements_graph):
    commented = {
        elements_graph.value(subject, SS.atomicNumber).toPython()
        for subject, comment in elements_graph.subject_objects(RDFS.comment)
        if "most stable isotope" in str(comment)
    }
    assert commented == set(elements.NO_STANDARD_WEIGHT)
    assert elements_graph.value(ELEM.Tc, SS.standardAtomicWeight).toPython() == Decimal(98)


@pytest.mark.parametrize(
    ("symbol", "en", "nb"),
    [("Fe", "iron", "jern"), ("Cu", "copper", "kobber"), ("Zn", "zinc", "sink"),
     ("Al", "aluminium", "aluminium"), ("Cs", "caesium", "cesium"), ("S", "sulfur", "svovel"),
     ("W", "tungsten", "wolfram"), ("Hg", "mercury", "kvikksølv"), ("Nd", "neodymium", "neodym"),
     ("Pr", "praseodymium", "praseodym"), ("C", "carbon", "karbon"), ("P", "phosphorus", "fosfor")],
)  # fmt: skip
def test_labels_in_english_and_bokmaal(elements_graph, symbol, en, nb):
    element = ELEM[symbol]
    for predicate in (SKOS.prefLabel, RDFS.label):
        labels = set(elements_graph.objects(element, predicate))
        assert Literal(en, lang="en") in labels
        assert Literal(nb, lang="nb") in labels


def test_every_element_has_both_labels_a_definition_and_a_notation(elements_graph):
    for element in elements_graph.subjects(RDF.type, SS.Element):
        langs = {label.language for label in elements_graph.objects(element, SKOS.prefLabel)}
        assert langs == {"en", "nb"}
        assert len(list(elements_graph.objects(element, SKOS.definition))) == 1
        symbol = elements_graph.value(element, SS.symbol)
        assert elements_graph.value(element, SKOS.notation) == symbol


def test_alternative_spellings(elements_graph):
    assert Literal("sulphur", lang="en") in set(elements_graph.objects(ELEM.S, SKOS.altLabel))
    assert Literal("aluminum", lang="en") in set(elements_graph.objects(ELEM.Al, SKOS.altLabel))
    assert Literal("cesium", lang="en") in set(elements_graph.objects(ELEM.Cs, SKOS.altLabel))
    assert Literal("Fe") in set(elements_graph.objects(ELEM.Fe, SKOS.altLabel))


@pytest.mark.parametrize(
    ("symbol", "qid", "chebi"),
    [("Fe", "Q677", "18248"), ("Co", "Q740", "27638"), ("Ni", "Q744", "28112"),
     ("Cu", "Q753", "28694"), ("Li", "Q568", "30145"), ("Ga", "Q861", "49631"),
     ("Nd", "Q1388", "33372"), ("Dy", "Q1843", "33377"), ("Pt", "Q880", "33364"),
     ("H", "Q556", "49637")],
)  # fmt: skip
def test_exact_matches_to_wikidata_and_chebi(elements_graph, symbol, qid, chebi):
    matches = set(elements_graph.objects(ELEM[symbol], SKOS.exactMatch))
    assert matches == {WD[qid], CHEBI[chebi]}


def test_identifiers_are_unique(elements_graph):
    matches = list(elements_graph.objects(None, SKOS.exactMatch))
    assert len(matches) == len(set(matches)) == 2 * 118


def test_groups(elements_graph):
    for group in ("REE", "LREE", "HREE", "PGM"):
        assert (ELEM[group], RDF.type, SS.ElementGroup) in elements_graph
    hree, lree, pgm = (_members(elements_graph, g) for g in ("HREE", "LREE", "PGM"))
    assert {ELEM.Dy, ELEM.Tb, ELEM.Y} <= hree
    assert {ELEM.Nd, ELEM.Pr} <= lree
    assert {ELEM.Pt, ELEM.Pd, ELEM.Rh} <= pgm
    assert ELEM.Sc not in hree | lree
    assert ELEM.Sc in _members(elements_graph, "REE")
    assert ELEM.Os not in pgm  # the EU definition
    assert len(hree) == 10 and len(lree) == 5 and len(pgm) == 5
    assert len(_members(elements_graph, "REE")) == 17
    assert not hree & lree
    assert hree | lree <= _members(elements_graph, "REE")


# ---------------------------------------------------------------- raw-material lists


@pytest.mark.parametrize(("scheme", "size"), [("crm-2023", 34), ("srm-2023", 17), ("crm-2020", 30)])
def test_list_sizes(crm_graph, scheme, size):
    assert (CRM[scheme], RDF.type, SKOS.ConceptScheme) in crm_graph
    assert len(_entries(crm_graph, scheme)) == size


def test_indium_only_on_the_2020_list(crm_graph):
    holders = set(crm_graph.subjects(SS.hasConstituentElement, ELEM.In))
    assert holders & _entries(crm_graph, "crm-2020")
    assert not holders & _entries(crm_graph, "crm-2023")


def test_strategic_flags(crm_graph):
    assert crm_graph.value(CRM["crm-2023-cobalt"], SS.isStrategic) == Literal(True)
    assert crm_graph.value(CRM["crm-2023-baryte"], SS.isStrategic) == Literal(False)
    flagged = set(crm_graph.subjects(SS.isStrategic, None))
    assert flagged == _entries(crm_graph, "crm-2023")
    strategic = set(crm_graph.subjects(SS.isStrategic, Literal(True)))
    # every Annex I entry has a strategic Annex II counterpart
    for entry in _entries(crm_graph, "srm-2023"):
        counterparts = set(crm_graph.objects(entry, SKOS.closeMatch))
        counterparts |= set(crm_graph.objects(entry, SKOS.relatedMatch))
        assert counterparts & strategic, entry


def test_group_entries_cover_groups_and_their_elements(crm_graph, elements_graph):
    entry = CRM["crm-2023-heavy-rare-earth-elements"]
    assert crm_graph.value(entry, SS.coversGroup) == ELEM.HREE
    assert set(crm_graph.objects(entry, SS.hasConstituentElement)) == _members(
        elements_graph, "HREE"
    )
    assert crm_graph.value(CRM["crm-2020-platinum-group-metals"], SS.coversGroup) == ELEM.PGM


@pytest.mark.parametrize(
    ("entry", "symbols"),
    [("crm-2023-baryte", {"Ba"}), ("crm-2023-fluorspar", {"F", "Ca"}),
     ("crm-2023-phosphate-rock", {"P"}), ("crm-2023-coking-coal", {"C"}),
     ("crm-2023-graphite", {"C"}), ("crm-2023-helium", {"He"}), ("crm-2020-natural-rubber", set()),
     ("srm-2023-lithium-battery-grade", {"Li"})],
)  # fmt: skip
def test_mineral_entries_link_to_elements(crm_graph, entry, symbols):
    found = set(crm_graph.objects(CRM[entry], SS.hasConstituentElement))
    assert found == {ELEM[symbol] for symbol in symbols}


def test_same_commodity_is_close_matched_across_lists(crm_graph):
    matches = set(crm_graph.objects(CRM["crm-2023-cobalt"], SKOS.closeMatch))
    assert matches == {CRM["crm-2020-cobalt"], CRM["srm-2023-cobalt"]}
    assert (CRM["crm-2020-cobalt"], SKOS.closeMatch, CRM["crm-2023-cobalt"]) in crm_graph
    graphite = set(crm_graph.objects(CRM["crm-2023-graphite"], SKOS.closeMatch))
    assert graphite == {CRM["crm-2020-natural-graphite"], CRM["srm-2023-graphite-battery-grade"]}


def test_constituents_are_known_elements(crm_graph, elements_graph):
    known = set(elements_graph.subjects(RDF.type, SS.Element))
    assert set(crm_graph.objects(None, SS.hasConstituentElement)) <= known


def test_every_entry_and_scheme_is_labelled_and_sourced(crm_graph):
    for scheme in ("crm-2023", "srm-2023", "crm-2020"):
        assert crm_graph.value(CRM[scheme], SKOS.definition) is not None
        langs = {label.language for label in crm_graph.objects(CRM[scheme], SKOS.prefLabel)}
        assert langs == {"en", "nb"}
        sources = set(crm_graph.objects(CRM[scheme], DCTERMS.source))
        assert any(isinstance(s, URIRef) for s in sources)
        assert any(isinstance(s, Literal) for s in sources)
        assert crm_graph.value(CRM[scheme], DCTERMS.issued).datatype == XSD.date
        for entry in _entries(crm_graph, scheme):
            langs = {label.language for label in crm_graph.objects(entry, SKOS.prefLabel)}
            assert langs == {"en", "nb"}, entry
            assert len(list(crm_graph.objects(entry, SKOS.definition))) == 1


def test_bokmaal_labels(crm_graph):
    expected = {
        "crm-2023-cobalt": "kobolt",
        "crm-2023-lithium": "litium",
        "crm-2023-graphite": "grafitt",
        "crm-2023-phosphate-rock": "fosfatbergart",
        "crm-2023-heavy-rare-earth-elements": "tunge sjeldne jordartsmetaller",
        "crm-2023-platinum-group-metals": "platinagruppemetaller",
    }
    for entry, label in expected.items():
        assert Literal(label, lang="nb") in set(crm_graph.objects(CRM[entry], SKOS.prefLabel))


# ---------------------------------------------------------------- drift


@pytest.mark.parametrize(("name", "build"), [("elements", elements.build), ("crm", crm.build)])
def test_committed_file_matches_generator(name: str, build: Callable[[], Graph]):
    assert isomorphic(build(), _load(name)), (
        f"ontology/vocab/{name}.ttl is stale; run `python -m catalogue.vocab {name}`"
    )
