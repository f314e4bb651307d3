"""The `qa-archive` command: a thin shell over the library. Heavy imports (Whoosh, Flask) happen inside the
commands that need them, so `qa-archive --help` and a terminal search start fast."""
from __future__ import annotations

import json
import os
import re
import sys
import threading
from pathlib import Path

import click

from .terminal import color_wanted, display_width, fill, fill_text, language, paged, paint, plural, screen_width

DEFAULT_INDEX = "index"
SAMPLE_POSTS = Path("data/posts")          # the sample posts of a fresh clone, relative to where you run it


def _absolute(ctx, param, value):
    """Paths in messages are absolute: `no index at /home/me/qa/index` says where it looked. An empty path is
    refused rather than read as the working directory."""
    if value is None:
        return None
    if not str(value).strip():
        raise click.BadParameter(msg("cli.empty_path"))
    return Path(os.path.abspath(os.path.expanduser(str(value))))


def index_option(f):
    return click.option("--index", "index_dir", type=click.Path(file_okay=False), metavar="DIR",
                        envvar="QA_ARCHIVE_INDEX", default=DEFAULT_INDEX, show_default="index/",
                        callback=_absolute, help="Index directory (or set QA_ARCHIVE_INDEX).")(f)


LOCAL_WEB_UI = "http://127.0.0.1:8080"      # `qa-archive serve`'s own address: the default for links in the terminal


def base_url_option(default: str | None):
    def check(ctx, param, value):
        from urllib.parse import urlsplit
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise click.BadParameter(msg("cli.base_url", value=repr(value)))
        return value.strip().rstrip("/")
    return click.option("--base-url", envvar="QA_ARCHIVE_BASE_URL", default=default, callback=check, metavar="URL",
                        show_default=default or "the request's host",
                        help="The public URL of the web UI, for permalinks and feed ids behind a proxy "
                             "(or set QA_ARCHIVE_BASE_URL).")


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")(f)


def msg(code: str, **params) -> str:
    """A catalogue message in the terminal's language (English unless the locale is Chinese)."""
    from .messages import render
    return render(code, params, language())


def pager_option(f):
    return click.option("--no-pager", "no_pager", is_flag=True,
                        help="Never page the output (a terminal gets `less -FRX`, or PAGER, otherwise).")(f)


def screen() -> tuple[bool, int]:
    """(colour, width): colour (unless NO_COLOR) and the terminal's width on a terminal; plain text 100 wide when
    piped. Decided before a pager takes over stdout."""
    return color_wanted(sys.stdout), screen_width(sys.stdout)


def human_time(value: str | None) -> str:
    """An ISO time as people write it, in UTC, in the terminal's language: `30 Nov 2026, 10:40 UTC`."""
    import datetime as dt

    from .messages import render
    if not value:
        return "-"
    try:
        d = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if d.tzinfo is not None:
        d = d.astimezone(dt.timezone.utc)
    lang = language()
    months = render("months", None, lang).split()
    return render("datetime", {"y": d.year, "m": d.month, "d": d.day, "hh": f"{d.hour:02d}", "mm": f"{d.minute:02d}",
                               "month": months[d.month - 1] if len(months) == 12 else str(d.month)}, lang)


def say(line: str = "", err: bool = False):
    """Print a line that is already coloured or not: click must not strip or add anything (we decided)."""
    click.echo(line, err=err, color=True)


def pager(ctx: click.Context, no_pager: bool):
    """The pager for a command's text output: off with --no-pager (here or before the command) or when piped."""
    root = ctx.find_root()
    return paged(enabled=not (no_pager or (root.obj or {}).get("no_pager")))


def emit_json(data):
    click.echo(json.dumps(data, ensure_ascii=False, indent=None if not sys.stdout.isatty() else 2))


class QueryCommand(click.Command):
    """A command whose arguments are query text: `search -Seata 跨机房` means "without Seata", as the query
    language says, not the option `-S`. Only exact option names (`-n 5`, `--limit=5`, `-n5`) are options; any
    other argument starting with a single `-` is query text. Unknown `--long` options are still errors (a typo
    of an option should say so), and everything after `--` is query text, as usual."""

    def parse_args(self, ctx, args):
        takes_value, flags = {}, set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in param.opts + param.secondary_opts:
                    if param.is_flag or param.count:
                        flags.add(name)
                    else:
                        takes_value[name] = param
        options, words = [], []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--":
                words.extend(args[i + 1:])
                break
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name in flags:
                options.append(arg)
            elif name in takes_value:
                options.append(arg)
                if "=" not in arg and i + 1 < len(args):
                    options.append(args[i + 1])
                    i += 1
            elif arg.startswith("--") or arg == "-" or not arg.startswith("-"):
                (options if arg.startswith("--") else words).append(arg)
            elif arg[:2] in takes_value and isinstance(takes_value[arg[:2]].type, click.types.IntParamType) \
                    and arg[2:].isdigit():
                options.append(arg)                      # -n5
            else:
                words.append(arg)                        # -word: excluded from the results
            i += 1
        return super().parse_args(ctx, options + (["--"] + words if words else []))


