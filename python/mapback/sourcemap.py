"""Decoded source maps: :class:`SourceMap`, and the lookups it answers.

Lines and columns are 0-based everywhere; columns count UTF-16 code units, as
ECMA-426 says. Browsers print 1-based positions in stack traces: subtract one. The
values the queries return are in :mod:`mapback.values`; a map opened from the binary
cache is a :class:`mapback.Cache` (:mod:`mapback.cache`).
"""

from __future__ import absolute_import

import array
import struct
import threading

from mapback._lowlevel import (
    RustObject,
    call_with_loader,
    decode_str,
    encode_options,
    encode_text,
    ffi,
    fspath,
    lib,
    loader_callback,
    raise_error,
    rustcall,
    string_or_none,
    take_buffer,
    take_json,
    take_text,
    text_arg,
    text_type,
    wrap_handle,
    wraps_handle,
)
from mapback.exceptions import exception_class
from mapback.inspector import inspect_html
# The value classes lived in this module before mapback.values; importing them all here
# keeps `from mapback.sourcemap import Token` (and the rest) working.
from mapback.values import Context, DecodeLimits, Diagnostic, LookupBatch, Source, Token  # noqa: F401
from mapback.values import token_from_fields

__all__ = ["SourceMap", "GREATEST_LOWER_BOUND", "LEAST_UPPER_BOUND"]

#: Take the closest token at or before the position (the default).
GREATEST_LOWER_BOUND = lib.MAPBACK_BIAS_GREATEST_LOWER_BOUND
#: Take the closest token at or after the position.
LEAST_UPPER_BOUND = lib.MAPBACK_BIAS_LEAST_UPPER_BOUND

# SourceMap.lookup tests `if bias` for the default: it must be 0.
assert GREATEST_LOWER_BOUND == 0, GREATEST_LOWER_BOUND

_NONE = lib.MAPBACK_NONE
_BIASES = (GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND)

#: ``SourceMap.rewrite(sources_content=...)`` -> the C side's choice.
_CONTENTS = {
    "keep": lib.MAPBACK_CONTENTS_KEEP,
    "drop": lib.MAPBACK_CONTENTS_DROP,
    "inline": lib.MAPBACK_CONTENTS_INLINE,
}


def _make_lookup_options():
    # Immutable after creation, so shared by every call and thread. The default
    # (greatest lower bound, same line) is passed as NULL.
    table = {}
    for bias in _BIASES:
        for same_line in (True, False):
            if (bias, same_line) == (GREATEST_LOWER_BOUND, True):
                table[bias, same_line] = ffi.NULL
                continue
            options = ffi.new("mapback_lookup_options *")
            options.bias = bias
            options.same_line = same_line
            table[bias, same_line] = options
    return table


_LOOKUP_OPTIONS = _make_lookup_options()


def _lookup_options(bias, same_line):
    try:
        return _LOOKUP_OPTIONS[bias, bool(same_line)]
    except (KeyError, TypeError):
        raise ValueError(
            "bias must be mapback.GREATEST_LOWER_BOUND or mapback.LEAST_UPPER_BOUND, not %r"
            % (bias,)
        )


def _u32_array(values, what):
    """A ``uint32_t[]`` for a sequence, or a zero-copy view of a uint32 buffer."""
    try:
        view = memoryview(values)
    except TypeError:
        view = None
    if view is not None and view.itemsize == 4 and view.format in ("I", "=I", "<I", "L"):
        return ffi.from_buffer("uint32_t[]", values), len(view)
    try:
        items = array.array("I", values)
    except (TypeError, OverflowError):
        raise TypeError("%s must be a sequence of non-negative integers < 2**32" % what)
    return ffi.from_buffer("uint32_t[]", items), len(items)


def _token(source_map, raw):
    """A :class:`Token` from a ``mapback_token`` cdata."""
    return token_from_fields(
        source_map,
        (
            raw.token_index,
            raw.generated_line,
            raw.generated_column,
            raw.source_index,
            raw.original_line,
            raw.original_column,
            raw.name_index,
        ),
    )


