"""The five effect indicators, summed: per region or per industrial symbiosis.

Exchanges (``catalogue.ingest.exchanges``) carry one effect figure per indicator they
report (water m3/a, resources t/a, energy MWh/a, waste t/a, CO2 t/a; savings positive).
:func:`aggregates` sums them per group, exchange status and indicator with the
``effects/*.rq`` queries, run over the caller's view (``catalogue.access.view_for``), so
an exchange the caller may not see counts in no total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from catalogue import queries
from catalogue.ingest.exchanges import INDICATORS, STATUSES
from catalogue.namespaces import SS
from catalogue.store.base import CatalogueStore, View

_INDICATORS = {str(SS[indicator.concept]): indicator for indicator in INDICATORS}
_STATUSES = {str(SS[concept]): notation for notation, concept in STATUSES.items()}


class Grouping(StrEnum):
    """What the figures are summed by."""

    REGION = "region"
    """Country code and region name (an exchange without a region: the country alone)."""
    SYMBIOSIS = "symbiosis"
    """The industrial symbiosis (exchanges that belong to none: one group of their own)."""


@dataclass(frozen=True)
class Aggregate:
    """The sum of one indicator's figures over the exchanges of one group and status."""

    group: str
    """What the group is called: ``DK / Kalundborg``, ``NO``, a symbiosis's name, or
    ``(no symbiosis)``."""
    status: str
    """``planned``, ``realised`` or ``ended``."""
    indicator: str
    """``water``, ``resources``, ``energy``, ``waste`` or ``co2``."""
    unit: str
    total: Decimal
    exchanges: int
    """How many exchanges the total sums."""
    country: str | None = None
    region: str | None = None
    symbiosis: str | None = None
    """The symbiosis's IRI."""

    def to_dict(self) -> dict[str, Any]:
        found = {
            "group": self.group,
            "status": self.status,
            "indicator": self.indicator,
            "unit": self.unit,
            "total": float(self.total),
            "exchanges": self.exchanges,
        }
        extra = {"country": self.country, "region": self.region, "symbiosis": self.symbiosis}
        return found | {key: value for key, value in extra.items() if value is not None}


def aggregates(
    store: CatalogueStore, view: View, by: Grouping = Grouping.REGION
) -> list[Aggregate]:
    """The effect figures the caller may see (``view``), summed per group of ``by``, exchange
    status and indicator, in the order of the indicators for each group and status."""
    rows = store.select(queries.bind(queries.load(f"effects/by_{by.value}")), view)
    found: list[Aggregate] = []
    for row in rows:
        indicator = _INDICATORS.get(row["indicator"].value)
        status = _STATUSES.get(row["status"].value)
        if indicator is None or status is None:
            continue  # not a term of effects.ttl: an RDF submission cannot say one
        common = {
            "status": status,
            "indicator": indicator.notation,
            "unit": indicator.unit_symbol,
            "total": Decimal(row["total"].value),
            "exchanges": int(row["exchanges"].value),
        }
        if by is Grouping.REGION:
            country, region = row["country"].value, row["region"].value or None
            group = f"{country} / {region}" if region else country
            found.append(Aggregate(group, country=country, region=region, **common))
        else:
            symbiosis = row["symbiosis"].value if "symbiosis" in row else None
            name = row["name"].value if "name" in row else symbiosis or "(no symbiosis)"
            found.append(Aggregate(name, symbiosis=symbiosis, **common))
    order = {indicator.notation: i for i, indicator in enumerate(INDICATORS)}
    return sorted(found, key=lambda a: (a.group, a.status, order[a.indicator]))
