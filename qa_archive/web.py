"""The web UI and the JSON API: one Flask application factory, two blueprints.

Every page builds one dict (a "view"), rendered as HTML by a template in `templates/`, or returned as JSON at the
same URL with `.json` appended (`/q/<id>.json`, `/p/<name>.json`, `/search.json?q=…`, `/stats.json`,
`/index.json`), so a page and its data cannot drift apart. The `/api/*` routes are the stable bot interface.
Errors have one shape everywhere: `{"error": {"status", "code", "message"}}` in JSON, the error page in HTML.

Everything that comes from a post is untrusted: Markdown is rendered with raw HTML disabled, links get
rel="nofollow noopener", and a Content-Security-Policy forbids scripts altogether. Interface strings come from
the message catalogue (`messages.py`, `ui.yml`); the archive's name from configuration.
"""
from __future__ import annotations

import datetime as dt
import html
import math
import os
import re
from pathlib import Path
from urllib.parse import urlencode

import yaml
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from markdown_it import MarkdownIt
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from . import analysis, query
from .archive import ASK_LIMIT, ASK_MAX_CHARS, Archive
from .index import IndexProblem
from .messages import ArchiveError, archive_name, known
from .messages import render as render_message
from .openapi import spec
from .query import MAX_LIMIT, MAX_PAGE, MAX_QUERY_CHARS, QueryError, bounded, within_pages
from .similar import reply_markdown

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")

CSP = ("default-src 'none'; img-src 'self' https: http: data:; style-src 'unsafe-inline'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")

SEARCH_BOX_CHARS = MAX_QUERY_CHARS   # 500 CJK characters are 4.5 KB escaped: `serve` takes request lines to 8 KB
PROJECT_PAGE_SIZE = 20
LIST_PAGE_BOUND = 10 ** 6     # a paged list checks a page number is whole; past the last page, `within_pages` says so
HOME_PROJECTS = 30         # projects on the home page of an archive of several communities
TITLE_CHARS = 90           # a result's title: the first question, cut at a word or character boundary
ENTRY_TITLE_CHARS = 120


class WebError(ArchiveError):
    """An error of the web layer with an HTTP status: a catalogue code (`web.*`, `http.*`) and parameters."""

    def __init__(self, status: int, code: str, **params):
        super().__init__(code, **params)
        self.status = status


# ---------------------------------------------------------------------------------------------- i18n

def lang() -> str:
    """The interface follows the reader: the switch (?lang=, then its cookie), else the browser's Chinese or
    English. A reader who has said neither (a German browser, a feed reader, a bot) gets the language of what the
    page shows: the community's (an English community's pages are English), an entry's own; else Chinese."""
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in ("zh", "en"):
        return chosen
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-TW", "en"])
    if best:
        return "en" if best == "en" else "zh"
    own = page_language()
    return own if own in ("zh", "en") else "zh"


def page_language() -> str | None:
    """The language of what this page shows: an entry's own, else (from its profile) that of the community the
    page belongs to: a community's page or feed, a search filtered to one, any page of an archive of one."""
    try:
        arch = archive()
        name = (request.view_args or {}).get("community") or request.args.get("community")
        if not name and request.endpoint == "pages.entry":
            # an entry's page is in the entry's own language (a community's Chinese translation: Chinese)
            entry = arch.get((request.view_args or {}).get("entry_id", ""))
            if entry is not None:
                return community_of(entry)["lang"]
        held = arch.communities()
        if not name and len(held) == 1:
            name = held[0]["name"]
        info = arch.community(name) if name else None
    except Exception:               # no index yet, a damaged one: the page itself will say so
        return None
    return short_language((info or {}).get("language"))


def short_language(code: str | None) -> str | None:
    """`en-US` -> `en`, `zh-Hans` -> `zh`: the interface languages are zh and en."""
    return (code or "").split("-")[0].split("_")[0].lower() or None


def t(key: str, **params) -> str:
    """An interface string in the page's language."""
    return render_message(key, params, g.get("lang", "zh"))


def site_name() -> str:
    return archive_name(current_app.config.get("ARCHIVE_NAME"), g.get("lang", "zh"))


