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

/// The original position of a generated one. With `exact`, as the main suite's
/// actions mean it, a mapping (or a position inside a range mapping) must start there;
/// without, any position a lookup resolves counts (GetOriginalPositions: the last
/// mapping at or before it, which the range mappings tests probe between mappings).
fn original_at(
    map: &dyn SourceMapView,
    line: u32,
    column: u32,
    exact: bool,
) -> Result<Original, String> {
    let token = map
        .lookup_with(line, column, LookupOptions::default())
        .ok_or_else(|| format!("no token at {line}:{column}"))?;
    if exact && (token.generated_line(), token.generated_column()) != (line, column) {
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
    map: &dyn SourceMapView,
    map_path: &Path,
    resources: &Path,
    exact: bool,
) -> Result<(), String> {
    let line = action["generatedLine"].as_u64().unwrap_or(0) as u32;
    let column = action["generatedColumn"].as_u64().unwrap_or(0) as u32;
    match action["actionType"].as_str() {
        Some("checkMapping") => {
            let found = original_at(map, line, column, exact)?;
            let expected = expected_original(action, map_path);
            if found != expected {
                return Err(format!("expected {expected:?}, found {found:?}"));
            }
            Ok(())
        }
        Some("checkMappingTransitive") => {
            let mut found = original_at(map, line, column, exact)?;
            // Each intermediate map maps the previous step's original position further.
            let mut last_path = map_path.to_path_buf();
            for step in action["intermediateMaps"].as_array().into_iter().flatten() {
                let path = resources.join(step.as_str().unwrap_or_default());
                let step_map = decode_file(&path, true).map_err(|e| format!("{step}: {e}"))?;
                let (Some(l), Some(c)) = (found.line, found.column) else {
                    return Err("an intermediate step has no original position".into());
                };
                found = original_at(&step_map, l, c, exact)?;
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

/// Decodes the map at a path, strictly or not.
type Decoder = dyn Fn(&Path, bool) -> Result<SourceMap, mapback::Error>;

fn run_case(case: &Value, resources: &Path, decode: &Decoder, exact: bool) -> Result<(), String> {
    let map_path = resources.join(case["sourceMapFile"].as_str().unwrap_or_default());
    let valid = case["sourceMapIsValid"].as_bool().unwrap_or(false);
    let strict = decode(&map_path, true);
    // Lenient decoding of any input must return, never panic.
    let _ = decode(&map_path, false);
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
        run_action(action, &map, &map_path, resources, exact)?;
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
        if let Err(why) = run_case(case, &resources, &decode_file, true) {
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

/// The range mappings proposal's tests (`range-mappings-proposal-tests.json` of the
/// shared copy, tc39/source-map-tests at 7bfa363, January 2026), converted at test time
/// to the encoding the draft has had since ecma426 #252 (April 2026).
///
/// The copy's maps count a line's first `rangeMappings` index from 1; #252 counts it
/// from 0 and leaves the later values (distances from the index before) as they were.
/// So each line's first value is decremented and nothing else changes
/// ([`zero_based_range_mappings`]); the maps are converted in memory, decoded with the
/// original file's URL as base, and never written to the repository. One value has no
/// 0-based spelling: a first value of 0 (index −1 in the old encoding, which the old
/// draft rejects; `invalid-vlq-zero.js.map`). It becomes `AA`, index 0 named twice,
/// which #252 rejects in its place, so the invalid map stays invalid for the same
/// kind of reason (a distance of 0). The same conversion, checked file by file against
/// tc39/source-map-tests after its #40 (May 2026), gives that repository's 0-based
/// `rangeMappings` for every map both have (`AA` included).
///
/// Valid maps decode in strict mode and pass every action, from the map and from its
/// cache; invalid maps are refused in strict mode with a typed error. The actions here
/// probe positions between mappings, so a lookup's answer counts wherever its mapping
/// starts (the main suite asks for a mapping at the very position).
#[test]
#[cfg_attr(
    mapback_no_tc39,
    ignore = "../shared/conformance is absent: range mappings tests NOT run"
)]
fn tc39_range_mappings_proposal_tests() {
    let dir = suite_dir();
    let listing = std::fs::read_to_string(dir.join("range-mappings-proposal-tests.json"))
        .unwrap_or_else(|e| panic!("range mappings tests missing at {}: {e}", dir.display()));
    let suite: Value = serde_json::from_str(&listing).unwrap();
    let cases = suite["tests"].as_array().expect("tests array");
    let resources = dir.join("resources").join(
        suite["resourceBasePath"]
            .as_str()
            .expect("resourceBasePath"),
    );
    let mut failures = Vec::new();
    for case in cases {
        let result = run_case(case, &resources, &decode_converted, false).and_then(|()| {
            let map_path = resources.join(case["sourceMapFile"].as_str().unwrap_or_default());
            if !case["sourceMapIsValid"].as_bool().unwrap_or(false) {
                // Refused for its `rangeMappings`: lenient decoding names that field.
                // (Some of these maps have a bad `mappings` too, e.g. "AAA".)
                let lenient = decode_converted(&map_path, false).map_err(|e| e.to_string())?;
                let named = lenient
                    .diagnostics()
                    .iter()
                    .any(|d| d.message().contains("rangeMappings"));
                return match named {
                    true => Ok(()),
                    false => Err(format!(
                        "no diagnostic names rangeMappings: {:?}",
                        lenient.diagnostics()
                    )),
                };
            }
            // The same actions from the cache of each valid map.
            let map = decode_converted(&map_path, true).map_err(|e| e.to_string())?;
            let bytes = mapback::to_cache_bytes(&map, Default::default())
                .map_err(|e| format!("cache: {e}"))?;
            let cache = mapback::Cache::from_slice(&bytes).map_err(|e| format!("cache: {e}"))?;
            for action in case["testActions"].as_array().into_iter().flatten() {
                run_action(action, &cache, &map_path, &resources, false)
                    .map_err(|e| format!("from the cache: {e}"))?;
            }
            Ok(())
        });
        if let Err(why) = result {
            failures.push(format!("{}: {why}", case["name"]));
        }
    }
    let passed = cases.len() - failures.len();
    println!("tc39 range mappings: {passed}/{} passed", cases.len());
    for failure in &failures {
        println!("  FAILED {failure}");
    }
    assert!(
        failures.is_empty(),
        "{} range mappings cases failed",
        failures.len()
    );
    assert_eq!(
        cases.len(),
        13,
        "the shared copy has 13 range mappings cases"
    );
}

/// Decodes a map of the range mappings tests after converting its `rangeMappings` to
/// the 0-based encoding (see [`tc39_range_mappings_proposal_tests`]).
fn decode_converted(path: &Path, strict: bool) -> Result<SourceMap, mapback::Error> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut json: Value = serde_json::from_str(&text).expect("the test maps are JSON");
    if let Some(Value::String(ranges)) = json.get("rangeMappings") {
        json["rangeMappings"] = Value::from(zero_based_range_mappings(ranges));
    }
    let options = DecodeOptions::new()
        .strict(strict)
        .base_url(&file_url(path))
        .expect("base URL");
    SourceMap::from_slice_with(json.to_string().as_bytes(), &options)
}

/// `rangeMappings` in the 1-based first-index encoding, rewritten 0-based: each line's
/// first value decremented (a first 0 becomes `A`, `A`: see
/// [`tc39_range_mappings_proposal_tests`]). A line that is not a list of unsigned VLQs
/// is left as it is: it is invalid in either encoding.
fn zero_based_range_mappings(text: &str) -> String {
    text.split(';')
        .map(|line| match unsigned_vlqs(line) {
            Some(mut values) if !values.is_empty() => {
                if values[0] == 0 {
                    values.insert(0, 0);
                } else {
                    values[0] -= 1;
                }
                values.iter().map(|&v| unsigned_vlq(v)).collect()
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The unsigned VLQs of a line, or `None` when it is not a sequence of them. Written
/// here rather than taken from the library, so that the conversion does not rest on
/// the code under test.
fn unsigned_vlqs(line: &str) -> Option<Vec<u64>> {
    let mut values = Vec::new();
    let (mut value, mut shift, mut open) = (0u64, 0u32, false);
    for byte in line.bytes() {
        let digit = BASE64.iter().position(|&b| b == byte)? as u64;
        value |= (digit & 31) << shift;
        shift += 5;
        open = digit & 32 != 0;
        if !open {
            values.push(value);
            (value, shift) = (0, 0);
        }
        if shift > 60 {
            return None;
        }
    }
    (!open).then_some(values)
}

fn unsigned_vlq(mut value: u64) -> String {
    let mut out = String::new();
    loop {
        let mut digit = value & 31;
        value >>= 5;
        if value != 0 {
            digit |= 32;
        }
        out.push(BASE64[digit as usize] as char);
        if value == 0 {
            return out;
        }
    }
}

/// The conversion on the shared copy's values, and what tc39/source-map-tests wrote
/// after #40 for the same maps.
#[test]
fn range_mappings_conversion() {
    for (one_based, zero_based) in [
        (";B;", ";A;"),
        (";BC;", ";AC;"),
        ("B;", "A;"),
        (";B", ";A"),
        ("C", "B"),
        ("C;B;B", "B;A;A"),
        ("A", "AA"),
        ("AB%", "AB%"),
        ("ab=", "ab="),
        ("", ""),
        ("hB", "gB"),
    ] {
        assert_eq!(
            zero_based_range_mappings(one_based),
            zero_based,
            "{one_based}"
        );
    }
}

/// The scopes proposal's decoding goldens (`decoding/scopes`, the combined format of
/// the `proposal-scopes` branch): each map decodes in strict mode, and its Decoded
/// Source Map Record (mapback's scopes record plus the mappings) equals the golden
/// exactly. The maps are decoded without a base URL: the goldens' source URLs are the
/// names as written.
#[test]
#[cfg_attr(
    mapback_no_tc39,
    ignore = "../shared/conformance is absent: scopes goldens NOT run"
)]
fn tc39_scopes_goldens() {
    let dir = suite_dir().join("decoding/scopes");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scopes directory")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().and_then(|e| e.to_str()) == Some("map"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in &paths {
        let golden_path = PathBuf::from(format!("{}.golden", path.display()));
        let golden = relax_json(&std::fs::read_to_string(&golden_path).unwrap());
        let bytes = std::fs::read(path).unwrap();
        let result = SourceMap::from_slice_with(&bytes, &DecodeOptions::new().strict(true))
            .map_err(|e| format!("refused in strict mode: {e}"))
            .and_then(|map| {
                let mut found = mapback::original_scopes::scopes_record(&map);
                found["mappings"] = record(&map)["mappings"].clone();
                if found != golden {
                    return Err(format!(
                        "differs from the golden:\n{}",
                        serde_json::to_string_pretty(&found).unwrap()
                    ));
                }
                Ok(())
            });
        if let Err(why) = result {
            failures.push(format!("{}: {why}", path.display()));
        }
    }
    let passed = paths.len() - failures.len();
    println!("tc39 scopes goldens: {passed}/{} passed", paths.len());
    for failure in &failures {
        println!("  FAILED {failure}");
    }
    assert!(
        failures.is_empty(),
        "{} scopes goldens failed",
        failures.len()
    );
    assert_eq!(paths.len(), 8, "the shared copy has 8 scopes goldens");
}
