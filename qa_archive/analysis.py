"""Text analysis for Chinese and English together: the one tokenizer used to index, to query and to highlight.

- CJK runs become overlapping character bigrams (what Lucene's CJKAnalyzer does): `数据库` -> `数据 据库`, so
  `数据库` matches `使用数据库做存储` with no dictionary to load. A lone CJK character stays a unigram.
- Latin words, version numbers and identifiers stay whole (`v0.22.0`, `undo_log`, `sofa-registry`), NFKC-folded
  (full-width letters become ASCII) and lower-cased. Hyphenated names also index their squashed form and their parts,
  so `sofa-registry`, `SOFARegistry` and `sofaregistry` find each other.

Measured against Whoosh's default analyzer and jieba in `scripts/benchmark.py` (see the README).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
TOKEN = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[a-z0-9_](?:[a-z0-9_.+#\-]*[a-z0-9_+#])?)")
STOP = frozenset("a an and are as at be but by for if in into is it no not of on or such that the their then "
                 "there these they this to was will with i you we my 的 了".split())


def normalize(text: str) -> str:
    """NFKC (full-width to half-width) and lower case; the length can change, so offsets refer to this text."""
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str, stop: bool = True, parts: bool = True) -> Iterator[tuple[str, int, int, int]]:
    """(term, position, start, end) over normalize(text).

    `parts=False` (for queries) keeps `sofa-registry` to its whole and squashed forms: its part `sofa` would
    match nearly every entry of a SOFAStack archive."""
    pos = 0
    for m in TOKEN.finditer(normalize(text)):
        if m.group("cjk"):
            run, base = m.group("cjk"), m.start()
            if len(run) == 1:
                if not (stop and run in STOP):
                    yield run, pos, base, base + 1
                pos += 1
            for i in range(len(run) - 1):
                yield run[i:i + 2], pos, base + i, base + i + 2
                pos += 1
        else:
            word = m.group("word")
            if stop and word in STOP:
                pos += 1
                continue
            yield word, pos, m.start(), m.end()
            if "-" in word or "." in word and not re.fullmatch(r"[\d.]+", word):
                squashed = re.sub(r"[\-.]", "", word)
                if squashed and squashed != word:
                    yield squashed, pos, m.start(), m.end()
                for part in re.split(r"[\-.]", word) if parts else ():
                    if part and part != word and part not in STOP:
                        yield part, pos, m.start(), m.end()
            pos += 1


def terms(text: str, parts: bool = True) -> list[str]:
    return [t for t, *_ in tokens(text, parts=parts)]


CJK_CHAR = re.compile(rf"[{CJK}]")


def is_cjk(term: str) -> bool:
    return bool(CJK_CHAR.match(term))


class BigramTokenizer(Tokenizer):
    """The Whoosh face of `tokens()`: index and query text are analysed by exactly the same code."""

    def __eq__(self, other):
        return isinstance(other, BigramTokenizer)

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
        for text, pos, start, end in tokens(value):
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


def analyzer():
    return BigramTokenizer()
