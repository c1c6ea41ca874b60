"""A store on an existing SPARQL 1.1 server, reached through the standard protocols only.

Queries and updates go through SPARQLWrapper as form-encoded POSTs (``query=`` /
``update=``): never a raw ``application/sparql-query`` body, on which Virtuoso hangs.
Answers are asked for as SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT,
DESCRIBE) and parsed with pyoxigraph, so callers see the same pyoxigraph terms and result
types as on the embedded store. A body that does not parse is an error, never a short
answer: Oxigraph server answers a query that timed out with HTTP 200 and a truncated body.

Datasets. A :class:`View` becomes the protocol's ``default-graph-uri`` and
``named-graph-uri`` parameters (the same list for both, as the embedded store does), which
replace any ``FROM`` / ``FROM NAMED`` in the query. The protocol cannot express an empty
list (no parameter means "the server's own dataset"), so a view of no graphs names
:data:`NO_GRAPH`, a graph nothing is ever written to. :data:`EVERYTHING` needs a default
graph that is the union of all graphs, which servers disagree about:

- ``union="parameter"`` (default) sends Oxigraph server's ``union-default-graph`` query
  parameter; the server's ``GRAPH ?g`` still reaches every named graph.
- ``union="listed"`` lists the named graphs first and sends them all as the dataset: one
  more request, but plain SPARQL 1.1 on any server.

Virtuoso (7.2, tested) differs from the standard; the differences that matter most:

- It adds a query's ``FROM`` / ``FROM NAMED`` to the protocol's dataset instead of letting
  the protocol replace them, so a query could name its way into a hidden graph. A view's
  query is therefore sent without its dataset clauses (:func:`without_dataset_clauses`),
  which on a conforming server changes nothing.
- It cuts every answer at ``ResultSetMaxRows`` (10,000 by default) and says so only in an
  ``X-SPARQL-MaxRows`` header. An answer that reaches that number is never taken as
  complete: the store's own reads (``quads()``, ``named_graphs()``) then page with an
  ordered subquery and LIMIT/OFFSET; a caller's query raises :class:`RowCapReached`.
- ``GRAPH ?g { }`` answers one unbound row, and its own system graphs (:data:`SYSTEM_GRAPHS`)
  sit beside the catalogue's; both are left out of ``named_graphs()`` and ``quads()``.

The others: ``Accept`` follows the query form (:data:`ACCEPT_BY_FORM`); blank nodes are
written as Skolem IRIs and read back as blank nodes (:mod:`catalogue.store.skolem`), and its
single-precision geometries are read back as the WKT literals written
(:mod:`catalogue.store.geometry`). On Oxigraph server none of this changes an answer.

Large writes are *staged* (:meth:`RemoteStore._staged_write`): loaded in batches into
staging graphs no caller sees, then moved into place by one update request.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import re
import urllib.error
import uuid
import warnings
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from typing import Literal as Choice

import pyoxigraph
from pyoxigraph import (
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    RdfFormat,
    Triple,
)
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from catalogue.store import booleans, geometry, skolem
from catalogue.store.base import (
    EVERYTHING,
    QueryResult,
    Row,
    SubmissionWrite,
    View,
    WriteProgress,
    insert_data,
    write_update,
)
from catalogue.store.graph_store import post_graph
from catalogue.store.oxigraph import StoreError

NO_GRAPH = NamedNode("urn:x-sidestream:no-graph")
"""Stands for an empty dataset; the catalogue never writes to it."""

STAGING = "urn:x-sidestream:staging:"
"""Prefix of the graphs a staged write fills before it moves them into place."""
STAMP = "%Y%m%dT%H%M%SZ"

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
# Accept follows the query form: Virtuoso honours a results type first even for a CONSTRUCT
# (and then fails, SR606, or answers an empty one as a SELECT). A text whose form cannot be
# told (malformed: the server refuses it) asks for either; Content-Type says which came back.
ACCEPT = f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"
ACCEPT_BY_FORM = {
    "SELECT": RESULTS_JSON,
    "ASK": RESULTS_JSON,
    "CONSTRUCT": N_TRIPLES,
    "DESCRIBE": N_TRIPLES,
}

SYSTEM_GRAPHS = frozenset(
    {
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
    }
)
"""Graphs a fresh Virtuoso holds for itself: never the catalogue's, never listed or read."""

