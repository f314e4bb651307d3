#!/usr/bin/env python3
"""Speed, memory and search quality figures (not a test: it prints numbers for the README).

    python scripts/benchmark.py                  # shared corpus + a synthetic corpus 20x larger
    python scripts/benchmark.py --scale 5        # a smaller synthetic corpus
    python scripts/benchmark.py --no-synthetic

It measures:
  - ingest time of ../shared/corpus, and of a synthetic corpus made at run time by copying its weekly posts
    N times with their Q&A items shuffled and renamed (nothing of it is written outside a temp folder);
  - in-process query latency p50/p95 (result cache cleared before every query) on both;
  - the CLI's cold `qa-archive search` time (a new process each time);
  - analysis quality on the gold keyword queries: recall@5 and MRR@10 for Whoosh's default analyzer,
    jieba's Whoosh analyzer and ours, each over the same entries with the same plain OR query, plus our full
    ranking (query language, coverage re-ranking).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa_archive.index import all_threads, ingest  # noqa: E402
from qa_archive.models import fold  # noqa: E402
from qa_archive.parse import Source  # noqa: E402
from qa_archive.projects import Registry  # noqa: E402
from qa_archive.search import Archive  # noqa: E402

EXTRA_QUERIES = ["jraft 跨机房", "Seata 行锁", "MOSN 热升级", "SOFARPC 泛化调用", "SOFAArk 合并部署", "注册中心 推送",
                 "undo_log", "project:Seata 全局锁", "xid 传递", "sidecar istio 配置", "leader 选举", "快照 日志",
                 "year:2021 MOSN", '"分支事务"', "Layotto Windows", "数据库 连接池", "spring boot 版本"]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def latency(archive: Archive, queries: list[str], rounds: int = 3) -> dict:
    times = []
    for _ in range(rounds):
        for q in queries:
            archive._cache.clear()
            t = time.perf_counter()
            archive.search(q, limit=10)
            times.append((time.perf_counter() - t) * 1000)
    cached = []
    for q in queries:
        archive.search(q, limit=10)
        t = time.perf_counter()
        archive.search(q, limit=10)          # the same query again: served from the per-generation cache
        cached.append((time.perf_counter() - t) * 1000)
    return {"queries": len(times), "p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, .95), 1),
            "cached_p50_ms": round(statistics.median(cached), 2)}


def synthesize(corpus: Path, out: Path, scale: int, seed: int = 1) -> int:
    """Copies of every post with Q&A, items shuffled and askers renamed, so ids and order differ."""
    rng = random.Random(seed)
    posts = [p for p in corpus.rglob("index.md") if "提问" in p.read_text(encoding="utf-8", errors="replace")]
    n = 0
    for k in range(scale):
        for p in posts:
            text = p.read_text(encoding="utf-8", errors="replace")
            head, sep, body = text.partition("提问")
            items = re.split(r"(?m)^(?=\*\*\d+[、.]@)", sep + body)
            rng.shuffle(items)
            body = "".join(items)
            body = re.sub(r"@([^\s*]+)", lambda m, k=k: f"@{m.group(1)}{k}", body)
            target = out / f"copy{k}" / p.parent.name / "index.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(head + body, encoding="utf-8")
            n += 1
    return n


def cli_cold(index_dir: Path, runs: int = 5) -> float:
    exe = shutil.which("qa-archive") or str(Path(sys.executable).parent / "qa-archive")
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([exe, "search", "jraft 跨机房", "--index", str(index_dir), "-n", "3"], check=True,
                       capture_output=True)
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times))


def gold_queries(gold_dir: Path):
    out = []
    for f in sorted(gold_dir.glob("*.json")):
        post = json.loads(f.read_text(encoding="utf-8"))
        for e in post["entries"]:
            if (e.get("queries") or {}).get("keywords"):
                out.append((post["path"], e["question"], e["queries"]["keywords"]))
    return out


def rank_of(source, question, hits):
    for i, h in enumerate(hits, 1):
        if h["source"] == source and fold(h["question"])[:30] == fold(question)[:30]:
            return i
    return None


def quality(ranks):
    n = max(len(ranks), 1)
    return {"recall@5": round(sum(1 for r in ranks if r and r <= 5) / n, 3),
            "mrr@10": round(sum(1 / r for r in ranks if r and r <= 10) / n, 3)}


def analyzer_comparison(index_dir: Path, gold_dir: Path) -> dict:
    """The same entries and the same plain OR query under three analyzers, and our full ranking."""
    from whoosh import fields, index, qparser
    from whoosh.analysis import StandardAnalyzer

    from qa_archive.analysis import analyzer as ours
    threads = [t.to_dict() for t in all_threads(index_dir)]
    queries = gold_queries(gold_dir)
    analyzers = {"whoosh default (StandardAnalyzer)": StandardAnalyzer(), "ours (bigrams + whole words)": ours()}
    try:
        from jieba.analyse import ChineseAnalyzer
        analyzers["jieba ChineseAnalyzer"] = ChineseAnalyzer()
    except ImportError:
        pass
    out = {}
    for name, an in analyzers.items():
        tmp = Path(tempfile.mkdtemp(prefix="qa-bench-an-"))
        schema = fields.Schema(n=fields.STORED, question=fields.TEXT(analyzer=an, field_boost=2.0),
                               answer=fields.TEXT(analyzer=an))
        ix = index.create_in(str(tmp), schema)
        w = ix.writer()
        for i, t in enumerate(threads):
            w.add_document(n=i, question=" ".join(x["q"] for x in t["turns"]),
                           answer=" ".join(x["a"] or "" for x in t["turns"]))
        w.commit()
        parser = qparser.MultifieldParser(["question", "answer"], ix.schema, group=qparser.OrGroup)
        ranks = []
        with ix.searcher() as s:
            for source, question, kw in queries:
                hits = [threads[h["n"]] for h in s.search(parser.parse(kw), limit=10)]
                ranks.append(rank_of(source, question, hits))
        shutil.rmtree(tmp, ignore_errors=True)
        out[name] = quality(ranks)
    archive = Archive(index_dir)
    out["ours, full ranking (qa-archive search)"] = quality(
        [rank_of(s, q, archive.search(kw, limit=10)["hits"]) for s, q, kw in queries])
    held_out = json.loads((REPO / "data" / "eval" / "search.json").read_text(encoding="utf-8"))["queries"]
    out["ours, full ranking, held-out queries (data/eval/search.json)"] = quality([next(
        (i for i, h in enumerate(archive.search(q["keywords"], limit=10)["hits"], 1)
         if h["source"] == q["source"] and fold(h["asker"] or "") == fold(q["asker"] or "")), None)
        for q in held_out])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--scale", type=int, default=20)
    ap.add_argument("--no-synthetic", action="store_true")
    a = ap.parse_args()
    shared = Path(a.shared)
    corpus = shared / "corpus" / "sofastack.tech"
    registry = Registry.load(REPO / "data" / "projects.yml")
    work = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    report = {}
    try:
        t = time.perf_counter()
        r = ingest([Source(corpus)], work / "ix", registry)
        report["shared corpus"] = {"entries": r.added, "ingest_s": round(time.perf_counter() - t, 2)}
        t = time.perf_counter()
        r2 = ingest([Source(corpus)], work / "ix", registry)
        report["shared corpus"]["re_ingest_unchanged_s"] = round(time.perf_counter() - t, 2)
        queries = [kw for _, _, kw in gold_queries(shared / "gold")] + EXTRA_QUERIES
        report["shared corpus"].update(latency(Archive(work / "ix"), queries))
        report["shared corpus"]["cli_cold_search_ms"] = cli_cold(work / "ix")
        report["analysis (gold keyword queries)"] = analyzer_comparison(work / "ix", shared / "gold")
        if not a.no_synthetic:
            posts = synthesize(corpus, work / "synthetic", a.scale)
            t = time.perf_counter()
            r = ingest([Source(work / "synthetic")], work / "ix20", registry)
            report[f"synthetic x{a.scale}"] = {"posts": posts, "entries": r.added,
                                              "ingest_s": round(time.perf_counter() - t, 2)}
            report[f"synthetic x{a.scale}"].update(latency(Archive(work / "ix20"), queries, rounds=2))
            report[f"synthetic x{a.scale}"]["cli_cold_search_ms"] = cli_cold(work / "ix20")
        report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        del r2
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for section, values in report.items():
        if isinstance(values, dict):
            print(f"{section}:")
            for k, v in values.items():
                print(f"  {k}: {v}")
        else:
            print(f"{section}: {values}")


if __name__ == "__main__":
    main()
