//! The validator (`mapback::validate`): every tc39 invalid map is reported with an
//! error and every valid one with none, and each practical check finds its problem
//! (and only it) on a map built to have it.

use std::path::{Path, PathBuf};

use mapback::{validate, Severity, ValidationReport, MAX_PROBLEMS_PER_CODE};
use serde_json::Value;

fn suite_dir() -> PathBuf {
    match std::env::var_os("MAPBACK_TC39_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/conformance/tc39-source-map-tests"),
    }
}

fn codes(report: &ValidationReport, severity: Severity) -> Vec<&'static str> {
    let problems = report.problems().iter();
    problems
        .filter(|p| p.severity == severity)
        .map(|p| p.code)
        .collect()
}

fn errors(report: &ValidationReport) -> Vec<&'static str> {
    codes(report, Severity::Error)
}

fn warnings(report: &ValidationReport) -> Vec<&'static str> {
    codes(report, Severity::Warning)
}

#[test]
#[cfg_attr(
    mapback_no_tc39,
    ignore = "../shared/conformance is absent: tc39 suite NOT run"
)]
fn tc39_invalid_maps_have_errors_and_valid_maps_none() {
    let dir = suite_dir();
    let listing = std::fs::read_to_string(dir.join("source-map-spec-tests.json")).unwrap();
    let suite: Value = serde_json::from_str(&listing).unwrap();
    let cases = suite["tests"].as_array().expect("tests array");
    let (mut valid, mut invalid, mut failures) = (0, 0, Vec::new());
    for case in cases {
        let file = case["sourceMapFile"].as_str().unwrap();
        let bytes = std::fs::read(dir.join("resources").join(file)).unwrap();
        let report = validate(&bytes, None);
        let is_valid = case["sourceMapIsValid"].as_bool().unwrap();
        if is_valid {
            valid += 1;
        } else {
            invalid += 1;
        }
        if report.is_valid() != is_valid {
            failures.push(format!("{}: {:?}", case["name"], report.problems()));
        }
        // Errors are listed, not only counted.
        assert_eq!(report.errors().count(), report.error_count(), "{file}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!((valid + invalid, cases.len()), (99, 99));
    assert!(invalid > 30, "{invalid} invalid maps");
}

#[test]
fn a_sound_map_with_its_script_has_no_problem() {
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["let x = 1;"],
        "names":["x"],"mappings":"AAAA,IAAIA","debugId":"85314830-023F-4CF1-A267-535F4E37BB17"}"#;
    let script = "var x=1;\n//# debugId=85314830023f4cf1a267535f4e37bb17\n";
    let report = validate(map, Some(script));
    assert!(report.problems().is_empty(), "{:?}", report.problems());
    assert!(report.is_valid());
    assert_eq!(report.to_json()["valid"], true);
}

#[test]
fn every_mapping_problem_is_listed_not_only_the_first() {
    // Source index 1 of 1 source, then a name index out of range on line 2, then a
    // negative column on line 3: lenient decoding keeps going, and so does the report.
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"names":[],
        "mappings":"ACAA;ADAAC;AAAA,D"}"#;
    let report = validate(map, None);
    assert_eq!(
        errors(&report),
        [
            "source-index-out-of-bounds",
            "name-index-out-of-bounds",
            "negative-value"
        ]
    );
    let first = &report.problems()[0];
    let mappings_at = std::str::from_utf8(map).unwrap().find("\"ACAA").unwrap() as u64;
    assert_eq!(first.offset, Some(mappings_at + 1));
}

