"""One published generation of the index, read once: what every search and similar-question lookup needs.

`Generation.load(index_dir)` opens the published generation and reads its snapshot (every entry, the document
frequencies of the commonest terms) and the project registry recorded at ingest. Values derived from the
generation (idf, an entry's term sets, project counts, stats) are computed on first use and cached on it, so they
live and die with the generation. Searchers come from `searcher()`: one per thread, since Whoosh searchers are not
shared between threads.
"""
from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import scoring

from .analysis import is_cjk, query_terms
from .index import IndexProblem, current_dir, has_cjk, open_current, read_columns, read_snapshot
from .projects import Registry

COMMON_SHARE = 0.05       # terms in more than this share of entries are left out of queries
COMMON_MIN_ENTRIES = 200  # below this many entries no term is common
IDF_FIELDS = ("question", "answer")
MAX_CACHED_IDF = 200_000
POSTINGS_BUDGET = 400_000  # postings a generation keeps in memory for scoring (about 40 MB), least recent dropped
BM25_B, BM25_K1 = 0.6, 1.2


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
    _postings: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _postings_size: int = 0
    _norms: dict[str, list] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, index_dir: str | Path, registry: Registry | None = None) -> Generation:
        """The published generation; `registry` overrides the one recorded at ingest."""
        index_dir = Path(index_dir)
        ix, path, manifest = open_current(index_dir)
        columns = read_columns(path)
        lazy = None
        if columns is not None:
            try:
                lazy = LazyDocs((path / "entries.json").read_bytes(), columns["spans"])
            except (OSError, ValueError):
                lazy = None
        if lazy is not None:
            docs, n, df = lazy, columns["count"], columns["df"]
            by_id = {i: num for num, i in enumerate(columns["ids"]) if i is not None}
        else:                      # an index from before columns.json: parse every entry now
            snapshot = read_snapshot(path)
            if snapshot is None:
                raise IndexProblem("index.no_snapshot", path=str(index_dir.absolute()))
            docs = {num: d for num, d in enumerate(snapshot["docs"]) if d is not None}
            n, df = snapshot["count"], snapshot["df"]
            by_id = {d["id"]: num for num, d in docs.items()}
        common = frozenset(t for t, k in df.items() if k > n * COMMON_SHARE) \
            if n >= COMMON_MIN_ENTRIES else frozenset()
        gen = cls(key=generation_key(path), name=path.name, path=path, index=ix, manifest=manifest,
                  registry=registry or recorded_registry(path, manifest), docs=docs, by_id=by_id, count=n,
                  common=common)
        if lazy is not None:
            gen._values["columns"] = columns
        return gen

    def searcher(self):
        """A new Whoosh searcher with the archive's BM25F weights (one per thread; close it when done)."""
        return self.index.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))

    # -- what scoring reads, cached for the generation (see search.score_terms)
    def postings(self, reader, fieldname: str, term: str) -> dict[int, float]:
        """{docnum: weight} of a term in a field, read from Whoosh once and kept while the budget allows.

        Reading a posting list costs about as much as scoring it once; the bigrams and words of new queries
        repeat, so most lists of a query are already here. The budget bounds memory (least recent dropped)."""
        key = (fieldname, term)
        with self._lock:
            got = self._postings.get(key)
            if got is not None:
                self._postings.move_to_end(key)
                return got
        got = {}
        if key in reader:
            m = reader.postings(fieldname, term)
            while m.is_active():
                got[m.id()] = m.weight()
                m.next()
        with self._lock:
            if key not in self._postings:
                self._postings[key] = got
                self._postings_size += len(got) + 1
                while self._postings_size > POSTINGS_BUDGET and len(self._postings) > 1:
                    _, old = self._postings.popitem(last=False)
                    self._postings_size -= len(old) + 1
        return got

    def norms(self, searcher, fieldname: str) -> list[float]:
        """BM25's length normalisation of every document in a field, `K1 * (1 - B + B * length / average)`, with
        the lengths Whoosh stores (one byte each, so the scores equal Whoosh's own)."""
        got = self._norms.get(fieldname)
        if got is None:
            avg = searcher.avg_field_length(fieldname) or 1
            lengths = stored_lengths(searcher, fieldname)
            if lengths is not None:        # 256 possible length bytes: each one's norm made once
                table = [BM25_K1 * ((1 - BM25_B) + BM25_B * length / avg) for length in LENGTH_OF_BYTE]
                got = [table[b] for b in lengths]
            else:
                dfl = searcher.doc_field_length
                got = [BM25_K1 * ((1 - BM25_B) + BM25_B * (dfl(d, fieldname, 1) or 1) / avg)
                       for d in range(searcher.reader().doc_count_all())]
            with self._lock:
                self._norms[fieldname] = got
        return got

    def dates(self) -> dict[int, str | None]:
        """docnum -> the entry's date (ISO text or None), from the columns when the generation has them."""
        def compute():
            columns = self._values.get("columns")
            if columns:
                return {n: d for n, (i, d) in enumerate(zip(columns["ids"], columns["dates"], strict=True))
                        if i is not None}
            return {n: d.get("date") for n, d in self.docs.items()}
        return self.cached("dates", compute)

    def community_column(self) -> dict[int, str | None]:
        """docnum -> the entry's community, from the columns when the generation has them."""
        def compute():
            columns = self._values.get("columns")
            if columns and "communities" in columns:
                return {n: c for n, (i, c) in enumerate(zip(columns["ids"], columns["communities"], strict=True))
                        if i is not None}
            return {n: d.get("community") for n, d in self.docs.items()}
        return self.cached("community_column", compute)

    def facet_sets(self) -> tuple[dict[str, set], dict[str, set]]:
        """Project name -> its entries' docnums, year -> docnums: facets are counted by set intersections."""
        def compute():
            projects: dict[str, set] = {}
            years: dict[str, set] = {}
            columns = self._values.get("columns")
            rows = (((n, p, d) for n, (i, p, d) in enumerate(zip(columns["ids"], columns["projects"],
                                                                  columns["dates"], strict=True)) if i is not None)
                    if columns else ((n, d.get("projects"), d.get("date")) for n, d in self.docs.items()))
            for n, names, date in rows:
                for p in names or []:
                    projects.setdefault(p, set()).add(n)
                if date:
                    years.setdefault(date[:4], set()).add(n)
            return projects, years
        return self.cached("facet_sets", compute)

    def doc_frequency(self, term: str, reader) -> int:
        """In how many entries a term occurs, in the questions or the answers (the larger)."""
        return max(reader.doc_frequency(f, term) for f in IDF_FIELDS)

    def cjk_count(self) -> int:
        """How many entries have any CJK text (`index.has_cjk`): the only ones a CJK term can occur in (`idf`).
        Stored at ingest in columns.json; counted here, parsing every entry once, for an index written before."""
        def compute():
            stored = (self._values.get("columns") or {}).get("cjk")
            return stored if stored is not None else sum(1 for d in self.docs.values() if has_cjk(d))
        return self.cached("cjk_count", compute)

    def idf(self, term: str, reader) -> float:
        """`idf(entries, doc_frequency)` of a term, cached for the generation (0 for a term no entry has). A CJK
        term's rarity is measured among the entries with CJK text (`cjk_count`), not the whole archive: in a mostly
        English archive with a few Chinese threads, a common Chinese word found in one of them is not as rare as one
        of seventy, and its idf pulled a Chinese question to the Chinese threads that share its everyday words
        rather than the English thread that answers it. In a Chinese archive the two counts are the same. This is
        the idf of similar's key terms and overlap and of search's re-ranking (`search.rerank`'s word weights);
        Whoosh's BM25 keeps its own, over every entry. (A word no entry has is not counted here: similar weighs
        it apart, as a need no thread covers.)"""
        got = self._idf.get(term)
        if got is None:
            df = self.doc_frequency(term, reader)
            n = self.cjk_count() if df and is_cjk(term) else self.count
            got = idf(n, min(df, n))         # (a deleted entry may still be counted in df until a merge)
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
            got = DocTerms(query_terms(" ".join(t["q"] for t in turns)),
                           query_terms(" ".join(t["a"] or "" for t in turns)),
                           query_terms(turns[0]["q"]) if turns else set())
            self._terms[docnum] = got
        return got

    def cached(self, name: str, compute):
        """A value computed once per generation (project counts, stats)."""
        if name not in self._values:
            with self._lock:
                if name not in self._values:
                    self._values[name] = compute()
        return self._values[name]

    def holds(self, name: str) -> bool:
        """Whether `cached(name, …)` has been computed."""
        return name in self._values

    def entry(self, entry_id: str) -> dict | None:
        num = self.by_id.get(entry_id)
        return self.docs[num] if num is not None else None


