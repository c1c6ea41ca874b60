"""Which of a remote catalogue's statements a harvest keeps.

A harvest keeps whole public streams in the data model of ``docs/data-model.md``: each
stream with its ``#fragments``, the organisations and sites it names, and the blank
nodes they reach. Anything else in the source is left out, so a source cannot state
things about the rest of the catalogue (our vocabularies, another source's streams).
What the catalogue materialises itself (``catalogue.inference``) is left out too and
computed again from the kept statements, so a source cannot plant a ranking. A stream
whose IRI breaks the rules, or lies in this catalogue's own namespace, is rejected with
its reason; a stream that is not public is not taken (a harvest is public by definition).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, NamedNode, Quad

from catalogue import inference
from catalogue.access import ATTACHMENTS, CONFIDENTIALITY_PROPERTY, STREAM_TYPES, Level
from catalogue.namespaces import RDF_TYPE, SS

IDENTIFIER = "http://purl.org/dc/terms/identifier"
MATERIALISED = frozenset(
    term.value
    for term in (
        inference.CONTAINS_ELEMENT,
        inference.CONTAINS_LISTED,
        inference.HAS_ESTIMATE,
        inference.LEADING_HOLDING,
        inference.CANDIDATE_KEY,
        inference.GEOCENTRIC_X,
        inference.GEOCENTRIC_Y,
        inference.GEOCENTRIC_Z,
        inference.BASE_QUANTITY,
        inference.BASE_UNIT,
    )
)
"""Predicates the catalogue infers at load time: never taken from a source."""
MATERIALISED_FRAGMENTS = ("#recoverable-", "#holding-")
OPERATED_BY = str(SS.operatedBy)


@dataclass(frozen=True)
class Rejected:
    """A stream of the source that is not harvested, and why (English, Norwegian)."""

    stream: str
    reason: dict[str, str]


@dataclass
class Selection:
    """The statements a harvest keeps (default graph) and the streams it leaves out."""

    quads: list[Quad] = field(default_factory=list)
    streams: dict[str, str] = field(default_factory=dict)
    """Stream IRI -> identifier, for every stream kept."""
    rejected: list[Rejected] = field(default_factory=list)
    not_public: int = 0
    elsewhere: dict[str, str] = field(default_factory=dict)
    """Stream IRI -> the graph that already holds it (left out: :func:`drop`)."""
    left_out: int = 0
    """Statements about nothing a kept stream reaches, or materialised ones."""


def select(quads: list[Quad], own_base: str) -> Selection:
    """Keep the public, well-formed streams of ``quads`` and what belongs to them."""
    triples = [
        Quad(q.subject, q.predicate, q.object)
        for q in quads
        if not (isinstance(q.graph_name, NamedNode) and q.graph_name.value.endswith("/inferred"))
    ]
    by_subject: dict[str, list[Quad]] = defaultdict(list)
    for quad in triples:
        by_subject[quad.subject.value].append(quad)
    selection = Selection()
    candidates = sorted(
        {
            q.subject.value
            for q in triples
            if q.predicate.value == RDF_TYPE
            and q.object.value in STREAM_TYPES
            and isinstance(q.subject, NamedNode)
        }
    )
    for stream in candidates:
        facts = by_subject[stream]
        levels = [q.object for q in facts if q.predicate.value == CONFIDENTIALITY_PROPERTY]
        if any(level != Level.PUBLIC.iri for level in levels):
            selection.not_public += 1
            continue
        identifiers = [q.object.value for q in facts if q.predicate.value == IDENTIFIER]
        reason = _reason(stream, identifiers, own_base)
        if reason is not None:
            selection.rejected.append(Rejected(stream, reason))
            continue
        selection.streams[stream] = identifiers[0]
    kept = _reached(selection.streams, by_subject)
    for quad in triples:
        subject = quad.subject.value
        if (
            subject not in kept
            or subject.startswith(own_base)
            or quad.predicate.value in MATERIALISED
            or any(part in subject for part in MATERIALISED_FRAGMENTS)
        ):
            selection.left_out += 1
            continue
        selection.quads.append(quad)
    return selection


def without(selection: Selection, rejected: dict[str, dict[str, list[str]]]) -> None:
    """Reject the streams in ``rejected`` (stream IRI -> language -> reasons) after the
    fact: they and whatever only they reached leave the selection."""
    for stream, reasons in sorted(rejected.items()):
        text = {lang: "; ".join(found) for lang, found in reasons.items()}
        selection.rejected.append(Rejected(stream, text))
    drop(selection, set(rejected))


def drop(selection: Selection, streams: set[str]) -> None:
    """Take ``streams`` out of the selection, with whatever only they reached."""
    for stream in streams:
        selection.streams.pop(stream, None)
    by_subject: dict[str, list[Quad]] = defaultdict(list)
    for quad in selection.quads:
        by_subject[quad.subject.value].append(quad)
    kept = _reached(selection.streams, by_subject)
    selection.quads = [q for q in selection.quads if q.subject.value in kept]


def _reason(stream: str, identifiers: list[str], own_base: str) -> dict[str, str] | None:
    if len(identifiers) != 1:
        return {
            "en": "needs exactly one dcterms:identifier",
            "nb": "må ha nøyaktig én dcterms:identifier",
        }
    if not stream.endswith("/stream/" + identifiers[0]):
        return {
            "en": f"its IRI must end in stream/{identifiers[0]}",
            "nb": f"IRI-en må slutte på stream/{identifiers[0]}",
        }
    if stream.startswith(own_base):
        return {
            "en": "its IRI is in this catalogue's own namespace",
            "nb": "IRI-en er i katalogens eget navnerom",
        }
    return None


def _reached(streams: dict[str, str], by_subject: dict[str, list[Quad]]) -> set[str]:
    """The subjects a kept stream owns: itself, its fragments, the organisations and sites
    it names (and a site's operator), and the blank nodes any of them points at."""
    kept = set(streams)
    kept |= {subject for subject in by_subject if subject.split("#", 1)[0] in streams}
    for stream in streams:
        for quad in by_subject[stream]:
            if quad.predicate.value in ATTACHMENTS and _is_party(quad.object):
                kept.add(quad.object.value)
    for subject in list(kept):
        for quad in by_subject.get(subject, []):
            if quad.predicate.value == OPERATED_BY and _is_party(quad.object):
                kept.add(quad.object.value)
    frontier = list(kept)
    while frontier:
        for quad in by_subject.get(frontier.pop(), []):
            target = quad.object
            if isinstance(target, BlankNode) and target.value not in kept:
                kept.add(target.value)
                frontier.append(target.value)
    return kept


def _is_party(term: object) -> bool:
    """An organisation or site IRI in the data model's form (``…/organisation/…``,
    ``…/site/…``), not a term of a vocabulary a source could otherwise describe."""
    return isinstance(term, NamedNode) and (
        "/organisation/" in term.value or "/site/" in term.value
    )
