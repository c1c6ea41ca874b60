"""``GET /match`` answers what ``sidestream match --json`` prints, for the same caller."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogue.cli import main
from tests.api.conftest import LiveServer


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo loaded by the command line into a second store (the server holds the first)."""
    path = tmp_path_factory.mktemp("cli") / "store"
    assert main(["load", "--demo", "--store", str(path), "--by", "demo"]) == 0
    return path


@pytest.mark.parametrize(
    ("parameter", "value", "option"),
    [
        ("demand", "lindum-sor-neutralising-agent", "--demand"),
        ("supply", "celsa-mo-i-rana-ladle-slag", "--supply"),
        ("element", "Dy", "--element"),
    ],
)
def test_http_and_cli_give_the_same_results(
    demo_server: LiveServer,
    cli_store: Path,
    capsys: pytest.CaptureFixture[str],
    parameter: str,
    value: str,
    option: str,
) -> None:
    with demo_server.client() as client:
        answer = client.get("/match", params={parameter: value, "top": 5})
    assert answer.status_code == 200
    assert main(["match", option, value, "--top", "5", "--json", "--store", str(cli_store)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert answer.json() == printed
    assert answer.json(), "the demo has an answer for each direction"


def test_unknown_demand_is_404_and_two_directions_are_400(demo_server: LiveServer) -> None:
    with demo_server.client() as client:
        missing = client.get("/match", params={"demand": "no-such-demand"})
        both = client.get("/match", params={"demand": "a", "supply": "b"})
        unknown_element = client.get("/match", params={"element": "unobtainium"})
    assert missing.status_code == 404
    assert "no demand with identifier no-such-demand" in missing.json()["error"]
    assert both.status_code == 400
    assert unknown_element.status_code == 400
