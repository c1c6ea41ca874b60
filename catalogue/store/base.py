"""The interface every store backend implements; nothing above it knows which one runs.

Terms are pyoxigraph's (``NamedNode``, ``Literal``, ``BlankNode``, ``Quad``) on every
backend, so no second RDF library leaks through.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Triple,
)

Term = NamedNode | BlankNode | Literal | Triple
Row = dict[str, Term]
QueryResult = QuerySolutions | QueryBoolean | QueryTriples


class WriteProgress(Protocol):
    """Told how far a large write has come: ``(quads sent, quads in the write)`` from a store;
    ``(streams written, streams in the file, "streams")`` from a load written a chunk of
    streams at a time (``catalogue.publish.chunked_content``)."""

    def __call__(self, sent: int, total: int, unit: str = "quads") -> None: ...


@dataclass(frozen=True)
class View:
    """The named graphs a caller may see; ``graphs=None`` is the whole store (internal use).

    Built by :func:`catalogue.access.view_for`; every query a caller causes runs over
    this dataset (default graph = union of ``graphs``, ``GRAPH`` reaches only them).
    """

    graphs: tuple[NamedNode, ...] | None

    @property
    def everything(self) -> bool:
        return self.graphs is None


EVERYTHING = View(None)


@dataclass(frozen=True)
class SubmissionWrite:
    """One atomic change: add these quads, after dropping these named graphs.

    ``quads`` carry their named graph. ``replaces`` lists whole graphs to remove in
    the same transaction (the submission being replaced, its inferred graph), and
    ``metadata_subjects`` the subjects whose triples in the metadata graph go too.
    """

    quads: list[Quad]
    replaces: list[NamedNode] = field(default_factory=list)
    metadata_graph: NamedNode | None = None
    metadata_subjects: list[NamedNode] = field(default_factory=list)
    batches: Iterable[list[Quad]] = ()
    """More content, produced while it is written: a large template's chunks, each mapped
    and materialised when the store asks for it, so that memory holds one chunk. New
    content only (:attr:`registers_new_content`); every quad in a graph of
    ``batch_graphs``; the metadata in ``quads`` is still written last."""
    batch_graphs: list[NamedNode] = field(default_factory=list)

    @property
    def registers_new_content(self) -> bool:
        """A new submission: nothing is removed and the metadata graph registers it.

        No view holds a graph the catalogue graph does not register
        (``catalogue.access.view_for``), so a store may write such a change's content in
        batches and its metadata last, instead of in one transaction.
        """
        return not self.replaces and not self.metadata_subjects and self.metadata_graph is not None


class CatalogueStore(Protocol):
    """What the catalogue needs of a store."""

    def query(self, query: str, view: View = EVERYTHING) -> QueryResult:
        """Any query over the dataset ``view`` allows, its results streamed."""
        ...

    def select(self, query: str, view: View = EVERYTHING) -> list[Row]:
        """Rows of a SELECT query over the union of the graphs ``view`` allows."""
        ...

    def ask(self, query: str, view: View = EVERYTHING) -> bool:
        """The answer of an ASK query over the union of the graphs ``view`` allows."""
        ...

    def construct(self, query: str, view: View = EVERYTHING) -> list[Triple]:
        """Triples of a CONSTRUCT or DESCRIBE query over the union of the graphs ``view`` allows."""
        ...

    def write(self, change: SubmissionWrite, progress: WriteProgress | None = None) -> None:
        """Apply ``change`` so that callers see all of it or none of it.

        A replacement or a withdrawal is one transaction. A new submission may be written in
        batches (bulk loads on the embedded store, Graph Store Protocol batches on a remote
        one) with its registration in the catalogue graph last: no caller's view holds a
        graph before it is registered (``catalogue.access.view_for``). ``progress``, when
        given, hears ``(quads sent, quads in the write)`` as the write proceeds.
        """
        ...

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        """Every quad, or those of one named graph."""
        ...

    def named_graphs(self) -> list[NamedNode]: ...

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads atomically (used for the catalogue's own fixed data)."""
        ...

    def close(self) -> None: ...


def quad_text(quad: Quad) -> str:
    """A quad as SPARQL Update data, from pyoxigraph's own N-Triples forms of its terms."""
    triple = f"{quad.subject} {quad.predicate} {quad.object} ."
    if isinstance(quad.graph_name, NamedNode):
        return f"GRAPH {quad.graph_name} {{ {triple} }}"
    return triple


def insert_data(quads: Iterable[Quad]) -> str:
    """One ``INSERT DATA`` operation adding ``quads``."""
    return "INSERT DATA { " + " ".join(quad_text(quad) for quad in quads) + " }"


def write_update(change: SubmissionWrite) -> str:
    """``change`` as one SPARQL Update request: the drops, the metadata deletes, the insert.

    Every backend sends this as a single request, which is one transaction on Oxigraph
    (embedded and server); nothing in it comes from user input except terms, written in
    their N-Triples form by pyoxigraph.
    """
    operations = [f"DROP SILENT GRAPH {graph}" for graph in change.replaces]
    if change.metadata_graph is not None:
        operations += [
            f"DELETE WHERE {{ GRAPH {change.metadata_graph} {{ {subject} ?p ?o }} }}"
            for subject in change.metadata_subjects
        ]
    if change.quads:
        operations.append(insert_data(change.quads))
    return " ;\n".join(operations)