def message(m, language: str | None = None) -> str:
    """An error or a note in the reader's language, from the catalogue: errors (ArchiveError) and notes (a str
    with a code) carry a code and parameters. Anything else is shown as it is."""
    language = language or g.get("lang", "zh")
    if isinstance(m, ArchiveError):
        return m.render(language)
    if isinstance(m, dict) and "code" in m:
        return render_message(m["code"], m.get("params"), language)
    if isinstance(getattr(m, "code", None), str) and isinstance(getattr(m, "params", None), dict):
        return render_message(m.code, m.params, language)
    return str(m or "")


def error_code(e) -> str | None:
    return getattr(e, "code", None) if isinstance(e, ArchiveError) else None


# ---------------------------------------------------------------------------------------------- text helpers

WORD_CHAR = re.compile(r"[A-Za-z0-9_.\-/]")


def shorten(text: str | None, width: int) -> str:
    """One line of at most `width` characters: whitespace collapsed, cut at a word (Latin) or character (CJK)
    boundary, with "…" when anything was cut."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= width:
        return text
    cut = width - 1
    if WORD_CHAR.match(text[cut - 1]) and WORD_CHAR.match(text[cut]):     # inside a Latin word: back off
        space = max(text.rfind(" ", 0, cut), max((text.rfind(ch, 0, cut) for ch in "，。、；：？！"), default=-1) + 1)
        if space > width // 2:
            cut = space
    return text[:cut].rstrip(" ,;:，、；：") + "…"


def human_date(value: str | None, with_time: bool = False) -> str:
    """A date as people write it in the page's language: 2021年9月17日 / 17 Sep 2021 (times in UTC)."""
    if not value:
        return ""
    try:
        d = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)[:10]
    if with_time and d.tzinfo is not None:
        d = d.astimezone(dt.timezone.utc)
    months = (t("months") or "").split()
    month = months[d.month - 1] if len(months) == 12 else str(d.month)
    fields = {"y": d.year, "m": d.month, "d": d.day, "month": month, "hh": f"{d.hour:02d}", "mm": f"{d.minute:02d}"}
    return t("datetime" if with_time else "date", **fields)


MARKED = re.compile(r"<mark>(.*?)</mark>", re.S)


def marked_title(title: str, highlights: dict | None) -> Markup:
    """The title, HTML-escaped, with the words the search marked in its snippets marked here too."""
    words = set()
    for part in (highlights or {}).values():
        words.update(html.unescape(w) for w in MARKED.findall(part or "") if w.strip())
    if not words:
        return Markup.escape(title)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    out, pos = [], 0
    for m in pattern.finditer(title):
        out.append(html.escape(title[pos:m.start()]))
        out.append(f"<mark>{html.escape(m.group())}</mark>")
        pos = m.end()
    out.append(html.escape(title[pos:]))
    return Markup("".join(out))


# ---------------------------------------------------------------------------------------------- asking

def similar(text: str, limit: int = ASK_LIMIT, project: str | None = None) -> dict:
    """The one call into the similar-question matcher: {"hits": [...], "terms": [...]}; raises QueryError for
    bad input."""
    return archive().similar(text, limit=limit, project=project)


def ask(text: str, project: str | None = None, community: str | None = None) -> list[dict]:
    """Prior threads for a question in the reader's own words (`Archive.ask`, the library's rule), as cards."""
    return one_badge([card(h, marks=False) for h in archive().ask(text, project=project, community=community)])


def safe_suggestion(text: str, suggestion: str | None, known=None) -> str | None:
    """"Did you mean" only when it is sure: a suggestion that rewrites numbers, versions or quoted text, or replaces
    a word the archive already has (`known(word)`), is dropped."""
    if not suggestion:
        return None
    kept = re.findall(r'"[^"]*"', text) + [w for w in re.findall(r"\S+", re.sub(r'"[^"]*"', " ", text))
                                           if re.search(r"\d", w)]
    if not all(k in suggestion for k in kept):
        return None
    replaced = set(text.split()) - set(suggestion.split())
    if known is not None and any(known(w) for w in replaced):
        return None
    return suggestion


def known_word(word: str) -> bool:
    """Whether the archive has threads with this word (a word it has is no typo)."""
    if ":" in word or word.startswith("-"):
        return False
    try:
        return archive().search(text=word, limit=1)["total"] > 0
    except (QueryError, ArchiveError):
        return False


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


REFERENCE_LINK = re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]")
CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)


def render_md(text: str | None) -> str:
    """Markdown as HTML. An entry's Markdown is a part of its post, without the post's link definitions: a
    reference link (`[schnorr][topic schnorr]`, `[BIP86][]`, Optech's style) shows as its text, not as brackets."""
    parts = CODE.split(text or "")
    return MD.render("".join(p if i % 2 else REFERENCE_LINK.sub(r"\1", p) for i, p in enumerate(parts)))