# Fixed query patterns of the store itself (no user input reaches them).
_NOT_SYSTEM = "FILTER (?g NOT IN ({}))".format(", ".join(f"<{g}>" for g in sorted(SYSTEM_GRAPHS)))
ALL_QUADS = f'GRAPH ?g {{ ?s ?p ?o }} {_NOT_SYSTEM} FILTER (!STRSTARTS(STR(?g), "{STAGING}"))'
GRAPH_TRIPLES = "?s ?p ?o"
NAMED_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
# Virtuoso answers the query above with one unbound row: it has no empty graphs, so every
# graph it knows has a triple.
NAMED_GRAPHS_WITH_TRIPLES = f"GRAPH ?g {{ ?s ?p ?o }} {_NOT_SYSTEM}"
ROW_CAP_HEADER = "X-SPARQL-MaxRows"
VIRTUOSO_ROW_CAP = 10_000
"""Virtuoso's default ``ResultSetMaxRows``, assumed for its graphs until it declares one."""

_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
# Strings, IRIs and comments are skipped whole, so a FROM inside them is left alone; a FROM
# keyword (not ?from, ex:from or from:x) with its IRI or prefixed name is a dataset clause.
_DATASET_TOKENS = re.compile(
    r"""(?P<skip>"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}"""
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|"""
    + _IRI
    + r"""|\#[^\n]*)"""
    + r"|(?P<dataset>(?<![\w?$:.-])FROM(?![\w:-])\s*(?:NAMED(?![\w:-])\s*)?(?:"
    + _IRI
    + r"|[\w.-]*:[\w.:%-]*))",
    re.IGNORECASE,
)


