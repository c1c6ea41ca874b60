"""The endpoint's executor on a remote SPARQL store: the caller's query forwarded to the server.

Same interface as :class:`api.sparql.executor.SparqlExecutor` (``run``, ``timeout``,
``row_limit``, ``start``, ``stop``), so ``/sparql`` and ``/query/run`` do not know which
one runs. The route has already refused updates and ``SERVICE``; here the query goes to
the server's query URL as a form-encoded POST (Virtuoso hangs on a raw query body) with
the caller's dataset as ``default-graph-uri`` / ``named-graph-uri``
(:meth:`RemoteStore.dataset_parameters`, the store's own rule), asking for the media type
the client negotiated, so the server serialises.

Checks, because a server's answer is not trusted blindly:

- **Time limit.** The request runs in a thread (httpx, off the event loop) with the limit
  as its HTTP timeout, and the body is read against the same deadline: past it the
  connection is closed and the caller gets 503. Closing ends a streamed answer on the
  server too; a query still computing its first row there runs until the server's own
  limit (Oxigraph server ``--timeout-s``), which an operator should set.
- **Cut bodies.** Oxigraph server answers a query that ran past its own limit with 200
  and a truncated body. Every answer is parsed completely with pyoxigraph before it is
  sent on, and one that does not parse is an error (500). Results are asked for as JSON
  and always written here by pyoxigraph, so they are the embedded endpoint's bytes.
- **Terms as written.** Blank nodes stored as Skolem IRIs and Virtuoso's geometries are
  restored as the store's own reads restore them (``restored_text``).
- **Row caps.** A server's declared cap (Virtuoso's ``X-SPARQL-MaxRows``) counts as a row
  limit (one row less is sent, marked truncated); a graph answer that reaches a cap is
  an error, since it may be cut and cannot be marked.
- **Row limit.** SELECT rows are counted while parsing; past ``row_limit`` the reading
  stops and the first ``row_limit`` rows are serialised by pyoxigraph, announced with
  the same ``truncated`` flag the worker processes set.
"""

from __future__ import annotations

import asyncio
import io
import time
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import httpx
import pyoxigraph
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions

from api.sparql.executor import QueryTimeout, WorkerFailed
from api.sparql.formats import (
    BY_NAME,
    FORMATS,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Family,
    Format,
    Preference,
    choose,
)
from api.sparql.worker import Reply, first_rows, tsv_as
from catalogue.store.oxigraph import StoreError
from catalogue.store.remote import (
    ROW_CAP_HEADER,
    VIRTUOSO_ROW_CAP,
    RemoteStore,
    restored_text,
    without_dataset_clauses,
)

THREADS = 8
"""Queries in flight at once; more wait for a thread (their time limit runs meanwhile)."""
CHUNK = 64 * 1024


class _PastDeadline(Exception):
    """The answer was still arriving when the time limit passed."""


class _Body(io.RawIOBase):
    """The response body as a file pyoxigraph parses lazily; reads past the deadline fail.

    Keeps what it read, so an answer that needs no cutting is sent on as the server wrote it.
    """

    def __init__(self, response: httpx.Response, deadline: float) -> None:
        self._chunks = response.iter_raw(CHUNK)
        self._deadline = deadline
        self._pending = b""
        self.read_so_far: list[bytes] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if time.monotonic() > self._deadline:
            raise _PastDeadline
        if not self._pending:
            self._pending = next(self._chunks, b"")
            self.read_so_far.append(self._pending)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def rest(self) -> bytes:
        """Everything, reading to the end (under the deadline)."""
        while self.read(CHUNK):
            pass
        return b"".join(self.read_so_far)


