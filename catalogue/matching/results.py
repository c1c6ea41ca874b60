"""The one result model of matching: what ``match --json`` and ``GET /match`` print.

Interface (``interfaces.md`` §2): a JSON array, best first, whose elements have at least
``identifier``, ``name``, ``score``, ``route``, ``explanation`` and, on the composition
and technology routes, ``recoverable`` (``element``, ``mass``, ``unit``). Extra keys
(``basis``, ``organisation``, ``country``, ``reference_year``) are allowed by the
interface and always present here, ``null`` when unknown; stream-first results
(``match --supply``) also carry ``kind`` (``demand``, ``technology`` or ``element``), and
CRM-first results (``match --element``) ``category``: ``deposit`` for a landfill or legacy
deposit, ``stock`` for another standing amount, ``flow`` for any other supply.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Route = Literal["direct", "composition", "technology"]
Kind = Literal["demand", "technology", "element"]
Basis = Literal["flow", "stock"]
Category = Literal["flow", "stock", "deposit"]


@dataclass(frozen=True)
class Recoverable:
    """Element mass a supply holds: per year for a flow (``t/a``), in all for a stock (``t``).

    ``element`` is a symbol (``"V"``) or, when several elements of a group are summed,
    their symbols joined with ``+`` (``"Dy+Y"``). ``mass`` is ``None`` when the supply's
    quantity is unknown or not a mass.
    """

    element: str
    mass: Decimal | None
    unit: str | None

    def to_dict(self) -> dict[str, Any]:
        """The interface's ``recoverable`` object (``mass`` as a JSON number or null)."""
        return {
            "element": self.element,
            "mass": None if self.mass is None else float(self.mass),
            "unit": self.unit,
        }


@dataclass(frozen=True)
class MatchResult:
    """One ranked candidate with the reasons it was found."""

    identifier: str
    name: str
    score: float
    route: Route
    explanation: str
    recoverable: Recoverable | None = None
    basis: Basis | None = None
    organisation: str | None = None
    country: str | None = None
    reference_year: int | None = None
    kind: Kind | None = None
    """What a stream-first result is (a demand, a technology, an element); ``None`` elsewhere."""
    category: Category | None = None
    """What a CRM-first result's supply is (a flow, a stock, a deposit); ``None`` elsewhere."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this result: the interface's keys first, then the extras."""
        data: dict[str, Any] = {
            "identifier": self.identifier,
            "name": self.name,
            "score": self.score,
            "route": self.route,
            "explanation": self.explanation,
        }
        if self.recoverable is not None:
            data["recoverable"] = self.recoverable.to_dict()
        data["basis"] = self.basis
        data["organisation"] = self.organisation
        data["country"] = self.country
        data["reference_year"] = self.reference_year
        if self.kind is not None:
            data["kind"] = self.kind
        if self.category is not None:
            data["category"] = self.category
        return data


def to_json(results: Iterable[MatchResult], *, indent: int | None = 2) -> str:
    """One JSON array of ``results`` in the order given (best first).

    >>> to_json([], indent=None)
    '[]'
    """
    return json.dumps([result.to_dict() for result in results], indent=indent, ensure_ascii=False)
