//! Cache round trips: every query through a cache equals the same query through the
//! decoded map it was written from.

use std::path::{Path, PathBuf};

use mapback::{
    to_cache_bytes, write_cache_file, Bias, Cache, CacheOptions, DecodeOptions, ErrorCode,
    FunctionScopes, LookupOptions, SourceMap, SourceMapView,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Asserts that `cache` answers like `map` (with names/contents if they were kept).
pub fn assert_same_answers(
    map: &dyn SourceMapView,
    cache: &dyn SourceMapView,
    options: CacheOptions,
) {
    assert_eq!(map.token_count(), cache.token_count());
    assert_eq!(map.line_count(), cache.line_count());
    assert_eq!(map.file(), cache.file());
    assert_eq!(map.debug_id(), cache.debug_id());
    assert_eq!(map.is_index_map(), cache.is_index_map());
    assert_eq!(map.source_count(), cache.source_count());
    for (a, b) in map.sources().zip(cache.sources()) {
        assert_eq!(a.name(), b.name());
        assert_eq!(a.prefixed_name(), b.prefixed_name());
        assert_eq!(a.url(), b.url());
        assert_eq!(a.is_ignored(), b.is_ignored());
        if options.include_contents {
            assert_eq!(a.content(), b.content());
            assert_eq!(a.line_count(), b.line_count());
            for line in 0..a.line_count() as u32 + 1 {
                assert_eq!(a.line(line), b.line(line));
            }
        }
    }
    if options.include_names {
        assert_eq!(map.names(), cache.names());
    }
    for index in 0..map.source_count() as u32 {
        let expected = map
            .source_content(index)
            .filter(|_| options.include_scopes)
            .map(|content| FunctionScopes::parse(content, map.source_prefixed_name(index)));
        assert_eq!(
            cache.stored_scopes(index),
            expected,
            "scopes of source {index}"
        );
    }
    for (a, b) in map.tokens().zip(cache.tokens()) {
        let mut expected = a.raw();
        if !options.include_names {
            expected.name = mapback::NONE;
        }
        assert_eq!(expected, b.raw());
    }
    // Lookups at, between and after tokens, with every option.
    let last_line = map.line_count() as u32 + 1;
    for line in 0..=last_line.min(50) {
        for column in (0..200).chain([1_000, 100_000, u32::MAX]) {
            for bias in [Bias::GreatestLowerBound, Bias::LeastUpperBound] {
                for same_line in [true, false] {
                    let options = LookupOptions { bias, same_line };
                    let a = map
                        .lookup_with(line, column, options)
                        .map(|t| t.raw().index);
                    let b = cache
                        .lookup_with(line, column, options)
                        .map(|t| t.raw().index);
                    assert_eq!(a, b, "lookup {line}:{column} {options:?}");
                }
            }
        }
    }
}

fn round_trip(map: &SourceMap) {
    for options in [
        CacheOptions::default(),
        CacheOptions {
            include_contents: false,
            include_names: false,
            include_scopes: false,
        },
        // Scopes without contents: the lean cache that still names functions.
        CacheOptions {
            include_contents: false,
            ..CacheOptions::default()
        },
    ] {
        let bytes = to_cache_bytes(map, options).expect("cache bytes");
        let cache = Cache::from_slice(&bytes).expect("open cache");
        cache.verify().expect("checksum");
        assert_same_answers(map, &cache, options);
    }
}

#[test]
fn demo_map_round_trips_through_bytes_and_files() {
    let json = std::fs::read(root().join("examples/demo/bundle.min.js.map")).unwrap();
    let map = SourceMap::from_slice(&json).unwrap();
    round_trip(&map);

    let dir = std::env::temp_dir().join(format!("mapback-cache-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bundle.min.js.mbc");
    write_cache_file(&map, &path, CacheOptions::default()).unwrap();
    let mapped = Cache::open(&path).unwrap();
    assert!(mapped.is_mapped());
    assert_same_answers(&map, &mapped, CacheOptions::default());
    let context = mapped.source(1).unwrap().context(36, 2, 2).unwrap();
    assert!(context.line.contains("coupon expired"), "{context:?}");
    // Reverse lookups agree too.
    for token in map.tokens().filter(|t| t.has_original()) {
        let (s, l, c) = (
            token.source_index().unwrap(),
            token.original_line().unwrap(),
            token.original_column().unwrap(),
        );
        let a = map
            .generated_position(s, l, c, LookupOptions::default())
            .map(|t| t.raw());
        let b = mapped
            .generated_position(s, l, c, LookupOptions::default())
            .map(|t| t.raw());
        assert_eq!(a, b);
    }
    // Rewriting the file while it is mapped replaces it atomically: the old mapping
    // stays valid and the new open sees the new content.
    let other =
        SourceMap::from_slice(br#"{"version":3,"sources":["x.js"],"mappings":"AAAA"}"#).unwrap();
    write_cache_file(&other, &path, CacheOptions::default()).unwrap();
    assert_eq!(mapped.source(0).unwrap().name(), Some("app/src/cart.js"));
    assert_eq!(
        Cache::open(&path).unwrap().source(0).unwrap().name(),
        Some("x.js")
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "temporary files left behind: {leftovers:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[cfg_attr(
    mapback_no_tc39,
    ignore = "../shared/conformance is absent: tc39 round trips NOT run"
)]
fn every_valid_tc39_map_round_trips() {
    let dir = root().join("../shared/conformance/tc39-source-map-tests");
    let suite: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("source-map-spec-tests.json")).unwrap(),
    )
    .unwrap();
    let mut count = 0;
    for case in suite["tests"].as_array().unwrap() {
        if !case["sourceMapIsValid"].as_bool().unwrap() {
            continue;
        }
        let path: &Path = &dir
            .join("resources")
            .join(case["sourceMapFile"].as_str().unwrap());
        let base = url::Url::from_file_path(std::fs::canonicalize(path).unwrap()).unwrap();
        let options = DecodeOptions::new().base_url(base.as_str()).unwrap();
        let map = SourceMap::from_slice_with(&std::fs::read(path).unwrap(), &options).unwrap();
        round_trip(&map);
        count += 1;
    }
    assert_eq!(count, 32);
}

#[test]
fn opening_checks_are_typed() {
    let map = SourceMap::from_slice(
        br#"{"version":3,"sources":["a.js"],"names":["n"],"mappings":"AAAAA;CACA"}"#,
    )
    .unwrap();
    let bytes = to_cache_bytes(&map, CacheOptions::default()).unwrap();
    assert_eq!(
        Cache::from_slice(b"").unwrap_err().code(),
        ErrorCode::NotACache
    );
    assert_eq!(
        Cache::from_slice(b"{\"version\":3}").unwrap_err().code(),
        ErrorCode::NotACache
    );
    assert_eq!(
        Cache::from_slice(&bytes[..bytes.len() - 1])
            .unwrap_err()
            .code(),
        ErrorCode::TruncatedCache
    );
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 8]);
    assert_eq!(
        Cache::from_slice(&longer).unwrap_err().code(),
        ErrorCode::TruncatedCache
    );
    let mut version = bytes.clone();
    version[8] = 2;
    assert_eq!(
        Cache::from_slice(&version).unwrap_err().code(),
        ErrorCode::UnsupportedCacheVersion
    );
    let mut body = bytes.clone();
    let last = body.len() - 30; // inside the section table
    body[last] ^= 0x40;
    assert_eq!(
        Cache::from_slice(&body).unwrap_err().code(),
        ErrorCode::CorruptCache
    );
    // A flipped byte in a section body opens (O(1)) but fails verification.
    let mut data = bytes.clone();
    data[80] ^= 1;
    let cache = Cache::from_slice(&data).unwrap();
    assert_eq!(
        cache.verify().unwrap_err().code(),
        ErrorCode::CacheChecksumMismatch
    );
    // Misaligned input is copied, aligned input is used in place: same answers.
    let mut shifted = vec![0u8; bytes.len() + 1];
    shifted[1..].copy_from_slice(&bytes);
    let misaligned = Cache::from_bytes(&shifted[1..]).unwrap();
    assert_eq!(
        misaligned.lookup(1, 1).unwrap().raw(),
        map.lookup(1, 1).unwrap().raw()
    );
    assert_eq!(
        Cache::open("/nonexistent/x.mbc").unwrap_err().code(),
        ErrorCode::Io
    );
}

