//! How a store behaves: its size bound, the cache it writes for each map, how often a
//! read records a use, and the bounds on what one `add` may read.

use std::time::Duration;

use crate::cache::CacheOptions;

/// Options of [`crate::Store::open`].
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Evict least-recently-used entries after an `add` until the store's objects and
    /// records take at most this many bytes (entries of the `add` itself are kept).
    /// `None` (the default): no bound.
    pub max_bytes: Option<u64>,
    /// What each map's cache holds. The default keeps names, function scopes and
    /// contents, as `to_cache` does.
    pub cache_options: CacheOptions,
    /// A read records a use of an entry (for eviction) at most this often per entry
    /// and process, by touching the entry record's mtime. Default: 60 s.
    pub touch_interval: Duration,
    /// Bounds on what one `add` reads.
    pub limits: IngestLimits,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions {
            max_bytes: None,
            cache_options: CacheOptions::default(),
            touch_interval: Duration::from_secs(60),
            limits: IngestLimits::default(),
        }
    }
}

/// Bounds on one `add`, checked against bytes actually read (never against sizes an
/// archive declares). See docs/limits.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IngestLimits {
    /// One file, read from disk or decompressed from an archive. Default 256 MiB.
    pub max_file_bytes: u64,
    /// All files of one `add` together. Default 1 GiB.
    pub max_total_bytes: u64,
    /// Files considered by one `add` (directory walk and archive entries). Default 100,000.
    pub max_files: usize,
    /// Entries in one archive's central directory. Default 10,000.
    pub max_archive_entries: usize,
    /// An archive's `manifest.json`. Default 16 MiB.
    pub max_manifest_bytes: u64,
    /// Decompressed bytes per compressed byte of an archive entry, past its first
    /// MiB. Default 200 (source maps and scripts compress 3–20×; deflate's own
    /// maximum is about 1,032).
    pub max_compression_ratio: u64,
    /// Directory nesting followed by a directory walk. Default 64.
    pub max_directory_depth: usize,
}

impl Default for IngestLimits {
    fn default() -> IngestLimits {
        IngestLimits {
            max_file_bytes: 256 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_files: 100_000,
            max_archive_entries: 10_000,
            max_manifest_bytes: 16 * 1024 * 1024,
            max_compression_ratio: 200,
            max_directory_depth: 64,
        }
    }
}
