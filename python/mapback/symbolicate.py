"""Symbolication: a browser or Node stack trace in, original frames out.

>>> sym = mapback.Symbolicator.from_directories(maps_dirs=["dist/"])
>>> trace = sym.symbolicate(error_stack_text)
>>> for frame in trace.frames:
...     print(frame.function, frame.filename, frame.lineno, frame.colno)

For an error tracker's backend: a symbolicator over an artifact store, and whole
Sentry events (dicts) in and out.

>>> sym = mapback.Symbolicator.from_store(mapback.Store("/var/lib/artifacts"))
>>> event = sym.symbolicate_event(event)

One native call symbolicates a whole trace or event (the GIL is released; a Python
loader is called back with the GIL held).
"""

from __future__ import absolute_import

import json
import threading

from mapback._lowlevel import (
    RustObject,
    encode_text,
    ffi,
    fspath,
    lib,
    loader_callback,
    positive_or_none,
    rustcall,
    take_buffer,
    take_json,
    text_arg,
    text_type,
    wraps_handle,
)
from mapback.store import Store
from mapback.values import DecodeLimits

__all__ = ["Symbolicator", "SymbolicatedTrace", "SymbolicatedFrame", "ENGINES"]

#: The engines :meth:`Symbolicator.symbolicate_frames` takes by name: the engine
#: decides the column and naming rules (None: not known).
ENGINES = {
    None: lib.MAPBACK_ENGINE_UNKNOWN,
    "unknown": lib.MAPBACK_ENGINE_UNKNOWN,
    "v8": lib.MAPBACK_ENGINE_V8,
    "spidermonkey": lib.MAPBACK_ENGINE_SPIDERMONKEY,
    "javascriptcore": lib.MAPBACK_ENGINE_JAVASCRIPTCORE,
}

#: The fields of a frame, as error trackers name them.
FRAME_FIELDS = (
    "filename",
    "abs_path",
    "lineno",
    "colno",
    "function",
    "context_line",
    "pre_context",
    "post_context",
    "in_app",
)


class SymbolicatedFrame(object):
    """One frame: its original location, or the minified one with ``unmapped_reason``.

    ``lineno`` and ``colno`` are 1-based, as browsers print them. ``minified`` is the
    frame as printed (a dict: raw, function, abs_path, lineno, colno and flags).
    ``inlined`` is true for a frame the runtime did not print: a function the minifier
    inlined into its caller (the next frame, which shares ``minified``), rebuilt from
    the original sources. ``column_refined`` is true when the runtime reported the
    frame between two segments of the map and ``colno`` is the column of the very token
    it reported, found by walking the minified and the original tokens in step from the
    segment before it. ``function_origin`` says where ``function`` came from:
    ``"scopes"`` (the map's own scopes, which also give inlined frames),
    ``"function_map"`` (the map's React Native function map, ``x_facebook_sources``),
    ``"original_source"`` (the parsed original source) or ``"minified_script"`` (the
    minified function's name through the map); None when nothing told it. ``found_by``
    says which key found the frame's map
    (``"debug_id"`` or ``"url"``; None when none was found) and ``map_url`` where it
    came from.
    """

    __slots__ = FRAME_FIELDS + (
        "unmapped_reason",
        "minified",
        "inlined",
        "column_refined",
        "function_origin",
        "found_by",
        "map_url",
    )

    def __init__(self, fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))
        self.inlined = bool(self.inlined)
        self.column_refined = bool(self.column_refined)

    @property
    def mapped(self):
        """Whether the frame was mapped to an original source."""
        return self.unmapped_reason is None

    def as_dict(self):
        """The frame as a dict, in the field names error trackers use."""
        return dict((name, getattr(self, name)) for name in self.__slots__)

    def __repr__(self):
        if not self.mapped:
            return "<SymbolicatedFrame unmapped (%s): %s>" % (
                self.unmapped_reason.get("kind"),
                self.minified.get("raw"),
            )
        return "<SymbolicatedFrame %s at %s:%s:%s>" % (
            self.function,
            self.filename,
            self.lineno,
            self.colno,
        )


