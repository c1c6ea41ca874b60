"""The exchanges template: one row per exchange between two organisations, with its effect
on the five indicators (water, resources, energy, waste, CO2; ``ontology/modules/effects.ttl``).

A file is an exchanges template when its header has an ``exchange`` column
(:func:`is_exchanges_file`); ``sidestream load`` and ``POST /streams`` then read it with
these columns instead of the stream template's (``catalogue.publish.prepare_file``), and
it becomes a submission like any other: validated by ``shapes/exchange.ttl``, one graph
per confidentiality level, all or nothing. Columns are documented in ``docs/template.md``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl import load_workbook
from pyoxigraph import Literal, NamedNode

from catalogue.errors import InputError
from catalogue.ingest.resolve import Vocabulary
from catalogue.ingest.template import CSV_SUFFIXES, XLSX_SUFFIXES, Header, TemplateTable
from catalogue.ingest.to_rdf import (
    DCTERMS,
    IDENTIFIER,
    INTEGER,
    RDFS_LABEL,
    TYPE,
    Mapped,
    RowMapper,
    decimal_literal,
    duplicate_identifier,
    parse_number,
    parse_year,
    ss,
)
from catalogue.namespaces import QUDT_UNIT, UNIT
from catalogue.publish import slug

KEY_COLUMN = "exchange"
"""The column that makes a file an exchanges template."""


@dataclass(frozen=True)
class Indicator:
    """One of the five effect indicators: its column, notation, concept and fixed unit."""

    notation: str
    column: str
    concept: str
    unit: str
    unit_symbol: str
    label: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("water", "water_m3", "WaterSaving", QUDT_UNIT["M3-PER-YR"], "m3/a", "Water"),
    Indicator(
        "resources", "resources_t", "ResourceSaving", QUDT_UNIT["TONNE-PER-YR"], "t/a", "Resources"
    ),
    Indicator("energy", "energy_mwh", "EnergySaving", UNIT["MegaW-HR-PER-YR"], "MWh/a", "Energy"),
    Indicator("waste", "waste_t", "WasteReduction", QUDT_UNIT["TONNE-PER-YR"], "t/a", "Waste"),
    Indicator("co2", "co2_t", "CO2Reduction", QUDT_UNIT["TONNE-PER-YR"], "t/a", "CO2"),
)

STATUSES = {"planned": "PlannedExchange", "realised": "RealisedExchange", "ended": "EndedExchange"}
"""The ``status`` column's values (``realized`` is read as ``realised``)."""

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("exchange", "unique identifier of the exchange (letters, digits, - _ .)",
     "unik identifikator for utvekslingen (bokstaver, sifre, - _ .)"),
    ("name", "what passes from whom to whom", "hva som går fra hvem til hvem"),
    ("lang", "language of name and description (BCP 47, default en)",
     "språk for navn og beskrivelse (BCP 47, standard en)"),
    ("description", "free-text description", "fritekstbeskrivelse"),
    ("supplier", "organisation whose sidestream is passed on",
     "organisasjonen som leverer sidestrømmen"),
    ("supply", "identifier of the supply in the catalogue, if reported",
     "identifikatoren til tilbudet i katalogen, hvis det er rapportert"),
    ("receiver", "organisation that receives and uses it",
     "organisasjonen som tar imot og bruker den"),
    ("demand", "identifier of the demand in the catalogue it meets, if reported",
     "identifikatoren til behovet i katalogen den dekker, hvis det er rapportert"),
    ("symbiosis", "the industrial symbiosis it belongs to, e.g. Kalundborg Symbiosis",
     "den industrielle symbiosen den hører til, f.eks. Kalundborg Symbiosis"),
    ("country", "ISO 3166-1 alpha-2 country code", "landkode (ISO 3166-1 alfa-2)"),
    ("region", "region within the country (county, municipality)",
     "region i landet (fylke, kommune)"),
    ("start_year", "year the exchange started or will start",
     "året utvekslingen startet eller skal starte"),
    ("status", "planned, realised or ended", "planned (planlagt), realised eller ended"),
    ("reference_year", "year the effect figures refer to",
     "året effekttallene gjelder for"),
    *(
        (
            indicator.column,
            f"{indicator.notation} saved per year, in {indicator.unit_symbol} (savings positive)",
            f"{indicator.notation} spart per år, i {indicator.unit_symbol} (besparelser positive)",
        )
        for indicator in INDICATORS
    ),
    ("confidentiality", "public (default), restricted or confidential",
     "public (standard), restricted eller confidential"),
    ("source", "citation of the figures (report, page or line)",
     "kilde for tallene (rapport, side eller linje)"),
)  # fmt: skip
"""Name, English and Norwegian description of each column."""

