"""The 118 chemical elements and the element groups of EU raw-material policy.

Writes ``ontology/vocab/elements.ttl``: one ``ss:Element`` individual per element
(``elem:Fe``) with English and Bokmål names, symbol, atomic number, standard atomic
weight and links to Wikidata and ChEBI, plus the groups ``elem:REE``, ``elem:LREE``,
``elem:HREE`` and ``elem:PGM`` with ``ss:memberOfGroup`` from each member.

Masses come from the ``periodictable`` package (CIAAW 2021 abridged standard atomic
weights); identifiers from ``ontology/sources/element-identifiers.csv``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal

import periodictable
from rdflib import DCTERMS, RDF, RDFS, SKOS, Graph, Literal, URIRef

from catalogue.namespaces import CHEBI, ELEM, SS, WD
from catalogue.resources import source_file
from catalogue.vocab import VocabularySpec

SPEC = VocabularySpec(
    title="Chemical elements and element groups (SKOS)",
    source=(
        "periodictable (PyPI, public domain; CIAAW 2021 standard atomic weights); "
        "ontology/sources/element-identifiers.csv (Wikidata, ChEBI); group membership per "
        "the European Commission's Study on the Critical Raw Materials for the EU 2023"
    ),
    licence=(
        "Wikidata identifiers CC0 1.0; ChEBI identifiers CC BY 4.0 (EMBL-EBI); "
        "periodictable data public domain; names, groups and definitions are sidestream's own"
    ),
    attribution="ChEBI, EMBL-EBI (https://www.ebi.ac.uk/chebi/), CC BY 4.0",
)

SCHEME = ELEM.scheme

IDENTIFIERS_FILE = "element-identifiers.csv"

# IUPAC spellings where periodictable uses the American ones.
_IUPAC_NAMES: dict[str, str] = {"Al": "aluminium", "Cs": "caesium"}

# Other English names and spellings people type.
_ALT_EN: dict[str, tuple[str, ...]] = {
    "Al": ("aluminum",),
    "Cs": ("cesium",),
    "S": ("sulphur",),
    "W": ("wolfram",),
}

# Norwegian Bokmål names, by atomic number order.
_NAMES_NB: dict[str, str] = {
    "H": "hydrogen", "He": "helium", "Li": "litium", "Be": "beryllium", "B": "bor",
    "C": "karbon", "N": "nitrogen", "O": "oksygen", "F": "fluor", "Ne": "neon",
    "Na": "natrium", "Mg": "magnesium", "Al": "aluminium", "Si": "silisium", "P": "fosfor",
    "S": "svovel", "Cl": "klor", "Ar": "argon", "K": "kalium", "Ca": "kalsium",
    "Sc": "scandium", "Ti": "titan", "V": "vanadium", "Cr": "krom", "Mn": "mangan",
    "Fe": "jern", "Co": "kobolt", "Ni": "nikkel", "Cu": "kobber", "Zn": "sink",
    "Ga": "gallium", "Ge": "germanium", "As": "arsen", "Se": "selen", "Br": "brom",
    "Kr": "krypton", "Rb": "rubidium", "Sr": "strontium", "Y": "yttrium", "Zr": "zirkonium",
    "Nb": "niob", "Mo": "molybden", "Tc": "technetium", "Ru": "ruthenium", "Rh": "rhodium",
    "Pd": "palladium", "Ag": "sølv", "Cd": "kadmium", "In": "indium", "Sn": "tinn",
    "Sb": "antimon", "Te": "tellur", "I": "jod", "Xe": "xenon", "Cs": "cesium",
    "Ba": "barium", "La": "lantan", "Ce": "cerium", "Pr": "praseodym", "Nd": "neodym",
    "Pm": "promethium", "Sm": "samarium", "Eu": "europium", "Gd": "gadolinium",
    "Tb": "terbium", "Dy": "dysprosium", "Ho": "holmium", "Er": "erbium", "Tm": "thulium",
    "Yb": "ytterbium", "Lu": "lutetium", "Hf": "hafnium", "Ta": "tantal", "W": "wolfram",
    "Re": "rhenium", "Os": "osmium", "Ir": "iridium", "Pt": "platina", "Au": "gull",
    "Hg": "kvikksølv", "Tl": "thallium", "Pb": "bly", "Bi": "vismut", "Po": "polonium",
    "At": "astat", "Rn": "radon", "Fr": "francium", "Ra": "radium", "Ac": "actinium",
    "Th": "thorium", "Pa": "protactinium", "U": "uran", "Np": "neptunium",
    "Pu": "plutonium", "Am": "americium", "Cm": "curium", "Bk": "berkelium",
    "Cf": "californium", "Es": "einsteinium", "Fm": "fermium", "Md": "mendelevium",
    "No": "nobelium", "Lr": "lawrencium", "Rf": "rutherfordium", "Db": "dubnium",
    "Sg": "seaborgium", "Bh": "bohrium", "Hs": "hassium", "Mt": "meitnerium",
    "Ds": "darmstadtium", "Rg": "røntgenium", "Cn": "copernicium", "Nh": "nihonium",
    "Fl": "flerovium", "Mc": "moscovium", "Lv": "livermorium", "Ts": "tenness",
    "Og": "oganesson",
}  # fmt: skip

# Older Norwegian names and spellings still in use.
_ALT_NB: dict[str, tuple[str, ...]] = {
    "H": ("vannstoff",),
    "C": ("kullstoff",),
    "N": ("kvelstoff",),
    "O": ("surstoff",),
    "Si": ("silicium",),
    "Sc": ("skandium",),
    "Bi": ("bismut",),
    "Pm": ("prometium",),
}

# IUPAC gives no standard atomic weight for these (no stable or long-lived isotope
# with a characteristic terrestrial composition): Tc, Pm, Po-Ac and Np-Og.
NO_STANDARD_WEIGHT: frozenset[int] = frozenset({43, 61, *range(84, 90), *range(93, 119)})


@dataclass(frozen=True)
class ElementGroup:
    """An element group: local name, labels, members and why."""

    name: str
    label_en: str
    label_nb: str
    alt_en: tuple[str, ...]
    alt_nb: tuple[str, ...]
    members: tuple[str, ...]
    definition: str
    broader: str | None = None
    comment: str | None = None


_EU_STUDY = (
    "European Commission, Study on the Critical Raw Materials for the EU 2023 - Final Report "
    "(Publications Office of the European Union, 2023)"
)

_LANTHANIDES = ("La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er",
                "Tm", "Yb", "Lu")  # fmt: skip

GROUPS: tuple[ElementGroup, ...] = (
    ElementGroup(
        name="REE",
        label_en="rare earth elements",
        label_nb="sjeldne jordartsmetaller",
        alt_en=("REE", "REEs", "rare earths", "rare earth metals"),
        alt_nb=("sjeldne jordarter", "sjeldne jordmetaller", "REE"),
        members=("Sc", "Y", *_LANTHANIDES),
        definition=(
            "The rare earth elements are the element group of scandium, yttrium and the "
            "fifteen lanthanides from lanthanum to lutetium."
        ),
    ),
    ElementGroup(
        name="LREE",
        label_en="light rare earth elements",
        label_nb="lette sjeldne jordartsmetaller",
        alt_en=("LREE", "light rare earths", "light REE"),
        alt_nb=("lette sjeldne jordarter", "LREE"),
        members=("Ce", "La", "Nd", "Pr", "Sm"),
        definition=(
            "The light rare earth elements are the rare earth elements cerium, lanthanum, "
            "neodymium, praseodymium and samarium, as grouped in the EU critical raw "
            "materials assessment of 2023."
        ),
        broader="REE",
        comment=(
            "Follows the EU 2023 study. Scandium is assessed on its own and promethium is "
            "not traded, so neither is a light or a heavy rare earth element here."
        ),
    ),
    ElementGroup(
        name="HREE",
        label_en="heavy rare earth elements",
        label_nb="tunge sjeldne jordartsmetaller",
        alt_en=("HREE", "heavy rare earths", "heavy REE"),
        alt_nb=("tunge sjeldne jordarter", "HREE"),
        members=("Dy", "Er", "Eu", "Gd", "Ho", "Lu", "Tb", "Tm", "Yb", "Y"),
        definition=(
            "The heavy rare earth elements are the rare earth elements dysprosium, erbium, "
            "europium, gadolinium, holmium, lutetium, terbium, thulium, ytterbium and "
            "yttrium, as grouped in the EU critical raw materials assessment of 2023."
        ),
        broader="REE",
        comment=(
            "Follows the EU 2023 study, which counts yttrium as heavy and lists scandium "
            "separately."
        ),
    ),
    ElementGroup(
        name="PGM",
        label_en="platinum group metals",
        label_nb="platinagruppemetaller",
        alt_en=("PGM", "PGMs", "platinum-group metals", "platinum group elements", "PGE"),
        alt_nb=("platinametaller", "platinagruppens metaller", "PGM"),
        members=("Ir", "Pd", "Pt", "Rh", "Ru"),
        definition=(
            "The platinum group metals are the element group of iridium, palladium, platinum, "
            "rhodium and ruthenium, as listed in the EU critical raw materials assessments."
        ),
        comment=(
            "Follows the EU definition, which leaves out osmium although chemistry counts it "
            "as the sixth platinum group metal; osmium is therefore not a member here."
        ),
    ),
)
"""The element groups, in the EU's membership; ``crm.py`` reads members from here."""


