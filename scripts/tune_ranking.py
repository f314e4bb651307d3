"""Choose search's re-ranking weights by k-fold cross-validation over posts, and report held-out figures.

    python scripts/tune_ranking.py                      # ingest ../shared/corpus/sofastack.tech into a temp index
    python scripts/tune_ranking.py --index /tmp/sofa    # an index already built from it
    python scripts/tune_ranking.py --optech /tmp/optech # also Optech's gold queries (an index of that corpus)
    python scripts/tune_ranking.py --index /tmp/sofa --optech /tmp/optech --misses --seeds 13,1,2,3,4

Queries: the gold keyword queries (`<shared>/gold`), ours (`data/eval/search.json`, `data/eval/search-more.json`,
`data/eval/search-blind.json`: 50 written blind, scored once before they joined)
and, with `--optech`, the queries of `<shared>/gold-bitcoinops`, our English ones (`data/eval/search-en.json`) and
translated pairs (`--crosslang`). Queries are grouped by the post their thread comes
from, and the posts split into k folds: weights are chosen on k-1 folds (coordinate ascent over a grid,
maximising MRR@10 then recall@1) and measured on the held-out fold. The table prints the held-out figures beside
the in-sample ones (weights chosen and measured on everything), for today's weights and for the tuned ones.

Each query's BM25 candidates and their features are computed once (`ranking.features`); the search itself is
`search.run`'s, so what is measured here is what `qa-archive search` does.

`--meaning` adds the step `qa-archive serve` takes with the model loaded (`ranking.MeaningStep`): each candidate's
semantic similarity with the query (the query embedded as an e5 query, mixed from the thread's stored question
and answer vectors as similar mixes them: `similar.similarity`), and the step's weight, depth and gate chosen
inside the folds too (over MEANING_GRID, after the lexical weights), so its held-out figures are beside the
lexical ones. With `--leave-set-out`, the step is also chosen holding each query set out whole (a new writer, or
with `--community` a new archive): what the shipped defaults are chosen by.

    python scripts/tune_ranking.py --index /tmp/sofa --optech /tmp/optech --meaning --leave-set-out --blind \
        --community data/eval/community-tidemq.json --community data/eval/community-quarry.json …
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
from dataclasses import astuple
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from qa_archive import ranking  # noqa: E402
from qa_archive.archive import Archive  # noqa: E402
from qa_archive.evaluation import (  # noqa: E402
    Gold,
    load_gold,
    load_queries,
    matches,
    mrr,
    rank_of,
    recall_at,
    summary,
)
from qa_archive.query import FIELD_BOOST, build_filter, build_query, parse_query, word_terms  # noqa: E402

SHARED = Path(os.environ.get("QA_ARCHIVE_SHARED", ROOT.parent / "shared"))
GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.5)
# The meaning step's grid. Held out by post on SOFA Weekly and Optech, or by query set over every archive
# (`--leave-set-out`), the thread's whole text beside its question (`similar.meaning`) beat the question alone,
# and a weight strong enough to overturn the words' order over twenty candidates beat a light touch on five.
MEANING_GRID = [ranking.MeaningStep(weight=w, depth=d, gate=g)
                for w in (4.0, 8.0, 16.0, 24.0, 32.0) for d in (5, 10, 20) for g in (0.1, 0.2, 0.3, 0.5)]
EMBEDDER = None     # set by --meaning: the model whose similarities the meaning step reads
TUNED = [f for f in ranking.FEATURES if f != "score"]       # BM25's weight stays 1: the others are relative to it


def post_key(source: str) -> str:
    """The post a query belongs to, for folds: a post and its translation (`_posts/en/…`, `_posts/zh/…`) are one."""
    return re.sub(r"/(en|zh)/", "/*/", source)


def candidates(archive: Archive, gold, text: str, keep: str | None = None) -> dict:
    """One query's top BM25 candidates: their features and whether each is the gold thread. `keep`: only
    candidates whose source starts with it (the other language's, for cross-language queries)."""
    gen, searcher = archive.view()
    pq = parse_query(text, gen.registry)
    q = build_query(pq, gen.common, gen.registry)
    results = searcher.search(q, limit=ranking.RERANK_DEPTH, filter=build_filter(pq), terms=False)
    ranked = [(score, docnum) for score, docnum in results.top_n]
    best = max((s for s, _ in ranked), default=0.0) or 1.0
    if keep:
        ranked = [(s, n) for s, n in ranked if gen.docs[n]["source"].startswith(keep)]
    reader = searcher.reader()
    words = [(w, ts) for w, ts in ((w, word_terms(w)) for w in pq.words) if ts]
    groups = [(ts, max(gen.idf(t, reader) for t in ts)) for _, ts in words]
    query = ranking.prepare(gen, groups, [w for w, _ in words])
    rows = [[ranking.features(gen, n, s, best, query)[f] for f in ranking.FEATURES] for s, n in ranked]
    hits = [matches(gen.docs[n], gold) for _, n in ranked]
    similarities = None
    if EMBEDDER is not None and ranked:
        from qa_archive import similar
        vector = EMBEDDER.encode([" ".join(pq.words + pq.phrases)], "query")[0]
        similarities = similar.similarity(gen, EMBEDDER, vector, [n for _, n in ranked])
    return {"source": post_key(gold.source), "text": text, "cross": bool(keep), "rows": rows, "hits": hits,
            "similarities": similarities,
            "keys": [ranking.question_key(gen, n) for _, n in ranked],
            "dates": [gen.docs[n].get("date") or "" for _, n in ranked],
            "questions": [gen.docs[n]["question"][:60] for _, n in ranked]}


def rank(item: dict, w: list[float], step: ranking.MeaningStep | None = None) -> int | None:
    """The gold thread's 1-based rank under weights `w` (None: not among the candidates), then `step` when the
    item has similarities; `item["hits"]` says which candidates `evaluation.matches` the gold thread, computed once per
    query."""
    scores = [sum(a * b for a, b in zip(w, row, strict=True)) for row in item["rows"]]
    scored = ranking.arrange(scores, item["keys"], item["dates"])
    if step is not None and item.get("similarities") and step.wanted([scores[i] for i in scored]):
        reordered = step.reorder([(scores[i], i) for i in scored], [item["similarities"][i] for i in scored])
        scored = [i for _, i in reordered]
    return next((r for r, i in enumerate(scored, 1) if item["hits"][i]), None)


def choose_step(items: list[dict], w: list[float]) -> ranking.MeaningStep:
    """The meaning step (MEANING_GRID) that ranks `items` best under the lexical weights `w` (MRR@10, then
    recall@1); ties go to the earlier, lighter step."""
    def score(step):
        ranks = [rank(it, w, step) for it in items]
        return round(mrr(ranks, 10), 6), recall_at(ranks, 1)
    return max(MEANING_GRID, key=score)


def objective(items: list[dict], w: list[float]) -> tuple[float, float]:
    ranks = [rank(it, w) for it in items]
    return round(mrr(ranks, 10), 6), recall_at(ranks, 1)


def fit(items: list[dict], start: list[float], rounds: int = 3) -> list[float]:
    """Coordinate ascent over GRID for every weight but BM25's; ties keep the current (smaller change) value."""
    w = list(start)
    best = objective(items, w)
    for _ in range(rounds):
        improved = False
        for name in TUNED:
            i = ranking.FEATURES.index(name)
            for v in GRID:
                if v == w[i]:
                    continue
                trial = w[:i] + [v] + w[i + 1:]
                got = objective(items, trial)
                if got > best:
                    best, w, improved = got, trial, True
        if not improved:
            break
    return w


def folds(items: list[dict], k: int, seed: int) -> list[list[dict]]:
    posts = sorted({it["source"] for it in items})
    random.Random(seed).shuffle(posts)
    fold_of = {p: i % k for i, p in enumerate(posts)}
    return [[it for it in items if fold_of[it["source"]] == f] for f in range(k)]


def cross_validate(items: list[dict], k: int, seed: int, start: list[float],
                   meaning: bool = False) -> tuple[list[int | None], list]:
    """Held-out ranks fold by fold, and the weights (and with `meaning`, the step) each fold chose."""
    held, chosen = [], []
    for test in folds(items, k, seed):
        train = [it for it in items if it not in test]
        w = fit(train, start)
        step = choose_step(train, w) if meaning else None
        chosen.append((w, step) if meaning else w)
        held += [rank(it, w, step) for it in test]
    return held, chosen


def load_items(archive: Archive, optech: Archive | None, crosslang_n: int = 0, blind: bool = False,
               communities: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    sets = {
        "gold": (archive, [g for g in load_gold(SHARED / "gold") if g.queries.get("keywords")]),
        "own": (archive, load_queries(ROOT / "data/eval/search.json")),
        "more": (archive, load_queries(ROOT / "data/eval/search-more.json")),
        "blind": (archive, load_queries(ROOT / "data/eval/search-blind.json")),
    }
    if blind:
        sets["blind3"] = (archive, load_queries(ROOT / "data/eval/search-blind3.json"))
    if optech is not None:
        golds = [g for g in load_gold(SHARED / "gold-bitcoinops") if g.queries.get("keywords")]
        sets["optech"] = (optech, golds)
        sets["en"] = (optech, load_queries(ROOT / "data/eval/search-en.json"))
        if blind:
            sets["blind4"] = (optech, load_queries(ROOT / "data/eval/search-blind4.json"))
            sets["blind5"] = (optech, load_queries(ROOT / "data/eval/search-blind5.json"))
    for path in communities:
        sets[Path(path).stem.removeprefix("community-")] = (Archive(community_index(Path(path))),
                                                            community_queries(Path(path)))
    out = {name: [candidates(a, g, g.queries["keywords"]) for g in gs] for name, (a, gs) in sets.items()}
    for path in communities:                 # a community's posts are not SOFA's: folds keep them apart
        name = Path(path).stem.removeprefix("community-")
        for it in out[name]:
            it["source"] = f"{name}:{it['source']}"
    if optech is not None and crosslang_n:
        pairs = json.loads((SHARED / "bitcoinops-crosslang-dev.json").read_text(encoding="utf-8"))["pairs"]
        pairs = sorted(pairs, key=lambda p: p["bse"])
        random.Random(7).shuffle(pairs)
        for frm, to in (("zh", "en"), ("en", "zh")):
            out[f"x-{frm}>{to}"] = [candidates(optech, Gold(p[f"{to}_path"], p[f"{to}_question"]),
                                               plain(p[f"{frm}_question"]), keep=f"_posts/{to}/")
                                    for p in pairs[:crosslang_n]]
    return out


def community_queries(path: Path) -> list[Gold]:
    """A community's keyword queries (`data/eval/community-*.json`), each naming its thread's post and question."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Gold(q["source"], q["question"], None, {"keywords": q["keywords"]}) for q in data["keywords"]]


def community_index(path: Path) -> Path:
    """The community's tree ingested (once; updated after) into eval_similar.py's cache, as a user ingests it."""
    from eval_similar import community_index as ingested  # (loads the model's code: only when asked)
    return ingested(path, Path(tempfile.gettempdir()) / "qa-archive-eval")


def ingest_corpus(path: Path, index: Path):
    from qa_archive.ingest import ingest
    from qa_archive.parse import Source
    from qa_archive.projects import Registry
    ingest([Source(path)], index, Registry.load())


def optech_from_gold(gold_dir: Path, index: Path) -> int:
    """An index of Optech's Selected Q&A made from the generated gold (`gold-bitcoinops`: its threads as the
    extractor would give them), translations linked as an ingest links them. Until the extractor reads Optech's
    posts itself, this is how English and cross-language search are measured."""
    from qa_archive.ingest import import_threads
    from qa_archive.models import Thread, Turn, thread_id
    threads, taken = [], set()
    for f in sorted(gold_dir.glob("*.json")):
        post = json.loads(f.read_text(encoding="utf-8"))
        for pos, e in enumerate(post["entries"]):
            turns = [Turn(q=t["q"], a=t.get("a"), q_md=t["q"], a_md=t.get("a")) for t in e.get("turns") or []]
            threads.append(Thread(id=thread_id(post["path"], None, e["question"], taken), source=post["path"],
                                  title=post.get("title") or "", date=post.get("date"), url=None, asker=None,
                                  turns=turns, projects=[], links=list(e.get("links") or []), position=pos))
    return import_threads(threads, index).added


def plain(question: str) -> str:
    """A question as a query of words: without the quotes and leading dashes that the query language reads as
    "exact phrase" and "-exclude"."""
    return re.sub(r'["“”＂]|(?<!\S)-+', " ", question)[:400]


def crosslang(archive: Archive, pairs: list[dict]) -> dict:
    """For each translated pair, the rank of the entry in the other language when searching with one's question
    (`plain`), among hits in that other language (the query's own entry and its language are set aside)."""
    out = {}
    for frm, to in (("zh", "en"), ("en", "zh")):
        ranks = []
        for p in pairs:
            hits = archive.search(plain(p[f"{frm}_question"]), limit=20)["hits"]
            other = [h for h in hits if h["source"].startswith(f"_posts/{to}/")]
            ranks.append(rank_of(other, Gold(p[f"{to}_path"], p[f"{to}_question"])))
        out[f"{frm}->{to}"] = summary(ranks)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="an index of the shared SOFAStack corpus (default: build one in a temp dir)")
    ap.add_argument("--optech", help="an index of the shared Optech corpus, to add its gold queries")
    ap.add_argument("--optech-gold", action="store_true",
                    help="build the Optech index from the generated gold (gold-bitcoinops), with translations linked")
    ap.add_argument("--crosslang", type=int, default=60,
                    help="with an Optech index, this many translated pairs per direction join the queries: the "
                         "item's question in one language, its translation to be found among the other's hits")
    ap.add_argument("--translation-boost", type=float,
                    help="query weight of the `translation` field (default: query.FIELD_BOOST's)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--misses", action="store_true", help="list the held-out queries not ranked first")
    ap.add_argument("--seeds", default="",
                    help="also the mean held-out figures over these fold seeds (`13,1,2,3,4`): one split's figures "
                         "move by a query or two with the weights each fold happens to choose")
    ap.add_argument("--meaning", action="store_true",
                    help="also the meaning step of `serve` (ranking.MeaningStep), chosen inside the folds")
    ap.add_argument("--blind", action="store_true",
                    help="also the later blind query sets (data/eval/search-blind3.json; with --optech, blind4 and 5)")
    ap.add_argument("--community", action="append", default=[], metavar="FILE",
                    help="another community's keyword queries (data/eval/community-*.json), over its tree ingested "
                         "into a cache (repeatable)")
    ap.add_argument("--leave-set-out", action="store_true",
                    help="with --meaning: also the step chosen on every other query set (today's lexical weights), "
                         "each set held out in turn: how it carries over to new writers and archives")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.meaning:
        global EMBEDDER
        from qa_archive import embed
        EMBEDDER = embed.get(embed.DEFAULT_MODEL)
    if args.translation_boost is not None:
        FIELD_BOOST["translation"] = args.translation_boost
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(args.index) if args.index else Path(tmp) / "index"
        if not args.index:
            ingest_corpus(SHARED / "corpus/sofastack.tech", index)
        optech = Path(args.optech) if args.optech else None
        if args.optech_gold:
            optech = Path(tmp) / "optech"
            optech_from_gold(SHARED / "gold-bitcoinops", optech)
        sets = load_items(Archive(index), Archive(optech) if optech else None, args.crosslang, args.blind,
                          tuple(args.community))
        if optech is not None:
            pairs = json.loads((SHARED / "bitcoinops-crosslang-dev.json").read_text(encoding="utf-8"))["pairs"]
            cross = crosslang(Archive(optech), pairs)
    items = [it for v in sets.values() for it in v]
    start = [getattr(ranking.WEIGHTS, f) for f in ranking.FEATURES]
    today = [rank(it, start) for it in items]
    tuned_all = fit(items, start)
    in_sample = [rank(it, tuned_all) for it in items]
    held, chosen = cross_validate(items, args.folds, args.seed, start)
    by_set = {}
    held_in_order = held_sorted(items, held, args)
    kw = [i for i, it in enumerate(items) if not it["cross"]]
    if len(kw) < len(items):
        by_set["keywords"] = {"today": summary([today[i] for i in kw]),
                              "in-sample": summary([in_sample[i] for i in kw]),
                              "held-out": summary([held_in_order[i] for i in kw])}
    offset = 0
    for name, v in sets.items():
        n = len(v)
        by_set[name] = {"today": summary(today[offset:offset + n]), "in-sample": summary(in_sample[offset:offset + n]),
                        "held-out": summary(held_in_order[offset:offset + n])}
        offset += n
    report = {"crosslang": cross if optech is not None else None, "queries": len(items),
              "posts": len({it["source"] for it in items}), "folds": args.folds,
              "today": summary(today), "in-sample": summary(in_sample), "held-out": summary(held),
              "by_set": by_set, "weights_today": dict(zip(ranking.FEATURES, start, strict=True)),
              "weights_all": dict(zip(ranking.FEATURES, tuned_all, strict=True)),
              "weights_per_fold": [dict(zip(ranking.FEATURES, w, strict=True)) for w in chosen]}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['queries']} queries over {report['posts']} posts, {args.folds}-fold cross-validation over posts")
    print(f"{'set':<10}{'':<12}{'recall@1':>10}{'recall@5':>10}{'MRR@10':>10}")
    for name, row in [("all", report)] + list(by_set.items()):
        for kind in ("today", "in-sample", "held-out"):
            s = row[kind]
            print(f"{name:<10}{kind:<12}{s['recall@1']:>10.3f}{s['recall@5']:>10.3f}{s['mrr@10']:>10.3f}")
    if report["crosslang"]:
        for k, v in report["crosslang"].items():
            print(f"cross-language {k} (rank among the other language's hits, query = the item's question): {v}")
    print("weights (all data):", {k: v for k, v in report["weights_all"].items()})
    for i, w in enumerate(report["weights_per_fold"]):
        print(f"  fold {i}:", {k: v for k, v in w.items()})
    if args.seeds or args.meaning:
        seeds, without, _ = seed_runs(items, args, start)          # computed once: printed, and beside the step's
        if args.seeds:
            print_seed_means(sets, items, without, seeds)
        if args.meaning:
            print_meaning(sets, items, args, start, without)
        if args.meaning and args.leave_set_out:
            print_leave_set_out(sets, start)
    if args.misses:
        for it, r in zip(items, held_in_order, strict=True):
            if r != 1:
                print(f"  {r!s:>4}  {it['text']}  [{it['source']}]")


