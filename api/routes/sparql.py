"""``/sparql``: the SPARQL 1.1 Protocol endpoint (query only) over the caller's view."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pyoxigraph
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import SettingsDep, ViewDep
from api.errors import CALLER, responses
from api.settings import ServiceSettings
from api.sparql.description import PREFIXES, describe, limits_text
from api.sparql.executor import QueryTimeout, SparqlExecutor, WorkerFailed, WorkersBusy
from api.sparql.formats import (
    BY_NAME,
    FORMAT_PARAMETERS,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Family,
    Preference,
    choose,
)
from api.sparql.guard import is_update, uses_service
from catalogue.store.base import View

router = APIRouter(tags=["SPARQL"])

VARY = {"Vary": "Accept"}
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
LONG = 64 * 1024
"""Texts longer than this are parsed and screened in a thread, off the event loop."""

_DOC = (
    "SPARQL 1.1 Protocol: `query` by GET, by POST form (`application/x-www-form-"
    "urlencoded`) or as a POST body (`application/sparql-query`); optional "
    "`default-graph-uri` and `named-graph-uri`. SELECT and ASK answer in SPARQL JSON, "
    "XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle, JSON-LD, N-Triples or RDF/XML, "
    "chosen by `Accept` (q-values honoured) or a `format` parameter; 406 lists what "
    "the query could be answered in. Without a query, GET answers the SPARQL Service "
    "Description. Status codes: 400 syntax error (the parser's message) or SERVICE; "
    "403 SPARQL Update; 413 body over the upload limit; 503 query cut at the time "
    "limit (or no worker free in time). The limits in force are given in the service "
    "description; by default: "
)
_PARAMETERS: list[dict[str, Any]] = [
    {"name": "query", "in": "query", "schema": {"type": "string"}},
    {"name": "default-graph-uri", "in": "query", "schema": {"type": "array"}},
    {"name": "named-graph-uri", "in": "query", "schema": {"type": "array"}},
    {"name": "format", "in": "query", "schema": {"type": "string"}},
]
ANSWERS = responses(
    400,
    403,
    406,
    *CALLER,
    503,
    media_types=[f.media_type for f in (*RESULT_FORMATS, *GRAPH_FORMATS)],
    reasons={403: "an update: the endpoint is read-only", 503: "timed out, or every worker busy"},
)
_DESCRIPTION = _DOC + limits_text(
    ServiceSettings.model_fields["sparql_timeout"].default,
    ServiceSettings.model_fields["sparql_row_limit"].default,
)


@router.get(
    "/sparql",
    summary="SPARQL query (or the service description without one)",
    description=_DESCRIPTION,
    response_class=Response,
    responses=ANSWERS,
    openapi_extra={"parameters": _PARAMETERS},
)
async def sparql_get(request: Request, view: ViewDep, settings: SettingsDep) -> Response:
    params = _multi(request.query_params.multi_items())
    if "update" in params:
        return _error(403, READ_ONLY)
    if "query" not in params:
        return _service_description(request, view, settings)
    return await _answer(request, params, params, view, _endpoint(settings))


@router.post(
    "/sparql",
    summary="SPARQL query by POST (form or application/sparql-query body)",
    description=_DESCRIPTION,
    response_class=Response,
    responses={**ANSWERS, **responses(415)},
    openapi_extra={
        "parameters": _PARAMETERS[1:],
        "requestBody": {
            "content": {
                FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}}},
                QUERY_BODY: {"schema": {"type": "string"}},
            }
        },
    },
)
async def sparql_post(request: Request, view: ViewDep, settings: SettingsDep) -> Response:
    endpoint = _endpoint(settings)
    url_params = _multi(request.query_params.multi_items())
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == UPDATE_BODY:
        return _error(403, READ_ONLY)
    if content_type == FORM:
        try:
            text = body.decode()
            form = (
                await run_in_threadpool(parse_qs, text, keep_blank_values=True)
                if len(text) > LONG
                else parse_qs(text, keep_blank_values=True)
            )
        except UnicodeDecodeError:
            return _error(400, "the form is not UTF-8")
        if "update" in form:
            return _error(403, READ_ONLY)
        if "query" not in form:
            return _error(400, "no query: give the 'query' form field")
        # The protocol puts the dataset in the form; format hints may be in either.
        return await _answer(request, form, {**url_params, **form}, view, endpoint)
    if content_type == QUERY_BODY:
        try:
            text = body.decode()
        except UnicodeDecodeError:
            return _error(400, "the query is not UTF-8")
        return await _answer(request, {**url_params, "query": [text]}, url_params, view, endpoint)
    return _error(
        415,
        f"POST a query as {FORM} (field 'query') or as {QUERY_BODY}",
    )


def _multi(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in items:
        params.setdefault(key, []).append(value)
    return params


def _endpoint(settings: ServiceSettings) -> str:
    return settings.base_url + "sparql"


async def _answer(
    request: Request,
    params: dict[str, list[str]],
    hints: dict[str, list[str]],
    view: View,
    endpoint: str,
) -> Response:
    queries = params["query"]
    if len(queries) != 1:
        return _error(400, "give exactly one query")
    query = queries[0]
    if not query.strip():
        return _error(400, "the query is empty")
    if len(query) > LONG:
        update, service = await run_in_threadpool(_screen, query)
    else:
        update, service = _screen(query)
    if update:
        return _error(403, READ_ONLY)
    if service:
        return _error(400, "SERVICE (federated query) is not allowed on this endpoint")
    preference = Preference(
        request.headers.get("accept"),
        tuple(value for name in FORMAT_PARAMETERS for value in hints.get(name, [])),
    )
    if choose(Family.RESULTS, preference) is None and choose(Family.GRAPH, preference) is None:
        return _not_acceptable([f.media_type for f in (*RESULT_FORMATS, *GRAPH_FORMATS)])
    default_graphs, named_graphs = _dataset(
        view, params.get("default-graph-uri", []), params.get("named-graph-uri", [])
    )
    executor: SparqlExecutor = request.app.state.sparql
    try:
        reply = await executor.run(query, default_graphs, named_graphs, preference)
    except QueryTimeout:
        return _error(503, f"the query ran longer than {executor.timeout:g} s and was cancelled")
    except WorkersBusy:
        return _error(503, "every SPARQL worker stayed busy; try again", {"Retry-After": "5"})
    except WorkerFailed as failure:
        return _error(500, f"the query's worker failed: {failure}")
    if reply.status == "syntax":
        return _error(400, reply.message)
    if reply.status == "not-acceptable":
        return _not_acceptable(list(reply.acceptable))
    if reply.status != "ok" or reply.format is None:
        return _error(500, reply.message or "the query failed")
    headers = dict(VARY)
    if reply.truncated:
        limit = executor.row_limit
        headers["SPARQL-Results-Truncated"] = "true"
        headers["Warning"] = f'199 sidestream "results cut at the row limit of {limit} rows"'
        headers["Link"] = f'<{endpoint}>; rel="describedby"'
    return Response(reply.body, headers=headers, media_type=BY_NAME[reply.format].content_type)


def _screen(query: str) -> tuple[bool, bool]:
    """Whether ``query`` is an update, and whether it calls SERVICE."""
    return is_update(query), uses_service(query)


def _dataset(
    view: View, default_uris: list[str], named_uris: list[str]
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The graphs the query reads: the caller's view, narrowed by the protocol's dataset."""
    visible = None if view.graphs is None else tuple(g.value for g in view.graphs)
    if not default_uris and not named_uris:
        return visible, visible
    allowed = set(visible) if visible is not None else None

    def narrow(uris: list[str]) -> tuple[str, ...]:
        return tuple(u for u in dict.fromkeys(uris) if allowed is None or u in allowed)

    # As the protocol says: when either is given, the dataset is exactly what is given.
    return narrow(default_uris), narrow(named_uris)


def _service_description(request: Request, view: View, settings: ServiceSettings) -> Response:
    chosen = choose(Family.GRAPH, Preference(request.headers.get("accept"))) or GRAPH_FORMATS[0]
    triples = describe(
        _endpoint(settings),
        view.graphs,
        settings.sparql_timeout,
        settings.sparql_row_limit,
    )
    body = pyoxigraph.serialize(triples, format=chosen.serialiser, prefixes=PREFIXES)
    return Response(body, headers=VARY, media_type=chosen.content_type)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers={**VARY, **(headers or {})})


def _not_acceptable(media_types: list[str]) -> Response:
    return JSONResponse(
        {"error": "none of the accepted media types can be produced", "acceptable": media_types},
        status_code=406,
        headers=VARY,
    )
