"""Exchanges and the five effect indicators (issue 9): the aggregates equal the sum of their
exchanges, computed here from the file itself, on every backend; a confidential exchange
counts in no aggregate an anonymous caller sees; a bad exchanges file is rejected with its
row and column, and nothing is stored."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from catalogue.access import ADMINISTRATOR, ANONYMOUS, Caller, Role, view_for
from catalogue.effects import Grouping, aggregates
from catalogue.ingest.exchanges import HEADER, INDICATORS
from tests.backends import Backend

EXCHANGES = [
    {
        "exchange": "kal-gypsum", "name": "Gypsum from flue gas to plasterboard",
        "supplier": "Asnaes Power Station", "receiver": "Gyproc",
        "symbiosis": "Kalundborg Symbiosis",
        "country": "DK", "region": "Kalundborg", "start_year": "1993", "status": "realised",
        "resources_t": "150000", "waste_t": "150000.5", "source": "test row 2",
    },
    {
        "exchange": "kal-heat", "name": "Surplus heat to the fish farm",
        "supplier": "Asnaes Power Station", "receiver": "Fish Farm",
        "symbiosis": "Kalundborg Symbiosis",
        "country": "DK", "region": "Kalundborg", "status": "realised", "energy_mwh": "12000.25",
        "co2_t": "3000", "water_m3": "-200", "source": "test row 3",
    },
    {
        "exchange": "kal-water", "name": "Treated wastewater to cooling",
        "supplier": "Pharma Plant", "receiver": "Refinery", "symbiosis": "Kalundborg Symbiosis",
        "country": "DK", "region": "Kalundborg", "status": "realised", "water_m3": "700000",
        "confidentiality": "restricted", "source": "test row 4",
    },
    {
        "exchange": "kal-secret", "name": "A confidential exchange",
        "supplier": "Pharma Plant", "receiver": "Secret Buyer", "symbiosis": "Kalundborg Symbiosis",
        "country": "DK", "region": "Secret Valley", "status": "realised", "water_m3": "999",
        "energy_mwh": "1", "confidentiality": "confidential", "source": "test row 5",
    },
    {
        "exchange": "ora-energy", "name": "Energy from waste incineration",
        "supplier": "Frevar", "receiver": "Fredrikstad Fjernvarme", "symbiosis": "Ora",
        "country": "NO", "region": "Fredrikstad", "start_year": "2018", "status": "realised",
        "energy_mwh": "390000", "source": "test row 6",
    },
    {
        "exchange": "mo-methanol", "name": "Biogenic CO2 to green methanol",
        "supplier": "Elkem Rana", "receiver": "Methanol Plant", "country": "NO",
        "status": "planned", "co2_t": "160000", "energy_mwh": "120000", "source": "test row 7",
    },
    {
        "exchange": "ora-sulphate", "name": "Iron sulphate", "supplier": "Kronos",
        "receiver": "Frevar", "symbiosis": "Ora", "country": "NO", "region": "Fredrikstad",
        "status": "ended", "resources_t": "0.1", "waste_t": "0.2", "source": "test row 8",
    },
]  # fmt: skip
LEVELS = {"anonymous": {"public"}, "reader": {"public", "restricted"}}
LEVELS["administrator"] = LEVELS["reader"] | {"confidential"}


def write_exchanges(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(HEADER.names))
        writer.writeheader()
        writer.writerows(rows)
    return path


def expected(
    levels: set[str], by: Grouping, rows: list[dict[str, str]] = EXCHANGES
) -> dict[tuple[str, str, str], tuple[Decimal, int]]:
    """(group, status, indicator) -> (sum, exchanges), from the rows themselves."""
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in rows:
        row = {key: value for key, value in row.items() if value}  # empty cell: not given
        if row.get("confidentiality", "public") not in levels:
            continue
        if by is Grouping.REGION:
            region = row.get("region")
            group = f"{row['country']} / {region}" if region else row["country"]
        else:
            group = row.get("symbiosis", "(no symbiosis)")
        for indicator in INDICATORS:
            if indicator.column in row:
                key = (group, row["status"], indicator.notation)
                totals[key] += Decimal(row[indicator.column])
                counts[key] += 1
    return {key: (totals[key], counts[key]) for key in totals}


def as_found(items: list[dict]) -> dict[tuple[str, str, str], tuple[Decimal, int]]:
    return {
        (item["group"], item["status"], item["indicator"]): (
            Decimal(str(item["total"])),
            item["exchanges"],
        )
        for item in items
    }


@pytest.mark.parametrize("by", list(Grouping))
def test_aggregates_equal_the_sum_of_their_exchanges(
    backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str], by: Grouping
) -> None:
    path = write_exchanges(tmp_path / "exchanges.csv", EXCHANGES)
    assert backend.main("load", str(path), "--year", "2025") == 0
    capsys.readouterr()
    assert backend.main("effects", "--json", "--by", by.value) == 0
    public = json.loads(capsys.readouterr().out)
    assert as_found(public) == expected(LEVELS["anonymous"], by)
    units = {item["indicator"]: item["unit"] for item in public}
    assert units == {"water": "m3/a", "resources": "t/a", "energy": "MWh/a", "waste": "t/a",
                     "co2": "t/a"}  # fmt: skip
    callers = {"reader": Caller(Role.READER), "administrator": ADMINISTRATOR}
    with backend.opened() as store:
        for name, caller in callers.items():
            found = [a.to_dict() for a in aggregates(store, view_for(store, caller), by)]
            assert as_found(found) == expected(LEVELS[name], by), name


def test_a_confidential_exchange_counts_nowhere_for_anonymous(
    backend: Backend, tmp_path: Path
) -> None:
    path = write_exchanges(tmp_path / "exchanges.csv", EXCHANGES)
    assert backend.main("load", str(path)) == 0
    with backend.opened() as store:
        public = aggregates(store, view_for(store, ANONYMOUS))
        everything = aggregates(store, view_for(store, ADMINISTRATOR))
    assert "DK / Secret Valley" not in {a.group for a in public}
    assert "DK / Secret Valley" in {a.group for a in everything}
    kalundborg = {(a.indicator, a.total) for a in public if a.group == "DK / Kalundborg"}
    assert ("water", Decimal("-200")) in kalundborg  # neither restricted nor confidential water


def test_a_bad_exchanges_file_names_row_and_column_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(tmp_path / "store")]
    rows = [dict(row) for row in EXCHANGES[:3]]
    rows[1]["status"] = "finished"
    rows[2]["receiver"] = rows[2]["supplier"]
    path = write_exchanges(tmp_path / "exchanges.csv", rows)
    from catalogue.cli import main

    assert main(["load", str(path), "--format", "json", *store]) == 1
    problems = json.loads(capsys.readouterr().err)["problems"]
    where = {(p["row"], p["column"]) for p in problems if p["severity"] == "violation"}
    assert (3, "status") in where
    rows[1]["status"] = "realised"
    write_exchanges(path, rows)
    assert main(["load", str(path), "--format", "json", *store]) == 1
    problems = json.loads(capsys.readouterr().err)["problems"]
    assert {(p["row"], p["column"]) for p in problems if p["severity"] == "violation"} == {
        (4, "receiver")
    }
    assert main(["effects", "--json", *store]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_an_exchanges_workbook_loads_like_its_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from catalogue.config import Settings
    from catalogue.publish import load_files
    from catalogue.store.oxigraph import OxigraphStore

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "exchanges"
    names = list(HEADER.names)
    sheet.append(names)
    for row in EXCHANGES:
        sheet.append([row.get(name) for name in names])
    workbook.save(tmp_path / "exchanges.xlsx")
    settings = Settings(store=tmp_path / "store")
    store = OxigraphStore(settings.store)
    load_files([tmp_path / "exchanges.xlsx"], store, settings, publisher="test")
    found = [a.to_dict() for a in aggregates(store, view_for(store, ANONYMOUS))]
    assert as_found(found) == expected(LEVELS["anonymous"], Grouping.REGION)


def test_the_demo_exchanges_are_cited_and_sum_as_their_rows(tmp_path: Path) -> None:
    from catalogue.config import Settings
    from catalogue.demo import EXCHANGES_FILE, demo_rounds
    from catalogue.publish import load_files
    from catalogue.store.oxigraph import OxigraphStore

    (path,) = [p for files in demo_rounds() for p in files if p.name == EXCHANGES_FILE]
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["symbiosis"] for row in rows} >= {
        "Kalundborg Symbiosis",
        "Øra industrial symbiosis",
    }
    for row in rows:  # every figure comes with the seed lines it is read from
        assert re.search(r"L\d+", row["source"]), row["exchange"]
    settings = Settings(store=tmp_path / "store")
    store = OxigraphStore(settings.store)
    (loaded,) = load_files([path], store, settings, publisher="demo").submissions
    assert loaded.year == 2020  # the latest reference_year of its figures
    for by in Grouping:
        found = [a.to_dict() for a in aggregates(store, view_for(store, ANONYMOUS), by)]
        assert as_found(found) == expected({"public"}, by, rows)


def test_what_only_a_confidential_exchange_names_stays_hidden(tmp_path: Path) -> None:
    """access.partition: an exchange's supplier, receiver and symbiosis go with the most open
    exchange that names them, so an organisation only a confidential exchange names is in
    no anonymous view, and one a public exchange names is."""
    from catalogue.config import Settings
    from catalogue.publish import load_files
    from catalogue.store.oxigraph import OxigraphStore

    settings = Settings(store=tmp_path / "store")
    store = OxigraphStore(settings.store)
    load_files([write_exchanges(tmp_path / "x.csv", EXCHANGES)], store, settings, publisher="t")
    query = (
        "SELECT ?name WHERE { ?thing a ?type ; <http://www.w3.org/2000/01/rdf-schema#label> "
        "?name . FILTER(?type IN (<https://w3id.org/sidestream/ontology/Organisation>, "
        "<https://w3id.org/sidestream/ontology/Symbiosis>)) }"
    )

    def names(caller: Caller) -> set[str]:
        return {row["name"].value for row in store.select(query, view_for(store, caller))}

    public, everything = names(ANONYMOUS), names(ADMINISTRATOR)
    assert "Secret Buyer" in everything and "Secret Buyer" not in public
    # named by a restricted exchange (and Pharma Plant also by the confidential one)
    reader = names(Caller(Role.READER))
    assert {"Refinery", "Pharma Plant"} <= reader and not {"Refinery", "Pharma Plant"} & public
    # named by public exchanges too: shown, although other exchanges name them as well
    assert {"Asnaes Power Station", "Kalundborg Symbiosis", "Gyproc"} <= public


def test_an_exchange_already_loaded_from_another_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exchanges have no versions: the same exchange in a second file would count twice in
    every aggregate, so that file is refused (row and column named), and nothing stored."""
    from catalogue.cli import main

    store = ["--store", str(tmp_path / "store")]
    first = write_exchanges(tmp_path / "exchanges-2024.csv", EXCHANGES)
    assert main(["load", str(first), *store]) == 0
    capsys.readouterr()
    assert main(["effects", "--json", *store]) == 0
    before = capsys.readouterr().out
    again = write_exchanges(tmp_path / "exchanges-2025.csv", [EXCHANGES[0], EXCHANGES[4]])
    assert main(["load", str(again), "--format", "json", *store]) == 1
    problems = json.loads(capsys.readouterr().err)["problems"]
    refused = {(p["row"], p["column"], p["rule"]) for p in problems}
    assert refused == {
        (2, "exchange", "catalogue:exchange-unique"),
        (3, "exchange", "catalogue:exchange-unique"),
    }
    assert main(["effects", "--json", *store]) == 0
    assert capsys.readouterr().out == before
    # the same file again is unchanged, and its replacement is allowed
    assert main(["load", str(first), *store]) == 0
