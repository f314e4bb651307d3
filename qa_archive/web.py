"""The web UI and the JSON API: one Flask application factory, two blueprints.

Every page builds one dict, rendered as HTML by a template in `templates/` or returned as JSON by its `/api/`
twin, so the two cannot drift apart. Everything that comes from a post is untrusted: Markdown is rendered with
raw HTML disabled, links get rel="nofollow noopener", and a Content-Security-Policy forbids scripts altogether.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markdown_it import MarkdownIt
from werkzeug.exceptions import HTTPException

from .index import IndexError_
from .search import MAX_LIMIT, MAX_PAGE, MAX_QUERY_CHARS, Archive, QueryError
from .similar import reply_markdown

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")

CSP = ("default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")

# ---------------------------------------------------------------------------------------------- i18n

TEXT = {
    "site": {"zh": "SOFA 问答档案", "en": "SOFA Q&A Archive"},
    "tagline": {"zh": "社区已经回答过的问题，一搜便知", "en": "Find the answer the community already gave"},
    "search": {"zh": "搜索", "en": "Search"},
    "placeholder": {"zh": "例如：jraft 跨机房、Seata 行锁", "en": "e.g. jraft 跨机房, Seata row lock"},
    "projects": {"zh": "项目", "en": "Projects"},
    "years": {"zh": "年份", "en": "Years"},
    "newest": {"zh": "最新问答", "en": "Newest Q&A"},
    "results": {"zh": "条结果", "en": "results"},
    "sort_relevance": {"zh": "按相关度", "en": "By relevance"},
    "sort_date": {"zh": "按日期", "en": "By date"},
    "prev": {"zh": "上一页", "en": "Previous"},
    "next": {"zh": "下一页", "en": "Next"},
    "page": {"zh": "页", "en": "Page"},
    "did_you_mean": {"zh": "你是不是要找", "en": "Did you mean"},
    "no_results": {"zh": "没有找到相关问答。", "en": "No Q&A found."},
    "no_results_help": {"zh": "试试更少或更通用的词，去掉筛选条件，或者按项目浏览：",
                        "en": "Try fewer or more general words, drop a filter, or browse by project:"},
    "asked_by": {"zh": "提问者", "en": "Asked by"},
    "anonymous": {"zh": "匿名", "en": "anonymous"},
    "question": {"zh": "问", "en": "Q"},
    "answer": {"zh": "答", "en": "A"},
    "no_answer": {"zh": "（暂无回答）", "en": "(no answer)"},
    "source_post": {"zh": "查看原文", "en": "Read the original post"},
    "project_links": {"zh": "项目链接", "en": "Project links"},
    "related": {"zh": "相关问答", "en": "Related answers"},
    "repository": {"zh": "代码仓库", "en": "Repository"},
    "stats": {"zh": "统计", "en": "Statistics"},
    "per_year": {"zh": "每年问答数", "en": "Q&A per year"},
    "per_project": {"zh": "各项目问答数", "en": "Q&A per project"},
    "entries": {"zh": "条问答", "en": "entries"},
    "posts": {"zh": "篇文章", "en": "posts"},
    "last_ingest": {"zh": "最近更新", "en": "Last ingest"},
    "index_size": {"zh": "索引大小", "en": "Index size"},
    "not_found": {"zh": "找不到这个页面", "en": "Page not found"},
    "error": {"zh": "出错了", "en": "Something went wrong"},
    "home": {"zh": "首页", "en": "Home"},
    "feed": {"zh": "订阅", "en": "Feed"},
    "all_projects": {"zh": "全部项目", "en": "All projects"},
    "filters": {"zh": "筛选", "en": "Filters"},
    "clear": {"zh": "清除", "en": "clear"},
    "help": {"zh": '支持 "精确短语"、-排除词、project:项目、asker:提问者、after:2021-01-01、year:2022、in:question',
             "en": 'Use "exact phrase", -word, project:NAME, asker:NAME, after:2021-01-01, year:2022, in:question'},
    "skip": {"zh": "跳到内容", "en": "Skip to content"},
    "turn": {"zh": "追问", "en": "Follow-up"},
}


# Messages from the library are English (the API and the CLI speak English); pages show them in Chinese.
MESSAGES_ZH = [
    (r"the query is empty.*", "请输入要搜索的词，或者一个筛选条件，例如 project:MOSN"),
    (r"the query is too long \((\d+) characters; the limit is (\d+)\)", r"查询太长（\1 个字符，上限 \2）"),
    (r"unbalanced quote: searched as plain words", "引号不成对：已按普通词搜索"),
    (r"(\S+) is not a date .*; ignored", r"\1 不是日期（请用 YYYY-MM-DD、YYYY-MM 或 YYYY），已忽略"),
    (r"year:(.*) is not a year; ignored", r"year:\1 不是年份，已忽略"),
    (r"in:(.*) is not one of question, answer, title; ignored", r"in:\1 只能是 question、answer 或 title，已忽略"),
    (r"(\w+): needs a value; ignored", r"\1: 缺少值，已忽略"),
    (r"no known project named '(.*)'", r"没有名为 “\1” 的项目"),
    (r"no project named (.*)", r"没有名为 “\1” 的项目"),
    (r"no entry with id (.*)", r"没有编号为 \1 的问答"),
    (r"(page|limit) must be between (\d+) and (\d+).*", lambda m: f"{'页码' if m[1] == 'page' else '每页条数'}必须在 "
                                                             f"{m[2]} 到 {m[3]} 之间"),
    (r"(page|limit) must be a whole number.*", lambda m: f"{'页码' if m[1] == 'page' else '每页条数'}必须是整数"),
    (r"sort must be .*", "排序只能是 relevance、date 或 oldest"),
    (r"internal error", "服务器内部错误"),
]


def localize(message: str) -> str:
    if g.get("lang") != "zh":
        return message
    for pattern, zh in MESSAGES_ZH:
        m = re.fullmatch(pattern, message or "")
        if m:
            return zh(m) if callable(zh) else m.expand(zh)
    return message


def lang() -> str:
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in ("zh", "en"):
        return chosen
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-TW", "en"], default="zh")
    return "en" if best == "en" else "zh"


def t(key: str) -> str:
    return TEXT.get(key, {}).get(g.get("lang", "zh"), key)


# ---------------------------------------------------------------------------------------------- Markdown

def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")

    def link_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return renderer.renderToken(tokens, idx, options, env)

    def image(renderer, tokens, idx, options, env):
        tok = tokens[idx]
        tok.attrSet("loading", "lazy")
        tok.attrSet("referrerpolicy", "no-referrer")
        return renderer.image(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("image", image)
    return md


MD = _markdown()   # markdown-it's validateLink already refuses javascript:, vbscript: and data: (but images)


def render_md(text: str | None) -> str:
    return MD.render(text or "")


# ---------------------------------------------------------------------------------------------- app

def create_app(index_dir: str | os.PathLike | None = None, test_config: dict | None = None) -> Flask:
    root = Path(__file__).resolve().parent
    app = Flask(__name__, template_folder=str(root / "templates"))
    app.config.update(INDEX_DIR=str(index_dir or os.environ.get("QA_ARCHIVE_INDEX", "index")),
                      MAX_CONTENT_LENGTH=256 * 1024)        # a question, not an upload: larger bodies get a 413
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["archive"] = Archive(app.config["INDEX_DIR"])
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.jinja_env.globals.update(t=t, render_md=render_md, page_url=page_url, MAX_QUERY_CHARS=MAX_QUERY_CHARS)
    app.jinja_env.filters["day"] = lambda s: (s or "")[:10]
    app.jinja_env.filters["localize"] = localize

    @app.before_request
    def _lang():
        g.lang = lang()

    @app.after_request
    def _headers(resp: Response):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if request.args.get("lang") in ("zh", "en"):
            resp.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax")
        resp.headers.setdefault("Vary", "Accept-Language, Cookie")
        return resp

    @app.errorhandler(Exception)
    def _error(e):
        """One error shape: JSON under /api/, the error page elsewhere; never a traceback."""
        if isinstance(e, HTTPException):
            code, message = e.code or 500, e.description
        elif isinstance(e, QueryError):
            code, message = 400, str(e)
        elif isinstance(e, IndexError_):
            code, message = 503, str(e)
        else:
            app.logger.exception("unhandled error")
            code, message = 500, "internal error"
        allow = {"Allow": ", ".join(e.valid_methods)} if getattr(e, "valid_methods", None) else {}
        if request.path.startswith("/api/"):
            return jsonify({"error": {"status": code, "message": message}}), code, allow
        g.lang = g.get("lang") or "zh"
        return render_template("error.html", code=code, message=message), code, allow

    return app


def archive() -> Archive:
    return current_app.extensions["archive"]


def page_url(**changes) -> str:
    """The current search URL with some parameters changed (None removes one): facets, sort and paging."""
    args = {k: v for k, v in request.args.items() if v}
    for k, v in changes.items():
        if v is None or v == "":
            args.pop(k, None)
        else:
            args[k] = v
    if "page" in args and "page" not in changes:
        args.pop("page")
    return url_for("pages.search") + ("?" + urlencode(args) if args else "")


def permalink(entry: dict) -> str:
    return url_for("pages.entry", entry_id=entry["id"], _external=True)


def with_links(entry: dict) -> dict:
    entry = dict(entry)
    entry["permalink"] = permalink(entry)
    return entry


def search_args() -> dict:
    a = request.args
    return {"text": a.get("q", ""), "project": a.get("project") or None, "asker": a.get("asker") or None,
            "after": a.get("after") or None, "before": a.get("before") or None, "year": a.get("year") or None,
            "sort": a.get("sort") or "relevance", "page": a.get("page") or 1, "limit": a.get("limit") or 10}


def public(entry: dict) -> dict:
    """The export's entry fields (plus score and highlights when present) and an absolute permalink."""
    e = {k: v for k, v in entry.items() if k != "turns_md"}
    return with_links(e)


