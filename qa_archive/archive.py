"""`Archive`, the facade every interface (CLI, web, API, scripts) uses over one index directory.

It notices a newly published generation on the next call (one readlink), keeps a searcher per thread, caches recent
results per generation, and hands searches to `search.py` and similar-question lookups to `similar.py`, two
siblings that do not import each other.
"""
from __future__ import annotations

import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from pathlib import Path

from .generation import Generation, current_key
from .profiles import slug
from .projects import Registry, squash
from .query import (
    MAX_LIMIT,
    MAX_PAGE,
    MAX_QUERY_CHARS,
    SORTS,
    Note,
    NothingToSearch,
    QueryError,
    bounded,
    filter_text,
    looks_like_question,
    parse_query,
    project_name,
    within_pages,
)
from .search import community_sets, run

# similar.py (numpy, the confidence model, the embedder) is imported by the first similar-question lookup: a
# terminal `search` never pays for it

ASK_LIMIT = 5
ASK_MAX_CHARS = 4000        # a pasted question with its log lines, not a whole log file
ASK_MIN_SHARE = 0.3         # a look-alike far weaker than the best one (this share of its score) is noise
# Below this confidence the best look-alike is no answer to show people (a laptop question over a middleware
# archive): on our question sets (SOFA, with the model) it hides 84% of off-topic questions' look-alikes and keeps
# every right answer (287; the lowest is at 0.018). Weak ones that stay are labelled "not sure".
ASK_MIN_CONFIDENCE = 0.015
ASKABLE_FILTERS = ("project", "community")      # the filters the similar-question matcher honours