def library_errors(fn):
    """Library exceptions become a one-line message and exit code 1: a user never sees a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .index import IndexProblem
        from .messages import ArchiveError
        from .search import QueryError
        try:
            return fn(*args, **kwargs)
        except ArchiveError as e:
            raise click.ClickException(e.render(language())) from None
        except (IndexProblem, QueryError) as e:
            raise click.ClickException(e.render(language())) from None
        except BrokenPipeError:
            raise
        except OSError as e:
            where = os.path.abspath(e.filename) if isinstance(e.filename, str) else ""
            raise click.ClickException(f"{where}: {e.strerror or e}".lstrip(": ")) from None
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="qa-archive")
@click.option("--no-pager", is_flag=True, help="Never page the output of any command.")
@click.pass_context
def cli(ctx, no_pager):
    """Search the reader Q&A of community weekly posts.

    On a terminal, long output goes through a pager (QA_ARCHIVE_PAGER, PAGER, else `less -FRX`) and matches are
    coloured; NO_COLOR=1 turns colour off, and piped output is always plain.

    \b
    Examples:
        qa-archive serve                      # a fresh clone: the sample posts, from their own index
        qa-archive ingest ../shared/corpus/sofastack.tech --index ~/qa/index
        qa-archive search "jraft 跨机房" --index ~/qa/index
        qa-archive doctor
    """
    ctx.obj = {"no_pager": no_pager}


# ---------------------------------------------------------------------------------------------- ingest

def _existing_file(ctx, param, value):
    """A file that must exist, named by its absolute path when it does not ("-" is stdin)."""
    if value is None or str(value) == "-":
        return value
    path = Path(os.path.abspath(os.path.expanduser(str(value))))
    if not path.is_file():
        raise click.BadParameter(msg("cli.is_folder" if path.is_dir() else "cli.no_file", path=path))
    return path


def load_sources(paths, url, config):
    from .parse import Source
    sources = [Source(Path(p), url) for p in paths]
    if config:
        import yaml
        try:
            cfg = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise click.BadParameter(msg("cli.config_yaml", config=config, error=e), param_hint="--config") from None
        items = cfg.get("sources") if isinstance(cfg, dict) else None
        if not isinstance(items, list):
            raise click.BadParameter(msg("cli.config_sources", config=config),
                                     param_hint="--config")
        base = Path(config).parent
        for item in items:
            if isinstance(item, str):
                item = {"path": item}
            if not isinstance(item, dict) or not isinstance(item.get("path"), str):
                raise click.BadParameter(msg("cli.config_path", config=config, item=repr(item)),
                                         param_hint="--config")
            try:
                sources.append(Source.from_config(item, base))     # path, url and the community's profile
            except ValueError as e:
                raise click.BadParameter(f"{config}: {e}", param_hint="--config") from None
    for s in sources:
        if not s.root.exists():
            raise click.BadParameter(msg("cli.no_file", path=os.path.abspath(s.root)), param_hint="PATH")
    return sources


@cli.command()
@click.argument("post", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--config", type=click.Path(exists=True, dir_okay=False),
              help="sources.yml whose profile applies (the source whose path holds POST).")
@json_option
def inspect(post, config, as_json):
    """Show how a post is read: the Q&A section found, each item's asker, question and answer (with the lines
    they came from) and why every other part was skipped. The tool for writing a source profile.

    \b
    Example:
        qa-archive inspect ../shared/corpus/bitcoinops/_posts/en/newsletters/2024-03-27-newsletter.md
        qa-archive inspect new-post.md --config sources.yml --json
    """
    from .extract import explain
    from .parse import PostError, read_post
    from .projects import Registry
    source = next((s for s in (load_sources([], None, config) if config else [])
                   if post.resolve().is_relative_to(s.root.resolve())), None)
    root = source.root if source else post.parent
    try:
        result = explain(read_post(post, root, source.url if source else None, source.profile if source else None),
                         Registry.load())
    except PostError as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        emit_json(result)
        return
    from .terminal import clip
    width = screen_width()           # a part is one line, cut by screen columns (a Chinese character takes two)
    click.echo(f"{result['source']}: {result['title']} ({result['date'] or 'no date'}), community "
               f"{result['community']}: {plural(result['threads'], 'thread')}")
    for s in result["sections"]:
        click.echo(f"  line {s['line']}: {'topic' if s.get('topic') else 'Q&A section'} {s['heading']!r}")
    for n, it in enumerate(result["items"], 1):
        state = "kept" if it["kept"] else f"dropped: {it['reason']}"
        click.echo(f"\nitem {n} ({state}), asker {it['asker'] or '-'}, {plural(it['turns'], 'turn')}, projects "
                   f"{', '.join(it['projects']) or '-'}")
        for part in it["parts"]:
            head = f"  line {part['line']:>4} {part['role']:<9} "
            click.echo(head + clip(part["text"], max(20, width - display_width(head))))
    if result["skipped"]:
        click.echo("\nskipped:")
        for sk in result["skipped"]:
            head = f"  line {sk['line']:>4} {sk['reason']}: "
            click.echo(head + clip(sk["text"], max(20, width - display_width(head))))
    for w in result["warnings"]:
        click.echo(f"warning: {w}")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--url", help="URL pattern linking each entry to its post: {dir}, {slug}, {path}.")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), callback=_existing_file,
              help="YAML file naming several sources: sources: [{path: ..., url: ...}].")
@click.option("--rebuild", is_flag=True, help="Start from an empty index instead of updating.")
@click.option("--wait", type=float, default=0, show_default=True,
              help="Seconds to wait when another ingest holds the index.")
@click.option("--vectors", type=click.Choice(["auto", "wait", "background"]), default="auto", show_default=True,
              help="When new text is embedded for similar questions: before publishing (wait), after it by a "
                   "background job (background), or wait unless there are over 6,000 new texts or the archive "
                   "has over 5,000 entries (auto).")
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no progress or summary.")
@json_option
@library_errors
def ingest(paths, index_dir, url, config, rebuild, wait, vectors, quiet, as_json):
    """Read posts (Markdown with YAML front matter) into the index.

    Only posts that changed since the last ingest are read again; entries of deleted posts are removed.
    A bad file is reported by path and skipped: the rest still lands. The new index is published in one
    atomic step, so searches never see a half-built index and an interrupted ingest changes nothing.

    \b
    Examples:
        qa-archive ingest data/posts
        qa-archive ingest ../shared/corpus/sofastack.tech --url 'https://www.sofastack.tech/blog/{dir}/'
        qa-archive ingest --config sources.yml --rebuild
        qa-archive ingest big-archive/ --vectors background   # searchable at once, vectors added after

    The vectors for similar questions cost about 0.07 s of CPU per new text; unchanged text reuses them.
    """
    from .ingest import ingest as run_ingest
    from .projects import Registry
    if not paths and not config:
        raise click.UsageError(msg("cli.no_paths"))
    sources = load_sources(paths, url, config)
    show_progress = not quiet and not as_json and sys.stderr.isatty()
    bars: dict[str, click.progressbar] = {}

    def advance(label, done, total):
        if label not in bars:
            for other in list(bars):
                bars.pop(other).__exit__(None, None, None)
            bars[label] = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            bars[label].__enter__()
        bars[label].update(done - bars[label].pos)

    try:
        report = run_ingest(sources, index_dir, Registry.load(), rebuild=rebuild, wait=wait,
                            progress=(lambda n, total, path: advance(msg("cli.reading"), n, total))
                            if show_progress else None, vectors=vectors,
                            embed_progress=(lambda n, total: advance(msg("cli.embedding"), n, total))
                            if show_progress else None)
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)
    for source, message, fatal in report.problems:
        click.echo(msg("cli.post_error" if fatal else "cli.post_skipped", source=source, message=message), err=True)
    for source, message in report.warnings:
        if not quiet:
            click.echo(msg("cli.post_warning", source=source, message=message), err=True)
    if as_json:
        emit_json(report.as_dict())
    elif not quiet:
        click.echo(msg("cli.ingest_summary", read=report.posts_read, unchanged=report.posts_unchanged,
                       skipped=report.posts_skipped, failed=report.posts_failed, added=report.added,
                       changed=report.changed, removed=report.removed, same=report.unchanged,
                       seconds=report.seconds, path=index_dir / report.generation), err=True)
        if report.vectors and report.vectors.get("background"):
            click.echo(msg("cli.vectors_background", n=report.vectors["background"], pid=report.vectors["pid"],
                           log=index_dir / report.generation / "vectors.log"), err=True)
    if report.posts_failed:
        sys.exit(1)


@cli.command()
@index_option
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="File to write.")
@library_errors
def export(index_dir, output):
    """Write every entry as JSON Lines, one entry a line.

    \b
    Example:
        qa-archive export > archive.jsonl
    """
    from .index import all_threads
    for t in all_threads(index_dir):
        output.write(json.dumps(t.to_dict(), ensure_ascii=False) + "\n")


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True), callback=_existing_file)
@index_option
@click.option("--wait", type=float, default=0, help="Seconds to wait when another ingest holds the index.")
@library_errors
def import_(file, index_dir, wait):
    """Replace the index with entries from a JSON Lines file written by `export`.

    \b
    Example:
        qa-archive import archive.jsonl --index /srv/qa/index
    """
    from .ingest import import_threads  # links translations as an ingest does
    from .models import Thread

    name = "<stdin>" if str(file) == "-" else str(file)

    def threads():
        with click.open_file(str(file), encoding="utf-8") as lines:
            yield from parse(lines)

    def parse(lines):
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise TypeError("a line must be a JSON object")
                yield Thread.from_dict(row)
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                raise click.ClickException(msg("cli.not_exported", where=f"{name}:{n}", error=e)) from None

    report = import_threads(threads(), index_dir, wait=wait)
    click.echo(f"{plural(report.added, 'entry')} imported into {index_dir}", err=True)
    if report.vectors and report.vectors.get("background"):
        click.echo(msg("cli.vectors_background", n=report.vectors["background"], pid=report.vectors["pid"],
                       log=index_dir / report.generation / "vectors.log"), err=True)


# ---------------------------------------------------------------------------------------------- reading

def open_archive(index_dir):
    from .archive import Archive
    return Archive(index_dir)


def marked(snippet: str) -> list[tuple[str, str | None]]:
    """A highlighted HTML snippet as styled pieces: the text in <mark> gets the `mark` style (bold yellow)."""
    import html as _html
    import re
    parts = re.split(r"<mark>(.*?)</mark>", snippet or "", flags=re.S)
    return [(_html.unescape(re.sub(r"</?mark>", "", part)), "mark" if i % 2 else None)
            for i, part in enumerate(parts) if part]


def meta_line(entry: dict) -> str:
    return " · ".join(x for x in [entry.get("asker") and "@" + entry["asker"], (entry.get("date") or "")[:10],
                                  ", ".join(entry.get("projects") or [])] if x)


def print_hit(hit: dict, n: int, color: bool, width: int):
    """One result, wrapped to the terminal's columns first and coloured after."""
    width = max(width, 20)
    for line in fill([(f"{n}. ", "bold"), (hit["id"], "id"), ("  " + meta_line(hit), None)], width, color,
                     subsequent_indent="   "):
        say(line)
    for label, key in (("Q", "question"), ("A", "answer")):
        for line in fill(marked(hit["highlights"][key]), width, color, indent=f"   {label}: ",
                         subsequent_indent="      "):
            say(line)
    say_location("   ", hit.get("url") or hit.get("source"), color, width, style="dim")


