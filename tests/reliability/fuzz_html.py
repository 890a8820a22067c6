"""Atheris harness for HTML extraction: crawler.extract.extract_article(page, url, headers=...).

    python tests/reliability/fuzz_html.py -runs=N        (or -max_total_time=S)

Crashes, timeouts and out-of-memory inputs are written to tests/reliability/corpus/html/ and
replayed by test_fuzz_corpus.py; see tests/reliability/fuzzing.py for the options.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.reliability.fuzzing import main

    main("html")
