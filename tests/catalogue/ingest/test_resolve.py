"""Resolving what stewards type (materials, processes, codes, units) to ontology terms."""

from __future__ import annotations

import time
from decimal import Decimal

import pyoxigraph
import pytest
from pyoxigraph import NamedNode

from catalogue.errors import InputError
from catalogue.ingest.resolve import Vocabulary, normalise
from catalogue.ontology import load_store

SS = "https://w3id.org/sidestream/ontology/"
ELEM = "https://w3id.org/sidestream/vocab/element/"
CRM = "https://w3id.org/sidestream/vocab/crm/"
NACE = "https://w3id.org/sidestream/vocab/nace/"
LOW = "https://w3id.org/sidestream/vocab/low/"
VOCAB = "https://w3id.org/sidestream/vocab/"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.load()


def assert_bilingual(error: InputError, *fragments: str) -> None:
    """The error speaks English and Norwegian and names each fragment in both."""
    assert set(error.message) == {"en", "nb"}
    assert error.message["en"] != error.message["nb"]
    for fragment in fragments:
        assert fragment in error.message["en"]
        assert fragment in error.message["nb"]


# ---------------------------------------------------------------- normalising


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fly ash", "fly ash"),
        ("  FLY-ASH ", "fly ash"),
        ("Fly__Ash", "fly ash"),
        ("Øseslagg", "oseslagg"),
        ("Ålesund", "alesund"),
        ("Kjærlighet", "kjaerlighet"),
        ("Straße", "strasse"),
        ("café \u2013 crème", "cafe creme"),
    ],
)
def test_normalise_ignores_case_accents_and_separators(text, expected):
    assert normalise(text) == expected


# ---------------------------------------------------------------- materials


@pytest.mark.parametrize(
    ("text", "local_name"),
    [
        ("fly ash", "FlyAsh"),
        ("flyveaske", "FlyAsh"),
        ("FlyAsh", "FlyAsh"),
        ("FLY-ASH", "FlyAsh"),
        ("flyash", "FlyAsh"),
        ("SiMn slag", "SiMnSlag"),
        ("SiMnSlag", "SiMnSlag"),
        ("SPL", "SpentPotLining"),
        ("Øseslagg", "LadleSlag"),
        ("oseslagg", "LadleSlag"),
    ],
)
def test_supply_material_resolves_label_alt_label_and_local_name_to_class(
    vocabulary, text, local_name
):
    resolved = vocabulary.material(text, demand=False)
    assert resolved.iri == NamedNode(SS + local_name)
    assert resolved.kind == "class"


def test_resolved_material_carries_preferred_english_label(vocabulary):
    assert vocabulary.material("flyveaske", demand=False).label == "fly ash"
    assert vocabulary.material("Øseslagg", demand=False).label == "ladle slag"


@pytest.mark.parametrize(
    ("text", "iri", "kind"),
    [
        ("vanadium", ELEM + "V", "element"),
        ("V", ELEM + "V", "element"),
        ("Vanadium", ELEM + "V", "element"),
        ("HREE", CRM + "crm-2023-heavy-rare-earth-elements", "raw-material"),
        ("heavy rare earth elements", CRM + "crm-2023-heavy-rare-earth-elements", "raw-material"),
        ("PGM", CRM + "crm-2023-platinum-group-metals", "raw-material"),
        ("neutralising agent", SS + "NeutralisingAgent", "application"),
        ("fly ash", SS + "FlyAsh", "class"),
    ],
)
def test_demand_material_may_name_element_raw_material_or_application(vocabulary, text, iri, kind):
    resolved = vocabulary.material(text, demand=True)
    assert resolved.iri == NamedNode(iri)
    assert resolved.kind == kind


def test_demand_for_element_prefers_element_over_listed_raw_material_of_same_name(vocabulary):
    # "arsenic" is both elem:As and crm:crm-2023-arsenic; the element wins.
    assert vocabulary.material("arsenic", demand=True).iri == NamedNode(ELEM + "As")


def test_element_group_without_list_entry_resolves_to_the_group(vocabulary):
    resolved = vocabulary.material("REE", demand=True)
    assert resolved.iri == NamedNode(ELEM + "REE")
    assert resolved.kind == "element-group"


