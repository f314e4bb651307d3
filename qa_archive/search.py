"""Search: ranking, facets and suggestions over one `Generation`, and `Archive`, the facade every interface uses.

`run(gen, searcher, pq, …)` answers a parsed query (see `query.py` for the language) from one generation.
`Archive` wraps an index directory: it notices a newly published generation on the next call (one readlink),
keeps a searcher per thread, caches recent results per generation, and hands similar-question lookups to
`similar.py`, the sibling of this module.
"""
from __future__ import annotations

import heapq
import math
import os
import re
import threading
from collections import Counter, OrderedDict
from pathlib import Path

from whoosh import query as Q

from . import analysis, ranking
from .generation import Generation, current_key
from .index import IndexError_
from .profiles import slug
from .projects import Registry, squash
from .query import (
    FILTERS,
    MAX_LIMIT,
    MAX_PAGE,
    MAX_QUERY_CHARS,
    SORTS,
    NothingToSearch,
    ParsedQuery,
    QueryError,
    bounded,
    build_filter,
    build_query,
    filter_text,
    highlight_terms,
    parse_query,
    word_terms,
)
from .similar import find_similar
from .snippets import highlight, make_hit

RERANK_DEPTH = ranking.RERANK_DEPTH
SUGGEST_MIN_DF = 2        # a correction must be a word at least this many entries use
SUGGESTABLE = re.compile(r"[A-Za-z][A-Za-z\-]{2,}")     # letters only: numbers and versions are never rewritten


# ---------------------------------------------------------------------------------------------- one query

def run(gen: Generation, searcher, pq: ParsedQuery, text: str = "", sort: str = "relevance", page: int = 1,
        limit: int = 10) -> dict:
    """Ranked hits with snippets, facet counts, notes and a suggestion for a parsed query.

    Where the time goes (`scripts/benchmark.py --profile`, 20x the shared corpus, before this path existed):
    Whoosh matching and scoring every match through a tree of union matchers took 80% of a query, re-ranking
    (analysing each candidate's text) 10%, facets (walking every match's entry) 5%, snippets 5%. So a query of
    words, the common shape, is scored here from posting lists the generation caches (`score_terms`: the same
    BM25F as Whoosh, the same order), facets are set intersections, and re-ranking reads which candidates hold
    which terms from the same posting lists. Phrases, exclusions and date sorting go through Whoosh."""
    q = build_query(pq, gen.common, gen.registry)
    leaves = term_leaves(q) if sort == "relevance" and pq.has_text else None
    if leaves is None:
        return _run_whoosh(gen, searcher, pq, q, text, sort, page, limit)
    reader = searcher.reader()
    scores = score_terms(gen, searcher, leaves)
    flt = build_filter(pq)
    if flt is not None:
        allowed = set(searcher.docs_for_query(flt))
        scores = {d: s for d, s in scores.items() if d in allowed}
    start = (page - 1) * limit
    ranked = best(scores, max(RERANK_DEPTH, start + limit))
    if pq.words:
        words = [(w, ts) for w, ts in ((w, word_terms(w)) for w in pq.words) if ts]
        groups = [(ts, max(gen.idf(t, reader) for t in ts)) for _, ts in words]
        ranked = rerank(gen, ranked[:RERANK_DEPTH], groups, names=[w for w, _ in words]) + ranked[RERANK_DEPTH:]
    return _result(gen, searcher, pq, text, sort, page, limit, ranked, scores.keys())


def _run_whoosh(gen: Generation, searcher, pq: ParsedQuery, q, text, sort, page, limit) -> dict:
    flt = build_filter(pq)
    if not pq.has_text:
        sort = "date" if sort == "relevance" else sort
    kwargs = {"filter": flt, "terms": False}
    if sort in ("date", "oldest"):
        kwargs.update(sortedby="date", reverse=(sort == "date"))
    # One pass collects every match: the total and the facets need them all, and the page is a slice.
    results = searcher.search(q, limit=None, **kwargs)
    matched = results.docs()
    ranked = [(score, docnum) for score, docnum in results.top_n]
    if sort == "relevance" and pq.words:
        reader = searcher.reader()
        words = [(w, ts) for w, ts in ((w, word_terms(w)) for w in pq.words) if ts]
        groups = [(ts, max(gen.idf(t, reader) for t in ts)) for _, ts in words]
        ranked = rerank(gen, ranked[:RERANK_DEPTH], groups, names=[w for w, _ in words]) + ranked[RERANK_DEPTH:]
    return _result(gen, searcher, pq, text, sort, page, limit, ranked, matched)


