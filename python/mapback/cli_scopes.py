"""The scopes proposal on the command line: ``mapback scopes MAP [--json] [--strict]``.

With ``--json``, the map's original scopes and generated ranges as one JSON document in
the shape of the tc39 golden files (:meth:`mapback.SourceMap.scopes`). Without it, an
outline: each source's scope tree, then the generated ranges, one per line, indented by
depth, positions 0-based. Exit status: 0 when printed, 1 when the map could not be
decoded (``--strict``: any optional error, e.g. a malformed ``scopes`` field), 2 when
the file could not be read.
"""

from __future__ import absolute_import, print_function

import io
import json
import sys

from mapback.exceptions import MapbackError
from mapback.sourcemap import SourceMap

COMMANDS = ("scopes",)


def add_commands(commands):
    """Register ``scopes`` on an argparse subparsers object."""
    command = commands.add_parser(
        "scopes", help="print a map's original scopes and generated ranges (scopes proposal)"
    )
    command.add_argument("map", metavar="MAP", help="a JSON source map file")
    command.add_argument("--json", action="store_true", help="print the tc39 golden shape")
    command.add_argument(
        "--strict", action="store_true", help="refuse maps with any optional error"
    )


def _position(position):
    return "%d:%d" % (position["line"], position["column"])


def _print_scope(scope, depth, out):
    label = scope["name"] or ("(anonymous)" if scope["isStackFrame"] else "")
    kind = " [%s]" % scope["kind"] if scope["kind"] else ""
    variables = " vars=%s" % ",".join(scope["variables"]) if scope["variables"] else ""
    print(
        "%s%s-%s %s%s%s"
        % ("  " * depth, _position(scope["start"]), _position(scope["end"]), label, kind, variables),
        file=out,
    )
    for child in scope["children"]:
        _print_scope(child, depth + 1, out)


def _print_range(generated, depth, out):
    definition = generated["definitionIndex"]
    call_site = generated["callSite"]
    print(
        "%s%s-%s definition=%s frame=%s%s"
        % (
            "  " * depth,
            _position(generated["start"]),
            _position(generated["end"]),
            "-" if definition is None else definition,
            generated["stackFrameType"],
            ""
            if call_site is None
            else " inlined from source %d %d:%d"
            % (call_site["sourceIndex"], call_site["line"], call_site["column"]),
        ),
        file=out,
    )
    for child in generated["children"]:
        _print_range(child, depth + 1, out)


def run(args, out):
    """Print the scopes of one map; returns the exit status."""
    try:
        with io.open(args.map, "rb") as handle:
            data = handle.read()
    except (IOError, OSError) as error:
        print("mapback: %s" % error, file=sys.stderr)
        return 2
    try:
        record = SourceMap.from_bytes(data, strict=args.strict).scopes()
    except MapbackError as error:
        print("mapback: %s: %s" % (args.map, error), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(record, indent=2, sort_keys=True), file=out)
        return 0
    for index, source in enumerate(record["sources"]):
        roots = source["rootScopes"] if "rootScopes" in source else (
            None if source["scope"] is None else [source["scope"]]
        )
        print("source %d %s%s" % (index, source["url"], "" if roots else ": no scopes"), file=out)
        for root in roots or []:
            _print_scope(root, 1, out)
    print("ranges%s" % ("" if record["ranges"] else ": none"), file=out)
    for generated in record["ranges"]:
        _print_range(generated, 1, out)
    return 0
