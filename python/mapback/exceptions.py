"""Exceptions: :class:`MapbackError` and one subclass per error code.

Codes are the stable numbers of the C ABI (``MAPBACK_ERROR_*``). Decoding problems
derive from :class:`DecodeError` (also a ``ValueError``); bad arguments from
:class:`ArgumentError`; cache file problems from :class:`CacheError`; stack trace problems
from :class:`TraceError`; internal failures from :class:`InternalError`.

The per-code classes are not written here: they are made at import from the library's
own ``MAPBACK_ERROR_*`` constants (``MAPBACK_ERROR_INVALID_JSON`` becomes
``InvalidJsonError`` with ``code = 101``), each with the library's description of its code
(``mapback_error_code_description``) as its docstring. A code the library adds appears
here without a change.
"""

from __future__ import absolute_import

import os
import sys

from mapback._native import ffi as _ffi

__all__ = [
    "MapbackError",
    "DecodeError",
    "ArgumentError",
    "CacheError",
    "TraceError",
    "InternalError",
    "error_from_code",
]


class MapbackError(Exception):
    """Base of all mapback errors.

    ``code`` is the stable numeric code, ``offset`` the byte offset in the input where
    the problem lies (or -1), ``message`` the description.
    """

    code = 0

    def __init__(self, message, offset=-1):
        Exception.__init__(self, message)
        self.message = message
        self.offset = offset

    def __str__(self):
        return self.message


class DecodeError(MapbackError, ValueError):
    """The input is not a valid source map (or not valid enough for strict mode)."""


class ArgumentError(MapbackError, ValueError):
    """An argument passed to mapback is invalid."""


class CacheError(MapbackError, ValueError):
    """A cache file cannot be read (or written)."""


class TraceError(MapbackError, ValueError):
    """A stack trace cannot be parsed (for example, it is over a size limit)."""


class InternalError(MapbackError):
    """A bug inside mapback (a caught panic). Please report it."""


_PREFIX = "MAPBACK_ERROR_"

#: The base of a code's class by band: [low, high) -> base.
_BANDS = [
    (100, 500, DecodeError),  # input, map fields, mappings, index maps
    (500, 600, ArgumentError),
    (600, 700, CacheError),
    (700, 800, TraceError),
    (900, 1000, InternalError),
]

#: The exceptions to the band rule, by constant name (the code is the library's).
_BASE_OVERRIDES = {
    "MAPBACK_ERROR_IO": MapbackError,  # a failed read or write is not a decoding problem
    "MAPBACK_ERROR_CLOSED": ArgumentError,  # the caller used a closed object
}


def _native_library():
    """The loaded native library.

    ``mapback._lowlevel`` owns loading it, but imports this module first; until it has
    loaded the library, the same file is opened here the same way (``MAPBACK_LIBRARY``,
    else the library beside the package), which gives the one handle both times.
    """
    lib = getattr(sys.modules.get("mapback._lowlevel"), "lib", None)
    if lib is not None:
        return lib
    path = os.environ.get("MAPBACK_LIBRARY")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        found = [
            os.path.join(here, name)
            for name in ("libmapback.so", "libmapback.dylib", "mapback.dll")
            if os.path.exists(os.path.join(here, name))
        ]
        if not found:
            raise ImportError(
                "mapback: the native library is missing from %s (build it with `make develop`)"
                % here
            )
        path = found[0]
    return _ffi.dlopen(path, _ffi.RTLD_NOW | _ffi.RTLD_LOCAL)


def _class_name(constant):
    """``MAPBACK_ERROR_INVALID_JSON`` -> ``InvalidJsonError``."""
    words = constant[len(_PREFIX):].split("_")
    return "".join(word.capitalize() for word in words) + "Error"


def _base_for(constant, code):
    if constant in _BASE_OVERRIDES:
        return _BASE_OVERRIDES[constant]
    for low, high, base in _BANDS:
        if low <= code < high:
            return base
    return MapbackError


def _description(lib, code):
    text = lib.mapback_error_code_description(code)
    return _ffi.string(text).decode("utf-8") if text != _ffi.NULL else None


#: code -> exception class; one entry per MAPBACK_ERROR_* constant.
_BY_CODE = {}


def _define_classes(lib):
    constants = [name for name in dir(lib) if name.startswith(_PREFIX)]
    for constant in sorted(constants, key=lambda name: getattr(lib, name)):
        code = getattr(lib, constant)
        name = _class_name(constant)
        attributes = {"__doc__": _description(lib, code), "code": code, "__module__": __name__}
        cls = type(str(name), (_base_for(constant, code),), attributes)
        globals()[name] = cls
        __all__.append(name)
        _BY_CODE[code] = cls


_define_classes(_native_library())


class ConcurrentUseError(ArgumentError):
    """An object that is not thread-safe (a Builder) was used from two threads at once."""

    code = _ffi.integer_const("MAPBACK_ERROR_INVALID_ARGUMENT")


__all__.append("ConcurrentUseError")


def exception_class(code):
    """The exception class for a code (MapbackError for unknown codes)."""
    return _BY_CODE.get(code, MapbackError)


def error_from_code(code, message, offset=-1):
    """An exception instance for a code, message and byte offset."""
    error = exception_class(code)(message, offset)
    if type(error) is MapbackError:
        error.code = code
    return error
