"""Template rows and RDF submissions to the quads of docs/data-model.md.

Every IRI is a function of the row alone (identifier, organisation and site names),
so loading the same file twice gives the same triples. Values are resolved against
the vocabularies here; whatever cannot be resolved or parsed becomes a problem that
names the row, the column and the value. Structural rules (required fields, ranges,
unit-state compatibility) are the SHACL shapes' job, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from functools import cache
from typing import TypeVar

from pyoxigraph import Literal, NamedNode, Quad

from catalogue.errors import InputError
from catalogue.ingest.columns import Kind
from catalogue.ingest.composition import Part, derived_parts, parse_composition
from catalogue.ingest.resolve import Vocabulary
from catalogue.ingest.template import TemplateRow, TemplateTable
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.publish import slug
from catalogue.report import Problem, Severity

XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DCTERMS = "http://purl.org/dc/terms/"
GEO = "http://www.opengis.net/ont/geosparql#"
TYPE = NamedNode(RDF_TYPE)
DECIMAL = NamedNode(XSD + "decimal")
INTEGER = NamedNode(XSD + "integer")
BOOLEAN = NamedNode(XSD + "boolean")
WKT = NamedNode(GEO + "wktLiteral")

IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
YES = {"yes", "y", "ja", "j", "true", "1"}
NO = {"no", "n", "nei", "false", "0"}
THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")
FRACTION_PLACES = Decimal("1e-15")
MAX_INTEGER_DIGITS = 15
"""Oxigraph computes with decimals below about 1.7e20; 15 digits leave room for the unit
conversions the queries do (t to kg multiplies by 1000) without a value silently dropping
out of arithmetic."""
ROUNDING = Context(prec=MAX_INTEGER_DIGITS + 15 + 5)
"""Room for every digit ``decimal_literal`` keeps: the default context's 28 digits cannot
hold a 15-digit whole part with 15 decimals, and ``quantize`` then fails."""
T = TypeVar("T")
DEPOSIT_COLUMNS = {"accessibility": "accessibility", "deposit_status": "deposit-status"}
"""Columns that apply to deposits only, and the code list each takes."""


@cache
def ss(name: str) -> NamedNode:
    # cached: rdflib's Namespace lookup costs ~10 us and runs several times per triple
    return NamedNode(SS[name])


@dataclass
class Mapped:
    """The asserted quads of one file (default graph) and where each stream came from."""

    quads: list[Quad] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    identifiers: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def decimal_literal(value: Decimal) -> Literal:
    """A plain ``xsd:decimal``; more than 15 decimals are rounded, since the SPARQL engine
    cannot compute with decimals past 18 places (ontology/qc/decimal-precision)."""
    if value.as_tuple().exponent < -15:  # type: ignore[operator]
        value = value.quantize(FRACTION_PLACES, context=ROUNDING)
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return Literal(text, datatype=DECIMAL)


def parse_number(text: str) -> Decimal:
    """A decimal as stewards write it: ``220000``, ``0.5``, ``1,5`` (decimal comma), ``1e3``."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if THOUSANDS.fullmatch(cleaned.lstrip("-")):
        raise InputError(
            f"'{text}' is ambiguous: a thousands separator or a decimal comma? Write the number "
            "without separators, e.g. 220000 or 1.5",
            f"'{text}' er tvetydig: tusenskille eller desimalkomma? Skriv tallet uten skilletegn, "
            "f.eks. 220000 eller 1.5",
            value=text,
        )
    if "," in cleaned and "." in cleaned:
        raise InputError(
            f"'{text}' mixes '.' and ',': write one decimal separator and no thousands separator",
            f"'{text}' blander '.' og ',': bruk ett desimaltegn og ingen tusenskille",
            value=text,
        )
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise InputError(
            f"'{text}' is not a number", f"'{text}' er ikke et tall", value=text
        ) from None
    if not value.is_finite():
        raise InputError(f"'{text}' is not a number", f"'{text}' er ikke et tall", value=text)
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise InputError(
            f"'{text}' is too large: the catalogue takes at most {MAX_INTEGER_DIGITS} digits "
            "before the decimal point; use a larger unit",
            f"'{text}' er for stort: katalogen tar høyst {MAX_INTEGER_DIGITS} sifre foran "
            "desimaltegnet; bruk en større enhet",
            value=text,
        )
    return value


