"""Reading the catalogue's history: a stream's versions, year by year.

Every version of a stream is in a graph of its own (``catalogue.history``), so the
queries here run over a caller's history view (``view_for(..., history=True)``) and keep
versions apart with ``GRAPH``; what a caller may not see is not in that view.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pyoxigraph import Literal

from catalogue import queries
from catalogue.store.base import CatalogueStore, View


@dataclass
class Version:
    """One version of a stream: what it said for its reporting year."""

    year: int | None
    """``None`` for a version loaded before reporting years were recorded."""
    name: str | None = None
    quantity: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: str | None = None
    """The unit's symbol (``t/a``)."""
    reference_year: int | None = None
    elements: dict[str, Decimal] = field(default_factory=dict)
    """Element symbol -> mass fraction (the midpoint of a range, or the bound given)."""
    until: int | None = None
    """The reporting year from which it is no longer current: a newer version's, or the
    year it was withdrawn as of; ``None`` while it is current."""
    withdrawn: bool = False

    @property
    def current(self) -> bool:
        return self.until is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "name": self.name,
            "quantity": None if self.quantity is None else float(self.quantity),
            "quantity_min": None if self.minimum is None else float(self.minimum),
            "quantity_max": None if self.maximum is None else float(self.maximum),
            "unit": self.unit,
            "reference_year": self.reference_year,
            "elements": {symbol: float(value) for symbol, value in sorted(self.elements.items())},
            "until": self.until,
            "withdrawn": self.withdrawn,
            "current": self.current,
        }


def stream_history(store: CatalogueStore, view: View, identifier: str) -> list[Version]:
    """The versions of stream ``identifier`` in ``view`` (a history view), oldest first;
    ``[]`` when it holds none."""
    from catalogue.lookup import decimal_of, unit_symbol

    bound = {"identifier": Literal(identifier)}
    versions: dict[str, Version] = {}
    withdrawn_in: dict[str, int] = {}
    for row in store.select(queries.bind(queries.load("history/stream_versions"), bound), view):
        graph = row["graph"].value
        version = versions.setdefault(graph, Version(year=_int(row.get("year"))))
        version.name = version.name or _text(row.get("name"))
        version.quantity = version.quantity or decimal_of(row.get("value"))
        version.minimum = version.minimum or decimal_of(row.get("minimum"))
        version.maximum = version.maximum or decimal_of(row.get("maximum"))
        if "unit" in row:
            version.unit = unit_symbol(row["unit"].value)
        version.reference_year = version.reference_year or _int(row.get("referenceYear"))
        if "withdrawn" in row:
            withdrawn_in[graph] = int(row["withdrawn"].value)
    for row in store.select(
        queries.bind(queries.load("history/stream_version_elements"), bound), view
    ):
        version = versions.get(row["graph"].value)
        if version is None:
            continue
        symbol = row["element"].value.rsplit("/", 1)[-1]
        fraction = decimal_of(row.get("fraction"))
        low, high = decimal_of(row.get("minimum")), decimal_of(row.get("maximum"))
        if fraction is None and low is not None and high is not None:
            fraction = (low + high) / 2
        fraction = fraction if fraction is not None else (high if high is not None else low)
        if fraction is not None:
            version.elements[symbol] = version.elements.get(symbol, Decimal(0)) + fraction
    ordered = sorted(versions.items(), key=lambda item: (item[1].year or 0, item[0]))
    for (_, version), (_, following) in itertools.pairwise(ordered):
        version.until = following.year
    for graph, version in ordered:
        if graph in withdrawn_in:
            version.until, version.withdrawn = withdrawn_in[graph], True
    return [version for _, version in ordered]


def _int(term: Any) -> int | None:
    return None if term is None else int(term.value)


def _text(term: Any) -> str | None:
    return None if term is None else term.value


