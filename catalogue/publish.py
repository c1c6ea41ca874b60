"""Publishing submissions: read, map, validate, then one transaction into the store.

A submission is one file. ``load_files`` prepares every file first and writes
nothing unless all of them conform; then it writes them all, with their inferred
triples and their provenance, as one store write that becomes visible at once (the
embedded store bulk-loads new submissions' graphs and registers them in one
transaction at the end: ``OxigraphStore.write``). Whatever fails
(parse, mapping, shapes, a clash with the catalogue, the store itself), the
catalogue is left exactly as it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import re
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse, serialize

from catalogue import queries
from catalogue.access import (
    SubmissionLevels,
    inferred_graph,
    level_graphs,
    partition,
    submission_levels,
)
from catalogue.config import Settings
from catalogue.errors import SubmissionRejected
from catalogue.history import (
    Rewrite,
    VersionStamp,
    asserted_triples,
    move_to_history,
    previous_versions,
    replaced_versions,
    restore_from_history,
    streams_in,
    submission_graphs,
    year_literal,
)
from catalogue.inference import VERSION as INFERENCE_VERSION
from catalogue.inference import Holder, leading_holdings, materialise
from catalogue.ingest.rdf import read_rdf
from catalogue.ingest.template import TemplateTable
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.quality import note_quads, stream_notes
from catalogue.report import Problem, Report, Severity
from catalogue.store.base import CatalogueStore, SubmissionWrite, WriteProgress

if TYPE_CHECKING:
    from catalogue.ingest.to_rdf import Mapped

TEMPLATE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"

Progress = Callable[[str], None]
T = TypeVar("T")


def _quiet(_: str) -> None:
    pass


@dataclass
class PreparedFile:
    """One file read, mapped and validated; nothing stored yet."""

    path: Path
    checksum: str
    quads: list[Quad] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    """Stream IRI -> template row (empty for RDF input)."""
    identifiers: dict[str, str] = field(default_factory=dict)
    """Stream identifier -> stream IRI."""
    problems: list[Problem] = field(default_factory=list)
    chunks: list[TemplateTable] = field(default_factory=list)
    """A large template's rows, ``load_chunk_streams`` a chunk, when it was validated chunk by
    chunk; ``quads`` then stays empty and each chunk is mapped again as it is written
    (:func:`chunked_content`)."""
    levels: SubmissionLevels | None = None
    """The whole submission's levels, for partitioning its chunks one at a time."""

    @property
    def conforms(self) -> bool:
        return not any(p.severity is Severity.VIOLATION for p in self.problems)


@dataclass(frozen=True)
class SubmissionSummary:
    iri: str
    identifier: str
    source: str
    streams: int
    status: str
    """``loaded``, ``replaced`` or ``unchanged``."""
    year: int | None = None
    """The reporting year it was loaded for."""
    revised: int = 0
    """How many of its streams are new versions of streams reported for an earlier year."""


@dataclass
class LoadResult:
    submissions: list[SubmissionSummary]
    report: Report


def checksum_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def slug(text: str) -> str:
    """Lower-case ASCII words joined by ``-``: stable IRI segments from names."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
        .replace("æ", "ae")
        .replace("Æ", "AE")
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "unnamed"


def submission_iri(settings: Settings, submission_id: str) -> NamedNode:
    return NamedNode(f"{settings.data_base}submission/{submission_id}")


def content_graphs(submission: NamedNode) -> list[NamedNode]:
    """Every graph a submission may write: one per level, and each one's inferences."""
    graphs = list(level_graphs(submission).values())
    return graphs + [inferred_graph(graph) for graph in graphs]


def catalogue_graph(settings: Settings) -> NamedNode:
    return NamedNode(settings.data_base + "catalogue")


def submission_quads(triples: list[Quad], graph: NamedNode, meta: NamedNode) -> list[Quad]:
    """What the store holds for one submission's statements: one graph per level
    (``access.partition``), each with its inferences and, in ``meta``, its level."""
    levels = submission_levels(triples)
    return content_quads(triples, graph, levels) + level_records(graph, meta, levels)


Holders = dict[str, list[Holder]]
"""Inferred graph -> the ranking keys of its supplies (``inference.materialise``)."""


