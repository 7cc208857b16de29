//! Caches through the C ABI: write a map as a cache (to memory or atomically to a
//! file), open a cache as a `mapback_sourcemap`, verify it. Every `mapback_sourcemap_*`
//! query works on an opened cache exactly as on a parsed map.

use std::path::PathBuf;

use crate::cache::{to_cache_bytes, write_cache_file, Cache, CacheOptions};
use crate::error::{Error, ErrorCode};

use super::boundary::{ffi_boundary, mapback_error};
use super::sourcemap::mapback_sourcemap;
use super::types::mapback_str;
use super::{bytes, output, required};

/// What a cache includes. Pass NULL for the defaults (all true).
#[repr(C)]
pub struct mapback_cache_options {
    /// Store the sources' contents (LZ4-compressed), for contents and context lines.
    pub include_contents: bool,
    /// Store the names (otherwise tokens in the cache have no names).
    pub include_names: bool,
    /// Store each source's function scopes, so that symbolication names functions
    /// without parsing sources, even in a cache without contents.
    pub include_scopes: bool,
}

/// A byte buffer owned by the caller once returned; release it with `mapback_buf_free`.
#[repr(C)]
pub struct mapback_buf {
    /// First byte (never NULL for a buffer the library filled).
    pub data: *mut u8,
    /// Length in bytes.
    pub len: usize,
}

fn cache_options(options: Option<&mapback_cache_options>) -> CacheOptions {
    options.map_or_else(CacheOptions::default, |o| CacheOptions {
        include_contents: o.include_contents,
        include_names: o.include_names,
        include_scopes: o.include_scopes,
    })
}

/// Reads a path passed as `(bytes, length)` (raw bytes on Unix, UTF-8 elsewhere).
///
/// # Safety
/// `data` must hold `len` readable bytes.
unsafe fn path(data: *const u8, len: usize) -> Result<PathBuf, Error> {
    // SAFETY: forwarded contract.
    let raw = unsafe { bytes(data, len, "path") }?;
    if raw.is_empty() {
        return Err(Error::new(ErrorCode::InvalidArgument, "the path is empty"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(raw)))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(raw)
            .map(PathBuf::from)
            .map_err(|_| Error::new(ErrorCode::InvalidArgument, "the path is not valid UTF-8"))
    }
}

/// Serialises `map` (a parsed map or a cache) into the cache format and writes the
/// bytes to `*out`, which the caller then owns and releases with `mapback_buf_free`.
/// `options` may be NULL (contents and names included). Returns false on error
/// (`MAPBACK_ERROR_CACHE_LIMIT_EXCEEDED` when the map does not fit the format).
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_to_cache(
    map: *const mapback_sourcemap,
    options: *const mapback_cache_options,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        // SAFETY: pointers are NULL or valid, per the contract.
        let map = unsafe { required(map, "map") }?;
        let options = cache_options(unsafe { options.as_ref() });
        let out = unsafe { output(out, "out") }?;
        let data = to_cache_bytes(map.map.as_view(), options)?.into_boxed_slice();
        let len = data.len();
        *out = mapback_buf {
            data: Box::into_raw(data).cast::<u8>(),
            len,
        };
        Ok(true)
    })
}

/// Releases a buffer filled by the library and sets it to `{NULL, 0}`. NULL, or a
/// buffer whose `data` is NULL, is ignored. Must not be called twice on a copy of the
/// same buffer. Not thread-safe for one buffer.
#[no_mangle]
pub unsafe extern "C" fn mapback_buf_free(buf: *mut mapback_buf) {
    ffi_boundary!({
        // SAFETY: `buf` is NULL or a valid buffer struct (documented above).
        if let Some(buf) = unsafe { buf.as_mut() } {
            if !buf.data.is_null() {
                let slice = std::ptr::slice_from_raw_parts_mut(buf.data, buf.len);
                // SAFETY: data/len come from `Box<[u8]>::into_raw` in this module and
                // are reset below, so the box is rebuilt with its exact length once.
                drop(unsafe { Box::from_raw(slice) });
            }
            buf.data = std::ptr::null_mut();
            buf.len = 0;
        }
        Ok(())
    })
}

/// Writes `map` as a cache file at the path given by `path_len` bytes at `path`,
/// atomically: a temporary file in the same directory is written, synced and renamed
/// over the target, so no reader ever sees a partial file and existing mappings of an
/// older file stay valid. `options` may be NULL. Returns false on error
/// (`MAPBACK_ERROR_IO` with the path and reason). Thread-safe (two writers of one path
/// race; the last rename wins).
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_write_cache(
    map: *const mapback_sourcemap,
    path: *const u8,
    path_len: usize,
    options: *const mapback_cache_options,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        // SAFETY: pointers are NULL or valid, per the contract.
        let map = unsafe { required(map, "map") }?;
        let target = unsafe { self::path(path, path_len) }?;
        let options = cache_options(unsafe { options.as_ref() });
        write_cache_file(map.map.as_view(), target, options)?;
        Ok(true)
    })
}

