"""One definition of "did search (or similar) find this thread?", and the figures built on it.

A gold item names a thread by its post (`source`) and, when known, its question and asker. A hit matches it when
it comes from the same post and its question reads the same (`similarity` ≥ QUESTION_MATCH); an item without a
question is matched on the asker instead. Recall@k and MRR@k are computed from 1-based ranks (None: not found).
The corpus tests, `scripts/benchmark.py`, `scripts/tune_ranking.py`, `scripts/eval_analysis.py` and
`scripts/calibrate_similar.py` all measure with this module, so the README's figures and the tests' thresholds mean
the same thing. The other communities' figures (`scripts/eval_community.py`) also count a thread's translation as
its answer (`answering`), as Optech's question sets count a thread's twin; the gold's count the named thread only,
as the scorecard does.

    from qa_archive.evaluation import load_gold, search_ranks, summary
    ranks = search_ranks(archive, load_gold(shared / "gold"), query="keywords")
    summary(ranks)          # {"n": 90, "recall@1": …, "recall@5": …, "mrr@10": …}
"""
from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .models import fold

QUESTION_MATCH = 0.8          # two questions are the same one when their folded texts are this similar


@dataclass(frozen=True)
class Gold:
    """A thread someone expects to find: its post, and its question and/or asker, with queries for it
    (`{"keywords": …, "paraphrase": …}`: whatever the gold file gives)."""
    source: str
    question: str | None = None
    asker: str | None = None
    queries: dict = field(default_factory=dict, hash=False, compare=False)
    answer: str | None = None          # the answers of every turn, joined: for measuring extraction


def similarity(a: str | None, b: str | None) -> float:
    """How alike two texts are, from 0 to 1, after folding (case, width, punctuation and spaces ignored)."""
    return difflib.SequenceMatcher(None, fold(a or ""), fold(b or ""), autojunk=False).ratio()


def matches(hit: dict, gold: Gold) -> bool:
    """Whether a result (or an indexed entry) is the gold thread."""
    if hit.get("source") != gold.source:
        return False
    if gold.question:
        return similarity(hit.get("question"), gold.question) >= QUESTION_MATCH
    return fold(hit.get("asker") or "") == fold(gold.asker or "")


def rank_of(hits: list[dict], gold: Gold) -> int | None:
    """The 1-based rank of the gold thread among hits, or None."""
    return next((i for i, h in enumerate(hits, 1) if matches(h, gold)), None)


def with_translations(ids: set[str], entries: Iterable[dict]) -> set[str]:
    """Entry ids and the ids of their translations, as the ingest linked them (`translations`): a thread's
    translation gives the same answer in the other language, so it answers a question about the thread as well
    (a bilingual archive holds both, and a question may find either first)."""
    return set(ids) | {t for e in entries if e.get("id") in ids for t in e.get("translations") or ()}


def answering(entries: Iterable[dict], gold: Gold) -> set[str]:
    """The ids of the entries that answer a gold item: its thread (`matches`) and the thread's translations."""
    entries = list(entries)
    return with_translations({e["id"] for e in entries if matches(e, gold)}, entries)


def rank_in(hits: list[dict], ids: set[str]) -> int | None:
    """The 1-based rank of the first hit among `ids` (`answering`), or None."""
    return next((i for i, h in enumerate(hits, 1) if h.get("id") in ids), None)


def recall_at(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r and r <= k) / max(len(ranks), 1)


def mrr(ranks: list[int | None], k: int = 10) -> float:
    return sum(1 / r for r in ranks if r and r <= k) / max(len(ranks), 1)


def summary(ranks: list[int | None], ks: Iterable[int] = (1, 5), mrr_k: int = 10, digits: int = 3) -> dict:
    out: dict = {"n": len(ranks)}
    for k in ks:
        out[f"recall@{k}"] = round(recall_at(ranks, k), digits)
    out[f"mrr@{mrr_k}"] = round(mrr(ranks, mrr_k), digits)
    return out


# ---------------------------------------------------------------------------------------------- gold sets

def load_gold(gold_dir: str | Path) -> list[Gold]:
    """Every entry of the hand-labelled gold posts (`<shared>/gold/*.json`), in file order."""
    out = []
    for f in sorted(Path(gold_dir).glob("*.json")):
        post = json.loads(f.read_text(encoding="utf-8"))
        out += [Gold(post["path"], e.get("question"), e.get("asker"), dict(e.get("queries") or {}),
                     " ".join(t.get("a") or "" for t in e.get("turns") or []))
                for e in post["entries"]]
    return out


def load_queries(path: str | Path) -> list[Gold]:
    """Our own queries (`data/eval/search.json`: source, asker, keywords) or paraphrases
    (`data/eval/similar.json` "paraphrases": source, asker, text), or `similar-dev.json` paraphrases
    (source, question, text)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = data.get("queries") or data.get("paraphrases") or []
    return [Gold(q["source"], q.get("question"), q.get("asker"),
                 {k: q[k] for k in ("keywords", "text") if q.get(k)}) for q in items]


def search_ranks(archive, golds: Iterable[Gold], query: str = "keywords", limit: int = 10) -> list[int | None]:
    """The rank at which `archive.search` finds each gold thread from its query `golds[i].queries[query]`
    (items without that query are skipped)."""
    return [rank_of(archive.search(g.queries[query], limit=limit)["hits"], g) for g in golds
            if g.queries.get(query)]


def similar_ranks(archive, golds: Iterable[Gold], query: str = "paraphrase", limit: int = 5) -> list[int | None]:
    """The rank at which `archive.similar` finds each gold thread from its text `golds[i].queries[query]`."""
    return [rank_of(archive.similar(g.queries[query], limit=limit)["hits"], g) for g in golds
            if g.queries.get(query)]


def match_entries(golds: list[Gold], entries: list[dict]) -> tuple[list[tuple[Gold, dict]], list[Gold], list[dict]]:
    """Pair gold items with indexed entries (greedily, the most similar question first): (pairs, gold items
    with no entry, entries with no gold item). For measuring extraction against the gold posts."""
    by_source: dict[str, list[dict]] = {}
    for e in entries:
        by_source.setdefault(e.get("source"), []).append(e)
    pairs, missed = [], []
    for g in golds:
        ours = by_source.get(g.source, [])
        best = max(ours, key=lambda e: similarity(e.get("question"), g.question), default=None)
        if best is not None and matches(best, g):
            ours.remove(best)
            pairs.append((g, best))
        else:
            missed.append(g)
    sources = {g.source for g in golds}
    extra = [e for s in sources for e in by_source.get(s, [])]
    return pairs, missed, extra
