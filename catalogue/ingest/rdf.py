"""Reading RDF submissions: Turtle, N-Triples and JSON-LD, all UTF-8, nothing fetched.

JSON-LD documents may use the context shipped with sidestream, inline or by its IRI
(``https://w3id.org/sidestream/context.jsonld``); any other remote context is
refused rather than fetched, so loading never touches the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import Quad, RdfFormat

from catalogue.report import Problem, Severity

CONTEXT_IRI = "https://w3id.org/sidestream/context.jsonld"

FORMATS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
}


@dataclass
class RdfSubmission:
    """The triples of one RDF file (in the default graph), or the problems that stop it."""

    path: Path
    quads: list[Quad] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@cache
def shipped_context() -> dict[str, Any]:
    """The ``@context`` object of ``catalogue/jsonld/context.jsonld``."""
    text = resources.files("catalogue.jsonld").joinpath("context.jsonld").read_text("utf-8")
    return json.loads(text)["@context"]


def _problem(path: Path, en: str, nb: str, value: str | None = None) -> Problem:
    return Problem(
        severity=Severity.VIOLATION,
        message={"en": en, "nb": nb},
        rule="ingest:rdf-syntax",
        file=path.name,
        value=value,
    )


MAX_JSON_DEPTH = 64
"""Deeper JSON is no submission (a stream in JSON-LD is a few levels deep); past
Python's recursion limit it would end in a RecursionError instead of a problem."""


class _RemoteContext(ValueError):
    pass


class _TooDeep(ValueError):
    pass


def _inline_contexts(node: Any, depth: int = 0) -> Any:
    """Replace references to the shipped context by its content; refuse other remote ones."""
    if depth > MAX_JSON_DEPTH:
        raise _TooDeep
    if isinstance(node, list):
        return [_inline_contexts(item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@context":
            contexts = value if isinstance(value, list) else [value]
            resolved = []
            for context in contexts:
                if isinstance(context, str):
                    if context != CONTEXT_IRI:
                        raise _RemoteContext(context)
                    resolved.append(shipped_context())
                else:
                    resolved.append(context)
            result[key] = resolved if isinstance(value, list) else resolved[0]
        else:
            result[key] = _inline_contexts(value, depth + 1)
    return result


def read_rdf(path: Path) -> RdfSubmission:
    """Parse ``path`` by its extension; problems name the line and column of a syntax error."""
    submission = RdfSubmission(path=path)
    rdf_format = FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        submission.problems.append(
            _problem(
                path,
                f"unsupported file type {path.suffix!r}: use .csv, .xlsx, .ttl, .nt or .jsonld",
                f"filtypen {path.suffix!r} støttes ikke: bruk .csv, .xlsx, .ttl, .nt eller .jsonld",
            )
        )
        return submission
    try:
        data = path.read_bytes()
    except OSError as error:
        submission.problems.append(
            _problem(path, f"cannot read the file: {error}", f"kan ikke lese filen: {error}")
        )
        return submission
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        submission.problems.append(
            _problem(
                path,
                f"the file is not UTF-8 (line {line}, byte {error.start}): RDF files must be "
                "UTF-8; save it again as UTF-8",
                f"filen er ikke UTF-8 (linje {line}, byte {error.start}): RDF-filer må være "
                "UTF-8; lagre den på nytt som UTF-8",
            )
        )
        return submission
    if rdf_format == RdfFormat.JSON_LD:
        try:
            document = _inline_contexts(json.loads(text))
        except json.JSONDecodeError as error:
            submission.problems.append(
                _problem(
                    path,
                    f"not valid JSON at line {error.lineno} column {error.colno}: {error.msg}",
                    f"ikke gyldig JSON på linje {error.lineno} kolonne {error.colno}: {error.msg}",
                )
            )
            return submission
        except (RecursionError, _TooDeep):
            submission.problems.append(
                _problem(
                    path,
                    f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep",
                    f"JSON-en er nøstet mer enn {MAX_JSON_DEPTH} nivåer dypt",
                )
            )
            return submission
        except _RemoteContext as error:
            submission.problems.append(
                _problem(
                    path,
                    f"remote JSON-LD context {error} is not fetched: inline it or use "
                    f"{CONTEXT_IRI}",
                    f"ekstern JSON-LD-kontekst {error} hentes ikke: legg den inn i filen eller "
                    f"bruk {CONTEXT_IRI}",
                    value=str(error),
                )
            )
            return submission
        data = json.dumps(document).encode("utf-8")
    try:
        submission.quads = [
            Quad(quad.subject, quad.predicate, quad.object)
            for quad in pyoxigraph.parse(data, format=rdf_format)
        ]
    except SyntaxError as error:
        submission.problems.append(
            _problem(path, f"syntax error: {error}", f"syntaksfeil: {error}")
        )
    return submission
