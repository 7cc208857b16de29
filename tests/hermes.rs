//! React Native: Metro's function maps, Hermes bytecode maps and Hermes stack traces, on
//! the real fixtures in tests/data/hermes (`make hermes-fixtures`; see its README).

use std::path::{Path, PathBuf};

use mapback::produce::{compose, StepMap};
use mapback::symbolicate::{
    DirectoryLoader, NameOrigin, SymbolicateOptions, SymbolicatedFrame, Symbolicator,
};
use mapback::{Position, SourceMap, SourceMapView};
use serde_json::Value;

const BUNDLE: &str = "index.android.bundle.hbc";

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hermes")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(data().join(name)).unwrap()
}

fn map(name: &str) -> SourceMap {
    SourceMap::from_slice(&read(name)).unwrap()
}

fn expectations() -> Value {
    serde_json::from_slice(&read("expectations.json")).unwrap()
}

fn source_index(map: &dyn SourceMapView, suffix: &str) -> u32 {
    (0..map.source_count() as u32)
        .find(|&s| map.source_name(s).is_some_and(|n| n.ends_with(suffix)))
        .unwrap_or_else(|| panic!("no source ending in {suffix}"))
}

#[test]
fn metro_function_maps_are_decoded_per_section() {
    let packager = map(&format!("{BUNDLE}.packager.map"));
    assert!(packager.is_index_map(), "Metro writes a section per module");
    assert!(
        packager.diagnostics().is_empty(),
        "{:?}",
        packager.diagnostics()
    );
    let receipt = source_index(&packager, "app/receipt.js");
    let functions = packager
        .function_map(receipt)
        .expect("receipt.js has a function map");
    // receipt.js: `formatPrice` (line 3), the `line` method of `formatters` (line 11),
    // `formatReceipt` (line 16) and its `cart.map` callback (line 17).
    let name = |line: u32, column: u32| functions.name_at(Position::new(line - 1, column - 1));
    assert_eq!(name(5, 5), Some("formatPrice"));
    assert_eq!(name(12, 5), Some("formatters.line"));
    assert_eq!(name(17, 3), Some("formatReceipt"));
    assert_eq!(name(17, 24), Some("cart.map$argument_0"));
    assert_eq!(name(1, 1), None, "top level");
    let compiler = map(&format!("{BUNDLE}.compiler.map"));
    let offsets = compiler
        .hermes_function_offsets()
        .expect("hermesc writes them");
    assert_eq!(offsets.virtual_offset(0, 0, 0), Some(0));
    assert!(offsets.virtual_offset(0, 1, 0).unwrap() > 0);
}

