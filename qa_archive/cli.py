"""The `qa-archive` command: a thin shell over the library. Heavy imports (Whoosh, Flask) happen inside the
commands that need them, so `qa-archive --help` and a terminal search start fast."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

DEFAULT_INDEX = "index"


def index_option(f):
    return click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=lambda: os.environ.get("QA_ARCHIVE_INDEX", DEFAULT_INDEX), show_default="index/",
                        help="Index directory (or set QA_ARCHIVE_INDEX).")(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")(f)


def terminal() -> tuple[bool, int]:
    """(colour, width): colour and the terminal's width on a terminal; plain text 100 wide when piped."""
    import shutil
    if sys.stdout.isatty():
        return True, shutil.get_terminal_size().columns
    return False, 100


def emit_json(data):
    click.echo(json.dumps(data, ensure_ascii=False, indent=None if not sys.stdout.isatty() else 2))


def library_errors(fn):
    """Library exceptions become a one-line message and exit code 1: a user never sees a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .index import IndexError_
        from .search import QueryError
        try:
            return fn(*args, **kwargs)
        except (IndexError_, QueryError) as e:
            raise click.ClickException(str(e)) from None
        except BrokenPipeError:
            raise
        except OSError as e:
            raise click.ClickException(f"{e.filename or ''}: {e.strerror or e}".lstrip(": ")) from None
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="qa-archive")
def cli():
    """Search the reader Q&A of community weekly posts.

    \b
    Example:
        qa-archive ingest data/posts
        qa-archive search "jraft 跨机房"
        qa-archive serve
    """


# ---------------------------------------------------------------------------------------------- ingest

def load_sources(paths, url, config):
    from .parse import Source
    sources = [Source(Path(p), url) for p in paths]
    if config:
        import yaml
        try:
            cfg = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise click.BadParameter(f"{config} is not valid YAML: {e}", param_hint="--config") from None
        items = cfg.get("sources") if isinstance(cfg, dict) else None
        if not isinstance(items, list):
            raise click.BadParameter(f"{config} needs a list `sources:` of {{path: ..., url: ...}}",
                                     param_hint="--config")
        base = Path(config).parent
        for item in items:
            if isinstance(item, str):
                item = {"path": item}
            if not isinstance(item, dict) or not isinstance(item.get("path"), str):
                raise click.BadParameter(f"{config}: every source needs a `path` (got {item!r})",
                                         param_hint="--config")
            try:
                sources.append(Source.from_config(item, base))     # path, url and the community's profile
            except ValueError as e:
                raise click.BadParameter(f"{config}: {e}", param_hint="--config") from None
    for s in sources:
        if not s.root.exists():
            raise click.BadParameter(f"{s.root} does not exist", param_hint="PATH")
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
    click.echo(f"{result['source']}: {result['title']} ({result['date'] or 'no date'}), community "
               f"{result['community']}: {result['threads']} thread(s)")
    for s in result["sections"]:
        click.echo(f"  line {s['line']}: {'topic' if s.get('topic') else 'Q&A section'} {s['heading']!r}")
    for n, it in enumerate(result["items"], 1):
        state = "kept" if it["kept"] else f"dropped: {it['reason']}"
        click.echo(f"\nitem {n} ({state}), asker {it['asker'] or '-'}, {it['turns']} turn(s), projects "
                   f"{', '.join(it['projects']) or '-'}")
        for part in it["parts"]:
            click.echo(f"  line {part['line']:>4} {part['role']:<9} {part['text'][:90]}")
    if result["skipped"]:
        click.echo("\nskipped:")
        for sk in result["skipped"]:
            click.echo(f"  line {sk['line']:>4} {sk['reason']}: {sk['text'][:70]}")
    for w in result["warnings"]:
        click.echo(f"warning: {w}")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--url", help="URL pattern linking each entry to its post: {dir}, {slug}, {path}.")
@click.option("--config", type=click.Path(exists=True, dir_okay=False),
              help="YAML file naming several sources: sources: [{path: ..., url: ...}].")
@click.option("--rebuild", is_flag=True, help="Start from an empty index instead of updating.")
@click.option("--wait", type=float, default=0, show_default=True,
              help="Seconds to wait when another ingest holds the index.")
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no progress or summary.")
@json_option
@library_errors
def ingest(paths, index_dir, url, config, rebuild, wait, quiet, as_json):
    """Read posts (Markdown with YAML front matter) into the index.

    Only posts that changed since the last ingest are read again; entries of deleted posts are removed.
    A bad file is reported by path and skipped: the rest still lands. The new index is published in one
    atomic step, so searches never see a half-built index and an interrupted ingest changes nothing.

    \b
    Examples:
        qa-archive ingest data/posts
        qa-archive ingest ../shared/corpus/sofastack.tech --url 'https://www.sofastack.tech/blog/{dir}/'
        qa-archive ingest --config sources.yml --rebuild
    """
    from .ingest import ingest as run_ingest
    from .projects import Registry
    if not paths and not config:
        raise click.UsageError("give one or more PATHs to ingest, or --config FILE")
    sources = load_sources(paths, url, config)
    show_progress = not quiet and not as_json and sys.stderr.isatty()
    bar = None

    def progress(n, total, path):
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Ingesting", file=sys.stderr, show_pos=True)
            bar.__enter__()
        bar.update(1)

    try:
        report = run_ingest(sources, index_dir, Registry.load(), rebuild=rebuild, wait=wait,
                            progress=progress if show_progress else None)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for source, message, fatal in report.problems:
        click.echo(f"{'error' if fatal else 'skipped'}: {source}: {message}", err=True)
    for source, message in report.warnings:
        if not quiet:
            click.echo(f"warning: {source}: {message}", err=True)
    if as_json:
        emit_json(report.as_dict())
    elif not quiet:
        click.echo(f"{report.posts_read} posts read, {report.posts_unchanged} unchanged, {report.posts_skipped} "
                   f"skipped, {report.posts_failed} failed; entries: {report.added} added, {report.changed} "
                   f"changed, {report.removed} removed, {report.unchanged} unchanged "
                   f"({report.seconds}s, {index_dir}/{report.generation})", err=True)
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
@click.argument("file", type=click.File("r", encoding="utf-8"))
@index_option
@click.option("--wait", type=float, default=0, help="Seconds to wait when another ingest holds the index.")
@library_errors
def import_(file, index_dir, wait):
    """Replace the index with entries from a JSON Lines file written by `export`.

    \b
    Example:
        qa-archive import archive.jsonl --index /srv/qa/index
    """
    from .index import import_threads
    from .models import Thread

    def threads():
        for n, line in enumerate(file, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise TypeError("a line must be a JSON object")
                yield Thread.from_dict(row)
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                raise click.ClickException(f"{file.name}:{n}: not an exported entry ({e})") from None

    n = import_threads(threads(), index_dir, wait=wait)
    click.echo(f"{n} entries imported into {index_dir}", err=True)


# ---------------------------------------------------------------------------------------------- reading

def open_archive(index_dir):
    from .search import Archive
    return Archive(index_dir)


def _terminal_markup(snippet: str, color: bool) -> str:
    """A highlighted HTML snippet for the terminal: <mark> becomes bold yellow, or plain text when piped."""
    import html as _html
    import re
    if color:
        snippet = re.sub(r"<mark>(.*?)</mark>", lambda m: click.style(m.group(1), fg="yellow", bold=True), snippet)
    else:
        snippet = re.sub(r"</?mark>", "", snippet)
    return _html.unescape(snippet)


def print_hit(hit: dict, n: int, color: bool, width: int):
    import textwrap
    meta = " · ".join(x for x in [hit.get("asker") and "@" + hit["asker"], (hit.get("date") or "")[:10],
                                  ", ".join(hit.get("projects") or [])] if x)
    click.echo(click.style(f"{n}. ", bold=True) + click.style(hit["id"], fg="cyan") + "  " + meta)
    for label, key in (("Q", "question"), ("A", "answer")):
        text = _terminal_markup(hit["highlights"][key], color)
        for i, line in enumerate(textwrap.wrap(text, width=max(40, width - 6)) or [""]):
            click.echo(f"   {label + ':' if i == 0 else '  '} {line}")
    where = hit.get("url") or hit.get("source")
    click.echo("   " + click.style(where, dim=True))


@cli.command()
@click.argument("query", nargs=-1, required=True)
@index_option
@click.option("--project", "-p", help="Only this project (any alias, any case).")
@click.option("--asker", help="Only questions from this person.")
@click.option("--after", help="Only entries on or after this date (YYYY-MM-DD).")
@click.option("--before", help="Only entries before this date.")
@click.option("--limit", "-n", default=10, show_default=True, help="Hits per page (max 50).")
@click.option("--page", default=1, show_default=True, help="Page of results.")
@click.option("--sort", type=click.Choice(["relevance", "date", "oldest"]), default="relevance", show_default=True)
@json_option
@library_errors
def search(query, index_dir, project, asker, after, before, limit, page, sort, as_json):
    """Search the archive. The query language: plain words rank the best threads first; "exact phrase",
    -word, project:NAME, asker:NAME, after:DATE, before:DATE, year:YYYY, in:question narrow it.

    \b
    Examples:
        qa-archive search jraft 跨机房
        qa-archive search 'Seata 行锁' --project seata --sort date
        qa-archive search '"全局锁" -TCC year:2020' --json
    """
    archive = open_archive(index_dir)
    res = archive.search(" ".join(query), project=project, asker=asker, after=after, before=before,
                         sort=sort, page=page, limit=limit)
    if as_json:
        emit_json(res)
        return
    color, width = terminal()
    for note in res["notes"]:
        click.echo(click.style(f"note: {note}", fg="yellow"), err=True)
    start = (res["page"] - 1) * res["limit"]
    click.echo(f"{res['total']} entries" + (f", page {res['page']} of {res['pages']}" if res["pages"] > 1 else ""))
    for i, hit in enumerate(res["hits"], start + 1):
        print_hit(hit, i, color, width)
    if res["suggestion"]:
        click.echo(f"Did you mean: {res['suggestion']}")
    if res["facets"]["projects"]:
        click.echo("Projects: " + ", ".join(f"{f['name']} ({f['count']})" for f in res["facets"]["projects"][:8]))


@cli.command()
@click.argument("entry_id")
@index_option
@json_option
@library_errors
def show(entry_id, index_dir, as_json):
    """Show one entry: the whole thread, its projects, links and source post.

    \b
    Example:
        qa-archive show 7a8dba8bee7a
    """
    entry = open_archive(index_dir).get(entry_id)
    if entry is None:
        raise click.ClickException(f"no entry with id {entry_id!r} (ids are shown by `qa-archive search`)")
    if as_json:
        entry.pop("turns_md", None)
        emit_json(entry)
        return
    click.echo(click.style(entry["title"], bold=True))
    click.echo(" · ".join(x for x in [entry.get("asker") and "@" + entry["asker"], (entry.get("date") or "")[:10],
                                       ", ".join(entry.get("projects") or [])] if x))
    for t in entry["turns"]:
        click.echo("\n" + click.style("Q: ", bold=True) + t["q"])
        click.echo(click.style("A: ", bold=True) + (t["a"] or "(no answer)"))
    for link in entry.get("links") or []:
        click.echo(f"\nlink: {link}")
    click.echo(f"\nsource: {entry.get('url') or entry['source']}")


@cli.command()
@index_option
@json_option
@library_errors
def projects(index_dir, as_json):
    """List projects with their number of entries.

    \b
    Example:
        qa-archive projects --json
    """
    rows = open_archive(index_dir).projects()
    if as_json:
        emit_json(rows)
        return
    for p in rows:
        click.echo(f"{p['count']:6d}  {p['name']:<16} {p['repo'] or ''}")


@cli.command()
@index_option
@json_option
@library_errors
def stats(index_dir, as_json):
    """Entries per project and year, index size, last ingest.

    \b
    Example:
        qa-archive stats
    """
    s = open_archive(index_dir).stats()
    if as_json:
        emit_json(s)
        return
    click.echo(f"{s['entries']} entries from {s['posts']} posts; index {s['index_bytes'] / 1e6:.1f} MB "
               f"({s['generation']}), last ingest {s['last_ingest']}")
    click.echo("\nPer year:")
    for y in s["years"]:
        click.echo(f"  {y['name']}  {y['count']:5d}  " + "█" * max(1, y["count"] * 40 // max(1, s["entries"])))
    click.echo("\nPer project:")
    for p in s["projects"]:
        click.echo(f"  {p['name']:<16} {p['count']:5d}")


# ---------------------------------------------------------------------------------------------- serving

SAMPLE_POSTS = Path("data/posts")


@cli.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, help="Worker processes (they share the index read-only).")
@click.option("--threads", default=4, show_default=True, help="Threads per worker.")
@click.option("--dev", is_flag=True, help="Flask's development server with reloading, for working on templates.")
@library_errors
def serve(index_dir, host, port, workers, threads, dev):
    """Serve the web UI and the JSON API on a production WSGI server (gunicorn).

    With an empty index and the sample posts in data/posts, those are ingested first, so a fresh clone shows
    a working site. Workers pick up a newly published index without a restart.

    \b
    Examples:
        qa-archive serve
        qa-archive serve --index /srv/qa/index --host 0.0.0.0 --port 8000 --workers 4
    """
    # a fresh clone's first run: never into a directory that holds (or held) an index
    if SAMPLE_POSTS.is_dir() and not any(p.name != ".gitkeep" for p in Path(index_dir).glob("*")) \
            and not (Path(index_dir) / "current").is_symlink():
        from .ingest import ingest as run_ingest
        from .parse import Source
        from .projects import Registry
        click.echo(f"The index at {index_dir} is empty: ingesting the sample posts in {SAMPLE_POSTS} first.", err=True)
        run_ingest([Source(SAMPLE_POSTS)], index_dir, Registry.load(), wait=30)
    from .similar import segment
    from .web import create_app
    app = create_app(index_dir)
    segment("")          # load jieba's dictionary once, before the workers fork, so they share it
    click.echo(f"Serving {index_dir} on http://{host}:{port}/ ({'development server' if dev else f'{workers} workers'})",
               err=True)
    if dev:
        app.run(host=host, port=port, debug=True)
        return
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread", "accesslog": None, "errorlog": "-", "loglevel": "warning",
                               "timeout": 60, "graceful_timeout": 5, "keepalive": 5}.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Server().run()


@cli.command()
@click.argument("text")
@index_option
@click.option("--limit", "-n", default=5, show_default=True, help="How many prior threads (max 20).")
@click.option("--project", "-p", help="Prefer this project's threads.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown: a ready-to-post reply listing the confident matches (nothing when there is none).")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--base-url", default=lambda: os.environ.get("QA_ARCHIVE_BASE_URL", "http://127.0.0.1:8080"),
              show_default="http://127.0.0.1:8080", help="Where the web UI runs, for permalinks.")
@library_errors
def similar(text, index_dir, limit, project, fmt, as_json, base_url):
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
    res = open_archive(index_dir).similar(text, limit=limit, project=project)

    def permalink(h):
        return f"{base_url.rstrip('/')}/q/{h['id']}"

    for h in res["hits"]:
        h["permalink"] = permalink(h)
    if as_json or fmt == "json":
        emit_json(res)
    elif fmt == "markdown":
        click.echo(reply_markdown(text, res["hits"], permalink), nl=False)
    else:
        color, width = terminal()
        for i, h in enumerate(res["hits"], 1):
            print_hit(h, i, color, width)
            click.echo(f"   score {h['score']:.3f}" + ("  confident" if h["confident"] else ""))
        if not res["hits"]:
            click.echo("No similar thread found.")


def main():
    """The console script: a closed pipe (`qa-archive export | head`) ends quietly, not with a traceback."""
    try:
        cli(standalone_mode=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
