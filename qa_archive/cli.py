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
        except OSError as e:
            raise click.ClickException(f"{e.filename or ''}: {e.strerror or e}".lstrip(": ")) from None
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="qa-archive")
def main():
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
        cfg = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        base = Path(config).parent
        for item in cfg.get("sources") or []:
            if isinstance(item, str):
                item = {"path": item}
            sources.append(Source(base / item["path"], item.get("url")))
    for s in sources:
        if not s.root.exists():
            raise click.BadParameter(f"{s.root} does not exist", param_hint="PATH")
    return sources


@main.command()
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
    from .index import ingest as run_ingest
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


@main.command()
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


@main.command("import")
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
                yield Thread.from_dict(json.loads(line))
            except (ValueError, KeyError, TypeError) as e:
                raise click.ClickException(f"{file.name}:{n}: not an exported entry ({e})") from None

    n = import_threads(threads(), index_dir, wait=wait)
    click.echo(f"{n} entries imported into {index_dir}", err=True)