def say_location(label: str, where: str, color: bool, width: int, style: str | None = None):
    """A URL or a path is never broken (a terminal opens it, a shell copies it): after its label when it fits,
    else on a line of its own, which only an address wider than the whole screen overflows."""
    if display_width(label + where) <= width or not label.strip():
        say(label + paint(where, style, color))
    else:
        say(label.rstrip())
        say(paint(where, style, color))


def _date_option(ctx, param, value):
    """--after/--before: a date, or a message naming the value and the forms that work."""
    import datetime as dt
    if value is None:
        return None
    for pad_ in ("", "-01", "-01-01"):
        try:
            day = dt.datetime.strptime(value + pad_, "%Y-%m-%d").date()
        except ValueError:
            continue
        if 1900 <= day.year <= 2999:
            return value
    raise click.BadParameter(msg("cli.not_a_date", value=repr(value)))


SHORT_OPTIONS = {"project": "-p"}


def filter_option(f) -> click.Option:
    """The option for one key of the query language's filter table (`query.FILTERS`): `--project`, `--community`,
    `--after`, … with the table's help; dates are checked here, so a bad one is a usage error naming it."""
    help_text = f.help["en"][:1].upper() + f.help["en"][1:] + "."
    decls = [f"--{f.name}"] + ([SHORT_OPTIONS[f.name]] if f.name in SHORT_OPTIONS else [])
    kinds = {"date": {"callback": _date_option, "metavar": "DATE"},
             "year": {"type": click.IntRange(1900, 2099), "metavar": "YYYY"},
             "fields": {"type": click.Choice(["question", "answer", "title"])}}
    extra = kinds.get(f.type, {"metavar": "NAME" if f.type in ("project", "community", "text") else "VALUE"})
    return click.Option(decls, help=help_text, **extra)


