#!/usr/bin/env python3
"""Search and the bots on another community's archive: a tree of posts and its question file, end to end.

    python scripts/eval_community.py                                   # every data/eval/community-*.json
    python scripts/eval_community.py --questions FILE --index DIR      # one, over an index already built from its tree

The question file names its tree (`tree`, relative to the repository) and holds keyword queries and paraphrases
(each with the `source` and `question` of the thread that answers it), near-miss questions that no thread answers
and off-topic ones (`data/eval/community-*.json`: communities nobody here had seen, each written blind by a helper
who read none of our code; each file's `about` says what it scored at first sight). The tree is
ingested as a user ingests it (with the model's vectors), and the archive is asked as `serve` asks it (the model
loaded, so search takes its meaning step): keyword recall@1 / @5 / MRR@10, paraphrases top-1, recall@3 and top-1 and
confident, and the share of near-miss and off-topic questions answered confidently; with several files, a row per
community and the pooled figures. Nothing is fitted on these files (similar's mix weight is chosen over archives
that include them, `scripts/eval_similar.py --community`): the figures say how what was fitted on SOFA Weekly
carries over to other archives.
"""
from __future__ import annotations

import argparse
import glob
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa_archive.archive import Archive  # noqa: E402
from qa_archive.evaluation import Gold, answering, rank_in, summary  # noqa: E402


def ingest_tree(tree: Path, index: Path) -> None:
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source
    from qa_archive.projects import Registry
    ingest([Source(tree)], index, Registry.load(), vectors="wait")


def measure(archive: Archive, questions: dict) -> dict:
    entries = list(archive.view()[0].docs.values())

    def answers(q):          # the thread, or its translation in a bilingual archive (`evaluation.answering`)
        return answering(entries, Gold(q["source"], q["question"]))
    kw = [rank_in(archive.search(q["keywords"], limit=10)["hits"], answers(q)) for q in questions["keywords"]]
    para, sure = [], []
    for q in questions["paraphrases"]:
        hits = archive.similar(q["text"], limit=5)["hits"]
        r = rank_in(hits, answers(q))
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


def pooled(reports: list[dict]) -> dict:
    """The communities' figures together, each question counted once (keyword MRR and shares weighted by n)."""
    def mean(key, sub, n_key="n"):
        total = sum(r[key][n_key] for r in reports)
        return round(sum(r[key][sub] * r[key][n_key] for r in reports) / max(total, 1), 3)

    def shares(key):
        n, total = sum(r[key][1] for r in reports), sum(r[key][2] for r in reports)
        return round(n / max(total, 1), 3), n, total
    return {"keywords": {"n": sum(r["keywords"]["n"] for r in reports),
                         **{k: mean("keywords", k) for k in ("recall@1", "recall@5", "mrr@10")}},
            "paraphrases": {"n": sum(r["paraphrases"]["n"] for r in reports),
                            **{k: mean("paraphrases", k) for k in ("top1", "recall@3", "top1_confident")}},
            "near_miss_confident": shares("near_miss_confident"),
            "off_topic_confident": shares("off_topic_confident")}


def report_of(path: Path, index: Path | None) -> dict:
    questions = json.loads(path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        where = index or Path(tmp) / "index"
        if index is None:
            ingest_tree(REPO / questions["tree"], where)
        archive = Archive(where)
        from qa_archive.similar import warm
        warm(archive)                  # as `serve` does: the model and the vectors, and search's meaning step
        return measure(archive, questions)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", action="append", metavar="FILE",
                    help="a community's question file (repeatable; default: every data/eval/community-*.json)")
    ap.add_argument("--index", help="an index of the (one) question file's tree (default: ingest it into a temp dir)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    files = [Path(f) for f in a.questions or sorted(glob.glob(str(REPO / "data/eval/community-*.json")))]
    if a.index and len(files) != 1:
        ap.error("--index goes with one --questions file")
    reports = {f.stem.removeprefix("community-"): report_of(f, Path(a.index) if a.index else None) for f in files}
    if len(reports) > 1:
        reports["pooled"] = pooled(list(reports.values()))
    if a.json:
        print(json.dumps(reports if len(files) > 1 else next(iter(reports.values())), indent=1))
        return 0
    print(f"{'community':14}{'keywords':>6}  r@1   r@5   MRR  {'paraphrases':>12}  top-1  r@3  top-1&conf"
          "   near-miss conf   off-topic conf")
    for name, r in reports.items():
        k, p = r["keywords"], r["paraphrases"]
        near, off = (f"{r[key][0]:.3f} ({r[key][1]}/{r[key][2]})" for key in ("near_miss_confident",
                                                                             "off_topic_confident"))
        print(f"{name:14}{k['n']:6d} {k['recall@1']:.3f} {k['recall@5']:.3f} {k['mrr@10']:.3f} {p['n']:12d}  "
              f"{p['top1']:.3f} {p['recall@3']:.3f} {p['top1_confident']:10.3f}   {near:17}{off}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
