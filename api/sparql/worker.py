"""A SPARQL worker process: runs one query at a time over a read-only store snapshot.

Started by :class:`api.sparql.executor.SparqlExecutor` as ``python -m api.sparql.worker
FD``, where FD is its end of a socket pair. It answers each :class:`Job` (an endpoint
query) or :class:`Describe` (a stream description) with one :class:`Reply` holding the
serialised result, so the server only forwards bytes; a job that runs too long is ended
by the server killing this process.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph
from pyoxigraph import NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions

from api.sparql.formats import FORMATS, Family, Format, Preference, choose


@dataclass(frozen=True)
class Job:
    """One query: where the snapshot is, which graphs it may read, what to answer in."""

    snapshot: str
    query: str
    default_graphs: tuple[str, ...] | None
    """IRIs of the graphs whose union is the default graph; None: the union of all graphs."""
    named_graphs: tuple[str, ...] | None
    """IRIs ``GRAPH`` may reach; None: every graph (with ``default_graphs`` None only)."""
    preference: Preference
    row_limit: int


@dataclass(frozen=True)
class Describe:
    """A stream's description written in an RDF syntax, here rather than in the server.

    The server's event loop runs on one core; a description's query and writing are most
    of a ``GET /streams/{id}``, so they run here, beside it. The same functions write it
    as in the server (:func:`catalogue.lookup.description_from`,
    :func:`api.conneg.serialize`), so the bytes are the same.
    """

    snapshot: str
    query: str
    """:func:`catalogue.lookup.stream_description_query` for ``identifier``."""
    identifier: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    representation: str
    """The ``?format=`` name of an RDF representation of :mod:`api.conneg`."""


@dataclass(frozen=True)
class Reply:
    """The outcome of a :class:`Job`.

    ``status``: ``ok``, ``syntax``, ``not-acceptable``, ``error`` (or ``ready``, once);
    ``not-found`` for a :class:`Describe` of a stream the view does not hold.
    """

    status: str
    body: bytes = b""
    format: str | None = None
    """Name of the :class:`~api.sparql.formats.Format` ``body`` is in."""
    truncated: bool = False
    message: str = ""
    acceptable: tuple[str, ...] = ()
    """With ``not-acceptable``: the media types the query form could have been answered in."""


class _Snapshot:
    """The snapshot this worker has open; a job naming another one switches to it."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.store: pyoxigraph.Store | None = None

    def open(self, path: str) -> pyoxigraph.Store:
        if self.path != path or self.store is None:
            # Drop the old handle first so its files are released before the server deletes them.
            self.store = None
            self.store = pyoxigraph.Store.read_only(path)
            self.path = path
        return self.store


def _evaluate(
    store: pyoxigraph.Store,
    query: str,
    default_graphs: tuple[str, ...] | None,
    named_graphs: tuple[str, ...] | None,
) -> pyoxigraph.QueryResult:
    if default_graphs is None:
        return store.query(query, use_default_graph_as_union=True)
    return store.query(
        query,
        default_graph=[NamedNode(g) for g in default_graphs],
        named_graphs=[NamedNode(g) for g in named_graphs or ()],
    )


def run(job: Job | Describe, snapshot: _Snapshot) -> Reply:
    if isinstance(job, Describe):
        return describe(job, snapshot)
    store = snapshot.open(job.snapshot)
    try:
        result = _evaluate(store, job.query, job.default_graphs, job.named_graphs)
    except SyntaxError as error:
        return Reply("syntax", message=str(error))
    family = Family.RESULTS if isinstance(result, QuerySolutions | QueryBoolean) else Family.GRAPH
    chosen = choose(family, job.preference)
    if chosen is None:
        return Reply(
            "not-acceptable",
            message=f"this query's results can be given as {_listing(FORMATS[family])}",
            acceptable=tuple(f.media_type for f in FORMATS[family]),
        )
    if isinstance(result, QuerySolutions):
        body, truncated = first_rows(result, chosen, job.row_limit)
        return Reply("ok", body, chosen.name, truncated)
    return Reply("ok", result.serialize(format=chosen.serialiser), chosen.name)  # type: ignore[arg-type]


