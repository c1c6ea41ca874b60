"""Exporting the catalogue as a caller may see it (``sidestream export``).

RDF (``ttl``, ``nq``, ``jsonld``) for linked-data tools; the template layout (``csv``,
``xlsx``: :mod:`catalogue.ingest.template_export`), which loads back to the same
statements, for spreadsheets; and GeoJSON (RFC 7946) of the streams with a location
for GIS. Every format is written from the caller's view (for a reporting ``year``, or
the latest versions), so what a caller may not see is never in it.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph
from pyoxigraph import NamedNode, Quad, RdfFormat, Triple

from catalogue import queries
from catalogue.access import ANONYMOUS, Caller, view_for
from catalogue.config import Settings
from catalogue.namespaces import PREFIXES
from catalogue.store.base import CatalogueStore, View

EXPORT_FORMATS = {
    "ttl": RdfFormat.TURTLE,
    "nq": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
}
TABLE_FORMATS = ("csv", "xlsx")
"""The template layout (``docs/template.md``), one row per stream."""
FORMATS = (*EXPORT_FORMATS, *TABLE_FORMATS, "geojson")
"""Every format :func:`export` writes."""
_POINT = re.compile(r"\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*", re.IGNORECASE)


def stream_quads(
    store: CatalogueStore,
    settings: Settings,
    *,
    inferred: bool,
    caller: Caller = ANONYMOUS,
    year: int | None = None,
) -> Iterator[Quad]:
    """Quads of the submission graphs ``caller`` may see; ``inferred`` adds materialised ones."""
    prefix = settings.data_base + "submission/"
    allowed = view_for(store, caller, year).graphs
    for graph in store.named_graphs():
        name = graph.value
        if not name.startswith(prefix) or (allowed is not None and graph not in allowed):
            continue
        if name.endswith("/inferred") and not inferred:
            continue
        yield from store.quads(graph)


def export(
    store: CatalogueStore,
    settings: Settings,
    output: BinaryIO,
    *,
    fmt: str = "ttl",
    caller: Caller = ANONYMOUS,
    year: int | None = None,
) -> int:
    """Write the streams ``caller`` may see (as of reporting ``year``, else the latest
    versions) in ``fmt`` (one of :data:`FORMATS`); returns the statements, rows or
    features written.

    Turtle and JSON-LD give the asserted statements as one graph (a loader infers the
    rest again); N-Quads keeps the submission graphs and includes the inferred ones.
    CSV and XLSX are the template layout, GeoJSON a FeatureCollection of the streams
    with a location.
    """
    if fmt in TABLE_FORMATS:
        return _export_table(store, view_for(store, caller, year), output, fmt)
    if fmt == "geojson":
        collection = feature_collection(store, view_for(store, caller, year))
        output.write(json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8"))
        return len(collection["features"])
    rdf_format = EXPORT_FORMATS[fmt]
    quads = stream_quads(store, settings, inferred=fmt == "nq", caller=caller, year=year)
    if rdf_format == RdfFormat.N_QUADS:
        statements: list[Quad] | list[Triple] = list(quads)
    else:
        statements = sorted({Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    prefixes["data"] = settings.data_base
    pyoxigraph.serialize(
        statements,
        output,
        rdf_format,
        prefixes=prefixes if rdf_format == RdfFormat.TURTLE else None,
    )
    return len(statements)


def _export_table(store: CatalogueStore, view: View, output: BinaryIO, fmt: str) -> int:
    """The view's streams in the template layout, written to ``output``."""
    from catalogue.ingest.template_export import template_rows, write_csv, write_xlsx

    rows = template_rows(store, view)
    write = write_csv if fmt == "csv" else write_xlsx
    with tempfile.TemporaryDirectory(prefix="sidestream-export-") as folder:
        path = write(rows, Path(folder) / f"streams.{fmt}")
        output.write(path.read_bytes())
    return len(rows)


def feature_collection(store: CatalogueStore, view: View) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946) of the streams in ``view`` that have a point
    location: one Point feature per location, ``[longitude, latitude]`` in WGS84, with
    identifier, name, kind, material label, quantity and unit, organisation, country and
    link (the stream's IRI, which answers with its page) as properties."""
    from catalogue.lookup import stream_items

    points: dict[str, list[list[float]]] = {}
    streams: list[NamedNode] = []
    for row in store.select(queries.bind(queries.load("pages/map_streams")), view):
        stream, point = row["stream"], _POINT.fullmatch(row["wkt"].value)
        if point is None:
            continue
        if stream.value not in points:
            points[stream.value] = []
            streams.append(stream)
        coordinates = [float(point[1]), float(point[2])]
        if coordinates not in points[stream.value]:
            points[stream.value].append(coordinates)
    features = []
    for item in stream_items(store, view, streams):
        properties = {
            "identifier": item["identifier"],
            "name": item["name"],
            "kind": item["kind"],
            "material": item["material"],
            "quantity": item["quantity"],
            "quantity_min": item["quantity_min"],
            "quantity_max": item["quantity_max"],
            "unit": item["unit"],
            "organisation": item["organisation"],
            "country": item["country"],
            "link": item["iri"],
        }
        for coordinates in points[item["iri"]]:
            features.append(
                {
                    "type": "Feature",
                    "id": item["identifier"],
                    "geometry": {"type": "Point", "coordinates": coordinates},
                    "properties": properties,
                }
            )
    return {"type": "FeatureCollection", "features": features}
