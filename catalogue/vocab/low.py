"""The European List of Waste (Commission Decision 2000/532/EC as amended by Decision
2014/955/EU) as SKOS, re-expressed from ewc-onto at build time.

ewc-onto (CC BY 4.0) is read from ``$SIDESTREAM_EWC_ONTO`` or from
``shared/reference/ewc-onto/ewc-onto.ttl`` beside the repository; it is never copied
into the repository. What the generator does with it:

- one ``ss:WasteCode``/``skos:Concept`` per chapter (``low:10``), sub-chapter
  (``low:1001``) and six-digit entry (``low:100104``), each ``skos:exactMatch`` its
  ewc-onto class;
- it leaves out the 18 four-part ewc-onto classes (``W19_12_01_03`` ...): they are
  sub-entries of the German Abfallverzeichnis-Verordnung (AVV), not of the EU List;
- hazardousness comes from the ``ewco:hasHazardousness`` restriction of each class,
  corrected to the EU List where ewc-onto follows the AVV (see ``EU_HAZARDOUS_OVERRIDES``);
- the English description is the label tagged ``@en``, with the few mistagged or
  missing ones supplied from the Decision (``LABEL_FIXES``), footnote markers dropped
  and chapter titles starting in lower case (docs/ontology.md).

No Norwegian labels are given to entries: the official Norwegian list (avfallsforskriften,
vedlegg 1 til kapittel 11) is not available offline and we do not guess its wording.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV

import catalogue
from catalogue.namespaces import EWCO, LOW, SS
from catalogue.vocab import VocabularySpec

ENV_VAR = "SIDESTREAM_EWC_ONTO"

EWC_ONTO_DOI = "https://doi.org/10.5281/zenodo.15348556"
EWC_ONTO_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
EWC_ONTO_CITATION = (
    "Schmidt, K., Radtke, K. S., Selig, M. (2025). European Waste Catalogue Ontology "
    f"(ewc-onto) (1.0) [ontology, release 2025-07-08]. Zenodo. {EWC_ONTO_DOI}"
)
DECISION_2000_532 = URIRef("http://data.europa.eu/eli/dec/2000/532/oj")
DECISION_2014_955 = URIRef("http://data.europa.eu/eli/dec/2014/955/oj")

SPEC = VocabularySpec(
    title="European List of Waste (Decision 2000/532/EC as amended by 2014/955/EU) as SKOS",
    source=f"ewc-onto 1.0 (release 2025-07-08), {EWC_ONTO_DOI}, re-expressed at build time; "
    "German AVV sub-entries left out, hazardousness of 19 08 09 corrected to the EU List",
    licence=f"CC BY 4.0 ({EWC_ONTO_LICENCE}), as ewc-onto",
    attribution=EWC_ONTO_CITATION,
)

EXPECTED_COUNTS = {"chapters": 20, "sub-chapters": 111, "codes": 842, "hazardous": 408}
"""What the Decision as amended by 2014/955/EU contains; the build fails on a mismatch."""

# ewc-onto marks 19 08 09 ("grease and oil mixture from oil/water separation containing
# only edible oil and fats") as hazardous, which gives it 409 hazardous entries. In the
# EU List (Decision 2014/955/EU) 19 08 09 has no asterisk; only its mirror entry 19 08 10*
# does (checked against two independent copies of the List). Whether ewc-onto follows a
# German (AVV) reading here or simply errs could not be checked offline. We follow the EU
# List: 408 hazardous entries.
EU_HAZARDOUS_OVERRIDES: dict[str, bool] = {"190809": False}

LABEL_FIXES: dict[str, str] = {
    # no label at all in ewc-onto
    "0104": "wastes from physical and chemical processing of non-metalliferous minerals",
    "0105": "drilling muds and other drilling wastes",
    # the English text is tagged @de, or the German text @en
    "1003": "wastes from aluminium thermal metallurgy",
    "030205": "other wood preservatives containing hazardous substances",
    "191006": "other fractions other than those mentioned in 19 10 05",
    "200301": "mixed municipal waste",
}
"""English descriptions of the Decision where ewc-onto's ``@en`` label is missing or wrong."""

