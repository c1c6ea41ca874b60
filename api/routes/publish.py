"""Publishing over HTTP: ``POST /streams``, ``GET`` and ``DELETE /submissions/{id}``.

The same pipeline as ``sidestream load``: the upload is written to a temporary file
with its own name (a submission is named after its file's stem) and handed to
:func:`catalogue.publish.load_files`, which stores all of it or nothing. Publishers
publish for the organisation their token is bound to, and may replace or withdraw only
that organisation's submissions; administrators may replace or withdraw any.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pyoxigraph import NamedNode

from api.auth import authentication_required, token_of
from api.deps import CallerDep, SettingsDep, StoreDep
from api.errors import CALLER, responses
from api.events import store_changed
from api.settings import ServiceSettings
from catalogue import audit
from catalogue.access import STREAM_TYPES, Caller, Role, level_graphs
from catalogue.errors import SubmissionRejected
from catalogue.history import EARLIEST_YEAR, LATEST_YEAR
from catalogue.namespaces import RDF_TYPE
from catalogue.publish import load_files, slug, submission_iri, submissions, withdraw
from catalogue.store.base import CatalogueStore

router = APIRouter(tags=["publishing"])

MEDIA_SUFFIXES = {
    "text/csv": ".csv",
    "text/tab-separated-values": ".tsv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/turtle": ".ttl",
    "application/n-triples": ".nt",
    "application/ld+json": ".jsonld",
}
"""Media types of a raw upload, and the suffix that tells ``load_files`` how to read it."""

SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".ttl", ".nt", ".jsonld", ".json"})
"""File types ``load_files`` reads (template readers and ``catalogue.ingest.rdf``)."""

SUBMISSION_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""What ``publish.slug`` makes of a file stem: anything else names no submission."""

_FILE_BODY: dict[str, Any] = {"type": "string", "format": "binary"}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": _FILE_BODY},
                    "required": ["file"],
                }
            },
            **{media: {"schema": _FILE_BODY} for media in MEDIA_SUFFIXES},
        },
    }
}
"""The body is read by hand (to stop at the size limit), so OpenAPI is told what it is."""

_locks_guard = threading.Lock()


def write_lock(app: FastAPI) -> threading.Lock:
    """The app's one writer lock: held from the ownership check to the end of the write,
    so no other write can slip between them, and two loads never validate against a
    store the other is about to change. Take it for any write to the store."""
    with _locks_guard:
        lock = getattr(app.state, "store_write_lock", None)
        if lock is None:
            lock = app.state.store_write_lock = threading.Lock()
        return lock


def require_publisher(caller: Caller) -> None:
    if caller.role is Role.ANONYMOUS:
        raise authentication_required()
    if caller.role not in (Role.PUBLISHER, Role.ADMINISTRATOR):
        raise HTTPException(403, "publishing needs a publisher or administrator token")


# --- reading the upload ---------------------------------------------------------------


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the upload is larger than {limit:,} bytes")


