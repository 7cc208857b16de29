"""Exceptions: :class:`MapbackError` and one subclass per error code.

Codes are the stable numbers of the C ABI (``MAPBACK_ERROR_*``). Decoding problems
derive from :class:`DecodeError` (also a ``ValueError``); bad arguments from
:class:`ArgumentError`; cache file problems from :class:`CacheError`; stack trace problems
from :class:`TraceError`; internal failures from :class:`InternalError`.
"""

from __future__ import absolute_import

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


#: code -> exception class; one entry per MAPBACK_ERROR_* constant.
_BY_CODE = {}

_DEFINITIONS = [
    # (code, class name, base, docstring)
    (101, "InvalidJsonError", DecodeError, "The input is not valid JSON."),
    (102, "InvalidUtf8Error", DecodeError, "The input is not valid UTF-8."),
    (103, "NotAnObjectError", DecodeError, "The JSON document is not an object."),
    (104, "InputTooLargeError", DecodeError, "The input exceeds a size limit."),
    (105, "DuplicateKeyError", DecodeError, "A JSON object repeats a key."),
    (106, "TrailingCommaError", DecodeError, "The JSON has trailing commas."),
    (107, "IoError", MapbackError, "Reading or writing a file failed."),
    (201, "MissingFieldError", DecodeError, "A required field is absent."),
    (202, "WrongTypeError", DecodeError, "A field has the wrong JSON type."),
    (203, "UnsupportedVersionError", DecodeError, "`version` is not 3."),
    (204, "InvalidDebugIdError", DecodeError, "`debugId` is not a UUID."),
    (205, "InvalidIgnoreListError", DecodeError, "An ignoreList entry is not a source index."),
    (206, "InvalidSourceUrlError", DecodeError, "A source does not resolve to a URL."),
    (207, "SourcesContentLengthError", DecodeError, "sourcesContent and sources differ in length."),
    (301, "InvalidBase64Error", DecodeError, "A character in mappings is not Base64."),
    (302, "VlqOverflowError", DecodeError, "A VLQ value does not fit in 32 bits."),
    (303, "VlqTruncatedError", DecodeError, "A VLQ value ends with its continuation bit set."),
    (304, "InvalidSegmentLengthError", DecodeError, "A segment has not 1, 4 or 5 fields."),
    (305, "NegativeValueError", DecodeError, "A decoded absolute field is negative."),
    (306, "SourceIndexOutOfBoundsError", DecodeError, "A segment's source index is out of bounds."),
    (307, "NameIndexOutOfBoundsError", DecodeError, "A segment's name index is out of bounds."),
    (308, "UnsortedMappingsError", DecodeError, "Segments of a line were not sorted."),
    (401, "SectionsWithMappingsError", DecodeError, "A map has both sections and mappings."),
    (402, "InvalidSectionOrderError", DecodeError, "Index map sections are unordered or overlap."),
    (403, "NestedIndexMapError", DecodeError, "A section's map is itself an index map."),
    (404, "SectionUrlUnsupportedError", DecodeError, "A section refers to its map by url."),
    (501, "InvalidArgumentError", ArgumentError, "An argument is invalid."),
    (502, "IndexOutOfRangeError", ArgumentError, "An index argument is out of range."),
    (503, "InvalidBaseUrlError", ArgumentError, "The base URL is not an absolute URL."),
    (601, "NotACacheError", CacheError, "The data is not a mapback cache."),
    (602, "UnsupportedCacheVersionError", CacheError, "The cache has an incompatible format version."),
    (603, "CorruptCacheError", CacheError, "The cache's header or section table is inconsistent."),
    (604, "TruncatedCacheError", CacheError, "The cache's length differs from its header's."),
    (605, "CacheChecksumMismatchError", CacheError, "The cache's checksum does not match."),
    (606, "CacheLimitExceededError", CacheError, "A value does not fit the cache format."),
    (607, "UnsupportedPlatformError", CacheError, "This host cannot read cache files."),
    (701, "TraceTooLargeError", TraceError, "A stack trace is over a size limit."),
    (901, "PanicError", InternalError, "A panic was caught inside the library."),
    (902, "NullPointerError", InternalError, "A required pointer was NULL."),
    (903, "ClosedError", ArgumentError, "The object was closed."),
]

for _code, _name, _base, _doc in _DEFINITIONS:
    _class = type(_name, (_base,), {"__doc__": _doc, "code": _code, "__module__": __name__})
    globals()[_name] = _class
    __all__.append(_name)
    _BY_CODE[_code] = _class
del _code, _name, _base, _doc, _class


class ConcurrentUseError(ArgumentError):
    """An object that is not thread-safe (a Builder) was used from two threads at once."""

    code = 501


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
