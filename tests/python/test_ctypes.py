"""The C ABI driven from Python through ctypes alone, without the mapback package.

This checks that include/mapback.h can be bound by hand: the structs below mirror the
header field by field. The library is $MAPBACK_LIBRARY if set, else
<repo>/target/release/libmapback.so (`cargo build --release`); the module is skipped
only when that file does not exist.

Kept compatible with Python 2.7 and 3.6+ syntax: no f-strings, no annotations.
"""

from __future__ import absolute_import, division, print_function

import ctypes
import os
import re

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LIBRARY = os.environ.get("MAPBACK_LIBRARY") or os.path.join(
    ROOT, "target", "release", "libmapback.so"
)
DEMO_MAP = os.path.join(ROOT, "examples", "demo", "bundle.min.js.map")

if not os.path.isfile(LIBRARY):
    pytest.skip(
        "C library not found at %s: run `cargo build --release` or set MAPBACK_LIBRARY"
        % LIBRARY,
        allow_module_level=True,
    )

# Constants from include/mapback.h.
MAPBACK_ABI_VERSION = 3
MAPBACK_NONE = 0xFFFFFFFF
MAPBACK_BIAS_GREATEST_LOWER_BOUND = 0
MAPBACK_BIAS_LEAST_UPPER_BOUND = 1
MAPBACK_ERROR_INVALID_JSON = 101
MAPBACK_ERROR_INDEX_OUT_OF_RANGE = 502
MAPBACK_ERROR_INVALID_BASE_URL = 503
MAPBACK_ERROR_NULL_POINTER = 902

# Ground truth for the demo map: 0-based generated (line, column) ->
# (source, original line, original column, name).
DEMO_FRAMES = [
    ((0, 1035), ("app/src/pricing.js", 36, 10, None)),
    ((0, 1610), ("app/src/checkout.js", 7, 21, "applyCoupon")),
    ((1, 139), ("app/src/checkout.js", 32, 17, "priceCart")),
    ((1, 411), ("app/src/main.js", 19, 17, None)),
]


class MapbackError(ctypes.Structure):
    """struct mapback_error."""

    _fields_ = [
        ("code", ctypes.c_int32),
        ("message", ctypes.c_char_p),  # char *, owned by the library
        ("offset", ctypes.c_int64),
    ]


class MapbackDecodeLimits(ctypes.Structure):
    """struct mapback_decode_limits (0 fields: the defaults)."""

    _fields_ = [
        ("max_input_bytes", ctypes.c_size_t),
        ("max_mappings", ctypes.c_size_t),
        ("max_sources", ctypes.c_size_t),
        ("max_names", ctypes.c_size_t),
    ]


class MapbackParseOptions(ctypes.Structure):
    """struct mapback_parse_options."""

    _fields_ = [
        ("strict", ctypes.c_bool),
        ("base_url", ctypes.POINTER(ctypes.c_uint8)),
        ("base_url_len", ctypes.c_size_t),
        ("limits", MapbackDecodeLimits),
    ]


class MapbackLookupOptions(ctypes.Structure):
    """struct mapback_lookup_options."""

    _fields_ = [
        ("bias", ctypes.c_uint32),
        ("same_line", ctypes.c_bool),
    ]


class MapbackToken(ctypes.Structure):
    """struct mapback_token."""

    _fields_ = [
        ("token_index", ctypes.c_uint32),
        ("generated_line", ctypes.c_uint32),
        ("generated_column", ctypes.c_uint32),
        ("source_index", ctypes.c_uint32),
        ("original_line", ctypes.c_uint32),
        ("original_column", ctypes.c_uint32),
        ("name_index", ctypes.c_uint32),
    ]


class MapbackStr(ctypes.Structure):
    """struct mapback_str: borrowed, NOT NUL-terminated (so not c_char_p)."""

    _fields_ = [
        ("data", ctypes.POINTER(ctypes.c_char)),
        ("len", ctypes.c_size_t),
    ]

    def text(self):
        return ctypes.string_at(self.data, self.len).decode("utf-8")


_map_p = ctypes.c_void_p  # const mapback_sourcemap * (opaque)
_u8_p = ctypes.POINTER(ctypes.c_uint8)
_u32 = ctypes.c_uint32
_u32_p = ctypes.POINTER(ctypes.c_uint32)
_size = ctypes.c_size_t
_err_p = ctypes.POINTER(MapbackError)
_str_p = ctypes.POINTER(MapbackStr)
_token_p = ctypes.POINTER(MapbackToken)
_lookup_p = ctypes.POINTER(MapbackLookupOptions)