def _result(gen: Generation, searcher, pq: ParsedQuery, text, sort, page, limit, ranked, matched) -> dict:
    terms = highlight_terms(pq)
    start = (page - 1) * limit
    hits = [make_hit(gen.docs[docnum], score if sort == "relevance" and pq.has_text else None, terms)
            for score, docnum in ranked[start:start + limit]]
    out = {"query": text, "total": len(matched), "page": page, "limit": limit,
           "pages": max(1, math.ceil(len(matched) / limit)), "sort": sort, "hits": hits,
           "facets": facets(gen, matched), "notes": pq.notes, "suggestion": None, "filters": pq.filters_dict()}
    if len(matched) < 3 and pq.words:
        out["suggestion"] = suggest(gen, searcher, pq, text)
    return out


def term_leaves(q) -> list[tuple[str, str, float]] | None:
    """(field, term, boost) of every Term of a query made only of Terms and Ors (a term twice, twice); None for any
    other shape (phrases, exclusions, Every), which Whoosh matches itself."""
    out, stack = [], [(q, 1.0)]
    while stack:
        node, boost = stack.pop()
        if type(node) is Q.Term:
            out.append((node.fieldname, node.text, boost * node.boost))
        elif type(node) is Q.Or:
            stack.extend((c, boost * node.boost) for c in reversed(node.subqueries))
        else:
            return None
    return out


def score_terms(gen: Generation, searcher, leaves) -> dict[int, float]:
    """BM25F of every entry matching any of the terms, summed over the terms: what Whoosh's union matchers
    compute (the same idf, stored weights and one-byte lengths), but one dict update per posting instead of a
    walk up a tree of matchers per document."""
    reader = searcher.reader()
    k1 = searcher.weighting.K1
    scores: dict[int, float] = {}
    get = scores.get
    for fieldname, term, boost in leaves:
        plist = gen.postings(reader, fieldname, term)
        if not plist:
            continue
        norm = gen.norms(searcher, fieldname)
        c = boost * searcher.idf(fieldname, term) * (k1 + 1)
        for d, w in plist.items():
            scores[d] = get(d, 0.0) + c * w / (w + norm[d])
    return scores


def best(scores: dict[int, float], n: int) -> list[tuple[float, int]]:
    """The n best (score, docnum), higher scores first, then lower docnums (Whoosh's order)."""
    if len(scores) > n:
        cut = heapq.nlargest(n, scores.values())[-1]      # floats only: no key function per match
        items = [(s, d) for d, s in scores.items() if s >= cut]
    else:
        items = [(s, d) for d, s in scores.items()]
    items.sort(key=lambda x: (-x[0], x[1]))
    return items[:n]


def rerank(gen: Generation, ranked: list[tuple[float, int]], groups: list[tuple[list[str], float]],
           names: list[str] | None = None) -> list[tuple[float, int]]:
    """Re-rank search candidates by what BM25 does not see: how much of the query each covers (in its questions,
    its first question, anywhere), words found as written and next to each other, the projects it is tagged
    with, its translation, and its date as a tie-break. `groups` are the query's words, each a list of terms and
    a weight (its idf); `names` the same words as the user wrote them (a term may be a stem). The features and
    their weights are in `ranking.py`."""
    return ranking.rerank(gen, ranked, groups, names)