def content_quads(
    triples: list[Quad],
    graph: NamedNode,
    levels: SubmissionLevels,
    holders: Holders | None = None,
) -> list[Quad]:
    """The statements of a submission, or of one chunk of it, in their level graphs, each
    level's followed by what is inferred from it. With ``holders`` (a chunk), the supplies'
    ranking keys go there, for the leading holders of the whole file (:func:`leading`)."""
    quads: list[Quad] = []
    graphs = level_graphs(graph)
    for level, part in sorted(partition(triples, levels).items()):
        target = graphs[level]
        asserted = [Quad(q.subject, q.predicate, q.object, target) for q in part]
        quads += asserted
        inferred = inferred_graph(target)
        kept = None if holders is None else holders.setdefault(inferred.value, [])
        quads += materialise(asserted, inferred, holders=kept)
    return quads


def leading(holders: Holders) -> list[Quad]:
    """Each level's leading holders, from the keys of all of its chunks."""
    return [
        quad
        for graph, found in sorted(holders.items())
        for quad in leading_holdings(found, NamedNode(graph))
    ]


def level_records(graph: NamedNode, meta: NamedNode, levels: SubmissionLevels) -> list[Quad]:
    """In the catalogue graph: each level graph the submission fills, its level, and that it
    is part of the submission (what registers it: ``access.view_for``)."""
    graphs = level_graphs(graph)
    return [
        quad
        for level in sorted(levels.used)
        for quad in (
            Quad(graphs[level], NamedNode(DCTERMS + "isPartOf"), graph, meta),
            Quad(graphs[level], NamedNode(SS.confidentiality), level.iri, meta),
        )
    ]


def chunked_content(
    prepared: PreparedFile,
    graph: NamedNode,
    settings: Settings,
    stamp: VersionStamp,
    progress: WriteProgress | None = None,
) -> Iterator[list[Quad]]:
    """A chunked file's content, one chunk at a time: mapped again (the chunk validated
    earlier, the mapping is deterministic), partitioned by the whole submission's levels and
    materialised, in ``load_workers`` processes while this one writes; then the leading
    holders of each level, from the ranking keys of every chunk. The same quads as the
    whole file at once."""

    assert prepared.levels is not None
    total, done = len(prepared.identifiers), 0
    holders: Holders = {}

    def chunks() -> Iterator[tuple[list[Quad], int]]:
        if settings.load_workers == 1:
            for chunk in prepared.chunks:
                mapped = _map_chunk(chunk, settings.data_base)
                assert prepared.levels is not None
                versions = stamp.quads(mapped.identifiers.values())
                quads = content_quads(mapped.quads + versions, graph, prepared.levels, holders)
                yield quads, len(mapped.identifiers)
            return
        # N-Quads between processes: pyoxigraph writes and reads it 10x faster than pickle
        for content, found, streams in _in_workers(
            chunk_content,
            [(chunk, graph.value, settings.data_base, stamp) for chunk in prepared.chunks],
            settings.load_workers,
            prepared.levels,
        ):
            for inferred, keys in found.items():
                holders.setdefault(inferred, []).extend(keys)
            yield list(parse(content, format=RdfFormat.N_QUADS)), streams

    for quads, streams in chunks():
        yield quads
        done += streams
        if progress is not None:
            progress(done, total, "streams")
    yield leading(holders)


_levels: SubmissionLevels | None = None
"""The submission's levels in a worker process (sent once, not with every chunk)."""


def _receive_levels(levels: SubmissionLevels | None) -> None:
    global _levels
    _levels = levels


def _start_worker(levels: SubmissionLevels | None, parent: int) -> None:
    """A load worker's start: the levels, and a watch on the loading process, since a
    killed load (SIGKILL, out of memory) cannot stop its workers and they would wait for
    work for ever (found by the crash test: 291 of them)."""
    _receive_levels(levels)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def chunk_content(
    chunk: TemplateTable, graph: str, base: str, stamp: VersionStamp
) -> tuple[bytes, Holders, int]:
    """One chunk's stored content as N-Quads, its supplies' ranking keys and its streams (in
    a worker process of :func:`chunked_content`)."""

    assert _levels is not None
    mapped = _map_chunk(chunk, base)
    holders: Holders = {}
    versions = stamp.quads(mapped.identifiers.values())
    quads = content_quads(mapped.quads + versions, NamedNode(graph), _levels, holders)
    content = serialize(quads, format=RdfFormat.N_QUADS) or b""
    return content, holders, len(mapped.identifiers)