# The default lookup's request (mapback_lookup_request) as 10 uint32 words: the map
# pointer in words 0-1, then the token (words 2-8, from byte 8: index, generated line
# and column, source, original line and column, name), then padding. SourceMap.lookup
# writes the position into words 3 and 4 and unpacks the token from byte 8.
_REQUEST_WORDS = 10
_unpack_all = struct.Struct("=7I").unpack_from  # a token with a name
_unpack_unnamed = struct.Struct("=6I").unpack_from  # without: the name is the 7th field
_FOUND = lib.MAPBACK_LOOKUP_FOUND
_WITH_ORIGINAL = _FOUND | lib.MAPBACK_LOOKUP_HAS_ORIGINAL
_WITH_NAME = _WITH_ORIGINAL | lib.MAPBACK_LOOKUP_HAS_NAME
_lookup_request = lib.mapback_sourcemap_lookup_request


def _new_request(pointer):
    """A lookup request for the map at ``pointer``: (words, request, error, buffer).

    The words are an ``array('I')`` holding the request's memory: the position is
    written into them and the token unpacked from them, cheaper than through cdata
    fields. The buffer keeps them alive.
    """
    words = array.array("I", [0]) * _REQUEST_WORDS
    buffer = ffi.from_buffer(words)
    request = ffi.cast("mapback_lookup_request *", buffer)
    request.map = pointer
    return words, request, ffi.new("mapback_error *"), buffer