REQUIRED = ("exchange", "name", "supplier", "receiver", "country", "status")
HEADER = Header(tuple(name for name, _, _ in COLUMNS), REQUIRED, "exchanges")
NAMES = HEADER.names


def is_exchanges_file(path: Path) -> bool:
    """Whether ``path`` is an exchanges template: its first non-blank row has a cell
    ``exchange`` (read from the first few kilobytes of a CSV file, or the first rows of
    the workbook's ``exchanges`` sheet, else its first). A file that cannot be read is
    not one: the stream template's reader then says what is wrong with it."""
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            head = path.read_bytes()[:8192].decode("utf-8-sig", errors="replace")
            line = next((line for line in head.splitlines() if line.strip(",;\t| ")), "")
            cells = {
                cell.strip().lower()
                for delimiter in (",", ";", "\t", "|")
                for cell in next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
            }
            return KEY_COLUMN in cells
        if suffix in XLSX_SUFFIXES:
            workbook = load_workbook(path, read_only=True, data_only=True)
            try:
                sheets = workbook.worksheets
                sheet = next((s for s in sheets if s.title.strip().lower() == HEADER.sheet), None)
                sheet = sheet or (sheets[0] if sheets else None)
                if sheet is None:
                    return False
                for row in sheet.iter_rows(max_row=20, values_only=True):
                    cells = {str(cell).strip().lower() for cell in row if cell is not None}
                    if cells - {""}:
                        return KEY_COLUMN in cells
                return False
            finally:
                workbook.close()
    except Exception:  # openpyxl raises many kinds for a damaged file
        return False  # unreadable: the template reader reports it
    return False


def exchange_iri(base: str, identifier: str) -> NamedNode:
    return NamedNode(f"{base}exchange/{identifier}")


class ExchangeMapper(RowMapper):
    """Maps one exchanges row (the stream mapper's cells, problems and languages)."""

    def map_exchange(self) -> tuple[str, NamedNode] | None:
        identifier = self.cell(KEY_COLUMN)
        if identifier is None or not IDENTIFIER.fullmatch(identifier):
            self.problem(
                KEY_COLUMN,
                InputError(
                    "every exchange needs an identifier of letters, digits and - _ . "
                    "(at most 128, starting with a letter or digit)",
                    "hver utveksling må ha en identifikator av bokstaver, sifre og - _ . "
                    "(høyst 128, første tegn en bokstav eller et siffer)",
                ),
            )
            return None
        exchange = exchange_iri(self.base, identifier)
        self.add(exchange, TYPE, ss("Exchange"))
        # no dcterms:identifier: the stream shapes take whatever has one for a stream
        language = self.language()
        for column, predicate in (("name", RDFS_LABEL), ("description", DCTERMS + "description")):
            text = self.cell(column)
            if text is not None:
                self.add(exchange, predicate, Literal(text, language=language))
        for column, predicate in (("supplier", "supplier"), ("receiver", "receiver")):
            name = self.cell(column)
            if name:
                organisation = NamedNode(f"{self.base}organisation/{slug(name)}")
                self.add(exchange, ss(predicate), organisation)
                self.add(organisation, TYPE, ss("Organisation"))
                self.add(organisation, RDFS_LABEL, Literal(name))
        for column, predicate in (("supply", "supplyStream"), ("demand", "demandStream")):
            stream = self.convert(column, self._identifier)
            if stream is not None:
                self.add(exchange, ss(predicate), NamedNode(f"{self.base}stream/{stream}"))
        symbiosis_name = self.cell("symbiosis")
        if symbiosis_name:
            symbiosis = NamedNode(f"{self.base}symbiosis/{slug(symbiosis_name)}")
            self.add(exchange, ss("partOfSymbiosis"), symbiosis)
            self.add(symbiosis, TYPE, ss("Symbiosis"))
            self.add(symbiosis, RDFS_LABEL, Literal(symbiosis_name))
        country = self.cell("country")
        if country:
            self.add(exchange, ss("countryCode"), Literal(country.strip().upper()))
        region = self.cell("region")
        if region:
            self.add(exchange, ss("regionName"), Literal(region))
        year = self.convert("start_year", parse_year)
        if year is not None:
            self.add(exchange, ss("startYear"), Literal(str(year), datatype=INTEGER))
        figures_year = self.convert("reference_year", parse_year)
        if figures_year is not None:
            self.add(exchange, ss("figuresYear"), Literal(str(figures_year), datatype=INTEGER))
        status = self.convert("status", _status)
        if status is not None:
            self.add(exchange, ss("exchangeStatus"), ss(status))
        self.map_effects(exchange)
        level = self.convert("confidentiality", self._confidentiality)
        self.add(exchange, ss("confidentiality"), level or self._confidentiality("public"))
        source = self.cell("source")
        if source:
            self.add(exchange, DCTERMS + "source", Literal(source))
        return identifier, exchange

    def map_effects(self, exchange: NamedNode) -> None:
        for indicator in INDICATORS:
            value = self.convert(indicator.column, parse_number)
            if value is None:
                continue
            figure = NamedNode(f"{exchange.value}#effect-{indicator.notation}")
            self.add(exchange, ss("hasEffect"), figure)
            self.add(figure, TYPE, ss("EffectFigure"))
            self.add(figure, ss("indicator"), ss(indicator.concept))
            self.add(figure, ss("effectValue"), decimal_literal(value))
            self.add(figure, ss("effectUnit"), NamedNode(indicator.unit))

    def _confidentiality(self, text: str) -> NamedNode:
        return self.vocabulary.code("confidentiality", text)

    @staticmethod
    def _identifier(text: str) -> str:
        if not IDENTIFIER.fullmatch(text):
            raise InputError(
                f"'{text}' is not a stream identifier (letters, digits and - _ .)",
                f"'{text}' er ikke en strømidentifikator (bokstaver, sifre og - _ .)",
                value=text,
            )
        return text


