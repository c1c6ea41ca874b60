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
"""

from __future__ import annotations

import urllib.error
import warnings
from collections.abc import Iterable, Iterator, Sequence
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

from catalogue.store.base import (
    EVERYTHING,
    QueryResult,
    Row,
    SubmissionWrite,
    View,
    insert_data,
    write_update,
)
from catalogue.store.oxigraph import StoreError

NO_GRAPH = NamedNode("urn:x-sidestream:no-graph")
"""Stands for an empty dataset; the catalogue never writes to it."""

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
# One Accept for every query form: the answer's Content-Type says which one came back.
ACCEPT = f"{RESULTS_JSON}, {N_TRIPLES};q=0.9"

# Fixed queries of the store itself (no user input reaches them).
ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
GRAPH_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
NAMED_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"


class RemoteStore:
    """The CatalogueStore protocol over a SPARQL 1.1 query URL, update URL and graph store URL.

    ``update_endpoint`` defaults to ``endpoint`` (Virtuoso, Neptune and QLever take both at
    one URL). ``gsp_endpoint`` is kept for bulk loading (not used yet). ``user`` and
    ``password`` are sent as HTTP basic credentials on every request.
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
    ) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.gsp_endpoint = gsp_endpoint
        self.user = user
        self.password = password
        self.timeout = timeout
        self.union = union

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

    def _fetch(self, query: str, parameters: list[tuple[str, str]]) -> tuple[bytes, str]:
        """The body and media type of the answer to ``query`` sent with ``parameters``."""
        wrapper = self._wrapper()
        _set_text(wrapper, query)
        # Whatever SPARQLWrapper guessed from the text, this is a query, not an update.
        wrapper.queryType = "SELECT"
        wrapper.addCustomHttpHeader("Accept", ACCEPT)
        for name, value in parameters:
            wrapper.addParameter(name, value)
        try:
            response = wrapper.query().response
            body = response.read()
        except (SPARQLWrapperException, urllib.error.URLError, OSError) as error:
            raise StoreError(f"the SPARQL endpoint {self.endpoint} failed: {error}") from error
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return body, media_type

    def query(self, query: str, view: View = EVERYTHING) -> QueryResult:
        """Run ``query`` over the dataset ``view`` allows; the whole answer is read and checked.

        Results are pyoxigraph's own types, as on the embedded store; a CONSTRUCT's triples
        come back as ``QueryTriples`` through an in-memory pyoxigraph store.
        """
        body, media_type = self._fetch(query, self._dataset(view))
        if media_type == N_TRIPLES:
            memory = pyoxigraph.Store()
            memory.extend(Quad(t.subject, t.predicate, t.object) for t in _triples(body))
            return memory.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        if media_type != RESULTS_JSON:
            raise StoreError(
                f"the SPARQL endpoint {self.endpoint} answered {media_type or 'no media type'}"
            )
        _results(body)  # parse once completely to catch a truncated body
        return pyoxigraph.parse_query_results(body, format=QueryResultsFormat.JSON)

    def _select(self, query: str, parameters: list[tuple[str, str]]) -> list[Row]:
        body, media_type = self._fetch(query, parameters)
        rows = _results(body) if media_type == RESULTS_JSON else None
        if not isinstance(rows, list):
            raise TypeError("select() needs a SELECT query")
        return rows

    def select(self, query: str, view: View = EVERYTHING) -> list[Row]:
        return self._select(query, self._dataset(view))

    def ask(self, query: str, view: View = EVERYTHING) -> bool:
        body, media_type = self._fetch(query, self._dataset(view))
        answer = _results(body) if media_type == RESULTS_JSON else None
        if not isinstance(answer, bool):
            raise TypeError("ask() needs an ASK query")
        return answer

    def construct(self, query: str, view: View = EVERYTHING) -> list[Triple]:
        body, media_type = self._fetch(query, self._dataset(view))
        if media_type != N_TRIPLES:
            raise TypeError("construct() needs a CONSTRUCT or DESCRIBE query")
        return _triples(body)

    def _update(self, update: str) -> None:
        """Send ``update`` as one request: on Oxigraph server, one transaction."""
        wrapper = self._wrapper()
        _set_text(wrapper, update)
        wrapper.queryType = "INSERT"  # an update, whatever its first keyword
        try:
            wrapper.query().response.read()
        except (SPARQLWrapperException, urllib.error.URLError, OSError) as error:
            raise StoreError(
                f"the SPARQL update endpoint {self.update_endpoint} failed: {error}"
            ) from error

    def write(self, change: SubmissionWrite) -> None:
        """The drops, the metadata deletes and the insert in one SPARQL Update request.

        Oxigraph server runs one request as one transaction (a failure anywhere in it
        leaves the store as it was; tested). The SPARQL 1.1 Update standard only says a
        request's operations run in order; Virtuoso (without log_enable changes), Fuseki
        (TDB2) and GraphDB also run one request in one transaction, but that is their
        documentation, not tested here. A failed request raises :class:`StoreError`.
        """
        if not change.replaces and not change.metadata_subjects and not change.quads:
            return
        self._update(write_update(change))

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        """The quads of one named graph, or of every named graph (the catalogue writes no
        triples to the default graph, so none are looked for there)."""
        if graph is None:
            for row in self._select(ALL_QUADS, []):
                yield Quad(row["s"], row["p"], row["o"], row["g"])  # type: ignore[arg-type]
            return
        for row in self.select(GRAPH_TRIPLES, View((graph,))):
            yield Quad(row["s"], row["p"], row["o"], graph)  # type: ignore[arg-type]

    def named_graphs(self) -> list[NamedNode]:
        # No dataset parameters: the server's own dataset, where GRAPH ?g reaches every graph.
        rows = self._select(NAMED_GRAPHS, [])
        return [g for row in rows if isinstance(g := row.get("g"), NamedNode) and g != NO_GRAPH]

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add ``quads`` in one INSERT DATA request (one transaction on Oxigraph server)."""
        quads = list(quads)
        if quads:
            self._update(insert_data(quads))

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""


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
        return [
            {name: term for name in names if (term := solution[name]) is not None}
            for solution in answer
        ]
    except (SyntaxError, ValueError) as error:
        raise StoreError(f"the SPARQL endpoint's answer does not parse: {error}") from error


def _triples(body: bytes) -> list[Triple]:
    """An N-Triples body read completely."""
    try:
        return [quad.triple for quad in pyoxigraph.parse(body, format=RdfFormat.N_TRIPLES)]
    except (SyntaxError, ValueError) as error:
        raise StoreError(f"the SPARQL endpoint's answer does not parse: {error}") from error
