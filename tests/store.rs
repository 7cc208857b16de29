//! The artifact store: ingest (files, directories, inline maps, artifact bundles in
//! sentry-cli's format), pairing, lookups by debug ID and URL, idempotence, verify,
//! gc, eviction, a hostile-zip catalogue, concurrent readers and writers, and writers
//! killed with SIGKILL mid-ingest.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use mapback::{
    ErrorCode, IngestLimits, MatchedKey, PairedBy, SkipReason, SourceMapView, Store, StoreOptions,
};

/// A fresh directory under the target dir, removed first if a previous run left it.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("store-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn debug_id(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{n:012x}")
}

/// A map of one original function, `greet<n>`, with its content; the minified script
/// has one line calling into it. `lines` pads the map with more mappings, so an
/// ingest takes a measurable time.
fn map_json(n: u32, id: Option<&str>, lines: usize) -> String {
    let mut mappings = String::from("AAAA,SAASA");
    for _ in 0..lines {
        mappings.push_str(";AACA,SAAS");
    }
    let source = format!("function greet{n}() {{\n  throw new Error('boom {n}');\n}}\n");
    let id_field = id.map_or(String::new(), |id| format!(",\"debugId\":\"{id}\""));
    format!(
        r#"{{"version":3,"file":"app{n}.js","sources":["src/greet{n}.js"],"sourcesContent":[{}],"names":["greet{n}"],"mappings":"{mappings}"{id_field}}}"#,
        serde_json::to_string(&source).unwrap()
    )
}

fn script_text(n: u32, id: Option<&str>, map_reference: Option<&str>) -> String {
    let mut text = format!("function a(){{throw new Error('boom {n}')}}a();\n");
    if let Some(id) = id {
        text.push_str(&format!("//# debugId={id}\n"));
    }
    if let Some(reference) = map_reference {
        text.push_str(&format!("//# sourceMappingURL={reference}\n"));
    }
    text
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// A build directory holding `app<n>.js` and `app<n>.js.map`, both carrying the debug ID.
fn build_dir(root: &Path, n: u32, lines: usize) -> PathBuf {
    let dir = root.join(format!("build{n}"));
    let id = debug_id(n);
    write(
        &dir,
        &format!("app{n}.js"),
        &script_text(n, Some(&id), Some(&format!("app{n}.js.map"))),
    );
    write(
        &dir,
        &format!("app{n}.js.map"),
        &map_json(n, Some(&id), lines),
    );
    dir
}

fn open(path: &Path) -> Store {
    Store::open(path, StoreOptions::default()).unwrap()
}

/// Every file under `dir` with its contents (the store's observable state).
fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// The original function a found entry's cache names at the script's first mapping.
fn original_name(entry: &mapback::StoreEntry) -> String {
    let token = entry.cache().lookup(0, 9).expect("a mapping at column 9");
    token.name().expect("a name").to_owned()
}

#[test]
fn store_types_are_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Store>();
    shared::<mapback::StoreEntry>();
}

#[test]
fn add_then_find_by_debug_id_and_by_url() {
    let root = scratch("find");
    let build = build_dir(&root, 1, 0);
    let store = open(&root.join("store"));
    let summary = store.add(&[&build]).unwrap();
    assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
    assert_eq!(summary.added.len(), 1);
    let added = &summary.added[0];
    assert_eq!(added.debug_id.as_deref(), Some(debug_id(1).as_str()));
    assert_eq!(added.urls, vec!["~/app1.js", "~/app1.js.map"]);
    assert_eq!(added.paired_by, PairedBy::SourceMappingUrl);
    assert!(!added.already_present);

    let entry = store
        .find_by_debug_id(&debug_id(1).to_uppercase())
        .unwrap()
        .expect("found by debug ID in any case");
    assert_eq!(entry.found_by(), &MatchedKey::DebugId(debug_id(1)));
    assert_eq!(original_name(&entry), "greet1");
    assert!(entry.cache().is_mapped());
    assert!(entry.script_text().unwrap().unwrap().contains("boom 1"));
    let content = entry.cache().source_content(0).unwrap();
    assert!(content.contains("function greet1"));

    for url in [
        "https://any.host/app1.js",
        "http://localhost:3000/app1.js",
        "https://cdn.example.com/app1.js?v=12#frag",
        "~/app1.js",
        "/app1.js",
    ] {
        let entry = store
            .find_by_url(url)
            .unwrap()
            .unwrap_or_else(|| panic!("{url}"));
        assert_eq!(entry.id(), added.entry_id);
        match entry.found_by() {
            MatchedKey::Url { url: asked, key } => {
                assert_eq!(asked, url);
                assert_eq!(key, "path:/app1.js");
            }
            other => panic!("{other:?}"),
        }
    }
    // The map's own URL finds the entry too; other paths do not.
    assert!(store
        .find_by_url("https://h/app1.js.map")
        .unwrap()
        .is_some());
    assert!(store
        .find_by_url("https://h/static/app1.js")
        .unwrap()
        .is_none());
    assert!(store.find_by_url("https://h/app2.js").unwrap().is_none());
    assert!(store.find_by_debug_id(&debug_id(2)).unwrap().is_none());
    assert_eq!(
        store.find_by_debug_id("not-a-uuid").unwrap_err().code(),
        ErrorCode::InvalidDebugId
    );
    assert!(store.verify().unwrap().is_ok());
}