# ---------------------------------------------------------------------------------------------- app

def create_app(index_dir: str | os.PathLike | None = None, test_config: dict | None = None) -> Flask:
    """The application. Config: INDEX_DIR; BASE_URL (absolute URLs in feeds and permalinks behind a proxy; else
    QA_ARCHIVE_BASE_URL, else the request's host); ARCHIVE_NAME (the display name; else QA_ARCHIVE_NAME, else a
    neutral default); CONFIG_FILE (else QA_ARCHIVE_CONFIG): a config whose `archive: {name, base_url}` fills in
    the two when neither is set otherwise."""
    root = Path(__file__).resolve().parent
    app = Flask(__name__, template_folder=str(root / "templates"), static_folder=str(root / "static"))
    test_config = dict(test_config or {})
    archive_cfg = archive_settings(test_config.get("CONFIG_FILE") or os.environ.get("QA_ARCHIVE_CONFIG"))
    app.config.update(INDEX_DIR=str(index_dir or os.environ.get("QA_ARCHIVE_INDEX", "index")),
                      BASE_URL=os.environ.get("QA_ARCHIVE_BASE_URL") or archive_cfg.get("base_url") or None,
                      ARCHIVE_NAME=os.environ.get("QA_ARCHIVE_NAME") or archive_cfg.get("name") or None,
                      SIMILAR_THRESHOLD=archive_cfg.get("similar_threshold"),
                      SEARCH_MEANING=meaning_wanted(archive_cfg),
                      MAX_CONTENT_LENGTH=256 * 1024)        # a question, not an upload: larger bodies get a 413
    app.config.update(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["archive"] = Archive(app.config["INDEX_DIR"], threshold=app.config["SIMILAR_THRESHOLD"],
                                        meaning_wanted=app.config["SEARCH_MEANING"])
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.jinja_env.globals.update(t=t, render_md=render_md, page_url=page_url, site_name=site_name,
                                 filter_fields=filter_fields, ASK_MAX_CHARS=ASK_MAX_CHARS,
                                 SEARCH_BOX_CHARS=SEARCH_BOX_CHARS)
    app.jinja_env.filters["message"] = message

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
        """One error shape: JSON under /api/ and for .json twins, the error page elsewhere; never a traceback."""
        g.lang = g.get("lang") or "zh"
        allow = {"Allow": ", ".join(e.valid_methods)} if getattr(e, "valid_methods", None) else {}
        status, code, err = error_parts(e, allow.get("Allow", ""))
        if wants_json():
            return jsonify({"error": {"status": status, "code": code, "message": message(err, "en")}}), status, allow
        view = {"error": {"status": status, "code": code, "message": message(err), "last_page": last_page(err)}}
        return render_template("error.html", v=view), status, allow

    return app


def archive_settings(path: str | os.PathLike | None) -> dict:
    """The `archive:` section of a config file (the one `ingest --config` reads): `name`, `base_url`; its
    `similar: threshold:`, the confidence at which a match is `confident`; and its `search: meaning:`, whether a
    served search re-orders its best candidates by meaning (`meaning_wanted`)."""
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            cfg = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ValueError(f"cannot read the config file {Path(path).absolute()}: {e}") from None
    section = cfg.get("archive") if isinstance(cfg, dict) else None
    settings = {k: str(v) for k, v in (section or {}).items() if k in ("name", "base_url") and v}
    similar = cfg.get("similar") if isinstance(cfg, dict) else None
    if isinstance(similar, dict) and similar.get("threshold") is not None:
        settings["similar_threshold"] = similar["threshold"]
    search = cfg.get("search") if isinstance(cfg, dict) else None
    if isinstance(search, dict) and search.get("meaning") is not None:
        settings["search_meaning"] = search["meaning"]
    return settings


SEARCH_MEANING_ENV = "QA_ARCHIVE_SEARCH_MEANING"


def meaning_wanted(settings: dict) -> bool:
    """Whether served searches take their meaning step: QA_ARCHIVE_SEARCH_MEANING (0/1, off/on), else the config's
    `search: meaning:`, else yes. Off, a search costs a few milliseconds at any load instead of about 20 more when
    the words leave two threads close (the query's vector), for about one query in seventy at rank 1 (held out)."""
    value = os.environ.get(SEARCH_MEANING_ENV, settings.get("search_meaning", True))
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{SEARCH_MEANING_ENV} or search.meaning must be on or off, not {value!r}")


def error_parts(e, allow: str = "") -> tuple[int, str | None, object]:
    """(HTTP status, catalogue code, the error to render) for any exception."""
    if isinstance(e, WebError):
        return e.status, e.code, e
    if isinstance(e, HTTPException):
        status = e.code or 500
        code = f"http.{status}" if known(f"http.{status}") else "http.other"
        err = WebError(status, code, path=request.path, method=request.method, allow=allow, http_status=status)
        return status, code, err
    if isinstance(e, IndexProblem):
        return 503, error_code(e), e
    if isinstance(e, (QueryError, ArchiveError)):
        return getattr(e, "status", 400), error_code(e), e
    current_app.logger.exception("unhandled error")
    return 500, "http.500", WebError(500, "http.500")


def last_page(err) -> dict | None:
    """For a page past the end (`query.past_end`, the library's one rule): the last page's number and this
    address with that page, for a link; else None."""
    if getattr(err, "code", None) != "query.past_end":
        return None
    last = err.params["last"]
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [("page", str(last))]
    return {"page": last, "url": request.path + "?" + urlencode(args)}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def archive() -> Archive:
    return current_app.extensions["archive"]


def respond(template: str, view: dict, status: int = 200):
    """A page's one dict: as JSON for a `.json` URL, else rendered by its template."""
    if wants_json():
        return jsonify(view), status
    return render_template(template, v=view), status


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


def absolute(endpoint: str, **values) -> str:
    """An absolute URL: from the configured base URL when there is one (stable behind a proxy), else the request's."""
    base = current_app.config.get("BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)[len(request.script_root):]
    return base.rstrip("/") + path


def permalink(entry: dict) -> str:
    return absolute("pages.entry", entry_id=entry["id"])


def public(entry: dict) -> dict:
    """The export's entry fields (plus score and highlights when present) and an absolute permalink."""
    e = {k: v for k, v in entry.items() if k != "turns_md"}
    e["permalink"] = permalink(e)
    return e


def card(hit: dict, marks: bool = True) -> dict:
    """An entry as a result list shows it: the public fields plus its headline (the first question only), the
    number of follow-ups, a human date, and the headline and snippet as HTML (marked words only when `marks`)."""
    c = public(hit)
    turns = hit.get("turns") or []
    first = turns[0]["q"] if turns else hit.get("question") or ""
    c["headline"] = shorten(first, TITLE_CHARS)
    c["follow_ups"] = max(len(turns) - 1, 0)
    c["date_text"] = human_date(hit.get("date"))
    highlights = hit.get("highlights") if marks else None
    if not marks:
        c.pop("highlights", None)
    c["headline_html"] = str(marked_title(c["headline"], highlights))
    c.update(community_of(hit))
    c["snippet_html"] = (highlights or {}).get("answer") or html.escape(shorten(hit.get("answer"), 140))
    return c


CJK_TEXT = re.compile(f"[{analysis.CJK}]")


def community_of(entry: dict) -> dict:
    """An entry's community for display: the language of the entry's own text (`lang`: Chinese when it has
    Chinese characters, else English when it has Latin letters, else its community's) and, when the archive holds
    several communities, the community's display name (`community_title`). A community may publish in both
    languages (Optech's Chinese translations): each entry keeps its own."""
    held = {c["name"]: c for c in archive().communities()}
    info = held.get(entry.get("community") or "") or {}
    text = " ".join([entry.get("question") or "", (entry.get("answer") or "")[:300]])
    own = "zh" if CJK_TEXT.search(text) else "en" if re.search("[A-Za-z]", text) else None
    return {"lang": own or short_language(info.get("language")),
            "community_title": info.get("title") if len(held) > 1 else None}


def one_badge(cards: list[dict]) -> list[dict]:
    """A list's entries name their community only when it holds several communities' entries: a badge that
    every entry shares tells the reader nothing."""
    if len({c.get("community") for c in cards}) <= 1:
        for c in cards:
            c["community_title"] = None
    return cards


def filter_examples() -> tuple:
    """The filter table with examples taken from this archive (its largest project and community; on a
    community's pages, that community's), so the form and the API page never show another community's names."""
    import dataclasses
    arch = archive()
    scope = (request.view_args or {}).get("community") or request.args.get("community") or None
    try:
        info = arch.community(scope) if scope else None
        found = {"project": next((p["name"] for p in arch.projects(community=info and info["name"]) if p["count"]),
                                 None),
                 "community": info["name"] if info else next((c["name"] for c in arch.communities()), None)}
    except (IndexProblem, ArchiveError):
        found = {}
    return tuple(dataclasses.replace(f, example=found[f.type]) if found.get(f.type) else f for f in query.FILTERS)


def search_args() -> dict:
    """The search's parameters: the text, one per key of the filter table, and sort and paging."""
    a = request.args
    args = {"text": a.get("q", "")}
    args.update({f.name: a.get(f.name) or None for f in query.FILTERS})
    args.update(sort=a.get("sort") or "relevance", page=a.get("page") or 1, limit=a.get("limit") or 10)
    return args


def filter_fields() -> list[dict]:
    """The search form's filter fields, one per key of the filter table, with their values in this request."""
    lang_ = g.get("lang", "zh")
    try:
        held = [{"value": c["name"], "label": c["title"]} for c in archive().communities()]
    except (IndexProblem, ArchiveError):
        held = []
    options = {"fields": [{"value": o, "label": t(f"field_{o}")} for o in list(query.FIELDS) + ["title"]],
               "community": held or None}
    return [{"name": f.name, "type": f.type, "label": f.help.get(lang_) or f.help.get("en", f.name),
             "example": f.example, "value": request.args.get(f.name, ""), "options": options.get(f.type)}
            for f in filter_examples()]


# ---------------------------------------------------------------------------------------------- views

def home_view() -> dict:
    arch = archive()
    s = arch.stats()
    held = arch.communities()
    projects = [p for p in arch.projects() if p["count"]]
    return {"name": site_name(), "communities": held if len(held) > 1 else [],
            # several communities' tags together run long: the commonest here, each community's all on its page
            "projects": projects[:HOME_PROJECTS] if len(held) > 1 else projects,
            "newest": one_badge([card(e) for e in arch.newest(8)]),
            "stats": {"entries": s["entries"], "posts": s["posts"], "last_ingest": s.get("last_ingest"),
                      "updated": human_date(s.get("last_ingest"), with_time=True)}}


def search_view(args: dict) -> tuple[dict, int]:
    text = args["text"].strip()
    found = archive().search_or_ask(**dict(args, text=text))       # the library's one rule for asking
    res, error, question = found["results"], found["error"], found["question_like"]
    asked = one_badge([card(h, marks=False) for h in found["asked"]])
    if res is not None:
        titles = {c["name"]: c["title"] for c in archive().communities()}
        found = res["facets"].get("communities") or []
        # shown when the matches span several communities, or one is chosen (its ✕ clears it)
        shown_facets = dict(res["facets"], communities=[dict(f, title=titles.get(f["name"], f["name"]))
                                                        for f in found]
                            if len(found) > 1 or args.get("community") else [])
        res = dict(res, hits=one_badge([card(h) for h in res["hits"]]), facets=shown_facets,
                   notes=[message(n) for n in res.get("notes") or []],
                   suggestion=None if question else safe_suggestion(text, res.get("suggestion"), known_word))
    # the numbers the search used (or, when it refused them, as numbers where they are whole), not the URL's strings
    args = dict(args, **({"page": res["page"], "limit": res["limit"]} if res is not None else
                         {k: int(args[k]) if re.fullmatch(r"\s*[+-]?\d+\s*", str(args[k])) else args[k]
                          for k in ("page", "limit")}))
    view = {"query": text, "args": args, "question_like": question,
            "ask": {"hits": asked, "confident": any(h.get("confident") for h in asked)},
            "results": res,
            # nothing found either way: the projects to browse instead
            "projects": [p for p in archive().projects() if p["count"]][:12]
            if res is not None and not res["hits"] and not asked else [],
            "error": {"status": 400, "code": error_code(error), "message": message(error),
                      "last_page": last_page(error)} if error else None}
    return view, (400 if error and not asked else 200)


def ask_view(text: str, project: str | None = None) -> dict:
    """The ask page: a question in the reader's own words, several lines with its logs if need be (a text area
    keeps the line breaks that a search box drops, so the matcher can set log lines aside)."""
    text = (text or "").strip()
    asked = ask(text, project=project) if text else []
    notes = archive().check_project(project)[1]
    return {"question": text, "project": project, "notes": [message(n) for n in notes], "ask": {"hits": asked,
                                                         "confident": any(h.get("confident") for h in asked)},
            "search_url": url_for("pages.search", q=" ".join(text.split())) if 0 < len(text) <= MAX_QUERY_CHARS
            else None}


def entry_view(entry_id: str) -> dict:
    arch = archive()
    e = arch.get(entry_id)
    if e is None:
        raise WebError(404, "web.no_entry", id=entry_id)
    entry = public(e)
    turns = e.get("turns") or []
    turns_md = e.get("turns_md") or turns
    first = turns[0]["q"] if turns else e.get("question") or ""
    entry["headline"] = shorten(first, ENTRY_TITLE_CHARS)
    # The heading is the question; the first question is shown again in full only when the heading could not
    # hold it (cut short, or several paragraphs or code).
    entry["question_in_full"] = bool(turns_md) and (entry["headline"] != re.sub(r"\s+", " ", first).strip()
                                                    or "\n" in (turns_md[0]["q"] or "").strip()
                                                    or bare(turns_md[0]["q"]) != bare(first))
    entry["turns_md"] = turns_md
    entry["date_text"] = human_date(e.get("date"))
    entry.update(community_of(e))
    return {"entry": entry, "related": one_badge([card(h, marks=False) for h in arch.related(e)])}


def bare(text: str | None) -> str:
    """Text without Markdown's emphasis and code marks or spaces: what a plain heading shows of it."""
    return re.sub(r"[\s`*_~]+", "", text or "")


def project_info(name: str) -> dict:
    arch = archive()
    canonical = arch.registry.canonical(name)
    info = next((p for p in arch.projects() if p["name"].lower() == canonical.lower()), None)
    if info is None or not info["count"]:
        raise WebError(404, "web.no_project", name=name)
    return info


def project_view(info: dict, page) -> dict:
    size = current_app.config.get("PROJECT_PAGE_SIZE") or PROJECT_PAGE_SIZE
    entries = archive().newest(info["count"] + 1, project=info["name"])
    pages = max(1, math.ceil(len(entries) / size))
    page = bounded(page or 1, 1, LIST_PAGE_BOUND, "page")
    within_pages(page, pages, len(entries))
    start = (page - 1) * size
    return {"project": info, "total": len(entries), "page": page, "pages": pages,
            "entries": one_badge([card(e) for e in entries[start:start + size]])}


def stats_view(community: str | None = None) -> dict:
    """The archive's counts, or one community's (`?community=`), with a chart per community when it holds several."""
    arch = archive()
    info = community_info(community) if community else None
    s = arch.stats(community=info["name"] if info else None)
    held = arch.communities()
    return {"stats": s, "community": info, "updated": human_date(s.get("last_ingest"), with_time=True),
            "year_chart": bar_chart(s["years"]), "project_chart": bar_chart(s["projects"]),
            "community_chart": bar_chart([{"name": c["name"], "title": c["title"], "count": c["count"]}
                                          for c in held]) if len(held) > 1 and not info else None}


def community_info(name: str) -> dict:
    info = archive().community(name)
    if info is None:
        raise WebError(404, "web.no_community", name=name)
    return info


def community_view(info: dict, page) -> dict:
    """A community's page: its projects or topics, and its entries, newest first (paged like a project's)."""
    arch = archive()
    size = current_app.config.get("PROJECT_PAGE_SIZE") or PROJECT_PAGE_SIZE
    entries = arch.newest(info["count"] + 1, community=info["name"])
    pages = max(1, math.ceil(len(entries) / size))
    page = bounded(page or 1, 1, LIST_PAGE_BOUND, "page")
    within_pages(page, pages, len(entries))
    start = (page - 1) * size
    return {"community": info, "lang": short_language(info.get("language")),
            "projects": arch.projects(community=info["name"]), "total": len(entries), "page": page,
            "pages": pages, "entries": one_badge([card(e) for e in entries[start:start + size]])}


def bar_chart(rows: list[dict]) -> dict:
    """Geometry of a server-rendered SVG bar chart (bar widths in percent of the longest): no chart framework."""
    top = max((r["count"] for r in rows), default=1) or 1
    return {"bars": [{"name": r["name"], "title": r.get("title") or r["name"], "count": r["count"],
                      "w": round(r["count"] / top * 100, 1)} for r in rows]}


def openapi_spec() -> dict:
    return spec(MAX_QUERY_CHARS, MAX_LIMIT, MAX_PAGE, filter_examples())


def api_view() -> dict:
    """The OpenAPI document as a page: one section per operation, its parameters and responses."""
    doc = openapi_spec()
    operations = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            example = None
            if method == "get":
                required = [p["name"] for p in op.get("parameters") or [] if p.get("required") and p["in"] == "query"]
                example = path.replace("{id}", "ID") + ("?" + "&".join(f"{n}=…" for n in required) if required else "")
            operations.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""), "example": example,
                "parameters": [{"name": p["name"], "in": p.get("in"), "required": bool(p.get("required")),
                                "type": schema_type(p.get("schema")), "description": p.get("description", "")}
                               for p in op.get("parameters") or []],
                "body": [{"name": k, "type": schema_type(v), "required": k in (body.get("required") or [])}
                         for k, v in (body or {}).get("properties", {}).items()],
                "responses": [{"status": k, "description": v.get("description", "")}
                              for k, v in (op.get("responses") or {}).items()]})
    return {"title": doc["info"]["title"], "description": doc["info"].get("description", ""),
            "version": doc["info"].get("version"), "operations": operations}


