"""The embedded store: pyoxigraph on disk (RocksDB) or in memory."""

from __future__ import annotations

import logging
import uuid
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

PENDING = "urn:x-sidestream:pending:"
"""Prefix of the graph in which a batched write lists the graphs it fills, before its first
batch; the transaction that registers the submission drops it."""
FILLS = NamedNode("urn:x-sidestream:fills")

log = logging.getLogger(__name__)


class StoreError(SidestreamError):
    """The store could not be opened or written."""


class OxigraphStore:
    """pyoxigraph ``Store``; ``path=None`` keeps everything in memory (tests)."""

    def __init__(self, path: Path | None = None, *, batch_quads: int = BULK_BATCH) -> None:
        self.path = path
        self.batch_quads = batch_quads
        try:
            if path is None:
                self._store = pyoxigraph.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = pyoxigraph.Store(str(path))
        except OSError as error:
            raise StoreError(f"cannot open the store at {path}: {error}") from error
        self.drop_interrupted_writes()

    def drop_interrupted_writes(self) -> list[NamedNode]:
        """Drop the graphs of batched writes that never registered their submission.

        Safe only when no write is in flight: when the store has just been opened, as
        RocksDB's lock lets one process at a time open it for writing, and this process
        has not begun one. A process killed in the middle of a bulk load leaves its
        batches on disk, invisible (unregistered) but taking room and in ``quads()``;
        its ``PENDING`` graph names them. Returns the graphs dropped.
        """
        dropped: list[NamedNode] = []
        for pending in self._pending_graphs():
            filled = [
                quad.object
                for quad in self._store.quads_for_pattern(pending, FILLS, None, pending)
                if isinstance(quad.object, NamedNode)
            ]
            for graph in filled:
                self._store.remove_graph(graph)
            self._store.remove_graph(pending)
            dropped += filled
        if dropped:
            log.warning(
                "dropped %d graphs left by an interrupted load: %s",
                len(dropped),
                ", ".join(sorted(graph.value for graph in dropped)),
            )
        return dropped

    def _pending_graphs(self) -> list[NamedNode]:
        return [
            graph
            for graph in self._store.named_graphs()
            if isinstance(graph, NamedNode) and graph.value.startswith(PENDING)
        ]

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
        Before the first batch a ``PENDING`` graph records which graphs the write fills; the
        registering transaction drops it. If anything fails before that, the content graphs
        are dropped again; if the process dies, the next opening drops them
        (:meth:`drop_interrupted_writes`).
        """
        metadata = [quad for quad in change.quads if quad.graph_name == change.metadata_graph]
        graphs = {
            quad.graph_name
            for quad in change.quads
            if quad.graph_name != change.metadata_graph and isinstance(quad.graph_name, NamedNode)
        } | set(change.batch_graphs)
        # content produced while it is written reports its own progress (publish knows its
        # streams; the quads still to come are not known here)
        progress = None if change.batch_graphs else progress
        pending = NamedNode(f"{PENDING}{uuid.uuid4().hex}")
        # one transaction, before any content: a crash after it always leaves the record
        self._store.extend(Quad(pending, FILLS, graph, pending) for graph in graphs)
        total = len(change.quads)
        try:
            for graph in graphs:
                # Anything already in this unregistered graph is left by an interrupted
                # load: it must not mix with this one.
                self._store.remove_graph(graph)
            batch: list[Quad] = []
            for done, quad in enumerate(change.quads, start=1):
                if quad.graph_name != change.metadata_graph:
                    batch.append(quad)
                if len(batch) == self.batch_quads or done == total:
                    # batches, not one copy of the whole write beside the caller's list
                    self._store.bulk_extend(batch)
                    batch = []
                    if progress is not None:
                        progress(done, total)
            for content in change.batches:
                for start in range(0, len(content), self.batch_quads):
                    self._store.bulk_extend(content[start : start + self.batch_quads])
            # Registration and the end of the pending record: one SPARQL update request,
            # one transaction.
            self._store.update(write_update(SubmissionWrite(metadata, replaces=[pending])))
        except BaseException:
            for graph in graphs:
                self._store.remove_graph(graph)
            self._store.remove_graph(pending)
            raise

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def named_graphs(self) -> list[NamedNode]:
        """The catalogue's graphs: not the record of a batched write in progress."""
        return [
            g
            for g in self._store.named_graphs()
            if isinstance(g, NamedNode) and not g.value.startswith(PENDING)
        ]

    def add_quads(self, quads: Iterable[Quad]) -> None:
        self._store.extend(quads)

    def close(self) -> None:
        """Flush and release the store: RocksDB's lock goes only when pyoxigraph's handle
        is dropped, and another opener in this process would otherwise be refused."""
        self._store.flush()
        del self._store
