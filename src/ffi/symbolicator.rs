//! `mapback_symbolicator`: finds scripts and maps through a C callback, in local
//! directories or in an artifact store, and symbolicates a whole stack trace (text), a
//! list of SDK frames or a whole Sentry event in one call. Rich data goes in and out as
//! JSON (schemas in the exports' docs and docs/symbolication.md), written and read by
//! the core, so the ABI stays stable as the data grows.

use std::ffi::c_void;

use crate::error::{Error, ErrorCode};
use crate::stacktrace::TraceFormat;
use crate::symbolicate::{DirectoryLoader, Loader, SymbolicateOptions, Symbolicator};

use super::args::{bytes, optional, output, text, values};
use super::boundary::{ffi_boundary, mapback_error, null_argument};
use super::buffer::mapback_buf;
use super::fetched::{mapback_fetch_fn, mapback_fetched, FetchFn};
use super::handle::Handle;
use super::store::mapback_store;
use super::types::{mapback_decode_limits, mapback_str};

/// A symbolicator (opaque). Create with `mapback_symbolicator_new`,
/// `mapback_symbolicator_new_directories` or `mapback_symbolicator_new_store`; release
/// with `mapback_symbolicator_free`.
/// Thread-safe: one symbolicator may be used from several threads at once (it keeps a
/// bounded cache of decoded maps, shared and locked internally).
pub struct mapback_symbolicator {
    inner: Symbolicator,
}

impl Handle for mapback_symbolicator {
    const ARGUMENT: &'static str = "symbolicator";
}

/// The largest file a directory symbolicator (`mapback_symbolicator_new_directories`)
/// reads.
pub const MAPBACK_DEFAULT_MAX_FILE_BYTES: u64 = 268_435_456;
/// The default of `mapback_symbolicator_options.max_data_url_bytes`: the largest
/// decoded inline (`data:` URL) map.
pub const MAPBACK_DEFAULT_MAX_DATA_URL_BYTES: usize = 67_108_864;

/// `engine` of `mapback_symbolicator_symbolicate_frames`: not known; columns and names
/// follow no one engine's conventions.
pub const MAPBACK_ENGINE_UNKNOWN: u32 = 0;
/// V8: Chrome, Edge, Node.js, Deno.
pub const MAPBACK_ENGINE_V8: u32 = 1;
/// SpiderMonkey: Firefox.
pub const MAPBACK_ENGINE_SPIDERMONKEY: u32 = 2;
/// JavaScriptCore: Safari, every iOS browser, Bun.
pub const MAPBACK_ENGINE_JAVASCRIPTCORE: u32 = 3;

fn engine(value: u32) -> Result<TraceFormat, Error> {
    match value {
        MAPBACK_ENGINE_UNKNOWN => Ok(TraceFormat::Unknown),
        MAPBACK_ENGINE_V8 => Ok(TraceFormat::V8),
        MAPBACK_ENGINE_SPIDERMONKEY => Ok(TraceFormat::SpiderMonkey),
        MAPBACK_ENGINE_JAVASCRIPTCORE => Ok(TraceFormat::JavaScriptCore),
        other => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("engine must be a MAPBACK_ENGINE_* value, not {other}"),
        )),
    }
}

const _: () = assert!(
    MAPBACK_DEFAULT_MAX_FILE_BYTES == crate::symbolicate::DEFAULT_MAX_FILE_BYTES
        && MAPBACK_DEFAULT_MAX_DATA_URL_BYTES == crate::discovery::DEFAULT_MAX_DATA_URL_BYTES
);

/// Options for a symbolicator. Pass NULL for the defaults; 0 in a field also means
/// its default, so a zero-initialised struct gives the defaults. Plain data, copied by
/// `mapback_symbolicator_new*`.
#[repr(C)]
pub struct mapback_symbolicator_options {
    /// Lines of context before and after each frame's line (default 5).
    pub context_lines: u32,
    /// Longer context lines are cut around the column (default 150 characters).
    pub max_line_chars: u32,
    /// How many scripts' maps stay decoded (default 64).
    pub max_cached_scripts: u32,
    /// true: do not rebuild the frames of functions the minifier inlined (they are
    /// rebuilt by default; see `"inlined"` in the output).
    pub skip_inlined_frames: bool,
    /// Sources and scripts larger than this are not parsed for function names and
    /// inlined frames (default 32 MiB).
    pub max_parse_bytes: usize,
    /// Largest decoded inline (`data:` URL) map (default 64 MiB).
    pub max_data_url_bytes: usize,
    /// Largest trace text; larger fails with `MAPBACK_ERROR_TRACE_TOO_LARGE`
    /// (default 16 MiB).
    pub max_trace_bytes: usize,
    /// Longer trace lines are not parsed as frames (default 64 KiB).
    pub max_trace_line_bytes: usize,
    /// Frames past this many are dropped and the output says `"truncated": true`
    /// (default 10,000).
    pub max_trace_frames: usize,
    /// Bounds on decoding each JSON map (0 fields: the defaults).
    pub map_limits: mapback_decode_limits,
    /// Largest event `mapback_symbolicator_symbolicate_event` reads; larger fails with
    /// `MAPBACK_ERROR_INPUT_TOO_LARGE` (default 16 MiB).
    pub max_event_bytes: usize,
    /// The most frames symbolicated in one event, all stack traces together (default
    /// 4,096); frames past it are left as sent, with a `js_too_many_frames` error.
    pub max_event_frames: usize,
    /// The most JSON objects and arrays in one event; more fails with
    /// `MAPBACK_ERROR_INPUT_TOO_LARGE` (default 131,072). Bounds an event's memory.
    pub max_event_values: usize,
}