def group_members() -> dict[str, tuple[str, ...]]:
    """Symbols of the members of each group, by group local name."""
    return {group.name: group.members for group in GROUPS}


def read_identifiers() -> dict[str, tuple[str, str]]:
    """``{symbol: (wikidata QID, ChEBI number)}`` from the curated table; '' if unverified."""
    path = source_file(IDENTIFIERS_FILE)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {
            row["symbol"].strip(): (row["wikidata"].strip(), row["chebi"].strip()) for row in rows
        }


def _elements() -> list[periodictable.core.Element]:
    return [element for element in periodictable.elements if element.number > 0]


def _atomic_weight(element: periodictable.core.Element) -> Decimal:
    mass = float(element.mass)
    if element.number in NO_STANDARD_WEIGHT:
        if not mass.is_integer():
            raise ValueError(f"{element.symbol}: expected a mass number, got {mass}")
        return Decimal(f"{int(mass)}.0")
    return Decimal(str(mass))


def _name_en(element: periodictable.core.Element) -> str:
    return _IUPAC_NAMES.get(element.symbol, element.name)


def _add_labels(
    graph: Graph, subject: URIRef, label_en: str, label_nb: str, alt: list[Literal]
) -> None:
    for text, lang in ((label_en, "en"), (label_nb, "nb")):
        graph.add((subject, SKOS.prefLabel, Literal(text, lang=lang)))
        graph.add((subject, RDFS.label, Literal(text, lang=lang)))
    for literal in alt:
        graph.add((subject, SKOS.altLabel, literal))


