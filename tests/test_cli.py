"""The ``sidestream`` command as a user runs it: from PATH, in a fresh process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from rdflib import Graph


def run(*args: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("sidestream")
    assert executable, "`sidestream` is not on PATH: the README's install did not provide it"
    return subprocess.run(
        [executable, *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_sidestream_prints_help_and_ontology_statistics():
    result = run()
    assert result.returncode == 0, result.stderr
    assert "usage: sidestream" in result.stdout
    assert "ontology loaded:" in result.stdout
    assert "List of Waste codes" in result.stdout
    assert "842" in result.stdout


def test_stats_json_counts_match_the_vocabularies():
    result = run("ontology", "stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["elements"] == 118
    assert stats["crm2023"] == 34
    assert stats["srm2023"] == 17
    assert stats["wasteCodes"] == 842
    assert stats["hazardousWasteCodes"] == 408
    assert stats["resourceClasses"] >= 150
    assert stats["technologies"] >= 30


def test_export_writes_a_graph_that_parses_back(tmp_path):
    output = tmp_path / "merged.nt"
    result = run("ontology", "export", "--format", "nt", "--output", str(output))
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(output, format="nt")
    assert len(graph) > 10_000


def test_unknown_command_is_a_usage_error():
    result = run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr


def test_module_entry_point_matches_the_console_script():
    result = subprocess.run(
        [sys.executable, "-m", "catalogue.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("sidestream ")
