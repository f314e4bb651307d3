#!/usr/bin/env python3
"""Fit the similar-question confidence (a calibrated probability) and its threshold, by cross-validation.

For every labelled question (see scripts/eval_similar.py: the scorecard's paraphrases and near-misses, the gold
paraphrases, ours in data/eval/) the matcher ranks the threads; the top thread's features
(qa_archive/confidence.py) go into a logistic regression whose label is "the top thread is the one that answers".
The threshold is the lowest probability at which at most --max-false of the unanswerable questions (near-miss and
off-topic) are answered confidently, on the questions it is fitted on.

Folds are grouped by post (k=5): the held-out figures are for posts the fit never saw. The script prints them
beside the in-sample ones, split into same-language questions and cross-language ones (an English question about a
Chinese thread, or the reverse), then the same figures over --repeats other random partitions into folds (how much
of a difference is the luck of one partition), then the precision/recall curve over thresholds from the held-out
probabilities, then the figures for new writers: each question set (a file of questions, one writer or team) held
out whole, with every post it touches, and the model and threshold fitted on the rest, and writes the model fitted
on everything to qa_archive/confidence.json (with --write).

    python scripts/calibrate_similar.py --index /tmp/idx --write
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from eval_similar import build, folds, groups, rank, set_splits  # noqa: E402

from qa_archive import confidence, embed, similar  # noqa: E402
from qa_archive.confidence import LEXICAL, MODEL_FILE, SEMANTIC, Logistic  # noqa: E402


def top_features(rec, gen, method: str, w: float) -> tuple[dict | None, bool]:
    order = rank(rec, method, w)
    if not order:
        return None, False
    feats, _ = similar.top_features(gen, rec["q"]["text"], rec["found"], order)
    return feats, order[0]["id"] in rec["q"]["targets"]


def crosses(rec, gen) -> bool:
    """Whether a paraphrase is in the other language than the thread that answers it."""
    if not rec["q"]["targets"]:
        return False
    d = gen.entry(sorted(rec["q"]["targets"])[0]) or {}
    return confidence.chinese(rec["q"]["text"]) != confidence.chinese_thread(
        f"{d.get('question') or ''} {d.get('answer') or ''}")


def choose_threshold(p, kinds, max_false) -> float:
    neg = np.array([k != "paraphrase" for k in kinds])
    for t in np.arange(0.05, 0.99, 0.01):
        if (p[neg] >= t).mean() <= max_false:
            return round(float(t), 2)
    return 0.99


def rates(p, right, kinds, t) -> dict:
    kinds = np.array(kinds)
    para = kinds == "paraphrase"
    conf = p >= t
    out = {"top1": right[para].mean(), "top1_conf": (right & conf)[para].mean(),
           "near_miss_conf": conf[kinds == "near_miss"].mean() if (kinds == "near_miss").any() else float("nan"),
           "off_topic_conf": conf[kinds == "off_topic"].mean() if (kinds == "off_topic").any() else float("nan")}
    out["precision"] = (right & conf).sum() / max(conf.sum(), 1)
    return out


def held_rates(held_p, held_t, right, kinds, cross) -> dict:
    """Held-out figures, each question judged at its own fold's threshold."""
    kinds = np.array(kinds)
    para, conf = kinds == "paraphrase", held_p >= held_t
    return {"top1": right[para].mean(), "top1_conf": (right & conf)[para].mean(),
            "same_conf": (right & conf)[para & ~cross].mean(), "cross_conf": (right & conf)[para & cross].mean(),
            "near_miss_conf": conf[kinds == "near_miss"].mean(), "off_topic_conf": conf[kinds == "off_topic"].mean(),
            "precision": (right & conf).sum() / max(conf.sum(), 1)}


def fit_eval(X, right, kinds, fold_ids, k, names, max_false, l2):
    """Held-out probabilities and thresholds per fold; in-sample figures per fold for comparison."""
    held_p = np.zeros(len(X))
    held_t = np.zeros(len(X))
    in_sample = []
    for f in range(k):
        tr = fold_ids != f
        m = Logistic(names).fit(X[tr], right[tr], l2=l2)
        p_tr = m.proba(X[tr])
        t = choose_threshold(p_tr, [kinds[i] for i in np.where(tr)[0]], max_false)
        in_sample.append(rates(p_tr, right[tr], [kinds[i] for i in np.where(tr)[0]], t))
        held_p[~tr] = m.proba(X[~tr])
        held_t[~tr] = t
    return held_p, held_t, in_sample