def seed_runs(items: list[dict], args, start: list[float], meaning: bool = False) -> tuple[list[int], list, list]:
    """(the seeds, each seed's held-out ranks in the order of `items`, each seed's per-fold choices)."""
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()] or [args.seed]
    runs, chosen = [], []
    for seed in seeds:
        held, picked = cross_validate(items, args.folds, seed, start, meaning=meaning)
        runs.append(held_sorted(items, held, argparse.Namespace(folds=args.folds, seed=seed)))
        chosen.append(picked)
    return seeds, runs, chosen


def set_means(sets: dict, items: list[dict], runs: list) -> dict[str, dict]:
    """Per set (and "keywords": every query but the cross-language ones), recall@1 / @5 / MRR@10 averaged over
    the runs."""
    names = [name for name, v in sets.items() for _ in v]
    groups = {"keywords": [i for i, it in enumerate(items) if not it["cross"]]}
    groups.update({name: [i for i, n in enumerate(names) if n == name] for name in sets})
    out = {}
    for name, idx in groups.items():
        s = [summary([ranks[i] for i in idx]) for ranks in runs]
        out[name] = {k: sum(x[k] for x in s) / len(s) for k in ("recall@1", "recall@5", "mrr@10")}
    return out


def print_seed_means(sets: dict, items: list[dict], runs: list, seeds: list[int]) -> None:
    """Held-out recall@1 / @5 / MRR@10 per set, averaged over the fold splits of several seeds."""
    print(f"held-out, mean over seeds {seeds}")
    for name, mean in set_means(sets, items, runs).items():
        print(f"{name:<10}{'':<12}{mean['recall@1']:>10.3f}{mean['recall@5']:>10.3f}{mean['mrr@10']:>10.3f}")