/// mapback's composition of hermesc's map over Metro's equals metro-source-map's
/// `composeSourceMaps`, what React Native's release build ships: at every mapped
/// bytecode offset, the same source, line, column and name; the same function maps
/// per source; the same function offsets.
#[test]
fn composing_hermes_over_metro_matches_react_natives_tooling() {
    let compiler = map(&format!("{BUNDLE}.compiler.map"));
    let packager = map(&format!("{BUNDLE}.packager.map"));
    let mut no_more = |_: &str, _: usize| Ok(None::<StepMap<'_>>);
    let ours = compose(&[&compiler, &packager], &mut no_more)
        .unwrap()
        .build()
        .unwrap();
    let theirs = map(&format!("{BUNDLE}.map"));
    let describe = |m: &SourceMap, column: u32| {
        m.lookup(0, column).map(|t| {
            (
                t.source().and_then(|s| s.name().map(str::to_owned)),
                t.original_line(),
                t.original_column(),
                t.name().map(str::to_owned),
            )
        })
    };
    // hermesc writes two segments at a few offsets; metro-source-map's consumer keeps
    // the last of them, mapback keeps both (and its lookup answers with the first, as
    // for any map). There, metro's answer must be one of mapback's.
    let doubled: Vec<u32> = {
        let columns: Vec<u32> = compiler.tokens().map(|t| t.generated_column()).collect();
        columns
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect()
    };
    assert!(!doubled.is_empty() && doubled.len() < 10, "{doubled:?}");
    let last = theirs.tokens().map(|t| t.generated_column()).max().unwrap();
    for column in 0..=last + 8 {
        if !doubled.contains(&column) {
            assert_eq!(
                describe(&ours, column),
                describe(&theirs, column),
                "offset {column}"
            );
            continue;
        }
        let (theirs_token, ours_tokens) = (
            theirs.lookup(0, column).unwrap(),
            ours.original_positions(0, column, Default::default()),
        );
        assert!(
            ours_tokens.iter().any(|t| t.source().map(|s| s.name())
                == theirs_token.source().map(|s| s.name())
                && t.original_line() == theirs_token.original_line()
                && t.original_column() == theirs_token.original_column()),
            "offset {column}"
        );
    }
    assert!(last > 2000, "{last}");
    for s in 0..theirs.source_count() as u32 {
        let name = theirs.source_name(s).unwrap();
        let ours_index = source_index(&ours, name);
        assert_eq!(
            ours.function_map(ours_index),
            theirs.function_map(s),
            "{name}"
        );
    }
    assert!(ours
        .function_map(source_index(&ours, "app/pricing.js"))
        .is_some());
    assert_eq!(
        ours.hermes_function_offsets(),
        compiler.hermes_function_offsets()
    );
    assert_eq!(
        ours.hermes_function_offsets(),
        theirs.hermes_function_offsets()
    );
    // Written out and read back, nothing is lost.
    let json = mapback::SourceMapBuilder::from_view(&ours).to_json(&Default::default());
    let again = SourceMap::from_slice(json.as_bytes()).unwrap();
    assert_eq!(
        again.hermes_function_offsets(),
        ours.hermes_function_offsets()
    );
    let pricing = source_index(&again, "app/pricing.js");
    assert_eq!(again.function_map(pricing), ours.function_map(pricing));
}

fn symbolicate(trace: &str) -> Vec<SymbolicatedFrame> {
    let loader = DirectoryLoader::new().with_file_names(data()).unwrap();
    let symbolicator = Symbolicator::new(loader, SymbolicateOptions::default());
    symbolicator.symbolicate(trace).unwrap().frames
}

/// Every frame the Hermes VM printed for the bytecode maps to the source and line of
/// the unminified run's frame at the same index, named as metro-symbolicate names it
/// (from the function maps), with no frame added or lost.
#[test]
fn hermes_traces_map_like_the_unminified_run() {
    let expectations = expectations();
    let mut frames_checked = 0;
    for trace in expectations["traces"].as_array().unwrap() {
        let text = String::from_utf8(read(trace["trace"].as_str().unwrap())).unwrap();
        let ours = symbolicate(&text);
        let expected = trace["frames"].as_array().unwrap();
        assert_eq!(ours.len(), expected.len(), "{text}");
        for (frame, want) in ours.iter().zip(expected) {
            let raw = want["raw"].as_str().unwrap();
            assert_eq!(frame.minified.raw, raw);
            assert!(!frame.inlined, "{raw}: no frame is rebuilt from bytecode");
            if want["native"] == true {
                assert!(frame.original.is_none(), "{raw}");
                continue;
            }
            assert!(frame.minified.is_bytecode, "{raw}");
            let Some(source) = want["source"].as_str() else {
                // The bundle's last line (`__r(0)`) maps nowhere in either run.
                assert!(frame.original.is_none(), "{raw}: {:?}", frame.original);
                continue;
            };
            let original = frame
                .original
                .as_ref()
                .unwrap_or_else(|| panic!("{raw}: {:?}", frame.unmapped));
            assert_eq!(original.filename.as_deref(), Some(source), "{raw}");
            assert_eq!(
                Some(u64::from(original.lineno)),
                want["line"].as_u64(),
                "{raw}"
            );
            let peer = &want["metro_symbolicate"];
            assert_eq!(
                original.filename.as_deref(),
                peer["source"].as_str(),
                "{raw}"
            );
            assert_eq!(original.function.as_deref(), peer["name"].as_str(), "{raw}");
            assert_eq!(
                original.function_origin,
                Some(NameOrigin::FunctionMap),
                "{raw}"
            );
            frames_checked += 1;
        }
    }
    assert_eq!(frames_checked, 16);
}

/// Without the function maps (a map stripped of `x_facebook_sources`), names come from
/// the original sources' scopes, and the frames still map.
#[test]
fn without_function_maps_names_come_from_the_sources() {
    let dir = std::env::temp_dir().join(format!("mapback-hermes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut composed: Value = serde_json::from_slice(&read(&format!("{BUNDLE}.map"))).unwrap();
    composed
        .as_object_mut()
        .unwrap()
        .remove("x_facebook_sources");
    std::fs::write(dir.join(format!("{BUNDLE}.map")), composed.to_string()).unwrap();
    std::fs::write(dir.join(BUNDLE), read(BUNDLE)).unwrap();
    let loader = DirectoryLoader::new().with_file_names(&dir).unwrap();
    let symbolicator = Symbolicator::new(loader, SymbolicateOptions::default());
    let text = String::from_utf8(read("traces/trace-1.txt")).unwrap();
    let frames = symbolicator.symbolicate(&text).unwrap().frames;
    let first = frames[0].original.as_ref().unwrap();
    assert!(first
        .filename
        .as_deref()
        .unwrap()
        .ends_with("app/pricing.js"));
    assert_eq!(first.lineno, 5);
    assert_eq!(first.function.as_deref(), Some("applyCoupon"));
    assert_eq!(first.function_origin, Some(NameOrigin::OriginalSource));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Malformed React Native fields: strict decoding refuses them with
/// `InvalidFunctionMap`; lenient decoding leaves them out, says so, and maps as before.
#[test]
fn malformed_function_maps_are_reported_not_fatal() {
    let cases = [
        r#""x_facebook_sources":[[{"names":["a"],"mappings":"ACA"}]]"#,
        r#""x_facebook_sources":[[{"names":"a","mappings":"AAA"}]]"#,
        r#""x_facebook_sources":[7]"#,
        r#""x_facebook_sources":[null,[{"names":["a"],"mappings":"AAA"}]]"#,
        r#""x_facebook_sources":[[{"names":["a"],"mappings":"gggggggggggggggA"}]]"#,
        r#""x_hermes_function_offsets":{"zero":[1]}"#,
        r#""x_hermes_function_offsets":{"0":[-1]}"#,
    ];
    for case in cases {
        let json =
            format!(r#"{{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA",{case}}}"#);
        let strict = mapback::DecodeOptions::new().strict(true);
        let error = SourceMap::from_slice_with(json.as_bytes(), &strict).unwrap_err();
        assert_eq!(
            error.code(),
            mapback::ErrorCode::InvalidFunctionMap,
            "{case}"
        );
        let lenient = SourceMap::from_slice(json.as_bytes()).unwrap();
        assert_eq!(lenient.diagnostics().len(), 1, "{case}");
        assert_eq!(
            lenient.diagnostics()[0].code(),
            mapback::ErrorCode::InvalidFunctionMap
        );
        assert!(lenient.function_map(0).is_none() && lenient.hermes_function_offsets().is_none());
        assert_eq!(lenient.lookup(0, 0).unwrap().original_line(), Some(0));
    }
}

/// The binary cache keeps the function maps (an optional section), so a Hermes trace
/// symbolicated from the artifact store is named as from the map itself.
#[test]
fn caches_and_the_store_keep_function_maps() {
    let composed = map(&format!("{BUNDLE}.map"));
    let bytes = mapback::to_cache_bytes(&composed, Default::default()).unwrap();
    let cache = mapback::Cache::from_bytes(&bytes).unwrap();
    cache.verify().unwrap();
    for s in 0..composed.source_count() as u32 {
        assert_eq!(
            cache.function_map(s),
            composed.function_map(s),
            "source {s}"
        );
    }
    // A map without function maps writes no such section: its cache is as before.
    let plain =
        SourceMap::from_slice(br#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}"#)
            .unwrap();
    let plain_cache = mapback::to_cache_bytes(&plain, Default::default()).unwrap();
    assert!(mapback::Cache::from_bytes(&plain_cache)
        .unwrap()
        .function_map(0)
        .is_none());

    // As the fixtures name it, and as React Native names it: a `.bundle` that is bytecode,
    // told by its magic number, at the URL the app loads it from.
    for (name, url) in [
        (BUNDLE, BUNDLE),
        ("index.android.bundle", "app:///index.android.bundle"),
    ] {
        store_symbolicates_hermes_frames(name, url);
    }
}

/// Adds the bytecode bundle (as `name`) and its map (`name.map`) to a new store, and
/// symbolicates trace 2 with its frames at `url`.
fn store_symbolicates_hermes_frames(name: &str, url: &str) {
    let dir = std::env::temp_dir().join(format!(
        "mapback-hermes-store-{}-{}",
        std::process::id(),
        name.len()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let build = dir.join("build");
    std::fs::create_dir_all(&build).unwrap();
    std::fs::write(build.join(name), read(BUNDLE)).unwrap();
    std::fs::write(
        build.join(format!("{name}.map")),
        read(&format!("{BUNDLE}.map")),
    )
    .unwrap();
    let store = mapback::Store::open(dir.join("store"), Default::default()).unwrap();
    let summary = store.add(&[&build]).unwrap();
    assert_eq!(summary.added.len(), 1, "{summary:?}");
    assert!(summary.skipped.is_empty(), "{summary:?}");
    let added = &summary.added[0];
    assert_eq!(
        added.paired_by,
        mapback::PairedBy::MapFileName,
        "{summary:?}"
    );
    assert!(added.urls.contains(&format!("~/{name}")), "{summary:?}");
    let symbolicator =
        Symbolicator::from_store(std::sync::Arc::new(store), SymbolicateOptions::default());
    let text = String::from_utf8(read("traces/trace-2.txt"))
        .unwrap()
        .replace(BUNDLE, url);
    let frames = symbolicator.symbolicate(&text).unwrap().frames;
    assert!(
        frames[0].original.is_some(),
        "{name}: {:?} {:?}",
        frames[0].unmapped,
        summary
    );
    let names: Vec<_> = frames
        .iter()
        .filter_map(|f| f.original.as_ref())
        .map(|o| (o.function.as_deref(), o.function_origin))
        .collect();
    assert_eq!(
        names[0],
        (Some("formatPrice"), Some(NameOrigin::FunctionMap))
    );
    assert_eq!(
        names[2],
        (Some("cart.map$argument_0"), Some(NameOrigin::FunctionMap))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The last path segment of a JSON string.
fn file_name(path: &Value) -> String {
    let path = path.as_str().unwrap();
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

/// A Sentry event from React Native on Hermes without debug info (the SDK's context
/// says so): its line-1 frames are bytecode, looked up at the offset as `colno`, and
/// come out as the text trace's frames do.
#[test]
fn react_native_events_with_bytecode_frames() {
    let text = String::from_utf8(read("traces/trace-1.txt")).unwrap();
    let trace = mapback::parse_stack_trace(&text, &Default::default()).unwrap();
    // Sentry's order: outermost first; the SDK keeps the printed numbers.
    let frames: Vec<Value> = trace
        .frames
        .iter()
        .rev()
        .map(|f| {
            serde_json::json!({
                "function": f.function, "filename": format!("app:///{BUNDLE}"),
                "abs_path": format!("app:///{BUNDLE}"), "lineno": f.line, "colno": f.column,
                "in_app": true,
            })
        })
        .collect();
    let event = |debug_info: bool| {
        serde_json::json!({
            "platform": "javascript",
            "contexts": {"react_native_context": {"js_engine": "hermes", "hermes_debug_info": debug_info}},
            "exception": {"values": [{"type": "Error", "stacktrace": {"frames": frames}}]},
        })
    };
    let loader = DirectoryLoader::new().with_file_names(data()).unwrap();
    let symbolicator = Symbolicator::new(loader, SymbolicateOptions::default());
    let out = symbolicator.symbolicate_event(event(false)).unwrap();
    let got: Vec<(String, u64, String)> = out["exception"]["values"][0]["stacktrace"]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .filter(|f| f["data"]["symbolicated"] == true)
        .map(|f| {
            (
                file_name(&f["filename"]),
                f["lineno"].as_u64().unwrap(),
                f["function"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, u64, String)> = expectations()["traces"][0]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"].is_string())
        .map(|f| {
            (
                file_name(&f["source"]),
                f["line"].as_u64().unwrap(),
                f["metro_symbolicate"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(got.len(), 8);
}
