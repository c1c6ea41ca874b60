#!/usr/bin/env python3
"""atheris over the template reader (CSV and XLSX bytes), then the row mapper.

Run from the checkout (crash files go to tests/fuzz/crashes/template/)::

    python tests/fuzz/harness/template.py -max_total_time=300 -timeout=10 \
        -artifact_prefix=tests/fuzz/crashes/template/ tests/fuzz/corpus/template/
"""

from common import fuzz, targets

if __name__ == "__main__":
    fuzz(targets().template)
