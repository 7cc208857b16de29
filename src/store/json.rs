//! The store's results as JSON: the one schema the C ABI hands out and the Python
//! package and command line read (documented in docs/store.md, "JSON schemas").
//! Keys are snake_case; absent values are `null`, never missing keys.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::maintain::{GcReport, StoreProblem, VerifyReport};
use super::summary::{AddSummary, AddedBundle, PairedBy, SkipReason, SkippedFile};
use super::{EntryInfo, MatchedKey, StoreEntry};
use crate::error::Error;

impl AddSummary {
    /// `{"added": [bundle...], "skipped": [file...]}`.
    pub fn to_json(&self) -> Value {
        json!({
            "added": self.added.iter().map(AddedBundle::to_json).collect::<Vec<_>>(),
            "skipped": self.skipped.iter().map(SkippedFile::to_json).collect::<Vec<_>>(),
        })
    }
}

impl AddedBundle {
    /// `{"entry_id", "debug_id", "urls", "script", "map", "paired_by", "already_present"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "entry_id": self.entry_id,
            "debug_id": self.debug_id,
            "urls": self.urls,
            "script": self.script,
            "map": self.map,
            "paired_by": self.paired_by.as_str(),
            "already_present": self.already_present,
        })
    }
}

impl PairedBy {
    /// The snake_case name used in JSON (`source_mapping_url`, `map_only`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PairedBy::SourceMappingUrl => "source_mapping_url",
            PairedBy::InlineDataUrl => "inline_data_url",
            PairedBy::DebugId => "debug_id",
            PairedBy::MapFileName => "map_file_name",
            PairedBy::MapOnly => "map_only",
        }
    }
}

impl SkipReason {
    /// The snake_case name used in JSON (`no_source_map`, `debug_id_mismatch`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::NotScriptOrMap => "not_script_or_map",
            SkipReason::NoSourceMap { .. } => "no_source_map",
            SkipReason::DebugIdMismatch { .. } => "debug_id_mismatch",
            SkipReason::Invalid(_) => "invalid",
            SkipReason::Symlink => "symlink",
            SkipReason::NestedArchive => "nested_archive",
            SkipReason::TooDeep => "too_deep",
        }
    }
}

impl SkippedFile {
    /// `{"file", "reason", "message", "code"}`, plus `source_mapping_url` for
    /// `no_source_map` and `script_debug_id`/`map_debug_id` for `debug_id_mismatch`.
    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "file": self.file,
            "reason": self.reason.kind(),
            "message": self.reason.to_string(),
            "code": self.reason.code().map(|code| code.as_i32()),
        });
        let extra = match &self.reason {
            SkipReason::NoSourceMap { source_mapping_url } => {
                json!({ "source_mapping_url": source_mapping_url })
            }
            SkipReason::DebugIdMismatch {
                script_debug_id,
                map_debug_id,
            } => json!({ "script_debug_id": script_debug_id, "map_debug_id": map_debug_id }),
            _ => json!({}),
        };
        merge(&mut value, extra);
        value
    }
}

impl MatchedKey {
    /// `{"kind": "debug_id", "debug_id"}` or `{"kind": "url", "url", "key"}`.
    pub fn to_json(&self) -> Value {
        match self {
            MatchedKey::DebugId(debug_id) => json!({ "kind": "debug_id", "debug_id": debug_id }),
            MatchedKey::Url { url, key } => json!({ "kind": "url", "url": url, "key": key }),
        }
    }
}

impl StoreEntry {
    /// `{"entry_id", "debug_id", "script_url", "map_url", "script_bytes", "found_by"}`
    /// (`script_bytes` is `null` for an entry without a script).
    pub fn to_json(&self) -> Value {
        json!({
            "entry_id": self.id(),
            "debug_id": self.debug_id(),
            "script_url": self.script_url(),
            "map_url": self.map_url(),
            "script_bytes": self.script_bytes().map(<[u8]>::len),
            "found_by": self.found_by().to_json(),
        })
    }
}

impl EntryInfo {
    /// `{"entry_id", "debug_id", "urls", "bytes", "last_used"}`; `last_used` in
    /// seconds since the Unix epoch (a float, millisecond resolution).
    pub fn to_json(&self) -> Value {
        json!({
            "entry_id": self.id,
            "debug_id": self.debug_id,
            "urls": self.urls,
            "bytes": self.bytes,
            "last_used": unix_seconds(self.last_used),
        })
    }
}

impl VerifyReport {
    /// `{"ok", "entries", "objects", "index_files", "problems": [problem...]}`.
    pub fn to_json(&self) -> Value {
        json!({
            "ok": self.is_ok(),
            "entries": self.entries,
            "objects": self.objects,
            "index_files": self.index_files,
            "problems": self.problems.iter().map(StoreProblem::to_json).collect::<Vec<_>>(),
        })
    }
}

impl StoreProblem {
    /// `{"path", "code", "message"}`.
    pub fn to_json(&self) -> Value {
        let mut value = json!({ "path": self.path.to_string_lossy() });
        merge(&mut value, error_json(&self.error));
        value
    }
}

impl GcReport {
    /// `{"temp_files", "entries", "index_files", "objects", "bytes"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "temp_files": self.temp_files,
            "entries": self.entries,
            "index_files": self.index_files,
            "objects": self.objects,
            "bytes": self.bytes,
        })
    }
}

/// `{"entries": [entry...]}`, least recently used first, as [`crate::Store::entries`].
pub fn entries_json(entries: &[EntryInfo]) -> Value {
    json!({ "entries": entries.iter().map(EntryInfo::to_json).collect::<Vec<_>>() })
}

fn error_json(error: &Error) -> Value {
    json!({ "code": error.code().as_i32(), "message": error.message() })
}

fn unix_seconds(time: SystemTime) -> f64 {
    let millis = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis());
    millis as f64 / 1000.0
}

fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        target.extend(extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_mismatch_carries_both_debug_ids_and_its_code() {
        let skipped = SkippedFile {
            file: "a.js".into(),
            reason: SkipReason::DebugIdMismatch {
                script_debug_id: "s".into(),
                map_debug_id: "m".into(),
            },
        };
        let value = skipped.to_json();
        assert_eq!(value["reason"], "debug_id_mismatch");
        assert_eq!(value["code"], ErrorCode::DebugIdMismatch.as_i32());
        assert_eq!(value["script_debug_id"], "s");
        assert_eq!(value["map_debug_id"], "m");
        assert!(value["message"].as_str().unwrap().contains("mismatch"));
    }

    #[test]
    fn a_plain_skip_has_a_null_code() {
        let skipped = SkippedFile {
            file: "README".into(),
            reason: SkipReason::NotScriptOrMap,
        };
        let value = skipped.to_json();
        assert_eq!(value["reason"], "not_script_or_map");
        assert!(value["code"].is_null());
        assert!(value.get("source_mapping_url").is_none());
    }

    #[test]
    fn last_used_is_in_seconds() {
        let info = EntryInfo {
            id: "x".into(),
            debug_id: None,
            urls: vec![],
            bytes: 3,
            last_used: UNIX_EPOCH + std::time::Duration::from_millis(1_500),
        };
        assert_eq!(info.to_json()["last_used"], 1.5);
        assert!(info.to_json()["debug_id"].is_null());
    }
}
