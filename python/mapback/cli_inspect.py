"""The inspector on the command line: ``mapback inspect MAP [--script JS] [-o OUT.html]``.

Writes one self-contained HTML page (:func:`mapback.inspect_html`; docs/inspect.md) that
opens by double-click. Without ``--script`` the generated script is looked for beside
the map: the map's ``file`` field, the map's name without ``.map``, then a script in the
same directory whose ``sourceMappingURL`` comment names the map; the one used is said on
stderr. Without ``-o`` the page is ``MAP.html``. Exit status: 0 written, 2 when a file
could not be read or written.
"""

from __future__ import absolute_import, print_function

import io
import json
import os
import re
import sys

from mapback._lowlevel import text_type
from mapback.inspector import inspect_html

COMMANDS = ("inspect",)

#: The tail of a script read for its sourceMappingURL comment.
_TAIL_BYTES = 4096
_SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs")
_SOURCE_MAPPING_URL = re.compile(br"//[#@]\s*sourceMappingURL=(\S+)\s*$")


def add_commands(commands):
    """Register ``inspect`` on an argparse subparsers object."""
    command = commands.add_parser(
        "inspect", help="write a self-contained HTML page that shows a source map"
    )
    command.add_argument("map", metavar="MAP", help="a JSON source map file")
    command.add_argument(
        "--script", metavar="JS",
        help="the generated script (default: found beside the map by its file field, "
        "its name, or a sourceMappingURL comment naming the map)",
    )
    command.add_argument("-o", "--output", metavar="OUT.html", help="the page (default: MAP.html)")


def _map_file_field(document):
    """The map's ``file`` field, or None (also for a document that is not JSON)."""
    try:
        value = json.loads(document.decode("utf-8", "replace")).get("file")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, text_type) and value else None


def _names_map(script_path, map_name):
    """Whether the script's trailing sourceMappingURL comment names ``map_name``."""
    try:
        with io.open(script_path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - _TAIL_BYTES))
            tail = handle.read()
    except (IOError, OSError):
        return False
    for line in reversed(tail.splitlines()):
        match = _SOURCE_MAPPING_URL.search(line.strip())
        if match:
            url = match.group(1).decode("utf-8", "replace").split("?")[0].split("#")[0]
            return url.rsplit("/", 1)[-1] == map_name
    return False


def find_script(map_path, document):
    """The generated script beside a map, and how it was found: ``(path, reason)``, or
    ``(None, None)``."""
    directory = os.path.dirname(os.path.abspath(map_path))
    map_name = os.path.basename(map_path)
    field = _map_file_field(document)
    if field is not None:
        candidate = os.path.join(directory, field.rsplit("/", 1)[-1])
        if os.path.isfile(candidate):
            return candidate, "the map's file field"
    if map_name.endswith(".map"):
        candidate = os.path.join(directory, map_name[: -len(".map")])
        if os.path.isfile(candidate) and candidate.endswith(_SCRIPT_SUFFIXES):
            return candidate, "the map's name without .map"
    for name in sorted(os.listdir(directory)):
        candidate = os.path.join(directory, name)
        if name.endswith(_SCRIPT_SUFFIXES) and os.path.isfile(candidate):
            if _names_map(candidate, map_name):
                return candidate, "its sourceMappingURL comment"
    return None, None


def run(args, out):
    """Write the page; returns the exit status (0 written, 2 unreadable/unwritable)."""
    try:
        with io.open(args.map, "rb") as handle:
            document = handle.read()
        script_path, reason = args.script, "--script"
        if script_path is None:
            script_path, reason = find_script(args.map, document)
        script = None
        if script_path is not None:
            with io.open(script_path, "rb") as handle:
                script = handle.read().decode("utf-8", "replace")
            print("mapback: script %s (%s)" % (script_path, reason), file=sys.stderr)
        else:
            print(
                "mapback: no script found beside the map: the page has no generated code "
                "(give one with --script)",
                file=sys.stderr,
            )
        page = inspect_html(
            document,
            script=script,
            map_name=os.path.basename(args.map),
            script_name=os.path.basename(script_path) if script_path else None,
        )
        output = args.output or args.map + ".html"
        with io.open(output, "wb") as handle:
            handle.write(page)
    except (IOError, OSError) as error:
        print("mapback: %s" % error, file=sys.stderr)
        return 2
    print("%s (%d bytes)" % (output, len(page)), file=out)
    return 0
