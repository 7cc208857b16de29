//! `mapback_store`: the artifact store through the C ABI. Open a store directory, add
//! scripts, maps, build directories and artifact bundles, find an entry by debug ID or
//! URL (as a `mapback_sourcemap` over its mapped cache, so every `mapback_sourcemap_*`
//! query works on it), list, verify and collect it. Rich results are JSON in a
//! `mapback_buf`, written by the core (`crate::store`'s `to_json`), schemas in
//! docs/store.md.

use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;
use crate::store::{entries_json, IngestLimits, Store, StoreEntry, StoreOptions};

use super::args::{optional, optional_mut, output, path, text, values};
use super::boundary::{ffi_boundary, mapback_error};
use super::buffer::mapback_buf;
use super::handle::Handle;
use super::sourcemap::mapback_sourcemap;
use super::types::mapback_str;

/// An artifact store (opaque): a directory of map caches and scripts indexed by debug
/// ID and URL. Open with `mapback_store_open`, release with `mapback_store_free`.
///
/// Thread-safe: every function taking a `const mapback_store *` may be called from any
/// number of threads at once on one handle (adds serialise on the store's lock, reads
/// take none); only `mapback_store_free` must not race with other uses. Any number of
/// processes may open the same directory, reading and adding at once.
pub struct mapback_store {
    /// Shared: a symbolicator made by `mapback_symbolicator_new_store` holds its own
    /// reference, so the handle may be freed before it.
    pub(super) inner: Arc<Store>,
}

impl Handle for mapback_store {
    const ARGUMENT: &'static str = "store";
}

/// Bounds on what one `mapback_store_add` reads (see docs/limits.md). 0 in a field
/// means its default, so a zero-initialised struct gives the defaults. Plain data.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct mapback_ingest_limits {
    /// One file, read from disk or decompressed from an archive (default 256 MiB).
    pub max_file_bytes: u64,
    /// All files of one add together (default 1 GiB).
    pub max_total_bytes: u64,
    /// Files considered by one add: directory walks and archive entries (default 100,000).
    pub max_files: usize,
    /// Entries in one archive's central directory (default 10,000).
    pub max_archive_entries: usize,
    /// An archive's `manifest.json` (default 16 MiB).
    pub max_manifest_bytes: u64,
    /// Decompressed bytes per compressed byte of an archive entry, past its first MiB
    /// (default 200).
    pub max_compression_ratio: u64,
    /// Directory nesting followed by a walk (default 64).
    pub max_directory_depth: usize,
}

impl mapback_ingest_limits {
    fn to_core(self) -> IngestLimits {
        let d = IngestLimits::default();
        fn pick<T: PartialEq + Default>(value: T, default: T) -> T {
            if value == T::default() {
                default
            } else {
                value
            }
        }
        IngestLimits {
            max_file_bytes: pick(self.max_file_bytes, d.max_file_bytes),
            max_total_bytes: pick(self.max_total_bytes, d.max_total_bytes),
            max_files: pick(self.max_files, d.max_files),
            max_archive_entries: pick(self.max_archive_entries, d.max_archive_entries),
            max_manifest_bytes: pick(self.max_manifest_bytes, d.max_manifest_bytes),
            max_compression_ratio: pick(self.max_compression_ratio, d.max_compression_ratio),
            max_directory_depth: pick(self.max_directory_depth, d.max_directory_depth),
        }
    }
}

/// Options of `mapback_store_open`. Pass NULL for the defaults; 0 in a field also means
/// its default, so a zero-initialised struct gives the defaults. Plain data, copied by
/// `mapback_store_open`. Every map's cache keeps names, function scopes and contents.
#[repr(C)]
pub struct mapback_store_options {
    /// After each add, evict least-recently-used entries until the store's objects and
    /// records take at most this many bytes (the add's own entries are kept). 0: no bound.
    pub max_bytes: u64,
    /// A read records a use of an entry (the LRU clock) at most this often per entry and
    /// process, in milliseconds (default 60,000).
    pub touch_interval_ms: u64,
    /// Bounds on each add (0 fields: the defaults).
    pub limits: mapback_ingest_limits,
}

fn store_options(options: Option<&mapback_store_options>) -> StoreOptions {
    let mut result = StoreOptions::default();
    if let Some(o) = options {
        result.max_bytes = (o.max_bytes > 0).then_some(o.max_bytes);
        if o.touch_interval_ms > 0 {
            result.touch_interval = Duration::from_millis(o.touch_interval_ms);
        }
        result.limits = o.limits.to_core();
    }
    result
}

