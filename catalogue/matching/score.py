"""How matching scores a candidate: every weight in one place.

A score is a weighted sum of five fits, each in [0, 1], times a penalty when the
supply breaks one of the demand's maximum limits. The weights sum to 1, so the score
stays in [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SEMANTIC = 0.40
"""What the supply is (class, application, element) matters most: a wrong material is useless."""
PROPERTY = 0.25
"""Requirements, physical state and temperature decide whether the material can be used as is."""
QUANTITY = 0.10
"""Amount is negotiable (several suppliers can share a demand), so it weighs little."""
DISTANCE = 0.15
"""Transport cost and emissions grow with distance, more for heat than for bulk materials."""
REGULATORY = 0.10
"""Hazardous waste needs permits and notifications, a real but surmountable friction."""

VIOLATION_FACTOR = 0.3
"""A broken maximum limit (a contaminant) keeps the candidate visible but far down the list."""
UNKNOWN = 0.5
"""A fit that cannot be judged (no location, no quantity, content not reported) is neutral."""
HAZARDOUS_FIT = 0.3
"""Regulatory fit of a supply classified as hazardous; non-hazardous or unknown is 1."""
NEAR_CLASS_MINIMUM = 0.5
"""Taxonomic similarity below which a sibling or cousin class is not offered at all."""
TECHNOLOGY_RELEVANCE = 0.7
"""Semantic fit of a technology route at TRL 9: a treatment step stands between the two."""
SUBSTITUTE_RELEVANCE = 0.5
"""Semantic fit of a class fed to the same process as the demanded one: a likely substitute."""
HEAT_LENGTH_KM = 50.0
"""Heat is carried in pipes and loses temperature: it is worth little beyond tens of km."""
BULK_LENGTH_KM = 500.0
"""Bulk solids and liquids travel by truck, rail or ship over hundreds of km."""
EARTH_RADIUS_KM = 6371.0

ASSUMED_TRL = 5
"""A technology without a stated readiness level counts as mid-way (validated, not proven)."""
TECHNOLOGY_CLASS_MINIMUM = 0.5
"""Class fit below which a technology is not offered for a supply (its input is too far off)."""
ELEMENT_RELEVANCE = 0.6
"""An element is an opportunity, not a buyer: recovery needs a process and a market, so even
the largest critical element of a supply ranks below a well-fitting demand."""
NON_CRITICAL_FACTOR = 0.5
"""Elements off the EU critical raw materials list are common and cheap: half the weight."""


@dataclass(frozen=True)
class Fits:
    """The five fits of one candidate, each in [0, 1], and whether a limit is broken."""

    semantic: float
    property: float = 1.0
    quantity: float = UNKNOWN
    distance: float = UNKNOWN
    regulatory: float = 1.0
    violated: bool = False

    def score(self) -> float:
        """The weighted sum, times ``VIOLATION_FACTOR`` when a maximum is exceeded.

        >>> Fits(1.0, 1.0, 1.0, 1.0, 1.0).score()
        1.0
        """
        total = (
            SEMANTIC * self.semantic
            + PROPERTY * self.property
            + QUANTITY * self.quantity
            + DISTANCE * self.distance
            + REGULATORY * self.regulatory
        )
        if self.violated:
            total *= VIOLATION_FACTOR
        return round(min(1.0, max(0.0, total)), 4)


def wu_palmer(depth_a: int, depth_b: int, depth_common: int) -> float:
    """Wu-Palmer similarity from two class depths and their deepest common ancestor's.

    >>> wu_palmer(5, 5, 4)
    0.8
    """
    if depth_a + depth_b == 0:
        return 0.0
    return 2 * depth_common / (depth_a + depth_b)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (longitude, latitude) points.

    >>> round(haversine_km((10.75, 59.91), (5.32, 60.39)))
    305
    """
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def distance_fit(km: float | None, *, heat: bool) -> float:
    """exp(-km / length): 1 on site, 1/e at 50 km for heat or 500 km for materials."""
    if km is None:
        return UNKNOWN
    return math.exp(-km / (HEAT_LENGTH_KM if heat else BULK_LENGTH_KM))


def quantity_fit(supply: float | None, demand: float | None) -> float:
    """min(1, supply / demand) when both are known in the same base unit."""
    if supply is None or demand is None or demand <= 0:
        return UNKNOWN
    return min(1.0, supply / demand)


def technology_score(trl: int | None, class_fit: float) -> float:
    """Stream-first score of a technology for a supply: readiness times class fit.

    ``TECHNOLOGY_RELEVANCE * TRL / 9 * class_fit``, the same readiness weighting as the
    demand-first technology route (a TRL 9 technology taking exactly the supply's class
    scores 0.7, below a fitting demand, since the technology is a step, not a buyer);
    ``class_fit`` is 1 when the technology takes the supply's own class, less when it
    takes only a broader or a narrower class (see ``supply.class_fit``). An unknown TRL
    counts as ``ASSUMED_TRL``.

    >>> technology_score(9, 1.0)
    0.7
    """
    readiness = (trl if trl is not None else ASSUMED_TRL) / 9
    return round(min(1.0, max(0.0, TECHNOLOGY_RELEVANCE * readiness * class_fit)), 4)


def element_score(share: float | None, *, critical: bool) -> float:
    """Stream-first score of an element in a supply: relevance, criticality and mass share.

    ``ELEMENT_RELEVANCE * (1 if critical else NON_CRITICAL_FACTOR) * (0.5 + 0.5 * share)``
    where ``share`` is the element's recoverable mass over the largest element mass of the
    same supply (0 when unknown): a critical element scores 0.3-0.6, another 0.15-0.3.

    >>> element_score(1.0, critical=True)
    0.6
    """
    weight = 1.0 if critical else NON_CRITICAL_FACTOR
    return round(ELEMENT_RELEVANCE * weight * (0.5 + 0.5 * (share or 0.0)), 4)
