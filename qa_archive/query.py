"""The query language and the pieces of a Whoosh query that search and similar questions share.

`FILTERS` is the one table of filter keys (`project:`, `asker:`, `after:`, …): each entry has its name, its type,
a help text in English and Chinese, how a value is parsed, and the Whoosh clause that applies it. The query
language reads it here; the CLI options, the web form and the OpenAPI document can be generated from it, so a new
key is an entry in the table (plus a schema field) and nothing else.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as Q

from . import analysis
from .messages import ArchiveError, render
from .profiles import slug
from .projects import Registry, squash

MAX_QUERY_CHARS = 500
MAX_LIMIT = 50
MAX_PAGE = 100
FIELDS = ("question", "answer")           # `in:title` can add the post title
SORTS = ("relevance", "date", "oldest")


class QueryError(ArchiveError):
    """A query that cannot be run at all (empty, too long, bad parameters): the message is for the user."""


class NothingToSearch(QueryError):
    """Every part of the query was ignored: the error names what was wrong with each (`year:abc`)."""

    def __init__(self, notes: list[Note]):
        self.notes = list(notes)
        super().__init__("query.nothing_valid", notes="; ".join(self.notes))

    def render(self, lang: str = "en") -> str:
        return render(self.code, {"notes": "; ".join(n.render(lang) for n in self.notes)}, lang)


class Note(str):
    """A remark about a query that still ran (`after:yesterday` ignored). It is its English text, so it serialises
    and compares as a string, and it carries a catalogue code and parameters for other languages."""

    code: str
    params: dict

    def __new__(cls, code: str, **params):
        self = super().__new__(cls, render(code, params, "en"))
        self.code, self.params = code, params
        return self

    def render(self, lang: str = "en") -> str:
        return render(self.code, self.params, lang)


# ---------------------------------------------------------------------------------------------- the filter table

def parse_date(value: str) -> dt.date | None:
    """YYYY-MM-DD, YYYY-MM or YYYY, between 1900 and 2999 (outside that no post exists, and datetime overflows)."""
    for pad in ("", "-01", "-01-01"):
        try:
            day = dt.datetime.strptime(value + pad, "%Y-%m-%d").date()
        except ValueError:
            continue
        return day if 1900 <= day.year <= 2999 else None
    return None


def project_name(value: str, registry: Registry | None, notes: list) -> str:
    """A project as the registry names it; an unknown name stays as given, with `note.unknown_project` (the one
    check for a project a user names, for search and similar questions alike)."""
    project = registry.lookup(value) if registry else None
    if project is None and registry is not None:
        notes.append(Note("note.unknown_project", value=value))
    return project.name if project else value


def _date_of(key: str):
    def parse(value: str, registry, notes: list):
        day = parse_date(value)
        if day is None:
            notes.append(Note("note.not_a_date", key=key, value=value))
        return day
    return parse


def _year(value: str, registry, notes: list) -> int | None:
    if re.fullmatch(r"(19|20)\d\d", value):
        return int(value)
    notes.append(Note("note.not_a_year", value=value))
    return None


def _fields(value: str, registry, notes: list) -> tuple | None:
    wanted = tuple(f for f in FIELDS + ("title",) if f.startswith(value.lower()[:4]))
    if not wanted:
        notes.append(Note("note.not_a_field", value=value))
    return wanted or None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min)


@dataclass(frozen=True)
class Filter:
    """One key of the query language. `parse(value, registry, notes)` returns the parsed value, or None after
    adding a Note saying why the value is ignored. `clause(values)` is the Whoosh filter for the parsed values
    (None for keys that scope the search rather than filter it). `many`: every value counts (OR); otherwise the
    last one given wins."""
    name: str
    type: str                   # "project", "community", "text", "date", "year", "fields": for forms and docs
    help: dict[str, str]                        # {"en": …, "zh": …}
    parse: Callable[[str, Registry | None, list], Any]
    clause: Callable[[list], Q.Query | None] | None = None
    many: bool = True
    example: str = ""


FILTERS: tuple[Filter, ...] = (
    Filter("project", "project", {"en": "only entries tagged with this project (any spelling or alias)",
                                  "zh": "只看标记了该项目的问答（任意写法或别名）"},
           project_name, lambda vs: Q.Or([Q.Term("projects", squash(v)) for v in vs]), example="MOSN"),
    Filter("community", "community", {"en": "only entries from this community's posts (its key, e.g. optech)",
                                      "zh": "只看这个社区的问答（社区代号，如 optech）"},
           lambda v, r, n: slug(v), lambda vs: Q.Or([Q.Term("community", v) for v in vs]), example="optech"),
    Filter("asker", "text", {"en": "only questions asked by this person", "zh": "只看此人提的问题"},
           lambda v, r, n: v.lstrip("@"), lambda vs: Q.Or([Q.Term("asker", squash(v)) for v in vs]),
           example="zhangsan"),
    Filter("after", "date", {"en": "only entries from this date on (YYYY-MM-DD, YYYY-MM or YYYY)",
                             "zh": "只看此日期及之后的问答（YYYY-MM-DD、YYYY-MM 或 YYYY）"},
           _date_of("after"), lambda vs: Q.DateRange("date", _day_start(vs[-1]), None), many=False,
           example="2022-01-01"),
    Filter("before", "date", {"en": "only entries before this date (YYYY-MM-DD, YYYY-MM or YYYY)",
                              "zh": "只看此日期之前的问答（YYYY-MM-DD、YYYY-MM 或 YYYY）"},
           _date_of("before"),
           lambda vs: Q.DateRange("date", None, _day_start(vs[-1]) - dt.timedelta(microseconds=1)), many=False,
           example="2023-01-01"),
    Filter("year", "year", {"en": "only entries from this year", "zh": "只看这一年的问答"},
           _year, lambda vs: Q.Or([Q.NumericRange("year", y, y) for y in vs]), example="2022"),
    Filter("in", "fields", {"en": "search only in question, answer or title", "zh": "只在问题、回答或标题中搜索"},
           _fields, None, many=False, example="question"),
)


def by_name() -> dict[str, Filter]:
    """FILTERS by key, read from the table on each call: a filter added to FILTERS alone is known everywhere."""
    return {f.name: f for f in FILTERS}


def filter_text(values: dict[str, Any]) -> str:
    """Filter values given apart from the text (CLI options, form fields) as query-language terms."""
    known = by_name()
    unknown = set(values) - set(known)
    if unknown:
        raise TypeError(f"unknown filter {sorted(unknown)[0]!r}")
    return " ".join(f'{name}:"{str(values[name]).replace(chr(34), "")}"' for name in known
                    if values.get(name) not in (None, ""))


# ---------------------------------------------------------------------------------------------- query language

@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    filters: dict[str, list] = field(default_factory=dict)     # filter name -> parsed values, in order given
    notes: list[Note] = field(default_factory=list)

    def values(self, name: str) -> list:
        return self.filters.get(name) or []

    def last(self, name: str):
        got = self.filters.get(name)
        return got[-1] if got else None

    @property
    def projects(self) -> list[str]:
        return self.values("project")

    @property
    def askers(self) -> list[str]:
        return self.values("asker")

    @property
    def after(self) -> dt.date | None:
        return self.last("after")

    @property
    def before(self) -> dt.date | None:
        return self.last("before")

    @property
    def years(self) -> list[int]:
        return self.values("year")

    @property
    def fields(self) -> tuple:
        return self.last("in") or FIELDS

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def has_filters(self) -> bool:
        return any(self.filters.get(f.name) for f in FILTERS if f.clause is not None)

    def filters_dict(self) -> dict:
        """The filters in effect, for a result: lists for keys that take many values, one value otherwise."""
        out = {}
        for f in FILTERS:
            if f.clause is None:
                continue
            vals = [v.isoformat() if isinstance(v, dt.date) else v for v in self.values(f.name)]
            out[f.name] = vals if f.many else (vals[-1] if vals else None)
        return out


TOKEN = re.compile(r'(?P<neg>-)?(?:(?P<key>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"|(?P<word>\S+))')
QUOTES = str.maketrans({"“": '"', "”": '"', "＂": '"'})


def parse_query(text: str, registry: Registry | None = None) -> ParsedQuery:
    """`"exact phrase" -word project:Layotto asker:name after:2021-01-01 before:… year:2022 in:question`.

    Anything that does not parse is searched as plain text, with a note saying so; this never raises.
    """
    pq = ParsedQuery()
    known = by_name()
    text = (text or "").translate(QUOTES)
    if text.count('"') % 2:
        pq.notes.append(Note("note.unbalanced_quote"))
        text = text.replace('"', " ")
    for m in TOKEN.finditer(text):
        neg, key, phrase, word = m.group("neg"), (m.group("key") or "").lower(), m.group("phrase"), m.group("word")
        value = phrase if phrase is not None else (word or "")
        if key and key not in known:
            value, key = f"{m.group('key')}:{value}", ""        # `http://…`, `error:foo`: plain text
        if key:
            if not value:
                pq.notes.append(Note("note.needs_value", key=key))
                continue
            parsed = known[key].parse(value, registry, pq.notes)
            if parsed is not None:
                pq.filters.setdefault(key, []).append(parsed)
        elif neg and value and not value.startswith("-"):
            pq.excluded.append(value)
        elif phrase is not None:
            if analysis.terms(phrase):
                pq.phrases.append(phrase)
        elif value and value not in ("OR", "AND", "||", "&&"):     # every query is already "any word, all best"
            pq.words.append(value.lstrip("-") if neg else value)
    return pq


def bounded(value, low: int, high: int, name: str) -> int:
    """A whole number within [low, high]; `name` (page or limit) picks the message."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise QueryError(f"query.{name}_not_whole", value=repr(value)) from None
    if not low <= n <= high:
        raise QueryError(f"query.{name}_range", low=low, high=high, value=n)
    return n


