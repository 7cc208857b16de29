"""Command line (``python -m mapback`` or ``mapback``):

- ``lookup MAP LINE:COLUMN...``: original positions of generated ones. Positions are as
  browsers print them in stack traces (1-based line and column) unless ``--zero-based``.
- ``info MAP``: a summary of a map (JSON or cache).
- ``cache build MAP... -o DIR``: write each map as a cache file ``DIR/<name>.mbc``.
- ``cache info FILE``: a summary of a cache file, with ``--verify`` to check every byte.
- ``symbolicate [--maps DIR] [--url-prefix URL=DIR] [--json] [TRACE_FILE|-]``: the main
  job. A browser or Node stack trace in; the original frames, with source context, out.
  ``--store STORE`` finds the maps in an artifact store instead, and ``--event
  EVENT.json`` (``-`` for stdin) symbolicates a Sentry event, printed as JSON;
  ``--events IN.jsonl -o OUT.jsonl --jobs N`` a file of them on N processes (see
  :mod:`mapback.cli_events`).
- ``compose``, ``concat``, ``flatten``, ``rewrite``: the producer side (see
  :mod:`mapback.cli_produce`).
- ``store add|ls|verify|gc STORE ...``: the artifact store (see :mod:`mapback.cli_store`).
- ``validate MAP... [--script JS] [--json]``: every problem of each map; exit status 0
  valid, 1 invalid, 2 unreadable (see :mod:`mapback.cli_validate`).
- ``scopes MAP [--json] [--strict]``: the map's original scopes and generated ranges
  (scopes proposal; see :mod:`mapback.cli_scopes`).
- ``inspect MAP [--script JS] [-o OUT.html]``: a self-contained HTML page showing the
  map (see :mod:`mapback.cli_inspect`).
"""

from __future__ import absolute_import, print_function

import argparse
import json
import os
import sys

from mapback import cli_events, cli_inspect, cli_produce, cli_scopes, cli_store, cli_validate
from mapback.cache import Cache
from mapback.exceptions import MapbackError
from mapback.sourcemap import GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, SourceMap
from mapback.store import Store
from mapback.symbolicate import Symbolicator

#: Files starting with these bytes are caches; anything else is read as JSON.
CACHE_MAGIC = b"MAPBACKC"
CACHE_SUFFIX = ".mbc"


def _open_any(path, base_url=None, strict=False):
    """A cache file or a JSON map, judged by the file's first bytes."""
    with open(path, "rb") as handle:
        magic = handle.read(len(CACHE_MAGIC))
    if magic == CACHE_MAGIC:
        return Cache.open(path)
    return SourceMap.from_path(path, base_url=base_url, strict=strict)


def _position(text):
    try:
        line, column = text.rsplit(":", 1)
        return int(line), int(column)
    except ValueError:
        raise argparse.ArgumentTypeError("expected LINE:COLUMN, got %r" % text)


