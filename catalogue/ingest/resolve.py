"""From the words stewards type to ontology terms: materials, processes, codes and units.

A :class:`Vocabulary` reads every label, alternative label, notation and local name of
the terms the template may name with a few bulk queries
(``catalogue/queries/vocabulary/resolve_*.rq``) and keeps them in dictionaries, so a
lookup is a dictionary hit. ``Vocabulary.load()`` builds it once per process from the
merged ontology (:func:`catalogue.ontology.load_store`).

Matching is case- and accent-insensitive and tolerant of spacing, hyphens and
underscores (:func:`normalise`), so ``fly ash``, ``FLY-ASH``, ``FlyAsh`` and
``Fly_Ash`` are the same words, and ``Øseslagg`` is ``oseslagg``. When several terms
share a normalised label the best one is chosen by these rules, in order:

1. the text as typed, letter case included, over a case-insensitive match
   (``Co`` is cobalt, ``CO`` is carbon monoxide);
2. a label (``rdfs:label``, ``skos:prefLabel``, ``skos:notation``) over an
   alternative label over a local name;
3. English over untagged over other languages;
4. a material class over an element over a listed raw material (crm-2023 over
   srm-2023 over crm-2020) over an application.

Terms that are still tied are ambiguous and refused with the candidates named.

Every value that cannot be used raises :class:`~catalogue.errors.InputError` with an
English and a Norwegian message and the three closest known labels as suggestions.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Literal as TypingLiteral
from typing import cast

import pyoxigraph
from pyoxigraph import NamedNode

from catalogue import queries
from catalogue.errors import InputError
from catalogue.namespaces import BASE, CRM

MaterialKind = TypingLiteral["class", "element", "raw-material", "element-group", "application"]

CODE_SCHEMES: tuple[str, ...] = (
    "state",
    "status",
    "treatment",
    "confidentiality",
    "basis",
    "bound",
    "composition-basis",
    "accessibility",
    "deposit-status",
)
"""The code lists :meth:`Vocabulary.code` resolves, named as in ``catalogue.namespaces``."""

_SCHEME_NAMES = {f"{BASE}vocab/{name}/scheme": name for name in CODE_SCHEMES}
_SCHEME_WORDS: dict[str, tuple[str, str]] = {
    "state": ("state", "tilstand"),
    "status": ("status", "status"),
    "treatment": ("treatment", "behandling"),
    "confidentiality": ("confidentiality", "konfidensialitet"),
    "basis": ("basis", "grunnlag"),
    "bound": ("bound", "grense"),
    "composition-basis": ("composition basis", "grunnlag for sammensetningen"),
    "accessibility": ("accessibility", "tilgjengelighet"),
    "deposit-status": ("deposit status", "status for deponiet"),
}

_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
_SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
_SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"

_LABEL, _ALT_LABEL, _LOCAL_NAME = 0, 1, 2
"""Ranks of the kinds of names a term is matched by (lower is preferred)."""

_RAW_MATERIAL_LISTS = (str(CRM["crm-2023"]), str(CRM["srm-2023"]), str(CRM["crm-2020"]))
"""Lists of raw materials, preferred first: the current critical list, then the others."""

_KIND_RANK = {"class": 0, "element": 1, "raw-material": 2, "element-group": 6, "application": 7}
"""Kinds of material terms, preferred first; raw materials add their list's position."""

_MATERIAL_WORDS: dict[str, tuple[str, str]] = {
    "class": ("a material class", "en materialklasse"),
    "element": ("an element", "et grunnstoff"),
    "raw-material": ("a listed raw material", "et listet råmateriale"),
    "element-group": ("an element group", "en grunnstoffgruppe"),
    "application": ("an application", "en anvendelse"),
}
"""What each kind of material term is called in messages, with its article."""

_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2015]+")
"""Whitespace, hyphen-minus, underscore and the Unicode hyphens and dashes."""
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe"})