class FilterCommand(QueryCommand):
    """A query command whose filter options are the filter table's keys, one `--key` each, after the query and
    --index. They are made when the command parses or shows its help, so `qa-archive --help` and other commands
    never import the search stack, and a key added to the table is an option here with no change to this file."""

    def get_params(self, ctx):
        from .query import FILTERS
        params = super().get_params(ctx)
        return params[:2] + [filter_option(f) for f in FILTERS] + params[2:]


@cli.command(cls=FilterCommand)
@click.argument("query", nargs=-1, required=True)
@index_option
@click.option("--limit", "-n", type=click.IntRange(1, 50), metavar="N", default=10, show_default=True, help="Hits per page (1 to 50).")
@click.option("--page", type=click.IntRange(1, 100), metavar="N", default=1, show_default=True, help="Page of results.")
@click.option("--sort", type=click.Choice(["relevance", "date", "oldest"]), default="relevance", show_default=True)
@json_option
@base_url_option(LOCAL_WEB_UI)
@pager_option
@click.pass_context
@library_errors
def search(ctx, query, index_dir, limit, page, sort, as_json, base_url, no_pager, **filters):
    """Search the archive. The query language: plain words rank the best threads first; "exact phrase",
    -word, project:NAME, community:NAME, asker:NAME, after:DATE, before:DATE, year:YYYY, in:question narrow it;
    each filter is also an option (--project, --community, …).

    A -word leaves out entries holding the word; it needs no `--` (`search -Seata 事务`). Only the options
    listed here are options.

    \b
    Examples:
        qa-archive search jraft 跨机房
        qa-archive search 'Seata 行锁' --project seata --sort date
        qa-archive search taproot --community optech
        qa-archive search 事务 -Seata
        qa-archive search '"全局锁" -TCC year:2020' --json
    """
    archive = open_archive(index_dir)
    known_project(archive, filters.get("project"))
    # A question pasted whole (a greeting, a version, a quoted error) rarely has every word in one entry: the
    # threads that answer something like it too, by the library's one rule (`Archive.search_or_ask`).
    found = archive.search_or_ask(" ".join(query), sort=sort, page=page, limit=limit, **filters)
    res, alike = found["results"], found["asked"]
    if as_json:
        if found["error"] is not None:
            raise found["error"]
        for h in res["hits"] + alike:
            h["permalink"] = f"{base_url}/q/{h['id']}"
        # the same keys as the web's /search.json: the look-alikes under "ask"
        emit_json(dict(res, ask={"hits": alike, "confident": any(h.get("confident") for h in alike),
                                 "question_like": found["question_like"]}))
        return
    if found["error"] is not None:
        if not alike:
            raise found["error"]
        say(paint(msg("cli.note", note=found["error"].render(language())), "note", color_wanted(sys.stderr)), err=True)
        res = {"total": 0, "page": 1, "pages": 1, "limit": limit, "hits": [], "notes": [], "suggestion": None,
               "facets": {"projects": []}}
    for note in res["notes"]:
        say(paint(msg("cli.note", note=note.render(language())), "note", color_wanted(sys.stderr)), err=True)
    color, width = screen()
    with pager(ctx, no_pager):
        start = (res["page"] - 1) * res["limit"]

        def print_alike():
            say(msg("cli.alike_heading" if not res["total"] else "cli.alike_too_heading"))
            for i, h in enumerate(alike, 1):
                print_hit(h, i, color, width)
                if h.get("confident"):
                    say("   " + paint(msg("cli.confident"), "ok", color))

        sure = bool(res["total"]) and any(h.get("confident") for h in alike)
        if sure:                    # the answer first, as the web page puts it, not after a page of keyword hits
            print_alike()
        say(msg("cli.entries", n=res["total"]) + (msg("cli.page_of", page=res["page"], pages=res["pages"])
                                                  if res["pages"] > 1 else ""))
        for i, hit in enumerate(res["hits"], start + 1):
            print_hit(hit, i, color, width)
        if alike and not sure:
            print_alike()
        if res["suggestion"]:
            say(msg("cli.did_you_mean", suggestion=res["suggestion"]))
        if res["facets"]["projects"]:
            for line in fill(msg("cli.projects_facet") + ", ".join(f"{f['name']} ({f['count']})"
                                                      for f in res["facets"]["projects"][:8]),
                             width, color, subsequent_indent="  "):
                say(line)
        if len(res["facets"].get("communities") or []) > 1:
            say(msg("cli.communities_facet") + ", ".join(f"{f['name']} ({f['count']})" for f in res["facets"]["communities"]))


def known_project(archive, project: str | None) -> None:
    """A --project the registry does not know is a usage error naming the closest ones (search and similar alike;
    the library's own check, `Archive.check_project`, gives the pages and the API a note instead)."""
    if project is None or not archive.check_project(project)[1]:
        return
    import difflib
    names = {p.name.lower(): p.name for p in archive.registry.projects}
    close = [names[n] for n in difflib.get_close_matches(project.lower(), list(names), n=3, cutoff=0.5)]
    raise click.BadParameter(msg("cli.no_project_close", value=repr(project), names=", ".join(close)) if close
                             else msg("cli.no_project", value=repr(project)), param_hint="'--project'")


