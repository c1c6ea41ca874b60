"""What the ontology must say: materials, applications, processes, technologies, alignments.

Each test asks the merged ontology (tests/conftest.py) a question a data steward,
facilitator or matcher will ask, so a missing or mislinked term fails here.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from catalogue.namespaces import SS
from catalogue.resources import ontology_dir


def subclasses(graph, root: URIRef) -> set[URIRef]:
    return {c for c in graph.transitive_subjects(RDFS.subClassOf, root) if c != root}


def by_label(graph, text: str, language: str = "en") -> set[URIRef]:
    """Terms whose label, preferred or alternative label is ``text`` (case-insensitive)."""
    wanted = text.casefold()
    return {
        subject
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel)
        for subject, label in graph.subject_objects(prop)
        if isinstance(label, Literal)
        and label.language == language
        and str(label).casefold() == wanted
    }


def test_at_least_150_material_and_energy_classes(merged_graph):
    assert len(subclasses(merged_graph, SS.Resource)) >= 150


def test_every_class_of_the_materials_module_reaches_resource(merged_graph):
    from rdflib import Graph

    module = Graph().parse(ontology_dir() / "modules" / "materials.ttl")
    declared = set(module.subjects(RDF.type, OWL.Class))
    under_resource = subclasses(merged_graph, SS.Resource)
    assert declared
    assert declared - under_resource == set()


@pytest.mark.parametrize(
    ("text", "language", "term"),
    [
        ("flyveaske", "nb", SS.FlyAsh),
        ("SiMn slag", "en", SS.SiMnSlag),
        ("SPL", "en", SS.SpentPotLining),
        ("silica fume", "en", SS.Microsilica),
        ("øseslagg", "nb", SS.LadleSlag),
        ("MOR-støv", "nb", SS.MORDust),
        ("bauxite residue", "en", SS.RedMud),
        ("overskuddsvarme", "nb", SS.SurplusHeat),
    ],
)
def test_stewards_words_name_the_right_class(merged_graph, text, language, term):
    assert term in by_label(merged_graph, text, language)


@pytest.mark.parametrize(
    ("term", "ancestor"),
    [
        (SS.SiMnSlag, SS.Slag),
        (SS.LadleSlag, SS.Slag),
        (SS.IncinerationFlyAsh, SS.Ash),
        (SS.Microsilica, SS.Dust),
        (SS.FGDGypsum, SS.Gypsum),
        (SS.FishSludge, SS.Sludge),
        (SS.BiogenicCO2, SS.Gas),
        (SS.HighTemperatureSurplusHeat, SS.Energy),
        (SS.Whey, SS.OrganicResidue),
        (SS.LithiumIonBattery, SS.SpentBattery),
    ],
)
def test_material_hierarchy(merged_graph, term, ancestor):
    assert ancestor in set(merged_graph.transitive_objects(term, RDFS.subClassOf))


@pytest.mark.parametrize(
    "label",
    [
        "supplementary cementitious material",
        "aggregate",
        "neutralising agent",
        "fertiliser",
        "soil improver",
        "animal feed",
        "fuel",
        "reductant",
        "coagulant",
        "filler",
        "heat source",
    ],
)
def test_required_applications_exist(merged_graph, label):
    found = by_label(merged_graph, label) & set(merged_graph.subjects(RDF.type, SS.Application))
    assert found, f"no application labelled {label!r}"


def qualifying_materials(graph, application_label: str) -> set[URIRef]:
    (application,) = by_label(graph, application_label) & set(
        graph.subjects(RDF.type, SS.Application)
    )
    return set(graph.subjects(SS.typicalApplication, application))


def test_neutralising_agent_finds_lime_mud_and_slag(merged_graph):
    materials = qualifying_materials(merged_graph, "neutralising agent")
    assert {SS.LadleSlag, SS.LimeMud} <= materials


def test_coagulant_and_cementitious_links(merged_graph):
    assert SS.IronSulphate in qualifying_materials(merged_graph, "coagulant")
    assert SS.Microsilica in qualifying_materials(
        merged_graph, "supplementary cementitious material"
    )


def test_every_application_is_linked_to_materials(merged_graph):
    applications = set(merged_graph.subjects(RDF.type, SS.Application))
    assert len(applications) >= 20
    linked = set(merged_graph.objects(None, SS.typicalApplication))
    # Broader applications (fertiliser) may be served only through their narrower ones.
    narrower_linked = {
        broader for a in linked for broader in merged_graph.transitive_objects(a, SKOS.broader)
    }
    assert applications - narrower_linked == set()


def test_application_criteria_are_well_formed(merged_graph):
    criteria = set(merged_graph.objects(None, SS.qualifyingCriterion))
    assert len(criteria) >= 5
    for criterion in criteria:
        about = set(merged_graph.objects(criterion, SS.element)) | set(
            merged_graph.objects(criterion, SS.formula)
        )
        assert len(about) == 1, criterion
        bounds = [
            float(v)
            for p in (SS.minimumMassFraction, SS.maximumMassFraction)
            for v in merged_graph.objects(criterion, p)
        ]
        assert bounds and all(0 <= b <= 1 for b in bounds), criterion


def test_processes_link_to_nace_classes_and_outputs(merged_graph):
    processes = set(merged_graph.subjects(RDF.type, SS.Process))
    assert len(processes) >= 30
    nace_classes = set(merged_graph.subjects(RDF.type, SS.EconomicActivity))
    resource_classes = subclasses(merged_graph, SS.Resource)
    with_nace = {
        p for p in processes if set(merged_graph.objects(p, SS.naceActivity)) & nace_classes
    }
    with_output = {
        p for p in processes if set(merged_graph.objects(p, SS.typicalOutput)) & resource_classes
    }
    # Umbrella processes (smelting) may have neither; the specific ones must have both.
    leaves = {p for p in processes if not set(merged_graph.subjects(SKOS.broader, p))}
    assert leaves - with_nace == set()
    assert leaves - with_output == set()


@pytest.mark.parametrize(
    ("label", "nace", "output"),
    [
        ("silicomanganese smelting", "24.10", SS.SiMnSlag),
        ("aluminium electrolysis", "24.42", SS.SpentPotLining),
        ("municipal waste incineration", "38.21", SS.IncinerationFlyAsh),
    ],
)
def test_named_processes(merged_graph, label, nace, output):
    (process,) = by_label(merged_graph, label) & set(merged_graph.subjects(RDF.type, SS.Process))
    codes = {
        str(code)
        for activity in merged_graph.objects(process, SS.naceActivity)
        for code in merged_graph.objects(activity, SKOS.notation)
    }
    assert nace in codes
    assert output in set(merged_graph.objects(process, SS.typicalOutput))


def test_at_least_30_technologies_each_with_source_trl_input_and_output(merged_graph):
    technologies = set(merged_graph.subjects(RDF.type, SS.Technology))
    assert len(technologies) >= 30
    for technology in technologies:
        assert set(merged_graph.objects(technology, URIRef("http://purl.org/dc/terms/source")))
        (trl,) = merged_graph.objects(technology, SS.technologyReadinessLevel)
        assert 1 <= int(trl) <= 9
        assert set(merged_graph.objects(technology, SS.typicalInput))
        outputs = set(merged_graph.objects(technology, SS.typicalOutput)) | set(
            merged_graph.objects(technology, SS.recoversElement)
        )
        assert outputs, technology


@pytest.mark.parametrize(
    ("input_class", "recovers"),
    [
        (SS.SpentPotLining, None),
        (SS.IncinerationFlyAsh, None),
        (SS.SteelmakingSlag, "V"),
        (SS.PhosphateRock, "Nd"),
        (SS.RejectWater, None),
        (SS.LithiumIonBattery, "Co"),
    ],
)
def test_recovery_routes_from_the_seed_reports(merged_graph, input_class, recovers):
    routes = {
        technology
        for technology, accepted in merged_graph.subject_objects(SS.typicalInput)
        # the technology accepts the class itself, one of its ancestors or descendants
        if input_class in set(merged_graph.transitive_objects(accepted, RDFS.subClassOf))
        or accepted in set(merged_graph.transitive_objects(input_class, RDFS.subClassOf))
    }
    routes &= set(merged_graph.subjects(RDF.type, SS.Technology))
    assert routes, f"no technology accepts {input_class}"
    if recovers:
        element = URIRef(f"https://w3id.org/sidestream/vocab/element/{recovers}")
        assert any((t, SS.recoversElement, element) in merged_graph for t in routes)


@pytest.mark.parametrize(
    "namespace",
    [
        "https://spec.industrialontologies.org/ontology/core/",
        "http://w3id.org/CEON/ontology/",  # CEON's terms are http:, its homepage https:
        "https://w3id.org/emmo",
    ],
)
def test_alignments_to_iof_ceon_emmo(merged_graph, namespace):
    targets = {
        o
        for p in (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.exactMatch, RDFS.seeAlso)
        for s, o in merged_graph.subject_objects(p)
        if str(s).startswith(str(SS))
    }
    assert any(str(t).startswith(namespace) for t in targets)