def _parser():
    parser = argparse.ArgumentParser(prog="mapback", description="Query JavaScript source maps.")
    commands = parser.add_subparsers(dest="command")

    lookup = commands.add_parser("lookup", help="map generated positions to original ones")
    lookup.add_argument("map", help="path of the .map file")
    lookup.add_argument("positions", nargs="+", type=_position, metavar="LINE:COLUMN")
    lookup.add_argument(
        "--zero-based", action="store_true", help="positions are 0-based (default: 1-based)"
    )
    lookup.add_argument("--base-url", help="the map's own URL, to resolve sources against")
    lookup.add_argument("--strict", action="store_true", help="refuse maps with any spec error")
    lookup.add_argument("--upper-bound", action="store_true", help="take the next token, not the previous")
    lookup.add_argument("--json", action="store_true", help="print JSON lines")

    info = commands.add_parser("info", help="summarise a map (JSON or cache)")
    info.add_argument("map", help="path of the .map or cache file")
    info.add_argument("--strict", action="store_true")

    symbolicate = commands.add_parser(
        "symbolicate", help="map a stack trace back to the original sources (the main job)"
    )
    symbolicate.add_argument("trace", nargs="?", default="-", help="trace file, or - for stdin")
    symbolicate.add_argument(
        "--maps", action="append", default=[], metavar="DIR",
        help="serve scripts and maps from DIR by file name (repeatable)",
    )
    symbolicate.add_argument(
        "--url-prefix", action="append", default=[], metavar="URL=DIR",
        help="serve URLs starting with URL from DIR (repeatable)",
    )
    symbolicate.add_argument(
        "--store", metavar="STORE",
        help="find maps in this artifact store (mapback store add), by debug ID, then URL",
    )
    symbolicate.add_argument(
        "--event", metavar="EVENT.json",
        help="symbolicate a Sentry event (JSON file, or - for stdin) and print it as JSON",
    )
    cli_events.add_arguments(symbolicate)
    symbolicate.add_argument("--json", action="store_true", help="print JSON")
    symbolicate.add_argument("--context", type=int, default=5, metavar="N", help="context lines (5)")
    symbolicate.add_argument("--color", choices=["auto", "always", "never"], default="auto")

    cache = commands.add_parser("cache", help="build and inspect cache files")
    cache_commands = cache.add_subparsers(dest="cache_command")
    build = cache_commands.add_parser("build", help="write maps as cache files")
    build.add_argument("maps", nargs="+", metavar="MAP", help="JSON source map files")
    build.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory")
    build.add_argument("--no-contents", action="store_true", help="leave sourcesContent out")
    build.add_argument("--no-names", action="store_true", help="leave names out")
    build.add_argument("--no-scopes", action="store_true", help="leave function scopes out")
    build.add_argument("--base-url", help="resolve sources against this URL (for every map)")
    build.add_argument("--strict", action="store_true", help="refuse maps with any spec error")
    build.add_argument("--quiet", action="store_true", help="print only errors")
    cache_info = cache_commands.add_parser("info", help="summarise a cache file")
    cache_info.add_argument("file", help="path of the cache file")
    cache_info.add_argument("--verify", action="store_true", help="check every byte's checksum")
    cli_produce.add_commands(commands)
    cli_store.add_commands(commands)
    cli_validate.add_commands(commands)
    cli_scopes.add_commands(commands)
    cli_inspect.add_commands(commands)
    return parser


def _lookup(args, out):
    offset = 0 if args.zero_based else 1
    bias = LEAST_UPPER_BOUND if args.upper_bound else GREATEST_LOWER_BOUND
    with _open_any(args.map, base_url=args.base_url, strict=args.strict) as source_map:
        for line, column in args.positions:
            if line < offset or column < offset:
                print("%d:%d  invalid position" % (line, column), file=out)
                continue
            token = source_map.lookup(line - offset, column - offset, bias=bias)
            if args.json:
                record = {"line": line, "column": column}
                record["original"] = token.as_dict() if token is not None else None
                print(json.dumps(record, sort_keys=True), file=out)
            elif token is None or not token.has_original:
                print("%d:%d  (not mapped)" % (line, column), file=out)
            else:
                print(
                    "%d:%d  ->  %s:%d:%d%s"
                    % (
                        line,
                        column,
                        token.source.path,
                        token.original_line + offset,
                        token.original_column + offset,
                        "  name=%s" % token.name if token.name else "",
                    ),
                    file=out,
                )
    return 0


def _info(args, out):
    with _open_any(args.map, strict=args.strict) as source_map:
        print("kind:        %s" % ("cache" if source_map.is_cache else "JSON"), file=out)
        print("file:        %s" % source_map.file, file=out)
        print("debug id:    %s" % source_map.debug_id, file=out)
        print("index map:   %s" % source_map.is_index_map, file=out)
        print("tokens:      %d on %d lines" % (len(source_map), source_map.line_count), file=out)
        print("names:       %d" % len(source_map.names), file=out)
        print("sources:     %d" % len(source_map.sources), file=out)
        for source in source_map.sources:
            content = source.content
            print(
                "  %s%s%s"
                % (
                    source.path,
                    "" if content is None else "  (%d chars of content)" % len(content),
                    "  [ignored]" if source.ignored else "",
                ),
                file=out,
            )
        for diagnostic in source_map.diagnostics:
            print("diagnostic:  %s: %s" % (diagnostic.kind.__name__, diagnostic.message), file=out)
    return 0


