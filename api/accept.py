"""Reading an HTTP ``Accept`` header (RFC 9110 §12.5.1), with no web framework.

Shared by the linked-data routes (``api.conneg``) and the SPARQL worker processes
(``api.sparql.formats``), which must not import FastAPI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MediaRange = tuple[str, str, float]
"""``(type, subtype, q)``, lower-cased; ``*`` as a wildcard."""


def parse_accept(header: str) -> list[MediaRange]:
    """The ranges of an ``Accept`` header; a malformed q counts as 0, so it cannot win."""
    ranges: list[MediaRange] = []
    for part in header.split(","):
        fields = [field.strip() for field in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        main, sub = media.split("/", 1)
        q = 1.0
        for parameter in fields[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                # "nan" parses as a float and would compare as neither more nor less.
                q = max(0.0, min(1.0, q)) if math.isfinite(q) else 0.0
        ranges.append((main, sub, q))
    return ranges


def quality(media_type: str, ranges: Sequence[MediaRange]) -> float:
    """The q the client gives ``media_type``: that of the most specific matching range
    (0 when none matches)."""
    return preference(media_type, ranges)[1]


def preference(media_type: str, ranges: Sequence[MediaRange]) -> tuple[int, float]:
    """``(specificity, q)`` of the most specific range matching ``media_type``: 2 for the
    type itself, 1 for ``type/*``, 0 for ``*/*``, -1 when none matches (q 0)."""
    main, _, sub = media_type.lower().partition("/")
    best: tuple[int, float] = (-1, 0.0)
    for range_main, range_sub, q in ranges:
        if range_main == main and range_sub == sub:
            specificity = 2
        elif range_main == main and range_sub == "*":
            specificity = 1
        elif range_main == "*" and range_sub == "*":
            specificity = 0
        else:
            continue
        if (specificity, q) > best:
            best = (specificity, q)
    return best
