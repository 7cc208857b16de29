//! Range mappings (ECMA-426 range mappings proposal, the 0-based encoding of ecma426
//! #252): decoding in both modes, lookups inside ranges (on the range's line and the
//! lines after it), the cache, the builder's encoding, flattening, concatenation,
//! rewriting and composition through ranges. The tc39 proposal tests are in
//! `conformance.rs`.

use mapback::produce::{compose, concat, concat_index, rewrite, ConcatPiece, RewriteOptions};
use mapback::{
    Bias, Cache, DecodeOptions, ErrorCode, LookupOptions, OriginalPosition, RawToken, SourceMap,
    SourceMapBuilder, SourceMapView, NONE,
};

fn decode(json: &str, strict: bool) -> Result<SourceMap, mapback::Error> {
    SourceMap::from_slice_with(json.as_bytes(), &DecodeOptions::new().strict(strict))
}

fn map(json: &str) -> SourceMap {
    decode(json, true).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn cache_of(map: &dyn SourceMapView) -> Cache<'static> {
    Cache::from_slice(&mapback::to_cache_bytes(map, Default::default()).unwrap()).unwrap()
}

/// (generated line, generated column, original line, original column, name, is_range)
/// of the default lookup at a position.
type Answer = (u32, u32, u32, u32, Option<String>, bool);

fn at(map: &dyn SourceMapView, line: u32, column: u32) -> Option<Answer> {
    map.lookup(line, column).map(|t| {
        (
            t.generated_line(),
            t.generated_column(),
            t.original_line().unwrap_or(NONE),
            t.original_column().unwrap_or(NONE),
            t.name().map(String::from),
            t.is_range(),
        )
    })
}

/// Line 0: a range mapping at column 0 (to 0:0, named), a point mapping at column 5
/// (to 0:5). Line 1: a range mapping at column 0 (to 1:5), the last mapping.
const RANGES: &str = r#"{"version":3,"sources":["a.js"],"names":["n"],"mappings":"AAAAA,KAAK;AACA","rangeMappings":"A;A"}"#;

#[test]
fn lookups_inside_a_range_move_the_original_by_the_offset() {
    let map = map(RANGES);
    let flags: Vec<bool> = map.tokens().map(|t| t.is_range()).collect();
    assert_eq!(flags, [true, false, true]);
    // The mapping's own position: as it is, with its name.
    assert_eq!(at(&map, 0, 0), Some((0, 0, 0, 0, Some("n".into()), true)));
    // Inside the range: the looked-up position, the original moved, no name.
    assert_eq!(at(&map, 0, 3), Some((0, 3, 0, 3, None, true)));
    assert_eq!(map.lookup(0, 3).unwrap().index(), 0);
    // The next mapping ends the range; a point mapping stays a point.
    assert_eq!(at(&map, 0, 5), Some((0, 5, 0, 5, None, false)));
    assert_eq!(at(&map, 0, 9), Some((0, 5, 0, 5, None, false)));
    assert_eq!(at(&map, 1, 4), Some((1, 4, 1, 9, None, true)));
    // The last mapping's range runs on over the line ends: later lines move the
    // original line, and their columns are the looked-up ones.
    assert_eq!(at(&map, 2, 3), Some((2, 3, 2, 3, None, true)));
    assert_eq!(at(&map, 7, 0), Some((7, 0, 7, 0, None, true)));
    // A least-upper-bound lookup finds the next mapping as it is.
    let after = map
        .lookup_with(0, 3, LookupOptions::with_bias(Bias::LeastUpperBound))
        .unwrap();
    assert_eq!((after.generated_column(), after.is_range()), (5, false));
    // Every token at the position, moved too.
    let all: Vec<(u32, Option<u32>)> = map
        .original_positions(0, 2, LookupOptions::default())
        .iter()
        .map(|t| (t.generated_column(), t.original_column()))
        .collect();
    assert_eq!(all, [(2, Some(2))]);
    let all = map.original_positions(3, 1, LookupOptions::default());
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].original_line(), all[0].original_column()),
        (Some(3), Some(1))
    );
}

