//! Structured symbolication of real SDK events (tests/data/events, made by
//! `make events-fixtures`): every event @sentry/browser (Chromium) and @sentry/node
//! sent for the minified Rollup + terser build is symbolicated, and every frame is
//! checked against the original frame of the unminified reference run
//! (`expectations.json`).
//!
//! Two lookups: the committed bundles served by URL through a `DirectoryLoader`
//! (frames say `found_by: url`), and a lookup that finds the same bundles by the maps'
//! debug IDs only, as an artifact store does (frames say `found_by: debug_id`).
//!
//! Function names: the expectations carry the names V8 printed running the
//! unminified code, as the SDK reports them. V8 decorates them with runtime facts no
//! map records: `async ` for an async frame, the receiver's type (`Object.thrown`
//! for a method of an object literal, `Timeout.` for a timer callback) and
//! ` [as property]`; and the SDK writes `?` where V8 printed no name (an anonymous
//! function, or `<anonymous>` for module code). `same_function` compares the names
//! with exactly those allowances: a class method mapback names `Checkout.summary` must
//! be `Checkout.summary`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use mapback::symbolicate::{
    normalize_debug_id, Artifact, ArtifactLookup, DirectoryLoader, SymbolicateOptions,
    Symbolicator, Unmapped,
};
use mapback::SourceMapView;
use serde_json::{json, Value};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/events")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The bundles at the URLs and paths they had when the events were captured.
fn by_url() -> Symbolicator {
    let loader = DirectoryLoader::new()
        .with_prefix("http://127.0.0.1:4174/", fixtures().join("bundles/browser"))
        .unwrap()
        .with_prefix("/tmp/mapback-events/", fixtures().join("bundles/node"))
        .unwrap();
    Symbolicator::new(loader, SymbolicateOptions::default())
}

/// The bundles by the debug IDs of their maps, and nothing by URL: what an artifact
/// store answers.
struct DebugIdIndex {
    /// debug ID → (map path, script path)
    entries: HashMap<String, (PathBuf, PathBuf)>,
}

impl DebugIdIndex {
    fn new() -> DebugIdIndex {
        let mut entries = HashMap::new();
        for dir in ["bundles/browser/assets", "bundles/node/dist"] {
            for entry in std::fs::read_dir(fixtures().join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().and_then(|e| e.to_str()) != Some("map") {
                    continue;
                }
                let map = mapback::SourceMap::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                let id = normalize_debug_id(map.debug_id().expect("maps have debug IDs")).unwrap();
                entries.insert(id, (path.clone(), path.with_extension("")));
            }
        }
        assert_eq!(entries.len(), 3, "app.js, vendor.js, server.cjs");
        DebugIdIndex { entries }
    }
}

impl ArtifactLookup for DebugIdIndex {
    fn by_debug_id(&self, debug_id: &str) -> Result<Artifact, Unmapped> {
        let (map, script) =
            self.entries
                .get(debug_id)
                .ok_or_else(|| Unmapped::DebugIdNotFound {
                    debug_id: debug_id.to_owned(),
                })?;
        let decoded = mapback::SourceMap::from_slice(&std::fs::read(map).unwrap()).unwrap();
        Ok(Artifact {
            map: Box::new(decoded),
            minified: Some(std::fs::read_to_string(script).unwrap()),
            map_url: Some(map.to_string_lossy().into_owned()),
            minified_scopes: None,
        })
    }

    fn by_url(&self, url: &str) -> Result<Artifact, Unmapped> {
        Err(Unmapped::NotFound {
            url: url.to_owned(),
        })
    }
}

/// A function name without the decorations V8 adds at run time: `async ` and
/// ` [as property]`.
fn undecorated(name: &str) -> &str {
    let name = name.strip_prefix("async ").unwrap_or(name);
    name.split_once(" [as ").map_or(name, |(before, _)| before)
}