@wraps_handle("mapback_sourcemap *")
class SourceMap(RustObject):
    """A decoded source map (regular or index map).

    Immutable and safe to share between threads; the native calls release the GIL.
    Create with :meth:`from_bytes` or :meth:`from_path`; release with :meth:`close` or
    a ``with`` block (or let the garbage collector do it).
    """

    # Lazily filled, immutable caches; two threads racing to fill one compute the same
    # value, so no lock is needed.
    #
    # _requests is a threading.local holding each thread's lookup request: the request
    # names the map, and the GIL is released during the native call, so two threads
    # must not share one (and a request per call would cost more than the lookup).
    __slots__ = ("_sources", "_names", "_requests")
    _free_function = "mapback_sourcemap_free"

    @classmethod
    def from_bytes(cls, data, base_url=None, strict=False, limits=None):
        """Decode a map from bytes (or text).

        ``base_url`` is the map's own absolute URL; sources resolve against it.
        ``strict=True`` turns every optional error of ECMA-426 into an exception;
        otherwise problems the spec allows to recover from are kept in
        :attr:`diagnostics`. ``limits`` (a :class:`DecodeLimits`) bounds the decode.
        Raises a :class:`mapback.DecodeError` subclass.
        """
        data = encode_text(data, "data") if isinstance(data, text_type) else data
        buffer = ffi.from_buffer("uint8_t[]", data)
        options = ffi.new("mapback_parse_options *")
        options.strict = bool(strict)
        if limits is not None:
            if not isinstance(limits, DecodeLimits):
                raise TypeError("limits must be a mapback.DecodeLimits, not %r" % (limits,))
            limits._fill(options.limits)
        if base_url is not None:
            base = encode_text(base_url, "base_url")
            base_buffer = ffi.from_buffer("uint8_t[]", base)
            options.base_url = base_buffer
            options.base_url_len = len(base)
        return cls._wrap(rustcall(lib.mapback_sourcemap_parse, buffer, len(buffer), options))

    @classmethod
    def from_path(cls, path, base_url=None, strict=False, limits=None):
        """Decode a map from a file (see :meth:`from_bytes`)."""
        with open(path, "rb") as handle:
            data = handle.read()
        return cls.from_bytes(data, base_url=base_url, strict=strict, limits=limits)

    # Lookups ---------------------------------------------------------------------

    def lookup(self, line, column, bias=GREATEST_LOWER_BOUND, same_line=True):
        """The token for a generated position (0-based line and column), or None.

        With the default ``bias`` the token at or before the column is found; with
        ``same_line=False`` the search may continue on neighbouring lines.
        """
        # The hot path of a symbolicating service, written for speed (docs/performance.md):
        # this thread's request for this map, no allocation but the Token, helpers inlined
        # (a Python call costs ~40 ns here), and mapback_sourcemap_lookup_request, which
        # takes two arguments where mapback_sourcemap_lookup takes six (cffi spends about
        # 40 ns on each).
        if bias or same_line is not True:  # GREATEST_LOWER_BOUND is 0
            return self._lookup_with_options(line, column, bias, same_line)
        pointer = self._ptr  # held through the call: close() cannot free the map under it
        if pointer is None:
            pointer = self._pointer()  # raises ClosedError
        try:
            words, request, err, _ = self._requests.request
        except AttributeError:  # this thread's first lookup (or the map's)
            words, request, err, _ = self._new_request(pointer)
        words[3] = line  # OverflowError outside 0..2**32-1, TypeError for non-integers
        words[4] = column
        found = _lookup_request(request, err)
        if found == _WITH_ORIGINAL:
            token = Token()
            (
                token.index,
                token.generated_line,
                token.generated_column,
                token.source_index,
                token.original_line,
                token.original_column,
            ) = _unpack_unnamed(words, 8)
            token.name_index = None
            token._map = self
            return token
        if found == _WITH_NAME:
            token = Token()
            (
                token.index,
                token.generated_line,
                token.generated_column,
                token.source_index,
                token.original_line,
                token.original_column,
                token.name_index,
            ) = _unpack_all(words, 8)
            token._map = self
            return token
        if found:
            return token_from_fields(self, _unpack_all(words, 8))
        if err.code:
            raise_error(err)
        return None

    def _new_request(self, pointer):
        """This thread's lookup request for this map, made (with the map's
        threading.local, on its first lookup: an open costs less without it)."""
        requests = self._requests
        if requests is None:
            # Two threads may race here: each request is the one thread's, and a local
            # that loses the race only drops requests that were never shared.
            requests = self._requests = threading.local()
        requests.request = request = _new_request(pointer)
        return request

    def _lookup_with_options(self, line, column, bias, same_line):
        """:meth:`lookup` with a bias or ``same_line`` other than the defaults."""
        options = _lookup_options(bias, same_line)
        out = ffi.new("mapback_token *")
        if rustcall(lib.mapback_sourcemap_lookup, self._pointer(), line, column, options, out):
            return _token(self, out)
        return None

    def lookup_many(self, lines, columns, bias=GREATEST_LOWER_BOUND, same_line=True):
        """Look up many positions in one native call.

        ``lines`` and ``columns`` are sequences of equal length, or uint32 buffers
        (``array('I')``, numpy ``uint32``), used without copying. Returns a list with a
        :class:`Token` or None per position. :meth:`lookup_batch` returns columns
        instead, without a Python object per position.
        """
        batch = self.lookup_batch(lines, columns, bias, same_line)
        return [batch.token(i) for i in range(len(batch))]

    def lookup_batch(self, lines, columns, bias=GREATEST_LOWER_BOUND, same_line=True):
        """Look up many positions in one native call and return a :class:`LookupBatch`:
        the results as columns (``array('I')``), for callers that process positions
        in bulk. See :meth:`lookup_many` for the inputs.
        """
        line_array, count = _u32_array(lines, "lines")
        column_array, column_count = _u32_array(columns, "columns")
        if count != column_count:
            raise ValueError("lines and columns differ in length (%d, %d)" % (count, column_count))
        fields = array.array("I", [0]) * (count * 7)
        view = ffi.from_buffer(fields)  # held through the call, as in _lookup_scratch
        out = ffi.cast("mapback_token *", view)
        found = rustcall(
            lib.mapback_sourcemap_lookup_many,
            self._pointer(),
            line_array,
            column_array,
            count,
            _lookup_options(bias, same_line),
            out,
        )
        return LookupBatch(self, fields, found)

    def original_positions(self, line, column, bias=GREATEST_LOWER_BOUND, same_line=True):
        """Every token at the generated position a lookup finds (a list)."""
        options = _lookup_options(bias, same_line)
        return self._collect(lib.mapback_sourcemap_original_positions, line, column, options)

    def generated_position(self, source, line, column, bias=GREATEST_LOWER_BOUND, same_line=True):
        """The best generated token for an original position, or None.

        ``source`` is a source index, a :class:`Source`, or a name/path/URL.
        """
        index = self._source_index(source)
        if index is None:
            return None
        out = ffi.new("mapback_token *")
        found = rustcall(
            lib.mapback_sourcemap_generated_position,
            self._pointer(),
            index,
            line,
            column,
            _lookup_options(bias, same_line),
            out,
        )
        return _token(self, out) if found else None

    def generated_positions(self, source, line, column=None):
        """All generated tokens for an original line (``column=None``), or for a
        column of it (or the closest column after it on that line)."""
        index = self._source_index(source)
        if index is None:
            return []
        column = _NONE if column is None else column
        return self._collect(lib.mapback_sourcemap_generated_positions, index, line, column)

    def token(self, index):
        """The token at ``index`` in generated order (IndexError when out of range)."""
        if index < 0:
            index += len(self)
        if not 0 <= index < 2 ** 32 - 1:
            raise IndexError("token index out of range")
        out = ffi.new("mapback_token *")
        try:
            rustcall(lib.mapback_sourcemap_token_at, self._pointer(), index, out)
        except exception_class(lib.MAPBACK_ERROR_INDEX_OUT_OF_RANGE):
            raise IndexError("token index out of range")
        return _token(self, out)

    def token_is_range(self, index):
        """Whether the token at ``index`` (generated order) is a range mapping
        (IndexError when out of range)."""
        if index < 0:
            index += len(self)
        if not 0 <= index < 2 ** 32 - 1:
            raise IndexError("token index out of range")
        try:
            return bool(rustcall(lib.mapback_sourcemap_token_is_range, self._pointer(), index))
        except exception_class(lib.MAPBACK_ERROR_INDEX_OUT_OF_RANGE):
            raise IndexError("token index out of range")

    def __len__(self):
        return rustcall(lib.mapback_sourcemap_token_count, self._pointer())

    def __iter__(self):
        pointer = self._pointer()
        out = ffi.new("mapback_token *")
        for index in range(len(self)):
            rustcall(lib.mapback_sourcemap_token_at, pointer, index, out)
            yield _token(self, out)

    # Metadata --------------------------------------------------------------------

    @property
    def line_count(self):
        """Number of generated lines covered by the mappings."""
        return rustcall(lib.mapback_sourcemap_line_count, self._pointer())

    @property
    def sources(self):
        """The sources, as a tuple of :class:`Source`."""
        sources = self._sources
        if sources is None:
            count = rustcall(lib.mapback_sourcemap_source_count, self._pointer())
            sources = tuple(Source(self, index) for index in range(count))
            self._sources = sources
        return sources

    @property
    def names(self):
        """The ``names`` entries, as a tuple of text."""
        names = self._names
        if names is None:
            pointer = self._pointer()
            count = rustcall(lib.mapback_sourcemap_name_count, pointer)
            view = ffi.new("mapback_str *")
            collected = []
            for index in range(count):
                rustcall(lib.mapback_sourcemap_name, pointer, index, view)
                collected.append(decode_str(view))
            names = tuple(collected)
            self._names = names
        return names

    def find_source(self, name):
        """The :class:`Source` whose name, path or URL equals ``name``, or None."""
        index = self._source_index(name)
        return None if index is None else self.sources[index]

    @property
    def file(self):
        """The ``file`` field, or None."""
        return self._string(lib.mapback_sourcemap_file)

    @property
    def debug_id(self):
        """The debug ID (a UUID string), or None."""
        return self._string(lib.mapback_sourcemap_debug_id)

    @property
    def is_index_map(self):
        """Whether the input was an index map."""
        return bool(rustcall(lib.mapback_sourcemap_is_index_map, self._pointer()))

    @property
    def diagnostics(self):
        """Problems recovered from while decoding (lenient mode), and notes."""
        pointer = self._pointer()
        count = rustcall(lib.mapback_sourcemap_diagnostic_count, pointer)
        out = ffi.new("mapback_diagnostic *")
        result = []
        for index in range(count):
            rustcall(lib.mapback_sourcemap_diagnostic, pointer, index, out)
            result.append(Diagnostic(out.code, decode_str(out.message), out.offset))
        return result

    @property
    def heap_size(self):
        """Bytes of native heap memory the map holds (a mapped cache file is not counted)."""
        return rustcall(lib.mapback_sourcemap_heap_size, self._pointer())

    @property
    def is_cache(self):
        """Whether this map was opened from a cache."""
        return bool(rustcall(lib.mapback_sourcemap_is_cache, self._pointer()))

    def verify(self):
        """Check the storage in full: a cache's checksum over every byte (O(size)).
        Raises :class:`mapback.CacheChecksumMismatchError` when the cache was damaged;
        a map decoded from JSON always passes."""
        rustcall(lib.mapback_sourcemap_verify, self._pointer())

    def to_cache(self, path=None, include_contents=True, include_names=True, include_scopes=True):
        """Write this map in mapback's binary cache format.

        With ``path``, the file is written atomically (a temporary file in the same
        directory, then a rename) and None is returned; without, the cache is returned
        as bytes. ``include_contents`` keeps the sources' contents (for context lines),
        ``include_names`` the names, ``include_scopes`` each source's function scopes (so
        symbolication names functions without parsing, even without the contents).
        """
        options = ffi.new("mapback_cache_options *")
        options.include_contents = bool(include_contents)
        options.include_names = bool(include_names)
        options.include_scopes = bool(include_scopes)
        if path is not None:
            target = encode_text(fspath(path), "path")
            buffer = ffi.from_buffer("uint8_t[]", target)
            rustcall(lib.mapback_sourcemap_write_cache, self._pointer(), buffer, len(target), options)
            return None
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_sourcemap_to_cache, self._pointer(), options, out)
        return take_buffer(out)

    def scopes(self):
        """The scopes proposal's original scopes and generated ranges, as a dict in the
        shape of the tc39 golden files: ``{"file", "sources": [{"url", "content",
        "ignored", "scope"}], "ranges": [...]}`` (``"rootScopes"``, a list, instead of
        ``"scope"`` for maps in ecma426 #266's per-source format). A map without scopes
        gives ``None`` scopes and no ranges; a cache gives those of its map. See
        docs/scopes.md."""
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_sourcemap_scopes_json, self._pointer(), out)
        return take_json(out)

    # Producing ------------------------------------------------------------------

    def to_json(self, include_contents=True, include_names=True):
        """This map as ECMA-426 JSON text (an index map comes out flattened)."""
        options = encode_options(include_contents, include_names)
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_sourcemap_to_json, self._pointer(), options, out)
        return take_text(out)

    def to_html(self, script=None, map_name=None, script_name=None):
        """The inspector page of this map (:func:`mapback.inspect_html`), as UTF-8 bytes
        of one self-contained HTML document.

        The page is made from this map as mapback holds it, written out again
        (:meth:`to_json`: an index map comes out flattened, and problems the decoder
        recovered from are already repaired). To see the document as written, with
        every diagnostic, call :func:`mapback.inspect_html` with its bytes or path.
        ``script`` is the generated file's text (or UTF-8 bytes).
        """
        return inspect_html(
            self.to_json().encode("utf-8"),
            script=script,
            map_name=map_name,
            script_name=script_name,
        )

    def flatten(self):
        """This map as a regular map (for an index map: its sections flattened)."""
        return SourceMap.from_bytes(self.to_json())

    def rewrite(
        self,
        drop_names=False,
        sources_content="keep",
        loader=None,
        prefixes=None,
        source_root=None,
        debug_id=None,
    ):
        """A :class:`mapback.Builder` of this map with its metadata rewritten (the
        mappings are unchanged).

        ``drop_names`` removes the names. ``sources_content`` is ``"keep"``, ``"drop"``
        or ``"inline"``: keep the contents and ask ``loader(name) -> text | None`` for
        the missing ones (it is asked only for this map's source names; what it reads
        is the caller's decision). ``prefixes`` (a dict or ``(old, new)`` pairs, tried
        in order) replaces the first matching prefix of each source name (with the old
        ``sourceRoot`` applied); ``""`` strips it. ``source_root`` sets a new
        ``sourceRoot`` ("" for none) in front of the rewritten names. ``debug_id`` sets
        the ``debugId``.
        """
        if sources_content not in _CONTENTS:
            raise ValueError(
                "sources_content must be 'keep', 'drop' or 'inline', not %r" % (sources_content,)
            )
        options = ffi.new("mapback_rewrite_options *")
        options.drop_names = bool(drop_names)
        options.contents = _CONTENTS[sources_content]
        keep = []  # the option strings' buffers, alive until the call returns
        failures = []

        def view(text, what):
            buffer, length = text_arg(text, what)
            keep.append(buffer)
            return buffer, length

        pairs = list(prefixes.items() if isinstance(prefixes, dict) else prefixes or [])
        froms = ffi.new("mapback_str[]", max(len(pairs), 1))
        tos = ffi.new("mapback_str[]", max(len(pairs), 1))
        for i, (old, new) in enumerate(pairs):
            froms[i].data, froms[i].len = view(old, "prefix")
            tos[i].data, tos[i].len = view(new or "", "prefix replacement")
        options.prefixes = froms
        options.prefix_replacements = tos
        options.prefix_count = len(pairs)
        if source_root is not None:
            options.set_source_root = True
            options.source_root.data, options.source_root.len = view(source_root, "source_root")
        if debug_id is not None:
            options.debug_id.data, options.debug_id.len = view(debug_id, "debug_id")

        def give(out, content, name):
            buffer, length = text_arg(content, "the loader's content for %r" % name)
            rustcall(lib.mapback_fetched_set, out, buffer, length)

        callback = None
        if loader is not None:
            callback = loader_callback(loader, give, failures.append)
            options.content_loader = callback
        pointer = call_with_loader(lib.mapback_sourcemap_rewrite, failures, self._pointer(), options)
        # `keep` and `callback` stayed alive through the call (the function's locals).
        # The builder's class lives in mapback.produce, which imports this module.
        return wrap_handle(pointer)

    def context(self, source, line, before=5, after=5):
        """:meth:`Source.context` of a source given by index, :class:`Source` or
        name/path/URL; None when there is no such source or line."""
        index = self._source_index(source)
        if index is None:
            return None
        return self.sources[index].context(line, before, after)

    def __repr__(self):
        if self.closed:
            return "<SourceMap (closed)>"
        return "<SourceMap %d tokens, %d sources>" % (len(self), len(self.sources))

    # Helpers ---------------------------------------------------------------------

    def _collect(self, function, *args):
        """Tokens from a function that fills ``(out, capacity)`` and returns the total:
        call again with a buffer of that size when the first one was too small."""
        pointer = self._pointer()
        capacity = 8
        while True:
            out = ffi.new("mapback_token[]", capacity)
            total = rustcall(function, pointer, *(args + (out, capacity)))
            if total <= capacity:
                return [_token(self, out[i]) for i in range(total)]
            capacity = total

    def _string(self, function, *args):
        """Text from a function that fills a ``mapback_str`` view, or None."""
        return string_or_none(function, self._pointer(), *args)

    @classmethod
    def _wrap(cls, pointer):
        instance = cls._from_pointer(pointer)
        instance._sources = None
        instance._names = None
        instance._requests = None
        return instance

    def _source_index(self, source):
        if isinstance(source, Source):
            return source.index
        if isinstance(source, (int,)) or type(source).__name__ == "long":
            return source if 0 <= source < len(self.sources) else None
        name = encode_text(source, "source")
        buffer = ffi.from_buffer("uint8_t[]", name)
        found = rustcall(lib.mapback_sourcemap_find_source, self._pointer(), buffer, len(name))
        return None if found == _NONE else found

