//! The native side of `make bench`: one measurement of one peer on one map per process,
//! printed as one JSON line. `benches/run.py` runs it round after round, interleaving
//! the peers, so a crash or a slow outlier only costs that one sample.
//!
//! ```text
//! mapback-bench-native parse  PEER MAP REPEAT          seconds per parse to a lookup-ready map
//! mapback-bench-native lookup PEER MAP POSITIONS REPEAT  ns per lookup over the positions
//! mapback-bench-native memory PEER MAP                 heap bytes the parsed map keeps
//! mapback-bench-native cache  MAP POSITIONS REPEAT     mapback's binary cache: size, open, lookup
//! mapback-bench-native compose mapback OUTER INNER REPEAT  seconds per composition, JSON to JSON
//! mapback-bench-native positions MAP COUNT SEED OUT    writes COUNT random token positions
//! ```
//!
//! PEER is `mapback`, `sourcemap` (the crate), `oxc` (oxc_sourcemap), `srcmap`
//! (srcmap-sourcemap), or for `parse` one
//! of the floor rows: `floor-read` (reading the file), `floor-json` (serde_json typed
//! parse of the whole map), `floor-vlq` (a bare VLQ decode loop over `mappings`).

mod alloc_counter;
mod floor;
mod peers;

use std::hint::black_box;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use peers::Peer;

#[global_allocator]
static ALLOCATOR: alloc_counter::Counting = alloc_counter::Counting;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["parse", peer, map, repeat] => parse(peer, map, number(repeat)),
        ["lookup", peer, map, positions, repeat] => lookup(peer, map, positions, number(repeat)),
        ["memory", peer, map] => memory(peer, map),
        ["cache", map, positions, repeat] => cache(map, positions, number(repeat)),
        ["compose", "mapback", outer, inner, repeat] => compose(outer, inner, number(repeat)),
        ["positions", map, count, seed, out] => {
            write_positions(map, number(count), number(seed), out)
        }
        _ => Err(format!("usage: see the top of {}", file!())),
    };
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            println!("{}", serde_json::json!({ "error": message }));
            ExitCode::from(2)
        }
    }
}

fn number<T: std::str::FromStr>(text: &str) -> T {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

/// Times `repeat` calls of `run`; what `run` returns is dropped outside the timed span.
fn time_each<T>(repeat: usize, mut run: impl FnMut() -> T) -> Vec<f64> {
    let mut samples = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let start = Instant::now();
        let value = black_box(run());
        samples.push(start.elapsed().as_secs_f64());
        drop(value);
    }
    samples
}

fn parse(peer: &str, map: &str, repeat: usize) -> Result<serde_json::Value, String> {
    let samples = match peer {
        "floor-read" => time_each(repeat, || std::fs::read(map).map(|b| b.len())),
        "floor-json" => {
            let bytes = read(map)?;
            floor::typed_parse(&bytes)?;
            time_each(repeat, || {
                floor::typed_parse(&bytes).map(|m| m.mappings.len())
            })
        }
        "floor-vlq" => {
            let bytes = read(map)?;
            let mappings = floor::typed_parse(&bytes)?.all_mappings();
            time_each(repeat, || floor::vlq_loop(&mappings))
        }
        _ => {
            let peer = Peer::named(peer)?;
            let bytes = read(map)?;
            peer.parse(&bytes)?; // fail before timing, with the peer's own error
            time_each(repeat, || peer.parse(&bytes))
        }
    };
    Ok(serde_json::json!({ "unit": "s", "samples": samples }))
}

fn load_positions(path: &str) -> Result<Vec<(u32, u32)>, String> {
    let text = String::from_utf8(read(path)?).map_err(|e| e.to_string())?;
    text.lines()
        .map(|line| {
            let mut parts = line.split(' ');
            match (parts.next().map(str::parse), parts.next().map(str::parse)) {
                (Some(Ok(l)), Some(Ok(c))) => Ok((l, c)),
                _ => Err(format!("{path}: bad line {line:?}")),
            }
        })
        .collect()
}

fn lookup(
    peer: &str,
    map: &str,
    positions: &str,
    repeat: usize,
) -> Result<serde_json::Value, String> {
    let peer = Peer::named(peer)?;
    let bytes = read(map)?;
    let positions = load_positions(positions)?;
    let parsed = peer.parse(&bytes)?;
    let parsed = parsed.prepare();
    let answers = parsed.answers(&positions); // warm-up pass, and what every peer must agree on
    let samples: Vec<f64> = (0..repeat)
        .map(|_| {
            let start = Instant::now();
            black_box(parsed.checksum(&positions));
            start.elapsed().as_nanos() as f64 / positions.len() as f64
        })
        .collect();
    Ok(serde_json::json!({
        "unit": "ns",
        "samples": samples,
        "found": answers.iter().filter(|a| a.is_some()).count(),
        "answers_hash": peers::hash_answers(&answers),
    }))
}

fn memory(peer: &str, map: &str) -> Result<serde_json::Value, String> {
    let peer = Peer::named(peer)?;
    let (bytes_kept, tokens) = peer.retained(read(map)?)?;
    Ok(serde_json::json!({
        "retained_bytes": bytes_kept,
        "tokens": tokens,
        "bytes_per_token": bytes_kept as f64 / tokens.max(1) as f64,
    }))
}