def parse_yes_no(text: str) -> bool:
    folded = text.strip().casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise InputError(
        f"'{text}' is neither yes nor no", f"'{text}' er verken yes eller no", value=text
    )


def parse_year(text: str) -> int:
    year = text.strip()
    if not re.fullmatch(r"\d{4}", year):
        raise InputError(
            f"'{text}' is not a year: write four digits, e.g. 2024",
            f"'{text}' er ikke et årstall: skriv fire sifre, f.eks. 2024",
            value=text,
        )
    # ``str.strip`` takes more than ``int`` ignores (\x1c...), so convert what was checked.
    return int(year)


class RowMapper:
    """Maps one template row; collects problems instead of stopping at the first."""

    def __init__(self, row: TemplateRow, file: str, base: str, vocabulary: Vocabulary) -> None:
        self.row = row
        self.file = file
        self.base = base
        self.vocabulary = vocabulary
        self.quads: list[Quad] = []
        self.problems: list[Problem] = []

    # -- helpers ---------------------------------------------------------------

    def problem(
        self, column: str, error: InputError, severity: Severity = Severity.VIOLATION
    ) -> None:
        self.problems.append(
            Problem(
                severity=severity,
                message=error.message,
                rule=f"ingest:{column}",
                file=self.file,
                row=self.row.number,
                column=column,
                value=error.value if error.value is not None else self.row.cells.get(column),
                suggestions=error.suggestions,
            )
        )

    def add(self, subject: NamedNode, predicate: NamedNode | str, obj: NamedNode | Literal) -> None:
        node = predicate if isinstance(predicate, NamedNode) else NamedNode(predicate)
        self.quads.append(Quad(subject, node, obj))

    def cell(self, column: str) -> str | None:
        return self.row.cells.get(column)

    def convert(self, column: str, parse: Callable[[str], T]) -> T | None:
        text = self.cell(column)
        if text is None:
            return None
        try:
            return parse(text)
        except InputError as error:
            self.problem(column, error)
            return None

    # -- the row ---------------------------------------------------------------

    def map(self) -> tuple[str, NamedNode] | None:
        identifier = self.cell("identifier")
        if identifier is None:
            self.problem(
                "identifier",
                InputError(
                    "the identifier is missing: every stream needs one",
                    "identifikator mangler: hver strøm må ha en",
                ),
            )
            return None
        if not IDENTIFIER.fullmatch(identifier):
            self.problem(
                "identifier",
                InputError(
                    f"identifier '{identifier}' may only hold letters, digits and - _ . "
                    "(at most 128, starting with a letter or digit)",
                    f"identifikatoren '{identifier}' kan bare inneholde bokstaver, sifre og "
                    "- _ . (høyst 128, første tegn en bokstav eller et siffer)",
                    value=identifier,
                ),
            )
            return None
        given = self.cell("kind") or ""
        kind_text = given.strip().casefold()
        if kind_text not in set(Kind):
            self.problem(
                "kind",
                InputError(
                    f"kind must be supply, demand or deposit, not '{given}'",
                    f"kind må være supply, demand eller deposit, ikke '{given}'",
                    suggestions=tuple(Kind),
                ),
            )
            return None
        kind = Kind(kind_text)
        stream = NamedNode(f"{self.base}stream/{identifier}")
        self.add(stream, TYPE, ss("Demand" if kind is Kind.DEMAND else "Supply"))
        if kind is Kind.DEPOSIT:
            # Both types: queries select supplies by ss:Supply without reasoning.
            self.add(stream, TYPE, ss("Deposit"))
        self.add(stream, DCTERMS + "identifier", Literal(identifier))
        language = self.language()
        for column, predicate in (("name", RDFS_LABEL), ("description", DCTERMS + "description")):
            text = self.cell(column)
            if text is not None:
                self.add(stream, predicate, Literal(text, language=language))
        self.map_parties(stream)
        self.map_location(stream)
        self.map_classification(stream, kind)
        self.map_material(stream, kind)
        self.map_quantity(stream)
        self.map_composition(stream, kind)
        self.map_flags(stream, kind)
        return identifier, stream

    def language(self) -> str:
        text = self.cell("lang") or "en"
        try:
            Literal("x", language=text)
        except ValueError:
            self.problem(
                "lang",
                InputError(
                    f"'{text}' is not a language tag (BCP 47), e.g. en, nb, da, sv",
                    f"'{text}' er ikke en språkkode (BCP 47), f.eks. en, nb, da, sv",
                    value=text,
                ),
            )
            return "en"
        return text

    def map_parties(self, stream: NamedNode) -> None:
        organisation_name = self.cell("organisation")
        organisation_slug = slug(organisation_name) if organisation_name else None
        if organisation_name:
            organisation = NamedNode(f"{self.base}organisation/{organisation_slug}")
            self.add(stream, ss("heldBy"), organisation)
            self.add(organisation, TYPE, ss("Organisation"))
            self.add(organisation, RDFS_LABEL, Literal(organisation_name))
        site_name = self.cell("site")
        if site_name:
            path = (
                f"{organisation_slug}/{slug(site_name)}" if organisation_slug else slug(site_name)
            )
            site = NamedNode(f"{self.base}site/{path}")
            self.add(stream, ss("atSite"), site)
            self.add(site, TYPE, ss("Site"))
            self.add(site, RDFS_LABEL, Literal(site_name))
            if organisation_name:
                self.add(
                    site,
                    ss("operatedBy"),
                    NamedNode(f"{self.base}organisation/{organisation_slug}"),
                )
        source = self.cell("source")
        if source:
            self.add(stream, DCTERMS + "source", Literal(source))

    def map_location(self, stream: NamedNode) -> None:
        country = self.cell("country")
        if country:
            self.add(stream, ss("countryCode"), Literal(country.strip().upper()))
        latitude = self.convert("latitude", parse_number)
        longitude = self.convert("longitude", parse_number)
        given = {c for c in ("latitude", "longitude") if self.cell(c) is not None}
        if len(given) == 1:
            (present,) = given
            missing = "longitude" if present == "latitude" else "latitude"
            self.problem(
                missing,
                InputError(
                    f"{present} is given without {missing}: give both or neither",
                    f"{present} er oppgitt uten {missing}: oppgi begge eller ingen",
                ),
            )
            return
        if latitude is None or longitude is None:
            return
        location = NamedNode(stream.value + "#location")
        self.add(stream, GEO + "hasGeometry", location)
        self.add(location, TYPE, NamedNode(GEO + "Geometry"))
        # Canonical coordinates (59.20 -> 59.2), so a store that keeps them in single
        # precision (Virtuoso) reads back the same text (catalogue.store.geometry).
        point = f"POINT({_coordinate(longitude)} {_coordinate(latitude)})"
        self.add(location, GEO + "asWKT", Literal(point, datatype=WKT))

    def map_classification(self, stream: NamedNode, kind: Kind) -> None:
        vocabulary = self.vocabulary
        nace = self.convert("nace", vocabulary.nace)
        if nace:
            self.add(stream, ss("naceActivity"), nace.iri)
        process = self.convert("process", vocabulary.process)
        if process:
            self.add(stream, ss("process"), process.iri)
        waste = self.convert("ewc", vocabulary.waste_code)
        if waste:
            self.add(stream, ss("wasteCode"), waste.iri)
            if waste.asterisk_mismatch:
                self.problem(
                    "ewc",
                    InputError(
                        f"the List of Waste writes this code as {waste.notation}; check whether "
                        "the waste is hazardous",
                        f"avfallslisten skriver denne koden som {waste.notation}; sjekk om "
                        "avfallet er farlig",
                        value=self.cell("ewc"),
                    ),
                    Severity.WARNING,
                )
        for column, predicate in (
            ("state", "physicalState"),
            ("status", "status"),
            ("treatment", "currentTreatment"),
            ("confidentiality", "confidentiality"),
            ("accessibility", "accessibility"),
            ("deposit_status", "depositStatus"),
        ):
            if column in DEPOSIT_COLUMNS and kind is not Kind.DEPOSIT:
                if self.cell(column):
                    self.problem(
                        column,
                        InputError(
                            f"{column} describes deposits (kind deposit); it is ignored here",
                            f"{column} gjelder deponier (kind deposit); den blir ignorert her",
                        ),
                        Severity.WARNING,
                    )
                continue
            if column in ("status", "treatment") and kind is Kind.DEMAND and self.cell(column):
                self.problem(
                    column,
                    InputError(
                        f"{column} describes supplies; it is ignored for a demand",
                        f"{column} gjelder tilbud; den blir ignorert for et behov",
                    ),
                    Severity.WARNING,
                )
                continue
            scheme = DEPOSIT_COLUMNS.get(column, column)
            code = self.convert(column, lambda text, c=scheme: vocabulary.code(c, text))
            if code is not None:
                self.add(stream, ss(predicate), code)
        if self.cell("confidentiality") is None:
            self.add(stream, ss("confidentiality"), vocabulary.code("confidentiality", "public"))

    def map_material(self, stream: NamedNode, kind: Kind) -> None:
        material = self.convert(
            "material", lambda text: self.vocabulary.material(text, demand=kind is Kind.DEMAND)
        )
        if material is None:
            return
        if material.kind == "class":
            resource = NamedNode(stream.value + "#resource")
            self.add(stream, ss("hasResource"), resource)
            self.add(resource, TYPE, material.iri)
            return
        predicate = {
            "element": "requestsElement",
            "raw-material": "requestsRawMaterial",
            "element-group": "requestsElementGroup",
            "application": "requestsApplication",
        }[material.kind]
        self.add(stream, ss(predicate), material.iri)

    def map_quantity(self, stream: NamedNode) -> None:
        values = {
            predicate: self.convert(column, parse_number)
            for column, predicate in (
                ("quantity", "numericValue"),
                ("quantity_min", "minimumValue"),
                ("quantity_max", "maximumValue"),
            )
        }
        unit = self.convert("unit", self.vocabulary.unit)
        year = self.convert("reference_year", parse_year)
        approximate = self.convert("approximate", parse_yes_no)
        basis_text = self.cell("basis")
        if not any(v is not None for v in values.values()) and not (unit or year or basis_text):
            return
        quantity = NamedNode(stream.value + "#quantity")
        self.add(stream, ss("hasQuantity"), quantity)
        self.add(quantity, TYPE, ss("Quantity"))
        for predicate, value in values.items():
            if value is not None:
                self.add(quantity, ss(predicate), decimal_literal(value))
        if unit:
            self.add(quantity, ss("unit"), unit.iri)
        if basis_text is not None:
            basis = self.convert("basis", lambda text: self.vocabulary.code("basis", text))
        elif unit:  # the template's default: /a units are flows, the others stocks
            basis = self.vocabulary.code(
                "basis", "flow" if unit.notation.endswith("/a") else "stock"
            )
        else:
            basis = None
        if basis is not None:
            self.add(quantity, ss("basis"), basis)
        if year is not None:
            self.add(quantity, ss("referenceYear"), Literal(str(year), datatype=INTEGER))
        if approximate is not None:
            self.add(
                quantity, ss("approximate"), Literal(str(approximate).lower(), datatype=BOOLEAN)
            )

    def map_composition(self, stream: NamedNode, kind: Kind) -> None:
        parts = self.convert(
            "composition",
            lambda text: parse_composition(
                text,
                kind="demand" if kind is Kind.DEMAND else "supply",
                vocabulary=self.vocabulary,
            ),
        )
        given = self.cell("composition") is not None
        if self.cell("composition_basis") is not None and (not given or kind is Kind.DEMAND):
            self.problem(
                "composition_basis",
                InputError(
                    "composition_basis describes a supply's composition; it is ignored here",
                    "composition_basis gjelder sammensetningen til et tilbud; den ignoreres her",
                ),
                Severity.WARNING,
            )
        if not parts:
            return
        if kind is Kind.DEMAND:
            for part in parts:
                criterion = NamedNode(f"{stream.value}#requirement-{part.index}")
                self.add(stream, ss("hasRequirement"), criterion)
                self.add(criterion, TYPE, ss("CompositionCriterion"))
                self.describe_part(criterion, part)
            return
        composition = NamedNode(stream.value + "#composition")
        self.add(stream, ss("hasComposition"), composition)
        self.add(composition, TYPE, ss("Composition"))
        basis = self.convert(
            "composition_basis", lambda text: self.vocabulary.code("composition-basis", text)
        )
        if basis is not None:
            self.add(composition, ss("compositionBasis"), basis)
        weights = self.vocabulary.atomic_weights()
        for part in parts:
            component = NamedNode(f"{stream.value}#component-{part.index}")
            self.add(composition, ss("hasComponent"), component)
            self.add(component, TYPE, ss("Component"))
            self.describe_part(component, part)
            for derived in derived_parts(part, weights):
                element = NamedNode(f"{component.value}-{derived.element}")
                self.add(composition, ss("hasComponent"), element)
                self.add(element, TYPE, ss("Component"))
                self.describe_part(element, derived)
                self.add(element, ss("derivedFrom"), component)

    def describe_part(self, node: NamedNode, part: Part) -> None:
        if part.element is not None:
            self.add(node, ss("element"), self.vocabulary.element(part.element).iri)
        elif part.formula is not None:
            self.add(node, ss("formula"), Literal(part.formula))
        for predicate, value in (
            ("massFraction", part.value),
            ("minimumMassFraction", part.minimum),
            ("maximumMassFraction", part.maximum),
        ):
            if value is not None:
                self.add(node, ss(predicate), decimal_literal(value))
        self.add(node, ss("boundDirection"), self.vocabulary.code("bound", part.bound))

    def map_flags(self, stream: NamedNode, kind: Kind) -> None:
        temperature = self.convert("temperature_c", parse_number)
        if temperature is not None:
            self.add(stream, ss("temperatureCelsius"), decimal_literal(temperature))
        hazardous = self.convert("hazardous", parse_yes_no)
        if hazardous is not None:
            self.add(stream, ss("hazardous"), Literal(str(hazardous).lower(), datatype=BOOLEAN))