/// Opens the store in the directory given by `path_len` bytes at `path` (raw bytes on
/// Unix, UTF-8 elsewhere), creating it and its folders if it does not exist. `options`
/// may be NULL (no size bound, default limits).
///
/// Returns a new store owned by the caller (release with `mapback_store_free`), or NULL
/// with `err` set: `MAPBACK_ERROR_NOT_A_STORE` for a directory that holds other files
/// or another store format, `MAPBACK_ERROR_IO` when it cannot be created or read,
/// `MAPBACK_ERROR_INVALID_ARGUMENT` for an empty path. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_store_open(
    path: *const u8,
    path_len: usize,
    options: *const mapback_store_options,
    err: *mut mapback_error,
) -> *mut mapback_store {
    ffi_boundary!(err, {
        let directory = self::path(path, path_len)?;
        let inner = Arc::new(Store::open(directory, store_options(optional(options)))?);
        Ok(mapback_store { inner }.into_raw())
    })
}

/// Releases a store. NULL is ignored. Maps returned by `mapback_store_find_*` stay
/// valid (each owns its mapping), and so do symbolicators made from it with
/// `mapback_symbolicator_new_store` (each keeps the store open). The store must not be in use by another thread, and
/// must not be freed twice.
#[no_mangle]
pub unsafe extern "C" fn mapback_store_free(store: *mut mapback_store) {
    ffi_boundary!({
        mapback_store::free(store);
        Ok(())
    })
}

/// Adds the `count` paths in `paths` (each `len` bytes at `data`, raw bytes on Unix):
/// scripts and maps, build directories (walked recursively) and artifact bundles
/// (`.zip` with `manifest.json`), together, pairing scripts with their maps. Each entry
/// is published whole; adding the same bundle again changes nothing.
///
/// When `summary_json` is not NULL, writes the add's summary to it as UTF-8 JSON, which
/// the caller then owns and releases with `mapback_buf_free`:
/// `{"added": [{"entry_id", "debug_id", "urls", "script", "map", "paired_by",
/// "already_present"}], "skipped": [{"file", "reason", "message", "code", ...}]}`
/// (docs/store.md gives every field). A file that is not a script or map, a script
/// without a map, a map that does not decode, or a script and map whose debug IDs
/// differ is skipped and reported there, not an error.
///
/// Returns false with `err` set, and the store unchanged, when an input is refused as a
/// whole: a hostile or damaged archive (`MAPBACK_ERROR_INVALID_ARCHIVE`,
/// `..._UNSAFE_ARCHIVE_PATH`, `..._DUPLICATE_ARCHIVE_ENTRY`, `..._ARCHIVE_SYMLINK`,
/// `..._INVALID_MANIFEST`, a JSON code for a malformed manifest), an input over a limit
/// (`..._INPUT_TOO_LARGE`), a missing path (`..._IO`). `paths` may be NULL only when
/// `count` is 0. Thread-safe (adds from several threads or processes serialise).
#[no_mangle]
pub unsafe extern "C" fn mapback_store_add(
    store: *const mapback_store,
    paths: *const mapback_str,
    count: usize,
    summary_json: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let store = mapback_store::from_ptr(store)?;
        let inputs = values(paths, count, "paths")?
            .iter()
            .map(|p| path(p.data.cast(), p.len))
            .collect::<Result<Vec<_>, Error>>()?;
        let summary = store.inner.add(&inputs)?;
        if let Some(out) = optional_mut(summary_json) {
            *out = mapback_buf::from_json(&summary.to_json())?;
        }
        Ok(true)
    })
}

/// The map of a found entry, and its description for `entry_json`.
fn give_entry(
    entry: Option<StoreEntry>,
    entry_json: *mut mapback_buf,
) -> Result<*mut mapback_sourcemap, Error> {
    let Some(entry) = entry else {
        return Ok(std::ptr::null_mut());
    };
    if let Some(out) = optional_mut(entry_json) {
        *out = mapback_buf::from_json(&entry.to_json())?;
    }
    Ok(mapback_sourcemap::boxed(Box::new(entry.into_cache())))
}

