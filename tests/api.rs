//! Integration tests of the public Rust API: the esbuild demo map, hand-written maps for
//! each decoding rule (lenient and strict), lookups in both directions, a randomized
//! encode/decode round trip, and a large malformed input.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mapback::{
    Bias, DecodeLimits, DecodeOptions, ErrorCode, LookupOptions, MappingStore, SourceMap,
    SourceMapView, Token, NONE,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo")
}

fn demo_bytes() -> Vec<u8> {
    std::fs::read(demo_dir().join("bundle.min.js.map")).expect("read the demo map")
}

fn demo() -> SourceMap {
    SourceMap::from_slice(&demo_bytes()).expect("the demo map decodes")
}

/// Decodes leniently, panicking with the error on failure.
fn lenient(json: &str) -> SourceMap {
    SourceMap::from_slice(json.as_bytes()).unwrap_or_else(|e| panic!("lenient decode: {e:?}"))
}

/// Decodes in strict mode.
fn strict(json: &str) -> Result<SourceMap, mapback::Error> {
    SourceMap::from_slice_with(json.as_bytes(), &DecodeOptions::new().strict(true))
}

fn strict_err(json: &str) -> mapback::Error {
    match strict(json) {
        Ok(_) => panic!("strict decode unexpectedly succeeded for {json}"),
        Err(e) => e,
    }
}

fn with_base(json: &str, base: &str) -> SourceMap {
    let options = DecodeOptions::new().base_url(base).expect("valid base URL");
    SourceMap::from_slice_with(json.as_bytes(), &options).expect("decodes")
}

fn codes(map: &SourceMap) -> Vec<ErrorCode> {
    map.diagnostics().iter().map(|d| d.code()).collect()
}

/// (generated line, generated column, source, original line, original column, name).
type Tuple = (u32, u32, Option<u32>, Option<u32>, Option<u32>, Option<u32>);

fn tuple(t: &Token<'_>) -> Tuple {
    (
        t.generated_line(),
        t.generated_column(),
        t.source_index(),
        t.original_line(),
        t.original_column(),
        t.name_index(),
    )
}

fn all_tuples(map: &SourceMap) -> Vec<Tuple> {
    map.tokens().map(|t| tuple(&t)).collect()
}

fn cross_line(bias: Bias) -> LookupOptions {
    LookupOptions {
        bias,
        same_line: false,
    }
}

