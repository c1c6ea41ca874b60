"""Domain exceptions to HTTP statuses, in one table, and one error body for every route:
``{"error": "what is wrong", ...details}``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from api.conneg import Representation
from catalogue.errors import InputError, SidestreamError, SubmissionRejected
from catalogue.matching.demand import DemandNotFound
from catalogue.matching.supply import SupplyNotFound
from catalogue.store.oxigraph import StoreError

STATUS: dict[type[SidestreamError], int] = {
    DemandNotFound: 404,
    SupplyNotFound: 404,
    InputError: 400,
    SubmissionRejected: 422,
    # The store failed (a remote server down, refusing or timing out): not the caller's fault.
    StoreError: 503,
}
"""The most specific class listed wins; any other ``SidestreamError`` is a 400."""


class ErrorBody(BaseModel):
    """The body of every refusal; routes add details (a report, the available formats)."""

    model_config = ConfigDict(extra="allow")
    error: str


REASONS: dict[int, str] = {
    400: "a parameter or the request cannot be used; `error` names it",
    401: "no token where one is needed, or an unknown or revoked one",
    403: "the token may not do this",
    404: "nothing of that name that the caller may see",
    406: "no acceptable representation; the body lists the available ones",
    413: "the request is larger than the service accepts",
    415: "a media type this route does not read",
    422: "a parameter or the submission cannot be used; `error` says which and why",
    429: "too many failed token checks from this address; see Retry-After",
    503: "the store failed or is busy; try again",
}
CALLER = (401, 429)
"""What any route with a caller may answer to a bad token (``api/auth.py``)."""


def responses(
    *codes: int,
    media_types: Iterable[str | Representation] = (),
    page: bool = False,
    reasons: Mapping[int, str] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route in the OpenAPI description: its 200 in each of
    ``media_types`` as well as its own, and each status of ``codes`` with the JSON
    ``ErrorBody`` (and as HTML too when ``page``: a browser gets the error page),
    described by ``reasons`` where the route says more than ``REASONS``."""
    described: dict[int | str, dict[str, Any]] = {}
    types = [m.media_type if isinstance(m, Representation) else m for m in media_types]
    if types:
        described[200] = {"content": {media_type: {} for media_type in types}}
    for code in codes:
        # Inline, not ``model=``: FastAPI would file a model under the route's own media
        # type, which is text/html on a page, where a 401 is still JSON.
        content: dict[str, Any] = {"application/json": {"schema": ErrorBody.model_json_schema()}}
        if page:
            content["text/html"] = {"schema": {"type": "string"}}
        reason = (reasons or {}).get(code, REASONS[code])
        described[code] = {"description": reason, "content": content}
    return described


def status_of(error: SidestreamError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]  # type: ignore[index]
    return 400


async def _sidestream_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, SidestreamError)
    body: dict[str, object] = {"error": str(error)}
    if isinstance(error, SubmissionRejected):
        body["report"] = error.report.as_dict(request.query_params.get("lang", "en"))
    return JSONResponse(body, status_code=status_of(error))


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's ``{"detail": ...}`` as ``{"error": ...}``: a dict detail is spread, so a
    406 reads ``{"error", "available", "formats"}``."""
    assert isinstance(error, HTTPException)
    detail = error.detail
    body: dict[str, object] = (
        {"error": detail.get("error", ""), **detail}
        if isinstance(detail, dict)
        else {"error": str(detail)}
    )
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


def _where(location: tuple[object, ...] | list[object]) -> str:
    """``("query", "top")`` as "query parameter 'top'"; a body field by its path."""
    source, *path = [str(part) for part in location] or ["request"]
    name = ".".join(path)
    if source in ("query", "path", "header", "cookie"):
        return f"{source} parameter '{name}'"
    return f"{source} field '{name}'" if name else source


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422 for parameters it cannot use, with the one ``error`` text every route
    gives; ``detail`` stays as FastAPI declares it in the OpenAPI description."""
    assert isinstance(error, RequestValidationError)
    problems = list(error.errors())
    text = "; ".join(f"{_where(item.get('loc', ()))}: {item.get('msg', '')}" for item in problems)
    body = {"error": text or "the request cannot be used", "detail": problems}
    return JSONResponse(jsonable_encoder(body), status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SidestreamError, _sidestream_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