# ---------------------------------------------------------------------------------------------- pages

@pages.route("/")
def home():
    arch = archive()
    return render_template("home.html", projects=[p for p in arch.projects() if p["count"]],
                           newest=arch.newest(8), stats=arch.stats())


@pages.route("/search")
def search():
    args = search_args()
    if not args["text"].strip() and not any(args[k] for k in ("project", "asker", "after", "before", "year")):
        return redirect(url_for("pages.home"))
    try:
        res = archive().search(**args)
        error = None
    except QueryError as e:
        res, error = None, str(e)
    return render_template("search.html", res=res, error=error, args=args,
                           projects=[p for p in archive().projects() if p["count"]]), (400 if error else 200)


@pages.route("/q/<entry_id>")
def entry(entry_id):
    arch = archive()
    e = arch.get(entry_id)
    if e is None:
        abort(404, description=f"no entry with id {entry_id}")
    repos = {p["name"]: p["repo"] for p in arch.projects()}
    return render_template("entry.html", e=with_links(e), related=arch.related(e), repos=repos)


@pages.route("/p/<name>")
def project(name):
    arch = archive()
    canonical = arch.registry.canonical(name)
    info = next((p for p in arch.projects() if p["name"].lower() == canonical.lower()), None)
    if info is None or not info["count"]:
        abort(404, description=f"no project named {name}")
    if info["name"] != name:
        return redirect(url_for("pages.project", name=info["name"]))
    return render_template("project.html", project=info, entries=arch.newest(200, project=info["name"]))