def print_meaning(sets: dict, items: list[dict], args, start: list[float], without: list) -> None:
    """Held-out figures with the meaning step (weights and step chosen in each fold), per set, averaged over the
    fold seeds, beside `without` (the same splits' runs without it); then the step chosen on everything."""
    seeds, runs, chosen = seed_runs(items, args, start, meaning=True)
    for seed, picked in zip(seeds, chosen, strict=True):
        print(f"seed {seed}: steps chosen per fold", [astuple(step) for _, step in picked])
    print(f"held-out with the meaning step, mean over seeds {seeds} (recall@1 / @5 / MRR@10): without -> with")
    before, after = set_means(sets, items, without), set_means(sets, items, runs)
    for name in before:
        line = [" / ".join(f"{m[k]:.3f}" for k in ("recall@1", "recall@5", "mrr@10")) for m in (before[name], after[name])]
        print(f"{name:<10} {line[0]}  ->  {line[1]}")
    w = fit(items, start)
    print("step chosen on everything:", astuple(choose_step(items, w)))


def print_leave_set_out(sets: dict, start: list[float]) -> None:
    """The meaning step chosen on every query set but one (the mean over those sets of MRR@10, then of recall@1:
    each writer counts once, however many queries it wrote) and measured on the one left out, with today's
    lexical weights; beside the step as shipped and no step at all."""
    ranks = {step: {name: [rank(it, start, step) for it in v] for name, v in sets.items()}
             for step in MEANING_GRID + [ranking.MEANING, None]}

    def score(step, names):
        return (round(sum(mrr(ranks[step][n], 10) for n in names) / len(names), 6),
                sum(recall_at(ranks[step][n], 1) for n in names) / len(names))

    def fmt(r):
        s = summary(r)
        return f"{s['recall@1']:.3f} / {s['recall@5']:.3f} / {s['mrr@10']:.3f}"
    print("each query set held out, the step chosen on the others (recall@1 / @5 / MRR@10): "
          "no step | shipped step | chosen step")
    held = {}
    for name in sets:
        step = max(MEANING_GRID, key=lambda st: score(st, [n for n in sets if n != name]))
        held[name] = ranks[step][name]
        print(f"{name:<12} {fmt(ranks[None][name])} | {fmt(ranks[ranking.MEANING][name])} | {fmt(held[name])}"
              f"   chose {astuple(step)}")
    print(f"{'pooled':<12} {fmt([r for n in sets for r in ranks[None][n]])} | "
          f"{fmt([r for n in sets for r in ranks[ranking.MEANING][n]])} | {fmt([r for n in sets for r in held[n]])}")
    print("step chosen on every set:", astuple(max(MEANING_GRID, key=lambda st: score(st, list(sets)))))


def held_sorted(items, held, args):
    """Held-out ranks in the order of `items` (cross_validate yields them fold by fold)."""
    order = [it for test in folds(items, args.folds, args.seed) for it in test]
    pos = {id(it): r for it, r in zip(order, held, strict=True)}
    return [pos[id(it)] for it in items]


if __name__ == "__main__":
    main()
