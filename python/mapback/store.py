"""The artifact store: :class:`Store`, and :class:`StoreEntry`, the map it finds.

A store is a directory holding, for every uploaded bundle, its map's binary cache and
its minified script, indexed by debug ID and by URL (Sentry's ``~/path`` matching).
Many processes may read while others add; a writer killed at any moment leaves no
partial entry. docs/store.md describes the layout, the fault model and the JSON the
reports are made of.
"""

from __future__ import absolute_import

import os
import sys

from mapback._lowlevel import (
    Bounds,
    RustObject,
    ffi,
    fspath,
    lib,
    positive_or_none,
    rustcall,
    take_json,
    text_arg,
    text_type,
    wraps_handle,
)
from mapback.cache import Cache

__all__ = ["Store", "StoreEntry", "IngestLimits"]


def _path_bytes(path):
    """A path as the bytes the C side reads (raw file-system bytes on Unix)."""
    path = fspath(path)
    if isinstance(path, bytes):
        return path
    if not isinstance(path, text_type):
        raise TypeError("a path must be text, bytes or os.PathLike, not %s" % type(path).__name__)
    fsencode = getattr(os, "fsencode", None)
    if fsencode is not None:
        return fsencode(path)
    return path.encode(sys.getfilesystemencoding() or "utf-8")  # pragma: no cover - Python 2



class IngestLimits(Bounds):
    """Bounds on what one :meth:`Store.add` reads, checked against bytes actually read
    or decompressed (never against sizes an archive declares). ``None`` (the default
    for each) keeps the library's: 256 MiB per file, 1 GiB per add, 100,000 files,
    10,000 archive entries, a 16 MiB manifest, a compression ratio of 200, directory
    walks 64 deep. An input over a bound raises :class:`mapback.InputTooLargeError`
    and leaves the store unchanged.
    """

    __slots__ = (
        "max_file_bytes",
        "max_total_bytes",
        "max_files",
        "max_archive_entries",
        "max_manifest_bytes",
        "max_compression_ratio",
        "max_directory_depth",
    )

    def __init__(
        self,
        max_file_bytes=None,
        max_total_bytes=None,
        max_files=None,
        max_archive_entries=None,
        max_manifest_bytes=None,
        max_compression_ratio=None,
        max_directory_depth=None,
    ):
        values = (
            max_file_bytes,
            max_total_bytes,
            max_files,
            max_archive_entries,
            max_manifest_bytes,
            max_compression_ratio,
            max_directory_depth,
        )
        self._set_fields(values)


class StoreEntry(Cache):
    """An entry found in a :class:`Store`: a :class:`mapback.Cache` over the entry's
    mapped cache (every :class:`mapback.SourceMap` query works on it), and what the
    store knows about it.

    - ``debug_id``: the bundle's debug ID (lowercase), or None;
    - ``script_url``, ``map_url``: the URLs as uploaded (``~/assets/app.js``); the map's
      is None when it was inline;
    - ``entry_id``: the entry's ID (the SHA-256 of its record);
    - ``script_bytes``: the stored script's size, or None for a map added alone;
    - ``found_by``: ``"debug_id"`` or ``"url"``, the key that found it, and
      ``found_key``: the debug ID, or the index key that matched (``url:https://...``
      for an exact upload, ``path:/assets/app.js`` for a ``~/`` one).

    The entry stays readable after the store is closed, and after it is evicted or
    collected (its mapping is its own).
    """

    __slots__ = ("debug_id", "script_url", "map_url", "entry_id", "script_bytes", "found_by", "found_key")

    @classmethod
    def _wrap(cls, pointer):
        instance = super(StoreEntry, cls)._wrap(pointer)
        instance._describe({})
        return instance

    def _describe(self, info):
        """Sets the attributes from the entry's JSON (docs/store.md)."""
        found_by = info.get("found_by") or {}
        self.debug_id = info.get("debug_id")
        self.script_url = info.get("script_url")
        self.map_url = info.get("map_url")
        self.entry_id = info.get("entry_id")
        self.script_bytes = info.get("script_bytes")
        self.found_by = found_by.get("kind")
        self.found_key = found_by.get("debug_id") if self.found_by == "debug_id" else found_by.get("key")

    def as_dict(self):
        """What the store knows about the entry, as a dict (the map itself excluded)."""
        return dict((name, getattr(self, name)) for name in StoreEntry.__slots__)

    def __repr__(self):
        if self.closed:
            return "<StoreEntry (closed)>"
        return "<StoreEntry %s %s, found by %s>" % (
            self.debug_id or "(no debug ID)",
            self.script_url or self.map_url or "(no URL)",
            self.found_by,
        )


