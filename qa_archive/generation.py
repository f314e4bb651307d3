"""One published generation of the index, read once: what every search and similar-question lookup needs.

`Generation.load(index_dir)` opens the published generation and reads its snapshot (every entry, the document
frequencies of the commonest terms) and the project registry recorded at ingest. Values derived from the
generation (idf, an entry's term sets, project counts, stats) are computed on first use and cached on it, so they
live and die with the generation. Searchers come from `searcher()`: one per thread, since Whoosh searchers are not
shared between threads.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import scoring

from . import analysis
from .index import IndexError_, current_dir, open_current, read_snapshot
from .projects import Registry

COMMON_SHARE = 0.05       # terms in more than this share of entries are left out of queries
COMMON_MIN_ENTRIES = 200  # below this many entries no term is common
IDF_FIELDS = ("question", "answer")
MAX_CACHED_IDF = 200_000


def idf(n: int, df: int) -> float:
    """BM25's inverse document frequency of a term found in `df` of `n` entries (0 for a term found nowhere)."""
    n = max(n, 1)
    return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0


def generation_key(gen: Path | None) -> str | None:
    """A generation's name and inode: an index deleted and rebuilt reuses `gen-000001`, but not its inode."""
    try:
        return f"{gen.name}@{gen.stat().st_ino}" if gen is not None else None
    except OSError:
        return None


def current_key(index_dir: Path) -> str | None:
    """The key of the generation published now: one readlink and one stat."""
    return generation_key(current_dir(index_dir))


class DocTerms(NamedTuple):
    """An entry's index terms: in its questions, in its answers, in its first question."""
    questions: set[str]
    answers: set[str]
    first: set[str]


@dataclass(eq=False)
class Generation:
    key: str
    name: str
    path: Path
    index: Any                          # the Whoosh index
    manifest: dict
    registry: Registry
    docs: dict[int, dict]               # docnum -> entry (the dict `Thread.to_dict` makes)
    by_id: dict[str, int]               # entry id -> docnum
    count: int                          # entries
    common: frozenset[str]              # terms too common to query (see COMMON_SHARE)
    _idf: dict[str, float] = field(default_factory=dict, repr=False)
    _terms: dict[int, DocTerms] = field(default_factory=dict, repr=False)
    _values: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @classmethod
    def load(cls, index_dir: str | Path, registry: Registry | None = None) -> Generation:
        """The published generation; `registry` overrides the one recorded at ingest."""
        index_dir = Path(index_dir)
        ix, path, manifest = open_current(index_dir)
        snapshot = read_snapshot(path)
        if snapshot is None:
            raise IndexError_("index.no_snapshot", path=str(index_dir.absolute()))
        docs = {num: d for num, d in enumerate(snapshot["docs"]) if d is not None}
        n = snapshot["count"]
        common = frozenset(t for t, df in snapshot["df"].items() if df > n * COMMON_SHARE) \
            if n >= COMMON_MIN_ENTRIES else frozenset()
        return cls(key=generation_key(path), name=path.name, path=path, index=ix, manifest=manifest,
                   registry=registry or recorded_registry(path, manifest), docs=docs,
                   by_id={d["id"]: num for num, d in docs.items()}, count=n, common=common)

    def searcher(self):
        """A new Whoosh searcher with the archive's BM25F weights (one per thread; close it when done)."""
        return self.index.searcher(weighting=scoring.BM25F(B=0.6, K1=1.2))

    def doc_frequency(self, term: str, reader) -> int:
        """In how many entries a term occurs, in the questions or the answers (the larger)."""
        return max(reader.doc_frequency(f, term) for f in IDF_FIELDS)

    def idf(self, term: str, reader) -> float:
        """`idf(count, doc_frequency)` of a term, cached for the generation (0 for a term no entry has)."""
        got = self._idf.get(term)
        if got is None:
            got = idf(self.count, self.doc_frequency(term, reader))
            if len(self._idf) >= MAX_CACHED_IDF:
                self._idf.clear()
            self._idf[term] = got
        return got

    def idf_sum(self, terms, reader, unseen: float = 0.0) -> float:
        """The summed idf of terms, `unseen` standing in for terms no entry has (the hot loop of similar)."""
        table, total = self._idf, 0.0
        for t in terms:
            w = table.get(t)
            if w is None:
                w = self.idf(t, reader)
            total += w or unseen
        return total

    def doc_terms(self, docnum: int) -> DocTerms:
        """An entry's question, answer and first-question terms, computed once per generation."""
        got = self._terms.get(docnum)
        if got is None:
            turns = self.docs[docnum]["turns"]
            got = DocTerms(set(analysis.terms(" ".join(t["q"] for t in turns), parts=False)),
                           set(analysis.terms(" ".join(t["a"] or "" for t in turns), parts=False)),
                           set(analysis.terms(turns[0]["q"], parts=False)) if turns else set())
            self._terms[docnum] = got
        return got

    def cached(self, name: str, compute):
        """A value computed once per generation (project counts, stats)."""
        if name not in self._values:
            with self._lock:
                if name not in self._values:
                    self._values[name] = compute()
        return self._values[name]

    def entry(self, entry_id: str) -> dict | None:
        num = self.by_id.get(entry_id)
        return self.docs[num] if num is not None else None


def recorded_registry(path: Path, manifest: dict) -> Registry:
    """The registry the ingest used (recorded in the generation), or the default one for older indexes."""
    name = manifest.get("registry")
    if name and (path / name).is_file():
        return Registry.load(path / name)        # the name changes with the content: safe to cache by path
    return Registry.load()
