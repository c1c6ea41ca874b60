"""The units the stream template accepts, as QUDT units with their base unit, factor to it
and the physical states they may quantify.

Read from the hand-written ``ontology/sources/units.csv``. Each row becomes a
``qudt:Unit`` whose ``skos:notation`` is the template symbol exactly (``t/a``,
``MWh/a``, ``%``). The IRI is QUDT's where QUDT has the unit (checked against the QUDT
3.1 unit vocabulary) and ``ssunit:<Name>`` otherwise; minted units carry their
``qudt:conversionMultiplier`` to SI and an ``rdfs:comment`` saying QUDT lacks them.
``ss:baseUnit``, ``ss:factorToBase`` and ``ss:compatibleState`` are declared in
``ontology/modules/units.ttl``.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from catalogue.namespaces import QUDT, QUDT_KIND, QUDT_UNIT, SS, STATE, UNIT
from catalogue.resources import source_file
from catalogue.vocab import VocabularySpec
from catalogue.vocab.codelists import parse_alt_labels, read_source_csv

SPEC = VocabularySpec(
    title="Units of the sidestream template (QUDT units, plus ssunit: for those QUDT lacks)",
    source="ontology/sources/units.csv (hand-written; IRIs and quantity kinds checked against "
    "the QUDT unit vocabulary, qudt/qudt-public-repo VOCAB_QUDT-UNITS-ALL.ttl, release 3.1.x)",
    licence="MIT (sidestream repository); QUDT IRIs and names: QUDT, CC BY 4.0",
    attribution="QUDT - Quantities, Units, Dimensions and Types, https://qudt.org/ (CC BY 4.0)",
)

PREFIXES = {"unit": QUDT_UNIT, "ssunit": UNIT}
_NUMBER = re.compile(r"\s*([*/])\s*")


def decimal_value(expression: str) -> Decimal:
    """``"1000000/3600"`` -> Decimal at 34 significant digits (as QUDT writes them)."""
    tokens = _NUMBER.split(expression.strip())
    with localcontext() as context:
        context.prec = 34
        value = Decimal(tokens[0])
        for operator, operand in zip(tokens[1::2], tokens[2::2], strict=True):
            value = value * Decimal(operand) if operator == "*" else value / Decimal(operand)
        return value.normalize()


DECIMAL_PLACES = Decimal("1e-15")
"""Oxigraph's xsd:decimal holds 18 fractional digits; a longer literal is not a number
to its SPARQL engine (arithmetic and comparisons on it come back unbound), so
repeating fractions such as 1000/3600 are rounded to 15 places."""


def decimal_literal(expression: str) -> Literal:
    """An ``xsd:decimal`` literal in canonical plain notation (``1000.0``, ``0.01``)."""
    value = decimal_value(expression)
    if value.as_tuple().exponent < -15:  # type: ignore[operator]
        value = value.quantize(DECIMAL_PLACES).normalize()
    text = format(value, "f")
    return Literal(text if "." in text else f"{text}.0", datatype=XSD.decimal)


def unit_iri(curie: str) -> URIRef:
    """``unit:TONNE`` / ``ssunit:GM-PER-TONNE`` -> full IRI."""
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix][local]


def build() -> Graph:
    """One ``qudt:Unit`` per row of ``units.csv``."""
    graph = Graph()
    rows = read_source_csv(source_file("units.csv"))
    by_symbol = {row["symbol"]: unit_iri(row["iri"]) for row in rows}
    for row in rows:
        unit = by_symbol[row["symbol"]]
        graph.add((unit, RDF.type, QUDT.Unit))
        graph.add((unit, SKOS.notation, Literal(row["symbol"])))
        graph.add((unit, RDFS.label, Literal(row["label_en"], lang="en")))
        graph.add((unit, RDFS.label, Literal(row["label_nb"], lang="nb")))
        for label in parse_alt_labels(row["alt_labels"]):
            graph.add((unit, SKOS.altLabel, label))
        for kind in row["quantity_kinds"].split():
            graph.add((unit, QUDT.hasQuantityKind, QUDT_KIND[kind]))
        graph.add((unit, SS.baseUnit, by_symbol[row["base"]]))
        graph.add((unit, SS.factorToBase, decimal_literal(row["factor_to_base"])))
        for state in row["states"].split():
            graph.add((unit, SS.compatibleState, STATE[state]))
        if row["conversion_multiplier"]:
            graph.add(
                (unit, QUDT.conversionMultiplier, decimal_literal(row["conversion_multiplier"]))
            )
        if row["comment"]:
            graph.add((unit, RDFS.comment, Literal(row["comment"], lang="en")))
        if row["iri"].startswith("ssunit:") and not row["conversion_multiplier"]:
            raise ValueError(f"minted unit {row['iri']} needs a conversion multiplier")
    return graph
