//! The scopes proposal (ECMA-426 Stage 3): decoding both encodings in strict and
//! lenient mode, the builder's encoding (round trips through both), index maps, and
//! the frames scopes give. The tc39 decoding goldens are in `conformance.rs`.

use std::path::{Path, PathBuf};

use mapback::original_scopes::{
    frames_at, scopes_record, GeneratedRange, OriginalScope, ScopeFrame, ScopeInfo, ScopeRef,
    ScopesFormat, StackFrameType, MAX_SCOPE_DEPTH,
};
use mapback::{
    DecodeOptions, EncodeOptions, ErrorCode, Position, SourceMap, SourceMapBuilder, SourceMapView,
    SourcePosition,
};
use serde_json::{json, Value};

fn decode(json: &str, strict: bool) -> Result<SourceMap, mapback::Error> {
    SourceMap::from_slice_with(json.as_bytes(), &DecodeOptions::new().strict(strict))
}

fn strict(json: &str) -> SourceMap {
    decode(json, true).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn at(line: u32, column: u32) -> Value {
    json!({"line": line, "column": column})
}

/// Two sources in ecma426 #266's format: a.js has one root scope (0:0-10:0); b.js a
/// root (0:0-12:0) holding a function (1:0-2:0). A range for a.js's root (0:0-0:16)
/// holds a function range for b.js's function (0:2-0:6): its definition changes
/// source (+1, then the scope index absolutely: 1).
const PER_SOURCE: &str = r#"{"version":3,"sources":["a.js","b.js"],"names":[],"mappings":"",
  "scopes":["BAAA,CKA","BAAA,BEBA,CBA,CKA"],"ranges":"ECAAA,EGCCB,FE,FK"}"#;

#[test]
fn the_per_source_format_decodes_definitions_by_source_and_index() {
    let map = strict(PER_SOURCE);
    let info = map.scopes().expect("scopes");
    assert_eq!(info.format, ScopesFormat::PerSource);
    let root = &info.ranges[0];
    assert_eq!(
        root.definition,
        Some(ScopeRef {
            source: 0,
            index: 0
        })
    );
    let function = &root.children[0];
    assert_eq!(
        function.definition,
        Some(ScopeRef {
            source: 1,
            index: 1
        })
    );
    assert_eq!(function.stack_frame_type, StackFrameType::Original);
    assert_eq!(
        (function.start, function.end),
        (Position::new(0, 2), Position::new(0, 6))
    );
    let scope = info.definition(function.definition.unwrap()).unwrap();
    assert_eq!(
        (scope.start, scope.end),
        (Position::new(1, 0), Position::new(2, 0))
    );
    assert!(scope.is_stack_frame);
    let record = scopes_record(&map);
    assert_eq!(
        record["sources"][1]["rootScopes"][0]["children"][0]["start"],
        at(1, 0)
    );
    assert!(record["sources"][0].get("scope").is_none());
    // Flat index: a.js has one scope, so b.js's second is 2.
    assert_eq!(record["ranges"][0]["children"][0]["definitionIndex"], 2);
    assert_eq!(record["ranges"][0]["definitionIndex"], 0);
}

#[test]
fn per_source_strings_may_hold_several_roots_and_nulls() {
    let map = strict(
        r#"{"version":3,"sources":["a.js","b.js","c.js"],"names":["f"],"mappings":"",
            "scopes":["BAAA,CBA,BAAA,CCA",null,""]}"#,
    );
    let info = map.scopes().unwrap();
    let roots = info.source_scopes(0).unwrap();
    // One accumulator for the whole string: the second root starts where the first ended.
    assert_eq!(roots.len(), 2);
    assert_eq!(
        (roots[1].start, roots[1].end),
        (Position::new(1, 0), Position::new(3, 0))
    );
    assert!(info.source_scopes(1).is_none());
    assert_eq!(info.source_scopes(2), Some(&[][..]));
    assert!(info.ranges.is_empty());
}