def _status(text: str) -> str:
    folded = text.strip().casefold().replace("realized", "realised")
    if folded not in STATUSES:
        raise InputError(
            f"status must be planned, realised or ended, not '{text}'",
            f"status må være planned, realised eller ended, ikke '{text}'",
            value=text,
            suggestions=tuple(STATUSES),
        )
    return STATUSES[folded]


def map_exchanges(
    table: TemplateTable, *, base: str, vocabulary: Vocabulary | None = None
) -> Mapped:
    """Map every row of an exchanges template. ``rows`` maps each exchange IRI to its row;
    ``identifiers`` stays empty, since exchanges are not streams (they get no versions)."""
    vocabulary = vocabulary or Vocabulary.load()
    mapped = Mapped()
    first_row: dict[str, int] = {}
    for row in table.rows:
        mapper = ExchangeMapper(row, table.path.name, base, vocabulary)
        result = mapper.map_exchange()
        mapped.problems.extend(mapper.problems)
        if result is None:
            continue
        identifier, exchange = result
        if identifier in first_row:
            first = first_row[identifier]
            problem = duplicate_identifier(identifier, row.number, first, table.path.name)
            mapped.problems.append(replace(problem, column=KEY_COLUMN))
            continue
        first_row[identifier] = row.number
        mapped.quads.extend(mapper.quads)
        mapped.rows[exchange.value] = row.number
    return mapped


def read_exchanges(path: Path, *, base: str, name: str | None = None) -> Mapped:
    """Read and map an exchanges template; a file the reader rejects is not mapped."""
    from catalogue.ingest.template import read_template

    table = read_template(path, name=name, header=HEADER)
    if not table.conforms:
        return Mapped(problems=table.problems)
    mapped = map_exchanges(table, base=base)
    mapped.problems[:0] = table.problems
    return mapped


def exchanges_markdown() -> str:
    """The exchanges template's section of ``docs/template.md`` (after the stream template)."""
    lines = [
        "",
        "## The exchanges template",
        "",
        "One row per exchange: a sidestream passed from a supplier to a receiver, planned, "
        "realised or ended, with its yearly effect on the five indicators of industrial "
        "symbioses (water, resources, energy, waste, CO2). A file whose header has an "
        f"`{KEY_COLUMN}` column is an exchanges template (XLSX: the sheet named "
        f"`{HEADER.sheet}`, else the first); `sidestream load` and `POST /streams` take it like "
        "a stream template, all or nothing. Each indicator has its own column and fixed unit; "
        "**savings are positive** (less water, primary resources, energy, waste or CO2 than "
        "without the exchange), an increase is negative. `supply` and `demand` name streams of "
        "the catalogue by identifier. `sidestream effects` and `GET /effects` sum the figures "
        "per region or symbiosis over what the caller may see. Exchanges have no versions: an "
        "exchange already loaded from another file is refused (it would count twice); to "
        "change its figures, replace that file (`load --replace`).",
        "",
        "| column | required | what to write | på norsk |",
        "|---|---|---|---|",
    ]
    for name, english, norwegian in COLUMNS:
        required = "yes" if name in REQUIRED else "no"
        lines.append(f"| `{name}` | {required} | {english} | {norwegian} |")
    return "\n".join(lines) + "\n"
