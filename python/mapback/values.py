"""The values a map's queries return: :class:`Token`, :class:`Source`,
:class:`Context`, :class:`Diagnostic`, :class:`LookupBatch`; and :class:`DecodeLimits`,
the bounds a decode takes.

Lines and columns are 0-based everywhere; columns count UTF-16 code units, as
ECMA-426 says. A :class:`Token` or :class:`Source` refers to its map, which it keeps
alive; only :class:`Source` reads from it (lazily, through the map's handle).
"""

from __future__ import absolute_import

import collections

from mapback._lowlevel import SIZE_MAX, Bounds, lib, rustcall, string_or_none
from mapback.exceptions import exception_class

__all__ = ["DecodeLimits", "Context", "Token", "LookupBatch", "Source", "Diagnostic"]

#: Marks an absent index or position in the C side's tokens.
_NONE = lib.MAPBACK_NONE


class DecodeLimits(Bounds):
    """Bounds on what decoding one map may take, checked before memory is allocated.

    A map over a bound raises :class:`mapback.InputTooLargeError`. ``None`` (the
    default for each) keeps the library's default: 256 MiB of input, 33,554,432
    mappings, 1,048,576 sources, 4,194,304 names. :attr:`UNLIMITED` lifts them all
    (up to the format's 4 GiB input limit): for trusted input only.
    """

    __slots__ = ("max_input_bytes", "max_mappings", "max_sources", "max_names")

    def __init__(self, max_input_bytes=None, max_mappings=None, max_sources=None, max_names=None):
        self._set_fields((max_input_bytes, max_mappings, max_sources, max_names))


DecodeLimits.UNLIMITED = DecodeLimits(SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX)


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

    # No __init__: lookups make a Token per call, and calling the class bare then
    # setting the slots costs less than an __init__ frame (docs/performance.md). Tokens
    # come from a map's queries; token_from_fields below builds one from C fields.

    @property
    def has_original(self):
        """Whether the token maps to an original position."""
        return self.source_index is not None

    @property
    def is_range(self):
        """Whether the mapping is a range mapping (ECMA-426 range mappings proposal).

        A lookup that lands inside one returns the looked-up generated position and the
        original position moved by as much; ``index`` is the range mapping's own (and
        ``SourceMap.token(index)`` the mapping itself). Asked of the map on each access.
        """
        return self._map.token_is_range(self.index)

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


def token_from_fields(source_map, fields):
    """A :class:`Token` of ``source_map`` from the seven ``mapback_token`` fields in
    their C order, as the C side writes them (``MAPBACK_NONE`` for absent values)."""
    token = Token()
    (
        token.index,
        token.generated_line,
        token.generated_column,
        token.source_index,
        token.original_line,
        token.original_column,
        token.name_index,
    ) = fields
    if token.source_index == _NONE:
        token.source_index = token.original_line = token.original_column = None
    if token.name_index == _NONE:
        token.name_index = None
    token._map = source_map
    return token


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
        return token_from_fields(self._map, fields)


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
        pointer = source_map._pointer()
        self.name = string_or_none(lib.mapback_sourcemap_source_name, pointer, index)
        self.url = string_or_none(lib.mapback_sourcemap_source_url, pointer, index)
        self.path = string_or_none(lib.mapback_sourcemap_source_path, pointer, index)
        self.ignored = bool(rustcall(lib.mapback_sourcemap_source_is_ignored, pointer, index))
        self._content = Source._UNREAD

    @property
    def content(self):
        """The ``sourcesContent`` entry, or None."""
        if self._content is Source._UNREAD:
            self._content = string_or_none(
                lib.mapback_sourcemap_source_content, self._map._pointer(), self.index
            )
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
        return string_or_none(lib.mapback_sourcemap_source_line, self._map._pointer(), self.index, line)

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
