"""The confidence model: features, the logistic fit, the stored coefficients and the threshold setting."""
from __future__ import annotations

import json

import numpy as np
import pytest

from qa_archive import confidence
from qa_archive.confidence import KeyTerm, Logistic, coverage, features


def terms(*words):
    return [KeyTerm(w, tuple(w.split("|")), idf) for w, idf in words]


def test_coverage_weighs_missing_terms_by_specificity():
    keys = terms(("seata", 2.0), ("undo_log", 5.0), ("保留|留天|天数", 4.0))
    thread = {"seata", "undo_log", "保留"}
    answer = {"undo_log"}
    cover = coverage(keys, thread, answer)
    assert cover["matched"] == ["seata", "undo_log"]
    assert cover["unmatched"] == ["保留|留天|天数"]          # a word counts only when all its terms are there
    assert cover["miss_share"] == pytest.approx(4 / 11)
    assert cover["miss_idf"] == 4.0
    assert cover["answer_cover"] == pytest.approx(5 / 11)


def test_coverage_of_no_terms_is_not_a_division_by_zero():
    cover = coverage([], {"a"}, set())
    assert cover["miss_share"] == 0 and cover["unmatched"] == []


def test_logistic_separates_and_round_trips():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] - 0.5 * X[:, 1] > 0).astype(float)
    m = Logistic(("a", "b")).fit(X, y, l2=0.1)
    p = m.proba(X)
    assert ((p > 0.5) == (y > 0)).mean() > 0.95
    assert m.coef[0] > 0 > m.coef[1]
    again = Logistic.from_json(json.loads(json.dumps(m.to_json())))
    assert np.allclose(again.proba(X), p, atol=1e-4)
    assert 0.0 <= again.probability({"a": 3.0, "b": -1.0}) <= 1.0


def test_the_shipped_model_gives_probabilities_and_trusts_missing_terms_less():
    models = confidence.models()
    assert set(models) == {"semantic", "lexical"}
    for m in models.values():
        assert 0.0 < m.threshold < 1.0
        base = features({"miss_share": 0.0, "miss_idf": 0.0, "miss_latin_idf": 0.0, "answer_cover": 0.6,
                         "matched": ["seata", "全局锁", "回滚"], "unmatched": []}, 6.0, 0.6, 0.2, False, 0.95, 0.9, 0.05)
        # the same thread lacking two of the three words
        worse = dict(base, miss_share=0.6, miss_same=0.6, miss_latin=1.0, matched=1.0)
        p, q = m.probability(base), m.probability(worse)
        assert 0.0 <= q < p <= 1.0


def test_threshold_setting(monkeypatch):
    m = Logistic(("a",), threshold=0.7)
    monkeypatch.delenv(confidence.THRESHOLD_ENV, raising=False)
    assert confidence.threshold(m) == 0.7
    assert confidence.threshold(m, "0.4") == 0.4              # the config's similar.threshold
    monkeypatch.setenv(confidence.THRESHOLD_ENV, "0.55")
    assert confidence.threshold(m, 0.4) == 0.55                # the environment wins
    for bad in ("high", "1.5", "nan"):
        monkeypatch.setenv(confidence.THRESHOLD_ENV, bad)
        with pytest.raises(ValueError):
            confidence.threshold(m)


def test_the_stored_model_was_fitted_on_the_ranking_similar_ships():
    # the margins and gaps the model reads depend on how similar mixes its scores: a model fitted under another
    # mix would be silently wrong (refit with scripts/calibrate_similar.py --write)
    import json

    from qa_archive import similar
    from qa_archive.confidence import MODEL_FILE
    ranking = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["ranking"]
    assert ranking["method"] == "mix"
    assert ranking["weight"] == similar.SEM_WEIGHT and ranking["thread_share"] == similar.THREAD_SHARE
