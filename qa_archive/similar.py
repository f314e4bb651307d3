"""Find the prior answer to a new question, and say whether we are confident it is one.

A new question is a sentence or a whole post: greetings, logs, stack traces, code and version numbers. We keep
the prose, segment it into words, keep the most telling ones by inverse document frequency (project names count
double), retrieve candidates with BM25, then score each candidate by the idf-weighted overlap of its words with
the new question (`overlap`). `confident` is a threshold on the top score plus its margin over the runner-up,
calibrated on labelled questions (`scripts/calibrate_similar.py`; the figures are in the README).
"""
from __future__ import annotations

import math
import re

from whoosh import query as Q

from . import analysis
from .generation import Generation, idf
from .projects import squash
from .query import Note, QueryError, bounded, union
from .snippets import make_hit

CONFIDENT_AT = 0.36      # calibrated: see scripts/calibrate_similar.py and the README
MAX_INPUT_CHARS = 20_000
MAX_TERMS = 28
CANDIDATES = 40
UNSEEN_IDF = 8.0         # a word no thread has: as rare as can be
W_BM25 = 0.1             # BM25's view, scaled to the best candidate, breaks near-ties of the overlap
MARGIN_WEIGHT = 1.0      # confidence = score + MARGIN_WEIGHT * (score - runner-up's score)

# Lines that are machine output rather than a person's words
LOG_LINE = re.compile(r"^\s*(at [\w.$]+\(|caused by|[\w.]+(exception|error)\b|\d{4}-\d\d-\d\d[ t]\d\d:\d\d|"
                      r"\[(info|warn|error|debug)\]|[{}\[\]();]+\s*$|\s*(import|package|public|private|func|def) )",
                      re.I)
FENCE = re.compile(r"```.*?(```|\Z)", re.S)
URL = re.compile(r"https?://\S+")
# words that every question has: they identify no need
FILLER = ["你好", "您好", "大家好", "请问", "请教", "各位", "大佬", "老师", "谢谢", "感谢", "一下", "问一下", "想问",
          "有没有", "是不是", "怎么", "如何", "为什么", "什么", "可以", "能否", "能不能", "吗", "呢",
          "问题", "一个", "这个", "那个", "我们", "现在", "目前", "hello", "hi", "thanks", "please"]
FILLER_RE = re.compile("|".join(re.escape(w) if analysis.is_cjk(w) else rf"\b{re.escape(w)}\b"
                                for w in sorted(FILLER, key=len, reverse=True)), re.I)


def prose(text: str) -> str:
    """The person's words: code fences, log lines, URLs and filler dropped."""
    text = FENCE.sub(" ", text[:MAX_INPUT_CHARS])
    lines = [ln for ln in text.split("\n") if not LOG_LINE.match(ln) and len(ln) < 400]
    text = URL.sub(" ", "\n".join(lines))
    return FILLER_RE.sub(" ", text)


_jieba = None


def segment(text: str) -> list[str]:
    """Words of a text: jieba's dictionary for Chinese (loaded once, on first use: about a second), so that key
    terms are real words (`隔离`, `全局锁`) and not the seams between them (`的隔`, `离是`). Imported here, not at
    the top: importing jieba alone costs 0.1 s, which a terminal `search` never needs."""
    global _jieba
    if _jieba is None:
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba.lcut(text)


STOP_WORDS = frozenset(FILLER) | frozenset("""的 了 是 在 和 有 我 你 他 她 它 这 那 就 都 也 要 会 能 吗 呢 吧 啊 啥 么 嘛 呀 还 又 跟 与 及 或
    把 被 让 给 对 从 到 用 里 上 下 中 时 后 前 个 些 种 样 么 一 二 两 几 很 太 更 最 再 才 只 不 没 没有 已经 还是 或者 以及 如果 但是 然后
    所以 因为 这样 那样 这种 那种 哪种 哪个 怎样 怎么样 是否 需要 应该 时候 情况 之后 之前 之间 里面 那套 一般 具体 比如 自己 大家 一些
    the a an is are was were be to of in on at for and or but if it its this that what how why when which who do does
    did can could would should will with from by as not no any some my your our there""".split())