#[test]
fn a_map_that_cannot_decode_is_one_error_with_its_code() {
    let report = validate(
        br#"{"version":3,"sources":["a.js"],"mappings":"AAAA""#,
        None,
    );
    assert_eq!(errors(&report), ["invalid-json"]);
    let report = validate(br#"{"version":3,"mappings":"AAAA"}"#, None);
    assert_eq!(errors(&report), ["missing-field"]);
    let report = validate(br#"{"version":3,"sources":[],"mappings":"AA!A"}"#, None);
    assert_eq!(errors(&report), ["invalid-vlq"]);
}

#[test]
fn sources_without_content_are_warnings_with_their_path() {
    let map =
        br#"{"version":3,"sources":["a.js","b.js"],"sourcesContent":["x"],"mappings":"AAAA,CCAA"}"#;
    let report = validate(map, None);
    assert!(report.is_valid());
    assert_eq!(warnings(&report), ["missing-sources-content"]);
    assert_eq!(report.problems()[0].path.as_deref(), Some("sources[1]"));
}

#[test]
fn a_source_root_that_resolves_nowhere_is_a_warning() {
    let map = br#"{"version":3,"sourceRoot":"http://[::1","sources":["a.js"],"sourcesContent":["x"],"mappings":"AAAA"}"#;
    let report = validate(map, None);
    assert_eq!(warnings(&report), ["unresolvable-source"]);
    assert!(report.problems()[0].offset.is_some());
}

#[test]
fn mappings_only_into_ignored_sources_are_a_warning() {
    let map = br#"{"version":3,"sources":["a.js","b.js"],"sourcesContent":["x","y"],"ignoreList":[0],"mappings":"AAAA"}"#;
    assert_eq!(warnings(&validate(map, None)), ["only-ignored-sources"]);
    let map = br#"{"version":3,"sources":["a.js","b.js"],"sourcesContent":["x","y"],"ignoreList":[0],"mappings":"AAAA,CCAA"}"#;
    assert!(validate(map, None).problems().is_empty());
}

#[test]
fn a_map_without_mappings_is_a_warning() {
    let report = validate(br#"{"version":3,"sources":[],"mappings":";;"}"#, None);
    assert_eq!(warnings(&report), ["no-mappings"]);
    assert!(report.is_valid());
    // Mappings that carry no original position do not count.
    let report = validate(br#"{"version":3,"sources":[],"mappings":"A,C"}"#, None);
    assert_eq!(warnings(&report), ["no-mappings"]);
}

#[test]
fn columns_past_the_end_of_their_line_are_errors_with_the_position() {
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"mappings":"AAAA,UAAA;AAAA;AAAA"}"#;
    // Line 0 is 8 UTF-16 units ("😀" is two), so column 10 is past it; there is no
    // line 2.
    let report = validate(map, Some("var a=😀\nb"));
    assert_eq!(errors(&report), ["column-past-line-end", "line-past-end"]);
    assert_eq!(report.problems()[0].generated, Some((0, 10)));
    assert_eq!(report.problems()[1].generated, Some((2, 0)));
    // The same map on a script that fits it.
    assert!(validate(map, Some("var a=😀   \nb\nc")).is_valid());
    let json = report.to_json();
    assert_eq!(json["errors"][0]["generated_column"], 10);
}

#[test]
fn a_debug_id_comment_that_differs_from_the_map_is_an_error() {
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"mappings":"AAAA","debugId":"85314830-023f-4cf1-a267-535f4e37bb17"}"#;
    let other = "x\n//# debugId=00000000-023f-4cf1-a267-535f4e37bb17\n";
    let report = validate(map, Some(other));
    assert_eq!(errors(&report), ["debug-id-mismatch"]);
    assert_eq!(report.problems()[0].path.as_deref(), Some("debugId"));
    let without = br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"mappings":"AAAA"}"#;
    assert_eq!(
        errors(&validate(without, Some(other))),
        ["debug-id-mismatch"]
    );
    // No comment in the script: nothing to compare.
    assert!(validate(map, Some("x")).problems().is_empty());
}

#[test]
fn notes_of_the_decoder_are_warnings() {
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"mappings":"KAAA,DAAA","mappings":"KAAA,DAAA"}"#;
    let report = validate(map, None);
    assert_eq!(warnings(&report), ["duplicate-key", "unsorted-mappings"]);
    assert!(report.is_valid());
}

#[test]
fn strict_only_problems_are_still_errors() {
    let report = validate(
        br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"mappings":"AAAA",}"#,
        None,
    );
    assert_eq!(errors(&report), ["trailing-comma"]);
}

#[test]
fn a_hundred_thousand_bad_segments_give_a_bounded_report() {
    // Columns 1, 2, ... 100,000 each with a source index past the one source.
    let mut map =
        br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"names":[],"mappings":""#
            .to_vec();
    let segments = vec!["CCAA"; 100_000].join(",");
    map.extend_from_slice(segments.as_bytes());
    map.extend_from_slice(b"\"}");
    let report = validate(&map, Some("short"));
    // Columns 6 and up are past the 5 units of "short".
    let past_end = 100_000 - 5;
    assert_eq!(report.error_count(), 100_000 + past_end);
    assert_eq!(report.errors().count(), 2 * MAX_PROBLEMS_PER_CODE);
    // No segment kept an original position.
    assert_eq!(warnings(&report), ["no-mappings"]);
    let omitted: Vec<_> = report.omitted().collect();
    assert_eq!(
        omitted,
        [
            (
                "source-index-out-of-bounds",
                100_000 - MAX_PROBLEMS_PER_CODE
            ),
            ("column-past-line-end", past_end - MAX_PROBLEMS_PER_CODE)
        ]
    );
    let json = report.to_json();
    assert_eq!(json["error_count"], 100_000 + past_end);
    assert!(json.to_string().len() < 64 * 1024);
}

#[test]
fn scopes_problems_are_listed_as_invalid_scopes() {
    // The scopes proposal: a name past `names` and a definition naming no scope are
    // listed, and a malformed string once (it is dropped whole).
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"names":[],
        "mappings":"AAAA","scopes":"BBAAC,CKA,ECAK,FK"}"#;
    assert_eq!(
        errors(&validate(map, None)),
        ["invalid-scopes", "invalid-scopes"]
    );
    let broken = br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"names":[],
        "mappings":"AAAA","scopes":"BAAA"}"#;
    let report = validate(broken, None);
    assert_eq!(errors(&report), ["invalid-scopes"]);
    assert!(
        report.problems()[0].message.contains("left open"),
        "{:?}",
        report.problems()[0].message
    );
}
