"""Harvesting a foreign DCAT-AP catalogue (static files on loopback) into a real store:
what is kept, with what provenance, what is rejected, what a refresh writes, and what a
hostile or broken source leaves (nothing)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from catalogue.access import ADMINISTRATOR, ANONYMOUS, view_for
from catalogue.config import Settings
from catalogue.export import export
from catalogue.federation.harvest import harvest, recorded
from catalogue.federation.identity import SAME_AS, links_graph
from catalogue.federation.match import federated_element_match
from catalogue.federation.sources import AllowList, FederationError, Source, source
from catalogue.matching.crm import match_element
from catalogue.publish import load_files
from catalogue.store.oxigraph import OxigraphStore
from tests.backends import Backend
from tests.federation.conftest import BASE_A, BASE_B, BASE_HUB, REGION_A, REGION_B, static_site
from tests.oxigraph_server import start_oxigraph

ORG_IDENTIFIER = "http://www.w3.org/ns/org#identifier"
DCAT = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<catalog.ttl> a dcat:Catalog ; dcat:dataset <#streams> , <#other> .
<#streams> a dcat:Dataset ;
  dct:conformsTo <https://w3id.org/sidestream/ontology> ;
  dcat:distribution <#page> , <#dump> .
<#page> a dcat:Distribution ; dcat:accessURL <index.html> ;
  dcat:mediaType <http://www.iana.org/assignments/media-types/text/html> .
<#dump> a dcat:Distribution ; dcat:downloadURL <DUMP> ;
  dct:format <http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE> .
<#other> a dcat:Dataset ; dcat:distribution [ dcat:downloadURL <other.nt> ;
  dcat:mediaType <http://www.iana.org/assignments/media-types/application/n-triples> ] .
"""


def dump_of(folder: Path, base: str, *files: Path) -> bytes:
    """A catalogue under ``base`` holding ``files``, exported in Turtle as an administrator
    sees it: a careless source publishing its confidential streams too."""
    settings = Settings(store=folder / "unused", data_base=base)
    store = OxigraphStore()
    load_files(list(files), store, settings, publisher="test")
    output = io.BytesIO()
    export(store, settings, output, fmt="ttl", caller=ADMINISTRATOR)
    return output.getvalue()


