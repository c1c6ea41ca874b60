"""Who may see which stream: the only place where results are filtered by confidentiality.

Levels (template column ``confidentiality``): ``public`` streams are seen by everyone,
``restricted`` ones by registered readers, ``confidential`` ones by their publisher
and administrators. Organisations and sites are visible when a visible stream
names them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

from pyoxigraph import NamedNode, Quad

from catalogue import queries
from catalogue.namespaces import CONFIDENTIALITY
from catalogue.store.base import CatalogueStore


class Level(IntEnum):
    """Confidentiality levels in order of who may see them."""

    PUBLIC = 0
    RESTRICTED = 1
    CONFIDENTIAL = 2


LEVELS = {NamedNode(CONFIDENTIALITY[level.name.lower()]): level for level in Level}


@dataclass(frozen=True)
class Visibility:
    """The stream IRIs a caller may see, and the organisations and sites they name."""

    streams: frozenset[str]
    attached: frozenset[str]

    def allows_subject(self, subject: str) -> bool:
        """Whether triples about ``subject`` (a stream, its #fragments, its org or site) show."""
        return subject.split("#", 1)[0] in self.streams or subject in self.attached


def visibility(store: CatalogueStore, *, up_to: Level = Level.PUBLIC) -> Visibility:
    """What a caller cleared up to ``up_to`` sees; anonymous callers see ``Level.PUBLIC``."""
    streams: set[str] = set()
    attached: set[str] = set()
    for row in store.select(queries.bind(queries.load("catalogue/streams_by_confidentiality"))):
        level = LEVELS.get(row["level"])  # type: ignore[arg-type]
        if level is None or level > up_to:
            continue  # an unknown level is treated as the most restrictive
        streams.add(row["stream"].value)
        for key in ("organisation", "site"):
            if key in row:
                attached.add(row[key].value)
    return Visibility(frozenset(streams), frozenset(attached))


def visible_quads(quads: Iterable[Quad], seen: Visibility) -> Iterator[Quad]:
    return (quad for quad in quads if seen.allows_subject(quad.subject.value))