@wraps_handle("mapback_store *")
class Store(RustObject):
    """An artifact store directory, created if it does not exist.

    ``max_bytes`` bounds the store: each :meth:`add` then evicts least-recently-used
    entries until it fits (entries of the add itself are kept). ``touch_interval`` (in
    seconds, default 60) is how often a read records a use of an entry, for that
    eviction. ``limits`` (an :class:`IngestLimits`) bounds each add.

    Thread-safe: share one per process; any number of threads may read while others
    add. Close it with :meth:`close` or a ``with`` block. Raises
    :class:`mapback.NotAStoreError` for a directory holding something else.
    """

    __slots__ = ("path",)
    _free_function = "mapback_store_free"

    def __init__(self, path, max_bytes=None, touch_interval=None, limits=None):
        target = _path_bytes(path)
        options = ffi.new("mapback_store_options *")
        max_bytes = positive_or_none(max_bytes, "max_bytes")
        options.max_bytes = max_bytes or 0
        if touch_interval is not None:
            if isinstance(touch_interval, bool) or not isinstance(touch_interval, (int, float)) or touch_interval < 0:
                raise TypeError("touch_interval must be a number of seconds >= 0, not %r" % (touch_interval,))
            options.touch_interval_ms = max(int(touch_interval * 1000), 1)
        if limits is not None:
            if not isinstance(limits, IngestLimits):
                raise TypeError("limits must be a mapback.IngestLimits, not %r" % (limits,))
            limits._fill(options.limits)
        buffer = ffi.from_buffer("uint8_t[]", target) if target else ffi.new("uint8_t[1]")
        pointer = rustcall(lib.mapback_store_open, buffer, len(target), options)
        self._ptr = ffi.gc(pointer, lib.mapback_store_free)
        self.path = fspath(path)

    @classmethod
    def _wrap(cls, pointer):
        instance = cls._from_pointer(pointer)
        instance.path = None
        return instance

    def add(self, *paths):
        """Ingest scripts, maps, build directories (recursively) and artifact bundles
        (``.zip`` with ``manifest.json``, as sentry-cli writes them), pairing scripts
        with their maps. Returns the summary, a dict: ``{"added": [...], "skipped":
        [...]}`` (see docs/store.md; a file that is not a script or map, a script
        without a map, a map that does not decode or a debug ID mismatch is skipped and
        reported, not raised).

        A hostile or damaged archive, or an input over the limits, raises (a
        :class:`mapback.StoreError` subclass such as :class:`mapback.InvalidArchiveError`,
        or :class:`mapback.InputTooLargeError`) and changes nothing in the store.
        Adding the same bundle again changes nothing (``already_present``).
        """
        if len(paths) == 1 and isinstance(paths[0], (list, tuple)):
            paths = tuple(paths[0])
        encoded = [_path_bytes(path) for path in paths]
        keep = [ffi.new("char[]", value) for value in encoded]
        array = ffi.new("mapback_str[]", len(encoded))
        for slot, buffer, value in zip(array, keep, encoded):
            slot.data = buffer
            slot.len = len(value)
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_store_add, self._pointer(), array, len(encoded), out)
        del keep
        return take_json(out)

    def _find(self, function, key, what):
        data, length = text_arg(key, what)
        out = ffi.new("mapback_buf *")
        pointer = rustcall(function, self._pointer(), data, length, out)
        if pointer == ffi.NULL:
            return None
        entry = StoreEntry._wrap(pointer)  # owns the pointer before anything can fail
        entry._describe(take_json(out))
        return entry

    def find_by_debug_id(self, debug_id):
        """The entry for ``debug_id`` (a UUID, any case), or None. Raises
        :class:`mapback.InvalidDebugIdError` for anything but a UUID."""
        return self._find(lib.mapback_store_find_by_debug_id, debug_id, "debug_id")

    def find_by_url(self, url):
        """The entry for the script or map at ``url``: one uploaded with exactly this
        URL (query and fragment ignored), else one uploaded as ``~/<its path>`` (any
        scheme and host). None when nothing matches."""
        return self._find(lib.mapback_store_find_by_url, url, "url")

    def entries(self):
        """Every entry, least recently used first: a list of dicts with ``entry_id``,
        ``debug_id``, ``urls``, ``bytes`` and ``last_used`` (seconds since the epoch)."""
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_store_entries_json, self._pointer(), out)
        return take_json(out)["entries"]

    def verify(self):
        """Check every entry, object and index file. Returns the report, a dict:
        ``{"ok", "entries", "objects", "index_files", "problems": [{"path", "code",
        "message"}]}``; problems are reported, never raised or repaired."""
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_store_verify_json, self._pointer(), out)
        return take_json(out)

    def gc(self):
        """Remove debris (temporary files of writers that died, unreachable entries and
        objects, dangling index files). Returns what it removed, a dict: ``{"temp_files",
        "entries", "index_files", "objects", "bytes"}``."""
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_store_gc_json, self._pointer(), out)
        return take_json(out)

    def __repr__(self):
        if self.closed:
            return "<Store (closed)>"
        return "<Store %r>" % (self.path,)

