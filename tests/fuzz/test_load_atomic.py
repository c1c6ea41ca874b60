"""A load that fails leaves the store exactly as it was: every quad compared before and
after, on a real embedded store, with a valid file and a broken one in the same load."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.settings import ServiceSettings
from catalogue.errors import SidestreamError, SubmissionRejected
from catalogue.publish import load_files
from catalogue.store import CatalogueStore, opened_store
from tests.fuzz import targets

VALID = """identifier,kind,name,organisation,material,quantity,unit,composition
{id}-slag,supply,Slag {id},Fuzz Works,steelmaking slag,1200,t/a,V=1.5 %; Fe=20-30 %
{id}-need,demand,Vanadium {id},Fuzz Works,vanadium,10,t/a,V>=1 %
"""
_names = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CatalogueStore, Path]]:
    """A store already holding one submission, so a failed load has something to spoil."""
    folder = tmp_path_factory.mktemp("atomic")
    first = folder / "first.csv"
    first.write_text(VALID.format(id="first"), encoding="utf-8")
    settings = ServiceSettings(store=folder / "store")
    with opened_store(settings) as opened:
        load_files([first], opened, settings, publisher="Fuzz Works")
        yield opened, folder


def _snapshot(store: CatalogueStore) -> set[str]:
    return {str(quad) for quad in store.quads()}


@st.composite
def broken_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A seed template or RDF document with slices cut or replaced by noise."""
    suffix, content = draw(
        st.sampled_from(
            [(".csv", VALID.format(id="broken").encode())]
            + [(path.suffix, path.read_bytes()[1:]) for path in targets.corpus("rdf").iterdir()]
        )
    )
    data = bytearray(content)
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, max(0, len(data) - 1)))
        end = draw(st.integers(start, min(len(data), start + 30)))
        data[start:end] = draw(st.binary(max_size=6) | st.sampled_from([b",", b'"', b";", b"<"]))
    return suffix, bytes(data)


@settings(max_examples=12, deadline=None)
@given(broken=broken_files(), valid_first=st.booleans())
def test_a_failed_load_leaves_every_quad_as_it_was(
    broken: tuple[str, bytes], valid_first: bool, store: tuple[CatalogueStore, Path]
) -> None:
    opened, folder = store
    number = next(_names)
    valid = folder / f"valid-{number}.csv"
    valid.write_text(VALID.format(id=f"v{number}"), encoding="utf-8")
    suffix, content = broken
    bad = folder / f"broken-{number}{suffix}"
    bad.write_bytes(content)
    paths = [valid, bad] if valid_first else [bad, valid]
    before = _snapshot(opened)
    settings_ = ServiceSettings(store=folder / "store")
    try:
        load_files(paths, opened, settings_, publisher="Fuzz Works")
    except SubmissionRejected as rejected:
        assert not rejected.report.conforms
        assert _snapshot(opened) == before, "a rejected load changed the store"
    except SidestreamError:
        assert _snapshot(opened) == before, "a failed load changed the store"


def test_a_valid_file_beside_a_broken_one_is_not_stored_either(
    store: tuple[CatalogueStore, Path],
) -> None:
    opened, folder = store
    valid = folder / "beside.csv"
    valid.write_text(VALID.format(id="beside"), encoding="utf-8")
    broken = folder / "beside-broken.ttl"
    broken.write_text("<a> <b> ", encoding="utf-8")
    before = _snapshot(opened)
    with pytest.raises(SubmissionRejected) as rejected:
        load_files([valid, broken], opened, ServiceSettings(store=folder / "store"), publisher="F")
    assert any(problem.file == "beside-broken.ttl" for problem in rejected.value.report.problems)
    assert _snapshot(opened) == before
    assert before, "the store held the first submission"