def _length_of_byte() -> list[int]:
    from whoosh.util.numeric import byte_to_length
    return [1] + [byte_to_length(b) or 1 for b in range(1, 256)]   # 0: no length stored, as `or 1` above reads it


LENGTH_OF_BYTE = _length_of_byte()


def stored_lengths(searcher, fieldname: str) -> bytes | None:
    """Every document's length byte in a field (0 where none is stored), each segment's column read at once: the
    bytes `doc_field_length` decodes one call at a time (at 20x, 24,000 calls were a sixth of a cold terminal
    search). None when the index is not laid out as Whoosh 2.7's codec writes it: the caller asks per document."""
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
        out = bytearray()
        for reader, base in sorted(searcher.reader().leaf_readers(), key=lambda rb: rb[1]):
            n = reader.doc_count_all()
            if base != len(out):
                return None
            perdoc = reader._perdoc
            column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) \
                if perdoc.has_column(_lenfield(fieldname)) else None
            if column is None:
                out += bytes(n)
                continue
            if column._fixedlen != 1 or column._typecode != "B" or column._count > n:
                return None
            out += column._dbfile.get(column._basepos, column._count)
            out += bytes(n - column._count)
        return bytes(out)
    except (AttributeError, ImportError, TypeError, ValueError):
        return None


class LazyDocs(Mapping):
    """docnum -> entry, each parsed from its span of entries.json the first time it is asked for."""

    def __init__(self, data: bytes, spans: list):
        ends = [s for s in spans[:1] + spans[-1:] if s is not None]
        if any(s[1] > len(data) or data[s[0]:s[0] + 1] != b"{" for s in ends):
            raise ValueError("entries.json does not match columns.json")
        self._data = data
        self._spans = spans
        self._keys = [n for n, s in enumerate(spans) if s is not None]
        self._parsed: dict[int, dict] = {}

    def __getitem__(self, docnum) -> dict:
        got = self._parsed.get(docnum)
        if got is None:
            try:
                start, end = self._spans[docnum] if isinstance(docnum, int) and docnum >= 0 else (None, None)
            except (IndexError, TypeError):
                start = None
            if start is None:
                raise KeyError(docnum)
            got = self._parsed[docnum] = json.loads(self._data[start:end])
        return got

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def recorded_registry(path: Path, manifest: dict) -> Registry:
    """The registry the ingest used (recorded in the generation), or the default one for older indexes."""
    name = manifest.get("registry")
    if name and (path / name).is_file():
        return Registry.load(path / name)        # the name changes with the content: safe to cache by path
    return Registry.load()
