"""Candidate keys: where demand-first matching looks for supplies, nearest cells first.

Each supply carries, materialised at load time (``catalogue.inference``), one
``ss:candidateKey`` per class of its resource (with superclasses) and per element it
contains, combined with the 1-degree cell of each of its locations:
``"59 10 https://w3id.org/sidestream/ontology/Slag"`` (floor of latitude, floor of
longitude, term IRI), or ``"- <term IRI>"`` for a supply without a location; and once
more as ``"* <term IRI>"``, for a search of the whole catalogue. The keys
of the cells near a demand find its nearby candidates in one index scan; every supply
not found lies farther than the searched radius, which bounds its distance fit.
"""

from __future__ import annotations

import math
import re

from catalogue.matching import score as weights

_POINT = re.compile(r"POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)", re.IGNORECASE)
NOWHERE = "-"
"""The cell of a supply without a location."""
ANYWHERE = "*"
"""The cell every supply is in as well, located or not: a search of the whole catalogue."""
Cell = tuple[int, int]
"""Floor of latitude, floor of longitude, in degrees."""


def point_of(wkt: str | None) -> tuple[float, float] | None:
    """(longitude, latitude) of a WKT point, as matching reads it."""
    found = None if wkt is None else _POINT.search(wkt)
    return None if found is None else (float(found[1]), float(found[2]))


def cell_of(point: tuple[float, float]) -> Cell:
    """The 1-degree cell holding ``point`` (longitude, latitude)."""
    return min(89, math.floor(point[1])), (math.floor(point[0]) + 180) % 360 - 180


def candidate_key(cell: Cell | str | None, term: str) -> str:
    """The candidate key of ``term`` in ``cell`` (``None``: no location; ``ANYWHERE``)."""
    if cell is None:
        return f"{NOWHERE} {term}"
    if isinstance(cell, str):
        return f"{cell} {term}"
    return f"{cell[0]} {cell[1]} {term}"


def min_km(point: tuple[float, float], cell: Cell) -> float:
    """A lower bound of the distance from ``point`` to any point of ``cell``.

    The haversine of the smallest latitude and longitude differences, with the cell's
    latitude farthest from the equator (smallest cosine): never above the true distance.
    """
    lon, lat = point
    south, west = cell
    dlat = max(0.0, south - lat, lat - (south + 1))
    inside = west <= lon <= west + 1
    dlon = 0.0 if inside else min((west - lon) % 360.0, (lon - west - 1) % 360.0)
    far = max(abs(south), abs(south + 1))
    h = (
        math.sin(math.radians(dlat) / 2) ** 2
        + math.cos(math.radians(lat))
        * max(0.0, math.cos(math.radians(min(far, 90.0))))
        * math.sin(math.radians(dlon) / 2) ** 2
    )
    return 2 * weights.EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def cells_within(point: tuple[float, float], km: float) -> set[Cell]:
    """Every cell that may hold a point closer than ``km`` to ``point``."""
    lon, lat = point
    # A degree of latitude is at least 111 km, so rows farther off are out of reach; in a
    # row, cells farther east or west only get farther.
    rows = int(km / 111.0) + 1
    found: set[Cell] = set()
    for south in range(max(-90, math.floor(lat) - rows), min(89, math.floor(lat) + rows) + 1):
        for step, first in ((1, 0), (-1, 1)):
            for offset in range(first, 181):
                cell = (south, (math.floor(lon) + step * offset + 180) % 360 - 180)
                if min_km(point, cell) >= km:
                    break
                found.add(cell)
    return found
