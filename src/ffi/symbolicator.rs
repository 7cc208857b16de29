//! `mapback_symbolicator`: fetches scripts and maps through a C callback or from local
//! directories, and turns a whole stack trace into JSON in one call.

use std::ffi::c_void;

use crate::error::{Error, ErrorCode};
use crate::symbolicate::{DirectoryLoader, Loader, SymbolicateOptions, Symbolicator};

use super::args::{optional, output, text, values};
use super::boundary::{ffi_boundary, mapback_error, null_argument};
use super::buffer::mapback_buf;
use super::fetched::{mapback_fetch_fn, mapback_fetched, FetchFn};
use super::handle::Handle;
use super::types::{mapback_decode_limits, mapback_str};

/// A symbolicator (opaque). Create with `mapback_symbolicator_new` or
/// `mapback_symbolicator_new_directories`; release with `mapback_symbolicator_free`.
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

/// Releases a symbolicator. NULL is ignored. It must not be in use by another thread.
#[no_mangle]
pub unsafe extern "C" fn mapback_symbolicator_free(symbolicator: *mut mapback_symbolicator) {
    ffi_boundary!({
        mapback_symbolicator::free(symbolicator);
        Ok(())
    })
}

/// Symbolicates a stack trace (`len` bytes of UTF-8 at `trace`: V8, SpiderMonkey or
/// JavaScriptCore text) and writes the result as UTF-8 JSON to `*out`, which the caller
/// then owns and releases with `mapback_buf_free`.
///
/// The JSON: `{"error_type", "message", "truncated", "frames": [...]}`; each frame has
/// `filename`, `abs_path`, `lineno`, `colno` (1-based), `function`, `context_line`,
/// `pre_context`, `post_context`, `in_app`, `unmapped_reason` (null, or `{"kind",
/// "message"}` when the frame kept its minified data) and `minified` (the frame as
/// printed). Frames that cannot be mapped are not errors. Returns false with `err` set
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
        let json = serde_json::to_vec(&result.to_json()).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("could not write JSON: {e}"),
            )
        })?;
        *out = mapback_buf::from_vec(json);
        Ok(true)
    })
}