def _in_workers(
    function: Callable[..., T],
    calls: list[tuple],
    workers: int,
    levels: SubmissionLevels | None = None,
) -> Iterator[T]:
    """``function(*call)`` for each call, results in order, ``workers`` processes at a time
    (1: in this process), each given ``levels`` once."""
    if workers == 1:
        _receive_levels(levels)
        try:
            yield from (function(*call) for call in calls)
        finally:
            _receive_levels(None)
        return
    # spawn, not fork: the service loads from a thread, and forking a threaded process
    # can copy a held lock
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(levels, os.getpid()),
    ) as pool:
        pending: deque[Future[T]] = deque()
        for call in calls:
            # a few chunks ahead, not the whole file's rows queued at once
            if len(pending) == 2 * workers:
                yield pending.popleft().result()
            pending.append(pool.submit(function, *call))
        while pending:
            yield pending.popleft().result()


def prepare_file(
    path: Path, settings: Settings, progress: Progress = _quiet, *, mapping: Path | None = None
) -> PreparedFile:
    """Read, map and validate one file. Never raises for bad content: see ``problems``.

    With ``mapping`` (a column mapping, ``catalogue.ingest.mapping``), ``path`` is a CSV or
    XLSX file of another layout read through it as a template: the problems name the
    source file's columns, and the checksum covers both files.
    """
    if mapping is None:
        return _prepare_file(path, settings, progress)
    from catalogue.ingest.mapping import read_through

    progress(f"{path.name}: reading it through the mapping {mapping.name}")
    source = read_through(path, mapping)
    prepared = _prepare_file(path, settings, progress, table=source.table)
    if mapping.is_file() and prepared.checksum:
        prepared.checksum += " " + checksum_of(mapping)
    prepared.problems = source.in_source_terms(prepared.problems)
    return prepared


def _prepare_file(
    path: Path, settings: Settings, progress: Progress, table: TemplateTable | None = None
) -> PreparedFile:
    """:func:`prepare_file` of a file, or of rows already read from it (``table``)."""
    from catalogue.ingest.to_rdf import map_rdf_streams, map_template
    from catalogue.validation.validate import validate_quads

    if not path.is_file():
        return PreparedFile(
            path=path,
            checksum="",
            problems=[
                Problem(
                    severity=Severity.VIOLATION,
                    message={"en": "no such file", "nb": "filen finnes ikke"},
                    rule="ingest:file",
                    file=str(path),
                )
            ],
        )
    prepared = PreparedFile(path=path, checksum=checksum_of(path))
    suffix = path.suffix.lower()
    from catalogue.ingest.exchanges import is_exchanges_file, read_exchanges

    if table is None and suffix in TEMPLATE_SUFFIXES and is_exchanges_file(path):
        progress(f"{path.name}: reading the exchanges template")
        mapped = read_exchanges(path, base=settings.data_base)
    elif table is not None or suffix in TEMPLATE_SUFFIXES:
        from catalogue.ingest.template import read_template

        if table is None:
            progress(f"{path.name}: reading the template")
            table = read_template(path)
        prepared.problems.extend(table.problems)
        if not prepared.conforms:
            return prepared
        if len(table.rows) > settings.load_chunk_streams:
            return _prepare_in_chunks(prepared, table, settings, progress)
        progress(f"{path.name}: mapping {len(table.rows)} rows to RDF")
        mapped = map_template(table, base=settings.data_base)
    else:  # read_rdf reports an unsupported extension itself
        progress(f"{path.name}: parsing RDF")
        submission = read_rdf(path)
        prepared.problems.extend(submission.problems)
        if not prepared.conforms:
            return prepared
        mapped = map_rdf_streams(submission.quads, file=path.name, base=settings.data_base)
    prepared.problems.extend(mapped.problems)
    prepared.quads, prepared.rows, prepared.identifiers = (
        mapped.quads,
        mapped.rows,
        mapped.identifiers,
    )
    if not prepared.conforms:
        return prepared
    progress(
        f"{path.name}: validating {len(mapped.identifiers)} streams ({len(mapped.quads)} triples)"
    )
    prepared.problems.extend(validate_quads(prepared.quads, file=path.name, rows=prepared.rows))
    # the warnings stay with their streams, as quality notes (catalogue.quality)
    streams = prepared.identifiers.values()
    prepared.quads += note_quads(stream_notes(prepared.problems, prepared.rows, streams))
    return prepared


