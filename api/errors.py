"""Domain exceptions to HTTP statuses, in one table, and one error body for every route:
``{"error": "what is wrong", ...details}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SidestreamError, _sidestream_error)
    app.add_exception_handler(HTTPException, _http_error)
