//! The producer side: encode round trips over the tc39 suite, and property tests of the
//! builder, concatenation, flattening and composition against direct lookups.

use std::path::Path;

use mapback::produce::{
    compose, concat, concat_index, ConcatPiece, OriginalPosition, SourceMapBuilder, StepMap,
};
use mapback::{DecodeOptions, EncodeOptions, LookupOptions, RawToken, SourceMap, SourceMapView};
use proptest::prelude::*;

/// A source as a consumer sees it: name (with `sourceRoot`), URL, content, ignored.
type ObservedSource = (Option<String>, Option<String>, Option<String>, bool);

/// Everything a consumer can observe of a map, in comparable form.
#[derive(Debug, PartialEq)]
struct Observed {
    file: Option<String>,
    debug_id: Option<String>,
    sources: Vec<ObservedSource>,
    names: Vec<Option<String>>,
    tokens: Vec<RawToken>,
    line_count: usize,
}

fn observe(map: &dyn SourceMapView) -> Observed {
    let owned = |s: Option<&str>| s.map(str::to_owned);
    Observed {
        file: owned(map.file()),
        debug_id: owned(map.debug_id()),
        sources: (0..map.source_count() as u32)
            .map(|i| {
                (
                    owned(map.source_prefixed_name(i)),
                    owned(map.source_url(i)),
                    owned(map.source_content(i)),
                    map.source_is_ignored(i),
                )
            })
            .collect(),
        names: (0..map.name_count() as u32)
            .map(|i| owned(map.name(i)))
            .collect(),
        tokens: (0..map.token_count())
            .map(|i| expressible(map.raw_token(i).unwrap()))
            .collect(),
        line_count: map.line_count(),
    }
}

/// The token as a segment can carry it: a name only with an original position (see
/// `a_name_without_an_original_position_is_not_encoded`).
fn expressible(mut token: RawToken) -> RawToken {
    if !token.has_original() {
        token.name = mapback::NONE;
    }
    token
}

fn decode(json: &[u8], base: Option<&str>) -> Result<SourceMap, mapback::Error> {
    let mut options = DecodeOptions::new();
    if let Some(base) = base {
        options = options.base_url(base).unwrap();
    }
    SourceMap::from_slice_with(json, &options)
}

/// decode(encode(map)) observes as `map` does, and encoding is a fixed point.
fn assert_round_trips(map: &SourceMap, base: Option<&str>, what: &str) {
    let json = SourceMapBuilder::from_view(map).to_json(&EncodeOptions::default());
    let again = decode(json.as_bytes(), base)
        .unwrap_or_else(|e| panic!("{what}: the encoded map does not decode: {e}\n{json}"));
    assert!(
        again.diagnostics().is_empty(),
        "{what}: {:?}",
        again.diagnostics()
    );
    assert_eq!(observe(&again), observe(map), "{what}: {json}");
    let json_again = SourceMapBuilder::from_view(&again).to_json(&EncodeOptions::default());
    assert_eq!(json_again, json, "{what}: encoding is not a fixed point");
}

#[test]
#[cfg_attr(
    mapback_no_tc39,
    ignore = "../shared/conformance is absent: tc39 encode round trips NOT run"
)]
fn every_decodable_tc39_map_round_trips_through_the_encoder() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/tc39-source-map-tests");
    let suite: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("source-map-spec-tests.json")).unwrap(),
    )
    .unwrap();
    let (mut valid, mut recovered) = (0, 0);
    for case in suite["tests"].as_array().unwrap() {
        let path = dir
            .join("resources")
            .join(case["sourceMapFile"].as_str().unwrap());
        let base = url::Url::from_file_path(std::fs::canonicalize(&path).unwrap()).unwrap();
        // Invalid maps that the lenient decoder recovers from must round trip too.
        let Ok(map) = decode(&std::fs::read(&path).unwrap(), Some(base.as_str())) else {
            assert!(!case["sourceMapIsValid"].as_bool().unwrap());
            continue;
        };
        assert_round_trips(&map, Some(base.as_str()), case["name"].as_str().unwrap());
        if case["sourceMapIsValid"].as_bool().unwrap() {
            valid += 1;
        } else {
            recovered += 1;
        }
    }
    assert_eq!(valid, 32);
    println!("tc39 encode round trips: {valid} valid maps, {recovered} recovered invalid maps");
    assert!(recovered > 0);
}

