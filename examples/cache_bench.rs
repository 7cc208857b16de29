//! Native cache benchmark, per map: opening (from bytes in place, from a file by mmap),
//! lookups through the cache vs the in-memory map on the same 100,000 positions, and
//! size vs the JSON. Rounds alternate between the two so machine noise hits both; the
//! medians (and minima) of the rounds are reported. Not a test: `make bench` runs it.
//!
//! `cargo run --release --example cache_bench -- MAP...` prints a markdown table.

use std::hint::black_box;
use std::time::Instant;

use mapback::{
    to_cache_bytes, write_cache_file, Cache, CacheOptions, LookupOptions, SourceMap, SourceMapView,
};

const POSITIONS: usize = 100_000;
const ROUNDS: usize = 9;

fn median_and_min(mut values: Vec<f64>) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    (values[values.len() / 2], values[0])
}

fn positions(map: &SourceMap) -> Vec<(u32, u32)> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..POSITIONS)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let token = map.token((state % map.token_count().max(1) as u64) as usize);
            token.map_or((0, 0), |t| {
                (
                    t.generated_line(),
                    t.generated_column() + (state >> 40) as u32 % 6,
                )
            })
        })
        .collect()
}

/// Nanoseconds per lookup over all positions.
fn lookup_ns(view: &dyn SourceMapView, positions: &[(u32, u32)]) -> f64 {
    let start = Instant::now();
    let mut checksum = 0u64;
    for &(line, column) in positions {
        if let Some(token) = view.raw_lookup(line, column, LookupOptions::default()) {
            checksum = checksum.wrapping_add(u64::from(token.index));
        }
    }
    black_box(checksum);
    start.elapsed().as_nanos() as f64 / positions.len() as f64
}

/// Nanoseconds per call of `open`, over enough calls to take ~20 ms.
fn open_ns(mut open: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut calls = 0u32;
    while calls < 10 || start.elapsed().as_millis() < 20 {
        open();
        calls += 1;
    }
    start.elapsed().as_nanos() as f64 / f64::from(calls)
}

fn main() {
    let scratch = std::env::temp_dir().join(format!("mapback-cache-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch directory");
    println!("| map | JSON MB | tokens | cache MB | cache/JSON | open in place ns | open file µs | lookup in-memory ns | lookup cache ns | cache/in-memory |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for path in std::env::args().skip(1) {
        let json = std::fs::read(&path).expect("read map");
        let map = SourceMap::from_slice(&json).expect("decode map");
        let bytes = to_cache_bytes(&map, CacheOptions::default()).expect("cache bytes");
        let file = scratch.join("bench.mbc");
        write_cache_file(&map, &file, CacheOptions::default()).expect("cache file");
        let aligned = Cache::from_slice(&bytes)
            .expect("cache")
            .as_bytes()
            .to_vec();
        let cache = Cache::open(&file).expect("open cache");
        let positions = positions(&map);
        let (mut in_memory, mut cached, mut open_bytes, mut open_file) =
            (vec![], vec![], vec![], vec![]);
        for round in 0..ROUNDS {
            // Alternate which goes first, so neither always runs on a warmer machine.
            if round % 2 == 0 {
                in_memory.push(lookup_ns(&map, &positions));
                cached.push(lookup_ns(&cache, &positions));
            } else {
                cached.push(lookup_ns(&cache, &positions));
                in_memory.push(lookup_ns(&map, &positions));
            }
            open_bytes.push(open_ns(|| {
                black_box(Cache::from_bytes(&aligned).expect("open"));
            }));
            open_file.push(
                open_ns(|| {
                    black_box(Cache::open(&file).expect("open"));
                }) / 1000.0,
            );
        }
        let (memory, _) = median_and_min(in_memory);
        let (cache_ns, _) = median_and_min(cached);
        let (bytes_ns, _) = median_and_min(open_bytes);
        let (file_us, _) = median_and_min(open_file);
        println!(
            "| {} | {:.2} | {} | {:.2} | {:.2} | {:.0} | {:.1} | {:.0} | {:.0} | {:.2} |",
            path.rsplit('/').next().unwrap_or(&path),
            json.len() as f64 / 1e6,
            map.token_count(),
            bytes.len() as f64 / 1e6,
            bytes.len() as f64 / json.len() as f64,
            bytes_ns,
            file_us,
            memory,
            cache_ns,
            cache_ns / memory
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