@dataclass
class PreparedChunk:
    """What mapping and validating one chunk of a large template found (all of it small:
    the chunk's statements stay in the process that made them)."""

    mapping_problems: list[Problem]
    shape_problems: list[Problem]
    rows: dict[str, int]
    identifiers: dict[str, str]
    levels: SubmissionLevels


def prepare_chunk(chunk: TemplateTable, base: str) -> PreparedChunk:
    """Map and validate one chunk (in a worker process of :func:`_prepare_in_chunks`)."""
    from catalogue.ingest.to_rdf import map_template
    from catalogue.validation.validate import validate_quads

    mapped = map_template(chunk, base=base)
    conforms = not any(p.severity is Severity.VIOLATION for p in mapped.problems)
    return PreparedChunk(
        mapping_problems=mapped.problems,
        # past a mapping violation, only mapping is checked (as for a whole file)
        shape_problems=(
            validate_quads(mapped.quads, file=chunk.path.name, rows=mapped.rows) if conforms else []
        ),
        rows=mapped.rows,
        identifiers=mapped.identifiers,
        levels=submission_levels(mapped.quads),
    )


def _prepare_in_chunks(
    prepared: PreparedFile, table: TemplateTable, settings: Settings, progress: Progress
) -> PreparedFile:
    """:func:`prepare_file` for a template of more than ``load_chunk_streams`` rows: map and
    validate a chunk of rows at a time, ``load_workers`` chunks side by side, keeping only
    the problems, identifiers and levels, so memory holds a few chunks' statements. The same
    problems as the whole file at once: every shape's focus is a stream or something only
    its own row describes, an identifier repeated in a later chunk is reported as the
    mapper reports one within a chunk, and a file with mapping violations reports those
    alone."""
    from catalogue.ingest.to_rdf import duplicate_identifier

    size = settings.load_chunk_streams
    name = prepared.path.name
    rows = len(table.rows)
    prepared.chunks = [
        dataclasses.replace(table, rows=table.rows[start : start + size], problems=[])
        for start in range(0, rows, size)
    ]
    first_row: dict[str, int] = {}
    levels = SubmissionLevels(named={})
    shape_problems: list[Problem] = []
    done = 0
    progress(f"{name}: validating {rows:,} streams, {size:,} at a time (mapping them first)")
    calls = [(chunk, settings.data_base) for chunk in prepared.chunks]
    for chunk in _in_workers(prepare_chunk, calls, settings.load_workers):
        prepared.problems.extend(chunk.mapping_problems)
        for identifier, stream in chunk.identifiers.items():
            row = chunk.rows[stream]
            if identifier in first_row:
                prepared.problems.append(
                    duplicate_identifier(identifier, row, first_row[identifier], name)
                )
                continue
            first_row[identifier] = row
            prepared.identifiers[identifier] = stream
            prepared.rows[stream] = row
        levels.merge(chunk.levels)
        shape_problems += chunk.shape_problems
        done += size
        progress(f"{name}: validating streams, {min(done, rows):,} of {rows:,} done")
    prepared.levels = levels
    if prepared.conforms:
        prepared.problems.extend(shape_problems)
        # each chunk keeps its rows' warnings, which become its streams' quality notes
        # when it is mapped again to be written (_map_chunk)
        warnings: dict[int, list[Problem]] = {}
        for problem in prepared.problems:
            if problem.severity is Severity.WARNING and problem.row is not None:
                warnings.setdefault(problem.row, []).append(problem)
        prepared.chunks = [
            dataclasses.replace(
                chunk, problems=[p for row in chunk.rows for p in warnings.get(row.number, [])]
            )
            for chunk in prepared.chunks
        ]
    return prepared


def _existing_submissions(store: CatalogueStore) -> dict[str, str]:
    """Submission IRI -> checksum."""
    return {
        row["submission"].value: row["checksum"].value
        for row in store.select(queries.bind(queries.load("catalogue/submissions")))
    }


