"""``GET /streams`` (a filtered, paged list) and ``GET /streams/{identifier}`` (one stream).

Both read through the caller's view (:data:`api.deps.ViewDep`): a stream the caller may
not see is missing from the list, the total and the links, and is a 404 on its own.

JSON bodies (also what :func:`api.pages.render_streams_page` and
:func:`api.pages.render_stream_page` receive, when the pages module exists):

``GET /streams``::

    {"items": [item, ...],          # see catalogue.lookup.list_streams, plus "url"
     "total": int,                  # streams passing the filters, over all pages
     "page": int, "per_page": int, "pages": int,
     "filters": {"material"?: str, "element"?: str, "country"?: str, "kind"?: str, "q"?: str,
                 "min_quality"?: str},
     "links": {"self": str, "first": str, "last": str, "next"?: str, "prev"?: str}}

``GET /streams/{identifier}?format=json``: :func:`catalogue.lookup.stream_summary`, plus
``"url"`` (this page), ``"organisation"["url"]`` / ``"site"["url"]`` (their pages) and
``"alternates"`` (``{format: url}`` for each RDF syntax).
"""

from __future__ import annotations

import math
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pyoxigraph import NamedNode

from api import conneg
from api.deps import CallerDep, SettingsDep, StoreDep, ViewDep, get_history_view, off_loop
from api.errors import CALLER, responses
from api.settings import ServiceSettings
from api.sparql.executor import QueryTimeout, SparqlExecutor, WorkerFailed, WorkersBusy
from api.sparql.worker import Reply
from catalogue import lookup
from catalogue.changes import stream_history
from catalogue.rounds import stale_streams
from catalogue.store.base import View

router = APIRouter(tags=["streams"])

MAX_PER_PAGE = 200


# Cached: whether the pages module offers a page does not change while the service runs,
# and looking it up was work on every request.
@cache
def _list_representations() -> list[conneg.Representation]:
    html = [conneg.HTML] if conneg.page_renderer("render_streams_page") else []
    return [conneg.JSON, *html]


@cache
def _stream_representations() -> list[conneg.Representation]:
    """Turtle for clients that accept anything (``*/*``); browsers name text/html first and
    get the page, when the pages module exists."""
    html = [conneg.HTML] if conneg.page_renderer("render_stream_page") else []
    return [*conneg.RDF, *html, conneg.JSON]


def service_url(settings: ServiceSettings, data_iri: str) -> str | None:
    """Where the service answers for a data IRI (stream, organisation, site), or None."""
    base = settings.data_base
    if not data_iri.startswith(base):
        return None
    path = data_iri[len(base) :]
    root = settings.base_url
    if path.startswith("stream/"):
        return f"{root}streams/{path[len('stream/') :]}"
    if path.startswith("organisation/"):
        return f"{root}organisations/{path[len('organisation/') :]}"
    if path.startswith("site/"):
        return f"{root}sites/{path[len('site/') :]}"
    return None


