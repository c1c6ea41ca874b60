#!/usr/bin/env python3
"""atheris over the RDF reader (Turtle, N-Triples, JSON-LD; RDF/XML refused), then the
stream mapper.

Run from the checkout (crash files go to tests/fuzz/crashes/rdf/)::

    python tests/fuzz/harness/rdf.py -max_total_time=300 -timeout=10 \
        -artifact_prefix=tests/fuzz/crashes/rdf/ tests/fuzz/corpus/rdf/
"""

from common import fuzz, targets

if __name__ == "__main__":
    fuzz(targets().rdf)