/// Finds the entry indexed under the debug ID given by `len` bytes of UTF-8 at
/// `debug_id` (a UUID, any case, with hyphens).
///
/// Returns a new `mapback_sourcemap` over the entry's cache, owned by the caller
/// (release with `mapback_sourcemap_free`; it stays valid after the store is freed, and
/// after the entry is evicted or collected): every `mapback_sourcemap_*` query works on
/// it. When `entry_json` is not NULL, it receives (owned by the caller, release with
/// `mapback_buf_free`) `{"entry_id", "debug_id", "script_url", "map_url",
/// "script_bytes", "found_by": {"kind": "debug_id", "debug_id"}}`.
///
/// Returns NULL with `err->code == 0` (and `entry_json` untouched) when no entry has
/// this debug ID; NULL with `err` set on failure: `MAPBACK_ERROR_INVALID_DEBUG_ID` when
/// it is not a UUID, `MAPBACK_ERROR_CORRUPT_STORE` for a damaged entry, `..._IO`.
/// Thread-safe, and safe while other threads or processes add to the store.
#[no_mangle]
pub unsafe extern "C" fn mapback_store_find_by_debug_id(
    store: *const mapback_store,
    debug_id: *const u8,
    len: usize,
    entry_json: *mut mapback_buf,
    err: *mut mapback_error,
) -> *mut mapback_sourcemap {
    ffi_boundary!(err, {
        let store = mapback_store::from_ptr(store)?;
        let debug_id = text(debug_id, len, "debug_id")?;
        give_entry(store.inner.find_by_debug_id(debug_id)?, entry_json)
    })
}

/// Finds the entry for the script or map at the URL given by `len` bytes of UTF-8 at
/// `url`: one uploaded with exactly this URL (query and fragment ignored), else one
/// uploaded as `~/<its path>` (any scheme and host, Sentry's rule).
///
/// Returns and reports as `mapback_store_find_by_debug_id`, with `"found_by": {"kind":
/// "url", "url", "key"}` (`key` is the index key that matched: `url:...` or
/// `path:...`). NULL with `err->code == 0` when nothing matches. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_store_find_by_url(
    store: *const mapback_store,
    url: *const u8,
    len: usize,
    entry_json: *mut mapback_buf,
    err: *mut mapback_error,
) -> *mut mapback_sourcemap {
    ffi_boundary!(err, {
        let store = mapback_store::from_ptr(store)?;
        let url = text(url, len, "url")?;
        give_entry(store.inner.find_by_url(url)?, entry_json)
    })
}

/// Writes every readable entry to `*out` as UTF-8 JSON, least recently used first:
/// `{"entries": [{"entry_id", "debug_id", "urls", "bytes", "last_used"}]}`
/// (`last_used`: seconds since the Unix epoch). The caller owns the buffer (release
/// with `mapback_buf_free`). Returns false with `err` set on failure (`..._IO`).
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_store_entries_json(
    store: *const mapback_store,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let store = mapback_store::from_ptr(store)?;
        let out = output(out, "out")?;
        *out = mapback_buf::from_json(&entries_json(&store.inner.entries()?))?;
        Ok(true)
    })
}

/// Checks every entry record, object (size, SHA-256, a cache's own checksum) and index
/// file, under the writers' lock, and writes the report to `*out` as UTF-8 JSON:
/// `{"ok", "entries", "objects", "index_files", "problems": [{"path", "code",
/// "message"}]}`. Nothing is repaired (`mapback_store_gc_json` removes debris).
///
/// Returns true when the check ran, **whatever it found**: read `"ok"`. Returns false
/// with `err` set only when it could not run (`..._IO`). The caller owns the buffer.
/// Thread-safe (waits for a running add).
#[no_mangle]
pub unsafe extern "C" fn mapback_store_verify_json(
    store: *const mapback_store,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let store = mapback_store::from_ptr(store)?;
        let out = output(out, "out")?;
        *out = mapback_buf::from_json(&store.inner.verify()?.to_json())?;
        Ok(true)
    })
}

/// Removes debris under the writers' lock (temporary files of writers that died,
/// index files pointing at missing or damaged entries, entries no index reaches,
/// objects no entry names) and writes what it removed to `*out` as UTF-8 JSON:
/// `{"temp_files", "entries", "index_files", "objects", "bytes"}`. Readers may carry
/// on meanwhile. The caller owns the buffer. Returns false with `err` set on failure
/// (`..._IO`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_store_gc_json(
    store: *const mapback_store,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let store = mapback_store::from_ptr(store)?;
        let out = output(out, "out")?;
        *out = mapback_buf::from_json(&store.inner.gc()?.to_json())?;
        Ok(true)
    })
}
