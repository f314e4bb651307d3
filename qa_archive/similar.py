"""Find the prior answer to a new question, and say how sure we are that it is one.

A new question is a sentence or a whole post: greetings, logs, stack traces, code and version numbers. We keep
the prose, segment it into words and keep the most telling ones by inverse document frequency (project names count
double). Candidates come from two sides: BM25 over those words, each scored by the idf-weighted overlap of its words
with the new question (`overlap`), and the nearest threads by meaning (multilingual-e5-small embeddings of each
thread's question, answer and whole text, computed at ingest: `embed.py`), which also finds an answer written in
the other language. A candidate's score is its overlap plus SEM_WEIGHT times its semantic similarity.

`confidence` is a calibrated probability that the top thread answers the question (`confidence.py`: a logistic
regression over what the thread does not cover, its margin over the runner-up and the semantic similarities,
fitted by `scripts/calibrate_similar.py` with cross-validation over posts); `confident` is `confidence >=
threshold`. Every hit lists the question's key terms it covers and the ones it does not, so a bot can explain its
answer or ask a follow-up instead of linking.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np
from whoosh import query as Q

from . import analysis, confidence, embed, ranking
from .confidence import KeyTerm
from .generation import Generation, idf
from .models import fold
from .projects import squash
from .query import Note, QueryError, bounded, union
from .snippets import make_hit

MAX_INPUT_CHARS = 20_000
MAX_TERMS = 28
CANDIDATES = 40          # from BM25, scored by overlap
LEX_CANDIDATES = 20      # the best of them by overlap
SEM_CANDIDATES = 20      # and the nearest by meaning
UNSEEN_IDF = 8.0         # a word no thread has: as rare as can be
W_BM25 = 0.1             # BM25's view, scaled to the best candidate, breaks near-ties of the overlap
SAME_QUESTION_CHARS = 30  # two candidates whose questions start with the same 30 folded characters ask one question
SAME_QUESTION_COS = 0.95  # as do two whose question vectors are this alike (0.95 held out a little better than 0.97)
SEM_WEIGHT = 8.0         # score = overlap + SEM_WEIGHT * semantic similarity (e5 cosines differ by hundredths);
THREAD_SHARE = 0.8       # semantic similarity: this share of the cosine with the whole thread, the rest with its
                         # question. Both chosen holding each of six archives out (scripts/eval_similar.py
                         # --community; and Optech's translation pairs, scripts/eval_crosslang.py): SOFA's own folds like
                         # 16 and 0.5, every other archive likes a thread-heavier mix and a lower weight; 0.8 and 8
                         # are within 0.006 of the best mean (1.0 and 10, which costs the cross-language pairs 3.6
                         # points of top-1; counting those pairs, 0.8 and 8 are level with it)

MIN_LANGUAGE_THREADS = 2  # threads of each language an archive needs before their cosines are balanced (SOFA
                          # Weekly has two English threads: balanced held out better than not, 0.861 against 0.851)

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


LONG_LINE = 400            # a line this long is looked at: machine output (a payload, a blob, a dump) is dropped
KEEP_OF_LONG_LINE = 2000   # a long line of words is kept, cut to this many characters
HEX_RUN = re.compile(r"(?:0x)?[0-9a-f]{8,}", re.I)


def machine_output(line: str) -> bool:
    """Whether a long line is machine output rather than someone's words: few spaces and no Chinese (a minified
    payload, base64, a class path run together), or mostly punctuation, digits and hex. A question pasted on one
    line (a search box drops the line breaks) is words, in Chinese or with spaces between English words."""
    line = line.strip()
    if not line:
        return False
    cjk = sum(1 for ch in line if analysis.is_cjk(ch))
    if not cjk and line.count(" ") < len(line) / 25:
        return True
    hex_chars = sum(len(m) for m in HEX_RUN.findall(line))
    letters = sum(1 for ch in line if ch.isalpha()) - hex_chars + cjk
    return letters < 0.5 * len(line)


def words(text: str) -> str:
    """What the person wrote: code fences, log lines, machine output and URLs dropped."""
    text = FENCE.sub(" ", text[:MAX_INPUT_CHARS])
    lines = [ln if len(ln) < LONG_LINE else ln[:KEEP_OF_LONG_LINE] for ln in text.split("\n")
             if not LOG_LINE.match(ln) and (len(ln) < LONG_LINE or not machine_output(ln))]
    return URL.sub(" ", "\n".join(lines))


def prose(text: str) -> str:
    """The person's words (`words`) without the filler every question has (`请问`, `怎么`, `吗`)."""
    return FILLER_RE.sub(" ", words(text))