# name: (restype, argtypes), as declared in include/mapback.h.
_PROTOTYPES = {
    "mapback_version": (ctypes.c_char_p, []),
    "mapback_abi_version": (_u32, []),
    "mapback_error_clear": (None, [_err_p]),
    "mapback_sourcemap_parse": (
        _map_p,
        [_u8_p, _size, ctypes.POINTER(MapbackParseOptions), _err_p],
    ),
    "mapback_sourcemap_free": (None, [_map_p]),
    "mapback_sourcemap_lookup": (
        ctypes.c_bool,
        [_map_p, _u32, _u32, _lookup_p, _token_p, _err_p],
    ),
    "mapback_sourcemap_lookup_many": (
        _size,
        [_map_p, _u32_p, _u32_p, _size, _lookup_p, _token_p, _err_p],
    ),
    "mapback_sourcemap_token_count": (_size, [_map_p, _err_p]),
    "mapback_sourcemap_source_count": (_size, [_map_p, _err_p]),
    "mapback_sourcemap_source_name": (ctypes.c_bool, [_map_p, _u32, _str_p, _err_p]),
    "mapback_sourcemap_source_url": (ctypes.c_bool, [_map_p, _u32, _str_p, _err_p]),
    "mapback_sourcemap_source_path": (ctypes.c_bool, [_map_p, _u32, _str_p, _err_p]),
    "mapback_sourcemap_name_count": (_size, [_map_p, _err_p]),
    "mapback_sourcemap_name": (ctypes.c_bool, [_map_p, _u32, _str_p, _err_p]),
}


def _load():
    lib = ctypes.cdll.LoadLibrary(LIBRARY)
    for name, (restype, argtypes) in _PROTOTYPES.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


lib = _load()


