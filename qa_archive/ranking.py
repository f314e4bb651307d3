"""Re-ranking search's top candidates: features of one candidate for one query, and the weights that combine them.

BM25F (in `query.py`/`search.py`) finds the candidates; this module re-orders the best `RERANK_DEPTH` of them by
what BM25 does not see:

    score      BM25F, scaled to the best candidate
    question   the share of the query (idf-weighted words) found in the thread's questions
    first      … in its first question (what the thread is about)
    thread     … anywhere in the thread
    exact      the share of multi-term words (`分库分表`, `k8s注册IP`) found as written in the questions, not
               only as scattered bigrams
    adjacent   the share of consecutive query words found next to each other in the questions (phrase/proximity)
    project    the thread is tagged with a project the query names
    partner    the share of the query found in the thread's translation (the same item in another language)
    language   0 for a thread that has a translation and is not in the query's script: of a thread and its
               translation, the one in the language of the query comes first (other threads are not judged by
               their language)
    recency    newer threads first, as a tie-break (0 for the oldest entry of the archive, 1 for the newest)

A word that names a project the thread is tagged with counts as covered everywhere; one that is a part of a
dotted word in the questions (`binaryPath` of `meshConfig.defaultConfig.binaryPath`) counts as found there. The weights are chosen by
`scripts/tune_ranking.py`, by cross-validation over posts; `WEIGHTS` holds the chosen ones. Everything here costs
a few substring lookups per candidate: nothing scales with the archive. What the features read of an entry (its
terms, `Entry`) is analysed once, when ingest writes the generation (`encode_rows`, the file `ROWS_FILE`), and only
decoded at query time; an index written before that file existed is analysed from the text on first use, with the
same result.
"""
from __future__ import annotations

import datetime as dt
import json
import mmap
import re
from collections.abc import Hashable
from dataclasses import asdict, astuple, dataclass, fields
from pathlib import Path
from typing import NamedTuple

from . import analysis
from .languages import entry_script, script
from .models import fold
from .projects import squash

RERANK_DEPTH = 50
SPACES = re.compile(r"\s+")
COMPOUND = re.compile(rf"[{analysis.CJK}]|\w[-_.]\w")
DOTTED = re.compile(r"\w\.\w")       # `a.b.binaryPath`, `ark-biz.jar`: words the index also has by their parts
WORD_OR_DOTS = re.compile(r"[\w.]+")     # linear: `\w+(?:\.\w+)+` backtracks through every long CJK run


@dataclass(frozen=True)
class Weights:
    """How much each feature counts (BM25's score is the unit). The defaults are the ones `scripts/tune_ranking.py`
    chose on all the development queries; its held-out figures are in the README."""
    score: float = 1.0
    question: float = 1.0
    first: float = 0.6
    thread: float = 0.4
    exact: float = 0.2
    adjacent: float = 0.05
    project: float = 0.0
    partner: float = 0.6
    language: float = 0.3
    recency: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


WEIGHTS = Weights()
FEATURES = Weights.names()


def squeeze(text: str) -> str:
    """Normalised (NFKC, lower case) text with no white space: `SOFA RPC 容器` and `sofarpc容器` read the same."""
    return SPACES.sub("", analysis.normalize(text))


@dataclass
class Query:
    """What the features need from a query, computed once per query (not per candidate)."""
    groups: list[tuple[list[str], float]]      # each word's terms and weight (idf)
    named: list[str | None]                     # the squashed project a one-term word names, else None
    exact: list[str]                            # multi-term words as written (squeezed)
    pairs: list[str]                            # consecutive words joined (squeezed)
    total: float
    script: str                                 # "cjk" or "latin": the query's writing system
    spaced: list[tuple[list[str], float]]       # `groups` with each term between spaces (see `spaced`)
    abbreviations: list[re.Pattern | None]      # per group: a CJK word's characters in order, a little apart


