"""The producer side: build, concatenate, compose and rewrite maps.

Every operation returns a :class:`Builder`; ``builder.to_json()`` gives the map's text
and ``builder.build()`` a queryable :class:`mapback.SourceMap`.
"""

from __future__ import absolute_import

import json
import threading

from mapback._lowlevel import (
    RustObject,
    call_with_loader,
    encode_options,
    ffi,
    lib,
    loader_callback,
    optional_text_arg,
    rustcall,
    take_text,
    text_arg,
    text_type,
    wrap_handle,
    wraps_handle,
)
from mapback.exceptions import ConcurrentUseError
from mapback.sourcemap import SourceMap

__all__ = ["Builder", "concat", "compose", "add_debug_id_comment", "text_end_position"]

_NONE = lib.MAPBACK_NONE


def _as_map(value, what):
    """A SourceMap from a SourceMap, or from JSON bytes or text."""
    if isinstance(value, SourceMap):
        return value
    if isinstance(value, (bytes, text_type)):
        return SourceMap.from_bytes(value)
    raise TypeError("%s must be a SourceMap, bytes or text, not %s" % (what, type(value).__name__))


class _Guard(object):
    """Refuses a second thread while the first is inside a builder call."""

    __slots__ = ("_lock", "_builder")

    def __init__(self, lock, builder):
        self._lock = lock
        self._builder = builder

    def __enter__(self):
        if not self._lock.acquire(False):
            raise ConcurrentUseError(
                "this Builder is in use by another thread; a Builder is not thread-safe "
                "(use one per thread, or a lock of your own)",
                -1,
            )
        try:
            return self._builder._pointer()
        except BaseException:
            # A closed builder: __exit__ will not run, so release here, or every later
            # call would report a phantom second thread.
            self._lock.release()
            raise

    def __exit__(self, *exc_info):
        self._lock.release()


