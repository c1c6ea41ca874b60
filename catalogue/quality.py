"""The data quality of a stream description: notes from validation, and a score (issue 9).

Users of symbiosis platforms miss data quality and trust most (seed-000 section 3), so
each stream carries, materialised with the other inferences when it is loaded
(:func:`catalogue.inference.materialise`), an assessment ``<stream#quality>``:

- **completeness**: the share of the recommended fields it fills (:data:`RECOMMENDED`);
- **plausibility**: 1, less :data:`FIGURE_DEDUCTION` for each figure outside the usual
  range of its material (``ss:typicalContent`` and ``ss:typicalMaximumFlow`` in the
  ontology, or best estimates of the composition adding up to more than the whole) and
  :data:`NOTE_DEDUCTION` for each warning validation gave it (its quality notes);
- **basis**: how a supply's composition was obtained (``ss:compositionBasis``,
  :data:`BASIS_SCORES`);
- **age**: the years between the figures' ``ss:referenceYear`` and the year its version
  reports for (``<stream#version-YYYY> ss:reportingYear``; without a version record, the
  reference year itself, so age 0).

``ss:qualityScore`` is their weighted mean (:data:`WEIGHTS`; a demand has no basis), and
``ss:qualityIssue`` names each deduction in English and Norwegian. Everything is computed
from the stream's own asserted statements (and its notes, which are asserted fragments of
it), so it goes to the stream's graph, follows it into history, and a chunk materialised
alone gives what the whole file gives.

Validation warnings become notes before the statements are stored (:func:`note_quads`),
placed by their template row or, for RDF input, by their focus node:
``<stream#note-n> a ss:QualityNote; ss:noteOf <stream>; ss:rule "…"; rdfs:comment
"…"@en, "…"@nb``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from pyoxigraph import Literal, NamedNode, Quad

from catalogue import queries
from catalogue.access import STREAM_TYPES
from catalogue.namespaces import RDF_TYPE, SS
from catalogue.ontology import load_store
from catalogue.report import Problem, Severity

TYPE = NamedNode(RDF_TYPE)
COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
DCTERMS = "http://purl.org/dc/terms/"
SOURCE = NamedNode(DCTERMS + "source")
IS_VERSION_OF = NamedNode(DCTERMS + "isVersionOf")
HAS_GEOMETRY = NamedNode("http://www.opengis.net/ont/geosparql#hasGeometry")
XSD_DECIMAL = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
DEMAND = NamedNode(SS.Demand)
QUALITY_NOTE = NamedNode(SS.QualityNote)
NOTE_OF = NamedNode(SS.noteOf)
RULE = NamedNode(SS.rule)
COLUMN = NamedNode(SS.column)
REPORTING_YEAR = NamedNode(SS.reportingYear)
HAS_ASSESSMENT = NamedNode(SS.hasQualityAssessment)
ASSESSMENT = NamedNode(SS.QualityAssessment)
SCORE = NamedNode(SS.qualityScore)
COMPLETENESS = NamedNode(SS.completeness)
PLAUSIBILITY = NamedNode(SS.plausibility)
BASIS_SCORE = NamedNode(SS.basisScore)
AGE_SCORE = NamedNode(SS.ageScore)
AGE = NamedNode(SS.ageInYears)
ISSUE = NamedNode(SS.qualityIssue)
HAS_QUANTITY = NamedNode(SS.hasQuantity)
HAS_COMPOSITION = NamedNode(SS.hasComposition)
HAS_COMPONENT = NamedNode(SS.hasComponent)
HAS_RESOURCE = NamedNode(SS.hasResource)
HAS_REQUIREMENT = NamedNode(SS.hasRequirement)
COMPOSITION_BASIS = NamedNode(SS.compositionBasis)
ELEMENT = NamedNode(SS.element)
DERIVED_FROM = NamedNode(SS.derivedFrom)
REFERENCE_YEAR = NamedNode(SS.referenceYear)
UNIT = NamedNode(SS.unit)
WASTE_CODE = NamedNode(SS.wasteCode)
NACE = NamedNode(SS.naceActivity)
STATUS = NamedNode(SS.status)
TREATMENT = NamedNode(SS.currentTreatment)
QUANTITY_VALUES = frozenset(
    {NamedNode(SS.numericValue), NamedNode(SS.minimumValue), NamedNode(SS.maximumValue)}
)
MASS_FRACTION = str(SS.massFraction)
MINIMUM_MASS_FRACTION = str(SS.minimumMassFraction)
MAXIMUM_MASS_FRACTION = str(SS.maximumMassFraction)
FRACTIONS = frozenset({MASS_FRACTION, MINIMUM_MASS_FRACTION, MAXIMUM_MASS_FRACTION})

RECOMMENDED: dict[str, tuple[str, ...]] = {
    # What a receiver needs to judge a supply without calling its holder: how much, of
    # what and from when; where (transport); its legal and waste codes (whether it may be
    # taken at all); where the figures come from; and what happens to it today.
    "supply": (
        *("quantity", "unit", "reference_year", "composition", "location"),
        *("ewc", "nace", "source", "status", "treatment"),
    ),
    # A demand has no waste code, status or treatment of its own.
    "demand": ("quantity", "unit", "reference_year", "composition", "location", "nace", "source"),
}
"""The recommended fields by kind, named as the template's columns."""
FIELDS = {
    "country": "location",
    "latitude": "location",
    "longitude": "location",
    "quantity_min": "quantity",
    "quantity_max": "quantity",
}
"""Columns whose warnings are about a recommended field of another name."""
WEIGHTS = {
    "completeness": Decimal("0.4"),
    "plausibility": Decimal("0.3"),
    "basis": Decimal("0.15"),
    "age": Decimal("0.15"),
}
"""The weight of each part in the score: completeness and plausibility decide most."""
BASIS_SCORES = {
    "measured": Decimal(1),
    "calculated": Decimal("0.8"),
    "literature": Decimal("0.6"),
    "estimated": Decimal("0.4"),
}
BASIS_UNSTATED = Decimal("0.3")
"""A composition that does not say how it was obtained (a supply without one scores 0)."""
FIGURE_DEDUCTION = Decimal("0.25")
NOTE_DEDUCTION = Decimal("0.1")
FRESH_YEARS, STALE_YEARS = 2, 10
"""Figures up to ``FRESH_YEARS`` old score 1, falling linearly to 0 at ``STALE_YEARS``."""
AGE_UNKNOWN = Decimal("0.5")
HUNDREDTH = Decimal("0.01")


