"""The SHACL shapes that every submission is validated against, loaded once.

The shapes are the Turtle files in ``shapes/`` (``catalogue.resources.shapes_dir``),
one per concern; each shape is an IRI under :data:`SHAPES`, with its messages,
severity and the template column it checks (``ss:column``).
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph, Namespace

from catalogue.errors import OntologyError
from catalogue.namespaces import BASE, bind_prefixes
from catalogue.resources import shape_files

SHAPES = Namespace(BASE + "shapes/")
"""The namespace of shape IRIs (prefix ``ssh:``)."""


@cache
def shapes_graph() -> Graph:
    """Every shape of ``shapes/*.ttl`` in one rdflib graph, parsed once per process.

    Read-only by convention: the graph is shared by every caller.

    Raises :class:`~catalogue.errors.OntologyError` when the folder holds no shape
    file or a file does not parse.
    """
    files = shape_files()
    if not files:
        raise OntologyError("shapes/ holds no .ttl file; reinstall sidestream")
    graph = bind_prefixes(Graph())
    graph.bind("ssh", SHAPES)
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as error:  # rdflib raises several unrelated types
            raise OntologyError(f"{path}: {error}") from error
    return graph