@router.get(
    "/streams",
    summary="List streams, filtered and paged",
    responses=responses(400, 406, *CALLER, 503, media_types=[conneg.JSON, conneg.HTML]),
)
async def list_streams(
    request: Request,
    store: StoreDep,
    view: ViewDep,
    settings: SettingsDep,
    material: Annotated[
        str | None, Query(description="material class (label or IRI); subclasses match")
    ] = None,
    element: Annotated[
        str | None, Query(description="element symbol or name, element group or CRM entry")
    ] = None,
    country: Annotated[str | None, Query(description="ISO 3166-1 alpha-2 code")] = None,
    kind: Annotated[str | None, Query(description="supply or demand")] = None,
    q: Annotated[str | None, Query(description="words in the name or description")] = None,
    min_quality: Annotated[
        float | None,
        Query(ge=0, le=1, description="lowest quality score, 0 to 1 (catalogue.quality)"),
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
) -> Response:
    """Streams the caller may see, in identifier order; JSON, or HTML for browsers."""
    available = _list_representations()
    representation = conneg.negotiate(request, available)
    filters = lookup.StreamFilters(material, element, country, kind, q, min_quality=min_quality)
    result = await run_in_threadpool(
        lookup.list_streams, store, view, filters, page=page, per_page=per_page
    )
    pages = max(1, math.ceil(result.total / per_page))
    for item in result.items:
        item["url"] = service_url(settings, item["iri"])
        if item.get("organisation_iri"):
            item["organisation_url"] = service_url(settings, item["organisation_iri"])
    links = _page_links(request, page, pages)
    listing: dict[str, Any] = {
        "items": result.items,
        "total": result.total,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "filters": filters.given(),
        "links": links,
    }
    headers = conneg.negotiated_headers(request, available)
    headers["Link"] = ", ".join(
        [f'<{url}>; rel="{rel}"' for rel, url in links.items() if rel != "self"] + [headers["Link"]]
    )
    headers["X-Total-Count"] = str(result.total)
    return await conneg.summary_response(
        request, representation, "render_streams_page", listing, headers
    )


def _page_links(request: Request, page: int, pages: int) -> dict[str, str]:
    def at(number: int) -> str:
        return str(request.url.include_query_params(page=number))

    links = {"self": at(page), "first": at(1), "last": at(pages)}
    if page < pages:
        links["next"] = at(page + 1)
    if page > 1:
        links["prev"] = at(min(page - 1, pages))
    return links


@router.get(
    "/streams/{identifier}",
    summary="One stream, content-negotiated",
    responses=responses(
        404, 406, *CALLER, 503, media_types=[*conneg.RDF, conneg.HTML, conneg.JSON], page=True
    ),
)
async def get_stream(
    identifier: str,
    request: Request,
    store: StoreDep,
    view: ViewDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> Response:
    """The stream's description (HTML, Turtle, JSON-LD, N-Triples, RDF/XML or JSON);
    404 when there is none the caller may see."""
    available = _stream_representations()
    representation = conneg.negotiate(request, available)
    if representation.rdf_format is not None and settings.describe_in_workers:
        written = await _written_by_worker(request, view, identifier, representation)
        if written is not None:
            if written.status == "not-found":
                message = f"no stream with identifier {identifier}"
                return conneg.not_found(request, representation, message)
            return Response(
                written.body,
                media_type=representation.content_type,
                headers=conneg.negotiated_headers(request, available),
            )
    found = await off_loop(store, lookup.stream_description, store, view, identifier)
    if found is None:
        return conneg.not_found(request, representation, f"no stream with identifier {identifier}")
    stream, triples = found
    if representation.rdf_format is not None:
        return conneg.rdf_response(request, triples, representation, available)
    # Provenance graphs and history only for the summary: RDF answers do not carry them.
    graphs = await off_loop(store, lookup.stream_graphs, store, view, stream)
    summary = stream_page_summary(request, settings, stream, triples, graphs, available)
    # the history view only here: RDF answers (most requests) carry no history
    history = await get_history_view(request, store, caller)
    versions = await off_loop(store, stream_history, store, history, identifier)
    summary["history"] = [version.to_dict() for version in versions]
    summary["stale"] = bool(await off_loop(store, stale_streams, store, view, [stream]))
    headers = conneg.negotiated_headers(request, available)
    return await conneg.summary_response(
        request, representation, "render_stream_page", summary, headers
    )


WORKER_PATIENCE = 0.5
"""Seconds a description waits for a free SPARQL worker before it is read here instead."""


async def _written_by_worker(
    request: Request, view: View, identifier: str, representation: conneg.Representation
) -> Reply | None:
    """The description in ``representation``, read and written by a SPARQL endpoint
    worker (reply ``ok`` or ``not-found``); None when it is to be read here.

    The query and the writing are most of a description's cost, and the service's one
    process uses one core: in the workers they run beside the event loop, on the other
    cores. The workers read the endpoint's checkpoint, which is refreshed before the
    next read after every write, so the next request sees a write. When no worker comes
    free within :data:`WORKER_PATIENCE` (long endpoint queries, say), or one fails, the
    description is read here, as it always is on a remote store.
    """
    executor = getattr(request.app.state, "sparql", None)
    if not isinstance(executor, SparqlExecutor):
        return None
    graphs = None if view.graphs is None else tuple(g.value for g in view.graphs)
    query = lookup.stream_description_query(identifier)
    try:
        reply = await executor.describe(
            query, identifier, graphs, representation.name, patience=WORKER_PATIENCE
        )
    except QueryTimeout:
        message = f"reading the stream took longer than {executor.timeout:g} s"
        raise HTTPException(503, message) from None
    except (WorkersBusy, WorkerFailed):
        return None
    return reply if reply.status in ("ok", "not-found") else None


def stream_page_summary(
    request: Request,
    settings: ServiceSettings,
    stream: NamedNode,
    triples: list[Any],
    graphs: list[str],
    available: list[conneg.Representation],
) -> dict[str, Any]:
    summary = lookup.stream_summary(stream, triples, graphs)
    summary["url"] = service_url(settings, stream.value) or str(
        request.url.remove_query_params("format")
    )
    for party in ("organisation", "site"):
        if summary[party] is not None:
            summary[party]["url"] = service_url(settings, summary[party]["iri"])
    base = str(request.url.remove_query_params("format"))
    summary["alternates"] = {
        r.name: f"{base}?format={r.name}" for r in available if r.rdf_format is not None
    }
    return summary