/// Whether mapback's function name `got` is the name V8 printed in the reference run,
/// `want` (as the SDK reports it; see the module docs): equal once undecorated; or,
/// when mapback gives a bare name, `want` is that name behind a receiver type
/// (`Object.thrown`, `Timeout.onValidateTimer`); or both say "no name" (`?` and
/// `Object.?` from the SDK; null at top level and `<anonymous>` from mapback).
fn same_function(got: Option<&str>, want: Option<&str>) -> bool {
    let want = want.map(undecorated);
    let unnamed = |name: &str| name == "?" || name.ends_with(".?");
    match (got.map(undecorated), want) {
        (None | Some("<anonymous>"), Some(want)) => unnamed(want),
        (Some(got), Some(want)) if got.contains('.') => got == want,
        (Some(got), Some(want)) => {
            got == want
                || want
                    .strip_suffix(got)
                    .is_some_and(|rest| rest.ends_with('.'))
        }
        (got, None) => got.is_none(),
    }
}

/// The expectations' events, by path under the fixtures.
fn expectations() -> Vec<(String, Value)> {
    let all = read_json(&fixtures().join("expectations.json"));
    let events = all["events"].as_object().unwrap();
    assert_eq!(events.len(), 8, "4 scenarios x 2 runtimes");
    events.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Frames right, frames expected; every wrong frame described in `wrong`.
#[derive(Default)]
struct Score {
    right: usize,
    expected: usize,
    wrong: Vec<String>,
}

/// Symbolicates every event with `symbolicator` and checks every frame, the raw
/// stack traces and `found_by`.
fn check_all(symbolicator: &Symbolicator, found_by: &str) -> Score {
    let mut score = Score::default();
    for (path, expected_event) in expectations() {
        let sent = read_json(&fixtures().join(&path));
        let out = symbolicator.symbolicate_event(sent.clone()).unwrap();
        // The JSON text path writes the new frames itself: byte for byte what
        // serde_json writes for the value path's event.
        let text = symbolicator
            .symbolicate_event_json(&serde_json::to_vec(&sent).unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            serde_json::to_string(&out).unwrap(),
            "{path}"
        );
        let exceptions = expected_event["exceptions"].as_array().unwrap();
        let values = out["exception"]["values"].as_array().unwrap();
        assert_eq!(values.len(), exceptions.len(), "{path}");
        for (e, (value, expected)) in values.iter().zip(exceptions).enumerate() {
            assert_eq!(
                value["raw_stacktrace"], sent["exception"]["values"][e]["stacktrace"],
                "{path}: the frames as sent are kept"
            );
            let frames = value["stacktrace"]["frames"].as_array().unwrap();
            let sent_frames = &sent["exception"]["values"][e]["stacktrace"]["frames"];
            let expected_frames = expected["frames"].as_array().unwrap();
            // No frame of this app is inlined away (the generator checks): one frame
            // out for each frame in.
            assert_eq!(frames.len(), expected_frames.len(), "{path}");
            for (i, (frame, want)) in frames.iter().zip(expected_frames).enumerate() {
                let at = format!("{path} exception {e} frame {i}");
                let truth = &want["expected"];
                if truth.is_null() {
                    if want["minified"]["filename"]
                        .as_str()
                        .unwrap()
                        .starts_with("node:")
                    {
                        // A runtime builtin: left exactly as sent.
                        assert_eq!(frame, &sent_frames[i], "{at}");
                    }
                    continue;
                }
                score.expected += 1;
                let function = (frame["function"].as_str(), truth["function"].as_str());
                let got = (
                    frame["abs_path"].as_str(),
                    frame["filename"].as_str(),
                    frame["lineno"].as_u64(),
                    frame["colno"].as_u64(),
                    same_function(function.0, function.1)
                        .then_some(())
                        .ok_or(function),
                );
                let wanted = (
                    truth["abs_path"].as_str(),
                    truth["source"].as_str(),
                    truth["lineno"].as_u64(),
                    truth["colno"].as_u64(),
                    Ok(()),
                );
                assert_eq!(frame["data"]["symbolicated"], true, "{at}");
                assert_eq!(frame["data"]["found_by"], found_by, "{at}");
                assert_eq!(frame["in_app"], true, "{at}");
                assert!(frame["context_line"].is_string(), "{at}: context");
                if got == wanted {
                    score.right += 1;
                } else {
                    score
                        .wrong
                        .push(format!("{at}: got {got:?}, expected {wanted:?}"));
                }
            }
        }
    }
    score
}

fn assert_all_right(score: &Score, lookup: &str) {
    eprintln!(
        "{lookup}: {} of {} frames right",
        score.right, score.expected
    );
    assert_eq!(score.expected, 36, "every expected frame was checked");
    assert!(
        score.wrong.is_empty(),
        "{lookup}: {} of {} right; wrong:\n{}",
        score.right,
        score.expected,
        score.wrong.join("\n")
    );
}

#[test]
fn every_frame_of_every_real_event_maps_by_url() {
    let score = check_all(&by_url(), "url");
    assert_all_right(&score, "by URL");
}

/// An artifact store that sentry-cli's artifact bundle (tests/data/events) was added
/// to, as an error tracker's upload endpoint would.
fn store_with_the_artifact_bundle(name: &str) -> std::sync::Arc<mapback::Store> {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("events-store-{name}"));
    let _ = std::fs::remove_dir_all(&path);
    let store = mapback::Store::open(&path, mapback::StoreOptions::default()).unwrap();
    let summary = store
        .add(&[fixtures().join("artifact-bundle.zip")])
        .unwrap();
    assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
    std::sync::Arc::new(store)
}

