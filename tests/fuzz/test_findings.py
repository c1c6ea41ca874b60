"""What the fuzzers found, each as a named regression test (the crash files under
``crashes/`` replay the rest through ``test_replay.py``)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
import requests

from api.routes.pages import QUERY_PAGE_LENGTH
from catalogue.config import DEFAULT_DATA_BASE
from catalogue.errors import InputError
from catalogue.ingest.composition import parse_formula
from catalogue.ingest.rdf import read_rdf
from catalogue.ingest.template import read_template
from catalogue.ingest.to_rdf import decimal_literal, map_template, parse_number, parse_year
from tests.api.conftest import LiveServer


@pytest.mark.parametrize("text", ["1e999999999", "-9e999999"])
def test_a_number_past_the_decimal_range_is_an_input_error_not_an_overflow(text: str) -> None:
    # Was decimal.Overflow from decimal_literal: a traceback instead of a cell problem.
    with pytest.raises(InputError, match="too large") as caught:
        parse_number(text)
    assert caught.value.value == text


def test_a_number_with_more_digits_than_the_store_computes_with_is_refused() -> None:
    # Oxigraph drops decimals past about 1.7e20 out of arithmetic without a word.
    with pytest.raises(InputError, match="at most 15 digits"):
        parse_number("1e15")
    assert parse_number("999999999999999") == 999999999999999


def test_a_long_number_is_rounded_to_fifteen_decimals_not_an_invalid_operation() -> None:
    # Was decimal.InvalidOperation: quantize needed more digits than the default 28.
    literal = decimal_literal(parse_number("12345678901234.1234567890123456789"))
    assert literal.value == "12345678901234.123456789012346"


def test_a_parameter_the_service_cannot_use_is_named_in_the_error_body(
    demo_server: LiveServer,
) -> None:
    # Was FastAPI's bare {"detail": [...]}: every other refusal says {"error": ...}.
    with httpx.Client(base_url=demo_server.url, timeout=30) as client:
        answer = client.get("/match", params={"element": "V", "top": "A"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"].startswith("query parameter 'top': "), body
    assert body["detail"][0]["loc"] == ["query", "top"]


@pytest.mark.parametrize("formula", ["()", "[]2", "Ca(())"])
def test_a_formula_with_empty_brackets_is_an_input_error(formula: str) -> None:
    # Was an empty formula, then ValueError from element_fractions while mapping the row.
    with pytest.raises(InputError, match="empty"):
        parse_formula(formula, {"Ca"})


def test_a_composition_cell_with_empty_brackets_is_a_problem_of_its_row(tmp_path: Path) -> None:
    path = tmp_path / "brackets.csv"
    path.write_text(
        "identifier,kind,name,material,composition\ns1,supply,Slag,steelmaking slag,()=5 %\n",
        encoding="utf-8",
    )
    mapped = map_template(read_template(path), base=DEFAULT_DATA_BASE)
    [problem] = mapped.problems
    assert (problem.row, problem.column) == (2, "composition")
    assert "empty '()'" in problem.text()


def test_a_year_with_a_control_character_around_it_is_read_not_a_value_error() -> None:
    # Was ValueError from int(): str.strip removes \x1c, int() does not.
    assert parse_year("\x1c2024\x1d") == 2024


@pytest.mark.parametrize("formula", ["Fe2O³", "Fe²"])
def test_a_superscript_count_in_a_formula_is_an_input_error_naming_it(formula: str) -> None:
    # Was decimal.InvalidOperation: isdigit() took '³' as a count Decimal cannot read.
    with pytest.raises(InputError, match=f"has '{formula[-1]}'"):
        parse_formula(formula, {"Fe", "O"})


def test_suggestions_for_a_long_miscased_formula_come_at_once() -> None:
    # Was exponential: re-casing tried every cut of 'cacasocc...' again after each failure.
    text = "CaCaSOCCaSaSOCCaSOCaCaCSOCCaSOCaCaCOCaCaCCaSOCCaSaSOCCaSOCaCaCSOCCaSOCaCaCOCaCaCaa"
    started = time.monotonic()
    with pytest.raises(InputError, match="'Sa'"):
        parse_formula(text)
    assert time.monotonic() - started < 2
    with pytest.raises(InputError) as caught:
        parse_formula("caso4")
    assert caught.value.suggestions[0] == "CaSO4"


@pytest.mark.parametrize("text", ["[" * 3000, '{"a":' * 900 + "1" + "}" * 900])
def test_deeply_nested_json_ld_is_a_problem_not_a_recursion_error(
    text: str, tmp_path: Path
) -> None:
    # Was RecursionError from json.loads or from inlining the contexts.
    path = tmp_path / "deep.jsonld"
    path.write_text(text, encoding="utf-8")
    [problem] = read_rdf(path).problems
    assert problem.file == "deep.jsonld"
    assert "nested more than" in problem.text()


def test_the_longest_query_the_query_page_declares_arrives(demo_server: LiveServer) -> None:
    # Was a reset connection: 20,000 declared characters, up to 240 KB of URL, more than
    # uvicorn reads; schemathesis sent one. requests, as schemathesis and browsers do:
    # httpx refuses to build a URL this long.
    longest = "\U0001f600" * QUERY_PAGE_LENGTH
    url = f"{demo_server.url}/query/run"
    answer = requests.get(url, params={"query": longest}, timeout=60)
    assert answer.status_code == 400  # the page, saying this is no query
    assert "text/html" in answer.headers["content-type"]
    longer = requests.get(url, params={"query": "x" * (QUERY_PAGE_LENGTH + 1)}, timeout=60)
    assert longer.status_code == 422
    assert longer.json()["error"].startswith("query parameter 'query'")
