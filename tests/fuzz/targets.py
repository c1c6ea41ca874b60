"""The fuzz targets: one function per target, taking raw bytes, shared by the atheris
harnesses (``harness/<target>.py``), the corpus replay and the Hypothesis tests.

A target returns quietly when the code under test gave a valid result or a clear error
(a ``SidestreamError``, or a reported problem that names where). Anything else escapes:
atheris records it as a crash, pytest as a failure.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TypeVar

import pyoxigraph

from catalogue.config import DEFAULT_DATA_BASE
from catalogue.errors import InputError, SidestreamError
from catalogue.ingest.composition import parse_composition, parse_formula
from catalogue.ingest.rdf import read_rdf
from catalogue.ingest.resolve import Vocabulary
from catalogue.ingest.template import TemplateTable, read_template
from catalogue.ingest.to_rdf import (
    Mapped,
    decimal_literal,
    map_rdf_streams,
    map_template,
    parse_number,
    parse_year,
    parse_yes_no,
)
from catalogue.report import Problem
from catalogue.store.base import CatalogueStore

TARGETS = ("template", "quantities", "rdf", "match")
"""Each has ``harness/<name>.py``, ``corpus/<name>/`` and ``crashes/<name>/``."""

FUZZ = Path(__file__).parent
TEMPLATE_SUFFIXES = (".csv", ".xlsx")
RDF_SUFFIXES = (".ttl", ".nt", ".jsonld", ".rdf")
"""``.rdf`` (RDF/XML) is not read: it must be refused with a problem, not a traceback."""


def corpus(target: str) -> Path:
    return FUZZ / "corpus" / target


def crashes(target: str) -> Path:
    return FUZZ / "crashes" / target


def _choice(data: bytes, options: tuple[str, ...]) -> tuple[str, bytes]:
    """The first byte chooses among ``options``; the rest is the input proper."""
    if not data:
        return options[0], b""
    return options[data[0] % len(options)], data[1:]


def _text(data: bytes) -> str:
    # Cells and parameters arrive as decoded text; invalid UTF-8 is the readers' concern.
    return data.decode("utf-8", errors="replace")


def _check_problems(problems: list[Problem], file: str) -> None:
    for problem in problems:
        assert problem.file == file, f"problem without its file: {problem}"
        assert problem.message.get("en") and problem.message.get("nb"), problem
        assert problem.text(), problem


def _check_mapped(mapped: Mapped, file: str) -> None:
    _check_problems(mapped.problems, file)
    # The store must take every statement the mapper made, as the load will write them.
    pyoxigraph.Store().extend(mapped.quads)


@cache
def vocabulary() -> Vocabulary:
    return Vocabulary.load()


T = TypeVar("T")


def _in_file(data: bytes, suffix: str, read: Callable[[Path], T]) -> T:
    with tempfile.TemporaryDirectory(prefix="sidestream-fuzz-") as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        return read(path)


# --------------------------------------------------------------------------- targets


def template(data: bytes) -> None:
    """A CSV or XLSX template read, then mapped to RDF when it conforms."""
    suffix, content = _choice(data, TEMPLATE_SUFFIXES)
    table = _in_file(content, suffix, read_template)
    assert isinstance(table, TemplateTable)
    _check_problems(table.problems, f"fuzz{suffix}")
    if table.conforms:
        mapped = map_template(table, base=DEFAULT_DATA_BASE, vocabulary=vocabulary())
        _check_mapped(mapped, f"fuzz{suffix}")
        for problem in mapped.problems:
            assert problem.row is not None, f"a mapping problem without its row: {problem}"


PARSERS = ("supply", "demand", "formula", "number", "unit", "year", "yes-no")


def quantities(data: bytes) -> None:
    """One cell through one of the composition, formula, number and unit parsers."""
    parser, content = _choice(data, PARSERS)
    text = _text(content)
    try:
        if parser in ("supply", "demand"):
            for part in parse_composition(text, kind=parser, vocabulary=vocabulary()):
                for fraction in (part.value, part.minimum, part.maximum):
                    if fraction is not None:
                        assert Decimal(0) <= fraction <= Decimal(1), (part, fraction)
                        decimal_literal(fraction)
        elif parser == "formula":
            counts = parse_formula(text, vocabulary().element_symbols())
            assert counts and all(count > 0 for count in counts.values()), counts
        elif parser == "number":
            # What the mapper does with every number it reads.
            decimal_literal(parse_number(text))
        elif parser == "unit":
            assert vocabulary().unit(text).iri
        elif parser == "year":
            assert 0 <= parse_year(text) <= 9999
        else:
            parse_yes_no(text)
    except InputError as error:
        assert error.message["en"] and error.message["nb"], error


def rdf(data: bytes) -> None:
    """An RDF document read by its extension, then mapped when it parsed."""
    suffix, content = _choice(data, RDF_SUFFIXES)
    submission = _in_file(content, suffix, read_rdf)
    _check_problems(submission.problems, f"fuzz{suffix}")
    if suffix == ".rdf":
        assert submission.problems, "RDF/XML is not read and must say so"
    if not submission.problems:
        mapped = map_rdf_streams(submission.quads, file=f"fuzz{suffix}", base=DEFAULT_DATA_BASE)
        _check_mapped(mapped, f"fuzz{suffix}")


MATCHERS = ("element", "demand", "supply")


def match(data: bytes, store: CatalogueStore) -> None:
    """``match`` with one parameter and an optional ``top`` (the second byte, 0 for none)."""
    from catalogue.matching.crm import match_element
    from catalogue.matching.demand import match_demand
    from catalogue.matching.supply import match_supply

    matcher, rest = _choice(data, MATCHERS)
    top = rest[0] if rest and rest[0] else None
    text = _text(rest[1:])
    function = {"element": match_element, "demand": match_demand, "supply": match_supply}
    try:
        results = function[matcher](store, text, top=top)
    except SidestreamError as error:
        assert str(error), "an error that says nothing"
        return
    assert top is None or len(results) <= top
    json.dumps([result.to_dict() for result in results])
