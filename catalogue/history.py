"""Versions of streams: the yearly reporting cycle.

A stream reported again for a later reporting year becomes a new version of the same
stream. The stream IRI stays the same; each version carries a record on a fragment of it
(``<stream#version-2025> a ss:StreamVersion; dcterms:isVersionOf <stream>;
ss:reportingYear 2025; prov:wasRevisionOf <stream#version-2024>``), and the version it
replaces moves, whole, from its submission's graphs to that submission's history graphs
for the year (``access.history_graph``), where it stays. Which version a query sees is
then a matter of which graphs are in its dataset (``access.view_for``), so every query,
match and page reads any year without knowing about versions.

This module builds those changes; ``publish`` writes them in the same transaction as
the submission that causes them (nothing is overwritten, nothing is half-moved).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from catalogue import queries
from catalogue.access import (
    STREAM_TYPES,
    history_graph,
    level_graphs,
    submission_levels,
)
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.store.base import CatalogueStore, SubmissionWrite

DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
IS_VERSION_OF = NamedNode(DCTERMS + "isVersionOf")
IS_PART_OF = NamedNode(DCTERMS + "isPartOf")
WAS_REVISION_OF = NamedNode(PROV + "wasRevisionOf")
TYPE = NamedNode(RDF_TYPE)

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
"""The reporting years the catalogue accepts (``--year``, ``?year=``)."""


def year_literal(year: int) -> Literal:
    return Literal(str(year), datatype=INTEGER)


def version_iri(stream: str, year: int) -> NamedNode:
    return NamedNode(f"{stream}#version-{year}")


@dataclass(frozen=True)
class VersionStamp:
    """The version records of one submission's streams: its reporting year, and the year of
    each re-reported stream's version before (from :func:`previous_versions`)."""

    year: int
    previous: Mapping[str, int] = field(default_factory=dict)

    def quads(self, streams: Iterable[str]) -> list[Quad]:
        """The version record of each stream (IRIs), as asserted statements."""
        quads: list[Quad] = []
        year = year_literal(self.year)
        for stream in streams:
            version = version_iri(stream, self.year)
            quads += [
                Quad(version, TYPE, NamedNode(SS.StreamVersion)),
                Quad(version, IS_VERSION_OF, NamedNode(stream)),
                Quad(version, NamedNode(SS.reportingYear), year),
            ]
            before = self.previous.get(stream)
            if before is not None:
                quads.append(Quad(version, WAS_REVISION_OF, version_iri(stream, before)))
        return quads


def previous_versions(store: CatalogueStore, streams: Iterable[str], year: int) -> dict[str, int]:
    """Stream IRI -> the year of its newest version before ``year``, in every graph (a stream
    withdrawn and reported again continues its own history)."""
    wanted = [NamedNode(stream) for stream in streams]
    if not wanted:
        return {}
    query = queries.bind(
        queries.load("history/version_years"),
        {"stream": wanted, "before": year_literal(year)},
    )
    return {row["stream"].value: int(row["latest"].value) for row in store.select(query)}


def split_streams(triples: list[Quad], moved: set[str]) -> tuple[list[Quad], list[Quad]]:
    """A submission's statements, as those that stay and those of the ``moved`` streams.

    A stream's statements, its fragments' and the blank nodes they reach go with it; an
    organisation, a site or anything else a stream's statements reach goes with every part
    whose streams reach it (an organisation with streams on both sides is described on
    both); statements nothing reaches stay.
    """
    streams = streams_in(triples)
    by_subject: dict[str, list[Quad]] = defaultdict(list)
    for quad in triples:
        by_subject[quad.subject.value].append(quad)

    def owner(subject: str) -> str | None:
        base = subject.split("#", 1)[0]
        return base if base in streams else None

    def reached(roots: set[str]) -> set[str]:
        seen = set(roots)
        pending = list(roots)
        while pending:
            for quad in by_subject.get(pending.pop(), ()):
                target = quad.object
                if not isinstance(target, (NamedNode, BlankNode)):
                    continue
                name = target.value
                if name in seen or name not in by_subject:
                    continue
                held = owner(name)
                if held is not None and held not in roots:
                    continue  # another stream: it goes its own way
                seen.add(name)
                pending.append(name)
        return seen

    moving_roots = {s for s in by_subject if owner(s) in moved}
    staying_roots = {s for s in by_subject if owner(s) is not None and owner(s) not in moved}
    moving, staying = reached(moving_roots), reached(staying_roots)
    kept: list[Quad] = []
    gone: list[Quad] = []
    for subject, quads in by_subject.items():
        if subject in moving:
            gone += quads
        if subject in staying or subject not in moving:
            kept += quads
    return kept, gone


def streams_in(triples: Iterable[Quad]) -> set[str]:
    """The IRIs of the streams (supplies, demands) the statements type."""
    return {
        quad.subject.value
        for quad in triples
        if quad.predicate.value == RDF_TYPE and quad.object.value in STREAM_TYPES
    }


def asserted_triples(store: CatalogueStore, graph: NamedNode) -> list[Quad]:
    """The statements a submission (or one of its history graphs) asserted, at every level,
    as triples (their inferences are made again wherever they are written)."""
    return [
        Quad(quad.subject, quad.predicate, quad.object)
        for level_graph in level_graphs(graph).values()
        for quad in store.quads(level_graph)
    ]