fn symbolicate_options(options: Option<&mapback_symbolicator_options>) -> SymbolicateOptions {
    let mut result = SymbolicateOptions::default();
    let Some(o) = options else {
        return result;
    };
    let set = |target: &mut usize, value: usize| {
        if value > 0 {
            *target = value;
        }
    };
    if o.context_lines > 0 {
        result.context_lines = o.context_lines;
    }
    set(&mut result.max_line_chars, o.max_line_chars as usize);
    set(
        &mut result.max_cached_scripts,
        o.max_cached_scripts as usize,
    );
    result.inlined_frames = !o.skip_inlined_frames;
    set(&mut result.max_parse_bytes, o.max_parse_bytes);
    set(&mut result.max_data_url_bytes, o.max_data_url_bytes);
    set(&mut result.trace_limits.max_input_bytes, o.max_trace_bytes);
    set(
        &mut result.trace_limits.max_line_bytes,
        o.max_trace_line_bytes,
    );
    set(&mut result.trace_limits.max_frames, o.max_trace_frames);
    set(&mut result.max_event_bytes, o.max_event_bytes);
    set(&mut result.max_event_frames, o.max_event_frames);
    set(&mut result.max_event_values, o.max_event_values);
    result.decode_limits = o.map_limits.to_core();
    result
}

/// A [`Loader`] over a C callback.
struct CallbackLoader {
    fetch: FetchFn,
    user_data: *mut c_void,
}

// SAFETY: the callback and its user data are the caller's; `mapback_symbolicator_new`
// documents that they must be callable from every thread the symbolicator is used on.
unsafe impl Send for CallbackLoader {}
// SAFETY: as above; the loader itself holds no mutable state.
unsafe impl Sync for CallbackLoader {}

impl Loader for CallbackLoader {
    fn fetch(&self, url: &str) -> crate::error::Result<Option<Vec<u8>>> {
        // SAFETY: the function pointer and data were given for this purpose, valid until
        // the symbolicator is freed (documented on `mapback_symbolicator_new`).
        match unsafe { mapback_fetched::call(self.fetch, self.user_data, url) }? {
            None => Ok(None),
            Some(out) if out.data.is_none() && !out.map.is_null() => Err(Error::new(
                ErrorCode::InvalidArgument,
                "a symbolicator's fetch callback must give bytes (mapback_fetched_set), not a map",
            )),
            Some(out) => Ok(Some(out.data.unwrap_or_default())),
        }
    }
}

/// Creates a symbolicator that fetches scripts and maps through `fetch`, passing
/// `user_data` back to it. `fetch` must not be NULL; `options` may be NULL.
///
/// `fetch` and `user_data` must stay valid, and be safe to call from any thread the
/// symbolicator is used on, until `mapback_symbolicator_free`. Returns a new object
/// owned by the caller, or NULL with `err` set.
#[no_mangle]
pub unsafe extern "C" fn mapback_symbolicator_new(
    fetch: mapback_fetch_fn,
    user_data: *mut c_void,
    options: *const mapback_symbolicator_options,
    err: *mut mapback_error,
) -> *mut mapback_symbolicator {
    ffi_boundary!(err, {
        let fetch = fetch.ok_or_else(|| null_argument("fetch"))?;
        let options = symbolicate_options(optional(options));
        let loader = CallbackLoader { fetch, user_data };
        let inner = Symbolicator::new(loader, options);
        Ok(mapback_symbolicator { inner }.into_raw())
    })
}