@dataclass(frozen=True)
class Change:
    """How one stream differs between two reporting years of the catalogue."""

    identifier: str
    kind: str
    """``added`` (only in the later year), ``removed`` (only in the earlier: withdrawn, or
    not yet reported when the years are given the other way round) or ``changed``."""
    name: str
    columns: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """Template column -> (earlier cell, later cell), for a changed stream; empty = not given."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "identifier": self.identifier,
            "change": self.kind,
            "name": self.name,
            "columns": {
                column: {"before": before, "after": after}
                for column, (before, after) in self.columns.items()
            },
        }


def diff(store: CatalogueStore, before: View, after: View) -> list[Change]:
    """Every stream that differs between two views (two reporting years), by identifier:
    added, removed, or changed in any template column (a version reported again with the
    same cells is no change). Compared as the template rows a steward would write
    (``template_export``), so a change reads as the spreadsheet cell that changed."""
    from catalogue.ingest.template_export import template_rows

    earlier = {row["identifier"]: row for row in template_rows(store, before)}
    later = {row["identifier"]: row for row in template_rows(store, after)}
    changes: list[Change] = []
    for identifier in sorted(earlier.keys() | later.keys()):
        old, new = earlier.get(identifier), later.get(identifier)
        if old is None:
            assert new is not None
            changes.append(Change(identifier, "added", new.get("name", "")))
        elif new is None:
            changes.append(Change(identifier, "removed", old.get("name", "")))
        else:
            columns = {
                column: (old.get(column), new.get(column))
                for column in sorted(old.keys() | new.keys())
                if old.get(column) != new.get(column)
            }
            if columns:
                changes.append(Change(identifier, "changed", new.get("name", ""), columns))
    return changes


@dataclass
class OrganisationHistory:
    """An organisation's streams year by year: in each reporting year, the quantity of the
    version of each stream that was current then (the latest reported for that year or
    before, unless withdrawn by then), and the totals per unit."""

    years: list[int]
    streams: dict[str, dict[str, Any]]
    """Identifier -> ``{"name": …, "unit": …, "quantities": {year: quantity or None},
    "reported": [years it was reported for]}``; a year missing from ``quantities``: the
    stream was not in the catalogue that year."""

    def totals(self) -> dict[int, dict[str, float]]:
        """Year -> unit -> the sum of the quantities current that year."""
        sums: dict[int, dict[str, float]] = {year: {} for year in self.years}
        for stream in self.streams.values():
            for year, quantity in stream["quantities"].items():
                if quantity is not None and stream["unit"]:
                    unit = stream["unit"]
                    sums[year][unit] = sums[year].get(unit, 0.0) + quantity
        return sums

    def to_dict(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "streams": [
                {"identifier": identifier, **stream, "quantities": _by_year(stream["quantities"])}
                for identifier, stream in sorted(self.streams.items())
            ],
            "totals": {str(year): units for year, units in self.totals().items()},
        }


def organisation_history(
    store: CatalogueStore, view: View, organisation: str
) -> OrganisationHistory:
    """The history of ``organisation``'s streams (its IRI) in ``view`` (a history view)."""
    from pyoxigraph import NamedNode

    from catalogue.lookup import unit_symbol

    query = queries.bind(
        queries.load("history/organisation_versions"), {"organisation": NamedNode(organisation)}
    )
    versions: dict[str, dict[str, dict[str, Any]]] = {}  # identifier -> graph -> version
    for row in store.select(query, view):
        identifier = row["identifier"].value
        version = versions.setdefault(identifier, {}).setdefault(row["graph"].value, {})
        version.setdefault("year", _int(row.get("year")))
        version.setdefault("withdrawn", _int(row.get("withdrawn")))
        version.setdefault("name", _text(row.get("name")))
        if "value" in row:
            version["quantity"] = float(row["value"].value)
            version["unit"] = unit_symbol(row["unit"].value)
    years = sorted(
        {v["year"] for graphs in versions.values() for v in graphs.values() if v["year"]}
    )
    streams: dict[str, dict[str, Any]] = {}
    for identifier, graphs in versions.items():
        ordered = sorted(graphs.values(), key=lambda v: v["year"] or 0)
        latest = ordered[-1]
        quantities: dict[int, float | None] = {}
        for year in years:
            current = [v for v in ordered if (v["year"] or 0) <= year]
            if not current or (current[-1]["withdrawn"] or LATEST) <= year:
                continue
            quantities[year] = current[-1].get("quantity")
        streams[identifier] = {
            "name": latest["name"],
            "unit": latest.get("unit"),
            "quantities": quantities,
            "reported": [v["year"] for v in ordered if v["year"]],
        }
    return OrganisationHistory(years, streams)


LATEST = 10_000
"""Later than any reporting year: a version never withdrawn."""


def _by_year(quantities: dict[int, float | None]) -> dict[str, float | None]:
    return {str(year): quantity for year, quantity in sorted(quantities.items())}