def test_supply_refuses_an_element_with_bilingual_message(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.material("vanadium", demand=False)
    assert_bilingual(caught.value, "'vanadium'")
    assert "element" in caught.value.message["en"]
    assert "grunnstoff" in caught.value.message["nb"]
    assert caught.value.value == "vanadium"


def test_supply_refuses_an_application(vocabulary):
    with pytest.raises(InputError, match="application"):
        vocabulary.material("neutralising agent", demand=False)


def test_unknown_material_suggests_closest_labels(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.material("flyash2", demand=False)
    error = caught.value
    assert error.message["en"].startswith("unknown material 'flyash2'")
    assert error.message["nb"].startswith("ukjent materiale 'flyash2'")
    assert error.suggestions[0] == "fly ash"
    assert 1 <= len(error.suggestions) <= 3
    assert len(set(error.suggestions)) == len(error.suggestions)


def test_unknown_demand_material_suggests_from_every_kind(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.material("vanadum", demand=True)
    assert "vanadium" in caught.value.suggestions


# ---------------------------------------------------------------- ranking rules

RANKING_TTL = """
PREFIX ss: <https://w3id.org/sidestream/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>

ss:Material rdfs:subClassOf ss:Resource ; rdfs:label "material"@en .
ss:Alpha rdfs:subClassOf ss:Material ;
    rdfs:label "alpha"@en ; skos:altLabel "shared alt"@en , "twin"@en , "CO"@en .
ss:Beta rdfs:subClassOf ss:Material ;
    rdfs:label "shared alt"@en , "beta"@en , "gamma"@nb .
ss:Gamma rdfs:subClassOf ss:Material ; rdfs:label "gamma"@en .
ss:Delta rdfs:subClassOf ss:Material ; rdfs:label "delta"@en ; skos:altLabel "twin"@en .
ss:Retired rdfs:subClassOf ss:Material ; rdfs:label "retired"@en ; owl:deprecated true .
ss:Binder a ss:Application ; rdfs:label "alpha"@en , "binder"@en .
<https://w3id.org/sidestream/vocab/element/Co> a ss:Element ;
    rdfs:label "cobalt"@en ; skos:notation "Co" ; ss:symbol "Co" ;
    ss:standardAtomicWeight 58.933194 .
"""


@pytest.fixture(scope="module")
def ranking_vocabulary() -> Vocabulary:
    store = pyoxigraph.Store()
    store.load(RANKING_TTL.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    return Vocabulary.from_store(store)


def test_label_is_preferred_over_alt_label_of_another_term(ranking_vocabulary):
    assert ranking_vocabulary.material("shared alt", demand=False).iri == NamedNode(SS + "Beta")


def test_english_label_is_preferred_over_other_language(ranking_vocabulary):
    assert ranking_vocabulary.material("gamma", demand=False).iri == NamedNode(SS + "Gamma")


def test_class_is_preferred_over_application_with_same_label(ranking_vocabulary):
    assert ranking_vocabulary.material("alpha", demand=True).iri == NamedNode(SS + "Alpha")


def test_exact_letter_case_decides_between_symbol_and_alt_label(ranking_vocabulary):
    assert ranking_vocabulary.material("CO", demand=True).iri == NamedNode(SS + "Alpha")
    assert ranking_vocabulary.material("Co", demand=True).iri == NamedNode(ELEM + "Co")


def test_tie_between_different_terms_is_refused_with_candidates(ranking_vocabulary):
    with pytest.raises(InputError) as caught:
        ranking_vocabulary.material("twin", demand=False)
    assert_bilingual(caught.value, "'twin'")
    assert "ambiguous" in caught.value.message["en"]
    assert set(caught.value.suggestions) == {"alpha", "delta"}


def test_deprecated_terms_are_not_resolved(ranking_vocabulary):
    with pytest.raises(InputError):
        ranking_vocabulary.material("retired", demand=False)


# ---------------------------------------------------------------- processes


@pytest.mark.parametrize(
    "text", ["silicomanganese smelting", "SilicomanganeseSmelting", "Silicomanganese-Smelting"]
)
def test_process_resolves_label_and_local_name(vocabulary, text):
    resolved = vocabulary.process(text)
    assert resolved.iri == NamedNode(SS + "SilicomanganeseSmelting")
    assert resolved.label == "silicomanganese smelting"


def test_unknown_process_suggests_close_processes(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.process("smeltng")
    assert caught.value.message["nb"].startswith("ukjent prosess")
    assert "smelting" in caught.value.suggestions


def test_process_does_not_resolve_a_material(vocabulary):
    with pytest.raises(InputError):
        vocabulary.process("fly ash")


# ---------------------------------------------------------------- NACE


@pytest.mark.parametrize(
    ("code", "notation"),
    [
        ("24.10", "24.10"),
        ("2410", "24.10"),
        (" 24,10 ", "24.10"),
        ("C 24.10", "24.10"),
        ("24.1", "24.1"),
        ("241", "24.1"),
        ("24", "24"),
        ("C", "C"),
        ("c", "C"),
        ("1.11", "01.11"),
    ],
)
def test_nace_accepts_class_group_division_and_section_forms(vocabulary, code, notation):
    resolved = vocabulary.nace(code)
    assert resolved.iri == NamedNode(NACE + notation)
    assert resolved.notation == notation


def test_nace_class_has_english_label(vocabulary):
    assert vocabulary.nace("24.10").label.startswith("manufacture of basic iron and steel")


def test_unknown_nace_code_is_refused_with_suggestions(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.nace("99.99")
    assert caught.value.message["nb"].startswith("ukjent NACE-kode")
    assert caught.value.suggestions


def test_nace_code_under_wrong_section_letter_is_refused(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.nace("B24.10")
    assert_bilingual(caught.value, "24.10")


# ---------------------------------------------------------------- List of Waste


@pytest.mark.parametrize(
    ("text", "digits", "hazardous", "mismatch"),
    [
        ("10 01 02", "100102", False, False),
        ("100102", "100102", False, False),
        ("10 01 04*", "100104", True, False),
        ("100104*", "100104", True, False),
        ("10-01-04", "100104", True, True),
        ("10 01 02*", "100102", False, True),
    ],
)
def test_waste_code_accepts_spacings_and_flags_asterisk_mismatch(
    vocabulary, text, digits, hazardous, mismatch
):
    resolved = vocabulary.waste_code(text)
    assert resolved.iri == NamedNode(LOW + digits)
    assert resolved.hazardous is hazardous
    assert resolved.asterisk_mismatch is mismatch


def test_waste_code_gives_official_notation(vocabulary):
    assert vocabulary.waste_code("100104").notation == "10 01 04*"
    assert vocabulary.waste_code("100102").notation == "10 01 02"


def test_waste_chapter_is_refused_with_entries_of_that_chapter(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.waste_code("10 01")
    assert_bilingual(caught.value, "'10 01'")
    assert all(code.startswith("10 01 ") for code in caught.value.suggestions)


@pytest.mark.parametrize("text", ["99 99 99", "abc", "10 01 0"])
def test_unknown_waste_code_is_refused(vocabulary, text):
    with pytest.raises(InputError) as caught:
        vocabulary.waste_code(text)
    assert caught.value.message["nb"].startswith("ukjent avfallskode")


# ---------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("symbol", "notation", "base", "factor"),
    [
        ("t/a", "t/a", "t/a", Decimal(1)),
        ("kt/a", "kt/a", "t/a", Decimal(1000)),
        ("Mt", "Mt", "t", Decimal(1000000)),
        ("tpa", "t/a", "t/a", Decimal(1)),
        (" t / a ", "t/a", "t/a", Decimal(1)),
        ("m³/a", "m3/a", "m3/a", Decimal(1)),
        ("GWh/a", "GWh/a", "MWh/a", Decimal(1000)),
        ("%", "%", "kg/kg", Decimal("0.01")),
        ("wt%", "%", "kg/kg", Decimal("0.01")),
        ("mg/kg", "mg/kg", "kg/kg", Decimal("0.000001")),
        ("g/t", "g/t", "kg/kg", Decimal("0.000001")),
    ],
)
def test_unit_resolves_notation_and_alternative_spellings(
    vocabulary, symbol, notation, base, factor
):
    unit = vocabulary.unit(symbol)
    assert unit.notation == notation
    assert unit.base_unit_notation == base
    assert unit.factor_to_base == factor


def test_unit_lists_compatible_states(vocabulary):
    assert vocabulary.unit("t/a").compatible_states == {"solid", "liquid", "sludge", "gas"}
    assert vocabulary.unit("MWh/a").compatible_states == {"heat", "electricity"}
    assert vocabulary.unit("%").compatible_states == frozenset()


def test_unit_energy_factor_is_exact_decimal(vocabulary):
    assert vocabulary.unit("TJ/a").factor_to_base.quantize(Decimal("0.001")) == Decimal("277.778")


def test_unknown_unit_is_refused_with_suggestions(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.unit("kg/kg%")
    assert caught.value.message["en"].startswith("unknown unit 'kg/kg%'")
    assert caught.value.message["nb"].startswith("ukjent enhet 'kg/kg%'")
    assert caught.value.suggestions


# ---------------------------------------------------------------- code lists


@pytest.mark.parametrize(
    ("scheme", "value", "local"),
    [
        ("state", "solid", "state/solid"),
        ("state", "Solid", "state/solid"),
        ("status", "by-product", "status/by-product"),
        ("status", "by product", "status/by-product"),
        ("status", "BY_PRODUCT", "status/by-product"),
        ("treatment", "energy recovery", "treatment/energy-recovery"),
        ("treatment", "landfill", "treatment/landfill"),
        ("confidentiality", "public", "confidentiality/public"),
        ("basis", "stock", "basis/stock"),
        ("bound", "at-most", "bound/at-most"),
        ("bound", "<=", "bound/at-most"),
    ],
)
def test_code_resolves_notation_label_and_spelling_variants(vocabulary, scheme, value, local):
    assert vocabulary.code(scheme, value) == NamedNode(VOCAB + local)


def test_unknown_code_lists_allowed_values(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.code("state", "soild")
    error = caught.value
    assert "solid" in error.suggestions
    assert "electricity, gas, heat, liquid, sludge, solid" in error.message["en"]
    assert error.message["nb"].startswith("ukjent tilstand")


def test_code_from_another_list_is_refused(vocabulary):
    with pytest.raises(InputError):
        vocabulary.code("state", "landfill")


def test_unknown_code_list_is_a_programming_error(vocabulary):
    with pytest.raises(ValueError):
        vocabulary.code("colour", "red")


# ---------------------------------------------------------------- elements


@pytest.mark.parametrize("text", ["V", "vanadium", "Vanadium", " v "])
def test_element_resolves_symbol_and_name(vocabulary, text):
    element = vocabulary.element(text)
    assert element.iri == NamedNode(ELEM + "V")
    assert element.symbol == "V"
    assert element.atomic_weight == Decimal("50.9415")


def test_element_resolves_norwegian_name(vocabulary):
    assert vocabulary.element("jern").symbol == "Fe"


def test_unknown_element_suggests_close_names(vocabulary):
    with pytest.raises(InputError) as caught:
        vocabulary.element("vanadum")
    assert caught.value.suggestions[0] == "vanadium"
    assert caught.value.message["nb"].startswith("ukjent grunnstoff")


def test_atomic_weights_cover_every_element_as_decimals(vocabulary):
    weights = vocabulary.atomic_weights()
    assert len(weights) == 118
    assert weights["Ca"] == Decimal("40.078")
    assert all(isinstance(weight, Decimal) for weight in weights.values())
    with pytest.raises(TypeError):
        weights["Ca"] = Decimal(0)  # type: ignore[index]


# ---------------------------------------------------------------- building


def test_load_is_built_once_per_process():
    assert Vocabulary.load() is Vocabulary.load()


def test_building_from_the_merged_ontology_takes_under_half_a_second():
    store = load_store()
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        Vocabulary.from_store(store)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.5
