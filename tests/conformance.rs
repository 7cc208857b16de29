//! The tc39 source map conformance suite (ECMA-426), read from
//! `../shared/conformance/tc39-source-map-tests` at test time (or `$MAPBACK_TC39_DIR`).
//!
//! Valid maps must decode in strict mode and pass every action; invalid maps must be
//! rejected in strict mode with a typed error. When the suite is absent at build time,
//! build.rs sets `mapback_no_tc39` and these tests are reported as ignored.

use std::path::{Path, PathBuf};

use mapback::{DecodeOptions, ErrorCode, LookupOptions, SourceMap, SourceMapView};
use serde_json::Value;

fn suite_dir() -> PathBuf {
    match std::env::var_os("MAPBACK_TC39_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/conformance/tc39-source-map-tests"),
    }
}

fn file_url(path: &Path) -> String {
    let absolute = std::fs::canonicalize(path).expect("fixture path");
    url::Url::from_file_path(absolute)
        .expect("file URL")
        .to_string()
}

fn decode_file(path: &Path, strict: bool) -> Result<SourceMap, mapback::Error> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let options = DecodeOptions::new()
        .strict(strict)
        .base_url(&file_url(path))
        .expect("base URL");
    SourceMap::from_slice_with(&bytes, &options)
}

/// Resolves an expected `originalSource` the way the map's sources were resolved.
fn expected_url(expected: &str, map_path: &Path) -> String {
    let base = url::Url::parse(&file_url(map_path)).unwrap();
    base.join(expected).unwrap().to_string()
}

/// One original position, as the actions describe it.
#[derive(Debug, PartialEq)]
struct Original {
    url: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    name: Option<String>,
}

fn original_at(map: &SourceMap, line: u32, column: u32) -> Result<Original, String> {
    let token = map
        .lookup_with(line, column, LookupOptions::default())
        .ok_or_else(|| format!("no token at {line}:{column}"))?;
    if (token.generated_line(), token.generated_column()) != (line, column) {
        return Err(format!(
            "no token starts at {line}:{column} (nearest {}:{})",
            token.generated_line(),
            token.generated_column()
        ));
    }
    Ok(Original {
        url: token.source().and_then(|s| s.url()).map(String::from),
        line: token.original_line(),
        column: token.original_column(),
        name: token.name().map(String::from),
    })
}

fn expected_original(action: &Value, map_path: &Path) -> Original {
    let number = |key: &str| action[key].as_u64().map(|n| n as u32);
    Original {
        url: action["originalSource"]
            .as_str()
            .map(|s| expected_url(s, map_path)),
        line: number("originalLine"),
        column: number("originalColumn"),
        name: action["mappedName"].as_str().map(String::from),
    }
}

fn run_action(
    action: &Value,
    map: &SourceMap,
    map_path: &Path,
    resources: &Path,
) -> Result<(), String> {
    let line = action["generatedLine"].as_u64().unwrap_or(0) as u32;
    let column = action["generatedColumn"].as_u64().unwrap_or(0) as u32;
    match action["actionType"].as_str() {
        Some("checkMapping") => {
            let found = original_at(map, line, column)?;
            let expected = expected_original(action, map_path);
            if found != expected {
                return Err(format!("expected {expected:?}, found {found:?}"));
            }
            Ok(())
        }
        Some("checkMappingTransitive") => {
            let mut found = original_at(map, line, column)?;
            // Each intermediate map maps the previous step's original position further.
            let mut last_path = map_path.to_path_buf();
            for step in action["intermediateMaps"].as_array().into_iter().flatten() {
                let path = resources.join(step.as_str().unwrap_or_default());
                let step_map = decode_file(&path, true).map_err(|e| format!("{step}: {e}"))?;
                let (Some(l), Some(c)) = (found.line, found.column) else {
                    return Err("an intermediate step has no original position".into());
                };
                found = original_at(&step_map, l, c)?;
                last_path = path;
            }
            let mut expected = expected_original(action, &last_path);
            // Names are not carried through intermediate steps in these tests.
            if expected.name.is_none() {
                found.name = None;
            }
            if found != expected {
                expected.name = found.name.clone();
                return Err(format!("expected {expected:?}, found {found:?}"));
            }
            Ok(())
        }
        Some("checkIgnoreList") => {
            let mut ignored: Vec<String> = map
                .sources()
                .filter(|s| s.is_ignored())
                .filter_map(|s| s.url().map(String::from))
                .collect();
            let mut expected: Vec<String> = action["present"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
                .map(|s| expected_url(s, map_path))
                .collect();
            ignored.sort();
            expected.sort();
            if ignored != expected {
                return Err(format!("ignored {ignored:?}, expected {expected:?}"));
            }
            Ok(())
        }
        other => Err(format!("unknown action {other:?}")),
    }
}

fn run_case(case: &Value, resources: &Path) -> Result<(), String> {
    let map_path = resources.join(case["sourceMapFile"].as_str().unwrap_or_default());
    let valid = case["sourceMapIsValid"].as_bool().unwrap_or(false);
    let strict = decode_file(&map_path, true);
    // Lenient decoding of any input must return, never panic.
    let _ = decode_file(&map_path, false);
    if !valid {
        return match strict {
            Ok(_) => Err("an invalid map was accepted in strict mode".into()),
            Err(e) if matches!(e.code(), ErrorCode::Panic | ErrorCode::NullPointer) => {
                Err(format!("not a decoding error: {e}"))
            }
            Err(_) => Ok(()),
        };
    }
    let map = strict.map_err(|e| format!("a valid map was rejected: {e}"))?;
    for action in case["testActions"].as_array().into_iter().flatten() {
        run_action(action, &map, &map_path, resources)?;
    }
    Ok(())
}

#[test]
#[cfg_attr(
    mapback_no_tc39,
    ignore = "../shared/conformance is absent: tc39 suite NOT run"
)]
fn tc39_source_map_spec_tests() {
    let dir = suite_dir();
    let listing = std::fs::read_to_string(dir.join("source-map-spec-tests.json"))
        .unwrap_or_else(|e| panic!("tc39 suite missing at {}: {e}", dir.display()));
    let suite: Value = serde_json::from_str(&listing).unwrap();
    let cases = suite["tests"].as_array().expect("tests array");
    let resources = dir.join("resources");
    let mut failures = Vec::new();
    for case in cases {
        if let Err(why) = run_case(case, &resources) {
            failures.push(format!("{}: {why}", case["name"]));
        }
    }
    let passed = cases.len() - failures.len();
    println!("tc39: {passed}/{} passed", cases.len());
    for failure in &failures {
        println!("  FAILED {failure}");
    }
    assert!(failures.is_empty(), "{} tc39 cases failed", failures.len());
    assert_eq!(cases.len(), 99, "the suite should have 99 cases");
}

