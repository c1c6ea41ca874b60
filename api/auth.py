"""Callers from API tokens (``Authorization: Bearer <token>``).

No header: anonymous. A header that is not a known, unrevoked bearer token: 401, not
anonymous, so a caller with a mistyped or revoked token learns it at once instead of
silently seeing less. Each authenticated request is written to the audit log, and so
is each refused token (by the client address; the token itself is never written).

A client address that sends ``token_failures_per_minute`` bad tokens gets 429 for any
token until a minute after its oldest counted failure: guessing a 256-bit token is
hopeless anyway, but an unthrottled endpoint lets a caller fill the audit log and spend
the server's time on hashing. Requests without a token are never throttled here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

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


class FailureLimit:
    """Bad-token attempts per client address in a sliding minute (thread-safe: token
    checks run in the thread pool)."""

    WINDOW = 60.0
    ADDRESSES = 10_000
    """Past this many addresses with recent failures, the expired ones are dropped, and
    if that is not enough, all: memory stays bounded under a spread-out attack."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str, now: float | None = None) -> int | None:
        """Seconds until ``address`` may try again, or None when it may now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._failures.get(address)
            if failures is None:
                return None
            while failures and failures[0] <= now - self.WINDOW:
                failures.popleft()
            if not failures:
                del self._failures[address]
                return None
            if len(failures) < self.limit:
                return None
            return max(1, int(failures[0] + self.WINDOW - now) + 1)

    def failed(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if address not in self._failures and len(self._failures) >= self.ADDRESSES:
                for known in [a for a, f in self._failures.items() if f[-1] <= now - self.WINDOW]:
                    del self._failures[known]
                if len(self._failures) >= self.ADDRESSES:
                    self._failures.clear()
            self._failures.setdefault(address, deque(maxlen=self.limit)).append(now)


def failure_limit(app: FastAPI) -> FailureLimit:
    limit = getattr(app.state, "token_failures", None)
    if limit is None:
        limit = app.state.token_failures = FailureLimit(
            app.state.settings.token_failures_per_minute
        )
    return limit


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy, uvicorn's ``--forwarded-allow-ips`` decides
    whether ``X-Forwarded-For`` is believed; docs/security.md)."""
    return request.client.host if request.client else "unknown"


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
    address = client_address(request)
    failures = failure_limit(request.app)
    wait = failures.retry_after(address)
    if wait is not None:
        raise HTTPException(
            429, "too many bad tokens from this address", headers={"Retry-After": str(wait)}
        )
    try:
        record = token_file(request.app).lookup(token)
    except TokenError as error:
        # The service's fault, not the caller's (TokenError would otherwise map to 400);
        # and never a fallback to anonymous: refuse until the file is readable again.
        log.error("%s", error)
        raise HTTPException(500, "tokens cannot be checked now") from error
    # Every use of a token is audited: a revoked one still in use, or a run of unknown
    # ones from one address, is worth knowing.
    if record is None:
        action = "refused-unknown"
    else:
        action = "refused-revoked" if record.revoked else "request"
    audit.record(
        audit.audit_path(settings),
        action=action,
        token=None if record is None else record.id,
        organisation=None if record is None else record.organisation,
        path=request.url.path,
        method=request.method,
        address=address,
    )
    if record is None or record.revoked:
        failures.failed(address)
        raise unauthorised("unknown or revoked token")
    request.state.token = record
    return record.caller
