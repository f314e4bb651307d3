#!/usr/bin/env python3
"""Does a Chinese question find the English answer, and the reverse? Measured on Bitcoin Optech's Selected Q&A.

../shared/bitcoinops-crosslang-dev.json pairs each English entry of ../shared/gold-bitcoinops with its Chinese
translation (they cite the same Stack Exchange answer). The threads are the gold entries themselves (perfect
extraction). A Chinese question is matched against the English threads only, and an English question against
the Chinese ones: finding the question's own translation of the thread is the point.

Methods: today's lexical matcher (over an index of one language's threads, built with `qa-archive import`),
embeddings alone, and the two fused by reciprocal rank, with the fusion weight chosen by 5-fold cross-validation
grouped by post.

    python scripts/eval_crosslang.py --model e5-small-q4 --model use-m3
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from eval_similar import RRF_K, folds, get_embedder  # noqa: E402

from qa_archive import embed  # noqa: E402
from qa_archive.models import fold  # noqa: E402


def load(shared: Path):
    threads = {"en": [], "zh": []}
    for f in sorted((shared / "gold-bitcoinops").glob("*.json")):
        post = json.loads(f.read_text(encoding="utf-8"))
        lang = f.name[:2]
        for i, e in enumerate(post["entries"]):
            threads[lang].append({"id": f"{lang}{post['date']}-{i}", "source": post["path"], "title": post["title"],
                                  "date": post["date"], "url": None, "asker": None, "question": e["question"],
                                  "answer": e["answer"], "turns": e.get("turns") or [{"q": e["question"],
                                                                                     "a": e["answer"]}],
                                  "projects": [], "links": e.get("links") or [], "position": i})
    pairs = json.loads((shared / "bitcoinops-crosslang-dev.json").read_text(encoding="utf-8"))["pairs"]

    def find(lang, path, question):
        for t in threads[lang]:
            if t["source"] == path and fold(t["question"])[:30] == fold(question)[:30]:
                return t["id"]
        return None

    queries = []
    for p in pairs:
        en, zh = find("en", p["en_path"], p["en_question"]), find("zh", p["zh_path"], p["zh_question"])
        if en and zh:
            queries.append({"text": p["zh_question"], "to": "en", "target": en, "group": p["en_path"][-24:]})
            queries.append({"text": p["en_question"], "to": "zh", "target": zh, "group": p["en_path"][-24:]})
    return threads, queries


def lexical_index(threads: list[dict], where: Path) -> str:
    where.mkdir(parents=True, exist_ok=True)
    index = where / "index"
    if not (index / "current").exists():
        jsonl = where / "threads.jsonl"
        jsonl.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in threads), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "qa_archive.cli", "import", str(jsonl), "--index", str(index)],
                       check=True, stdout=subprocess.DEVNULL)
    return str(index)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--model", action="append")
    ap.add_argument("--cache", default="/tmp/qa-archive-eval/crosslang")
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args()
    from qa_archive.archive import Archive
    threads, queries = load(Path(a.shared))
    cache = Path(a.cache)
    lex_file = cache / "lexical.json"
    lex = json.loads(lex_file.read_text(encoding="utf-8")) if lex_file.exists() else {}
    os.environ[embed.MODEL_ENV] = "none"           # today's lexical matcher alone
    for lang in ("en", "zh"):
        todo = [q for q in queries if q["to"] == lang and q["text"] not in lex]
        if todo:
            archive = Archive(lexical_index(threads[lang], cache / lang))
            for q in todo:
                try:
                    lex[q["text"]] = [h["id"] for h in archive.similar(q["text"], limit=20)["hits"]]
                except Exception:
                    lex[q["text"]] = []
    cache.mkdir(parents=True, exist_ok=True)
    lex_file.write_text(json.dumps(lex), encoding="utf-8")

    def score(ranked_lists):
        out = {}
        for direction in ("en", "zh"):
            sel = [(q, r) for q, r in zip(queries, ranked_lists, strict=True) if q["to"] == direction]
            top1 = sum(r[:1] == [q["target"]] for q, r in sel) / len(sel)
            mrr = sum(1 / (r.index(q["target"]) + 1) for q, r in sel if q["target"] in r[:10]) / len(sel)
            out[direction] = (top1, mrr, len(sel))
        return out

    rows = [("lexical (similar without embeddings)", score([lex[q["text"]] for q in queries]))]
    shipped = {}
    os.environ[embed.MODEL_ENV] = embed.DEFAULT_MODEL
    for lang in ("en", "zh"):
        archive = Archive(lexical_index(threads[lang], cache / lang))
        for q in queries:
            if q["to"] == lang:
                shipped[q["text"]] = [h["id"] for h in archive.similar(q["text"], limit=10)["hits"]]
    rows.append(("similar as shipped (lexical + e5 fused)", score([shipped[q["text"]] for q in queries])))
    for model in a.model or [embed.DEFAULT_MODEL]:
        emb = get_embedder(model)
        vc = embed.VectorCache(emb, cache / f"vec-{emb.name}")
        sims = {}
        for lang in ("en", "zh"):
            fields = [embed.thread_texts(t) for t in threads[lang]]
            tq = vc.vectors([f["question"][1] for f in fields], "query")
            tt = embed.normalize(tq + vc.vectors([f["answer"][1] for f in fields], "passage"))
            sims[lang] = (tq, tt, [t["id"] for t in threads[lang]])
        qv = vc.vectors([q["text"] for q in queries], "query")
        vc.save()
        sem_lists = []
        for q, v in zip(queries, qv, strict=True):
            tq, tt, ids = sims[q["to"]]
            s = 0.5 * (tq @ v) + 0.5 * (tt @ v)
            sem_lists.append([ids[j] for j in np.argsort(-s)[:20]])
        rows.append((f"{model} alone", score(sem_lists)))

        def rrf(i, w, sem_lists=sem_lists):
            lex_list, sem_list = lex[queries[i]["text"]], sem_lists[i]
            cands = list(dict.fromkeys(lex_list + sem_list))
            s = {c: (1 / (RRF_K + lex_list.index(c)) if c in lex_list else 0)
                 + w * (1 / (RRF_K + sem_list.index(c)) if c in sem_list else 0) for c in cands}
            return sorted(cands, key=lambda c: -s[c])

        fold_ids = folds([q["group"] for q in queries], a.folds)
        grid = [0.5, 1.0, 1.5, 2.0, 3.0, 5.0]
        fused, chosen = [None] * len(queries), []
        for f in range(a.folds):
            train = [i for i, fi in enumerate(fold_ids) if fi != f]

            def mrr(w, train=train):
                return sum(1 / (rrf(i, w).index(queries[i]["target"]) + 1) for i in train
                           if queries[i]["target"] in rrf(i, w)[:10])
            w = max(grid, key=mrr)
            chosen.append(w)
            for i, fi in enumerate(fold_ids):
                if fi == f:
                    fused[i] = rrf(i, w)
        rows.append((f"{model} + lexical, RRF (w per fold {chosen})", score(fused)))
    print(f"{'method':60} {'zh->en top-1':>12} {'MRR':>6} {'en->zh top-1':>12} {'MRR':>6}")
    for name, s in rows:
        print(f"{name:60} {s['en'][0]:12.3f} {s['en'][1]:6.3f} {s['zh'][0]:12.3f} {s['zh'][1]:6.3f}")
    print(f"pairs: {rows[0][1]['en'][2]}")


if __name__ == "__main__":
    main()