/// Blanks trailing commas, which the golden files (and some maps) contain.
fn relax_json(text: &str) -> Value {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut in_string = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            if c == '\\' {
                out.push(c);
                i += 1;
                out.push(chars[i]);
            } else {
                in_string = c != '"';
                out.push(c);
            }
        } else if c == ','
            && chars[i + 1..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| *c == '}' || *c == ']')
        {
            out.push(' ');
        } else {
            in_string = c == '"';
            out.push(c);
        }
        i += 1;
    }
    serde_json::from_str(&out).expect("golden parses")
}

/// The Decoded Source Map Record of a map, in the golden files' shape.
fn record(map: &SourceMap) -> Value {
    let sources: Vec<Value> = map
        .sources()
        .map(|s| {
            serde_json::json!({"url": s.url(), "content": s.content(), "ignored": s.is_ignored()})
        })
        .collect();
    let mappings: Vec<Value> = map
        .tokens()
        .map(|t| {
            let original = t.source_index().map(|source| {
                serde_json::json!({
                    "sourceIndex": source,
                    "line": t.original_line(),
                    "column": t.original_column()
                })
            });
            serde_json::json!({
                "generatedPosition": {"line": t.generated_line(), "column": t.generated_column()},
                "originalPosition": original,
                "name": t.name()
            })
        })
        .collect();
    serde_json::json!({"file": map.file(), "sources": sources, "mappings": mappings})
}

#[test]
#[cfg_attr(
    mapback_no_tc39,
    ignore = "../shared/conformance is absent: debug-id goldens NOT run"
)]
fn tc39_debug_id_goldens() {
    let dir = suite_dir().join("decoding/debug-id");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("debug-id directory") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("map") {
            continue;
        }
        let golden_path = PathBuf::from(format!("{}.golden", path.display()));
        let golden = relax_json(&std::fs::read_to_string(&golden_path).unwrap());
        let map = decode_file(&path, false).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut found = record(&map);
        if let Some(id) = map.debug_id() {
            found["debugId"] = Value::from(id);
        }
        assert_eq!(found, golden, "{}", path.display());
        // An `.error` marker means the spec optionally reports an error: strict mode
        // must refuse the map, lenient mode must say why.
        let error_marker = path.with_extension("error");
        if error_marker.exists() {
            assert!(decode_file(&path, true).is_err(), "{}", path.display());
            assert!(
                map.diagnostics()
                    .iter()
                    .any(|d| d.code() == ErrorCode::InvalidDebugId),
                "{}: {:?}",
                path.display(),
                map.diagnostics()
            );
        }
        checked += 1;
    }
    println!("tc39 debug-id goldens: {checked}/4 passed");
    assert_eq!(checked, 4);
}
