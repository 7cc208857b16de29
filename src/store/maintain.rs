//! Keeping a store healthy: `verify` (every record, object and index file checked),
//! `gc` (debris removed) and LRU eviction down to a size bound. All three run under
//! the writers' lock; readers may carry on meanwhile (an object unlinked under an
//! open mapping stays readable to its reader).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::layout::{is_sha256_hex, list, read_small, remove, sha256_hex, Layout};
use super::record::{corrupt, EntryRecord, MAX_RECORD_BYTES};
use crate::cache::writer::io_error;
use crate::cache::Cache;
use crate::decode::is_uuid;
use crate::error::{Error, Result};

/// What [`crate::Store::verify`] found.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    /// Entry records checked.
    pub entries: usize,
    /// Objects checked (each once, however many entries share it).
    pub objects: usize,
    /// Index files checked.
    pub index_files: usize,
    /// Every problem, with the file it is in.
    pub problems: Vec<StoreProblem>,
}

impl VerifyReport {
    /// No problem found.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One problem `verify` found.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreProblem {
    /// The damaged or inconsistent file.
    pub path: PathBuf,
    /// What is wrong (`CorruptStore`, `CacheChecksumMismatch`, ...).
    pub error: Error,
}

/// What [`crate::Store::gc`] removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Temporary files left by writers that died.
    pub temp_files: usize,
    /// Entry records that were damaged or that no index reached.
    pub entries: usize,
    /// Index files pointing at missing or damaged entries.
    pub index_files: usize,
    /// Objects no entry names.
    pub objects: usize,
    /// Bytes of everything removed.
    pub bytes: u64,
}

/// An entry record as found on disk.
pub(crate) struct ListedEntry {
    pub(crate) id: String,
    pub(crate) record: Result<EntryRecord>,
    pub(crate) raw: Option<Vec<u8>>,
    pub(crate) modified: SystemTime,
}

pub(crate) fn list_entries(layout: &Layout) -> Result<Vec<ListedEntry>> {
    let mut out = Vec::new();
    for id in list(&layout.entries_dir())? {
        if !is_sha256_hex(&id) {
            continue;
        }
        let path = layout.entry(&id);
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let (record, raw) = match read_small(&path, MAX_RECORD_BYTES) {
            Ok(Some(bytes)) => (EntryRecord::decode(&bytes), Some(bytes)),
            Ok(None) => continue,
            Err(error) => (Err(error), None),
        };
        out.push(ListedEntry {
            id,
            record,
            raw,
            modified,
        });
    }
    Ok(out)
}

pub(crate) fn verify(layout: &Layout) -> Result<VerifyReport> {
    let mut report = VerifyReport::default();
    let problem = |report: &mut VerifyReport, path: PathBuf, error: Error| {
        report.problems.push(StoreProblem { path, error });
    };
    let mut live: HashMap<String, EntryRecord> = HashMap::new();
    let mut checked_objects: HashMap<String, bool> = HashMap::new();
    for listed in list_entries(layout)? {
        report.entries += 1;
        let path = layout.entry(&listed.id);
        if let Some(raw) = &listed.raw {
            if sha256_hex(raw) != listed.id {
                problem(
                    &mut report,
                    path.clone(),
                    corrupt("entry record's checksum does not match its name"),
                );
            }
        }
        let record = match listed.record {
            Ok(record) => record,
            Err(error) => {
                problem(&mut report, path, error);
                continue;
            }
        };
        for (index, object) in record.objects().enumerate() {
            let is_cache = index == 0;
            let whole = *checked_objects
                .entry(object.sha256.clone())
                .or_insert_with(|| {
                    report.objects += 1;
                    let object_path = layout.object(&object.sha256);
                    match check_object(&object_path, &object.sha256, object.bytes, is_cache) {
                        Ok(()) => true,
                        Err(error) => {
                            report.problems.push(StoreProblem {
                                path: object_path,
                                error,
                            });
                            false
                        }
                    }
                });
            if !whole {
                problem(
                    &mut report,
                    path.clone(),
                    corrupt(format!("entry uses the damaged object {}", object.sha256)),
                );
            }
        }
        live.insert(listed.id, record);
    }
    for name in list(&layout.debug_id_dir())? {
        report.index_files += 1;
        let path = layout.debug_id_dir().join(&name);
        if let Err(error) = check_pointer(&path, None, &live, Some(&name)) {
            problem(&mut report, path, error);
        }
    }
    for name in list(&layout.url_dir())? {
        report.index_files += 1;
        let path = layout.url_dir().join(&name);
        if let Err(error) = check_pointer(&path, Some(&name), &live, None) {
            problem(&mut report, path, error);
        }
    }
    Ok(report)
}

/// An object is whole: its size and SHA-256 match; a cache also passes its own checks.
fn check_object(path: &Path, sha256: &str, bytes: u64, is_cache: bool) -> Result<()> {
    let data = std::fs::read(path).map_err(|e| io_error("read", path, &e))?;
    if data.len() as u64 != bytes {
        return Err(corrupt(format!(
            "object has {} bytes, its entry says {bytes}",
            data.len()
        )));
    }
    if sha256_hex(&data) != sha256 {
        return Err(corrupt("object's checksum does not match its name"));
    }
    if is_cache {
        Cache::from_slice(&data)?.verify()?;
    }
    Ok(())
}