@wraps_handle("mapback_builder *")
class Builder(RustObject):
    """A source map under construction.

    ``Builder(file=None, source_root=None, debug_id=None)`` starts empty;
    :meth:`from_map` starts from a map. Add sources and names (deduplicated by text)
    and mappings (in any order), then :meth:`to_json` or :meth:`build`. Output is
    deterministic. Not thread-safe: a call from a second thread while another is in
    progress raises :class:`mapback.ConcurrentUseError` instead of racing.
    """

    __slots__ = ("_lock",)
    _free_function = "mapback_builder_free"

    def __init__(self, file=None, source_root=None, debug_id=None):  # noqa: super not called
        self._ptr = ffi.gc(rustcall(lib.mapback_builder_new), lib.mapback_builder_free)
        self._lock = threading.Lock()
        if file is not None:
            self.set_file(file)
        if source_root is not None:
            self.set_source_root(source_root)
        if debug_id is not None:
            self.set_debug_id(debug_id)

    @classmethod
    def _wrap(cls, pointer):
        instance = cls._from_pointer(pointer)
        instance._lock = threading.Lock()
        return instance

    @classmethod
    def from_map(cls, source_map):
        """A builder holding everything ``source_map`` holds (an index map comes out
        flattened), to edit and re-encode."""
        source_map = _as_map(source_map, "source_map")
        return cls._wrap(rustcall(lib.mapback_builder_from_map, source_map._pointer()))

    def _use(self):
        return _Guard(self._lock, self)

    def _set_text(self, function, value, what):
        buffer, length = optional_text_arg(value, what)
        with self._use() as pointer:
            rustcall(function, pointer, buffer, length)

    def set_file(self, file):
        """Set the ``file`` field (None removes it)."""
        self._set_text(lib.mapback_builder_set_file, file, "file")

    def set_source_root(self, source_root):
        """Set the ``sourceRoot`` field (None or "" removes it)."""
        self._set_text(lib.mapback_builder_set_source_root, source_root, "source_root")

    def set_debug_id(self, debug_id):
        """Set the ``debugId`` (a UUID string; None removes it). Raises
        :class:`mapback.InvalidDebugIdError` for anything else."""
        self._set_text(lib.mapback_builder_set_debug_id, debug_id, "debug_id")

    def set_scopes(self, record):
        """Set the scopes proposal's original scopes and generated ranges from a dict in
        the shape :meth:`SourceMap.scopes` returns (``"sources"`` each with ``"scope"``,
        or ``"rootScopes"`` for the per-source format, and ``"ranges"``); None removes
        them. Names are added as by :meth:`add_name`. Raises
        :class:`mapback.InvalidArgumentError` (the builder unchanged) for a record of
        the wrong shape or one the encoding cannot hold."""
        text = None if record is None else json.dumps(record)
        self._set_text(lib.mapback_builder_set_scopes_json, text, "scopes")

    def add_source(self, name, content=None, ignored=False):
        """The index of source ``name`` (added if new; None adds a null source), with
        its content and ignore-list flag set when given."""
        buffer, length = optional_text_arg(name, "name")
        with self._use() as pointer:
            index = rustcall(lib.mapback_builder_add_source, pointer, buffer, length)
        if content is not None:
            self.set_source_content(index, content)
        if ignored:
            self.set_source_ignored(index, True)
        return index

    def set_source_content(self, index, content):
        """Set the content of source ``index`` (None removes it)."""
        buffer, length = optional_text_arg(content, "content")
        with self._use() as pointer:
            rustcall(lib.mapback_builder_set_source_content, pointer, index, buffer, length)

    def set_source_ignored(self, index, ignored=True):
        """Put source ``index`` on the ``ignoreList`` (or take it off)."""
        with self._use() as pointer:
            rustcall(lib.mapback_builder_set_source_ignored, pointer, index, bool(ignored))

    def add_name(self, name):
        """The index of name ``name`` (added if new)."""
        buffer, length = text_arg(name, "name")
        with self._use() as pointer:
            return rustcall(lib.mapback_builder_add_name, pointer, buffer, length)

    def add_mapping(
        self,
        generated_line,
        generated_column,
        source=None,
        original_line=None,
        original_column=None,
        name=None,
    ):
        """Map a generated position (0-based line, UTF-16 column) to an original one.

        ``source`` is a source index or name (a name is added as needed); without it
        the generated position is marked unmapped. ``name`` is a name index or text.
        """
        self.add_mappings([(generated_line, generated_column, source, original_line, original_column, name)])

    def add_mappings(self, mappings):
        """Add many mappings in one native call: tuples ``(generated_line,
        generated_column)`` (unmapped) or ``(generated_line, generated_column, source,
        original_line, original_column[, name])``. All or nothing: a bad one raises and
        none is added."""
        self._add(lib.mapback_builder_add_mappings, mappings)

    def add_range_mapping(
        self,
        generated_line,
        generated_column,
        source,
        original_line,
        original_column,
        name=None,
    ):
        """Add a range mapping (ECMA-426 range mappings proposal): every generated
        position from this one up to the next mapping maps to the original position
        moved by as much (code copied unchanged). Written in ``rangeMappings``."""
        self.add_range_mappings(
            [(generated_line, generated_column, source, original_line, original_column, name)]
        )

    def add_range_mappings(self, mappings):
        """Add many range mappings in one native call, tuples as for
        :meth:`add_mappings`, each with a source (ValueError otherwise)."""
        rows = list(mappings)
        for i, row in enumerate(rows):
            if len(row) < 3 or row[2] is None:
                raise ValueError("range mapping %d has no original position" % i)
        self._add(lib.mapback_builder_add_range_mappings, rows)

    def _add(self, function, mappings):
        rows = list(mappings)
        tokens = ffi.new("mapback_token[]", max(len(rows), 1))
        for i, row in enumerate(rows):
            token = tokens[i]
            token.generated_line = row[0]
            token.generated_column = row[1]
            source = row[2] if len(row) > 2 else None
            if source is None:
                token.source_index = _NONE
                token.original_line = _NONE
                token.original_column = _NONE
                token.name_index = _NONE
                continue
            if isinstance(source, (bytes, text_type)):
                source = self.add_source(source)
            if row[3] is None or row[4] is None:
                raise ValueError("mapping %d has a source but no original line and column" % i)
            token.source_index = source
            token.original_line = row[3]
            token.original_column = row[4]
            name = row[5] if len(row) > 5 else None
            if isinstance(name, (bytes, text_type)):
                name = self.add_name(name)
            token.name_index = _NONE if name is None else name
        with self._use() as pointer:
            rustcall(function, pointer, tokens, len(rows))

    def __len__(self):
        with self._use() as pointer:
            return rustcall(lib.mapback_builder_mapping_count, pointer)

    def to_json(self, include_contents=True, include_names=True):
        """The map as ECMA-426 JSON text: keys in a fixed order, mappings sorted by
        generated position."""
        out = ffi.new("mapback_buf *")
        options = encode_options(include_contents, include_names)
        with self._use() as pointer:
            rustcall(lib.mapback_builder_to_json, pointer, options, out)
        return take_text(out)

    def build(self):
        """The map as a queryable :class:`mapback.SourceMap`."""
        with self._use() as pointer:
            return wrap_handle(rustcall(lib.mapback_builder_build, pointer))

    def __repr__(self):
        if self.closed:
            return "<Builder (closed)>"
        return "<Builder %d mappings>" % len(self)