/// A regular map with the given sources (as a JSON array), names and mappings.
fn regular(sources: &str, names: &str, mappings: &str) -> String {
    format!(r#"{{"version":3,"sources":{sources},"names":{names},"mappings":"{mappings}"}}"#)
}

// ---------------------------------------------------------------------------------------
// The esbuild demo map
// ---------------------------------------------------------------------------------------

const DEMO_SOURCES: [&str; 5] = [
    "app/src/cart.js",
    "app/src/pricing.js",
    "app/src/format.js",
    "app/src/checkout.js",
    "app/src/main.js",
];

#[test]
fn demo_shape() {
    let map = demo();
    assert!(!map.is_index_map());
    assert_eq!(map.file(), None);
    assert_eq!(map.debug_id(), None);
    assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
    assert_eq!(map.source_count(), 5);
    let names: Vec<_> = map.sources().map(|s| s.name().unwrap()).collect();
    assert_eq!(names, DEMO_SOURCES);
    assert!(map.name_count() > 10);
    assert_eq!(map.names().len(), map.name_count());
    assert_eq!(map.name(0), Some("LineItem"));
    assert_eq!(map.names().first().copied(), Some("LineItem"));
    assert_eq!(map.name(map.name_count() as u32), None);
    // The bundle has three lines; the map covers at least the first two.
    assert!(map.line_count() >= 2, "{}", map.line_count());
    assert!(map.token_count() > 100);
    assert!(map.sources().all(|s| !s.is_ignored()));
    assert!(map.source(5).is_none());
    let (mappings_bytes, other_bytes) = map.heap_size_parts();
    // Columns are plain u32s; the other fields are packed (4 to 6 bytes a token).
    assert!(mappings_bytes >= map.token_count() * 4, "{mappings_bytes}");
    assert!(
        mappings_bytes <= map.token_count() * 12 + 64,
        "{mappings_bytes}"
    );
    assert!(other_bytes > 0);
}

#[test]
fn demo_ground_truth_lookups() {
    let map = demo();
    // (generated line, column) -> (source, original line, original column, name); these
    // are the frames of trace-node.txt (1-based there), minus one.
    type Original = (&'static str, u32, u32, Option<&'static str>);
    let cases: [((u32, u32), Original); 4] = [
        ((0, 1035), ("app/src/pricing.js", 36, 10, None)),
        (
            (0, 1610),
            ("app/src/checkout.js", 7, 21, Some("applyCoupon")),
        ),
        ((1, 139), ("app/src/checkout.js", 32, 17, Some("priceCart"))),
        ((1, 411), ("app/src/main.js", 19, 17, None)),
    ];
    for ((line, column), (source, original_line, original_column, name)) in cases {
        let token = map
            .lookup(line, column)
            .unwrap_or_else(|| panic!("no token at {line}:{column}"));
        let at = format!("{line}:{column}");
        assert_eq!(token.source().unwrap().name(), Some(source), "{at}");
        assert_eq!(token.original_line(), Some(original_line), "{at}");
        assert_eq!(token.original_column(), Some(original_column), "{at}");
        assert_eq!(token.name(), name, "{at}");
        assert!(token.has_original());
        assert_eq!(map.find_source(source), token.source_index());
        // The frames point at token starts: the exact token is found with either bias.
        assert_eq!(token.generated_column(), column, "{at}");
        let upper = map
            .lookup_with(
                line,
                column,
                LookupOptions::with_bias(Bias::LeastUpperBound),
            )
            .unwrap();
        assert_eq!(upper.index(), token.index(), "{at}");
    }
}

#[test]
fn demo_base_url_resolution() {
    let json = String::from_utf8(demo_bytes()).unwrap();
    let map = with_base(&json, "https://cdn.example.com/static/bundle.min.js.map");
    assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
    let pricing = map.source(1).unwrap();
    assert_eq!(
        pricing.url(),
        Some("https://cdn.example.com/static/app/src/pricing.js")
    );
    assert_eq!(pricing.path(), pricing.url());
    assert_eq!(pricing.name(), Some("app/src/pricing.js"));
    for source in map.sources() {
        let expected = format!(
            "https://cdn.example.com/static/{}",
            DEMO_SOURCES[source.index() as usize]
        );
        assert_eq!(source.url(), Some(expected.as_str()));
    }
    // find_source matches the resolved URL as well as the raw name.
    assert_eq!(
        map.find_source("https://cdn.example.com/static/app/src/main.js"),
        Some(4)
    );
    assert_eq!(map.find_source("app/src/main.js"), Some(4));
    assert_eq!(map.find_source("main.js"), None);

    let file_base = with_base(&json, "file:///srv/www/bundle.min.js.map");
    assert_eq!(
        file_base.source(0).unwrap().url(),
        Some("file:///srv/www/app/src/cart.js")
    );
}

#[test]
fn demo_paths_without_base_url() {
    let map = demo();
    for source in map.sources() {
        assert_eq!(
            source.url(),
            None,
            "a relative name has no URL without a base"
        );
        assert_eq!(source.path(), source.name());
        assert_eq!(source.path(), Some(DEMO_SOURCES[source.index() as usize]));
    }
}

#[test]
fn demo_contents_equal_the_files() {
    let map = demo();
    for source in map.sources() {
        let name = source.name().unwrap();
        let on_disk = std::fs::read_to_string(demo_dir().join(name)).expect("read source");
        assert!(source.content().is_some(), "{name}");
        assert_eq!(source.content(), Some(on_disk.as_str()), "{name}");
        // A second access returns the same (cached) text.
        assert_eq!(source.content(), Some(on_disk.as_str()), "{name}");
    }
    let cart = map.source(0).unwrap().content().unwrap();
    assert!(cart.contains("export class LineItem {"));
    assert!(cart
        .contains("throw new TypeError(\"unit price must be a non-negative integer of cents\");"));
}

#[test]
fn demo_generated_position_round_trip() {
    let map = demo();
    let mut checked = 0;
    for token in map.tokens() {
        if !token.has_original() {
            continue;
        }
        let found = map
            .lookup(token.generated_line(), token.generated_column())
            .expect("a token's own position is found");
        assert_eq!(found.generated_line(), token.generated_line());
        assert_eq!(found.generated_column(), token.generated_column());
        let (Some(source), Some(line), Some(column)) = (
            found.source_index(),
            found.original_line(),
            found.original_column(),
        ) else {
            continue;
        };
        let back = map
            .generated_position(source, line, column, LookupOptions::default())
            .unwrap_or_else(|| panic!("no generated position for {source}:{line}:{column}"));
        assert_eq!(
            (
                back.source_index(),
                back.original_line(),
                back.original_column()
            ),
            (Some(source), Some(line), Some(column)),
            "round trip of token {}",
            token.index()
        );
        // The generated positions of that original position include the looked-up token.
        let all = map.generated_positions(source, line, Some(column));
        assert!(all.iter().any(|t| t.index() == found.index()));
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn demo_tokens_sorted_and_counted() {
    let map = demo();
    let tokens: Vec<_> = map.tokens().collect();
    assert_eq!(tokens.len(), map.token_count());
    assert_eq!(map.tokens().len(), map.token_count());
    for (i, pair) in tokens.windows(2).enumerate() {
        let a = (pair[0].generated_line(), pair[0].generated_column());
        let b = (pair[1].generated_line(), pair[1].generated_column());
        assert!(a <= b, "tokens {i} and {} out of order: {a:?} {b:?}", i + 1);
    }
    for (i, token) in tokens.iter().enumerate() {
        assert_eq!(token.index() as usize, i);
        let by_index = map.token(i).unwrap();
        assert_eq!(tuple(&by_index), tuple(token));
        assert_eq!(token.raw(), by_index.raw());
    }
    assert!(map.token(map.token_count()).is_none());
    // The mappings view agrees with the tokens.
    let view = map.mappings();
    assert_eq!(view.len(), map.token_count());
    assert_eq!(view.line_count(), map.line_count());
    for token in &tokens {
        let i = token.index() as usize;
        assert_eq!(view.generated_column(i), token.generated_column());
        assert_eq!(view.source(i), token.source_index().unwrap_or(NONE));
        assert_eq!(view.name(i), token.name_index().unwrap_or(NONE));
    }
}

// ---------------------------------------------------------------------------------------
// Sources: sourceRoot, null entries, ignore lists
// ---------------------------------------------------------------------------------------

fn with_root(root: &str) -> String {
    format!(r#"{{"version":3,"sourceRoot":{root},"sources":["a.js","sub/b.js"],"mappings":""}}"#)
}

#[test]
fn source_root_joining() {
    // "" is treated as absent.
    let empty = lenient(&with_root(r#""""#));
    assert_eq!(empty.source(0).unwrap().path(), Some("a.js"));
    assert_eq!(empty.source(1).unwrap().path(), Some("sub/b.js"));
    // A root without a slash gets one.
    let root = lenient(&with_root(r#""root""#));
    assert_eq!(root.source(0).unwrap().path(), Some("root/a.js"));
    assert_eq!(root.source(1).unwrap().path(), Some("root/sub/b.js"));
    assert_eq!(
        root.source(0).unwrap().name(),
        Some("a.js"),
        "raw name unchanged"
    );
    assert_eq!(root.find_source("root/a.js"), Some(0));
    assert_eq!(root.find_source("a.js"), Some(0));
    // A root with a slash keeps it (no double slash).
    let slash = lenient(&with_root(r#""root/""#));
    assert_eq!(slash.source(0).unwrap().path(), Some("root/a.js"));

    // With a base URL, the joined name is resolved.
    let base = "https://example.com/maps/app.js.map";
    let resolved = with_base(&with_root(r#""root""#), base);
    assert_eq!(
        resolved.source(0).unwrap().url(),
        Some("https://example.com/maps/root/a.js")
    );
    let resolved_empty = with_base(&with_root(r#""""#), base);
    assert_eq!(
        resolved_empty.source(0).unwrap().url(),
        Some("https://example.com/maps/a.js"),
        "an empty sourceRoot must not make sources path-absolute"
    );
    let absolute_root = with_base(&with_root(r#""https://other.example/src""#), base);
    assert_eq!(
        absolute_root.source(1).unwrap().url(),
        Some("https://other.example/src/sub/b.js")
    );
    // An absolute root resolves even without a base URL.
    let no_base = lenient(&with_root(r#""file:///src""#));
    assert_eq!(no_base.source(0).unwrap().url(), Some("file:///src/a.js"));
}

#[test]
fn null_sources() {
    let map = lenient(&regular(r#"[null,"b.js"]"#, "[]", "AAAA,CCAA"));
    assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
    assert_eq!(map.source_count(), 2);
    let null = map.source(0).unwrap();
    assert_eq!(null.name(), None);
    assert_eq!(null.path(), None);
    assert_eq!(null.url(), None);
    assert_eq!(null.content(), None);
    assert!(null.content().is_none());
    assert_eq!(map.source(1).unwrap().name(), Some("b.js"));
    // A mapping into a null source still has its original position.
    let first = map.lookup(0, 0).unwrap();
    assert_eq!(first.source_index(), Some(0));
    assert_eq!(first.source().unwrap().name(), None);
    assert_eq!(first.original_line(), Some(0));
    let second = map.lookup(0, 1).unwrap();
    assert_eq!(second.source().unwrap().name(), Some("b.js"));
    // A null source in strict mode is fine too.
    assert!(strict(&regular(r#"[null,"b.js"]"#, "[]", "AAAA")).is_ok());
    // A non-string, non-null source is a WrongType optional error.
    let number = lenient(&regular(r#"[1,"b.js"]"#, "[]", ""));
    assert_eq!(codes(&number), vec![ErrorCode::WrongType]);
    assert_eq!(number.source(0).unwrap().name(), None);
    assert_eq!(
        strict_err(&regular(r#"[1,"b.js"]"#, "[]", "")).code(),
        ErrorCode::WrongType
    );
}

fn ignore_map(fields: &str) -> String {
    format!(r#"{{"version":3,"sources":["a.js","b.js","c.js"],"mappings":""{fields}}}"#)
}

fn ignored(map: &SourceMap) -> Vec<bool> {
    map.sources().map(|s| s.is_ignored()).collect()
}

#[test]
fn ignore_lists() {
    assert_eq!(ignored(&lenient(&ignore_map(""))), [false, false, false]);
    assert_eq!(
        ignored(&lenient(&ignore_map(r#","ignoreList":[0,2]"#))),
        [true, false, true]
    );
    // The deprecated name is used when ignoreList is absent...
    assert_eq!(
        ignored(&lenient(&ignore_map(r#","x_google_ignoreList":[1]"#))),
        [false, true, false]
    );
    // ...and only then, even when ignoreList is empty.
    assert_eq!(
        ignored(&lenient(&ignore_map(
            r#","ignoreList":[2],"x_google_ignoreList":[0,1]"#
        ))),
        [false, false, true]
    );
    assert_eq!(
        ignored(&lenient(&ignore_map(
            r#","ignoreList":[],"x_google_ignoreList":[0,1]"#
        ))),
        [false, false, false]
    );
    // An entry that is not an index is an optional error.
    let bad = lenient(&ignore_map(r#","ignoreList":[1,7,-1,"x"]"#));
    assert_eq!(ignored(&bad), [false, true, false]);
    assert_eq!(
        codes(&bad),
        vec![ErrorCode::InvalidIgnoreList; 3],
        "{:?}",
        bad.diagnostics()
    );
    assert_eq!(
        strict_err(&ignore_map(r#","ignoreList":[3]"#)).code(),
        ErrorCode::InvalidIgnoreList
    );
}

// ---------------------------------------------------------------------------------------
// debugId
// ---------------------------------------------------------------------------------------

const UUID: &str = "1aad9d9e-2b50-454f-a5f2-0dd5e95c154c";
const OTHER_UUID: &str = "00000000-1111-2222-3333-444444444444";

fn debug_map(fields: &str) -> String {
    format!(r#"{{"version":3,"sources":[],"mappings":""{fields}}}"#)
}

#[test]
fn debug_id_and_legacy_debug_id() {
    assert_eq!(lenient(&debug_map("")).debug_id(), None);
    let current = lenient(&debug_map(&format!(r#","debugId":"{UUID}""#)));
    assert_eq!(current.debug_id(), Some(UUID));
    assert!(current.diagnostics().is_empty());
    let legacy = lenient(&debug_map(&format!(r#","debug_id":"{UUID}""#)));
    assert_eq!(legacy.debug_id(), Some(UUID));
    // debugId wins over debug_id.
    let both = lenient(&debug_map(&format!(
        r#","debug_id":"{OTHER_UUID}","debugId":"{UUID}""#
    )));
    assert_eq!(both.debug_id(), Some(UUID));
    let upper = UUID.to_uppercase();
    assert_eq!(
        lenient(&debug_map(&format!(r#","debugId":"{upper}""#))).debug_id(),
        Some(upper.as_str())
    );
    assert_eq!(
        strict(&debug_map(&format!(r#","debugId":"{UUID}""#)))
            .unwrap()
            .debug_id(),
        Some(UUID)
    );
}

#[test]
fn invalid_debug_id() {
    for value in [
        r#""not-a-uuid""#,
        r#""1aad9d9e2b50454fa5f20dd5e95c154c""#,
        r#""1aad9d9e-2b50-454f-a5f2-0dd5e95c154g""#,
    ] {
        let json = debug_map(&format!(r#","debugId":{value}"#));
        let map = lenient(&json);
        assert_eq!(map.debug_id(), None, "{value}");
        assert_eq!(codes(&map), vec![ErrorCode::InvalidDebugId], "{value}");
        let offset = map.diagnostics()[0].offset().expect("has an offset") as usize;
        assert_eq!(&json[offset..offset + value.len()], value);
        assert_eq!(
            strict_err(&json).code(),
            ErrorCode::InvalidDebugId,
            "{value}"
        );
    }
    // The legacy key is validated the same way.
    let legacy = debug_map(r#","debug_id":"nope""#);
    assert_eq!(codes(&lenient(&legacy)), vec![ErrorCode::InvalidDebugId]);
    assert_eq!(strict_err(&legacy).code(), ErrorCode::InvalidDebugId);
    // A non-string debugId is a wrong type.
    let number = debug_map(r#","debugId":12"#);
    assert_eq!(lenient(&number).debug_id(), None);
    assert_eq!(strict_err(&number).code(), ErrorCode::WrongType);
}

// ---------------------------------------------------------------------------------------
// JSON-level leniency
// ---------------------------------------------------------------------------------------

const SIMPLE: &str = r#"{"version":3,"sources":["a.js"],"names":["n"],"mappings":"AAAAA"}"#;

fn assert_simple(map: &SourceMap) {
    assert_eq!(map.token_count(), 1);
    let t = map.lookup(0, 0).unwrap();
    assert_eq!(t.source().unwrap().name(), Some("a.js"));
    assert_eq!(t.name(), Some("n"));
}

#[test]
fn bom_and_xssi_prefix_are_skipped() {
    let inputs: Vec<Vec<u8>> = vec![
        [b"\xEF\xBB\xBF".as_slice(), SIMPLE.as_bytes()].concat(),
        [b")]}'\n".as_slice(), SIMPLE.as_bytes()].concat(),
        [b")]}'\r\n".as_slice(), SIMPLE.as_bytes()].concat(),
        [b")]}' anything here\n".as_slice(), SIMPLE.as_bytes()].concat(),
        [b"\xEF\xBB\xBF)]}'\n".as_slice(), SIMPLE.as_bytes()].concat(),
    ];
    for input in inputs {
        for strict_mode in [false, true] {
            let options = DecodeOptions::new().strict(strict_mode);
            let map = SourceMap::from_slice_with(&input, &options)
                .unwrap_or_else(|e| panic!("{:?} strict={strict_mode}: {e:?}", input));
            assert_simple(&map);
            assert!(map.diagnostics().is_empty());
        }
    }
}

#[test]
fn error_offsets_count_the_skipped_prefix() {
    let body = regular(r#"["a.js"]"#, "[]", "AAAA,A!AA");
    let bad = body.find('!').unwrap();
    for prefix in [&b""[..], b"\xEF\xBB\xBF", b")]}'\n", b"\xEF\xBB\xBF)]}'\n"] {
        let input = [prefix, body.as_bytes()].concat();
        let err =
            SourceMap::from_slice_with(&input, &DecodeOptions::new().strict(true)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidBase64);
        let offset = err.offset().expect("offset") as usize;
        assert_eq!(offset, prefix.len() + bad);
        assert_eq!(input[offset], b'!');
        // Lenient: the same offset, on the diagnostic.
        let map = SourceMap::from_slice(&input).unwrap();
        assert_eq!(map.diagnostics()[0].offset(), Some(offset as u64));
    }
}

#[test]
fn trailing_commas() {
    let json = r#"{"version":3,"sources":["a.js",],"names":["n",],"mappings":"AAAAA",}"#;
    let map = lenient(json);
    assert_simple(&map);
    assert_eq!(map.source_count(), 1);
    assert_eq!(map.name_count(), 1);
    assert_eq!(codes(&map), vec![ErrorCode::TrailingComma]);
    assert!(map.diagnostics()[0].offset().is_some());
    let err = strict_err(json);
    assert_eq!(err.code(), ErrorCode::TrailingComma);
    assert!(err.offset().is_some());
    // Other JSON errors are not repaired, in either mode.
    let broken = r#"{"version":3,"sources":["a.js"] "mappings":""}"#;
    assert_eq!(
        SourceMap::from_slice(broken.as_bytes()).unwrap_err().code(),
        ErrorCode::InvalidJson
    );
    // A comma inside a string is not a trailing comma.
    let in_string = lenient(r#"{"version":3,"sources":["a,]"],"mappings":""}"#);
    assert_eq!(in_string.source(0).unwrap().name(), Some("a,]"));
    assert!(in_string.diagnostics().is_empty());
}

#[test]
fn duplicate_keys_last_wins() {
    let json = r#"{"version":3,"sources":["first.js"],"mappings":"","sources":["second.js"]}"#;
    for map in [lenient(json), strict(json).expect("a note, not an error")] {
        assert_eq!(map.source_count(), 1);
        assert_eq!(map.source(0).unwrap().name(), Some("second.js"));
        assert_eq!(codes(&map), vec![ErrorCode::DuplicateKey]);
        assert!(map.diagnostics()[0].message().contains("sources"));
    }
}

#[test]
fn top_level_errors() {
    assert_eq!(
        SourceMap::from_slice(b"[1,2]").unwrap_err().code(),
        ErrorCode::NotAnObject
    );
    assert_eq!(
        SourceMap::from_slice(b"").unwrap_err().code(),
        ErrorCode::InvalidJson
    );
    assert_eq!(
        SourceMap::from_slice(br#"{"version":3,"sources":[]}"#)
            .unwrap_err()
            .code(),
        ErrorCode::MissingField
    );
    assert_eq!(
        SourceMap::from_slice(br#"{"version":3,"mappings":""}"#)
            .unwrap_err()
            .code(),
        ErrorCode::MissingField
    );
    assert_eq!(
        SourceMap::from_slice(br#"{"version":3,"sources":[],"mappings":5}"#)
            .unwrap_err()
            .code(),
        ErrorCode::WrongType
    );
    // A wrong version is optional: recovered leniently, fatal in strict mode.
    let v2 = r#"{"version":2,"sources":[],"mappings":""}"#;
    assert_eq!(codes(&lenient(v2)), vec![ErrorCode::UnsupportedVersion]);
    assert_eq!(strict_err(v2).code(), ErrorCode::UnsupportedVersion);
    // Invalid UTF-8 likewise.
    let mut bytes = br#"{"version":3,"sources":["a"],"mappings":""}"#.to_vec();
    let at = bytes.iter().position(|&b| b == b'a').unwrap();
    bytes[at] = 0xFF;
    let map = SourceMap::from_slice(&bytes).unwrap();
    assert_eq!(codes(&map), vec![ErrorCode::InvalidUtf8]);
    assert_eq!(map.diagnostics()[0].offset(), Some(at as u64));
    let err = SourceMap::from_slice_with(&bytes, &DecodeOptions::new().strict(true)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidUtf8);
    assert_eq!(err.offset(), Some(at as u64));
    // A relative base URL is rejected up front.
    assert_eq!(
        DecodeOptions::new()
            .base_url("maps/app.js.map")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidBaseUrl
    );
}

#[test]
fn error_offsets_after_invalid_utf8() {
    let mut bytes = br#"{"version":3,"sources":["Z"],"mappings":"AAAA,A!"}"#.to_vec();
    let z = bytes.iter().position(|&b| b == b'Z').unwrap();
    bytes[z] = 0xFF;
    let bang = bytes.iter().position(|&b| b == b'!').unwrap();
    let map = SourceMap::from_slice(&bytes).unwrap();
    assert_eq!(
        codes(&map),
        vec![ErrorCode::InvalidUtf8, ErrorCode::InvalidBase64]
    );
    assert_eq!(map.diagnostics()[0].offset(), Some(z as u64));
    assert_eq!(
        map.diagnostics()[1].offset(),
        Some(bang as u64),
        "the offset must point at the '!' in the input"
    );
}

#[test]
fn non_string_names_become_empty() {
    let json = regular(
        r#"["a.js"]"#,
        r#"["a",1,null,{"x":1},"e"]"#,
        "AAAAA,CAAAC,CAAAC,CAAAC",
    );
    let map = lenient(&json);
    assert_eq!(map.name_count(), 5);
    assert_eq!(
        map.names(),
        vec!["a", "", "", "", "e"],
        "indices stay aligned"
    );
    assert_eq!(map.name(1), Some(""));
    assert_eq!(map.name(4), Some("e"));
    assert_eq!(codes(&map), vec![ErrorCode::WrongType; 3]);
    assert_eq!(map.lookup(0, 1).unwrap().name(), Some(""));
    assert_eq!(map.lookup(0, 3).unwrap().name(), Some("")); // name index 3
    assert_eq!(strict_err(&json).code(), ErrorCode::WrongType);
}

// ---------------------------------------------------------------------------------------
// The mappings string
// ---------------------------------------------------------------------------------------

#[test]
fn one_field_segments_have_no_original_and_do_not_inherit() {
    // col 0 -> a.js 1:1; col 1 unmapped; col 2 -> a.js 3:3 (the 1-field segment leaves
    // the original state alone); next line: col 2 unmapped.
    let map = lenient(&regular(r#"["a.js"]"#, "[]", "AACC,C,CAEE;E"));
    assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
    assert_eq!(
        all_tuples(&map),
        vec![
            (0, 0, Some(0), Some(1), Some(1), None),
            (0, 1, None, None, None, None),
            (0, 2, Some(0), Some(3), Some(3), None),
            (1, 2, None, None, None, None),
        ]
    );
    let unmapped = map.lookup(0, 1).unwrap();
    assert!(!unmapped.has_original());
    assert!(unmapped.source().is_none());
    assert_eq!(unmapped.original_line(), None);
    assert_eq!(unmapped.original_column(), None);
    assert_eq!(unmapped.name(), None);
    assert_eq!(unmapped.raw().source, NONE);
    // A lookup past an unmapped token lands on it and does not reach back.
    let past = map.lookup(1, 50).unwrap();
    assert!(!past.has_original());
    // Unmapped tokens are never reverse-lookup results.
    assert_eq!(map.generated_positions(0, 1, None).len(), 1);
}

#[test]
fn negative_generated_column_skips_the_segment() {
    // Segment 2 moves the column to -1: skipped, and its other fields are not applied
    // (the spec returns before decoding them); segment 3 adds 3 -> column 2.
    let json = regular(r#"["a.js"]"#, "[]", "CAAA,FACA,GAAC");
    let map = lenient(&json);
    assert_eq!(codes(&map), vec![ErrorCode::NegativeValue]);
    assert_eq!(
        all_tuples(&map),
        vec![
            (0, 1, Some(0), Some(0), Some(0), None),
            (0, 2, Some(0), Some(0), Some(1), None),
        ]
    );
    let err = strict_err(&json);
    assert_eq!(err.code(), ErrorCode::NegativeValue);
    assert_eq!(&json[err.offset().unwrap() as usize..][..4], "FACA");
}

#[test]
fn source_index_out_of_bounds_keeps_the_token() {
    // Second segment: source 0 + 2 = 2, but there is one source.
    let json = regular(r#"["a.js"]"#, r#"["n"]"#, "AAAA,CEAAA,CFAA");
    let map = lenient(&json);
    assert_eq!(codes(&map), vec![ErrorCode::SourceIndexOutOfBounds]);
    assert_eq!(map.token_count(), 3);
    let bad = map.lookup(0, 1).unwrap();
    assert!(!bad.has_original());
    assert!(bad.source().is_none());
    // The name of that segment is still valid and kept.
    assert_eq!(bad.name(), Some("n"));
    // The state moved on: the third segment is back at source 0.
    let third = map.lookup(0, 2).unwrap();
    assert_eq!(third.source_index(), Some(0));
    assert_eq!(strict_err(&json).code(), ErrorCode::SourceIndexOutOfBounds);

    // Name index out of bounds: the position is kept without the name.
    let names = regular(r#"["a.js"]"#, r#"["n"]"#, "AAAAC");
    let map = lenient(&names);
    assert_eq!(codes(&map), vec![ErrorCode::NameIndexOutOfBounds]);
    let t = map.lookup(0, 0).unwrap();
    assert!(t.has_original());
    assert_eq!(t.name(), None);
    assert_eq!(strict_err(&names).code(), ErrorCode::NameIndexOutOfBounds);
}

#[test]
fn grammar_error_drops_all_mappings() {
    for (mappings, code) in [
        ("AAAA;AACA,A!AA", ErrorCode::InvalidBase64),
        ("AAAA;AACA,AA", ErrorCode::InvalidSegmentLength),
        ("AAAA;AACA,AAAAAA", ErrorCode::InvalidSegmentLength),
        ("AAAA;AACA,,AAAA", ErrorCode::InvalidSegmentLength),
        ("AAAA;AACA,", ErrorCode::InvalidSegmentLength),
        ("AAAA;AACg", ErrorCode::VlqTruncated),
        ("AAAA;AA=A", ErrorCode::InvalidBase64),
    ] {
        let json = regular(r#"["a.js"]"#, "[]", mappings);
        let map = lenient(&json);
        assert_eq!(map.token_count(), 0, "{mappings}: every mapping is dropped");
        assert_eq!(map.lookup(0, 0).map(|t| t.index()), None, "{mappings}");
        assert_eq!(codes(&map), vec![code], "{mappings}");
        assert_eq!(map.source_count(), 1, "{mappings}: sources are kept");
        assert_eq!(strict_err(&json).code(), code, "{mappings}");
    }
    // A bad character's offset points at it.
    let json = regular(r#"["a.js"]"#, "[]", "AAAA;AACA,A!AA");
    let offset = lenient(&json).diagnostics()[0].offset().unwrap() as usize;
    assert_eq!(json.as_bytes()[offset], b'!');
}

#[test]
fn error_offset_in_mappings_with_escapes() {
    // The mappings string contains a JSON escape (\u0041 is "A"): an error offset, if
    // given, must still point into the input document at the offending character.
    let json = regular(r#"["a.js"]"#, "[]", r"AAAA;\u0041ACA,A!AA");
    let map = lenient(&json);
    assert_eq!(map.token_count(), 0);
    assert_eq!(codes(&map), vec![ErrorCode::InvalidBase64]);
    if let Some(offset) = map.diagnostics()[0].offset() {
        assert_eq!(
            json.as_bytes()[offset as usize],
            b'!',
            "offset {offset} does not point at the bad character in {json}"
        );
    }
    // Decoding itself is unaffected by the escape.
    let ok = lenient(&regular(r#"["a.js"]"#, "[]", r"\u0041\u0041CA"));
    assert_eq!(
        all_tuples(&ok),
        vec![(0, 0, Some(0), Some(1), Some(0), None)]
    );
}

#[test]
fn vlq_overflow_is_fatal_even_when_lenient() {
    // 2^31 does not fit ("ggggggE"); neither does a set bit past bit 32.
    for mappings in ["AAAA,ggggggE", "gggggggB", "AAAA;AAggggggEA"] {
        let json = regular(r#"["a.js"]"#, "[]", mappings);
        let err = SourceMap::from_slice(json.as_bytes()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::VlqOverflow, "{mappings}");
        assert_eq!(strict_err(&json).code(), ErrorCode::VlqOverflow);
        let offset = err.offset().unwrap() as usize;
        assert_eq!(
            json.as_bytes()[offset],
            b'g',
            "{mappings}: offset at the VLQ"
        );
    }
    // The largest value that fits decodes fine.
    let mut max = Vec::new();
    mapback::vlq::encode_signed((1 << 31) - 2, &mut max);
    let json = regular(r#"["a.js"]"#, "[]", std::str::from_utf8(&max).unwrap());
    let map = lenient(&json);
    assert_eq!(
        map.tokens().next().unwrap().generated_column(),
        (1 << 31) - 2
    );
}

#[test]
fn unsorted_segments_are_sorted_with_a_note() {
    // Columns 10, 2 (10 - 8), 5: one unsorted line; line 1 is sorted.
    let json = regular(r#"["a.js"]"#, "[]", "UAAA,RACA,GACA;AAAA,CACA");
    for map in [lenient(&json), strict(&json).expect("a note, not an error")] {
        assert_eq!(codes(&map), vec![ErrorCode::UnsortedMappings]);
        assert!(map.diagnostics()[0].message().contains('1'));
        assert_eq!(
            all_tuples(&map),
            vec![
                (0, 2, Some(0), Some(1), Some(0), None),
                (0, 5, Some(0), Some(2), Some(0), None),
                (0, 10, Some(0), Some(0), Some(0), None),
                (1, 0, Some(0), Some(2), Some(0), None),
                (1, 1, Some(0), Some(3), Some(0), None),
            ]
        );
        assert_eq!(map.lookup(0, 3).unwrap().original_line(), Some(1));
        assert_eq!(map.lookup(0, 9).unwrap().original_line(), Some(2));
        assert_eq!(map.lookup(0, 10).unwrap().original_line(), Some(0));
    }
}

#[test]
fn b_decodes_as_minus_two_to_the_31() {
    // "B" is -2^31: column 1 - 2^31 is negative, so the segment is skipped...
    let json = regular(r#"["a.js"]"#, "[]", "CAAA,BAAA");
    let map = lenient(&json);
    assert_eq!(codes(&map), vec![ErrorCode::NegativeValue]);
    assert_eq!(
        all_tuples(&map),
        vec![(0, 1, Some(0), Some(0), Some(0), None)]
    );
    assert_eq!(strict_err(&json).code(), ErrorCode::NegativeValue);
    // ...and 2^31 - 1 then brings it back to column 0: 1 - 2^31 + 2^31 - 1 = 0.
    let mut back = Vec::new();
    mapback::vlq::encode_signed((1 << 31) - 1, &mut back);
    let mappings = format!("CAAA,BAAA,{}AAA", std::str::from_utf8(&back).unwrap());
    let map = lenient(&regular(r#"["a.js"]"#, "[]", &mappings));
    assert_eq!(
        all_tuples(&map),
        vec![
            (0, 0, Some(0), Some(0), Some(0), None),
            (0, 1, Some(0), Some(0), Some(0), None),
        ]
    );
    // In an original field: the original column becomes negative -> no original.
    let field = lenient(&regular(r#"["a.js"]"#, "[]", "AAAB"));
    assert_eq!(codes(&field), vec![ErrorCode::NegativeValue]);
    assert!(!field.lookup(0, 0).unwrap().has_original());
}

#[test]
fn empty_lines_and_line_counts() {
    let map = lenient(&regular(r#"["a.js"]"#, "[]", ";;AAAA;;"));
    assert_eq!(map.token_count(), 1);
    assert_eq!(map.line_count(), 5);
    let t = map.tokens().next().unwrap();
    assert_eq!((t.generated_line(), t.generated_column()), (2, 0));
    let empty = lenient(&regular("[]", "[]", ""));
    assert_eq!(empty.token_count(), 0);
    assert_eq!(empty.tokens().count(), 0);
    assert!(empty.lookup(0, 0).is_none());
    assert!(empty
        .lookup_with(3, 0, cross_line(Bias::GreatestLowerBound))
        .is_none());
}

// ---------------------------------------------------------------------------------------
// Index maps
// ---------------------------------------------------------------------------------------

fn section(line: u32, column: u32, map: &str) -> String {
    format!(r#"{{"offset":{{"line":{line},"column":{column}}},"map":{map}}}"#)
}

fn index_map(sections: &[String]) -> String {
    format!(r#"{{"version":3,"sections":[{}]}}"#, sections.join(","))
}

#[test]
fn index_map_column_offset_applies_to_first_line_only() {
    let json = index_map(&[section(
        1,
        10,
        &regular(r#"["a.js"]"#, "[]", "AAAA,CAAC;AAAA,EAAC"),
    )]);
    let map = lenient(&json);
    assert!(map.is_index_map());
    assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
    assert_eq!(
        all_tuples(&map),
        vec![
            (1, 10, Some(0), Some(0), Some(0), None),
            (1, 11, Some(0), Some(0), Some(1), None),
            (2, 0, Some(0), Some(0), Some(1), None),
            (2, 2, Some(0), Some(0), Some(2), None),
        ]
    );
    assert!(map.lookup(0, 50).is_none());
    assert!(map.lookup(1, 9).is_none());
    assert_eq!(map.lookup(1, 10).unwrap().index(), 0);
    assert!(strict(&json).is_ok());
}

#[test]
fn index_map_sources_and_names_are_concatenated() {
    let first = r#"{"version":3,"sources":["a.js"],"names":["x"],"sourcesContent":["A"],"mappings":"AAAAA"}"#;
    let second = r#"{"version":3,"sourceRoot":"lib","sources":["b.js","c.js"],"names":["y","z"],"ignoreList":[0],"mappings":"ACAAC,CAAAD"}"#;
    let json = index_map(&[section(0, 0, first), section(2, 4, second)]);
    let map = lenient(&json);
    assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
    assert_eq!(map.source_count(), 3);
    assert_eq!(
        map.sources().map(|s| s.path().unwrap()).collect::<Vec<_>>(),
        vec!["a.js", "lib/b.js", "lib/c.js"]
    );
    assert_eq!(ignored(&map), [false, true, false]);
    assert_eq!(map.source(0).unwrap().content(), Some("A"));
    assert_eq!(map.source(1).unwrap().content(), None);
    assert_eq!(map.names(), vec!["x", "y", "z"]);
    assert_eq!(
        all_tuples(&map),
        vec![
            (0, 0, Some(0), Some(0), Some(0), Some(0)),
            (2, 4, Some(2), Some(0), Some(0), Some(2)),
            (2, 5, Some(2), Some(0), Some(0), Some(1)),
        ]
    );
    let t = map.lookup(2, 4).unwrap();
    assert_eq!(t.source().unwrap().path(), Some("lib/c.js"));
    assert_eq!(t.name(), Some("z"));
    assert_eq!(map.lookup(2, 9).unwrap().name(), Some("y"));
    // Reverse lookups use the global source index.
    assert_eq!(map.generated_positions(2, 0, None).len(), 2);
    assert_eq!(map.generated_positions(1, 0, None).len(), 0);
}

#[test]
fn index_map_section_may_start_on_trailing_empty_lines() {
    let first = regular(r#"["a.js"]"#, "[]", "AAAA;;;");
    let second = regular(r#"["b.js"]"#, "[]", "AAAA");
    let json = index_map(&[section(0, 0, &first), section(2, 3, &second)]);
    for map in [lenient(&json), strict(&json).expect("valid in strict mode")] {
        assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
        assert_eq!(
            all_tuples(&map),
            vec![
                (0, 0, Some(0), Some(0), Some(0), None),
                (2, 3, Some(1), Some(0), Some(0), None),
            ]
        );
    }
    // A section on the very next line after the first section's last token also works.
    let json = index_map(&[section(0, 0, &first), section(1, 0, &second)]);
    assert_eq!(lenient(&json).token_count(), 2);
}

#[test]
fn index_map_section_on_the_same_line() {
    let first = regular(r#"["a.js"]"#, "[]", "AAAA,EAAC");
    let second = regular(r#"["b.js"]"#, "[]", "AAAA;AAAC");
    let json = index_map(&[section(0, 0, &first), section(0, 5, &second)]);
    let map = strict(&json).expect("valid");
    assert_eq!(
        all_tuples(&map),
        vec![
            (0, 0, Some(0), Some(0), Some(0), None),
            (0, 2, Some(0), Some(0), Some(1), None),
            (0, 5, Some(1), Some(0), Some(0), None),
            (1, 0, Some(1), Some(0), Some(1), None),
        ]
    );
    // Overlapping sections are an optional error.
    let overlap = index_map(&[section(0, 0, &first), section(0, 1, &second)]);
    assert_eq!(strict_err(&overlap).code(), ErrorCode::InvalidSectionOrder);
    assert!(codes(&lenient(&overlap)).contains(&ErrorCode::InvalidSectionOrder));
    let backwards = index_map(&[section(3, 0, &first), section(1, 0, &second)]);
    assert_eq!(
        strict_err(&backwards).code(),
        ErrorCode::InvalidSectionOrder
    );
}

#[test]
fn nested_index_map() {
    let inner = index_map(&[section(0, 0, &regular(r#"["inner.js"]"#, "[]", "AAAA"))]);
    let ok = regular(r#"["ok.js"]"#, "[]", "AAAA");
    let json = index_map(&[
        section(0, 0, &ok),
        section(1, 0, &inner),
        section(2, 0, &ok),
    ]);
    assert_eq!(strict_err(&json).code(), ErrorCode::NestedIndexMap);
    let map = lenient(&json);
    assert_eq!(codes(&map), vec![ErrorCode::NestedIndexMap]);
    let offset = map.diagnostics()[0].offset().unwrap() as usize;
    assert!(json[offset..].starts_with(r#"{"version":3,"sections""#));
    // The nested section contributes nothing; the others are kept.
    assert_eq!(
        map.sources().map(|s| s.name().unwrap()).collect::<Vec<_>>(),
        vec!["ok.js", "ok.js"]
    );
    assert_eq!(
        all_tuples(&map),
        vec![
            (0, 0, Some(0), Some(0), Some(0), None),
            (2, 0, Some(1), Some(0), Some(0), None),
        ]
    );
}

#[test]
fn sections_with_mappings() {
    let ok = regular(r#"["a.js"]"#, "[]", "AAAA");
    let json = format!(
        r#"{{"version":3,"mappings":"AAAA;AAAA","sections":[{}]}}"#,
        section(0, 0, &ok)
    );
    let err = strict_err(&json);
    assert_eq!(err.code(), ErrorCode::SectionsWithMappings);
    let offset = err.offset().unwrap() as usize;
    assert!(json[offset..].starts_with(r#""AAAA;AAAA""#));
    let map = lenient(&json);
    assert!(map.is_index_map());
    assert_eq!(codes(&map), vec![ErrorCode::SectionsWithMappings]);
    // The sections are used, the top-level mappings ignored.
    assert_eq!(map.token_count(), 1);
}

#[test]
fn section_url_is_unsupported() {
    let json = r#"{"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"a.map"}]}"#;
    assert_eq!(
        SourceMap::from_slice(json.as_bytes()).unwrap_err().code(),
        ErrorCode::SectionUrlUnsupported
    );
}

#[test]
fn grammar_error_in_one_section_drops_only_that_section() {
    let good = regular(r#"["a.js"]"#, "[]", "AAAA");
    let bad = regular(r#"["b.js"]"#, "[]", "AAAA,!");
    let json = index_map(&[
        section(0, 0, &good),
        section(1, 0, &bad),
        section(2, 0, &good),
    ]);
    let map = lenient(&json);
    assert_eq!(codes(&map), vec![ErrorCode::InvalidBase64]);
    let lines: Vec<u32> = map.tokens().map(|t| t.generated_line()).collect();
    assert_eq!(lines, vec![0, 2]);
    assert_eq!(strict_err(&json).code(), ErrorCode::InvalidBase64);
}

// ---------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------

/// Line 0: columns 0, 4, 4 (two originals), 10; lines 1 and 2 empty; line 3: 3 and 8.
fn lookup_map() -> SourceMap {
    lenient(&regular(
        r#"["a.js","b.js"]"#,
        r#"["f"]"#,
        "AAAA,IAAIA,ACCA,MDDC;;;GAAA,KACA",
    ))
}

#[test]
fn lookup_map_layout() {
    let map = lookup_map();
    assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
    assert_eq!(
        all_tuples(&map),
        vec![
            (0, 0, Some(0), Some(0), Some(0), None),
            (0, 4, Some(0), Some(0), Some(4), Some(0)),
            (0, 4, Some(1), Some(1), Some(4), None),
            (0, 10, Some(0), Some(0), Some(5), None),
            (3, 3, Some(0), Some(0), Some(5), None),
            (3, 8, Some(0), Some(1), Some(5), None),
        ]
    );
}

#[test]
fn greatest_lower_and_least_upper_bound() {
    let map = lookup_map();
    let glb = LookupOptions::default();
    let lub = LookupOptions::with_bias(Bias::LeastUpperBound);
    assert_eq!(glb, LookupOptions::with_bias(Bias::GreatestLowerBound));
    assert!(glb.same_line);
    let index = |line, column, options| map.lookup_with(line, column, options).map(|t| t.index());
    // Exact hits are the same with either bias (the first of a shared position).
    for (column, expected) in [(0, 0), (4, 1), (10, 3)] {
        assert_eq!(index(0, column, glb), Some(expected));
        assert_eq!(index(0, column, lub), Some(expected));
    }
    assert_eq!(index(0, 3, glb), Some(0));
    assert_eq!(index(0, 3, lub), Some(1));
    // Inside a shared position (tokens 1 and 2 start at column 4): the last of them.
    assert_eq!(index(0, 7, glb), Some(2));
    assert_eq!(index(0, 7, lub), Some(3));
    assert_eq!(index(0, 1000, glb), Some(3));
    assert_eq!(index(0, 11, lub), None);
    assert_eq!(index(3, 2, glb), None);
    assert_eq!(index(3, 2, lub), Some(4));
    assert_eq!(index(3, u32::MAX, glb), Some(5));
    assert_eq!(map.lookup(0, 7).unwrap().index(), 2, "lookup() is GLB");
    assert_eq!(index(u32::MAX, 0, glb), None);
    assert_eq!(index(u32::MAX, 0, lub), None);
}

#[test]
fn same_line_across_empty_lines() {
    let map = lookup_map();
    let index = |line, column, options| map.lookup_with(line, column, options).map(|t| t.index());
    let glb = LookupOptions::default();
    let lub = LookupOptions::with_bias(Bias::LeastUpperBound);
    let glb_cross = cross_line(Bias::GreatestLowerBound);
    let lub_cross = cross_line(Bias::LeastUpperBound);
    // Empty lines 1 and 2.
    for line in [1, 2] {
        assert_eq!(index(line, 5, glb), None);
        assert_eq!(index(line, 5, lub), None);
        assert_eq!(
            index(line, 5, glb_cross),
            Some(3),
            "previous line's last token"
        );
        assert_eq!(
            index(line, 5, lub_cross),
            Some(4),
            "next line's first token"
        );
    }
    let t = map.lookup_with(2, 0, glb_cross).unwrap();
    assert_eq!((t.generated_line(), t.generated_column()), (0, 10));
    let t = map.lookup_with(1, 0, lub_cross).unwrap();
    assert_eq!((t.generated_line(), t.generated_column()), (3, 3));
    // Before the first token on a line that has tokens.
    assert_eq!(index(3, 0, glb_cross), Some(3));
    // After the last token on a line: LUB continues to the next line with tokens.
    assert_eq!(index(0, 11, lub_cross), Some(4));
    // Past the end.
    assert_eq!(index(9, 0, glb_cross), Some(5));
    assert_eq!(index(3, 9, lub_cross), None);
    assert_eq!(index(9, 0, lub_cross), None);
    // Before the first token of the map.
    let late = lenient(&regular(r#"["a.js"]"#, "[]", ";EAAA"));
    assert_eq!(late.lookup_with(0, 0, glb_cross).map(|t| t.index()), None);
    assert_eq!(late.lookup_with(1, 1, glb_cross).map(|t| t.index()), None);
}

#[test]
fn cross_line_lower_bound_returns_last_of_a_shared_position() {
    // Line 0 ends with two tokens at column 4; a cross-line lookup from line 1 lands on
    // that position from after it and, like any lookup inside a shared position,
    // returns the last of the group (the exact-match rule takes the first).
    let map = lenient(&regular(r#"["a.js"]"#, "[]", "AAAA,IAAA,ACAA;"));
    let t = map
        .lookup_with(1, 0, cross_line(Bias::GreatestLowerBound))
        .unwrap();
    assert_eq!(
        (t.generated_line(), t.generated_column(), t.index()),
        (0, 4, 2)
    );
    let all = map.original_positions(1, 0, cross_line(Bias::GreatestLowerBound));
    assert_eq!(
        all.iter().map(|t| t.index()).collect::<Vec<_>>(),
        vec![1, 2]
    );
}

#[test]
fn original_positions_at_one_generated_position() {
    let map = lookup_map();
    let all = map.original_positions(0, 6, LookupOptions::default());
    assert_eq!(all.len(), 2);
    assert_eq!(
        all.iter().map(tuple).collect::<Vec<_>>(),
        vec![
            (0, 4, Some(0), Some(0), Some(4), Some(0)),
            (0, 4, Some(1), Some(1), Some(4), None),
        ]
    );
    assert_eq!(all[0].name(), Some("f"));
    assert_eq!(all[1].source().unwrap().name(), Some("b.js"));
    let one = map.original_positions(0, 2, LookupOptions::default());
    assert_eq!(one.iter().map(|t| t.index()).collect::<Vec<_>>(), vec![0]);
    let upper = map.original_positions(0, 1, LookupOptions::with_bias(Bias::LeastUpperBound));
    assert_eq!(
        upper.iter().map(|t| t.index()).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(map
        .original_positions(1, 0, LookupOptions::default())
        .is_empty());
}

#[test]
fn generated_position_lookups() {
    let map = lookup_map();
    let glb = LookupOptions::default();
    let lub = LookupOptions::with_bias(Bias::LeastUpperBound);
    let index = |source, line, column, options| {
        map.generated_position(source, line, column, options)
            .map(|t| t.index())
    };
    // a.js line 0 has originals at columns 0, 4, 5, 5 (tokens 0, 1, 3, 4).
    assert_eq!(index(0, 0, 0, glb), Some(0));
    assert_eq!(index(0, 0, 3, glb), Some(0));
    assert_eq!(index(0, 0, 4, glb), Some(1));
    assert_eq!(index(0, 0, 5, glb), Some(3), "first in generated order");
    assert_eq!(index(0, 0, 99, glb), Some(3));
    assert_eq!(index(0, 0, 1, lub), Some(1));
    assert_eq!(index(0, 0, 6, lub), None);
    assert_eq!(index(0, 0, 6, cross_line(Bias::LeastUpperBound)), Some(5));
    assert_eq!(index(1, 1, 0, glb), None);
    assert_eq!(index(1, 1, 4, glb), Some(2));
    assert_eq!(index(1, 0, 0, glb), None, "no such original line");
    assert_eq!(index(7, 0, 0, glb), None, "no such source");
    // Unmapped tokens are never results.
    let unmapped = lenient(&regular(r#"["a.js"]"#, "[]", "A,CAAA"));
    assert_eq!(
        unmapped
            .generated_position(0, 0, 0, glb)
            .map(|t| t.generated_column()),
        Some(1)
    );
}

#[test]
fn generated_positions_for_a_line_and_a_column() {
    // a.js line 2: generated tokens at (0,0)->col 1, (0,5)->col 6, (1,0)->col 6,
    // (1,4)->col 9; a.js line 3: (1,8)->col 0.
    let map = lenient(&regular(r#"["a.js"]"#, "[]", "AAEC,KAAK;AAAA,IAAG,IACT"));
    assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
    assert_eq!(
        all_tuples(&map),
        vec![
            (0, 0, Some(0), Some(2), Some(1), None),
            (0, 5, Some(0), Some(2), Some(6), None),
            (1, 0, Some(0), Some(2), Some(6), None),
            (1, 4, Some(0), Some(2), Some(9), None),
            (1, 8, Some(0), Some(3), Some(0), None),
        ]
    );
    let positions = |column: Option<u32>| -> Vec<(u32, u32)> {
        map.generated_positions(0, 2, column)
            .iter()
            .map(|t| (t.generated_line(), t.generated_column()))
            .collect()
    };
    // The whole line, ordered by original column then generated order.
    assert_eq!(positions(None), vec![(0, 0), (0, 5), (1, 0), (1, 4)]);
    // An exact column: every token there.
    assert_eq!(positions(Some(6)), vec![(0, 5), (1, 0)]);
    assert_eq!(positions(Some(1)), vec![(0, 0)]);
    // No exact match: the closest column after it, on the same line.
    assert_eq!(positions(Some(2)), vec![(0, 5), (1, 0)]);
    assert_eq!(positions(Some(0)), vec![(0, 0)]);
    assert_eq!(positions(Some(7)), vec![(1, 4)]);
    assert_eq!(positions(Some(10)), vec![], "nothing after it on the line");
    assert_eq!(map.generated_positions(0, 3, None).len(), 1);
    assert!(map.generated_positions(0, 4, None).is_empty());
    assert!(map.generated_positions(1, 2, None).is_empty());
}

// ---------------------------------------------------------------------------------------
// Randomized round trip
// ---------------------------------------------------------------------------------------

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Expected {
    line: u32,
    column: u32,
    original: Option<(u32, u32, u32)>,
    name: Option<u32>,
}

/// Encodes tokens (sorted by line, then column) as a mappings string.
fn encode(tokens: &[Expected], line_count: u32) -> String {
    let mut out = Vec::new();
    let (mut source, mut original_line, mut original_column, mut name) = (0i64, 0i64, 0i64, 0i64);
    let mut next = 0;
    for line in 0..line_count {
        if line > 0 {
            out.push(b';');
        }
        let mut column = 0i64;
        let mut first = true;
        while next < tokens.len() && tokens[next].line == line {
            let t = tokens[next];
            if !first {
                out.push(b',');
            }
            first = false;
            mapback::vlq::encode_signed(i64::from(t.column) - column, &mut out);
            column = i64::from(t.column);
            if let Some((s, l, c)) = t.original {
                mapback::vlq::encode_signed(i64::from(s) - source, &mut out);
                mapback::vlq::encode_signed(i64::from(l) - original_line, &mut out);
                mapback::vlq::encode_signed(i64::from(c) - original_column, &mut out);
                source = i64::from(s);
                original_line = i64::from(l);
                original_column = i64::from(c);
                if let Some(n) = t.name {
                    mapback::vlq::encode_signed(i64::from(n) - name, &mut out);
                    name = i64::from(n);
                }
            }
            next += 1;
        }
    }
    assert_eq!(next, tokens.len());
    String::from_utf8(out).unwrap()
}

#[test]
fn random_round_trip() {
    const SOURCES: u32 = 7;
    const NAMES: u32 = 13;
    for seed in [0x9E37_79B9_7F4A_7C15u64, 1, 0xDEAD_BEEF] {
        let mut rng = XorShift(seed);
        let line_count = 200u32;
        let mut tokens = Vec::new();
        for line in 0..line_count {
            // Some lines are empty; some are long; columns are unique per line.
            let count = match rng.below(10) {
                0 => 0,
                1 => 60,
                _ => rng.below(20),
            };
            let mut columns: Vec<u32> = (0..count)
                .map(|_| {
                    if rng.below(50) == 0 {
                        // A few very large columns.
                        (rng.below(1 << 30)) as u32
                    } else {
                        rng.below(5000) as u32
                    }
                })
                .collect();
            columns.sort_unstable();
            columns.dedup();
            for column in columns {
                let original = (rng.below(8) != 0).then(|| {
                    (
                        rng.below(u64::from(SOURCES)) as u32,
                        rng.below(3000) as u32,
                        rng.below(200) as u32,
                    )
                });
                let name = (original.is_some() && rng.below(3) == 0)
                    .then(|| rng.below(u64::from(NAMES)) as u32);
                tokens.push(Expected {
                    line,
                    column,
                    original,
                    name,
                });
            }
        }
        assert!(tokens.len() > 2000, "{}", tokens.len());
        let sources: Vec<String> = (0..SOURCES).map(|i| format!("\"s{i}.js\"")).collect();
        let names: Vec<String> = (0..NAMES).map(|i| format!("\"n{i}\"")).collect();
        let json = regular(
            &format!("[{}]", sources.join(",")),
            &format!("[{}]", names.join(",")),
            &encode(&tokens, line_count),
        );
        for map in [lenient(&json), strict(&json).expect("strictly valid")] {
            assert!(map.diagnostics().is_empty(), "{:?}", map.diagnostics());
            assert_eq!(map.token_count(), tokens.len(), "seed {seed}");
            assert_eq!(map.line_count(), line_count as usize);
            for (i, (expected, actual)) in tokens.iter().zip(map.tokens()).enumerate() {
                let decoded = Expected {
                    line: actual.generated_line(),
                    column: actual.generated_column(),
                    original: actual.source_index().map(|s| {
                        (
                            s,
                            actual.original_line().unwrap(),
                            actual.original_column().unwrap(),
                        )
                    }),
                    name: actual.name_index(),
                };
                assert_eq!(&decoded, expected, "seed {seed}, token {i}");
                let found = map
                    .lookup(expected.line, expected.column)
                    .expect("exact position is found");
                assert_eq!(found.index() as usize, i, "seed {seed}, token {i}");
                let upper = map
                    .lookup_with(
                        expected.line,
                        expected.column,
                        LookupOptions::with_bias(Bias::LeastUpperBound),
                    )
                    .unwrap();
                assert_eq!(upper.index() as usize, i);
                if let Some(n) = expected.name {
                    assert_eq!(actual.name(), Some(format!("n{n}").as_str()));
                }
                if let Some((s, l, c)) = expected.original {
                    let back = map
                        .generated_position(s, l, c, LookupOptions::default())
                        .unwrap();
                    assert_eq!(
                        (
                            back.source_index(),
                            back.original_line(),
                            back.original_column()
                        ),
                        (Some(s), Some(l), Some(c))
                    );
                    assert!(map
                        .generated_positions(s, l, Some(c))
                        .iter()
                        .any(|t| t.index() as usize == i));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Large malformed input
// ---------------------------------------------------------------------------------------

/// Counts the heap bytes allocated by the current thread, so a test can bound the peak
/// memory of one call (other tests run on other threads and are not counted).
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    pub struct Counting;

    thread_local! {
        static CURRENT: Cell<usize> = const { Cell::new(0) };
        static PEAK: Cell<usize> = const { Cell::new(0) };
    }

    fn grow(by: usize) {
        let _ = CURRENT.try_with(|current| {
            let now = current.get().saturating_add(by);
            current.set(now);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        });
    }

    fn shrink(by: usize) {
        let _ = CURRENT.try_with(|current| current.set(current.get().saturating_sub(by)));
    }

    // SAFETY: every call is forwarded to the system allocator unchanged; the counters
    // are const-initialised thread-locals without destructors, which never allocate.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded contract.
            let ptr = unsafe { System.alloc(layout) };
            if !ptr.is_null() {
                grow(layout.size());
            }
            ptr
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded contract.
            let ptr = unsafe { System.alloc_zeroed(layout) };
            if !ptr.is_null() {
                grow(layout.size());
            }
            ptr
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: forwarded contract.
            unsafe { System.dealloc(ptr, layout) };
            shrink(layout.size());
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: forwarded contract.
            let new = unsafe { System.realloc(ptr, layout, new_size) };
            if !new.is_null() {
                shrink(layout.size());
                grow(new_size);
            }
            new
        }
    }

    /// Runs `f` and returns its result with the peak bytes it allocated on this thread
    /// beyond what was live when it started.
    pub fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
        let base = CURRENT.with(Cell::get);
        PEAK.with(|peak| peak.set(base));
        let value = f();
        let peak = PEAK.with(Cell::get);
        (value, peak - base)
    }
}

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

fn commas_map(size: usize) -> (String, usize) {
    let mut json = String::with_capacity(size + 64);
    json.push_str(r#"{"version":3,"sources":["a.js"],"mappings":""#);
    let start = json.len();
    json.push_str(&",".repeat(size));
    json.push_str("\"}");
    (json, start)
}

#[test]
fn fifty_megabytes_of_commas_fail_fast() {
    // In a debug build nearly all of the time is serde_json validating the 50 MB string
    // (about 0.9 s unoptimised); the mappings decoder stops at the first comma.
    const SIZE: usize = 50 * 1024 * 1024;
    // The counter works: a 1 MiB allocation is seen.
    let (_, probe) = counting::peak_during(|| std::hint::black_box(vec![1u8; 1 << 20]));
    assert!(probe >= 1 << 20, "{probe}");
    let (json, start) = commas_map(SIZE);
    let began = Instant::now();
    let (result, peak) = counting::peak_during(|| strict(&json).map(|_| ()));
    let elapsed = began.elapsed();
    let err = result.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidSegmentLength);
    assert_eq!(err.offset(), Some(start as u64), "the first comma");
    assert!(
        err.message().len() < 200,
        "the message does not echo the input"
    );
    assert!(
        peak < 16 * 1024 * 1024,
        "decoding {SIZE} bytes of commas allocated {peak} bytes at peak"
    );
    assert!(
        elapsed < Duration::from_secs(10),
        "decoding {SIZE} bytes took {elapsed:?}"
    );
}

#[test]
fn megabytes_of_commas_lenient() {
    // Lenient: the grammar error drops the mappings, with one diagnostic (5 MB, to keep
    // the debug-build JSON scan short).
    const SIZE: usize = 5 * 1024 * 1024;
    let (json, start) = commas_map(SIZE);
    let (map, peak) = counting::peak_during(|| lenient(&json));
    assert_eq!(map.token_count(), 0);
    assert_eq!(codes(&map), vec![ErrorCode::InvalidSegmentLength]);
    assert_eq!(map.diagnostics()[0].offset(), Some(start as u64));
    assert!(peak < 4 * 1024 * 1024, "peak {peak} bytes");
}

/// A small deterministic generator: each call gives a number below `bound`.
fn xorshift(mut state: u64) -> impl FnMut(u64) -> u32 {
    move |bound| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound) as u32
    }
}

#[test]
fn batch_lookups_in_any_order_match_single_lookups() {
    // Large enough (1.1 million tokens, 6000 positions) for the batch to be looked up
    // in sorted order; the answers must land at their own positions all the same.
    let mut mappings = String::new();
    for line in 0..2000 {
        if line > 0 {
            mappings.push(';');
        }
        // 550 tokens two columns apart, each one line further into the original.
        mappings.push_str("AACA");
        mappings.push_str(&",EACA".repeat(549));
    }
    let json = format!(r#"{{"version":3,"sources":["a.js"],"mappings":"{mappings}"}}"#);
    let map = SourceMap::from_slice(json.as_bytes()).unwrap();
    assert_eq!(map.token_count(), 1_100_000);
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let (lines, columns): (Vec<u32>, Vec<u32>) =
        (0..6000).map(|_| (next(2100), next(1200))).unzip();
    let mut answers = vec![None; lines.len()];
    let mut calls = 0;
    map.raw_lookup_batch(
        &lines,
        &columns,
        LookupOptions::default(),
        &mut |i, token| {
            answers[i] = Some(token);
            calls += 1;
        },
    );
    assert_eq!(calls, lines.len());
    for (i, answer) in answers.into_iter().enumerate() {
        let expected = map.raw_lookup(lines[i], columns[i], LookupOptions::default());
        assert_eq!(answer, Some(expected), "position {i}");
    }
}

#[test]
fn lockstep_batch_lookups_match_single_lookups() {
    // 160,000 tokens (batches on a map this size are searched eight at a time, in the
    // order given): long lines, short lines, empty lines, and pairs of tokens that share
    // a column (an exact match takes the first, a column after them the last).
    let mut mappings = String::new();
    for line in 0..40 {
        if line > 0 {
            mappings.push(';');
        }
        match line % 4 {
            0 => mappings.push_str(&format!("AACA{}", ",EACA".repeat(13_999))),
            1 => mappings.push_str("AACA,GACA,AACA"),
            2 => {}
            _ => mappings.push_str(&format!("CACA{}", ",AACA,EACA".repeat(1_000))),
        }
    }
    let json = format!(r#"{{"version":3,"sources":["a.js"],"mappings":"{mappings}"}}"#);
    let map = SourceMap::from_slice(json.as_bytes()).unwrap();
    assert!(
        (1 << 17..1 << 18).contains(&map.token_count()),
        "{}",
        map.token_count()
    );
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    // 4,001 positions: not a multiple of eight, lines past the end included.
    let (lines, columns): (Vec<u32>, Vec<u32>) =
        (0..4001).map(|_| (next(44), next(30_000))).unzip();
    let mut answers = vec![None; lines.len()];
    map.raw_lookup_batch(
        &lines,
        &columns,
        LookupOptions::default(),
        &mut |i, token| {
            assert!(
                answers[i].replace(token).is_none(),
                "position {i} answered twice"
            );
        },
    );
    for (i, answer) in answers.into_iter().enumerate() {
        let expected = map.raw_lookup(lines[i], columns[i], LookupOptions::default());
        assert_eq!(
            answer,
            Some(expected),
            "position {i}: {}:{}",
            lines[i],
            columns[i]
        );
    }
}

// ---------------------------------------------------------------------------------------
// Decode limits
// ---------------------------------------------------------------------------------------

fn decode_limited(json: &str, limits: DecodeLimits) -> Result<SourceMap, mapback::Error> {
    SourceMap::from_slice_with(json.as_bytes(), &DecodeOptions::new().limits(limits))
}

fn limited_err(json: &str, limits: DecodeLimits) -> mapback::Error {
    match decode_limited(json, limits) {
        Ok(map) => panic!("decoded {} tokens over a limit", map.token_count()),
        Err(e) => e,
    }
}

#[test]
fn each_decode_limit_admits_its_bound_and_refuses_one_more() {
    let map = regular(r#"["a.js","b.js"]"#, r#"["x","y"]"#, "AAAA,CAAC,CAAC");
    let exact = DecodeLimits {
        max_input_bytes: map.len(),
        max_mappings: 3,
        max_sources: 2,
        max_names: 2,
    };
    let decoded = decode_limited(&map, exact).expect("every bound is met exactly");
    assert_eq!(decoded.token_count(), 3);

    let tighter = [
        (
            "max_input_bytes",
            DecodeLimits {
                max_input_bytes: map.len() - 1,
                ..exact
            },
        ),
        (
            "max_mappings",
            DecodeLimits {
                max_mappings: 2,
                ..exact
            },
        ),
        (
            "max_sources",
            DecodeLimits {
                max_sources: 1,
                ..exact
            },
        ),
        (
            "max_names",
            DecodeLimits {
                max_names: 1,
                ..exact
            },
        ),
    ];
    for (field, limits) in tighter {
        let error = limited_err(&map, limits);
        assert_eq!(error.code(), ErrorCode::InputTooLarge, "{field}");
        assert!(
            error.message().contains(field),
            "{field}: {}",
            error.message()
        );
    }
}

#[test]
fn decode_limits_count_every_section_of_an_index_map_together() {
    let section = |line: u32| {
        format!(
            r#"{{"offset":{{"line":{line},"column":0}},"map":{}}}"#,
            regular(r#"["a.js"]"#, r#"["x"]"#, "AAAA,CAAC")
        )
    };
    let index = format!(
        r#"{{"version":3,"sections":[{},{}]}}"#,
        section(0),
        section(1)
    );
    let generous = DecodeLimits {
        max_mappings: 4,
        max_sources: 2,
        max_names: 2,
        ..DecodeLimits::default()
    };
    assert_eq!(decode_limited(&index, generous).unwrap().token_count(), 4);
    // Lenient decoding skips a bad section, but never one over a limit: the limit is
    // the map's, not the section's.
    for limits in [
        DecodeLimits {
            max_mappings: 3,
            ..generous
        },
        DecodeLimits {
            max_sources: 1,
            ..generous
        },
        DecodeLimits {
            max_names: 1,
            ..generous
        },
    ] {
        assert_eq!(limited_err(&index, limits).code(), ErrorCode::InputTooLarge);
    }
}

#[test]
fn default_decode_limits_are_documented_values_and_unlimited_lifts_them() {
    let defaults = DecodeOptions::new();
    assert_eq!(
        *defaults.decode_limits(),
        DecodeLimits {
            max_input_bytes: 256 << 20,
            max_mappings: 32 << 20,
            max_sources: 1 << 20,
            max_names: 4 << 20,
        }
    );
    // A limit of 0 mappings refuses a map with one; UNLIMITED takes any count.
    let one = regular(r#"["a.js"]"#, "[]", "AAAA");
    let none = DecodeLimits {
        max_mappings: 0,
        ..DecodeLimits::default()
    };
    assert_eq!(limited_err(&one, none).code(), ErrorCode::InputTooLarge);
    assert_eq!(
        decode_limited(&one, DecodeLimits::UNLIMITED)
            .unwrap()
            .token_count(),
        1
    );
}

#[test]
fn tokens_report_typed_positions() {
    let map = lenient(r#"{"version":3,"sources":["a.js"],"names":[],"mappings":"A,EAAC"}"#);
    let bare = map.lookup(0, 1).unwrap();
    assert_eq!(bare.generated_position(), mapback::Position::new(0, 0));
    assert_eq!(bare.original_position(), None);
    let mapped = map.lookup(0, 2).unwrap();
    assert_eq!(mapped.generated_position(), mapback::Position::new(0, 2));
    assert_eq!(
        mapped.original_position(),
        Some(mapback::SourcePosition::new(
            0,
            mapback::Position::new(0, 1)
        ))
    );
}
