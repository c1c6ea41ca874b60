"""Reading Virtuoso's geometry literals back as the WKT literals the catalogue wrote.

Virtuoso (7.2) turns every ``geo:wktLiteral`` it stores into its own
``virtrdf:Geometry``, with coordinates in single precision: the catalogue writes
``"POINT(14.14 66.31)"^^geo:wktLiteral`` and reads back
``"POINT(14.140000343323 66.309997558594)"^^virtrdf:Geometry``. Each coordinate read
back is the decimal expansion of a 32-bit float, so the shortest decimal that rounds to
the same float (what Python's ``repr`` does for 64-bit floats) is the coordinate that
was written whenever it had at most 7 significant digits: 66.31234 survives, 66.312345
comes back as 66.31234 (0.1 m). Every answer of a remote store goes through
:func:`restore_term`, so the rest of the catalogue sees ``geo:wktLiteral`` on every
backend.
"""

from __future__ import annotations

import re
import struct
from decimal import Decimal
from typing import Any

from pyoxigraph import Literal, NamedNode

VIRTUOSO_GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
WKT_LITERAL = NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")
MARKER = VIRTUOSO_GEOMETRY.encode()
"""Answers without these bytes hold no geometry and are passed through untouched."""

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _single(value: float) -> float:
    return float(struct.unpack("f", struct.pack("f", value))[0])


def shortest_single(text: str) -> str:
    """The shortest decimal that rounds to the same 32-bit float as ``text``."""
    value = float(text)
    target = _single(value)
    for digits in range(1, 10):
        candidate = f"{target:.{digits}g}"
        if _single(float(candidate)) == target:
            # 'g' may answer in exponent form (1e+01); WKT wants plain decimals.
            plain = format(Decimal(candidate), "f")
            return plain.rstrip("0").rstrip(".") if "." in plain else plain
    return text


def restore_term(term: Any) -> Any:
    """``term``, with a Virtuoso geometry turned back into a ``geo:wktLiteral``."""
    if isinstance(term, Literal) and term.datatype.value == VIRTUOSO_GEOMETRY:
        return Literal(_written(term.value), datatype=WKT_LITERAL)
    return term


def _written(geometry: str) -> str:
    """A geometry's text with each coordinate as the catalogue wrote it."""
    return _NUMBER.sub(lambda number: shortest_single(number.group()), geometry)


_GEOMETRY_TERM = re.compile(rb'"([^"\\]*)"\^\^<' + re.escape(MARKER) + rb">")


def restore_text(text: bytes) -> bytes:
    """N-Triples or SPARQL TSV with Virtuoso's geometries written as the WKT literals."""
    if MARKER not in text:
        return text

    def wkt(match: re.Match[bytes]) -> bytes:
        return f'"{_written(match.group(1).decode())}"^^<{WKT_LITERAL.value}>'.encode()

    return _GEOMETRY_TERM.sub(wkt, text)
