#!/usr/bin/env python3
"""Kill check: SIGKILL `qa-archive ingest` at random moments, many times (not a test; it prints figures).

    python scripts/killcheck.py --kills 30

A tree is made from the shared corpus (copied into a temp folder, with a second variant where a third of the
posts are edited and some deleted). Each round starts an ingest of the other variant as a real process, kills
it after a random delay, then checks that the published index opens, answers a search and holds exactly one of
the two variants' entries. At the end an uninterrupted ingest must give the same export as a clean index.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(exe, *args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


def export(exe, index):
    out = run(exe, "export", "--index", str(index))
    if out.returncode:
        raise SystemExit(f"export failed: {out.stderr}")
    return sorted(out.stdout.splitlines())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    exe = shutil.which("qa-archive") or str(Path(sys.executable).parent / "qa-archive")
    rng = random.Random(a.seed)
    work = Path(tempfile.mkdtemp(prefix="qa-kill-"))
    try:
        src = Path(a.shared) / "corpus" / "sofastack.tech"
        variants = [work / "a", work / "b"]
        shutil.copytree(src, variants[0], symlinks=True)
        shutil.copytree(src, variants[1], symlinks=True)
        posts = sorted(p for p in variants[1].rglob("index.md") if "weekly" in str(p))
        for i, p in enumerate(posts):
            if i % 3 == 0:
                p.write_text(p.read_text(encoding="utf-8").replace("A：", "A：（修订）", 1), encoding="utf-8")
            elif i % 17 == 0:
                p.unlink()
        expected = []
        for v in variants:
            # from a folder named like the live one: an entry's community defaults to its source folder's name
            same_name = work / f"clean-{v.name}" / "live"
            shutil.copytree(v, same_name, symlinks=True)
            run(exe, "ingest", str(same_name), "--index", str(work / f"clean-{v.name}" / "ix"), "-q")
            expected.append(export(exe, work / f"clean-{v.name}" / "ix"))
        ix = work / "ix"
        # every round ingests the other variant into the same index: same root path, swapped contents
        live = work / "live"
        shutil.copytree(variants[0], live, symlinks=True)
        run(exe, "ingest", str(live), "--index", str(ix), "-q")
        state, kills, published_anyway, durations = 0, 0, 0, []
        shutil.rmtree(live)                    # one uninterrupted switch, timed: kills land within its length
        shutil.copytree(variants[1], live, symlinks=True)
        t0 = time.perf_counter()
        run(exe, "ingest", str(live), "--index", str(ix), "-q")
        full = time.perf_counter() - t0
        state = 1
        for _ in range(a.kills):
            nxt = 1 - state
            shutil.rmtree(live)
            shutil.copytree(variants[nxt], live, symlinks=True)
            proc = subprocess.Popen([exe, "ingest", str(live), "--index", str(ix), "-q"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            delay = rng.uniform(0.05, full * 1.1)
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
            got = export(exe, ix)
            stats = run(exe, "search", "Seata", "--index", str(ix), "--json")
            if stats.returncode or json.loads(stats.stdout)["total"] == 0:
                raise SystemExit(f"the index does not answer after a kill at {delay:.2f}s: {stats.stderr}")
            if got == expected[nxt]:
                state = nxt
                published_anyway += 1
            elif got != expected[state]:
                raise SystemExit(f"the index holds neither variant after a kill at {delay:.2f}s")
            durations.append(delay)
        final = run(exe, "ingest", str(live), "--index", str(ix), "-q")
        ok = export(exe, ix) == expected[1 - state] or export(exe, ix) == expected[state]
        if final.returncode or not ok:
            raise SystemExit("the ingest after the kills did not give the uninterrupted result")
        shutil.rmtree(live)
        shutil.copytree(variants[1 - state], live, symlinks=True)
        run(exe, "ingest", str(live), "--index", str(ix), "-q")
        assert export(exe, ix) == expected[1 - state]
        print(json.dumps({"rounds": a.kills, "killed_mid_ingest": kills, "finished_before_the_kill": a.kills - kills,
                          "published_then": published_anyway, "switch_ingest_s": round(full, 2),
                          "index_always_complete": True, "final_equals_uninterrupted": True}, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