def prepare(gen, groups: list[tuple[list[str], float]], names: list[str] | None = None) -> Query:
    """`groups`: the query's words as (terms, weight); `names`: the same words as the user wrote them, one per
    group (for project names, words as written and adjacency; a term may be a stem)."""
    total = sum(w for _, w in groups) or 1.0
    labels = names or [terms[0] if len(terms) == 1 else "" for terms, _ in groups]
    named = [squash(p.name) if label and (p := gen.registry.lookup(label, fuzzy=False)) else None
             for label in labels]
    typed = [squeeze(w) for w in names or []]
    # unweighted: a word no entry has as a term (`ark-biz` of `ark-biz.jar`) has no idf, but can be found as written
    # only words that are one thing written together: a CJK run (`分库分表`), a compound (`ark-biz`, `undo_log`);
    # not `doesn't`, whose parts say nothing as a phrase
    exact = [s for s, w, (terms, _) in zip(typed, names or [], groups, strict=False)
             if len(terms) > 1 and COMPOUND.search(w)]
    pairs = [a + b for a, b in zip(typed, typed[1:], strict=False)]
    return Query(groups, named, exact, pairs, total, script(" ".join(names or [])),
                 [([f" {t} " for t in terms], w) for terms, w in groups],
                 [abbreviation(w) for w in names] if names else [None] * len(groups))


ABBREVIATION_GAP = 2
CJK_WORD = re.compile(rf"[{analysis.CJK}]{{2,6}}")     # a word `abbreviation` reads: two to six CJK characters


def abbreviation(word: str) -> re.Pattern | None:
    """A Chinese word as an abbreviation of a longer one: its characters in order, at most ABBREVIATION_GAP apart
    (`断连` in `断开连接`, `主从库` in `主从数据库`). Chinese shortens a phrase by keeping some of its characters, so
    the short form shares few bigrams with the long one."""
    w = squeeze(word)
    if not CJK_WORD.fullmatch(w):
        return None
    return re.compile(f".{{0,{ABBREVIATION_GAP}}}".join(map(re.escape, w)))


# ---------------------------------------------------------------------------------------------- an entry's side

def spaced(terms) -> str:
    """Terms as one string, each between spaces (`" a b c "`): `f" {t} " in` it asks whether a term is there
    without a set being built first (a term never holds white space: see `analysis.TOKEN`). Building the sets of
    a new candidate cost more than all the look-ups a query makes in them."""
    return f" {' '.join(sorted(terms))} "


def terms_of(field: str) -> frozenset[str]:
    """The terms of a `spaced` string, as a set."""
    return frozenset(field.split())


class Entry(NamedTuple):
    """What the features read of one entry, all derived from its text (`analyse`): made once at ingest and stored
    beside the index (`encode_rows`), so a query reads them instead of analysing each new candidate's text.
    Term sets are `spaced` strings."""
    questions: str                  # the terms of its questions (`analysis.query_terms`)
    first: str                      # … of its first question
    answers: str                    # … of its answers that are not in its questions (only those are looked up)
    parts: str                      # the parts of dotted words in its questions (`dotted_parts`)
    first_parts: str                # … in its first question
    text: str                       # its questions, squeezed (words as written, side by side)
    script: str                     # "cjk" or "latin" (`languages.entry_script`)
    tags: frozenset[str]            # its projects, squashed
    translated: bool                # it lists translations (found in the archive or not)
    partners: tuple[int, ...]       # the docnums of its translations in this generation
    key: Hashable                   # copies of one question share it (`question_key`)


def analyse(entry: dict) -> tuple:
    """The term sets and the rest of an entry's `Entry` that its text alone decides (all but partners and key):
    what re-ranking used to compute on a query's first visit to the entry. Sets, not yet `spaced`."""
    turns = entry["turns"]
    qtext = " ".join(t["q"] for t in turns)
    questions = frozenset(analysis.query_terms(qtext))
    parts = dotted_parts(qtext, questions)
    if len(turns) == 1:                  # most threads: the first question is all the questions
        first, first_parts = questions, parts
    else:
        first = frozenset(analysis.query_terms(turns[0]["q"])) if turns else frozenset()
        first_parts = dotted_parts(turns[0]["q"], first) if turns else frozenset()
    answers = frozenset(analysis.query_terms(" ".join(t["a"] or "" for t in turns))) - questions
    return (questions, first, answers, parts, first_parts, squeeze(qtext), entry_script(entry),
            frozenset(t for t in map(squash, entry.get("projects") or []) if t), bool(entry.get("translations")))