def within_pages(page: int, pages: int, total: int) -> None:
    """The one rule for a page past the last, for searches and paged lists alike: with something to show, asking
    for a later page than there is raises `query.past_end`, which names the last page (`last` in its params, for
    a link to it); with nothing found there is no last page, and the empty result says so."""
    if total and page > pages:
        raise QueryError("query.past_end", page=page, last=pages, total=total)


# ---------------------------------------------------------------------------------------------- questions

GREETING = re.compile(r"^\W*(你好|您好|大家好|各位|请问|请教|老师好|hi|hello|hey|dear)\b", re.I)
QUESTION_MARK = re.compile(r"[?？]")
ASKING = re.compile(r"(吗|呢|么|吧|如何解决|怎么办|怎么[弄做配改])$|^(how|what|why|where|when|which|can|could|does|do|is|are|"
                    r"should)\s+\S+\s+\S+\s+\S+", re.I)     # a question without its question mark
SENTENCE_END = re.compile(r"[。！!；;，,:：]\s*\S")


def looks_like_question(text: str) -> bool:
    """A question in someone's own words rather than search words: a question mark, a greeting, several lines
    (a pasted log), or several sentences or many words. `Seata 行锁 year:2021` is search words."""
    text = (text or "").strip()
    if not text:
        return False
    if "\n" in text or QUESTION_MARK.search(text) or GREETING.search(text) or ASKING.search(text):
        return True
    cjk = len(re.findall(f"[{analysis.CJK}]", text))
    words = len(re.findall(r"[A-Za-z][\w.\-]*", text))
    if cjk >= 24 or words >= 10 or cjk + 2 * words >= 30:
        return True
    return bool(SENTENCE_END.search(text)) and cjk + 2 * words >= 12