_FORM = re.compile(r"(?<![\w?$:.-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside strings, IRIs and
    comments (the prologue before it holds only BASE and PREFIX), or None."""
    code = _DATASET_TOKENS.sub(
        lambda match: " " if match.group("skip") is not None else match.group(), query
    )
    found = _FORM.search(code)
    return found.group(1).upper() if found else None


def without_dataset_clauses(query: str) -> str:
    """``query`` without its ``FROM`` and ``FROM NAMED`` clauses.

    The protocol's dataset parameters replace them on a conforming server; Virtuoso adds
    them to the dataset instead, so they are removed before a view's query is sent.
    """
    return _DATASET_TOKENS.sub(
        lambda match: match.group() if match.group("skip") is not None else " ", query
    )


class RowCapReached(StoreError):
    """An answer reached the server's row cap (Virtuoso's ``ResultSetMaxRows``): it may be
    cut, so it is not used."""

    def __init__(self, endpoint: str, cap: int) -> None:
        super().__init__(
            f"the SPARQL endpoint {endpoint} answered {cap} rows, its row cap "
            f"({ROW_CAP_HEADER}): the answer may be cut. Add a LIMIT below {cap}, page the "
            "query, or raise the server's cap (Virtuoso: ResultSetMaxRows)"
        )
        self.cap = cap


class RemoteStore:
    """The CatalogueStore protocol over a SPARQL 1.1 query URL, update URL and graph store URL.

    ``update_endpoint`` defaults to ``endpoint`` (Virtuoso, Neptune and QLever take both at
    one URL). ``gsp_endpoint`` (Graph Store Protocol) carries the batches of large writes
    (:meth:`write`). ``user`` and ``password`` are sent as HTTP basic credentials on every
    request. ``row_cap`` is the server's known row cap (Virtuoso's ``ResultSetMaxRows``); the
    ``X-SPARQL-MaxRows`` header of any answer replaces it. The write sizes and
    ``staging_ttl`` are described at :meth:`write` and :meth:`_staged_write`.
    """

    def __init__(
        self,
        endpoint: str,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: int = 300,
        union: Choice["parameter", "listed"] = "parameter",
        row_cap: int | None = None,
        single_request_quads: int = 2_000,
        batch_quads: int = 50_000,
        update_batch_quads: int = 1_000,
        staging_ttl: float = 24 * 3600,
    ) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.gsp_endpoint = gsp_endpoint
        self.user = user
        self.password = password
        self.timeout = timeout
        self.union = union
        self.row_cap = row_cap
        self.single_request_quads = single_request_quads
        self.batch_quads = batch_quads
        self.update_batch_quads = update_batch_quads
        self.staging_ttl = staging_ttl

    def _wrapper(self) -> SPARQLWrapper:
        # A fresh wrapper per request: SPARQLWrapper keeps parameters between calls.
        wrapper = SPARQLWrapper(self.endpoint, updateEndpoint=self.update_endpoint)
        wrapper.setMethod(POST)  # form-encoded by default (URLENCODED)
        wrapper.setOnlyConneg(True)  # no format=json parameters: Accept alone decides
        wrapper.setTimeout(self.timeout)
        if self.user is not None:
            wrapper.setCredentials(self.user, self.password or "")
        return wrapper

    def _dataset(self, view: View) -> list[tuple[str, str]]:
        """The protocol parameters that make ``view`` the query's dataset."""
        graphs = None if view.graphs is None else [graph.value for graph in view.graphs]
        return self.dataset_parameters(graphs, graphs)

    def dataset_parameters(
        self, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
    ) -> list[tuple[str, str]]:
        """The protocol parameters for a dataset of graph IRIs (the one place that makes them).

        ``default_graphs`` None means the whole store (``named_graphs`` is then not read);
        an empty list means no graph at all. Used by :meth:`_dataset` and by the service's
        SPARQL endpoint (``api.sparql.remote``), whose protocol dataset may differ for the
        two lists.
        """
        if default_graphs is None:
            if self.union == "parameter":
                return [("union-default-graph", "true")]
            default_graphs = named_graphs = [graph.value for graph in self.named_graphs()]
        # The protocol cannot say "no graphs": an empty list names a graph never written.
        defaults = list(default_graphs) or [NO_GRAPH.value]
        named = list(named_graphs or ()) or [NO_GRAPH.value]
        return [("default-graph-uri", iri) for iri in defaults] + [
            ("named-graph-uri", iri) for iri in named
        ]

    def _fetch(
        self, query: str, parameters: list[tuple[str, str]]
    ) -> tuple[bytes, str, int | None]:
        """The body, media type and row cap (None: the server declares none) of the answer to
        ``query`` sent with ``parameters``."""
        wrapper = self._wrapper()
        _set_text(wrapper, query)
        # Whatever SPARQLWrapper guessed from the text, this is a query, not an update.
        wrapper.queryType = "SELECT"
        wrapper.addCustomHttpHeader("Accept", ACCEPT_BY_FORM.get(query_form(query) or "", ACCEPT))
        for name, value in parameters:
            wrapper.addParameter(name, value)
        try:
            response = wrapper.query().response
            body = response.read()
        except (SPARQLWrapperException, urllib.error.URLError, OSError) as error:
            raise StoreError(
                f"the SPARQL endpoint {self.endpoint} failed: {_short(error)}"
            ) from error
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        header = (response.headers.get(ROW_CAP_HEADER) or "").strip()
        cap = int(header) if header.isdigit() else None
        if cap is not None:
            self.row_cap = cap  # remembered for the graphs, which do not declare it
        elif media_type == N_TRIPLES:
            # Virtuoso cuts a CONSTRUCT or DESCRIBE at its cap (+1) without any header: the
            # cap it last declared, or its default when it has declared none yet.
            server = response.headers.get("Server") or ""
            cap = self.row_cap or (VIRTUOSO_ROW_CAP if server.startswith("Virtuoso/") else None)
        return body, media_type, cap

    def _view_query(self, query: str, view: View) -> tuple[str, list[tuple[str, str]]]:
        """``query`` and its dataset parameters for ``view``: a restricted view's query loses
        its dataset clauses, which Virtuoso would add to the view instead of replacing."""
        if view.graphs is not None:
            query = without_dataset_clauses(query)
        return query, self._dataset(view)

    def _uncapped(self, count: int, cap: int | None) -> None:
        """Refuse an answer that reached the server's row cap: it may be cut."""
        if cap is not None and count >= cap:
            raise RowCapReached(self.endpoint, cap)

    def query(self, query: str, view: View = EVERYTHING) -> QueryResult:
        """Run ``query`` over the dataset ``view`` allows; the whole answer is read and checked.

        Results are pyoxigraph's own types, as on the embedded store; a CONSTRUCT's triples
        come back as ``QueryTriples`` through an in-memory pyoxigraph store.
        """
        body, media_type, cap = self._fetch(*self._view_query(query, view))
        if media_type == N_TRIPLES:
            triples = _triples(body)
            self._uncapped(len(triples), cap)
            memory = pyoxigraph.Store()
            memory.extend(Quad(t.subject, t.predicate, t.object) for t in triples)
            return memory.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        if media_type != RESULTS_JSON:
            raise StoreError(
                f"the SPARQL endpoint {self.endpoint} answered {media_type or 'no media type'}"
            )
        rows = _results(body)  # parse once completely to catch a truncated body
        if isinstance(rows, list):
            self._uncapped(len(rows), cap)
        if isinstance(rows, list) and needs_restoring(body):
            return pyoxigraph.parse_query_results(
                _restored_results(body), format=QueryResultsFormat.TSV
            )
        return pyoxigraph.parse_query_results(body, format=QueryResultsFormat.JSON)

    def _select(self, query: str, parameters: list[tuple[str, str]]) -> list[Row]:
        rows, cap = self._select_capped(query, parameters)
        self._uncapped(len(rows), cap)
        return rows

    def _select_capped(
        self, query: str, parameters: list[tuple[str, str]]
    ) -> tuple[list[Row], int | None]:
        body, media_type, cap = self._fetch(query, parameters)
        rows = _results(body) if media_type == RESULTS_JSON else None
        if not isinstance(rows, list):
            raise TypeError("select() needs a SELECT query")
        return rows, cap

    def _all_rows(
        self, variables: str, pattern: str, parameters: list[tuple[str, str]], distinct: str = ""
    ) -> list[Row]:
        """Every row of the store's own ``SELECT {distinct} {variables} WHERE {pattern}``.

        Asked once; an answer that reached the server's row cap is asked again in pages of
        the cap, ordered in a subquery (Virtuoso refuses ORDER BY with OFFSET past its cap
        at the top level, SR353). Pages are separate requests, not one snapshot: a write
        between them may be seen in part.
        """
        whole = f"SELECT {distinct} {variables} WHERE {{ {pattern} }}"
        rows, cap = self._select_capped(whole, parameters)
        if cap is None or len(rows) < cap:
            return rows
        rows, offset = [], 0
        while True:
            page, _ = self._select_capped(
                f"SELECT {variables} WHERE {{ {{ {whole} ORDER BY {variables} }} }} "
                f"OFFSET {offset} LIMIT {cap}",
                parameters,
            )
            rows.extend(page)
            if len(page) < cap:
                return rows
            offset += cap

    def select(self, query: str, view: View = EVERYTHING) -> list[Row]:
        return self._select(*self._view_query(query, view))

    def ask(self, query: str, view: View = EVERYTHING) -> bool:
        body, media_type, _ = self._fetch(*self._view_query(query, view))
        answer = _results(body) if media_type == RESULTS_JSON else None
        if not isinstance(answer, bool):
            raise TypeError("ask() needs an ASK query")
        return answer

    def construct(self, query: str, view: View = EVERYTHING) -> list[Triple]:
        body, media_type, cap = self._fetch(*self._view_query(query, view))
        if media_type != N_TRIPLES:
            raise TypeError("construct() needs a CONSTRUCT or DESCRIBE query")
        triples = _triples(body)
        self._uncapped(len(triples), cap)
        return triples

    def _update(self, update: str) -> None:
        """Send ``update`` as one request: on Oxigraph server, one transaction."""
        wrapper = self._wrapper()
        _set_text(wrapper, update)
        wrapper.queryType = "INSERT"  # an update, whatever its first keyword
        try:
            wrapper.query().response.read()
        except (SPARQLWrapperException, urllib.error.URLError, OSError) as error:
            raise StoreError(
                f"the SPARQL update endpoint {self.update_endpoint} failed: {_short(error)}"
            ) from error

    def write(self, change: SubmissionWrite, progress: WriteProgress | None = None) -> None:
        """Apply ``change`` so that no caller ever sees part of it.

        Up to ``single_request_quads`` quads: the drops, the metadata deletes and the insert
        in one SPARQL Update request. More (a submission of thousands of streams, a bulk
        load): *staged* (:meth:`_staged_write`). Oxigraph server runs one request as one
        transaction (a failure anywhere in it leaves the store as it was; tested). The SPARQL
        1.1 Update standard only says a request's operations run in order, and Virtuoso 7.2
        does *not* undo the operations before a failing one (measured: a failing last
        operation leaves an earlier DROP and INSERT done). There, a request that fails
        midway can leave a replaced submission dropped and the new one unregistered (hidden
        from every view) until the load is run again; never half a submission visible, as
        the registration comes last. Fuseki (TDB2) and GraphDB document one request as one
        transaction; not tested here. A failed request raises :class:`StoreError`.
        """
        if not change.replaces and not change.metadata_subjects and not change.quads:
            return
        change = dataclasses.replace(change, quads=skolem.skolemise(change.quads))
        if len(change.quads) > self.single_request_quads or change.batch_graphs:
            self._staged_write(change, progress)
            return
        self._update(write_update(change))
        if progress is not None:
            progress(len(change.quads), len(change.quads))

    def _staged_write(self, change: SubmissionWrite, progress: WriteProgress | None) -> None:
        """Load the content in batches, then make it visible with one update request.

        Batches go through the Graph Store Protocol when a ``gsp_endpoint`` is set
        (``batch_quads`` each; the server's bulk parser), else as update requests of
        ``update_batch_quads`` (Virtuoso's SPARQL compiler runs out of memory near 5,000
        triples). Where they go depends on what the change replaces:

        - *A new submission* (nothing replaced, a metadata graph given): straight into its
          own graphs, which no view holds until the last request inserts the metadata that
          registers them (``catalogue.access.view_for`` builds every view from it). Those
          graphs are dropped first, in case an interrupted load of the same submission
          left them. No copy: one large transaction would cost the server memory in
          proportion to the submission (Oxigraph server held 10.8 GB moving 6.5 M quads;
          Virtuoso refuses past its ``TransactionAfterImageLimit``).
        - *Anything else* (a replacement): into staging graphs (:data:`STAGING`), which are
          in no view and not listed by :meth:`named_graphs` nor read by :meth:`quads`; the
          last request drops what is replaced, deletes the old metadata, ``MOVE``s every
          staging graph onto its target and inserts the new metadata, so callers see the
          old submission until then and the new one after.

        A failure before the last request drops what this write sent; a crash leaves it,
        unregistered (a later load of the same submission drops it) or in staging graphs
        (a later staged write drops those older than ``staging_ttl`` seconds).
        """
        metadata = [quad for quad in change.quads if quad.graph_name == change.metadata_graph]
        content = [quad for quad in change.quads if quad.graph_name != change.metadata_graph]
        self._drop_stale_staging()
        targets = sorted({quad.graph_name for quad in content} | set(change.batch_graphs), key=str)
        named = [target for target in targets if isinstance(target, NamedNode)]
        direct = change.registers_new_content
        if direct:
            staging = {target: target for target in named}
            self._drop(named)
        else:
            run = staging_run()
            staging = {target: NamedNode(f"{run}:{index}") for index, target in enumerate(named)}
        total, sent = len(change.quads), 0
        size = self.batch_quads if self.gsp_endpoint else self.update_batch_quads
        # content produced while it is written reports its own progress (publish knows its
        # streams; the quads still to come are not known here)
        progress = None if change.batch_graphs else progress
        pieces = itertools.chain([content], (skolem.skolemise(b) for b in change.batches))
        try:
            for piece in pieces:
                for start in range(0, len(piece), size):
                    self._stage(piece[start : start + size], staging)
                    sent += len(piece[start : start + size])
                    if progress is not None:
                        progress(sent, total)
            removals = write_update(dataclasses.replace(change, quads=[]))
            moves = [] if direct else [f"MOVE GRAPH {staging[t]} TO GRAPH {t}" for t in named]
            inserts = insert_data(metadata) if metadata else ""
            final = " ;\n".join(filter(None, [removals, *moves, inserts]))
            if final:
                self._update(final)
        except BaseException:
            with contextlib.suppress(StoreError):
                self._drop(list(staging.values()))
            raise
        if progress is not None:
            progress(total, total)

    def _stage(self, quads: list[Quad], staging: dict[NamedNode, NamedNode]) -> None:
        """Send one batch, each quad into the graph ``staging`` maps its graph to: a Graph
        Store Protocol body per graph, or one update request without a graph store URL."""
        by_graph: dict[NamedNode, list[Quad]] = {}
        for quad in quads:
            target = staging[quad.graph_name]  # type: ignore[index]
            by_graph.setdefault(target, []).append(
                Quad(quad.subject, quad.predicate, quad.object, target)
            )
        if self.gsp_endpoint is None:
            self._update(insert_data(q for part in by_graph.values() for q in part))
            return
        for graph, part in by_graph.items():
            post_graph(
                self.gsp_endpoint,
                graph,
                part,
                user=self.user,
                password=self.password,
                timeout=self.timeout,
            )

    def _drop(self, graphs: list[NamedNode]) -> None:
        if graphs:
            self._update(" ;\n".join(f"DROP SILENT GRAPH {graph}" for graph in graphs))

    def staging_graphs(self) -> list[NamedNode]:
        """The staging graphs on the server: loads in progress, or left by a crash."""
        return [graph for graph in self._graphs() if graph.value.startswith(STAGING)]

    def _drop_stale_staging(self) -> None:
        now = datetime.now(UTC)
        self._drop(
            [
                graph
                for graph in self.staging_graphs()
                if (started := staging_started(graph)) is None
                or (now - started).total_seconds() > self.staging_ttl
            ]
        )

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        """The quads of one named graph, or of every named graph (the catalogue writes no
        triples to the default graph, so none are looked for there)."""
        if graph is None:
            for row in self._all_rows("?g ?s ?p ?o", ALL_QUADS, []):
                yield Quad(row["s"], row["p"], row["o"], row["g"])  # type: ignore[arg-type]
            return
        for row in self._all_rows("?s ?p ?o", GRAPH_TRIPLES, self._dataset(View((graph,)))):
            yield Quad(row["s"], row["p"], row["o"], graph)  # type: ignore[arg-type]

    def named_graphs(self) -> list[NamedNode]:
        """The catalogue's graphs: not the server's system graphs, not staging graphs."""
        return [graph for graph in self._graphs() if not graph.value.startswith(STAGING)]

    def _graphs(self) -> list[NamedNode]:
        # No dataset parameters: the server's own dataset, where GRAPH ?g reaches every graph.
        rows = self._select(NAMED_GRAPHS, [])
        if any("g" not in row for row in rows):  # Virtuoso: see NAMED_GRAPHS_WITH_TRIPLES
            rows = self._all_rows("?g", NAMED_GRAPHS_WITH_TRIPLES, [], distinct="DISTINCT")
        return [
            g
            for row in rows
            if isinstance(g := row.get("g"), NamedNode)
            and g != NO_GRAPH
            and g.value not in SYSTEM_GRAPHS
        ]

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add ``quads`` in one update request (one transaction on Oxigraph server)."""
        quads = skolem.skolemise(quads)
        if quads:
            self._update(insert_data(quads))

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""


def _short(error: Exception, length: int = 600) -> str:
    """An error's text cut short: servers echo the whole request (megabytes of data)."""
    text = str(error)
    return text if len(text) <= length else text[:length] + " …"


