"""Decoded source maps: :class:`SourceMap`, :class:`Token`, :class:`Source`.

Lines and columns are 0-based everywhere; columns count UTF-16 code units, as
ECMA-426 says. Browsers print 1-based positions in stack traces: subtract one.
"""

from __future__ import absolute_import

import array
import collections
import threading

from mapback._lowlevel import (
    RustObject,
    decode_str,
    encode_text,
    ffi,
    lib,
    raise_error,
    rustcall,
    take_buffer,
    text_type,
)
from mapback.exceptions import exception_class

__all__ = [
    "DecodeLimits",
    "SourceMap",
    "Cache",
    "open_cache",
    "Context",
    "Token",
    "LookupBatch",
    "Source",
    "Diagnostic",
    "GREATEST_LOWER_BOUND",
    "LEAST_UPPER_BOUND",
]

#: Take the closest token at or before the position (the default).
GREATEST_LOWER_BOUND = lib.MAPBACK_BIAS_GREATEST_LOWER_BOUND
#: Take the closest token at or after the position.
LEAST_UPPER_BOUND = lib.MAPBACK_BIAS_LEAST_UPPER_BOUND

_NONE = lib.MAPBACK_NONE
_BIASES = (GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND)


class DecodeLimits(object):
    """Bounds on what decoding one map may take, checked before memory is allocated.

    A map over a bound raises :class:`mapback.InputTooLargeError`. ``None`` (the
    default for each) keeps the library's default: 256 MiB of input, 33,554,432
    mappings, 1,048,576 sources, 4,194,304 names. :attr:`UNLIMITED` lifts them all
    (up to the format's 4 GiB input limit): for trusted input only.
    """

    __slots__ = ("max_input_bytes", "max_mappings", "max_sources", "max_names")

    def __init__(self, max_input_bytes=None, max_mappings=None, max_sources=None, max_names=None):
        for field, value in zip(self.__slots__, (max_input_bytes, max_mappings, max_sources, max_names)):
            setattr(self, field, _positive_or_none(value, field))

    def _fill(self, struct):
        """Copies the bounds into a ``mapback_decode_limits`` (0 means the default)."""
        for field in self.__slots__:
            setattr(struct, field, getattr(self, field) or 0)

    def __repr__(self):
        fields = ", ".join(
            "%s=%d" % (field, getattr(self, field)) for field in self.__slots__ if getattr(self, field)
        )
        return "DecodeLimits(%s)" % fields


def _positive_or_none(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, _INTEGER_TYPES) or value <= 0:
        raise TypeError("%s must be a positive integer or None, not %r" % (name, value))
    return min(value, _SIZE_MAX)


_INTEGER_TYPES = (int, type(2**64))  # (int, long) on Python 2
_SIZE_MAX = int(ffi.cast("size_t", -1))
DecodeLimits.UNLIMITED = DecodeLimits(_SIZE_MAX, _SIZE_MAX, _SIZE_MAX, _SIZE_MAX)


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
    return Token(
        source_map,
        raw.token_index,
        raw.generated_line,
        raw.generated_column,
        raw.source_index,
        raw.original_line,
        raw.original_column,
        raw.name_index,
    )


_scratch = threading.local()


def _lookup_scratch():
    """This thread's out-parameters for :meth:`SourceMap.lookup`.

    Allocating them per call costs more than the lookup; sharing them between threads
    would race, since cffi releases the GIL during the call. The token is written into
    an ``array('I')``, whose unpacking is cheaper than reading cdata fields.
    """
    try:
        return _scratch.lookup
    except AttributeError:
        fields = array.array("I", [0] * 7)
        view = ffi.from_buffer(fields)  # keeps `fields` alive
        scratch = (fields, ffi.cast("mapback_token *", view), ffi.new("mapback_error *"), view)
        _scratch.lookup = scratch
        return scratch


_lookup_function = lib.mapback_sourcemap_lookup


#: Lines around a position of an original source, in the field names error trackers use.
Context = collections.namedtuple("Context", ["pre_context", "context_line", "post_context"])