#[test]
fn a_point_mapping_still_stops_at_its_line_and_any_mapping_ends_a_range() {
    // Column 0: range to 0:0; column 2: point to 0:0; column 4: unmapped; line 1 empty.
    let map = map(
        r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA,EAAA,E;","rangeMappings":"A"}"#,
    );
    assert_eq!(at(&map, 0, 1), Some((0, 1, 0, 1, None, true)));
    assert_eq!(at(&map, 0, 3), Some((0, 2, 0, 0, None, false)));
    let unmapped = map.lookup(0, 6).unwrap();
    assert!(!unmapped.has_original() && !unmapped.is_range());
    // Nothing on line 1, and the mapping before it is not a range mapping.
    assert_eq!(at(&map, 1, 0), None);
    // Off the line, the point mapping before is found as it is.
    let options = LookupOptions {
        bias: Bias::GreatestLowerBound,
        same_line: false,
    };
    assert_eq!(
        map.lookup_with(1, 0, options).unwrap().generated_column(),
        4
    );
}

#[test]
fn batches_answer_what_single_lookups_do() {
    let map = map(RANGES);
    let cache = cache_of(&map);
    let mut lines = Vec::new();
    let mut columns = Vec::new();
    for line in 0..5 {
        for column in 0..12 {
            lines.push(line);
            columns.push(column);
        }
    }
    for view in [&map as &dyn SourceMapView, &cache] {
        for options in [
            LookupOptions::default(),
            LookupOptions::with_bias(Bias::LeastUpperBound),
            LookupOptions {
                bias: Bias::GreatestLowerBound,
                same_line: false,
            },
        ] {
            let mut each: Vec<Option<RawToken>> = vec![None; lines.len()];
            view.raw_lookup_each(&lines, &columns, options, &mut |i, t| each[i] = t);
            let mut batch: Vec<Option<RawToken>> = vec![None; lines.len()];
            view.raw_lookup_batch(&lines, &columns, options, &mut |i, t| batch[i] = t);
            for i in 0..lines.len() {
                let single = view.raw_lookup(lines[i], columns[i], options);
                assert_eq!(each[i], single, "{}:{} {options:?}", lines[i], columns[i]);
                assert_eq!(batch[i], single, "{}:{} {options:?}", lines[i], columns[i]);
            }
        }
    }
}

#[test]
fn the_cache_answers_what_the_map_does() {
    let map = map(RANGES);
    let bytes = mapback::to_cache_bytes(&map, Default::default()).unwrap();
    let cache = Cache::from_slice(&bytes).unwrap();
    cache.verify().unwrap();
    for line in 0..6 {
        for column in 0..14 {
            assert_eq!(
                at(&cache, line, column),
                at(&map, line, column),
                "{line}:{column}"
            );
            for bias in [Bias::GreatestLowerBound, Bias::LeastUpperBound] {
                let options = LookupOptions::with_bias(bias);
                let from_map: Vec<RawToken> = map
                    .original_positions(line, column, options)
                    .iter()
                    .map(|t| t.raw())
                    .collect();
                let from_cache: Vec<RawToken> = cache
                    .original_positions(line, column, options)
                    .iter()
                    .map(|t| t.raw())
                    .collect();
                assert_eq!(from_cache, from_map, "{line}:{column}");
            }
        }
    }
    let flags: Vec<bool> = cache.tokens().map(|t| t.is_range()).collect();
    assert_eq!(flags, [true, false, true]);
    // A map without range mappings writes no RangeMappings section: its cache is the
    // same file as before range mappings existed (kind 14 nowhere in the table).
    let plain = self::map(r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}"#);
    let plain_bytes = mapback::to_cache_bytes(&plain, Default::default()).unwrap();
    assert!(!section_kinds(&plain_bytes).contains(&14));
    assert!(section_kinds(&bytes).contains(&14));
    // Header flag bit 4 goes with the section.
    assert_eq!(
        u32::from_le_bytes(bytes[16..20].try_into().unwrap()) & 16,
        16
    );
    assert_eq!(
        u32::from_le_bytes(plain_bytes[16..20].try_into().unwrap()) & 16,
        0
    );
}

