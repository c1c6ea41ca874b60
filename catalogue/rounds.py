"""Reporting rounds: the yearly call in which every organisation updates its streams.

An administrator opens a round for a reporting year (:func:`open_round`): a
``ss:ReportingRound`` record in the catalogue graph, with the year and the time it was
opened. The catalogue then reports, per organisation, whether it has reported for that
year (:func:`round_status`, over the caller's history view), hands each organisation
its streams' latest rows to update (``catalogue.round_templates``), and flags a stream
whose latest version is older than two or more open rounds as *possibly stale*
(:func:`stale_streams`): its holder has let two rounds pass without reporting it.
Nothing about staleness is stored; it follows from the rounds and the versions.

Round records say which years are being reported and nothing of any stream, so they are
read for every caller alike (:func:`open_rounds`); everything about
streams is read over the caller's view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from catalogue import queries
from catalogue.config import Settings
from catalogue.history import year_literal
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.publish import catalogue_graph
from catalogue.store.base import CatalogueStore, SubmissionWrite, View

PROV = "http://www.w3.org/ns/prov#"
DATE_TIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
STALE_AFTER = 2
"""A stream is possibly stale when this many open rounds are later than its latest version
(the count is also in ``rounds/stale_streams.rq``'s HAVING)."""


@dataclass(frozen=True)
class Round:
    year: int
    opened: str
    """ISO 8601 time it was opened."""
    by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "opened": self.opened, "by": self.by}


def round_iri(settings: Settings, year: int) -> NamedNode:
    return NamedNode(f"{settings.data_base}round/{year}")


def open_rounds(store: CatalogueStore) -> list[Round]:
    """Every round opened, oldest first. Round records are only ever written to the
    catalogue graph and say nothing of any stream: the one query here that does not run
    over a caller's view."""
    return [
        Round(
            int(row["year"].value),
            row["opened"].value,
            row["by"].value if "by" in row else None,
        )
        for row in store.select(queries.bind(queries.load("rounds/open_rounds")))
    ]


def open_round(
    store: CatalogueStore,
    settings: Settings,
    year: int,
    *,
    by: str,
    now: datetime | None = None,
) -> Round | None:
    """Open the round for ``year`` (one store write); ``None`` when it is open already,
    in which case nothing changes."""
    if any(existing.year == year for existing in open_rounds(store)):
        return None
    opened = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = catalogue_graph(settings)
    subject = round_iri(settings, year)
    quads = [
        Quad(subject, NamedNode(RDF_TYPE), NamedNode(SS.ReportingRound), meta),
        Quad(subject, NamedNode(SS.reportingYear), year_literal(year), meta),
        Quad(subject, NamedNode(SS.openedAt), Literal(opened, datatype=DATE_TIME), meta),
        Quad(subject, NamedNode(PROV + "wasAttributedTo"), Literal(by), meta),
    ]
    store.write(SubmissionWrite(quads=quads, metadata_graph=meta, metadata_subjects=[subject]))
    return Round(year, opened, by)


def _round_years(store: CatalogueStore) -> list[Literal]:
    return [year_literal(r.year) for r in open_rounds(store)]


def stale_streams(
    store: CatalogueStore, view: View, streams: Iterable[NamedNode]
) -> dict[str, int]:
    """Of ``streams``, those possibly stale in ``view`` (the caller's latest view): stream
    IRI -> the year of its latest version. Empty while fewer than two rounds are open."""
    years, wanted = _round_years(store), list(streams)
    if len(years) < STALE_AFTER or not wanted:
        return {}
    query = queries.bind(queries.load("rounds/stale_streams"), {"round": years, "stream": wanted})
    return {row["stream"].value: int(row["latest"].value) for row in store.select(query, view)}


def all_stale_streams(store: CatalogueStore, view: View) -> list[dict[str, Any]]:
    """Every possibly stale stream in ``view``: identifier, name, organisation, the year of
    its latest version and how many open rounds came after it."""
    years = _round_years(store)
    if len(years) < STALE_AFTER:
        return []
    query = queries.bind(queries.load("rounds/all_stale_streams"), {"round": years})
    return [
        {
            "identifier": row["identifier"].value,
            "name": row["name"].value if "name" in row else None,
            "organisation": row["organisation"].value if "organisation" in row else None,
            "latest": int(row["latest"].value),
            "missed": int(row["missed"].value),
        }
        for row in store.select(query, view)
    ]


@dataclass
class OrganisationStatus:
    """One organisation in a round: whether it reported for the year, and its streams."""

    organisation: str
    """The organisation's IRI."""
    name: str
    reported: bool
    streams: list[dict[str, Any]] = field(default_factory=list)
    """``{"identifier", "latest"}``: each stream and the year of its latest version."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "name": self.name,
            "reported": self.reported,
            "streams": self.streams,
        }


def round_status(store: CatalogueStore, history: View, year: int) -> list[OrganisationStatus]:
    """Each organisation holding streams in ``history`` (the caller's view of every
    version), whether it reported any stream for ``year``, and its streams with the year of
    their latest version; by name."""
    rows = store.select(queries.bind(queries.load("rounds/organisation_streams")), history)
    found: dict[str, OrganisationStatus] = {}
    years: dict[tuple[str, str], set[int]] = {}
    for row in rows:
        iri = row["organisation"].value
        name = row["name"].value if "name" in row else iri
        found.setdefault(iri, OrganisationStatus(iri, name, False))
        years.setdefault((iri, row["identifier"].value), set()).add(int(row["reported"].value))
    for (iri, identifier), reported in sorted(years.items()):
        status = found[iri]
        status.reported = status.reported or year in reported
        status.streams.append({"identifier": identifier, "latest": max(reported)})
    return sorted(found.values(), key=lambda status: (status.name.casefold(), status.organisation))


def round_templates(store: CatalogueStore, view: View, year: int, folder: Path) -> dict[str, Path]:
    """One pre-filled XLSX template per organisation holding streams in ``view`` (the
    caller's latest view): its streams' latest rows, to update for ``year`` and load again.
    Organisation IRI -> the file written, ``{organisation-slug}-{year}.xlsx`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for status in round_status(store, view, year):
        organisation = NamedNode(status.organisation)
        path = folder / f"{organisation.value.rsplit('/', 1)[-1]}-{year}.xlsx"
        written[organisation.value] = organisation_template(store, view, organisation, path)
    return written


def organisation_template(
    store: CatalogueStore, view: View, organisation: NamedNode, path: Path
) -> Path:
    """``organisation``'s streams in ``view``, as rows of a template workbook at ``path``."""
    from catalogue.ingest.template_export import template_rows, write_xlsx

    return write_xlsx(template_rows(store, view, organisation=organisation), path)
