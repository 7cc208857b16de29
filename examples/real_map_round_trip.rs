//! Round-trips real source maps through the cache and through the JSON encoder, and
//! checks that every answer is the same: all tokens, sources, names, contents and
//! context lines, and 100,000 lookups (four option combinations each) plus reverse
//! lookups, through a cache held in memory, a mapped cache file, and the map decoded
//! from its own encoding (which must encode to the same bytes again).
//!
//! `cargo run --release --example real_map_round_trip -- MAP...` (used by
//! `make test-real-maps`, which downloads real maps from npm first). Prints one line
//! per map and ends with `N passed, M failed`; exits non-zero on any mismatch.

use std::process::ExitCode;

use mapback::{
    to_cache_bytes, write_cache_file, Bias, Cache, CacheOptions, EncodeOptions, LookupOptions,
    SourceMap, SourceMapBuilder, SourceMapView,
};

const POSITIONS: usize = 100_000;

/// Deterministic positions: real tokens' positions plus 0-7 columns (so many fall
/// between tokens), and some lines past the end.
fn positions(map: &SourceMap) -> Vec<(u32, u32)> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..POSITIONS)
        .map(|i| {
            let r = next();
            if map.token_count() == 0 || i % 50 == 0 {
                return (
                    (r % (map.line_count() as u64 + 3)) as u32,
                    (r >> 32) as u32 % 5000,
                );
            }
            let token = map.token((r % map.token_count() as u64) as usize).unwrap();
            (
                token.generated_line(),
                token.generated_column() + (r >> 40) as u32 % 8,
            )
        })
        .collect()
}

/// Every difference between `map` and `cache`, as messages (at most a few per kind).
fn differences(map: &SourceMap, cache: &dyn SourceMapView) -> Vec<String> {
    let mut found = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok && found.len() < 10 {
            found.push(what);
        }
    };
    check(
        map.token_count() == cache.token_count(),
        "token count".into(),
    );
    check(map.line_count() == cache.line_count(), "line count".into());
    check(map.file() == cache.file(), "file".into());
    check(map.debug_id() == cache.debug_id(), "debug id".into());
    check(map.names() == cache.names(), "names".into());
    for (a, b) in map.tokens().zip(cache.tokens()) {
        check(a.raw() == b.raw(), format!("token {}", a.index()));
    }
    for (a, b) in map.sources().zip(cache.sources()) {
        let i = a.index();
        check(a.name() == b.name(), format!("source {i} name"));
        check(a.url() == b.url(), format!("source {i} url"));
        check(
            a.prefixed_name() == b.prefixed_name(),
            format!("source {i} prefixed name"),
        );
        check(
            a.is_ignored() == b.is_ignored(),
            format!("source {i} ignored"),
        );
        check(a.content() == b.content(), format!("source {i} content"));
        check(
            a.line_count() == b.line_count(),
            format!("source {i} line count"),
        );
        for line in (0..a.line_count() as u32).step_by(7) {
            check(
                a.context(line, 5, 5) == b.context(line, 5, 5),
                format!("source {i} line {line}"),
            );
        }
    }
    for &(line, column) in &positions(map) {
        for bias in [Bias::GreatestLowerBound, Bias::LeastUpperBound] {
            for same_line in [true, false] {
                let options = LookupOptions { bias, same_line };
                let a = map.lookup_with(line, column, options).map(|t| t.raw());
                let b = cache.lookup_with(line, column, options).map(|t| t.raw());
                check(
                    a == b,
                    format!("lookup {line}:{column} {options:?}: {a:?} vs {b:?}"),
                );
            }
        }
    }
    for token in map.tokens().step_by(97).filter(|t| t.has_original()) {
        let (s, l, c) = (
            token.source_index().unwrap_or(0),
            token.original_line().unwrap_or(0),
            token.original_column().unwrap_or(0),
        );
        let a = map
            .generated_position(s, l, c, LookupOptions::default())
            .map(|t| t.raw());
        let b = cache
            .generated_position(s, l, c, LookupOptions::default())
            .map(|t| t.raw());
        check(a == b, format!("generated position {s}:{l}:{c}"));
    }
    found
}

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: real_map_round_trip MAP...");
        return ExitCode::from(2);
    }
    let scratch = std::env::temp_dir().join(format!("mapback-round-trip-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch directory");
    let (mut passed, mut failed) = (0, 0);
    for path in &paths {
        let name = path.rsplit('/').next().unwrap_or(path);
        let result = (|| -> Result<Vec<String>, mapback::Error> {
            let json = std::fs::read(path)
                .map_err(|e| mapback::Error::new(mapback::ErrorCode::Io, e.to_string()))?;
            let map = SourceMap::from_slice(&json)?;
            let bytes = to_cache_bytes(&map, CacheOptions::default())?;
            let mut problems = differences(&map, &Cache::from_slice(&bytes)?);
            let file = scratch.join("map.mbc");
            write_cache_file(&map, &file, CacheOptions::default())?;
            let mapped = Cache::open(&file)?;
            mapped.verify()?;
            problems.extend(
                differences(&map, &mapped)
                    .into_iter()
                    .map(|p| format!("mapped: {p}")),
            );
            let encoded = SourceMapBuilder::from_view(&map).to_json(&EncodeOptions::default());
            let decoded = SourceMap::from_slice(encoded.as_bytes())?;
            problems.extend(
                differences(&map, &decoded)
                    .into_iter()
                    .map(|p| format!("encoded: {p}")),
            );
            if SourceMapBuilder::from_view(&decoded).to_json(&EncodeOptions::default()) != encoded {
                problems.push("encoded: encoding is not a fixed point".into());
            }
            println!(
                "{name}: {} tokens, cache {:.2}x the JSON, re-encoded {:.2}x",
                map.token_count(),
                bytes.len() as f64 / json.len() as f64,
                encoded.len() as f64 / json.len() as f64
            );
            Ok(problems)
        })();
        match result {
            Ok(problems) if problems.is_empty() => {
                println!("  ok: identical answers through cache, mapped cache and JSON re-encoding ({POSITIONS} positions x 4 options, tokens, sources, contents, reverse)");
                passed += 1;
            }
            Ok(problems) => {
                println!("  MISMATCH: {}", problems.join("; "));
                failed += 1;
            }
            Err(error) => {
                println!("{name}: ERROR {error}");
                failed += 1;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!("real-map round trips: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
