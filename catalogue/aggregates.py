"""Public aggregates of non-public supply: that hidden streams exist, never which they are.

The catalogue should still tell the market that restricted and confidential supply
exists ("3 non-public slag streams in NO, 50-200 kt/a in total"). The queries
``pages/nonpublic_supply.rq`` and ``pages/nonpublic_supply_with_element.rq`` run over
the whole catalogue (an administrator's view, with the catalogue graph that records each
graph's level), which is safe only because
they return aggregates alone: the material class, the country, a count and summed
quantities. Names, identifiers, organisations, sites, coordinates and descriptions never
leave the query, so nothing here can name a hidden stream.

Two rules keep a total from revealing one stream's figure: a quantity total is shown
only when at least :data:`MIN_STREAMS_FOR_TOTAL` streams of the group have a quantity in
the same base unit, and it is rounded outwards to :data:`SIGNIFICANT_DIGITS` digits.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from pyoxigraph import NamedNode

from catalogue import queries
from catalogue.access import ADMINISTRATOR, view_for
from catalogue.ingest.resolve import Vocabulary, local_name
from catalogue.store.base import CatalogueStore, Row

MIN_STREAMS_FOR_TOTAL = 3
"""Fewer quantified streams than this in a group and the total would give one away."""

SIGNIFICANT_DIGITS = 2


@dataclass(frozen=True)
class QuantityTotal:
    """Summed low and high quantities of ``streams`` streams, in one base unit."""

    low: Decimal
    high: Decimal
    unit: str
    streams: int


@dataclass(frozen=True)
class Aggregate:
    """Non-public supplies of one material class in one country."""

    material: str
    """The English label of the stream's asserted material class."""
    country: str | None
    streams: int
    totals: tuple[QuantityTotal, ...]
    """Totals per base unit, only where enough streams share it (see the module)."""
    withheld: int
    """Streams with a quantity whose figures are not shown (too few to add up safely)."""


def nonpublic_supply(
    store: CatalogueStore,
    elements: list[NamedNode] | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[Aggregate]:
    """Aggregates of every non-public supply, or of those holding one of ``elements``.

    Ordered by country, then by count (largest first), then by material.
    """
    vocabulary = vocabulary or Vocabulary.load()
    if elements is None:
        text = queries.bind(queries.load("pages/nonpublic_supply"))
    elif not elements:
        return []
    else:
        text = queries.bind(
            queries.load("pages/nonpublic_supply_with_element"), {"element": elements}
        )
    # The whole catalogue, on purpose: the query returns counts and sums only (module doc).
    rows = store.select(text, view_for(store, ADMINISTRATOR))
    return _aggregates(rows, vocabulary)


def _aggregates(rows: list[Row], vocabulary: Vocabulary) -> list[Aggregate]:
    units = {unit.iri.value: unit for unit in vocabulary.units().values()}
    counts: dict[tuple[str, str | None], int] = defaultdict(int)
    sums: dict[tuple[str, str | None], dict[str, list[Decimal]]] = defaultdict(dict)
    quantified: dict[tuple[str, str | None], dict[str, int]] = defaultdict(dict)
    for row in rows:
        key = (row["class"].value, _text(row, "country"))
        counts[key] += int(row["streams"].value)
        unit_iri = _text(row, "unit")
        numbered = int(row["quantified"].value)
        if unit_iri is None or numbered == 0:
            continue
        unit = units.get(unit_iri)
        factor = unit.factor_to_base if unit else Decimal(1)
        base = unit.base_unit_notation if unit else local_name(unit_iri)
        low = Decimal(row["lowTotal"].value) * factor
        high = Decimal(row["highTotal"].value) * factor
        total = sums[key].setdefault(base, [Decimal(0), Decimal(0)])
        total[0] += low
        total[1] += high
        quantified[key][base] = quantified[key].get(base, 0) + numbered
    aggregates = []
    for key, streams in counts.items():
        totals, withheld = [], 0
        for base, (low, high) in sorted(sums[key].items()):
            numbered = quantified[key][base]
            if numbered < MIN_STREAMS_FOR_TOTAL:
                withheld += numbered
                continue
            totals.append(
                QuantityTotal(_round(low, ROUND_FLOOR), _round(high, ROUND_CEILING), base, numbered)
            )
        aggregates.append(
            Aggregate(vocabulary.label(key[0]), key[1], streams, tuple(totals), withheld)
        )
    return sorted(aggregates, key=lambda a: (a.country or "~", -a.streams, a.material))


def _text(row: Row, key: str) -> str | None:
    term = row.get(key)
    return None if term is None else str(term.value)


def _round(value: Decimal, rounding: str) -> Decimal:
    """``value`` to :data:`SIGNIFICANT_DIGITS` digits, rounded in the direction given."""
    if value == 0:
        return value
    exponent = math.floor(math.log10(abs(value))) - SIGNIFICANT_DIGITS + 1
    quantum = Decimal(1).scaleb(exponent)
    return (
        value.quantize(quantum, rounding=rounding)
        if exponent < 0
        else ((value / quantum).to_integral_value(rounding=rounding) * quantum)
    )
