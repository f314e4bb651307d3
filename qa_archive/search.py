"""The search behind every interface: the query language, ranking, filters, facets, snippets, suggestions, and
"find the prior answer to this new question" for bots.

`Archive` wraps one index directory. It notices a newly published generation on the next call (one readlink),
keeps a searcher per thread, and caches recent results per generation, so a web worker answers repeated
queries without touching Whoosh.
"""
from __future__ import annotations

import datetime as dt
import html
import math
import os
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from whoosh import query as Q
from whoosh import scoring

from . import analysis
from .index import IndexError_, current_dir, open_current, read_snapshot
from .projects import Registry, squash

MAX_QUERY_CHARS = 500
MAX_LIMIT = 50
MAX_PAGE = 100
FILTER_KEYS = {"project", "asker", "after", "before", "year", "in"}
FIELDS = ("question", "answer")           # `in:title` can add the post title


class QueryError(Exception):
    """A query that cannot be run at all (empty, too long, bad parameters): the message is for the user."""


# ---------------------------------------------------------------------------------------------- query language

@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    askers: list[str] = field(default_factory=list)
    after: dt.date | None = None
    before: dt.date | None = None
    years: list[int] = field(default_factory=list)
    fields: tuple = FIELDS
    notes: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def has_filters(self) -> bool:
        return bool(self.projects or self.askers or self.after or self.before or self.years)


TOKEN = re.compile(r'(?P<neg>-)?(?:(?P<key>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"|(?P<word>\S+))')


def parse_query(text: str, registry: Registry | None = None) -> ParsedQuery:
    """`"exact phrase" -word project:Layotto asker:name after:2021-01-01 before:… year:2022 in:question`.

    Anything that does not parse is searched as plain text, with a note saying so; this never raises.
    """
    pq = ParsedQuery()
    text = (text or "").replace("“", '"').replace("”", '"').replace("＂", '"')
    if text.count('"') % 2:
        pq.notes.append('unbalanced quote: searched as plain words')
        text = text.replace('"', " ")
    for m in TOKEN.finditer(text):
        neg, key, phrase, word = m.group("neg"), (m.group("key") or "").lower(), m.group("phrase"), m.group("word")
        value = phrase if phrase is not None else (word or "")
        if key and key not in FILTER_KEYS:
            value, key = f"{m.group('key')}:{value}", ""        # `http://…`, `error:foo`: plain text
        if key:
            _filter(pq, key, value, registry, neg)
        elif neg and value and not value.startswith("-"):
            pq.excluded.append(value)
        elif phrase is not None:
            if analysis.terms(phrase):
                pq.phrases.append(phrase)
        elif value and value not in ("OR", "AND", "||", "&&"):     # every query is already "any word, all best"
            pq.words.append(value.lstrip("-") if neg else value)
    return pq


def _filter(pq: ParsedQuery, key: str, value: str, registry: Registry | None, neg: str | None):
    if not value:
        pq.notes.append(f"{key}: needs a value; ignored")
        return
    if key == "project":
        project = registry.lookup(value) if registry else None
        if project is None and registry is not None:
            pq.notes.append(f"no known project named {value!r}")
        pq.projects.append(project.name if project else value)
    elif key == "asker":
        pq.askers.append(value.lstrip("@"))
    elif key in ("after", "before"):
        day = _date(value)
        if day is None:
            pq.notes.append(f"{key}:{value} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY); ignored")
        else:
            setattr(pq, key, day)
    elif key == "year":
        if re.fullmatch(r"(19|20)\d\d", value):
            pq.years.append(int(value))
        else:
            pq.notes.append(f"year:{value} is not a year; ignored")
    elif key == "in":
        wanted = tuple(f for f in FIELDS + ("title",) if f.startswith(value.lower()[:4]))
        if wanted:
            pq.fields = wanted
        else:
            pq.notes.append(f"in:{value} is not one of question, answer, title; ignored")


def _date(value: str) -> dt.date | None:
    """YYYY-MM-DD, YYYY-MM or YYYY, between 1900 and 2999 (outside that no post exists, and datetime overflows)."""
    for pad in ("", "-01", "-01-01"):
        try:
            day = dt.datetime.strptime(value + pad, "%Y-%m-%d").date()
        except ValueError:
            continue
        return day if 1900 <= day.year <= 2999 else None
    return None


# ---------------------------------------------------------------------------------------------- building queries

PROJECT_TAG_BOOST = 1.0


