"""Which writing system a text is in: enough to tell the two languages of a bilingual community apart.

`script(text)` is "cjk" when at least CJK_SHARE of its letters are Chinese, Japanese or Korean characters, else
"latin". Ingest uses it to pair an entry with its translation (`ingest.link_translations`), and search to prefer,
among equally good threads, the one in the language of the query (`ranking.py`).
"""
from __future__ import annotations

import re

CJK_SHARE = 0.2
CJK_LETTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
LATIN_LETTER = re.compile(r"[A-Za-z]")


def script(text: str) -> str:
    """"cjk" or "latin" (also for a text with no letters)."""
    cjk = len(CJK_LETTER.findall(text or ""))
    if not cjk:
        return "latin"
    latin = len(LATIN_LETTER.findall(text))
    return "cjk" if cjk >= CJK_SHARE * (cjk + latin) else "latin"


def entry_script(entry: dict) -> str:
    """The script of an entry (a `Thread.to_dict`): of its questions and answers."""
    text = " ".join(f"{t.get('q') or ''} {t.get('a') or ''}" for t in entry.get("turns") or []) \
        or f"{entry.get('question') or ''} {entry.get('answer') or ''}"
    return script(text)
