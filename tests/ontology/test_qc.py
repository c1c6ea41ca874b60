"""The quality-control queries: silent on the ontology, and each one able to fire."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from catalogue.qc import run_check, violation_queries

FIXTURES = Path(__file__).parent / "qc-fixtures"
CHECKS = sorted(violation_queries())


def test_there_are_checks_and_each_has_a_fixture():
    assert len(CHECKS) >= 8  # a suite that shrinks silently is a defect
    assert sorted(path.stem for path in FIXTURES.glob("*.ttl")) == CHECKS


@pytest.mark.parametrize("check", CHECKS)
def test_check_finds_nothing_in_the_ontology(merged_store, check):
    violations = run_check(merged_store, check)
    assert violations == [], "\n".join(str(v) for v in violations[:25])


@pytest.mark.parametrize("check", CHECKS)
def test_check_fires_on_its_fixture(check):
    store = pyoxigraph.Store()
    store.load(path=FIXTURES / f"{check}.ttl", format=pyoxigraph.RdfFormat.TURTLE)
    violations = run_check(store, check)
    assert violations, f"{check}-violation.rq cannot fire on its own fixture"
    assert all(v.check == check for v in violations)