# ---------------------------------------------------------------------------------------------- Whoosh queries

PROJECT_TAG_BOOST = 1.0
# query-time weights of the searched fields (the schema's own: question 2, answer 1); `translation` holds the
# questions and answers of an entry's translations, so a query in one language finds the thread in the other
FIELD_BOOST = {"question": 1.0, "answer": 1.0, "translation": 0.6}     # translation: tune_ranking.py


def union(queries: list[Q.Query]) -> Q.Query:
    """An Or matched by a binary tree of unions: Whoosh's default for small indexes pre-loads every clause into a
    2048-slot array, which costs more than the whole search here."""
    q = Q.Or(queries)
    q.matcher_type = Q.Or.DEFAULT_MATCHER
    return q


def any_field(fields, term: str) -> Q.Query:
    if len(fields) == 1:
        return Q.Term(fields[0], term, boost=FIELD_BOOST.get(fields[0], 1.0))
    return union([Q.Term(f, term, boost=FIELD_BOOST.get(f, 1.0)) for f in fields])


def word_terms(word: str) -> list[str]:
    """A user word's index terms, once each, without the sub-parts of compound words."""
    return list(dict.fromkeys(analysis.terms(word, parts=False)))


def word_query(word: str, fields, common: set[str]) -> Q.Query | None:
    """One user word: its terms in any of the fields. A CJK word's bigrams may match partly (`切主` vs `换主`)."""
    terms = word_terms(word)
    if not terms:
        return None
    kept = [t for t in terms if t not in common] or terms
    per_term = [any_field(fields, t) for t in kept]
    return per_term[0] if len(per_term) == 1 else union(per_term)


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
    # words are also looked for in an entry's translations, unless the query names the fields (`in:question`)
    fields = pq.fields if pq.last("in") else pq.fields + ("translation",)
    for w in pq.words:
        wq = word_query(w, fields, common)
        project = registry.lookup(w, fuzzy=False) if registry and not analysis.is_cjk(w) else None
        if project is not None:
            # a project name also matches the threads tagged with it (their text may only say "it")
            tag = Q.Term("projects", squash(project.name), boost=PROJECT_TAG_BOOST)
            wq = union([wq, tag]) if wq is not None else tag
        if wq is not None:
            shoulds.append(wq)
    for p in pq.phrases:
        ph = phrase_query(p, pq.fields)
        if ph is not None:
            musts.append(ph)
    if shoulds:
        # every word adds its score; the re-ranking makes "all words" beat "some"
        musts.append(shoulds[0] if len(shoulds) == 1 else union(shoulds))
    q = Q.And(musts) if len(musts) > 1 else (musts[0] if musts else Q.Every())
    for x in pq.excluded:
        xq = phrase_query(x, FIELDS)
        if xq is not None:
            q = Q.AndNot(q, xq)
    return q


def build_filter(pq: ParsedQuery) -> Q.Query | None:
    parts = [f.clause(pq.values(f.name)) for f in FILTERS if f.clause is not None and pq.values(f.name)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.And(parts)


def highlight_terms(pq: ParsedQuery) -> set[str]:
    return {t for w in pq.words + pq.phrases for t in analysis.terms(w)}
