#!/usr/bin/env python3
"""The bots' confidence on archives smaller than the one it was fitted on: SOFA Weekly's posts, cut down.

    python scripts/eval_small_archives.py                       # four cuts: 20% of the posts three times, 35% once
    python scripts/eval_small_archives.py --shares 0.2,0.5 --seeds 1,2 --index /tmp/sofa   # an index of the whole corpus

A new community starts with a few dozen threads, while the confidence model (`qa_archive/confidence.json`) was
fitted on SOFA Weekly's 414. Each cut is a random share of the SOFA posts that hold Q&A, copied into a temp tree
and ingested as a user does (with the model's vectors); every labelled question of `scripts/eval_similar.py` is then
asked of it. A paraphrase whose thread is in the cut should be answered confidently; one whose thread was left out
is now an on-topic question that nothing in the archive answers, like a near miss, and should not be; near-miss and
off-topic questions stay what they were. Prints, per cut: top-1 and top-1-and-confident of the paraphrases still
answerable, and the share answered confidently of those left without their thread, of near-misses and of off-topic
questions. Nothing here is fitted.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import eval_similar  # noqa: E402

from qa_archive import confidence, embed, similar  # noqa: E402
from qa_archive.archive import Archive  # noqa: E402

KINDS = ("absent", "near_miss", "off_topic")


def cut(corpus: Path, sources: list[str], share: float, seed: int, tree: Path) -> int:
    """Copy a random `share` of the posts holding Q&A (by their folders) into `tree`; how many posts."""
    picked = random.Random(seed).sample(sources, round(share * len(sources)))
    for s in picked:
        shutil.copytree(corpus / Path(s).parent, tree / Path(s).parent, dirs_exist_ok=True)
    return len(picked)


def measure(index: Path, args, whole: list[dict]) -> dict:
    """The shipped model's figures on a cut archive; `whole`: every thread of the uncut archive."""
    ns = argparse.Namespace(index=str(index), optech=None, shared=args.shared, model=embed.DEFAULT_MODEL,
                            cache=args.cache, folds=5, method="mix", weight=similar.SEM_WEIGHT)
    gen, recs = eval_similar.build_one(Archive(index), questions_with_the_absent(whole), ns, embed.DEFAULT_MODEL)
    model = confidence.models()["semantic"]
    rows = []
    for r in recs:
        order = eval_similar.rank(r, "mix", ns.weight)
        if not order:
            continue
        feats, _ = similar.top_features(gen, r["q"]["text"], r["found"], order)
        rows.append((r["q"]["kind"], order[0]["id"] in r["q"]["targets"], model.probability(feats) >= model.threshold))
    kinds = np.array([k for k, _, _ in rows])
    right, sure = np.array([ok for _, ok, _ in rows]), np.array([c for _, _, c in rows])
    para = kinds == "paraphrase"
    return {"entries": gen.count, "paraphrases": int(para.sum()), "top1": float(right[para].mean()),
            "top1_confident": float((right & sure)[para].mean()),
            **{k: (float(sure[kinds == k].mean()), int((kinds == k).sum())) for k in KINDS if (kinds == k).any()}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--shares", default="0.2,0.2,0.2,0.35", help="the share of posts in each cut")
    ap.add_argument("--seeds", default="1,2,3,4", help="one random seed per cut")
    ap.add_argument("--index", help="an index of the whole SOFA corpus, for its threads (default: ingest one)")
    ap.add_argument("--cache", default="/tmp/qa-archive-eval")
    args = ap.parse_args(argv)
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source
    from qa_archive.projects import Registry
    corpus = Path(args.shared) / "corpus" / "sofastack.tech"
    with tempfile.TemporaryDirectory() as tmp:
        whole_index = Path(args.index) if args.index else Path(tmp) / "whole"
        if not args.index:
            ingest([Source(corpus)], whole_index, Registry.load())
        gen = Archive(whole_index).current()
        threads = [gen.docs[i] for i in sorted(gen.docs)]
        sources = sorted({t["source"] for t in threads})
        print("cut        posts entries  paraphrases  top-1  top-1&conf   left without their thread   near-miss"
              "      off-topic   (answered confidently)")
        shares, seeds = [float(s) for s in args.shares.split(",")], [int(s) for s in args.seeds.split(",")]
        for share, seed in zip(shares, seeds, strict=True):
            tree, index = Path(tmp) / f"tree{seed}", Path(tmp) / f"index{seed}"
            posts = cut(corpus, sources, share, seed, tree)
            ingest([Source(tree)], index, Registry.load(), vectors="wait")
            m = measure(index, args, threads)
            cells = "  ".join(f"{m[k][0]:.3f} ({m[k][1]:>3})" if k in m else "-" for k in KINDS)
            print(f"{share:.0%} s{seed:<4}{posts:>6}{m['entries']:>8}{m['paraphrases']:>13}{m['top1']:>7.3f}"
                  f"{m['top1_confident']:>12.3f}   {cells}")
    return 0


def questions_with_the_absent(whole: list[dict]):
    """eval_similar's question loader for a cut archive, keeping a paraphrase whose thread was cut out as kind
    "absent" (the loader drops it): the on-topic question the cut archive cannot answer."""
    def load(shared, threads):
        kept = eval_similar.load_questions(shared, threads)
        texts = {q["text"] for q in kept}
        return kept + [{"text": q["text"], "kind": "absent", "targets": set(), "set": q["set"]}
                       for q in eval_similar.load_questions(shared, whole)
                       if q["kind"] == "paraphrase" and q["text"] not in texts]
    return load


if __name__ == "__main__":
    sys.exit(main())
