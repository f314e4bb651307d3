#!/usr/bin/env python3
"""Where one query's time goes, on an index you already have (benchmark.py --profile builds its own):

    python scripts/profile_query.py --index index              # the gold and held-out queries + 150 new ones

Each stage of `Archive.search` is timed by a wrapper (inclusive CPU time per query), then cProfile lists the
functions that cost the most. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import print_profile, profile  # noqa: E402
from serverkit import REPO, keyword_queries, new_queries  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--queries", type=int, default=150, help="new two/three-word queries beside the gold ones")
    a = ap.parse_args()
    shared = Path(a.shared)
    queries = keyword_queries(shared)
    queries += new_queries(shared, a.queries, seed=11, exclude=set(queries))
    warm = new_queries(shared, 20, seed=99, exclude=set(queries))
    print_profile(profile(Path(a.index), queries, warm), top=20)


if __name__ == "__main__":
    main()