# --------------------------------------------------------------------------- notes


@dataclass(frozen=True, order=True)
class Note:
    """One validation warning about one stream."""

    rule: str
    en: str
    nb: str
    column: str = ""
    """The template column it is about ("" when none)."""


def stream_notes(
    problems: Iterable[Problem], rows: Mapping[str, int], streams: Iterable[str] = ()
) -> dict[str, set[Note]]:
    """Stream IRI -> its warnings: those of its template row (``rows``: stream IRI -> row),
    or, for RDF input (no rows), those whose focus node is one of ``streams`` or a fragment
    of one."""
    by_row = {row: stream for stream, row in rows.items()}
    known = set(streams)
    notes: dict[str, set[Note]] = defaultdict(set)
    for problem in problems:
        if problem.severity is not Severity.WARNING:
            continue
        if problem.row is not None:
            stream = by_row.get(problem.row)
        else:
            focus = (problem.focus or "").split("#", 1)[0]
            stream = focus if focus in known else None
        if stream is not None:
            en = problem.text("en")
            nb = problem.message.get("nb") or en
            notes[stream].add(Note(problem.rule, en, nb, problem.column or ""))
    return dict(notes)


def note_quads(notes: Mapping[str, Iterable[Note]]) -> list[Quad]:
    """The notes as asserted statements on fragments of their streams, numbered in rule
    order (the same notes give the same IRIs)."""
    quads: list[Quad] = []
    for stream, found in sorted(notes.items()):
        for number, note in enumerate(sorted(set(found)), start=1):
            node = NamedNode(f"{stream}#note-{number}")
            quads += [
                Quad(node, TYPE, QUALITY_NOTE),
                Quad(node, NOTE_OF, NamedNode(stream)),
                Quad(node, RULE, Literal(note.rule)),
                Quad(node, COMMENT, Literal(note.en, language="en")),
                Quad(node, COMMENT, Literal(note.nb, language="nb")),
            ]
            if note.column:
                quads.append(Quad(node, COLUMN, Literal(note.column)))
    return quads


# --------------------------------------------------------------------------- usual figures


@dataclass(frozen=True)
class TypicalFigures:
    """What the ontology says is usual for a material class."""

    contents: dict[NamedNode, dict[NamedNode, tuple[Decimal, Decimal]]]
    """Class -> element -> (minimum, maximum) mass fraction."""
    maximum_flow: dict[NamedNode, Decimal]
    """Class -> the largest usual yearly mass of one stream, t/a."""
    labels: dict[NamedNode, dict[str, str]]
    """Class -> language -> label."""