_jieba = None


def segment(text: str) -> list[str]:
    """Words of a text, lower-cased: jieba's dictionary for Chinese runs (loaded once, on first use: about a
    second), so that key terms are real words (`隔离`, `全局锁`) and not the seams between them (`的隔`, `离是`);
    other words as the index's tokenizer reads them (`analysis.TOKEN`), so an identifier stays whole
    (`quarry-py`, `undo_log`, `node.js`, `v1.2.0`: jieba would cut them at every mark). Imported here, not at
    the top: importing jieba alone costs 0.1 s, which a terminal `search` never needs."""
    global _jieba
    if _jieba is None:
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    words = []
    for m in analysis.TOKEN.finditer(analysis.normalize(text)):
        words += _jieba.lcut(m.group("cjk")) if m.group("cjk") else [m.group("word")]
    return words


def dictionary_words(text: str) -> int:
    """How many distinct Chinese words of two or more characters in the text jieba's dictionary knows."""
    segment("")
    return len({w for w in segment(text) if len(w) >= 2 and analysis.is_cjk(w) and w in _jieba.dt.FREQ})


STOP_WORDS = frozenset(FILLER) | frozenset("""的 了 是 在 和 有 我 你 他 她 它 这 那 就 都 也 要 会 能 吗 呢 吧 啊 啥 么 嘛 呀 还 又 跟 与 及 或
    把 被 让 给 对 从 到 用 里 上 下 中 时 后 前 个 些 种 样 么 一 二 两 几 很 太 更 最 再 才 只 不 没 没有 已经 还是 或者 以及 如果 但是 然后
    所以 因为 这样 那样 这种 那种 哪种 哪个 怎样 怎么样 是否 需要 应该 时候 情况 之后 之前 之间 里面 那套 一般 具体 比如 自己 大家 一些
    the a an is are was were be to of in on at for and or but if it its this that what how why when which who do does
    did can could would should will with from by as not no any some my your our there e.g i.e etc""".split())


def key_terms(gen: Generation, reader, text: str) -> dict[tuple[str, ...], float]:
    """The words that identify the need, each as its index terms with a weight: inverse document frequency,
    doubled for project names; the strongest MAX_TERMS of them."""
    return {k.terms: w for k, w in weighted_terms(gen, reader, text)}