#[test]
fn grammar_errors_drop_the_field_leniently_and_fail_strictly() {
    for (scopes, what) in [
        (r#""BAAA""#, "open scope"),
        (r#""BAAA,CA""#, "end with one value"),
        (r#""BAAA,,CAA""#, "empty item"),
        (r#""BAAA,CAA,EAA""#, "open range"),
        (r#""BAAA,CAA,CAA""#, "end at top level"),
        (r#""BAA!A,CAA""#, "not Base64"),
        (r#""BAAA,CAA,EAA,DA,FA""#, "variables in a range"),
        (r#""BAAA,CAA,EAA,GB,GB,FA""#, "bindings twice"),
        (r#"["BAAA,EAA"]"#, "range tag in a per-source string start"),
    ] {
        let json = format!(
            r#"{{"version":3,"sources":["a.js"],"names":["x"],"mappings":"","scopes":{scopes}}}"#
        );
        let error = decode(&json, true).expect_err(what);
        assert_eq!(error.code(), ErrorCode::InvalidScopes, "{what}: {error}");
        let lenient = decode(&json, false).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            lenient
                .diagnostics()
                .iter()
                .any(|d| d.code() == ErrorCode::InvalidScopes),
            "{what}"
        );
        let kept = lenient.scopes().map(|i| i.source_scopes(0).map(<[_]>::len));
        assert!(matches!(kept, None | Some(Some(0))), "{what}: {kept:?}");
    }
}

#[test]
fn optional_errors_keep_the_rest() {
    // A name past `names`, a definition past the scopes, a call site in no source, a
    // sub-range binding of a variable the range does not bind, hidden without function.
    let json = r#"{"version":3,"sources":["a.js"],"names":["x"],"mappings":"",
        "scopes":"BBAAK,CKA,ECAK,IKAA,HBAAB,FK,EIA,FA"}"#;
    assert_eq!(
        decode(json, true).unwrap_err().code(),
        ErrorCode::InvalidScopes
    );
    let map = decode(json, false).unwrap();
    let problems: Vec<&str> = map
        .diagnostics()
        .iter()
        .filter(|d| d.code() == ErrorCode::InvalidScopes)
        .map(|d| d.message())
        .collect();
    assert_eq!(problems.len(), 5, "{problems:?}");
    let info = map.scopes().unwrap();
    let root = &info.source_scopes(0).unwrap()[0];
    assert_eq!((root.name, root.end), (None, Position::new(10, 0)));
    assert_eq!(info.ranges.len(), 2);
    assert_eq!(
        (info.ranges[0].definition, info.ranges[0].call_site),
        (None, None)
    );
    assert_eq!(info.ranges[1].stack_frame_type, StackFrameType::None);
}

#[test]
fn unknown_and_vendor_items_are_skipped() {
    let map = strict(
        r#"{"version":3,"sources":["a.js"],"names":["vendor"],"mappings":"",
            "scopes":"BAAA,/AB,JAA,CKA,/A,ECAA,/A,ZZ,FK"}"#,
    );
    let info = map.scopes().unwrap();
    assert_eq!(info.source_scopes(0).unwrap()[0].end, Position::new(10, 0));
    assert_eq!(info.ranges[0].end, Position::new(0, 10));
}

#[test]
fn overflow_is_fatal_and_other_types_are_wrong() {
    let overflow = r#"{"version":3,"sources":[],"names":[],"mappings":"","scopes":"gggggggB"}"#;
    assert_eq!(
        decode(overflow, false).unwrap_err().code(),
        ErrorCode::VlqOverflow
    );
    let number = r#"{"version":3,"sources":[],"names":[],"mappings":"","scopes":7}"#;
    assert_eq!(
        decode(number, true).unwrap_err().code(),
        ErrorCode::WrongType
    );
    assert!(decode(number, false).unwrap().scopes().is_none());
    let null = r#"{"version":3,"sources":[],"names":[],"mappings":"","scopes":null}"#;
    assert!(strict(null).scopes().is_none());
}

#[test]
fn nesting_is_bounded() {
    let depth = MAX_SCOPE_DEPTH + 1;
    let items: Vec<&str> = std::iter::repeat_n("BAAA", depth)
        .chain(std::iter::repeat_n("CAA", depth))
        .collect();
    let json = format!(
        r#"{{"version":3,"sources":["a.js"],"names":[],"mappings":"","scopes":"{}"}}"#,
        items.join(",")
    );
    let error = decode(&json, true).unwrap_err();
    assert!(error.to_string().contains("deeper than 256"), "{error}");
    let inside: Vec<&str> = std::iter::repeat_n("BAAA", MAX_SCOPE_DEPTH)
        .chain(std::iter::repeat_n("CAA", MAX_SCOPE_DEPTH))
        .collect();
    let json = json.replace(&items.join(","), &inside.join(","));
    assert!(strict(&json).scopes().is_some());
}

/// A map whose scopes say `inner` (b.js) was inlined into `outer` (a.js): generated
/// `function outer(){…}` at 0:0-0:40 stands for `outer`; inside it, 0:10-0:30 is
/// `inner`'s body, called from a.js 3:4.
fn inlining_record() -> Value {
    let scope = |start: Value,
                 end: Value,
                 name: Option<&str>,
                 frame: bool,
                 children: Vec<Value>| {
        json!({"start": start, "end": end, "name": name, "kind": if frame {Some("function")} else {None},
               "isStackFrame": frame, "variables": [], "children": children})
    };
    json!({
        "sources": [
            {"scope": scope(at(0, 0), at(9, 0), None, false,
                vec![scope(at(1, 0), at(5, 1), Some("outer"), true, vec![])])},
            {"scope": scope(at(0, 0), at(4, 0), None, false,
                vec![scope(at(0, 0), at(3, 1), Some("inner"), true, vec![])])},
        ],
        "ranges": [{
            "start": at(0, 0), "end": at(0, 50), "definitionIndex": 0, "stackFrameType": "none",
            "bindings": [], "callSite": null,
            "children": [{
                "start": at(0, 0), "end": at(0, 40), "definitionIndex": 1,
                "stackFrameType": "original", "bindings": [], "callSite": null,
                "children": [{
                    "start": at(0, 10), "end": at(0, 30), "definitionIndex": 3,
                    "stackFrameType": "none", "bindings": [],
                    "callSite": {"sourceIndex": 0, "line": 3, "column": 4},
                    "children": []
                }]
            }]
        }]
    })
}

fn inlining_builder(format: ScopesFormat) -> SourceMapBuilder {
    let mut builder = SourceMapBuilder::new();
    builder.add_source("a.js");
    builder.add_source("b.js");
    builder
        .add_mapping(
            0,
            12,
            Some(mapback::OriginalPosition {
                source: 1,
                line: 1,
                column: 2,
                name: None,
            }),
        )
        .unwrap();
    let mut record = inlining_record();
    if format == ScopesFormat::PerSource {
        for source in record["sources"].as_array_mut().unwrap() {
            let scope = source["scope"].take();
            *source = json!({"rootScopes": [scope]});
        }
    }
    builder.set_scopes_record(&record).unwrap();
    builder
}

#[test]
fn the_builder_writes_both_formats_and_they_decode_to_what_was_set() {
    for format in [ScopesFormat::Combined, ScopesFormat::PerSource] {
        let builder = inlining_builder(format);
        let json: Value =
            serde_json::from_str(&builder.to_json(&EncodeOptions::default())).unwrap();
        match format {
            ScopesFormat::Combined => {
                assert!(
                    json["scopes"].is_string() && json.get("ranges").is_none(),
                    "{json}"
                )
            }
            ScopesFormat::PerSource => {
                assert!(
                    json["scopes"].is_array() && json["ranges"].is_string(),
                    "{json}"
                )
            }
        }
        let map = strict(&json.to_string());
        assert_eq!(map.scopes().map(|i| i.format), Some(format));
        assert_eq!(map.scopes(), builder.scopes(), "{json}");
        let record = scopes_record(&map);
        let mut expected = inlining_record();
        if format == ScopesFormat::PerSource {
            for source in expected["sources"].as_array_mut().unwrap() {
                let scope = source["scope"].take();
                *source = json!({"rootScopes": [scope]});
            }
        }
        for (found, wanted) in record["sources"]
            .as_array()
            .unwrap()
            .iter()
            .zip(expected["sources"].as_array().unwrap())
        {
            let key = if format == ScopesFormat::Combined {
                "scope"
            } else {
                "rootScopes"
            };
            assert_eq!(found[key], wanted[key]);
        }
        assert_eq!(record["ranges"], expected["ranges"]);
        // Read back and written again: the same bytes.
        let again = SourceMapBuilder::from_view(&map).to_json(&EncodeOptions::default());
        assert_eq!(again, builder.to_json(&EncodeOptions::default()));
    }
}

#[test]
fn the_builder_refuses_what_the_encoding_cannot_hold() {
    let mut builder = SourceMapBuilder::new();
    builder.add_source("a.js");
    let names_before = builder.name_count();
    let backwards = json!({"sources": [{"scope": {"start": at(5, 0), "end": at(1, 0), "name": "f",
        "kind": null, "isStackFrame": false, "variables": [], "children": []}}], "ranges": []});
    let error = builder.set_scopes_record(&backwards).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidArgument, "{error}");
    assert_eq!(
        builder.name_count(),
        names_before,
        "names added for it were removed"
    );
    assert!(builder.scopes().is_none());
    let no_scope = json!({"sources": [{"scope": null}], "ranges": [{"start": at(0, 0), "end": at(0, 1),
        "definitionIndex": 0, "stackFrameType": "none", "bindings": [], "callSite": null, "children": []}]});
    assert_eq!(
        builder.set_scopes_record(&no_scope).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    let mut info = ScopeInfo {
        format: ScopesFormat::Combined,
        sources: vec![Some(vec![OriginalScope::new(
            Position::new(0, 0),
            Position::new(1, 0),
        )])],
        ranges: vec![],
    };
    info.sources[0].as_mut().unwrap()[0].name = Some(3);
    assert_eq!(
        builder.set_scopes(Some(info)).unwrap_err().code(),
        ErrorCode::IndexOutOfRange
    );
    // Several roots of one source: only the per-source format holds them.
    let two = ScopeInfo {
        format: ScopesFormat::Combined,
        sources: vec![Some(vec![
            OriginalScope::new(Position::new(0, 0), Position::new(1, 0)),
            OriginalScope::new(Position::new(1, 0), Position::new(2, 0)),
        ])],
        ranges: vec![],
    };
    assert_eq!(
        builder.set_scopes(Some(two.clone())).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    let per_source = ScopeInfo {
        format: ScopesFormat::PerSource,
        ..two
    };
    builder.set_scopes(Some(per_source.clone())).unwrap();
    let map = builder.build().unwrap();
    assert_eq!(map.scopes(), Some(&per_source));
}

#[test]
fn bindings_and_sub_range_bindings_round_trip() {
    let mut builder = SourceMapBuilder::new();
    builder.add_source("a.js");
    let record = json!({
        "sources": [{"scope": {"start": at(0, 0), "end": at(9, 0), "name": null, "kind": "global",
            "isStackFrame": false, "variables": ["foo", "bar"], "children": []}}],
        "ranges": [{"start": at(0, 5), "end": at(0, 35), "definitionIndex": 0, "stackFrameType": "none",
            "callSite": null, "children": [],
            "bindings": [
                [{"from": at(0, 5), "binding": "a"}, {"from": at(0, 15), "binding": null}, {"from": at(1, 3), "binding": "b"}],
                [{"from": at(0, 9), "binding": "c"}]
            ]}]
    });
    builder.set_scopes_record(&record).unwrap();
    let map = builder.build().unwrap();
    let found = scopes_record(&map);
    assert_eq!(found["ranges"], record["ranges"].clone().as_array().map(|r| {
        // The second variable starts unavailable at the range's start (the encoding's
        // `G` item always binds from the start).
        let mut r = r.clone();
        r[0]["bindings"][1] = json!([{"from": at(0, 5), "binding": null}, {"from": at(0, 9), "binding": "c"}]);
        Value::Array(r)
    }).unwrap());
    assert_eq!(
        found["sources"][0]["scope"]["variables"],
        json!(["foo", "bar"])
    );
}

#[test]
fn index_map_sections_place_their_scopes() {
    let section = |scopes: &str| {
        format!(
            r#"{{"version":3,"sources":["s.js"],"names":["f"],"mappings":"","scopes":"{scopes}"}}"#
        )
    };
    let json = format!(
        r#"{{"version":3,"sections":[{{"offset":{{"line":0,"column":0}},"map":{}}},{{"offset":{{"line":2,"column":4}},"map":{}}}]}}"#,
        section("BAAA,CKA,ECAA,FK"),
        section("BBAAA,CKA,ECAA,FK")
    );
    let map = strict(&json);
    let info = map.scopes().unwrap();
    assert_eq!(info.sources.len(), 2);
    assert_eq!(info.ranges.len(), 2);
    let second = &info.ranges[1];
    assert_eq!(
        (second.start, second.end),
        (Position::new(2, 4), Position::new(2, 14))
    );
    assert_eq!(
        second.definition,
        Some(ScopeRef {
            source: 1,
            index: 0
        })
    );
    let scope = info.definition(second.definition.unwrap()).unwrap();
    assert_eq!(scope.name.and_then(|n| map.name(n)), Some("f"));
}

#[test]
fn frames_follow_inlined_ranges_and_pass_over_hidden_ones() {
    let map = inlining_builder(ScopesFormat::Combined).build().unwrap();
    let info = map.scopes().unwrap();
    let inner = ScopeRef {
        source: 1,
        index: 1,
    };
    let outer = ScopeRef {
        source: 0,
        index: 1,
    };
    assert_eq!(
        frames_at(info, Position::new(0, 12)),
        Some(vec![
            ScopeFrame {
                definition: Some(inner),
                at: None
            },
            ScopeFrame {
                definition: Some(outer),
                at: Some(SourcePosition::new(0, Position::new(3, 4)))
            },
        ])
    );
    assert_eq!(
        frames_at(info, Position::new(0, 35)),
        Some(vec![ScopeFrame {
            definition: Some(outer),
            at: None
        }])
    );
    // Outside every function: top-level code.
    assert_eq!(
        frames_at(info, Position::new(0, 45)),
        Some(vec![ScopeFrame {
            definition: None,
            at: None
        }])
    );
    assert_eq!(frames_at(info, Position::new(1, 0)), None);

    // A hidden function inside `outer` counts as `outer`'s code.
    let mut hidden = info.clone();
    let function = &mut hidden.ranges[0].children[0];
    let mut wrapper = GeneratedRange::new(Position::new(0, 5), Position::new(0, 38));
    wrapper.stack_frame_type = StackFrameType::Hidden;
    wrapper.children = std::mem::take(&mut function.children);
    function.children = vec![wrapper];
    assert_eq!(
        frames_at(&hidden, Position::new(0, 35)),
        Some(vec![ScopeFrame {
            definition: Some(outer),
            at: None
        }])
    );
    assert_eq!(
        frames_at(&hidden, Position::new(0, 12)).map(|f| f.len()),
        Some(2)
    );
}

fn suite_dir() -> PathBuf {
    match std::env::var_os("MAPBACK_TC39_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/conformance/tc39-source-map-tests"),
    }
}

/// Each golden map, read, written by the builder and read again, gives the same scopes.
#[test]
#[cfg_attr(
    mapback_no_tc39,
    ignore = "../shared/conformance is absent: scopes round trip NOT run"
)]
fn the_golden_maps_round_trip_through_the_builder() {
    let dir = suite_dir().join("decoding/scopes");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("scopes directory") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("map") {
            continue;
        }
        let map = SourceMap::from_slice_with(
            &std::fs::read(&path).unwrap(),
            &DecodeOptions::new().strict(true),
        )
        .unwrap();
        let written = SourceMapBuilder::from_view(&map).to_json(&EncodeOptions::default());
        let again = strict(&written);
        assert_eq!(
            again.scopes(),
            map.scopes(),
            "{}: {written}",
            path.display()
        );
        assert_eq!(
            scopes_record(&again),
            scopes_record(&map),
            "{}",
            path.display()
        );
        // The same scopes in the per-source format.
        let mut builder = SourceMapBuilder::from_view(&map);
        if let Some(info) = map.scopes() {
            let per_source = ScopeInfo {
                format: ScopesFormat::PerSource,
                ..info.clone()
            };
            builder.set_scopes(Some(per_source.clone())).unwrap();
            let again = strict(&builder.to_json(&EncodeOptions::default()));
            assert_eq!(again.scopes(), Some(&per_source), "{}", path.display());
        }
        checked += 1;
    }
    assert_eq!(checked, 8);
}

#[test]
fn caches_keep_the_scopes_with_the_names() {
    for format in [ScopesFormat::Combined, ScopesFormat::PerSource] {
        let map = inlining_builder(format).build().unwrap();
        let bytes = mapback::to_cache_bytes(&map, Default::default()).unwrap();
        let cache = mapback::Cache::from_slice(&bytes).unwrap();
        assert_eq!(cache.original_scopes(), map.scopes(), "{format:?}");
        assert_eq!(scopes_record(&cache), scopes_record(&map));
        // Read back from the cache and written out: the same map.
        assert_eq!(
            SourceMapBuilder::from_view(&cache).to_json(&EncodeOptions::default()),
            SourceMapBuilder::from_view(&map).to_json(&EncodeOptions::default())
        );
        // Without names the scopes cannot be kept (they name scopes and variables).
        let options = mapback::CacheOptions {
            include_names: false,
            ..Default::default()
        };
        let lean =
            mapback::Cache::from_slice(&mapback::to_cache_bytes(&map, options).unwrap()).unwrap();
        assert!(lean.original_scopes().is_none());
    }
    // A map without scopes writes no section: its cache is byte for byte what it was.
    let plain = strict(r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}"#);
    let bytes = mapback::to_cache_bytes(&plain, Default::default()).unwrap();
    assert!(mapback::Cache::from_slice(&bytes)
        .unwrap()
        .original_scopes()
        .is_none());
}

#[test]
fn ranges_without_scopes_decode_with_no_definitions() {
    let map =
        strict(r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"","ranges":"EEA,FK"}"#);
    let info = map.scopes().expect("ranges");
    assert_eq!(info.format, ScopesFormat::PerSource);
    assert_eq!(info.ranges[0].stack_frame_type, StackFrameType::Original);
    assert_eq!(info.ranges[0].end, Position::new(0, 10));
    assert!(info.source_scopes(0).is_none());
    // A definition there names nothing: an optional error.
    let json = r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"","ranges":"ECAAA,FK"}"#;
    assert_eq!(
        decode(json, true).unwrap_err().code(),
        ErrorCode::InvalidScopes
    );
    assert_eq!(
        decode(json, false).unwrap().scopes().unwrap().ranges[0].definition,
        None
    );
}