def find_entry(archive, entry_id: str) -> dict:
    """The entry with this id, or the one whose id starts with it; a message listing candidates otherwise."""
    from .terminal import clip
    entry_id = entry_id.strip()
    entry = archive.get(entry_id)
    if entry is not None:
        return entry
    if len(entry_id) < 4:
        raise click.ClickException(msg("cli.id_too_short", id=repr(entry_id)))
    prefix = entry_id.lower()
    gen = archive.current()
    matches = sorted((gen.entry(i) for i in gen.by_id if i.lower().startswith(prefix)),
                     key=lambda d: (d.get("date") or "", d["id"]), reverse=True)
    if len(matches) == 1:
        return archive.get(matches[0]["id"])
    if not matches:
        raise click.ClickException(msg("cli.no_entry", id=repr(entry_id)))
    shown = "\n".join(f"  {d['id']}  {(d.get('date') or '')[:10]}  {clip(d.get('title') or '', 60)}"
                      for d in matches[:10])
    more = f"\n  … and {len(matches) - 10} more" if len(matches) > 10 else ""
    raise click.ClickException(msg("cli.id_ambiguous", id=repr(entry_id), count=f"{len(matches):,}",
                                   matches=f"\n{shown}{more}"))


@cli.command()
@click.argument("entry_id")
@index_option
@json_option
@pager_option
@click.pass_context
@library_errors
def show(ctx, entry_id, index_dir, as_json, no_pager):
    """Show one entry: the whole thread, its projects, links and source post. ENTRY_ID may be the start of an
    id when no other entry's id starts the same way (at least 4 characters).

    \b
    Examples:
        qa-archive show 7a8dba8bee7a
        qa-archive show 7a8d
    """
    entry = find_entry(open_archive(index_dir), entry_id)
    if as_json:
        entry.pop("turns_md", None)
        emit_json(entry)
        return
    color, width = screen()
    width = max(width, 20)
    with pager(ctx, no_pager):
        for line in fill([(entry["title"], "bold")], width, color):
            say(line)
        for line in fill([(entry["id"], "id"), ("  " + meta_line(entry), None)], width, color):
            say(line)
        for t in entry["turns"]:
            say()
            for label, text in (("Q: ", t["q"]), ("A: ", t["a"] or "(no answer)")):
                # line by line, not one `fill`: code keeps its indentation and long lines, list items their lines
                for line in fill_text(text, width, color, label=[(label, "bold")], indent="   "):
                    say(line)
        for i, link in enumerate(entry.get("links") or []):
            if i == 0:
                say()
            say_location("link: ", link, color, width)
        say()
        say_location("source: ", entry.get("url") or entry["source"], color, width)


@cli.command()
@index_option
@click.option("--community", metavar="NAME", help="Only the projects (or topics) of this community's entries.")
@json_option
@pager_option
@click.pass_context
@library_errors
def projects(ctx, index_dir, community, as_json, no_pager):
    """List projects with their number of entries.

    \b
    Examples:
        qa-archive projects
        qa-archive projects --community optech --json
    """
    from .terminal import pad
    archive = open_archive(index_dir)
    rows = archive.projects(community=known_community(archive, community)) if community else archive.projects()
    if as_json:
        emit_json(rows)
        return
    with pager(ctx, no_pager):
        for p in rows:
            say(f"{p['count']:6d}  {pad(p['name'], 16)} {p['repo'] or ''}".rstrip())