def duplicate_identifier(identifier: str, row: int, first: int, file: str) -> Problem:
    """The problem of a stream identifier used again at ``row`` after ``first``."""
    return Problem(
        severity=Severity.VIOLATION,
        message={
            "en": f"identifier '{identifier}' is used twice in this file (also row "
            f"{first}); identifiers must be unique",
            "nb": f"identifikatoren '{identifier}' er brukt to ganger i filen (også "
            f"rad {first}); identifikatorer må være unike",
        },
        rule="ingest:identifier-unique",
        file=file,
        row=row,
        column="identifier",
        value=identifier,
    )


def map_template(
    table: TemplateTable,
    *,
    base: str,
    vocabulary: Vocabulary | None = None,
    first_row: dict[str, int] | None = None,
) -> Mapped:
    """Map every row of ``table``; duplicate identifiers are reported with both rows.

    ``first_row`` (identifier -> row) carries the identifiers already seen from one call to
    the next when a large file is mapped a chunk of rows at a time.
    """
    vocabulary = vocabulary or Vocabulary.load()
    mapped = Mapped()
    first_row = {} if first_row is None else first_row
    for row in table.rows:
        mapper = RowMapper(row, table.path.name, base, vocabulary)
        result = mapper.map()
        mapped.problems.extend(mapper.problems)
        if result is None:
            continue
        identifier, stream = result
        if identifier in first_row:
            mapped.problems.append(
                duplicate_identifier(identifier, row.number, first_row[identifier], table.path.name)
            )
            continue
        first_row[identifier] = row.number
        mapped.quads.extend(mapper.quads)
        mapped.rows[stream.value] = row.number
        mapped.identifiers[identifier] = stream.value
    return mapped


