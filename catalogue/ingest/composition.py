"""The template's ``composition`` cell: element and formula mass fractions and bounds.

A cell is ``;``-separated parts ``SUBJECT=VALUE UNIT`` (``docs/data-model.md``):

* ``SUBJECT`` is an element symbol (``V``, exact case), an element name in any
  language the vocabulary carries (``vanadium``, ``jern``) or a chemical formula
  (``V2O5``, ``Ca3(PO4)2``, ``CaSO4·2H2O``);
* ``VALUE`` is a number (``1.5``, decimal comma ``1,5`` too), a range ``0.5-1.2``
  (hyphen or en dash) or a bound ``<2``, ``<=2``, ``≤2``, ``>5``, ``>=5``, ``≥5``;
  a bound may also replace the ``=`` (``P>=5 %``, ``Cd<=2 mg/kg``);
* ``UNIT`` is a mass-fraction unit of the vocabulary: ``%`` (÷ 100), ``ppm``,
  ``mg/kg`` or ``g/t`` (times 10⁻⁶), or one of their alternative spellings (``wt%``).

Values become mass fractions (``Decimal`` in [0, 1]). ``<`` and ``<=`` both give an
at-most bound, ``>`` and ``>=`` an at-least bound. A demand's parts are requirements, so
they must be bounds or ranges, not single values.

Formulas are converted to element mass fractions with atomic weights by
:func:`derived_parts`. Every value that cannot be used raises
:class:`~catalogue.errors.InputError` (English and Norwegian) naming the part.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Literal

from catalogue.errors import InputError
from catalogue.ingest.resolve import Vocabulary

Bound = Literal["exact", "range", "at-least", "at-most"]
"""How a part bounds its mass fraction; the notations of the ``bound:`` code list."""

FRACTION_BASE_UNIT = "kg/kg"
"""The base unit of the composition units in the vocabulary (``ss:baseUnit``)."""


@dataclass(frozen=True)
class Part:
    """One part of a composition cell, or an element part derived from a formula part.

    ``index`` is the 1-based position of the part among the cell's non-empty parts (a
    derived part keeps the index of the formula part it comes from, which is also its
    ``derived_from``). ``text`` is the part as written; ``subject`` the element or formula
    as written. Exactly one of ``element`` (a symbol, ``"V"``) and ``formula``
    (``"V2O5"``, whitespace removed) is set.

    The fractions are ``Decimal`` in [0, 1]: ``value`` for ``bound == "exact"``,
    ``minimum`` and ``maximum`` for ``"range"``, ``minimum`` for ``"at-least"``,
    ``maximum`` for ``"at-most"``; the others are None. ``unit`` is the notation of the
    unit the steward used (``"%"``).
    """

    index: int
    text: str
    subject: str
    element: str | None
    formula: str | None
    value: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    bound: Bound
    unit: str = ""
    derived_from: int | None = None


_UNIT_ORDER = ("%", "ppm", "mg/kg", "g/t")
"""The order composition units are listed in messages."""
_RELATION = re.compile(r"(=(?=\s*[<>≤≥])|<=|>=|=<|=>|==|=|<|>|≤|≥)")
"""Between subject and value; ``=`` before a bound (``V=<=2``) leaves the bound to the value."""
_AT_MOST = frozenset({"<", "<=", "=<", "≤"})
_AT_LEAST = frozenset({">", ">=", "=>", "≥"})
_NUMBER = r"[-\u2212+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)"
"""A number as written: sign (hyphen or minus sign), decimal point or comma."""
_VALUE = re.compile(
    rf"(?P<op><=|>=|=<|=>|<|>|≤|≥)?\s*(?P<low>{_NUMBER})"
    rf"(?:\s*[-\u2013\u2014]\s*(?P<high>{_NUMBER}))?\s*(?P<unit>.*?)"
)
_NAME = re.compile(r"[^\W\d_]+(?:[\s\-][^\W\d_]+)*")
_HYDRATE_DOTS = "\u00b7\u2022\u2219\u22c5*"
"""Middle dot, bullet, bullet operator, dot operator and asterisk: hydrate separators."""
_HYDRATE_SPLIT = re.compile(
    rf"[{re.escape(_HYDRATE_DOTS)}]"
    r"|\.(?!\d)"  # a dot before a letter or bracket: CaSO4.H2O
    r"|(?<!\d)\."  # a dot after a letter or bracket
    r"|(?<=\d)\.(?=\d+\(?H2O)"  # CaSO4.2H2O, but not Fe0.95O
)
_OXIDATION_STATE = re.compile(r"\((?:I{1,3}|IV|VI{0,3}|IX)\)")
_TOKEN = re.compile(r"[A-Z][a-z]*|\d+(?:\.\d+)?|[()\[\]]|.", re.DOTALL)
_CLOSING = {"(": ")", "[": "]"}
_COUNT = re.compile(r"\d+(?:\.\d+)?")
"""A count token; ``str.isdigit`` would also take superscripts (``O³``) Decimal cannot read."""


def _part_error(
    index: int, text: str, message_en: str, message_nb: str, suggestions: tuple[str, ...] = ()
) -> InputError:
    return InputError(
        f"composition part {index} '{text}': {message_en}",
        f"sammensetning, del {index} '{text}': {message_nb}",
        value=text,
        suggestions=suggestions,
    )


def parse_composition(text: str, *, kind: str, vocabulary: Vocabulary | None = None) -> list[Part]:
    """The parts of a composition cell, in the order written.

    ``kind`` is ``"supply"`` or ``"demand"``. ``vocabulary`` supplies element symbols,
    names and the units (default :meth:`Vocabulary.load`). Raises InputError on the first
    part that cannot be used; an empty cell gives ``[]``.
    """
    if kind not in ("supply", "demand"):
        raise ValueError(f"kind must be 'supply' or 'demand', not {kind!r}")
    vocabulary = vocabulary or Vocabulary.load()
    parts: list[Part] = []
    seen: dict[str, int] = {}
    for piece in text.split(";"):
        written = piece.strip()
        if not written:
            continue
        part = _parse_part(len(parts) + 1, written, kind=kind, vocabulary=vocabulary)
        key = part.element or part.formula or ""
        if kind == "supply" and key in seen:
            raise _part_error(
                part.index,
                written,
                f"{key} is already given in part {seen[key]}; give each element or formula once",
                f"{key} er allerede oppgitt i del {seen[key]}; oppgi hvert grunnstoff eller "
                "hver formel én gang",
            )
        seen.setdefault(key, part.index)
        parts.append(part)
    return parts


def _parse_part(index: int, text: str, *, kind: str, vocabulary: Vocabulary) -> Part:
    """One non-empty part ``SUBJECT=VALUE UNIT`` (or ``SUBJECT<=VALUE UNIT``)."""
    relation_match = _RELATION.search(text)
    if relation_match is None:
        raise _part_error(
            index,
            text,
            "write SUBJECT=VALUE UNIT, for example 'V2O5=1.5 %' or 'Cd<2 mg/kg'",
            "skriv STOFF=VERDI ENHET, for eksempel 'V2O5=1.5 %' eller 'Cd<2 mg/kg'",
        )
    subject = text[: relation_match.start()].strip()
    relation = relation_match[1]
    rest = text[relation_match.end() :].strip()
    if not subject:
        raise _part_error(
            index,
            text,
            "no element or formula before the value; write for example 'V2O5=1.5 %'",
            "mangler grunnstoff eller formel foran verdien; skriv for eksempel 'V2O5=1.5 %'",
        )
    element, formula = _subject(index, text, subject, vocabulary)

    value_match = _VALUE.fullmatch(rest)
    if value_match is None or (relation not in ("=", "==") and value_match["op"]):
        token = rest.split()[0] if rest.split() else rest
        raise _part_error(
            index,
            text,
            f"'{token}' is not a number; write for example '1.5 %', '0.5-1.2 %' or '<2 mg/kg'",
            f"'{token}' er ikke et tall; skriv for eksempel '1.5 %', '0.5-1.2 %' eller '<2 mg/kg'",
        )
    operator = relation if relation not in ("=", "==") else value_match["op"]
    if operator and value_match["high"]:
        raise _part_error(
            index,
            text,
            "a range cannot also be a bound; write '0.5-1.2 %' or '>=0.5 %'",
            "et intervall kan ikke samtidig være en grense; skriv '0.5-1.2 %' eller '>=0.5 %'",
        )
    unit_text = value_match["unit"]
    if not unit_text:
        raise _part_error(
            index,
            text,
            "the value has no unit; add %, ppm, mg/kg or g/t",
            "verdien mangler enhet; legg til %, ppm, mg/kg eller g/t",
        )
    unit_notation, factor = _fraction_unit(index, text, unit_text, vocabulary)
    low = _fraction(index, text, value_match["low"], factor, unit_notation)
    high = _fraction(index, text, value_match["high"], factor, unit_notation)

    fields: dict[str, Decimal | None] = {"value": None, "minimum": None, "maximum": None}
    bound: Bound
    if high is not None:
        if low > high:
            raise _part_error(
                index,
                text,
                "the range starts above its end; write the smaller value first",
                "intervallet starter over slutten; skriv den minste verdien først",
            )
        bound, fields["minimum"], fields["maximum"] = "range", low, high
    elif operator in _AT_MOST:
        bound, fields["maximum"] = "at-most", low
    elif operator in _AT_LEAST:
        bound, fields["minimum"] = "at-least", low
    else:
        bound, fields["value"] = "exact", low
    if kind == "demand" and bound == "exact":
        raise _part_error(
            index,
            text,
            f"a demand states requirements: write a bound such as '{subject}>={rest}' or "
            f"'{subject}<={rest}', or a range",
            f"et behov oppgir krav: skriv en grense som '{subject}>={rest}' eller "
            f"'{subject}<={rest}', eller et intervall",
        )
    return Part(
        index=index,
        text=text,
        subject=subject,
        element=element,
        formula=formula,
        bound=bound,
        unit=unit_notation,
        **fields,
    )


def _subject(
    index: int, text: str, subject: str, vocabulary: Vocabulary
) -> tuple[str | None, str | None]:
    """(element symbol, None) or (None, formula) for what a part is about."""
    symbols = vocabulary.element_symbols()
    if subject in symbols:
        return subject, None
    if _NAME.fullmatch(subject):
        named = vocabulary.element_named(subject)
        if named is not None:
            return named.symbol, None
    try:
        parse_formula(subject, symbols)
    except InputError as error:
        if subject[:1].islower() or " " in subject.strip():
            suggestions = ()
            try:
                vocabulary.element(subject)
            except InputError as name_error:
                suggestions = name_error.suggestions
            raise _part_error(
                index,
                text,
                f"'{subject}' is not an element symbol, element name or chemical formula",
                f"'{subject}' er ikke et grunnstoffsymbol, grunnstoffnavn eller en kjemisk formel",
                suggestions,
            ) from error
        raise _part_error(
            index, text, error.message["en"], error.message["nb"], error.suggestions
        ) from error
    return None, re.sub(r"\s+", "", subject)


def _fraction_unit(
    index: int, text: str, unit_text: str, vocabulary: Vocabulary
) -> tuple[str, Decimal]:
    """The notation and factor to kg/kg of a mass-fraction unit."""
    allowed = sorted(
        (
            unit.notation
            for unit in vocabulary.units().values()
            if unit.base_unit_notation == FRACTION_BASE_UNIT and unit.notation != FRACTION_BASE_UNIT
        ),
        key=lambda notation: (
            _UNIT_ORDER.index(notation) if notation in _UNIT_ORDER else len(_UNIT_ORDER),
            notation,
        ),
    )
    try:
        unit = vocabulary.unit(unit_text)
    except InputError as error:
        raise _part_error(
            index,
            text,
            f"unknown unit '{unit_text}'; use {', '.join(allowed)}",
            f"ukjent enhet '{unit_text}'; bruk {', '.join(allowed)}",
            tuple(suggestion for suggestion in error.suggestions if suggestion in allowed)
            or tuple(allowed),
        ) from error
    if unit.notation not in allowed:
        raise _part_error(
            index,
            text,
            f"'{unit_text}' is not a unit of mass fraction; use {', '.join(allowed)}",
            f"'{unit_text}' er ikke en enhet for masseandel; bruk {', '.join(allowed)}",
            tuple(allowed),
        )
    return unit.notation, unit.factor_to_base


def _fraction(
    index: int, text: str, number: str | None, factor: Decimal, unit: str
) -> Decimal | None:
    """``number`` (as written) times ``factor``, checked to lie in [0, 1]."""
    if number is None:
        return None
    written = number.replace(",", ".").replace("\u2212", "-")
    try:
        amount = Decimal(written)
    except InvalidOperation as error:  # the pattern only lets numbers through
        raise _part_error(
            index, text, f"'{number}' is not a number", f"'{number}' er ikke et tall"
        ) from error
    if amount < 0:
        raise _part_error(
            index,
            text,
            f"{number} {unit} is negative; a mass fraction is 0 or more",
            f"{number} {unit} er negativ; en masseandel er 0 eller mer",
        )
    fraction = amount * factor
    if fraction > 1:
        raise _part_error(
            index,
            text,
            f"{number} {unit} is more than the whole (100 %)",
            f"{number} {unit} er mer enn helheten (100 %)",
        )
    return fraction


def parse_formula(text: str, symbols: Collection[str] | None = None) -> dict[str, Decimal]:
    """Element symbol -> number of atoms in the chemical formula ``text``.

    Supports nested brackets ``Ca3(PO4)2``, ``K4[Fe(CN)6]``, integer and decimal
    subscripts ``Fe0.95O``, leading coefficients ``3CaO·Al2O3`` and hydrates written
    with ``·``, ``*`` or ``.`` (``CaSO4·2H2O``, ``CaSO4.2H2O``). Symbols must be in
    ``symbols`` (default: the vocabulary's elements); charges and oxidation states are
    refused. Symbols come in order of first appearance.

    >>> parse_formula("CaSO4·2H2O", {"Ca", "S", "O", "H"})
    {'Ca': Decimal('1'), 'S': Decimal('1'), 'O': Decimal('6'), 'H': Decimal('4')}
    """
    known = frozenset(symbols) if symbols is not None else Vocabulary.load().element_symbols()
    compact = re.sub(r"\s+", "", text)
    if not compact:
        raise InputError("the formula is empty", "formelen er tom", value=text, suggestions=())
    if re.search(r"[+\-\u2212^]", compact) or _OXIDATION_STATE.search(compact):
        raise InputError(
            f"'{text}' carries a charge or oxidation state; write the neutral compound "
            "(for example Fe2O3, not Fe3+)",
            f"'{text}' har ladning eller oksidasjonstrinn; skriv den nøytrale forbindelsen "
            "(for eksempel Fe2O3, ikke Fe3+)",
            value=text,
        )
    counts: dict[str, Decimal] = {}
    for component in _HYDRATE_SPLIT.split(compact):
        if not component:
            raise _formula_error(text, "has an empty part around '·'", "har en tom del ved '·'")
        coefficient = Decimal(1)
        leading = re.match(r"\d+(?:\.\d+)?", component)
        if leading is not None:
            coefficient = Decimal(leading.group())
            component = component[leading.end() :]
            if not component:
                raise _formula_error(
                    text, "has a number with no elements", "har et tall uten grunnstoffer"
                )
            if coefficient <= 0:
                raise _formula_error(text, "has a zero count", "har et antall på null")
        tokens = _TOKEN.findall(component)
        group, position = _parse_group(text, tokens, 0, None, known)
        if position != len(tokens):
            raise _formula_error(
                text,
                f"has an unmatched '{tokens[position]}'",
                f"har en '{tokens[position]}' uten partner",
            )
        for symbol, count in group.items():
            counts[symbol] = counts.get(symbol, Decimal(0)) + count * coefficient
    if any(count <= 0 for count in counts.values()):
        raise _formula_error(text, "has a zero count", "har et antall på null")
    return counts


def _formula_error(
    text: str, problem_en: str, problem_nb: str, suggestions: tuple[str, ...] = ()
) -> InputError:
    return InputError(
        f"'{text}' is not a chemical formula: it {problem_en}",
        f"'{text}' er ikke en kjemisk formel: den {problem_nb}",
        value=text,
        suggestions=suggestions,
    )


def _parse_group(
    text: str,
    tokens: list[str],
    position: int,
    closing: str | None,
    symbols: frozenset[str],
) -> tuple[dict[str, Decimal], int]:
    """Counts of the tokens from ``position`` up to ``closing`` (or the end)."""
    counts: dict[str, Decimal] = {}
    while position < len(tokens):
        token = tokens[position]
        if token in (")", "]"):
            if token != closing:
                raise _formula_error(
                    text, f"has an unmatched '{token}'", f"har en '{token}' uten partner"
                )
            return counts, position
        if token in _CLOSING:
            inner, position = _parse_group(text, tokens, position + 1, _CLOSING[token], symbols)
            if position >= len(tokens):
                raise _formula_error(
                    text, f"has an unclosed '{token}'", f"har en '{token}' som ikke lukkes"
                )
            if not inner:
                # "()" has no atoms: the atomic weights could not split a fraction over it.
                pair = token + _CLOSING[token]
                raise _formula_error(text, f"has an empty '{pair}'", f"har en tom '{pair}'")
            position += 1  # the closing bracket
        elif token[:1].isupper():
            if token not in symbols:
                raise _unknown_symbol(text, token, symbols)
            inner = {token: Decimal(1)}
            position += 1
        elif _COUNT.fullmatch(token):
            raise _formula_error(
                text,
                f"has the number {token} where an element or bracket should be",
                f"har tallet {token} der et grunnstoff eller en parentes skulle stått",
            )
        else:
            raise _formula_error(
                text,
                f"has '{token}', which is neither an element symbol (capital first), "
                "a number nor a bracket",
                f"har '{token}', som verken er et grunnstoffsymbol (stor forbokstav), "
                "et tall eller en parentes",
                _recased(text, symbols),
            )
        multiplier = Decimal(1)
        if position < len(tokens) and _COUNT.fullmatch(tokens[position]):
            multiplier = Decimal(tokens[position])
            position += 1
        for symbol, count in inner.items():
            counts[symbol] = counts.get(symbol, Decimal(0)) + count * multiplier
    return counts, position


def _unknown_symbol(text: str, token: str, symbols: frozenset[str]) -> InputError:
    """No element has the symbol ``token``: suggest the formula with close symbols."""
    close = difflib.get_close_matches(token, sorted(symbols), n=3, cutoff=0.5)
    if token[:1] in symbols and token[1:2]:
        close = [token[:1], *close]  # Xy may be X followed by a lower-case typo
    replaced = (re.sub(r"\s+", "", text).replace(token, symbol, 1) for symbol in close)
    suggestions = tuple(dict.fromkeys([*_recased(text, symbols), *replaced]))
    return _formula_error(
        text,
        f"names '{token}', which is no element symbol",
        f"inneholder '{token}', som ikke er et grunnstoffsymbol",
        suggestions[:3],
    )


def _recased(text: str, symbols: frozenset[str], limit: int = 3) -> tuple[str, ...]:
    """``text`` with its letters re-cased into element symbols (``cao`` -> ``CaO``)."""
    pieces = re.split(r"([A-Za-z]+)", re.sub(r"\s+", "", text))
    options: list[list[str]] = []
    for number, piece in enumerate(pieces):
        if number % 2 == 0:
            options.append([piece])
            continue
        spellings = _spellings(piece.lower(), symbols, limit)
        if not spellings:
            return ()
        options.append(spellings)
    results = ("".join(choice) for choice in itertools.product(*options))
    return tuple(result for result in itertools.islice(results, limit + 1) if result != text)[
        :limit
    ]


MAX_RECASED_LETTERS = 60
"""Longer runs of letters are no mistyped formula; cutting them would only take time."""


def _spellings(word: str, symbols: frozenset[str], limit: int) -> list[str]:
    """Up to ``limit`` ways to cut the lower-case ``word`` into element symbols.

    Positions from which no cut reaches the end are remembered: without that, a long
    run such as ``cacasocc...`` that fails near its end took exponential time.
    """
    if len(word) > MAX_RECASED_LETTERS:
        return []
    found: list[str] = []
    dead: set[int] = set()

    def walk(start: int, spelt: str) -> bool:
        if start == len(word):
            found.append(spelt)
            return True
        if start in dead:
            return False
        reached = False
        for size in (2, 1):
            symbol = word[start : start + size].capitalize()
            if start + size <= len(word) and symbol in symbols:
                reached = walk(start + size, spelt + symbol) or reached
                if len(found) >= limit:
                    return True
        if not reached:
            dead.add(start)
        return reached

    walk(0, "")
    return found


def element_fractions(
    formula_counts: Mapping[str, Decimal], atomic_weights: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Each element's share of the formula's mass (the shares add up to 1).

    >>> shares = element_fractions({"Ca": Decimal(1), "O": Decimal(1)},
    ...                            {"Ca": Decimal("40.078"), "O": Decimal("15.999")})
    >>> round(shares["Ca"], 4)
    Decimal('0.7147')
    """
    masses: dict[str, Decimal] = {}
    for symbol, count in formula_counts.items():
        if symbol not in atomic_weights:
            raise ValueError(f"no atomic weight for {symbol!r}")
        masses[symbol] = count * atomic_weights[symbol]
    total = sum(masses.values(), Decimal(0))
    if total <= 0:
        raise ValueError("a formula needs at least one atom")
    return {symbol: mass / total for symbol, mass in masses.items()}


def derived_parts(part: Part, atomic_weights: Mapping[str, Decimal]) -> list[Part]:
    """The element parts implied by a formula part, with the same bound scaled by each
    element's mass share (``V2O5=1.5 %`` gives V with 0.015 times 0.5602 and O with the rest).

    Element parts imply nothing else (``[]``). A derived part has ``element`` set,
    ``formula`` None, and ``derived_from`` (and ``index``) equal to ``part.index``.
    """
    if part.formula is None:
        return []
    counts = parse_formula(part.formula, atomic_weights.keys())
    shares = element_fractions(counts, atomic_weights)

    def scaled(fraction: Decimal | None, share: Decimal) -> Decimal | None:
        return None if fraction is None else fraction * share

    return [
        replace(
            part,
            subject=symbol,
            element=symbol,
            formula=None,
            value=scaled(part.value, share),
            minimum=scaled(part.minimum, share),
            maximum=scaled(part.maximum, share),
            derived_from=part.index,
        )
        for symbol, share in shares.items()
    ]
