"""Domain exceptions to HTTP statuses, in one table, and one error body for every route:
``{"error": "what is wrong", ...details}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

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
