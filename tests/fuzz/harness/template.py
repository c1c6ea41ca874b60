#!/usr/bin/env python3
"""atheris over the template reader (CSV and XLSX bytes), then the row mapper.

Run from the checkout (crash files go to tests/fuzz/crashes/template/)::

    python tests/fuzz/harness/template.py -max_total_time=300 -timeout=10 \
        -artifact_prefix=tests/fuzz/crashes/template/ tests/fuzz/corpus/template/
"""

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

with atheris.instrument_imports(include=["catalogue"]):
    from tests.fuzz import targets

if __name__ == "__main__":
    atheris.Setup(sys.argv, targets.template)
    atheris.Fuzz()
