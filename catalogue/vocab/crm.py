"""The EU critical and strategic raw-material lists as three SKOS concept schemes.

Writes ``ontology/vocab/crm.ttl`` from the hand-curated tables
``ontology/sources/crm-2023.csv`` (Regulation (EU) 2024/1252, Annex II),
``srm-2023.csv`` (Annex I) and ``crm-2020.csv`` (COM(2020) 474). Each entry is an
``ss:ListedRawMaterial`` linked to its elements (``ss:hasConstituentElement``) and,
for group entries, to its element group (``ss:coversGroup``). Entries for the same
commodity on different lists are linked with ``skos:closeMatch``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from rdflib import DCTERMS, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from catalogue.namespaces import CRM, ELEM, SS
from catalogue.resources import source_file
from catalogue.vocab import VocabularySpec
from catalogue.vocab.elements import group_members

SPEC = VocabularySpec(
    title="EU critical and strategic raw materials lists, 2020 and 2023 (SKOS)",
    source=(
        "Regulation (EU) 2024/1252 (Critical Raw Materials Act), Annexes I and II; "
        "COM(2020) 474 final, Annex; hand-curated in ontology/sources/crm-2023.csv, "
        "srm-2023.csv and crm-2020.csv"
    ),
    licence=(
        "EU legal texts reused under Commission Decision 2011/833/EU, (c) European Union; "
        "Norwegian labels, element links and notes are sidestream's own"
    ),
    attribution="Source: EUR-Lex, https://eur-lex.europa.eu/, (c) European Union",
)

_CRMA = (
    "Regulation (EU) 2024/1252 of the European Parliament and of the Council of 11 April 2024 "
    "establishing a framework for ensuring a secure and sustainable supply of critical raw "
    "materials (Critical Raw Materials Act), OJ L, 2024/1252, 3.5.2024"
)
_CRMA_URL = URIRef("http://data.europa.eu/eli/reg/2024/1252/oj")
_COM_2020 = (
    "Communication from the Commission COM(2020) 474 final, Critical Raw Materials Resilience: "
    "Charting a Path towards greater Security and Sustainability, Brussels, 3.9.2020, Annex"
)
_COM_2020_URL = URIRef("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:52020DC0474")


@dataclass(frozen=True)
class RawMaterialList:
    """One EU list: its scheme, source table, labels and legal source."""

    name: str
    file: str
    label_en: str
    label_nb: str
    alt_en: tuple[str, ...]
    alt_nb: tuple[str, ...]
    definition: str
    kind: str
    listed_in: str
    citation: str
    url: URIRef
    issued: date
    size: int

    @property
    def scheme(self) -> URIRef:
        return CRM[self.name]


LISTS: tuple[RawMaterialList, ...] = (
    RawMaterialList(
        name="crm-2023",
        file="crm-2023.csv",
        label_en="EU critical raw materials 2023",
        label_nb="EUs kritiske råmaterialer 2023",
        alt_en=("CRM list 2023", "critical raw materials", "CRMA Annex II"),
        alt_nb=("kritiske råmaterialer", "EUs liste over kritiske råmaterialer"),
        definition=(
            "The EU list of 34 critical raw materials in Annex II of Regulation (EU) 2024/1252, "
            "the Critical Raw Materials Act, based on the 2023 criticality assessment."
        ),
        kind="critical raw material",
        listed_in=(
            "listed in Annex II of Regulation (EU) 2024/1252, the Critical Raw Materials Act"
        ),
        citation=_CRMA + ", Annex II, Section 1",
        url=_CRMA_URL,
        issued=date(2024, 5, 3),
        size=34,
    ),
    RawMaterialList(
        name="srm-2023",
        file="srm-2023.csv",
        label_en="EU strategic raw materials 2023",
        label_nb="EUs strategiske råmaterialer 2023",
        alt_en=("SRM list 2023", "strategic raw materials", "CRMA Annex I"),
        alt_nb=("strategiske råmaterialer", "EUs liste over strategiske råmaterialer"),
        definition=(
            "The EU list of 17 strategic raw materials in Annex I of Regulation (EU) 2024/1252, "
            "the Critical Raw Materials Act."
        ),
        kind="strategic raw material",
        listed_in="listed in Annex I of Regulation (EU) 2024/1252, the Critical Raw Materials Act",
        citation=_CRMA + ", Annex I, Section 1",
        url=_CRMA_URL,
        issued=date(2024, 5, 3),
        size=17,
    ),
    RawMaterialList(
        name="crm-2020",
        file="crm-2020.csv",
        label_en="EU critical raw materials 2020",
        label_nb="EUs kritiske råmaterialer 2020",
        alt_en=("CRM list 2020",),
        alt_nb=("kritiske råmaterialer 2020",),
        definition=(
            "The EU list of 30 critical raw materials in the annex to the Commission "
            "communication COM(2020) 474, based on the 2020 criticality assessment."
        ),
        kind="critical raw material",
        listed_in=(
            "on the EU list of 2020 in the annex to the Commission communication COM(2020) 474"
        ),
        citation=_COM_2020,
        url=_COM_2020_URL,
        issued=date(2020, 9, 3),
        size=30,
    ),
)


@dataclass(frozen=True)
class Entry:
    """One row of a list table."""

    list: RawMaterialList
    id: str
    label_en: str
    label_nb: str
    alt_en: tuple[str, ...]
    alt_nb: tuple[str, ...]
    elements: tuple[str, ...]
    group: str
    commodity: str
    related: tuple[str, ...]
    strategic: bool | None
    note: str

    @property
    def iri(self) -> URIRef:
        return CRM[f"{self.list.name}-{self.id}"]


def _split(text: str, sep: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(sep) if part.strip())


def read_entries(raw_list: RawMaterialList) -> list[Entry]:
    """The rows of ``raw_list``'s table, in file order."""
    path = source_file(raw_list.file)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    entries = []
    for row in rows:
        flag = row["strategic"].strip().lower()
        if flag not in {"", "true", "false"}:
            raise ValueError(f"{raw_list.file}: strategic must be true, false or empty: {flag!r}")
        entries.append(
            Entry(
                list=raw_list,
                id=row["id"].strip(),
                label_en=row["label_en"].strip(),
                label_nb=row["label_nb"].strip(),
                alt_en=_split(row["alt_en"], "|"),
                alt_nb=_split(row["alt_nb"], "|"),
                elements=_split(row["elements"], None),
                group=row["group"].strip(),
                commodity=row["commodity"].strip(),
                related=_split(row["related"], None),
                strategic=None if flag == "" else flag == "true",
                note=row["note"].strip(),
            )
        )
    if len(entries) != raw_list.size:
        raise ValueError(f"{raw_list.file}: {len(entries)} entries, expected {raw_list.size}")
    for key in ("id", "commodity"):
        values = [getattr(entry, key) for entry in entries]
        if len(values) != len(set(values)):
            raise ValueError(f"{raw_list.file}: duplicate {key} values")
    return entries