def weighted_terms(gen: Generation, reader, text: str) -> list[tuple[KeyTerm, float]]:
    """(key term with its idf, its weight) for the strongest MAX_TERMS words of the text."""
    projects = {squash(p) for p in gen.registry.mentions(text)}
    unknown_idf = idf(gen.count, 1)          # as rare as a term seen once
    counts: dict[tuple[str, ...], int] = {}
    names: dict[tuple[str, ...], str] = {}      # the word as written: a term may be a stem (`sofaregistri`)
    for word in segment(text):
        word = word.strip().lower()
        if (len(word) < 2 and not word.isdigit()) or word in STOP_WORDS:   # a letter says nothing (`I'm`), a
            continue                                                          # digit may (`Java 8`)
        terms = tuple(dict.fromkeys(analysis.terms(word, parts=False)))
        if terms:
            counts[terms] = counts.get(terms, 0) + 1
            names.setdefault(terms, word)
    out = []
    for terms, tf in counts.items():
        idfs = [gen.idf(term, reader) or None for term in terms]
        if all(i is None for i in idfs):
            # A word the archive has never seen (`kafka`) is part of the need that no thread covers: it stays and
            # lowers every candidate's coverage. Numbers (`3.8.1` too) and one-letter words say nothing.
            if re.fullmatch(r"[\d.]+", terms[0]) or len(terms[0]) < 2:
                continue
            w_idf = unknown_idf
        else:
            w_idf = sum(i if i is not None else unknown_idf for i in idfs) / len(idfs)
        w = w_idf * (1 + 0.3 * math.log(tf))
        if squash(names[terms]) in projects or gen.registry.lookup(names[terms], fuzzy=False):
            w *= 2
        out.append((KeyTerm(names[terms], terms, w_idf), w))
    return sorted(out, key=lambda kw: kw[1], reverse=True)[:MAX_TERMS]


def vectors(gen: Generation, embedder: embed.Embedder) -> tuple[np.ndarray, np.ndarray]:
    """The generation's entry vectors (entries x FIELDS x dim) and the norm of each entry's question + answer
    vector: stored by the ingest, else (an imported or older index) computed once per generation here."""
    def compute():
        n = max(gen.docs, default=-1) + 1
        matrix = embed.read_generation(gen.path, embedder, n)
        if matrix is None:
            matrix = embed.generation_vectors(gen.path, [gen.docs.get(i) for i in range(n)], embedder)[0]
        whole = np.linalg.norm(matrix[:, 0] + matrix[:, 1], axis=1)
        return matrix, np.where(whole == 0, 1.0, whole)
    return gen.cached(vectors_key(embedder), compute)


def search_meaning(gen: Generation, text: str) -> Callable[[list[int]], list[float]] | None:
    """For search's meaning step (`search.by_meaning`): what gives the semantic similarity (`meaning`) of a
    query's text with some entries, from the stored vectors, embedding the query when first asked. None without
    the model, or when the generation's vectors are not stored for it (a search never embeds the archive)."""
    embedder = embed.get()
    if embedder is None or not text.strip():
        return None
    if not gen.holds(vectors_key(embedder)):
        meta = embed.stored(gen.path)
        if meta is None or meta["model"] != embedder.name or embed.pending(gen.path):
            return None

    def similarities(docnums: list[int]) -> list[float]:
        # embedded only now, when the step is wanted: not on another thread from the start, as `candidates` does,
        # since many searches do not need it and the vector costs several times the rest of a search
        return similarity(gen, embedder, embedder.encode([text], "query")[0], docnums)
    return similarities


def similarity(gen: Generation, embedder: embed.Embedder, vector: np.ndarray, docnums: list[int]) -> list[float]:
    """The semantic similarity (`meaning`) of a query's vector with some entries of the generation, as similar
    ranks by it but for the balance of two languages (`language_balanced`: it needs every thread's cosine, and a
    search's candidates come from its words, which are in its own language): search's meaning step and its
    tuning (`scripts/tune_ranking.py`) read it from here."""
    matrix, whole = vectors(gen, embedder)
    cos = matrix[docnums] @ vector                      # (docnums, FIELDS): question, answer
    return [float(v) for v in meaning(cos[:, 0], thread_cosine(cos, whole[docnums]))]


