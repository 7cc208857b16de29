"""Maps opened from mapback's binary cache: :class:`Cache`, :func:`open_cache`.

A cache is written by :meth:`mapback.SourceMap.to_cache` and answers the same queries
as the map it was written from, after an O(1) open.
"""

from __future__ import absolute_import

from mapback._lowlevel import encode_text, ffi, fspath, lib, rustcall, text_type
from mapback.sourcemap import SourceMap

__all__ = ["Cache", "open_cache"]


def _refuse_decode_options(method, base_url, strict, limits):
    """Raise for the :meth:`SourceMap.from_bytes` options a cache cannot honour.

    They all act while a map is decoded from JSON, which a cache never is: the source
    URLs were resolved (against the map's ``base_url``) before the cache was written
    and are stored resolved; a cache holds no diagnostics for ``strict`` to turn into
    errors; and opening one costs O(1) whatever its size, so ``limits`` has nothing to
    bound. Giving them is a mistake worth hearing about, not a request to ignore.
    """
    refused = []
    if base_url is not None:
        refused.append("base_url (the source URLs were resolved when the cache was written)")
    if strict:
        refused.append("strict=True (a cache is not decoded from JSON)")
    if limits is not None:
        refused.append("limits (opening a cache allocates nothing in proportion to its size)")
    if refused:
        raise TypeError(
            "Cache.%s cannot apply %s: pass them to SourceMap.from_bytes or from_path "
            "before SourceMap.to_cache" % (method, "; ".join(refused))
        )


class Cache(SourceMap):
    """A map opened from a mapback cache: the same queries as :class:`SourceMap`.

    Opening costs O(1) whatever the size: the header and section table are checked
    (with their checksums); :meth:`verify` checks every byte. A cache opened with
    :meth:`open` maps the file into memory: never truncate or rewrite such a file in
    place (write a new file and rename it, as :meth:`SourceMap.to_cache` does).
    """

    # Bytes a cache reads in place (see from_bytes), kept alive as long as the cache.
    __slots__ = ("_borrowed",)

    @classmethod
    def _wrap(cls, pointer, borrowed=None):
        instance = super(Cache, cls)._wrap(pointer)
        instance._borrowed = borrowed
        return instance

    @classmethod
    def open(cls, path):
        """Map the cache file at ``path``."""
        target = encode_text(fspath(path), "path")
        buffer = ffi.from_buffer("uint8_t[]", target)
        return cls._wrap(rustcall(lib.mapback_cache_open, buffer, len(target)))

    @classmethod
    def from_bytes(cls, data, base_url=None, strict=False, limits=None):
        """Open a cache held in memory, in O(1).

        An immutable ``bytes`` object is read in place (no copy) and kept alive by the
        cache; anything mutable (``bytearray``, ``memoryview``...) is copied, so later
        changes to it cannot affect the cache. ``base_url``, ``strict`` and ``limits``
        are :meth:`SourceMap.from_bytes`'s: a cache cannot apply them, so anything but
        their defaults raises TypeError (as does text: a cache is binary).
        """
        _refuse_decode_options("from_bytes", base_url, strict, limits)
        if isinstance(data, text_type):
            raise TypeError("a cache is binary: Cache.from_bytes takes bytes, not text")
        buffer = ffi.from_buffer("uint8_t[]", data)
        if type(data) is bytes:
            pointer = rustcall(lib.mapback_cache_from_bytes_borrowed, buffer, len(buffer))
            return cls._wrap(pointer, borrowed=buffer)
        return cls._wrap(rustcall(lib.mapback_cache_from_bytes, buffer, len(buffer)))

    @classmethod
    def from_path(cls, path, base_url=None, strict=False, limits=None):
        """Same as :meth:`open` (the options are refused as by :meth:`from_bytes`)."""
        _refuse_decode_options("from_path", base_url, strict, limits)
        return cls.open(path)

    def __repr__(self):
        if self.closed:
            return "<Cache (closed)>"
        return "<Cache %d tokens, %d sources>" % (len(self), len(self.sources))


def open_cache(path):
    """Map the cache file at ``path``: see :class:`Cache`."""
    return Cache.open(path)