def schema_type(schema: dict | None) -> str:
    schema = schema or {}
    kind = schema.get("type", "")
    kind = " | ".join(kind) if isinstance(kind, list) else kind
    if "enum" in schema:
        kind += ": " + ", ".join(map(str, schema["enum"]))
    elif "minimum" in schema and "maximum" in schema:
        kind += f" {schema['minimum']}–{schema['maximum']}"
    elif "maxLength" in schema:
        kind += f" ≤ {schema['maxLength']}"
    return kind


# ---------------------------------------------------------------------------------------------- pages

@pages.route("/.json")
@pages.route("/index.json")
@pages.route("/")       # decorators apply bottom-up: the HTML rule is registered first, so url_for builds it
def home():
    return respond("home.html", home_view())


@pages.route("/search.json")
@pages.route("/search")
def search():
    args = search_args()
    if not args["text"].strip() and not any(args[f.name] for f in query.FILTERS):
        if wants_json():
            raise QueryError("query.empty")
        return redirect(url_for("pages.home"))
    if not wants_json() and "" in request.args.values():
        # the filter form sends its empty fields too: the address to share and bookmark leaves them out
        kept = [(k, v) for k, v in request.args.items(multi=True) if v != ""]
        return redirect(url_for("pages.search") + "?" + urlencode(kept))
    view, status = search_view(args)
    return respond("search.html", view, status)


