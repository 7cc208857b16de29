//! Caches through the C ABI: open a cache as a `mapback_sourcemap` (from a file, mapped,
//! or from memory), write a map as a cache (to memory or atomically to a file), verify
//! it. Every `mapback_sourcemap_*` query works on an opened cache exactly as on a
//! parsed map.

use crate::cache::{to_cache_bytes, write_cache_file, Cache, CacheOptions};

use super::args::{bytes, optional, output, path};
use super::boundary::{ffi_boundary, mapback_error, null_argument};
use super::buffer::mapback_buf;
use super::handle::Handle;
use super::sourcemap::mapback_sourcemap;

/// What a cache includes. Pass NULL for the defaults (all true). Plain data, only read
/// during the call.
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

fn cache_options(options: Option<&mapback_cache_options>) -> CacheOptions {
    options.map_or_else(CacheOptions::default, |o| CacheOptions {
        include_contents: o.include_contents,
        include_names: o.include_names,
        include_scopes: o.include_scopes,
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
        let target = self::path(path, path_len)?;
        let cache = Cache::open(target)?;
        Ok(mapback_sourcemap::boxed(Box::new(cache)))
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
        let input = bytes(data, len, "data")?;
        let cache = Cache::from_slice(input)?;
        Ok(mapback_sourcemap::boxed(Box::new(cache)))
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
            return Err(null_argument("data"));
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
        Ok(mapback_sourcemap::boxed(Box::new(cache)))
    })
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
        let map = mapback_sourcemap::from_ptr(map)?;
        let options = cache_options(optional(options));
        let out = output(out, "out")?;
        *out = mapback_buf::from_vec(to_cache_bytes(map.map.as_view(), options)?);
        Ok(true)
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
        let map = mapback_sourcemap::from_ptr(map)?;
        let target = self::path(path, path_len)?;
        let options = cache_options(optional(options));
        write_cache_file(map.map.as_view(), target, options)?;
        Ok(true)
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
        mapback_sourcemap::from_ptr(map)?.map.verify()?;
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
        Ok(mapback_sourcemap::from_ptr(map)?.map.is_cache())
    })
}