@dataclass(frozen=True)
class Owner:
    """The submission holding the current version of a stream, and its reporting year."""

    submission: str
    year: int | None
    """``None`` for a submission loaded before reporting years were recorded."""
    stream: str
    publisher: str | None


def _identifier_owners(store: CatalogueStore, identifiers: list[str]) -> dict[str, Owner]:
    """Identifier -> the submission that holds the current version of a stream with it."""
    if not identifiers:
        return {}
    query = queries.bind(
        queries.load("catalogue/stream_identifiers"),
        {"identifier": [Literal(identifier) for identifier in identifiers]},
    )
    return {
        row["identifier"].value: Owner(
            row["submission"].value,
            int(row["year"].value) if "year" in row else None,
            row["stream"].value,
            row["publisher"].value if "publisher" in row else None,
        )
        for row in store.select(query)
    }


def reporting_year(prepared: PreparedFile, now: datetime) -> int:
    """The year a file reports for when the publisher does not say: the latest
    ``reference_year`` of its figures (a quantity's, or an exchange's effect figures'), else
    the current year."""
    figures = (str(SS.referenceYear), str(SS.figuresYear))
    years = [
        int(quad.object.value) for quad in prepared.quads if quad.predicate.value in figures
    ] + [
        int(row.cells["reference_year"].strip())
        for chunk in prepared.chunks
        for row in chunk.rows
        if row.cells.get("reference_year", "").strip().isdigit()
    ]
    return max(years, default=now.year)


def _exchange_clashes(
    store: CatalogueStore, prepared: PreparedFile, graph: NamedNode
) -> list[Problem]:
    """An exchange another submission holds already: its figures would count twice in every
    aggregate (exchanges have no versions; a new year's figures replace that file)."""
    exchanges = [
        quad.subject
        for quad in prepared.quads
        if quad.predicate.value == RDF_TYPE and quad.object.value == str(SS.Exchange)
    ]
    if not exchanges:
        return []
    query = queries.bind(queries.load("catalogue/exchange_owners"), {"exchange": exchanges})
    problems = []
    for row in store.select(query):
        held_in = row["submission"].value
        if held_in == graph.value:
            continue  # the same file again, or its replacement
        exchange = row["exchange"].value
        name, other = exchange.rsplit("/", 1)[-1], held_in.rsplit("/", 1)[-1]
        problems.append(
            Problem(
                severity=Severity.VIOLATION,
                message={
                    "en": f"exchange {name!r} is already in the catalogue, in submission "
                    f"{other}: replace that file to change its figures",
                    "nb": f"utvekslingen {name!r} finnes allerede i katalogen, i innsendingen "
                    f"{other}: erstatt den filen for å endre tallene",
                },
                rule="catalogue:exchange-unique",
                file=prepared.path.name,
                row=prepared.rows.get(exchange),
                column="exchange",
                value=name,
            )
        )
    return problems


def _clash(file: str, identifier: str, row: int | None, en: str, nb: str) -> Problem:
    return Problem(
        severity=Severity.VIOLATION,
        message={"en": en, "nb": nb},
        rule="catalogue:identifier-unique",
        file=file,
        row=row,
        column="identifier",
        value=identifier,
    )


def _metadata(
    graph: NamedNode,
    prepared: PreparedFile,
    meta: NamedNode,
    publisher: str,
    now: datetime,
    year: int,
) -> list[Quad]:
    def q(predicate: str, value: NamedNode | Literal) -> Quad:
        return Quad(graph, NamedNode(predicate), value, meta)

    return [
        q(RDF_TYPE, NamedNode(SS.Submission)),
        q(PROV + "wasAttributedTo", Literal(publisher)),
        q(
            PROV + "generatedAtTime",
            Literal(now.isoformat(timespec="seconds"), datatype=NamedNode(XSD + "dateTime")),
        ),
        q(DCTERMS + "source", Literal(prepared.path.name)),
        q(SS.checksum, Literal(prepared.checksum)),
        q(
            SS.streamCount,
            Literal(str(len(prepared.identifiers)), datatype=NamedNode(XSD + "integer")),
        ),
        q(
            SS.inferenceVersion,
            Literal(str(INFERENCE_VERSION), datatype=NamedNode(XSD + "integer")),
        ),
        q(SS.reportingYear, year_literal(year)),
    ]


