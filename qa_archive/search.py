"""Search: ranking, facets and suggestions over one `Generation`.

`run(gen, searcher, pq, …)` answers a parsed query (see `query.py` for the language) from one generation.
`similar.py` is this module's sibling (neither imports the other); `archive.py` puts both behind one facade.
"""
from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable

from whoosh import query as Q

from . import analysis, ranking
from .generation import Generation
from .projects import squash
from .query import (
    FILTERS,
    MAX_LIMIT,
    MAX_PAGE,
    MAX_QUERY_CHARS,
    ParsedQuery,
    QueryError,
    build_filter,
    build_query,
    highlight_terms,
    parse_query,
    word_terms,
)
from .snippets import highlight, make_hit

RERANK_DEPTH = ranking.RERANK_DEPTH
SUGGEST_MIN_DF = 2        # a correction must be a word at least this many entries use
SUGGESTABLE = re.compile(r"[A-Za-z][A-Za-z\-]{2,}")     # letters only: numbers and versions are never rewritten


# ---------------------------------------------------------------------------------------------- one query

Meaning = Callable[[list[int]], list[float]]     # docnums -> their semantic similarity with the query (`by_meaning`)


def run(gen: Generation, searcher, pq: ParsedQuery, text: str = "", sort: str = "relevance", page: int = 1,
        limit: int = 10, meaning: Meaning | None = None) -> dict:
    """Ranked hits with snippets, facet counts, notes and a suggestion for a parsed query. `meaning`, where the
    model is loaded (`serve`), lets the best candidates be re-ordered by meaning where the words leave them close
    (`by_meaning`).

    Where the time goes (`scripts/benchmark.py --profile`, 20x the shared corpus, before this path existed):
    Whoosh matching and scoring every match through a tree of union matchers took 80% of a query, re-ranking
    (analysing each candidate's text) 10%, facets (walking every match's entry) 5%, snippets 5%. So a query of
    words, the common shape, is scored here from posting lists the generation caches (`score_terms`: the same
    BM25F as Whoosh, the same order), facets are set intersections, and re-ranking reads each candidate's terms
    as ingest analysed and stored them (`ranking.ROWS_FILE`). Phrases, exclusions and date sorting go through Whoosh."""
    q = build_query(pq, gen.common, gen.registry)
    leaves = term_leaves(q) if sort == "relevance" and pq.has_text else None
    if leaves is None:
        return _run_whoosh(gen, searcher, pq, q, text, sort, page, limit, meaning)
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
        ranked = by_meaning(ranked, meaning)
    return _result(gen, searcher, pq, text, sort, page, limit, ranked, scores.keys())


def _run_whoosh(gen: Generation, searcher, pq: ParsedQuery, q, text, sort, page, limit,
                meaning: Meaning | None = None) -> dict:
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
        ranked = by_meaning(ranked, meaning)
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


def by_meaning(ranked: list[tuple[float, int]], meaning: Meaning | None,
               step: ranking.MeaningStep = ranking.MEANING) -> list[tuple[float, int]]:
    """The re-ranked candidates, their top re-ordered by meaning where the words leave the leader close to the
    runner-up (`ranking.MeaningStep`). `meaning` is only asked (and the query only embedded) then."""
    if meaning is None or not step.wanted([s for s, _ in ranked[:2]]):
        return ranked
    return step.reorder(ranked, meaning([n for _, n in ranked[:step.depth]]))


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


__all__ = ["QueryError", "FILTERS", "MAX_LIMIT", "MAX_PAGE", "MAX_QUERY_CHARS",
           "parse_query", "build_query", "highlight", "run", "rerank", "facets", "community_facet", "suggest"]