@cli.command()
@index_option
@click.option("--community", metavar="NAME", help="Only this community's entries (`stats` lists the communities).")
@json_option
@pager_option
@click.pass_context
@library_errors
def stats(ctx, index_dir, community, as_json, no_pager):
    """Entries per project, year and community, index size, last ingest. `qa-archive doctor` says which sources
    they came from.

    \b
    Examples:
        qa-archive stats
        qa-archive stats --community optech
    """
    from .terminal import pad
    archive = open_archive(index_dir)
    s = archive.stats(community=known_community(archive, community) if community else None)
    if as_json:
        emit_json(s)
        return
    with pager(ctx, no_pager):
        say(msg("cli.stats_summary", entries=msg("cli.entries", n=s["entries"]), posts=msg("cli.posts", n=s["posts"]),
                size=f"{s['index_bytes'] / 1e6:.1f}", path=index_dir / s["generation"],
                when=human_time(s["last_ingest"])))
        say("\n" + msg("cli.per_year"))
        for y in s["years"]:
            say(f"  {y['name']}  {y['count']:5d}  " + "█" * max(1, y["count"] * 40 // max(1, s["entries"])))
        say("\n" + msg("cli.per_project"))
        for p in s["projects"]:
            say(f"  {pad(p['name'], 16)} {p['count']:5d}")
        if len(s.get("communities") or []) > 1:
            say("\n" + msg("cli.per_community"))
            for c in s["communities"]:
                say(f"  {pad(c['name'], 16)} {c['count']:5d}  {c['title']}" + (f" ({c['language']})"
                                                                            if c.get("language") else ""))


def known_community(archive, name: str) -> str:
    """A community's key, or a usage error listing the ones the archive holds."""
    info = archive.community(name)
    if info is None:
        held = ", ".join(c["name"] for c in archive.communities()) or "none"
        raise click.BadParameter(msg("cli.no_community", name=repr(name), held=held),
                                 param_hint="'--community'")
    return info["name"]


# ---------------------------------------------------------------------------------------------- doctor

def diagnose(index_dir: Path, origin: str) -> dict:
    """What an index holds and where it came from: its generation, schema, the registry recorded with it and the
    one the next ingest reads, and per source (ingest root) how many posts and entries; `problems` say what stops
    it from being served, `warnings` what looks off."""
    from .generation import Generation
    from .index import SCHEMA_VERSION
    from .ingest import registry_fingerprint
    from .messages import ArchiveError
    from .projects import Registry, default_path
    next_path = Path(os.path.abspath(default_path()))
    out = {"index": str(index_dir), "index_from": origin, "generation": None, "schema": None,
           "schema_supported": SCHEMA_VERSION, "created": None, "version": None, "entries": 0, "posts": 0,
           "registry": {"recorded": None, "projects": None, "next_ingest": str(next_path), "next_projects": None,
                        "next_ingest_rereads": None},
           "sources": [], "problems": [], "warnings": []}
    next_registry = None
    try:
        next_registry = Registry.load(next_path)
        out["registry"]["next_projects"] = len(next_registry.projects)
    except Exception as e:  # a registry that does not load is exactly what doctor is for
        out["problems"].append(f"the project registry {next_path} does not load: {e}")
    try:
        gen = Generation.load(index_dir)
    except ArchiveError as e:
        out["problems"].append(e.render("en"))
        return out
    manifest = gen.manifest
    out.update(generation=gen.name, schema=manifest.get("schema"), created=manifest.get("created"),
               version=manifest.get("version"), entries=gen.count)
    recorded = manifest.get("registry")
    out["registry"].update(recorded=str(gen.path / recorded) if recorded else None,
                           projects=len(gen.registry.projects))
    if next_registry is not None:
        out["registry"]["next_ingest_rereads"] = registry_fingerprint(next_registry) != manifest.get("fingerprint")
    roots: dict[str, dict] = {}
    for info in (manifest.get("posts") or {}).values():
        root = info.get("root") or "?"
        row = roots.setdefault(root, {"path": root, "posts": 0, "entries": 0, "url_patterns": set(),
                                      "communities": set()})
        row["posts"] += 1
        row["entries"] += len(info.get("ids") or [])
        if info.get("url_pattern"):
            row["url_patterns"].add(info["url_pattern"])
        for entry_id in info.get("ids") or []:
            entry = gen.entry(entry_id)
            if entry and entry.get("community"):
                row["communities"].add(entry["community"])
    sample = os.path.abspath(SAMPLE_POSTS)
    for row in sorted(roots.values(), key=lambda r: -r["entries"]):
        row["url_patterns"] = sorted(row["url_patterns"])
        row["communities"] = sorted(row["communities"])
        row["exists"] = os.path.isdir(row["path"])
        row["sample"] = row["path"] == sample or row["path"].endswith(os.sep + os.path.join("data", "posts"))
        if not row["exists"]:
            out["warnings"].append(f"the source {row['path']} no longer exists; its entries stay until "
                                   f"`qa-archive ingest PATH --index {index_dir} --rebuild`")
        out["sources"].append(row)
    out["posts"] = sum(r["posts"] for r in out["sources"])
    from .embed import JOB_LOG, job, stored
    out["vectors"] = stored(gen.path)
    out["vectors_job"] = job(gen.path)
    if out["vectors_job"] and not out["vectors_job"]["alive"]:
        out["warnings"].append(f"the background job (pid {out['vectors_job'].get('pid')}) that was making this "
                               f"generation's vectors ended without them (see {gen.path / JOB_LOG}): similar "
                               f"questions are matched by words until `qa-archive ingest SOURCE... --index "
                               f"{index_dir}` makes them (it reuses what the job had made)")
    elif out["vectors"] is None and gen.count and not out["vectors_job"]:
        out["warnings"].append("no embedding vectors are stored with this generation (it was ingested with "
                               "QA_ARCHIVE_EMBEDDER=none or without the model): similar questions are matched by "
                               "words only, or `serve` embeds every entry when it starts; ingest again with the "
                               f"model on to store them (`qa-archive ingest SOURCE... --rebuild --index {index_dir}`)")
    if len(out["sources"]) > 1 and any(r["sample"] for r in out["sources"]):
        out["warnings"].append("the sample posts are mixed with other sources: rebuild without them "
                               f"(`qa-archive ingest SOURCE... --rebuild --index {index_dir}`)")
    return out


def vectors_job(archive) -> dict | None:
    """The background job making the published generation's vectors, if one is at work."""
    from .embed import pending
    try:
        return pending(archive.current().path)
    except Exception:             # no index: said elsewhere
        return None


@cli.command()
@index_option
@json_option
@click.pass_context
def doctor(ctx, index_dir, as_json):
    """Say which index this is and what it holds: its generation and schema, the project registry, and for each
    source folder how many posts and entries it gave. Exits 1 when the index cannot be served.

    \b
    Examples:
        qa-archive doctor
        qa-archive doctor --index /srv/qa/index --json
    """
    from click.core import ParameterSource
    source = ctx.get_parameter_source("index_dir")
    origin = {ParameterSource.COMMANDLINE: "--index", ParameterSource.ENVIRONMENT: "QA_ARCHIVE_INDEX"}.get(
        source, "the default")
    d = diagnose(index_dir, origin)
    if as_json:
        emit_json(d)
        sys.exit(1 if d["problems"] else 0)
    from .terminal import pad
    color, width = screen()

    def say(line: str, style: str | None = None, indent: str = " " * 12):
        """A line as it is when it fits the screen; a longer one (long paths and advice) wrapped, continued under
        the values' column."""
        if display_width(line) <= width:
            click.echo(paint(line, style, color), color=True)
            return
        lead = re.match(r"\s*(?:[a-z]+\s{2,})?", line).group()       # the label column, kept as it is
        for part in fill([(line[len(lead):], style)], width, color, indent=lead, subsequent_indent=indent):
            click.echo(part, color=True)
    say(f"index       {d['index']} (from {origin})")
    if d["generation"]:
        say(f"generation  {d['generation']}, written {human_time(d['created'])} by qa-archive {d['version']}")
        say(f"schema      {d['schema']} (this qa-archive reads {d['schema_supported']})")
    reg = d["registry"]
    if reg["projects"] is not None:
        say(f"registry    {plural(reg['projects'], 'project')}, recorded with the index"
            + (f" ({reg['recorded']})" if reg["recorded"] else " (an older index: the default registry)"))
    nxt = f"{reg['next_ingest']}" + (f" ({plural(reg['next_projects'], 'project')})"
                                      if reg["next_projects"] is not None else "")
    if reg["next_ingest_rereads"] is None:
        say(f"            the next ingest reads {nxt}")
    else:
        say(f"            the next ingest reads {nxt}: "
            + ("it differs (or qa-archive does), so every post is read again" if reg["next_ingest_rereads"]
               else "the same, so only changed posts are read"))
    if d["generation"]:
        v, job = d.get("vectors"), d.get("vectors_job")
        if job and job["alive"] and not v:
            say(f"vectors     being computed in the background since {job.get('started')} (pid {job['pid']}, "
                f"{job.get('texts', 0):,} texts): similar questions matched by words until then")
        else:
            say(f"vectors     {v['model']}, {plural(v['entries'], 'entry')}: similar questions matched by meaning"
                if v else "vectors     none: similar questions matched by words only")
        say(f"holds       {plural(d['entries'], 'entry')} from {plural(d['posts'], 'post')} in "
            f"{plural(len(d['sources']), 'source')}")
        col = max((len(r["path"]) for r in d["sources"]), default=0)
        for r in d["sources"]:
            notes = ([f"community {', '.join(r['communities'])}"] if r["communities"] else []) \
                + [", ".join(r["url_patterns"]) if r["url_patterns"] else "no source URL"]
            if r["sample"]:
                notes.append("the sample posts")
            if not r["exists"]:
                notes.append("missing")
            row = (f"  {pad(r['path'], col)}  {r['posts']:5d} {'post ' if r['posts'] == 1 else 'posts'} "
                   f"{r['entries']:6d} {'entry  ' if r['entries'] == 1 else 'entries'}")
            notes = f"({'; '.join(notes)})"
            if display_width(row) + 2 + display_width(notes) <= width:
                click.echo(f"{row}  {notes}")
            else:                       # the table's columns stay; the notes go under the row, wrapped
                click.echo(row)
                say(" " * 4 + notes, indent=" " * 5)
    for w in d["warnings"]:
        say(f"warning: {w}", "note", "  ")
    for p in d["problems"]:
        say(f"problem: {p}", "error", "  ")
    if d["problems"]:
        sys.exit(1)
    say("ok", "ok")


# ---------------------------------------------------------------------------------------------- serving

def sample_index_dir() -> Path:
    """Where the sample posts get their own index: the user's cache (XDG_CACHE_HOME or ~/.cache), one index per
    sample folder, never the archive's `index/`."""
    import hashlib
    import tempfile
    key = hashlib.sha1(os.path.abspath(SAMPLE_POSTS).encode("utf-8")).hexdigest()[:10]
    candidates = [Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"),
                  Path(tempfile.gettempdir()) / f"qa-archive-{os.getuid() if hasattr(os, 'getuid') else 'user'}"]
    for base in candidates:
        path = base / "qa-archive" / f"sample-{key}" if base is candidates[0] else base / f"sample-{key}"
        try:
            path.mkdir(parents=True, exist_ok=True)
            return path
        except OSError:
            continue
    raise click.ClickException(msg("cli.no_cache", path=candidates[0]))


def listen(host: str, port: int):
    """A listening socket on host:port, or one line saying why not and exit code 2, before any server starts."""
    import socket
    where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    except (socket.gaierror, UnicodeError) as e:
        fail(f"cannot listen on {host!r}: not an address of this machine ({e})")
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)       # as gunicorn does: TIME_WAIT is no conflict
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as e:
        sock.close()
        import errno
        if e.errno == errno.EADDRINUSE:
            fail(msg("cli.port_in_use", port=port, host=host))
        if e.errno == errno.EACCES:
            fail(msg("cli.port_denied", where=where))
        fail(msg("cli.cannot_listen", where=where, error=e.strerror or e))
    return sock


def fail(message: str, code: int = 2):
    say(f"Error: {message}", err=True)
    sys.exit(code)


def run_server(app, sock, host: str, port: int, workers: int, threads: int, dev: bool):
    """Serve `app` on the already bound `sock` (gunicorn takes it over by file descriptor)."""
    if dev:
        sock.close()
        app.run(host=host, port=port, debug=True)
        return
    from gunicorn.app.base import BaseApplication
    fd = sock.detach()

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": [f"fd://{fd}"], "workers": workers, "threads": threads,
                               "worker_class": counting_worker(app.extensions["archive"]), "accesslog": None,
                               "errorlog": "-", "loglevel": "warning",
                               "timeout": 60, "graceful_timeout": 5, "keepalive": 5,
                               # a query of MAX_QUERY_CHARS Chinese characters is 4.5 KB escaped in a GET URL
                               "limit_request_line": 8190}.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Server().run()


