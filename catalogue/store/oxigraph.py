"""The embedded store: pyoxigraph on disk (RocksDB) or in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph
from pyoxigraph import NamedNode, Quad, QueryBoolean, QuerySolutions, QueryTriples, Triple

from catalogue.errors import SidestreamError
from catalogue.store.base import (
    EVERYTHING,
    QueryResult,
    Row,
    SubmissionWrite,
    View,
    WriteProgress,
    write_update,
)

BULK_BATCH = 1_000_000
"""Quads per ``bulk_extend`` call: large enough to keep few files for RocksDB to merge,
small enough for the progress bar to move on a large load."""


class StoreError(SidestreamError):
    """The store could not be opened or written."""


class OxigraphStore:
    """pyoxigraph ``Store``; ``path=None`` keeps everything in memory (tests)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        try:
            if path is None:
                self._store = pyoxigraph.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = pyoxigraph.Store(str(path))
        except OSError as error:
            raise StoreError(f"cannot open the store at {path}: {error}") from error

    @property
    def raw(self) -> pyoxigraph.Store:
        """The pyoxigraph store itself, for code that must stream (exports, benchmarks)."""
        return self._store

    def query(self, query: str, view: View = EVERYTHING) -> QueryResult:
        """Run ``query`` over the dataset ``view`` allows: results stream from pyoxigraph.

        The view replaces any ``FROM`` / ``FROM NAMED`` the query gives, so a query cannot
        name its way into a graph the caller may not see.
        """
        if view.graphs is None:
            return self._store.query(query, use_default_graph_as_union=True)
        graphs = list(view.graphs)
        return self._store.query(query, default_graph=graphs, named_graphs=graphs)

    def select(self, query: str, view: View = EVERYTHING) -> list[Row]:
        solutions = self.query(query, view)
        if not isinstance(solutions, QuerySolutions):
            raise TypeError("select() needs a SELECT query")
        names = [variable.value for variable in solutions.variables]
        return [
            {name: term for name in names if (term := solution[name]) is not None}
            for solution in solutions
        ]

    def ask(self, query: str, view: View = EVERYTHING) -> bool:
        answer = self.query(query, view)
        # pyoxigraph 0.5 answers ASK with a QueryBoolean, which is not a bool subclass.
        if not isinstance(answer, QueryBoolean):
            raise TypeError("ask() needs an ASK query")
        return bool(answer)

    def construct(self, query: str, view: View = EVERYTHING) -> list[Triple]:
        triples = self.query(query, view)
        if not isinstance(triples, QueryTriples):
            raise TypeError("construct() needs a CONSTRUCT or DESCRIBE query")
        return list(triples)

    def write(self, change: SubmissionWrite, progress: WriteProgress | None = None) -> None:
        if change.registers_new_content:
            self._bulk_write(change, progress)
            return
        if change.replaces or change.metadata_subjects:
            # Removal and insertion must be one transaction: one SPARQL update request is,
            # so a replaced submission never shows old and new content mixed.
            self._store.update(write_update(change))
        else:
            # Store.extend is one transaction: all quads or none.
            self._store.extend(change.quads)
        if progress is not None:
            progress(len(change.quads), len(change.quads))

    def _bulk_write(self, change: SubmissionWrite, progress: WriteProgress | None) -> None:
        """New submissions only: content graphs by bulk load, then their registration in
        one small transaction.

        ``Store.extend`` is one transaction but slow (16 s for 657 k quads); ``bulk_extend``
        is several times faster and not transactional. No caller sees a graph the catalogue
        graph does not register (``access.view_for``), so content written first stays
        invisible until the metadata quads, written last in one transaction, register it.
        If anything fails before that, the content graphs are dropped again.
        """
        metadata: list[Quad] = []
        graphs: set[NamedNode] = set()
        total = len(change.quads)
        try:
            batch: list[Quad] = []
            for done, quad in enumerate(change.quads, start=1):
                if quad.graph_name == change.metadata_graph:
                    metadata.append(quad)
                else:
                    batch.append(quad)
                    graph = quad.graph_name
                    if isinstance(graph, NamedNode) and graph not in graphs:
                        # Anything already in this unregistered graph is left by an
                        # interrupted load: it must not mix with this one.
                        self._store.remove_graph(graph)
                        graphs.add(graph)
                if len(batch) == BULK_BATCH or done == total:
                    # batches, not one copy of the whole write beside the caller's list
                    self._store.bulk_extend(batch)
                    batch = []
                    if progress is not None:
                        progress(done, total)
            self._store.extend(metadata)
        except BaseException:
            for graph in graphs:
                self._store.remove_graph(graph)
            raise

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def named_graphs(self) -> list[NamedNode]:
        return [g for g in self._store.named_graphs() if isinstance(g, NamedNode)]

    def add_quads(self, quads: Iterable[Quad]) -> None:
        self._store.extend(quads)

    def close(self) -> None:
        """Flush and release the store: RocksDB's lock goes only when pyoxigraph's handle
        is dropped, and another opener in this process would otherwise be refused."""
        self._store.flush()
        del self._store