def by_set(X, right, kinds, set_names, group_names, names, max_false, l2):
    """Leave one question set out (a new writer): fitted, threshold included, on the other sets' questions about
    posts the held-out set does not touch. Returns the held-out probabilities and thresholds, and rows per set."""
    kinds = np.array(kinds)
    p, t = np.zeros(len(X)), np.zeros(len(X))
    rows = []
    for name, train, test in set_splits(set_names, group_names):
        tr, te = np.array(train), np.array(test)
        m = Logistic(names).fit(X[tr], right[tr], l2=l2)
        p[te], t[te] = m.proba(X[te]), choose_threshold(m.proba(X[tr]), list(kinds[tr]), max_false)
        conf, para = p[te] >= t[te], kinds[te] == "paraphrase"
        share = {k: (conf[kinds[te] == k].mean(), int(conf[kinds[te] == k].sum()), int((kinds[te] == k).sum()))
                 for k in ("near_miss", "off_topic") if (kinds[te] == k).any()}
        rows.append((name, int(tr.sum()), float(t[te][0]), para.sum(),
                     right[te][para].mean() if para.any() else float("nan"),
                     (right[te] & conf)[para].mean() if para.any() else float("nan"), share))
    return p, t, rows


def print_by_set(p, t, rows, right, kinds):
    kinds = np.array(kinds)
    print("held out by question set (a new writer: fitted on the other sets, minus every post the set touches):")
    print(f"  {'set':8}{'fitted on':>10}{'threshold':>10}{'paraphrases':>12}{'top-1':>7}{'top-1&conf':>11}"
          "   near-miss conf   off-topic conf")
    for name, n_tr, th, n_para, top1, tc, share in rows:
        cols = [f"{share[k][0]:.3f} ({share[k][1]}/{share[k][2]})" if k in share else "-"
                for k in ("near_miss", "off_topic")]
        print(f"  {name:8}{n_tr:10d}{th:10.2f}{n_para:12d}{top1:7.3f}{tc:11.3f}   {cols[0]:17}{cols[1]}")
    conf, para = p >= t, kinds == "paraphrase"
    print(f"  {'pooled':8}{'':20}{para.sum():12d}{right[para].mean():7.3f}{(right & conf)[para].mean():11.3f}   "
          f"{conf[kinds == 'near_miss'].mean():<17.3f}{conf[kinds == 'off_topic'].mean():.3f}")
    print("  the same held-out probabilities at one threshold for all:  threshold  top-1&conf  near-miss  off-topic")
    for th in (0.6, 0.5, 0.4, 0.3, 0.2):
        c = p >= th
        print(f"{'':62}{th:.2f}{(right & c)[para].mean():12.3f}{c[kinds == 'near_miss'].mean():11.3f}"
              f"{c[kinds == 'off_topic'].mean():11.3f}")


