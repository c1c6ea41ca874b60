"""Seeded synthetic catalogues in the template's format, for benchmarks.

``python bench/datasets.py --streams 10000 --seed 1 --output catalogue.csv``

The rows look like the real ones: supplies of the ontology's material classes in
the units their physical state allows, with ranges, oxide or element compositions,
List-of-Waste codes where the material has a typical one, coordinates across
Europe, 85 % supplies and 15 % demands, 80 % public. The same seed gives the same
file, so runs can be compared.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

from catalogue.ingest.columns import NAMES
from catalogue.ontology import load_store

COUNTRIES = {
    "NO": (58.0, 70.0, 5.0, 30.0), "SE": (55.5, 68.0, 11.5, 23.0), "FI": (60.0, 69.0, 21.0, 30.0),
    "DK": (54.8, 57.6, 8.2, 12.6), "DE": (47.5, 54.8, 6.0, 14.8), "PL": (49.2, 54.6, 14.2, 24.0),
    "FR": (43.0, 50.9, -1.5, 7.5), "ES": (36.5, 43.5, -8.5, 3.0), "IT": (38.0, 46.5, 7.0, 18.0),
    "NL": (51.3, 53.4, 3.5, 7.1), "BE": (49.6, 51.4, 2.6, 6.3), "AT": (46.5, 48.9, 9.6, 17.0),
}  # fmt: skip
OXIDES = ["CaO", "SiO2", "Al2O3", "Fe2O3", "MgO", "MnO", "TiO2", "V2O5", "Cr2O3", "P2O5"]
TRACE = ["Ga", "Ge", "Nd", "Dy", "Co", "Ni", "Li", "Sc", "Pt", "Pd", "Zn", "Cu", "Cd", "Pb"]
MATERIAL_QUERY = """
PREFIX ss: <https://w3id.org/sidestream/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?state ?code WHERE {
  ?class rdfs:subClassOf+ ss:Resource ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
  OPTIONAL { ?class rdfs:subClassOf*/ss:typicalState ?stateIri .
             BIND(STRAFTER(STR(?stateIri), "/state/") AS ?state) }
  OPTIONAL { ?class ss:typicalWasteCode ?codeIri .
             ?codeIri <http://www.w3.org/2004/02/skos/core#notation> ?code }
}
"""
UNITS = {"solid": ["t/a", "kt/a"], "sludge": ["t/a", "m3/a"], "liquid": ["m3/a", "t/a"],
         "gas": ["t/a", "Nm3/a"], "heat": ["GWh/a", "MWh/a"], "electricity": ["GWh/a"]}  # fmt: skip


def materials() -> list[tuple[str, str, str]]:
    """(English label, typical state, one typical List-of-Waste notation or '')."""
    found: dict[str, tuple[str, str]] = {}
    for row in load_store().query(MATERIAL_QUERY):
        label = row["label"].value
        state = row["state"].value if row["state"] is not None else ""
        code = row["code"].value if row["code"] is not None else ""
        old_state, old_code = found.get(label, ("", ""))
        found[label] = (old_state or state, old_code or code)
    return sorted((label, state or "solid", code) for label, (state, code) in found.items())


def rows(count: int, seed: int) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    catalogue = materials()
    for index in range(count):
        label, state, code = rng.choice(catalogue)
        country = rng.choice(list(COUNTRIES))
        lat_min, lat_max, lon_min, lon_max = COUNTRIES[country]
        kind = "demand" if rng.random() < 0.15 else "supply"
        quantity = round(rng.lognormvariate(8, 2), 1)
        unit = rng.choice(UNITS.get(state, ["t/a"]))
        row = {
            "identifier": f"synthetic-{seed}-{index:07d}",
            "kind": kind,
            "name": f"{label} {index}",
            "organisation": f"Company {rng.randrange(count // 5 + 1)}",
            "site": f"Plant {rng.randrange(3)}",
            "country": country,
            "latitude": f"{rng.uniform(lat_min, lat_max):.4f}",
            "longitude": f"{rng.uniform(lon_min, lon_max):.4f}",
            "material": label,
            "state": state,
            "quantity": str(quantity),
            "unit": unit,
            "reference_year": str(rng.randint(2018, 2025)),
            "confidentiality": rng.choices(["public", "restricted", "confidential"], [80, 15, 5])[
                0
            ],
            "source": "synthetic benchmark data",
        }
        if rng.random() < 0.5:
            row["quantity_min"] = str(round(quantity * 0.8, 1))
            row["quantity_max"] = str(round(quantity * 1.2, 1))
            row["approximate"] = "yes"
        if kind == "supply":
            row["status"] = rng.choice(["waste", "by-product"])
            if row["status"] == "waste" and code:
                row["ewc"] = code
                row["hazardous"] = "yes" if code.endswith("*") else "no"
            if state in ("solid", "sludge") and rng.random() < 0.7:
                oxides = rng.sample(OXIDES, 3)
                shares = [rng.uniform(1, 25) for _ in oxides]
                parts = [f"{o}={s:.2f} %" for o, s in zip(oxides, shares, strict=True)]
                parts.append(f"{rng.choice(TRACE)}={rng.uniform(5, 900):.0f} mg/kg")
                row["composition"] = "; ".join(parts)
        yield row


def write(path: Path, count: int, seed: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(NAMES))
        writer.writeheader()
        writer.writerows(rows(count, seed))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    print(write(args.output, args.streams, args.seed))


if __name__ == "__main__":
    main()
