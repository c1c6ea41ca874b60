"""Deposits (issue 9): landfills and legacy deposits as stocks in the template, the store,
the shapes and CRM-first matching.

Acceptance: a deposit with gallium appears in ``match --element Ga`` in the stock
category (``category`` ``deposit``, ``basis`` ``stock``) with its tonnage (``recoverable``
in ``t``), on every backend.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from catalogue.config import Settings
from catalogue.ingest.to_rdf import map_rdf_streams
from catalogue.namespaces import ACCESSIBILITY, DEPOSIT_STATUS, RDF_TYPE, SS
from catalogue.store import opened_store
from tests.backends import Backend
from tests.catalogue.matching.test_crm import write_template

DATA = "https://w3id.org/sidestream/data/"
DEPOSIT = NamedNode(str(SS.Deposit))
GALLIUM_ROWS = [
    # A flow: 100 kt/a x 50 g/t = 5 t/a of gallium; flows come first.
    {"identifier": "ga-flow", "kind": "supply", "name": "Zinc residue",
     "material": "zinc leach residue", "quantity": "100", "unit": "kt/a",
     "composition": "Ga=50 g/t"},
    # A stock that is not a deposit: 1 Mt x 100 g/t = 100 t.
    {"identifier": "ga-stockpile", "kind": "supply", "name": "Residue stockpile",
     "material": "zinc leach residue", "quantity": "1", "unit": "Mt", "basis": "stock",
     "composition": "Ga=100 g/t"},
    # The deposit: 20 Mt x 0.0075 % (range midpoint) = 1,500 t; no basis given (Mt: stock).
    {"identifier": "ga-deposit", "kind": "deposit", "name": "Red mud deposit",
     "material": "red mud", "quantity": "20", "unit": "Mt", "composition": "Ga=0.005-0.01 %",
     "accessibility": "submerged", "deposit_status": "closed", "reference_year": "2015"},
    # A restricted deposit holding more gallium than any: never shown to the public.
    {"identifier": "ga-hidden-deposit", "kind": "deposit", "name": "Hidden deposit",
     "material": "red mud", "quantity": "50", "unit": "Mt", "composition": "Ga=100 ppm",
     "accessibility": "capped", "deposit_status": "remediated", "confidentiality": "restricted"},
]  # fmt: skip


def match_json(backend: Backend, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    capsys.readouterr()
    assert backend.main("match", *args, "--json") == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def embedded(tmp_path: Path) -> Backend:
    return Backend("embedded", Settings(store=tmp_path / "store"))


# --------------------------------------------------------------------------- acceptance


def test_gallium_deposit_is_in_the_stock_category_with_its_tonnage(
    backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = write_template(tmp_path / "gallium.csv", GALLIUM_ROWS)
    assert backend.main("load", str(template), "--by", "test") == 0

    results = match_json(backend, capsys, "--element", "Ga")

    assert [r["identifier"] for r in results] == ["ga-flow", "ga-deposit", "ga-stockpile"]
    flow, deposit, stockpile = results
    assert deposit["category"] == "deposit" and deposit["basis"] == "stock"
    assert deposit["recoverable"] == {"element": "Ga", "mass": 1500.0, "unit": "t"}
    assert Decimal(str(deposit["recoverable"]["mass"])) == Decimal(20_000_000) * Decimal("0.000075")
    assert "deposit" in deposit["explanation"]
    assert "Red mud deposit" in deposit["explanation"]
    assert "accessibility submerged" in deposit["explanation"]
    assert "status closed" in deposit["explanation"]
    assert deposit["score"] == 1.0  # the largest of the stocks
    assert (flow["category"], flow["recoverable"]["unit"]) == ("flow", "t/a")
    assert (stockpile["category"], stockpile["recoverable"]["mass"]) == ("stock", 100.0)
    assert stockpile["score"] == pytest.approx(100 / 1500, abs=1e-4)
    # The ranked path (a top) reads the materialised ranking keys: same order.
    assert match_json(backend, capsys, "--element", "Ga", "--top", "2") == results[:2]


def test_demo_holds_a_gallium_deposit(embedded: Backend, capsys: pytest.CaptureFixture[str]):
    assert embedded.main("load", "--demo", "--by", "test") == 0
    results = match_json(embedded, capsys, "--element", "gallium")
    (deposit,) = [r for r in results if r["category"] == "deposit"]
    assert deposit["identifier"] == "alteo-gardanne-red-mud-cassidaigne"
    assert deposit["recoverable"] == {"element": "Ga", "mass": 1500.0, "unit": "t"}
    with opened_store(embedded.settings) as store:
        deposits = {q.subject.value for q in store.quads() if q.object == DEPOSIT}
    assert {deposit.removeprefix(DATA + "stream/") for deposit in deposits} >= {
        "alteo-gardanne-red-mud-cassidaigne",
        "boliden-odda-jarosite-caverns",
        "titania-jossingfjord-tailings",
    }


# --------------------------------------------------------------------------- template and store


def test_deposit_row_is_a_supply_and_a_deposit_with_its_codes(
    embedded: Backend, tmp_path: Path
) -> None:
    template = write_template(tmp_path / "deposit.csv", GALLIUM_ROWS[2:3])
    assert embedded.main("load", str(template), "--by", "test") == 0
    stream = NamedNode(DATA + "stream/ga-deposit")
    with opened_store(embedded.settings) as store:
        facts = {(q.predicate.value, q.object.value) for q in store.quads() if q.subject == stream}
    assert (RDF_TYPE, str(SS.Supply)) in facts
    assert (RDF_TYPE, str(SS.Deposit)) in facts
    assert (str(SS.accessibility), str(ACCESSIBILITY.submerged)) in facts
    assert (str(SS.depositStatus), str(DEPOSIT_STATUS.closed)) in facts


def load_report(
    backend: Backend, path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict]:
    capsys.readouterr()
    code = backend.main("load", str(path), "--by", "test", "--format", "json")
    return code, json.loads(capsys.readouterr().err)


def test_deposit_given_per_year_is_rejected_naming_row_and_basis(
    embedded: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {**GALLIUM_ROWS[2], "quantity": "200", "unit": "kt/a"}
    code, report = load_report(embedded, write_template(tmp_path / "flow.csv", [row]), capsys)
    assert code == 1
    (violation,) = [p for p in report["problems"] if p["severity"] == "violation"]
    assert violation["rule"].endswith("DepositBasisShape")
    assert (violation["row"], violation["column"]) == (2, "basis")
    assert "stock" in violation["message"]
    with opened_store(embedded.settings) as store:
        assert list(store.quads()) == []


def test_unknown_accessibility_names_the_allowed_values(
    embedded: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {**GALLIUM_ROWS[2], "accessibility": "buried deep"}
    code, report = load_report(embedded, write_template(tmp_path / "bad.csv", [row]), capsys)
    assert code == 1
    (problem,) = report["problems"]
    assert (problem["row"], problem["column"], problem["value"]) == (
        2,
        "accessibility",
        "buried deep",
    )
    assert "submerged" in problem["message"] and "built-over" in problem["message"]


def test_deposit_columns_on_a_supply_are_ignored_with_a_warning(
    embedded: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {**GALLIUM_ROWS[0], "accessibility": "open", "deposit_status": "active"}
    code, report = load_report(embedded, write_template(tmp_path / "supply.csv", [row]), capsys)
    assert code == 0
    warned = {p["column"] for p in report["problems"] if p["rule"].startswith("ingest:")}
    assert warned == {"accessibility", "deposit_status"}
    with opened_store(embedded.settings) as store:
        assert not [q for q in store.quads() if q.predicate.value == str(SS.accessibility)]


def test_rdf_deposit_is_given_the_supply_type_it_implies() -> None:
    stream = NamedNode(DATA + "stream/d1")
    quads = [
        Quad(stream, NamedNode(RDF_TYPE), NamedNode(str(SS.Deposit))),
        Quad(stream, NamedNode("http://purl.org/dc/terms/identifier"), Literal("d1")),
    ]
    mapped = map_rdf_streams(quads, file="d.ttl", base=DATA)
    assert not mapped.problems
    assert mapped.identifiers == {"d1": stream.value}
    assert Quad(stream, NamedNode(RDF_TYPE), NamedNode(str(SS.Supply))) in mapped.quads