class _Style(object):
    """ANSI colours when writing to a terminal (or when asked), nothing otherwise."""

    def __init__(self, enabled):
        self.enabled = enabled

    def __call__(self, text, code):
        return "\x1b[%sm%s\x1b[0m" % (code, text) if self.enabled else text


def _read_input(name):
    """The bytes of a file, or of stdin for ``-``."""
    if name == "-":
        stdin = getattr(sys.stdin, "buffer", sys.stdin)
        return stdin.read()
    with open(name, "rb") as handle:
        return handle.read()


def _symbolicator(args, prefixes):
    """The symbolicator the arguments ask for: over a store, or over directories."""
    options = {"context_lines": max(args.context, 0) or 5}
    if args.store is not None:
        with Store(args.store) as store:  # the symbolicator keeps it open
            return Symbolicator.from_store(store, **options)
    return Symbolicator.from_directories(url_prefixes=prefixes, maps_dirs=args.maps, **options)


def _symbolicate(args, out):
    prefixes = []
    for rule in args.url_prefix:
        if "=" not in rule:
            print("mapback: --url-prefix takes URL=DIR, not %r" % rule, file=sys.stderr)
            return 2
        prefixes.append(tuple(rule.rsplit("=", 1)))
    if args.store is not None and (prefixes or args.maps):
        print("mapback: give either --store STORE or --maps/--url-prefix, not both", file=sys.stderr)
        return 2
    if args.store is None and not prefixes and not args.maps:
        print("mapback: give --store STORE, --maps DIR or --url-prefix URL=DIR", file=sys.stderr)
        return 2
    if args.store is not None and not os.path.isdir(args.store):
        print("mapback: %s: no such store directory" % args.store, file=sys.stderr)
        return 2
    if args.events is not None:
        return cli_events.run(args, out)
    if args.event is not None:
        if args.trace != "-":
            print("mapback: give either --event EVENT.json or a trace file, not both", file=sys.stderr)
            return 2
        event = _read_input(args.event)
        with _symbolicator(args, prefixes) as symbolicator:
            result = symbolicator.symbolicate_event(event)
        print(json.dumps(result, indent=2), file=out)
        return 0
    text = _read_input(args.trace).decode("utf-8", "replace")
    with _symbolicator(args, prefixes) as symbolicator:
        trace = symbolicator.symbolicate(text)
    if args.json:
        print(json.dumps(trace.as_dict(), indent=2, sort_keys=True), file=out)
        return 0
    color = args.color == "always" or (args.color == "auto" and hasattr(out, "isatty") and out.isatty())
    _print_trace(trace, out, _Style(color), args.context)
    return 0


def _print_trace(trace, out, style, context):
    header = ": ".join(part for part in (trace.error_type, trace.message) if part)
    if header:
        print(style(header, "1;31"), file=out)
    for frame in trace.frames:
        if not frame.mapped:
            minified = frame.minified
            print("    %s  %s" % (minified.get("raw"), style("(%s)" % frame.unmapped_reason.get("message"), "2")), file=out)
            continue
        where = "%s:%s:%s" % (frame.filename or frame.abs_path, frame.lineno, frame.colno)
        name = frame.function or "<top level>"
        note = "" if frame.in_app else style("  [library]", "2")
        print("    at %s (%s)%s" % (style(name, "1"), style(where, "36"), note), file=out)
        if context and frame.context_line is not None:
            first = frame.lineno - len(frame.pre_context)
            lines = frame.pre_context + [frame.context_line] + frame.post_context
            width = len(str(first + len(lines)))
            for offset, line in enumerate(lines):
                number = first + offset
                marker = ">" if number == frame.lineno else " "
                text = "      %s %*d | %s" % (marker, width, number, line)
                print(text if number == frame.lineno else style(text, "2"), file=out)
    if trace.truncated:
        print(style("    (the trace had more frames than the limit; the rest were dropped)", "2"), file=out)


