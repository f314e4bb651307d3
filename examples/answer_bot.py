#!/usr/bin/env python3
"""An example bot: read a new question and print the reply it would post, or nothing.

    echo "请问 SOFAJRaft 的选举超时默认是多少？" | python examples/answer_bot.py
    python examples/answer_bot.py --webhook < issue_event.json       # {"title": ..., "body": ...} or {"text": ...}
    python examples/answer_bot.py --api http://127.0.0.1:8080 < question.txt

With --api it asks a running `qa-archive serve` (POST /api/similar); without, it opens the index directly
(`--index`, default index/). It posts only confident matches: a wrong link is worse than none.
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.request


def question_from(raw: str, webhook: bool) -> str:
    if not webhook:
        return raw
    event = json.loads(raw)
    # a chat message ({"text"}), or an issue-tracker event ({"issue": {"title", "body"}} or {"title", "body"})
    issue = event.get("issue") or event
    return event.get("text") or "\n\n".join(x for x in (issue.get("title"), issue.get("body")) if x)


def reply_via_api(api: str, text: str) -> str:
    req = urllib.request.Request(api.rstrip("/") + "/api/similar", method="POST",
                                 data=json.dumps({"text": text, "limit": 3}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["reply_markdown"]


def reply_via_index(index: str, base_url: str, text: str) -> str:
    from qa_archive.archive import Archive
    from qa_archive.similar import reply_markdown
    hits = Archive(index).similar(text, limit=3)["hits"]
    return reply_markdown(text, hits, lambda h: f"{base_url.rstrip('/')}/q/{h['id']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--webhook", action="store_true", help="stdin is a JSON event, not plain text")
    ap.add_argument("--api", help="base URL of a running qa-archive serve")
    ap.add_argument("--index", default="index", help="index directory, when not using --api")
    ap.add_argument("--base-url", default="http://127.0.0.1:8080", help="where permalinks point (with --index)")
    a = ap.parse_args()
    text = question_from(sys.stdin.read(), a.webhook).strip()
    if not text:
        return
    try:
        reply = reply_via_api(a.api, text) if a.api else reply_via_index(a.index, a.base_url, text)
    except Exception as e:           # noqa: BLE001 - a bot reports and stays silent in the thread
        sys.exit(f"answer_bot: {e}")
    sys.stdout.write(reply)          # empty when the archive has no confident answer: post nothing


if __name__ == "__main__":
    main()
