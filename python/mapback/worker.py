"""One symbolicator per worker process, made from a small picklable config.

Engines that run Python on many processes (Spark executors, Dask workers, Celery or
multiprocessing pools) ship functions and their arguments to the workers by pickling
them. A :class:`mapback.Symbolicator` is a native handle and cannot travel that way,
and opening the store per row would throw away the decoded-script cache. So the job
carries a :class:`SymbolicatorConfig` (the store's path and the symbolicator's
options: a few hundred bytes), and each worker process makes its symbolicator from it
once, on first use, and keeps it for every later partition and task:

>>> config = SymbolicatorConfig("/shared/artifacts", context_lines=5)
>>> symbolicated, errors = config.symbolicate_event_json(raw_event_bytes)

The store's files are memory-mapped, so processes on one machine share the maps
through the page cache. docs/scale.md describes the engines' APIs built on this.
"""

from __future__ import absolute_import

import json
import os
import threading

from mapback.exceptions import MapbackError
from mapback.store import Store
from mapback.symbolicate import Symbolicator, check_options

__all__ = ["SymbolicatorConfig", "symbolicate_column", "EVENT_NOT_SYMBOLICATED"]

#: The ``type`` of the error a row gets when its whole event could not be symbolicated
#: (null, not JSON, not an object, over a size limit); its ``error`` names the
#: exception (``InvalidJsonError``, ``InputTooLargeError``, ...) and ``message`` says why.
EVENT_NOT_SYMBOLICATED = "event_not_symbolicated"

# The symbolicators of this process, by config key; emptied in a forked child (a
# handle made before a fork belongs to the parent: kept in _inherited, never used).
_symbolicators = {}
_inherited = []
_symbolicators_pid = [os.getpid()]
_symbolicators_lock = threading.Lock()


def _text_or_bytes(value):
    return isinstance(value, (bytes, type(u"")))


class SymbolicatorConfig(object):
    """What a worker needs to make its symbolicator: the store's path (a directory every
    worker can read: shared, or a local copy at the same path) and the options of
    :meth:`mapback.Symbolicator.from_store`. Picklable; equal configs share one
    symbolicator per process.

    ``store`` is a path or an open :class:`mapback.Store` (its path is taken; the store
    is opened again in each worker, never pickled).
    """

    __slots__ = ("store_path", "options")

    def __init__(self, store, **options):
        if isinstance(store, Store):
            if store.path is None:
                raise ValueError("this Store has no path to open in the workers")
            store = store.path
        store = getattr(store, "__fspath__", lambda: store)()
        if not _text_or_bytes(store):
            raise TypeError("store must be a path or a mapback.Store, not %s" % type(store).__name__)
        self.store_path = store
        self.options = dict(options)
        # Refuse unknown options here, on the driver, rather than in every worker.
        check_options(self.options)

    def __reduce__(self):
        # Protocol-independent pickling (Python 2's protocols 0 and 1 refuse __slots__).
        return (_config, (type(self), self.store_path, self.options))

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._key())

    def _key(self):
        return (type(self).__name__, self.store_path, repr(sorted(self.options.items())))

    def __repr__(self):
        options = "".join(", %s=%r" % item for item in sorted(self.options.items()))
        return "%s(%r%s)" % (type(self).__name__, self.store_path, options)

    def worker_store_path(self):
        """The path a worker opens: ``store_path`` (an engine's config may resolve a
        relative one against where the engine unpacks files shipped with the job)."""
        return self.store_path

    def new_symbolicator(self):
        """A new symbolicator over the store (what :meth:`symbolicator` makes once)."""
        with Store(self.worker_store_path()) as store:  # the symbolicator keeps it open
            return Symbolicator.from_store(store, **self.options)

    def symbolicator(self):
        """This process's symbolicator for this config, made on first use and then
        reused by every partition and task the process runs."""
        key = self._key()
        with _symbolicators_lock:
            if _symbolicators_pid[0] != os.getpid():
                # Forked: the parent's handles are not freed here (their memory is
                # shared copy-on-write, and a lock a parent thread held at the fork
                # would stay held), only set aside.
                _inherited.extend(_symbolicators.values())
                _symbolicators.clear()
                _symbolicators_pid[0] = os.getpid()
            symbolicator = _symbolicators.get(key)
            if symbolicator is None:
                symbolicator = _symbolicators[key] = self.new_symbolicator()
            return symbolicator

    def symbolicate_event_json(self, event):
        """Symbolicate one event's JSON (text or UTF-8 bytes) with this process's
        symbolicator. Returns ``(symbolicated, errors)``: the symbolicated event as UTF-8
        JSON bytes (None when the event could not be symbolicated at all), and the
        processing errors as a list of dicts: those symbolicating added to the event's
        ``errors`` (docs/symbolication.md), or one ``event_not_symbolicated`` entry. An
        event that fails never raises: one bad row must not fail a job.
        """
        symbolicated, failure = self.symbolicate_or_fail(event)
        if symbolicated is None:
            return None, [failure]
        return symbolicated, added_errors(event, symbolicated)

    def symbolicate_or_fail(self, event):
        """:meth:`symbolicate_event_json` without the errors list (which costs a JSON
        parse of each event that has errors): ``(symbolicated, None)``, or ``(None,
        failure)`` with the ``event_not_symbolicated`` entry."""
        if event is None:
            return None, _failure("NullEvent", "the event is null")
        if not _text_or_bytes(event):
            return None, _failure("TypeError", "the event is a %s, not JSON text" % type(event).__name__)
        try:
            return self.symbolicator().symbolicate_event_json(event), None
        except MapbackError as error:
            return None, _failure(type(error).__name__, error.message)


def _config(cls, store_path, options):
    return cls(store_path, **options)


def _failure(error, message):
    return {"type": EVENT_NOT_SYMBOLICATED, "error": error, "message": message}


def _has_errors_key(data):
    return (b'"errors"' if isinstance(data, bytes) else u'"errors"') in data


def added_errors(event, symbolicated):
    """The entries symbolication added to the event's ``errors``: the symbolicated
    event's list past the entries the event arrived with (mapback appends; a non-list
    ``errors`` is replaced). Parses JSON only when an ``errors`` key is there at all:
    the common event, fully mapped, costs a substring search."""
    if not _has_errors_key(symbolicated):
        return []
    errors = json.loads(symbolicated.decode("utf-8")).get("errors")
    if not isinstance(errors, list):
        return []
    before = 0
    if _has_errors_key(event):
        sent = json.loads(event.decode("utf-8") if isinstance(event, bytes) else event).get("errors")
        before = len(sent) if isinstance(sent, list) else 0
    return errors[before:]


def symbolicate_column(config, events, as_bytes=False):
    """(symbolicated JSON texts or None, errors as JSON texts) for an iterable of event
    JSON values, with this process's symbolicator: the per-row work of both engines'
    DataFrame paths. ``as_bytes``: the symbolicated events as UTF-8 bytes, for a caller
    that hands them to Arrow (which checks UTF-8 faster than Python decodes it)."""
    symbolicate = config.symbolicate_event_json
    outputs, errors = [], []
    for event in events:
        symbolicated, problems = symbolicate(_plain(event))
        if symbolicated is not None and not as_bytes:
            symbolicated = symbolicated.decode("utf-8")
        outputs.append(symbolicated)
        errors.append(json.dumps(problems, separators=(",", ":"), sort_keys=True) if problems else "[]")
    return outputs, errors


def _plain(value):
    """Arrow gives binary columns as bytes (or bytearray/memoryview) and nulls as None
    (or NaN in an object column)."""
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, float) and value != value:
        return None
    return value