#[test]
fn index_maps_flatten_to_what_they_decode_to() {
    let index = br#"{"version":3,"file":"all.js","sections":[
        {"offset":{"line":0,"column":0},"map":{"version":3,"sourceRoot":"a/","sources":["x.js"],"names":["f"],"mappings":"AAAAA,EAAE"}},
        {"offset":{"line":1,"column":4},"map":{"version":3,"sourceRoot":"b/","sources":["x.js"],"sourcesContent":["X"],"ignoreList":[0],"names":["f"],"mappings":"AAAA;EAAEA"}}]}"#;
    let map = decode(index, None).unwrap();
    assert!(map.is_index_map());
    let flat = SourceMapBuilder::from_view(&map).to_json(&EncodeOptions::default());
    assert!(
        !flat.contains("sections") && !flat.contains("sourceRoot"),
        "{flat}"
    );
    let flat_map = decode(flat.as_bytes(), None).unwrap();
    assert!(!flat_map.is_index_map());
    assert_eq!(observe(&flat_map).tokens, observe(&map).tokens);
    assert_eq!(observe(&flat_map).sources, observe(&map).sources);
    assert_eq!(flat_map.source_prefixed_name(1), Some("b/x.js"));
}

#[test]
fn string_escapes_survive_encoding() {
    let map = decode(
        br#"{"version":3,"file":"a\"b","sources":["q\\u0001\ud83d\ude00.js"],"sourcesContent":["line\n\t\"quoted\"\u2028"],"names":["\u00e9"],"mappings":"AAAAA"}"#,
        None,
    )
    .unwrap();
    assert_round_trips(&map, None, "escapes");
}

/// A generated position and, maybe, an original one with a name.
type Generated = (u32, u32, Option<(u32, u32, u32, Option<u32>)>);

fn mappings(sources: u32, names: u32) -> impl Strategy<Value = Vec<Generated>> {
    let original = (
        0..sources,
        0u32..50,
        0u32..80,
        proptest::option::of(0..names.max(1)),
    )
        .prop_map(move |(s, l, c, n)| (s, l, c, n.filter(|_| names > 0)));
    proptest::collection::vec(
        (
            0u32..12,
            0u32..90,
            proptest::option::weighted(0.85, original),
        ),
        0..120,
    )
}

