"""Look up positions in a source map through libmapback with ctypes alone (no cffi, no
mapback package): the C ABI bound by hand from include/mapback.h.

    python examples/ctypes_lookup.py LIBRARY MAP LINE:COLUMN...

LIBRARY is the path of libmapback.so (target/release/libmapback.so, or the one inside an
installed wheel); positions are 1-based, as stack traces print them. Python 2.7 and 3.x.
"""

from __future__ import print_function

import ctypes
import sys

MAPBACK_NONE = 0xFFFFFFFF


class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int32), ("message", ctypes.c_char_p), ("offset", ctypes.c_int64)]


class Str(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("len", ctypes.c_size_t)]

    def text(self):
        return ctypes.string_at(self.data, self.len).decode("utf-8")


class Token(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in (
        "token_index", "generated_line", "generated_column", "source_index",
        "original_line", "original_column", "name_index")]


def bind(path):
    # RTLD_LOCAL (ctypes' default on Linux): our symbols stay out of the global namespace.
    lib = ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL)
    lib.mapback_sourcemap_parse.restype = ctypes.c_void_p
    lib.mapback_sourcemap_parse.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p,
                                            ctypes.POINTER(Error)]
    lib.mapback_sourcemap_lookup.restype = ctypes.c_bool
    lib.mapback_sourcemap_lookup.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32,
                                             ctypes.c_void_p, ctypes.POINTER(Token),
                                             ctypes.POINTER(Error)]
    for function in (lib.mapback_sourcemap_source_path, lib.mapback_sourcemap_name):
        function.restype = ctypes.c_bool
        function.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.POINTER(Str),
                             ctypes.POINTER(Error)]
    lib.mapback_sourcemap_free.argtypes = [ctypes.c_void_p]
    lib.mapback_error_clear.argtypes = [ctypes.POINTER(Error)]
    return lib


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    lib = bind(argv[0])
    with open(argv[1], "rb") as handle:
        data = handle.read()
    err = Error()
    source_map = lib.mapback_sourcemap_parse(data, len(data), None, ctypes.byref(err))
    if not source_map:
        print("error %d: %s" % (err.code, err.message.decode("utf-8")), file=sys.stderr)
        lib.mapback_error_clear(ctypes.byref(err))
        return 1
    try:
        for position in argv[2:]:
            line, column = [int(part) for part in position.split(":")]
            token, path, name = Token(), Str(), Str()
            found = lib.mapback_sourcemap_lookup(source_map, line - 1, column - 1, None,
                                                 ctypes.byref(token), ctypes.byref(err))
            if not found or token.source_index == MAPBACK_NONE or not lib.mapback_sourcemap_source_path(
                    source_map, token.source_index, ctypes.byref(path), ctypes.byref(err)):
                print("%s  (not mapped)" % position)
                continue
            named = token.name_index != MAPBACK_NONE and lib.mapback_sourcemap_name(
                source_map, token.name_index, ctypes.byref(name), ctypes.byref(err))
            print("%s  ->  %s:%d:%d%s" % (position, path.text(), token.original_line + 1,
                                          token.original_column + 1,
                                          "  " + name.text() if named else ""))
    finally:
        lib.mapback_sourcemap_free(source_map)
        lib.mapback_error_clear(ctypes.byref(err))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