def _share(rows, kind):
    sel = [cf for k, _, cf in rows if k == kind]
    return sum(sel) / max(len(sel), 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--optech", help="an index of the shared Optech corpus: its question sets (data/eval/similar-"
                                     "blind4.json, similar-blind5.json) join the pool")
    ap.add_argument("--community", action="append", metavar="FILE",
                    help="another community's question file (data/eval/community-*.json): its tree is ingested into "
                         "--cache and its questions join the pool as a set of their own (repeatable)")
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--model", default=embed.DEFAULT_MODEL)
    ap.add_argument("--cache", default="/tmp/qa-archive-eval")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--method", default="mix", help="ranking with the model: mix (what similar.py does) or rrf")
    ap.add_argument("--weight", type=float, default=similar.SEM_WEIGHT, help="the semantic weight of the fusion")
    ap.add_argument("--max-false", type=float, default=0.02,
                    help="largest share of unanswerable questions answered confidently, on the fitted folds")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=8, help="other random partitions into folds to report as well")
    ap.add_argument("--write", action="store_true", help="write qa_archive/confidence.json")
    a = ap.parse_args()

    fitted = {}
    gen, recs = build(a, "none")
    today = []                  # today's rule: the top score plus its margin over the runner-up >= 0.36
    for r in recs:
        c = rank(r, "lex", 1.0)
        conf = bool(c) and c[0]["lex"] + (c[0]["lex"] - (c[1]["lex"] if len(c) > 1 else 0.0)) >= 0.36
        today.append((r["q"]["kind"], bool(c) and c[0]["id"] in r["q"]["targets"], conf))
    para = [t for t in today if t[0] == "paraphrase"]
    print("today's rule (score + margin >= 0.36, set by hand): top-1 and confident "
          f"{sum(ok and cf for _, ok, cf in para) / len(para):.3f}, near-miss confident "
          f"{_share(today, 'near_miss'):.3f}, off-topic confident {_share(today, 'off_topic'):.3f}")
    for label, model, method, names in (("semantic", a.model, a.method, SEMANTIC), ("lexical", "none", "lex", LEXICAL)):
        gen, recs = build(a, model)
        rows = [top_features(r, r.get("gen", gen), method, a.weight) for r in recs]
        keep = [i for i, r in enumerate(rows) if r[0] is not None]
        X = np.array([[rows[i][0][n] for n in names] for i in keep])
        right = np.array([rows[i][1] for i in keep])
        kinds = [recs[i]["q"]["kind"] for i in keep]
        # questions with no candidate at all: never confident, right only if... never
        dropped = [recs[i]["q"]["kind"] for i in range(len(recs)) if i not in set(keep)]
        group_names = groups([recs[i] for i in keep], gen)
        cross = np.array([crosses(recs[i], recs[i].get("gen", gen)) for i in keep])
        fold_ids = np.array(folds(group_names, a.folds))
        held_p, held_t, in_sample = fit_eval(X, right, kinds, fold_ids, a.folds, names, a.max_false, a.l2)
        held = held_rates(held_p, held_t, right, kinds, cross)
        ins = {k: float(np.mean([s[k] for s in in_sample])) for k in in_sample[0]}
        others = []
        for seed in range(1, a.repeats + 1):
            ids = np.array(folds(group_names, a.folds, seed=seed))
            p, t, _ = fit_eval(X, right, kinds, ids, a.folds, names, a.max_false, a.l2)
            others.append(held_rates(p, t, right, kinds, cross))
        kinds_a = np.array(kinds)
        para = kinds_a == "paraphrase"
        n_para, n_nm, n_off = para.sum(), (kinds_a == "near_miss").sum(), (kinds_a == "off_topic").sum()
        print(f"\n== {label} ({model}, ranking {method}); {n_para} paraphrases ({(para & cross).sum()} cross-language), "
              f"{n_nm} near-miss, {n_off} off-topic" + (f"; {len(dropped)} questions without candidates" if dropped else ""))
        print(f"{'':30}{'held-out':>10}{'in-sample':>11}" + (f"   {a.repeats} other partitions: mean (min-max)"
                                                             if others else ""))
        for key, name in (("top1", "top-1"), ("top1_conf", "top-1 and confident"),
                          ("same_conf", "  same language"), ("cross_conf", "  cross-language"),
                          ("near_miss_conf", "near-miss confident"), ("off_topic_conf", "off-topic confident"),
                          ("precision", "precision of confident")):
            spread = [o[key] for o in others]
            print(f"{name:30}{held[key]:10.3f}" + (f"{ins[key]:11.3f}" if key in ins else " " * 11)
                  + (f"   {np.mean(spread):.3f} ({min(spread):.3f}-{max(spread):.3f})" if others else ""))
        print("thresholds per fold:", sorted({float(t) for t in held_t}))
        print("held-out curve:  threshold  precision  recall(top-1&conf)  near-miss  off-topic")
        for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
            r = rates(held_p, right, kinds, t)
            print(f"                  {t:.2f}      {r['precision']:.3f}       {r['top1_conf']:.3f}"
                  f"          {r['near_miss_conf']:.3f}      {r['off_topic_conf']:.3f}")
        set_names = [recs[i]["q"]["set"] for i in keep]
        print_by_set(*by_set(X, right, kinds, set_names, group_names, names, a.max_false, a.l2), right, kinds)
        m = Logistic(names).fit(X, right, l2=a.l2)
        m.threshold = choose_threshold(m.proba(X), kinds, a.max_false)
        print("fitted on all: threshold", m.threshold, "coefficients",
              {n: round(float(c), 3) for n, c in zip(names, m.coef, strict=True)})
        fitted[label] = m
    if a.write:
        data = {"about": "Fitted by scripts/calibrate_similar.py (logistic regression over qa_archive/confidence.py's "
                         "features; threshold: at most --max-false of unanswerable questions confident).",
                "embedder": a.model, "ranking": {"method": a.method, "weight": a.weight,
                                                 "thread_share": similar.THREAD_SHARE},
                "models": {k: m.to_json() for k, m in fitted.items()}}
        MODEL_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print("wrote", MODEL_FILE)


if __name__ == "__main__":
    main()
