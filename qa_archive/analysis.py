"""Text analysis for Chinese and English together: the one tokenizer used to index, to query and to highlight.

- CJK runs become overlapping character bigrams (what Lucene's CJKAnalyzer does): `数据库` -> `数据 据库`, so
  `数据库` matches `使用数据库做存储` with no dictionary to load. A lone CJK character stays a unigram.
- Latin words, version numbers and identifiers stay whole (`v0.22.0`, `undo_log`, `sofa-registry`), NFKC-folded
  (full-width letters become ASCII) and lower-cased. Hyphenated names also index their squashed form and their parts,
  so `sofa-registry`, `SOFARegistry` and `sofaregistry` find each other.
- Plain English words (ASCII letters only) are stemmed, on both sides, so `signatures` finds `signature` and
  `spending` finds `spend`. Anything with a digit, `_`, `.`, `+` or `#` is an identifier and stays whole
  (`op_checksig`, `bip340`, `v0.22.0`); a hyphenated name stays whole too, and only its squashed form and its parts
  are stemmed, so that they meet the same words written plainly (`sofa-registry` = `SOFARegistry`).
  Highlighting goes through the same tokens (`spans()`), so it marks every form of a word that matched.
- Letters followed by digits in one word (`jdk17`, `http2`, `bip340`) are also split in two, in queries and the
  index alike, so `jdk17` meets `JDK 17` and `Java17`, and `http2` meets `HTTP/2` (the whole stays too).

- English stop words are indexed and searched like any word (BM25 gives them next to no weight), so a quoted phrase
  keeps them and a query of nothing else still means something; only 的 and 了 alone are left out, as before.

Porter, and no English stop words, were chosen by `scripts/eval_analysis.py` (5-fold cross-validation over posts on
our English queries for Optech's threads, against no stemming, plurals only and Snowball, each with and without
stop words; see the README). The CJK side is what `scripts/benchmark.py` measured against Whoosh's default
analyzer and jieba.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem as porter_stem

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
TOKEN = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[a-z0-9_](?:[a-z0-9_.+#\-]*[a-z0-9_+#])?)")
PLAIN = re.compile(r"[a-z]+")          # an English word that may be stemmed: letters only
CJK_STOP = frozenset("的 了".split())
LUCENE_STOP = frozenset("a an and are as at be but by for if in into is it no not of on or such that the their then "
                        "there these they this to was will with i you we my".split())
STOP = LUCENE_STOP | CJK_STOP           # kept for callers that test membership


# ---------------------------------------------------------------------------------------------- stemmers

@lru_cache(maxsize=65536)
def s_stem(word: str) -> str:
    """Plurals only (Harman's S-stemmer as Lucene's EnglishMinimalStemmer has it): `fees` -> `fee`,
    `policies` -> `policy`; `address`, `bus`, `does` stay."""
    n = len(word)
    if n < 3 or word[-1] != "s" or word[-2] in "us":
        return word
    if word[-2] == "e":
        if n > 3 and word[-3] == "i" and word[-4] not in "ae":
            return word[:-3] + "y"
        if word[-3] in "iaoe":
            return word
    return word[:-1]


@lru_cache(maxsize=65536)
def porter(word: str) -> str:
    return porter_stem(word)


@lru_cache(maxsize=1)
def _snowball():
    """Imported on first use: its module costs a cold `qa-archive search` 40 ms, and the default is Porter."""
    from whoosh.lang.snowball.english import EnglishStemmer
    return EnglishStemmer()


@lru_cache(maxsize=65536)
def snowball(word: str) -> str:
    """Snowball's English (Porter2) stemmer."""
    return _snowball().stem(word)


STEMMERS: dict[str, Callable[[str], str] | None] = {"none": None, "s": s_stem, "porter": porter,
                                                    "snowball": snowball}


@dataclass(frozen=True)
class English:
    """How plain English words are analysed: a stemmer (a name in STEMMERS) and the stop words left out.

    A plain value (names and a frozenset), so Whoosh can pickle it with the schema."""
    stemmer: str = "none"
    stop: frozenset = LUCENE_STOP
    surface: bool = False           # also keep the word as written, before its stem, at the same position

    def forms(self, w: str) -> tuple[str, ...]:
        """The terms a word becomes (one, or its surface form and its stem)."""
        return _forms(self)(w)


@lru_cache(maxsize=16)
def _forms(english: English) -> Callable[[str], tuple[str, ...]]:
    """One cached function per configuration: a word's terms cost one dictionary look-up after the first time."""
    fn = STEMMERS[english.stemmer]

    @lru_cache(maxsize=65536)
    def forms(w: str) -> tuple[str, ...]:
        s = fn(w) if fn is not None and PLAIN.fullmatch(w) else w
        return (w, s) if english.surface and s != w else (s,)
    return forms


ENGLISH = English("porter", frozenset())       # the default; see scripts/eval_analysis.py


# ---------------------------------------------------------------------------------------------- tokens

