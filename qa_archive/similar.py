"""Find the prior answer to a new question, and say whether we are confident it is one.

A new question is a sentence or a whole post: greetings, logs, stack traces, code and version numbers. We keep
the prose, pick its most telling terms by inverse document frequency (project names count double), retrieve
candidates with BM25, then re-rank them by how much of the question's weight each candidate's own question and
answer really cover. `confident` is a threshold on that coverage score, calibrated on labelled questions
(`scripts/calibrate_similar.py`; the figures are in the README).
"""
from __future__ import annotations

import math
import re

from whoosh import query as Q

from . import analysis
from .projects import squash

CONFIDENT_AT = 0.50      # calibrated: see scripts/calibrate_similar.py and the README
MARGIN = 0.0
MAX_INPUT_CHARS = 20_000
MAX_TERMS = 28
CANDIDATES = 40
W_SCORE, W_QUESTION, W_THREAD = 0.0, 0.6, 0.4

# Lines that are machine output rather than a person's words
LOG_LINE = re.compile(r"^\s*(at [\w.$]+\(|caused by|[\w.]+(exception|error)\b|\d{4}-\d\d-\d\d[ t]\d\d:\d\d|"
                      r"\[(info|warn|error|debug)\]|[{}\[\]();]+\s*$|\s*(import|package|public|private|func|def) )",
                      re.I)
FENCE = re.compile(r"```.*?(```|\Z)", re.S)
URL = re.compile(r"https?://\S+")
# words that every question has: they identify no need
FILLER = ["你好", "您好", "大家好", "请问", "请教", "各位", "大佬", "老师", "谢谢", "感谢", "一下", "问一下", "想问",
          "有没有", "是不是", "怎么", "如何", "为什么", "什么", "可以", "能否", "能不能", "吗", "呢", "吧", "哈",
          "问题", "一个", "这个", "那个", "我们", "现在", "目前", "hello", "hi", "thanks", "please"]
FILLER_RE = re.compile("|".join(map(re.escape, sorted(FILLER, key=len, reverse=True))), re.I)


def prose(text: str) -> str:
    """The person's words: code fences, log lines, URLs and filler dropped."""
    text = FENCE.sub(" ", text[:MAX_INPUT_CHARS])
    lines = [ln for ln in text.split("\n") if not LOG_LINE.match(ln) and len(ln) < 400]
    text = URL.sub(" ", "\n".join(lines))
    return FILLER_RE.sub(" ", text)


def key_terms(archive, state, searcher, text: str) -> dict[str, float]:
    """term -> weight (idf, doubled for project names), the strongest MAX_TERMS of them."""
    n = max(state["count"], 1)
    reader = searcher.reader()
    counts: dict[str, int] = {}
    for t in analysis.terms(text, parts=False):
        counts[t] = counts.get(t, 0) + 1
    projects = {squash(p) for p in archive.registry.mentions(text)}
    unknown_idf = math.log(1 + (n - 0.5) / 1.5)          # as rare as a term seen once
    weights = {}
    for term, tf in counts.items():
        df = max(reader.doc_frequency("question", term), reader.doc_frequency("answer", term))
        if df == 0:
            # A word the archive has never seen (`kafka`) is part of the need and no thread covers it, so it
            # stays in the weights and lowers every candidate's coverage. An unseen Chinese bigram is mostly
            # the seam between two words and says nothing.
            if analysis.is_cjk(term) or term.isdigit() or len(term) < 3:
                continue
            idf = unknown_idf
        else:
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        w = idf * (1 + 0.3 * math.log(tf))
        if term in projects or archive.registry.lookup(term, fuzzy=False):
            w *= 2
        weights[term] = w
    top = sorted(weights.items(), key=lambda kv: kv[1], reverse=True)[:MAX_TERMS]
    return dict(top)


def find_similar(archive, state, searcher, text: str, limit: int = 5, project: str | None = None) -> dict:
    from .search import QueryError, _bounded, rerank
    limit = _bounded(limit, 1, 20, "limit")
    text = (text or "").strip()
    if not text:
        raise QueryError("the text is empty: send the question to match")
    cleaned = prose(text)
    weights = key_terms(archive, state, searcher, cleaned)
    if not weights:
        return {"hits": [], "terms": [], "note": "no words in the text are known to the archive"}
    subs = [Q.Or([Q.Term("question", t, boost=w * 1.5), Q.Term("answer", t, boost=w)]) for t, w in weights.items()]
    results = searcher.search(Q.Or(subs), limit=CANDIDATES, terms=False)
    wanted = {squash(archive.registry.canonical(project))} if project else \
        {squash(p) for p in archive.registry.mentions(cleaned)}
    # coverage alone decides: it is an absolute share of the question, so a threshold on it means something
    ranked = rerank(archive, state, [(hit.score, hit.docnum) for hit in results],
                    [([t], w) for t, w in weights.items()], w_score=W_SCORE, w_question=W_QUESTION,
                    w_thread=W_THREAD, projects=wanted)
    hits = []
    for i, (score, docnum) in enumerate(ranked[:limit]):
        hit = archive._hit(state["docs"][docnum], score, set(weights))
        runner_up = ranked[i + 1][0] if i + 1 < len(ranked) else 0.0
        hit["confident"] = bool(i == 0 and score >= CONFIDENT_AT and score - runner_up >= MARGIN)
        hits.append(hit)
    return {"hits": hits, "terms": list(weights)}


def reply_markdown(text: str, hits: list[dict], permalink) -> str:
    """A ready-to-post reply in the question's language listing the confident matches; empty when there are none."""
    confident = [h for h in hits if h.get("confident")]
    if not confident:
        return ""
    chinese = len(re.findall(f"[{analysis.CJK}]", text)) >= len(re.findall(r"[A-Za-z]{2,}", text))
    head = "这个问题之前有人问过，这些回答也许有帮助：" if chinese else "This was answered before; these may help:"
    lines = [head, ""]
    for h in confident:
        q = re.sub(r"\s+", " ", h["question"])[:80]
        date = (h.get("date") or "")[:10]
        lines.append(f"- [{q}]({permalink(h)})" + (f" ({date})" if date else ""))
    return "\n".join(lines) + "\n"