def word_query(word: str, fields, common: set[str]) -> Q.Query | None:
    """One user word: its terms in any of the fields. A CJK word's bigrams may match partly (`切主` vs `换主`)."""
    terms = list(dict.fromkeys(analysis.terms(word, parts=False)))
    if not terms:
        return None
    kept = [t for t in terms if t not in common] or terms
    per_term = [_any_field(fields, t) for t in kept]
    return per_term[0] if len(per_term) == 1 else _union(per_term)


def _union(queries: list[Q.Query]) -> Q.Query:
    """An Or matched by a binary tree of unions: Whoosh's default for small indexes pre-loads every clause into a
    2048-slot array, which costs more than the whole search here."""
    q = Q.Or(queries)
    q.matcher_type = Q.Or.DEFAULT_MATCHER
    return q


def _any_field(fields, term: str) -> Q.Query:
    if len(fields) == 1:
        return Q.Term(fields[0], term)
    return _union([Q.Term(f, term) for f in fields])


def phrase_query(phrase: str, fields) -> Q.Query | None:
    toks = list(analysis.tokens(phrase))
    words = [t for t, pos, *_ in toks]
    if not words:
        return None
    if len(words) == 1:
        return Q.Or([Q.Term(f, words[0]) for f in fields])
    # bigrams overlap by one character; consecutive positions make them an exact phrase
    return Q.Or([Q.Phrase(f, words) for f in fields])


def build_query(pq: ParsedQuery, common: set[str] = frozenset(), registry: Registry | None = None) -> Q.Query:
    musts, shoulds = [], []
    for w in pq.words:
        wq = word_query(w, pq.fields, common)
        project = registry.lookup(w, fuzzy=False) if registry and not analysis.is_cjk(w) else None
        if project is not None:
            # a project name also matches the threads tagged with it (their text may only say "it")
            tag = Q.Term("projects", squash(project.name), boost=PROJECT_TAG_BOOST)
            wq = _union([wq, tag]) if wq is not None else tag
        if wq is not None:
            shoulds.append(wq)
    for p in pq.phrases:
        ph = phrase_query(p, pq.fields)
        if ph is not None:
            musts.append(ph)
    if shoulds:
        # every word adds its score; the re-ranking below makes "all words" beat "some"
        musts.append(shoulds[0] if len(shoulds) == 1 else _union(shoulds))
    q = Q.And(musts) if len(musts) > 1 else (musts[0] if musts else Q.Every())
    for x in pq.excluded:
        xq = phrase_query(x, FIELDS)
        if xq is not None:
            q = Q.AndNot(q, xq)
    return q


