"""The small code lists of the stream template as SKOS: state, status, treatment,
confidentiality, basis, bound and composition basis.

Read from the hand-written ``ontology/sources/codelists.csv``. Each value becomes
``<ns><notation>`` (``state:solid``, ``status:by-product``) typed with its core class
and ``skos:Concept``; each list becomes ``<ns>scheme``. The notations are exactly the
template values of the interface contract, so a template cell is looked up by
``skos:notation``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace
from rdflib.namespace import DCTERMS

from catalogue.namespaces import (
    ACCESSIBILITY,
    BASIS,
    BOUND,
    COMPOSITION_BASIS,
    CONFIDENTIALITY,
    DEPOSIT_STATUS,
    SS,
    STATE,
    STATUS,
    TREATMENT,
)
from catalogue.resources import source_file
from catalogue.vocab import VocabularySpec

SPEC = VocabularySpec(
    title="sidestream code lists: physical state, stream status, treatment, confidentiality, "
    "quantity basis, bound direction, composition basis (SKOS)",
    source="ontology/sources/codelists.csv (hand-written; values of the stream template)",
    licence="MIT (sidestream repository)",
)

SCHEMES: dict[str, tuple[Namespace, object]] = {
    "state": (STATE, SS.PhysicalState),
    "status": (STATUS, SS.StreamStatus),
    "treatment": (TREATMENT, SS.Treatment),
    "confidentiality": (CONFIDENTIALITY, SS.ConfidentialityLevel),
    "basis": (BASIS, SS.QuantityBasis),
    "bound": (BOUND, SS.BoundDirection),
    "composition-basis": (COMPOSITION_BASIS, SS.CompositionBasis),
    "accessibility": (ACCESSIBILITY, SS.DepositAccessibility),
    "deposit-status": (DEPOSIT_STATUS, SS.DepositStatus),
}
"""Scheme name in the CSV -> (namespace of its values, core class of its values)."""


def read_source_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a source CSV whose leading ``#`` lines give source and licence."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [
        {key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(lines)
    ]


def parse_alt_labels(cell: str) -> list[Literal]:
    """``"by product@en|D1"`` -> language-tagged (or plain) literals."""
    labels: list[Literal] = []
    for item in filter(None, (part.strip() for part in cell.split("|"))):
        text, _, lang = item.rpartition("@")
        labels.append(Literal(text, lang=lang) if text and lang.isalpha() else Literal(item))
    return labels


def build() -> Graph:
    """The code-list schemes and their concepts."""
    graph = Graph()
    rows = read_source_csv(source_file("codelists.csv"))
    for row in rows:
        namespace, cls = SCHEMES[row["scheme"]]
        scheme = namespace.scheme
        subject = namespace[row["notation"]] if row["notation"] else scheme
        for predicate in (RDFS.label, SKOS.prefLabel):
            graph.add((subject, predicate, Literal(row["label_en"], lang="en")))
            graph.add((subject, predicate, Literal(row["label_nb"], lang="nb")))
        for label in parse_alt_labels(row["alt_labels"]):
            graph.add((subject, SKOS.altLabel, label))
        if subject == scheme:
            graph.add((scheme, RDF.type, SKOS.ConceptScheme))
            graph.add((scheme, DCTERMS.title, Literal(row["label_en"], lang="en")))
            graph.add((scheme, DCTERMS.title, Literal(row["label_nb"], lang="nb")))
            graph.add((scheme, DCTERMS.description, Literal(row["definition"], lang="en")))
            graph.add((scheme, SKOS.definition, Literal(row["definition"], lang="en")))
            continue
        graph.add((subject, RDF.type, cls))
        graph.add((subject, RDF.type, SKOS.Concept))
        graph.add((subject, SKOS.notation, Literal(row["notation"])))
        graph.add((subject, SKOS.definition, Literal(row["definition"], lang="en")))
        graph.add((subject, SKOS.inScheme, scheme))
        graph.add((subject, SKOS.topConceptOf, scheme))
        graph.add((scheme, SKOS.hasTopConcept, subject))
    return graph