class RemoteSparqlExecutor:
    """Runs endpoint queries on ``store``'s server under ``timeout`` and ``row_limit``."""

    def __init__(self, store: RemoteStore, *, timeout: float, row_limit: int) -> None:
        self.store = store
        self.timeout = timeout
        self.row_limit = row_limit
        auth = (store.user, store.password or "") if store.user is not None else None
        self._client = httpx.Client(auth=auth, limits=httpx.Limits(max_connections=THREADS))
        self._threads = ThreadPoolExecutor(THREADS, thread_name_prefix="sparql-remote")

    async def start(self) -> None:
        """Nothing to start: the server is someone else's (it is reached on first query)."""

    async def stop(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    async def run(
        self,
        query: str,
        default_graphs: tuple[str, ...] | None,
        named_graphs: tuple[str, ...] | None,
        preference: Preference,
    ) -> Reply:
        """The server's answer to ``query`` over the dataset, checked and cut to the limit.

        Raises :class:`QueryTimeout` past the time limit and :class:`WorkerFailed` when
        the server cannot be reached.
        """
        deadline = time.monotonic() + self.timeout
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._threads, self._run, query, default_graphs, named_graphs, preference, deadline
        )

    def _run(
        self,
        query: str,
        default_graphs: tuple[str, ...] | None,
        named_graphs: tuple[str, ...] | None,
        preference: Preference,
        deadline: float,
    ) -> Reply:
        results = choose(Family.RESULTS, preference)
        graph = choose(Family.GRAPH, preference)
        # Results are always asked for as JSON, the format servers write most faithfully
        # (Virtuoso's TSV quotes its header; CSV cannot be parsed back), and written here.
        asked_results = BY_NAME["JSON"] if results is not None else None
        # Graphs as N-Triples: no prefixes hide the terms to restore; written here too.
        asked_graph = BY_NAME["N-Triples"] if graph is not None else None
        accept = ", ".join(f.media_type for f in (asked_results, asked_graph) if f is not None)
        try:
            # The listed union asks the server for its graphs first; that time counts too.
            dataset = self.store.dataset_parameters(default_graphs, named_graphs)
            if default_graphs is not None:
                # A restricted dataset: the query's own FROM clauses go, as the store's
                # queries lose them (Virtuoso adds them to the protocol's dataset).
                query = without_dataset_clauses(query)
        except StoreError as error:
            raise WorkerFailed(str(error)) from error
        remaining = deadline - time.monotonic()
        try:
            parameters = [("query", query), *dataset]
            request = self._client.build_request(
                "POST",
                self.store.endpoint,
                data=_form(parameters),
                headers={"Accept": accept},
                timeout=httpx.Timeout(max(remaining, 0.001)),
            )
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise QueryTimeout from None
        except (httpx.HTTPError, OSError) as error:
            raise WorkerFailed(f"the SPARQL server cannot be reached: {error}") from error
        failure: Exception
        try:
            return self._answer(response, deadline, results, graph)
        except (_PastDeadline, httpx.TimeoutException):
            failure = QueryTimeout()
        except httpx.HTTPError as error:
            failure = WorkerFailed(f"the SPARQL server's answer broke off: {error}")
        finally:
            response.close()
        # Raised outside the except blocks, so no traceback holds the parser's frames: its
        # pyoxigraph objects must be dropped on this thread, not on the event loop's.
        raise failure

    def _answer(
        self,
        response: httpx.Response,
        deadline: float,
        results: Format | None,
        graph: Format | None,
    ) -> Reply:
        body = _Body(response, deadline)
        if response.status_code == 400:
            return Reply("syntax", message=_message(body.rest()))
        if response.status_code == 406:
            family = Family.GRAPH if results is not None else Family.RESULTS
            return Reply(
                "not-acceptable",
                message="none of the accepted media types fits this query's form",
                acceptable=tuple(f.media_type for f in FORMATS[family]),
            )
        if response.status_code != 200:
            detail = _message(body.rest())
            return Reply(
                "error", message=f"the SPARQL server answered {response.status_code}: {detail}"
            )
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        answered = _format(media_type)
        if answered is None:
            return Reply("error", message=f"the SPARQL server answered {media_type or 'no type'}")
        try:
            if answered.family is Family.GRAPH:
                return self._graph(body.rest(), answered, graph or answered, response.headers)
            parsed = pyoxigraph.parse_query_results(
                body,  # type: ignore[arg-type]
                format=cast(QueryResultsFormat, answered.serialiser),
            )
            wanted = results or answered
            if isinstance(parsed, QueryBoolean):
                body.rest()
                return _boolean(bool(parsed), wanted)
            return self._solutions(parsed, body, answered, wanted, _declared_cap(response.headers))
        except (SyntaxError, ValueError) as error:
            return Reply("error", message=f"the SPARQL server's answer does not parse: {error}")

    def _graph(
        self, content: bytes, answered: Format, wanted: Format, headers: httpx.Headers
    ) -> Reply:
        """A graph answer, parsed whole, its terms restored as the store reads them (Skolem
        IRIs, Virtuoso's geometries) and written by pyoxigraph in ``wanted``; refused when
        it reached a row cap."""
        if answered.name == "N-Triples":
            content = restored_text(content)
        triples = [quad.triple for quad in pyoxigraph.parse(content, format=answered.serialiser)]  # type: ignore[arg-type]
        # Virtuoso cuts a CONSTRUCT at its cap (+1) and says nothing: its last declared cap,
        # or its default.
        cap = self.store.row_cap
        if cap is None and (headers.get("server") or "").startswith("Virtuoso/"):
            cap = VIRTUOSO_ROW_CAP
        if cap is not None and len(triples) >= cap:
            return Reply(
                "error",
                message=f"the SPARQL server answered {len(triples)} triples, its row cap "
                f"({cap}): the answer may be cut. Add a LIMIT below {cap}, or raise the "
                "server's cap (Virtuoso: ResultSetMaxRows)",
            )
        text = pyoxigraph.serialize(triples, format=wanted.serialiser)  # type: ignore[arg-type]
        return Reply("ok", text, wanted.name)

    def _solutions(
        self,
        solutions: QuerySolutions,
        body: _Body,
        answered: Format,
        wanted: Format,
        cap: int | None,
    ) -> Reply:
        """The rows, cut to the row limit. A server's declared cap (Virtuoso's
        ``X-SPARQL-MaxRows``) is a limit too: an answer of that many rows may be cut, so
        one row less is sent, marked truncated."""
        if cap is not None:
            self.store.row_cap = cap  # remembered for graph answers, which do not declare it
        limit = self.row_limit if cap is None or cap > self.row_limit else cap - 1
        # Reading the rows parses the server's answer (so a cut body raises here); the
        # cut and the serialisation are the worker processes' own.
        # Always written here, never the server's bytes: the same answer as the embedded
        # endpoint's whatever the server adds (Virtuoso's JSON carries extra keys).
        table, truncated = first_rows(solutions, BY_NAME["TSV"], limit)
        return Reply("ok", tsv_as(restored_text(table), wanted), wanted.name, truncated)


def _declared_cap(headers: httpx.Headers) -> int | None:
    value = (headers.get(ROW_CAP_HEADER) or "").strip()
    return int(value) if value.isdigit() else None


def _boolean(value: bool, wanted: Format) -> Reply:
    """An ASK's answer written by pyoxigraph, as the embedded endpoint writes it."""
    text = b"true" if value else b"false"
    parsed = pyoxigraph.parse_query_results(
        b'{"head":{},"boolean":' + text + b"}", format=QueryResultsFormat.JSON
    )
    return Reply(
        "ok",
        cast(bytes, parsed.serialize(format=cast(QueryResultsFormat, wanted.serialiser))),
        wanted.name,
    )


def _format(media_type: str) -> Format | None:
    for candidate in (*RESULT_FORMATS, *GRAPH_FORMATS):
        if media_type == candidate.media_type:
            return candidate
    return None


def _form(parameters: list[tuple[str, str]]) -> dict[str, list[str]]:
    """httpx's form data: repeated names as lists, in order."""
    form: dict[str, list[str]] = {}
    for name, value in parameters:
        form.setdefault(name, []).append(value)
    return form


def _message(body: bytes) -> str:
    return body.decode("utf-8", "replace").strip()[:2000] or "no message"
