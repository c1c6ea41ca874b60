"""Parsing the composition cell: parts, units, bounds, formulas and element shares."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogue.errors import InputError
from catalogue.ingest.composition import (
    Part,
    derived_parts,
    element_fractions,
    parse_composition,
    parse_formula,
)
from catalogue.ingest.resolve import Vocabulary


@pytest.fixture(scope="module")
def weights():
    return Vocabulary.load().atomic_weights()


@pytest.fixture(scope="module")
def symbols():
    return Vocabulary.load().element_symbols()


def one_part(text: str, kind: str = "supply") -> Part:
    parts = parse_composition(text, kind=kind)
    assert len(parts) == 1
    return parts[0]


def assert_bilingual_part_error(error: InputError, part: str) -> None:
    """The error names the part in English and Norwegian and keeps the text as its value."""
    assert error.message["en"].startswith("composition part 1 ")
    assert error.message["nb"].startswith("sammensetning, del 1 ")
    assert f"'{part}'" in error.message["en"]
    assert f"'{part}'" in error.message["nb"]
    assert error.message["en"] != error.message["nb"]
    assert error.value == part


# ---------------------------------------------------------------- values and bounds

D = Decimal


@pytest.mark.parametrize(
    ("text", "value", "minimum", "maximum", "bound"),
    [
        ("V=1.5 %", D("0.015"), None, None, "exact"),
        ("V=1.5%", D("0.015"), None, None, "exact"),
        ("V = 1,5 %", D("0.015"), None, None, "exact"),
        ("V=100 %", D("1"), None, None, "exact"),
        ("V=0 %", D("0"), None, None, "exact"),
        ("V=250 ppm", D("0.00025"), None, None, "exact"),
        ("V=250 mg/kg", D("0.00025"), None, None, "exact"),
        ("V=3.5 g/t", D("0.0000035"), None, None, "exact"),
        ("V=0.5-1.2 %", None, D("0.005"), D("0.012"), "range"),
        ("V=0.5 - 1.2 %", None, D("0.005"), D("0.012"), "range"),
        ("V=0,5\u20131,2 %", None, D("0.005"), D("0.012"), "range"),
        ("V=<2 mg/kg", None, None, D("0.000002"), "at-most"),
        ("V=<=2 mg/kg", None, None, D("0.000002"), "at-most"),
        ("V=\u22642 mg/kg", None, None, D("0.000002"), "at-most"),
        ("V<2 mg/kg", None, None, D("0.000002"), "at-most"),
        ("V<=2 mg/kg", None, None, D("0.000002"), "at-most"),
        ("V=>5 %", None, D("0.05"), None, "at-least"),
        ("V=>=5 %", None, D("0.05"), None, "at-least"),
        ("V=\u22655 %", None, D("0.05"), None, "at-least"),
        ("V>5 %", None, D("0.05"), None, "at-least"),
        ("V >= 5 %", None, D("0.05"), None, "at-least"),
    ],
)
def test_part_value_becomes_exact_decimal_mass_fraction(text, value, minimum, maximum, bound):
    part = one_part(text)
    assert (part.value, part.minimum, part.maximum, part.bound) == (value, minimum, maximum, bound)
    for fraction in (part.value, part.minimum, part.maximum):
        assert fraction is None or isinstance(fraction, Decimal)


def test_part_keeps_text_subject_and_unit():
    part = one_part(" V2O5 = 1,5 % ")
    assert part.index == 1
    assert part.text == "V2O5 = 1,5 %"
    assert part.subject == "V2O5"
    assert part.formula == "V2O5"
    assert part.element is None
    assert part.unit == "%"
    assert part.derived_from is None


def test_parts_are_numbered_in_order_and_empty_parts_skipped():
    parts = parse_composition("V2O5=1.5 %; CaO=40 %;; Cd<2 mg/kg;", kind="supply")
    assert [(part.index, part.subject) for part in parts] == [(1, "V2O5"), (2, "CaO"), (3, "Cd")]


def test_empty_cell_has_no_parts():
    assert parse_composition("  ", kind="supply") == []


@pytest.mark.parametrize(
    ("subject", "symbol"), [("V", "V"), ("Cd", "Cd"), ("Nd", "Nd"), ("vanadium", "V")]
)
def test_element_symbol_or_name_gives_element_part(subject, symbol):
    part = one_part(f"{subject}=1 %")
    assert part.element == symbol
    assert part.formula is None


@pytest.mark.parametrize("subject", ["CO", "CaO", "Fe2O3", "CaSO4\u00b72H2O"])
def test_anything_else_gives_formula_part(subject):
    part = one_part(f"{subject}=1 %")
    assert part.element is None
    assert part.formula == subject


def test_demand_parts_are_requirements_with_relations():
    parts = parse_composition("P>=5 %; Cd<=2 mg/kg", kind="demand")
    assert [(part.element, part.bound) for part in parts] == [("P", "at-least"), ("Cd", "at-most")]
    assert parts[0].minimum == Decimal("0.05")
    assert parts[1].maximum == Decimal("0.000002")


def test_demand_may_state_a_range_and_two_bounds_on_one_element():
    parts = parse_composition("P>=5 %; P<=10 %; CaO=20-40 %", kind="demand")
    assert [part.bound for part in parts] == ["at-least", "at-most", "range"]


def test_demand_refuses_a_single_value():
    with pytest.raises(InputError) as caught:
        parse_composition("P=5 %", kind="demand")
    assert_bilingual_part_error(caught.value, "P=5 %")
    assert "P>=5 %" in caught.value.message["en"]


def test_supply_refuses_the_same_element_twice():
    with pytest.raises(InputError) as caught:
        parse_composition("V=1 %; vanadium=2 %", kind="supply")
    assert "part 1" in caught.value.message["en"]
    assert "del 1" in caught.value.message["nb"]


def test_kind_must_be_supply_or_demand():
    with pytest.raises(ValueError):
        parse_composition("V=1 %", kind="deposit")


# ---------------------------------------------------------------- bad parts


@pytest.mark.parametrize(
    ("text", "english", "norwegian"),
    [
        ("V2O5=abc %", "'abc' is not a number", "'abc' er ikke et tall"),
        ("V2O5=150 %", "more than the whole", "mer enn helheten"),
        ("X=1 %", "'X'", "'X'"),
        ("=5 %", "no element or formula", "mangler grunnstoff eller formel"),
        ("P>=5", "no unit", "mangler enhet"),
        ("V2O5=1.5", "no unit", "mangler enhet"),
        ("V2O5=1.5 kg/kg%", "unknown unit 'kg/kg%'", "ukjent enhet 'kg/kg%'"),
        ("V2O5=1.5 t/a", "not a unit of mass fraction", "ikke en enhet for masseandel"),
        ("V2O5=-1 %", "negative", "negativ"),
        ("V2O5=2-1 %", "starts above its end", "starter over slutten"),
        ("V2O5=>1-2 %", "range cannot also be a bound", "intervall kan ikke"),
        ("V2O5 1.5 %", "SUBJECT=VALUE UNIT", "STOFF=VERDI ENHET"),
        ("Fe3+=1 %", "charge", "ladning"),
        ("vanadum=1 %", "not an element symbol", "ikke et grunnstoffsymbol"),
    ],
)
def test_bad_part_is_refused_in_english_and_norwegian(text, english, norwegian):
    with pytest.raises(InputError) as caught:
        parse_composition(text, kind="demand" if ">=" in text else "supply")
    assert_bilingual_part_error(caught.value, text)
    assert english in caught.value.message["en"]
    assert norwegian in caught.value.message["nb"]


def test_error_names_the_offending_part_by_position():
    with pytest.raises(InputError) as caught:
        parse_composition("V=1 %; CaO=40 %; Xx2O3=1 %", kind="supply")
    assert caught.value.message["en"].startswith("composition part 3 'Xx2O3=1 %'")
    assert caught.value.message["nb"].startswith("sammensetning, del 3 'Xx2O3=1 %'")


def test_unknown_unit_suggests_composition_units():
    with pytest.raises(InputError) as caught:
        parse_composition("V=1 kg/kg%", kind="supply")
    assert set(caught.value.suggestions) <= {"%", "ppm", "mg/kg", "g/t"}
    assert caught.value.suggestions


def test_misspelt_element_name_suggests_the_name():
    with pytest.raises(InputError) as caught:
        parse_composition("vanadum=1 %", kind="supply")
    assert "vanadium" in caught.value.suggestions


# ---------------------------------------------------------------- formulas


@pytest.mark.parametrize(
    ("formula", "counts"),
    [
        ("V2O5", {"V": 2, "O": 5}),
        ("CaO", {"Ca": 1, "O": 1}),
        ("Ca3(PO4)2", {"Ca": 3, "P": 2, "O": 8}),
        ("Fe2(SO4)3", {"Fe": 2, "S": 3, "O": 12}),
        ("CaSO4\u00b72H2O", {"Ca": 1, "S": 1, "O": 6, "H": 4}),
        ("CaSO4*2H2O", {"Ca": 1, "S": 1, "O": 6, "H": 4}),
        ("CaSO4.2H2O", {"Ca": 1, "S": 1, "O": 6, "H": 4}),
        ("CaSO4.H2O", {"Ca": 1, "S": 1, "O": 5, "H": 2}),
        ("K4[Fe(CN)6]", {"K": 4, "Fe": 1, "C": 6, "N": 6}),
        ("Mg(Al(OH)4)2", {"Mg": 1, "Al": 2, "O": 8, "H": 8}),
        ("3CaO\u00b7Al2O3", {"Ca": 3, "O": 6, "Al": 2}),
        ("Fe0.95O", {"Fe": Decimal("0.95"), "O": 1}),
        ("Fe2O", {"Fe": 2, "O": 1}),
        ("Fe2 O3", {"Fe": 2, "O": 3}),
    ],
)
def test_formula_gives_atom_counts(symbols, formula, counts):
    assert parse_formula(formula, symbols) == {
        symbol: Decimal(count) for symbol, count in counts.items()
    }


def test_formula_keeps_order_of_first_appearance(symbols):
    assert list(parse_formula("CaSO4\u00b72H2O", symbols)) == ["Ca", "S", "O", "H"]


def test_formula_uses_vocabulary_symbols_by_default():
    assert parse_formula("V2O5") == {"V": Decimal(2), "O": Decimal(5)}


@pytest.mark.parametrize(
    ("formula", "fragment", "suggestion"),
    [
        ("Xx2O3", "'Xx'", "Xe2O3"),
        ("cao", "'c'", "CaO"),
        ("FE2O3", "'E'", "Fe2O3"),
    ],
)
def test_unknown_symbol_is_refused_with_close_formulas(symbols, formula, fragment, suggestion):
    with pytest.raises(InputError) as caught:
        parse_formula(formula, symbols)
    assert fragment in caught.value.message["en"]
    assert fragment in caught.value.message["nb"]
    assert suggestion in caught.value.suggestions


@pytest.mark.parametrize(
    "formula", ["Fe3+", "SO4 2-", "SO4^2-", "Fe(III)O", "Ca(OH", "CaO)", "Fe0", "(", "", "2"]
)
def test_charges_oxidation_states_and_malformed_formulas_are_refused(symbols, formula):
    with pytest.raises(InputError) as caught:
        parse_formula(formula, symbols)
    assert set(caught.value.message) == {"en", "nb"}


# ---------------------------------------------------------------- element shares


def test_element_fractions_of_v2o5(weights):
    shares = element_fractions(parse_formula("V2O5"), weights)
    vanadium = 2 * weights["V"] / (2 * weights["V"] + 5 * weights["O"])
    assert shares["V"] == vanadium
    assert abs(shares["V"] - Decimal("0.5602")) < Decimal("0.0001")
    assert sum(shares.values()) == pytest.approx(1)


def test_element_fractions_of_cao(weights):
    shares = element_fractions(parse_formula("CaO"), weights)
    assert abs(shares["Ca"] - Decimal("0.7147")) < Decimal("0.0001")
    assert abs(shares["O"] - Decimal("0.2853")) < Decimal("0.0001")


def test_element_fractions_need_a_weight_for_every_symbol():
    with pytest.raises(ValueError):
        element_fractions({"Ca": Decimal(1)}, {"O": Decimal("15.999")})


def test_formula_part_derives_element_parts_with_same_exact_bound(weights):
    part = one_part("V2O5=1.5 %")
    derived = derived_parts(part, weights)
    shares = element_fractions(parse_formula("V2O5"), weights)
    assert [item.element for item in derived] == ["V", "O"]
    vanadium = derived[0]
    assert vanadium.value == Decimal("0.015") * shares["V"]
    assert abs(vanadium.value - Decimal("0.0084")) < Decimal("0.0001")
    assert (vanadium.bound, vanadium.formula, vanadium.derived_from, vanadium.index) == (
        "exact",
        None,
        1,
        1,
    )
    assert vanadium.minimum is None and vanadium.maximum is None


def test_formula_range_scales_both_ends(weights):
    part = one_part("CaO=10-20 %")
    calcium = derived_parts(part, weights)[0]
    share = element_fractions(parse_formula("CaO"), weights)["Ca"]
    assert calcium.bound == "range"
    assert calcium.minimum == Decimal("0.10") * share
    assert calcium.maximum == Decimal("0.20") * share
    assert calcium.value is None


@pytest.mark.parametrize(("text", "field"), [("P2O5>=5 %", "minimum"), ("Cd<=2 mg/kg", "maximum")])
def test_formula_bound_keeps_its_direction(weights, text, field):
    part = one_part(text.replace("Cd", "CdO"), kind="demand")
    for item in derived_parts(part, weights):
        assert item.bound == part.bound
        assert getattr(item, field) is not None
        assert getattr(item, field) < getattr(part, field)


def test_element_part_derives_nothing(weights):
    assert derived_parts(one_part("V=1 %"), weights) == []
