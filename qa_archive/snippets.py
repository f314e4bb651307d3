"""What a result shows: an entry as a hit, with the query's terms highlighted in a window of its text."""
from __future__ import annotations

import html
import re
from functools import lru_cache

from . import analysis


def term_spans(norm: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Every token of the text whose term is searched, overlapping ones too (bigrams overlap): the index's own
    tokens, so a stemmed query word marks each form of it (`signatures` marks `signature`).

    The same spans as `analysis.spans(norm, terms)`, without making every bigram of the text: a CJK term is found
    in each CJK run with str.find (any two CJK characters side by side are a bigram token; a lone character is a
    token only when its run is one character long), and a Latin word's tokens, which do not depend on its
    neighbours, are made once per word and cached. Half of a 20x query's time went into the bigrams here."""
    if not terms:
        return []
    cjk = [t for t in terms if analysis.is_cjk(t)]
    latin = len(cjk) < len(terms)
    out = set()
    for m in analysis.TOKEN.finditer(norm):
        run = m.group("cjk")
        if run is not None:
            base = m.start()
            if len(run) == 1:
                if run in terms and run not in analysis.CJK_STOP:
                    out.add((base, base + 1))
                continue
            for t in cjk:
                if len(t) != 2:
                    continue
                i = run.find(t)
                while i >= 0:
                    out.add((base + i, base + i + 2))
                    i = run.find(t, i + 1)
        elif latin:
            base = m.start()
            out.update((base + s, base + e) for t, s, e in _word_tokens(m.group("word")) if t in terms)
    return sorted(out)


@lru_cache(maxsize=65536)
def _word_tokens(word: str) -> tuple[tuple[str, int, int], ...]:
    return tuple((t, s, e) for t, _, s, e in analysis.tokens(word))


def highlight(text: str, terms: set[str], width: int = 140) -> str:
    """An HTML-escaped window of text around the densest run of query terms, the terms in <mark>.

    Works on the same tokens as the index, so Chinese is cut between characters, never inside a term."""
    text = re.sub(r"\s+", " ", text or "").strip()
    norm = analysis.normalize(text)
    if len(norm) != len(text):          # NFKC changed lengths (rare ligatures): offsets would drift
        norm = text.lower()
    spans = term_spans(norm, frozenset(terms))
    if not spans:
        return html.escape(text[:width]) + ("…" if len(text) > width else "")
    best, best_n, j = 0, -1, 0
    for i, (s, _) in enumerate(spans):          # the window start that covers the most matches (spans are sorted)
        j = max(j, i)
        while j < len(spans) and spans[j][0] < s + width:
            j += 1
        if j - i > best_n:
            best, best_n = s, j - i
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


def make_hit(d: dict, score: float | None, terms: set[str]) -> dict:
    """An entry as a result: its fields, its score (None when not ranked by relevance) and highlights."""
    hit = dict(d)
    hit.pop("turns_md", None)
    hit["score"] = round(score, 4) if score is not None else None
    q_text = " ".join(t["q"] for t in d.get("turns") or [])
    a_text = " ".join(t["a"] or "" for t in d.get("turns") or [])
    hit["highlights"] = {"question": highlight(q_text, terms), "answer": highlight(a_text, terms)}
    return hit