@pytest.fixture
def foreign(tmp_path: Path) -> Iterator[tuple[Path, Source]]:
    """A foreign catalogue (region A's streams) as static files: catalog.ttl and dump.ttl."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "dump.ttl").write_bytes(dump_of(tmp_path, BASE_A, REGION_A))
    (site / "catalog.ttl").write_text(DCAT.replace("DUMP", "dump.ttl"))
    with static_site(site) as url:
        yield site, source(url + "/catalog.ttl")


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[OxigraphStore, Settings]]:
    store = OxigraphStore(tmp_path / "hub")
    yield store, Settings(store=tmp_path / "hub", data_base=BASE_HUB)
    store.close()


def everything(store: OxigraphStore) -> set[Quad]:
    return set(store.quads())


def test_harvest_keeps_public_streams_with_their_iris_provenance_and_inferences(
    foreign: tuple[Path, Source], hub: tuple[OxigraphStore, Settings]
) -> None:
    _, remote = foreign
    store, settings = hub
    result = harvest(store, settings, remote, AllowList.of([remote]))
    assert (result.status, result.streams, result.not_public) == ("harvested", 2, 1)
    assert result.distribution.endswith("/dump.ttl")  # Turtle by dct:format, not the page
    graph = NamedNode(BASE_HUB + "harvest/" + remote.slug)
    stream = NamedNode(BASE_A + "stream/a-red-mud")
    assert any(store.quads(graph)) and Quad(
        stream, NamedNode("http://purl.org/dc/terms/identifier"), Literal("a-red-mud"), graph
    ) in everything(store)
    record = recorded(store, settings)[graph.value]
    assert record["source"] == remote.url
    assert record["checksum"].startswith("sha256:") and record["streams"] == "2"
    # public by definition: anonymous callers see it, and matching finds it (inferences)
    assert graph in (view_for(store, ANONYMOUS).graphs or ())
    found = {r.identifier: r.score for r in match_element(store, "Ga")}
    assert found == {"a-red-mud": 1.0, "odda-zinc-residue": 0.5556}
    # the confidential stream the source published is not taken
    assert not any(q.subject.value.startswith(BASE_A + "stream/a-secret") for q in store.quads())


def test_refresh_of_an_unchanged_source_writes_nothing(
    foreign: tuple[Path, Source], hub: tuple[OxigraphStore, Settings]
) -> None:
    _, remote = foreign
    store, settings = hub
    allow = AllowList.of([remote])
    harvest(store, settings, remote, allow)
    before = everything(store)
    again = harvest(store, settings, remote, allow)
    assert again.status == "unchanged"
    assert everything(store) == before


def test_a_changed_source_replaces_its_graph(
    tmp_path: Path, foreign: tuple[Path, Source], hub: tuple[OxigraphStore, Settings]
) -> None:
    site, remote = foreign
    store, settings = hub
    allow = AllowList.of([remote])
    harvest(store, settings, remote, allow)
    (site / "dump.ttl").write_bytes(dump_of(tmp_path / "b", BASE_A, REGION_B))
    # region B's rows under region A's base: odda stays (other name), red mud goes
    result = harvest(store, settings, remote, allow)
    assert (result.status, result.streams) == ("refreshed", 2)
    found = {r.identifier for r in match_element(store, "Ga")}
    assert found == {"odda-zinc-residue", "b-bauxite-residue"}
    assert len(recorded(store, settings)) == 1


def test_a_stream_breaking_a_shape_is_rejected_whole_and_the_rest_loads(
    foreign: tuple[Path, Source], hub: tuple[OxigraphStore, Settings]
) -> None:
    site, remote = foreign
    store, settings = hub
    text = (site / "dump.ttl").read_text()
    # a mass fraction of 20 (2,000 %) in the red mud's composition
    broken = text.replace("0.42", "20", 1)
    assert broken != text
    (site / "dump.ttl").write_text(broken)
    result = harvest(store, settings, remote, AllowList.of([remote]))
    assert [r.stream for r in result.rejected] == [BASE_A + "stream/a-red-mud"]
    assert "composition" in result.rejected[0].reason["en"]
    assert result.rejected[0].reason["nb"] != result.rejected[0].reason["en"]
    assert {r.identifier for r in match_element(store, "Ga")} == {"odda-zinc-residue"}
    assert not any(q.subject.value.startswith(BASE_A + "stream/a-red-mud") for q in store.quads())


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("too-large", "bytes"),
        ("not-rdf", "not readable RDF"),
        ("elsewhere", "not on the allow-list"),
        ("no-dump", "no RDF distribution and no SPARQL endpoint"),
        ("own-namespace", r"no public stream to harvest \(2 rejected\)"),
    ],
)
def test_a_hostile_or_broken_source_leaves_the_store_unchanged(
    tmp_path: Path,
    foreign: tuple[Path, Source],
    hub: tuple[OxigraphStore, Settings],
    damage: str,
    message: str,
) -> None:
    site, remote = foreign
    store, settings = hub
    load_files([REGION_B], store, settings, publisher="hub")
    before = everything(store)
    if damage == "too-large":
        settings = settings.model_copy(update={"harvest_max_bytes": 2_000})
    elif damage == "not-rdf":
        (site / "dump.ttl").write_text("<html><body>Not found</body></html>")
    elif damage == "elsewhere":
        (site / "catalog.ttl").write_text(DCAT.replace("DUMP", "http://127.0.0.1:9/dump.ttl"))
    elif damage == "no-dump":
        (site / "catalog.ttl").write_text(DCAT.replace("dcat:downloadURL <DUMP>", ""))
    elif damage == "own-namespace":  # streams claiming IRIs of the hub itself
        (site / "dump.ttl").write_bytes(dump_of(tmp_path, BASE_HUB, REGION_A))
    with pytest.raises(FederationError, match=message):
        harvest(store, settings, remote, AllowList.of([remote]))
    assert everything(store) == before


def test_a_catalogue_without_a_dump_is_read_from_its_sparql_endpoint(
    tmp_path: Path, hub: tuple[OxigraphStore, Settings]
) -> None:
    store, settings = hub
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "oxigraph").mkdir()
    with start_oxigraph(tmp_path / "oxigraph") as server, static_site(site) as url:
        # in the endpoint's default graph, which a query without a dataset reads
        server.store().add_quads(
            parse(dump_of(tmp_path, BASE_A, REGION_A), format=RdfFormat.TURTLE)
        )
        (site / "catalog.ttl").write_text(
            DCAT.replace("dcat:downloadURL <DUMP>", "").replace(
                "<#streams> a dcat:Dataset ;",
                f"<#streams> a dcat:Dataset ; <http://rdfs.org/ns/void#sparqlEndpoint> "
                f"<{server.query}> ;",
            )
        )
        remote = source(url + "/catalog.ttl")
        with pytest.raises(FederationError, match="not on the allow-list"):
            harvest(store, settings, remote, AllowList.of([remote]))
        endpoint = source(server.query)
        result = harvest(store, settings, remote, AllowList.of([remote, endpoint]))
    assert (result.status, result.streams, result.distribution) == ("harvested", 2, server.query)
    assert {r.identifier for r in match_element(store, "Ga")} == {"a-red-mud", "odda-zinc-residue"}


def test_organisations_and_sites_of_two_catalogues_are_linked(
    foreign: tuple[Path, Source], hub: tuple[OxigraphStore, Settings]
) -> None:
    """The hub's own Odda stream (region B's rows: "Nordic Gallium A/S", "Odda works")
    and the harvested one (region A's: "Nordic Gallium AS", "Odda", 200 m away)."""
    _, remote = foreign
    store, settings = hub
    load_files([REGION_B], store, settings, publisher="hub")
    result = harvest(store, settings, remote, AllowList.of([remote]))
    graph = links_graph(NamedNode(BASE_HUB + "harvest/" + remote.slug))
    links = {(q.subject.value, q.object.value) for q in store.quads(graph)}
    assert links == {
        (BASE_A + "organisation/nordic-gallium-as", BASE_HUB + "organisation/nordic-gallium-a-s"),
        (BASE_A + "site/nordic-gallium-as/odda", BASE_HUB + "site/nordic-gallium-a-s/odda-works"),
    }
    assert result.links == 2
    assert all(q.predicate == SAME_AS for q in store.quads(graph))
    assert graph in (view_for(store, ANONYMOUS).graphs or ())


def test_harvest_refresh_and_federated_match_on_every_backend(
    tmp_path: Path, foreign: tuple[Path, Source], backend: Backend
) -> None:
    """The same harvest on the embedded store, Oxigraph server and Virtuoso: written,
    unchanged on refresh, replaced when the source changes, and matched by source."""
    site, remote = foreign
    settings = backend.settings.model_copy(update={"data_base": BASE_HUB})
    allow = AllowList.of([remote])
    with backend.opened() as store:
        load_files([REGION_B], store, settings, publisher="hub")
        assert harvest(store, settings, remote, allow).status == "harvested"
        assert harvest(store, settings, remote, allow).status == "unchanged"
        answer = federated_element_match(store, settings, "Ga")
        assert answer.warnings == []
        assert [(r["identifier"], r["source"], r.get("also_in")) for r in answer.results] == [
            ("b-bauxite-residue", "local", None),
            ("a-red-mud", remote.url, None),
            ("odda-zinc-residue", "local", [remote.url]),
        ]
        (site / "dump.ttl").write_bytes(dump_of(tmp_path / "b", BASE_A, REGION_B))
        assert harvest(store, settings, remote, allow).status == "refreshed"
        answer = federated_element_match(store, settings, "Ga")
        assert [(r["identifier"], r["source"]) for r in answer.results] == [
            ("b-bauxite-residue", "local"),
            ("odda-zinc-residue", "local"),
        ]
        assert len(recorded(store, settings)) == 1


def test_the_same_streams_harvested_by_two_paths_count_once(
    tmp_path: Path, foreign: tuple[Path, Source], hub: tuple[OxigraphStore, Settings]
) -> None:
    """A second catalogue re-publishing the first one's dump (same IRIs): the second
    harvest leaves out what the first holds, so each stream is stored and matched once."""
    site, remote = foreign
    store, settings = hub
    mirror_site = tmp_path / "mirror"
    mirror_site.mkdir()
    for name in ("dump.ttl", "catalog.ttl"):
        (mirror_site / name).write_bytes((site / name).read_bytes())
    with static_site(mirror_site) as url:
        mirror = source(url + "/catalog.ttl")
        harvest(store, settings, remote, AllowList.of([remote]))
        again = harvest(store, settings, mirror, AllowList.of([mirror]))
    assert (again.status, again.streams, again.elsewhere) == ("harvested", 0, 2)
    assert len(recorded(store, settings)) == 2
    plain = [r.identifier for r in match_element(store, "Ga")]
    assert plain == ["a-red-mud", "odda-zinc-residue"]
    federated = federated_element_match(store, settings, "Ga").results
    assert [(r["identifier"], r["source"]) for r in federated] == [
        ("a-red-mud", remote.url),
        ("odda-zinc-residue", remote.url),
    ]


def test_registry_numbers_link_organisations_and_overrule_names(
    tmp_path: Path, foreign: tuple[Path, Source], hub: tuple[OxigraphStore, Settings]
) -> None:
    """org:identifier decides when both sides give one: the same number links differently
    named organisations; different numbers keep equally named ones apart."""
    site, remote = foreign
    store, settings = hub

    def number(base: str, organisation: str, value: str) -> str:
        return f'\n<{base}organisation/{organisation}> <{ORG_IDENTIFIER}> "{value}" .\n'

    with (site / "dump.ttl").open("a") as dump:
        dump.write(number(BASE_A, "alu-west-as", "987 654 321"))
        dump.write(number(BASE_A, "nordic-gallium-as", "222"))
    other_site = tmp_path / "other"
    other_site.mkdir()
    (other_site / "dump.ttl").write_bytes(
        dump_of(tmp_path / "b", BASE_B, REGION_B)
        + number(BASE_B, "metals-sverige-ab", "987654321").encode()
        + number(BASE_B, "nordic-gallium-a-s", "111").encode()
    )
    (other_site / "catalog.ttl").write_text(DCAT.replace("DUMP", "dump.ttl"))
    harvest(store, settings, remote, AllowList.of([remote]))
    with static_site(other_site) as url:
        other = source(url + "/catalog.ttl")
        result = harvest(store, settings, other, AllowList.of([other]))
    links = {
        (q.subject.value, q.object.value)
        for q in store.quads(links_graph(NamedNode(BASE_HUB + "harvest/" + other.slug)))
    }
    assert links == {
        (BASE_B + "organisation/metals-sverige-ab", BASE_A + "organisation/alu-west-as")
    }
    assert result.links == 1
