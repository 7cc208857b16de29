//! Times or profiles lookups through a parsed map or its cache (used while tuning the
//! cache layout; `cargo run --release --example lookup_probe -- MAP [json|cache] [N]`).

use std::time::Instant;

use mapback::{to_cache_bytes, Cache, CacheOptions, LookupOptions, SourceMap, SourceMapView};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: lookup_probe MAP [json|cache] [N]");
    let which = args.get(2).map_or("json", String::as_str);
    let count: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let json = std::fs::read(path).expect("read map");
    let map = SourceMap::from_slice(&json).expect("decode");
    let bytes = to_cache_bytes(&map, CacheOptions::default()).expect("cache");
    let cache = Cache::from_slice(&bytes).expect("open cache");
    // Positions from real tokens plus a few columns, from a fixed-seed xorshift.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let positions: Vec<(u32, u32)> = (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let token = map
                .token((state % map.token_count() as u64) as usize)
                .unwrap();
            (
                token.generated_line(),
                token.generated_column() + (state >> 40) as u32 % 6,
            )
        })
        .collect();
    let view: &dyn SourceMapView = if which == "cache" { &cache } else { &map };
    let start = Instant::now();
    let mut checksum = 0u64;
    for &(line, column) in &positions {
        if let Some(token) = view.raw_lookup(line, column, LookupOptions::default()) {
            checksum = checksum.wrapping_add(u64::from(token.index));
        }
    }
    let elapsed = start.elapsed();
    println!(
        "{which}: {:.1} ns/lookup over {count} (checksum {checksum})",
        elapsed.as_nanos() as f64 / count as f64
    );
}