#[test]
fn every_frame_of_every_real_event_maps_through_the_artifact_store() {
    let store = store_with_the_artifact_bundle("store");
    let symbolicator = Symbolicator::from_store(store.clone(), SymbolicateOptions::default());
    let score = check_all(&symbolicator, "debug_id");
    assert_all_right(&score, "through the store");
    let _ = std::fs::remove_dir_all(store.path());
}

#[test]
fn every_frame_of_every_real_event_maps_by_debug_id() {
    let symbolicator =
        Symbolicator::with_lookup(DebugIdIndex::new(), SymbolicateOptions::default());
    let score = check_all(&symbolicator, "debug_id");
    assert_all_right(&score, "by debug ID");
}

/// The events' `errors` lists.
fn errors_of(event: &Value) -> Vec<Value> {
    event["errors"].as_array().cloned().unwrap_or_default()
}

#[test]
fn errors_list_exactly_what_went_wrong() {
    let symbolicator = by_url();
    for (path, _) in expectations() {
        let out = symbolicator
            .symbolicate_event(read_json(&fixtures().join(&path)))
            .unwrap();
        let errors = errors_of(&out);
        if path == "events/browser/callback.json" {
            // The SDK's setTimeout wrapper runs in vendor.js, whose map has no
            // sourcesContent: mapped, named from the minified script, no context.
            assert!(!errors.is_empty(), "{path}");
            for error in &errors {
                assert_eq!(error["type"], "js_missing_sources_content", "{path}");
                assert_eq!(error["url"], "http://127.0.0.1:4174/assets/vendor.js");
                let source = error["source"].as_str().unwrap();
                assert!(source.contains("node_modules/@sentry"), "{source}");
            }
            let vendor = &out["exception"]["values"][0]["stacktrace"]["frames"][0];
            assert_eq!(vendor["data"]["symbolicated"], true);
            assert_eq!(vendor["context_line"], Value::Null);
            assert_eq!(
                vendor["in_app"], false,
                "vendor.js's map lists the SDK in x_google_ignoreList"
            );
        } else {
            assert_eq!(errors, Vec::<Value>::new(), "{path}");
        }
    }
}

