"""Demand-first matching (``sidestream match --demand``) on the demo and an external set.

The seed-004 §8 pairs that the demo catalogue holds as demand rows must come out near
the top; on the external evaluation set (52 supplies, 33 demands, expected matches
written independently of the matcher) recall@5 must reach 0.9; a broken contaminant
limit must push a supply down and be named in its explanation.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import tempfile
import tomllib
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from pyoxigraph import NamedNode

from catalogue.cli import main
from catalogue.config import Settings
from catalogue.inference import CANDIDATE_KEY
from catalogue.matching import demand as demand_module
from catalogue.matching.demand import DemandNotFound, keys_everywhere, match_demand
from catalogue.matching.results import MatchResult
from catalogue.namespaces import SS
from catalogue.publish import load_files
from catalogue.store.oxigraph import OxigraphStore
from tests.backends import Backend, Backends

DATA = Path(__file__).parents[2] / "data" / "matching"
BENCH = Path(__file__).parents[3] / "bench"
RECALL_AT_5_FLOOR = 0.9  # measured 1.00 (33/33) when written; a drop below 0.9 is a regression


def load_external(backend: Backend) -> None:
    assert backend.main("load", str(DATA / "external.csv"), "--by", "test") == 0


@pytest.fixture(scope="session")
def external(backends: Backends, backend_kind: str) -> Backend:
    """The external evaluation set on each backend (read only)."""
    return backends.shared(backend_kind, "external", load_external)


def matched(backend: Backend, demand: str, top: int | None = None) -> list[MatchResult]:
    with backend.opened() as store:
        return match_demand(store, demand, top=top)


def identifiers(results: list[MatchResult]) -> list[str]:
    return [result.identifier for result in results]


# Seed-004 §8 pairs present as demand rows in the demo catalogue.


def test_lindum_neutralisation_gets_celsa_ladle_slag_first(demo: Backend) -> None:
    results = matched(demo, "lindum-sor-neutralising-agent")
    assert results[0].identifier == "celsa-mo-i-rana-ladle-slag"
    assert "neutralising agent" in results[0].explanation


def test_yara_npk_nitrogen_gets_veas_nitrogen(demo: Backend) -> None:
    top = identifiers(matched(demo, "yara-porsgrunn-ammonium-nitrate-solution", top=3))
    assert {
        "veas-slemmestad-ammonium-nitrate-solution",
        "veas-slemmestad-reject-water",
    } & set(top)


def test_reject_water_reaches_ammonium_nitrate_through_a_technology(demo: Backend) -> None:
    results = matched(demo, "yara-porsgrunn-ammonium-nitrate-solution")
    reject = next(r for r in results if r.identifier == "veas-slemmestad-reject-water")
    assert reject.route == "technology"
    assert "TRL" in reject.explanation


def test_heroya_salt_users_get_fly_ash_salt(demo: Backend) -> None:
    # The NORSEP salt at Herøya is confidential in the demo, so only NOAH's is public.
    top = identifiers(matched(demo, "heroya-industrial-salt", top=3))
    assert "noah-langoya-recovered-chloride-salts" in top
    assert "norsep-heroya-recovered-salt" not in identifiers(
        matched(demo, "heroya-industrial-salt")
    )


def test_kemira_coagulant_gets_kronos_iron_sulphate(demo: Backend) -> None:
    top = identifiers(matched(demo, "kemira-ora-iron-sulphate", top=3))
    assert "kronos-titan-ora-iron-sulphate" in top


def test_cement_scm_gets_simn_slag_or_microsilica(demo: Backend) -> None:
    top = identifiers(matched(demo, "grenland-cement-supplementary-cementitious-material", top=3))
    assert {"eramet-kvinesdal-simn-slag", "elkem-microsilica"} & set(top)


@pytest.mark.parametrize("demand", ["reetec-rare-earth-separation", "lcm-neodymium-magnet-metal"])
def test_magnet_makers_get_apatite_rare_earths(demo: Backend, demand: str) -> None:
    results = matched(demo, demand, top=3)
    assert "yara-porsgrunn-apatite-rare-earths" in identifiers(results)
    apatite = next(r for r in results if r.identifier == "yara-porsgrunn-apatite-rare-earths")
    assert apatite.route == "composition"
    assert apatite.recoverable is not None and apatite.recoverable.mass is not None


def test_electrode_makers_get_spent_pot_lining(demo: Backend) -> None:
    top = matched(demo, "graphite-from-spl-electrode-battery-producers", top=3)
    assert any("spent-pot-lining" in result.identifier for result in top)


def test_phosphate_rock_replacement_gets_sewage_sludge(demo: Backend) -> None:
    top = identifiers(matched(demo, "yara-porsgrunn-recycled-phosphorus", top=3))
    assert "frevar-ora-sewage-sludge" in top


def test_every_result_has_a_route_an_explanation_and_a_score(demo: Backend) -> None:
    demands = [
        row["identifier"]
        for row in csv.DictReader(
            (Path(__file__).parents[3] / "catalogue/demo/prosess21-demo.csv").open(encoding="utf-8")
        )
        if row["kind"] == "demand"
    ]
    with demo.opened() as store:
        for demand in demands:
            try:
                results = match_demand(store, demand)
            except DemandNotFound:
                continue  # not public in the demo
            for result in results:
                assert result.route in ("direct", "composition", "technology")
                assert result.explanation
                assert 0.0 <= result.score <= 1.0
            assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


# Errors and the command line.


def test_unknown_demand_exits_1(demo: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main("match", "--demand", "no-such-demand") == 1
    assert "no demand with identifier no-such-demand" in capsys.readouterr().err


def test_a_supply_is_not_a_demand(demo: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main("match", "--demand", "eramet-kvinesdal-simn-slag") == 1
    assert "is a supply, not a demand" in capsys.readouterr().err


def test_cli_json_is_one_array(demo: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    argv = ["match", "--demand", "kemira-ora-iron-sulphate", "--top", "2", "--json"]
    assert demo.main(*argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and 1 <= len(data) <= 2
    assert {"identifier", "name", "score", "route", "explanation"} <= set(data[0])


def test_cli_table(demo: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert demo.main("match", "--demand", "lindum-sor-neutralising-agent") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["#", "identifier", "score", "route"]
    assert "celsa-mo-i-rana-ladle-slag" in out


def test_element_and_demand_are_exclusive() -> None:
    with pytest.raises(SystemExit):  # a usage error, before any store is opened
        main(["match", "--element", "V", "--demand", "x"])


# The external evaluation set.


def test_external_recall_at_5(external: Backend) -> None:
    expected = tomllib.loads((DATA / "external-expected.toml").read_text(encoding="utf-8"))
    with (DATA / "external.csv").open(encoding="utf-8") as handle:
        demands = [row["identifier"] for row in csv.DictReader(handle) if row["kind"] == "demand"]
    assert len(demands) == 33
    recalled = 0
    with external.opened() as store:
        for demand in demands:
            results = match_demand(store, demand, top=5)
            assert all(result.route and result.explanation for result in results)
            accepted = set(expected[demand]["accept"])
            recalled += bool(accepted & set(identifiers(results)))
    recall = recalled / len(demands)
    print(f"recall@5 on the external set: {recall:.2f} ({recalled}/{len(demands)})")
    assert recall >= RECALL_AT_5_FLOOR


@pytest.mark.parametrize("first_batch", [1, demand_module.FIRST_BATCH])
def test_top_is_the_head_of_the_whole_ranking(
    external: Backend, first_batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a top, candidates are read and scored best bound first and the rest is never
    # read (match_demand's _bound): the list must be the head of the fully scored one,
    # also when it takes several batches (a first batch of 1 means 4 x top).
    monkeypatch.setattr(demand_module, "FIRST_BATCH", first_batch)
    with (DATA / "external.csv").open(encoding="utf-8") as handle:
        demands = [row["identifier"] for row in csv.DictReader(handle) if row["kind"] == "demand"]
    with external.opened() as store:
        for demand in demands:
            whole = match_demand(store, demand)
            for top in (1, 3, 5, len(whole) + 1):
                assert match_demand(store, demand, top=top) == whole[:top], (demand, top)


GENERATED_STREAMS = 1_000


@cache
def _datasets() -> ModuleType:
    # bench/datasets.py: the seeded synthetic catalogue the benchmarks measure (materials
    # of the whole ontology, compositions, locations across 12 countries).
    spec = importlib.util.spec_from_file_location("datasets", BENCH / "datasets.py")
    assert spec is not None and spec.loader is not None
    datasets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(datasets)
    return datasets


def load_generated(backend: Backend) -> None:
    with tempfile.TemporaryDirectory(prefix="sidestream-generated-") as folder:
        path = _datasets().write(Path(folder) / "generated.csv", GENERATED_STREAMS, 7)
        assert backend.main("load", str(path), "--by", "test") == 0


@pytest.fixture(scope="session")
def generated(backends: Backends, backend_kind: str) -> Backend:
    """A generated catalogue of 1,000 streams on each backend (read only)."""
    return backends.shared(backend_kind, "generated", load_generated)


@pytest.mark.parametrize(
    ("near_km", "max_keys"),
    [
        (demand_module.NEAR_KM, demand_module.MAX_KEYS),
        (20.0, demand_module.MAX_KEYS),  # more steps outwards before the whole catalogue
        (20.0, 40),  # every candidate after the first step or two
    ],
)
def test_nearest_first_ranks_what_the_whole_ranking_ranks(
    generated: Backend, near_km: float, max_keys: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a top and a located demand, candidates are found cell by cell outwards from
    # the demand (ss:candidateKey) and the rest is never found: the list must still be
    # the head of the fully scored one, with the same scores, on every backend.
    monkeypatch.setattr(demand_module, "NEAR_KM", near_km)
    monkeypatch.setattr(demand_module, "MAX_KEYS", max_keys)
    demands = [
        row["identifier"]
        for row in _datasets().rows(GENERATED_STREAMS, 7)
        if row["kind"] == "demand" and row["confidentiality"] == "public"
    ]
    assert len(demands) >= 100
    compared = 0
    with generated.opened() as store:
        for demand in demands[::8]:
            whole = match_demand(store, demand)
            for top in (1, 10):
                assert match_demand(store, demand, top=top) == whole[:top], (demand, top)
            compared += bool(whole)
    assert compared >= 10


# Requirements.

REQUIREMENT_ROWS = [
    {"identifier": "clean-ash", "kind": "supply", "name": "Clean ash", "material": "fly ash",
     "quantity": "1000", "unit": "t/a", "composition": "CaO=30 %; Cd=1 mg/kg"},
    {"identifier": "dirty-ash", "kind": "supply", "name": "Dirty ash", "material": "fly ash",
     "quantity": "1000", "unit": "t/a", "composition": "CaO=30 %; Cd=5 mg/kg"},
    {"identifier": "low-cd-ash", "kind": "demand", "name": "Ash with little cadmium",
     "material": "fly ash", "quantity": "500", "unit": "t/a", "composition": "Cd<=2 mg/kg"},
]  # fmt: skip
BASE = {"organisation": "Test Works", "country": "NO", "state": "solid",
        "latitude": "59.1", "longitude": "9.6"}  # fmt: skip


def loaded(backend: Backend, folder: Path, rows: list[dict[str, str]]) -> Backend:
    """``backend`` holding ``rows`` (with the BASE cells), loaded by the command line."""
    full = [{**BASE, **row} for row in rows]
    template = folder / "streams.csv"
    with template.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(full[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(full)
    assert backend.main("load", str(template), "--by", "test") == 0
    return backend


def test_a_broken_cadmium_limit_ranks_below_and_is_named(backend: Backend, tmp_path: Path) -> None:
    loaded(backend, tmp_path, REQUIREMENT_ROWS)
    results = matched(backend, "low-cd-ash")
    order = identifiers(results)
    assert order.index("clean-ash") < order.index("dirty-ash")
    dirty = results[order.index("dirty-ash")]
    assert "Cd 5 mg/kg exceeds the 2 mg/kg limit" in dirty.explanation
    assert dirty.score < results[order.index("clean-ash")].score


COBALT_ROWS = [
    {"identifier": "want-cobalt", "kind": "demand", "name": "Cobalt for cells",
     "material": "cobalt", "quantity": "", "unit": "", "composition": ""},
    {"identifier": "slag-analysed-without-co", "kind": "supply", "name": "Slag, Fe only",
     "material": "ladle slag", "quantity": "1000", "unit": "t/a", "composition": "Fe=20 %"},
    {"identifier": "slag-not-analysed", "kind": "supply", "name": "Slag, no analysis",
     "material": "ladle slag", "quantity": "1000", "unit": "t/a", "composition": ""},
]  # fmt: skip


def test_a_technology_route_to_an_element_the_analysis_lacks_ranks_lowest(
    backend: Backend, tmp_path: Path
) -> None:
    loaded(backend, tmp_path, COBALT_ROWS)
    results = {result.identifier: result for result in matched(backend, "want-cobalt")}
    lacking, unknown = results["slag-analysed-without-co"], results["slag-not-analysed"]
    assert lacking.route == unknown.route == "technology"
    assert "Co not in its reported composition" in lacking.explanation
    assert "Co not reported" in unknown.explanation
    assert lacking.score < unknown.score


def test_a_submission_loaded_before_the_candidate_keys_is_not_missed(tmp_path: Path) -> None:
    # A catalogue upgraded in place holds submissions materialised by older rules, without
    # ss:candidateKey: a search by key would never find their supplies. Until they are
    # loaded again, matching reads every candidate and ranks exactly as before.
    whole = _datasets().write(tmp_path / "whole.csv", GENERATED_STREAMS, 7)
    with whole.open(encoding="utf-8", newline="") as handle:
        header, *lines = list(csv.reader(handle))
    rows = [dict(zip(header, line, strict=True)) for line in lines]
    paths = []
    half = len(lines) // 2
    for name, part in {"older": lines[:half], "newer": lines[half:]}.items():
        path = tmp_path / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *part])
        paths.append(path)
    settings = Settings()
    store = OxigraphStore()
    load_files(paths, store, settings, publisher="test")
    demands = [
        row["identifier"]
        for row in rows
        if row["kind"] == "demand" and row["confidentiality"] == "public"
    ][::8]
    before = {demand: match_demand(store, demand, top=10) for demand in demands}
    assert keys_everywhere(store)

    older = settings.data_base + "submission/older"
    for quad in list(store.raw):
        graph = quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else ""
        version = quad.predicate == NamedNode(SS.inferenceVersion)
        if (quad.predicate == CANDIDATE_KEY and graph.startswith(older)) or (
            version and quad.subject.value == older
        ):
            store.raw.remove(quad)
    assert not keys_everywhere(store)
    for demand, found in before.items():
        assert match_demand(store, demand, top=10) == found, demand
    # What the check prevents: searching by key alone misses the older half's supplies.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demand_module, "keys_everywhere", lambda _: True)
        assert any(match_demand(store, d, top=10) != found for d, found in before.items())
