#!/usr/bin/env python3
"""Search and the bots on another community's archive: a tree of posts and its question file, end to end.

    python scripts/eval_community.py                                   # data/eval/community-tidemq.json
    python scripts/eval_community.py --questions FILE --index DIR      # an index already built from its tree

The question file names its tree (`tree`, relative to the repository) and holds keyword queries and paraphrases
(each with the `source` and `question` of the thread that answers it), near-miss questions that no thread answers
and off-topic ones (`data/eval/community-tidemq.json`: a community nobody here had seen, written blind). The tree is
ingested as a user ingests it (with the model's vectors), and the archive is asked as `serve` asks it (the model
loaded, so search takes its meaning step): keyword recall@1 / @5 / MRR@10, paraphrases top-1, recall@3 and top-1 and
confident, and the share of near-miss and off-topic questions answered confidently. Nothing here is fitted: the
figures say how the confidence fitted on SOFA Weekly carries over to another archive.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa_archive.archive import Archive  # noqa: E402
from qa_archive.evaluation import Gold, rank_of, summary  # noqa: E402


def ingest_tree(tree: Path, index: Path) -> None:
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source
    from qa_archive.projects import Registry
    ingest([Source(tree)], index, Registry.load(), vectors="wait")


def measure(archive: Archive, questions: dict) -> dict:
    def gold(q):
        return Gold(q["source"], q["question"])
    kw = [rank_of(archive.search(q["keywords"], limit=10)["hits"], gold(q)) for q in questions["keywords"]]
    para, sure = [], []
    for q in questions["paraphrases"]:
        hits = archive.similar(q["text"], limit=5)["hits"]
        r = rank_of(hits, gold(q))
        para.append(r)
        sure.append(r == 1 and bool(hits[0]["confident"]))

    def confident(texts):
        flags = [bool(h and h[0]["confident"]) for h in (archive.similar(t, limit=1)["hits"] for t in texts)]
        return round(sum(flags) / max(len(flags), 1), 3), sum(flags), len(flags)
    s = summary(para, ks=(1, 3))
    return {"keywords": summary(kw),
            "paraphrases": {"n": s["n"], "top1": s["recall@1"], "recall@3": s["recall@3"],
                            "top1_confident": round(sum(sure) / max(len(sure), 1), 3)},
            "near_miss_confident": confident(questions["near_miss"]),
            "off_topic_confident": confident(questions["off_topic"])}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", default=str(REPO / "data/eval/community-tidemq.json"))
    ap.add_argument("--index", help="an index of the question file's tree (default: ingest it into a temp dir)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    questions = json.loads(Path(a.questions).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(a.index) if a.index else Path(tmp) / "index"
        if not a.index:
            ingest_tree(REPO / questions["tree"], index)
        archive = Archive(index)
        from qa_archive.similar import warm
        warm(archive)                  # as `serve` does: the model and the vectors, and search's meaning step
        report = measure(archive, questions)
    if a.json:
        print(json.dumps(report, indent=1))
        return 0
    k, p = report["keywords"], report["paraphrases"]
    print(f"keyword queries ({k['n']}): recall@1 {k['recall@1']:.3f}, recall@5 {k['recall@5']:.3f}, "
          f"MRR@10 {k['mrr@10']:.3f}")
    print(f"paraphrases ({p['n']}): top-1 {p['top1']:.3f}, recall@3 {p['recall@3']:.3f}, "
          f"top-1 and confident {p['top1_confident']:.3f}")
    for key, name in (("near_miss_confident", "near-miss"), ("off_topic_confident", "off-topic")):
        share, n, total = report[key]
        print(f"{name} questions answered confidently: {share:.3f} ({n} of {total})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
