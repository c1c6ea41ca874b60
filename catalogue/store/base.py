"""The interface every store backend implements; nothing above it knows which one runs.

Terms are pyoxigraph's (``NamedNode``, ``Literal``, ``BlankNode``, ``Quad``) on every
backend, so no second RDF library leaks through.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

Term = NamedNode | BlankNode | Literal | Triple
Row = dict[str, Term]


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


class CatalogueStore(Protocol):
    """What the catalogue needs of a store."""

    def select(self, query: str) -> list[Row]:
        """Rows of a SELECT query over the union of all named graphs."""
        ...

    def ask(self, query: str) -> bool:
        """The answer of an ASK query over the union of all named graphs."""
        ...

    def construct(self, query: str) -> list[Triple]:
        """Triples of a CONSTRUCT or DESCRIBE query over the union of all named graphs."""
        ...

    def write(self, change: SubmissionWrite) -> None:
        """Apply ``change`` in one transaction: either all of it is visible or none of it."""
        ...

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        """Every quad, or those of one named graph."""
        ...

    def named_graphs(self) -> list[NamedNode]: ...

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads atomically (used for the catalogue's own fixed data)."""
        ...

    def close(self) -> None: ...
