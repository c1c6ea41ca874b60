"""The SHACL core constraints run on pyoxigraph (catalogue/validation/core_constraints.py).

Agreement with pySHACL case by case is tests/catalogue/test_validation_engines.py; here:
every shape is compiled (so pySHACL is not silently back on every load), and inputs
whose results depend on pySHACL's quirks rather than on the shapes' intent.
"""

from __future__ import annotations

import pyoxigraph
import pytest

from catalogue.validation.core_constraints import pyshacl_needed, split_core
from catalogue.validation.shapes import shapes_graph
from catalogue.validation.sparql_constraints import split_shapes
from catalogue.validation.validate import validate_quads

PREFIXES = """
@prefix ss: <https://w3id.org/sidestream/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix stream: <https://w3id.org/sidestream/data/stream/> .
@prefix org: <https://w3id.org/sidestream/data/organisation/> .
@prefix s1: <https://w3id.org/sidestream/data/stream/s1#> .
"""

STREAM = """
stream:s1 a ss:Supply ;
    dcterms:identifier "s1" ;
    rdfs:label "SiMn slag"@en ;
    ss:hasResource s1:resource ;
    ss:heldBy org:acme ;
    ss:hasQuantity s1:quantity .
s1:resource a ss:SiMnSlag .
org:acme a ss:Organisation ;
    rdfs:label "Acme Metals" .
s1:quantity a ss:Quantity ;
    ss:unit unit:TONNE-PER-YR ;
"""


def test_every_shape_runs_without_pyshacl():
    from rdflib.namespace import SH

    _, compiled = split_core()
    _, sparql = split_shapes()
    property_shapes = set(shapes_graph().subjects(SH.path, None))
    assert {shape.shape for shape in compiled} == {str(s) for s in property_shapes}
    assert len(compiled) + len(sparql) >= 77
    assert not pyshacl_needed()


def outcome(problems) -> set[tuple[str, str, int | None, str | None, str | None]]:
    return {(str(p.severity), p.rule, p.row, p.column, p.value) for p in problems}


@pytest.mark.parametrize(
    "quantity",
    [
        'ss:numericValue "abc"^^xsd:decimal',  # ill-typed: pySHACL's sh:datatype fails it
        'ss:numericValue "01.50"^^xsd:decimal',  # rdflib normalises the reported value
        'ss:numericValue "12" ; ss:maximumValue 10',  # a string against a number
        'ss:numericValue 12 ; ss:maximumValue "10"^^xsd:integer',
        'ss:numericValue 5 ; ss:minimumValue "x"',
        "ss:numericValue 5 ; ss:minimumValue 6.0 ; ss:maximumValue 4, 7",
        'ss:numericValue "+5"^^xsd:integer ; ss:referenceYear "1899"^^xsd:integer',
        'ss:numericValue "-0.0"^^xsd:decimal ; ss:referenceYear "2024"',
        'ss:numericValue 5 ; ss:approximate "1"^^xsd:boolean',
    ],
)
def test_quirky_values_give_pyshacls_results(quantity):
    text = PREFIXES + STREAM + f"    {quantity} .\n"
    quads = list(pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.TURTLE))
    hybrid = validate_quads(quads, engine="hybrid")
    reference = validate_quads(quads, engine="pyshacl")
    assert outcome(hybrid) == outcome(reference)
    assert sorted(p.rule for p in hybrid) == sorted(p.rule for p in reference)