@pages.route("/ask.json", methods=["GET", "POST"])
@pages.route("/ask", methods=["GET", "POST"])
def ask_page():
    """GET shows the form (filled from ?q=, answered when it is given); POST answers the form's text, which
    may be longer than a URL can carry."""
    form = request.form if request.method == "POST" else request.args
    text = form.get("q", "")
    if request.method == "POST" and not text.strip():
        raise QueryError("similar.empty")
    return respond("ask.html", ask_view(text, form.get("project") or None))


@pages.route("/q/<entry_id>.json")
@pages.route("/q/<entry_id>")
def entry(entry_id):
    return respond("entry.html", entry_view(entry_id))


def to_canonical(endpoint: str, **values):
    """A redirect from an alias (`/p/seata`, `/c/Optech`) to the canonical page, keeping `.json` and the query."""
    target = url_for(endpoint, **values) + (".json" if wants_json() else "")
    return redirect(target + ("?" + request.query_string.decode() if request.query_string else ""))


@pages.route("/p/<name>.json")
@pages.route("/p/<name>")
def project(name):
    info = project_info(name)
    if info["name"] != name:
        return to_canonical("pages.project", name=info["name"])
    return respond("project.html", project_view(info, request.args.get("page")))


@pages.route("/stats.json")
@pages.route("/stats")
def stats():
    return respond("stats.html", stats_view(request.args.get("community") or None))