def facets(gen: Generation, docnums) -> dict:
    """Project, year and community counts of the matches: one set intersection per project and per year (C loops
    over the smaller set; a dict's keys would be copied into a new set for every project, so they become a set
    once)."""
    projects, years = gen.facet_sets()
    matched = docnums if isinstance(docnums, (set, frozenset)) else set(docnums)
    pc = [(name, len(s & matched)) for name, s in projects.items()]
    yc = [(name, len(s & matched)) for name, s in years.items()]
    return {"projects": [{"name": k, "count": v} for k, v in sorted(pc, key=lambda x: (-x[1], x[0])) if v],
            "years": [{"name": k, "count": v} for k, v in sorted(yc, reverse=True) if v],
            "communities": community_facet(gen, matched)}


def community_sets(gen: Generation) -> dict[str, set]:
    """Community -> its entries' docnums, once per generation (from the generation's community column)."""
    def compute():
        sets: dict[str, set] = {}
        for n, c in gen.community_column().items():
            if c:
                sets.setdefault(c, set()).add(n)
        return sets
    return gen.cached("community_sets", compute)


def community_facet(gen: Generation, docnums) -> list[dict]:
    """Community counts of the matches, largest first: one set intersection per community."""
    matched = docnums if isinstance(docnums, (set, frozenset)) else set(docnums)
    counts = [(name, len(s & matched)) for name, s in community_sets(gen).items()]
    return [{"name": k, "count": v} for k, v in sorted(counts, key=lambda x: (-x[1], x[0])) if v]


def suggest(gen: Generation, searcher, pq: ParsedQuery, text: str) -> str | None:
    """Did you mean: a misspelt project name, or a word no entry has that is one edit from a word many have.

    Only words of letters are corrected; numbers, versions (`1.4.2`) and quoted text are never rewritten."""
    reader = searcher.reader()
    changed = text
    for w in pq.words:
        if not SUGGESTABLE.fullmatch(w):
            continue
        fix = None
        project = gen.registry.lookup(w)
        if project is not None:
            if squash(project.name) == squash(w):
                continue
            fix = project.name
        elif not any(gen.doc_frequency(t, reader) for t in word_terms(w)):
            for fname in ("question", "answer"):
                found = closest_term(gen, searcher, fname, w.lower(), maxdist=1 if len(w) < 6 else 2)
                if found and found != w.lower() and max(
                        (gen.doc_frequency(t, reader) for t in word_terms(found)), default=0) >= SUGGEST_MIN_DF:
                    fix = found
                    break
        if fix:
            changed = replace_unquoted(changed, w, fix)
    return changed if changed != text else None


def closest_term(gen: Generation, searcher, fieldname: str, word: str, maxdist: int) -> str | None:
    """The word of a field's spelling words within `maxdist` edits (Levenshtein) of `word` that occurs most often,
    ties to the greater word: what Whoosh's `corrector(field).suggest(word, limit=1, maxdist)` answers, but from
    the words held in memory per generation. (Whoosh walks a Levenshtein automaton over the on-disk term table:
    30 ms at one edit and 340 ms at two on 20x the corpus, for the 2-3% of queries that match almost nothing.)
    A CJK term is never within two edits of a word of three or more letters, so only the others are kept."""
    reader = searcher.reader()
    source = searcher.schema[fieldname].spelling_fieldname(fieldname)     # the words as written, when stemmed

    def vocabulary():
        by_length: dict[int, list[str]] = {}
        for term in reader.lexicon(source):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            if not analysis.is_cjk(term):
                by_length.setdefault(len(term), []).append(term)
        return by_length
    by_length = gen.cached(f"vocabulary:{source}", vocabulary)
    found = [t for n in range(len(word) - maxdist, len(word) + maxdist + 1) for t in by_length.get(n, ())
             if edit_distance(word, t, maxdist) <= maxdist]
    if not found:
        return None
    return max(found, key=lambda t: (-(maxdist + 0.5 / (reader.frequency(fieldname, t) or 1)), t))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 as soon as it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def replace_unquoted(text: str, word: str, new: str) -> str:
    """`word` as a whole token outside "quoted" parts of the text, replaced by `new`."""
    parts = re.split(r'("[^"]*")', text)
    pattern = re.compile(rf"(?<!\S){re.escape(word)}(?!\S)")
    return "".join(p if i % 2 else pattern.sub(lambda m: new, p) for i, p in enumerate(parts))