/// The kinds in a cache's section table (docs/cache-format.md, sections 3.1 and 4).
fn section_kinds(bytes: &[u8]) -> Vec<u32> {
    let count = u32::from_le_bytes(bytes[20..24].try_into().unwrap()) as usize;
    let table = u64::from_le_bytes(bytes[24..32].try_into().unwrap()) as usize;
    (0..count)
        .map(|i| {
            u32::from_le_bytes(
                bytes[table + 24 * i..table + 24 * i + 4]
                    .try_into()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn optional_errors_fail_strict_decoding_and_are_skipped_in_lenient_mode() {
    let with = |mappings: &str, ranges: &str| {
        format!(
            r#"{{"version":3,"sources":["a.js"],"names":[],"mappings":"{mappings}","rangeMappings":{ranges}}}"#
        )
    };
    // (mappings, rangeMappings, strict error, range flags in lenient mode)
    let cases: [(&str, &str, ErrorCode, &[bool]); 8] = [
        // Index 0 twice (a distance of 0).
        (
            "AAAA,CAAC",
            r#""AA""#,
            ErrorCode::InvalidRangeMapping,
            &[true, false],
        ),
        // Index 2 of a line with two mappings.
        (
            "AAAA,CAAC",
            r#""C""#,
            ErrorCode::InvalidRangeMapping,
            &[false, false],
        ),
        // A line the mappings do not have.
        ("AAAA", r#""A;A""#, ErrorCode::InvalidRangeMapping, &[true]),
        // A mapping without an original position.
        (
            "A,CAAA",
            r#""AB""#,
            ErrorCode::InvalidRangeMapping,
            &[false, true],
        ),
        // Not a string.
        ("AAAA", "3", ErrorCode::WrongType, &[false]),
        // Not Base64: the whole field is dropped, the valid entry before included.
        (
            "AAAA,CAAC",
            r#""A%""#,
            ErrorCode::InvalidBase64,
            &[false, false],
        ),
        (
            "AAAA,CAAC",
            r#""Bg""#,
            ErrorCode::VlqTruncated,
            &[false, false],
        ),
        // A ',' is not part of the grammar either.
        (
            "AAAA,CAAC",
            r#""A,B""#,
            ErrorCode::InvalidBase64,
            &[false, false],
        ),
    ];
    for (mappings, ranges, code, flags) in cases {
        let json = with(mappings, ranges);
        let error = decode(&json, true)
            .err()
            .unwrap_or_else(|| panic!("{json} accepted"));
        assert_eq!(error.code(), code, "{json}: {error}");
        let lenient = decode(&json, false).unwrap();
        assert!(
            lenient.diagnostics().iter().any(|d| d.code() == code),
            "{json}: {:?}",
            lenient.diagnostics()
        );
        let found: Vec<bool> = lenient.tokens().map(|t| t.is_range()).collect();
        assert_eq!(found, flags, "{json}");
    }
    // 2^32 or more is fatal in both modes, as in `mappings`.
    for strict in [true, false] {
        let error = decode(&with("AAAA", r#""//////E""#), strict).err().unwrap();
        assert_eq!(error.code(), ErrorCode::VlqOverflow);
    }
    // Trailing empty lines, an empty field and a field on a map without mappings are fine.
    for (mappings, ranges) in [("AAAA", r#""A;;;""#), ("AAAA", r#""""#), ("", r#"";""#)] {
        decode(&with(mappings, ranges), true).unwrap();
    }
}

#[test]
fn indices_count_the_mappings_kept_in_mappings_order() {
    // The second segment (column 0) comes first once sorted: it stays the range one.
    let map = map(
        r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"KAAK,LAAL","rangeMappings":"B"}"#,
    );
    assert_eq!(map.token(0).unwrap().generated_column(), 0);
    assert!(map.token(0).unwrap().is_range() && !map.token(1).unwrap().is_range());
    assert_eq!(at(&map, 0, 2), Some((0, 2, 0, 2, None, true)));
    // A segment dropped in lenient mode (negative column) is not counted.
    let lenient = decode(
        r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"D,EAAA,EAAE","rangeMappings":"B"}"#,
        false,
    )
    .unwrap();
    let flags: Vec<(u32, bool)> = lenient
        .tokens()
        .map(|t| (t.generated_column(), t.is_range()))
        .collect();
    assert_eq!(flags, [(1, false), (3, true)]);
}

#[test]
fn index_map_sections_count_their_own_mappings() {
    let json = r#"{"version":3,"sections":[
        {"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA,EAAE","rangeMappings":"A"}},
        {"offset":{"line":0,"column":10},"map":{"version":3,"sources":["b.js"],"names":[],"mappings":"AAAA,EAAE","rangeMappings":"B"}}
    ]}"#;
    let map = map(json);
    let flags: Vec<(u32, bool)> = map
        .tokens()
        .map(|t| (t.generated_column(), t.is_range()))
        .collect();
    assert_eq!(flags, [(0, true), (2, false), (10, false), (12, true)]);
    assert_eq!(at(&map, 0, 1), Some((0, 1, 0, 1, None, true)));
    assert_eq!(at(&map, 0, 15), Some((0, 15, 0, 5, None, true)));
    assert_eq!(
        map.lookup(0, 15).unwrap().source().unwrap().name(),
        Some("b.js")
    );
    // Flattened: one regular map with the same answers.
    let flat = SourceMapBuilder::from_view(&map);
    let json = flat.to_json(&Default::default());
    assert!(json.contains(r#""rangeMappings":"AD""#), "{json}");
    let flat = flat.build().unwrap();
    for column in 0..20 {
        assert_eq!(at(&flat, 0, column), at(&map, 0, column), "column {column}");
    }
}

fn position(source: u32, line: u32, column: u32) -> OriginalPosition {
    OriginalPosition {
        source,
        line,
        column,
        name: None,
    }
}

#[test]
fn the_builder_writes_range_mappings_that_read_back() {
    let mut builder = SourceMapBuilder::new();
    let a = builder.add_source("a.js");
    builder.add_range_mapping(0, 4, position(a, 0, 0)).unwrap();
    builder.add_mapping(0, 0, Some(position(a, 9, 9))).unwrap();
    builder.add_mapping(0, 8, None).unwrap();
    builder.add_range_mapping(0, 10, position(a, 1, 0)).unwrap();
    builder.add_range_mapping(2, 1, position(a, 3, 0)).unwrap();
    let json = builder.to_json(&Default::default());
    // Line 0 sorted: 0 (point), 4 (range, index 1), 8, 10 (range, index 3: distance 2).
    assert_eq!(
        json,
        r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AASS,IATT,I,EACA;;CAEA","rangeMappings":"BC;;A"}"#
    );
    let map = map(&json);
    assert_eq!(at(&map, 0, 6), Some((0, 6, 0, 2, None, true)));
    assert_eq!(at(&map, 2, 5), Some((2, 5, 3, 4, None, true)));
    // Read in and written out: the same text.
    assert_eq!(
        SourceMapBuilder::from_view(&map).to_json(&Default::default()),
        json
    );
    assert_eq!(
        SourceMapBuilder::from_view(&cache_of(&map)).to_json(&Default::default()),
        json
    );
    let rewritten = rewrite(&map, &RewriteOptions::default(), None).unwrap();
    assert_eq!(rewritten.to_json(&Default::default()), json);
    // A map without range mappings has no such field.
    let mut plain = SourceMapBuilder::new();
    plain.add_mapping(0, 0, None).unwrap();
    assert!(!plain.to_json(&Default::default()).contains("rangeMappings"));
}

#[test]
fn concatenation_keeps_range_mappings_where_the_piece_goes() {
    let piece = map(
        r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA;AACA","rangeMappings":"A;A"}"#,
    );
    let pieces = [
        ConcatPiece {
            map: Some(&piece),
            line: 0,
            column: 0,
        },
        ConcatPiece {
            map: Some(&piece),
            line: 2,
            column: 3,
        },
    ];
    let joined = concat(&pieces).unwrap().build().unwrap();
    assert_eq!(at(&joined, 0, 5), Some((0, 5, 0, 5, None, true)));
    assert_eq!(at(&joined, 1, 2), Some((1, 2, 1, 2, None, true)));
    // The second piece starts at 2:3; its first line's columns are shifted by 3.
    assert_eq!(at(&joined, 2, 7), Some((2, 7, 0, 4, None, true)));
    assert_eq!(at(&joined, 3, 1), Some((3, 1, 1, 1, None, true)));
    // As an index map: each section keeps its range mappings, with the same answers.
    let index = concat_index(&pieces, None, &Default::default()).unwrap();
    assert!(index.contains(r#""rangeMappings":"A;A""#), "{index}");
    let index = map(&index);
    for line in 0..5 {
        for column in 0..10 {
            assert_eq!(
                at(&index, line, column),
                at(&joined, line, column),
                "{line}:{column}"
            );
        }
    }
}

/// Composes `outer` over `inner` and checks the composed map against looking up
/// through both maps, position by position (columns `0..width` of lines `0..lines`).
fn composes_like_two_lookups(outer: &str, inner: &str, lines: u32, width: u32) -> SourceMap {
    let outer = map(outer);
    let inner = map(inner);
    let composed = compose(&[&outer, &inner], &mut |_: &str, _: usize| Ok(None))
        .unwrap()
        .build()
        .unwrap();
    for line in 0..lines {
        for column in 0..width {
            let through = outer
                .lookup(line, column)
                .filter(|t| t.has_original())
                .and_then(|t| {
                    inner.lookup(t.original_line().unwrap(), t.original_column().unwrap())
                })
                .filter(|t| t.has_original())
                .map(|t| (t.original_line(), t.original_column()));
            let direct = composed
                .lookup(line, column)
                .filter(|t| t.has_original())
                .map(|t| (t.original_line(), t.original_column()));
            assert_eq!(direct, through, "{line}:{column}");
        }
    }
    composed
}

#[test]
fn composition_traces_a_range_through_the_maps_below() {
    // inner (b.js -> a.ts): column 0 a range to 0:0, column 10 a point to 0:10.
    let inner =
        r#"{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA,UAAU","rangeMappings":"A"}"#;
    // outer (min.js -> b.js): column 0 a range to 0:2, column 20 unmapped.
    let outer =
        r#"{"version":3,"sources":["b.js"],"names":[],"mappings":"AAAE,oB","rangeMappings":"A"}"#;
    let composed = composes_like_two_lookups(outer, inner, 1, 25);
    // Range over range stays a range (column 0); where the inner map has a point
    // mapping the range is cut (b.js 0:10 is min.js column 8) and that part is a point.
    let tokens: Vec<(u32, u32, bool)> = composed
        .tokens()
        .map(|t| {
            (
                t.generated_column(),
                t.original_column().unwrap_or(NONE),
                t.is_range(),
            )
        })
        .collect();
    assert_eq!(tokens, [(0, 2, true), (8, 10, false), (20, NONE, false)]);

    // An outer range over an inner map without ranges: cut at each inner mapping.
    let plain_inner =
        r#"{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA,EAAE,EAAE;AACA"}"#;
    let outer_lines =
        r#"{"version":3,"sources":["b.js"],"names":[],"mappings":"AAAA","rangeMappings":"A"}"#;
    composes_like_two_lookups(outer_lines, plain_inner, 3, 8);
    // An outer point mapping over an inner range: a point at the moved position.
    let point_outer = r#"{"version":3,"sources":["b.js"],"names":[],"mappings":"AAAE,EAAE"}"#;
    let composed = composes_like_two_lookups(point_outer, inner, 1, 12);
    assert!(composed.tokens().all(|t| !t.is_range()));
    // Ranges over ranges across lines.
    let inner_lines = r#"{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;;EAEE","rangeMappings":"A;;A"}"#;
    composes_like_two_lookups(outer_lines, inner_lines, 5, 8);
}

/// A mapping as the random test adds it: generated line and column, the original
/// position, whether it has a name, whether it is a range mapping.
type Added = (u32, u32, Option<(u32, u32)>, bool, bool);

/// Random maps with random range mappings against a plain reading of the rules
/// (`through_ranges` in src/lookup): the last mapping at or before the position over the
/// whole file; the first of a group on an exact hit, else the last; a point mapping
/// only on its own line; a range mapping moved by the offset. From the map and from
/// its cache, at every position of a grid.
#[test]
fn random_maps_answer_as_the_rules_say() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u32| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % u64::from(n)) as u32
    };
    for round in 0..60 {
        let mut builder = SourceMapBuilder::new();
        let source = builder.add_source("a.js");
        let name = builder.add_name("n");
        // (line, column, original, name, range), in insertion order.
        let mut added: Vec<Added> = Vec::new();
        for _ in 0..next(25) {
            let (line, column) = (next(6), next(20));
            let original = (next(5) > 0).then(|| (next(50), next(50)));
            let named = original.is_some() && next(3) == 0;
            let range = original.is_some() && next(2) == 0;
            let at = original.map(|(l, c)| OriginalPosition {
                source,
                line: l,
                column: c,
                name: named.then_some(name),
            });
            match (range, at) {
                (true, Some(at)) => builder.add_range_mapping(line, column, at).unwrap(),
                _ => builder.add_mapping(line, column, at).unwrap(),
            }
            added.push((line, column, original, named, range));
        }
        // Generated order: by position, insertion order within one.
        let mut sorted = added.clone();
        sorted.sort_by_key(|&(line, column, ..)| (line, column));
        let map = builder.build().unwrap();
        let cache = cache_of(&map);
        for line in 0..8 {
            for column in 0..24 {
                let expected = reference(&sorted, line, column);
                for view in [&map as &dyn SourceMapView, &cache] {
                    let found = view.lookup(line, column).map(|t| {
                        let original = t.original_line().zip(t.original_column());
                        (
                            t.generated_line(),
                            t.generated_column(),
                            original,
                            t.name().is_some(),
                            t.is_range(),
                        )
                    });
                    assert_eq!(
                        found, expected,
                        "round {round}, {line}:{column}, {sorted:?}"
                    );
                }
            }
        }
    }
}

/// What a default lookup answers under the rules, from the mappings in generated order.
fn reference(sorted: &[Added], line: u32, column: u32) -> Option<Added> {
    let last = sorted
        .iter()
        .rposition(|&(l, c, ..)| (l, c) <= (line, column))?;
    let at = (sorted[last].0, sorted[last].1);
    let first = sorted.iter().position(|&(l, c, ..)| (l, c) == at)?;
    let chosen = if at == (line, column) { first } else { last };
    let (l, c, original, named, range) = sorted[chosen];
    let ranged = range && original.is_some();
    if !ranged || at == (line, column) {
        // A point mapping answers only on its own line.
        return (l == line).then_some((l, c, original, named, range));
    }
    let (original_line, original_column) = original?;
    let moved = if l == line {
        (original_line, original_column + (column - c))
    } else {
        (original_line + (line - l), column)
    };
    Some((line, column, Some(moved), false, true))
}