def copy_key(entry: dict) -> str:
    """An entry's first question, folded (case, width, spaces, punctuation): copies of a question share it."""
    return fold(entry.get("question") or "") or entry["id"]


def dotted_parts(text: str, whole: frozenset[str]) -> frozenset[str]:
    """The parts of dotted words in a text (`binarypath` of `meshConfig.defaultConfig.binaryPath`, `jar` of
    `ark-biz.jar`) that are not whole terms of it: the index holds them, so BM25 finds the entry by them, and a
    query word they match counts as found there.
    Not the parts of hyphenated names (`block-relay-only`, `sofa-registry`): queries do not split them either.
    Only the dotted words are analysed, not the whole text: at 20x this was a fifth of re-ranking's time."""
    if not DOTTED.search(text):
        return frozenset()
    words = " ".join(w for w in WORD_OR_DOTS.findall(text.replace("-", "")) if DOTTED.search(w))
    return frozenset(analysis.terms(words)) - whole


def from_text(gen, docnum: int) -> Entry:
    """An entry's `Entry` computed from its text now (an index written before the stored rows existed)."""
    d = gen.docs[docnum]
    questions, first, answers, parts, first_parts, *rest = analyse(d)
    partners = tuple(n for n in (gen.by_id.get(pid) for pid in d.get("translations") or ()) if n is not None)
    return Entry(spaced(questions), spaced(first), spaced(answers), spaced(parts), spaced(first_parts), *rest,
                 partners=partners, key=copy_key(d))


ROWS_FILE = "rerank.tsv"        # beside the index, one row per docnum: see encode_rows
ROWS_FORMAT = 2                 # recorded in the manifest; change it whenever the row layout changes or what `analyse`
                                # returns does (it, or what it calls: `analysis.query_terms`, `squeeze`,
                                # `dotted_parts`, `entry_script`, `squash`)
CHECKED_ROWS = 8                # rows compared with their text when a generation's rows are opened
MAX_CACHED_ENTRIES = 20_000     # decoded entries kept per generation (a row decodes in a few microseconds)
SEPARATORS = re.compile(r"[\t\n]")


def encode_rows(docs: list[dict | None], raw: list[str | None] | None = None,
                known: dict[str, str] | None = None) -> bytes:
    """Every entry's `Entry`, docnum by docnum, as the file `ROWS_FILE`: a JSON header line (the format, the count
    and where each row starts after it), then one line per docnum (empty for a deleted document) of tab-separated
    fields: the first question's terms, the other questions' terms, the answers' (less the questions'), the parts
    of dotted words in the questions and in the first one (each space-separated), the squeezed questions, the
    script, the tags, whether it lists translations (these nine: what `analyse` finds in the text), then its
    translations' docnums and its copy key. No field holds a tab or a line break (terms and squeezed text hold no
    white space). Copies of one question get the docnum of the first of them as their key, so `arrange` groups
    them as `copy_key` would.

    `raw`: each entry's stored JSON, and `known`: the nine analysed fields of entries stored in the previous
    generation, by their JSON (`StoredRows.analysed`): an entry stored unchanged is not analysed again."""
    ids = {d["id"]: n for n, d in enumerate(docs) if d is not None}
    known = known or {}
    first_copy: dict[str, int] = {}
    rows, offsets, pos = [], [], 0
    for n, d in enumerate(docs):
        if d is None:
            row = b""
        else:
            analysed = known.get(raw[n]) if raw is not None and raw[n] is not None else None
            if analysed is None:
                questions, first, answers, parts, first_parts, text, script_, tags, translated = analyse(d)
                fields_ = [" ".join(sorted(first)), " ".join(sorted(questions - first)), " ".join(sorted(answers)),
                           " ".join(sorted(parts)), " ".join(sorted(first_parts)), text, script_,
                           " ".join(sorted(tags)), "1" if translated else ""]
                if any(SEPARATORS.search(f) for f in fields_) or any(" " in t for t in tags):
                    raise ValueError(f"entry {d['id']}: a field holds a separator")
                analysed = "\t".join(fields_)
            partners = [m for m in (ids.get(pid) for pid in d.get("translations") or ()) if m is not None]
            row = f"{analysed}\t{','.join(map(str, partners))}\t{first_copy.setdefault(copy_key(d), n)}".encode()
        offsets.append(pos)
        rows.append(row)
        pos += len(row) + 1
    offsets.append(pos)
    header = json.dumps({"format": ROWS_FORMAT, "count": len(docs), "entries": len(ids), "offsets": offsets}).encode()
    return b"\n".join([header, *rows]) + b"\n"