@cache
def typical_figures() -> TypicalFigures:
    figures = TypicalFigures({}, {}, {})
    query = queries.bind(queries.load("quality/typical_figures"))
    for row in load_store().query(query):
        cls = row["class"]
        if not isinstance(cls, NamedNode):
            continue
        for lang in ("en", "nb"):
            label = row["labelEn" if lang == "en" else "labelNb"]
            if label is not None:
                figures.labels.setdefault(cls, {})[lang] = label.value
        element = row["element"]
        if isinstance(element, NamedNode):
            bounds = (Decimal(row["minimum"].value), Decimal(row["maximum"].value))
            figures.contents.setdefault(cls, {})[element] = bounds
        if row["flow"] is not None:
            figures.maximum_flow[cls] = Decimal(row["flow"].value)
    return figures


# --------------------------------------------------------------------------- the score


@dataclass
class Issues:
    """The deductions found, in English and Norwegian."""

    texts: list[tuple[str, str]]

    def add(self, en: str, nb: str) -> None:
        self.texts.append((en, nb))


def _first(facts: Iterable[Quad], predicate: NamedNode) -> Literal | NamedNode | None:
    return next((fact.object for fact in facts if fact.predicate == predicate), None)  # type: ignore[misc]


def _decimal(term: object) -> Decimal | None:
    try:
        return Decimal(term.value) if isinstance(term, Literal) else None
    except ArithmeticError:
        return None


def _score(value: Decimal) -> Literal:
    clamped = min(max(value, Decimal(0)), Decimal(1))
    return Literal(str(clamped.quantize(HUNDREDTH)), datatype=XSD_DECIMAL)


def _number(value: Decimal, lang: str) -> str:
    text = format(value.quantize(Decimal("0.1")).normalize(), "f")
    return text.replace(".", ",") if lang == "nb" else text


def _percent(value: Decimal, lang: str) -> str:
    return f"{_number(value * 100, lang)} %"


def _mass_flow(value: Decimal, lang: str) -> str:
    for factor, unit in ((Decimal(10**6), "Mt/a"), (Decimal(10**3), "kt/a")):
        if value >= factor:
            return f"{_number(value / factor, lang)} {unit}"
    return f"{_number(value, lang)} t/a"