def text_end_position(text):
    """(line, column) just past the end of ``text``: its count of line terminators and
    the UTF-16 length of its last line."""
    buffer, length = text_arg(text, "text")
    line = ffi.new("uint32_t *")
    column = ffi.new("uint32_t *")
    rustcall(lib.mapback_text_end_position, buffer, length, line, column)
    return line[0], column[0]


def concat(pieces, separator="\n", index_map=False, file=None, include_contents=True):
    """Join pieces of generated code and their maps.

    ``pieces`` is a list of ``(code, map)``: ``map`` a :class:`mapback.SourceMap`, JSON
    bytes or text, or None for code without a map. Returns ``(code, builder)``, the
    joined code and a :class:`Builder` of one flat map; with ``index_map=True``,
    ``(code, json_text)`` of an index map with one section per piece instead.
    """
    pieces = list(pieces)
    separator_end = text_end_position(separator)
    structs = ffi.new("mapback_concat_piece[]", max(len(pieces), 1))
    maps = []  # keeps the pieces' maps alive until the native call returns
    line = column = 0
    codes = []
    for i, (code, source_map) in enumerate(pieces):
        if isinstance(code, bytes):
            code = code.decode("utf-8")
        codes.append(code)
        source_map = None if source_map is None else _as_map(source_map, "map of piece %d" % i)
        maps.append(source_map)
        structs[i].map = ffi.NULL if source_map is None else source_map._pointer()
        structs[i].line = line
        structs[i].column = column
        ends = [text_end_position(code)]
        if i + 1 < len(pieces):
            ends.append(separator_end)
        for lines, columns in ends:
            if lines:
                line, column = line + lines, columns
            else:
                column += columns
    joined = separator.join(codes)
    if index_map:
        buffer, length = optional_text_arg(file, "file")
        out = ffi.new("mapback_buf *")
        options = encode_options(include_contents, True)
        rustcall(lib.mapback_sourcemap_concat_index, structs, len(pieces), buffer, length, options, out)
        return joined, take_text(out)
    builder = Builder._wrap(rustcall(lib.mapback_sourcemap_concat, structs, len(pieces)))
    if file is not None:
        builder.set_file(file)
    return joined, builder


def compose(maps, loader=None):
    """Compose a chain of maps into one that points at the original sources.

    ``maps`` is a list, outermost (the last build step's map) first; each further map
    is the map of the single source of the one before it. ``loader(name)``, when given,
    is called with the name of each source of the last map, and recursively of the maps
    it returns (``sourceRoot`` applied, and resolved against the file the listing map
    belongs to, so names are relative to the outermost map, as in the output): return
    a :class:`mapback.SourceMap` (or JSON
    bytes/text) for an intermediate file, None for an original source. An exception in
    the loader propagates. Returns a :class:`Builder`.

    Each mapping of the outer map is traced down with greatest-lower-bound lookups on
    the same line; the innermost name wins; a mapping whose trace falls off an inner
    map becomes unmapped.
    """
    chain = [_as_map(m, "maps[%d]" % i) for i, m in enumerate(maps)]
    pointers = ffi.new("mapback_sourcemap *[]", [m._pointer() for m in chain] or [ffi.NULL])
    loaded = []  # keeps the maps the loader returned alive until the call returns
    failures = []

    def give(out, found, name):
        found = _as_map(found, "the loader's result for %r" % name)
        loaded.append(found)
        rustcall(lib.mapback_fetched_set_map, out, found._pointer())

    callback = loader_callback(loader, give, failures.append) if loader is not None else ffi.NULL
    pointer = call_with_loader(
        lib.mapback_sourcemap_compose, failures, pointers, len(chain), callback, ffi.NULL
    )
    # `loaded` and `chain` kept the maps alive through the call; the result owns its data.
    return Builder._wrap(pointer)


def rewrite(
    source_map,
    drop_names=False,
    sources_content="keep",
    loader=None,
    prefixes=None,
    source_root=None,
    debug_id=None,
):
    """See :meth:`mapback.SourceMap.rewrite` (which this calls)."""
    return source_map.rewrite(drop_names, sources_content, loader, prefixes, source_root, debug_id)


def add_debug_id_comment(code, debug_id):
    """``code`` with a ``//# debugId=`` comment: an existing one is replaced, else it
    goes before a trailing ``sourceMappingURL`` comment, else at the end."""
    code_buffer, code_length = text_arg(code, "code")
    id_buffer, id_length = text_arg(debug_id, "debug_id")
    out = ffi.new("mapback_buf *")
    rustcall(lib.mapback_text_add_debug_id, code_buffer, code_length, id_buffer, id_length, out)
    return take_text(out)
