"""The producer commands of the command line:

- ``compose OUTER.map INNER.map... -o OUT.map [--maps-dir DIR]``: one map from a chain,
  outermost (last build step) first; ``--maps-dir`` serves the maps of the last map's
  sources as ``DIR/<file name>.map``.
- ``concat A.js B.js... -o OUT.js [--index-map]``: joins scripts and their maps
  (``A.js.map`` beside each, when there), writing ``OUT.js`` and ``OUT.js.map``.
- ``flatten IN.map -o OUT.map``: an index map as a regular map.
- ``rewrite IN.map -o OUT.map [...]``: names, contents, source prefixes, sourceRoot,
  debugId.
"""

from __future__ import absolute_import, print_function

import hashlib
import io
import os
import re

from mapback.produce import add_debug_id_comment, compose, concat
from mapback.sourcemap import SourceMap

_SOURCE_MAPPING_URL = re.compile(r"^\s*//[#@]\s*sourceMappingURL=\S*\s*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def add_commands(commands):
    """Register the producer subcommands on an argparse subparsers object."""
    compose_command = commands.add_parser("compose", help="compose a chain of maps into one")
    compose_command.add_argument("maps", nargs="+", metavar="MAP", help="outermost map first")
    compose_command.add_argument("-o", "--output", required=True, metavar="OUT.map")
    compose_command.add_argument(
        "--maps-dir", metavar="DIR",
        help="maps of the last map's sources, as DIR/<source file name>.map",
    )

    concat_command = commands.add_parser("concat", help="join scripts and their maps")
    concat_command.add_argument("scripts", nargs="+", metavar="SCRIPT.js")
    concat_command.add_argument("-o", "--output", required=True, metavar="OUT.js")
    concat_command.add_argument("--index-map", action="store_true", help="write an index map")

    flatten_command = commands.add_parser("flatten", help="an index map as a regular map")
    flatten_command.add_argument("map", metavar="IN.map")
    flatten_command.add_argument("-o", "--output", required=True, metavar="OUT.map")

    rewrite_command = commands.add_parser("rewrite", help="rewrite a map's metadata")
    rewrite_command.add_argument("map", metavar="IN.map")
    rewrite_command.add_argument("-o", "--output", required=True, metavar="OUT.map")
    rewrite_command.add_argument("--drop-names", action="store_true", help="remove names")
    contents = rewrite_command.add_mutually_exclusive_group()
    contents.add_argument("--drop-contents", action="store_true", help="remove sourcesContent")
    contents.add_argument(
        "--inline-contents", metavar="DIR",
        help="fill in missing contents from files under DIR (never outside it)",
    )
    rewrite_command.add_argument(
        "--strip-prefix", action="append", default=[], metavar="PREFIX",
        help="remove PREFIX from source names (repeatable)",
    )
    rewrite_command.add_argument(
        "--replace-prefix", action="append", default=[], metavar="OLD=NEW",
        help="replace the prefix OLD of source names by NEW (repeatable)",
    )
    rewrite_command.add_argument("--source-root", help="set sourceRoot ('' for none)")
    rewrite_command.add_argument(
        "--debug-id", metavar="UUID|auto",
        help="set debugId; 'auto' derives one from the map's bytes",
    )
    rewrite_command.add_argument(
        "--add-debug-id-comment", metavar="SCRIPT.js",
        help="also write the //# debugId= comment into this script",
    )


COMMANDS = ("compose", "concat", "flatten", "rewrite")


def run(args, out):
    """Run one of COMMANDS; returns the exit status."""
    handler = {"compose": _compose, "concat": _concat, "flatten": _flatten, "rewrite": _rewrite}
    return handler[args.command](args, out)


def _write(path, text):
    with io.open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _read_text(path):
    with io.open(path, "r", encoding="utf-8", newline="") as handle:
        return handle.read()


def _compose(args, out):
    chain = [SourceMap.from_path(path) for path in args.maps]
    loader = None
    if args.maps_dir:
        directory = args.maps_dir

        def loader(name):
            candidate = os.path.join(directory, _file_name(name) + ".map")
            if os.path.isfile(candidate):
                return SourceMap.from_path(candidate)
            return None

    builder = compose(chain, loader=loader)
    _write(args.output, builder.to_json())
    print("%s: %d mappings" % (args.output, len(builder)), file=out)
    return 0


def _file_name(name):
    """The last path segment of a source name or URL, without query or fragment."""
    return re.split(r"[?#]", name)[0].rstrip("/").rsplit("/", 1)[-1]


def _concat(args, out):
    pieces = []
    for path in args.scripts:
        code = _read_text(path)
        # A piece's own sourceMappingURL comment would dangle in the joined script.
        lines = code.split("\n")
        while lines and (not lines[-1].strip() or _SOURCE_MAPPING_URL.match(lines[-1])):
            lines.pop()
        code = "\n".join(lines)
        map_path = path + ".map"
        pieces.append((code, SourceMap.from_path(map_path) if os.path.isfile(map_path) else None))
    map_name = os.path.basename(args.output) + ".map"
    code, result = concat(pieces, index_map=args.index_map, file=os.path.basename(args.output))
    text = result if args.index_map else result.to_json()
    _write(args.output, code + "\n//# sourceMappingURL=%s\n" % map_name)
    _write(args.output + ".map", text)
    print("%s, %s: %d pieces" % (args.output, args.output + ".map", len(pieces)), file=out)
    return 0


def _flatten(args, out):
    source_map = SourceMap.from_path(args.map)
    _write(args.output, source_map.to_json())
    print("%s: %d mappings%s" % (
        args.output, len(source_map), " (flattened an index map)" if source_map.is_index_map else ""
    ), file=out)
    return 0


def _inline_loader(directory):
    """Contents of sources from files under ``directory``, never outside it: a URL
    scheme and leading slashes are dropped, ``..`` and symlinks out are refused."""
    root = os.path.realpath(directory)

    def loader(name):
        relative = _SCHEME.sub("", name).lstrip("/")
        segments = [s for s in relative.split("/") if s not in ("", ".")]
        if not segments or ".." in segments or "\\" in relative:
            return None
        candidate = os.path.realpath(os.path.join(root, *segments))
        if not candidate.startswith(root + os.sep) or not os.path.isfile(candidate):
            return None
        return _read_text(candidate)

    return loader


def _rewrite(args, out):
    with open(args.map, "rb") as handle:
        data = handle.read()
    source_map = SourceMap.from_bytes(data)
    prefixes = [(prefix, "") for prefix in args.strip_prefix]
    for rule in args.replace_prefix:
        old, separator, new = rule.partition("=")
        if not separator:
            raise ValueError("--replace-prefix expects OLD=NEW, got %r" % rule)
        prefixes.append((old, new))
    debug_id = args.debug_id
    if debug_id == "auto":
        debug_id = _debug_id_for(data)
    contents = "drop" if args.drop_contents else ("inline" if args.inline_contents else "keep")
    builder = source_map.rewrite(
        drop_names=args.drop_names,
        sources_content=contents,
        loader=_inline_loader(args.inline_contents) if args.inline_contents else None,
        prefixes=prefixes,
        source_root=args.source_root,
        debug_id=debug_id,
    )
    _write(args.output, builder.to_json())
    if args.add_debug_id_comment:
        if not debug_id:
            raise ValueError("--add-debug-id-comment needs --debug-id")
        script = args.add_debug_id_comment
        _write(script, add_debug_id_comment(_read_text(script), debug_id))
    print("%s: %d mappings" % (args.output, len(builder)), file=out)
    return 0


def _debug_id_for(data):
    """A UUID (version 4 layout) derived from ``data``: the same map gets the same id."""
    digest = bytearray(hashlib.sha256(data).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40
    digest[8] = (digest[8] & 0x3F) | 0x80
    hexed = "".join("%02x" % b for b in digest)
    return "%s-%s-%s-%s-%s" % (hexed[:8], hexed[8:12], hexed[12:16], hexed[16:20], hexed[20:])


__all__ = ["add_commands", "run", "COMMANDS"]
