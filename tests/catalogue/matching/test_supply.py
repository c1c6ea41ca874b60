"""Stream-first matching (``sidestream match --supply``) on the demo and a small template.

A supply must reach the demands demand-first matching would give it (with the same
route), the technologies that accept its class, and the elements it holds with their
recoverable mass, critical raw materials flagged; hidden demands never appear.
"""

from __future__ import annotations

import json

import pytest

from catalogue.cli import main
from catalogue.matching.demand import match_demand
from catalogue.matching.results import MatchResult
from catalogue.matching.supply import SupplyNotFound, match_supply
from tests.backends import Backend, Backends

V_IN_V2O5 = 2 * 50.9415 / 181.88
"""Mass fraction of vanadium in V2O5 (two V of 50.9415 in 181.88 g/mol)."""

TEMPLATE = """identifier,kind,name,organisation,material,composition,quantity,unit,confidentiality
test-vanadium-slag,supply,Vanadium slag,Test Steel AS,steelmaking slag,V2O5=1.5 %,200,kt/a,public
test-public-vanadium,demand,Vanadium for alloying,Test Alloys AS,vanadium,,,,public
test-restricted-vanadium,demand,Vanadium for a secret alloy,Hidden AS,vanadium,,,,restricted
"""


@pytest.fixture(scope="session")
def template(
    backends: Backends, backend_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Backend:
    """TEMPLATE on each backend (read only)."""
    source = tmp_path_factory.mktemp("template") / "streams.csv"
    source.write_text(TEMPLATE, encoding="utf-8")

    def load(backend: Backend) -> None:
        assert backend.main("load", str(source), "--by", "test") == 0

    return backends.shared(backend_kind, "supply-template", load)


def matched(backend: Backend, supply: str, top: int | None = None) -> list[MatchResult]:
    with backend.opened() as store:
        return match_supply(store, supply, top=top)


def by_identifier(results: list[MatchResult], identifier: str) -> MatchResult:
    return next(result for result in results if result.identifier == identifier)


# The demo catalogue.


def test_ladle_slag_serves_the_lindum_neutralising_agent(demo: Backend) -> None:
    results = matched(demo, "celsa-mo-i-rana-ladle-slag")
    lindum = by_identifier(results, "lindum-sor-neutralising-agent")
    assert lindum.kind == "demand"
    assert "neutralising agent" in lindum.explanation


def test_demand_results_score_as_demand_first_does(demo: Backend) -> None:
    lindum = by_identifier(
        matched(demo, "celsa-mo-i-rana-ladle-slag"), "lindum-sor-neutralising-agent"
    )
    with demo.opened() as store:
        mirror = by_identifier(
            match_demand(store, "lindum-sor-neutralising-agent"), "celsa-mo-i-rana-ladle-slag"
        )
    assert (lindum.score, lindum.route) == (mirror.score, mirror.route)


def test_reject_water_gets_ammonia_stripping_and_the_yara_demand(demo: Backend) -> None:
    results = matched(demo, "veas-slemmestad-reject-water")
    stripping = by_identifier(results, "AmmoniaStripping")
    assert stripping.kind == "technology" and stripping.route == "technology"
    assert stripping.name == "ammonia stripping"
    assert "TRL 9" in stripping.explanation
    yara = by_identifier(results, "yara-porsgrunn-ammonium-nitrate-solution")
    assert yara.kind == "demand" and yara.route == "technology"


def test_spent_pot_lining_gets_vacuum_treatment_and_the_graphite_demand(demo: Backend) -> None:
    results = matched(demo, "alcoa-mosjoen-spent-pot-lining")
    vacuum = by_identifier(results, "SPLVacuumTreatment")
    assert vacuum.route == "technology"
    assert "graphite" in vacuum.explanation and "TRL 5" in vacuum.explanation
    assert by_identifier(results, "graphite-from-spl-electrode-battery-producers").kind == "demand"


def test_results_are_ranked_and_top_cuts(demo: Backend) -> None:
    results = matched(demo, "alcoa-mosjoen-spent-pot-lining")
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    assert matched(demo, "alcoa-mosjoen-spent-pot-lining", top=2) == results[:2]


# A small template: element masses and visibility.


def test_vanadium_from_v2o5_with_recoverable_mass_and_crm_flag(template: Backend) -> None:
    vanadium = by_identifier(matched(template, "test-vanadium-slag"), "V")
    assert vanadium.kind == "element" and vanadium.route == "composition"
    assert vanadium.recoverable is not None and vanadium.recoverable.mass is not None
    assert vanadium.recoverable.element == "V" and vanadium.recoverable.unit == "t/a"
    expected = 200000 * 0.015 * V_IN_V2O5
    assert float(vanadium.recoverable.mass) == pytest.approx(expected, rel=0.01)
    assert "critical raw material" in vanadium.explanation


def test_restricted_demands_never_appear(template: Backend) -> None:
    found = {result.identifier for result in matched(template, "test-vanadium-slag")}
    assert "test-public-vanadium" in found
    assert "test-restricted-vanadium" not in found


# Errors and the command line.


def test_unknown_supply_exits_1(demo: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main("match", "--supply", "no-such-supply") == 1
    assert "no supply with identifier no-such-supply" in capsys.readouterr().err


def test_a_demand_is_not_a_supply(demo: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main("match", "--supply", "lindum-sor-neutralising-agent") == 1
    assert "is a demand, not a supply" in capsys.readouterr().err
    with pytest.raises(SupplyNotFound):
        matched(demo, "lindum-sor-neutralising-agent")


def test_cli_json_keys_and_routes(template: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert template.main("match", "--supply", "test-vanadium-slag", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and data
    for item in data:
        assert {"identifier", "name", "score", "route", "explanation"} <= set(item)
        assert item["route"] in ("direct", "composition", "technology")
        assert item["explanation"] and "\n" not in item["explanation"]
        assert 0.0 <= item["score"] <= 1.0
        if item["route"] == "composition":
            assert {"element", "mass", "unit"} <= set(item["recoverable"])
    assert {item["kind"] for item in data} >= {"demand", "element"}


def test_cli_table(demo: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert demo.main("match", "--supply", "veas-slemmestad-reject-water") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["#", "identifier", "score", "route"]
    assert "AmmoniaStripping" in out


def test_supply_and_demand_are_exclusive() -> None:
    with pytest.raises(SystemExit):  # a usage error, before any store is opened
        main(["match", "--supply", "x", "--demand", "y"])
