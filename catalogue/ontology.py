"""Loading the merged ontology: the header, the modules it imports and the vocabularies.

The header's ``owl:imports`` name module IRIs; they are resolved to the files in
``ontology/modules/`` so nothing is fetched from the network.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from catalogue.errors import OntologyError
from catalogue.namespaces import ONTOLOGY_IRI, bind_prefixes
from catalogue.resources import module_files, ontology_header, vocabulary_files

MODULE_IRI_PREFIX = ONTOLOGY_IRI + "/modules/"


def module_iri(path: Path) -> URIRef:
    return URIRef(MODULE_IRI_PREFIX + path.stem)


def imported_modules() -> list[Path]:
    """The module files the header imports, checked against the files on disk."""
    header = Graph().parse(ontology_header(), format="turtle")
    imports = {str(iri) for iri in header.objects(URIRef(ONTOLOGY_IRI), OWL.imports)}
    on_disk = {str(module_iri(path)): path for path in module_files()}
    missing = sorted(imports - on_disk.keys())
    if missing:
        raise OntologyError(f"sidestream.ttl imports modules with no file in modules/: {missing}")
    unimported = sorted(on_disk.keys() - imports)
    if unimported:
        raise OntologyError(
            f"modules/ holds files that sidestream.ttl does not import: {unimported}"
        )
    return [on_disk[iri] for iri in sorted(imports)]


def ontology_files() -> list[Path]:
    """Every file of the merged ontology: header, imported modules, generated vocabularies."""
    return [ontology_header(), *imported_modules(), *vocabulary_files()]


def load_graph(*, include_vocabularies: bool = True) -> Graph:
    """The merged ontology as a fresh rdflib graph (callers may modify it)."""
    files = ontology_files() if include_vocabularies else [ontology_header(), *imported_modules()]
    graph = bind_prefixes(Graph())
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as error:  # rdflib raises several unrelated types
            raise OntologyError(f"{path}: {error}") from error
    return graph


@cache
def load_store() -> pyoxigraph.Store:
    """The merged ontology in an in-memory pyoxigraph store, loaded once per process.

    Read-only by convention: it is shared by every caller.
    """
    store = pyoxigraph.Store()
    for path in ontology_files():
        try:
            store.bulk_load(path=path, format=pyoxigraph.RdfFormat.TURTLE)
        except (SyntaxError, OSError) as error:
            raise OntologyError(f"{path}: {error}") from error
    return store


def statistics() -> dict[str, int]:
    """Counts of classes, properties and vocabulary entries (``ontology/statistics.rq``)."""
    from catalogue import queries  # late: queries is a sibling, not a dependency of loading

    solutions = load_store().query(queries.bind(queries.load("ontology/statistics")))
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    row = next(iter(solutions))
    return {
        str(variable.value): int(row[variable].value) if row[variable] is not None else 0
        for variable in solutions.variables
    }