def _add_scheme(graph: Graph, raw_list: RawMaterialList) -> None:
    scheme = raw_list.scheme
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for text, lang in ((raw_list.label_en, "en"), (raw_list.label_nb, "nb")):
        graph.add((scheme, SKOS.prefLabel, Literal(text, lang=lang)))
        graph.add((scheme, RDFS.label, Literal(text, lang=lang)))
    for text in raw_list.alt_en:
        graph.add((scheme, SKOS.altLabel, Literal(text, lang="en")))
    for text in raw_list.alt_nb:
        graph.add((scheme, SKOS.altLabel, Literal(text, lang="nb")))
    graph.add((scheme, SKOS.definition, Literal(raw_list.definition, lang="en")))
    graph.add((scheme, DCTERMS.source, Literal(raw_list.citation, lang="en")))
    graph.add((scheme, DCTERMS.source, raw_list.url))
    graph.add((scheme, DCTERMS.issued, Literal(raw_list.issued.isoformat(), datatype=XSD.date)))


def _definition(entry: Entry) -> str:
    """One genus-differentia sentence; plural labels (groups of elements) read as group entries."""
    label = entry.label_en
    if " — " in label:  # "nickel — battery grade" reads "battery-grade nickel"
        base, grade = label.split(" — ", 1)
        label = f"{grade.replace(' ', '-')} {base}"
    label = label[0].upper() + label[1:]
    kind, listed_in = entry.list.kind, entry.list.listed_in
    if entry.label_en.endswith(("elements", "metals", "magnets")):
        return f"{label} are a group entry among the {kind}s {listed_in}."
    return f"{label} is a {kind} {listed_in}."


