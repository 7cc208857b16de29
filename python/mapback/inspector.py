"""The inspector: :func:`inspect_html` makes one self-contained HTML page that shows a
source map beside its script (the two panes with linked spans, every diagnostic of the
validator, the map's facts, each original file's share of the script's bytes, a box to
paste a stack trace). The library computes everything; the page needs no network and
no server. docs/inspect.md describes it.
"""

from __future__ import absolute_import

from mapback._lowlevel import (
    ffi,
    lib,
    map_bytes,
    optional_text_arg,
    rustcall,
    take_buffer,
)

__all__ = ["inspect_html"]


def inspect_html(map_bytes_or_path, script=None, map_name=None, script_name=None):
    """The inspector page of a source map, as UTF-8 bytes of one HTML document.

    ``map_bytes_or_path``: the map's bytes (the document as written: every diagnostic,
    field and index-map section is shown), or a path (text or ``os.PathLike``) to read.
    ``script``: the generated file's text (or UTF-8 bytes); without it the page has no
    generated code and no size attribution. ``map_name`` and ``script_name`` are how
    the page names the two files. A map that cannot be decoded still gives a page (its
    diagnostics and facts). Raises :class:`mapback.InvalidArgumentError` for a script
    that is not UTF-8.
    """
    data = map_bytes(map_bytes_or_path)
    buffer = ffi.from_buffer("uint8_t[]", data) if data else ffi.new("uint8_t[1]")
    keep = []  # the optional arguments' buffers, alive through the call
    arguments = []
    for value, what in ((script, "script"), (map_name, "map_name"), (script_name, "script_name")):
        pointer, length = optional_text_arg(value, what)
        keep.append(pointer)
        arguments.extend((pointer, length))
    out = ffi.new("mapback_buf *")
    rustcall(lib.mapback_sourcemap_inspect_html, buffer, len(data), *(arguments + [out]))
    del keep
    return take_buffer(out)
