"""The validator: :func:`validate` lists every problem of a source map, not only the
first, as a dict (the library's JSON report; docs/validate.md lists the codes).
"""

from __future__ import absolute_import

from mapback._lowlevel import (
    ffi,
    lib,
    map_bytes,
    optional_text_arg,
    rustcall,
    take_json,
)

__all__ = ["validate"]


def validate(map_bytes_or_path, script=None):
    """Every problem of a source map, as a dict::

        {"valid": bool, "error_count": int, "warning_count": int,
         "errors": [problem, ...], "warnings": [problem, ...], "omitted": {code: count}}

    Each problem is ``{"code", "severity", "message"}`` with ``"offset"`` (a byte of the
    map), ``"path"`` (such as ``"sources[3]"``) and ``"generated_line"`` /
    ``"generated_column"`` (0-based) when known. ``valid`` is true when there is no
    error (warnings allowed). A map that cannot be decoded at all gives a report with
    one error, not an exception.

    ``map_bytes_or_path``: the map's bytes, or a path (text or ``os.PathLike``) to read
    (``IOError``/``OSError`` when it cannot be read). ``script``: the generated file's
    text (or UTF-8 bytes), to check columns against its lines and its ``debugId``
    comment against the map's. At most 100 problems of one code are listed; the rest
    are counted in ``omitted``.
    """
    data = map_bytes(map_bytes_or_path)
    buffer = ffi.from_buffer("uint8_t[]", data) if data else ffi.new("uint8_t[1]")
    script_buffer, script_len = optional_text_arg(script, "script")
    out = ffi.new("mapback_buf *")
    rustcall(lib.mapback_sourcemap_validate, buffer, len(data), script_buffer, script_len, out)
    return take_json(out)