def _add_element(graph: Graph, element: periodictable.core.Element, ids: tuple[str, str]) -> None:
    symbol = element.symbol
    name = _name_en(element)
    subject = ELEM[symbol]
    graph.add((subject, RDF.type, SS.Element))
    graph.add((subject, RDF.type, SKOS.Concept))
    graph.add((subject, SKOS.inScheme, SCHEME))
    graph.add((subject, SKOS.topConceptOf, SCHEME))
    graph.add((SCHEME, SKOS.hasTopConcept, subject))
    alt = [Literal(text, lang="en") for text in _ALT_EN.get(symbol, ())]
    alt += [Literal(text, lang="nb") for text in _ALT_NB.get(symbol, ())]
    alt.append(Literal(symbol))
    _add_labels(graph, subject, name, _NAMES_NB[symbol], alt)
    graph.add((subject, SKOS.notation, Literal(symbol)))
    graph.add((subject, SS.symbol, Literal(symbol)))
    graph.add((subject, SS.atomicNumber, Literal(element.number)))
    weight = _atomic_weight(element)
    graph.add((subject, SS.standardAtomicWeight, Literal(weight)))
    graph.add(
        (
            subject,
            SKOS.definition,
            Literal(
                f"{name.capitalize()} is the chemical element with symbol {symbol} "
                f"and atomic number {element.number}.",
                lang="en",
            ),
        )
    )
    if element.number in NO_STANDARD_WEIGHT:
        graph.add(
            (
                subject,
                RDFS.comment,
                Literal(
                    f"{name.capitalize()} has no standard atomic weight; ss:standardAtomicWeight "
                    f"gives {int(weight)}, the mass number of its most stable isotope as the "
                    "periodictable package lists it.",
                    lang="en",
                ),
            )
        )
    wikidata, chebi = ids
    if wikidata:
        graph.add((subject, SKOS.exactMatch, WD[wikidata]))
    if chebi:
        graph.add((subject, SKOS.exactMatch, CHEBI[chebi]))


def _add_group(graph: Graph, group: ElementGroup) -> None:
    subject = ELEM[group.name]
    graph.add((subject, RDF.type, SS.ElementGroup))
    graph.add((subject, RDF.type, SKOS.Concept))
    graph.add((subject, SKOS.inScheme, SCHEME))
    alt = [Literal(text, lang="en") for text in group.alt_en]
    alt += [Literal(text, lang="nb") for text in group.alt_nb]
    _add_labels(graph, subject, group.label_en, group.label_nb, alt)
    graph.add((subject, SKOS.definition, Literal(group.definition, lang="en")))
    graph.add((subject, DCTERMS.source, Literal(_EU_STUDY, lang="en")))
    if group.comment:
        graph.add((subject, RDFS.comment, Literal(group.comment, lang="en")))
    if group.broader:
        graph.add((subject, SKOS.broader, ELEM[group.broader]))
        graph.add((ELEM[group.broader], SKOS.narrower, subject))
    else:
        graph.add((subject, SKOS.topConceptOf, SCHEME))
        graph.add((SCHEME, SKOS.hasTopConcept, subject))
    for symbol in group.members:
        graph.add((ELEM[symbol], SS.memberOfGroup, subject))


def build() -> Graph:
    """The element vocabulary as an rdflib graph."""
    graph = Graph()
    graph.add((SCHEME, RDF.type, SKOS.ConceptScheme))
    _add_labels(graph, SCHEME, "chemical elements", "grunnstoffer", [])
    graph.add(
        (
            SCHEME,
            SKOS.definition,
            Literal(
                "The chemical elements and the element groups used in EU raw-material policy, "
                "as concepts that streams, demands and listed raw materials point at.",
                lang="en",
            ),
        )
    )
    graph.add((SCHEME, DCTERMS.source, Literal(SPEC.source, lang="en")))
    ids = read_identifiers()
    elements = _elements()
    missing = {element.symbol for element in elements} - set(ids)
    if missing:
        raise ValueError(f"{IDENTIFIERS_FILE} lacks rows for {sorted(missing)}")
    for element in elements:
        _add_element(graph, element, ids[element.symbol])
    for group in GROUPS:
        _add_group(graph, group)
    return graph
