"""The query-file loader and the one binding function."""

from __future__ import annotations

import pyoxigraph
import pytest
from pyoxigraph import Literal, NamedNode

from catalogue import queries
from catalogue.errors import QueryFileError


def write_query(tmp_path, monkeypatch, name: str, text: str) -> queries.QueryFile:
    """Load ``text`` as if it were catalogue/queries/<name>.rq."""
    folder = tmp_path / "catalogue_queries_fixture"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.rq").write_text(text, encoding="utf-8")
    monkeypatch.setattr(queries.resources, "files", lambda package: folder)
    queries.load.cache_clear()
    try:
        return queries.load(name)
    finally:
        queries.load.cache_clear()


LABEL_QUERY = """#+ summary: the label of a thing
#+ param: ?thing iri
# a comment that says WHERE { in prose must not attract the VALUES block
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE {
  ?thing rdfs:label ?label .
  { SELECT ?x WHERE { ?x ?p ?o } LIMIT 1 }
}
"""


def test_bind_puts_values_at_the_start_of_the_outer_where(tmp_path, monkeypatch):
    query = write_query(tmp_path, monkeypatch, "label", LABEL_QUERY)
    text = queries.bind(query, {"thing": NamedNode("https://example.org/a")})
    outer = text.index("SELECT ?label WHERE {")
    values = text.index("VALUES (?thing) { (<https://example.org/a>) }")
    inner = text.index("{ SELECT ?x")
    assert outer < values < inner
    assert "WHERE { in prose" in text.split("PREFIX")[0]  # the comment is untouched


def test_bound_query_runs_and_finds_only_the_bound_subject(tmp_path, monkeypatch):
    query = write_query(tmp_path, monkeypatch, "label", LABEL_QUERY)
    store = pyoxigraph.Store()
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for name in ("a", "b"):
        store.add(pyoxigraph.Quad(NamedNode(f"https://example.org/{name}"), label, Literal(name)))
    solutions = store.query(queries.bind(query, {"thing": NamedNode("https://example.org/b")}))
    assert [row["label"].value for row in solutions] == ["b"]


def test_list_binds_several_rows(tmp_path, monkeypatch):
    query = write_query(tmp_path, monkeypatch, "label", LABEL_QUERY)
    text = queries.bind(
        query, {"thing": [NamedNode("https://example.org/a"), NamedNode("https://example.org/b")]}
    )
    assert "(<https://example.org/a>) (<https://example.org/b>)" in text


PAIR_QUERY = """#+ summary: things with a label, and a constant
#+ param: ?thing iri
#+ param: ?tag literal
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing ?label ?tag WHERE {
  ?thing rdfs:label ?label .
}
"""


def test_constants_apart_writes_the_list_once_with_the_same_solutions(tmp_path, monkeypatch):
    query = write_query(tmp_path, monkeypatch, "pair", PAIR_QUERY)
    store = pyoxigraph.Store()
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    things = [NamedNode(f"https://example.org/{name}") for name in ("a", "b", "c")]
    for thing in things:
        store.add(pyoxigraph.Quad(thing, label, Literal(thing.value[-1])))
    values = {"thing": things[:2], "tag": Literal("x")}
    product = queries.bind(query, values)
    apart = queries.bind(query, values, constants_apart=True)
    assert apart.count('"x"') == 1 and product.count('"x"') == 2
    assert 'VALUES ?tag { "x" }' in apart

    def solutions(text: str) -> set[tuple[str, ...]]:
        names = ("thing", "label", "tag")
        return {tuple(str(row[name]) for name in names) for row in store.query(text)}

    assert solutions(apart) == solutions(product) and len(solutions(apart)) == 2


def test_literal_with_quotes_cannot_break_out_of_the_query(tmp_path, monkeypatch):
    query = write_query(
        tmp_path,
        monkeypatch,
        "by_label",
        "#+ summary: things by label\n#+ param: ?label literal\n"
        "SELECT ?thing WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }\n",
    )
    hostile = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p "'
    store = pyoxigraph.Store()
    store.add(
        pyoxigraph.Quad(
            NamedNode("https://example.org/t"),
            NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal(hostile),
        )
    )
    rows = list(store.query(queries.bind(query, {"label": Literal(hostile)})))
    assert [row["thing"].value for row in rows] == ["https://example.org/t"]


def test_wrong_term_type_is_refused(tmp_path, monkeypatch):
    query = write_query(tmp_path, monkeypatch, "label", LABEL_QUERY)
    with pytest.raises(QueryFileError, match=r"\?thing takes a pyoxigraph NamedNode"):
        queries.bind(query, {"thing": Literal("https://example.org/a")})


def test_missing_and_unknown_parameters_are_named(tmp_path, monkeypatch):
    query = write_query(tmp_path, monkeypatch, "label", LABEL_QUERY)
    with pytest.raises(QueryFileError, match=r"unknown \['other'\], missing \['thing'\]"):
        queries.bind(query, {"other": NamedNode("https://example.org/a")})


def test_file_without_summary_is_refused(tmp_path, monkeypatch):
    with pytest.raises(QueryFileError, match="missing '#\\+ summary:' header"):
        write_query(tmp_path, monkeypatch, "bare", "SELECT * WHERE { ?s ?p ?o }\n")


def test_declared_parameter_must_occur(tmp_path, monkeypatch):
    with pytest.raises(QueryFileError, match=r"declared parameter \?ghost does not occur"):
        write_query(
            tmp_path,
            monkeypatch,
            "ghost",
            "#+ summary: x\n#+ param: ?ghost iri\nSELECT * WHERE { ?s ?p ?o }\n",
        )


def test_every_shipped_query_file_loads():
    from importlib import resources

    root = resources.files("catalogue.queries")
    names = [
        str(path.relative_to(root)).removesuffix(".rq")
        for path in root.rglob("*.rq")  # type: ignore[attr-defined]
    ]
    assert "ontology/statistics" in names
    for name in names:
        assert queries.load(name).summary