_TEXT_FIXES = (
    (re.compile(r"(?<=\w)\(\d\)"), ""),  # footnote markers: "hazardous components(1)"
    (re.compile(r"hydro- metallurgy"), "hydro-metallurgy"),  # line break kept in chapter 11
    (re.compile(r"\s+"), " "),
)
_LOCAL = re.compile(r"W(\d\d)(?:_(\d\d))?(?:_(\d\d))?(?:_(\d\d))?")


def source_path() -> Path:
    """Where ewc-onto is read from: ``$SIDESTREAM_EWC_ONTO``, else ``shared/`` beside the repo.

    The repository is found from the working directory first (a non-editable install
    puts this module in site-packages, far from the checkout), then from this file.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    relative = Path("shared") / "reference" / "ewc-onto" / "ewc-onto.ttl"
    candidates = [
        Path.cwd().resolve().parent / relative,
        Path(catalogue.__file__).resolve().parents[1].parent / relative,
    ]
    return next((path for path in candidates if path.is_file()), candidates[0])


def _hazardous(source: Graph, cls: URIRef) -> bool:
    """The hazardousness stated by the ``owl:equivalentClass`` restriction of ``cls``."""
    values: set[URIRef] = set()
    for equivalent in source.objects(cls, OWL.equivalentClass):
        for members in source.objects(equivalent, OWL.intersectionOf):
            for member in Collection(source, members):
                if source.value(member, OWL.onProperty) != EWCO.hasHazardousness:
                    continue
                for predicate in (OWL.allValuesFrom, OWL.someValuesFrom):
                    value = source.value(member, predicate)
                    if isinstance(value, URIRef):
                        values.add(value)
    if values == {EWCO.Hazardous}:
        return True
    if values == {EWCO.NonHazardous}:
        return False
    raise ValueError(f"ewc-onto: no single hazardousness for {cls}: {sorted(values)}")


def _description(source: Graph, cls: URIRef, code: str, chapter: bool) -> str:
    """The English description of an entry, cleaned up as the module docstring says."""
    labels = [label for label in source.objects(cls, RDFS.label) if isinstance(label, Literal)]
    english = [str(label) for label in labels if label.language == "en"]
    if code in LABEL_FIXES:
        text = LABEL_FIXES[code]
        if labels and text not in {str(label) for label in labels}:
            raise ValueError(f"ewc-onto changed the labels of {code}; review LABEL_FIXES")
    elif len(english) == 1:
        text = english[0]
    else:
        raise ValueError(f"ewc-onto: {len(english)} English labels for {code}: {english}")
    for pattern, replacement in _TEXT_FIXES:
        text = pattern.sub(replacement, text)
    text = text.strip()
    if chapter and len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def _notation(parts: tuple[str, ...], hazardous: bool | None) -> str:
    return " ".join(parts) + ("*" if hazardous else "")


def build() -> Graph:
    """Chapters, sub-chapters and six-digit entries of the List of Waste."""
    path = source_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"ewc-onto not found at {path}. Set {ENV_VAR} to the path of ewc-onto.ttl "
            f"(CC BY 4.0, {EWC_ONTO_DOI}) or place it at shared/reference/ewc-onto/ beside "
            "the repository."
        )
    source = Graph().parse(path, format="turtle")
    graph = Graph()
    scheme = LOW.scheme
    counts = dict.fromkeys(EXPECTED_COUNTS, 0)

    for cls in sorted(set(source.subjects(RDF.type, OWL.Class))):
        if isinstance(cls, BNode) or not str(cls).startswith(str(EWCO)):
            continue
        match = _LOCAL.fullmatch(str(cls)[len(str(EWCO)) :])
        if match is None:
            continue  # Waste, Hazardousness, Hazardous, NonHazardous
        parts = tuple(part for part in match.groups() if part)
        if len(parts) == 4:
            continue  # a German AVV sub-entry, not part of the EU List
        code = "".join(parts)
        concept = LOW[code]
        hazardous: bool | None = None
        if len(parts) == 3:
            hazardous = EU_HAZARDOUS_OVERRIDES.get(code, _hazardous(source, cls))
        label = _description(source, cls, code, chapter=len(parts) == 1)

        graph.add((concept, RDF.type, SS.WasteCode))
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((concept, SKOS.notation, Literal(_notation(parts, hazardous))))
        graph.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
        graph.add((concept, RDFS.label, Literal(label, lang="en")))
        graph.add((concept, SKOS.exactMatch, cls))
        for comment in source.objects(cls, RDFS.comment):
            if isinstance(comment, Literal) and comment.language == "en":
                graph.add((concept, SKOS.scopeNote, comment))

        if len(parts) == 1:
            counts["chapters"] += 1
            graph.add((concept, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, concept))
            continue
        graph.add((concept, SKOS.broader, LOW["".join(parts[:-1])]))
        if len(parts) == 2:
            counts["sub-chapters"] += 1
            continue
        counts["codes"] += 1
        counts["hazardous"] += bool(hazardous)
        graph.add((concept, SS.absoluteHazardous, Literal(bool(hazardous))))
        graph.add((concept, SKOS.altLabel, Literal(code)))
        if hazardous:
            graph.add((concept, SKOS.altLabel, Literal(_notation(parts, None))))
        if code in EU_HAZARDOUS_OVERRIDES and EU_HAZARDOUS_OVERRIDES[code] != _hazardous(
            source, cls
        ):
            graph.add(
                (
                    concept,
                    RDFS.comment,
                    Literal(
                        "Hazardousness follows the EU List (Decision 2014/955/EU), where "
                        f"{_notation(parts, None)} carries {'an' if hazardous else 'no'} "
                        "asterisk; the source ewc-onto marks it "
                        f"{'non-hazardous' if hazardous else 'hazardous'}.",
                        lang="en",
                    ),
                )
            )

    if counts != EXPECTED_COUNTS:
        raise ValueError(f"List of Waste counts {counts} differ from {EXPECTED_COUNTS}")
    _describe_scheme(graph, source)
    return graph


def _describe_scheme(graph: Graph, source: Graph) -> None:
    scheme = LOW.scheme
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for predicate in (RDFS.label, SKOS.prefLabel, DCTERMS.title):
        graph.add((scheme, predicate, Literal("European List of Waste", lang="en")))
        graph.add((scheme, predicate, Literal("europeisk avfallsliste", lang="nb")))
    graph.add((scheme, SKOS.altLabel, Literal("European Waste Catalogue", lang="en")))
    graph.add((scheme, SKOS.altLabel, Literal("EWC", lang="en")))
    graph.add((scheme, SKOS.altLabel, Literal("LoW", lang="en")))
    graph.add((scheme, SKOS.altLabel, Literal("EAL", lang="nb")))
    graph.add(
        (
            scheme,
            DCTERMS.description,
            Literal(
                "The chapters, sub-chapters and six-digit entries of the List of Waste of "
                "Commission Decision 2000/532/EC as amended by Commission Decision 2014/955/EU; "
                "entries marked with an asterisk are hazardous waste.",
                lang="en",
            ),
        )
    )
    for reference in (DECISION_2000_532, DECISION_2014_955, URIRef(EWC_ONTO_DOI)):
        graph.add((scheme, DCTERMS.source, reference))
    graph.add((scheme, DCTERMS.license, URIRef(EWC_ONTO_LICENCE)))
    graph.add((scheme, DCTERMS.bibliographicCitation, Literal(EWC_ONTO_CITATION)))
    for version in source.objects(URIRef(str(EWCO).rstrip("/")), OWL.versionIRI):
        graph.add((scheme, PROV.wasDerivedFrom, version))
    graph.add(
        (
            scheme,
            RDFS.comment,
            Literal(
                "Derived from ewc-onto (CC BY 4.0) with changes: re-expressed as SKOS concepts "
                "instead of OWL classes; the 18 German AVV sub-entries left out; 19 08 09 marked "
                "non-hazardous as in the EU List; missing or mistagged English labels of 01 04, "
                "01 05, 10 03, 03 02 05, 19 10 06 and 20 03 01 supplied from the Decision; "
                "footnote markers removed and chapter titles started in lower case.",
                lang="en",
            ),
        )
    )
