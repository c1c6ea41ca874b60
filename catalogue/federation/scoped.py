"""A store seen through part of each view: one source's graphs at a time.

Federated matching runs the ordinary matcher once per source (this catalogue's own
submissions, each harvest) so that every result knows where it comes from. The matcher
asks ``access.view_for`` for the caller's view as always; :class:`ScopedStore` then
narrows each view it is given to the graphs of one source, so a scoped query never sees
more than the caller's view, only less. Queries over the whole store (``view_for``'s own
reading of the catalogue graph) pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from pyoxigraph import NamedNode, Quad, Triple

from catalogue.store.base import (
    EVERYTHING,
    CatalogueStore,
    QueryResult,
    Row,
    SubmissionWrite,
    View,
    WriteProgress,
)


class ScopedStore:
    """``store`` with every caller's view cut down to the graphs ``keep`` accepts; read only."""

    def __init__(self, store: CatalogueStore, keep: Callable[[NamedNode], bool]) -> None:
        self.store = store
        self.keep = keep

    def _narrow(self, view: View) -> View:
        if view.graphs is None:
            return view
        return View(tuple(graph for graph in view.graphs if self.keep(graph)))

    def query(self, query: str, view: View = EVERYTHING) -> QueryResult:
        return self.store.query(query, self._narrow(view))

    def select(self, query: str, view: View = EVERYTHING) -> list[Row]:
        return self.store.select(query, self._narrow(view))

    def ask(self, query: str, view: View = EVERYTHING) -> bool:
        return self.store.ask(query, self._narrow(view))

    def construct(self, query: str, view: View = EVERYTHING) -> list[Triple]:
        return self.store.construct(query, self._narrow(view))

    def write(self, change: SubmissionWrite, progress: WriteProgress | None = None) -> None:
        raise PermissionError("a scoped store is read-only")

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        return self.store.quads(graph)

    def named_graphs(self) -> list[NamedNode]:
        return self.store.named_graphs()

    def add_quads(self, quads: Iterable[Quad]) -> None:
        raise PermissionError("a scoped store is read-only")

    def close(self) -> None:
        """The store it narrows stays open: its owner closes it."""
