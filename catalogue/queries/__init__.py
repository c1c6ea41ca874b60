"""SPARQL queries kept as ``.rq`` files, and the one way to bind values into them.

Each file starts with a grlc-style header that SPARQL parsers read as comments::

    #+ summary: supplies whose material is a subclass of the demanded one
    #+ param: ?demand iri

``bind`` accepts only pyoxigraph ``NamedNode`` and ``Literal`` terms (their
constructors validate IRIs and language tags) and writes them in N-Triples syntax
into a single ``VALUES`` block at the start of the outermost ``WHERE`` group. User
text never reaches a query any other way, so the same text runs on every backend.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pyoxigraph import Literal, NamedNode

from catalogue.errors import QueryFileError

Term = NamedNode | Literal

_HEADER = re.compile(r"^#\+\s*(?P<key>\w+)\s*:\s*(?P<value>.*?)\s*$", re.MULTILINE)
_PARAM = re.compile(r"^\?(?P<name>[A-Za-z_]\w*)\s+(?P<kind>iri|literal)$")
_COMMENT = re.compile(r"(?:(?<=\s)|^)#[^\n]*", re.MULTILINE)
_OUTER_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


@dataclass(frozen=True)
class QueryFile:
    """A parsed ``.rq`` file: its name, summary, declared parameters and text."""

    name: str
    summary: str
    params: dict[str, str]
    text: str


@cache
def load(name: str) -> QueryFile:
    """Read ``catalogue/queries/<name>.rq`` (e.g. ``"ontology/statistics"``) once."""
    resource = resources.files("catalogue.queries").joinpath(f"{name}.rq")
    if not resource.is_file():
        raise QueryFileError(f"no query file {name}.rq in catalogue/queries/")
    text = resource.read_text(encoding="utf-8")
    summary = ""
    params: dict[str, str] = {}
    for match in _HEADER.finditer(text):
        key, value = match["key"], match["value"]
        if key == "summary":
            summary = value
        elif key == "param":
            declared = _PARAM.match(value)
            if declared is None:
                raise QueryFileError(f"{name}.rq: bad parameter declaration {value!r}")
            params[declared["name"]] = declared["kind"]
    if not summary:
        raise QueryFileError(f"{name}.rq: missing '#+ summary:' header")
    body = _COMMENT.sub(lambda m: " " * len(m.group()), text)
    if _OUTER_WHERE.search(body) is None:
        raise QueryFileError(f"{name}.rq: needs an explicit WHERE {{ ... }} group")
    for param in params:
        if re.search(rf"\?{param}\b", body) is None:
            raise QueryFileError(f"{name}.rq: declared parameter ?{param} does not occur")
    return QueryFile(name=name, summary=summary, params=params, text=text)


def bind(
    query: QueryFile,
    values: dict[str, Term | list[Term]] | None = None,
    *,
    constants_apart: bool = False,
) -> str:
    """The query text with ``values`` bound in one ``VALUES`` block.

    A list binds several rows for that parameter (other parameters repeat); every
    declared parameter must be given, and nothing undeclared. With ``constants_apart``
    each parameter given one value gets a one-row ``VALUES`` block of its own after that
    block (the same solutions), so that a long list is not written again per constant.
    """
    values = values or {}
    unknown = sorted(set(values) - set(query.params))
    missing = sorted(set(query.params) - set(values))
    if unknown or missing:
        raise QueryFileError(
            f"{query.name}.rq takes {sorted(query.params)}; unknown {unknown}, missing {missing}"
        )
    if not values:
        return query.text
    columns: list[tuple[str, list[Term]]] = []
    for name, value in values.items():
        terms = value if isinstance(value, list) else [value]
        expected = NamedNode if query.params[name] == "iri" else Literal
        for term in terms:
            if not isinstance(term, expected):
                raise QueryFileError(
                    f"{query.name}.rq: ?{name} takes a pyoxigraph {expected.__name__}, "
                    f"not {type(term).__name__}"
                )
        if not terms:
            raise QueryFileError(f"{query.name}.rq: ?{name} bound to no value")
        columns.append((name, terms))
    apart = [(name, terms) for name, terms in columns if constants_apart and len(terms) == 1]
    columns = [column for column in columns if column not in apart] or apart[:1]
    apart = [column for column in apart if column not in columns]
    rows = itertools.product(*(terms for _, terms in columns))
    head = " ".join(f"?{name}" for name, _ in columns)
    body = " ".join("(" + " ".join(str(term) for term in row) + ")" for row in rows)
    block = f"\n  VALUES ({head}) {{ {body} }}\n"
    block += "".join(f"  VALUES ?{name} {{ {terms[0]} }}\n" for name, terms in apart)
    masked = _COMMENT.sub(lambda m: " " * len(m.group()), query.text)
    where = _OUTER_WHERE.search(masked)
    assert where is not None  # checked in load()
    return query.text[: where.end()] + block + query.text[where.end() :]


def paginate(text: str, limit: int, offset: int = 0) -> str:
    """``text`` (a bound query) with ``LIMIT``/``OFFSET`` appended from checked integers.

    Only ints reach the query text, so a page parameter cannot carry SPARQL.
    """
    if type(limit) is not int or type(offset) is not int or limit < 0 or offset < 0:
        raise QueryFileError(f"LIMIT/OFFSET take non-negative ints, not {limit!r}/{offset!r}")
    return f"{text.rstrip()}\nLIMIT {limit}\nOFFSET {offset}\n"
