"""Batch files of events on one machine (``mapback symbolicate --store STORE --events
IN.jsonl -o OUT.jsonl --jobs N``): the single-machine baseline of the Spark and Dask
APIs (docs/scale.md).

One event per input line (blank lines are skipped); one output line per event, in the
input's order: the symbolicated event, or ``null`` for an event that could not be
symbolicated at all (the reason goes to stderr with its line number, and the exit
status is 1). ``--jobs N`` runs N worker processes, each with its own symbolicator
(made once, in the pool's initializer, from a picklable config); ``--jobs 0`` uses
every core. A progress bar goes to stderr when it is a terminal, or with
``--progress``.
"""

from __future__ import absolute_import, division, print_function

import multiprocessing
import os
import sys
import time

from mapback.worker import SymbolicatorConfig

#: Events a worker takes at a time: large enough that the pool's per-message cost is
#: small next to symbolication, small enough to keep both workers busy to the end.
CHUNK_EVENTS = 64

# The worker process's config (set by the pool's initializer).
_worker_config = [None]


def add_arguments(symbolicate):
    """Register the batch options on the ``symbolicate`` subcommand's parser."""
    symbolicate.add_argument(
        "--events", metavar="IN.jsonl",
        help="symbolicate a file of Sentry events, one JSON object per line (- for stdin); needs --store",
    )
    symbolicate.add_argument("-o", "--output", metavar="OUT.jsonl", help="with --events: write here (default stdout)")
    symbolicate.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="with --events: N worker processes (0: one per core)"
    )
    symbolicate.add_argument(
        "--progress", action="store_true", help="with --events: a progress bar on stderr even when it is not a terminal"
    )


def run(args, out):
    """Run ``symbolicate --events``; returns the exit status."""
    if args.store is None:
        print("mapback: --events needs --store STORE", file=sys.stderr)
        return 2
    if args.event is not None or args.trace != "-":
        print("mapback: give --events alone, without --event or a trace file", file=sys.stderr)
        return 2
    if args.jobs < 0:
        print("mapback: --jobs takes a number >= 0", file=sys.stderr)
        return 2
    jobs = args.jobs or multiprocessing.cpu_count()
    config = SymbolicatorConfig(args.store, context_lines=max(args.context, 0) or 5)
    config.symbolicator()  # a bad store fails here, once, not in every worker
    total = _count_events(args.events)
    progress = _Progress(total, sys.stderr, args.progress)
    source = _open_input(args.events)
    target = _open_output(args.output, out)
    failed = done = 0
    started = time.time()
    try:
        for number, symbolicated, problem in _results(config, _numbered_events(source), jobs):
            if symbolicated is None:
                failed += 1
                progress.clear()
                print("mapback: line %d: %s: %s" % (number, problem["error"], problem["message"]), file=sys.stderr)
                target.write(b"null\n")
            else:
                target.write(symbolicated)
                target.write(b"\n")
            done += 1
            progress.show(done)
    finally:
        progress.clear()
        if source is not _stdin():
            source.close()
        if args.output is not None:
            target.close()
        else:
            target.flush()
    elapsed = time.time() - started
    if args.progress or _is_terminal(sys.stderr):
        print(
            "%d events (%d not symbolicated) in %.1f s: %.0f events/s on %d process(es)"
            % (done, failed, elapsed, done / max(elapsed, 1e-9), jobs),
            file=sys.stderr,
        )
    return 1 if failed else 0


def _stdin():
    return getattr(sys.stdin, "buffer", sys.stdin)


def _open_input(name):
    return _stdin() if name == "-" else open(name, "rb")


def _open_output(name, out):
    if name is None:
        return getattr(out, "buffer", out)
    return open(name, "wb")


def _count_events(name):
    """Non-blank lines of a file (for the progress bar); None for stdin."""
    if name == "-":
        return None
    with open(name, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def _numbered_events(source):
    for number, line in enumerate(source, 1):
        line = line.strip()
        if line:
            yield number, line


def _results(config, events, jobs):
    """(line number, symbolicated bytes or None, the failure or None), in input order."""
    if jobs == 1:
        _worker_config[0] = config
        for item in events:
            yield _symbolicate(item)
        return
    pool = multiprocessing.Pool(jobs, initializer=_init_worker, initargs=(config,))
    try:
        for result in pool.imap(_symbolicate, events, CHUNK_EVENTS):
            yield result
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _init_worker(config):
    _worker_config[0] = config
    config.symbolicator()


def _symbolicate(item):
    number, line = item
    symbolicated, problems = _worker_config[0].symbolicate_event_json(line)
    return number, symbolicated, (problems[0] if symbolicated is None else None)


def _is_terminal(stream):
    return hasattr(stream, "isatty") and stream.isatty()


class _Progress(object):
    """A one-line progress bar with the rate, at most ten redraws a second."""

    WIDTH = 30

    def __init__(self, total, stream, forced):
        self.total = total
        self.stream = stream
        self.enabled = forced or _is_terminal(stream)
        self.started = self.drawn = time.time()

    def show(self, done):
        now = time.time()
        if not self.enabled or (now - self.drawn < 0.1 and done != self.total):
            return
        self.drawn = now
        rate = done / max(now - self.started, 1e-9)
        if self.total:
            filled = int(self.WIDTH * done / self.total)
            bar = "[%s] %d/%d" % ("#" * filled + "." * (self.WIDTH - filled), done, self.total)
        else:
            bar = "%d" % done
        self.stream.write("\r%s events, %.0f/s\x1b[K" % (bar, rate))
        self.stream.flush()

    def clear(self):
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
