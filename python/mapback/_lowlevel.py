"""The plumbing every module shares: loading the native library and calling into it.

Raw pointers live only here: in :class:`RustObject`, the base of every handle type,
and in :func:`rustcall`, which turns the C error struct into exceptions. The helpers
that convert Python values to the C side's buffers, strings and callbacks (and back)
live here too, so no public module needs another's private names.
"""

from __future__ import absolute_import

import json
import os
import platform
import sys

from mapback._native import ffi
from mapback.exceptions import ClosedError, error_from_code

__all__ = [
    "ffi",
    "lib",
    "rustcall",
    "raise_error",
    "RustObject",
    "wraps_handle",
    "wrap_handle",
    "decode_str",
    "string_or_none",
    "encode_text",
    "text_arg",
    "optional_text_arg",
    "take_buffer",
    "take_text",
    "take_json",
    "encode_options",
    "fspath",
    "map_bytes",
    "positive_or_none",
    "loader_callback",
    "call_with_loader",
    "text_type",
    "SIZE_MAX",
]

PY2 = sys.version_info[0] == 2
if PY2:  # pragma: no cover - exercised by the Python 2.7 run
    text_type = unicode  # noqa: F821
else:
    text_type = str

_CPYTHON = platform.python_implementation() == "CPython"


def _library_path():
    override = os.environ.get("MAPBACK_LIBRARY")
    if override:
        return override
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("libmapback.so", "libmapback.dylib", "mapback.dll"):
        candidate = os.path.join(here, name)
        if os.path.exists(candidate):
            return candidate
    raise ImportError(
        "mapback: the native library is missing from %s (build it with `make develop`)" % here
    )


# RTLD_LOCAL keeps our Rust runtime symbols away from other Rust libraries in the
# process; RTLD_NOW reports a broken library at import rather than at first call.
lib = ffi.dlopen(_library_path(), ffi.RTLD_NOW | ffi.RTLD_LOCAL)

if lib.mapback_abi_version() != lib.MAPBACK_ABI_VERSION:  # pragma: no cover
    raise ImportError(
        "mapback: native library ABI %d does not match the bindings' ABI %d"
        % (lib.mapback_abi_version(), lib.MAPBACK_ABI_VERSION)
    )

#: The largest ``size_t``: what "no bound" means to the C side's size options.
SIZE_MAX = int(ffi.cast("size_t", -1))
_INTEGER_TYPES = (int, type(2**64))  # (int, long) on Python 2


# Calling ------------------------------------------------------------------------


def raise_error(err):
    """Raise the exception for a filled-in ``mapback_error`` (and release its message)."""
    message = ffi.string(err.message).decode("utf-8", "replace") if err.message else ""
    code, offset = err.code, err.offset
    if err.message:
        lib.mapback_error_clear(err)
    raise error_from_code(code, message, offset)


def rustcall(func, *args):
    """Call ``func(*args, err)`` and raise the matching exception when it fails."""
    err = ffi.new("mapback_error *")
    try:
        result = func(*(args + (err,)))
        if err.code != 0:
            message = ffi.string(err.message).decode("utf-8", "replace") if err.message else ""
            raise error_from_code(err.code, message, err.offset)
        return result
    finally:
        if err.message:
            lib.mapback_error_clear(err)


# Handles ------------------------------------------------------------------------


class RustObject(object):
    """Base of the handle types: owns one native pointer.

    Instances come from factory classmethods, never from ``__init__``. The pointer is
    released by ``close()`` (or ``with``), else by a finalizer when the object is
    collected. Using a closed object raises :class:`mapback.ClosedError`.
    """

    __slots__ = ("_ptr", "__weakref__")
    #: Name of the ``lib`` function that frees this type.
    _free_function = None

    def __init__(self):
        raise TypeError("%s objects cannot be created directly" % type(self).__name__)

    @classmethod
    def _from_pointer(cls, pointer):
        if pointer == ffi.NULL:
            raise ValueError("mapback returned NULL without an error")
        instance = object.__new__(cls)
        instance._ptr = ffi.gc(pointer, getattr(lib, cls._free_function))
        return instance

    @classmethod
    def _wrap(cls, pointer):
        """An instance owning ``pointer``; subclasses with more state extend this."""
        return cls._from_pointer(pointer)

    def _pointer(self):
        pointer = self._ptr
        if pointer is None:
            raise ClosedError("this %s is closed" % type(self).__name__, -1)
        return pointer

    @property
    def closed(self):
        """Whether ``close()`` was called."""
        return self._ptr is None

    def close(self):
        """Release the native object now. Further use raises ClosedError."""
        pointer, self._ptr = self._ptr, None
        if pointer is None:
            return
        if _CPYTHON:
            # Dropping the last reference runs the finalizer at once; a call still in
            # progress on another thread holds its own reference until it returns.
            del pointer
        else:
            ffi.release(pointer)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


# C pointer type ("mapback_builder *") -> the RustObject class that wraps it.
_HANDLE_CLASSES = {}


def wraps_handle(c_type):
    """Class decorator: the class is the Python face of ``c_type`` pointers, which
    :func:`wrap_handle` then wraps with it.

    Every handle class registers its type (a subclass such as ``Cache`` does not: it
    wraps the same type). This is how ``SourceMap.rewrite`` returns a ``Builder``
    without importing :mod:`mapback.produce`, which imports :mod:`mapback.sourcemap`:
    the two classes need each other, the two modules do not, and the import graph
    has no cycle.
    """

    def register(cls):
        _HANDLE_CLASSES[ffi.typeof(c_type)] = cls
        return cls

    return register


