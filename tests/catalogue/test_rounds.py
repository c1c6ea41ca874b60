"""Reporting rounds (issue 9): an administrator opens a round per year; the catalogue says
who has and has not reported for it; a stream not updated for two rounds is possibly stale
(flags appear after two missed rounds, not before); each organisation gets its streams'
latest rows as a pre-filled template. On every backend, through the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyoxigraph import NamedNode

from catalogue import rounds
from catalogue.access import ADMINISTRATOR, ANONYMOUS, view_for
from tests.backends import Backend

HEADER = ["identifier", "kind", "name", "organisation", "country", "material", "quantity",
          "unit", "reference_year", "confidentiality"]  # fmt: skip


def streams_file(folder: Path, name: str, rows: list[dict[str, str]]) -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def alpha(year: int) -> dict[str, str]:
    quantity = str(1000 + year - 2023)
    return {"identifier": "alpha-slag", "kind": "supply", "name": "SiMn slag",
            "organisation": "Alpha Metals", "country": "NO", "material": "SiMn slag",
            "quantity": quantity, "unit": "t/a", "reference_year": str(year)}  # fmt: skip


BETA = {"identifier": "beta-ash", "kind": "supply", "name": "Fly ash",
        "organisation": "Beta Energy", "country": "NO", "material": "fly ash",
        "quantity": "500", "unit": "t/a", "reference_year": "2023"}  # fmt: skip
GAMMA = {"identifier": "gamma-heat", "kind": "supply", "name": "Surplus heat",
         "organisation": "Gamma Secret", "country": "NO",
         "material": "high-temperature surplus heat", "quantity": "12", "unit": "GWh/a",
         "reference_year": "2023", "confidentiality": "confidential"}  # fmt: skip


def status(backend: Backend, capsys: pytest.CaptureFixture[str], *year: str) -> dict:
    capsys.readouterr()
    assert backend.main("round", "status", *year, "--json") == 0
    return json.loads(capsys.readouterr().out)


def test_stale_flags_appear_after_two_missed_rounds(
    backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = streams_file(tmp_path, "round-2023.csv", [alpha(2023), BETA, GAMMA])
    assert backend.main("load", str(first), "--year", "2023") == 0
    assert backend.main("round", "open", "2023") == 0
    assert status(backend, capsys)["stale"] == []

    assert backend.main("round", "open", "2024") == 0
    second = streams_file(tmp_path, "alpha-2024.csv", [alpha(2024)])
    assert backend.main("load", str(second), "--year", "2024") == 0
    # one round missed: Beta and Gamma are behind, not yet stale
    assert status(backend, capsys)["stale"] == []

    assert backend.main("round", "open", "2025") == 0
    found = status(backend, capsys)
    assert found["year"] == 2025
    stale = {s["identifier"]: (s["latest"], s["missed"]) for s in found["stale"]}
    # Alpha's 2024 version missed one round only (2025)
    assert stale == {"beta-ash": (2023, 2), "gamma-heat": (2023, 2)}

    third = streams_file(tmp_path, "alpha-2025.csv", [alpha(2025)])
    assert backend.main("load", str(third), "--year", "2025") == 0
    with backend.opened() as store:
        streams = [NamedNode(backend.settings.data_base + f"stream/{s}")
                   for s in ("alpha-slag", "beta-ash", "gamma-heat")]  # fmt: skip
        public = rounds.stale_streams(store, view_for(store, ANONYMOUS), streams)
        everything = rounds.stale_streams(store, view_for(store, ADMINISTRATOR), streams)
        listed = rounds.all_stale_streams(store, view_for(store, ANONYMOUS))
    base = backend.settings.data_base + "stream/"
    assert public == {base + "beta-ash": 2023}  # the confidential stream is not shown
    assert everything == {base + "beta-ash": 2023, base + "gamma-heat": 2023}
    assert [s["identifier"] for s in listed] == ["beta-ash"]


def test_round_status_says_who_has_reported(
    backend: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = streams_file(tmp_path, "round-2023.csv", [alpha(2023), BETA])
    assert backend.main("load", str(first), "--year", "2023") == 0
    assert backend.main("round", "open", "2024") == 0
    capsys.readouterr()
    assert backend.main("round", "open", "2024") == 0  # twice: nothing changes
    assert "open already" in capsys.readouterr().out
    second = streams_file(tmp_path, "alpha-2024.csv", [alpha(2024)])
    assert backend.main("load", str(second), "--year", "2024") == 0

    def reported(found: dict) -> dict[str, tuple[bool, list]]:
        return {
            o["name"]: (o["reported"], [(s["identifier"], s["latest"]) for s in o["streams"]])
            for o in found["organisations"]
        }

    assert reported(status(backend, capsys, "2024")) == {
        "Alpha Metals": (True, [("alpha-slag", 2024)]),
        "Beta Energy": (False, [("beta-ash", 2023)]),
    }
    # for 2023 both had reported, although Alpha has a newer version since
    assert {
        name: flag for name, (flag, _) in reported(status(backend, capsys, "2023")).items()
    } == {
        "Alpha Metals": True,
        "Beta Energy": True,
    }
    with backend.opened() as store:
        assert [r.year for r in rounds.open_rounds(store)] == [2024]


def test_no_open_round_is_an_error(tmp_path: Path) -> None:
    from catalogue.cli import main

    assert main(["round", "status", "--store", str(tmp_path / "store")]) == 1


def test_round_templates_are_each_organisations_latest_rows(tmp_path: Path) -> None:
    from catalogue.cli import main

    store = ["--store", str(tmp_path / "store")]
    first = streams_file(tmp_path, "round-2023.csv", [alpha(2023), BETA])
    assert main(["load", str(first), "--year", "2023", *store]) == 0
    second = streams_file(tmp_path, "alpha-2024.csv", [alpha(2024)])
    assert main(["load", str(second), "--year", "2024", *store]) == 0
    assert main(["round", "templates", "2025", "--output", str(tmp_path / "out"), *store]) == 0
    files = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert files == ["alpha-metals-2025.xlsx", "beta-energy-2025.xlsx"]
    sheet = load_workbook(tmp_path / "out" / "alpha-metals-2025.xlsx").worksheets[0]
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=True))
    assert (row["identifier"], row["quantity"], row["reference_year"]) == ("alpha-slag", 1001, 2024)
    # filled in and loaded for the new year, it becomes the next version of the stream
    assert main(["load", str(tmp_path / "out" / "alpha-metals-2025.xlsx"), "--year", "2025",
                 *store]) == 0  # fmt: skip