fn cache(map: &str, positions: &str, repeat: usize) -> Result<serde_json::Value, String> {
    use mapback::{
        to_cache_bytes, write_cache_file, Cache, CacheOptions, LookupOptions, SourceMap,
        SourceMapView,
    };
    let json = read(map)?;
    let positions = load_positions(positions)?;
    let source_map = SourceMap::from_slice(&json).map_err(|e| e.to_string())?;
    let bytes = to_cache_bytes(&source_map, CacheOptions::default()).map_err(|e| e.to_string())?;
    let lean = to_cache_bytes(
        &source_map,
        CacheOptions {
            include_contents: false,
            ..CacheOptions::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let file = std::env::temp_dir().join(format!("mapback-bench-{}.mbc", std::process::id()));
    write_cache_file(&source_map, &file, CacheOptions::default()).map_err(|e| e.to_string())?;
    let opened = Cache::open(&file).map_err(|e| e.to_string())?;
    let lookup_ns = |view: &dyn SourceMapView| {
        let start = Instant::now();
        let mut sum = 0u64;
        for &(line, column) in &positions {
            if let Some(t) = view.raw_lookup(line, column, LookupOptions::default()) {
                sum = sum.wrapping_add(u64::from(t.original_line) ^ u64::from(t.original_column));
            }
        }
        black_box(sum);
        start.elapsed().as_nanos() as f64 / positions.len() as f64
    };
    lookup_ns(&opened); // warm the page cache and the branch predictors
    let lookup: Vec<f64> = (0..repeat).map(|_| lookup_ns(&opened)).collect();
    let open_file: Vec<f64> = (0..repeat.max(20))
        .map(|_| {
            let start = Instant::now();
            black_box(Cache::open(&file).map(|c| c.token_count()).ok());
            start.elapsed().as_secs_f64()
        })
        .collect();
    // `from_bytes` uses aligned bytes in place (what an mmap or a database blob gives);
    // the allocator aligns a Vec<u8> this large, and the check keeps the figure honest.
    if !(bytes.as_ptr() as usize).is_multiple_of(8) {
        return Err("cache bytes are not 8-byte aligned: from_bytes would copy them".into());
    }
    let open_bytes: Vec<f64> = (0..repeat.max(20))
        .map(|_| {
            let start = Instant::now();
            black_box(Cache::from_bytes(&bytes).map(|c| c.token_count()).ok());
            start.elapsed().as_secs_f64()
        })
        .collect();
    drop(opened);
    let _ = std::fs::remove_file(&file);
    Ok(serde_json::json!({
        "json_bytes": json.len(),
        "cache_bytes": bytes.len(),
        "cache_bytes_without_contents": lean.len(),
        "lookup_ns": lookup,
        "open_file_s": open_file,
        "open_bytes_s": open_bytes,
    }))
}

/// COUNT positions of tokens drawn uniformly (with a fixed xorshift seed), written as
/// `line column` lines, 0-based. Every peer reads the same file.
fn write_positions(
    map: &str,
    count: usize,
    seed: u64,
    out: &str,
) -> Result<serde_json::Value, String> {
    use mapback::{SourceMap, SourceMapView};
    let source_map = SourceMap::from_slice(&read(map)?).map_err(|e| e.to_string())?;
    let tokens = source_map.token_count() as u64;
    if tokens == 0 {
        return Err("the map has no tokens".into());
    }
    let mut state = seed | 1;
    let mut text = Vec::with_capacity(count * 12);
    for _ in 0..count {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let token = source_map
            .token((state % tokens) as usize)
            .ok_or("token out of range")?;
        writeln!(
            text,
            "{} {}",
            token.generated_line(),
            token.generated_column()
        )
        .map_err(|e| e.to_string())?;
    }
    std::fs::write(out, text).map_err(|e| format!("{out}: {e}"))?;
    Ok(serde_json::json!({ "positions": count, "tokens": tokens }))
}

/// Parses both maps, composes the outer one through the inner one and encodes the
/// result: JSON texts in, JSON text out, as remapping is measured.
fn compose(outer: &str, inner: &str, repeat: usize) -> Result<serde_json::Value, String> {
    use mapback::produce::{compose, StepMap};
    use mapback::{EncodeOptions, SourceMap, SourceMapView};
    let (outer, inner) = (read(outer)?, read(inner)?);
    let run = || -> Result<String, String> {
        let outer = SourceMap::from_slice(&outer).map_err(|e| e.to_string())?;
        let inner = SourceMap::from_slice(&inner).map_err(|e| e.to_string())?;
        let chain: [&dyn SourceMapView; 2] = [&outer, &inner];
        let mut no_loader = |_: &str, _: usize| -> mapback::Result<Option<StepMap<'_>>> { Ok(None) };
        let composed = compose(&chain, &mut no_loader).map_err(|e| e.to_string())?;
        Ok(composed.to_json(&EncodeOptions::default()))
    };
    let bytes = run()?.len(); // fail before timing, with the error
    let samples = time_each(repeat, run);
    Ok(serde_json::json!({ "unit": "s", "samples": samples, "output_bytes": bytes }))
}