def counting_worker(archive):
    """gunicorn's threaded worker, telling `archive` how many requests it holds (being answered or waiting for a
    thread): search takes its meaning step only when that is its own request alone (`Archive.busy`)."""
    from concurrent.futures import ThreadPoolExecutor

    from gunicorn.workers.gthread import ThreadWorker

    class CountingPool(ThreadPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.held = 0
            self.held_lock = threading.Lock()

        def submit(self, fn, /, *args, **kwargs):
            with self.held_lock:
                self.held += 1
            try:
                future = super().submit(fn, *args, **kwargs)
            except BaseException:
                self.release()
                raise
            future.add_done_callback(self.release)
            return future

        def release(self, _future=None):
            with self.held_lock:
                self.held -= 1

    class CountingWorker(ThreadWorker):
        def get_thread_pool(self):
            pool = CountingPool(max_workers=self.cfg.threads)
            archive.load = lambda: pool.held
            return pool
    return CountingWorker


@cli.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), metavar="PORT", default=8080, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes (they share the index read-only).")
@click.option("--threads", type=click.IntRange(1, 256), default=2, show_default=True,
              help="Threads per worker (2 measured best on 2 cores: scripts/loadcheck.py).")
@base_url_option(None)
@click.option("--dev", is_flag=True, help="Flask's development server with reloading, for working on templates.")
@click.pass_context
@library_errors
def serve(ctx, index_dir, host, port, workers, threads, base_url, dev):
    """Serve the web UI and the JSON API on a production WSGI server (gunicorn).

    A fresh clone's first run (no --index, QA_ARCHIVE_INDEX or QA_ARCHIVE_CONFIG, nothing in index/) serves the
    sample posts in
    data/posts from their own index in your cache folder, never from index/, so they cannot mix with your
    archive. A port in use is one line and exit code 2. Workers pick up a newly published index without a
    restart. Behind a proxy, --base-url fixes the absolute URLs of permalinks and feeds.

    The embedding model is loaded before the workers start: similar questions use it, and a search whose best
    threads are close by their words is re-ordered by meaning while the worker has no other request waiting
    (QA_ARCHIVE_EMBEDDER=none serves by words alone; QA_ARCHIVE_SEARCH_MEANING=off, or `search: {meaning: false}`
    in the config, keeps search to words and similar questions by meaning).

    \b
    Examples:
        qa-archive serve
        qa-archive serve --index /srv/qa/index --host 0.0.0.0 --port 8000 --workers 4 \\
            --base-url https://qa.example.org
    """
    from click.core import ParameterSource

    from .index import current_dir
    configured = ctx.get_parameter_source("index_dir") in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT) \
        or bool(os.environ.get("QA_ARCHIVE_CONFIG"))          # a configured site never falls back to the samples
    sock = listen(host, port)
    port = sock.getsockname()[1]
    try:
        if not configured and current_dir(index_dir) is None and not (index_dir / "current").is_symlink() \
                and SAMPLE_POSTS.is_dir():
            from .ingest import ingest as run_ingest
            from .parse import Source
            from .projects import Registry
            sample_dir = sample_index_dir()
            click.echo(f"No index at {index_dir}: serving the sample posts in {os.path.abspath(SAMPLE_POSTS)} "
                       f"from their own index, {sample_dir}.\nTo serve your archive: qa-archive ingest PATH "
                       "--index DIR, then qa-archive serve --index DIR (or set QA_ARCHIVE_INDEX).", err=True)
            from .profiles import Profile
            # the community named for people, not after the samples' folder (`posts`)
            samples = Profile(community="samples", name="SOFA Weekly 示例 · samples", language="zh")
            run_ingest([Source(SAMPLE_POSTS.absolute(), profile=samples)], sample_dir, Registry.load(), wait=30)
            index_dir = sample_dir
        open_archive(index_dir).count()               # a missing or damaged index: one message, no server
        # Each worker embeds on one core (read when the model loads, below): a second OpenMP thread made a search's
        # short query slower (21 -> 30 ms) and a pasted question no faster, and took the core the other worker
        # needed (scripts/benchmark.py: 16 clients 455 -> 506 requests/s, /api/similar p95 the same).
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        from .similar import warm
        from .web import create_app
        try:
            app = create_app(index_dir, test_config={"BASE_URL": base_url} if base_url else None)
        except ValueError as e:                       # an unreadable config file, a setting out of range
            raise click.ClickException(str(e)) from None
        # jieba, the embedding model and the vectors, before the workers fork
        warm(app.extensions["archive"], lambda n: click.echo(msg("cli.vectors_at_start", n=n), err=True))
        job = vectors_job(app.extensions["archive"])
        if job:
            click.echo(msg("cli.vectors_pending", n=job.get("texts", 0), pid=job["pid"]), err=True)
    except BaseException:
        sock.close()
        raise
    click.echo(f"Serving {index_dir} on http://{host}:{port}/"
               f"{f' as {base_url}/' if base_url else ''} ({'development server' if dev else f'{workers} workers'})",
               err=True)
    run_server(app, sock, host, port, workers, threads, dev)