class StoredRows:
    """The rows of `ROWS_FILE`, each decoded when asked for (the file is mapped, not read, when it can be)."""

    def __init__(self, path: Path, entries: int):
        with open(path, "rb") as f:
            header = json.loads(f.readline())
            self._base = f.tell()
            try:
                self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):
                f.seek(0)
                self._data = f.read()
        self._offsets = header["offsets"]
        if header.get("format") != ROWS_FORMAT or header.get("entries") != entries \
                or len(self._offsets) != header.get("count", -1) + 1 \
                or self._base + self._offsets[-1] != len(self._data):
            raise ValueError(f"{path} does not match its generation")

    def _row(self, docnum: int) -> bytes:
        base = self._base
        return self._data[base + self._offsets[docnum]:base + self._offsets[docnum + 1] - 1]

    def analysed(self, docnum: int) -> str | None:
        """The row's fields that its entry's text alone decides (see `encode_rows`), as stored."""
        row = self._row(docnum)
        return row.decode().rsplit("\t", 2)[0] if row else None

    def get(self, docnum: int) -> Entry | None:
        row = self._row(docnum)
        if not row:
            return None
        first, others, answers, parts, first_parts, text, script_, tags, translated, partners, key = \
            row.decode().split("\t")
        return Entry(f" {first} {others} ", f" {first} ", f" {answers} ", f" {parts} ", f" {first_parts} ", text,
                     script_, frozenset(tags.split()), bool(translated),
                     tuple(map(int, partners.split(","))) if partners else (), int(key))


def stored_rows(gen) -> StoredRows | None:
    """The generation's stored rows, when its manifest says they were written in this format, else None."""
    def load():
        if gen.manifest.get("rerank") != ROWS_FORMAT:
            return None
        try:
            rows = StoredRows(Path(gen.path) / ROWS_FILE, gen.count)
            return rows if agrees(gen, rows) else None
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None
    return gen.cached("ranking.rows", load)


