//! What an `add` reports: every bundle added (its entry, debug ID, URLs, and how its
//! script and map were paired) and every file skipped, with the reason.

use std::fmt;

use crate::error::{Error, ErrorCode};

/// The result of [`crate::Store::add`].
#[derive(Clone, Debug, Default)]
pub struct AddSummary {
    /// Bundles now in the store, in input order.
    pub added: Vec<AddedBundle>,
    /// Files that did not become (part of) an entry.
    pub skipped: Vec<SkippedFile>,
}

impl AddSummary {
    /// The skipped files whose script and map disagree on the debug ID.
    pub fn debug_id_mismatches(&self) -> impl Iterator<Item = &SkippedFile> {
        self.skipped
            .iter()
            .filter(|s| matches!(s.reason, SkipReason::DebugIdMismatch { .. }))
    }
}

/// One bundle of an `add`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedBundle {
    /// The entry's ID (the SHA-256 of its record).
    pub entry_id: String,
    /// The debug ID it is indexed by, lowercase, if the script or map declares one.
    pub debug_id: Option<String>,
    /// The URLs it is indexed by (script first, then the map unless it was inline).
    pub urls: Vec<String>,
    /// Where the script came from (a path, or `archive.zip!name`), if there was one.
    pub script: Option<String>,
    /// Where the map came from; `None` when it was inline in the script.
    pub map: Option<String>,
    /// How the script found its map.
    pub paired_by: PairedBy,
    /// The same entry was already in the store (the add changed nothing for it).
    pub already_present: bool,
}

/// How a script and its map were paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairedBy {
    /// The script's `sourceMappingURL` (comment, or the bundle's `sourcemap` header).
    SourceMappingUrl,
    /// The map is a `data:` URL in the script's `sourceMappingURL`.
    InlineDataUrl,
    /// Script and map declare the same debug ID.
    DebugId,
    /// The map is named `<script>.map`.
    MapFileName,
    /// A map added without its script (found by its debug ID or its own URL).
    MapOnly,
}

/// A file an `add` did not store.
#[derive(Clone, Debug, PartialEq)]
pub struct SkippedFile {
    /// A path, or `archive.zip!name` for a file of an artifact bundle.
    pub file: String,
    /// Why.
    pub reason: SkipReason,
}

/// Why a file was skipped.
#[derive(Clone, Debug, PartialEq)]
pub enum SkipReason {
    /// Neither a script (`.js`, `.mjs`, `.cjs`, `.bundle`) nor a map (`.map`), or an
    /// artifact bundle's file of another type (`source`, `indexed_ram_bundle`).
    NotScriptOrMap,
    /// A script for which no map was found among the inputs.
    NoSourceMap {
        /// Its `sourceMappingURL`, if it has one.
        source_mapping_url: Option<String>,
    },
    /// The script and the map it was paired with declare different debug IDs: the pair
    /// is not stored, rather than stored under a guessed ID.
    DebugIdMismatch {
        /// The script's (its `//# debugId=` comment or `debug-id` header).
        script_debug_id: String,
        /// The map's (`debugId`/`debug_id`, or its `debug-id` header).
        map_debug_id: String,
    },
    /// The map (or the script, or its inline map) could not be read or decoded.
    Invalid(Error),
    /// A symbolic link whose target is outside the directory being added, or a
    /// symbolic link to a directory (not followed, so a walk cannot loop).
    Symlink,
    /// A zip archive inside a directory (add it by its own path).
    NestedArchive,
    /// Deeper than `IngestLimits::max_directory_depth`.
    TooDeep,
}

impl SkipReason {
    /// The error code behind the reason, when there is one (for bindings that report
    /// skipped files as codes): the decode or read error of an invalid file, or
    /// `DebugIdMismatch`.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            SkipReason::Invalid(error) => Some(error.code()),
            SkipReason::DebugIdMismatch { .. } => Some(ErrorCode::DebugIdMismatch),
            _ => None,
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NotScriptOrMap => f.write_str("not a script or a source map"),
            SkipReason::NoSourceMap {
                source_mapping_url: Some(url),
            } => write!(
                f,
                "no source map: sourceMappingURL {url:?} is not among the inputs"
            ),
            SkipReason::NoSourceMap { .. } => f.write_str("no source map found for this script"),
            SkipReason::DebugIdMismatch {
                script_debug_id,
                map_debug_id,
            } => write!(
                f,
                "debug ID mismatch: script says {script_debug_id}, map says {map_debug_id}"
            ),
            SkipReason::Invalid(error) => write!(f, "{} ({})", error.message(), error.code()),
            SkipReason::Symlink => {
                f.write_str("symbolic link out of the directory, or to a directory: not followed")
            }
            SkipReason::NestedArchive => {
                f.write_str("an archive inside a directory: add it by its own path")
            }
            SkipReason::TooDeep => f.write_str("deeper than the directory depth limit"),
        }
    }
}
