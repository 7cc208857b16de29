"""Batch files of events on one machine (``mapback symbolicate --store STORE --events
IN.jsonl -o OUT.jsonl --jobs N``): the single-machine baseline of the Spark and Dask
APIs (docs/scale.md).

One event per input line (blank lines are skipped); one output line per event, in the
input's order: the symbolicated event, or ``null`` for an event that could not be
symbolicated at all (the reason goes to stderr with its line number, and the exit
status is 1). ``--jobs N`` runs N worker processes, each with its own symbolicator
(made once, in the pool's initializer, from a picklable config), on chunks of
CHUNK_EVENTS events; each writes a chunk's output to a part file in a temporary
directory, which this process appends to the output in order. ``--jobs 0`` uses every
core. A worker that dies (killed) stops the run with status 1, the output holding the
events before its chunk (on Python 3.7 and later; before, multiprocessing.Pool would
wait for it forever). A progress bar goes to stderr when it is a terminal, or with
``--progress``.
"""

from __future__ import absolute_import, division, print_function

import collections
import multiprocessing
import os
import shutil
import sys
import tempfile
import time

from mapback.worker import SymbolicatorConfig

if sys.version_info >= (3, 7):  # the executor's initializer
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
else:  # pragma: no cover - Python 2.7, 3.5, 3.6: multiprocessing.Pool instead
    ProcessPoolExecutor = BrokenProcessPool = None

#: Events a worker takes at a time: large enough that the pool's per-message cost is
#: small next to symbolication, small enough to keep every worker busy to the end.
CHUNK_EVENTS = 256

# The worker process's config and part directory (set by the pool's initializer).
_worker_state = {}


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
    progress = _Progress(_count_events(args.events), sys.stderr, args.progress)
    source = _open_input(args.events)
    target = _open_output(args.output, out)
    failed = done = 0
    started = time.time()
    died = None
    try:
        for output, failures, count in _results(config, _numbered_events(source), jobs):
            output(target)
            for number, failure in failures:
                failed += 1
                progress.clear()
                print("mapback: line %d: %s: %s" % (number, failure["error"], failure["message"]), file=sys.stderr)
            done += count
            progress.show(done)
    except WorkerDied as error:
        died = error
    finally:
        progress.clear()
        if args.events != "-":
            source.close()
        if args.output is not None:
            target.close()
        else:
            target.flush()
    elapsed = time.time() - started
    if died is not None:
        print("mapback: %s; the output holds the first %d events only" % (died, done), file=sys.stderr)
        return 1
    if progress.enabled:
        print(
            "%d events (%d not symbolicated) in %.1f s: %.0f events/s on %d process(es)"
            % (done, failed, elapsed, done / max(elapsed, 1e-9), jobs),
            file=sys.stderr,
        )
    return 1 if failed else 0


def _open_input(name):
    return getattr(sys.stdin, "buffer", sys.stdin) if name == "-" else open(name, "rb")


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


def _chunks(events, size):
    chunk = []
    for item in events:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _results(config, events, jobs):
    """Per chunk of events, in input order: (a function writing its output lines to a
    binary stream, [(line number, failure)], events in the chunk).

    With one job the chunk is symbolicated here. With more, each worker writes its
    chunk's output to a part file and the results carry only the file's name: the
    symbolicated events (several times the size of those sent) never cross a pipe."""
    if jobs == 1:
        _worker_state["config"] = config
        for chunk in _chunks(events, CHUNK_EVENTS):
            lines, failures = _symbolicate_lines(chunk)
            yield (lambda target, lines=lines: target.writelines(lines)), failures, len(chunk)
        return
    parts = tempfile.mkdtemp(prefix="mapback-events-")
    try:
        for part, failures, count in _in_workers(config, parts, _chunks(events, CHUNK_EVENTS), jobs):
            yield (lambda target, part=part: _append_part(part, target)), failures, count
    finally:
        shutil.rmtree(parts, ignore_errors=True)


def _in_workers(config, parts, chunks, jobs):
    """The chunks' results in order, from ``jobs`` worker processes, with at most two
    chunks per worker read ahead (memory stays bounded on any input). A worker that
    dies (the OOM killer, a signal) raises WorkerDied instead of leaving a hole."""
    if ProcessPoolExecutor is None:  # pragma: no cover - Python 2: no concurrent.futures
        pool = multiprocessing.Pool(jobs, initializer=_init_worker, initargs=(config, parts))
        try:
            for result in pool.imap(_symbolicate_chunk, chunks):
                yield result
            pool.close()
        finally:
            pool.terminate()
            pool.join()
        return
    pool = ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(config, parts))
    pending = collections.deque()
    try:
        for chunk in chunks:
            try:
                pending.append(pool.submit(_symbolicate_chunk, chunk))
                result = pending.popleft().result() if len(pending) >= 2 * jobs else None
            except BrokenProcessPool as error:  # from submit too, once the pool knows
                raise _died(error)
            if result is not None:
                yield result
        while pending:
            try:
                result = pending.popleft().result()
            except BrokenProcessPool as error:
                raise _died(error)
            yield result
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)


class WorkerDied(RuntimeError):
    """A worker process ended before returning its chunk."""


def _died(error):
    return WorkerDied("a worker process died before finishing its events (killed?): %s" % error)


def _append_part(part, target):
    with open(part, "rb") as handle:
        shutil.copyfileobj(handle, target, 1 << 20)
    os.unlink(part)


def _init_worker(config, parts):
    _worker_state["config"] = config
    _worker_state["parts"] = parts
    config.symbolicator()


def _symbolicate_lines(chunk):
    """The chunk's output lines (``null`` for an event that failed) and its failures."""
    symbolicate = _worker_state["config"].symbolicate_or_fail
    lines, failures = [], []
    for number, event in chunk:
        symbolicated, failure = symbolicate(event)
        if symbolicated is None:
            lines.append(b"null\n")
            failures.append((number, failure))
        else:
            lines.append(symbolicated + b"\n")
    return lines, failures


def _symbolicate_chunk(chunk):
    lines, failures = _symbolicate_lines(chunk)
    descriptor, part = tempfile.mkstemp(prefix="part-", dir=_worker_state["parts"])
    with os.fdopen(descriptor, "wb") as handle:
        handle.writelines(lines)
    return part, failures, len(chunk)


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