#[test]
fn a_map_of_another_build_is_refused() {
    // The image names a debug ID that the map found by URL does not have.
    let path = fixtures().join("events/browser/thrown.json");
    let mut event = read_json(&path);
    let wrong = "00000000-0000-4000-8000-000000000000";
    event["debug_meta"]["images"][0]["debug_id"] = json!(wrong);
    let out = by_url().symbolicate_event(event).unwrap();
    // Nothing could be symbolicated: the frames stay exactly as sent.
    assert_eq!(
        out["exception"]["values"][0]["stacktrace"],
        read_json(&path)["exception"]["values"][0]["stacktrace"]
    );
    assert_eq!(
        errors_of(&out),
        vec![json!({
            "type": "js_debug_id_mismatch",
            "url": "http://127.0.0.1:4174/assets/app.js",
            "sourcemap_debug_id": "869a7777-576f-454e-bd77-0b6aa3a52d82",
            "debug_id": wrong,
        })]
    );
    // Nothing symbolicated: no raw_stacktrace.
    assert!(out["exception"]["values"][0]
        .get("raw_stacktrace")
        .is_none());
}

#[test]
fn an_unknown_debug_id_is_reported_with_the_url_s_answer() {
    // The debug-ID lookup knows no debug ID of the event, and finds nothing by URL
    // either: the error says what the URL gave and names the debug ID. (The loader
    // lookup, which finds nothing by debug ID, falls back to the URL in every event:
    // see every_frame_of_every_real_event_maps_by_url.)
    let path = fixtures().join("events/node/rejected.json");
    let mut event = read_json(&path);
    let unknown = "11111111-2222-4333-8444-555555555555";
    event["debug_meta"]["images"][0]["debug_id"] = json!(unknown);
    let symbolicator =
        Symbolicator::with_lookup(DebugIdIndex::new(), SymbolicateOptions::default());
    let out = symbolicator.symbolicate_event(event).unwrap();
    let errors = errors_of(&out);
    assert_eq!(
        errors,
        vec![json!({
            "type": "js_no_source",
            "url": "/tmp/mapback-events/dist/server.cjs",
            "debug_id": unknown,
        })]
    );
}

#[test]
fn symbolicate_frames_keeps_sentry_order() {
    // The thrown scenario's frames, as structs, outermost first.
    let path = fixtures().join("events/browser/thrown.json");
    let event = read_json(&path);
    let sent = event["exception"]["values"][0]["stacktrace"]["frames"]
        .as_array()
        .unwrap();
    let frames: Vec<_> = sent
        .iter()
        .map(|f| mapback::symbolicate::EventFrame::from_json(f).unwrap())
        .collect();
    let images: Vec<_> = event["debug_meta"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| mapback::symbolicate::DebugImage::from_json(i).unwrap())
        .collect();
    let symbolicator =
        Symbolicator::with_lookup(DebugIdIndex::new(), SymbolicateOptions::default());
    let out = symbolicator.symbolicate_frames(&frames, &images, mapback::TraceFormat::V8);
    let lines: Vec<_> = out
        .iter()
        .map(|f| {
            let o = f.original.as_ref().unwrap();
            (o.filename.clone().unwrap(), o.lineno)
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("../app/browser.js".to_owned(), 42),
            ("../app/src/scenarios.js".to_owned(), 14),
            ("../app/src/checkout.js".to_owned(), 35),
            ("../app/src/checkout.js".to_owned(), 29),
            ("../app/src/checkout.js".to_owned(), 18),
        ]
    );
    let json = out[4].to_json();
    assert_eq!(json["found_by"], "debug_id");
    assert_eq!(json["function"], "discountFor");
}