fn build(sources: u32, names: u32, mappings: &[Generated]) -> SourceMapBuilder {
    let mut builder = SourceMapBuilder::new();
    for s in 0..sources {
        let index = builder.add_source(&format!("src/{s}.ts"));
        if s % 2 == 0 {
            builder
                .set_source_content(index, Some(&format!("// {s}\n")))
                .unwrap();
        }
        builder.set_source_ignored(index, s == 1).unwrap();
    }
    for n in 0..names {
        builder.add_name(&format!("name{n}"));
    }
    for &(line, column, original) in mappings {
        let original = original.map(|(source, line, column, name)| OriginalPosition {
            source,
            line,
            column,
            name,
        });
        builder.add_mapping(line, column, original).unwrap();
    }
    builder
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever order mappings are added in, the decoded map holds exactly them, sorted
    /// by generated position (ties in the order added).
    #[test]
    fn builder_output_decodes_to_the_mappings_added(
        (sources, names, added) in (1u32..4, 0u32..4).prop_flat_map(|(s, n)| (Just(s), Just(n), mappings(s, n))),
    ) {
        let builder = build(sources, names, &added);
        let map = builder.build().unwrap();
        let mut expected: Vec<Generated> = added.clone();
        expected.sort_by_key(|&(line, column, _)| (line, column));
        let decoded: Vec<Generated> = observe(&map).tokens.iter().map(|t| {
            let original = t.has_original().then(|| (
                t.source, t.original_line, t.original_column,
                (t.name != mapback::NONE).then_some(t.name),
            ));
            (t.generated_line, t.generated_column, original)
        }).collect();
        prop_assert_eq!(decoded, expected);
        prop_assert!(map.source_is_ignored(1) == (sources > 1));
        let json = builder.to_json(&EncodeOptions::default());
        prop_assert_eq!(SourceMapBuilder::from_view(&map).to_json(&EncodeOptions::default()), json);
    }

    /// A position inside a piece of a concatenation looks up what the piece's own map
    /// gives at the position relative to the piece (flat and index map alike).
    #[test]
    fn concatenation_preserves_every_piece(
        first in mappings(2, 2), second in mappings(3, 1), third in mappings(1, 0),
        gap_lines in 0u32..3, gap_columns in 0u32..20, probes in proptest::collection::vec((0u32..40, 0u32..120), 1..60),
    ) {
        let maps: Vec<SourceMap> = [(2, 2, &first), (3, 1, &second), (1, 0, &third)]
            .iter()
            .map(|&(s, n, m)| build(s, n, m).build().unwrap())
            .collect();
        // Each piece ends on the line of its map's last mapping, past its last column;
        // the next starts on that line (gap_lines == 0) or a few lines further.
        let mut starts = vec![(0u32, 0u32)];
        for map in &maps[..2] {
            let &(line, column) = starts.last().unwrap();
            let last_line = map.line_count().saturating_sub(1) as u32;
            starts.push(if gap_lines == 0 {
                let base = if last_line == 0 { column } else { 0 };
                (line + last_line, base + 100 + gap_columns)
            } else {
                (line + last_line + gap_lines, gap_columns)
            });
        }
        let pieces: Vec<ConcatPiece<'_>> = maps.iter().zip(&starts).map(|(map, &(line, column))| ConcatPiece {
            map: Some(map as &dyn SourceMapView), line, column,
        }).collect();
        let flat = concat(&pieces).unwrap().build().unwrap();
        let index = decode(concat_index(&pieces, None, &EncodeOptions::default()).unwrap().as_bytes(), None).unwrap();
        // Random positions, plus the edges of every piece, where one piece's last
        // mapping could run on into the next.
        let edges = starts.iter().flat_map(|&(l, c)| [(l, c), (l, c + 1), (l, c + 7), (l + 1, 0)]);
        for (line, column) in probes.iter().copied().chain(edges) {
            // The piece that holds this output position, and the position inside it.
            let Some(piece) = (0..3).rev().find(|&i| (line, column) >= starts[i]) else { continue };
            let (start_line, start_column) = starts[piece];
            let local = (line - start_line, if line == start_line { column - start_column } else { column });
            let expected = maps[piece].lookup(local.0, local.1).filter(|t| t.has_original()).map(|t| (
                t.source().unwrap().name().map(str::to_owned), t.original_line(), t.original_column(),
                t.name().map(str::to_owned),
            ));
            for (kind, combined) in [("flat", &flat), ("index", &index)] {
                let got = combined.lookup(line, column).filter(|t| t.has_original()).map(|t| (
                    t.source().unwrap().name().map(str::to_owned), t.original_line(), t.original_column(),
                    t.name().map(str::to_owned),
                ));
                prop_assert_eq!(&got, &expected, "{} at {}:{} (piece {} at {:?})", kind, line, column, piece, starts[piece]);
            }
        }
    }

    /// Composing two steps gives, at every outer mapping, what looking up the outer map
    /// and then the inner map gives.
    #[test]
    fn composition_equals_lookups_step_by_step(outer in mappings(1, 2), inner in mappings(3, 3)) {
        let outer = build(1, 2, &outer).build().unwrap();
        let inner = build(3, 3, &inner).build().unwrap();
        let composed = compose(&[&outer, &inner], &mut |_: &str, _: usize| -> mapback::Result<Option<StepMap<'_>>> { Ok(None) })
            .unwrap()
            .build()
            .unwrap();
        prop_assert_eq!(composed.token_count(), outer.token_count());
        for index in 0..outer.token_count() {
            let t = outer.raw_token(index).unwrap();
            let step = t.has_original().then(|| inner.raw_lookup(t.original_line, t.original_column, LookupOptions::default())).flatten();
            let expected = step.filter(|s| s.has_original()).map(|s| {
                let name = inner.name(s.name).or_else(|| outer.name(t.name));
                // The inner map belongs to "src/0.ts": its names resolve against "src/".
                (inner.source_prefixed_name(s.source).map(|n| format!("src/{n}")), s.original_line, s.original_column, name.map(str::to_owned))
            });
            let c = composed.raw_token(index).unwrap();
            prop_assert_eq!((c.generated_line, c.generated_column), (t.generated_line, t.generated_column));
            let got = c.has_original().then(|| (
                composed.source_prefixed_name(c.source).map(str::to_owned), c.original_line, c.original_column,
                composed.name(c.name).map(str::to_owned),
            ));
            prop_assert_eq!(got, expected, "outer token {}", index);
        }
    }
}

/// Found by the encode_round_trip fuzz target: ECMA-426 keeps the name of a 5-field
/// segment whose source index is out of bounds (an optional error in lenient mode), on a
/// token without an original position. No segment can express that, so the encoder
/// writes the token as unmapped, without the name; everything else round-trips.
#[test]
fn a_name_without_an_original_position_is_not_encoded() {
    let map = decode(
        br#"{"version":3,"sources":["a.js"],"names":["foo"],"mappings":"AIAA,SAASA"}"#,
        None,
    )
    .unwrap();
    assert!(!map.diagnostics().is_empty());
    let token = map.raw_token(1).unwrap();
    assert_eq!((token.source, token.name), (mapback::NONE, 0));
    let json = SourceMapBuilder::from_view(&map).to_json(&EncodeOptions::default());
    let again = decode(json.as_bytes(), None).unwrap();
    let encoded = again.raw_token(1).unwrap();
    assert_eq!(
        (encoded.source, encoded.name),
        (mapback::NONE, mapback::NONE)
    );
    assert_eq!(observe(&again), observe(&map));
}
