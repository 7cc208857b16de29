"""The artifact store commands of the command line (``mapback store ...``):

- ``store add STORE PATH...``: ingest scripts, maps, build directories and artifact
  bundles (creating STORE if needed); prints what was added and every file skipped.
- ``store ls STORE``: the entries, least recently used first.
- ``store verify STORE``: checks every entry, object and index file; exit status 1
  when anything is wrong.
- ``store gc STORE``: removes debris left by writers that died and unreachable files.

Human-readable output by default; ``--json`` prints the library's JSON (docs/store.md).
``ls``, ``verify`` and ``gc`` refuse a STORE that does not exist rather than create it.
"""

from __future__ import absolute_import, print_function

import json
import os
import sys
import time

from mapback.store import Store

COMMANDS = ("store",)


def add_commands(commands):
    """Register ``store`` and its subcommands on an argparse subparsers object."""
    store = commands.add_parser("store", help="an artifact store: add, ls, verify, gc")
    store_commands = store.add_subparsers(dest="store_command")

    add = store_commands.add_parser("add", help="add scripts, maps, directories, artifact bundles")
    add.add_argument("store", metavar="STORE", help="store directory (created if missing)")
    add.add_argument("paths", nargs="+", metavar="PATH", help="files, directories or .zip bundles")
    add.add_argument("--max-bytes", type=int, metavar="N", help="then evict LRU entries down to N bytes")
    add.add_argument("--json", action="store_true", help="print the summary as JSON")

    for name, text in (
        ("ls", "list the entries, least recently used first"),
        ("verify", "check every entry (exit status 1 on a problem)"),
        ("gc", "remove debris and unreachable files"),
    ):
        command = store_commands.add_parser(name, help=text)
        command.add_argument("store", metavar="STORE", help="store directory")
        command.add_argument("--json", action="store_true", help="print JSON")


def run(args, out):
    """Run a ``store`` subcommand; returns the exit status."""
    command = args.store_command
    if command is None:
        print("mapback store: give a command: add, ls, verify or gc", file=sys.stderr)
        return 2
    if command != "add" and not os.path.isdir(args.store):
        print("mapback: %s: no such store directory" % args.store, file=sys.stderr)
        return 2
    max_bytes = getattr(args, "max_bytes", None)
    with Store(args.store, max_bytes=max_bytes) as store:
        if command == "add":
            return _add(store, args, out)
        if command == "ls":
            return _ls(store, args, out)
        if command == "verify":
            return _verify(store, args, out)
        return _gc(store, args, out)


def _dump(value, out):
    print(json.dumps(value, indent=2, sort_keys=True), file=out)


def _add(store, args, out):
    summary = store.add(*args.paths)
    if args.json:
        _dump(summary, out)
        return 0
    fresh = 0
    for bundle in summary["added"]:
        fresh += not bundle["already_present"]
        print(
            "%s  %s  %s  (paired by %s)"
            % (
                "present" if bundle["already_present"] else "added  ",
                bundle["debug_id"] or "-" * 36,
                " ".join(bundle["urls"]),
                bundle["paired_by"].replace("_", " "),
            ),
            file=out,
        )
    for skipped in summary["skipped"]:
        print("skipped  %s: %s" % (skipped["file"], skipped["message"]), file=out)
    print(
        "%d bundle(s) added, %d already present, %d file(s) skipped"
        % (fresh, len(summary["added"]) - fresh, len(summary["skipped"])),
        file=out,
    )
    return 0


def _when(seconds):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def _ls(store, args, out):
    entries = store.entries()
    if args.json:
        _dump({"entries": entries}, out)
        return 0
    for entry in entries:
        print(
            "%s  %10d B  %s UTC  %s"
            % (entry["debug_id"] or "-" * 36, entry["bytes"], _when(entry["last_used"]), " ".join(entry["urls"])),
            file=out,
        )
    print("%d entries, %d bytes" % (len(entries), sum(entry["bytes"] for entry in entries)), file=out)
    return 0


def _verify(store, args, out):
    report = store.verify()
    if args.json:
        _dump(report, out)
    else:
        for problem in report["problems"]:
            print("problem  %s: %s (code %d)" % (problem["path"], problem["message"], problem["code"]), file=out)
        print(
            "%s: %d entries, %d objects, %d index files checked, %d problem(s)"
            % ("ok" if report["ok"] else "DAMAGED", report["entries"], report["objects"],
               report["index_files"], len(report["problems"])),
            file=out,
        )
    return 0 if report["ok"] else 1


def _gc(store, args, out):
    report = store.gc()
    if args.json:
        _dump(report, out)
        return 0
    print(
        "removed %d temporary file(s), %d entries, %d index file(s), %d object(s): %d bytes"
        % (report["temp_files"], report["entries"], report["index_files"], report["objects"], report["bytes"]),
        file=out,
    )
    return 0
