#!/usr/bin/env python3
"""atheris over the RDF reader (Turtle, N-Triples, JSON-LD; RDF/XML refused), then the
stream mapper.

Run from the checkout (crash files go to tests/fuzz/crashes/rdf/)::

    python tests/fuzz/harness/rdf.py -max_total_time=300 -timeout=10 \
        -artifact_prefix=tests/fuzz/crashes/rdf/ tests/fuzz/corpus/rdf/
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

with atheris.instrument_imports(include=["catalogue"]):
    from tests.fuzz import targets

if __name__ == "__main__":
    atheris.Setup(sys.argv, targets.rdf)
    atheris.Fuzz()
