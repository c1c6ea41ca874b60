"""Dereferencing data IRIs: streams, organisations and sites.

Data is minted under ``settings.data_base`` (docs/data-model.md). When that base points
at this service (``{base_url}data/`` or any path under it), requests for the IRIs
themselves arrive here and are redirected (303, the IRI names a thing, not a document)
to the document that describes it: ``…/stream/{id}`` → ``/streams/{id}``,
``…/organisation/{slug}`` → ``/organisations/{slug}``, ``…/site/{org}/{site}`` →
``/sites/{org}/{site}``. ``/data/…`` is always answered, so a redirect service such as
w3id.org can map ``https://w3id.org/sidestream/data/(.*)`` to ``{service}/data/$1``.

``/organisations/{slug}`` and ``/sites/{org}/{site}`` are content-negotiated; they exist
for a caller only when a stream it may see names them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pyoxigraph import NamedNode

from api import conneg
from api.deps import SettingsDep, StoreDep, ViewDep
from api.errors import CALLER, responses
from api.routes.streams import service_url
from api.settings import ServiceSettings
from catalogue import lookup

router = APIRouter(tags=["linked data"])

DEFAULT_PREFIX = "/data"
DOCUMENT = responses(
    404, 406, *CALLER, 503, media_types=[*conneg.RDF, conneg.HTML, conneg.JSON], page=True
)


def data_prefixes(settings: ServiceSettings) -> list[str]:
    """Paths under which this service answers for data IRIs."""
    prefixes = [DEFAULT_PREFIX]
    if settings.data_base.startswith(settings.base_url):
        own = "/" + settings.data_base[len(settings.base_url) :].strip("/")
        if own not in prefixes and own != "/":
            prefixes.append(own)
    return prefixes


def redirect_router(settings: ServiceSettings) -> APIRouter:
    """The 303 redirects from data IRIs to their documents, for ``settings``' base."""
    redirects = APIRouter(tags=["linked data"])
    routes = (
        ("/stream/{identifier}", "streams/{identifier}", "stream"),
        ("/organisation/{slug}", "organisations/{slug}", "organisation"),
        ("/site/{organisation}/{site}", "sites/{organisation}/{site}", "site"),
    )
    for prefix in data_prefixes(settings):
        for path, document, what in routes:
            redirects.add_api_route(
                prefix + path,
                _to(document),
                methods=["GET"],
                include_in_schema=prefix == DEFAULT_PREFIX,
                summary=f"{what} IRI → its document",
                status_code=303,
                response_class=RedirectResponse,
                response_description=f"to the {what}'s document",
            )
    return redirects


def _to(template: str) -> Any:
    async def redirect(request: Request, settings: SettingsDep) -> Response:
        # The query string (e.g. ?format=ttl) carries over so a client's choice survives.
        target = settings.base_url + template.format(**request.path_params)
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})

    return redirect


def _representations(page: str) -> list[conneg.Representation]:
    # RDF first: ``*/*`` gets Turtle; browsers ask for text/html by name.
    html = [conneg.HTML] if conneg.page_renderer(page) else []
    return [*conneg.RDF, *html, conneg.JSON]


async def _describe(
    request: Request,
    settings: ServiceSettings,
    iri: NamedNode,
    triples: list[Any],
    what: str,
) -> Response:
    available = _representations("render_resource_page")
    representation = conneg.negotiate(request, available)
    if not triples:
        return conneg.not_found(request, representation, f"no {what} {iri.value}")
    if representation.rdf_format is not None:
        return conneg.rdf_response(request, triples, representation, available)
    summary = resource_summary(settings, iri, triples)
    headers = conneg.negotiated_headers(request, available)
    return await conneg.summary_response(
        request, representation, "render_resource_page", summary, headers
    )


def resource_summary(
    settings: ServiceSettings, iri: NamedNode, triples: list[Any]
) -> dict[str, Any]:
    """:func:`catalogue.lookup.resource_summary` with service URLs for linked data IRIs."""
    summary = lookup.resource_summary(iri, triples)
    summary["url"] = service_url(settings, iri.value)
    for statement in summary["statements"]:
        if statement["object_kind"] == "iri":
            statement["object_url"] = service_url(settings, statement["object"])
    for referrer in summary["referrers"]:
        referrer["url"] = service_url(settings, referrer["iri"])
    return summary


@router.get(
    "/organisations/{slug}",
    summary="An organisation, content-negotiated",
    responses=DOCUMENT,
)
async def get_organisation(
    slug: str, request: Request, store: StoreDep, view: ViewDep, settings: SettingsDep
) -> Response:
    """The organisation and the streams the caller may see that name it."""
    iri = _iri(settings.data_base + "organisation/" + slug)
    triples = await run_in_threadpool(lookup.organisation_description, store, view, iri)
    return await _describe(request, settings, iri, triples, "organisation")


@router.get(
    "/sites/{organisation}/{site}", summary="A site, content-negotiated", responses=DOCUMENT
)
async def get_site(
    organisation: str,
    site: str,
    request: Request,
    store: StoreDep,
    view: ViewDep,
    settings: SettingsDep,
) -> Response:
    """The site and the streams at it the caller may see."""
    iri = _iri(f"{settings.data_base}site/{organisation}/{site}")
    triples = await run_in_threadpool(lookup.site_description, store, view, iri)
    return await _describe(request, settings, iri, triples, "site")


def _iri(text: str) -> NamedNode:
    try:
        return NamedNode(text)
    except ValueError as error:  # a path segment that cannot be part of an IRI names nothing
        raise HTTPException(404, f"no such resource: {error}") from error
