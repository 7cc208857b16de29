//! The artifact store: a directory holding, for every uploaded bundle, the binary
//! cache of its map and its minified script, indexed by debug ID and by URL (with
//! Sentry's `~/path` matching), safe for many readers while others ingest and for
//! writers killed at any moment. docs/store.md gives the layout and the fault model.
//!
//! Objects (caches, scripts) are content-addressed files; an entry is a small record
//! naming them, published by rename after them; index files point keys at entries and
//! are published after the record. Readers take no lock and only ever follow a
//! pointer to something published before it. Writers serialise on an `flock`, which
//! the kernel releases when a writer dies.

mod bundle;
mod input;
mod json;
mod layout;
mod maintain;
mod options;
mod pairing;
mod record;
mod summary;
mod urls;

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use self::input::{gather, Budget};
use self::layout::{create_dir, read_small, Layout, FORMAT_LINE};
use self::pairing::{prepare, PreparedEntry};
use self::record::{corrupt, EntryRecord, ObjectRef, MAX_RECORD_BYTES};
use crate::cache::mmap::MappedFile;
use crate::cache::Cache;
use crate::decode::is_uuid;
use crate::error::{excerpt, Error, ErrorCode, Result};

pub use self::json::entries_json;
pub use self::maintain::{GcReport, StoreProblem, VerifyReport};
pub use self::options::{IngestLimits, StoreOptions};
pub use self::summary::{AddSummary, AddedBundle, PairedBy, SkipReason, SkippedFile};

/// An artifact store directory. `Send + Sync`: share one per process.
#[derive(Debug)]
pub struct Store {
    layout: Layout,
    options: StoreOptions,
    /// When this process last recorded a use of each entry (see `touch_interval`).
    touched: Mutex<HashMap<String, Instant>>,
}

/// Which key found an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchedKey {
    /// The debug ID asked for (lowercase).
    DebugId(String),
    /// The URL asked for, and the index key that matched (`url:…` for an exact URL,
    /// `path:…` for a `~/` upload).
    Url {
        /// The URL as asked.
        url: String,
        /// The key that matched.
        key: String,
    },
}

/// An entry found in the store: its cache (mapped, random-access) and its script.
#[derive(Debug)]
pub struct StoreEntry {
    id: String,
    record: EntryRecord,
    cache: Cache<'static>,
    script: Option<MappedFile>,
    script_scopes: Option<MappedFile>,
    found_by: MatchedKey,
}

impl StoreEntry {
    /// The entry's ID (the SHA-256 of its record).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The map's binary cache, memory-mapped.
    pub fn cache(&self) -> &Cache<'static> {
        &self.cache
    }

    /// The minified script's bytes, memory-mapped, if the bundle had a script.
    pub fn script_bytes(&self) -> Option<&[u8]> {
        self.script.as_ref().map(MappedFile::bytes)
    }

    /// The minified script's function scopes, as parsed at ingest; `None` when the
    /// entry has none stored (no script, or one too large or without functions).
    pub(crate) fn script_scopes(&self) -> Option<crate::scopes::FunctionScopes> {
        crate::scopes::FunctionScopes::decode(self.script_scopes.as_ref()?.bytes())
    }

    /// The minified script as text (checked to be UTF-8 on each call: O(size)).
    pub fn script_text(&self) -> Option<Result<&str>> {
        self.script_bytes().map(|bytes| {
            std::str::from_utf8(bytes)
                .map_err(|_| corrupt(format!("script of entry {} is not UTF-8", self.id)))
        })
    }

    /// The entry's debug ID, lowercase.
    pub fn debug_id(&self) -> Option<&str> {
        self.record.debug_id.as_deref()
    }

    /// The script's URL as uploaded (`~/static/js/app.js`).
    pub fn script_url(&self) -> Option<&str> {
        self.record.script_url.as_deref()
    }

    /// The map's URL as uploaded; `None` for an inline map.
    pub fn map_url(&self) -> Option<&str> {
        self.record.map_url.as_deref()
    }

    /// Which key found this entry.
    pub fn found_by(&self) -> &MatchedKey {
        &self.found_by
    }

    /// The entry's cache, owned (the script's mapping is released): for a caller that
    /// keeps only the map, such as the C ABI's `mapback_store_find_*`.
    pub fn into_cache(self) -> Cache<'static> {
        self.cache
    }
}