def _bytes_arg(data):
    """(const uint8_t *, size_t) for a bytes object; the array must outlive the call."""
    array = (ctypes.c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
    return array, len(data)


def parse(data, base_url=None, strict=False, err=None):
    """Returns a map handle (an int) or None; the caller frees it."""
    array, length = _bytes_arg(data)
    options = MapbackParseOptions(strict, None, 0)
    if base_url is not None:
        base, base_len = _bytes_arg(base_url)
        options.base_url = ctypes.cast(base, _u8_p)
        options.base_url_len = base_len
    else:
        base = None
    if err is None:
        err = MapbackError()
    handle = lib.mapback_sourcemap_parse(
        ctypes.cast(array, _u8_p), length, ctypes.byref(options), ctypes.byref(err)
    )
    del base  # kept alive until the call returned
    return handle


def read_string(function, handle, index):
    """Calls a (map, index, mapback_str *, err) getter; the text, or None if false."""
    out = MapbackStr()
    err = MapbackError()
    found = function(handle, index, ctypes.byref(out), ctypes.byref(err))
    assert err.code == 0, err.message
    if not found:
        return None
    assert bool(out.data)  # never NULL when written
    return out.text()


@pytest.fixture(scope="module")
def demo_bytes():
    with open(DEMO_MAP, "rb") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def demo(demo_bytes):
    err = MapbackError()
    handle = parse(demo_bytes, err=err)
    assert handle, "parse failed: %r" % (err.message,)
    assert err.code == 0 and err.message is None
    yield handle
    lib.mapback_sourcemap_free(handle)


def test_struct_layout():
    pointer = ctypes.sizeof(ctypes.c_void_p)
    assert ctypes.sizeof(MapbackToken) == 7 * 4
    assert ctypes.sizeof(MapbackStr) == 2 * pointer
    assert MapbackError.message.offset == ctypes.alignment(ctypes.c_void_p)
    if pointer == 8:  # LP64: int32 + pad, pointer, int64
        assert ctypes.sizeof(MapbackError) == 24
        assert ctypes.sizeof(MapbackParseOptions) == 24 + 4 * 8  # + mapback_decode_limits
        assert ctypes.sizeof(MapbackLookupOptions) == 8


def test_versions():
    assert lib.mapback_abi_version() == MAPBACK_ABI_VERSION
    with open(os.path.join(ROOT, "Cargo.toml")) as handle:
        crate = re.search(r'^version = "([^"]+)"', handle.read(), re.M).group(1)
    assert lib.mapback_version().decode("ascii") == crate


def test_demo_counts(demo):
    err = MapbackError()
    assert lib.mapback_sourcemap_token_count(demo, ctypes.byref(err)) == 608
    assert lib.mapback_sourcemap_source_count(demo, ctypes.byref(err)) == 5
    assert lib.mapback_sourcemap_name_count(demo, ctypes.byref(err)) == 62
    assert err.code == 0


@pytest.mark.parametrize("position,expected", DEMO_FRAMES)
def test_demo_lookup(demo, position, expected):
    line, column = position
    source, original_line, original_column, name = expected
    token = MapbackToken()
    err = MapbackError()
    found = lib.mapback_sourcemap_lookup(
        demo, line, column, None, ctypes.byref(token), ctypes.byref(err)
    )
    assert found and err.code == 0
    assert (token.generated_line, token.generated_column) == (line, column)
    assert token.source_index != MAPBACK_NONE
    assert (token.original_line, token.original_column) == (
        original_line,
        original_column,
    )
    assert read_string(lib.mapback_sourcemap_source_path, demo, token.source_index) == source
    assert read_string(lib.mapback_sourcemap_source_name, demo, token.source_index) == source
    if name is None:
        assert token.name_index == MAPBACK_NONE
    else:
        assert read_string(lib.mapback_sourcemap_name, demo, token.name_index) == name


def test_lookup_bias_and_many(demo):
    err = MapbackError()
    token = MapbackToken()
    lub = MapbackLookupOptions(MAPBACK_BIAS_LEAST_UPPER_BOUND, True)
    assert lib.mapback_sourcemap_lookup(
        demo, 0, 1037, ctypes.byref(lub), ctypes.byref(token), ctypes.byref(err)
    )
    assert (token.generated_column, token.original_line, token.original_column) == (
        1039,
        36,
        14,
    )

    # Column 0 of line 0 comes before the first token: a NONE slot.
    lines = (ctypes.c_uint32 * 3)(0, 0, 1)
    columns = (ctypes.c_uint32 * 3)(1035, 0, 139)
    out = (MapbackToken * 3)()
    found = lib.mapback_sourcemap_lookup_many(
        demo, lines, columns, 3, None, out, ctypes.byref(err)
    )
    assert found == 2 and err.code == 0
    assert (out[0].original_line, out[0].original_column) == (36, 10)
    assert out[1].token_index == MAPBACK_NONE and out[1].source_index == MAPBACK_NONE
    assert (out[2].original_line, out[2].original_column) == (32, 17)


def test_base_url(demo_bytes):
    handle = parse(demo_bytes, base_url=b"https://example.com/static/bundle.min.js.map")
    assert handle
    try:
        assert (
            read_string(lib.mapback_sourcemap_source_url, handle, 1)
            == "https://example.com/static/app/src/pricing.js"
        )
    finally:
        lib.mapback_sourcemap_free(handle)

    err = MapbackError()
    assert parse(demo_bytes, base_url=b"static/bundle.min.js.map", err=err) is None
    assert err.code == MAPBACK_ERROR_INVALID_BASE_URL
    lib.mapback_error_clear(ctypes.byref(err))


def test_invalid_json_fills_error():
    err = MapbackError()
    assert err.code == 0 and err.message is None  # zero-initialised
    assert parse(b'{"version": 3, oops}', err=err) is None
    assert err.code == MAPBACK_ERROR_INVALID_JSON
    message = err.message.decode("utf-8")
    assert "JSON" in message
    assert 0 <= err.offset < len(b'{"version": 3, oops}')

    lib.mapback_error_clear(ctypes.byref(err))
    assert err.code == 0
    assert err.message is None
    assert err.offset == -1
    lib.mapback_error_clear(None)  # NULL is allowed


def test_error_reuse_and_index_errors(demo):
    err = MapbackError()
    out = MapbackStr()
    for index in range(62, 262):
        assert not lib.mapback_sourcemap_name(demo, index, ctypes.byref(out), ctypes.byref(err))
        assert err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE
        assert str(index) in err.message.decode("utf-8")
    # A successful call resets the struct.
    assert lib.mapback_sourcemap_name(demo, 0, ctypes.byref(out), ctypes.byref(err))
    assert (err.code, err.message, err.offset) == (0, None, -1)
    assert out.text() == "LineItem"


def test_null_map():
    err = MapbackError()
    assert lib.mapback_sourcemap_token_count(None, ctypes.byref(err)) == 0
    assert err.code == MAPBACK_ERROR_NULL_POINTER
    lib.mapback_error_clear(ctypes.byref(err))
    lib.mapback_sourcemap_free(None)


def test_parse_and_free_many(demo_bytes):
    for _ in range(20):
        handle = parse(demo_bytes)
        assert handle
        lib.mapback_sourcemap_free(handle)