#[test]
fn pairs_by_source_mapping_url_debug_id_and_map_name() {
    let root = scratch("pairing");
    let inputs = root.join("in");
    // 1: sourceMappingURL to a differently named map in another folder.
    write(
        &inputs,
        "js/one.js",
        &script_text(1, None, Some("../maps/first.map")),
    );
    write(&inputs, "maps/first.map", &map_json(1, None, 0));
    // 2: debug ID only (no comment naming the map; the map has another name).
    let id2 = debug_id(2);
    write(&inputs, "two.js", &script_text(2, Some(&id2), None));
    write(&inputs, "unrelated-name.map", &map_json(2, Some(&id2), 0));
    // 3: `<script>.map` only.
    write(&inputs, "three.js", &script_text(3, None, None));
    write(&inputs, "three.js.map", &map_json(3, None, 0));
    // 4: an inline data: map.
    let inline = format!(
        "data:application/json;base64,{}",
        base64(map_json(4, None, 0).as_bytes())
    );
    write(&inputs, "four.js", &script_text(4, None, Some(&inline)));
    // 5: a script with no map at all, and a file that is neither.
    write(&inputs, "five.js", &script_text(5, None, Some("gone.map")));
    write(&inputs, "README.txt", "hello");

    let store = open(&root.join("store"));
    let summary = store.add(&[&inputs]).unwrap();
    let by_script: BTreeMap<String, PairedBy> = summary
        .added
        .iter()
        .map(|b| (b.urls[0].clone(), b.paired_by))
        .collect();
    assert_eq!(by_script["~/js/one.js"], PairedBy::SourceMappingUrl);
    assert_eq!(by_script["~/two.js"], PairedBy::DebugId);
    assert_eq!(by_script["~/three.js"], PairedBy::MapFileName);
    assert_eq!(by_script["~/four.js"], PairedBy::InlineDataUrl);
    assert_eq!(summary.added.len(), 4, "{:?}", summary.added);

    let skipped: BTreeMap<String, SkipReason> = summary
        .skipped
        .iter()
        .map(|s| {
            (
                Path::new(&s.file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                s.reason.clone(),
            )
        })
        .collect();
    assert_eq!(
        skipped["five.js"],
        SkipReason::NoSourceMap {
            source_mapping_url: Some("gone.map".into())
        }
    );
    assert_eq!(skipped["README.txt"], SkipReason::NotScriptOrMap);
    assert_eq!(skipped.len(), 2);

    for (url, n) in [
        ("https://h/js/one.js", 1),
        ("https://h/two.js", 2),
        ("https://h/three.js", 3),
        ("https://h/four.js", 4),
    ] {
        let entry = store.find_by_url(url).unwrap().unwrap();
        assert_eq!(original_name(&entry), format!("greet{n}"), "{url}");
    }
    let inline_entry = store.find_by_url("https://h/four.js").unwrap().unwrap();
    assert_eq!(inline_entry.map_url(), None);
    assert!(store.find_by_debug_id(&id2).unwrap().is_some());
}

#[test]
fn single_files_pair_across_arguments_and_a_lone_map_is_found_by_its_debug_id() {
    let root = scratch("single");
    let id = debug_id(7);
    let script = write(
        &root,
        "in/a/app.js",
        &script_text(7, Some(&id), Some("app.js.map")),
    );
    let map = write(&root, "in/b/app.js.map", &map_json(7, Some(&id), 0));
    let lone = write(&root, "in/lone.map", &map_json(8, Some(&debug_id(8)), 0));
    let store = open(&root.join("store"));
    let summary = store.add(&[&script, &map, &lone]).unwrap();
    assert_eq!(summary.added.len(), 2, "{summary:?}");
    assert_eq!(summary.added[0].paired_by, PairedBy::SourceMappingUrl);
    assert_eq!(summary.added[1].paired_by, PairedBy::MapOnly);
    let entry = store.find_by_debug_id(&debug_id(8)).unwrap().unwrap();
    assert!(entry.script_bytes().is_none());
    assert_eq!(original_name(&entry), "greet8");
}

#[test]
fn directories_are_walked_recursively_without_leaving_the_root() {
    let root = scratch("walk");
    let inputs = root.join("dist");
    let id = debug_id(9);
    write(
        &inputs,
        "static/js/deep/app.js",
        &script_text(9, Some(&id), Some("app.js.map")),
    );
    write(
        &inputs,
        "static/js/deep/app.js.map",
        &map_json(9, Some(&id), 0),
    );
    let outside = write(&root, "secret.js", &script_text(10, None, None));
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, inputs.join("static/escape.js")).unwrap();
    let store = open(&root.join("store"));
    let summary = store.add(&[&inputs]).unwrap();
    assert_eq!(summary.added.len(), 1);
    assert_eq!(summary.added[0].urls[0], "~/static/js/deep/app.js");
    #[cfg(unix)]
    assert!(summary
        .skipped
        .iter()
        .any(|s| s.file.ends_with("escape.js") && s.reason == SkipReason::Symlink));
    assert!(store
        .find_by_url("https://example.org/static/js/deep/app.js")
        .unwrap()
        .is_some());
}