/// Optional sections are written with table flags 0, so that a reader from before they
/// existed skips them; every other section is marked required.
#[test]
fn only_optional_sections_are_skippable() {
    let map = SourceMap::from_slice(
        br#"{"version":3,"sources":["a.js"],"sourcesContent":["function f(){}"],"names":["n"],"mappings":"AAAAA"}"#,
    )
    .unwrap();
    let bytes = to_cache_bytes(&map, CacheOptions::default()).unwrap();
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let count = word(20) as usize;
    let table = u64::from_le_bytes(bytes[24..32].try_into().unwrap()) as usize;
    let mut seen = Vec::new();
    for entry in 0..count {
        let (kind, flags) = (word(table + entry * 24), word(table + entry * 24 + 4));
        let expected = if kind == 13 { 0 } else { 1 };
        assert_eq!(flags, expected, "section kind {kind}");
        seen.push(kind);
    }
    assert!(seen.contains(&13), "{seen:?}");
}

/// The cache reader on plain byte slices at every alignment, and on damaged copies.
/// Small enough to run under Miri (`make check-deep`), which checks that the reader's
/// loads stay inside the slice and never assume alignment it does not have.
#[test]
fn cache_reader_on_byte_slices_at_every_alignment() {
    let map = SourceMap::from_slice(
        br#"{"version":3,"file":"out.js","sources":["a.js","b.js"],
            "sourcesContent":["function f(x) {\n  return g(x);\n}\n","const g = (y) => y.z;\n"],
            "names":["f","g","x","y","z"],"ignoreList":[1],
            "mappings":"AAAAA,SAAUE,GACR,OAAOD,CAAC;ACAN,MAAMA,CAAEE,OAAOA;;AAAA,EAAE,CAAC"}"#,
    )
    .unwrap();
    let bytes = to_cache_bytes(&map, CacheOptions::default()).unwrap();
    let probes: Vec<(u32, u32)> = (0..4).flat_map(|l| (0..40).map(move |c| (l, c))).collect();
    for shift in 0..8 {
        let mut buffer = vec![0u8; bytes.len() + shift];
        buffer[shift..].copy_from_slice(&bytes);
        let cache = Cache::from_bytes(&buffer[shift..]).unwrap();
        cache.verify().unwrap();
        for &(line, column) in &probes {
            assert_eq!(
                cache.lookup(line, column).map(|t| t.raw()),
                map.lookup(line, column).map(|t| t.raw()),
                "shift {shift}, {line}:{column}"
            );
        }
        for index in 0..2 {
            assert_eq!(cache.source_content(index), map.source_content(index));
            assert_eq!(cache.source_is_ignored(index), map.source_is_ignored(index));
        }
        assert_eq!(cache.name(4), Some("z"));
    }
    // Every truncation, and a flipped bit in every byte: an error or a cache whose
    // queries stay in bounds, never a panic or an out-of-bounds read.
    for len in 0..bytes.len() {
        assert!(
            Cache::from_bytes(&bytes[..len]).is_err(),
            "truncated to {len}"
        );
    }
    for at in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x10;
        if let Ok(cache) = Cache::from_bytes(&damaged) {
            let _ = cache.verify();
            for &(line, column) in probes.iter().step_by(7) {
                let _ = cache.lookup(line, column);
            }
            for index in 0..3 {
                let _ = (cache.source_content(index), cache.name(index));
            }
        }
    }
}

#[test]
fn a_cache_knows_which_lines_of_a_source_are_ascii() {
    let json = r#"{"version":3,"sources":["a.js","b.js"],"sourcesContent":["x = 1;\n\"é\";\r\ny\u2028z",null],"names":[],"mappings":"AAAA"}"#;
    let map = SourceMap::from_slice(json.as_bytes()).unwrap();
    let bytes = to_cache_bytes(&map, CacheOptions::default()).unwrap();
    let cache = Cache::from_slice(&bytes).unwrap();
    let ascii: Vec<bool> = (0..5).map(|l| cache.source_line_is_ascii(0, l)).collect();
    // `y` ends at U+2028, a terminator, not part of the line; past the last line: unknown.
    assert_eq!(ascii, [true, false, true, true, false]);
    assert!(!cache.source_line_is_ascii(1, 0), "no content");
    assert!(!cache.source_line_is_ascii(7, 0), "no source");
    // A decoded map does not keep the bits: not known.
    assert!(!map.source_line_is_ascii(0, 0));
}
