#!/usr/bin/env python3
"""Calibrate the `confident` threshold of similar-question matching on labelled questions.

Positives: paraphrased questions whose prior thread is known (ours in data/eval/similar.json, plus the
scorecard's paraphrases in ../shared/gold). Negatives: questions the archive does not answer (ours).
It uses each top hit's `confidence` (its score plus its margin over the runner-up). For each threshold it prints the share of positives answered correctly *and* confidently, and the share of
negatives answered confidently; it picks the lowest threshold whose negative rate stays within --max-false,
checked by two-fold cross-validation so the figure is not measured on the data it was fitted to.

    python scripts/calibrate_similar.py --index /tmp/corpus-index     # an index of ../shared/corpus
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa_archive.models import fold  # noqa: E402
from qa_archive.archive import Archive  # noqa: E402


def load(shared: Path):
    ours = json.loads((REPO / "data" / "eval" / "similar.json").read_text(encoding="utf-8"))
    positives = [(p["source"], p["asker"], p["text"], "ours") for p in ours["paraphrases"]]
    for f in sorted((shared / "gold").glob("*.json")):
        post = json.loads(f.read_text(encoding="utf-8"))
        for e in post["entries"]:
            para = (e.get("queries") or {}).get("paraphrase")
            if para:
                positives.append((post["path"], e.get("asker"), para, "gold", e["question"]))
    return positives, ours["questions"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--max-false", type=float, default=0.05, help="largest share of negatives answered confidently")
    a = ap.parse_args()
    archive = Archive(a.index)
    positives, negatives = load(Path(a.shared))
    pos = []          # (top score, top is right)
    for p in positives:
        source, asker, text = p[0], p[1], p[2]
        hits = archive.similar(text, limit=1)["hits"]
        top = hits[0] if hits else None
        right = bool(top and top["source"] == source and fold(top.get("asker") or "") == fold(asker or "")
                     and (p[3] == "ours" or fold(top["question"])[:20] == fold(p[4])[:20]))
        pos.append((top["confidence"] if top else 0.0, right))
    neg = [(archive.similar(q, limit=1)["hits"] or [{"confidence": 0.0}])[0]["confidence"] for q in negatives]

    def rates(t, P, N):
        return (sum(1 for s, r in P if r and s >= t) / max(len(P), 1), sum(1 for s in N if s >= t) / max(len(N), 1))

    def fit(P, N):
        for t in [x / 100 for x in range(20, 101)]:
            if rates(t, P, N)[1] <= a.max_false:
                return t
        return 1.0

    print(f"{len(pos)} positives (top-1 right: {sum(r for _, r in pos) / len(pos):.3f}), {len(neg)} negatives")
    print("threshold  right&confident  negatives-confident")
    for t in [x / 100 for x in range(20, 70, 5)]:
        r, f = rates(t, pos, neg)
        print(f"   {t:.2f}        {r:.3f}            {f:.3f}")
    rng = random.Random(7)
    idx_p, idx_n = list(range(len(pos))), list(range(len(neg)))
    rng.shuffle(idx_p)
    rng.shuffle(idx_n)
    halves = [(idx_p[::2], idx_n[::2]), (idx_p[1::2], idx_n[1::2])]
    for k, (fit_p, fit_n) in enumerate(halves):
        test_p, test_n = halves[1 - k]
        t = fit([pos[i] for i in fit_p], [neg[i] for i in fit_n])
        r, f = rates(t, [pos[i] for i in test_p], [neg[i] for i in test_n])
        print(f"fold {k}: fitted threshold {t:.2f}; held-out right&confident {r:.3f}, negatives confident {f:.3f}")
    t = fit(pos, neg)
    r, f = rates(t, pos, neg)
    print(f"chosen threshold (all data): {t:.2f}  right&confident {r:.3f}  negatives confident {f:.3f}")


if __name__ == "__main__":
    main()
