"""Who may see which stream: the one place where confidentiality is decided.

Levels (template column ``confidentiality``): ``public`` streams are seen by everyone,
``restricted`` ones by registered readers, ``confidential`` ones by their publisher
and administrators.

Publishing writes each submission's statements into one named graph per level
(:func:`level_graphs`), and records each graph's level and publisher in the catalogue
graph. A caller's :class:`View` is the list of graphs it may see; every query a caller
causes runs over that dataset (SPARQL's own notion of a dataset: the default graph is
the union of those graphs, ``GRAPH ?g`` reaches only them), so a hidden stream is absent
from every answer without any handler filtering rows.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from pyoxigraph import BlankNode, NamedNode, Quad

from catalogue import queries
from catalogue.namespaces import CONFIDENTIALITY, RDF_TYPE, SS
from catalogue.store.base import CatalogueStore, Row, View


class Level(IntEnum):
    """Confidentiality levels in order of who may see them."""

    PUBLIC = 0
    RESTRICTED = 1
    CONFIDENTIAL = 2

    @property
    def iri(self) -> NamedNode:
        return NamedNode(CONFIDENTIALITY[self.name.lower()])


LEVELS = {level.iri: level for level in Level}
CONFIDENTIALITY_PROPERTY = str(SS.confidentiality)
STREAM_TYPES = frozenset({str(SS.Supply), str(SS.Demand)})
ATTACHMENTS = frozenset(
    {str(SS.heldBy), str(SS.atSite), str(SS.supplier), str(SS.receiver), str(SS.partOfSymbiosis)}
)
"""Properties from a stream to the organisation and site it names, and from an exchange
to its supplier, receiver and symbiosis."""
LEVELLED_TYPES = STREAM_TYPES | {str(SS.Exchange)}
"""What has a level of its own (``public`` unless it says otherwise): streams and exchanges."""


class Role(StrEnum):
    """What a caller is; a token carries one role (anonymous callers have none)."""

    ANONYMOUS = "anonymous"
    READER = "reader"
    """A registered reader: sees public and restricted streams."""
    PUBLISHER = "publisher"
    """A reader who also publishes for its organisation and sees its confidential streams."""
    ADMINISTRATOR = "administrator"
    """Sees everything and manages tokens."""


@dataclass(frozen=True)
class Caller:
    """Who is asking: a role and, for publishers, the organisation its token is bound to."""

    role: Role = Role.ANONYMOUS
    organisation: str | None = None
    """The publisher name recorded on the caller's submissions (``prov:wasAttributedTo``)."""

    @property
    def cleared_to(self) -> Level:
        """The highest level seen in every organisation's submissions."""
        if self.role is Role.ADMINISTRATOR:
            return Level.CONFIDENTIAL
        if self.role is Role.ANONYMOUS:
            return Level.PUBLIC
        return Level.RESTRICTED


ANONYMOUS = Caller()
ADMINISTRATOR = Caller(Role.ADMINISTRATOR)


def level_graphs(submission: NamedNode) -> dict[Level, NamedNode]:
    """The graph holding a submission's statements at each level.

    Public statements stay in the submission's own graph, so a public-only submission
    is one graph named like the submission, as before levels were split.
    """
    return {
        Level.PUBLIC: submission,
        Level.RESTRICTED: NamedNode(submission.value + "/restricted"),
        Level.CONFIDENTIAL: NamedNode(submission.value + "/confidential"),
    }


def inferred_graph(graph: NamedNode) -> NamedNode:
    """Where the statements inferred from ``graph`` go (same level, same visibility)."""
    return NamedNode(graph.value + "/inferred")


def may_see(caller: Caller, level: Level, publisher: str | None) -> bool:
    """Whether ``caller`` may see a graph at ``level`` published by ``publisher``."""
    if level <= caller.cleared_to:
        return True
    return (
        caller.role is Role.PUBLISHER
        and caller.organisation is not None
        and caller.organisation == publisher
    )


def view_for(
    store: CatalogueStore, caller: Caller, year: int | None = None, *, history: bool = False
) -> View:
    """The graphs ``caller`` may see: asserted and inferred, at the levels it is cleared for.

    By default the latest version of every stream; ``year``: the catalogue as it stood for
    that reporting year (each stream's newest version reported for it or before, unless
    withdrawn by then); ``history``: every version. A stream's older versions are in its
    submission's history graphs (:func:`history_graph`), so each choice is a list of
    whole graphs, and a stream IRI is in one version in any view but ``history``.

    Only graphs the catalogue graph records are ever in a view, an administrator's too
    (which also holds the catalogue graph itself, with every submission's provenance):
    graphs without a recorded level (none are written that way) and a remote store's
    staging graphs (a load in progress, or one a crash interrupted) are never shown.
    """
    graphs: set[NamedNode] = set()
    for row in store.select(queries.bind(queries.load("catalogue/content_graphs"))):
        if caller.role is Role.ADMINISTRATOR:
            graphs.add(row["catalogue"])  # type: ignore[arg-type]
        level = LEVELS.get(row["level"])  # type: ignore[arg-type]
        if level is None:
            continue  # an unknown level is treated as the most restrictive
        if not history and not _current(row, year):
            continue
        publisher = row["publisher"].value if "publisher" in row else None
        if may_see(caller, level, publisher):
            graph = row["graph"]
            assert isinstance(graph, NamedNode)
            graphs.update((graph, inferred_graph(graph)))
    return View(tuple(sorted(graphs, key=lambda g: g.value)))


