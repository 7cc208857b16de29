"""Exceptions: :class:`MapbackError` and one subclass per error code.

Codes are the stable numbers of the C ABI (``MAPBACK_ERROR_*``). Decoding problems
derive from :class:`DecodeError` (also a ``ValueError``); bad arguments from
:class:`ArgumentError`; cache file problems from :class:`CacheError`; stack trace problems
from :class:`TraceError`; artifact store and artifact bundle problems from
:class:`StoreError`; internal failures from :class:`InternalError`.

The per-code classes are not written here: they are made at import from the header's
``MAPBACK_ERROR_*`` constants, which build.py hands over with the generated bindings
(``mapback._native.ERROR_CODES``): ``MAPBACK_ERROR_INVALID_JSON`` becomes
``InvalidJsonError`` with ``code = 101``, and its docstring is the header's description
of the code (the text ``mapback_error_code_description`` returns). A code the library
adds appears here without a change. (This module cannot ask the library itself:
``mapback._lowlevel`` imports it before loading the library.)
"""

from __future__ import absolute_import

from mapback._native import ERROR_CODES as _ERROR_CODES

__all__ = [
    "MapbackError",
    "DecodeError",
    "ArgumentError",
    "CacheError",
    "TraceError",
    "StoreError",
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


class StoreError(MapbackError, ValueError):
    """An artifact store or an artifact bundle cannot be read (or written)."""


class InternalError(MapbackError):
    """A bug inside mapback (a caught panic). Please report it."""


_PREFIX = "MAPBACK_ERROR_"

#: The base of a code's class by band: [low, high) -> base.
_BANDS = [
    (100, 500, DecodeError),  # input, map fields, mappings, index maps
    (500, 600, ArgumentError),
    (600, 700, CacheError),
    (700, 800, TraceError),
    (800, 900, StoreError),
    (900, 1000, InternalError),
]

#: The exceptions to the band rule, by constant name (the code is the library's).
_BASE_OVERRIDES = {
    "MAPBACK_ERROR_IO": MapbackError,  # a failed read or write is not a decoding problem
    "MAPBACK_ERROR_CLOSED": ArgumentError,  # the caller used a closed object
}


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


#: constant name -> code, and code -> exception class; one entry per MAPBACK_ERROR_* constant.
_CODES = dict((constant, code) for constant, code, _ in _ERROR_CODES)
_BY_CODE = {}


def _define_classes():
    for constant, code, description in sorted(_ERROR_CODES, key=lambda entry: entry[1]):
        name = _class_name(constant)
        attributes = {"__doc__": description, "code": code, "__module__": __name__}
        cls = type(str(name), (_base_for(constant, code),), attributes)
        globals()[name] = cls
        __all__.append(name)
        _BY_CODE[code] = cls


_define_classes()


class ConcurrentUseError(ArgumentError):
    """An object that is not thread-safe (a Builder) was used from two threads at once."""

    code = _CODES["MAPBACK_ERROR_INVALID_ARGUMENT"]


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
