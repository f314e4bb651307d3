"""Choose the English analysis (stemmer, stop words) by measurement.

Indexes every thread of Bitcoin Optech's gold (`../shared/gold-bitcoinops`, English and Chinese posts: question and
answer, as the archive indexes them) in a temporary Whoosh index once per candidate analyzer, runs English queries
and reports recall@1, recall@5 and MRR@10 per candidate.

Ranking: a simplified stand-in for the project's, over a bare index per candidate (no registry, no generation:
Optech threads carry no project tags). Each query word is the OR of its terms in question (field boost 2) and
answer, terms in more than `generation.COMMON_SHARE` of entries dropped from a word that has others, BM25F with
`generation`'s B and K1, and the top `ranking.RERANK_DEPTH` re-ranked by idf-weighted coverage of the query's words
in the questions and anywhere in the thread (weights 1, 0.4, 0.3: the ranking before `ranking.py`). It is NOT
`qa-archive search`'s ranking, which has more features (first question, exact, adjacent, project, partner,
language, recency) and its own weights: the figures compare analyzers with each other, not with the README's
search figures. `--plain` adds plain BM25F without the re-ranking.

Queries:
  - `data/eval/search-en.json`: ours (keywords and short questions, our own words) for threads of the English gold;
    the candidates are compared on them by 5-fold cross-validation over posts: in each fold the candidate with the
    best training MRR@10 (then recall@1) is chosen, and its figures on the held-out posts' queries are reported.
  - the gold's own `queries` (20 English keyword queries, and 20 Chinese ones, which must not move): a separate
    check, never used to choose.

    python scripts/eval_analysis.py [--shared ../shared] [--plain] [--json]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from whoosh import fields, scoring
from whoosh import query as Q
from whoosh.filedb.filestore import RamStorage

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa_archive import analysis  # noqa: E402
from qa_archive.analysis import LUCENE_STOP, English  # noqa: E402
from qa_archive.evaluation import Gold, load_gold, load_queries, rank_of, summary  # noqa: E402
from qa_archive.generation import BM25_B, BM25_K1, COMMON_MIN_ENTRIES, COMMON_SHARE, idf  # noqa: E402
from qa_archive.ranking import RERANK_DEPTH  # noqa: E402

# Question words and auxiliaries that English questions are full of, on top of Lucene's list.
EXTENDED_STOP = LUCENE_STOP | frozenset(
    "what which who whom whose when where why how does do did doing done can could would should shall may might "
    "must has have had having am been being were its it's me our your his her them than so too very just also "
    "about any all some there's there what's".split())

CANDIDATES = {
    f"{stem} stemmer, {stop_name} stop words": English(stem, stop)
    for stem in ("none", "s", "porter", "snowball")
    for stop_name, stop in (("no", frozenset()), ("Lucene's", LUCENE_STOP), ("extended", EXTENDED_STOP))
} | {
    f"{stem} stemmer + surface form, {stop_name} stop words": English(stem, stop, surface=True)
    for stem in ("s", "porter", "snowball")
    for stop_name, stop in (("no", frozenset()), ("Lucene's", LUCENE_STOP))
}
FOLDS = 5


def load_threads(gold: Path) -> list[dict]:
    threads = []
    for f in sorted(gold.glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        for e in doc["entries"]:
            turns = e.get("turns") or [{"q": e["question"], "a": e["answer"]}]
            threads.append({"source": doc["path"], "question": e["question"], "asker": e.get("asker"),
                            "q": " ".join(t["q"] or "" for t in turns), "a": " ".join(t["a"] or "" for t in turns)})
    return threads


class Bench:
    """One candidate's index over the threads, and the project's ranking over it."""

    def __init__(self, threads: list[dict], english: English):
        self.threads, self.en = threads, english
        an = analysis.analyzer(english)
        schema = fields.Schema(n=fields.STORED, question=fields.TEXT(analyzer=an, field_boost=2.0),
                               answer=fields.TEXT(analyzer=an))
        self.ix = RamStorage().create_index(schema)
        w = self.ix.writer()
        for i, t in enumerate(threads):
            w.add_document(n=i, question=t["q"], answer=t["a"])
        w.commit()
        self.searcher = self.ix.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))
        self.reader = self.searcher.reader()
        n = len(threads)
        df = defaultdict(int)
        self.doc_terms = []
        for t in threads:
            qs, as_ = set(analysis.terms(t["q"], parts=False, english=english)), \
                set(analysis.terms(t["a"], parts=False, english=english))
            self.doc_terms.append((qs, as_))
            for term in qs | as_:
                df[term] += 1
        self.common = {t for t, c in df.items() if c > n * COMMON_SHARE} if n >= COMMON_MIN_ENTRIES else set()

    def idf(self, term: str) -> float:
        return idf(len(self.threads),
                   max(self.reader.doc_frequency("question", term), self.reader.doc_frequency("answer", term)))

    def search(self, text: str, rerank: bool = True, limit: int = 10) -> list[int]:
        words = text.split()
        groups, shoulds = [], []
        for w in words:
            ts = list(dict.fromkeys(analysis.terms(w, parts=False, english=self.en)))
            if not ts:
                continue
            kept = [t for t in ts if t not in self.common] or ts
            per = [Q.Or([Q.Term("question", t), Q.Term("answer", t)]) for t in kept]
            shoulds.append(per[0] if len(per) == 1 else Q.Or(per))
            groups.append((ts, max(self.idf(t) for t in ts)))
        if not shoulds:
            return []
        results = self.searcher.search(Q.Or(shoulds), limit=RERANK_DEPTH if rerank else limit)
        ranked = [(h.score, h["n"]) for h in results]
        if rerank and groups:
            total = sum(w for _, w in groups) or 1.0
            best = max((s for s, _ in ranked), default=0.0) or 1.0
            out = []
            for score, n in ranked:
                q_terms, a_terms = self.doc_terms[n]
                qc = sum(w * sum(t in q_terms for t in ts) / len(ts) for ts, w in groups)
                tc = sum(w * sum(t in q_terms or t in a_terms for t in ts) / len(ts) for ts, w in groups)
                out.append((score / best + 0.4 * qc / total + 0.3 * tc / total, n))
            out.sort(key=lambda x: -x[0])
            ranked = out
        return [n for _, n in ranked[:limit]]

    def rank(self, gold: Gold, rerank: bool = True) -> int | None:
        """Where the gold thread comes for its keywords (`evaluation.rank_of`: the project's one definition)."""
        return rank_of([self.threads[n] for n in self.search(gold.queries["keywords"], rerank)], gold)


def folds_by_post(queries: list[Gold], k: int = FOLDS, seed: int = 13) -> list[set[str]]:
    posts = sorted({q.source for q in queries})
    random.Random(seed).shuffle(posts)
    return [set(posts[i::k]) for i in range(k)]


def cross_validate(ranks: dict[str, list[int | None]], queries: list[Gold]) -> tuple[dict, list[str]]:
    """Per fold, the candidate best on the other folds (MRR@10, then recall@1); its ranks on the held-out fold."""
    held, chosen = [None] * len(queries), []
    for fold in folds_by_post(queries):
        train = [i for i, q in enumerate(queries) if q.source not in fold]
        test = [i for i, q in enumerate(queries) if q.source in fold]
        scores = {name: summary([r[i] for i in train]) for name, r in ranks.items()}
        best = max(ranks, key=lambda name: (scores[name]["mrr@10"], scores[name]["recall@1"]))
        chosen.append(best)
        for i in test:
            held[i] = ranks[best][i]
    return summary(held), chosen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--plain", action="store_true", help="also report plain BM25F (no coverage re-ranking)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    gold_dir = Path(a.shared) / "gold-bitcoinops"
    threads = load_threads(gold_dir)
    ours = load_queries(REPO / "data" / "eval" / "search-en.json")
    gold = [g for g in load_gold(gold_dir) if g.queries.get("keywords")]
    gold_en = [g for g in gold if "/en/" in g.source]
    gold_zh = [g for g in gold if "/zh/" in g.source]
    report = {"threads": len(threads), "candidates": {}}
    ranks = {}
    for name, en in CANDIDATES.items():
        t0 = time.perf_counter()
        bench = Bench(threads, en)
        ranks[name] = [bench.rank(q) for q in ours]
        row = {"ours": summary(ranks[name]),
               "gold en": summary([bench.rank(q) for q in gold_en]),
               "gold zh": summary([bench.rank(q) for q in gold_zh])}
        if a.plain:
            row["ours, plain BM25F"] = summary([bench.rank(q, rerank=False) for q in ours])
        row["seconds"] = round(time.perf_counter() - t0, 2)
        report["candidates"][name] = row
        if not a.json:
            print(f"{name:45s} " + "  ".join(f"{k}: {v['recall@1']:.3f}/{v['recall@5']:.3f}/{v['mrr@10']:.3f}"
                                             for k, v in row.items() if isinstance(v, dict)), flush=True)
    held, chosen = cross_validate(ranks, ours)
    report["cross-validated"] = {"held-out": held, "chosen per fold": chosen}
    if a.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(f"\n{FOLDS}-fold cross-validation over posts, held-out (recall@1/recall@5/MRR@10): "
              f"{held['recall@1']:.3f}/{held['recall@5']:.3f}/{held['mrr@10']:.3f} over {held['n']} queries")
        print("chosen per fold:", "; ".join(chosen))


if __name__ == "__main__":
    main()
