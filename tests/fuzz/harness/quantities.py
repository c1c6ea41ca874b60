#!/usr/bin/env python3
"""atheris over the composition, formula, number, unit, year and yes/no parsers.

Run from the checkout (crash files go to tests/fuzz/crashes/quantities/)::

    python tests/fuzz/harness/quantities.py -max_total_time=300 -timeout=10 \
        -artifact_prefix=tests/fuzz/crashes/quantities/ tests/fuzz/corpus/quantities/
"""

from common import fuzz, targets

if __name__ == "__main__":
    fuzz(targets().quantities)
