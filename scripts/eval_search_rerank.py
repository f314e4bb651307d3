#!/usr/bin/env python3
"""Would re-ranking search's top candidates by meaning put the answer first? Measured, not yet wired in.

Keyword queries: the gold posts' `queries.keywords` and ours (data/eval/search.json). For each, `Archive.search`
returns its top 20; each hit gets `search score / best score + w * cosine(query, thread)` (the query embedded as
an e5 query; the thread's question and answer vectors from the generation). The weight w is chosen by 5-fold
cross-validation grouped by post; recall@1, recall@5 and MRR@10 are held-out figures.

    python scripts/eval_search_rerank.py --index /tmp/idx      # an index made by this version's ingest
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from eval_similar import folds  # noqa: E402

from qa_archive import embed, evaluation, similar  # noqa: E402
from qa_archive.archive import Archive  # noqa: E402

GRID = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args()
    archive = Archive(a.index)
    gen = archive.current()
    model = embed.get(embed.DEFAULT_MODEL)
    matrix, whole = similar.vectors(gen, model)
    golds = [g for g in evaluation.load_gold(Path(a.shared) / "gold") if g.queries.get("keywords")]
    golds += evaluation.load_queries(REPO / "data" / "eval" / "search.json")
    rows = []
    for g in golds:
        hits = archive.search(g.queries["keywords"], limit=20)["hits"]
        if not hits:
            rows.append((g, [], np.zeros(0), np.zeros(0)))
            continue
        q = model.encode([g.queries["keywords"]], "query")[0]
        nums = [gen.by_id[h["id"]] for h in hits]
        cos = matrix[nums] @ q
        sem = 0.5 * cos[:, 0] + 0.5 * (cos[:, 0] + cos[:, 1]) / whole[nums]
        lex = np.array([h["score"] or 0.0 for h in hits])
        rows.append((g, hits, lex / (lex.max() or 1.0), sem))

    def ranks(sel, w):
        out = []
        for g, hits, lex, sem in sel:
            order = np.argsort(-(lex + w * sem), kind="stable") if len(hits) else []
            out.append(evaluation.rank_of([hits[i] for i in order], g))
        return out

    fold_ids = folds([g.source for g, *_ in rows], a.folds)
    held: list = [None] * len(rows)
    chosen = []
    for f in range(a.folds):
        train = [r for r, fi in zip(rows, fold_ids, strict=True) if fi != f]
        w = max(GRID, key=lambda w: (evaluation.mrr(ranks(train, w)), evaluation.recall_at(ranks(train, w), 1)))
        chosen.append(w)
        for i, (r, fi) in enumerate(zip(rows, fold_ids, strict=True)):
            if fi == f:
                held[i] = ranks([r], w)[0]
    print(f"{len(rows)} keyword queries (gold + ours)")
    print("search as it is:            ", evaluation.summary(ranks(rows, 0.0)))
    print("re-ranked by meaning (CV):  ", evaluation.summary(held), "weights per fold", chosen)
    for w in GRID[1:]:
        print(f"  all queries, w={w}:", evaluation.summary(ranks(rows, w)))


if __name__ == "__main__":
    main()
