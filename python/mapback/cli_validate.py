"""The validator on the command line: ``mapback validate MAP... [--script JS] [--json]``.

Every problem of each map, one per line (``MAP: severity code [where]: message``), or
with ``--json`` one JSON document: ``{"maps": [{"map": path, "report": {...}}]}`` (the
report is :func:`mapback.validate`'s). Exit status: 0 when every map is valid (warnings
allowed), 1 when any has an error, 2 when a file could not be read.
"""

from __future__ import absolute_import, print_function

import io
import json
import sys

from mapback.validation import validate

COMMANDS = ("validate",)


def add_commands(commands):
    """Register ``validate`` on an argparse subparsers object."""
    command = commands.add_parser("validate", help="list every problem of source maps")
    command.add_argument("maps", nargs="+", metavar="MAP", help="JSON source map files")
    command.add_argument(
        "--script", metavar="JS",
        help="the generated script the maps belong to: check columns and debugId against it",
    )
    command.add_argument("--json", action="store_true", help="print one JSON document")


def _where(problem):
    """Where a problem is, as text: the JSON path, the byte, the generated position."""
    places = []
    if "path" in problem:
        places.append(problem["path"])
    if "offset" in problem:
        places.append("byte %d" % problem["offset"])
    if "generated_line" in problem:
        places.append(
            "generated %d:%d (0-based)" % (problem["generated_line"], problem["generated_column"])
        )
    return " [%s]" % ", ".join(places) if places else ""


def _print_text(path, report, out):
    for problem in report["errors"] + report["warnings"]:
        print(
            "%s: %s %s%s: %s"
            % (path, problem["severity"], problem["code"], _where(problem), problem["message"]),
            file=out,
        )
    for code, count in sorted(report["omitted"].items()):
        print("%s: ... and %d more %s" % (path, count, code), file=out)
    print(
        "%s: %s (%d errors, %d warnings)"
        % (
            path,
            "valid" if report["valid"] else "INVALID",
            report["error_count"],
            report["warning_count"],
        ),
        file=out,
    )


def run(args, out):
    """Validate each map; returns the exit status (0 valid, 1 invalid, 2 unreadable)."""
    script = None
    try:
        if args.script is not None:
            with io.open(args.script, "rb") as handle:
                script = handle.read().decode("utf-8", "replace")
        reports = []
        for path in args.maps:
            with io.open(path, "rb") as handle:
                reports.append((path, validate(handle.read(), script=script)))
    except (IOError, OSError) as error:
        print("mapback: %s" % error, file=sys.stderr)
        return 2
    if args.json:
        document = {"maps": [{"map": path, "report": report} for path, report in reports]}
        print(json.dumps(document, indent=2, sort_keys=True), file=out)
    else:
        for path, report in reports:
            _print_text(path, report, out)
    return 0 if all(report["valid"] for _, report in reports) else 1
