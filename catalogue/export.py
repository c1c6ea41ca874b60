"""Exporting the catalogue as a caller may see it (``sidestream export``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import pyoxigraph
from pyoxigraph import Quad, RdfFormat, Triple

from catalogue.access import ANONYMOUS, Caller, view_for
from catalogue.config import Settings
from catalogue.namespaces import PREFIXES
from catalogue.store.base import CatalogueStore

EXPORT_FORMATS = {
    "ttl": RdfFormat.TURTLE,
    "nq": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
}


def stream_quads(
    store: CatalogueStore, settings: Settings, *, inferred: bool, caller: Caller = ANONYMOUS
) -> Iterator[Quad]:
    """Quads of the submission graphs ``caller`` may see; ``inferred`` adds materialised ones."""
    prefix = settings.data_base + "submission/"
    allowed = view_for(store, caller).graphs
    for graph in store.named_graphs():
        name = graph.value
        if not name.startswith(prefix) or (allowed is not None and graph not in allowed):
            continue
        if name.endswith("/inferred") and not inferred:
            continue
        yield from store.quads(graph)


def export(
    store: CatalogueStore,
    settings: Settings,
    output: BinaryIO,
    *,
    fmt: str = "ttl",
    caller: Caller = ANONYMOUS,
) -> int:
    """Write the streams ``caller`` may see; returns the statement count.

    Turtle and JSON-LD give the asserted statements as one graph (a loader infers the
    rest again); N-Quads keeps the submission graphs and includes the inferred ones.
    """
    rdf_format = EXPORT_FORMATS[fmt]
    quads = stream_quads(store, settings, inferred=fmt == "nq", caller=caller)
    if rdf_format == RdfFormat.N_QUADS:
        statements: list[Quad] | list[Triple] = list(quads)
    else:
        statements = sorted({Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    prefixes["data"] = settings.data_base
    pyoxigraph.serialize(
        statements,
        output,
        rdf_format,
        prefixes=prefixes if rdf_format == RdfFormat.TURTLE else None,
    )
    return len(statements)