class Archive:
    """Search and similar questions over one index directory. Safe to share between threads.

    The registry is the one recorded with the generation at ingest, unless one is given here."""

    def __init__(self, index_dir: str | os.PathLike, registry: Registry | None = None, cache_size: int = 512,
                 threshold: float | str | None = None, meaning_wanted: bool = True):
        self.index_dir = Path(index_dir)
        self.threshold = threshold          # the configured `similar.threshold` (QA_ARCHIVE_CONFIDENT_AT beats it)
        # the configured `search.meaning`: whether a search may take its meaning step once the model is loaded
        self.meaning_wanted = meaning_wanted
        self._registry = registry
        self._local = threading.local()
        self._lock = threading.Lock()
        self._gen: Generation | None = None
        self._cache: OrderedDict = OrderedDict()
        self._cache_size = cache_size
        # `serve` turns this on once the model is loaded (`similar.warm`), unless `meaning_wanted` is off: search
        # then re-orders its best candidates by meaning (`search.by_meaning`). A terminal search never loads the model.
        self.meaning = False
        # How many requests this process holds now (being answered or waiting for a thread), where the server can
        # tell (`serve` sets it); else searches count themselves (`_searching`).
        self.load: Callable[[], int] | None = None
        self._searching = 0

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
        the text. Raises QueryError for input that cannot be run, and `query.past_end` (naming the last page) for a
        page past the last one when something was found."""
        text = (text or "").strip()
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError("query.too_long", length=len(text), limit=MAX_QUERY_CHARS)
        page, limit = bounded(page, 1, MAX_PAGE, "page"), bounded(limit, 1, MAX_LIMIT, "limit")
        if sort not in SORTS:
            raise QueryError("query.sort", value=repr(sort))
        extra = filter_text(filters)
        gen, searcher = self.view()
        pq = parse_query(f"{text} {extra}".strip(), self._registry or gen.registry)
        if not pq.has_filters and not pq.excluded and (not pq.has_text or not any(ch.isalnum() for ch in text)):
            # (`？？？`, `*`, `(((`: no word to look for; as written they would match every entry)
            if pq.notes:
                raise NothingToSearch(pq.notes)
            raise QueryError("query.empty")
        # Under load (another request held by this process) search keeps to words: the query's vector costs
        # several times the rest of a search, and the words alone rank nine queries in ten right.
        with self._lock:
            self._searching += 1
        try:
            meaning = self.meaning and not self.busy()
            key = (gen.key, text, extra, sort, page, limit, meaning)
            with self._lock:
                result = self._cache.get(key)
                if result is not None:
                    self._cache.move_to_end(key)
            if result is None:
                result = run(gen, searcher, pq, text, sort, page, limit,
                             meaning=self.query_meaning(gen, pq) if meaning else None)
                with self._lock:
                    self._cache[key] = result
                    while len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        finally:
            with self._lock:
                self._searching -= 1
        within_pages(page, result["pages"], result["total"])
        return result

    def busy(self) -> bool:
        """Whether this process is doing more than the one search asking: other requests held by the server
        (`load`), else other searches running."""
        return (self.load() if self.load is not None else self._searching) > 1

    @staticmethod
    def query_meaning(gen: Generation, pq):
        """What search's meaning step asks (`similar.search_meaning`), or None."""
        from .similar import search_meaning
        return search_meaning(gen, " ".join(pq.words + pq.phrases))

    def check_project(self, name: str | None) -> tuple[str | None, list[Note]]:
        """(the registry's name for a project a user named, notes): an unknown name gives None and the note a
        search's `project:` gives (`note.unknown_project`)."""
        notes: list[Note] = []
        if not name:
            return None, notes
        known = project_name(name, self.registry, notes)
        return (None if notes else known), notes

    def similar(self, text: str, limit: int = 5, project: str | None = None, threshold: float | None = None) -> dict:
        """Prior threads like a new question (`similar.find_similar`); `threshold` is the configured
        `similar.threshold` (the environment's QA_ARCHIVE_CONFIDENT_AT overrides it). An unknown `project` is
        left out, with the note a search gives (`notes`)."""
        from .similar import find_similar
        project, notes = self.check_project(project)
        gen, searcher = self.view()
        res = find_similar(gen, searcher, text, limit=limit, project=project,
                           threshold=self.threshold if threshold is None else threshold)
        return dict(res, notes=notes + list(res.get("notes") or []))

    def ask(self, text: str, project: str | None = None, community: str | None = None,
            limit: int = ASK_LIMIT) -> list[dict]:
        """Prior threads for a question in someone's own words (the first marked `confident` when it is), of one
        project's or community's threads when given; the look-alikes far weaker than the best are left out.
        Never raises for the text: a text the matcher cannot use gets []."""
        try:
            hits = self.similar(text[:ASK_MAX_CHARS], limit=limit * 4 if community or project else limit,
                                project=project)["hits"]
        except QueryError:
            return []
        if not hits or (hits[0].get("confidence") or 0) < ASK_MIN_CONFIDENCE:
            return []           # (the best of the whole archive: only the top hit carries a confidence)
        if community:
            info = self.community(community)
            hits = [h for h in hits if info and h.get("community") == info["name"]]
        known = self.check_project(project)[0]      # (an unknown one is ignored, with the note search gives)
        if known:               # similar prefers the project's threads; a page about one shows only them
            key = squash(known)
            hits = [h for h in hits if key in {squash(p) for p in h.get("projects") or []}]
        hits = hits[:limit]
        top = max((h.get("score") or 0 for h in hits), default=0)
        return [h for h in hits if (h.get("score") or 0) > 0 and h["score"] >= ASK_MIN_SHARE * top]

    def search_or_ask(self, text: str = "", sort: str = "relevance", page: int = 1, limit: int = 10,
                      **filters) -> dict:
        """A search, and the one rule for when to answer with similar questions too, for every interface:
        when the text reads as a question in someone's own words (`query.looks_like_question`), or the search
        found nothing. Only project and community narrow the look-alikes; with any other filter set (a date,
        an asker, a field), "nothing found" is the honest answer and nothing is asked.

        Returns {"results": the search's result or None, "error": its QueryError or None, "question_like": bool,
        "asked": the look-alikes (`ask`)}."""
        text = (text or "").strip()
        question = looks_like_question(text)
        res = error = None
        try:
            res = self.search(text, sort=sort, page=page, limit=limit, **filters)
        except QueryError as e:
            error = e
        given = res["filters"] if res is not None else filters
        narrowed = any(v not in (None, "", [], False) for k, v in given.items() if k not in ASKABLE_FILTERS)
        wanted = question or (res is not None and res["total"] == 0)
        asked = self.ask(text, project=filters.get("project"), community=filters.get("community")) \
            if text and wanted and not narrowed and any(ch.isalnum() for ch in text) else []
        return {"results": res, "error": error, "question_like": question, "asked": asked}

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