@cli.command(cls=QueryCommand)
@click.argument("text")
@index_option
@click.option("--limit", "-n", type=click.IntRange(1, 20), default=5, show_default=True,
              help="How many prior threads (1 to 20).")
@click.option("--project", "-p", help="Prefer this project's threads.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown: a ready-to-post reply listing the confident matches (nothing when there is none).")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@base_url_option(LOCAL_WEB_UI)
@pager_option
@click.pass_context
@library_errors
def similar(ctx, text, index_dir, limit, project, fmt, as_json, base_url, no_pager):
    """Find prior threads that answer a new question (TEXT, or - to read it from stdin).

    Each match says whether it is `confident`: only confident matches are worth posting as "answered before".

    \b
    Examples:
        qa-archive similar "SOFAJRaft 的选举超时默认是多少，GC 停顿会不会导致频繁切主？"
        cat question.txt | qa-archive similar - --format markdown
    """
    from .similar import reply_markdown
    if text == "-":
        text = sys.stdin.read()
    archive = open_archive(index_dir)
    known_project(archive, project)
    # what the question needs anyway, loaded first: an index without vectors says why it waits
    from .similar import warm
    warm(archive, lambda n: say(paint(msg("cli.note", note=msg("cli.vectors_at_start", n=n)), "note",
                                      color_wanted(sys.stderr)), err=True))
    res = archive.similar(text, limit=limit, project=project)

    def permalink(h):
        return f"{base_url}/q/{h['id']}"

    for h in res["hits"]:
        h["permalink"] = permalink(h)
    if as_json or fmt == "json":
        emit_json(res)
    elif fmt == "markdown":
        reply = reply_markdown(text, res["hits"], permalink)
        if reply and base_url == LOCAL_WEB_UI:      # a bot would post links nobody else can open
            say(paint(msg("cli.note", note=msg("cli.local_links", url=LOCAL_WEB_UI)), "note",
                      color_wanted(sys.stderr)), err=True)
        click.echo(reply, nl=False)
    else:
        color, width = screen()
        with pager(ctx, no_pager):
            for i, h in enumerate(res["hits"], 1):
                print_hit(h, i, color, width)
                say(f"   score {h['score']:.3f}" + ("  " + paint("confident", "ok", color) if h["confident"] else ""))
            if not res["hits"]:
                say(msg("cli.no_similar"))
        job = None if res.get("semantic", True) else vectors_job(archive)
        if job:
            click.echo(msg("cli.vectors_pending", n=job.get("texts", 0), pid=job["pid"]), err=True)


def main():
    """The console script: a closed pipe (`qa-archive export | head`) ends quietly, not with a traceback."""
    try:
        cli(standalone_mode=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()