def staging_run() -> str:
    """A new staging prefix: :data:`STAGING`, the start time (UTC), a random part."""
    return f"{STAGING}{datetime.now(UTC).strftime(STAMP)}:{uuid.uuid4().hex[:12]}"


def staging_started(graph: NamedNode) -> datetime | None:
    """When the load that made staging graph ``graph`` started (None: not a name we make)."""
    try:
        stamp = graph.value.removeprefix(STAGING).split(":", 1)[0]
        return datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def _set_text(wrapper: SPARQLWrapper, text: str) -> None:
    """Give ``wrapper`` its query or update text, without its guess at the query form.

    SPARQLWrapper warns when its regular expression cannot tell the form (malformed text,
    which the server then rejects); the caller sets the form itself, so the warning would
    only be noise on stderr.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        wrapper.setQuery(text)


def _results(body: bytes) -> list[Row] | bool:
    """A SPARQL JSON results body read completely: rows, or an ASK's answer."""
    try:
        answer = pyoxigraph.parse_query_results(body, format=QueryResultsFormat.JSON)
        if isinstance(answer, QueryBoolean):
            return bool(answer)
        names = [variable.value for variable in answer.variables]
        rows = [
            {name: term for name in names if (term := solution[name]) is not None}
            for solution in answer
        ]
    except (SyntaxError, ValueError) as error:
        raise StoreError(f"the SPARQL endpoint's answer does not parse: {error}") from error
    if needs_restoring(body):
        rows = [{name: _restore(term) for name, term in row.items()} for row in rows]
    return rows