def build_filter(pq: ParsedQuery) -> Q.Query | None:
    parts = []
    if pq.projects:
        parts.append(Q.Or([Q.Term("projects", squash(p)) for p in pq.projects]))
    if pq.askers:
        parts.append(Q.Or([Q.Term("asker", squash(a)) for a in pq.askers]))
    if pq.after or pq.before:
        start = dt.datetime.combine(pq.after, dt.time.min) if pq.after else None
        end = dt.datetime.combine(pq.before, dt.time.min) - dt.timedelta(microseconds=1) if pq.before else None
        parts.append(Q.DateRange("date", start, end))
    if pq.years:
        parts.append(Q.Or([Q.NumericRange("year", y, y) for y in pq.years]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


# ---------------------------------------------------------------------------------------------- snippets

@lru_cache(maxsize=256)
def _term_pattern(terms: frozenset[str]) -> re.Pattern | None:
    """Every occurrence of any term, overlapping ones too (bigrams overlap), Latin terms as whole words."""
    alts = []
    for t in sorted(terms, key=len, reverse=True):
        esc = re.escape(t)
        alts.append(esc if analysis.is_cjk(t) else rf"(?<![a-z0-9_]){esc}(?![a-z0-9_])")
    return re.compile("(?=(" + "|".join(alts) + "))") if alts else None


def _term_spans(norm: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    pattern = _term_pattern(terms)
    if pattern is None:
        return []
    return [(m.start(1), m.end(1)) for m in pattern.finditer(norm)]


def highlight(text: str, terms: set[str], width: int = 140) -> str:
    """An HTML-escaped window of text around the densest run of query terms, the terms in <mark>.

    Works on the same tokens as the index, so Chinese is cut between characters, never inside a term."""
    text = re.sub(r"\s+", " ", text or "").strip()
    norm = analysis.normalize(text)
    if len(norm) != len(text):          # NFKC changed lengths (rare ligatures): offsets would drift
        norm = text.lower()
    spans = _term_spans(norm, frozenset(terms))
    if not spans:
        return html.escape(text[:width]) + ("…" if len(text) > width else "")
    best, best_n = 0, -1
    for i, (s, _) in enumerate(spans):          # the window start that covers the most matches
        n = sum(1 for s2, _ in spans[i:] if s2 < s + width)
        if n > best_n:
            best, best_n = s, n
    start = max(0, min(best - width // 6, len(text) - width))     # a short text is shown whole
    if start > 0:                                  # begin after a space or punctuation when one is near
        cut = max(text.rfind(ch, max(0, start - 12), start + 1) for ch in " ，。、；：？！,.;:?!")
        start = cut + 1 if cut >= 0 else start
    end = min(len(text), start + width)
    merged: list[list[int]] = []
    for s, e in spans:
        if s >= end or e <= start:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], start
    for s, e in merged:
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")


# ---------------------------------------------------------------------------------------------- the archive

class Archive:
    """Search over one index directory. Safe to share between threads."""

    def __init__(self, index_dir: str | os.PathLike, registry: Registry | None = None, cache_size: int = 512):
        self.index_dir = Path(index_dir)
        self.registry = registry or Registry.load()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._gen_state: dict = {}
        self._cache: OrderedDict = OrderedDict()
        self._cache_size = cache_size

    # -- generations
    def _state(self):
        """The published generation's index, per-doc data and a searcher for this thread."""
        key = _generation_key(current_dir(self.index_dir))
        local = self._local
        if getattr(local, "gen", None) != key or key is None:
            with self._lock:
                state = self._gen_state.get(key)
                if state is None:
                    ix, gen_path, manifest = open_current(self.index_dir)
                    state = self._load_state(ix, gen_path, manifest)
                    key = state["key"]
                    self._gen_state = {key: state}               # drop older generations
                    self._cache.clear()
            if getattr(local, "searcher", None) is not None:
                try:
                    local.searcher.close()
                except Exception:
                    pass
            local.searcher = state["ix"].searcher(weighting=scoring.BM25F(B=0.6, K1=1.2))
            local.gen = key
            local.state = state
        return local.state, local.searcher

    def _load_state(self, ix, gen_path: Path, manifest: dict) -> dict:
        snapshot = read_snapshot(gen_path)
        if snapshot is None:
            raise IndexError_(f"the index at {self.index_dir} lacks its entries.json; run `qa-archive ingest "
                              "--rebuild`")
        docs = {num: d for num, d in enumerate(snapshot["docs"]) if d is not None}
        n = snapshot["count"]
        # terms in more than COMMON_SHARE of all entries carry little signal and cost the most to score
        common = {t for t, df in snapshot["df"].items() if df > n * COMMON_SHARE} if n >= 200 else set()
        by_id = {d["id"]: num for num, d in docs.items()}
        return {"ix": ix, "gen": gen_path.name, "key": _generation_key(gen_path), "manifest": manifest, "docs": docs,
                "by_id": by_id, "common": common, "count": n, "terms": {}}

    def count(self) -> int:
        state, _ = self._state()
        return state["count"]

    def generation(self) -> str:
        state, _ = self._state()
        return state["gen"]

    # -- search
    def search(self, text: str = "", project: str | None = None, asker: str | None = None, after: str | None = None,
               before: str | None = None, year: str | int | None = None, sort: str = "relevance", page: int = 1,
               limit: int = 10) -> dict:
        """Ranked hits with snippets, facet counts, notes and a suggestion; raises QueryError for bad input."""
        text = (text or "").strip()
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
        page, limit = _bounded(page, 1, MAX_PAGE, "page"), _bounded(limit, 1, MAX_LIMIT, "limit")
        if sort not in ("relevance", "date", "oldest"):
            raise QueryError(f"sort must be relevance, date or oldest, not {sort!r}")
        extra = " ".join(f'{k}:"{str(v).replace(chr(34), "")}"' for k, v in (
            ("project", project), ("asker", asker), ("after", after), ("before", before), ("year", year)) if v)
        pq = parse_query(f"{text} {extra}".strip(), self.registry)
        if not pq.has_text and not pq.has_filters and not pq.excluded:
            raise QueryError("the query is empty: type a few words, or a filter such as project:MOSN")
        state, searcher = self._state()
        key = (state["key"], text, extra, sort, page, limit)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        result = self._run(pq, state, searcher, text, sort, page, limit)
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def _run(self, pq: ParsedQuery, state, searcher, text, sort, page, limit) -> dict:
        q = build_query(pq, state["common"], self.registry)
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
            groups = [(ts, max(self.idf(state, searcher, t) for t in ts))
                      for ts in (list(dict.fromkeys(analysis.terms(w, parts=False))) for w in pq.words) if ts]
            ranked = rerank(self, state, ranked[:RERANK_DEPTH], groups) + ranked[RERANK_DEPTH:]
        terms = self._highlight_terms(pq)
        hits = []
        start = (page - 1) * limit
        for score, docnum in ranked[start:start + limit]:
            d = state["docs"][docnum]
            hits.append(self._hit(d, score if sort == "relevance" and pq.has_text else None, terms))
        facets = self._facets(state, matched)
        out = {"query": text, "total": len(matched), "page": page, "limit": limit,
               "pages": max(1, math.ceil(len(matched) / limit)), "sort": sort, "hits": hits,
               "facets": facets, "notes": pq.notes, "suggestion": None,
               "filters": {"project": pq.projects, "asker": pq.askers,
                           "after": pq.after.isoformat() if pq.after else None,
                           "before": pq.before.isoformat() if pq.before else None, "year": pq.years}}
        if len(matched) < 3 and pq.words:
            out["suggestion"] = self._suggest(pq, text, searcher)
        return out

    def idf(self, state, searcher, term: str) -> float:
        """BM25's inverse document frequency of a term in the questions or answers (0 for unknown terms)."""
        reader = searcher.reader()
        df = max(reader.doc_frequency("question", term), reader.doc_frequency("answer", term))
        n = max(state["count"], 1)
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0

    def doc_terms(self, state, docnum: int) -> tuple[set[str], set[str], set[str]]:
        """(question terms, answer terms, first question's terms) of an entry, computed once per generation."""
        cache = state["terms"]
        got = cache.get(docnum)
        if got is None:
            turns = state["docs"][docnum]["turns"]
            got = (set(analysis.terms(" ".join(t["q"] for t in turns), parts=False)),
                   set(analysis.terms(" ".join(t["a"] or "" for t in turns), parts=False)),
                   set(analysis.terms(turns[0]["q"], parts=False)) if turns else set())
            cache[docnum] = got
        return got

    @staticmethod
    def _per_generation(state: dict, name: str, compute):
        """A value computed once per published generation (it lives and dies with the generation's state)."""
        if name not in state:
            state[name] = compute()
        return state[name]

    def _highlight_terms(self, pq: ParsedQuery) -> set[str]:
        return {t for w in pq.words + pq.phrases for t in analysis.terms(w)}

    def _hit(self, d: dict, score, terms: set[str]) -> dict:
        hit = dict(d)
        hit.pop("turns_md", None)
        hit["score"] = round(score, 4) if score is not None else None
        q_text = " ".join(t["q"] for t in d.get("turns") or [])
        a_text = " ".join(t["a"] or "" for t in d.get("turns") or [])
        hit["highlights"] = {"question": highlight(q_text, terms), "answer": highlight(a_text, terms)}
        return hit

    def _facets(self, state, docnums) -> dict:
        projects, years = Counter(), Counter()
        for n in docnums:
            d = state["docs"][n]
            projects.update(d.get("projects") or [])
            if d.get("date"):
                years[d["date"][:4]] += 1
        return {"projects": [{"name": k, "count": v} for k, v in projects.most_common()],
                "years": [{"name": k, "count": v} for k, v in sorted(years.items(), reverse=True)]}

    def _suggest(self, pq: ParsedQuery, text: str, searcher) -> str | None:
        """Did you mean: project names first, then words the index knows."""
        changed = text
        for w in pq.words:
            if analysis.is_cjk(w) or len(w) < 3:
                continue
            project = self.registry.lookup(w)
            if project and squash(project.name) != squash(w):
                changed = changed.replace(w, project.name)
                continue
            if project:
                continue
            for fname in ("question", "answer"):
                fixes = searcher.corrector(fname).suggest(w.lower(), limit=1)
                if fixes and fixes[0] != w.lower():
                    changed = changed.replace(w, fixes[0])
                    break
        return changed if changed != text else None

    # -- entries
    def get(self, entry_id: str) -> dict | None:
        state, _ = self._state()
        num = state["by_id"].get(entry_id)
        return dict(state["docs"][num]) if num is not None else None

    def newest(self, limit: int = 10, project: str | None = None) -> list[dict]:
        state, _ = self._state()
        docs = state["docs"].values()
        if project:
            key = squash(self.registry.canonical(project))
            docs = [d for d in docs if key in {squash(p) for p in d.get("projects") or []}]
        return sorted(docs, key=lambda d: (d.get("date") or "", -(d.get("position") or 0)), reverse=True)[:limit]

    def related(self, entry: dict, limit: int = 5) -> list[dict]:
        text = " ".join([entry.get("question") or "", " ".join(entry.get("projects") or [])]).strip()
        if not text:
            return []
        hits = self.similar(text, limit=limit + 1)["hits"]
        return [h for h in hits if h["id"] != entry["id"]][:limit]

    def projects(self) -> list[dict]:
        """Projects with entry counts (registry projects with none are listed too, with 0)."""
        state, _ = self._state()

        def compute():
            counts = Counter(p for d in state["docs"].values() for p in d.get("projects") or [])
            repos = {p.name: p.repo for p in self.registry.projects}
            names = list(counts) + [p.name for p in self.registry.projects if p.name not in counts]
            return sorted(({"name": n, "count": counts.get(n, 0), "repo": repos.get(n)} for n in names),
                          key=lambda p: (-p["count"], p["name"].lower()))
        return [dict(p) for p in self._per_generation(state, "projects", compute)]

    def stats(self) -> dict:
        state, _ = self._state()

        def compute():
            gen = self.index_dir / state["gen"]
            size = sum(f.stat().st_size for f in gen.iterdir() if f.is_file())
            years = Counter((d.get("date") or "")[:4] or "unknown" for d in state["docs"].values())
            manifest = state["manifest"]
            return {"entries": state["count"], "posts": len(manifest.get("posts") or {}),
                    "projects": [p for p in self.projects() if p["count"]],
                    "years": [{"name": k, "count": v} for k, v in sorted(years.items())],
                    "index_bytes": size, "generation": state["gen"], "last_ingest": manifest.get("created"),
                    "last_report": manifest.get("report")}
        return dict(self._per_generation(state, "stats", compute))

    # -- similar questions (bots)
    def similar(self, text: str, limit: int = 5, project: str | None = None) -> dict:
        from .similar import find_similar
        state, searcher = self._state()
        return find_similar(self, state, searcher, text, limit=limit, project=project)


def _generation_key(gen: Path | None) -> str | None:
    """A generation's name and inode: an index deleted and rebuilt reuses `gen-000001`, but not its inode."""
    try:
        return f"{gen.name}@{gen.stat().st_ino}" if gen is not None else None
    except OSError:
        return None


RERANK_DEPTH = 50
COMMON_SHARE = 0.05       # terms in more than this share of entries are left out of queries


def rerank(archive: Archive, state: dict, ranked: list[tuple[float, int]], groups: list[tuple[list[str], float]],
           w_score: float = 1.0, w_question: float = 0.4, w_thread: float = 0.3) -> list[tuple[float, int]]:
    """Re-rank search candidates by how much of the query they cover: all words matching beats some.

    `groups` are the query's words, each a list of terms and a weight (its idf). A candidate's coverage is the
    weighted share of words whose terms it contains: in its questions (`w_question`: the question counts more)
    and anywhere in the thread (`w_thread`). `w_score` keeps BM25's order, scaled to the best candidate. A word
    that names a project the entry is tagged with counts as covered.
    """
    total = sum(w for _, w in groups) or 1.0
    best = max((s for s, _ in ranked), default=0.0) or 1.0
    # the project a one-term word names, looked up once per query rather than once per candidate
    named = [squash(p.name) if len(terms) == 1 and (p := archive.registry.lookup(terms[0], fuzzy=False)) else None
             for terms, _ in groups]
    out = []
    for score, docnum in ranked:
        q_terms, a_terms, _ = archive.doc_terms(state, docnum)
        tags = {squash(p) for p in state["docs"][docnum].get("projects") or []}
        q_cover = thread_cover = 0.0
        for (terms, weight), project in zip(groups, named, strict=True):
            if project is not None and project in tags:
                q_cover += weight
                thread_cover += weight
                continue
            q_cover += weight * sum(1 for t in terms if t in q_terms) / len(terms)
            thread_cover += weight * sum(1 for t in terms if t in q_terms or t in a_terms) / len(terms)
        out.append((w_score * score / best + w_question * q_cover / total + w_thread * thread_cover / total, docnum))
    out.sort(key=lambda x: -x[0])
    return out


def _bounded(value, low: int, high: int, name: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be a whole number, not {value!r}") from None
    if not low <= n <= high:
        raise QueryError(f"{name} must be between {low} and {high}, not {n}")
    return n


__all__ = ["Archive", "QueryError", "IndexError_", "parse_query", "build_query", "highlight"]
