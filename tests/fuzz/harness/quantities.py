#!/usr/bin/env python3
"""atheris over the composition, formula, number, unit, year and yes/no parsers.

Run from the checkout (crash files go to tests/fuzz/crashes/quantities/)::

    python tests/fuzz/harness/quantities.py -max_total_time=300 -timeout=10 \
        -artifact_prefix=tests/fuzz/crashes/quantities/ tests/fuzz/corpus/quantities/
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

with atheris.instrument_imports(include=["catalogue"]):
    from tests.fuzz import targets

if __name__ == "__main__":
    atheris.Setup(sys.argv, targets.quantities)
    atheris.Fuzz()