def normalise(text: str) -> str:
    """The form labels are compared in: no accents or case, one space between words.

    NFKD, combining marks dropped, case folded, ``ø``/``æ``/``å``/``ß`` spelt
    ``o``/``ae``/``a``/``ss``, and runs of whitespace, hyphens and underscores made
    one space.

    >>> normalise("  Øse-SLAGG_fra   Ålesund ")
    'ose slagg fra alesund'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = bare.casefold().translate(_FOLD)
    return _SEPARATORS.sub(" ", folded).strip()


def local_name(iri: str) -> str:
    """The part of ``iri`` after its last ``/`` or ``#``."""
    return re.split(r"[/#]", iri)[-1]


def _split_camel_case(name: str) -> str:
    """``FlyAsh`` -> ``Fly Ash``; ``BOFSlag`` -> ``BOF Slag``."""
    return _CAMEL.sub(" ", name)


def _language_rank(language: str | None) -> int:
    if language is not None and (language == "en" or language.startswith("en-")):
        return 0
    return 1 if not language else 2


@dataclass(frozen=True)
class ResolvedMaterial:
    """What a ``material`` cell names.

    ``kind`` is ``"class"`` (a material or energy class: type the stream's resource node
    with it), ``"element"`` (an ``ss:Element``), ``"raw-material"`` (an
    ``ss:ListedRawMaterial``; element groups resolve to the crm-2023 entry that covers
    them), ``"element-group"`` (an ``ss:ElementGroup`` that no list entry covers, such
    as ``REE``) or ``"application"`` (an ``ss:Application``). Only ``"class"`` occurs
    for a supply.
    """

    iri: NamedNode
    label: str
    kind: MaterialKind


@dataclass(frozen=True)
class ResolvedTerm:
    """A process, NACE concept or code-list value: its IRI, English label and notation."""

    iri: NamedNode
    label: str
    notation: str | None = None


@dataclass(frozen=True)
class ResolvedWasteCode:
    """A six-digit List-of-Waste entry.

    ``notation`` is the official form (``"10 01 04*"``); ``hazardous`` is
    ``ss:absoluteHazardous``. ``asterisk_mismatch`` is true when the text had a ``*``
    and the entry is not absolute hazardous, or the entry is and the text had none:
    the code is still the one meant, but the caller should warn.
    """

    iri: NamedNode
    notation: str
    hazardous: bool
    asterisk_mismatch: bool
    label: str


@dataclass(frozen=True)
class ResolvedUnit:
    """A template unit: ``value * factor_to_base`` is the value in the base unit.

    ``compatible_states`` holds state notations (``"solid"``, ``"heat"`` ...); it is empty
    for the composition units, which quantify no state.
    """

    iri: NamedNode
    notation: str
    base_unit_notation: str
    factor_to_base: Decimal
    compatible_states: frozenset[str]
    label: str


@dataclass(frozen=True)
class ResolvedElement:
    """A chemical element with its symbol and standard atomic weight (g/mol)."""

    iri: NamedNode
    symbol: str
    atomic_weight: Decimal
    label: str


@dataclass(frozen=True)
class _Hit:
    """One way a term is named: which term, of what kind, and how strong the name is."""

    iri: str
    kind: str
    name_rank: int
    language_rank: int
    text: str


@dataclass(frozen=True)
class _Candidate:
    iri: str
    kind: str
    rank: tuple[int, ...]


class _Index:
    """Normalised names -> hits, with a display label per name for suggestions."""

    def __init__(self) -> None:
        self.hits: dict[str, list[_Hit]] = defaultdict(list)
        self._display: dict[str, tuple[tuple[int, int], str]] = {}

    def add(self, key: str, hit: _Hit, display: str) -> None:
        if not key:
            return
        self.hits[key].append(hit)
        rank = (hit.name_rank, hit.language_rank)
        known = self._display.get(key)
        if known is None or rank < known[0]:
            self._display[key] = (rank, display)

    def get(self, text: str) -> list[_Hit]:
        return self.hits.get(normalise(text), [])

    def suggestions(self, text: str, count: int = 3) -> tuple[str, ...]:
        """The ``count`` known labels closest to ``text``, best first, without repeats."""
        matches = difflib.get_close_matches(normalise(text), self._display, n=count * 4, cutoff=0.6)
        labels: list[str] = []
        for key in matches:
            label = self._display[key][1]
            if label not in labels:
                labels.append(label)
        return tuple(labels[:count])