def map_rdf_streams(quads: Iterable[Quad], *, file: str, base: str) -> Mapped:
    """Check an RDF submission against the IRI rules of docs/data-model.md.

    Streams must be ``{base}stream/{identifier}`` with that ``dcterms:identifier``;
    every other subject must be one of their fragments, an organisation or a site,
    so that a submission cannot state anything about the rest of the catalogue.
    """
    mapped = Mapped(quads=list(quads))
    kinds = {ss("Supply"), ss("Demand"), ss("Deposit")}
    identifier_predicate = NamedNode(DCTERMS + "identifier")
    streams = {q.subject for q in mapped.quads if q.predicate == TYPE and q.object in kinds}
    # A deposit is a supply (core.ttl); queries select supplies by ss:Supply without
    # reasoning, so a deposit stated only as ss:Deposit gets the type it implies.
    typed = [(q.subject, q.object) for q in mapped.quads if q.predicate == TYPE]
    deposits = {subject for subject, kind in typed if kind == ss("Deposit")}
    supplies = {subject for subject, kind in typed if kind == ss("Supply")}
    mapped.quads.extend(
        Quad(deposit, TYPE, ss("Supply")) for deposit in sorted(deposits - supplies, key=str)
    )

    def problem(en: str, nb: str, value: str) -> None:
        mapped.problems.append(
            Problem(
                severity=Severity.VIOLATION,
                message={"en": en, "nb": nb},
                rule="ingest:rdf-streams",
                file=file,
                value=value,
            )
        )

    for stream in sorted(streams, key=str):
        identifiers = [
            q.object.value
            for q in mapped.quads
            if q.subject == stream and q.predicate == identifier_predicate
        ]
        if len(identifiers) != 1:
            problem(
                f"stream {stream.value} needs exactly one dcterms:identifier",
                f"strømmen {stream.value} må ha nøyaktig én dcterms:identifier",
                stream.value,
            )
            continue
        (identifier,) = identifiers
        if stream.value != f"{base}stream/{identifier}":
            problem(
                f"stream {stream.value} must have the IRI {base}stream/{identifier}",
                f"strømmen {stream.value} må ha IRI-en {base}stream/{identifier}",
                stream.value,
            )
            continue
        if identifier in mapped.identifiers:
            problem(
                f"identifier '{identifier}' is used by two streams",
                f"identifikatoren '{identifier}' brukes av to strømmer",
                identifier,
            )
            continue
        mapped.identifiers[identifier] = stream.value
    allowed = (base + "organisation/", base + "site/")
    stream_iris = {s.value for s in streams}
    for subject in sorted({q.subject for q in mapped.quads}, key=str):
        value = subject.value
        if value.split("#", 1)[0] in stream_iris or value.startswith(allowed):
            continue
        problem(
            f"{value} is neither a stream, a part of one (#...), an organisation nor a site",
            f"{value} er verken en strøm, en del av en (#...), en organisasjon eller et anlegg",
            value,
        )
    return mapped


def _coordinate(value: Decimal) -> str:
    """A coordinate without trailing zeros or exponent: 59.20 -> 59.2, 10 -> 10."""
    return format(value.normalize(), "f")