# ---------------------------------------------------------------------------------------------- the facade

class Archive:
    """Search and similar questions over one index directory. Safe to share between threads.

    The registry is the one recorded with the generation at ingest, unless one is given here."""

    def __init__(self, index_dir: str | os.PathLike, registry: Registry | None = None, cache_size: int = 512):
        self.index_dir = Path(index_dir)
        self._registry = registry
        self._local = threading.local()
        self._lock = threading.Lock()
        self._gen: Generation | None = None
        self._cache: OrderedDict = OrderedDict()
        self._cache_size = cache_size

    def view(self) -> tuple[Generation, object]:
        """The published generation and this thread's searcher on it (opened again when a new one is published)."""
        key = current_key(self.index_dir)
        local = self._local
        if key is None or getattr(local, "key", None) != key:
            with self._lock:
                gen = self._gen if self._gen is not None and self._gen.key == key else None
                if gen is None:
                    gen = Generation.load(self.index_dir, self._registry)
                    self._gen = gen                         # older generations are dropped
                    self._cache.clear()
            if getattr(local, "searcher", None) is not None:
                try:
                    local.searcher.close()
                except Exception:
                    pass
            local.searcher = gen.searcher()
            local.key = gen.key
            local.gen = gen
        return local.gen, local.searcher

    def current(self) -> Generation:
        return self.view()[0]

    @property
    def registry(self) -> Registry:
        return self._registry or self.current().registry

    def count(self) -> int:
        return self.current().count

    def generation(self) -> str:
        return self.current().name

    def search(self, text: str = "", sort: str = "relevance", page: int = 1, limit: int = 10, **filters) -> dict:
        """Ranked hits; `filters` are FILTERS keys (project=, asker=, after=, before=, year=, in=) given apart from
        the text. Raises QueryError for input that cannot be run."""
        text = (text or "").strip()
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError("query.too_long", length=len(text), limit=MAX_QUERY_CHARS)
        page, limit = bounded(page, 1, MAX_PAGE, "page"), bounded(limit, 1, MAX_LIMIT, "limit")
        if sort not in SORTS:
            raise QueryError("query.sort", value=repr(sort))
        extra = filter_text(filters)
        gen, searcher = self.view()
        pq = parse_query(f"{text} {extra}".strip(), self._registry or gen.registry)
        if not pq.has_text and not pq.has_filters and not pq.excluded:
            if pq.notes:
                raise NothingToSearch(pq.notes)
            raise QueryError("query.empty")
        key = (gen.key, text, extra, sort, page, limit)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        result = run(gen, searcher, pq, text, sort, page, limit)
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def similar(self, text: str, limit: int = 5, project: str | None = None) -> dict:
        gen, searcher = self.view()
        return find_similar(gen, searcher, text, limit=limit, project=project)

    def get(self, entry_id: str) -> dict | None:
        d = self.current().entry(entry_id)
        return dict(d) if d is not None else None

    def newest(self, limit: int = 10, project: str | None = None, community: str | None = None) -> list[dict]:
        gen = self.current()
        docs = gen.docs.values()
        if community:
            docs = [gen.docs[n] for n in sorted(community_sets(gen).get(slug(community), ()))]
        if project:
            key = squash(gen.registry.canonical(project))
            docs = [d for d in docs if key in {squash(p) for p in d.get("projects") or []}]
        return sorted(docs, key=lambda d: (d.get("date") or "", -(d.get("position") or 0)), reverse=True)[:limit]

    def related(self, entry: dict, limit: int = 5) -> list[dict]:
        text = " ".join([entry.get("question") or "", " ".join(entry.get("projects") or [])]).strip()
        if not text:
            return []
        hits = self.similar(text, limit=limit + 1)["hits"]
        return [h for h in hits if h["id"] != entry["id"]][:limit]

    def communities(self) -> list[dict]:
        """The communities the archive holds, largest first: `name` (the key of `community:`), `title` (the display
        name from its profile, else the key), `language` (from its profile, else None), `count`."""
        gen = self.current()

        def compute():
            info = gen.manifest.get("communities") or {}
            counts = {k: len(v) for k, v in community_sets(gen).items()}
            return [{"name": k, "title": (info.get(k) or {}).get("name") or k,
                     "language": (info.get(k) or {}).get("language"), "count": n}
                    for k, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
        return [dict(c) for c in gen.cached("communities", compute)]

    def community(self, name: str) -> dict | None:
        """One community by its key (any spelling `slug` folds to it), or None."""
        key = slug(name or "")
        return next((c for c in self.communities() if c["name"] == key), None)

    def projects(self, community: str | None = None) -> list[dict]:
        """Projects with entry counts (registry projects with none are listed too, with 0); of one community's
        entries only (and only those it has) when `community` is given."""
        gen = self.current()
        registry = self.registry
        if community:
            key = slug(community)
            if self.community(key) is None:
                return []                   # (nothing cached for names no entry has: they come from users)

            def compute_one():
                projects, _ = gen.facet_sets()
                own = community_sets(gen).get(key, set())
                counts = {name: len(s & own) for name, s in projects.items() if s & own}
                repos = {p.name: p.repo for p in registry.projects}
                return sorted(({"name": n, "count": c, "repo": repos.get(n)} for n, c in counts.items()),
                              key=lambda p: (-p["count"], p["name"].lower()))
            return [dict(p) for p in gen.cached(f"projects/{key}", compute_one)]

        def compute():
            counts = Counter(p for d in gen.docs.values() for p in d.get("projects") or [])
            repos = {p.name: p.repo for p in registry.projects}
            names = list(counts) + [p.name for p in registry.projects if p.name not in counts]
            return sorted(({"name": n, "count": counts.get(n, 0), "repo": repos.get(n)} for n in names),
                          key=lambda p: (-p["count"], p["name"].lower()))
        return [dict(p) for p in gen.cached("projects", compute)]

    def stats(self, community: str | None = None) -> dict:
        """Entries, posts, per-project and per-year counts, index size, last ingest; `communities` breaks the
        entries down by community. With `community`, the counts are that community's alone."""
        gen = self.current()
        if community:
            key = slug(community)

            def compute_one():
                docs = [gen.docs[n] for n in sorted(community_sets(gen).get(key, ()))]
                years = Counter((d.get("date") or "")[:4] or "unknown" for d in docs)
                whole = self.stats()
                return dict(whole, community=key, entries=len(docs), posts=len({d.get("source") for d in docs}),
                            projects=self.projects(community=key),
                            years=[{"name": k, "count": v} for k, v in sorted(years.items())],
                            communities=[c for c in whole["communities"] if c["name"] == key])
            if self.community(key) is None:
                return compute_one()        # all zeros, and not cached: the name comes from a user
            return dict(gen.cached(f"stats/{key}", compute_one))

        def compute():
            size = sum(f.stat().st_size for f in gen.path.iterdir() if f.is_file())
            years = Counter((d.get("date") or "")[:4] or "unknown" for d in gen.docs.values())
            return {"entries": gen.count, "posts": len(gen.manifest.get("posts") or {}),
                    "projects": [p for p in self.projects() if p["count"]],
                    "years": [{"name": k, "count": v} for k, v in sorted(years.items())],
                    "communities": self.communities(), "index_bytes": size, "generation": gen.name,
                    "last_ingest": gen.manifest.get("created"),
                    "last_report": gen.manifest.get("report")}
        return dict(gen.cached("stats", compute))


__all__ = ["Archive", "QueryError", "IndexError_", "FILTERS", "MAX_LIMIT", "MAX_PAGE", "MAX_QUERY_CHARS",
           "parse_query", "build_query", "highlight", "run", "rerank", "facets", "community_facet", "suggest"]