def _quoted(labels: Iterable[str]) -> str:
    return ", ".join(f"'{label}'" for label in labels)


def _unknown(
    what_en: str,
    what_nb: str,
    text: str,
    suggestions: tuple[str, ...],
    hint: tuple[str, str] = ("", ""),
) -> InputError:
    """An InputError for a value that names nothing known."""
    message_en = f"unknown {what_en} '{text}'"
    message_nb = f"ukjent {what_nb} '{text}'"
    if suggestions:
        message_en += f"; did you mean {_quoted(suggestions)}?"
        message_nb += f"; mente du {_quoted(suggestions)}?"
    if hint[0]:
        message_en += f" {hint[0]}"
        message_nb += f" {hint[1]}"
    return InputError(message_en, message_nb, value=text, suggestions=suggestions)


def _rows(store: pyoxigraph.Store, name: str) -> Iterator[pyoxigraph.QuerySolution]:
    solutions = store.query(queries.bind(queries.load(f"vocabulary/{name}")))
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    yield from solutions


def _text(term: object) -> str | None:
    """The lexical value of a bound literal or IRI, or None when unbound."""
    if term is None:
        return None
    value = getattr(term, "value", None)
    return None if value is None else str(value)


class Vocabulary:
    """The terms the template may name, indexed by their normalised names.

    Build it with :meth:`load` (the merged ontology, once per process) or
    :meth:`from_store`. Instances are read-only after construction.
    """

    def __init__(self) -> None:
        self._labels: dict[str, str] = {}
        self._materials = _Index()
        self._classes = _Index()
        self._processes = _Index()
        self._codes: dict[str, _Index] = {name: _Index() for name in CODE_SCHEMES}
        self._code_notations: dict[str, dict[str, str]] = {name: {} for name in CODE_SCHEMES}
        self._raw_material_rank: dict[str, int] = {}
        self._group_entry: dict[str, str] = {}
        self._elements: dict[str, ResolvedElement] = {}
        self._element_by_iri: dict[str, str] = {}
        self._element_names: dict[str, str] = {}
        self._weights: Mapping[str, Decimal] = MappingProxyType({})
        self._units: dict[str, ResolvedUnit] = {}
        self._unit_exact: dict[str, str] = {}
        self._unit_folded: dict[str, set[str]] = defaultdict(set)
        self._unit_index = _Index()
        self._waste_codes: dict[str, tuple[str, str, bool, str]] = {}
        self._nace: dict[str, tuple[str, str, str | None]] = {}
        self._code_terms: dict[tuple[str, str], ResolvedTerm] = {}
        """code_term's answers: a template repeats the same few codes on every row, and
        the fuzzy index lookup costs ~0.1 ms (the indexes are complete once built)."""

    # ------------------------------------------------------------------ building

    @classmethod
    def load(cls) -> Vocabulary:
        """The vocabulary of the merged ontology, built on first use and then shared."""
        return _default_vocabulary()

    @classmethod
    def from_store(cls, store: pyoxigraph.Store) -> Vocabulary:
        """A vocabulary of the ontology and vocabularies held in ``store``."""
        vocabulary = cls()
        vocabulary._read(store)
        return vocabulary

    def _read(self, store: pyoxigraph.Store) -> None:
        code_scheme: dict[str, str] = {}
        for row in _rows(store, "resolve_codes"):
            scheme = _SCHEME_NAMES.get(str(_text(row["scheme"])))
            if scheme is not None:
                code_scheme[str(_text(row["term"]))] = scheme

        for row in _rows(store, "resolve_raw_materials"):
            entry, scheme = str(_text(row["entry"])), str(_text(row["scheme"]))
            rank = (
                _RAW_MATERIAL_LISTS.index(scheme)
                if scheme in _RAW_MATERIAL_LISTS
                else len(_RAW_MATERIAL_LISTS)
            )
            self._raw_material_rank[entry] = min(rank, self._raw_material_rank.get(entry, rank))
            group = _text(row["group"])
            if group is not None:
                known = self._group_entry.get(group)
                if known is None or (rank, entry) < (self._raw_material_rank[known], known):
                    self._group_entry[group] = entry

        names: dict[str, list[tuple[str, str, str | None, str]]] = defaultdict(list)
        kinds: dict[str, set[str]] = defaultdict(set)
        for row in _rows(store, "resolve_labels"):
            term, kind = str(_text(row["term"])), str(_text(row["kind"]))
            label = row["label"]
            assert isinstance(label, pyoxigraph.Literal)
            names[term].append((str(_text(row["property"])), label.value, label.language, kind))
            kinds[term].add(kind)

        for term, labels in names.items():
            self._labels[term] = self._preferred_label(term, labels)

        self._read_elements(store, names)
        for term, labels in names.items():
            for kind in kinds[term]:
                self._index_term(term, kind, labels, code_scheme.get(term))
        self._read_units(store)
        self._read_waste_codes(store)
        self._read_nace(store)

    @staticmethod
    def _preferred_label(term: str, labels: list[tuple[str, str, str | None, str]]) -> str:
        """The English skos:prefLabel, else rdfs:label, else any name, else the local name."""
        order = {_SKOS_PREF_LABEL: 0, _RDFS_LABEL: 1, _SKOS_ALT_LABEL: 2, _SKOS_NOTATION: 3}
        ranked = sorted(
            (_language_rank(language), order.get(prop, 4), text)
            for prop, text, language, _kind in labels
        )
        return ranked[0][2] if ranked else local_name(term)

    def _index_term(
        self,
        term: str,
        kind: str,
        labels: list[tuple[str, str, str | None, str]],
        scheme: str | None,
    ) -> None:
        indexes: list[_Index]
        if kind == "class":
            indexes = [self._materials, self._classes]
        elif kind in ("element", "element-group", "raw-material", "application"):
            indexes = [self._materials]
        elif kind == "process":
            indexes = [self._processes]
        elif kind == "code" and scheme is not None:
            indexes = [self._codes[scheme]]
        elif kind == "unit":
            indexes = [self._unit_index]
        else:
            return
        preferred = self._labels[term]
        entries: list[tuple[str, _Hit, str]] = []
        for prop, text, language, label_kind in labels:
            if label_kind != kind:
                continue
            rank = _ALT_LABEL if prop == _SKOS_ALT_LABEL else _LABEL
            hit = _Hit(term, kind, rank, _language_rank(language), text)
            entries.append((normalise(text), hit, text))
            if scheme is not None and prop == _SKOS_NOTATION:
                self._code_notations[scheme][term] = text
        name = local_name(term)
        for spelling in dict.fromkeys((name, _split_camel_case(name))):
            hit = _Hit(term, kind, _LOCAL_NAME, 1, name)
            entries.append((normalise(spelling), hit, preferred))
        for key, hit, display in entries:
            for index in indexes:
                index.add(key, hit, display)

    def _read_elements(
        self, store: pyoxigraph.Store, names: Mapping[str, list[tuple[str, str, str | None, str]]]
    ) -> None:
        weights: dict[str, Decimal] = {}
        for row in _rows(store, "resolve_elements"):
            iri, symbol = str(_text(row["element"])), str(_text(row["symbol"]))
            weight = Decimal(str(_text(row["weight"])))
            label = self._labels.get(iri, symbol)
            self._elements[symbol] = ResolvedElement(NamedNode(iri), symbol, weight, label)
            self._element_by_iri[iri] = symbol
            weights[symbol] = weight
        self._weights = MappingProxyType(dict(sorted(weights.items())))
        for iri, symbol in self._element_by_iri.items():
            for _prop, text, _language, _kind in names.get(iri, []):
                if text != symbol:
                    self._element_names.setdefault(normalise(text), symbol)

    def _read_units(self, store: pyoxigraph.Store) -> None:
        rows: dict[str, tuple[str, str, Decimal]] = {}
        states: dict[str, set[str]] = defaultdict(set)
        for row in _rows(store, "resolve_units"):
            iri = str(_text(row["unit"]))
            rows[iri] = (
                str(_text(row["notation"])),
                str(_text(row["baseNotation"])),
                Decimal(str(_text(row["factor"]))),
            )
            state = _text(row["state"])
            if state is not None:
                states[iri].add(state)
        for iri, (notation, base, factor) in rows.items():
            self._units[notation] = ResolvedUnit(
                NamedNode(iri),
                notation,
                base,
                factor,
                frozenset(states[iri]),
                self._labels.get(iri, notation),
            )
            self._unit_exact[notation] = notation
        # Alternative spellings: exact first, then folded (case, accents, spaces).
        by_iri = {unit.iri.value: unit.notation for unit in self._units.values()}
        for hits in self._unit_index.hits.values():
            for hit in hits:
                notation = by_iri.get(hit.iri)
                if notation is None:
                    continue
                self._unit_exact.setdefault(hit.text.strip(), notation)
                self._unit_folded[_unit_key(hit.text)].add(notation)
        for notation in self._units:
            self._unit_folded[_unit_key(notation)].add(notation)

    def _read_waste_codes(self, store: pyoxigraph.Store) -> None:
        for row in _rows(store, "resolve_waste_codes"):
            notation = str(_text(row["notation"]))
            digits = re.sub(r"\D", "", notation)
            hazardous = _text(row["hazardous"]) in ("true", "1")
            label = _text(row["label"]) or notation
            self._waste_codes[digits] = (str(_text(row["code"])), notation, hazardous, label)

    def _read_nace(self, store: pyoxigraph.Store) -> None:
        for row in _rows(store, "resolve_nace"):
            notation = str(_text(row["notation"]))
            label = _text(row["label"]) or notation
            self._nace[notation] = (str(_text(row["concept"])), label, _text(row["broader"]))

    # ------------------------------------------------------------------ resolving

    def label(self, iri: NamedNode | str) -> str:
        """The preferred English label of a term this vocabulary knows (else its local name)."""
        value = iri.value if isinstance(iri, NamedNode) else iri
        return self._labels.get(value, local_name(value))

    def material(self, text: str, *, demand: bool) -> ResolvedMaterial:
        """The material class (supply) or material, element, raw material or application
        (demand) that ``text`` names by label, alternative label or local name.

        Raises InputError when nothing matches, when a supply names something that is not
        a material class, or when the best matches are different terms.
        """
        cleaned = text.strip()
        index = self._materials if demand else self._classes
        hits = index.get(cleaned)
        if not hits:
            if not demand:
                other = self._best(cleaned, self._materials.get(cleaned), quiet=True)
                if other is not None:
                    what_en, what_nb = _MATERIAL_WORDS[other.kind]
                    label = self.label(other.iri)
                    suggestions = self._classes.suggestions(cleaned)
                    raise InputError(
                        f"'{cleaned}' is {what_en} ({label}); the material "
                        "of a supply must be a material or energy class such as 'fly ash'",
                        f"'{cleaned}' er {what_nb} ({label}); materialet i et tilbud må være "
                        "en material- eller energiklasse, for eksempel 'flyveaske'",
                        value=text,
                        suggestions=suggestions,
                    )
            raise _unknown("material", "materiale", cleaned, index.suggestions(cleaned))
        best = self._best(cleaned, hits)
        assert best is not None
        kind = cast(MaterialKind, best.kind)
        return ResolvedMaterial(NamedNode(best.iri), self.label(best.iri), kind)

    def material_among(self, text: str, kinds: Collection[str]) -> ResolvedMaterial | None:
        """What ``text`` names among terms of the given kinds only, or None.

        ``material`` ranks classes first; an element search for "phosphate rock" means
        the raw-material list entry of that name, not the material class.
        """
        cleaned = text.strip()
        hits = [hit for hit in self._materials.get(cleaned) if hit.kind in kinds]
        best = self._best(cleaned, hits) if hits else None
        if best is None:
            return None
        return ResolvedMaterial(
            NamedNode(best.iri), self.label(best.iri), cast(MaterialKind, best.kind)
        )

    def _best(self, text: str, hits: list[_Hit], *, quiet: bool = False) -> _Candidate | None:
        """The one best candidate among ``hits`` by the module's ranking rules."""
        candidates: dict[str, _Candidate] = {}
        for hit in hits:
            iri, kind, kind_rank = hit.iri, hit.kind, _KIND_RANK.get(hit.kind, 9)
            if kind == "element-group" and hit.iri in self._group_entry:
                iri, kind = self._group_entry[hit.iri], "raw-material"
            if kind == "raw-material":
                kind_rank = _KIND_RANK["raw-material"] + self._raw_material_rank.get(iri, 3)
            case_rank = 0 if hit.text.strip() == text else 1
            rank = (case_rank, hit.name_rank, hit.language_rank, kind_rank)
            known = candidates.get(iri)
            if known is None or rank < known.rank:
                candidates[iri] = _Candidate(iri, kind, rank)
        if not candidates:
            return None
        ordered = sorted(candidates.values(), key=lambda candidate: (candidate.rank, candidate.iri))
        tied = [candidate for candidate in ordered if candidate.rank == ordered[0].rank]
        if len(tied) > 1 and not quiet:
            labels = tuple(
                dict.fromkeys(
                    f"{self.label(candidate.iri)} ({local_name(candidate.iri)})"
                    for candidate in tied
                )
            )
            raise InputError(
                f"'{text}' is ambiguous: it names {_quoted(labels)}; write the label of the "
                "one you mean",
                f"'{text}' er tvetydig: det kan bety {_quoted(labels)}; skriv navnet på den "
                "du mener",
                value=text,
                suggestions=tuple(self.label(candidate.iri) for candidate in tied),
            )
        return ordered[0]

    def process(self, text: str) -> ResolvedTerm:
        """The ``ss:Process`` that ``text`` names by label, alternative label or local name."""
        cleaned = text.strip()
        best = self._best(cleaned, self._processes.get(cleaned))
        if best is None:
            raise _unknown("process", "prosess", cleaned, self._processes.suggestions(cleaned))
        return ResolvedTerm(NamedNode(best.iri), self.label(best.iri))

    def nace(self, code: str) -> ResolvedTerm:
        """The NACE Rev. 2 concept of ``code``: ``24.10``, ``2410``, ``24.1``, ``24``, ``C``.

        A section letter may lead (``C 24.10``) if it is the code's section.
        """
        cleaned = code.strip()
        compact = re.sub(r"\s+", "", cleaned).upper().replace(",", ".")
        match = re.fullmatch(r"([A-U])?(\d{1,2}(?:\.\d{0,2})?|\d{3,4})?", compact)
        notation: str | None = None
        section: str | None = None
        if match is not None and (match[1] or match[2]):
            section, digits = match[1], match[2]
            if digits is None:
                notation = section
            elif "." in digits:
                division, _, rest = digits.partition(".")
                notation = division.zfill(2) + (f".{rest}" if rest else "")
            elif len(digits) <= 2:
                notation = digits.zfill(2)
            else:
                notation = f"{digits[:2]}.{digits[2:]}"
        known = self._nace.get(notation) if notation is not None else None
        if known is None:
            suggestions = tuple(
                difflib.get_close_matches(notation or compact, list(self._nace), n=3, cutoff=0.6)
            )
            raise _unknown("NACE code", "NACE-kode", cleaned, suggestions)
        iri, label, _ = known
        if section is not None and notation != section and self._nace_section(iri) != section:
            raise InputError(
                f"NACE code '{cleaned}': {notation} is not in section {section}",
                f"NACE-kode '{cleaned}': {notation} hører ikke til næringshovedområde {section}",
                value=code,
                suggestions=(notation,) if notation else (),
            )
        return ResolvedTerm(NamedNode(iri), label, notation)

    def _nace_section(self, iri: str) -> str | None:
        by_iri = {entry[0]: (notation, entry[2]) for notation, entry in self._nace.items()}
        current: str | None = iri
        for _ in range(5):
            if current is None or current not in by_iri:
                return None
            notation, broader = by_iri[current]
            if notation.isalpha():
                return notation
            current = broader
        return None

    def waste_code(self, text: str) -> ResolvedWasteCode:
        """The six-digit List-of-Waste entry of ``text``: ``10 01 02``, ``100102``,
        ``10 01 04*``, ``10-01-04``. See :class:`ResolvedWasteCode` for the asterisk check.
        """
        cleaned = text.strip()
        starred = "*" in cleaned
        digits = re.sub(r"[\s\-._*()]", "", cleaned)
        if not digits.isdigit():
            raise _unknown(
                "List-of-Waste code",
                "avfallskode",
                cleaned,
                (),
                hint=(
                    "(six digits such as '10 01 02' or '10 01 04*')",
                    "(seks sifre, for eksempel '10 01 02' eller '10 01 04*')",
                ),
            )
        if len(digits) in (2, 4):
            level_en, level_nb = (
                ("chapter", "kapittel")
                if len(digits) == 2
                else (
                    "sub-chapter",
                    "underkapittel",
                )
            )
            raise InputError(
                f"List-of-Waste code '{cleaned}' is a {level_en}; give the six-digit entry",
                f"avfallskoden '{cleaned}' er et {level_nb}; oppgi den sekssifrede koden",
                value=text,
                suggestions=self._waste_suggestions(digits),
            )
        known = self._waste_codes.get(digits)
        if known is None:
            raise _unknown(
                "List-of-Waste code", "avfallskode", cleaned, self._waste_suggestions(digits)
            )
        iri, notation, hazardous, label = known
        return ResolvedWasteCode(NamedNode(iri), notation, hazardous, starred != hazardous, label)

    def _waste_suggestions(self, digits: str) -> tuple[str, ...]:
        if len(digits) < 6:
            matches = sorted(code for code in self._waste_codes if code.startswith(digits))[:3]
        else:
            matches = difflib.get_close_matches(digits, list(self._waste_codes), n=3, cutoff=0.6)
        return tuple(self._waste_codes[code][1] for code in matches)

    def unit(self, symbol: str) -> ResolvedUnit:
        """The unit of ``symbol``: its notation (``t/a``), else an alternative spelling
        (``tpa``, ``wt%``, ``m³/a``), else either ignoring case, accents and spaces.
        """
        cleaned = symbol.strip()
        notation = self._unit_exact.get(cleaned)
        if notation is None:
            folded = self._unit_folded.get(_unit_key(cleaned), set())
            if len(folded) > 1:
                options = tuple(sorted(folded))
                raise InputError(
                    f"unit '{cleaned}' is ambiguous: write {_quoted(options)} with the exact case",
                    f"enheten '{cleaned}' er tvetydig: skriv {_quoted(options)} med riktige "
                    "store og små bokstaver",
                    value=symbol,
                    suggestions=options,
                )
            notation = next(iter(folded), None)
        if notation is None:
            suggestions = tuple(
                difflib.get_close_matches(cleaned, list(self._units), n=3, cutoff=0.5)
            ) or self._unit_index.suggestions(cleaned)
            raise _unknown("unit", "enhet", cleaned, suggestions)
        return self._units[notation]

    def units(self) -> Mapping[str, ResolvedUnit]:
        """Every unit by notation."""
        return MappingProxyType(self._units)

    def code(self, scheme: str, value: str) -> NamedNode:
        """The value of code list ``scheme`` (one of :data:`CODE_SCHEMES`) that ``value``
        names by notation, label, alternative label or local name.
        """
        if scheme not in self._codes:
            raise ValueError(f"unknown code list {scheme!r}; one of {CODE_SCHEMES}")
        return self.code_term(scheme, value).iri

    def code_term(self, scheme: str, value: str) -> ResolvedTerm:
        """Like :meth:`code`, with the English label and the notation."""
        if scheme not in self._codes:
            raise ValueError(f"unknown code list {scheme!r}; one of {CODE_SCHEMES}")
        cleaned = value.strip()
        known = self._code_terms.get((scheme, cleaned))
        if known is not None:
            return known
        index = self._codes[scheme]
        best = self._best(cleaned, index.get(cleaned))
        if best is None:
            allowed = sorted(self._code_notations[scheme].values())
            what_en, what_nb = _SCHEME_WORDS[scheme]
            error = _unknown(what_en, what_nb, cleaned, index.suggestions(cleaned))
            raise InputError(
                f"{error.message['en']} (allowed: {', '.join(allowed)})",
                f"{error.message['nb']} (tillatt: {', '.join(allowed)})",
                value=value,
                suggestions=error.suggestions,
            )
        notation = self._code_notations[scheme].get(best.iri)
        term = ResolvedTerm(NamedNode(best.iri), self.label(best.iri), notation)
        self._code_terms[(scheme, cleaned)] = term
        return term

    def code_notations(self, scheme: str) -> tuple[str, ...]:
        """The notations of code list ``scheme``, sorted."""
        return tuple(sorted(self._code_notations[scheme].values()))

    def element(self, symbol_or_name: str) -> ResolvedElement:
        """The element of a symbol (``V``, exact case first, then any case) or a name in
        any language the vocabulary carries (``vanadium``, ``jern``).
        """
        cleaned = symbol_or_name.strip()
        if cleaned in self._elements:
            return self._elements[cleaned]
        named = self.element_named(cleaned)
        if named is not None:
            return named
        for symbol, element in self._elements.items():
            if symbol.casefold() == cleaned.casefold():
                return element
        suggestions = tuple(
            difflib.get_close_matches(cleaned, list(self._elements), n=3, cutoff=0.5)
        ) or tuple(
            self._elements[self._element_names[key]].label
            for key in difflib.get_close_matches(
                normalise(cleaned), list(self._element_names), n=3, cutoff=0.6
            )
        )
        raise _unknown("element", "grunnstoff", cleaned, tuple(dict.fromkeys(suggestions)))

    def element_named(self, name: str) -> ResolvedElement | None:
        """The element whose name (any label but the symbol) is ``name``, or None."""
        symbol = self._element_names.get(normalise(name))
        return None if symbol is None else self._elements[symbol]

    def element_symbols(self) -> frozenset[str]:
        """Every element symbol, exact case (``{"H", "He", ...}``)."""
        return frozenset(self._elements)

    def atomic_weights(self) -> Mapping[str, Decimal]:
        """Standard atomic weights by symbol (read-only)."""
        return self._weights


def _unit_key(text: str) -> str:
    """Units compared without case, accents or any spaces (``T / A`` is ``t/a``)."""
    return normalise(text).replace(" ", "")


@cache
def _default_vocabulary() -> Vocabulary:
    from catalogue.ontology import load_store

    return Vocabulary.from_store(load_store())