class Assessor:
    """Assesses the streams of one submission's asserted statements, grouped by subject
    (what :func:`catalogue.inference.materialise` has at hand)."""

    def __init__(
        self,
        by_subject: Mapping[object, list[Quad]],
        ancestors: Mapping[NamedNode, frozenset[NamedNode]],
    ) -> None:
        self.by_subject = by_subject
        self.ancestors = ancestors
        self.figures = typical_figures()
        self.years: dict[object, int] = {}
        self.notes: dict[object, list[tuple[str, str, str]]] = defaultdict(list)
        for subject, quads in by_subject.items():
            # version records and notes are fragments: most subjects are passed over here
            if not isinstance(subject, NamedNode) or (
                "#version-" not in subject.value and "#note-" not in subject.value
            ):
                continue
            stream = _first(quads, IS_VERSION_OF)
            year = _decimal(_first(quads, REPORTING_YEAR))
            if stream is not None and year is not None:
                # the newest, should a graph ever hold two versions of one stream
                self.years[stream] = max(int(year), self.years.get(stream, int(year)))
            owner = _first(quads, NOTE_OF)
            if owner is not None:
                texts = {
                    fact.object.language: fact.object.value
                    for fact in quads
                    if fact.predicate == COMMENT and isinstance(fact.object, Literal)
                }
                en = texts.get("en", "")
                column = _first(quads, COLUMN)
                where = column.value if column is not None else ""
                self.notes[owner].append((en, texts.get("nb", en), where))

    def streams(self) -> Iterator[tuple[NamedNode, list[Quad]]]:
        for subject, quads in self.by_subject.items():
            # a stream's IRI has no fragment; its parts' do
            if (
                isinstance(subject, NamedNode)
                and "#" not in subject.value
                and any(q.predicate == TYPE and q.object.value in STREAM_TYPES for q in quads)
            ):
                yield subject, quads

    def assess(
        self, stream: NamedNode, quads: list[Quad], flow: Callable[[], Decimal | None]
    ) -> set[tuple[object, NamedNode, object]]:
        """The assessment of one stream; ``flow()`` is its yearly mass in t/a, if known
        (asked only for a material with a usual largest flow)."""
        demand = any(q.predicate == TYPE and q.object == DEMAND for q in quads)
        issues = Issues([])
        missing = self._missing(quads, demand)
        parts = {
            "completeness": self._completeness(missing, demand, issues),
            "plausibility": self._plausibility(stream, quads, flow, missing, issues),
        }
        if not demand:
            parts["basis"] = self._basis(quads, issues)
        age, parts["age"] = self._age(stream, quads, issues)
        total = sum(WEIGHTS[name] * value for name, value in parts.items())
        score = total / sum(WEIGHTS[name] for name in parts)
        node = NamedNode(f"{stream.value}#quality")
        found: set[tuple[object, NamedNode, object]] = {
            (stream, HAS_ASSESSMENT, node),
            (node, TYPE, ASSESSMENT),
            (node, SCORE, _score(score)),
            (node, COMPLETENESS, _score(parts["completeness"])),
            (node, PLAUSIBILITY, _score(parts["plausibility"])),
            (node, AGE_SCORE, _score(parts["age"])),
        }
        if "basis" in parts:
            found.add((node, BASIS_SCORE, _score(parts["basis"])))
        if age is not None:
            found.add((node, AGE, Literal(str(age), datatype=XSD_INTEGER)))
        for en, nb in issues.texts:
            found |= {
                (node, ISSUE, Literal(en, language="en")),
                (node, ISSUE, Literal(nb, language="nb")),
            }
        return found

    def _fragment(self, quads: list[Quad], predicate: NamedNode) -> list[Quad]:
        node = _first(quads, predicate)
        return self.by_subject.get(node, []) if node is not None else []

    def _missing(self, quads: list[Quad], demand: bool) -> list[str]:
        """The recommended fields the stream does not fill, in :data:`RECOMMENDED` order."""
        quantity = self._fragment(quads, HAS_QUANTITY)
        predicates = {q.predicate for q in quads}
        held = {q.predicate for q in quantity}
        present = {
            "quantity": bool(held & QUANTITY_VALUES),
            "unit": UNIT in held,
            "reference_year": REFERENCE_YEAR in held,
            "composition": bool(predicates & {HAS_COMPOSITION, HAS_REQUIREMENT}),
            "location": HAS_GEOMETRY in predicates,
            "ewc": WASTE_CODE in predicates,
            "nace": NACE in predicates,
            "source": SOURCE in predicates,
            "status": STATUS in predicates,
            "treatment": TREATMENT in predicates,
        }
        return [name for name in RECOMMENDED["demand" if demand else "supply"] if not present[name]]

    def _completeness(self, missing: list[str], demand: bool, issues: Issues) -> Decimal:
        fields = RECOMMENDED["demand" if demand else "supply"]
        if missing:
            names = ", ".join(missing)
            issues.add(
                f"Recommended fields not filled: {names}.",
                f"Anbefalte felt som ikke er fylt ut: {names}.",
            )
        return Decimal(len(fields) - len(missing)) / len(fields)

    def _classes(self, quads: list[Quad]) -> list[NamedNode]:
        """The resource's classes and their superclasses, most specific first."""
        found: set[NamedNode] = set()
        for fact in self._fragment(quads, HAS_RESOURCE):
            if fact.predicate == TYPE and isinstance(fact.object, NamedNode):
                found |= self.ancestors.get(fact.object, frozenset({fact.object}))
        return sorted(found, key=lambda c: (-len(self.ancestors.get(c, ())), c.value))

    def _label(self, cls: NamedNode, lang: str) -> str:
        labels = self.figures.labels.get(cls, {})
        return labels.get(lang) or labels.get("en") or cls.value.rsplit("/", 1)[-1]

    def _plausibility(
        self,
        stream: NamedNode,
        quads: list[Quad],
        flow: Callable[[], Decimal | None],
        missing: list[str],
        issues: Issues,
    ) -> Decimal:
        deductions = Decimal(0)
        classes = self._classes(quads)
        contents: dict[NamedNode, Decimal] = defaultdict(Decimal)
        stated = Decimal(0)
        for link in self._fragment(quads, HAS_COMPOSITION):
            if link.predicate != HAS_COMPONENT:
                continue
            # one pass over the component's facts: this runs for every part of every stream
            figures: dict[str, Decimal | None] = {}
            element: object = None
            derived = False
            for fact in self.by_subject.get(link.object, ()):
                name = fact.predicate.value
                if name in FRACTIONS:
                    figures[name] = _decimal(fact.object)
                elif name == ELEMENT.value:
                    element = fact.object
                elif name == DERIVED_FROM.value:
                    derived = True
            best = figures.get(MASS_FRACTION)
            low, high = figures.get(MINIMUM_MASS_FRACTION), figures.get(MAXIMUM_MASS_FRACTION)
            if best is None and low is not None and high is not None:
                best = (low + high) / 2
            if best is None:
                continue
            if isinstance(element, NamedNode):
                contents[element] += best
            if not derived:
                stated += best
        if stated > 1:
            deductions += FIGURE_DEDUCTION
            issues.add(
                f"The best estimates of the composition add up to {_percent(stated, 'en')}, "
                "more than the whole material.",
                f"De beste anslagene i sammensetningen utgjør til sammen "
                f"{_percent(stated, 'nb')}, mer enn hele materialet.",
            )
        checked: set[NamedNode] = set()
        for cls in classes:  # the most specific class's range of an element counts
            for element, (low, high) in self.figures.contents.get(cls, {}).items():
                if element in checked or element not in contents:
                    continue
                checked.add(element)
                value = contents[element]
                if low <= value <= high:
                    continue
                deductions += FIGURE_DEDUCTION
                symbol = element.value.rsplit("/", 1)[-1]
                issues.add(
                    f"{symbol} {_percent(value, 'en')} is outside the usual "
                    f"{_percent(low, 'en')} to {_percent(high, 'en')} for "
                    f"{self._label(cls, 'en')}.",
                    f"{symbol} {_percent(value, 'nb')} er utenfor det vanlige "
                    f"{_percent(low, 'nb')} til {_percent(high, 'nb')} for "
                    f"{self._label(cls, 'nb')}.",
                )
        limited = next((c for c in classes if c in self.figures.maximum_flow), None)
        limit = self.figures.maximum_flow[limited] if limited is not None else None
        mass = flow() if limit is not None else None
        if mass is not None and limit is not None and limited is not None and mass > limit:
            cls, flow_text = limited, {lang: _mass_flow(mass, lang) for lang in ("en", "nb")}
            deductions += FIGURE_DEDUCTION
            issues.add(
                f"{flow_text['en']} is more than one stream of {self._label(cls, 'en')} "
                f"usually is (at most {_mass_flow(limit, 'en')}): check the unit.",
                f"{flow_text['nb']} er mer enn én strøm av {self._label(cls, 'nb')} "
                f"vanligvis er (høyst {_mass_flow(limit, 'nb')}): kontroller enheten.",
            )
        for en, nb, column in sorted(self.notes.get(stream, [])):
            if FIELDS.get(column, column) in missing:
                continue  # a warning that a recommended field is empty: completeness counts it
            deductions += NOTE_DEDUCTION
            issues.add(f"Warning when loaded: {en}", f"Advarsel ved lasting: {nb}")
        return max(Decimal(0), 1 - deductions)

    def _basis(self, quads: list[Quad], issues: Issues) -> Decimal:
        composition = self._fragment(quads, HAS_COMPOSITION)
        if not composition:
            issues.add(
                "Without a composition, nothing about the material is measured.",
                "Uten sammensetning er ingenting ved materialet målt.",
            )
            return Decimal(0)
        basis = _first(composition, COMPOSITION_BASIS)
        name = basis.value.rsplit("/", 1)[-1] if basis is not None else None
        if name not in BASIS_SCORES:
            issues.add(
                "The composition does not say whether it is measured or estimated "
                "(composition_basis).",
                "Sammensetningen sier ikke om den er målt eller anslått (composition_basis).",
            )
            return BASIS_UNSTATED
        if name != "measured":
            issues.add(
                f"The composition is {name}, not measured.",
                f"Sammensetningen er {_NB_BASIS[name]}, ikke målt.",
            )
        return BASIS_SCORES[name]

    def _age(
        self, stream: NamedNode, quads: list[Quad], issues: Issues
    ) -> tuple[int | None, Decimal]:
        reference = _decimal(_first(self._fragment(quads, HAS_QUANTITY), REFERENCE_YEAR))
        if reference is None:
            issues.add(
                "The figures have no reference year, so their age is unknown.",
                "Tallene har ikke noe referanseår, så alderen er ukjent.",
            )
            return None, AGE_UNKNOWN
        reported = self.years.get(stream, int(reference))
        age = max(0, reported - int(reference))
        if age <= FRESH_YEARS:
            return age, Decimal(1)
        issues.add(
            f"The figures are from {int(reference)}, {age} years before the reporting year "
            f"{reported}.",
            f"Tallene er fra {int(reference)}, {age} år før rapporteringsåret {reported}.",
        )
        stale = Decimal(min(age, STALE_YEARS) - FRESH_YEARS) / (STALE_YEARS - FRESH_YEARS)
        return age, 1 - stale


_NB_BASIS = {
    "calculated": "beregnet",
    "literature": "hentet fra litteraturen",
    "estimated": "anslått",
}