class SymbolicatedTrace(object):
    """A symbolicated trace: ``error_type``, ``message``, ``frames``, ``truncated``."""

    __slots__ = ("error_type", "message", "frames", "truncated")

    def __init__(self, data):
        self.error_type = data.get("error_type")
        self.message = data.get("message")
        self.truncated = bool(data.get("truncated"))
        self.frames = [SymbolicatedFrame(frame) for frame in data.get("frames", [])]

    def __iter__(self):
        return iter(self.frames)

    def __len__(self):
        return len(self.frames)

    def as_dict(self):
        """The trace as plain dicts and lists."""
        return {
            "error_type": self.error_type,
            "message": self.message,
            "truncated": self.truncated,
            "frames": [frame.as_dict() for frame in self.frames],
        }

    def __repr__(self):
        mapped = sum(1 for frame in self.frames if frame.mapped)
        return "<SymbolicatedTrace %s: %d of %d frames mapped>" % (
            self.error_type,
            mapped,
            len(self.frames),
        )


#: The symbolicator's size options (None keeps the library's default).
_SIZE_OPTIONS = (
    "max_parse_bytes",
    "max_data_url_bytes",
    "max_trace_bytes",
    "max_trace_line_bytes",
    "max_trace_frames",
    "max_event_bytes",
    "max_event_frames",
    "max_event_values",
)


def _options(context_lines, max_line_chars, max_cached_scripts, extra):
    options = ffi.new("mapback_symbolicator_options *")
    options.context_lines = context_lines
    options.max_line_chars = max_line_chars
    options.max_cached_scripts = max_cached_scripts
    extra = dict(extra)
    options.skip_inlined_frames = not extra.pop("inlined_frames", True)
    map_limits = extra.pop("map_limits", None)
    if map_limits is not None:
        if not isinstance(map_limits, DecodeLimits):
            raise TypeError("map_limits must be a mapback.DecodeLimits, not %r" % (map_limits,))
        map_limits._fill(options.map_limits)
    for name in _SIZE_OPTIONS:
        value = positive_or_none(extra.pop(name, None), name)
        setattr(options, name, value or 0)
    if extra:
        raise TypeError("unexpected option(s): %s" % ", ".join(sorted(extra)))
    return options


def check_options(options):
    """Raises TypeError (or ValueError) for options that :meth:`Symbolicator.from_store`
    would refuse, without making a symbolicator: for configs checked on a driver and
    used on workers."""
    options = dict(options)
    _options(
        options.pop("context_lines", 5),
        options.pop("max_line_chars", 150),
        options.pop("max_cached_scripts", 64),
        options,
    )


def _strings(values):
    """A ``mapback_str[]`` for text values, and the buffers that must stay alive."""
    encoded = [encode_text(value, "path") for value in values]
    keep = [ffi.new("char[]", value) for value in encoded]
    array = ffi.new("mapback_str[]", len(encoded))
    for slot, buffer, value in zip(array, keep, encoded):
        slot.data = buffer
        slot.len = len(value)
    return array, keep


def _json_text(value, what):
    """A list (or JSON already as text or bytes) as JSON text for the C side."""
    if isinstance(value, (text_type, bytes)):
        return value
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        raise TypeError("%s must be a list, not %s" % (what, type(value).__name__))
    return json.dumps(value, separators=(",", ":"))