class Token(object):
    """One mapping: a generated position and, usually, an original one.

    ``source``, ``original_line`` and ``original_column`` are None for a segment with
    no original position; ``name`` is None when the segment has none.
    """

    __slots__ = (
        "_map",
        "index",
        "generated_line",
        "generated_column",
        "source_index",
        "original_line",
        "original_column",
        "name_index",
    )

    def __init__(
        self,
        source_map,
        index,
        generated_line,
        generated_column,
        source_index,
        original_line,
        original_column,
        name_index,
    ):
        # Plain ints as the C side writes them (MAPBACK_NONE for absent); positional,
        # because lookups create one Token per call.
        self._map = source_map
        self.index = index
        self.generated_line = generated_line
        self.generated_column = generated_column
        if source_index == _NONE:
            self.source_index = self.original_line = self.original_column = None
        else:
            self.source_index = source_index
            self.original_line = original_line
            self.original_column = original_column
        self.name_index = None if name_index == _NONE else name_index

    @property
    def has_original(self):
        """Whether the token maps to an original position."""
        return self.source_index is not None

    @property
    def source(self):
        """The :class:`Source`, or None."""
        if self.source_index is None:
            return None
        return self._map.sources[self.source_index]

    @property
    def name(self):
        """The original name at this position, or None."""
        if self.name_index is None:
            return None
        return self._map.names[self.name_index]

    def as_dict(self):
        """A plain dict of the token's fields, with strings resolved."""
        source = self.source
        return {
            "index": self.index,
            "generated_line": self.generated_line,
            "generated_column": self.generated_column,
            "source": source.path if source is not None else None,
            "source_index": self.source_index,
            "original_line": self.original_line,
            "original_column": self.original_column,
            "name": self.name,
        }

    def _key(self):
        return (
            self.index,
            self.generated_line,
            self.generated_column,
            self.source_index,
            self.original_line,
            self.original_column,
            self.name_index,
        )

    def __eq__(self, other):
        if not isinstance(other, Token):
            return NotImplemented
        return self._map is other._map and self._key() == other._key()

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        source = self.source
        if source is None:
            return "<Token %d:%d (no original)>" % (self.generated_line, self.generated_column)
        return "<Token %d:%d -> %s:%d:%d%s>" % (
            self.generated_line,
            self.generated_column,
            source.path,
            self.original_line,
            self.original_column,
            "" if self.name is None else " %s" % self.name,
        )


class LookupBatch(object):
    """The results of :meth:`SourceMap.lookup_batch`, one per position, as columns.

    Each column is an ``array('I')`` with one value per position: ``token_index``,
    ``generated_line``, ``generated_column``, ``source_index``, ``original_line``,
    ``original_column`` and ``name_index``. ``NONE`` (``0xFFFFFFFF``) marks what is
    absent: every field when no token covers the position, the source and original
    position of a token without one, the name of a token without one. Columns are
    copied out of the native results on first access; :meth:`token` builds a
    :class:`Token` for one position.
    """

    __slots__ = ("_map", "_fields", "_columns", "found")

    NONE = _NONE
    _FIELDS = (
        "token_index",
        "generated_line",
        "generated_column",
        "source_index",
        "original_line",
        "original_column",
        "name_index",
    )

    def __init__(self, source_map, fields, found):
        self._map = source_map
        self._fields = fields
        self._columns = {}
        #: How many positions a token covers.
        self.found = found

    def __len__(self):
        return len(self._fields) // 7

    def column(self, name):
        """The column ``name`` (one of the field names above) as an ``array('I')``."""
        try:
            return self._columns[name]
        except KeyError:
            pass
        try:
            offset = self._FIELDS.index(name)
        except ValueError:
            raise KeyError("no such column: %r" % (name,))
        values = self._fields[offset::7]
        self._columns[name] = values
        return values

    token_index = property(lambda self: self.column("token_index"))
    generated_line = property(lambda self: self.column("generated_line"))
    generated_column = property(lambda self: self.column("generated_column"))
    source_index = property(lambda self: self.column("source_index"))
    original_line = property(lambda self: self.column("original_line"))
    original_column = property(lambda self: self.column("original_column"))
    name_index = property(lambda self: self.column("name_index"))

    def token(self, position):
        """The :class:`Token` for position ``position``, or None when none covers it."""
        start = position * 7
        fields = self._fields[start:start + 7]
        if len(fields) < 7:
            raise IndexError("position out of range")
        if fields[0] == _NONE:
            return None
        return Token(self._map, *fields)


class Source(object):
    """A source of a map.

    ``name`` is the ``sources`` entry as written; ``url`` the WHATWG-resolved URL
    (``sourceRoot`` + name against the base URL; None without a base URL for a relative
    name); ``path`` the URL if there is one, else the ``sourceRoot``-prefixed name.
    ``content`` is read (and unescaped) on first access.
    """

    __slots__ = ("_map", "index", "name", "url", "path", "ignored", "_content")

    _UNREAD = object()

    def __init__(self, source_map, index):
        self._map = source_map
        self.index = index
        self.name = source_map._string(lib.mapback_sourcemap_source_name, index)
        self.url = source_map._string(lib.mapback_sourcemap_source_url, index)
        self.path = source_map._string(lib.mapback_sourcemap_source_path, index)
        self.ignored = bool(
            rustcall(lib.mapback_sourcemap_source_is_ignored, source_map._pointer(), index)
        )
        self._content = Source._UNREAD

    @property
    def content(self):
        """The ``sourcesContent`` entry, or None."""
        if self._content is Source._UNREAD:
            self._content = self._map._string(lib.mapback_sourcemap_source_content, self.index)
        return self._content

    @property
    def line_count(self):
        """Number of lines of the content (0 without content)."""
        return rustcall(lib.mapback_sourcemap_source_line_count, self._map._pointer(), self.index)

    def line(self, line):
        """Line ``line`` (0-based) of the content without its terminator, or None.

        Lines end at ``\\n``, ``\\r\\n``, ``\\r``, U+2028 and U+2029, as JavaScript counts them.
        """
        if line < 0:
            return None
        return self._map._string(lib.mapback_sourcemap_source_line, self.index, line)

    def context(self, line, before=5, after=5):
        """A :class:`Context` of ``line`` (0-based) with up to ``before`` lines before
        and ``after`` lines after it, or None when the source has no such line."""
        current = self.line(line)
        if current is None:
            return None
        pre = [self.line(n) for n in range(max(0, line - before), line)]
        post = []
        for n in range(line + 1, line + 1 + after):
            text = self.line(n)
            if text is None:
                break
            post.append(text)
        return Context([p for p in pre if p is not None], current, post)

    def __repr__(self):
        return "<Source %d %r%s>" % (self.index, self.path, " ignored" if self.ignored else "")