def limited_request(request: Request, limit: int) -> Request:
    """``request`` with a body that stops with 413 once more than ``limit`` bytes came.

    Counting the bytes as they arrive (not trusting ``Content-Length``, which chunked
    uploads lack) keeps a large upload from being read to its end first.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    receive = request.receive
    received = 0

    async def counted() -> dict[str, Any]:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)
        return message

    return Request(request.scope, counted)


MAX_NAME_BYTES = 200
"""Longest upload file name (UTF-8 bytes), leaving room for a suffix within 255."""


def upload_name(name: str | None, media_type: str | None) -> str:
    """A safe local file name for the upload: its last path segment, with a suffix that
    ``load_files`` reads (taken from the media type when the name has none it knows)."""
    if not name:
        raise HTTPException(
            400, "name the file: a 'filename' query parameter, or the form part's file name"
        )
    base = Path(name.replace("\\", "/")).name.strip()
    if base in ("", ".", "..") or base.startswith("."):
        raise HTTPException(400, f"not a usable file name: {name!r}")
    # The name becomes a file in a temporary folder: past the file system's 255 bytes, or
    # with a NUL, opening it fails, which would otherwise be a 500.
    if len(base.encode("utf-8")) > MAX_NAME_BYTES or "\x00" in base:
        raise HTTPException(
            400, f"not a usable file name: {base[:60]!r}... (at most {MAX_NAME_BYTES} bytes)"
        )
    suffix = Path(base).suffix.lower()
    if suffix in SUFFIXES:
        return base
    if media_type in MEDIA_SUFFIXES:
        return base + MEDIA_SUFFIXES[media_type]
    raise HTTPException(
        415,
        f"cannot tell how to read {base!r}: name it .csv, .tsv, .xlsx, .ttl, .nt or .jsonld, "
        f"or send one of {', '.join(MEDIA_SUFFIXES)}",
    )


def _media_type(value: str | None) -> str | None:
    return value.split(";", 1)[0].strip().lower() if value else None


async def receive_upload(request: Request, folder: Path, filename: str | None, limit: int) -> Path:
    """Write the uploaded file into ``folder`` under its own name; return its path."""
    body = limited_request(request, limit)
    media_type = _media_type(request.headers.get("content-type"))
    if media_type == "multipart/form-data":
        try:
            import python_multipart  # noqa: F401  (Starlette's form parser needs it)
        except ImportError:
            raise HTTPException(
                415, "this server cannot read multipart uploads: send the file as the body"
            ) from None
        async with body.form(max_files=1, max_fields=8) as form:
            part = form.get("file")
            if isinstance(part, str) or part is None:
                raise HTTPException(400, "send the file in a form field named 'file'")
            path = folder / upload_name(filename or part.filename, _media_type(part.content_type))
            with path.open("wb") as out:
                await run_in_threadpool(shutil.copyfileobj, part.file, out)
        return path
    path = folder / upload_name(filename, media_type)
    with path.open("wb") as out:
        async for chunk in body.stream():
            out.write(chunk)
    return path


# --- the writes -------------------------------------------------------------------------


def stream_iris(store: CatalogueStore, submission: NamedNode) -> list[str]:
    """The streams a submission holds, at every level (its publisher asked)."""
    found = {
        quad.subject.value
        for graph in level_graphs(submission).values()
        for quad in store.quads(graph)
        if quad.predicate.value == RDF_TYPE and quad.object.value in STREAM_TYPES
    }
    return sorted(found)


def _submission_row(store: CatalogueStore, iri: str) -> dict[str, str] | None:
    return next((row for row in submissions(store) if row["submission"] == iri), None)


def _forbidden_unless_owner(caller: Caller, row: dict[str, str], identifier: str) -> None:
    if caller.role is Role.ADMINISTRATOR or row.get("publisher") == caller.organisation:
        return
    raise HTTPException(403, f"submission {identifier} belongs to another organisation")


def _audit(request: Request, action: str, **details: str | int | None) -> None:
    token = token_of(request)
    audit.record(
        audit.audit_path(request.app.state.settings),
        action=action,
        token=token.id if token else None,
        organisation=token.organisation if token else None,
        path=request.url.path,
        **details,
    )


def _publish(
    request: Request,
    store: CatalogueStore,
    settings: ServiceSettings,
    caller: Caller,
    path: Path,
    replace: bool,
    year: int | None,
    lang: str,
) -> tuple[dict[str, Any], bool]:
    """Check ownership, load, and describe the result; runs in a worker thread."""
    identifier = slug(path.stem)
    iri = submission_iri(settings, identifier)
    with write_lock(request.app):
        existing = _submission_row(store, iri.value)
        publisher = caller.organisation
        assert publisher is not None  # every token names an organisation
        if existing is not None:
            _forbidden_unless_owner(caller, existing, identifier)
            # An administrator replacing someone's submission keeps it theirs: the
            # publisher would otherwise lose sight of its own confidential streams.
            publisher = existing["publisher"]
        try:
            result = load_files(
                [path],
                store,
                settings,
                publisher=publisher,
                replace=replace,
                year=year,
                own_streams_only=caller.role is not Role.ADMINISTRATOR,
            )
        except SubmissionRejected as rejected:
            _audit(
                request,
                "publish-rejected",
                submission=identifier,
                source=path.name,
                violations=len(rejected.report.violations),
            )
            raise
        (summary,) = result.submissions
        streams = stream_iris(store, iri)
    _audit(
        request,
        "publish",
        submission=identifier,
        source=path.name,
        status=summary.status,
        streams=len(streams),
    )
    answer = {
        "submission": iri.value,
        "identifier": identifier,
        "status": summary.status,
        "publisher": publisher,
        "source": summary.source,
        "year": summary.year,
        "revised": summary.revised,
        "streams": streams,
        "report": result.report.as_dict(lang),
    }
    return answer, summary.status != "unchanged"


@router.post(
    "/streams",
    status_code=201,
    summary="Publish a template file or RDF",
    openapi_extra=UPLOAD_BODY,
    responses={
        200: {"description": "the same file was published before: nothing changed"},
        **responses(
            400,
            403,
            413,
            415,
            422,
            *CALLER,
            503,
            reasons={
                403: "not a publisher, or the submission is another organisation's",
                415: "a file type the catalogue cannot read",
                422: "rejected: the validation report; nothing was stored",
            },
        ),
    },
)
async def publish(
    request: Request,
    caller: CallerDep,
    store: StoreDep,
    settings: SettingsDep,
    filename: Annotated[
        str | None,
        Query(description="the file's name when the body is the file itself (not a form)"),
    ] = None,
    replace: Annotated[
        bool, Query(description="replace this organisation's earlier submission of the file")
    ] = False,
    year: Annotated[
        int | None,
        Query(
            ge=EARLIEST_YEAR,
            le=LATEST_YEAR,
            description="the reporting year the file reports for (default: its latest "
            "reference_year, else this year); the organisation's streams reported for an "
            "earlier year become new versions",
        ),
    ] = None,
    # No pattern check: a FastAPI 422 for a bad ``lang`` would look like a rejection;
    # the report falls back to English for a language it does not have.
    lang: Annotated[str, Query(description="report language: en or nb")] = "en",
) -> JSONResponse:
    """A CSV / TSV / XLSX template or Turtle / JSON-LD / N-Triples, as a multipart form
    field ``file`` or as the body (with its ``Content-Type`` and ``?filename=``).

    The submission is named after the file (``streams-2024.csv`` → ``streams-2024``)
    and attributed to the token's organisation. 201 with the stored stream IRIs; 422
    with the validation report (the one ``sidestream load --format json`` prints), and
    nothing stored.
    """
    require_publisher(caller)
    with tempfile.TemporaryDirectory(prefix="sidestream-upload-") as folder:
        path = await receive_upload(request, Path(folder), filename, settings.upload_limit)
        answer, changed = await run_in_threadpool(
            _publish, request, store, settings, caller, path, replace, year, lang
        )
    if changed:
        store_changed(request.app)
    return JSONResponse(
        answer,
        status_code=201 if changed else 200,
        headers={"Location": f"{settings.base_url}submissions/{answer['identifier']}"},
    )


def _submission_or_404(settings: ServiceSettings, identifier: str) -> str:
    if not SUBMISSION_ID.fullmatch(identifier):
        raise HTTPException(404, f"no submission {identifier!r}")
    return submission_iri(settings, identifier).value


@router.get(
    "/submissions/{identifier}",
    summary="One of your submissions",
    responses=responses(403, 404, *CALLER, 503),
)
async def submission(
    identifier: str, caller: CallerDep, store: StoreDep, settings: SettingsDep
) -> dict[str, Any]:
    """What a submission holds: visible to its organisation's tokens and administrators."""
    require_publisher(caller)
    iri = _submission_or_404(settings, identifier)

    def read() -> dict[str, Any]:
        row = _submission_row(store, iri)
        if row is None or not (
            caller.role is Role.ADMINISTRATOR or row.get("publisher") == caller.organisation
        ):
            # Another organisation's submission reads as absent: listing is not withdrawing.
            raise HTTPException(404, f"no submission {identifier!r}")
        return {**row, "identifier": identifier, "stream_iris": stream_iris(store, NamedNode(iri))}

    return await run_in_threadpool(read)


@router.delete(
    "/submissions/{identifier}",
    summary="Withdraw a submission",
    responses=responses(403, 404, *CALLER, 503),
)
async def withdraw_submission(
    identifier: str, request: Request, caller: CallerDep, store: StoreDep, settings: SettingsDep
) -> dict[str, str]:
    """Remove a submission, its inferences and its provenance in one transaction: the
    publisher's own, or any for an administrator."""
    require_publisher(caller)
    iri = _submission_or_404(settings, identifier)

    def remove() -> None:
        with write_lock(request.app):
            row = _submission_row(store, iri)
            if row is None:
                raise HTTPException(404, f"no submission {identifier!r}")
            _forbidden_unless_owner(caller, row, identifier)
            withdraw(store, settings, identifier)
        _audit(request, "withdraw", submission=identifier, publisher=row.get("publisher"))

    await run_in_threadpool(remove)
    store_changed(request.app)
    return {"submission": iri, "identifier": identifier, "status": "withdrawn"}
