"""CRM-first matching (``sidestream match --element``) on real stores loaded from templates.

The acceptance points of the matching issue: ``--element V`` returns exactly the
visible vanadium bearers ranked by recoverable mass, right to 1 % on an oxide basis;
``HREE`` finds dysprosium and yttrium bearers and not scandium-only ones; an element
nobody has gives ``[]`` and exit 0; an unknown name exits 2 with suggestions.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalogue import inference
from catalogue.access import Caller, Role
from catalogue.config import Settings
from catalogue.errors import InputError
from catalogue.matching import crm as crm_module
from catalogue.matching.crm import match_element, resolve
from catalogue.matching.results import MatchResult, to_json
from tests.backends import Backend, Backends

V = Decimal("50.9415")
O = Decimal("15.999")  # noqa: E741
V2O5 = 2 * V + 5 * O

BASE = {"kind": "supply", "organisation": "Test Works", "country": "NO", "state": "solid"}
ROWS = [
    # 200 kt/a x 1.5 % V2O5 on an oxide basis.
    {"identifier": "v-oxide", "name": "Oxide slag", "material": "SiMn slag",
     "quantity": "200", "unit": "kt/a", "reference_year": "2019",
     "composition": "V2O5=1.5 %; CaO=40 %"},
    # A range quantity and a range fraction: midpoints 50,000 t/a and 1 %.
    {"identifier": "v-element", "name": "Element slag", "material": "SiMn slag",
     "quantity_min": "40000", "quantity_max": "60000", "unit": "t/a",
     "composition": "V=0.5-1.5 %"},
    # An at-most bound: at most 0.1 % of 10 kt/a.
    {"identifier": "v-at-most", "name": "Bounded ash", "material": "fly ash",
     "quantity": "10", "unit": "kt/a", "composition": "V<=0.1 %"},
    # A stock: 3 Mt at 0.2 % V, more than any flow but listed after them.
    {"identifier": "v-stock", "name": "Old slag heap", "material": "SiMn slag",
     "quantity": "3", "unit": "Mt", "basis": "stock", "composition": "V=0.2 %"},
    # No quantity: returned, last, with unknown mass.
    {"identifier": "v-no-quantity", "name": "Unmeasured slag", "material": "SiMn slag",
     "composition": "V=1 %"},
    # Vanadium, but restricted: never shown to the public.
    {"identifier": "v-restricted", "name": "Secret slag", "material": "SiMn slag",
     "quantity": "1", "unit": "Mt/a", "composition": "V=2 %",
     "confidentiality": "restricted"},
    # No vanadium.
    {"identifier": "no-v", "name": "Lime slag", "material": "SiMn slag",
     "quantity": "500", "unit": "kt/a", "composition": "CaO=40 %; SiO2=30 %"},
    # Heavy rare earths: Dy (oxide basis) and Y; scandium alone is not an HREE.
    {"identifier": "hree-dy", "name": "Dysprosium residue", "material": "fly ash",
     "quantity": "1000", "unit": "t/a", "composition": "Dy2O3=0.1 %"},
    {"identifier": "hree-y", "name": "Yttrium residue", "material": "fly ash",
     "quantity": "2000", "unit": "t/a", "composition": "Y=50 ppm"},
    {"identifier": "sc-only", "name": "Scandium residue", "material": "fly ash",
     "quantity": "5000", "unit": "t/a", "composition": "Sc=100 ppm"},
    # Phosphorus, for the list entry 'phosphate rock'.
    {"identifier": "p-ash", "name": "Phosphorus ash", "material": "fly ash",
     "quantity": "10", "unit": "kt/a", "composition": "P2O5=20 %"},
]  # fmt: skip


def write_template(path: Path, rows: list[dict[str, str]]) -> Path:
    full = [{**BASE, **row} for row in rows]
    columns = list(dict.fromkeys(column for row in full for column in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(full)
    return path


@pytest.fixture(scope="session")
def crm(backends: Backends, backend_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """ROWS on each backend (read only)."""
    template = write_template(tmp_path_factory.mktemp("crm") / "crm-streams.csv", ROWS)

    def load(backend: Backend) -> None:
        assert backend.main("load", str(template), "--by", "test") == 0

    return backends.shared(backend_kind, "crm", load)


def matched(
    backend: Backend, text: str, top: int | None = None, caller: Caller | None = None
) -> list[MatchResult]:
    with backend.opened() as store:
        if caller is None:
            return match_element(store, text, top=top)
        return match_element(store, text, top=top, caller=caller)


def cli_json(backend: Backend, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    capsys.readouterr()
    assert backend.main("match", *args, "--json") == 0
    return json.loads(capsys.readouterr().out)


def mass(result: MatchResult) -> Decimal | None:
    assert result.recoverable is not None
    return result.recoverable.mass


def test_vanadium_gives_exactly_the_visible_bearers_ranked(crm: Backend) -> None:
    results = matched(crm, "V")
    assert [r.identifier for r in results] == [
        "v-oxide", "v-element", "v-at-most", "v-stock", "v-no-quantity",
    ]  # fmt: skip
    assert [r.basis for r in results[:4]] == ["flow", "flow", "flow", "stock"]
    assert all(r.route == "composition" and r.explanation for r in results)
    assert all(r.recoverable is not None and r.recoverable.element == "V" for r in results)


def test_vanadium_by_name_is_the_same(crm: Backend) -> None:
    assert [r.identifier for r in matched(crm, "vanadium")] == [
        r.identifier for r in matched(crm, "V")
    ]


def test_oxide_basis_mass_is_right_to_one_percent(crm: Backend) -> None:
    oxide = matched(crm, "V")[0]
    expected = Decimal(200000) * Decimal("0.015") * 2 * V / V2O5
    got = mass(oxide)
    assert got is not None
    assert abs(got - expected) / expected < Decimal("0.01")
    assert oxide.recoverable is not None and oxide.recoverable.unit == "t/a"
    assert oxide.score == 1.0
    assert "V2O5 1.5 %" in oxide.explanation and "vanadium" in oxide.explanation
    assert "flow, 2019" in oxide.explanation


def test_range_quantity_and_range_fraction_use_midpoints(crm: Backend) -> None:
    element = next(r for r in matched(crm, "V") if r.identifier == "v-element")
    assert mass(element) == Decimal(500)
    assert "midpoint" in element.explanation
    oxide = matched(crm, "V")[0]
    assert element.score == pytest.approx(500 / float(mass(oxide) or 1), abs=1e-4)


def test_at_most_bound_uses_the_upper_bound_and_says_so(crm: Backend) -> None:
    bounded = next(r for r in matched(crm, "V") if r.identifier == "v-at-most")
    assert mass(bounded) == Decimal(10)
    assert "at most 10 t/a vanadium" in bounded.explanation


def test_stocks_are_separate_from_flows(crm: Backend) -> None:
    stock = next(r for r in matched(crm, "V") if r.identifier == "v-stock")
    assert stock.basis == "stock"
    assert stock.recoverable is not None and stock.recoverable.unit == "t"
    assert mass(stock) == Decimal(6000)
    assert stock.score == 1.0  # the largest stock; stocks are not scored against flows
    assert "stock" in stock.explanation


def test_supply_without_quantity_comes_last_with_unknown_mass(crm: Backend) -> None:
    last = matched(crm, "V")[-1]
    assert last.identifier == "v-no-quantity"
    assert mass(last) is None and last.score == 0.0
    assert "quantity unknown" in last.explanation


def test_restricted_streams_never_appear(crm: Backend) -> None:
    assert "v-restricted" not in {r.identifier for r in matched(crm, "V")}


def test_top_keeps_the_best(crm: Backend) -> None:
    assert [r.identifier for r in matched(crm, "V", top=2)] == ["v-oxide", "v-element"]


# A `top` up to inference.LEADING is answered from the holders each level graph lists at
# load time (match/crm_leading.rq), a larger one or none by ranking every holder
# (match/crm_ranking.rq): both must give the same list, scores included.
TEXTS = ["V", "HREE", "REE", "phosphate rock", "Dy", "Y", "Sc"]


@pytest.mark.parametrize("text", TEXTS)
def test_top_is_the_head_of_the_whole_ranking(crm: Backend, text: str) -> None:
    whole = matched(crm, text)
    assert whole
    for top in range(1, len(whole) + 2):
        assert matched(crm, text, top=top) == whole[:top]


def test_top_over_a_wider_view_takes_the_hidden_graph_in(crm: Backend) -> None:
    # The restricted 20 kt/a of vanadium outranks every public bearer for a reader, and
    # its precomputed ranking stays in the restricted graph: the public never sees it.
    reader = Caller(Role.READER)
    assert [r.identifier for r in matched(crm, "V", top=1, caller=reader)] == ["v-restricted"]
    assert matched(crm, "V", top=3, caller=reader) == matched(crm, "V", caller=reader)[:3]
    assert [r.identifier for r in matched(crm, "V", top=1)] == ["v-oxide"]


@pytest.fixture(scope="session")
def crm_short_lists(
    backends: Backends, backend_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Backend:
    """ROWS loaded (twice, as two submissions) with only two leading holders per term."""
    folder = tmp_path_factory.mktemp("crm-short")
    first = write_template(folder / "first.csv", ROWS[:5])
    second = write_template(folder / "second.csv", ROWS[5:])

    def load(backend: Backend) -> None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(inference, "LEADING", 2)
            for template in (first, second):
                assert backend.main("load", str(template), "--by", "test") == 0

    return backends.shared(backend_kind, "crm-short", load)


@pytest.mark.parametrize("text", TEXTS)
def test_short_leading_lists_merge_over_submissions(
    crm_short_lists: Backend, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each graph lists its own two first holders; a top of 1 or 2 is read from those of
    # every visible graph, a top of 3 from every holder.
    monkeypatch.setattr(crm_module, "LEADING", 2)
    whole = matched(crm_short_lists, text)
    for top in (1, 2, 3):
        assert matched(crm_short_lists, text, top=top) == whole[:top]


def test_a_store_without_ranking_keys_still_ranks_and_cuts(tmp_path: Path) -> None:
    """A catalogue loaded before the ranking keys were materialised has none: a match
    with a ``top`` reads every holder instead of finding nothing."""
    backend = Backend("embedded", Settings(store=tmp_path / "store"))
    template = write_template(tmp_path / "crm-streams.csv", ROWS)
    assert backend.main("load", str(template), "--by", "test") == 0
    whole = matched(backend, "V")
    with backend.opened() as store:
        store.raw.update(  # type: ignore[attr-defined]
            "DELETE WHERE { GRAPH ?g { ?term <https://w3id.org/sidestream/ontology/"
            "leadingHolding> ?holding } }"
        )
        store.raw.update(  # type: ignore[attr-defined]
            "DELETE WHERE { GRAPH ?g { ?stream <https://w3id.org/sidestream/ontology/"
            "hasRecoverableEstimate> ?estimate } }"
        )
    assert len(whole) > 2
    assert matched(backend, "V", top=2) == whole[:2]
    assert matched(backend, "V", top=len(whole) + 1) == whole


@pytest.mark.parametrize("text", ["HREE", "heavy rare earth elements"])
def test_hree_finds_dysprosium_and_yttrium_not_scandium(crm: Backend, text: str) -> None:
    results = matched(crm, text)
    assert {r.identifier for r in results} == {"hree-dy", "hree-y"}
    dysprosium = next(r for r in results if r.identifier == "hree-dy")
    assert dysprosium.recoverable is not None and dysprosium.recoverable.element == "Dy"


def test_rare_earth_elements_include_scandium(crm: Backend) -> None:
    found = {r.identifier for r in matched(crm, "rare earth elements")}
    assert found == {"hree-dy", "hree-y", "sc-only"}


def test_phosphate_rock_means_phosphorus(crm: Backend) -> None:
    assert resolve("phosphate rock").elements.keys() == {"P"}
    assert [r.identifier for r in matched(crm, "phosphate rock")] == ["p-ash"]


def test_group_resolution() -> None:
    assert set(resolve("PGM").elements) == {"Ir", "Pd", "Pt", "Rh", "Ru"}
    assert "Y" in resolve("HREE").elements and "Sc" not in resolve("HREE").elements
    assert set(resolve("baryte").elements) == {"Ba"}


def test_unknown_name_raises_with_suggestions() -> None:
    with pytest.raises(InputError) as raised:
        resolve("vanadum")
    assert "vanadium" in raised.value.suggestions


def test_cli_unknown_name_exits_2_with_suggestions(
    crm: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert crm.main("match", "--element", "vanadum") == 2
    captured = capsys.readouterr()
    assert "vanadium" in captured.err and captured.out == ""


def test_cli_element_nobody_has_is_an_empty_array(
    crm: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_json(crm, capsys, "--element", "Og") == []


def test_cli_json_has_the_interface_keys(crm: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    results = cli_json(crm, capsys, "--element", "V")
    assert results[0]["identifier"] == "v-oxide"
    for result in results:
        assert {"identifier", "name", "score", "route", "explanation", "recoverable"} <= set(result)
        assert result["route"] == "composition" and result["explanation"]
        assert set(result["recoverable"]) >= {"element", "mass", "unit"}
        assert 0 <= result["score"] <= 1
    assert results[-1]["recoverable"]["mass"] is None
    expected = float(Decimal(200000) * Decimal("0.015") * 2 * V / V2O5)
    assert results[0]["recoverable"]["mass"] == pytest.approx(expected, rel=0.01)


def test_cli_table_is_numbered(crm: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert crm.main("match", "--element", "V", "--top", "2") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[1].split()[:2] == ["1", "v-oxide"] and lines[2].split()[:2] == ["2", "v-element"]


def test_to_json_of_nothing() -> None:
    assert json.loads(to_json([])) == []


def test_demo_heavy_rare_earths(demo: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    results = cli_json(demo, capsys, "--element", "HREE")
    assert [r["identifier"] for r in results] == ["yara-porsgrunn-apatite-rare-earths"]
    assert "at most" in results[0]["explanation"]
    assert results[0]["recoverable"] == {"element": "Dy", "mass": 6500.0, "unit": "t/a"}
    assert cli_json(demo, capsys, "--element", "V") == []
