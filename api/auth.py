"""Callers from API tokens (``Authorization: Bearer <token>``).

No header: anonymous. A header that is not a known, unrevoked bearer token: 401, not
anonymous, so a caller with a mistyped or revoked token learns it at once instead of
silently seeing less. Each authenticated request is written to the audit log.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request

from catalogue import audit
from catalogue.access import ANONYMOUS, Caller
from catalogue.tokens import TokenError, TokenFile, TokenRecord, tokens_path

log = logging.getLogger(__name__)

CHALLENGE = 'Bearer realm="sidestream"'


def token_file(app: FastAPI) -> TokenFile:
    """The app's reader of the tokens file (made on first use, kept for the app's life)."""
    tokens = getattr(app.state, "token_file", None)
    if tokens is None:
        tokens = app.state.token_file = TokenFile(tokens_path(app.state.settings))
    return tokens


def unauthorised(message: str, error: str = "invalid_token") -> HTTPException:
    """A 401 with the challenge RFC 6750 asks for."""
    return HTTPException(
        401, message, headers={"WWW-Authenticate": f'{CHALLENGE}, error="{error}"'}
    )


def authentication_required() -> HTTPException:
    """A 401 for an anonymous caller of a route that needs a token (no error code: RFC
    6750 section 3.1 says a request without credentials gets the bare challenge)."""
    return HTTPException(401, "this needs an API token", headers={"WWW-Authenticate": CHALLENGE})


def token_of(request: Request) -> TokenRecord | None:
    """The token record behind the request's caller (None when anonymous)."""
    return getattr(request.state, "token", None)


def caller_from_request(request: Request) -> Caller:
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorised("use 'Authorization: Bearer <token>'", "invalid_request")
    settings = request.app.state.settings
    try:
        record = token_file(request.app).lookup(token)
    except TokenError as error:
        # The service's fault, not the caller's (TokenError would otherwise map to 400);
        # and never a fallback to anonymous: refuse until the file is readable again.
        log.error("%s", error)
        raise HTTPException(500, "tokens cannot be checked now") from error
    if record is None:
        raise unauthorised("unknown or revoked token")
    # Every use of a known token is audited; a revoked one still in use is worth knowing.
    audit.record(
        audit.audit_path(settings),
        action="refused-revoked" if record.revoked else "request",
        token=record.id,
        organisation=record.organisation,
        path=request.url.path,
        method=request.method,
    )
    if record.revoked:
        raise unauthorised("unknown or revoked token")
    request.state.token = record
    return record.caller