def key_terms(gen: Generation, reader, text: str) -> dict[tuple[str, ...], float]:
    """The words that identify the need, each as its index terms with a weight: inverse document frequency,
    doubled for project names; the strongest MAX_TERMS of them."""
    projects = {squash(p) for p in gen.registry.mentions(text)}
    unknown_idf = idf(gen.count, 1)          # as rare as a term seen once
    counts: dict[tuple[str, ...], int] = {}
    names: dict[tuple[str, ...], str] = {}      # the word as written: a term may be a stem (`sofaregistri`)
    for word in segment(text):
        word = word.strip().lower()
        if not word or word in STOP_WORDS or (len(word) < 2 and analysis.is_cjk(word)):
            continue
        terms = tuple(dict.fromkeys(analysis.terms(word, parts=False)))
        if terms:
            counts[terms] = counts.get(terms, 0) + 1
            names.setdefault(terms, word)
    weights = {}
    for terms, tf in counts.items():
        idfs = [gen.idf(term, reader) or None for term in terms]
        if all(i is None for i in idfs):
            # A word the archive has never seen (`kafka`) is part of the need that no thread covers: it stays and
            # lowers every candidate's coverage. Numbers and one-letter words say nothing.
            if terms[0].isdigit() or len(terms[0]) < 2:
                continue
            w_idf = unknown_idf
        else:
            w_idf = sum(i if i is not None else unknown_idf for i in idfs) / len(idfs)
        w = w_idf * (1 + 0.3 * math.log(tf))
        if squash(names[terms]) in projects or gen.registry.lookup(names[terms], fuzzy=False):
            w *= 2
        weights[terms] = w
    return dict(sorted(weights.items(), key=lambda kv: kv[1], reverse=True)[:MAX_TERMS])


def find_similar(gen: Generation, searcher, text: str, limit: int = 5, project: str | None = None) -> dict:
    """The prior threads most like a new question, the first with its `confidence` and every one `confident` or
    not; `terms` are the words matched on. Raises QueryError for an empty text or a bad limit."""
    limit = bounded(limit, 1, 20, "limit")
    text = (text or "").strip()
    if not text:
        raise QueryError("similar.empty")
    reader = searcher.reader()
    cleaned = prose(text)
    weights = key_terms(gen, reader, cleaned)
    if not weights:
        return {"hits": [], "terms": [], "note": Note("similar.no_known_words")}
    subs = [union([Q.Term("question", t, boost=w * 1.5), Q.Term("answer", t, boost=w)])
            for terms, w in weights.items() for t in terms]
    results = searcher.search(union(subs), limit=CANDIDATES, terms=False)
    wanted = {squash(gen.registry.canonical(project))} if project else \
        {squash(p) for p in gen.registry.mentions(cleaned)}
    query_terms = {t for terms in weights for t in terms}
    best_bm25 = max((hit.score for hit in results), default=0.0) or 1.0
    # sorted() is stable: equal scores (the same thread in two posts) keep BM25's order
    scored = sorted(((overlap(gen, reader, query_terms, hit.docnum, wanted)
                      + W_BM25 * hit.score / best_bm25, hit.docnum) for hit in results), key=lambda x: -x[0])
    hits = []
    for i, (score, docnum) in enumerate(scored[:limit]):
        hit = make_hit(gen.docs[docnum], round(score, 4), query_terms)
        if i == 0:
            # a clear winner is more likely right than the best of several look-alikes
            runner_up = scored[1][0] if len(scored) > 1 else 0.0
            hit["confidence"] = round(score + MARGIN_WEIGHT * (score - runner_up), 4)
        hit["confident"] = bool(i == 0 and hit["confidence"] >= CONFIDENT_AT)
        hits.append(hit)
    return {"hits": hits, "terms": [word_of(terms) for terms in weights]}


def word_of(terms: tuple[str, ...]) -> str:
    """The word behind its index terms: (`数据`, `据库`) overlap into `数据库`."""
    return terms[0] + "".join(t[-1] for t in terms[1:])


def overlap(gen: Generation, reader, query_terms: set[str], docnum: int, projects: set[str]) -> float:
    """How alike a new question and a prior thread are, from 0 to about 1.

    Idf-weighted term overlap, measured both ways (an F-measure): against the thread's first question, and
    against the whole thread; plus how much of the new question the thread covers at all. A prior question
    that says much else besides scores lower than one that says the same thing. Calibrated by
    scripts/calibrate_similar.py: the weights and CONFIDENT_AT are chosen there, on labelled questions.
    """
    def weight(terms):
        return gen.idf_sum(terms, reader, UNSEEN_IDF)

    def f_measure(doc_terms):
        common = weight(query_terms & doc_terms)
        if not common:
            return 0.0, 0.0
        recall, precision = common / weight(query_terms), common / weight(doc_terms)
        return 2 * precision * recall / (precision + recall), recall

    q_terms, a_terms, first = gen.doc_terms(docnum)
    f_first, _ = f_measure(first)
    f_thread, r_thread = f_measure(q_terms | a_terms)
    _, r_questions = f_measure(q_terms)
    score = 0.4 * f_first + 0.4 * f_thread + 0.15 * r_thread + 0.15 * r_questions
    if projects:
        tags = {squash(p) for p in gen.docs[docnum].get("projects") or []}
        score += 0.05 if projects & tags else -0.1
    return round(score, 4)


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