def _triples(body: bytes) -> list[Triple]:
    """An N-Triples body read completely, its terms as written (:func:`restored_text`)."""
    try:
        return [
            quad.triple
            for quad in pyoxigraph.parse(restored_text(body), format=RdfFormat.N_TRIPLES)
        ]
    except (SyntaxError, ValueError) as error:
        raise StoreError(f"the SPARQL endpoint's answer does not parse: {error}") from error


RESTORERS = (skolem, geometry, booleans)
"""What a remote store changes in the terms it is given, each undone in every answer read:
blank nodes written as Skolem IRIs (:mod:`~catalogue.store.skolem`), Virtuoso's
single-precision geometries (:mod:`~catalogue.store.geometry`) and numeric booleans
(:mod:`~catalogue.store.booleans`)."""


def needs_restoring(body: bytes) -> bool:
    return any(restorer.MARKER in body for restorer in RESTORERS)


def restored_text(text: bytes) -> bytes:
    """N-Triples or SPARQL TSV with its terms as the catalogue wrote them (:data:`RESTORERS`)."""
    for restorer in RESTORERS:
        text = restorer.restore_text(text)
    return text


def _restore(term: Any) -> Any:
    """A term as the catalogue wrote it (:data:`RESTORERS`)."""
    for restorer in RESTORERS:
        term = restorer.restore_term(term)
    return term


def _restored_results(body: bytes) -> bytes:
    """A SPARQL JSON results body as SPARQL TSV with its terms restored, for callers that
    parse it themselves (cells are pyoxigraph's N-Triples forms of the terms)."""
    answer = pyoxigraph.parse_query_results(body, format=QueryResultsFormat.JSON)
    names = [variable.value for variable in answer.variables]  # type: ignore[union-attr]
    lines = ["\t".join(f"?{name}" for name in names)]
    for solution in answer:  # type: ignore[union-attr]
        lines.append("\t".join("" if solution[n] is None else str(solution[n]) for n in names))
    return restored_text(("\n".join(lines) + "\n").encode())