@wraps_handle("mapback_symbolicator *")
class Symbolicator(RustObject):
    """Symbolicates stack traces, SDK frames and whole Sentry events. Create with
    :meth:`from_store`, :meth:`from_loader` or :meth:`from_directories`. Thread-safe:
    share one across threads; it keeps up to ``max_cached_scripts`` decoded maps.
    """

    # The cffi callback (and the loader it calls) must live as long as the handle.
    __slots__ = ("_callback", "loader_errors", "_errors_lock")
    _free_function = "mapback_symbolicator_free"

    @classmethod
    def from_loader(cls, loader, context_lines=5, max_line_chars=150, max_cached_scripts=64, **options):
        """Fetch scripts and maps with ``loader(url) -> bytes | None``.

        The loader is called for the frames' script URLs and for the maps they name
        (it may also get ``<url>.map``); return None when there is nothing at a URL. An
        exception in the loader marks that script's frames unmapped and is recorded in
        :attr:`loader_errors` (the latest 16).

        Further ``options`` (all optional): ``inlined_frames`` (default True: rebuild
        the frames of functions the minifier inlined); ``map_limits``, a
        :class:`mapback.DecodeLimits` for each map; and positive sizes (None for the
        default): ``max_parse_bytes`` (32 MiB: larger sources are not parsed for
        function names), ``max_data_url_bytes`` (64 MiB), ``max_trace_bytes`` (16 MiB),
        ``max_trace_line_bytes`` (64 KiB) and ``max_trace_frames`` (10,000).
        """
        errors = []
        lock = threading.Lock()

        def give(out, data, url):
            if isinstance(data, text_type):
                data = data.encode("utf-8")
            buffer = ffi.from_buffer("uint8_t[]", data)
            rustcall(lib.mapback_fetched_set, out, buffer, len(buffer))

        def failed(error):
            # Reported through the frames (unmapped: the loader failed) and here.
            with lock:
                errors.append(repr(error))
                del errors[:-16]

        callback = loader_callback(loader, give, failed)
        pointer = rustcall(
            lib.mapback_symbolicator_new,
            callback,
            ffi.NULL,
            _options(context_lines, max_line_chars, max_cached_scripts, options),
        )
        instance = cls._from_pointer(pointer)
        instance._callback = callback
        instance.loader_errors = errors
        instance._errors_lock = lock
        return instance

    @classmethod
    def from_directories(
        cls,
        url_prefixes=None,
        maps_dirs=None,
        context_lines=5,
        max_line_chars=150,
        max_cached_scripts=64,
        **options
    ):
        """Read scripts and maps from local directories, never outside them.

        ``url_prefixes`` maps URL prefixes to directories (a dict, or a list of
        ``(prefix, directory)`` pairs): ``{"https://cdn.example.com/static/": "dist/"}``
        serves ``https://cdn.example.com/static/js/app.js`` from ``dist/js/app.js``.
        ``maps_dirs`` serve any URL by its file name alone. ``options`` are those of
        :meth:`from_loader`.
        """
        pairs = list(url_prefixes.items() if isinstance(url_prefixes, dict) else url_prefixes or [])
        prefixes, keep_prefixes = _strings([prefix for prefix, _ in pairs])
        dirs, keep_dirs = _strings([fspath(d) for _, d in pairs])
        names = [fspath(d) for d in (maps_dirs or [])]
        name_dirs, keep_names = _strings(names)
        pointer = rustcall(
            lib.mapback_symbolicator_new_directories,
            prefixes,
            dirs,
            len(pairs),
            name_dirs,
            len(names),
            _options(context_lines, max_line_chars, max_cached_scripts, options),
        )
        del keep_prefixes, keep_dirs, keep_names
        instance = cls._from_pointer(pointer)
        instance._callback = None
        instance.loader_errors = []
        instance._errors_lock = threading.Lock()
        return instance

    @classmethod
    def from_store(cls, store, context_lines=5, max_line_chars=150, max_cached_scripts=64, **options):
        """Find maps in an artifact store (a :class:`mapback.Store`): each frame's map
        by its image's debug ID first (``debug_meta.images``), then by its script URL
        (uploads named ``~/path`` match any scheme and host). ``options`` are those of
        :meth:`from_loader`.

        The symbolicator keeps the store open on its own: closing ``store`` does not
        stop it. Entries other processes add later are found.
        """
        if not isinstance(store, Store):
            raise TypeError("store must be a mapback.Store, not %s" % type(store).__name__)
        pointer = rustcall(
            lib.mapback_symbolicator_new_store,
            store._pointer(),
            _options(context_lines, max_line_chars, max_cached_scripts, options),
        )
        instance = cls._from_pointer(pointer)
        instance._callback = None
        instance.loader_errors = []
        instance._errors_lock = threading.Lock()
        return instance

    def symbolicate_event(self, event):
        """Symbolicate a Sentry event (a dict, or its JSON as text or bytes) and return
        the event as a new dict: every JavaScript stack trace of ``exception.values``
        and ``threads.values`` symbolicated, the frames as sent kept as
        ``raw_stacktrace``, per-frame problems added to ``errors`` (codes in
        docs/symbolication.md), every other field kept. The engine comes from the
        event's contexts or User-Agent.

        Raises :class:`mapback.InputTooLargeError` over 16 MiB of JSON,
        :class:`mapback.InvalidJsonError` for text that is not JSON and
        :class:`mapback.InvalidArgumentError` for JSON that is not an object; frames
        that cannot be mapped are not errors.
        """
        if isinstance(event, dict):
            event = json.dumps(event, separators=(",", ":"))
        return json.loads(self.symbolicate_event_json(event).decode("utf-8"))

    def symbolicate_event_json(self, event):
        """:meth:`symbolicate_event` on the event's JSON text (text or UTF-8 bytes),
        the result as UTF-8 JSON bytes: for pipelines that receive and store events as
        JSON, it skips building Python objects on both sides (most of a call's cost on
        a warm symbolicator). Same errors as :meth:`symbolicate_event`.
        """
        data, length = text_arg(event, "event")
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_symbolicator_symbolicate_event, self._pointer(), data, length, out)
        return take_buffer(out)

    def symbolicate_frames(self, frames, images=None, engine=None):
        """Symbolicate frames as an SDK sends them: dicts with ``filename``/``abs_path``,
        ``lineno``, ``colno`` (1-based), ``function``, in Sentry's order (outermost
        caller first, the crashing frame last). ``images`` are ``debug_meta.images``
        entries (those of type ``sourcemap`` give each script's debug ID). ``engine``:
        ``"v8"``, ``"spidermonkey"``, ``"javascriptcore"`` or None (see
        :data:`ENGINES`).

        Returns a list of dicts in the same order, with the fields of
        :class:`SymbolicatedFrame` plus ``found_by`` (``"debug_id"``, ``"url"`` or None)
        and ``map_url``; frames of functions the minifier inlined are rebuilt after the
        frame they were inlined into (``inlined`` true). Raises
        :class:`mapback.InvalidArgumentError` for a frame or image of the wrong shape
        (the message names its index).
        """
        try:
            engine_value = ENGINES[engine.lower() if isinstance(engine, (text_type, str)) else engine]
        except (KeyError, TypeError, AttributeError):
            raise ValueError("engine must be one of %s, not %r" % (sorted(e for e in ENGINES if e), engine))
        frames_data, frames_length = text_arg(_json_text(frames, "frames"), "frames")
        if images is None:
            images_data, images_length = ffi.NULL, 0
        else:
            images_data, images_length = text_arg(_json_text(images, "images"), "images")
        out = ffi.new("mapback_buf *")
        rustcall(
            lib.mapback_symbolicator_symbolicate_frames,
            self._pointer(),
            frames_data,
            frames_length,
            images_data,
            images_length,
            engine_value,
            out,
        )
        return take_json(out)

    def symbolicate(self, trace):
        """Symbolicate ``trace`` (the text of ``error.stack``, or log output of one) and
        return a :class:`SymbolicatedTrace`. Frames that cannot be mapped keep their
        minified data and say why in ``unmapped_reason``."""
        data = encode_text(trace, "trace")
        buffer = ffi.from_buffer("uint8_t[]", data)
        out = ffi.new("mapback_buf *")
        rustcall(lib.mapback_symbolicator_symbolicate, self._pointer(), buffer, len(data), out)
        return SymbolicatedTrace(take_json(out))