@dataclass
class Rewrite:
    """Graphs to drop and the quads that take their place, in one store write."""

    drops: list[NamedNode] = field(default_factory=list)
    quads: list[Quad] = field(default_factory=list)
    metadata_subjects: list[NamedNode] = field(default_factory=list)

    def write(self, meta: NamedNode) -> SubmissionWrite:
        """The store write that makes the change, in one transaction (``meta``: the
        catalogue graph, whose records of the dropped graphs go with them)."""
        return SubmissionWrite(
            quads=self.quads,
            replaces=self.drops,
            metadata_graph=meta,
            metadata_subjects=self.metadata_subjects,
        )

    def merge(self, other: Rewrite) -> None:
        self.drops += other.drops
        self.quads += other.quads
        self.metadata_subjects += other.metadata_subjects


def move_to_history(
    store: CatalogueStore,
    submission: NamedNode,
    meta: NamedNode,
    leaving: Mapping[int, set[str]],
    withdrawn: Mapping[int, set[str]] | None = None,
) -> Rewrite:
    """Move streams (IRIs) of ``submission`` into its history graph of the year from which
    they are no longer current (``leaving``: year -> streams, a newer version reported or
    withdrawn); ``withdrawn`` marks those withdrawn (``ss:withdrawnIn``).

    The submission's remaining statements and each history graph (with what it held
    before) are written again with their inferences, so leading-holder lists and every
    other inference describe exactly what each graph holds.
    """
    from catalogue.publish import content_graphs, content_quads

    withdrawn = withdrawn or {}
    rewrite = Rewrite()
    remaining = asserted_triples(store, submission)
    for year in sorted(leaving):
        remaining, moved = split_streams(remaining, leaving[year])
        for stream in sorted(withdrawn.get(year, ())):
            moved.append(Quad(NamedNode(stream), NamedNode(SS.withdrawnIn), year_literal(year)))
        history = _distinct(moved + asserted_triples(store, history_graph(submission, year)))
        rewrite.merge(_history(submission, meta, year, history))
    rewrite.drops += content_graphs(submission)
    if remaining:
        rewrite.quads += content_quads(remaining, submission, submission_levels(remaining))
    return rewrite


def restore_from_history(
    store: CatalogueStore, submission: NamedNode, meta: NamedNode, year: int, streams: set[str]
) -> Rewrite:
    """The inverse of :func:`move_to_history`: ``streams`` (IRIs) of ``submission`` that a
    version reported for ``year`` replaced become current again (that version's submission
    is being withdrawn). The history graph keeps what else it held."""
    from catalogue.publish import content_graphs, content_quads

    staying, back = split_streams(asserted_triples(store, history_graph(submission, year)), streams)
    rewrite = _history(submission, meta, year, staying)
    current = _distinct(asserted_triples(store, submission) + back)
    rewrite.drops += content_graphs(submission)
    rewrite.quads += content_quads(current, submission, submission_levels(current))
    return rewrite


def _history(submission: NamedNode, meta: NamedNode, year: int, triples: list[Quad]) -> Rewrite:
    """``submission``'s history graph of ``year`` written again to hold ``triples`` (nothing
    when they describe no stream), with their inferences and, in ``meta``, each level graph's
    record: part of the submission, its level, current until ``year``."""
    from catalogue.publish import content_graphs, content_quads

    target = history_graph(submission, year)
    graphs = level_graphs(target)
    rewrite = Rewrite(drops=content_graphs(target), metadata_subjects=list(graphs.values()))
    if not streams_in(triples):
        return rewrite
    levels = submission_levels(triples)
    rewrite.quads += content_quads(triples, target, levels)
    for level in sorted(levels.used):
        rewrite.quads += [
            Quad(graphs[level], IS_PART_OF, submission, meta),
            Quad(graphs[level], NamedNode(SS.confidentiality), level.iri, meta),
            Quad(graphs[level], NamedNode(SS.currentUntil), year_literal(year), meta),
        ]
    return rewrite


def replaced_versions(
    store: CatalogueStore, streams: Iterable[str], year: int
) -> dict[str, set[str]]:
    """Submission -> which of ``streams`` (IRIs) it holds in its history graph of ``year``:
    the versions that versions reported for ``year`` replaced."""
    wanted = [NamedNode(stream) for stream in streams]
    if not wanted:
        return {}
    query = queries.bind(
        queries.load("history/replaced_versions"), {"stream": wanted, "until": year_literal(year)}
    )
    found: dict[str, set[str]] = defaultdict(set)
    for row in store.select(query):
        found[row["submission"].value].add(row["stream"].value)
    return dict(found)


def _distinct(quads: list[Quad]) -> list[Quad]:
    """``quads`` once each, in order (an organisation described in both parts of a move)."""
    return list(dict.fromkeys(quads))


def submission_graphs(store: CatalogueStore, submission: NamedNode) -> list[NamedNode]:
    """Every level graph the catalogue graph records as part of ``submission``, history
    graphs included (without their inferred graphs)."""
    query = queries.bind(queries.load("history/submission_graphs"), {"submission": submission})
    return [row["graph"] for row in store.select(query)]  # type: ignore[misc]