@pages.route("/stats")
def stats():
    s = archive().stats()
    return render_template("stats.html", s=s, year_chart=bar_chart(s["years"]),
                           project_chart=bar_chart(s["projects"]))


@pages.route("/feed.atom")
@pages.route("/p/<name>/feed.atom")
def feed(name=None):
    arch = archive()
    if name and not any(p["name"].lower() == name.lower() and p["count"] for p in arch.projects()):
        abort(404, description=f"no project named {name}")
    entries = [with_links(e) for e in arch.newest(30, project=name)]
    ingested = arch.stats().get("last_ingest") or "1970-01-01"
    for e in entries:
        e["updated"] = _rfc3339(e.get("date") or ingested)     # an undated entry: when it was ingested
    updated = max((e["updated"] for e in entries), default=_rfc3339(ingested))
    body = render_template("feed.xml", entries=entries, name=name, updated=updated,
                           self_url=url_for("pages.feed", name=name, _external=True))
    return Response(body, mimetype="application/atom+xml")


def _rfc3339(s: str) -> str:
    try:
        d = dt.datetime.fromisoformat(s)
    except (TypeError, ValueError):
        d = dt.datetime(1970, 1, 1)
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d.isoformat()


def bar_chart(rows: list[dict]) -> dict:
    """Geometry of a server-rendered SVG bar chart (bar widths in percent of the longest): no chart framework."""
    top = max((r["count"] for r in rows), default=1) or 1
    return {"bars": [{"name": r["name"], "count": r["count"], "w": round(r["count"] / top * 100, 1)} for r in rows]}


# ---------------------------------------------------------------------------------------------- API

@api.route("/health")
def api_health():
    arch = archive()
    try:
        return jsonify({"status": "ok", "entries": arch.count(), "generation": arch.generation()})
    except IndexError_ as e:
        return jsonify({"status": "unavailable", "error": {"status": 503, "message": str(e)}}), 503


@api.route("/search")
def api_search():
    res = archive().search(**search_args())
    return jsonify(dict(res, hits=[public(h) for h in res["hits"]]))


@api.route("/entries/<entry_id>")
def api_entry(entry_id):
    e = archive().get(entry_id)
    if e is None:
        abort(404, description=f"no entry with id {entry_id}")
    return jsonify(public(e))


@api.route("/projects")
def api_projects():
    return jsonify({"projects": archive().projects()})


@api.route("/stats")
def api_stats():
    return jsonify(archive().stats())


@api.route("/similar", methods=["GET", "POST"])
def api_similar():
    if request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, description='send JSON: {"text": "...", "limit": 5, "project": "..."}')
        text, limit, project = body.get("text"), body.get("limit", 5), body.get("project")
        if not isinstance(text, str):
            abort(400, description='"text" must be a string')
        if project is not None and not isinstance(project, str):
            abort(400, description='"project" must be a string')
    else:
        text, limit, project = request.args.get("text", ""), request.args.get("limit", 5), \
            request.args.get("project")
    res = archive().similar(text, limit=limit, project=project)
    hits = [public(h) for h in res["hits"]]
    return jsonify({"hits": hits, "terms": res.get("terms", []), "threshold": res.get("threshold"),
                    "reply_markdown": reply_markdown(text, hits, lambda h: h["permalink"])})


@api.route("/openapi.json")
def api_openapi():
    from .openapi import spec
    return jsonify(spec(MAX_QUERY_CHARS, MAX_LIMIT, MAX_PAGE))