def agrees(gen, rows: StoredRows, k: int = CHECKED_ROWS) -> bool:
    """Whether `k` rows spread over the generation hold what `from_text` computes today: a safety net for rows
    written by a version whose analysis differed without a new ROWS_FORMAT (they are then not used)."""
    nums = list(gen.docs)
    for n in {nums[i * len(nums) // k] for i in range(k)} if nums else ():
        stored, computed = rows.get(n), from_text(gen, n)
        if stored is None or [terms_of(f) for f in stored[:5]] != [terms_of(f) for f in computed[:5]] \
                or stored[5:-1] != computed[5:-1]:
            return False
    return True


def entry(gen, docnum: int) -> Entry:
    """What re-ranking reads of an entry: its stored row, or (an older index) computed from its text; cached."""
    table = gen.cached("ranking.entries", dict)
    got = table.get(docnum)
    if got is None:
        rows = stored_rows(gen)
        got = rows.get(docnum) if rows is not None else None
        if got is None:
            got = from_text(gen, docnum)
        if len(table) >= MAX_CACHED_ENTRIES:
            table.clear()
        table[docnum] = got
    return got


def _partner_terms(gen, docnum: int) -> str:
    """The question and answer terms of an entry's translations, `spaced` (none for most entries); cached."""
    table = gen.cached("ranking.partner_terms", dict)
    got = table.get(docnum)
    if got is None:
        got = "".join(e.questions + e.answers for e in (entry(gen, num) for num in entry(gen, docnum).partners))
        table[docnum] = got
    return got


def _recency(gen) -> dict[int, float]:
    """Each entry's date on a 0 (oldest) to 1 (newest) scale, computed once per generation."""
    def compute():
        days = {}
        for num, date in gen.dates().items():          # from the generation's columns: no entry is parsed
            try:
                days[num] = dt.date.fromisoformat((date or "")[:10]).toordinal()
            except ValueError:
                pass
        lo, hi = min(days.values(), default=0), max(days.values(), default=0)
        span = (hi - lo) or 1
        return {num: (day - lo) / span for num, day in days.items()}
    return gen.cached("ranking.recency", compute)


def feature_row(gen, docnum: int, score: float, best: float, query: Query) -> tuple[float, ...]:
    """The features of one candidate (see the module's docstring), each between 0 and 1, in FEATURES order."""
    e = entry(gen, docnum)
    q_terms, a_terms, first_terms, parts, first_parts, tags = e.questions, e.answers, e.first, e.parts, \
        e.first_parts, e.tags
    partner = _partner_terms(gen, docnum) if e.partners else ""
    q_cover = first_cover = thread_cover = partner_cover = 0.0
    tagged = 0.0
    for (terms, weight), project, short in zip(query.spaced, query.named, query.abbreviations, strict=True):
        if short is not None and not all(t in q_terms for t in terms) and short.search(e.text):
            q_cover += weight            # `断连` asked, `断开连接` written: found in the questions (see `abbreviation`);
            thread_cover += weight       # not counted for the first question too: held out, that cost more than it won
            continue
        if project is not None and project in tags:
            q_cover += weight
            first_cover += weight
            thread_cover += weight
            partner_cover += weight
            tagged = 1.0
            continue
        share = weight / len(terms)
        for t in terms:                  # each ` term `: see `spaced`
            if t in q_terms or t in parts:
                q_cover += share
                thread_cover += share
                if t in first_terms or t in first_parts:
                    first_cover += share
            elif t in a_terms:
                thread_cover += share
            if partner and t in partner:
                partner_cover += share
    total = query.total
    exact = adjacent = 0.0
    if query.exact or query.pairs:
        text = e.text
        exact = sum(1 for s in query.exact if s in text) / len(query.exact) if query.exact else 0.0
        adjacent = sum(1 for p in query.pairs if p in text) / len(query.pairs) if query.pairs else 0.0
    return (score / best if best else 0.0, q_cover / total, first_cover / total, thread_cover / total, exact,
            adjacent, tagged, partner_cover / total if partner else 0.0,
            0.0 if e.translated and e.script != query.script else 1.0, _recency(gen).get(docnum, 0.0))


def features(gen, docnum: int, score: float, best: float, query: Query) -> dict[str, float]:
    """`feature_row` by name."""
    return dict(zip(FEATURES, feature_row(gen, docnum, score, best, query), strict=True))


def combine(feats: dict[str, float], weights: Weights = WEIGHTS) -> float:
    return sum(getattr(weights, k) * v for k, v in feats.items())


def arrange(scores: list[float], keys: list[Hashable], dates: list[str]) -> list[int]:
    """The order (indices) of candidates by score, best first, ties to the newer thread, except that copies of one
    question (the same thread published again in a later post) stand together, the original (oldest) first, at
    the best copy's place: a repost neither pushes another thread down nor outranks the post it repeats."""
    best: dict[Hashable, float] = {}
    newest: dict[Hashable, str] = {}
    for s, k, d in zip(scores, keys, dates, strict=True):
        if s > best.get(k, float("-inf")):
            best[k] = s
        if (d or "") > newest.get(k, ""):
            newest[k] = d or ""
    groups = sorted(best, key=lambda k: newest.get(k, ""), reverse=True)     # newer first …
    groups.sort(key=lambda k: -best[k])                                      # … among equal scores (stable)
    place = {k: i for i, k in enumerate(groups)}
    return sorted(range(len(scores)), key=lambda i: (place[keys[i]], dates[i] or "9999", -scores[i]))


def question_key(gen, docnum: int) -> Hashable:
    """Copies of one question (the same first question, folded: see `copy_key`) share it, and no other entry."""
    return entry(gen, docnum).key


def rerank(gen, ranked: list[tuple[float, int]], groups: list[tuple[list[str], float]],
           words: list[str] | None = None, weights: Weights = WEIGHTS) -> list[tuple[float, int]]:
    """Candidates (BM25 score, docnum) re-ordered by `combine(features)`, best first."""
    if not ranked:
        return []
    query = prepare(gen, groups, words)
    best = max((s for s, _ in ranked), default=0.0) or 1.0
    w = astuple(weights)
    out = [(sum(a * b for a, b in zip(w, feature_row(gen, docnum, score, best, query), strict=True)), docnum)
           for score, docnum in ranked]
    dates = gen.dates()
    order = arrange([s for s, _ in out], [question_key(gen, n) for _, n in out],
                    [dates.get(n) or "" for _, n in out])
    return [out[i] for i in order]


# ---------------------------------------------------------------------------------------------- by meaning

@dataclass(frozen=True)
class MeaningStep:
    """Re-ordering the best `depth` candidates by meaning: when the runner-up's score is within `gate` (a share of
    the leader's) of the leader's, the top `depth` are ordered by score / leader's score + `weight` x the query's
    semantic similarity with the thread (multilingual-e5-small, mixed from the thread's question and whole text as
    similar mixes them: `similar.meaning`; the vectors stored with the generation). A searcher's words are often
    not the thread's (`GA4` for Google Analytics, `write-ahead log` for WAL, `禁止重叠执行` for 只跑一个实例), and
    the words alone then rank the thread a few places down. The defaults are what `scripts/tune_ranking.py
    --meaning --leave-set-out` chose holding each of seventeen query sets out (many writers over eight archives:
    SOFA Weekly, Optech and the six communities then written blind): weight 24, depth 20 and gate 0.3 on sixteen of
    them. At weight 24 a difference in similarity of 0.04 outweighs the whole range of score / leader's score, so
    among the twenty the order is nearly by meaning, the words' order breaking near-ties: the words choose the
    twenty, the model orders them (the sets the lexical weights were tuned on lose a query or two; the SOFA gold
    held out 0.867 -> 0.822 recall@1). The step takes none of the twenty out; the gate keeps the query's vector,
    which costs several times the rest of a search, to the searches the words leave close."""
    weight: float = 24.0
    depth: int = 20
    gate: float = 0.3

    def wanted(self, scores: list[float]) -> bool:
        """Whether the step may change anything: two candidates at least, the runner-up within `gate`."""
        if len(scores) < 2 or scores[0] <= 0:
            return False
        return (scores[0] - scores[1]) / scores[0] < self.gate

    def reorder(self, ranked: list[tuple[float, int]], similarities: list[float]) -> list[tuple[float, int]]:
        """`ranked` (score, docnum), best first, with its top `depth` re-ordered; `similarities`: those
        candidates' semantic similarities with the query, in the same order. Scores stay the lexical ones (what
        the hits report)."""
        top = ranked[:self.depth]
        lead = top[0][0] if top and top[0][0] > 0 else 1.0
        keyed = sorted(range(len(top)), key=lambda i: -(top[i][0] / lead + self.weight * similarities[i]))
        return [top[i] for i in keyed] + ranked[self.depth:]


MEANING = MeaningStep()
