//! Any bytes as an artifact bundle (zip + manifest.json) added to a store that already
//! holds an entry. A failure must be one of the typed archive errors and leave the
//! store's entries and files as they were; after any `add`, `verify` must pass.
#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mapback::{ErrorCode, IngestLimits, Store, StoreOptions};

const BUNDLE: &[u8] = include_bytes!("../../tests/data/events/artifact-bundle.zip");

struct Fixture {
    store: Store,
    store_dir: PathBuf,
    input: PathBuf,
}

fn fixture() -> &'static Fixture {
    static ONCE: OnceLock<Fixture> = OnceLock::new();
    ONCE.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("mapback-fuzz-bundle-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let input = root.join("input.zip");
        std::fs::write(&input, BUNDLE).unwrap();
        // Tight limits keep each run fast; the limits' own checks are what is fuzzed.
        let limits = IngestLimits {
            max_file_bytes: 8 << 20,
            max_total_bytes: 16 << 20,
            max_archive_entries: 256,
            max_manifest_bytes: 1 << 20,
            ..IngestLimits::default()
        };
        let store_dir = root.join("store");
        let store = Store::open(
            &store_dir,
            StoreOptions {
                limits,
                ..StoreOptions::default()
            },
        )
        .unwrap();
        store.add(&[&input]).unwrap();
        Fixture {
            store,
            store_dir,
            input,
        }
    })
}

/// Every file under `dir`, by relative path, with its size and modification time.
fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, (u64, std::time::SystemTime)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        let meta = entry.metadata().unwrap();
        if meta.is_dir() {
            walk(&entry.path(), &name, out);
        } else {
            out.insert(name, (meta.len(), meta.modified().unwrap()));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    std::fs::write(&fixture.input, data).unwrap();
    let entries_before = fixture.store.entries().unwrap();
    let mut files_before = BTreeMap::new();
    walk(&fixture.store_dir, "", &mut files_before);
    match fixture.store.add(&[&fixture.input]) {
        Ok(_) => {}
        Err(error) => {
            assert!(
                matches!(
                    error.code(),
                    ErrorCode::InvalidArchive
                        | ErrorCode::UnsafeArchivePath
                        | ErrorCode::DuplicateArchiveEntry
                        | ErrorCode::ArchiveSymlink
                        | ErrorCode::InvalidManifest
                        | ErrorCode::InputTooLarge
                        | ErrorCode::InvalidJson
                        | ErrorCode::NotAnObject
                        | ErrorCode::WrongType
                ),
                "untyped failure: {error}"
            );
            let mut files_after = BTreeMap::new();
            walk(&fixture.store_dir, "", &mut files_after);
            assert_eq!(files_after, files_before, "a failed add changed files: {error}");
            let entries_after = fixture.store.entries().unwrap();
            assert_eq!(entries_after, entries_before, "a failed add changed entries");
        }
    }
    let report = fixture.store.verify().unwrap();
    assert!(report.is_ok(), "the store no longer verifies: {report:?}");
});
