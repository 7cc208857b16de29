"""Command line: ``python -m mapback lookup MAP POSITION...`` and ``... info MAP``.

Positions are ``LINE:COLUMN`` as browsers print them in stack traces (1-based line,
1-based column), unless ``--zero-based`` is given.
"""

from __future__ import absolute_import, print_function

import argparse
import json
import sys

from mapback.exceptions import MapbackError
from mapback.sourcemap import GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, SourceMap


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

    info = commands.add_parser("info", help="summarise a map")
    info.add_argument("map", help="path of the .map file")
    info.add_argument("--strict", action="store_true")
    return parser


def _lookup(args, out):
    offset = 0 if args.zero_based else 1
    bias = LEAST_UPPER_BOUND if args.upper_bound else GREATEST_LOWER_BOUND
    with SourceMap.from_path(args.map, base_url=args.base_url, strict=args.strict) as source_map:
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
    with SourceMap.from_path(args.map, strict=args.strict) as source_map:
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


def main(argv=None, out=None):
    """Run the command line; returns the exit status."""
    out = out if out is not None else sys.stdout
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help(out)
        return 2
    try:
        if args.command == "lookup":
            return _lookup(args, out)
        return _info(args, out)
    except (MapbackError, IOError) as error:
        print("mapback: %s" % error, file=sys.stderr)
        return 1