/// An artifact bundle as sentry-cli writes it: files under `files/_/_/<path>`, a
/// manifest keyed by zip path with `url`, `type` and `headers`.
/// One file of an artifact bundle: zip path, URL, type, headers, content.
type BundleFile<'a> = (&'a str, &'a str, &'a str, Vec<(&'a str, String)>, String);

fn artifact_bundle(files: &[BundleFile<'_>]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut manifest_files = serde_json::Map::new();
    for (zip_path, url, file_type, headers, content) in files {
        writer.start_file(*zip_path, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
        let headers: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
            .collect();
        manifest_files.insert(
            (*zip_path).to_owned(),
            serde_json::json!({"url": url, "type": file_type, "headers": headers}),
        );
    }
    let manifest = serde_json::json!({
        "files": manifest_files,
        "debug_id": debug_id(999),
        "org": "acme",
        "project": "web",
        "release": "1.0",
    });
    writer.start_file("manifest.json", options).unwrap();
    writer
        .write_all(serde_json::to_string(&manifest).unwrap().as_bytes())
        .unwrap();
    writer.finish().unwrap().into_inner()
}

#[test]
fn artifact_bundles_in_sentry_cli_format() {
    let root = scratch("bundle");
    let id = debug_id(20);
    let bytes = artifact_bundle(&[
        (
            "files/_/_/static/js/app.js",
            "~/static/js/app.js",
            "minified_source",
            // Header names are case-insensitive; the comment is absent, the header says.
            vec![("Debug-Id", id.clone()), ("Sourcemap", "app.js.map".into())],
            script_text(20, None, None),
        ),
        (
            "files/_/_/static/js/app.js.map",
            "~/static/js/app.js.map",
            "source_map",
            vec![("debug-id", id.clone())],
            map_json(20, Some(&id), 0),
        ),
        (
            "files/https/cdn.example.com/lib.js",
            "https://cdn.example.com/lib.js",
            "minified_source",
            vec![],
            script_text(21, None, Some("lib.js.map")),
        ),
        (
            "files/https/cdn.example.com/lib.js.map",
            "https://cdn.example.com/lib.js.map",
            "source_map",
            vec![],
            map_json(21, None, 0),
        ),
        (
            "files/_/_/src/original.ts",
            "~/src/original.ts",
            "source",
            vec![],
            "let x = 1;".into(),
        ),
    ]);
    let path = root.join("bundle.zip");
    std::fs::write(&path, bytes).unwrap();
    let store = open(&root.join("store"));
    let summary = store.add(&[&path]).unwrap();
    assert_eq!(summary.added.len(), 2, "{summary:?}");
    assert_eq!(summary.skipped.len(), 1);
    assert!(summary.skipped[0]
        .file
        .ends_with("!files/_/_/src/original.ts"));

    let entry = store.find_by_debug_id(&id).unwrap().unwrap();
    assert_eq!(entry.script_url(), Some("~/static/js/app.js"));
    assert_eq!(original_name(&entry), "greet20");
    let by_url = store
        .find_by_url("http://localhost:3000/static/js/app.js")
        .unwrap()
        .unwrap();
    assert_eq!(by_url.id(), entry.id());
    // An exact URL matches itself only.
    let exact = store
        .find_by_url("https://cdn.example.com/lib.js?x=1")
        .unwrap()
        .unwrap();
    assert_eq!(
        exact.found_by(),
        &MatchedKey::Url {
            url: "https://cdn.example.com/lib.js?x=1".into(),
            key: "url:https://cdn.example.com/lib.js".into()
        }
    );
    assert_eq!(original_name(&exact), "greet21");
    assert!(store
        .find_by_url("https://other.example.com/lib.js")
        .unwrap()
        .is_none());
    assert!(store.verify().unwrap().is_ok());
}

#[test]
fn re_adding_the_same_bundle_changes_nothing() {
    let root = scratch("idempotent");
    let build = build_dir(&root, 30, 5);
    let store_dir = root.join("store");
    let store = open(&store_dir);
    let first = store.add(&[&build]).unwrap();
    let before = listing(&store_dir);
    let second = store.add(&[&build]).unwrap();
    assert_eq!(listing(&store_dir), before);
    assert_eq!(second.added.len(), 1);
    assert!(second.added[0].already_present);
    assert_eq!(second.added[0].entry_id, first.added[0].entry_id);
    assert_eq!(store.entries().unwrap().len(), 1);
}

#[test]
fn a_debug_id_mismatch_is_reported_and_not_stored() {
    let root = scratch("mismatch");
    let inputs = root.join("in");
    write(
        &inputs,
        "app.js",
        &script_text(40, Some(&debug_id(40)), Some("app.js.map")),
    );
    write(&inputs, "app.js.map", &map_json(40, Some(&debug_id(41)), 0));
    let store = open(&root.join("store"));
    let summary = store.add(&[&inputs]).unwrap();
    assert!(summary.added.is_empty());
    let mismatches: Vec<_> = summary.debug_id_mismatches().collect();
    assert_eq!(mismatches.len(), 2, "script and map both reported");
    assert_eq!(
        mismatches[0].reason.code(),
        Some(ErrorCode::DebugIdMismatch)
    );
    assert_eq!(
        mismatches[0].reason,
        SkipReason::DebugIdMismatch {
            script_debug_id: debug_id(40),
            map_debug_id: debug_id(41)
        }
    );
    assert!(store.find_by_debug_id(&debug_id(40)).unwrap().is_none());
    assert!(store.find_by_debug_id(&debug_id(41)).unwrap().is_none());
    assert!(store.find_by_url("https://h/app.js").unwrap().is_none());
}

#[test]
fn verify_detects_a_corrupted_object() {
    let root = scratch("verify");
    let store_dir = root.join("store");
    let store = open(&store_dir);
    store.add(&[build_dir(&root, 50, 20)]).unwrap();
    assert!(store.verify().unwrap().is_ok());
    let entry = store.find_by_debug_id(&debug_id(50)).unwrap().unwrap();
    let cache_len = entry.cache().as_bytes().len();
    drop(entry);
    // Flip one byte in the body of the (only) cache object.
    let objects = listing(&store_dir.join("objects"));
    let (name, _) = objects
        .iter()
        .find(|(_, bytes)| bytes.len() == cache_len)
        .unwrap();
    let path = store_dir.join("objects").join(name);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&path, bytes).unwrap();

    let report = store.verify().unwrap();
    assert!(!report.is_ok());
    assert!(report.problems.iter().any(|p| p.path == path), "{report:?}");
    assert_eq!(report.entries, 1);
}

#[test]
fn gc_removes_planted_debris_and_keeps_entries() {
    let root = scratch("gc");
    let store_dir = root.join("store");
    let store = open(&store_dir);
    store.add(&[build_dir(&root, 60, 0)]).unwrap();
    let healthy = listing(&store_dir);
    write(&store_dir, "tmp/.abc.cache.123.tmp", "half a cache");
    write(
        &store_dir,
        &format!("objects/ff/{}", "f".repeat(64)),
        "orphan object",
    );
    write(
        &store_dir,
        &format!("index/debug-id/{}", debug_id(61)),
        &format!("{}\n", "e".repeat(64)),
    );
    write(
        &store_dir,
        &format!("entries/{}", "d".repeat(64)),
        "{not json",
    );
    let report = store.gc().unwrap();
    assert_eq!(report.temp_files, 1);
    assert_eq!(report.objects, 1);
    assert_eq!(report.index_files, 1);
    assert_eq!(report.entries, 1);
    let mut after = listing(&store_dir);
    after.retain(|name, _| !name.starts_with("objects/ff"));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        healthy.keys().collect::<Vec<_>>()
    );
    assert!(store.verify().unwrap().is_ok());
    assert!(store.find_by_debug_id(&debug_id(60)).unwrap().is_some());
}

#[test]
fn eviction_removes_the_least_recently_used_entries_first() {
    let root = scratch("evict");
    let store_dir = root.join("store");
    let unbounded = open(&store_dir);
    for n in [71, 72, 73] {
        unbounded.add(&[build_dir(&root, n, 10)]).unwrap();
        std::thread::sleep(Duration::from_millis(30));
    }
    let total: u64 = listing(&store_dir)
        .iter()
        .filter(|(name, _)| name.starts_with("objects") || name.starts_with("entries"))
        .map(|(_, bytes)| bytes.len() as u64)
        .sum();
    let bounded = Store::open(
        &store_dir,
        StoreOptions {
            max_bytes: Some(total + 100),
            touch_interval: Duration::ZERO,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    // Using 71 makes 72 the least recently used.
    assert!(bounded.find_by_debug_id(&debug_id(71)).unwrap().is_some());
    std::thread::sleep(Duration::from_millis(30));
    bounded.add(&[build_dir(&root, 74, 10)]).unwrap();
    let present: Vec<bool> = [71, 72, 73, 74]
        .iter()
        .map(|&n| bounded.find_by_debug_id(&debug_id(n)).unwrap().is_some())
        .collect();
    assert_eq!(present, vec![true, false, true, true]);
    assert!(bounded.verify().unwrap().is_ok());
    let listed: Vec<_> = bounded
        .entries()
        .unwrap()
        .into_iter()
        .map(|e| e.debug_id)
        .collect();
    assert_eq!(listed.len(), 3);
}

/// A zip built entry by entry (for the hostile catalogue).
fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn manifest_for(names: &[&str]) -> Vec<u8> {
    let files: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|n| {
            (
                (*n).to_owned(),
                serde_json::json!({"url": format!("~/{n}"), "type": "source_map"}),
            )
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "files": files })).unwrap()
}

#[test]
fn hostile_archives_get_typed_errors_and_change_nothing() {
    let root = scratch("hostile");
    let store_dir = root.join("store");
    let limits = IngestLimits {
        max_archive_entries: 50,
        max_manifest_bytes: 4096,
        ..IngestLimits::default()
    };
    let store = Store::open(
        &store_dir,
        StoreOptions {
            limits,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    store.add(&[build_dir(&root, 80, 0)]).unwrap();
    let before = listing(&store_dir);
    let map = map_json(81, None, 0).into_bytes();

    let mut cases: Vec<(&str, Vec<u8>, ErrorCode)> = Vec::new();
    cases.push((
        "traversal",
        zip_of(&[
            ("../evil.map", map.clone()),
            ("manifest.json", manifest_for(&["../evil.map"])),
        ]),
        ErrorCode::UnsafeArchivePath,
    ));
    cases.push((
        "absolute",
        zip_of(&[
            ("/etc/evil.map", map.clone()),
            ("manifest.json", manifest_for(&["/etc/evil.map"])),
        ]),
        ErrorCode::UnsafeArchivePath,
    ));
    cases.push((
        "bomb",
        zip_of(&[
            ("bomb.map", vec![b' '; 24 << 20]),
            ("manifest.json", manifest_for(&["bomb.map"])),
        ]),
        ErrorCode::InputTooLarge,
    ));
    let many: Vec<(String, Vec<u8>)> = (0..51)
        .map(|i| (format!("f{i}.map"), b"{}".to_vec()))
        .collect();
    let many_refs: Vec<(&str, Vec<u8>)> =
        many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    cases.push((
        "too many entries",
        zip_of(&many_refs),
        ErrorCode::InputTooLarge,
    ));
    cases.push((
        "duplicate names",
        duplicate_name_zip(&map),
        ErrorCode::DuplicateArchiveEntry,
    ));
    cases.push(("symlink", symlink_zip(&map), ErrorCode::ArchiveSymlink));
    let mut huge = manifest_for(&["a.map"]);
    huge.pop();
    huge.extend_from_slice(format!(",\"note\":\"{}\"}}", "x".repeat(5000)).as_bytes());
    cases.push((
        "huge manifest",
        zip_of(&[("a.map", map.clone()), ("manifest.json", huge)]),
        ErrorCode::InputTooLarge,
    ));
    cases.push((
        "manifest files wrong type",
        zip_of(&[
            ("a.map", map.clone()),
            ("manifest.json", br#"{"files":["a.map"]}"#.to_vec()),
        ]),
        ErrorCode::WrongType,
    ));
    cases.push((
        "manifest headers wrong type",
        zip_of(&[
            ("a.map", map.clone()),
            (
                "manifest.json",
                br#"{"files":{"a.map":{"url":"~/a.map","headers":{"debug-id":7}}}}"#.to_vec(),
            ),
        ]),
        ErrorCode::WrongType,
    ));
    cases.push((
        "manifest not JSON",
        zip_of(&[
            ("a.map", map.clone()),
            ("manifest.json", b"{files".to_vec()),
        ]),
        ErrorCode::InvalidJson,
    ));
    cases.push((
        "no manifest",
        zip_of(&[("a.map", map.clone())]),
        ErrorCode::InvalidManifest,
    ));
    cases.push((
        "manifest names a missing file",
        zip_of(&[
            ("a.map", map.clone()),
            ("manifest.json", manifest_for(&["a.map", "b.map"])),
        ]),
        ErrorCode::InvalidManifest,
    ));
    cases.push((
        "not a zip",
        b"just some text, not PK".to_vec(),
        ErrorCode::InvalidArchive,
    ));
    let mut truncated = zip_of(&[
        ("a.map", map.clone()),
        ("manifest.json", manifest_for(&["a.map"])),
    ]);
    truncated.truncate(truncated.len() - 30);
    cases.push(("truncated", truncated, ErrorCode::InvalidArchive));

    for (name, bytes, code) in cases {
        let path = root.join(format!("{}.zip", name.replace(' ', "-")));
        std::fs::write(&path, &bytes).unwrap();
        let error = store.add(&[&path]).expect_err(name);
        assert_eq!(error.code(), code, "{name}: {error}");
        assert_eq!(listing(&store_dir), before, "{name} changed the store");
    }
}

/// Two entries written as `dupA.map` and `dupB.map`, then renamed to the same name in
/// the local headers and the central directory (the zip writer refuses duplicates).
fn duplicate_name_zip(map: &[u8]) -> Vec<u8> {
    let mut bytes = zip_of(&[
        ("dupA.map", map.to_vec()),
        ("dupB.map", map.to_vec()),
        ("manifest.json", manifest_for(&["dupA.map"])),
    ]);
    let mut i = 0;
    while i + 8 <= bytes.len() {
        if &bytes[i..i + 8] == b"dupB.map" {
            bytes[i + 3] = b'A';
        }
        i += 1;
    }
    bytes
}

fn symlink_zip(map: &[u8]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("a.map", options).unwrap();
    writer.write_all(map).unwrap();
    writer
        .add_symlink("link.map", "/etc/passwd", options)
        .unwrap();
    writer.start_file("manifest.json", options).unwrap();
    writer
        .write_all(&manifest_for(&["a.map", "link.map"]))
        .unwrap();
    writer.finish().unwrap().into_inner()
}

/// A standard base64 encoder for the inline-map test.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Checks a found entry is whole: its cache passes its checksum and names the right
/// function, and its script is the one its debug ID belongs to.
fn assert_whole(entry: &mapback::StoreEntry, n: u32) {
    entry.cache().verify().unwrap();
    assert_eq!(original_name(entry), format!("greet{n}"));
    let script = entry.script_text().unwrap().unwrap();
    assert!(script.contains(&format!("boom {n}'")), "script of {n}");
}

#[test]
fn readers_see_whole_entries_while_writers_ingest() {
    let root = scratch("concurrent");
    let store_dir = root.join("store");
    open(&store_dir);
    let writers = 3u32;
    let per_writer = 8u32;
    let done = std::sync::atomic::AtomicBool::new(false);
    let found = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for w in 0..writers {
            let (root, store_dir) = (&root, &store_dir);
            handles.push(scope.spawn(move || {
                // Each thread opens its own handle, as separate processes would.
                let store = open(store_dir);
                for i in 0..per_writer {
                    let n = 1000 + w * 100 + i;
                    let summary = store.add(&[build_dir(root, n, 200)]).unwrap();
                    assert_eq!(summary.added.len(), 1);
                }
            }));
        }
        for _ in 0..3 {
            let (store_dir, done, found) = (&store_dir, &done, &found);
            scope.spawn(move || {
                let store = open(store_dir);
                let mut round = 0u32;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    round += 1;
                    let n = 1000 + (round % writers) * 100 + (round / writers) % per_writer;
                    if let Some(entry) = store.find_by_debug_id(&debug_id(n)).unwrap() {
                        assert_whole(&entry, n);
                        found.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    if let Some(entry) = store.find_by_url(&format!("https://h/app{n}.js")).unwrap()
                    {
                        assert_whole(&entry, n);
                    }
                }
            });
        }
        for handle in handles {
            handle.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(
        found.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "readers found entries"
    );
    let store = open(&store_dir);
    assert_eq!(
        store.entries().unwrap().len(),
        (writers * per_writer) as usize
    );
    assert!(store.verify().unwrap().is_ok());
}

/// The child side of the multi-process tests: ingests bundles into the store named by
/// `MAPBACK_STORE_CHILD`, numbered from `MAPBACK_STORE_CHILD_START`, forever or
/// `MAPBACK_STORE_CHILD_COUNT` times.
#[test]
#[ignore = "child process of the multi-process store tests"]
fn ingest_until_killed() {
    let Ok(store_dir) = std::env::var("MAPBACK_STORE_CHILD") else {
        return;
    };
    let start: u32 = std::env::var("MAPBACK_STORE_CHILD_START")
        .unwrap()
        .parse()
        .unwrap();
    let count: u32 =
        std::env::var("MAPBACK_STORE_CHILD_COUNT").map_or(u32::MAX - start, |c| c.parse().unwrap());
    let store_dir = PathBuf::from(store_dir);
    let inputs = store_dir.with_extension(format!("inputs-{start}"));
    let store = open(&store_dir);
    for n in start..start + count {
        let dir = build_dir(&inputs, n, 3000);
        let summary = store.add(&[&dir]).unwrap();
        assert_eq!(summary.added.len(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// This test binary, set to run only the ignored child test `test`.
fn child_test(test: &str) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command.args([
        "--exact",
        test,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    command
}

fn spawn_ingester(store_dir: &Path, start: u32, count: Option<u32>) -> std::process::Child {
    let mut command = child_test("ingest_until_killed");
    command
        .env("MAPBACK_STORE_CHILD", store_dir)
        .env("MAPBACK_STORE_CHILD_START", start.to_string())
        .stdout(std::process::Stdio::null());
    if let Some(count) = count {
        command.env("MAPBACK_STORE_CHILD_COUNT", count.to_string());
    }
    command.spawn().unwrap()
}

#[test]
fn processes_ingest_while_threads_read() {
    let root = scratch("processes");
    let store_dir = root.join("store");
    open(&store_dir);
    let (writers, per_writer) = (3u32, 6u32);
    let children: Vec<_> = (0..writers)
        .map(|w| spawn_ingester(&store_dir, 20_000 + w * 100, Some(per_writer)))
        .collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    let seen = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                let store = open(&store_dir);
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    for w in 0..writers {
                        for i in 0..per_writer {
                            let n = 20_000 + w * 100 + i;
                            if let Some(entry) = store.find_by_debug_id(&debug_id(n)).unwrap() {
                                assert_whole(&entry, n);
                                seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                    }
                }
            });
        }
        for mut child in children {
            assert!(
                child.wait().unwrap().success(),
                "an ingesting process failed"
            );
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(seen.load(std::sync::atomic::Ordering::Relaxed) > 0);
    let store = open(&store_dir);
    assert_eq!(
        store.entries().unwrap().len(),
        (writers * per_writer) as usize
    );
    assert!(store.verify().unwrap().is_ok());
}

#[test]
#[cfg(unix)]
fn a_writer_killed_mid_ingest_leaves_the_store_whole() {
    let root = scratch("killed");
    let store_dir = root.join("store");
    open(&store_dir);
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        | 1;
    for round in 0..6u32 {
        let mut child = spawn_ingester(&store_dir, 10_000 + round * 1000, None);
        // xorshift: a different moment of the ingest each round.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        std::thread::sleep(Duration::from_millis(150 + u64::from(seed % 700)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "the child was killed, not finished");
    }
    let store = open(&store_dir);
    let report = store.verify().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    let entries = store.entries().unwrap();
    assert!(!entries.is_empty(), "the children ingested something");
    // A writer killed between an entry's record and its index files leaves an entry
    // that is whole (verify says so) but not yet found by any key: at most one a kill.
    let mut found = 0;
    for info in &entries {
        let id = info.debug_id.as_deref().unwrap();
        let n = u32::from_str_radix(&id[..8], 16).unwrap();
        if let Some(entry) = store.find_by_debug_id(id).unwrap() {
            assert_whole(&entry, n);
            found += 1;
        }
    }
    assert!(found + 6 >= entries.len(), "{found} of {}", entries.len());
    // The lock is free (the kernel dropped the dead writers' locks) and gc clears
    // whatever they left half-written.
    store.add(&[build_dir(&root, 99, 0)]).unwrap();
    store.gc().unwrap();
    assert!(listing(&store_dir.join("tmp")).is_empty());
    assert!(store.verify().unwrap().is_ok());
    for info in store.entries().unwrap() {
        let id = info.debug_id.unwrap();
        let n = u32::from_str_radix(&id[..8], 16).unwrap();
        assert_whole(&store.find_by_debug_id(&id).unwrap().unwrap(), n);
    }
}

#[test]
fn readers_never_fail_while_eviction_removes_entries_under_them() {
    let root = scratch("evict-concurrent");
    let store_dir = root.join("store");
    // Room for about three entries of this size.
    let probe = open(&root.join("probe"));
    probe.add(&[build_dir(&root, 2000, 200)]).unwrap();
    let entry_bytes: u64 = probe.entries().unwrap()[0].bytes + 400;
    let options = StoreOptions {
        max_bytes: Some(entry_bytes * 3),
        touch_interval: Duration::ZERO,
        ..StoreOptions::default()
    };
    Store::open(&store_dir, options.clone()).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    let seen = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let store = Store::open(&store_dir, options.clone()).unwrap();
            for n in 2001..2025 {
                store.add(&[build_dir(&root, n, 200)]).unwrap();
            }
        });
        for _ in 0..3 {
            scope.spawn(|| {
                let store = Store::open(&store_dir, options.clone()).unwrap();
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    for n in 2001..2025 {
                        // Found whole, or not found: never an error, never torn.
                        if let Some(entry) = store.find_by_debug_id(&debug_id(n)).unwrap() {
                            assert_whole(&entry, n);
                            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        if let Some(entry) =
                            store.find_by_url(&format!("https://h/app{n}.js")).unwrap()
                        {
                            assert_whole(&entry, n);
                        }
                    }
                }
            });
        }
        writer.join().unwrap();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(seen.load(std::sync::atomic::Ordering::Relaxed) > 0);
    let store = Store::open(&store_dir, options).unwrap();
    let left = store.entries().unwrap();
    assert!(left.len() <= 3, "{} entries left", left.len());
    assert!(left
        .iter()
        .any(|e| e.debug_id.as_deref() == Some(debug_id(2024).as_str())));
    assert!(store.verify().unwrap().is_ok());
}

#[test]
fn a_directory_that_is_not_a_store_is_refused() {
    let root = scratch("not-a-store");
    write(&root, "photos/cat.jpg", "meow");
    let error = Store::open(root.join("photos"), StoreOptions::default()).unwrap_err();
    assert_eq!(error.code(), ErrorCode::NotAStore);
    write(&root, "other/format", "something else 9\n");
    let error = Store::open(root.join("other"), StoreOptions::default()).unwrap_err();
    assert_eq!(error.code(), ErrorCode::NotAStore);
    // A store reopens; an empty directory becomes one.
    std::fs::create_dir_all(root.join("empty")).unwrap();
    open(&root.join("empty"));
    open(&root.join("empty"));
}

#[test]
fn oversized_files_are_skipped_in_a_walk_and_refused_alone() {
    let root = scratch("oversized");
    let build = build_dir(&root, 90, 0);
    let big = write(&build, "vendor.js", &"x".repeat(5000));
    let store = Store::open(
        root.join("store"),
        StoreOptions {
            limits: IngestLimits {
                max_file_bytes: 4096,
                ..IngestLimits::default()
            },
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let summary = store.add(&[&build]).unwrap();
    assert_eq!(summary.added.len(), 1);
    let skipped = summary
        .skipped
        .iter()
        .find(|s| s.file.ends_with("vendor.js"))
        .unwrap();
    assert_eq!(skipped.reason.code(), Some(ErrorCode::InputTooLarge));
    assert_eq!(
        store.add(&[&big]).unwrap_err().code(),
        ErrorCode::InputTooLarge
    );
}

#[test]
fn legacy_debug_id_fields_and_uppercase_ids_are_indexed_lowercase() {
    let root = scratch("legacy-id");
    let id = debug_id(95).to_uppercase();
    let legacy = map_json(95, None, 0).replacen('{', &format!("{{\"debug_id\":\"{id}\","), 1);
    let map = write(&root, "in/legacy.js.map", &legacy);
    let store = open(&root.join("store"));
    let summary = store.add(&[&map]).unwrap();
    assert_eq!(
        summary.added[0].debug_id.as_deref(),
        Some(debug_id(95).as_str())
    );
    let entry = store.find_by_debug_id(&debug_id(95)).unwrap().unwrap();
    assert_eq!(entry.debug_id(), Some(debug_id(95).as_str()));
    assert_eq!(original_name(&entry), "greet95");
}

/// The child side of `processes_symbolicate_while_processes_ingest`: symbolicates
/// events naming bundles `MAPBACK_SYMBOLICATE_FIRST..+MAPBACK_SYMBOLICATE_COUNT` by
/// debug ID through a `Symbolicator` on the store, until the stop file appears. A frame
/// is either mapped to its own bundle's source or reported not found (its bundle not
/// ingested yet); anything else (a wrong source, an error) fails the child. Prints how
/// many frames each way.
#[test]
#[ignore = "child process of the multi-process store tests"]
fn symbolicate_until_stopped() {
    let Ok(store_dir) = std::env::var("MAPBACK_SYMBOLICATE_STORE") else {
        return;
    };
    let number = |name: &str| -> u32 { std::env::var(name).unwrap().parse().unwrap() };
    let (first, count) = (
        number("MAPBACK_SYMBOLICATE_FIRST"),
        number("MAPBACK_SYMBOLICATE_COUNT"),
    );
    let store_dir = PathBuf::from(store_dir);
    let stop = store_dir.with_extension("stop");
    let symbolicator = mapback::symbolicate::Symbolicator::from_store(
        std::sync::Arc::new(open(&store_dir)),
        mapback::symbolicate::SymbolicateOptions::default(),
    );
    let (mut mapped, mut missing) = (0u64, 0u64);
    let mut round = 0u32;
    while !stop.exists() || round < 2 {
        round += 1;
        for n in first..first + count {
            let url = format!("https://h/app{n}.js");
            let event = serde_json::json!({
                "platform": "javascript",
                "debug_meta": {"images": [{"type": "sourcemap", "code_file": url, "debug_id": debug_id(n)}]},
                "exception": {"values": [{"type": "Error", "value": format!("boom {n}"),
                    "stacktrace": {"frames": [
                        {"abs_path": url, "filename": url, "lineno": 1, "colno": 14, "function": "a"},
                    ]}}]},
            });
            let text = serde_json::to_vec(&event).unwrap();
            let out: serde_json::Value =
                serde_json::from_slice(&symbolicator.symbolicate_event_json(&text).unwrap())
                    .unwrap();
            let frame = &out["exception"]["values"][0]["stacktrace"]["frames"][0];
            if frame["data"]["symbolicated"] == true {
                assert_eq!(frame["filename"], format!("src/greet{n}.js"), "{out}");
                // The `throw`, found by walking the tokens from the segment before it.
                assert_eq!(
                    (&frame["lineno"], &frame["colno"]),
                    (&2.into(), &3.into()),
                    "{out}"
                );
                assert_eq!(frame["function"], format!("greet{n}"), "{out}");
                assert!(out.get("errors").is_none(), "{out}");
                mapped += 1;
            } else {
                let errors = out["errors"].as_array().expect("a reason");
                assert!(
                    errors.iter().all(
                        |e| e["type"] == "js_debug_id_not_found" || e["type"] == "js_no_source"
                    ),
                    "{out}"
                );
                missing += 1;
            }
        }
    }
    println!("mapped={mapped} missing={missing}");
}

#[test]
fn processes_symbolicate_while_processes_ingest() {
    let root = scratch("ingest-and-symbolicate");
    let store_dir = root.join("store");
    let store = open(&store_dir);
    // Bundles there before anyone starts, so that every symbolicating process maps
    // some frames whatever the timing.
    let (first, present) = (30_000u32, 4u32);
    for n in first..first + present {
        store.add(&[build_dir(&root, n, 200)]).unwrap();
    }
    let (writers, per_writer) = (4u32, 5u32);
    let ingesters: Vec<_> = (0..writers)
        .map(|w| spawn_ingester(&store_dir, first + 100 + w * 100, Some(per_writer)))
        .collect();
    let symbolicators: Vec<_> = (0..4)
        .map(|_| {
            child_test("symbolicate_until_stopped")
                .env("MAPBACK_SYMBOLICATE_STORE", &store_dir)
                .env("MAPBACK_SYMBOLICATE_FIRST", first.to_string())
                // The pre-added bundles and every writer's range (with the gaps).
                .env(
                    "MAPBACK_SYMBOLICATE_COUNT",
                    (100 * (writers + 1)).to_string(),
                )
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in ingesters {
        assert!(
            child.wait().unwrap().success(),
            "an ingesting process failed"
        );
    }
    std::fs::write(store_dir.with_extension("stop"), b"").unwrap();
    let mut total_mapped = 0u64;
    for child in symbolicators {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "a symbolicating process failed: {stdout}"
        );
        // The harness prints the test's name on the same line, before the counts.
        let line = stdout
            .lines()
            .find_map(|l| l.find("mapped=").map(|at| &l[at..]))
            .expect("the child's counts");
        let mapped: u64 = line["mapped=".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        eprintln!("symbolicating process: {line}");
        // Each process saw at least the pre-added bundles, twice.
        assert!(mapped >= u64::from(present) * 2, "{line}");
        total_mapped += mapped;
    }
    assert!(total_mapped > 0);
    let store = open(&store_dir);
    assert_eq!(
        store.entries().unwrap().len(),
        (present + writers * per_writer) as usize
    );
    assert!(store.verify().unwrap().is_ok());
}

/// A map whose scopes (the scopes proposal) say `inner` (b.js) was inlined into
/// `outer` (a.js) at a.js 2:2, ingested into a store: its cache keeps the scopes, and an
/// event symbolicated from the store gets both frames, named by the scopes.
#[test]
fn the_store_keeps_a_maps_scopes_and_symbolicates_with_them() {
    use mapback::{OriginalPosition, SourceMapBuilder, SourceMapView};
    let root = scratch("scopes");
    let id = debug_id(120);
    let mut builder = SourceMapBuilder::new();
    builder.add_source("a.js");
    builder.add_source("b.js");
    builder.set_debug_id(Some(&id)).unwrap();
    let at = |source, line, column| {
        Some(OriginalPosition {
            source,
            line,
            column,
            name: None,
        })
    };
    builder.add_mapping(0, 0, at(0, 0, 0)).unwrap();
    builder.add_mapping(0, 13, at(1, 1, 2)).unwrap();
    let p = |line: u32, column: u32| serde_json::json!({"line": line, "column": column});
    let function = |start, end, name: &str| {
        serde_json::json!({"start": start, "end": end, "name": name, "kind": "function",
            "isStackFrame": true, "variables": [], "children": []})
    };
    builder
        .set_scopes_record(&serde_json::json!({
            "sources": [{"scope": function(p(0, 0), p(3, 1), "outer")},
                        {"scope": function(p(0, 0), p(2, 1), "inner")}],
            "ranges": [{"start": p(0, 0), "end": p(0, 32), "definitionIndex": 0,
                "stackFrameType": "original", "bindings": [], "callSite": null,
                "children": [{"start": p(0, 13), "end": p(0, 31), "definitionIndex": 1,
                    "stackFrameType": "none", "bindings": [], "children": [],
                    "callSite": {"sourceIndex": 0, "line": 2, "column": 2}}]}]
        }))
        .unwrap();
    let map = builder.to_json(&mapback::EncodeOptions::default());
    let build = root.join("build");
    write(
        &build,
        "app.js",
        &format!("function o(){{throw new Error(1)}}\n//# debugId={id}\n//# sourceMappingURL=app.js.map\n"),
    );
    write(&build, "app.js.map", &map);
    let store = std::sync::Arc::new(open(&root.join("store")));
    store.add(&[&build]).unwrap();
    let entry = store.find_by_debug_id(&id).unwrap().unwrap();
    let decoded = mapback::SourceMap::from_slice(map.as_bytes()).unwrap();
    assert_eq!(entry.cache().original_scopes(), decoded.scopes());

    let symbolicator = mapback::symbolicate::Symbolicator::from_store(
        store,
        mapback::symbolicate::SymbolicateOptions::default(),
    );
    let url = "https://h/app.js";
    let event = serde_json::json!({
        "platform": "javascript",
        "debug_meta": {"images": [{"type": "sourcemap", "code_file": url, "debug_id": id}]},
        "exception": {"values": [{"type": "Error", "value": "1",
            "stacktrace": {"frames": [
                {"abs_path": url, "filename": url, "lineno": 1, "colno": 14, "function": "o"},
            ]}}]},
    });
    let out: serde_json::Value = serde_json::from_slice(
        &symbolicator
            .symbolicate_event_json(&serde_json::to_vec(&event).unwrap())
            .unwrap(),
    )
    .unwrap();
    let frames = out["exception"]["values"][0]["stacktrace"]["frames"]
        .as_array()
        .unwrap();
    // Sentry order: outermost first.
    let found: Vec<_> = frames
        .iter()
        .map(|f| {
            (
                f["filename"].as_str().unwrap().to_owned(),
                f["lineno"].as_u64().unwrap(),
                f["function"].as_str().unwrap().to_owned(),
                f["data"]["function_origin"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "a.js".to_owned(),
                3,
                "outer".to_owned(),
                "scopes".to_owned()
            ),
            (
                "b.js".to_owned(),
                2,
                "inner".to_owned(),
                "scopes".to_owned()
            ),
        ],
        "{out}"
    );
}