/// One entry as listed by [`Store::entries`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryInfo {
    /// The entry's ID.
    pub id: String,
    /// Its debug ID, lowercase.
    pub debug_id: Option<String>,
    /// Its URLs (script first).
    pub urls: Vec<String>,
    /// Bytes of its objects (cache and script).
    pub bytes: u64,
    /// When it was added or last used (to a resolution of `touch_interval`).
    pub last_used: SystemTime,
}

impl Store {
    /// Opens the store at `path`, creating it (and its folders) if it does not exist.
    /// Refuses with `NotAStore` a directory whose `format` file says otherwise.
    pub fn open(path: impl AsRef<Path>, options: StoreOptions) -> Result<Store> {
        let layout = Layout::new(path.as_ref());
        create_dir(layout.root())?;
        let format_path = layout.format_file();
        match read_small(&format_path, 1024)? {
            Some(bytes) if bytes == FORMAT_LINE.as_bytes() => {}
            Some(bytes) => {
                return Err(Error::new(
                    ErrorCode::NotAStore,
                    format!(
                        "\"{}\" holds \"{}\", not \"{}\"",
                        excerpt(&format_path.to_string_lossy()),
                        excerpt(&String::from_utf8_lossy(&bytes)),
                        FORMAT_LINE.trim_end()
                    ),
                ))
            }
            None => {
                // Another process may be creating the store right now: only the
                // store's own names may be there already.
                let foreign = layout::list(layout.root())?
                    .into_iter()
                    .find(|name| !layout::OWN_NAMES.contains(&name.as_str()));
                if let Some(name) = foreign {
                    return Err(Error::new(
                        ErrorCode::NotAStore,
                        format!(
                            "\"{}\" has no store format file and holds \"{}\"",
                            excerpt(&layout.root().to_string_lossy()),
                            excerpt(&name)
                        ),
                    ));
                }
                // Under the writers' lock, so a `gc` elsewhere cannot take the
                // format file's temporary for debris.
                let _lock = layout.lock()?;
                for dir in layout.directories() {
                    create_dir(&dir)?;
                }
                layout.publish(&format_path, FORMAT_LINE.as_bytes())?;
            }
        }
        // A store made by an older build, or damaged, may lack a folder.
        for dir in layout.directories() {
            create_dir(&dir)?;
        }
        Ok(Store {
            layout,
            options,
            touched: Mutex::new(HashMap::new()),
        })
    }

    /// The store's directory.
    pub fn path(&self) -> &Path {
        self.layout.root()
    }

    /// The options it was opened with.
    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    /// Ingests scripts, maps, build directories (recursively) and artifact bundles
    /// (`.zip`). Decoding and cache building happen before the writers' lock is
    /// taken; a hostile archive or an input over the add's limits fails the whole add
    /// before anything is written. Each entry is published whole (objects, then its
    /// record, then its index files); re-adding the same bundle changes nothing.
    pub fn add<P: AsRef<Path>>(&self, paths: &[P]) -> Result<AddSummary> {
        let mut summary = AddSummary::default();
        let mut budget = Budget::new(self.options.limits);
        let files = gather(paths, &mut budget, &mut summary.skipped)?;
        let prepared = prepare(files, &self.options, &mut summary.skipped);
        if prepared.is_empty() {
            return Ok(summary);
        }
        let _lock = self.layout.lock()?;
        let mut kept = Vec::new();
        for entry in prepared {
            let bundle = self.publish(entry)?;
            kept.push(bundle.entry_id.clone());
            summary.added.push(bundle);
        }
        if let Some(max_bytes) = self.options.max_bytes {
            maintain::evict(&self.layout, max_bytes, &kept)?;
        }
        Ok(summary)
    }