class _Progress(object):
    """A one-line progress bar on a terminal; nothing elsewhere."""

    WIDTH = 30

    def __init__(self, total, stream):
        self.total = total
        self.stream = stream
        self.enabled = total > 1 and hasattr(stream, "isatty") and stream.isatty()

    def show(self, done, label):
        if not self.enabled:
            return
        filled = int(self.WIDTH * done / self.total)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write("\r[%s] %d/%d %s\x1b[K" % (bar, done, self.total, label[-40:]))
        self.stream.flush()

    def finish(self):
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _cache_build(args, out):
    if not os.path.isdir(args.output):
        os.makedirs(args.output)
    targets = {}
    for path in args.maps:
        name = os.path.basename(path) + CACHE_SUFFIX
        if name in targets:
            print("mapback: %s and %s would both be written as %s" % (targets[name], path, name), file=sys.stderr)
            return 2
        targets[name] = path
    progress = _Progress(len(args.maps), sys.stderr)
    failures = 0
    total_json = total_cache = 0
    for done, path in enumerate(args.maps):
        progress.show(done, path)
        target = os.path.join(args.output, os.path.basename(path) + CACHE_SUFFIX)
        try:
            with SourceMap.from_path(path, base_url=args.base_url, strict=args.strict) as source_map:
                source_map.to_cache(
                    target,
                    include_contents=not args.no_contents,
                    include_names=not args.no_names,
                    include_scopes=not args.no_scopes,
                )
                tokens = len(source_map)
        except (MapbackError, IOError, OSError) as error:
            failures += 1
            progress.finish()
            print("mapback: %s: %s" % (path, error), file=sys.stderr)
            continue
        json_size, cache_size = os.path.getsize(path), os.path.getsize(target)
        total_json += json_size
        total_cache += cache_size
        if not args.quiet and not progress.enabled:
            print(
                "%s -> %s  (%d tokens, %d -> %d bytes, %.2fx)"
                % (path, target, tokens, json_size, cache_size, cache_size / float(max(json_size, 1))),
                file=out,
            )
    progress.show(len(args.maps), "done")
    progress.finish()
    if not args.quiet:
        print(
            "%d of %d maps cached in %s (%d -> %d bytes)"
            % (len(args.maps) - failures, len(args.maps), args.output, total_json, total_cache),
            file=out,
        )
    return 1 if failures else 0


def _cache_info(args, out):
    with Cache.open(args.file) as cache:
        print("size:        %d bytes" % os.path.getsize(args.file), file=out)
        print("file:        %s" % cache.file, file=out)
        print("debug id:    %s" % cache.debug_id, file=out)
        print("index map:   %s" % cache.is_index_map, file=out)
        print("tokens:      %d on %d lines" % (len(cache), cache.line_count), file=out)
        print("names:       %d" % len(cache.names), file=out)
        sources = cache.sources
        with_content = sum(1 for source in sources if source.line_count)
        print("sources:     %d (%d with content)" % (len(sources), with_content), file=out)
        if args.verify:
            cache.verify()
            print("checksum:    ok", file=out)
    return 0


def main(argv=None, out=None):
    """Run the command line; returns the exit status."""
    out = out if out is not None else sys.stdout
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit:
        # argparse's usage errors and --help: a status, as every other outcome (Python
        # 2's argparse also refuses a missing subcommand this way).
        return exit.code if isinstance(exit.code, int) else 2
    if args.command is None:
        _parser().print_help(out)
        return 2
    try:
        if args.command == "symbolicate":
            return _symbolicate(args, out)
        if args.command == "lookup":
            return _lookup(args, out)
        if args.command in cli_produce.COMMANDS:
            return cli_produce.run(args, out)
        if args.command in cli_store.COMMANDS:
            return cli_store.run(args, out)
        if args.command in cli_validate.COMMANDS:
            return cli_validate.run(args, out)
        if args.command in cli_scopes.COMMANDS:
            return cli_scopes.run(args, out)
        if args.command in cli_inspect.COMMANDS:
            return cli_inspect.run(args, out)
        if args.command == "cache":
            if args.cache_command == "build":
                return _cache_build(args, out)
            if args.cache_command == "info":
                return _cache_info(args, out)
            _parser().parse_args(["cache", "--help"])
        return _info(args, out)
    except (MapbackError, IOError, ValueError) as error:
        print("mapback: %s" % error, file=sys.stderr)
        return 1