/// Creates a symbolicator that reads scripts and maps from local directories, never
/// opening anything outside them (no `..`, absolute paths or symlinks out).
///
/// `prefixes` and `prefix_dirs` are `prefix_count` pairs of UTF-8 strings: URLs
/// starting with `prefixes[i]` are served from directory `prefix_dirs[i]` (the rest of
/// the URL is the relative path). `file_name_dirs` (`file_name_dir_count` entries) serve
/// any URL by its last path segment. The strings are copied. Arrays may be NULL when
/// their count is 0.
/// `options` may be NULL. Returns a new object owned by the caller, or NULL with `err`
/// set (`MAPBACK_ERROR_IO` for a missing directory).
#[no_mangle]
pub unsafe extern "C" fn mapback_symbolicator_new_directories(
    prefixes: *const mapback_str,
    prefix_dirs: *const mapback_str,
    prefix_count: usize,
    file_name_dirs: *const mapback_str,
    file_name_dir_count: usize,
    options: *const mapback_symbolicator_options,
    err: *mut mapback_error,
) -> *mut mapback_symbolicator {
    ffi_boundary!(err, {
        let string = |view: &mapback_str, what: &str| -> Result<String, Error> {
            text(view.data.cast(), view.len, what).map(str::to_owned)
        };
        let prefixes = values(prefixes, prefix_count, "prefixes")?;
        let prefix_dirs = values(prefix_dirs, prefix_count, "prefix_dirs")?;
        let file_name_dirs = values(file_name_dirs, file_name_dir_count, "file_name_dirs")?;
        let mut loader = DirectoryLoader::new();
        for (prefix, dir) in prefixes.iter().zip(prefix_dirs) {
            loader = loader.with_prefix(&string(prefix, "prefix")?, string(dir, "directory")?)?;
        }
        for dir in file_name_dirs {
            loader = loader.with_file_names(string(dir, "directory")?)?;
        }
        let options = symbolicate_options(optional(options));
        let inner = Symbolicator::new(loader, options);
        Ok(mapback_symbolicator { inner }.into_raw())
    })
}

/// Creates a symbolicator over an artifact store: each frame's map is found by its
/// image's debug ID first, then by its script URL (uploads named `~/path` match any
/// scheme and host), among the store's entries, read through their mapped caches.
/// `store` must not be NULL; `options` may be NULL (the defaults).
///
/// The symbolicator keeps the store open on its own: `store` may be freed with
/// `mapback_store_free` before the symbolicator (or right after this call), and the
/// symbolicator keeps working. Other threads and processes may add to the store while
/// it reads; entries added later are found. Returns a new object owned by the caller
/// (release with `mapback_symbolicator_free`), or NULL with `err` set
/// (`MAPBACK_ERROR_NULL_POINTER` for a NULL store). Thread-safe; the result may be
/// shared across threads.
#[no_mangle]
pub unsafe extern "C" fn mapback_symbolicator_new_store(
    store: *const mapback_store,
    options: *const mapback_symbolicator_options,
    err: *mut mapback_error,
) -> *mut mapback_symbolicator {
    ffi_boundary!(err, {
        let store = mapback_store::from_ptr(store)?;
        let options = symbolicate_options(optional(options));
        let inner = Symbolicator::from_store(store.inner.clone(), options);
        Ok(mapback_symbolicator { inner }.into_raw())
    })
}

/// Releases a symbolicator. NULL is ignored. It must not be in use by another thread.
#[no_mangle]
pub unsafe extern "C" fn mapback_symbolicator_free(symbolicator: *mut mapback_symbolicator) {
    ffi_boundary!({
        mapback_symbolicator::free(symbolicator);
        Ok(())
    })
}

/// Symbolicates a stack trace (`len` bytes of UTF-8 at `trace`: V8, SpiderMonkey,
/// JavaScriptCore or Hermes text) and writes the result as UTF-8 JSON to `*out`, which
/// the caller then owns and releases with `mapback_buf_free`.
///
/// The JSON: `{"error_type", "message", "truncated", "frames": [...]}`; each frame has
/// `filename`, `abs_path`, `lineno`, `colno` (1-based), `function`, `function_origin`
/// (`"scopes"`, `"function_map"`, `"original_source"`, `"minified_script"` or null), `context_line`,
/// `pre_context`, `post_context`, `in_app`, `unmapped_reason` (null, or `{"kind",
/// "message"}` when the frame kept its minified data) and `minified` (the frame as
/// printed, with `is_bytecode` for Hermes's `address at` frames). Frames that cannot be mapped are not errors. Returns false with `err` set
/// when the trace itself is refused (`MAPBACK_ERROR_TRACE_TOO_LARGE`, invalid UTF-8).
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_symbolicator_symbolicate(
    symbolicator: *const mapback_symbolicator,
    trace: *const u8,
    len: usize,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let symbolicator = mapback_symbolicator::from_ptr(symbolicator)?;
        let trace = text(trace, len, "trace")?;
        let out = output(out, "out")?;
        let result = symbolicator.inner.symbolicate(trace)?;
        *out = mapback_buf::from_json(&result.to_json())?;
        Ok(true)
    })
}

