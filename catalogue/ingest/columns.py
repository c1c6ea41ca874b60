"""The template's columns: ../shared/spec/interfaces.md section 1, as data.

This is the one list the reader, the template writer, the RDF mapping and the
documentation use. Header names are exact and lower case; column order is free.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    SUPPLY = "supply"
    DEMAND = "demand"
    DEPOSIT = "deposit"
    """A landfill or legacy deposit: a supply held as a standing stock (``ss:Deposit``)."""


@dataclass(frozen=True)
class Column:
    name: str
    description_en: str
    description_nb: str
    required: frozenset[Kind] = frozenset()
    """The stream kinds for which the column must be filled."""
    code_list: str | None = None
    """The code-list namespace (``catalogue.namespaces``) whose notations it takes."""
    for_kinds: frozenset[Kind] = frozenset({Kind.SUPPLY, Kind.DEMAND})


BOTH = frozenset({Kind.SUPPLY, Kind.DEMAND})
SUPPLY_ONLY = frozenset({Kind.SUPPLY})
DEPOSIT_ONLY = frozenset({Kind.DEPOSIT})
"""A deposit is a supply too: every column for supplies applies to it as well."""

COLUMNS: tuple[Column, ...] = (
    Column(
        "identifier",
        "unique identifier of the stream (letters, digits, - _ .)",
        "unik identifikator for strømmen (bokstaver, sifre, - _ .)",
        BOTH,
    ),
    Column(
        "kind",
        "supply, demand or deposit (a landfill or legacy deposit)",
        "supply (tilbud), demand (behov) eller deposit (deponi)",
        BOTH,
    ),
    Column("name", "name of the stream", "navn på strømmen", BOTH),
    Column(
        "lang",
        "language of name and description (BCP 47, default en)",
        "språk for navn og beskrivelse (BCP 47, standard en)",
    ),
    Column("description", "free-text description", "fritekstbeskrivelse"),
    Column(
        "organisation",
        "organisation that holds or needs the stream",
        "organisasjonen som har eller trenger strømmen",
        SUPPLY_ONLY,
    ),
    Column("site", "site or plant", "anlegg eller fabrikk"),
    Column("country", "ISO 3166-1 alpha-2 country code", "landkode (ISO 3166-1 alfa-2)"),
    Column("latitude", "latitude, WGS84 decimal degrees", "breddegrad, WGS84 desimalgrader"),
    Column("longitude", "longitude, WGS84 decimal degrees", "lengdegrad, WGS84 desimalgrader"),
    Column(
        "nace",
        "NACE Rev. 2 code of the producing or using activity",
        "NACE Rev. 2-kode for aktiviteten som produserer eller bruker strømmen",
    ),
    Column(
        "process",
        "producing or consuming process (ontology term or label)",
        "prosessen som produserer eller bruker strømmen (term eller navn)",
    ),
    Column(
        "material",
        "material class; for a demand also an element, group or application",
        "materialklasse; for behov også grunnstoff, gruppe eller anvendelse",
        BOTH,
    ),
    Column(
        "ewc",
        "European List of Waste code, e.g. 10 01 02 or 10 01 04*",
        "avfallskode fra EUs avfallsliste, f.eks. 10 01 02 eller 10 01 04*",
    ),
    Column("state", "physical state", "tilstand", code_list="state"),
    Column("quantity", "best estimate of the quantity", "beste anslag for mengden"),
    Column("quantity_min", "lower end of the quantity range", "nedre grense for mengden"),
    Column("quantity_max", "upper end of the quantity range", "øvre grense for mengden"),
    Column("unit", "unit of the quantities", "enhet for mengdene"),
    Column(
        "approximate", "yes if the figures are rough estimates", "yes hvis tallene er grove anslag"
    ),
    Column(
        "basis",
        "flow (per year) or stock",
        "flow (per år) eller stock (beholdning)",
        code_list="basis",
    ),
    Column("reference_year", "year the figures refer to (YYYY)", "året tallene gjelder (ÅÅÅÅ)"),
    Column(
        "composition",
        "parts such as V2O5=1.5 %; Cd<2 mg/kg (requirements for a demand)",
        "deler som V2O5=1.5 %; Cd<2 mg/kg (krav for et behov)",
    ),
    Column(
        "composition_basis",
        "how the composition was obtained: measured, calculated, literature or estimated",
        "hvordan sammensetningen er funnet: measured (målt), calculated (beregnet), "
        "literature (litteratur) eller estimated (anslått)",
        code_list="composition-basis",
        for_kinds=SUPPLY_ONLY,
    ),
    Column("temperature_c", "temperature in °C", "temperatur i °C"),
    Column(
        "hazardous",
        "yes or no; must agree with a * List-of-Waste code",
        "yes eller no; må stemme med en stjernemerket avfallskode",
    ),
    Column(
        "status",
        "waste, by-product, end-of-waste or product",
        "waste, by-product, end-of-waste eller product",
        code_list="status",
        for_kinds=SUPPLY_ONLY,
    ),
    Column(
        "treatment",
        "what is done with the stream today",
        "hva som gjøres med strømmen i dag",
        code_list="treatment",
        for_kinds=SUPPLY_ONLY,
    ),
    Column(
        "accessibility",
        "deposits only: how the material could be reached: open, covered, capped, "
        "submerged, underground, built-over or unknown",
        "bare deponier: hvordan materialet kan nås: open (åpen), covered (overdekket), "
        "capped (toppforseglet), submerged (under vann), underground (under jorden), "
        "built-over (overbygd) eller unknown (ukjent)",
        code_list="accessibility",
        for_kinds=DEPOSIT_ONLY,
    ),
    Column(
        "deposit_status",
        "deposits only: planned, active, closed, remediated or being-excavated",
        "bare deponier: planned (planlagt), active (i drift), closed (nedlagt), "
        "remediated (sanert) eller being-excavated (under utgraving)",
        code_list="deposit-status",
        for_kinds=DEPOSIT_ONLY,
    ),
    Column(
        "confidentiality",
        "public (default), restricted or confidential",
        "public (standard), restricted eller confidential",
        code_list="confidentiality",
    ),
    Column("source", "citation or URL of the figures", "kilde eller URL for tallene"),
)

BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
REQUIRED_HEADERS: tuple[str, ...] = ("identifier", "kind", "name", "material")
"""Columns every template file must have in its header (organisation is checked per row)."""


def template_markdown() -> str:
    """``docs/template.md``: the columns as stewards read them (kept current by a test)."""
    lines = [
        "# The stream template",
        "",
        "<!-- GENERATED from catalogue/ingest/columns.py by "
        "`python -m catalogue.ingest.columns > docs/template.md`. Do not edit. -->",
        "",
        "One row per stream; header names exact and lower case; column order free; an empty "
        "cell means not given. `sidestream template` writes an empty CSV and an XLSX with "
        "drop-down lists. The contract is `../shared/spec/interfaces.md` section 1.",
        "",
        "| column | required | for | what to write | på norsk |",
        "|---|---|---|---|---|",
    ]
    for column in COLUMNS:
        required = ", ".join(sorted(k.value for k in column.required)) or "no"
        kinds = "both" if column.for_kinds == BOTH else ", ".join(sorted(column.for_kinds))
        values = f" (values: `{column.code_list}` code list)" if column.code_list else ""
        lines.append(
            f"| `{column.name}` | {required} | {kinds} | {column.description_en}{values} "
            f"| {column.description_nb} |"
        )
    from catalogue.ingest.exchanges import exchanges_markdown  # it imports this module

    return "\n".join(lines) + "\n" + exchanges_markdown()


if __name__ == "__main__":
    import sys

    sys.stdout.write(template_markdown())