    /// Publishes one entry (under the writers' lock).
    fn publish(&self, entry: PreparedEntry) -> Result<AddedBundle> {
        let record_bytes = entry.record.encode();
        let id = layout::sha256_hex(&record_bytes);
        let objects = std::iter::once((&entry.record.cache, &entry.cache_bytes))
            .chain(
                entry
                    .record
                    .script
                    .as_ref()
                    .zip(entry.script_bytes.as_ref()),
            )
            .chain(
                entry
                    .record
                    .script_scopes
                    .as_ref()
                    .zip(entry.script_scopes_bytes.as_ref()),
            );
        for (object, bytes) in objects {
            let path = self.layout.object(&object.sha256);
            if !path.exists() {
                self.layout.publish(&path, bytes)?;
            }
        }
        let record_path = self.layout.entry(&id);
        let already_present = record_path.exists();
        if already_present {
            touch(&record_path);
        } else {
            self.layout.publish(&record_path, &record_bytes)?;
        }
        if let Some(debug_id) = &entry.record.debug_id {
            self.point(&self.layout.debug_id_index(debug_id), format!("{id}\n"))?;
        }
        for url in entry.record.urls() {
            let key = urls::index_key(&url);
            self.point(&self.layout.url_index(&key), format!("{id}\n{key}\n"))?;
        }
        Ok(AddedBundle {
            debug_id: entry.record.debug_id.clone(),
            urls: entry.record.urls(),
            entry_id: id,
            script: entry.script_origin,
            map: entry.map_origin,
            paired_by: entry.paired_by,
            already_present,
        })
    }

    /// Writes an index file unless it already says `content`.
    fn point(&self, path: &Path, content: String) -> Result<()> {
        if read_small(path, MAX_RECORD_BYTES)?.as_deref() == Some(content.as_bytes()) {
            return Ok(());
        }
        self.layout.publish(path, content.as_bytes())
    }

    /// The entry indexed under `debug_id` (any case), if any. `InvalidDebugId` if it
    /// is not a UUID.
    pub fn find_by_debug_id(&self, debug_id: &str) -> Result<Option<StoreEntry>> {
        if !is_uuid(debug_id) {
            return Err(Error::new(
                ErrorCode::InvalidDebugId,
                format!("\"{}\" is not a debug ID (a UUID)", excerpt(debug_id)),
            ));
        }
        let debug_id = debug_id.to_ascii_lowercase();
        let Some(pointer) = read_small(&self.layout.debug_id_index(&debug_id), MAX_RECORD_BYTES)?
        else {
            return Ok(None);
        };
        let id = parse_pointer(&pointer, None)?;
        self.open_entry(&id, MatchedKey::DebugId(debug_id))
    }