/// Symbolicates a Sentry event: `len` bytes of UTF-8 JSON at `event` (an object, at
/// most 16 MiB). Every JavaScript stack trace of `exception.values[]` and
/// `threads.values[]` is symbolicated in place, each frame's map found by its
/// `debug_meta.images[]` debug ID first, then by URL; the frames as sent are kept as
/// the stack trace's `raw_stacktrace`; per-frame problems are added to the event's
/// `errors` list (`{"type": code, ...}`, codes in docs/symbolication.md); the engine
/// comes from the event's contexts or User-Agent. Every other field is kept. A mapped
/// frame gets the original `filename`, `abs_path`, `lineno`, `colno` (1-based),
/// `function`, `context_line`, `pre_context`, `post_context`, `in_app` and `data`
/// (`symbolicated`, `found_by`: `"debug_id"` or `"url"`, `sourcemap`, `inlined`,
/// `column_refined`: the column was found by walking tokens between two segments,
/// `function_origin`: `"scopes"`, `"function_map"`, `"original_source"` or `"minified_script"`).
///
/// Writes the symbolicated event as UTF-8 JSON to `*out`, which the caller then owns
/// and releases with `mapback_buf_free`. Returns false with `err` set, and `*out`
/// untouched, when the event is refused: `MAPBACK_ERROR_INPUT_TOO_LARGE` (over 16 MiB),
/// `MAPBACK_ERROR_INVALID_JSON` (not JSON, or nested deeper than 128 levels),
/// `MAPBACK_ERROR_INVALID_ARGUMENT` (not an object), `MAPBACK_ERROR_NULL_POINTER`.
/// Frames that cannot be mapped are not errors. `event` is only read during the call.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_symbolicator_symbolicate_event(
    symbolicator: *const mapback_symbolicator,
    event: *const u8,
    len: usize,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let symbolicator = mapback_symbolicator::from_ptr(symbolicator)?;
        let event = bytes(event, len, "event")?;
        let out = output(out, "out")?;
        let json = symbolicator.inner.symbolicate_event_json(event)?;
        *out = mapback_buf::from_vec(json);
        Ok(true)
    })
}

/// Symbolicates frames as an SDK sends them. `frames` (`frames_len` bytes of UTF-8
/// JSON) is an array of frame objects in Sentry's order, outermost caller first and
/// the crashing frame last: `{"filename", "abs_path", "lineno", "colno" (1-based),
/// "function", "in_app", "module"}`, each optional, other fields ignored
/// (`filename` stands in for a missing `abs_path`). `images` (`images_len` bytes, or
/// NULL for none) is an array of `debug_meta.images[]` entries: those of `"type":
/// "sourcemap"` give the debug ID of the script named by `code_file`; others are
/// ignored. `engine` is a `MAPBACK_ENGINE_*` value (the column and naming rules).
///
/// Writes to `*out` (owned by the caller, release with `mapback_buf_free`) a JSON
/// array of frames in the same order: per frame `filename`, `abs_path`, `lineno`,
/// `colno`, `function`, `context_line`, `pre_context`, `post_context`, `in_app`,
/// `inlined` (a frame the minifier inlined, rebuilt after the frame it was inlined
/// into), `column_refined` (the frame fell between two segments and its column was
/// found by walking the minified and original tokens in step), `function_origin`
/// (where `function` came from: `"scopes"`, `"function_map"`, `"original_source"`,
/// `"minified_script"`, or null), `unmapped_reason` (null, or `{"kind", "message"}` when the frame kept its
/// data as sent), `found_by` (`"debug_id"`, `"url"` or null), `map_url` and
/// `minified` (the frame as sent).
///
/// Returns false with `err` set, and `*out` untouched: `MAPBACK_ERROR_INVALID_JSON`,
/// `MAPBACK_ERROR_INVALID_ARGUMENT` (not an array, a field of the wrong type, a bad
/// `sourcemap` image, an unknown engine; the message names the index),
/// `MAPBACK_ERROR_INPUT_TOO_LARGE` (over 16 MiB together, or over 4,096 frames),
/// `MAPBACK_ERROR_NULL_POINTER`. The inputs are only read during the call.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_symbolicator_symbolicate_frames(
    symbolicator: *const mapback_symbolicator,
    frames: *const u8,
    frames_len: usize,
    images: *const u8,
    images_len: usize,
    engine: u32,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let symbolicator = mapback_symbolicator::from_ptr(symbolicator)?;
        let frames = bytes(frames, frames_len, "frames")?;
        let images = if images.is_null() {
            None
        } else {
            Some(bytes(images, images_len, "images")?)
        };
        let engine = self::engine(engine)?;
        let out = output(out, "out")?;
        let json = symbolicator
            .inner
            .symbolicate_frames_json(frames, images, engine)?;
        *out = mapback_buf::from_vec(json);
        Ok(true)
    })
}