/// An index file names a live entry; a URL index file holds the key its name hashes;
/// a debug-ID index file is named by the entry's debug ID.
fn check_pointer(
    path: &Path,
    url_name: Option<&str>,
    live: &HashMap<String, EntryRecord>,
    debug_id_name: Option<&str>,
) -> Result<()> {
    let bytes = read_small(path, MAX_RECORD_BYTES)?.unwrap_or_default();
    let text = std::str::from_utf8(&bytes).map_err(|_| corrupt("index file is not UTF-8"))?;
    let mut lines = text.lines();
    let id = lines.next().unwrap_or("");
    let record = live.get(id).ok_or_else(|| {
        corrupt(format!(
            "index file points at a missing or damaged entry {id:?}"
        ))
    })?;
    if let Some(name) = url_name {
        let key = lines.next().unwrap_or("");
        if sha256_hex(key.as_bytes()) != name {
            return Err(corrupt("URL index file's key does not match its name"));
        }
    }
    if let Some(name) = debug_id_name {
        if !is_uuid(name) || record.debug_id.as_deref() != Some(name) {
            return Err(corrupt(
                "debug-ID index file names an entry of another debug ID",
            ));
        }
    }
    Ok(())
}

pub(crate) fn gc(layout: &Layout) -> Result<GcReport> {
    let mut report = GcReport::default();
    for name in list(&layout.tmp_dir())? {
        let path = layout.tmp_dir().join(&name);
        let size = file_size(&path);
        if remove(&path)? {
            report.temp_files += 1;
            report.bytes += size;
        }
    }
    sweep(layout, &mut report)?;
    Ok(report)
}

/// Removes damaged records, index files pointing nowhere, records no index reaches,
/// and objects no record names.
fn sweep(layout: &Layout, report: &mut GcReport) -> Result<()> {
    let mut live: HashMap<String, EntryRecord> = HashMap::new();
    for listed in list_entries(layout)? {
        match listed.record {
            Ok(record) => {
                live.insert(listed.id, record);
            }
            Err(error) if error.code() == crate::ErrorCode::CorruptStore => {
                let path = layout.entry(&listed.id);
                report.bytes += file_size(&path);
                if remove(&path)? {
                    report.entries += 1;
                }
            }
            Err(error) => return Err(error),
        }
    }
    let mut reached: HashSet<String> = HashSet::new();
    for (dir, is_url) in [(layout.debug_id_dir(), false), (layout.url_dir(), true)] {
        for name in list(&dir)? {
            let path = dir.join(&name);
            let debug_id_name = (!is_url).then_some(name.as_str());
            let url_name = is_url.then_some(name.as_str());
            match check_pointer(&path, url_name, &live, debug_id_name) {
                Ok(()) => {
                    let bytes = read_small(&path, MAX_RECORD_BYTES)?.unwrap_or_default();
                    let text = String::from_utf8_lossy(&bytes);
                    reached.insert(text.lines().next().unwrap_or("").to_owned());
                }
                Err(_) => {
                    report.bytes += file_size(&path);
                    if remove(&path)? {
                        report.index_files += 1;
                    }
                }
            }
        }
    }
    let unreached: Vec<String> = live
        .keys()
        .filter(|id| !reached.contains(*id))
        .cloned()
        .collect();
    for id in unreached {
        let path = layout.entry(&id);
        report.bytes += file_size(&path);
        if remove(&path)? {
            report.entries += 1;
        }
        live.remove(&id);
    }
    let referenced: HashSet<&str> = live
        .values()
        .flat_map(|record| record.objects().map(|o| o.sha256.as_str()))
        .collect();
    for fan in list(&layout.objects_dir())? {
        let dir = layout.objects_dir().join(&fan);
        for name in list(&dir)? {
            if referenced.contains(name.as_str()) {
                continue;
            }
            let path = dir.join(&name);
            report.bytes += file_size(&path);
            if remove(&path)? {
                report.objects += 1;
            }
        }
    }
    Ok(())
}

/// Removes least-recently-used entries (never those in `keep`) until the store's
/// objects and records take at most `max_bytes`, then sweeps what they left.
pub(crate) fn evict(layout: &Layout, max_bytes: u64, keep: &[String]) -> Result<()> {
    let mut entries: Vec<(SystemTime, String, EntryRecord, u64)> = list_entries(layout)?
        .into_iter()
        .filter_map(|listed| {
            let size = listed.raw.as_ref().map_or(0, |raw| raw.len() as u64);
            Some((listed.modified, listed.id, listed.record.ok()?, size))
        })
        .collect();
    let mut references: HashMap<String, (u32, u64)> = HashMap::new();
    let mut total = 0u64;
    for (_, _, record, record_size) in &entries {
        total += record_size;
        for object in record.objects() {
            let slot = references.entry(object.sha256.clone()).or_insert((0, 0));
            if slot.0 == 0 {
                total += object.bytes;
            }
            slot.0 += 1;
            slot.1 = object.bytes;
        }
    }
    if total <= max_bytes {
        return Ok(());
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    for (_, id, record, record_size) in &entries {
        if total <= max_bytes {
            break;
        }
        if keep.contains(id) {
            continue;
        }
        remove(&layout.entry(id))?;
        total = total.saturating_sub(*record_size);
        for object in record.objects() {
            if let Some(slot) = references.get_mut(&object.sha256) {
                slot.0 -= 1;
                if slot.0 == 0 {
                    total = total.saturating_sub(slot.1);
                }
            }
        }
    }
    sweep(layout, &mut GcReport::default())
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