def load_files(
    paths: list[Path],
    store: CatalogueStore,
    settings: Settings,
    *,
    publisher: str,
    replace: bool = False,
    year: int | None = None,
    own_streams_only: bool = False,
    now: datetime | None = None,
    progress: Progress = _quiet,
    write_progress: WriteProgress | None = None,
    mapping: Path | None = None,
) -> LoadResult:
    """Validate every file, then store all of them in one transaction, or none.

    Each file becomes the submission named after it (``submission/<file-stem-slug>``).
    Loading a file again with the same content changes nothing; with new content it
    needs ``replace=True``, and then the old submission goes in the same transaction.
    Each file reports for ``year`` (default :func:`reporting_year`); a stream whose current
    version was reported for an earlier year gets a new version, and the earlier one moves
    to its submission's history in the same transaction (``catalogue.history``); with
    ``own_streams_only`` (a publisher, not an administrator) only if ``publisher``
    published that version.
    ``mapping``: a column mapping every file is read through (:func:`prepare_file`).
    Raises ``SubmissionRejected`` (nothing stored) when any file has a violation.
    ``write_progress`` follows the store write (a large one on a remote store goes in
    batches before the one step that makes it visible).
    """
    now = now or datetime.now(UTC)
    report = Report()
    prepared_files = [prepare_file(path, settings, progress, mapping=mapping) for path in paths]
    for prepared in prepared_files:
        report.extend(prepared.problems)

    existing = _existing_submissions(store)
    planned: list[tuple[PreparedFile, NamedNode, str, VersionStamp, int]] = []
    """Each file to write: its submission, status, version records and how many of its
    streams are new versions of current ones."""
    leaving: dict[str, dict[int, set[str]]] = {}
    """Submission -> year -> its streams a newer version replaces from that year."""
    seen_graphs: dict[str, str] = {}
    seen_identifiers: dict[str, str] = {}
    for prepared in prepared_files:
        if not prepared.conforms:
            continue
        graph = submission_iri(settings, slug(prepared.path.stem))
        if graph.value in seen_graphs:
            report.extend(
                [
                    Problem(
                        severity=Severity.VIOLATION,
                        message={
                            "en": f"two files named like {prepared.path.stem!r} in one load; "
                            "rename one",
                            "nb": f"to filer med navn som {prepared.path.stem!r} i samme lasting; "
                            "gi den ene et annet navn",
                        },
                        rule="catalogue:submission-unique",
                        file=prepared.path.name,
                    )
                ]
            )
            continue
        seen_graphs[graph.value] = prepared.path.name
        status = "loaded"
        if graph.value in existing:
            if existing[graph.value] == prepared.checksum:
                status = "unchanged"
            elif not replace:
                report.extend(
                    [
                        Problem(
                            severity=Severity.VIOLATION,
                            message={
                                "en": f"the catalogue already has a submission from a file named "
                                f"{prepared.path.name!r} with other content; load with --replace "
                                "to replace it",
                                "nb": f"katalogen har allerede en innsending fra en fil med navnet "
                                f"{prepared.path.name!r} med annet innhold; last med --replace for "
                                "å erstatte den",
                            },
                            rule="catalogue:submission-exists",
                            file=prepared.path.name,
                        )
                    ]
                )
                continue
            else:
                status = "replaced"
        reported = year if year is not None else reporting_year(prepared, now)
        owners = _identifier_owners(store, list(prepared.identifiers))
        revised: dict[str, str] = {}
        for identifier, stream in prepared.identifiers.items():
            row = prepared.rows.get(stream)
            other_file = seen_identifiers.get(identifier)
            if other_file is not None:
                report.extend(
                    [
                        _clash(
                            prepared.path.name,
                            identifier,
                            row,
                            f"identifier {identifier!r} is also used in {other_file}",
                            f"identifikatoren {identifier!r} brukes også i {other_file}",
                        )
                    ]
                )
            seen_identifiers[identifier] = prepared.path.name
            owner = owners.get(identifier)
            if owner is None or owner.submission == graph.value:
                continue
            if own_streams_only and owner.publisher != publisher:
                report.extend(
                    [
                        _clash(
                            prepared.path.name,
                            identifier,
                            row,
                            f"identifier {identifier!r} is another publisher's stream: only "
                            "they (or an administrator) may report a new version of it",
                            f"identifikatoren {identifier!r} er en annen utgivers strøm: bare "
                            "de (eller en administrator) kan rapportere en ny versjon av den",
                        )
                    ]
                )
                continue
            if owner.year is None or owner.year < reported:
                revised[stream] = owner.submission
                continue
            held_in = owner.submission.rsplit("/", 1)[-1]
            newer = owner.year > reported
            report.extend(
                [
                    _clash(
                        prepared.path.name,
                        identifier,
                        row,
                        f"identifier {identifier!r} already has a version reported for "
                        f"{owner.year}, in submission {held_in}"
                        + (
                            f": a version for {reported} cannot come after it"
                            if newer
                            else "; report it for a later year, or replace that submission"
                        ),
                        f"identifikatoren {identifier!r} har allerede en versjon rapportert for "
                        f"{owner.year}, i innsendingen {held_in}"
                        + (
                            f": en versjon for {reported} kan ikke komme etter den"
                            if newer
                            else "; rapporter den for et senere år, eller erstatt den innsendingen"
                        ),
                    )
                ]
            )
        report.extend(_exchange_clashes(store, prepared, graph))
        for stream, owner_submission in revised.items():
            leaving.setdefault(owner_submission, {}).setdefault(reported, set()).add(stream)
        # the same file again writes nothing: no earlier versions to look for
        previous = (
            {}
            if status == "unchanged"
            else previous_versions(store, prepared.identifiers.values(), reported)
        )
        planned.append((prepared, graph, status, VersionStamp(reported, previous), len(revised)))

    if not report.conforms:
        raise SubmissionRejected(report)

    meta = catalogue_graph(settings)
    quads: list[Quad] = []
    replaced: list[NamedNode] = []
    subjects: list[NamedNode] = []
    summaries = []
    # a chunked file streams its content only as a new submission that moves no older
    # version into history; otherwise it is one transaction, the whole file at once
    chunked = [p for p, _, status, _, _ in planned if p.chunks and status == "loaded"]
    if chunked and (len(chunked) > 1 or len(planned) > 1):
        # One store write per load, registration last: its streamed content can be one
        # file's chunks, whose statements must not be held in memory beside another's.
        raise SubmissionRejected(
            Report(
                [
                    Problem(
                        severity=Severity.VIOLATION,
                        message={
                            "en": f"{chunked[0].path.name} has more than "
                            f"{settings.load_chunk_streams:,} streams: load it on its own",
                            "nb": f"{chunked[0].path.name} har mer enn "
                            f"{settings.load_chunk_streams:,} strømmer: last den alene",
                        },
                        rule="catalogue:large-file-alone",
                        file=chunked[0].path.name,
                    )
                ]
            )
        )
    batches: Iterator[list[Quad]] = iter(())
    batch_graphs: list[NamedNode] = []
    for prepared, graph, status, stamp, revised_count in planned:
        summaries.append(
            SubmissionSummary(
                iri=graph.value,
                identifier=graph.value.rsplit("/", 1)[-1],
                source=prepared.path.name,
                streams=len(prepared.identifiers),
                status=status,
                year=stamp.year,
                revised=revised_count,
            )
        )
        if status == "unchanged":
            continue
        if prepared.chunks and status == "loaded" and not leaving:
            progress(
                f"{prepared.path.name}: writing {len(prepared.identifiers):,} streams, "
                f"{settings.load_chunk_streams:,} at a time, with their inferences"
            )
            assert prepared.levels is not None
            batches = chunked_content(prepared, graph, settings, stamp, write_progress)
            batch_graphs = content_graphs(graph)
            quads += level_records(graph, meta, prepared.levels)
            quads += _metadata(graph, prepared, meta, publisher, now, stamp.year)
            continue
        if prepared.chunks:  # one transaction: the whole file at once
            prepared.quads = [q for c in prepared.chunks for q in _mapped(c, settings)]
        progress(f"{prepared.path.name}: materialising inferences")
        prepared.quads += stamp.quads(prepared.identifiers.values())
        quads += submission_quads(prepared.quads, graph, meta)
        prepared.quads = []  # the stored layout holds them now: not two copies at once
        quads += _metadata(graph, prepared, meta, publisher, now, stamp.year)
        if status == "replaced":
            replaced += content_graphs(graph)
            subjects += [graph, *level_graphs(graph).values()]
    for owner, by_year in sorted(leaving.items()):
        progress(f"moving the versions replaced in {owner.rsplit('/', 1)[-1]} into its history")
        rewrite = move_to_history(store, NamedNode(owner), meta, by_year)
        replaced += rewrite.drops
        quads += rewrite.quads
        subjects += rewrite.metadata_subjects
    if batch_graphs:
        store.write(
            SubmissionWrite(
                quads=quads, metadata_graph=meta, batches=batches, batch_graphs=batch_graphs
            )
        )
    elif quads or replaced:
        progress(f"writing {len(quads)} quads")
        store.write(
            SubmissionWrite(
                quads=quads, replaces=replaced, metadata_graph=meta, metadata_subjects=subjects
            ),
            write_progress,
        )
    return LoadResult(submissions=summaries, report=report)


