"""Every corpus file and every crash file, through its target without atheris: the crash
files are the regression tests of what the fuzzers found."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.store import CatalogueStore
from tests.fuzz import targets


def _files(target: str) -> list[Path]:
    found = [
        path
        for folder in (targets.corpus(target), targets.crashes(target))
        if folder.is_dir()
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith(".")
    ]
    assert targets.corpus(target).is_dir(), f"no seed corpus for {target}"
    return found


def _cases(target: str) -> list[object]:
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in _files(target)]


@pytest.mark.parametrize("path", _cases("template"))
def test_template_corpus(path: Path) -> None:
    targets.template(path.read_bytes())


@pytest.mark.parametrize("path", _cases("quantities"))
def test_quantities_corpus(path: Path) -> None:
    targets.quantities(path.read_bytes())


@pytest.mark.parametrize("path", _cases("rdf"))
def test_rdf_corpus(path: Path) -> None:
    targets.rdf(path.read_bytes())


@pytest.mark.parametrize("path", _cases("match"))
def test_match_corpus(path: Path, demo_catalogue: CatalogueStore) -> None:
    targets.match(path.read_bytes(), demo_catalogue)


def test_every_target_has_a_harness_and_seeds() -> None:
    for target in targets.TARGETS:
        assert (targets.FUZZ / "harness" / f"{target}.py").is_file(), target
        assert any(targets.corpus(target).iterdir()), target
