"""Inferences materialised once, when a submission is loaded (docs/data-model.md).

Queries then read plain triples: a resource node carries every superclass of its
material as ``rdf:type``; a stream names the elements (``ss:containsElement``) and
the listed raw materials (``ss:containsListedRawMaterial``) its composition implies.
The ontology is read once per process into two small maps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from pyoxigraph import NamedNode, Quad

from catalogue import queries
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.ontology import load_store

HAS_RESOURCE = NamedNode(SS.hasResource)
HAS_COMPOSITION = NamedNode(SS.hasComposition)
HAS_COMPONENT = NamedNode(SS.hasComponent)
ELEMENT = NamedNode(SS.element)
CONTAINS_ELEMENT = NamedNode(SS.containsElement)
CONTAINS_LISTED = NamedNode(SS.containsListedRawMaterial)
TYPE = NamedNode(RDF_TYPE)


@dataclass(frozen=True)
class InferenceMaps:
    ancestors: dict[NamedNode, frozenset[NamedNode]]
    """Material or energy class -> itself and all its superclasses up to ss:Resource."""
    raw_materials: dict[NamedNode, frozenset[NamedNode]]
    """Element -> the listed raw materials it is a constituent of."""


def _pairs(name: str, left: str, right: str) -> dict[NamedNode, frozenset[NamedNode]]:
    grouped: dict[NamedNode, set[NamedNode]] = defaultdict(set)
    for row in load_store().query(queries.bind(queries.load(name))):
        key, value = row[left], row[right]
        if isinstance(key, NamedNode) and isinstance(value, NamedNode):
            grouped[key].add(value)
    return {key: frozenset(values) for key, values in grouped.items()}


@cache
def inference_maps() -> InferenceMaps:
    return InferenceMaps(
        ancestors=_pairs("inference/resource_ancestors", "class", "ancestor"),
        raw_materials=_pairs("inference/element_raw_materials", "element", "rawMaterial"),
    )


def materialise(asserted: Iterable[Quad], graph: NamedNode) -> list[Quad]:
    """The inferred quads, in ``graph``, for the asserted quads of one submission."""
    maps = inference_maps()
    by_subject: dict[object, list[Quad]] = defaultdict(list)
    for quad in asserted:
        by_subject[quad.subject].append(quad)

    inferred: set[tuple[object, NamedNode, NamedNode]] = set()
    for subject, quads in by_subject.items():
        for quad in quads:
            if quad.predicate == HAS_RESOURCE:
                for resource_type in by_subject.get(quad.object, ()):
                    if resource_type.predicate == TYPE and isinstance(
                        resource_type.object, NamedNode
                    ):
                        for ancestor in maps.ancestors.get(resource_type.object, ()):
                            inferred.add((quad.object, TYPE, ancestor))
            elif quad.predicate == HAS_COMPOSITION:
                for link in by_subject.get(quad.object, ()):
                    if link.predicate != HAS_COMPONENT:
                        continue
                    for fact in by_subject.get(link.object, ()):
                        if fact.predicate == ELEMENT and isinstance(fact.object, NamedNode):
                            inferred.add((subject, CONTAINS_ELEMENT, fact.object))
                            for listed in maps.raw_materials.get(fact.object, ()):
                                inferred.add((subject, CONTAINS_LISTED, listed))
    asserted_keys = {(q.subject, q.predicate, q.object) for qs in by_subject.values() for q in qs}
    return [
        Quad(s, p, o, graph)  # type: ignore[arg-type]
        for s, p, o in sorted(inferred, key=str)
        if (s, p, o) not in asserted_keys
    ]