def _mapped(chunk: TemplateTable, settings: Settings) -> list[Quad]:
    return _map_chunk(chunk, settings.data_base).quads


def _map_chunk(chunk: TemplateTable, base: str) -> Mapped:
    """A validated chunk's statements as they are stored: mapped again, with the quality
    notes of the warnings :func:`_prepare_in_chunks` left on it (as a whole file's)."""
    from catalogue.ingest.to_rdf import map_template

    mapped = map_template(chunk, base=base)
    mapped.quads += note_quads(stream_notes(chunk.problems, mapped.rows))
    return mapped


def withdraw(store: CatalogueStore, settings: Settings, submission_id: str) -> bool:
    """Remove a submission (one loaded by mistake), its history, its inferences and its
    provenance in one transaction; the versions its streams had replaced are current
    again. A stream that is no longer reported is withdrawn with :func:`withdraw_stream`
    instead, which keeps its history."""
    try:
        graph = submission_iri(settings, submission_id)
    except ValueError:
        return False  # not IRI material (a quote, a space): no submission has that name
    if graph.value not in _existing_submissions(store):
        return False
    meta = catalogue_graph(settings)
    graphs = {graph, *submission_graphs(store, graph)}
    drops = [g for part in sorted(graphs, key=lambda g: g.value) for g in content_graphs(part)]
    change = Rewrite(
        drops=drops, metadata_subjects=[g for g in drops if not g.value.endswith("/inferred")]
    )
    # the versions this submission's current streams replaced are current again
    years = [
        int(r["year"]) for r in submissions(store) if r["submission"] == graph.value and "year" in r
    ]
    year = years[0] if years else None
    if year is not None:
        streams = streams_in(asserted_triples(store, graph))
        for earlier, back in sorted(replaced_versions(store, streams, year).items()):
            if earlier != graph.value:
                change.merge(restore_from_history(store, NamedNode(earlier), meta, year, back))
    store.write(change.write(meta))
    return True


def withdraw_stream(
    store: CatalogueStore, settings: Settings, identifier: str, year: int
) -> str | None:
    """Withdraw a stream as of reporting ``year``: it leaves the catalogue from that year
    on (the latest view, and views of that year and after) and stays in the history of
    the years before, marked ``ss:withdrawnIn``. Returns the submission that held its
    current version, or ``None`` when no current stream has that identifier. Raises
    ``ValueError`` when that version was reported for ``year`` or later."""
    owner = _identifier_owners(store, [identifier]).get(identifier)
    if owner is None:
        return None
    if owner.year is not None and owner.year >= year:
        raise ValueError(
            f"stream {identifier!r} was reported for {owner.year}: withdraw it as of a later "
            "year, or replace or withdraw that submission"
        )
    meta = catalogue_graph(settings)
    moving = {year: {owner.stream}}
    rewrite = move_to_history(store, NamedNode(owner.submission), meta, moving, moving)
    store.write(rewrite.write(meta))
    return owner.submission


def submissions(store: CatalogueStore) -> list[dict[str, str]]:
    return [
        {key: term.value for key, term in row.items()}
        for row in store.select(queries.bind(queries.load("catalogue/submissions")))
    ]
