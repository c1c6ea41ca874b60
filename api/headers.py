"""Security headers on every response, and CORS for the origins the settings allow.

Pages rendered from the templates set their own Content-Security-Policy
(:func:`api.pages.content_security_policy`: scripts and styles from this service only).
This middleware keeps that one and gives every other HTML answer one too: FastAPI's
``/docs`` and ``/redoc`` load Swagger UI and ReDoc from a CDN with an inline starter
script, and pyLODE's ``/ontology`` page has inline styles and web fonts. Neither holds
text a publisher wrote, so their looser policies are confined to those paths.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.pages import content_security_policy
from api.settings import ServiceSettings

_COMMON = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
_API_DOCS = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https:; worker-src blob:; " + _COMMON
)
_ONTOLOGY_DOCS = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline' https:; "
    "font-src https: data:; img-src 'self' data: https:; " + _COMMON
)

CORS_METHODS = ["GET", "HEAD", "POST", "DELETE"]
CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "Accept", "Accept-Language"]
CORS_EXPOSED_HEADERS = [
    "Location",
    "Link",
    "Retry-After",
    "SPARQL-Results-Truncated",
    "Warning",
    "WWW-Authenticate",
]


def html_policy(path: str, tile_url: str) -> str:
    """The Content-Security-Policy of an HTML answer at ``path`` that did not set one."""
    if path in ("/docs", "/docs/oauth2-redirect", "/redoc"):
        return _API_DOCS
    if path == "/ontology" or path.startswith("/ontology/"):
        return _ONTOLOGY_DOCS
    return content_security_policy(tile_url)


class SecurityHeaders:
    """Add the headers every answer carries, and those of HTML answers."""

    def __init__(self, app: ASGIApp, settings: ServiceSettings) -> None:
        self.app = app
        self.tile_url = settings.tile_url
        # A browser ignores HSTS over plain HTTP; behind a TLS proxy the service itself
        # speaks HTTP, so the public URL, not the connection, says whether to send it.
        self.hsts = settings.base_url.startswith("https://")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                # Not no-referrer: the map's tile server (OpenStreetMap's policy) wants
                # to know which site asks; other origins learn the origin only.
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault(
                        "Content-Security-Policy", html_policy(scope["path"], self.tile_url)
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_headers(app: FastAPI, settings: ServiceSettings) -> None:
    """Security headers on every answer; CORS only for ``settings.cors_origins``.

    CORS is added last so it is outermost: a preflight is answered before anything else
    runs, and refusals (401, 413, 429) still carry the headers an allowed page needs
    to read them.
    """
    app.add_middleware(SecurityHeaders, settings=settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            # Bearer tokens travel in a header the page sets, never in cookies, so there
            # are no ambient credentials to allow.
            allow_credentials=False,
            max_age=600,
        )