#[test]
fn function_names_compare_with_only_v8_s_run_time_allowances() {
    let same = |got: Option<&str>, want: &str| same_function(got, Some(want));
    assert!(same(
        Some("Checkout.placeOrder"),
        "async Checkout.placeOrder"
    ));
    assert!(same(
        Some("onValidateTimer"),
        "Timeout.onValidateTimer [as _onTimeout]"
    ));
    assert!(same(Some("thrown"), "Object.thrown"));
    assert!(same(None, "Object.?"));
    assert!(same(Some("<anonymous>"), "?"));
    assert!(!same(Some("summary"), "Checkout.summarize"));
    assert!(!same(Some("Cart.summary"), "Checkout.summary"));
    assert!(!same(Some("mary"), "Checkout.summary"));
    assert!(!same(None, "discountFor"));
    assert!(!same(Some("discountFor"), "?"));
}

#[test]
fn a_script_over_the_loader_s_limit_is_js_too_large() {
    let loader = DirectoryLoader::new()
        .with_prefix("/tmp/mapback-events/", fixtures().join("bundles/node"))
        .unwrap()
        .with_max_file_bytes(100);
    let symbolicator = Symbolicator::new(loader, SymbolicateOptions::default());
    let event = read_json(&fixtures().join("events/node/rejected.json"));
    let out = symbolicator.symbolicate_event(event).unwrap();
    let errors = errors_of(&out);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["type"], "js_too_large");
    assert_eq!(errors[0]["url"], "/tmp/mapback-events/dist/server.cjs");
    assert_eq!(
        errors[0]["debug_id"],
        "5a5d7242-04be-4ed7-9cba-d1094a3ade85"
    );
    assert!(errors[0]["message"].as_str().unwrap().contains("limit"));
}

#[test]
fn symbolicate_frames_json_is_symbolicate_frames_on_json_text() {
    let store = store_with_the_artifact_bundle("frames-json");
    let symbolicator = Symbolicator::from_store(store.clone(), SymbolicateOptions::default());
    let event = read_json(&fixtures().join("events/browser/thrown.json"));
    let sent = &event["exception"]["values"][0]["stacktrace"]["frames"];
    let images = &event["debug_meta"]["images"];
    let frames: Vec<_> = sent
        .as_array()
        .unwrap()
        .iter()
        .map(|f| mapback::symbolicate::EventFrame::from_json(f).unwrap())
        .collect();
    let debug_images: Vec<_> = images
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| mapback::symbolicate::DebugImage::from_json(i).unwrap())
        .collect();
    let expected: Vec<Value> = symbolicator
        .symbolicate_frames(&frames, &debug_images, mapback::TraceFormat::V8)
        .iter()
        .map(|f| f.to_json())
        .collect();
    let text = symbolicator
        .symbolicate_frames_json(
            sent.to_string().as_bytes(),
            Some(images.to_string().as_bytes()),
            mapback::TraceFormat::V8,
        )
        .unwrap();
    let got: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(got, Value::Array(expected));
    assert_eq!(got[4]["found_by"], "debug_id");
    assert_eq!(got[4]["lineno"], 18);

    let code = |frames: &str, images: Option<&str>| {
        symbolicator
            .symbolicate_frames_json(
                frames.as_bytes(),
                images.map(str::as_bytes),
                mapback::TraceFormat::Unknown,
            )
            .unwrap_err()
            .code()
    };
    use mapback::ErrorCode;
    assert_eq!(code("[", None), ErrorCode::InvalidJson);
    assert_eq!(code("{}", None), ErrorCode::InvalidArgument);
    assert_eq!(
        code(r#"[{"in_app": "yes"}]"#, None),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        code("[]", Some(r#"[{"type": "sourcemap"}]"#)),
        ErrorCode::InvalidArgument
    );
    assert_eq!(code("[]", Some("7")), ErrorCode::InvalidArgument);
    let many = format!("[{}{{}}]", "{},".repeat(4096));
    assert_eq!(code(&many, None), ErrorCode::InputTooLarge);
    let _ = std::fs::remove_dir_all(store.path());
}
