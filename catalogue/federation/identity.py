"""Identity across catalogues: the same organisation or site published by two of them.

When a source is harvested, each of its organisations is linked with ``owl:sameAs`` to
every organisation elsewhere in the public catalogue (this catalogue's own, or another
source's) with the same registry number (``org:identifier``, W3C ORG; only its letters and
digits count), or, when the two do not both give one, the same normalised name
(:func:`normalised_name`: case, accents, punctuation and a trailing legal form such as
``AS``, ``A/S`` or ``AB`` do not count): two different numbers are two organisations;
each of its sites to a site elsewhere whose operator is the same or linked and that has
the same normalised name or a stream within ``NEAR_KM`` of one of its streams. The data
template has no organisation-number column, so for streams loaded from templates names
and places are what there is to compare. The links go to a graph of the harvest's own
(``{harvest}/links``), registered as public like the harvest, and are made again with
each refresh of it.

Only public statements are compared (``view_for(ANONYMOUS)``), so a link never reveals
that a restricted or confidential organisation exists.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pyoxigraph import NamedNode, Quad

from catalogue import queries
from catalogue.access import ANONYMOUS, view_for
from catalogue.publish import slug
from catalogue.store.base import CatalogueStore, View
from catalogue.store.oxigraph import OxigraphStore

SAME_AS = NamedNode("http://www.w3.org/2002/07/owl#sameAs")
NEAR_KM = 1.0
EARTH_KM = 6371.0
LEGAL_FORMS = frozenset(
    [
        "as",
        "asa",
        "ab",
        "abp",
        "oy",
        "oyj",
        "aps",
        "hf",
        "ehf",
        "gmbh",
        "ag",
        "kg",
        "se",
        "sa",
        "sas",
        "srl",
        "spa",
        "bv",
        "nv",
        "ltd",
        "limited",
        "plc",
        "inc",
        "llc",
        "co",
        "corp",
    ]
)
"""Words of a company's legal form, left out when names are compared."""
_POINT = re.compile(r"POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)", re.IGNORECASE)


def normalised_name(name: str) -> str:
    """An organisation's or site's name as two catalogues would both write it.

    >>> normalised_name("Nordic Gallium A/S") == normalised_name("nordic gallium AS")
    True
    """
    words = slug(re.sub(r"\b(\w)/(\w)\b", r"\1\2", name)).split("-")
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return "-".join(words)


def links_graph(harvest: NamedNode) -> NamedNode:
    return NamedNode(harvest.value + "/links")


@dataclass
class _Site:
    names: set[str]
    operators: set[str]
    points: set[tuple[float, float]]


def link_quads(store: CatalogueStore, harvest: NamedNode, triples: list[Quad]) -> list[Quad]:
    """``owl:sameAs`` statements (in :func:`links_graph`) from a harvest's statements
    (``triples``, about to be written in place of the harvest's graphs) to the rest of the
    public catalogue."""
    public = view_for(store, ANONYMOUS).graphs or ()
    others = View(
        tuple(g for g in public if g != harvest and not g.value.startswith(harvest.value + "/"))
    )
    if not others.graphs:
        return []
    graph = links_graph(harvest)
    incoming = OxigraphStore()
    incoming.add_quads(Quad(q.subject, q.predicate, q.object, harvest) for q in triples)
    harvested = View((harvest,))
    pairs = _organisation_pairs(incoming, harvested, store, others)
    linked = {(a, b) for a, b in pairs} | {(b, a) for a, b in pairs}
    pairs |= _site_pairs(incoming, harvested, store, others, linked)
    return [Quad(NamedNode(a), SAME_AS, NamedNode(b), graph) for a, b in sorted(pairs)]


@dataclass
class _Organisation:
    names: set[str]
    numbers: set[str]


def _organisations(store: CatalogueStore, view: View) -> dict[str, _Organisation]:
    found: dict[str, _Organisation] = {}
    for row in store.select(queries.bind(queries.load("federation/organisations")), view):
        organisation = found.setdefault(row["organisation"].value, _Organisation(set(), set()))
        organisation.names.add(normalised_name(row["label"].value))
        if "number" in row:
            organisation.numbers.add(re.sub(r"[^0-9A-Z]", "", row["number"].value.upper()))
    return found


def _organisation_pairs(
    incoming: CatalogueStore, harvested: View, store: CatalogueStore, others: View
) -> set[tuple[str, str]]:
    """Same number; or, unless both have numbers (and they differ), the same name."""
    theirs = _organisations(store, others)
    by_key: dict[str, set[str]] = {}
    for other, found in theirs.items():
        for key in [*found.names, *(f"#{number}" for number in found.numbers)]:
            by_key.setdefault(key, set()).add(other)
    pairs = set()
    for organisation, ours in _organisations(incoming, harvested).items():
        keys = [*ours.names, *(f"#{number}" for number in ours.numbers)]
        for other in set().union(*(by_key.get(key, set()) for key in keys)) - {organisation}:
            found = theirs[other]
            if ours.numbers and found.numbers:
                same = bool(ours.numbers & found.numbers)
            else:
                same = bool(ours.names & found.names)
            if same:
                pairs.add((organisation, other))
    return pairs


def _sites(store: CatalogueStore, view: View) -> dict[str, _Site]:
    sites: dict[str, _Site] = {}
    for row in store.select(queries.bind(queries.load("federation/sites")), view):
        site = sites.setdefault(row["site"].value, _Site(set(), set(), set()))
        if "label" in row:
            site.names.add(normalised_name(row["label"].value))
        if "operator" in row:
            site.operators.add(row["operator"].value)
        point = _POINT.search(row["wkt"].value) if "wkt" in row else None
        if point is not None:
            site.points.add((float(point[2]), float(point[1])))
    return sites


def _site_pairs(
    incoming: CatalogueStore,
    harvested: View,
    store: CatalogueStore,
    others: View,
    organisations: set[tuple[str, str]],
) -> set[tuple[str, str]]:
    """Sites of the same or linked operators, with the same name or within ``NEAR_KM``
    (only sites of those operators are compared: no site is compared with every other)."""
    theirs = _sites(store, others)
    by_operator: dict[str, set[str]] = {}
    for other, found in theirs.items():
        for operator in found.operators:
            by_operator.setdefault(operator, set()).add(other)
    linked: dict[str, set[str]] = {}
    for a, b in organisations:
        linked.setdefault(a, {a}).add(b)
    pairs = set()
    for site, ours in _sites(incoming, harvested).items():
        operators = set().union(*(linked.get(o, {o}) for o in ours.operators))
        candidates = set().union(*(by_operator.get(o, set()) for o in operators)) - {site}
        for other in candidates:
            found = theirs[other]
            near = any(distance_km(p, q) <= NEAR_KM for p in ours.points for q in found.points)
            if near or ours.names & found.names:
                pairs.add((site, other))
    return pairs


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points.

    >>> round(distance_km((59.0, 10.0), (59.0, 10.01)), 2)
    0.57
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))
