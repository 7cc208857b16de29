//! Quick, honest first timing: mapback vs the `sourcemap` crate, same process, same bytes.
//!
//! For each map file on the command line:
//! - parse: both libraries parse the same in-memory bytes to a lookup-ready object, for N
//!   rounds, interleaved (even rounds mapback first, odd rounds sourcemap first); the time
//!   excludes dropping the result. `sourcemap::SourceMap::from_slice` is lookup-ready
//!   as returned (it decodes every token eagerly and sorts them by generated position;
//!   `lookup_token` is a binary search over that Vec, no lazy index). mapback is lookup-ready
//!   too (per-line index built while decoding; only the reverse index is lazy), but it keeps
//!   `sourcesContent` escaped until first access, whereas `sourcemap` unescapes every
//!   content string while parsing. So a third series, "mapback+contents", parses and then
//!   touches every source's content: that is the equal-work number.
//! - lookup: 100,000 deterministic positions taken from the map's own tokens (fixed-seed
//!   xorshift picks token indices; column offset 0..=5 so some fall between tokens); all
//!   positions are looked up per round, rounds interleaved; reports ns per lookup.
//! - correctness: compares (source name, original line, original column) per position.
//!   mapback's default lookup is greatest-lower-bound on the same generated line;
//!   `sourcemap::lookup_token` is a greatest-lower-bound over all tokens, so it may return
//!   a token from an earlier line. Content mismatches are counted only where both return a
//!   token on the requested line; "found vs not found" differences are counted separately.
//!
//! Usage: mapback-quick-bench [--parse-rounds N] [--lookup-rounds N] [--lookups N] MAP...

use std::hint::black_box;
use std::time::{Duration, Instant};

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

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
}

#[derive(Clone, Copy, Default)]
struct Stat {
    median: f64,
    min: f64,
}

fn stat(samples: &[Duration]) -> Stat {
    let mut v: Vec<f64> = samples.iter().map(|d| d.as_secs_f64()).collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Stat { median, min: v[0] }
}

struct Options {
    parse_rounds: Option<usize>,
    lookup_rounds: usize,
    lookups: usize,
    files: Vec<String>,
}

fn parse_args() -> Options {
    let mut o = Options {
        parse_rounds: None,
        lookup_rounds: 21,
        lookups: 100_000,
        files: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} needs a number"))
        };
        match a.as_str() {
            "--parse-rounds" => o.parse_rounds = Some(num("--parse-rounds")),
            "--lookup-rounds" => o.lookup_rounds = num("--lookup-rounds"),
            "--lookups" => o.lookups = num("--lookups"),
            _ => o.files.push(a),
        }
    }
    o
}

/// What a lookup resolved to: (source name, original line, original column), or None for
/// a token without an original position.
type Orig<'a> = Option<(Option<&'a str>, u32, u32)>;

fn mb_orig<'a>(t: &mapback::Token<'a>) -> Orig<'a> {
    if !t.has_original() {
        return None;
    }
    Some((
        t.source().and_then(|s| s.name()),
        t.original_line().unwrap(),
        t.original_column().unwrap(),
    ))
}

fn sm_orig<'a>(t: &sourcemap::Token<'a>) -> Orig<'a> {
    if !t.has_source() {
        return None;
    }
    Some((t.get_source(), t.get_src_line(), t.get_src_col()))
}

#[inline(never)]
fn lookups_mapback(map: &mapback::SourceMap, positions: &[(u32, u32)]) -> u64 {
    let mut acc = 0u64;
    for &(line, col) in positions {
        if let Some(t) = map.lookup(line, col) {
            let r = t.raw();
            acc = acc
                .wrapping_add(r.original_line as u64)
                .wrapping_add(r.original_column as u64)
                .wrapping_add(r.source as u64);
        }
    }
    acc
}

#[inline(never)]
fn lookups_sourcemap(map: &sourcemap::SourceMap, positions: &[(u32, u32)]) -> u64 {
    let mut acc = 0u64;
    for &(line, col) in positions {
        if let Some(t) = map.lookup_token(line, col) {
            acc = acc
                .wrapping_add(t.get_src_line() as u64)
                .wrapping_add(t.get_src_col() as u64)
                .wrapping_add(t.get_src_id() as u64);
        }
    }
    acc
}