def wrap_handle(pointer):
    """``pointer`` wrapped by the class registered for its C type with :func:`wraps_handle`."""
    try:
        cls = _HANDLE_CLASSES[ffi.typeof(pointer)]
    except KeyError:  # pragma: no cover - mapback/__init__ imports every handle module
        raise TypeError("no mapback class wraps %s (is its module imported?)" % ffi.typeof(pointer).cname)
    return cls._wrap(pointer)


# Values in and out ----------------------------------------------------------------


def decode_str(view):
    """Text of a borrowed ``mapback_str`` view (copied out)."""
    return ffi.unpack(view.data, view.len).decode("utf-8")


def string_or_none(function, *args):
    """Text from a function that fills a ``mapback_str`` view (its last argument before
    the error) and returns whether there was one; None when there was not."""
    view = ffi.new("mapback_str *")
    if rustcall(function, *(args + (view,))):
        return decode_str(view)
    return None


def take_buffer(out):
    """The bytes of a library-owned ``mapback_buf`` (copied out; the buffer is freed)."""
    try:
        return ffi.unpack(ffi.cast("char *", out.data), out.len)
    finally:
        lib.mapback_buf_free(out)


def take_text(out):
    """The text of a library-owned ``mapback_buf`` (which is then freed)."""
    return take_buffer(out).decode("utf-8")


def take_json(out):
    """The JSON value in a library-owned ``mapback_buf`` (which is then freed)."""
    return json.loads(take_text(out))


def encode_text(value, what):
    """UTF-8 bytes of a text or bytes argument."""
    if isinstance(value, text_type):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    raise TypeError("%s must be text or bytes, not %s" % (what, type(value).__name__))


def text_arg(value, what):
    """(buffer, length) of text or bytes for a ``(pointer, length)`` parameter. The
    buffer is never NULL, so empty text stays distinct from an absent one; the caller
    holds it through the call."""
    data = encode_text(value, what)
    return (ffi.from_buffer("uint8_t[]", data) if data else ffi.new("uint8_t[1]")), len(data)


def optional_text_arg(value, what):
    """As :func:`text_arg`, with None as (NULL, 0): "absent" to the C side."""
    if value is None:
        return ffi.NULL, 0
    return text_arg(value, what)


def encode_options(include_contents, include_names):
    """A ``mapback_encode_options`` for the JSON encoders."""
    options = ffi.new("mapback_encode_options *")
    options.include_contents = bool(include_contents)
    options.include_names = bool(include_names)
    return options


try:
    from os import fspath as _os_fspath
except ImportError:  # Python 2
    _os_fspath = None


def fspath(path):
    """``os.fspath`` where it exists (3.6+); on Python 2, the path itself, or what its
    ``__fspath__`` gives (pathlib2 paths have one). (Resolved once: an import per call
    cost a microsecond of every cache open.)"""
    if _os_fspath is not None:
        return _os_fspath(path)
    to_path = getattr(path, "__fspath__", None)
    return to_path() if to_path is not None else path


def map_bytes(map_bytes_or_path):
    """A map's bytes: bytes-like values are the map itself, text and ``os.PathLike``
    values a path to read."""
    if isinstance(map_bytes_or_path, (bytes, bytearray, memoryview)):
        return bytes(map_bytes_or_path)
    path = fspath(map_bytes_or_path)
    if not isinstance(path, (text_type, bytes)):
        raise TypeError("a map must be bytes or a path, not %s" % type(path).__name__)
    with open(path, "rb") as handle:
        return handle.read()


def positive_or_none(value, name):
    """``value`` for a ``size_t`` bound (capped at :data:`SIZE_MAX`), or None; a
    TypeError for anything but a positive integer or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, _INTEGER_TYPES) or value <= 0:
        raise TypeError("%s must be a positive integer or None, not %r" % (name, value))
    return min(value, SIZE_MAX)


class Bounds(object):
    """The base of the limits classes (:class:`mapback.DecodeLimits`,
    :class:`mapback.IngestLimits`): each field is a positive int or None (the
    library's default), copied into the C struct of the same field names, where 0
    means the default."""

    __slots__ = ()

    def _set_fields(self, values):
        for field, value in zip(self.__slots__, values):
            setattr(self, field, positive_or_none(value, field))

    def _fill(self, struct):
        """Copies the bounds into the C struct (0 means the default)."""
        for field in self.__slots__:
            setattr(struct, field, getattr(self, field) or 0)

    def __repr__(self):
        fields = ", ".join(
            "%s=%d" % (field, getattr(self, field)) for field in self.__slots__ if getattr(self, field)
        )
        return "%s(%s)" % (type(self).__name__, fields)


# Loader callbacks -----------------------------------------------------------------


def loader_callback(loader, give, failed):
    """A ``mapback_fetch_fn`` calling ``loader(name)`` with the name as text.

    None from the loader is "not found" (0); anything else goes to ``give(out, found,
    name)``, which fills ``out`` (1). Any exception, ``KeyboardInterrupt`` included,
    goes to ``failed(error)`` and the fetch reports a failure (-1): none may unwind
    into the C frames, where cffi would print it and answer "not found". The caller
    decides what a failure means (re-raise it after the call, or record it).
    """

    def fetch(user_data, name, name_len, out):
        try:
            text = ffi.unpack(ffi.cast("char *", name), name_len).decode("utf-8", "replace")
            found = loader(text)
            if found is None:
                return 0
            give(out, found, text)
            return 1
        except BaseException as error:
            failed(error)
            return -1

    return ffi.callback("mapback_fetch_fn", fetch)


def call_with_loader(function, failures, *args):
    """``rustcall(function, *args)`` for a call whose loader callback appends its
    exceptions to ``failures``: the loader's own exception is raised when it failed."""
    try:
        return rustcall(function, *args)
    except Exception:
        if failures:
            raise failures[0]
        raise