def _add_entry(graph: Graph, entry: Entry, members: dict[str, tuple[str, ...]]) -> None:
    subject = entry.iri
    scheme = entry.list.scheme
    graph.add((subject, RDF.type, SS.ListedRawMaterial))
    graph.add((subject, RDF.type, SKOS.Concept))
    graph.add((subject, SKOS.inScheme, scheme))
    graph.add((subject, SKOS.topConceptOf, scheme))
    graph.add((scheme, SKOS.hasTopConcept, subject))
    for text, lang in ((entry.label_en, "en"), (entry.label_nb, "nb")):
        graph.add((subject, SKOS.prefLabel, Literal(text, lang=lang)))
        graph.add((subject, RDFS.label, Literal(text, lang=lang)))
    for text in entry.alt_en:
        graph.add((subject, SKOS.altLabel, Literal(text, lang="en")))
    for text in entry.alt_nb:
        graph.add((subject, SKOS.altLabel, Literal(text, lang="nb")))
    graph.add((subject, SKOS.definition, Literal(_definition(entry), lang="en")))
    graph.add((subject, DCTERMS.source, entry.list.url))
    if entry.note:
        graph.add((subject, RDFS.comment, Literal(entry.note, lang="en")))
    symbols = list(entry.elements)
    if entry.group:
        if entry.group not in members:
            raise ValueError(f"{entry.list.file}: unknown element group {entry.group!r}")
        graph.add((subject, SS.coversGroup, ELEM[entry.group]))
        symbols += members[entry.group]
    for symbol in symbols:
        graph.add((subject, SS.hasConstituentElement, ELEM[symbol]))
    if entry.strategic is not None:
        graph.add((subject, SS.isStrategic, Literal(entry.strategic)))


def _link(graph: Graph, entries: list[Entry]) -> None:
    """``skos:closeMatch`` between entries of different lists for the same commodity,
    ``skos:relatedMatch`` between overlapping ones; both directions are stated."""
    by_commodity: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_commodity[entry.commodity].append(entry)
    for entry in entries:
        for other in by_commodity[entry.commodity]:
            if other.list is not entry.list:
                graph.add((entry.iri, SKOS.closeMatch, other.iri))
        for key in entry.related:
            if key not in by_commodity:
                raise ValueError(f"{entry.list.file}: unknown related commodity {key!r}")
            for other in by_commodity[key]:
                graph.add((entry.iri, SKOS.relatedMatch, other.iri))
                graph.add((other.iri, SKOS.relatedMatch, entry.iri))


def build() -> Graph:
    """The three raw-material lists as an rdflib graph."""
    graph = Graph()
    members = group_members()
    entries: list[Entry] = []
    for raw_list in LISTS:
        _add_scheme(graph, raw_list)
        listed = read_entries(raw_list)
        for entry in listed:
            _add_entry(graph, entry, members)
        entries += listed
    flagged = [entry for entry in entries if entry.strategic is not None]
    if any(entry.list.name != "crm-2023" for entry in flagged) or len(flagged) != 34:
        raise ValueError("strategic must be set on every crm-2023 entry and on no other")
    _link(graph, entries)
    return graph