    /// The entry for the script or map at `url`: an entry uploaded with exactly this
    /// URL (query and fragment ignored), else one uploaded as `~/<its path>`.
    pub fn find_by_url(&self, url: &str) -> Result<Option<StoreEntry>> {
        for key in urls::lookup_keys(url) {
            let Some(pointer) = read_small(&self.layout.url_index(&key), MAX_RECORD_BYTES)? else {
                continue;
            };
            let id = parse_pointer(&pointer, Some(&key))?;
            let found_by = MatchedKey::Url {
                url: url.to_owned(),
                key,
            };
            if let Some(entry) = self.open_entry(&id, found_by)? {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }

    /// Opens an entry; `None` when it (or an object) vanished since its pointer was
    /// read (evicted or collected: the reader simply does not find it).
    fn open_entry(&self, id: &str, found_by: MatchedKey) -> Result<Option<StoreEntry>> {
        let record_path = self.layout.entry(id);
        let Some(bytes) = read_small(&record_path, MAX_RECORD_BYTES)? else {
            return Ok(None);
        };
        let record = EntryRecord::decode(&bytes)?;
        let cache_path = self.layout.object(&record.cache.sha256);
        let cache = match Cache::open(&cache_path) {
            Ok(cache) => cache,
            Err(_) if !cache_path.exists() => return Ok(None),
            Err(error) => return Err(damaged(id, error)),
        };
        if cache.as_bytes().len() as u64 != record.cache.bytes {
            return Err(corrupt(format!(
                "entry {id}: its cache has {} bytes, its record says {}",
                cache.as_bytes().len(),
                record.cache.bytes
            )));
        }
        let open_object =
            |object: &Option<ObjectRef>, what: &str| -> Result<Option<Option<MappedFile>>> {
                let Some(object) = object else {
                    return Ok(Some(None));
                };
                let path = self.layout.object(&object.sha256);
                let mapped = match MappedFile::open(&path) {
                    Ok(mapped) => mapped,
                    // Evicted under us: the entry is gone, not damaged.
                    Err(_) if !path.exists() => return Ok(None),
                    Err(error) => return Err(damaged(id, error)),
                };
                if mapped.bytes().len() as u64 != object.bytes {
                    return Err(corrupt(format!(
                        "entry {id}: its {what} has {} bytes, its record says {}",
                        mapped.bytes().len(),
                        object.bytes
                    )));
                }
                Ok(Some(Some(mapped)))
            };
        let Some(script) = open_object(&record.script, "script")? else {
            return Ok(None);
        };
        let Some(script_scopes) = open_object(&record.script_scopes, "script's scopes")? else {
            return Ok(None);
        };
        self.record_use(id, &record_path);
        Ok(Some(StoreEntry {
            id: id.to_owned(),
            record,
            cache,
            script,
            script_scopes,
            found_by,
        }))
    }

    /// Touches the record's mtime (the LRU clock) at most once per `touch_interval`
    /// per entry and process: a read costs no write in the common case.
    fn record_use(&self, id: &str, record_path: &Path) {
        let now = Instant::now();
        let mut touched = self.touched.lock().unwrap_or_else(|e| e.into_inner());
        let due = touched
            .get(id)
            .is_none_or(|last| now.duration_since(*last) >= self.options.touch_interval);
        if due {
            touch(record_path);
            if touched.len() > 100_000 {
                touched.clear();
            }
            touched.insert(id.to_owned(), now);
        }
    }

    /// Every readable entry, oldest use first.
    pub fn entries(&self) -> Result<Vec<EntryInfo>> {
        let mut out: Vec<EntryInfo> = maintain::list_entries(&self.layout)?
            .into_iter()
            .filter_map(|listed| {
                let record = listed.record.ok()?;
                Some(EntryInfo {
                    id: listed.id,
                    debug_id: record.debug_id.clone(),
                    urls: record.urls(),
                    bytes: record.objects().map(|o| o.bytes).sum(),
                    last_used: listed.modified,
                })
            })
            .collect();
        out.sort_by(|a, b| a.last_used.cmp(&b.last_used).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Checks every entry (record, objects' checksums and sizes, each cache's own
    /// checksum) and every index file. Takes the writers' lock, so it sees a still
    /// store. Problems are reported, not repaired (`gc` removes what is unreachable).
    pub fn verify(&self) -> Result<VerifyReport> {
        let _lock = self.layout.lock()?;
        maintain::verify(&self.layout)
    }

    /// Removes debris: temporary files a killed writer left in `tmp/`, index files
    /// pointing at missing or damaged entries, entries no index reaches, and objects
    /// no entry names. Takes the writers' lock.
    pub fn gc(&self) -> Result<GcReport> {
        let _lock = self.layout.lock()?;
        maintain::gc(&self.layout)
    }
}

fn parse_pointer(bytes: &[u8], expected_key: Option<&str>) -> Result<String> {
    let text = std::str::from_utf8(bytes).map_err(|_| corrupt("index file is not UTF-8"))?;
    let mut lines = text.lines();
    let id = lines
        .next()
        .filter(|id| layout::is_sha256_hex(id))
        .ok_or_else(|| corrupt("index file does not name an entry"))?;
    if let Some(key) = expected_key {
        if lines.next() != Some(key) {
            return Err(corrupt("URL index file holds another key"));
        }
    }
    Ok(id.to_owned())
}

fn damaged(id: &str, error: Error) -> Error {
    corrupt(format!("entry {id}: {}", error.message()))
}

/// Sets a file's mtime to now; failures are ignored (a read-only store still reads).
fn touch(path: &Path) {
    if let Ok(file) = File::options().write(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}