def _current(row: Row, year: int | None) -> bool:
    """Whether a graph of ``content_graphs.rq`` holds versions current in ``year`` (None:
    now). A submission without a reporting year (loaded before versions) counts as always."""
    until = int(row["until"].value) if "until" in row else None
    if year is None:
        return until is None
    reported = int(row["year"].value) if "year" in row else None
    return (reported is None or reported <= year) and (until is None or until > year)


def history_graph(submission: NamedNode, year: int) -> NamedNode:
    """Where a submission's streams go when a version reported for ``year`` replaces them
    or they are withdrawn as of ``year``; its levels and inferences as for the submission
    (:func:`level_graphs`, :func:`inferred_graph`)."""
    return NamedNode(f"{submission.value}/until/{year}")


@dataclass
class SubmissionLevels:
    """What deciding a statement's level needs to know of the whole submission: the level
    of each stream and of each organisation and site its streams name, and the highest
    stream level. Gathered over all of a submission's statements (``add``, chunk by chunk
    for a large file), so that each chunk is then partitioned as the whole would be."""

    named: dict[str, Level]
    highest: Level | None = None

    def add(self, quads: list[Quad]) -> None:
        streams: dict[str, Level] = {}
        for quad in quads:
            if quad.predicate.value == CONFIDENTIALITY_PROPERTY:
                streams[quad.subject.value] = LEVELS.get(quad.object, Level.CONFIDENTIAL)  # type: ignore[arg-type]
        for quad in quads:
            if quad.predicate.value == RDF_TYPE and quad.object.value in LEVELLED_TYPES:
                streams.setdefault(quad.subject.value, Level.PUBLIC)
        self.named.update(streams)
        if streams:
            top = max(streams.values())
            self.highest = top if self.highest is None else max(self.highest, top)
        for quad in quads:
            if quad.predicate.value in ATTACHMENTS and quad.subject.value in streams:
                named = quad.object.value
                level = streams[quad.subject.value]
                self.named[named] = min(self.named.get(named, level), level)

    def merge(self, other: SubmissionLevels) -> None:
        """Add what ``other`` found in another chunk of the same submission."""
        for name, level in other.named.items():
            self.named[name] = min(self.named.get(name, level), level)
        if other.highest is not None:
            self.highest = (
                other.highest if self.highest is None else max(self.highest, other.highest)
            )

    @property
    def used(self) -> set[Level]:
        """The levels whose graphs the submission fills (every one holds a stream)."""
        return set(self.named.values()) or {Level.PUBLIC}


def submission_levels(quads: list[Quad]) -> SubmissionLevels:
    levels = SubmissionLevels(named={})
    levels.add(quads)
    return levels


def partition(quads: list[Quad], whole: SubmissionLevels | None = None) -> dict[Level, list[Quad]]:
    """Split one submission's statements by the level of the stream they describe.

    A stream's own statements and those of its ``#fragments`` take its level (``public``
    when none is given); an organisation or site takes the lowest level of the streams
    that name it, so it shows wherever one of its streams does; a blank node takes the
    level of the statement that points at it. Anything left (statements about nothing a
    stream reaches) takes the submission's highest level: when in doubt, hide.

    ``whole`` gives the levels of the whole submission when ``quads`` are one chunk of it
    (the rows of a large template, mapped a chunk at a time); by default ``quads`` are all.
    """
    whole = whole or submission_levels(quads)
    # this chunk's fragments and blank nodes, over the whole submission's named levels (a
    # chain, not a copy: the whole may hold a million streams)
    levels: ChainMap[str, Level] = ChainMap({}, whole.named)
    for quad in quads:
        subject = quad.subject.value
        base = subject.split("#", 1)[0]
        if base != subject and base in levels:
            levels[subject] = levels[base]
    changed = True
    while changed:
        changed = False
        for quad in quads:
            target = quad.object
            if isinstance(target, BlankNode) and quad.subject.value in levels:
                level = levels[quad.subject.value]
                if levels.get(target.value, Level.CONFIDENTIAL + 1) > level:
                    levels[target.value] = level
                    changed = True
    fallback = Level.PUBLIC if whole.highest is None else whole.highest
    parts: dict[Level, list[Quad]] = {}
    for quad in quads:
        parts.setdefault(levels.get(quad.subject.value, fallback), []).append(quad)
    return parts