def thread_cosine(cos: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """The cosine with each whole thread, from the cosines with its question and its answer (`cos`: rows x
    FIELDS) and the norm of the sum of the two vectors (`vectors`)."""
    return (cos[:, 0] + cos[:, 1]) / whole


def vectors_key(embedder: embed.Embedder) -> str:
    """The name a generation caches its vectors under (`vectors`)."""
    return f"vectors:{embedder.name}"


def candidates(gen: Generation, searcher, text: str, project: str | None = None, embedder=None) -> dict:
    """Everything the ranking and the confidence look at, for every candidate: {"key_terms": [KeyTerm],
    "query_terms", "cands": [{"docnum", "lex", "cos_q", "cos_a", "cos_t"}]} (cosines only with an embedder).
    None when no word of the text is known to the archive."""
    # the question's vector is made while its words are looked up (it is wasted only on a text with no known word)
    vector = embed.encode_meanwhile(embedder, text) if embedder is not None else None
    reader = searcher.reader()
    cleaned = prose(text)
    weighted = weighted_terms(gen, reader, cleaned)
    if not weighted:
        return None
    subs = [union([Q.Term("question", t, boost=w * 1.5), Q.Term("answer", t, boost=w)])
            for k, w in weighted for t in k.terms]
    results = searcher.search(union(subs), limit=CANDIDATES, terms=False)
    wanted = {squash(gen.registry.canonical(project))} if project else \
        {squash(p) for p in gen.registry.mentions(cleaned)}
    query_terms = {t for k, _ in weighted for t in k.terms}
    best_bm25 = max((hit.score for hit in results), default=0.0) or 1.0
    # sorted() is stable: equal scores (the same thread in two posts) keep BM25's order
    lexical = sorted(((overlap(gen, reader, query_terms, hit.docnum, wanted) + W_BM25 * hit.score / best_bm25,
                       hit.docnum) for hit in results), key=lambda x: -x[0])[:LEX_CANDIDATES]
    cands = [{"docnum": num, "lex": round(score, 4)} for score, num in lexical]
    # By meaning too, unless the question says nothing: no word of it occurs anywhere in the archive (`zzqqxx`)
    # and it is not real Chinese either (a Chinese question to an English archive has no word in common with it,
    # yet its meaning finds the English answer). Otherwise every thread is merely the least unlike it.
    known = any(gen.idf(t, reader) for k, _ in weighted for t in k.terms) or dictionary_words(cleaned) >= 2
    if embedder is not None and known:
        matrix, whole = vectors(gen, embedder)
        q = vector()
        cos = np.asarray(matrix @ q)                        # (entries, FIELDS): question, answer
        cos_t = thread_cosine(cos, whole)
        live = np.fromiter(gen.docs, dtype=np.int64)
        cos, cos_t = language_balanced(gen, text, live, cos, cos_t)
        sem = meaning(cos[:, 0], cos_t)
        nearest = live[np.argsort(-sem[live], kind="stable")[:SEM_CANDIDATES]]
        seen = {c["docnum"] for c in cands}
        cands += [{"docnum": int(num), "lex": 0.0} for num in nearest if int(num) not in seen]
        for c in cands:
            c["cos_q"], c["cos_a"] = (float(v) for v in cos[c["docnum"]])
            c["cos_t"] = float(cos_t[c["docnum"]])
    return {"key_terms": [k for k, _ in weighted], "query_terms": query_terms, "cands": cands,
            "n_lexical": len(lexical),
            "question_vectors": matrix[:, 0] if embedder is not None and known else None}


def thread_languages(gen: Generation) -> np.ndarray:
    """Whether each entry is a Chinese thread (`confidence.chinese_thread`), by docnum; once per generation."""
    def compute():
        out = np.zeros(max(gen.docs, default=-1) + 1, dtype=bool)
        for num, d in gen.docs.items():
            out[num] = confidence.chinese_thread(f"{d.get('question') or ''} {d.get('answer') or ''}")
        return out
    return gen.cached("thread_languages", compute)


def language_balanced(gen: Generation, text: str, live: np.ndarray, cos: np.ndarray,
                      cos_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cosines (`cos`: entries x question, answer; `cos_t`: the whole thread) with the other language's threads
    moved by the gap between the two languages' mean cosines with the question (raised, as a rule). The model
    finds a thread in the question's own language nearer than one in the other that says the same, so in an
    archive of both languages an English question about a Chinese thread was drawn to the archive's few English
    threads (and the reverse): 14 of the 15 cross-language misses of seven communities. Each language needs
    MIN_LANGUAGE_THREADS threads for its mean to be more than one thread's own cosine; otherwise the cosines are
    returned as they are. (With very few threads in one language, their mean includes the one that may answer;
    a median, or a mean without the nearest thread, moved one question of eight communities: the mean stays.)"""
    zh = thread_languages(gen)[live]
    if zh.sum() < MIN_LANGUAGE_THREADS or (~zh).sum() < MIN_LANGUAGE_THREADS:
        return cos, cos_t
    own = zh == confidence.chinese(text)
    same, other = live[own], live[~own]
    cos, cos_t = cos.copy(), cos_t.copy()
    for column in (cos[:, 0], cos[:, 1], cos_t):          # (views: each is raised in place)
        column[other] += column[same].mean() - column[other].mean()
    return cos, cos_t


def meaning(cos_question, cos_thread):
    """The semantic similarity from the cosines with a thread's question and with the whole thread (numbers or
    arrays alike): THREAD_SHARE of the second, the rest of the first."""
    return (1 - THREAD_SHARE) * cos_question + THREAD_SHARE * cos_thread


def semantic(c: dict) -> float:
    return meaning(c["cos_q"], c["cos_t"])


def ranked(cands: list[dict], sem_weight: float = SEM_WEIGHT, gen: Generation | None = None) -> list[dict]:
    """Best first: overlap, plus the semantic similarity when there is one. With `gen`, copies of one question (a
    thread published again in a later post) stand together, the original first, at the best copy's place, as in
    search (`ranking.arrange`)."""
    def score(c):
        return c["lex"] + (sem_weight * semantic(c) if "cos_q" in c else 0.0)
    for c in cands:
        c["score"] = score(c)
    order = sorted(cands, key=lambda c: -c["score"])
    if gen is None:
        return order
    dates = gen.dates()
    arranged = ranking.arrange([c["score"] for c in order], [ranking.question_key(gen, c["docnum"]) for c in order],
                               [dates.get(c["docnum"]) or "" for c in order])
    return [order[i] for i in arranged]


def top_features(gen: Generation, text: str, found: dict, order: list[dict]) -> tuple[dict, dict]:
    """The confidence features of the top candidate, and its coverage of the key terms (the reasons)."""
    top, others = order[0], order[1:]
    d = gen.docs[top["docnum"]]
    terms = gen.doc_terms(top["docnum"])
    q_chinese = confidence.chinese(text)
    cover = confidence.coverage(found["key_terms"], terms.questions | terms.answers, terms.answers, q_chinese)
    cross = q_chinese != bool(thread_languages(gen)[top["docnum"]])
    # The margins are over the best *other* thread: the same question asked again (a repost, one thread copied into
    # two posts, or its translation) is not a rival, and a margin of nothing over it made right answers look unsure.
    others = [c for c in others if not same_question(gen, found, top, c)]
    lex_margin = top["lex"] - max((c["lex"] for c in others), default=0.0)
    sem = {}
    if "cos_q" in top:
        # with no other thread at all (a one-thread archive) nothing is stood out from: no margin, no gap
        rivals = sorted((semantic(c) for c in others), reverse=True) or [semantic(top)]
        sem = {"cos_question": top["cos_q"], "cos_answer": top["cos_a"], "sem_margin": semantic(top) - rivals[0],
               "sem_gap": semantic(top) - rivals[min(confidence.GAP_RANK, len(rivals)) - 1]}
    return confidence.features(cover, idf(gen.count, 1), top["lex"], lex_margin, cross, **sem,
                               ask_match=confidence.ask_match(words(text), d.get("question") or "")), cover


def same_question(gen: Generation, found: dict, a: dict, b: dict) -> bool:
    """Whether two candidates ask the same question: one is the other's translation (linked at ingest), the same
    words, or (with vectors) question vectors at least SAME_QUESTION_COS alike."""
    da, db = gen.docs[a["docnum"]], gen.docs[b["docnum"]]
    if db.get("id") in (da.get("translations") or ()) or da.get("id") in (db.get("translations") or ()):
        return True
    qa, qb = (fold(d.get("question") or "")[:SAME_QUESTION_CHARS] for d in (da, db))
    if qa and qa == qb:
        return True
    vecs = found.get("question_vectors")
    return vecs is not None and float(vecs[a["docnum"]] @ vecs[b["docnum"]]) >= SAME_QUESTION_COS


def find_similar(gen: Generation, searcher, text: str, limit: int = 5, project: str | None = None,
                 threshold: float | str | None = None, embedder="default") -> dict:
    """The prior threads most like a new question, best first. The first has `confidence` (the probability that
    it answers the question) and each is `confident` or not; every hit has `matched_terms` and
    `unmatched_terms` (the question's key words it covers or lacks). `terms` are the key words of the question.
    `threshold` is the configured `similar.threshold` (QA_ARCHIVE_CONFIDENT_AT overrides it). Raises QueryError
    for an empty text or a bad limit."""
    limit = bounded(limit, 1, 20, "limit")
    text = (text or "").strip()
    if not text:
        raise QueryError("similar.empty")
    if embedder == "default":
        embedder = embed.get()
    if embedder is not None and not gen.holds(vectors_key(embedder)) and embed.job(gen.path):
        # its vectors are still being made (or their job died: the next ingest makes them): by words, with the
        # lexical model, rather than embedding the whole archive inside this request
        embedder = None
    found = candidates(gen, searcher, text, project, embedder)
    if found is None:
        return {"hits": [], "terms": [], "note": Note("similar.no_known_words")}
    model = confidence.models()["semantic" if embedder is not None else "lexical"]
    at = confidence.threshold(model, threshold)
    order = ranked(found["cands"], gen=gen)
    hits = []
    for i, c in enumerate(order[:limit]):
        hit = make_hit(gen.docs[c["docnum"]], round(c["score"], 4), found["query_terms"])
        if i == 0:
            feats, cover = top_features(gen, text, found, order)
            p = model.probability(feats)
            hit["confidence"] = round(p, 4)
        else:
            t = gen.doc_terms(c["docnum"])
            cover = confidence.coverage(found["key_terms"], t.questions | t.answers, t.answers)
        hit["confident"] = bool(i == 0 and p >= at)
        hit["matched_terms"], hit["unmatched_terms"] = cover["matched"], cover["unmatched"]
        hits.append(hit)
    return {"hits": hits, "terms": [k.word for k in found["key_terms"]], "threshold": at,
            "semantic": embedder is not None}


def warm(archive, unstored: Callable[[int], None] | None = None) -> None:
    """Load jieba's dictionary, the embedding model and the published generation's vectors now, and let the
    archive's searches use them: `serve` calls this before its workers fork, so they share them and no first
    request pays for them. An index built without
    vectors (QA_ARCHIVE_EMBEDDER=none at ingest) has them computed here, which takes a while: `unstored(entries)`
    is called first, so the one waiting is told why."""
    segment("")
    embedder = embed.warm()
    if embedder is None:
        return
    archive.meaning = archive.meaning_wanted     # search may now re-order its best candidates by meaning
    try:
        gen = archive.current()
    except Exception:            # no index yet, or a damaged one: the first request will say so
        return
    n = max(gen.docs, default=-1) + 1
    if embed.pending(gen.path):
        return                       # a background job is making them; similar matches by words meanwhile
    if unstored is not None and n and embed.read_generation(gen.path, embedder, n) is None:
        unstored(len(gen.docs))
    vectors(gen, embedder)


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