@pages.route("/c/<community>.json")
@pages.route("/c/<community>")
def community(community):
    info = community_info(community)
    if info["name"] != community:
        return to_canonical("pages.community", community=info["name"])
    return respond("community.html", community_view(info, request.args.get("page")))


@pages.route("/api.json")
@pages.route("/api")
def api_page():
    if request.path.endswith(".json"):
        return jsonify(openapi_spec())
    return respond("api.html", api_view())


@pages.route("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@pages.route("/feed.atom")
@pages.route("/p/<name>/feed.atom")
@pages.route("/c/<community>/feed.atom")
def feed(name=None, community=None):
    """The newest entries: of the archive, of a project (`/p/<name>/feed.atom`), of a community
    (`/c/<community>/feed.atom`), or of both (`?community=`, `?project=`)."""
    arch = archive()
    name = name or request.args.get("project") or None
    community = community or request.args.get("community") or None
    info = community_info(community) if community else None
    if name and not any(p["name"].lower() == name.lower() and p["count"]
                        for p in arch.projects(community=info and info["name"])):
        raise WebError(404, "web.no_project", name=name)
    ingested = arch.stats().get("last_ingest") or "1970-01-01"
    entries = []
    for e in arch.newest(30, project=name, community=info and info["name"]):
        turns = e.get("turns") or []
        entries.append({"id": e["id"], "permalink": permalink(e), "asker": e.get("asker"),
                        "lang": community_of(e)["lang"],
                        "projects": e.get("projects") or [],
                        "title": shorten(turns[0]["q"] if turns else e.get("question"), 100),
                        "summary": shorten(e.get("answer"), 400),
                        # an undated entry: when it was ingested
                        "updated": _rfc3339(e.get("date") or ingested)})
    # the feed's language is its community's (else its entries' commonest); an entry in another says so
    langs = [e["lang"] for e in entries if e["lang"]]
    feed_lang = short_language(info and info.get("language")) \
        or next(iter(sorted(set(langs), key=lambda x: (-langs.count(x), x))), None)
    for e in entries:
        e["lang"] = e["lang"] if e["lang"] != feed_lang else None
    updated = max((e["updated"] for e in entries), default=_rfc3339(ingested))
    self_url = absolute("pages.feed", community=info["name"], project=name) if info \
        else absolute("pages.feed", name=name)
    body = render_template("feed.xml", entries=entries, name=name, community=info, lang=feed_lang, updated=updated,
                           self_url=self_url, home_url=absolute("pages.community", community=info["name"])
                           if info else absolute("pages.home"))
    return Response(body, mimetype="application/atom+xml")


def _rfc3339(s: str) -> str:
    try:
        d = dt.datetime.fromisoformat(s)
    except (TypeError, ValueError):
        d = dt.datetime(1970, 1, 1)
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d.isoformat()


# ---------------------------------------------------------------------------------------------- API

@api.route("/health")
def api_health():
    arch = archive()
    try:
        return jsonify({"status": "ok", "entries": arch.count(), "generation": arch.generation()})
    except IndexProblem as e:
        return jsonify({"status": "unavailable", "error": {"status": 503, "code": error_code(e),
                                                            "message": str(e)}}), 503


@api.route("/search")
def api_search():
    res = archive().search(**search_args())
    return jsonify(dict(res, hits=[public(h) for h in res["hits"]]))


@api.route("/entries/<entry_id>")
def api_entry(entry_id):
    e = archive().get(entry_id)
    if e is None:
        raise WebError(404, "web.no_entry", id=entry_id)
    return jsonify(public(e))


@api.route("/projects")
def api_projects():
    community = request.args.get("community")
    if community:
        return jsonify({"projects": archive().projects(community=community_info(community)["name"])})
    return jsonify({"projects": archive().projects()})


@api.route("/communities")
def api_communities():
    return jsonify({"communities": archive().communities()})


@api.route("/stats")
def api_stats():
    community = request.args.get("community")
    return jsonify(archive().stats(community=community_info(community)["name"] if community else None))


@api.route("/similar", methods=["GET", "POST"])
def api_similar():
    if request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise WebError(400, "web.similar_body")
        text, limit, project = body.get("text"), body.get("limit", 5), body.get("project")
        if not isinstance(text, str):
            raise WebError(400, "web.text_type")
        if project is not None and not isinstance(project, str):
            raise WebError(400, "web.project_type")
    else:
        text, limit, project = request.args.get("text", ""), request.args.get("limit", 5), \
            request.args.get("project")
    res = similar(text, limit=limit, project=project)
    hits = [public(h) for h in res["hits"]]
    return jsonify({"hits": hits, "terms": res.get("terms", []), "notes": [message(n, "en") for n in res["notes"]],
                    "threshold": res.get("threshold"), "semantic": bool(res.get("semantic")),
                    "reply_markdown": reply_markdown(text, hits, lambda h: h["permalink"])})


@api.route("/openapi.json")
def api_openapi():
    return jsonify(openapi_spec())
