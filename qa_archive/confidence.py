"""How sure are we that the top thread answers the question? A calibrated probability, and the reasons.

A thread can be *about the same thing* as a new question and still not *answer* it: "can MOSN split Redis reads
from writes" lands on the thread about MOSN's Redis support. So the features look at what the question asks that
the thread does not cover, not only at how alike the two are:

- `miss_share`: the idf-weighted share of the question's key terms that the thread does not contain anywhere;
- `miss_max`: the most specific key term the thread lacks (its idf over the largest possible idf);
- `miss_latin`: in a Chinese question, the most specific Latin-script term the thread lacks: people write product
  and option names in Latin letters (`SkyWalking`, `Jaeger`), so a missing one is a missing subject;
- `cross_lang`: the question and the thread are in different languages (then shared words say little): a thread
  is Chinese when it has Chinese prose at all (THREAD_CJK characters), however much code and English it quotes, and
  `miss_same`: `miss_share` when they are in the same language, else 0 (the model reads the share through this
  one only: an English question about a Chinese thread lacks most of its words and may still be answered);
- `answer_cover`: the idf-weighted share of key terms found in the *answer* (does the answer address the focus);
- `matched`: how many key terms the thread covers, in the same language (0 across languages): at the same share,
  a thread that covers eight of a long question's words has shown more than one that covers two of a short one's;
- `lex`, `lex_margin`: the lexical matcher's score of the top thread and its margin over the best other thread (a
  repost of the same question is not another thread);
- `cos_question`, `cos_answer`: embedding cosine of the question with the thread's question and with its answer;
- `sem_margin`: the top thread's semantic score over the best other candidate's;
- `sem_gap`: the top thread's semantic score over the GAP_RANK-th best other thread's. How near the nearest threads
  are depends on the question (a long or generic one is near everything, an English question about Chinese threads
  is near nothing), so how far the top stands out of the crowd says more than its own similarity;
- `ask_match`: whether the question asks for the same kind of answer as the thread's question (a reason, a way, an
  amount, a place or a choice, a meaning, a difference, a yes or no; `asks`), as the share of kinds the two have
  in common. A near miss on the thread's topic often asks something else about it: "how long is the default
  timeout, and where is it set" lands on a thread that asks why a read fails.

A logistic regression turns them into a probability. Its coefficients, the feature scaling and the threshold are
fitted by `scripts/calibrate_similar.py` with k-fold cross-validation grouped by post, and stored in
`confidence.json` beside this module: one model with the embedding features, one without (used when the model is
switched off). Pure numpy; nothing here knows about the index.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import analysis

MODEL_FILE = Path(__file__).with_name("confidence.json")
THRESHOLD_ENV = "QA_ARCHIVE_CONFIDENT_AT"

LEXICAL = ("miss_max", "answer_cover", "lex", "lex_margin", "miss_latin", "cross_lang", "miss_same", "matched")
SEMANTIC = LEXICAL + ("cos_question", "cos_answer", "sem_margin", "sem_gap", "ask_match")
THREAD_CJK = 10       # a thread with this many Chinese characters is a Chinese thread
ASK_CHARS = 1000      # asks() reads at most this much of a text
GAP_RANK = 10         # sem_gap is over the tenth-best other thread (the folds liked 8 to 15 about as well)
CJK_RE = re.compile(f"[{analysis.CJK}]")
LATIN_RE = re.compile(r"[A-Za-z]+")
# The kind of answer a question asks for, by its question words in Chinese and English. An English yes-or-no
# question is told by the auxiliary its sentence starts with ("Is there…", "Can I…"), a Chinese one by 吗, 能不能….
ASKS = {k: re.compile(v, re.I) for k, v in {
    "why": r"为什么|为啥|为何|怎么会|什么原因|啥原因|原因是什么|\bwhy\b|\bhow come\b|\bwhat causes\b",
    "how": r"怎么(?!会)|如何|怎样|咋|什么办法|有没有办法|该从哪|\bhow (do|does|can|could|should|to|is|are|would)\b"
           r"|\bwhat('s| is) the (best|right|recommended) way\b",
    "amount": r"多少|多大|多久|多长|几个|几次|几种|上限是|最多能|\bhow (many|much|long|often|big)\b",
    "which": r"哪里|哪个|哪些|哪儿|在哪|\bwhich\b|\bwhere\b",
    "what": r"(?<!为)什么(?!原因|办法)|(?<!为)啥(?!原因)|是指|是干嘛|\bwhat\b(?!('s| is) the (best|right|recommended) way)",
    "difference": r"区别|差别|有何不同|有什么不同|差在哪|\bdifferen|\bvs\.?\s|\bcompared? (to|with)\b",
    "yes_no": r"能不能|可不可以|可以吗|能否|是否|是不是|有没有|吗|么\s*[？?]|不\s*[？?]"
              r"|(?:^|(?<=[。？！?!\n])|(?<=\.\s))\s*(can|could|does|do|is|are|will|should|would|has|have|did)\b",
}.items()}


@dataclass
class KeyTerm:
    word: str                     # as the person wrote it (`全局锁`)
    terms: tuple[str, ...]        # its index terms (`全局`, `局锁`)
    idf: float


def chinese(text: str) -> bool:
    """Mostly Chinese (a Latin word counts as three characters: `Seata 的全局锁` is Chinese, `what is AT` is not)."""
    c, latin = len(CJK_RE.findall(text or "")), len(LATIN_RE.findall(text or ""))
    return c > 3 * latin


def chinese_thread(text: str) -> bool:
    """A thread is Chinese when it has Chinese prose: its questions and answers quote code, commands and English
    names, so counting Latin words against Chinese characters (`chinese`) would call many Chinese threads English."""
    return len(CJK_RE.findall(text or "")) >= THREAD_CJK


def asks(text: str) -> frozenset[str]:
    """The kinds of answer a text asks for (ASKS), read from its first and last ASK_CHARS / 2 characters: a
    question is asked at the start of a post or at its end, and the regular expressions cost about a
    microsecond a character."""
    text = text or ""
    if len(text) > ASK_CHARS:
        text = text[:ASK_CHARS // 2] + "\n" + text[-(ASK_CHARS // 2):]
    return frozenset(kind for kind, rx in ASKS.items() if rx.search(text))


def ask_match(question: str, thread_question: str) -> float:
    """The share of the kinds of answer asked for that the question and the thread's question have in common
    (Jaccard); 0 when neither asks in a way ASKS knows."""
    a, b = asks(question), asks(thread_question)
    return len(a & b) / len(a | b) if a | b else 0.0


def coverage(key_terms: list[KeyTerm], thread_terms: set[str], answer_terms: set[str],
             question_chinese: bool = False) -> dict:
    """Which key terms the thread covers (all of a word's index terms present), weighted by idf."""
    total = sum(k.idf for k in key_terms) or 1.0
    matched = [k for k in key_terms if k.terms and set(k.terms) <= thread_terms]
    unmatched = [k for k in key_terms if k not in matched]
    in_answer = [k for k in key_terms if k.terms and set(k.terms) <= answer_terms]
    return {
        "matched": [k.word for k in matched],
        "unmatched": [k.word for k in unmatched],
        "miss_share": sum(k.idf for k in unmatched) / total,
        "miss_idf": max((k.idf for k in unmatched), default=0.0),
        "miss_latin_idf": max((k.idf for k in unmatched if question_chinese and not analysis.is_cjk(k.terms[0])),
                              default=0.0),
        "answer_cover": sum(k.idf for k in in_answer) / total,
    }


def features(cover: dict, max_idf: float, lex: float, lex_margin: float, cross_lang: bool = False,
             cos_question: float = 0.0, cos_answer: float = 0.0, sem_margin: float = 0.0,
             sem_gap: float = 0.0, ask_match: float = 0.0) -> dict[str, float]:
    return {
        "miss_share": cover["miss_share"],
        "miss_max": cover["miss_idf"] / max_idf if max_idf > 0 else 0.0,
        "answer_cover": cover["answer_cover"],
        "lex": lex,
        "lex_margin": lex_margin,
        "miss_latin": cover["miss_latin_idf"] / max_idf if max_idf > 0 else 0.0,
        "cross_lang": float(cross_lang),
        "miss_same": 0.0 if cross_lang else cover["miss_share"],
        "matched": 0.0 if cross_lang else float(len(cover["matched"])),
        "cos_question": cos_question,
        "cos_answer": cos_answer,
        "sem_margin": sem_margin,
        "sem_gap": sem_gap,
        "ask_match": ask_match,
    }


@dataclass
class Logistic:
    """p = 1 / (1 + exp(-(b + w . (x - mean) / scale))), fitted by Newton's method with an L2 penalty."""

    names: tuple[str, ...]
    mean: np.ndarray = field(default=None)
    scale: np.ndarray = field(default=None)
    coef: np.ndarray = field(default=None)
    intercept: float = 0.0
    threshold: float = 0.5

    def fit(self, X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> Logistic:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        self.mean = X.mean(axis=0)
        self.scale = X.std(axis=0)
        self.scale[self.scale == 0] = 1.0
        Z = np.hstack([np.ones((len(X), 1)), (X - self.mean) / self.scale])
        w = np.zeros(Z.shape[1])
        penalty = np.full(Z.shape[1], l2)
        penalty[0] = 0.0                               # the intercept is not shrunk
        for _ in range(iters):
            p = 1 / (1 + np.exp(-np.clip(Z @ w, -30, 30)))
            grad = Z.T @ (p - y) + penalty * w
            hess = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(penalty + 1e-9)
            step = np.linalg.solve(hess, grad)
            w -= step
            if np.abs(step).max() < 1e-8:
                break
        self.intercept, self.coef = float(w[0]), w[1:]
        return self

    def proba(self, X) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        z = self.intercept + ((X - self.mean) / self.scale) @ self.coef
        return 1 / (1 + np.exp(-np.clip(z, -30, 30)))

    def probability(self, feats: dict[str, float]) -> float:
        return float(self.proba([[feats[n] for n in self.names]])[0])

    def to_json(self) -> dict:
        return {"features": list(self.names), "mean": [round(float(v), 6) for v in self.mean],
                "scale": [round(float(v), 6) for v in self.scale], "coef": [round(float(v), 6) for v in self.coef],
                "intercept": round(self.intercept, 6), "threshold": round(float(self.threshold), 4)}

    @classmethod
    def from_json(cls, d: dict) -> Logistic:
        return cls(names=tuple(d["features"]), mean=np.array(d["mean"], dtype=float),
                   scale=np.array(d["scale"], dtype=float), coef=np.array(d["coef"], dtype=float),
                   intercept=float(d["intercept"]), threshold=float(d.get("threshold", 0.5)))


_models: dict[str, Logistic] | None = None


def models(path: str | os.PathLike | None = None) -> dict[str, Logistic]:
    """{"semantic": …, "lexical": …} from confidence.json (read once per process)."""
    global _models
    if path is not None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {k: Logistic.from_json(v) for k, v in data["models"].items()}
    if _models is None:
        _models = models(MODEL_FILE)
    return _models


def threshold(model: Logistic, configured: float | str | None = None) -> float:
    """The confidence at which a top hit is `confident`: QA_ARCHIVE_CONFIDENT_AT, else the config's
    `similar.threshold`, else the cross-validated value stored with the model."""
    for value in (os.environ.get(THRESHOLD_ENV), configured):
        if value not in (None, ""):
            try:
                t = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"the confidence threshold must be a number from 0 to 1, not {value!r}") from None
            if not 0.0 <= t <= 1.0 or math.isnan(t):
                raise ValueError(f"the confidence threshold must be from 0 to 1, not {t}")
            return t
    return model.threshold