def normalize(text: str) -> str:
    """NFKC (full-width to half-width) and lower case; the length can change, so offsets refer to this text."""
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str, stop: bool = True, parts: bool = True,
           english: English | None = None) -> Iterator[tuple[str, int, int, int]]:
    """(term, position, start, end) over normalize(text).

    `parts=False` (for queries) keeps `sofa-registry` to its whole and squashed forms: its part `sofa` would
    match nearly every entry of a SOFAStack archive. A stop word takes no position, so a quoted phrase with one
    inside (`"proof of work"`) is still a phrase of consecutive terms."""
    en = english or ENGLISH
    forms, stop_words = _forms(en), en.stop if stop else ()
    pos = 0
    for m in TOKEN.finditer(normalize(text)):
        if m.group("cjk"):
            run, base = m.group("cjk"), m.start()
            if len(run) == 1:
                if not (stop and run in CJK_STOP):
                    yield run, pos, base, base + 1
                pos += 1
            for i in range(len(run) - 1):
                yield run[i:i + 2], pos, base + i, base + i + 2
                pos += 1
        else:
            word = m.group("word")
            if word in stop_words:
                continue
            start, end = m.start(), m.end()
            seen = set()
            if "-" in word or "." in word and not re.fullmatch(r"[\d.]+", word):
                yield word, pos, start, end
                seen.add(word)
                squashed = re.sub(r"[\-.]", "", word)
                if squashed and squashed != word:
                    # analysed as the word it is (`sofaregistry`, as SOFARegistry is), so the two meet
                    for form in forms(squashed):
                        seen.add(form)
                        yield form, pos, start, end
                pieces = []
                if parts:
                    offset = 0
                    for part in re.split(r"([\-.])", word):
                        if part and part not in "-." and part != word and part not in en.stop:
                            pieces.append((part, offset))
                            for form in forms(part):
                                seen.add(form)
                                yield form, pos, start + offset, start + offset + len(part)
                        offset += len(part)
            else:
                for form in forms(word):
                    seen.add(form)
                    yield form, pos, start, end
                pieces = [(word, 0)]
            # letters then digits, written as one word: `jdk17` also as `jdk` and `17`, in queries and the index
            # alike, so that `jdk17` meets `JDK 17` and `Java17`, and `http2` meets `HTTP/2`
            for part, offset in pieces:
                split = LETTERS_DIGITS.fullmatch(part)
                if split is None:
                    continue
                for sub, a, b in ((split.group(1), 0, split.end(1)), (split.group(2), split.end(1), len(part))):
                    for form in forms(sub):
                        if form not in seen and form not in en.stop:
                            seen.add(form)
                            yield form, pos, start + offset + a, start + offset + b
            pos += 1


LETTERS_DIGITS = re.compile(r"([a-z]{2,})(\d+)")      # `jdk17`, `http2`, `bip340`; not `k8s`, `v5`, `log4j`


def terms(text: str, parts: bool = True, english: English | None = None) -> list[str]:
    return [t for t, *_ in tokens(text, parts=parts, english=english)]


def spans(text: str, wanted: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) in normalize(text) of every token whose term is wanted: what a highlighter marks. Since the
    terms are the index's, `signatures` in a query marks both `signature` and `signatures` in the text."""
    wanted = wanted if isinstance(wanted, (set, frozenset)) else set(wanted)
    return sorted({(s, e) for t, _, s, e in tokens(text) if t in wanted})


def query_terms(text: str) -> set[str]:
    """`set(terms(text, parts=False))`, the terms a query can meet in a text, made faster: a CJK run's
    bigrams are sliced in one set comprehension, and a Latin word's terms, which do not depend on its neighbours,
    are made once per word and cached. (Re-ranking needs them for each new candidate: at 20x this was most of a
    query's re-ranking time.)"""
    out: set[str] = set()
    for m in TOKEN.finditer(normalize(text)):
        run = m.group("cjk")
        if run is None:
            out.update(_word_terms(m.group("word")))
        elif len(run) == 1:
            if run not in CJK_STOP:
                out.add(run)
        else:
            out.update({run[i:i + 2] for i in range(len(run) - 1)})
    return out


@lru_cache(maxsize=65536)
def _word_terms(word: str) -> frozenset[str]:
    return frozenset(terms(word, parts=False))


CJK_CHAR = re.compile(rf"[{CJK}]")


def is_cjk(term: str) -> bool:
    return bool(CJK_CHAR.match(term))


class BigramTokenizer(Tokenizer):
    """The Whoosh face of `tokens()`: index and query text are analysed by exactly the same code.

    `english` None means the module's ENGLISH (an index stores this object in its schema); evaluation scripts pass
    a candidate."""

    def __init__(self, english: English | None = None):
        self.english = english

    @property
    def is_morph(self) -> bool:
        """Whoosh asks this: a field with `spelling=True` then also keeps the English words as written (analysed
        with `no_morph=True`: no stemming, no CJK bigrams, no identifiers), so "did you mean" suggests
        `signatures`, not the stem `signatur`."""
        return (getattr(self, "english", None) or ENGLISH).stemmer != "none"

    def __eq__(self, other):
        return isinstance(other, BigramTokenizer) and getattr(self, "english", None) == getattr(other, "english",
                                                                                                 None)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True, start_pos=0,
                 start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        english = getattr(self, "english", None) or ENGLISH
        spelling = bool(kwargs.get("no_morph"))
        if spelling:            # the words a misspelling is corrected to: English words as written, nothing else
            english = English("none", english.stop)
        for text, pos, start, end in tokens(value, english=english):
            if spelling and not PLAIN.fullmatch(text):
                continue
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


def analyzer(english: English | None = None):
    return BigramTokenizer(english)