fn touch_contents(map: &mapback::SourceMap) -> usize {
    map.sources().map(|s| s.content().map_or(0, str::len)).sum()
}

struct Row {
    name: String,
    size_mb: f64,
    tokens: usize,
    parse_mb: Stat,
    parse_mb_contents: Stat,
    parse_sm: Stat,
    lookup_mb: Stat,
    lookup_sm: Stat,
    mismatches: usize,
}

fn run_file(path: &str, o: &Options) -> Result<Row, String> {
    let name = std::path::Path::new(path)
        .file_name()
        .map_or(path.to_string(), |n| n.to_string_lossy().into_owned());
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: read failed: {e}"))?;
    let size_mb = bytes.len() as f64 / 1e6;
    println!("## {name} ({} bytes)", bytes.len());

    // Warm-up parse; errors are reported precisely and end this file's run.
    let mb = match mapback::SourceMap::from_slice(&bytes) {
        Ok(m) => m,
        Err(e) => {
            return Err(format!(
                "{name}: MAPBACK FAILED TO PARSE: {e} (debug: {e:?})"
            ))
        }
    };
    let sm = match sourcemap::SourceMap::from_slice(&bytes) {
        Ok(m) => m,
        Err(e) => {
            return Err(format!(
                "{name}: sourcemap failed to parse: {e} (debug: {e:?})"
            ))
        }
    };

    let strict =
        mapback::SourceMap::from_slice_with(&bytes, &mapback::DecodeOptions::new().strict(true));
    println!(
        "mapback: index map: {}, lenient diagnostics: {}, strict decode: {}",
        mb.is_index_map(),
        mb.diagnostics().len(),
        match &strict {
            Ok(_) => "ok".to_string(),
            Err(e) => format!("ERROR {e}"),
        }
    );
    for d in mb.diagnostics().iter().take(5) {
        println!("  diagnostic: {d}");
    }
    drop(strict);

    let (heap_mappings, heap_other) = mb.heap_size();
    println!(
        "tokens: mapback {}, sourcemap {}; lines (mapback): {}; sources {}, names {}",
        mb.token_count(),
        sm.get_token_count(),
        mb.line_count(),
        mb.source_count(),
        mb.name_count()
    );
    println!(
        "mapback heap_size: mappings {:.2} MB, other {:.2} MB (contents still escaped)",
        heap_mappings as f64 / 1e6,
        heap_other as f64 / 1e6
    );
    println!(
        "sourcemap token Vec: {:.2} MB (size_of::<RawToken>() = {} x tokens; strings not counted)",
        (std::mem::size_of::<sourcemap::RawToken>() * sm.get_token_count() as usize) as f64 / 1e6,
        std::mem::size_of::<sourcemap::RawToken>()
    );

    // Whole-token-set comparison (order-insensitive: sourcemap sorts unstably, so tokens
    // sharing a generated position may be permuted).
    {
        let view = mb.mappings();
        let mut a: Vec<(u32, u32, u32, u32, u32, u32)> = (0..view.len())
            .map(|i| {
                let t = view.token(i).unwrap();
                (
                    t.generated_line,
                    t.generated_column,
                    t.source,
                    t.original_line,
                    t.original_column,
                    t.name,
                )
            })
            .collect();
        let mut b: Vec<(u32, u32, u32, u32, u32, u32)> = sm
            .tokens()
            .map(|t| {
                let r = t.get_raw_token();
                (
                    r.dst_line, r.dst_col, r.src_id, r.src_line, r.src_col, r.name_id,
                )
            })
            .collect();
        a.sort_unstable();
        b.sort_unstable();
        let same = a == b;
        let dup_positions = a
            .windows(2)
            .filter(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
            .count();
        println!(
            "decoded token multisets identical: {}; tokens sharing a generated position with the previous token: {}",
            if same { "yes" } else { "NO" },
            dup_positions
        );
    }

    // ---- parse timing, interleaved ----
    let rounds = o
        .parse_rounds
        .unwrap_or(if bytes.len() > 1_000_000 { 21 } else { 101 });
    let mut t_mb = Vec::with_capacity(rounds);
    let mut t_mbc = Vec::with_capacity(rounds);
    let mut t_sm = Vec::with_capacity(rounds);
    for r in 0..rounds {
        let mut order = [0u8, 1, 2];
        order.rotate_left(r % 3);
        for which in order {
            match which {
                0 => {
                    let start = Instant::now();
                    let m = mapback::SourceMap::from_slice(black_box(&bytes)).unwrap();
                    t_mb.push(start.elapsed());
                    black_box(&m);
                }
                1 => {
                    let start = Instant::now();
                    let m = mapback::SourceMap::from_slice(black_box(&bytes)).unwrap();
                    black_box(touch_contents(&m));
                    t_mbc.push(start.elapsed());
                    black_box(&m);
                }
                _ => {
                    let start = Instant::now();
                    let m = sourcemap::SourceMap::from_slice(black_box(&bytes)).unwrap();
                    t_sm.push(start.elapsed());
                    black_box(&m);
                }
            }
        }
    }
    let parse_mb = stat(&t_mb);
    let parse_mb_contents = stat(&t_mbc);
    let parse_sm = stat(&t_sm);
    println!(
        "parse ({rounds} rounds, ms): mapback median {:.3} min {:.3} | mapback+contents median {:.3} min {:.3} | sourcemap median {:.3} min {:.3}",
        parse_mb.median * 1e3,
        parse_mb.min * 1e3,
        parse_mb_contents.median * 1e3,
        parse_mb_contents.min * 1e3,
        parse_sm.median * 1e3,
        parse_sm.min * 1e3
    );

    // ---- positions ----
    let view = mb.mappings();
    let n = view.len();
    if n == 0 {
        return Err(format!("{name}: map has no tokens"));
    }
    let mut token_line = vec![0u32; n];
    for line in 0..view.line_count() as u32 {
        for i in view.line_range(line) {
            token_line[i] = line;
        }
    }
    let mut rng = XorShift(SEED);
    let positions: Vec<(u32, u32)> = (0..o.lookups)
        .map(|_| {
            let i = (rng.next() % n as u64) as usize;
            let off = (rng.next() % 6) as u32;
            (token_line[i], view.generated_columns[i] + off)
        })
        .collect();

    // ---- correctness ----
    let mut both_same_line = 0usize;
    let mut mismatches = 0usize;
    let mut mismatch_at_shared_position = 0usize;
    let mut mismatch_sm_in_mb_group = 0usize;
    let mut gen_col_differs = 0usize;
    let mut name_differs = 0usize;
    let mut mismatch_exact_hit = 0usize;
    let mut mb_only = 0usize;
    let mut sm_only = 0usize;
    let mut sm_other_line = 0usize;
    let mut neither = 0usize;
    let mut examples: Vec<String> = Vec::new();
    for &(line, col) in &positions {
        let a = mb.lookup(line, col);
        let b_any = sm.lookup_token(line, col);
        if let Some(b) = &b_any {
            if b.get_dst_line() != line {
                sm_other_line += 1;
            }
        }
        let b = b_any.filter(|b| b.get_dst_line() == line);
        match (a, b) {
            (Some(a), Some(b)) => {
                both_same_line += 1;
                if a.generated_column() != b.get_dst_col() {
                    gen_col_differs += 1;
                }
                let (oa, ob) = (mb_orig(&a), sm_orig(&b));
                if oa == ob && a.name() != b.get_name() {
                    name_differs += 1;
                }
                if oa != ob {
                    mismatches += 1;
                    if col == a.generated_column() {
                        mismatch_exact_hit += 1;
                    }
                    let group = mb.original_positions(line, col, Default::default());
                    if group.len() > 1 {
                        mismatch_at_shared_position += 1;
                    }
                    if group.iter().any(|t| mb_orig(t) == ob) {
                        mismatch_sm_in_mb_group += 1;
                    }
                    if examples.len() < 5 {
                        examples.push(format!(
                            "  ({line},{col}): mapback gen col {} -> {:?}; sourcemap gen col {} -> {:?}; tokens at that position (mapback): {}",
                            a.generated_column(),
                            oa,
                            b.get_dst_col(),
                            ob,
                            group.len()
                        ));
                    }
                }
            }
            (Some(_), None) => mb_only += 1,
            (None, Some(_)) => sm_only += 1,
            (None, None) => neither += 1,
        }
    }
    println!(
        "correctness over {} positions: both found on the requested line {both_same_line}; \
         (source, line, column) mismatches {mismatches} (at a generated position holding >1 token: {mismatch_at_shared_position}; \
         sourcemap's answer is one of mapback's tokens at that position: {mismatch_sm_in_mb_group}; \
         lookup column exactly on the token: {mismatch_exact_hit}, between tokens: {between}); \
         found generated column differs {gen_col_differs}; name differs where (source, line, column) agree {name_differs}",
        positions.len(),
        between = mismatches - mismatch_exact_hit,
    );
    println!(
        "found vs not found: mapback only {mb_only}, sourcemap only {sm_only}, neither {neither}; \
         sourcemap returned a token from another line: {sm_other_line}"
    );
    for e in &examples {
        println!("{e}");
    }

    // ---- lookup timing, interleaved ----
    let expect_mb = lookups_mapback(&mb, &positions);
    let expect_sm = lookups_sourcemap(&sm, &positions);
    let mut l_mb = Vec::new();
    let mut l_sm = Vec::new();
    for r in 0..o.lookup_rounds {
        for k in 0..2 {
            if (r + k) % 2 == 0 {
                let start = Instant::now();
                let acc = lookups_mapback(black_box(&mb), black_box(&positions));
                l_mb.push(start.elapsed());
                assert_eq!(black_box(acc), expect_mb);
            } else {
                let start = Instant::now();
                let acc = lookups_sourcemap(black_box(&sm), black_box(&positions));
                l_sm.push(start.elapsed());
                assert_eq!(black_box(acc), expect_sm);
            }
        }
    }
    let per = |s: Stat| Stat {
        median: s.median * 1e9 / positions.len() as f64,
        min: s.min * 1e9 / positions.len() as f64,
    };
    let lookup_mb = per(stat(&l_mb));
    let lookup_sm = per(stat(&l_sm));
    println!(
        "lookup ({} rounds x {} positions, ns/lookup): mapback median {:.1} min {:.1} | sourcemap median {:.1} min {:.1}",
        o.lookup_rounds,
        positions.len(),
        lookup_mb.median,
        lookup_mb.min,
        lookup_sm.median,
        lookup_sm.min
    );
    println!();

    Ok(Row {
        name,
        size_mb,
        tokens: mb.token_count(),
        parse_mb,
        parse_mb_contents,
        parse_sm,
        lookup_mb,
        lookup_sm,
        mismatches,
    })
}

fn main() {
    let o = parse_args();
    if o.files.is_empty() {
        eprintln!("usage: mapback-quick-bench [--parse-rounds N] [--lookup-rounds N] [--lookups N] MAP...");
        std::process::exit(2);
    }
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for f in &o.files {
        match run_file(f, &o) {
            Ok(r) => rows.push(r),
            Err(e) => {
                println!("ERROR: {e}\n");
                failures.push(e);
            }
        }
    }

    println!("Parse: median ms (min in parentheses); ratio = sourcemap / mapback, >1 means mapback is faster.");
    println!("\"mb+contents\" = mapback parse plus unescaping every sourcesContent (sourcemap always does that work).");
    println!("Lookup: median ns per lookup over 100k positions; same ratio convention.\n");
    println!("| map | size MB | tokens | parse ms mapback | parse ms sourcemap | ratio | parse ms mb+contents | ratio | lookup ns mapback | lookup ns sourcemap | ratio | mismatches |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.2} | {} | {:.2} ({:.2}) | {:.2} ({:.2}) | {:.2} | {:.2} ({:.2}) | {:.2} | {:.1} ({:.1}) | {:.1} ({:.1}) | {:.2} | {} |",
            r.name,
            r.size_mb,
            r.tokens,
            r.parse_mb.median * 1e3,
            r.parse_mb.min * 1e3,
            r.parse_sm.median * 1e3,
            r.parse_sm.min * 1e3,
            r.parse_sm.median / r.parse_mb.median,
            r.parse_mb_contents.median * 1e3,
            r.parse_mb_contents.min * 1e3,
            r.parse_sm.median / r.parse_mb_contents.median,
            r.lookup_mb.median,
            r.lookup_mb.min,
            r.lookup_sm.median,
            r.lookup_sm.min,
            r.lookup_sm.median / r.lookup_mb.median,
            r.mismatches
        );
    }
    if !failures.is_empty() {
        println!("\nFAILURES:");
        for f in &failures {
            println!("- {f}");
        }
        std::process::exit(1);
    }
}