class Diagnostic(object):
    """A problem the lenient decoder recovered from, or a note.

    ``code`` is the error code, ``kind`` the matching exception class (so a diagnostic
    can be raised or compared with ``issubclass``), ``offset`` the byte offset in the
    input or -1.
    """

    __slots__ = ("code", "message", "offset")

    def __init__(self, code, message, offset):
        self.code = code
        self.message = message
        self.offset = offset

    @property
    def kind(self):
        """The exception class for this diagnostic's code."""
        return exception_class(self.code)

    def __repr__(self):
        return "<Diagnostic %s at %d: %s>" % (self.kind.__name__, self.offset, self.message)


class SourceMap(RustObject):
    """A decoded source map (regular or index map).

    Immutable and safe to share between threads; the native calls release the GIL.
    Create with :meth:`from_bytes` or :meth:`from_path`; release with :meth:`close` or
    a ``with`` block (or let the garbage collector do it).
    """

    # Lazily filled, immutable caches; two threads racing to fill one compute the same
    # value, so no lock is needed.
    __slots__ = ("_sources", "_names")
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
        # The hot path of a symbolicating service: one cffi call and no allocation but
        # the Token; helpers are inlined because each Python call costs ~50 ns here.
        if bias == GREATEST_LOWER_BOUND and same_line is True:
            options = ffi.NULL
        else:
            options = _lookup_options(bias, same_line)
        pointer = self._ptr
        if pointer is None:
            pointer = self._pointer()  # raises ClosedError
        try:
            fields, out, err, _ = _scratch.lookup
        except AttributeError:
            fields, out, err, _ = _lookup_scratch()
        if _lookup_function(pointer, line, column, options, out, err):
            return Token(self, *fields)
        if err.code:
            raise_error(err)
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
            target = encode_text(_fspath(path), "path")
            buffer = ffi.from_buffer("uint8_t[]", target)
            rustcall(lib.mapback_sourcemap_write_cache, self._pointer(), buffer, len(target), options)
            return None
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_sourcemap_to_cache, self._pointer(), options, out)
        return take_buffer(out)

    # Producing ------------------------------------------------------------------

    def to_json(self, include_contents=True, include_names=True):
        """This map as ECMA-426 JSON text (an index map comes out flattened)."""
        options = ffi.new("mapback_encode_options *")
        options.include_contents = bool(include_contents)
        options.include_names = bool(include_names)
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_sourcemap_to_json, self._pointer(), options, out)
        return take_buffer(out).decode("utf-8")

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
        from mapback.produce import rewrite

        return rewrite(self, drop_names, sources_content, loader, prefixes, source_root, debug_id)

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
        view = ffi.new("mapback_str *")
        if rustcall(function, self._pointer(), *(args + (view,))):
            return decode_str(view)
        return None

    @classmethod
    def _wrap(cls, pointer):
        instance = cls._from_pointer(pointer)
        instance._sources = None
        instance._names = None
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


def _fspath(path):
    """``os.fspath`` where it exists (3.6+); on Python 2, the path itself, or what its
    ``__fspath__`` gives (pathlib2 paths have one)."""
    try:
        from os import fspath
    except ImportError:  # Python 2
        to_path = getattr(path, "__fspath__", None)
        return to_path() if to_path is not None else path
    return fspath(path)


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
        target = encode_text(_fspath(path), "path")
        buffer = ffi.from_buffer("uint8_t[]", target)
        return cls._wrap(rustcall(lib.mapback_cache_open, buffer, len(target)))

    @classmethod
    def from_bytes(cls, data):
        """Open a cache held in memory, in O(1).

        An immutable ``bytes`` object is read in place (no copy) and kept alive by the
        cache; anything mutable (``bytearray``, ``memoryview``...) is copied, so later
        changes to it cannot affect the cache.
        """
        buffer = ffi.from_buffer("uint8_t[]", data)
        if type(data) is bytes:
            pointer = rustcall(lib.mapback_cache_from_bytes_borrowed, buffer, len(buffer))
            return cls._wrap(pointer, borrowed=buffer)
        return cls._wrap(rustcall(lib.mapback_cache_from_bytes, buffer, len(buffer)))

    @classmethod
    def from_path(cls, path):
        """Same as :meth:`open`."""
        return cls.open(path)

    def __repr__(self):
        if self.closed:
            return "<Cache (closed)>"
        return "<Cache %d tokens, %d sources>" % (len(self), len(self.sources))


def open_cache(path):
    """Map the cache file at ``path``: see :class:`Cache`."""
    return Cache.open(path)
