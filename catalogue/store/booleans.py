"""Reading Virtuoso's booleans back as the catalogue wrote them.

Virtuoso (7.2) stores ``true`` and ``false`` as numbers and writes them back as
``"1"^^xsd:boolean`` and ``"0"^^xsd:boolean``: the same values (both are valid lexical
forms), but not the canonical text the catalogue wrote and the embedded store returns.
Every answer of a remote store goes through :func:`restore_term` (parsed terms) or
:func:`restore_text` (N-Triples, SPARQL TSV), so exports and pages read alike.
"""

from __future__ import annotations

import re
from typing import Any

from pyoxigraph import Literal, NamedNode

XSD_BOOLEAN = NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
MARKER = XSD_BOOLEAN.value.encode()
"""Answers without these bytes hold no boolean and are passed through untouched."""
CANONICAL = {"1": "true", "0": "false"}

_NUMERIC_BOOLEAN = re.compile(rb'"([01])"\^\^<' + re.escape(MARKER) + rb">")


def restore_term(term: Any) -> Any:
    """``term``, with a numeric boolean written canonically (``"1"`` -> ``"true"``)."""
    if isinstance(term, Literal) and term.datatype == XSD_BOOLEAN and term.value in CANONICAL:
        return Literal(CANONICAL[term.value], datatype=XSD_BOOLEAN)
    return term


def restore_text(text: bytes) -> bytes:
    """N-Triples or SPARQL TSV with its numeric booleans written canonically."""
    if MARKER not in text:
        return text
    return _NUMERIC_BOOLEAN.sub(
        lambda match: b'"' + CANONICAL[match.group(1).decode()].encode() + b'"^^<' + MARKER + b">",
        text,
    )