/// Opens the cache file at the path given by `path_len` bytes at `path` by mapping it
/// into memory: O(1) whatever its size (header and section table are checked, with
/// their checksums; call `mapback_sourcemap_verify` to check the body too).
///
/// Returns a new `mapback_sourcemap` owned by the caller (release with
/// `mapback_sourcemap_free`), or NULL with `err` set (`MAPBACK_ERROR_IO`,
/// `..._NOT_A_CACHE`, `..._UNSUPPORTED_CACHE_VERSION`, `..._CORRUPT_CACHE`,
/// `..._TRUNCATED_CACHE`). The file must not be truncated or rewritten in place while
/// open (SIGBUS); publish new caches with `mapback_sourcemap_write_cache`, which renames.
/// Thread-safe; the returned map may be shared across threads.
#[no_mangle]
pub unsafe extern "C" fn mapback_cache_open(
    path: *const u8,
    path_len: usize,
    err: *mut mapback_error,
) -> *mut mapback_sourcemap {
    ffi_boundary!(err, {
        // SAFETY: `path` holds `path_len` bytes, per the contract.
        let target = unsafe { self::path(path, path_len) }?;
        let cache = Cache::open(target)?;
        Ok(mapback_sourcemap::into_raw(Box::new(cache)))
    })
}

/// Opens a cache from `len` bytes at `data`, which are copied (the caller may free
/// them when the call returns). Errors as for `mapback_cache_open`. Returns a new map
/// owned by the caller. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_cache_from_bytes(
    data: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> *mut mapback_sourcemap {
    ffi_boundary!(err, {
        // SAFETY: `data` holds `len` bytes, per the contract.
        let input = unsafe { bytes(data, len, "data") }?;
        let cache = Cache::from_slice(input)?;
        Ok(mapback_sourcemap::into_raw(Box::new(cache)))
    })
}

/// Opens a cache from `len` bytes at `data` **in place**, without copying when `data`
/// is 8-byte aligned (it is copied otherwise): O(1) whatever the size.
///
/// The caller must keep the bytes alive and unmodified until the returned map is freed
/// with `mapback_sourcemap_free`: the map reads them on every query. Errors and the
/// result are as for `mapback_cache_from_bytes`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_cache_from_bytes_borrowed(
    data: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> *mut mapback_sourcemap {
    ffi_boundary!(err, {
        if len > 0 && data.is_null() {
            return Err(super::boundary::null_argument("data"));
        }
        let input: &'static [u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: non-NULL and valid for `len` bytes; the caller promises (documented
            // above) that they stay alive and unchanged for as long as the map exists,
            // which is the lifetime the map's borrow actually needs.
            unsafe { std::slice::from_raw_parts(data, len) }
        };
        let cache = Cache::from_bytes(input)?;
        Ok(mapback_sourcemap::into_raw(Box::new(cache)))
    })
}

/// Checks the integrity of `map`'s storage in full: for a cache, the checksum of every
/// byte (O(size)), failing with `MAPBACK_ERROR_CACHE_CHECKSUM_MISMATCH`; a parsed map
/// always passes. Returns true when intact. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_verify(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        // SAFETY: `map` is NULL or a valid handle.
        unsafe { required(map, "map") }?.map.verify()?;
        Ok(true)
    })
}

/// Returns whether `map` was opened from a cache. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_is_cache(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        // SAFETY: `map` is NULL or a valid handle.
        Ok(unsafe { required(map, "map") }?.map.is_cache())
    })
}

/// Writes line `line` (0-based) of the content of source `source_index`, without its
/// line terminator, to `*out` (borrowed from the map). Lines end at `\n`, `\r\n`, `\r`,
/// U+2028 and U+2029, as JavaScript counts them. Returns false when the source has no
/// content or no such line. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_line(
    map: *const mapback_sourcemap,
    source_index: u32,
    line: u32,
    out: *mut mapback_str,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        // SAFETY: pointers are NULL or valid, per the contract.
        let map = unsafe { required(map, "map") }?;
        let out = unsafe { output(out, "out") }?;
        Ok(match map.map.source_line(source_index, line) {
            Some(text) => {
                *out = mapback_str::from_str(text);
                true
            }
            None => false,
        })
    })
}

/// Returns the number of lines of the content of source `source_index` (0 when it has
/// none). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_line_count(
    map: *const mapback_sourcemap,
    source_index: u32,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        // SAFETY: `map` is NULL or a valid handle.
        Ok(unsafe { required(map, "map") }?
            .map
            .source_line_count(source_index))
    })
}
