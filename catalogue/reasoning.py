"""Consistency of the ontology under OWL 2 DL, checked with HermiT through owlready2.

HermiT runs on Java (17 is enough). The merged ontology is handed over as
N-Triples with the ``owl:imports`` removed, so owlready2 fetches nothing.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from catalogue.errors import OntologyError
from catalogue.ontology import load_graph


@dataclass(frozen=True)
class ReasonerReport:
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    classes: int = 0
    individuals: int = 0

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def declare_individuals(graph: Graph) -> int:
    """Declare ``owl:NamedIndividual`` for IRIs typed with a class but not declared.

    OWL 2's RDF mapping needs the declaration; without it owlready2 skips the
    vocabularies' concepts (elements, List-of-Waste codes) and HermiT never sees them.
    Returns how many declarations were added.
    """
    classes = set(graph.subjects(RDF.type, OWL.Class)) | {SKOS.Concept}
    added = 0
    for subject, kind in list(graph.subject_objects(RDF.type)):
        if (
            isinstance(subject, URIRef)
            and kind in classes
            and subject not in classes
            and (subject, RDF.type, OWL.NamedIndividual) not in graph
        ):
            graph.add((subject, RDF.type, OWL.NamedIndividual))
            added += 1
    return added


def check_consistency(*, include_vocabularies: bool = True) -> ReasonerReport:
    """Run HermiT over the merged ontology; never raises for an inconsistent ontology."""
    import owlready2  # heavy and Java-bound: only imported by the command that needs it

    graph = load_graph(include_vocabularies=include_vocabularies)
    graph.remove((None, OWL.imports, None))
    declare_individuals(graph)
    with tempfile.TemporaryDirectory(prefix="sidestream-hermit-") as folder:
        path = Path(folder) / "sidestream-merged.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        try:
            ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
        except Exception as error:  # owlready2 raises bare exceptions on bad input
            raise OntologyError(f"owlready2 could not load the merged ontology: {error}") from error
        classes = len(list(world.classes()))
        individuals = len(list(world.individuals()))
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasonerReport(consistent=False, classes=classes, individuals=individuals)
        unsatisfiable = sorted(
            entity.iri for entity in world.inconsistent_classes() if entity is not owlready2.Nothing
        )
        world.close()
    return ReasonerReport(
        consistent=True, unsatisfiable=unsatisfiable, classes=classes, individuals=individuals
    )