def describe(job: Describe, snapshot: _Snapshot) -> Reply:
    from api import conneg
    from catalogue import lookup

    store = snapshot.open(job.snapshot)
    triples = _evaluate(store, job.query, job.default_graphs, job.named_graphs)
    found = lookup.description_from(job.identifier, triples)  # type: ignore[arg-type]
    if found is None:
        return Reply("not-found")
    representation = next(r for r in conneg.RDF if r.name == job.representation)
    return Reply("ok", conneg.serialize(found[1], representation))


def _warm() -> None:
    """Import what :func:`describe` needs in the background (about half a second: FastAPI
    and rdflib come with it), so that neither a worker's start nor its first description
    waits for it."""

    def warm() -> None:
        from api import conneg

        conneg.serialize([], conneg.JSON_LD)  # reads and encodes the JSON-LD context
        import catalogue.lookup  # noqa: F401

    threading.Thread(target=warm, daemon=True, name="warm").start()


class _Enough(Exception):
    """Raised from :class:`_Lines` to stop pyoxigraph's serialiser past the row limit."""


class _Lines:
    """A binary writer that keeps what pyoxigraph writes until it has ``limit`` rows too many."""

    def __init__(self, most: int) -> None:
        self.most = most
        self.parts: list[bytes] = []
        self.lines = 0

    def write(self, chunk: bytes) -> int:
        self.parts.append(bytes(chunk))
        self.lines += chunk.count(b"\n")
        if self.lines > self.most:
            raise _Enough
        return len(chunk)

    def flush(self) -> None:
        pass


def first_rows(solutions: QuerySolutions, chosen: Format, limit: int) -> tuple[bytes, bool]:
    """The first ``limit`` solutions in ``chosen``, and whether there were more.

    pyoxigraph serialises only a whole result, so it writes SPARQL TSV (one line per row,
    cells in N-Triples syntax: nothing is lost) into a writer that stops it one row past
    the limit; the kept lines are read back with pyoxigraph's parser and serialised in
    the chosen format. All in pyoxigraph: 10,000 rows to JSON in ~20 ms (~70 ms when
    Python wrote the cells), byte for byte what pyoxigraph gives for the query with LIMIT.
    Also cuts the solutions parsed from a remote server's answer (``api.sparql.remote``).
    """
    if not solutions.variables:
        # No columns: at most a few empty rows; nothing worth cutting.
        return solutions.serialize(format=chosen.serialiser), False  # type: ignore[arg-type]
    writer = _Lines(limit + 1)  # the header line and ``limit`` rows
    try:
        solutions.serialize(writer, format=QueryResultsFormat.TSV)  # type: ignore[arg-type]
        truncated = False
    except _Enough:
        truncated = True
    table = b"".join(writer.parts)
    if truncated:
        table = b"".join(line + b"\n" for line in table.split(b"\n")[: limit + 1])
    return tsv_as(table, chosen), truncated


def tsv_as(table: bytes, chosen: Format) -> bytes:
    """A SPARQL TSV results table in ``chosen`` (the same bytes when that is TSV)."""
    if chosen.name == "TSV":
        return table
    kept = pyoxigraph.parse_query_results(table, format=QueryResultsFormat.TSV)
    return kept.serialize(format=chosen.serialiser)  # type: ignore[union-attr, arg-type]


def _listing(formats: tuple[Format, ...]) -> str:
    return ", ".join(f"{f.name} ({f.media_type})" for f in formats)


def _exit_with_parent(interval: float = 1.0) -> None:
    """End this process when the server is gone, even in the middle of a query.

    A closed pipe is noticed only between queries; pyoxigraph releases the GIL while it
    evaluates, so this thread runs during a long query too.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def serve(connection: Connection) -> None:
    """Answer jobs until the server closes its end."""
    _exit_with_parent()
    snapshot = _Snapshot()
    connection.send(Reply("ready"))
    _warm()
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = run(job, snapshot)
        except Exception as error:  # the server must get an answer, whatever went wrong
            reply = Reply("error", message=f"{type(error).__name__}: {error}")
        connection.send(reply)


if __name__ == "__main__":
    # Run the imported module's serve, so replies pickle as api.sparql.worker.Reply,
    # not __main__.Reply, which the server could not unpickle.
    from api.sparql import worker

    worker.serve(Connection(int(sys.argv[1])))
