//! Damaged caches never crash a reader.
//!
//! The contract: a corrupt, truncated or extended cache yields a typed error when it is
//! opened, or opens and answers every query without panicking, reading out of bounds,
//! hanging or allocating without bound. Opening checks the header and the section table
//! (both with CRCs) in O(1); section bodies are only range-checked, so a damaged body
//! may open and answer wrongly, but then `verify()` reports `CacheChecksumMismatch`.
//!
//! Mutations are applied to the caches of several maps: a tiny inline map, the demo map
//! (with and without contents and names), a tc39 index map and a synthetic map of 5,000
//! tokens with large values. Where a mutation must get past the checksums the test
//! recomputes them ("re-seals" the cache). Every open and query sweep runs under
//! `catch_unwind`, and each phase on a worker thread under a watchdog, so a panic or a
//! hang is reported with the mutation that caused it. Each phase prints a summary line
//! (`cargo test --test cache_corruption -- --nocapture` shows them).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use mapback::vlq::{encode_signed, encode_unsigned};
use mapback::{
    to_cache_bytes, write_cache_file, Bias, Cache, CacheOptions, ErrorCode, LookupOptions,
    RawToken, SourceMap, SourceMapView, NONE,
};

// ---------------------------------------------------------------------------------------
// The cache layout, as far as this test needs it (see src/cache/format.rs).

const HEADER_LEN: usize = 64;
const ENTRY_LEN: usize = 24;
const BLOCK_HEADER_LEN: usize = 32;

const FLAG_CONTENTS: u32 = 2;

const LINE_STARTS: u32 = 1;
const BLOCK_HEADERS: u32 = 2;
const BLOCK_BITS: u32 = 3;
const SOURCE_NAMES: u32 = 4;
const SOURCE_PREFIXED_NAMES: u32 = 5;
const SOURCE_URLS: u32 = 6;
const SOURCE_FLAGS: u32 = 7;
const NAMES: u32 = 8;
const CONTENTS: u32 = 9;
// 10 is reserved (an uncompressed content line index, dropped).
const META: u32 = 11;
const BLOCK_FIRST_COLUMNS: u32 = 12;
const STRING_TABLES: [u32; 6] = [
    SOURCE_NAMES,
    SOURCE_PREFIXED_NAMES,
    SOURCE_URLS,
    NAMES,
    CONTENTS,
    META,
];

fn get_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn get_u64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

fn put_u64(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// CRC-32 (IEEE 802.3, as `crc32fast`), written out so the test does not trust the
/// library's own checksum code.
fn crc32(data: &[u8]) -> u32 {
    static TABLE: OnceLock<[u32; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        table
    });
    !data.iter().fold(!0u32, |c, &b| {
        table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// Recomputes the header checksum (bytes 60..64 cover 0..60).
fn reseal_header(bytes: &mut [u8]) {
    if bytes.len() >= HEADER_LEN {
        let crc = crc32(&bytes[..60]);
        put_u32(bytes, 60, crc);
    }
}

/// Recomputes the section table checksum (header 48..52) where the header says the
/// table is, then the header checksum.
fn reseal_table(bytes: &mut [u8]) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    let count = get_u32(bytes, 20) as usize;
    let at = usize::try_from(get_u64(bytes, 24)).unwrap_or(usize::MAX);
    let table = at
        .checked_add(count * ENTRY_LEN)
        .and_then(|end| bytes.get(at..end));
    if let Some(table) = table {
        let crc = crc32(table);
        put_u32(bytes, 48, crc);
    }
    reseal_header(bytes);
}

/// Recomputes the body checksum (header 52..56 covers 64..end), then the header's.
fn reseal_body(bytes: &mut [u8]) {
    if bytes.len() >= HEADER_LEN {
        let crc = crc32(&bytes[HEADER_LEN..]);
        put_u32(bytes, 52, crc);
    }
    reseal_header(bytes);
}

/// Makes every checksum match again, so the cache opens and verifies as far as the
/// checksums go.
fn reseal_all(bytes: &mut [u8]) {
    reseal_table(bytes);
    reseal_body(bytes);
}

/// One section table entry.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Where the entry lies in the file.
    at: usize,
    kind: u32,
    offset: usize,
    len: usize,
}

impl Entry {
    fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.len
    }
}

/// The header fields and section table of an undamaged cache.
#[derive(Clone, Debug)]
struct Layout {
    flags: u32,
    token_count: u32,
    line_count: u32,
    table_at: usize,
    entries: Vec<Entry>,
}

impl Layout {
    fn of(bytes: &[u8]) -> Layout {
        let count = get_u32(bytes, 20) as usize;
        let table_at = get_u64(bytes, 24) as usize;
        let entries = (0..count)
            .map(|i| {
                let at = table_at + i * ENTRY_LEN;
                Entry {
                    at,
                    kind: get_u32(bytes, at),
                    offset: get_u64(bytes, at + 8) as usize,
                    len: get_u64(bytes, at + 16) as usize,
                }
            })
            .collect();
        Layout {
            flags: get_u32(bytes, 16),
            token_count: get_u32(bytes, 40),
            line_count: get_u32(bytes, 44),
            table_at,
            entries,
        }
    }

    fn entry(&self, kind: u32) -> Option<Entry> {
        self.entries.iter().copied().find(|e| e.kind == kind)
    }

    fn table_range(&self) -> Range<usize> {
        self.table_at..self.table_at + self.entries.len() * ENTRY_LEN
    }
}

// ---------------------------------------------------------------------------------------
// The maps.

const FULL: CacheOptions = CacheOptions {
    include_contents: true,
    include_names: true,
    include_scopes: true,
};
const BARE: CacheOptions = CacheOptions {
    include_contents: false,
    include_names: false,
    include_scopes: false,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A small map with every optional field: file, debug ID, sourceRoot, a null source,
/// contents with every line terminator and multi-byte characters, names, ignoreList.
const TINY: &str = r#"{"version":3,"file":"tiny.js",
 "debugId":"85314830-023f-4cf1-a267-535f4e37bb17","sourceRoot":"src/",
 "sources":["a.js",null,"b.js"],
 "sourcesContent":["one\ntwo\r\nthree\rfour\u2028five\u2029six \u00e9 \ud83d\ude00\n",null,"x"],
 "names":["alpha","\u03b2eta"],
 "mappings":"AAAAA,EAAE,GAAGC;;IACH,CAAC;EEAA,C","ignoreList":[2]}"#;

/// 5,000 tokens over 105 generated lines (five of them empty, one at the end) with
/// columns and original positions up to about 2^31, 1-, 4- and 5-field segments,
/// several tokens at one position, three sources (one without content).
fn synthetic_json() -> String {
    let mut mappings = Vec::new();
    let (mut source, mut line, mut column, mut name) = (0i64, 0i64, 0i64, 0i64);
    let mut k: i64 = 0;
    let empty = [13, 40, 41, 77, 104];
    for generated_line in 0..105i64 {
        if generated_line > 0 {
            mappings.push(b';');
        }
        if empty.contains(&generated_line) {
            continue;
        }
        let mut previous = 0i64;
        for j in 0..50i64 {
            if j > 0 {
                mappings.push(b',');
            }
            let generated = if j % 17 == 5 {
                previous // several tokens at one position
            } else {
                generated_line * 7_000_003 + j * 29_000_017
            };
            encode_signed(generated - previous, &mut mappings);
            previous = generated;
            k += 1;
            if k % 7 == 3 {
                continue; // a 1-field segment
            }
            let (s, l, c) = (
                k % 3,
                (k * 2_654_435_761) % 1_000_000_007,
                (k * 40_503) % 2_000_000_000,
            );
            encode_signed(s - source, &mut mappings);
            encode_signed(l - line, &mut mappings);
            encode_signed(c - column, &mut mappings);
            (source, line, column) = (s, l, c);
            if k % 3 == 0 {
                let n = k % 10;
                encode_signed(n - name, &mut mappings);
                name = n;
            }
        }
    }
    let long: String = (0..300)
        .map(|i| format!("line {i}: let value{i} = {};\n", i * 31))
        .collect();
    let mixed = "α\r\nβ\rγ\u{2028}δ\u{2029}é 😀\n\nlast";
    serde_json::json!({
        "version": 3,
        "file": "synthetic.js",
        "debugId": "85314830-023f-4cf1-a267-535f4e37bb17",
        "sourceRoot": "https://example.com/src/",
        "sources": ["one.js", "two.js", "three.js"],
        "sourcesContent": [long, mixed, null],
        "names": ["a", "b", "c", "d", "é", "f", "g", "h", "i", "😀"],
        "ignoreList": [1],
        "mappings": String::from_utf8(mappings).unwrap(),
    })
    .to_string()
}

/// Range mappings (the proposal's `rangeMappings`): 4 lines of 40 segments, every third
/// of them a range mapping, so the RangeMappings section (kind 14) spans several blocks.
fn ranges_json() -> String {
    let mut mappings = Vec::new();
    let mut ranges = Vec::new();
    let mut original_line = 0i64;
    for line in 0..4 {
        if line > 0 {
            mappings.push(b';');
            ranges.push(b';');
        }
        let mut last_range: Option<i64> = None;
        for j in 0..40i64 {
            if j > 0 {
                mappings.push(b',');
            }
            // Column +3, same source, original line +0 or +1, original column +3.
            let next_line = (line * 40 + j) / 7;
            encode_signed(if j == 0 { 0 } else { 3 }, &mut mappings);
            encode_signed(0, &mut mappings);
            encode_signed(next_line - original_line, &mut mappings);
            encode_signed(if j == 0 { 0 } else { 3 }, &mut mappings);
            original_line = next_line;
            if j % 3 == 0 {
                encode_unsigned((j - last_range.unwrap_or(0)) as u32, &mut ranges);
                last_range = Some(j);
            }
        }
    }
    serde_json::json!({
        "version": 3,
        "sources": ["copied.js"],
        "sourcesContent": ["copied"],
        "names": [],
        "mappings": String::from_utf8(mappings).unwrap(),
        "rangeMappings": String::from_utf8(ranges).unwrap(),
    })
    .to_string()
}

struct Fixture {
    name: &'static str,
    map: SourceMap,
    options: CacheOptions,
    bytes: Vec<u8>,
}

impl Fixture {
    fn new(name: &'static str, json: &[u8], options: CacheOptions) -> Fixture {
        let map = SourceMap::from_slice(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let bytes = to_cache_bytes(&map, options).unwrap();
        Fixture {
            name,
            map,
            options,
            bytes,
        }
    }

    fn layout(&self) -> Layout {
        Layout::of(&self.bytes)
    }
}

fn fixtures() -> &'static [Fixture] {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let demo = std::fs::read(root().join("examples/demo/bundle.min.js.map")).unwrap();
        let mut list = vec![
            Fixture::new("tiny", TINY.as_bytes(), FULL),
            Fixture::new("demo", &demo, FULL),
            Fixture::new("demo-bare", &demo, BARE),
            Fixture::new("synthetic", synthetic_json().as_bytes(), FULL),
            Fixture::new("ranges", ranges_json().as_bytes(), FULL),
        ];
        let ranges = &list[list.len() - 1];
        assert!(
            ranges.map.diagnostics().is_empty(),
            "{:?}",
            ranges.map.diagnostics()
        );
        assert_eq!(ranges.layout().entry(14).map(|e| e.len), Some(4 * 4 * 14));
        let tc39 = root().join(
            "../shared/conformance/tc39-source-map-tests/resources/\
             index-map-two-concatenated-sources.js.map",
        );
        if cfg!(mapback_no_tc39) && !tc39.exists() {
            eprintln!("note: the tc39 suite is absent: its index map is NOT tested");
        } else {
            let json = std::fs::read(&tc39)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", tc39.display()));
            list.push(Fixture::new("tc39-index-map", &json, FULL));
        }
        list
    })
}

// ---------------------------------------------------------------------------------------
// The query sweep.

const LOOKUP_OPTIONS: [LookupOptions; 4] = [
    LookupOptions {
        bias: Bias::GreatestLowerBound,
        same_line: true,
    },
    LookupOptions {
        bias: Bias::GreatestLowerBound,
        same_line: false,
    },
    LookupOptions {
        bias: Bias::LeastUpperBound,
        same_line: true,
    },
    LookupOptions {
        bias: Bias::LeastUpperBound,
        same_line: false,
    },
];

/// Columns looked up on every line of the grid.
const GRID_COLUMNS: [u32; 7] = [
    0,
    1,
    100,
    29_000_017,
    i32::MAX as u32,
    u32::MAX - 1,
    u32::MAX,
];
/// Generated lines of the grid (plus the last lines and u32::MAX).
const GRID_LINES: u32 = 12;
/// Tokens sampled for lookups around them and reverse lookups.
const SAMPLE: usize = 24;

/// A cheap multiplicative hash of the answers, so that a cache's sweep can be compared
/// with its map's.
struct Digest(u64);

impl Digest {
    fn new() -> Digest {
        Digest(0xcbf2_9ce4_8422_2325)
    }

    fn num(&mut self, value: u64) {
        self.0 = (self.0 ^ value)
            .wrapping_mul(0x0100_0000_01b3)
            .rotate_left(23);
    }

    fn text(&mut self, text: Option<&str>) {
        match text {
            None => self.num(u64::MAX),
            Some(text) => {
                self.num(text.len() as u64);
                for chunk in text.as_bytes().chunks(8) {
                    let mut word = [0u8; 8];
                    word[..chunk.len()].copy_from_slice(chunk);
                    self.num(u64::from_le_bytes(word));
                }
            }
        }
    }

    fn token(&mut self, token: Option<RawToken>) {
        match token {
            None => self.num(u64::MAX),
            Some(t) => {
                for value in [
                    t.index,
                    t.generated_line,
                    t.generated_column,
                    t.source,
                    t.original_line,
                    t.original_column,
                    t.name,
                ] {
                    self.num(u64::from(value));
                }
            }
        }
    }
}

/// Runs every kind of query on `view` and returns a digest of the answers.
fn sweep(view: &dyn SourceMapView) -> u64 {
    let mut d = Digest::new();
    let count = view.token_count();
    d.num(count as u64);
    d.num(view.line_count() as u64);
    d.text(view.file());
    d.text(view.debug_id());
    d.num(u64::from(view.is_index_map()));
    d.num(view.diagnostics().len() as u64);
    let names = view.names();
    d.num(names.len() as u64);
    for name in &names {
        d.text(Some(name));
    }
    d.text(view.name(u32::MAX));

    // Every token, with its name and source resolved.
    let stride = (count / SAMPLE).max(1);
    let mut sample = Vec::new();
    let mut seen = 0;
    for (i, token) in view.tokens().enumerate() {
        d.token(Some(token.raw()));
        d.text(token.name());
        d.text(token.source().and_then(|s| s.name()));
        d.num(u64::from(token.original_line().unwrap_or(NONE)));
        if i % stride == 0 {
            sample.push(token.raw());
        }
        seen += 1;
    }
    assert_eq!(seen, count, "tokens() yields token_count() tokens");
    for index in [count.saturating_sub(1), count, count + 1, usize::MAX] {
        d.token(view.token(index).map(|t| t.raw()));
    }

    // Generated → original over a grid, and around the sampled tokens.
    let line_count = u32::try_from(view.line_count()).unwrap_or(u32::MAX);
    let mut lines: BTreeSet<u32> = (0..line_count.min(GRID_LINES)).collect();
    lines.extend([
        line_count.saturating_sub(1),
        line_count,
        line_count.saturating_add(1),
        u32::MAX,
    ]);
    let mut positions: Vec<(u32, u32)> = lines
        .iter()
        .flat_map(|&line| GRID_COLUMNS.map(|column| (line, column)))
        .collect();
    for t in &sample {
        let c = t.generated_column;
        positions
            .extend([c.saturating_sub(1), c, c.saturating_add(1)].map(|c| (t.generated_line, c)));
    }
    for (line, column) in positions {
        for options in LOOKUP_OPTIONS {
            d.token(view.lookup_with(line, column, options).map(|t| t.raw()));
            for t in view.original_positions(line, column, options) {
                d.token(Some(t.raw()));
            }
        }
    }
    d.token(view.lookup(0, 0).map(|t| t.raw()));

    // Original → generated for the sampled tokens, and for absurd positions.
    let sources = view.source_count();
    let mut originals: Vec<(u32, u32, u32)> = sample
        .iter()
        .filter(|t| t.source != NONE)
        .flat_map(|t| {
            let (s, l, c) = (t.source, t.original_line, t.original_column);
            [(s, l, c), (s, l, c.saturating_add(1))]
        })
        .collect();
    originals.extend([
        (0, 0, 0),
        (u32::MAX, 0, 0),
        (0, u32::MAX, u32::MAX),
        (sources as u32, 0, 0),
        (u32::MAX, u32::MAX, u32::MAX),
    ]);
    for (s, l, c) in originals {
        for options in LOOKUP_OPTIONS {
            d.token(view.generated_position(s, l, c, options).map(|t| t.raw()));
        }
        for column in [None, Some(c)] {
            for t in view.generated_positions(s, l, column) {
                d.token(Some(t.raw()));
            }
        }
    }

    // Every source: strings, flags, content, every line, context.
    d.num(sources as u64);
    for source in view.sources() {
        d.text(source.name());
        d.text(source.prefixed_name());
        d.text(source.url());
        d.text(source.path());
        d.text(source.content());
        d.num(u64::from(source.is_ignored()));
        let line_total = source.line_count();
        d.num(line_total as u64);
        let last = u32::try_from(line_total).unwrap_or(u32::MAX);
        for line in 0..=last {
            d.text(source.line(line));
        }
        d.text(source.line(u32::MAX));
        for line in [0, last / 2, last.saturating_sub(1), last, u32::MAX] {
            if let Some(context) = source.context(line, 3, 3) {
                d.num(u64::from(line));
                d.num((context.pre.len() + context.post.len()) as u64);
                d.text(Some(context.line));
            }
        }
        if let Some(context) = source.context(last.saturating_sub(1), u32::MAX, u32::MAX) {
            d.num((context.pre.len() + context.post.len()) as u64);
        }
    }
    d.num(u64::from(view.source(u32::MAX).is_none()));
    d.num(u64::from(view.source(sources as u32).is_none()));
    d.text(view.source_name(u32::MAX));
    d.text(view.source_url(u32::MAX));
    d.text(view.source_content(u32::MAX));
    d.text(view.source_line(u32::MAX, 0));
    d.num(view.source_line_count(u32::MAX) as u64);
    d.num(u64::from(view.source_is_ignored(u32::MAX)));
    for index in 0..(sources as u32).min(4) {
        if let Some(name) = view.source_name(index) {
            d.num(u64::from(view.find_source(name).unwrap_or(NONE)));
        }
    }
    d.num(u64::from(
        view.find_source("no/such/source.js").unwrap_or(NONE),
    ));
    d.0
}

// ---------------------------------------------------------------------------------------
// Running mutations.

thread_local! {
    /// The location and message of the last panic on this thread (from the hook).
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Whether this thread is inside `attempt`, whose panics are reported in the phase
    /// summary (without a backtrace each: there may be thousands).
    static IN_ATTEMPT: Cell<bool> = const { Cell::new(false) };
}

/// Installs (once) a panic hook that records where a panic inside `attempt` happened;
/// other panics go to the previous hook.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_ATTEMPT.with(Cell::get) {
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string().replace('\n', " ")));
            } else {
                previous(info);
            }
        }));
    });
}

/// What opening a (damaged) cache did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    /// Refused with this error.
    Failed(ErrorCode),
    /// Opened, and every query returned: the error verify() reported, if any.
    Survived { verify: Option<ErrorCode> },
}

/// What `verify()` must say about a cache that opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verify {
    /// The checksums were re-sealed: verify() passes.
    Passes,
    /// The body changed after sealing: verify() reports CacheChecksumMismatch.
    Mismatch,
}

/// Opens `bytes` through `Cache::from_bytes` (in place, 8-aligned) or
/// `Cache::from_slice` (copied); if it opens, sweeps the queries (unless `queries` is
/// false) and checks the heap the cache holds. `Err` carries a panic's location and
/// message.
fn attempt(bytes: &[u8], in_place: bool, queries: bool) -> Result<Open, String> {
    LAST_PANIC.with(|p| p.borrow_mut().take());
    IN_ATTEMPT.with(|flag| flag.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        // An 8-aligned copy, so that from_bytes borrows it rather than copying.
        let mut buffer = vec![0u8; bytes.len() + 8];
        let start = (8 - buffer.as_ptr() as usize % 8) % 8;
        buffer[start..start + bytes.len()].copy_from_slice(bytes);
        let aligned = &buffer[start..start + bytes.len()];
        let opened = if in_place {
            Cache::from_bytes(aligned)
        } else {
            Cache::from_slice(bytes)
        };
        match opened {
            Err(error) => Open::Failed(error.code()),
            Ok(cache) => {
                if queries {
                    sweep(&cache);
                }
                // Bounded by the input: its copy, the reverse index (4 bytes per token,
                // and a token takes at least one byte), and decompressed contents (LZ4
                // expands at most 255 times).
                let heap = cache.heap_size();
                assert!(
                    heap <= 300 * bytes.len() + 65_536,
                    "heap_size() is {heap} bytes for a {}-byte cache",
                    bytes.len()
                );
                Open::Survived {
                    verify: cache.verify().err().map(|e| e.code()),
                }
            }
        }
    }));
    IN_ATTEMPT.with(|flag| flag.set(false));
    result.map_err(|payload| {
        LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(panic with a non-string payload)".to_string())
    })
}

/// The outcomes of one phase.
struct Tally {
    phase: &'static str,
    progress: Arc<Mutex<String>>,
    mutations: usize,
    typed: usize,
    survived: usize,
    panics: usize,
    failures: Vec<String>,
    slowest: (Duration, String),
}

impl Tally {
    /// Opens `bytes` (alternately in place and copied), sweeps the queries if it opens,
    /// and checks the outcome with `judge`.
    fn check(&mut self, label: String, bytes: &[u8], judge: Judge) {
        self.check_with(label, bytes, judge, true);
    }

    /// As `check`, without the query sweep when `queries` is false.
    fn check_with(&mut self, label: String, bytes: &[u8], judge: Judge, queries: bool) {
        label.clone_into(&mut self.progress.lock().unwrap());
        let started = Instant::now();
        let outcome = attempt(bytes, self.mutations.is_multiple_of(2), queries);
        let elapsed = started.elapsed();
        self.mutations += 1;
        match outcome {
            Err(panic) => {
                self.panics += 1;
                self.failures.push(format!("PANIC {label}: {panic}"));
            }
            Ok(open) => {
                match open {
                    Open::Failed(_) => self.typed += 1,
                    Open::Survived { .. } => self.survived += 1,
                }
                if let Some(complaint) = judge.judge(open) {
                    self.failures.push(format!("{label}: {complaint}"));
                }
            }
        }
        if elapsed > self.slowest.0 {
            self.slowest = (elapsed, label);
        }
    }

    fn report(&self) -> String {
        format!(
            "cache corruption [{}]: {} mutations, {} typed errors, {} opened+survived, {} panics \
             (slowest: {:.1?} for {})",
            self.phase,
            self.mutations,
            self.typed,
            self.survived,
            self.panics,
            self.slowest.0,
            self.slowest.1
        )
    }
}

/// How a mutation's outcome is judged.
#[derive(Clone, Copy, Debug)]
enum Judge {
    /// Refused with one of these codes.
    Refused(&'static [ErrorCode]),
    /// Refused with one of these codes, or opened with every query returning and
    /// verify() saying what `Verify` expects.
    MayOpen(&'static [ErrorCode], Verify),
}

impl Judge {
    /// `Some(complaint)` when `open` breaks the expectation.
    fn judge(self, open: Open) -> Option<String> {
        match (self, open) {
            (Judge::Refused(codes) | Judge::MayOpen(codes, _), Open::Failed(code))
                if codes.contains(&code) =>
            {
                None
            }
            (Judge::MayOpen(_, Verify::Passes), Open::Survived { verify: None }) => None,
            (
                Judge::MayOpen(_, Verify::Mismatch),
                Open::Survived {
                    verify: Some(ErrorCode::CacheChecksumMismatch),
                },
            ) => None,
            (judge, open) => Some(format!("expected {judge:?}, got {open:?}")),
        }
    }
}

/// The number of tests that call `run_phase`.
const PHASES: usize = 6;

/// Runs `body` on a worker thread under a watchdog, then prints the phase summary and
/// fails with every mutation that broke the contract.
fn run_phase(phase: &'static str, body: fn(&mut Tally)) {
    const WATCHDOG: Duration = Duration::from_secs(300);
    install_panic_hook();
    let progress = Arc::new(Mutex::new(String::from("(building the fixtures)")));
    let (sender, receiver) = mpsc::channel();
    let worker_progress = Arc::clone(&progress);
    std::thread::Builder::new()
        .name(phase.to_string())
        .spawn(move || {
            let mut tally = Tally {
                phase,
                progress: worker_progress,
                mutations: 0,
                typed: 0,
                survived: 0,
                panics: 0,
                failures: Vec::new(),
                slowest: (Duration::ZERO, String::new()),
            };
            body(&mut tally);
            let _ = sender.send(tally);
        })
        .unwrap();
    let tally = match receiver.recv_timeout(WATCHDOG) {
        Ok(tally) => tally,
        Err(RecvTimeoutError::Timeout) => panic!(
            "{phase}: no result after {WATCHDOG:?}: a query hangs? Last mutation: {}",
            progress.lock().unwrap()
        ),
        Err(RecvTimeoutError::Disconnected) => panic!(
            "{phase}: the worker died outside catch_unwind during: {}",
            progress.lock().unwrap()
        ),
    };
    println!("{}", tally.report());
    // The phases run in parallel: the last one to finish prints the totals.
    {
        static TOTALS: Mutex<[usize; 5]> = Mutex::new([0; 5]);
        let mut totals = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
        for (total, value) in totals.iter_mut().zip([
            1,
            tally.mutations,
            tally.typed,
            tally.survived,
            tally.panics,
        ]) {
            *total += value;
        }
        if totals[0] == PHASES {
            println!(
                "cache corruption: {} mutations, {} typed errors, {} opened+survived, {} panics",
                totals[1], totals[2], totals[3], totals[4]
            );
        }
    }
    let shown: Vec<&str> = tally.failures.iter().take(60).map(String::as_str).collect();
    assert!(
        tally.failures.is_empty(),
        "{}\n{} of {} mutations broke the contract (first {} shown):\n{}",
        tally.report(),
        tally.failures.len(),
        tally.mutations,
        shown.len(),
        shown.join("\n")
    );
}

/// A seeded xorshift64* generator: the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

// ---------------------------------------------------------------------------------------
// The phases.

#[test]
fn undamaged_caches_answer_like_their_maps() {
    for fx in fixtures() {
        let cache = Cache::from_slice(&fx.bytes).unwrap();
        cache.verify().unwrap();
        // The test's own CRC and layout reading agree with the writer.
        let mut resealed = fx.bytes.clone();
        reseal_all(&mut resealed);
        assert_eq!(
            resealed, fx.bytes,
            "{}: re-sealing changed nothing",
            fx.name
        );
        let layout = fx.layout();
        assert_eq!(layout.table_range().end, fx.bytes.len(), "{}", fx.name);
        assert_eq!(
            layout.flags & FLAG_CONTENTS != 0,
            fx.options.include_contents
        );
        assert_eq!(layout.token_count as usize, fx.map.token_count());
        assert_eq!(layout.line_count as usize, fx.map.line_count());
        if fx.options == FULL {
            assert_eq!(sweep(&fx.map), sweep(&cache), "{}: cache ≠ map", fx.name);
        }
        assert_eq!(
            attempt(&fx.bytes, true, true),
            Ok(Open::Survived { verify: None }),
            "{}",
            fx.name
        );
    }
    let synthetic = fixtures().iter().find(|f| f.name == "synthetic").unwrap();
    assert_eq!(synthetic.map.token_count(), 5_000);
    assert_eq!(synthetic.map.line_count(), 105);
    assert!(synthetic.map.diagnostics().is_empty());
    let tiny = &fixtures()[0];
    assert!(
        tiny.map.diagnostics().is_empty(),
        "{:?}",
        tiny.map.diagnostics()
    );
}

/// (a) Every bit of the header and the section table is checksummed: flipping one
/// refuses the cache, with NotACache for the magic and UnsupportedCacheVersion for the
/// version (both checked before the checksum), CorruptCache otherwise.
#[test]
fn header_and_table_bit_flips_are_refused() {
    run_phase("header+table flips", |tally| {
        for fx in fixtures() {
            let table = fx.layout().table_range();
            let offsets = (0..HEADER_LEN).chain(table);
            for at in offsets {
                let expected: &'static [ErrorCode] = match at {
                    0..=7 => &[ErrorCode::NotACache],
                    8..=11 => &[ErrorCode::UnsupportedCacheVersion],
                    _ => &[ErrorCode::CorruptCache],
                };
                for mask in [1u8, 2, 4, 8, 16, 32, 64, 128, 0xFF] {
                    let mut bytes = fx.bytes.clone();
                    bytes[at] ^= mask;
                    let label = format!("{}: byte {at} ^= {mask:#04x}", fx.name);
                    tally.check(label, &bytes, Judge::Refused(expected));
                }
            }
        }
    });
}

/// (a) Header fields changed with the header checksum recomputed: the magic, version
/// and length checks still refuse with their own codes; the other fields either refuse
/// (CorruptCache) or open a cache whose queries all return.
#[test]
fn resealed_header_fields_are_refused_or_survived() {
    run_phase("resealed header fields", |tally| {
        for fx in fixtures() {
            let layout = fx.layout();
            let len = fx.bytes.len() as u64;
            let mut run = |label: String, edit: &dyn Fn(&mut Vec<u8>), judge: Judge| {
                let mut bytes = fx.bytes.clone();
                edit(&mut bytes);
                reseal_all(&mut bytes);
                tally.check(format!("{}: {label} (resealed)", fx.name), &bytes, judge);
            };
            for (at, value) in [(0, b'm'), (7, b'c'), (3, 0)] {
                run(
                    format!("magic byte {at} = {value:#04x}"),
                    &|b| b[at] = value,
                    Judge::Refused(&[ErrorCode::NotACache]),
                );
            }
            for version in [0, 2, 0x100, u32::MAX] {
                run(
                    format!("version = {version}"),
                    &|b| put_u32(b, 8, version),
                    Judge::Refused(&[ErrorCode::UnsupportedCacheVersion]),
                );
            }
            for length in [0, 1, 64, len - 1, len + 1, len + 8, u64::MAX, len << 32] {
                run(
                    format!("file_length = {length}"),
                    &|b| put_u64(b, 32, length),
                    Judge::Refused(&[ErrorCode::TruncatedCache]),
                );
            }
            for marker in [0x0D0C_0B0Au32, 0, u32::MAX] {
                run(
                    format!("endian marker = {marker:#x}"),
                    &|b| put_u32(b, 12, marker),
                    Judge::Refused(&[ErrorCode::CorruptCache]),
                );
            }
            let table = layout.table_at as u64;
            for offset in [
                0,
                8,
                63,
                64,
                table - 8,
                table + 1,
                table + 8,
                len,
                len + 8,
                u64::MAX,
            ] {
                run(
                    format!("section_table_offset = {offset}"),
                    &|b| put_u64(b, 24, offset),
                    Judge::Refused(&[ErrorCode::CorruptCache]),
                );
            }
            let count = layout.entries.len() as u32;
            for sections in [0, 1, count - 1, count + 1, 0x0AAA_AAAB, u32::MAX] {
                run(
                    format!("section_count = {sections}"),
                    &|b| put_u32(b, 20, sections),
                    Judge::Refused(&[ErrorCode::CorruptCache]),
                );
            }
            // Fields that may leave an openable cache.
            let tokens = layout.token_count;
            let blocks = tokens.div_ceil(32);
            for value in [
                0,
                1,
                tokens.wrapping_sub(1),
                tokens + 1,
                blocks * 32,
                blocks * 32 + 1,
                u32::MAX - 1,
                u32::MAX,
            ] {
                run(
                    format!("token_count = {value}"),
                    &|b| put_u32(b, 40, value),
                    Judge::MayOpen(&[ErrorCode::CorruptCache], Verify::Passes),
                );
            }
            let lines = layout.line_count;
            for value in [0, lines.wrapping_sub(1), lines + 1, u32::MAX] {
                run(
                    format!("line_count = {value}"),
                    &|b| put_u32(b, 44, value),
                    Judge::MayOpen(&[ErrorCode::CorruptCache], Verify::Passes),
                );
            }
            let flag_values = (0..32)
                .map(|bit| layout.flags ^ (1 << bit))
                .chain([0, u32::MAX]);
            for flags in flag_values {
                run(
                    format!("flags = {flags:#x}"),
                    &|b| put_u32(b, 16, flags),
                    Judge::MayOpen(&[ErrorCode::CorruptCache], Verify::Passes),
                );
            }
            run(
                "reserved 56..60 = 0xFFFFFFFF".to_string(),
                &|b| put_u32(b, 56, u32::MAX),
                Judge::MayOpen(&[ErrorCode::CorruptCache], Verify::Passes),
            );
        }
    });
}

/// (b) Each section table entry's offset and length set to boundary values, with the
/// checksums re-sealed so that only the range checks stand in the way: refused with
/// CorruptCache, or (when the change happens to be harmless) opened with every query
/// returning. Also: unknown kinds, duplicated kinds, flags, an entry pointing at
/// another section's bytes, and an appended entry.
#[test]
fn section_table_boundary_values_are_refused_or_survived() {
    run_phase("section table boundaries", |tally| {
        let corrupt: &'static [ErrorCode] = &[ErrorCode::CorruptCache];
        for fx in fixtures() {
            let layout = fx.layout();
            let len = fx.bytes.len() as u64;
            let table = layout.table_at as u64;
            let mut run = |label: String, edit: &dyn Fn(&mut Vec<u8>), judge: Judge| {
                let mut bytes = fx.bytes.clone();
                edit(&mut bytes);
                reseal_all(&mut bytes);
                tally.check(format!("{}: {label} (resealed)", fx.name), &bytes, judge);
            };
            for (index, entry) in layout.entries.iter().enumerate() {
                let fields = [
                    ("offset", entry.at + 8, entry.offset as u64),
                    ("length", entry.at + 16, entry.len as u64),
                ];
                for (field, at, original) in fields {
                    let values: BTreeSet<u64> = [
                        0,
                        1,
                        7,
                        8,
                        63,
                        64,
                        65,
                        len - 8,
                        len - 1,
                        len,
                        len + 1,
                        len + 8,
                        table,
                        table + 4,
                        1 << 32,
                        1 << 63,
                        u64::MAX - 7,
                        u64::MAX,
                        original + 1,
                        original + 4,
                        original + 8,
                        original.wrapping_sub(1),
                        original.wrapping_sub(8),
                    ]
                    .into_iter()
                    .filter(|&v| v != original)
                    .collect();
                    for value in values {
                        run(
                            format!("section {index} (kind {}) {field} = {value}", entry.kind),
                            &|b| put_u64(b, at, value),
                            Judge::MayOpen(corrupt, Verify::Passes),
                        );
                    }
                }
                let pairs = [
                    (len - 8, 16),
                    (u64::MAX - 7, 16),
                    (64, u64::MAX),
                    (64, len - 64),
                    (table, len - table),
                    (table - 8, 16),
                    (len, 0),
                ];
                for (offset, length) in pairs {
                    run(
                        format!("section {index} (kind {}) = {offset}+{length}", entry.kind),
                        &|b| {
                            put_u64(b, entry.at + 8, offset);
                            put_u64(b, entry.at + 16, length);
                        },
                        Judge::MayOpen(corrupt, Verify::Passes),
                    );
                }
                // An unknown kind: refused with UnsupportedCacheVersion when required;
                // skipped when optional (then the known section it replaced is missing).
                let unknown = [0, 0xFFFF, 0x8000_0000, u32::MAX]
                    .into_iter()
                    .filter(|&k| layout.entry(k).is_none());
                for kind in unknown {
                    run(
                        format!("section {index} kind {} -> {kind}, required", entry.kind),
                        &|b| {
                            put_u32(b, entry.at, kind);
                            put_u32(b, entry.at + 4, 1);
                        },
                        Judge::Refused(&[ErrorCode::UnsupportedCacheVersion]),
                    );
                    run(
                        format!("section {index} kind {} -> {kind}, optional", entry.kind),
                        &|b| {
                            put_u32(b, entry.at, kind);
                            put_u32(b, entry.at + 4, 0);
                        },
                        Judge::MayOpen(corrupt, Verify::Passes),
                    );
                }
                for other in layout.entries.iter().filter(|e| e.kind != entry.kind) {
                    run(
                        format!(
                            "section {index} kind {} -> {} (twice)",
                            entry.kind, other.kind
                        ),
                        &|b| put_u32(b, entry.at, other.kind),
                        Judge::Refused(corrupt),
                    );
                    run(
                        format!(
                            "section {index} (kind {}) -> the bytes of kind {}",
                            entry.kind, other.kind
                        ),
                        &|b| {
                            put_u64(b, entry.at + 8, other.offset as u64);
                            put_u64(b, entry.at + 16, other.len as u64);
                        },
                        Judge::MayOpen(corrupt, Verify::Passes),
                    );
                }
                for flags in [0, 2, u32::MAX] {
                    run(
                        format!("section {index} (kind {}) flags = {flags:#x}", entry.kind),
                        &|b| put_u32(b, entry.at + 4, flags),
                        Judge::MayOpen(corrupt, Verify::Passes),
                    );
                }
            }
            // An entry appended to the table (the table ends the file).
            let appended: [(u32, u32, u64, u64, Judge); 5] = [
                (200, 0, 64, 0, Judge::MayOpen(corrupt, Verify::Passes)),
                (200, 0, 64, 8, Judge::MayOpen(corrupt, Verify::Passes)),
                (
                    200,
                    1,
                    64,
                    0,
                    Judge::Refused(&[ErrorCode::UnsupportedCacheVersion]),
                ),
                (200, 0, u64::MAX, 8, Judge::Refused(corrupt)),
                (LINE_STARTS, 1, 64, 0, Judge::Refused(corrupt)),
            ];
            for (kind, flags, offset, length, judge) in appended {
                run(
                    format!("appended entry kind {kind} flags {flags} at {offset}+{length}"),
                    &|b| {
                        b.extend_from_slice(&kind.to_le_bytes());
                        b.extend_from_slice(&flags.to_le_bytes());
                        b.extend_from_slice(&offset.to_le_bytes());
                        b.extend_from_slice(&length.to_le_bytes());
                        let new_len = b.len() as u64;
                        put_u64(b, 32, new_len);
                        let count = get_u32(b, 20);
                        put_u32(b, 20, count + 1);
                    },
                    judge,
                );
            }
        }
    });
}

/// (c) Every truncation (a sample of them for the larger caches) and extensions by 1 to
/// 16 bytes: NotACache below the header's 64 bytes, TruncatedCache otherwise. With the
/// recorded length re-sealed to match, a truncated cache has lost (part of) its section
/// table, the last thing in the file: CorruptCache; an extended one may open.
#[test]
fn truncated_and_extended_caches_are_refused() {
    run_phase("truncations+extensions", |tally| {
        for fx in fixtures() {
            let len = fx.bytes.len();
            let cuts: BTreeSet<usize> = if len <= 16 * 1024 {
                (0..len).collect()
            } else {
                (0..=128)
                    .chain((0..500).map(|i| i * len / 500))
                    .chain(len - 128..len)
                    .collect()
            };
            for cut in cuts {
                let expected: &'static [ErrorCode] = if cut < HEADER_LEN {
                    &[ErrorCode::NotACache]
                } else {
                    &[ErrorCode::TruncatedCache]
                };
                tally.check(
                    format!("{}: truncated to {cut} of {len} bytes", fx.name),
                    &fx.bytes[..cut],
                    Judge::Refused(expected),
                );
                if cut >= HEADER_LEN && (cut % 5 == 0 || cut + 32 > len) {
                    let mut bytes = fx.bytes[..cut].to_vec();
                    put_u64(&mut bytes, 32, cut as u64);
                    reseal_header(&mut bytes);
                    tally.check(
                        format!("{}: truncated to {cut}, length resealed", fx.name),
                        &bytes,
                        Judge::Refused(&[ErrorCode::CorruptCache]),
                    );
                }
            }
            for extra in 1..=16 {
                for fill in [0x00u8, 0xFF] {
                    let mut bytes = fx.bytes.clone();
                    bytes.resize(len + extra, fill);
                    tally.check(
                        format!("{}: extended by {extra} × {fill:#04x}", fx.name),
                        &bytes,
                        Judge::Refused(&[ErrorCode::TruncatedCache]),
                    );
                    put_u64(&mut bytes, 32, (len + extra) as u64);
                    reseal_header(&mut bytes);
                    tally.check(
                        format!(
                            "{}: extended by {extra} × {fill:#04x}, length resealed",
                            fx.name
                        ),
                        &bytes,
                        Judge::MayOpen(&[ErrorCode::CorruptCache], Verify::Mismatch),
                    );
                    reseal_body(&mut bytes);
                    tally.check(
                        format!(
                            "{}: extended by {extra} × {fill:#04x}, all resealed",
                            fx.name
                        ),
                        &bytes,
                        Judge::MayOpen(&[ErrorCode::CorruptCache], Verify::Passes),
                    );
                }
            }
        }
    });
}

/// (d) Seeded random damage to the section bodies (single bytes, and whole u32 words
/// set to random or boundary values): 2,000 damaged caches, each opened as damaged and
/// again with its body checksum re-sealed. Opening checks only the table, so most
/// damaged caches open: every query must return, and verify() must report the damage,
/// unless the body checksum was re-sealed (then it passes and only the answers are
/// wrong).
#[test]
fn random_body_damage_is_survived_and_detected_by_verify() {
    run_phase("random body damage", |tally| {
        let corrupt: &'static [ErrorCode] = &[ErrorCode::CorruptCache];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let per_fixture = 2_000 / fixtures().len();
        for fx in fixtures() {
            let body = HEADER_LEN..fx.layout().table_at;
            let mut done = 0;
            while done < per_fixture {
                let mut bytes = fx.bytes.clone();
                let what = match rng.below(4) {
                    0 | 1 => {
                        let at = body.start + rng.below(body.len());
                        let mask = (rng.below(255) + 1) as u8;
                        bytes[at] ^= mask;
                        format!("byte {at} ^= {mask:#04x}")
                    }
                    2 => {
                        let at = body.start + 4 * rng.below(body.len() / 4);
                        let value = rng.next() as u32;
                        put_u32(&mut bytes, at, value);
                        format!("u32 at {at} = {value:#x}")
                    }
                    _ => {
                        let at = body.start + 4 * rng.below(body.len() / 4);
                        let values = [0, 1, 31, 32, 33, 255, 0x7FFF_FFFF, 0x8000_0000, u32::MAX];
                        let value = values[rng.below(values.len())];
                        put_u32(&mut bytes, at, value);
                        format!("u32 at {at} = {value:#x}")
                    }
                };
                if bytes == fx.bytes {
                    continue;
                }
                done += 1;
                tally.check(
                    format!("{}: {what}", fx.name),
                    &bytes,
                    Judge::MayOpen(corrupt, Verify::Mismatch),
                );
                // Re-sealing changes only header fields that no query reads, so the
                // answers are those just swept: sweep again for a quarter of them only.
                reseal_body(&mut bytes);
                tally.check_with(
                    format!("{}: {what}, body CRC resealed", fx.name),
                    &bytes,
                    Judge::MayOpen(corrupt, Verify::Passes),
                    done % 4 == 0,
                );
            }
        }
    });
}

/// A mutation of a cache's bytes, named.
type Run<'r> = dyn FnMut(String, &dyn Fn(&mut [u8])) + 'r;

/// Indices worth damaging among `0..n`: the first, second, middle, second-to-last and
/// last.
fn picks(n: usize) -> BTreeSet<usize> {
    [0, 1, n / 2, n.saturating_sub(2), n.saturating_sub(1)]
        .into_iter()
        .filter(|&i| i < n)
        .collect()
}

/// Block headers: widths over 32, bases near u32::MAX, word offsets past the bits.
fn damage_block_headers(original: &[u8], layout: &Layout, run: &mut Run<'_>) {
    let Some(headers) = layout.entry(BLOCK_HEADERS) else {
        return;
    };
    let words = layout.entry(BLOCK_BITS).map_or(0, |e| e.len / 8) as u32;
    let blocks = headers.len / BLOCK_HEADER_LEN;
    let chosen: BTreeSet<usize> = [0, blocks / 2, blocks.saturating_sub(1)]
        .into_iter()
        .filter(|&b| b < blocks)
        .collect();
    for block in chosen {
        let at = headers.offset + block * BLOCK_HEADER_LEN;
        for field in 0..5 {
            for width in [31u8, 32, 33, 64, 65, 255] {
                run(format!("block {block} width[{field}] = {width}"), &|b| {
                    b[at + 20 + field] = width
                });
            }
            for base in [0, 0x8000_0000, u32::MAX - 1, u32::MAX] {
                run(format!("block {block} base[{field}] = {base:#x}"), &|b| {
                    put_u32(b, at + 4 * field, base)
                });
            }
            run(
                format!("block {block} field {field}: width 0, base MAX"),
                &|b| {
                    b[at + 20 + field] = 0;
                    put_u32(b, at + 4 * field, u32::MAX);
                },
            );
        }
        let word = get_u32(original, at + 28);
        for value in [
            0,
            1,
            word + 1,
            words.saturating_sub(2),
            words.saturating_sub(1),
            words,
            words + 1,
            0x8000_0000,
            u32::MAX - 1,
            u32::MAX,
        ] {
            run(format!("block {block} word = {value}"), &|b| {
                put_u32(b, at + 28, value)
            });
        }
        run(format!("block {block}: every width 255, base MAX"), &|b| {
            b[at..at + 20].fill(0xFF);
            b[at + 20..at + 25].fill(255);
        });
        run(format!("block {block}: padding 0xFF"), &|b| {
            b[at + 25..at + 28].fill(0xFF)
        });
        run(format!("block {block}: all 0xFF"), &|b| {
            b[at..at + BLOCK_HEADER_LEN].fill(0xFF)
        });
        run(format!("block {block}: all zero"), &|b| {
            b[at..at + BLOCK_HEADER_LEN].fill(0)
        });
    }
    if let Some(bits) = layout.entry(BLOCK_BITS) {
        run("bits: all 0xFF".to_string(), &|b| {
            b[bits.range()].fill(0xFF)
        });
        run("bits: all zero".to_string(), &|b| b[bits.range()].fill(0));
    }
}

/// Line starts: non-monotonic, past the token count, u32::MAX.
fn damage_line_starts(original: &[u8], layout: &Layout, run: &mut Run<'_>) {
    let Some(starts) = layout.entry(LINE_STARTS) else {
        return;
    };
    let n = starts.len / 4;
    let tokens = layout.token_count;
    let at = |i: usize| starts.offset + 4 * i;
    for i in picks(n) {
        let old = get_u32(original, at(i));
        for value in [
            0,
            1,
            old.wrapping_sub(1),
            old + 1,
            tokens.wrapping_sub(1),
            tokens,
            tokens + 1,
            tokens + 1000,
            0x8000_0000,
            u32::MAX - 1,
            u32::MAX,
        ] {
            run(format!("line_starts[{i}] = {value}"), &|b| {
                put_u32(b, at(i), value)
            });
        }
    }
    for (name, value) in [
        ("zero", 0),
        ("token_count", tokens),
        ("token_count + 1", tokens + 1),
        ("MAX", u32::MAX),
    ] {
        run(format!("line_starts: all {name}"), &|b| {
            for i in 0..n {
                put_u32(b, at(i), value);
            }
        });
    }
    run("line_starts: reversed".to_string(), &|b| {
        for i in 0..n {
            put_u32(b, at(i), get_u32(original, at(n - 1 - i)));
        }
    });
    run("line_starts: descending".to_string(), &|b| {
        for i in 0..n {
            put_u32(b, at(i), tokens.saturating_sub(i as u32 * 7));
        }
    });
    if n >= 3 {
        let i = n / 2;
        run(
            format!("line_starts: [{i}] and [{}] swapped", i + 1),
            &|b| {
                put_u32(b, at(i), get_u32(original, at(i + 1)));
                put_u32(b, at(i + 1), get_u32(original, at(i)));
            },
        );
    }
}

/// String tables: huge or wrong counts, spans out of bounds or overflowing, invalid
/// UTF-8 and spans that split a character.
fn damage_string_tables(original: &[u8], layout: &Layout, run: &mut Run<'_>) {
    for kind in STRING_TABLES {
        let Some(table) = layout.entry(kind) else {
            continue;
        };
        let count = get_u32(original, table.offset);
        let max_fit = ((table.len - 8) / 8) as u32;
        let data_at = table.offset + 8 + 8 * count as usize;
        let data_len = (table.offset + table.len - data_at) as u32;
        for value in [
            0,
            1,
            count.wrapping_sub(1),
            count + 1,
            count + 2,
            max_fit,
            max_fit + 1,
            0x2000_0000,
            0x8000_0000,
            u32::MAX,
        ] {
            run(format!("table {kind}: count = {value}"), &|b| {
                put_u32(b, table.offset, value)
            });
        }
        run(format!("table {kind}: pad = MAX"), &|b| {
            put_u32(b, table.offset + 4, u32::MAX)
        });
        let entries: BTreeSet<usize> = [0, (count as usize).saturating_sub(1)]
            .into_iter()
            .filter(|&i| i < count as usize)
            .collect();
        for i in entries {
            let span_at = table.offset + 8 + 8 * i;
            let (start, len) = (get_u32(original, span_at), get_u32(original, span_at + 4));
            for (s, l) in [
                (u32::MAX, 0),
                (u32::MAX, 1),
                (u32::MAX - 1, 2),
                (0, u32::MAX),
                (u32::MAX, u32::MAX),
                (data_len, 0),
                (data_len, 1),
                (data_len + 8, 8),
                (0, data_len + 1),
                (0, data_len + 64),
                (0x8000_0000, 0x8000_0000),
                (1, data_len.saturating_sub(1)),
                (start.wrapping_add(1), len),
                (start, len.wrapping_add(1)),
                (start, len.saturating_sub(1)),
            ] {
                run(format!("table {kind}: span[{i}] = ({s}, {l})"), &|b| {
                    put_u32(b, span_at, s);
                    put_u32(b, span_at + 4, l);
                });
            }
        }
        if data_len > 0 {
            let last = table.offset + table.len - 1;
            for (at, value) in [
                (data_at, 0xFFu8),
                (data_at, 0x80),
                (last, 0xC3),
                (last, 0xE2),
            ] {
                run(
                    format!("table {kind}: data byte {at} = {value:#04x}"),
                    &|b| b[at] = value,
                );
            }
        }
    }
}

/// The first generated column of each block (the block-level search of a lookup):
/// out of order, above every real column.
fn damage_first_columns(original: &[u8], layout: &Layout, run: &mut Run<'_>) {
    let Some(columns) = layout.entry(BLOCK_FIRST_COLUMNS) else {
        return;
    };
    let n = columns.len / 4;
    let at = |i: usize| columns.offset + 4 * i;
    run("first columns: reversed".to_string(), &|b| {
        for i in 0..n {
            put_u32(b, at(i), get_u32(original, at(n - 1 - i)));
        }
    });
    run("first columns: descending".to_string(), &|b| {
        for i in 0..n {
            put_u32(b, at(i), u32::MAX - i as u32);
        }
    });
    run("first columns: every other MAX".to_string(), &|b| {
        for i in (0..n).step_by(2) {
            put_u32(b, at(i), u32::MAX);
        }
    });
}

/// Any section, whatever its kind (so that kinds added later are covered too): filled
/// with 0xFF or zeros, or some of its u32 words set to boundary values.
fn damage_any_section(entry: Entry, run: &mut Run<'_>) {
    let kind = entry.kind;
    run(format!("section {kind}: all 0xFF"), &|b| {
        b[entry.range()].fill(0xFF)
    });
    run(format!("section {kind}: all zero"), &|b| {
        b[entry.range()].fill(0)
    });
    for word in picks(entry.len / 4) {
        let at = entry.offset + 4 * word;
        for value in [0, 1, 0x8000_0000, u32::MAX] {
            run(format!("section {kind}: word {word} = {value:#x}"), &|b| {
                put_u32(b, at, value)
            });
        }
    }
}

/// Compressed contents (`[uncompressed length u32][LZ4 block]` per source): forged
/// lengths (zero, off by one, past the 255x bound LZ4 allows, u32::MAX), and damaged
/// block bytes (tokens, literal and match lengths, match offsets).
fn damage_contents(original: &[u8], layout: &Layout, run: &mut Run<'_>) {
    let Some(table) = layout.entry(CONTENTS) else {
        return;
    };
    let count = get_u32(original, table.offset) as usize;
    let data_at = table.offset + 8 + 8 * count;
    let mut damaged = 0;
    for i in 0..count {
        let span_at = table.offset + 8 + 8 * i;
        let (start, len) = (
            get_u32(original, span_at) as usize,
            get_u32(original, span_at + 4) as usize,
        );
        if start == u32::MAX as usize || len < 5 || damaged == 2 {
            continue; // null, empty, or enough sources damaged already
        }
        damaged += 1;
        let at = data_at + start;
        let length = get_u32(original, at);
        let block = (len - 4) as u32;
        for value in [
            0,
            1,
            length.wrapping_sub(1),
            length.wrapping_add(1),
            length.wrapping_mul(2),
            block * 255 + 16,
            block * 255 + 17,
            0x8000_0000,
            u32::MAX,
        ] {
            run(format!("content {i}: length {length} -> {value}"), &|b| {
                put_u32(b, at, value)
            });
        }
        // Block bytes: the first ones (token, literals, first match), then a spread.
        let block_at = at + 4;
        let block_len = len - 4;
        let positions: BTreeSet<usize> = (0..block_len.min(8))
            .chain((0..12).map(|k| k * block_len / 12))
            .chain(block_len.saturating_sub(3)..block_len)
            .collect();
        for p in positions {
            for value in [0x00u8, 0xFF, 0x0F] {
                run(
                    format!("content {i}: block byte {p} = {value:#04x}"),
                    &|b| b[block_at + p] = value,
                );
            }
        }
    }
}

/// Semantic damage with every checksum re-sealed (so verify() passes too): block
/// headers, line starts, string tables, compressed contents, source flags. All of
/// it must be survivable: a refusal (CorruptCache, from the O(1) layout checks) or
/// queries that all return.
#[test]
fn corrupt_section_contents_are_survived() {
    run_phase("semantic damage (resealed)", |tally| {
        for fx in fixtures() {
            let layout = fx.layout();
            let mut run = |label: String, edit: &dyn Fn(&mut [u8])| {
                let mut bytes = fx.bytes.clone();
                edit(&mut bytes);
                reseal_all(&mut bytes);
                tally.check(
                    format!("{}: {label} (resealed)", fx.name),
                    &bytes,
                    Judge::MayOpen(&[ErrorCode::CorruptCache], Verify::Passes),
                );
            };
            damage_block_headers(&fx.bytes, &layout, &mut run);
            damage_line_starts(&fx.bytes, &layout, &mut run);
            damage_string_tables(&fx.bytes, &layout, &mut run);
            damage_contents(&fx.bytes, &layout, &mut run);
            damage_first_columns(&fx.bytes, &layout, &mut run);
            for &entry in &layout.entries {
                damage_any_section(entry, &mut run);
            }
            if let Some(flags) = layout.entry(SOURCE_FLAGS) {
                run("source flags: all 0xFF".to_string(), &|b| {
                    b[flags.range()].fill(0xFF)
                });
            }
            // Sections that overlap: names read from the sources' table, contents from
            // the names', the bits from the block headers.
            for (kind, from) in [
                (NAMES, SOURCE_NAMES),
                (CONTENTS, NAMES),
                (SOURCE_URLS, META),
                (BLOCK_BITS, BLOCK_HEADERS),
                (BLOCK_BITS, LINE_STARTS),
            ] {
                if let (Some(entry), Some(source)) = (layout.entry(kind), layout.entry(from)) {
                    run(
                        format!("section {kind} reads section {from}'s bytes"),
                        &|b| {
                            put_u64(b, entry.at + 8, source.offset as u64);
                            put_u64(b, entry.at + 16, source.len as u64);
                        },
                    );
                }
            }
            if let Some(bits) = layout.entry(BLOCK_BITS) {
                run("bits section cut to 8 bytes".to_string(), &|b| {
                    put_u64(b, bits.at + 16, 8)
                });
            }
        }
    });
}

/// Files through `Cache::open` (mmap): missing, a directory, empty, truncated,
/// extended, damaged.
#[test]
fn cache_files_open_with_typed_errors() {
    let fx = fixtures().iter().find(|f| f.name == "demo").unwrap();
    /// Removes the directory even when an assertion fails.
    struct TempDir(PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let temp = TempDir(
        std::env::temp_dir().join(format!("mapback-cache-corruption-{}", std::process::id())),
    );
    let dir = temp.0.clone();
    std::fs::create_dir_all(&dir).unwrap();
    let code = |path: &std::path::Path| Cache::open(path).map(|_| ()).map_err(|e| e.code());

    assert_eq!(code(&dir.join("missing.mbc")), Err(ErrorCode::Io));
    assert_eq!(code(&dir), Err(ErrorCode::Io));
    let path = dir.join("damaged.mbc");
    std::fs::write(&path, b"").unwrap();
    assert_eq!(code(&path), Err(ErrorCode::NotACache));
    std::fs::write(&path, &fx.bytes[..40]).unwrap();
    assert_eq!(code(&path), Err(ErrorCode::NotACache));
    std::fs::write(&path, &fx.bytes[..fx.bytes.len() - 1]).unwrap();
    assert_eq!(code(&path), Err(ErrorCode::TruncatedCache));
    let mut longer = fx.bytes.clone();
    longer.push(0);
    std::fs::write(&path, &longer).unwrap();
    assert_eq!(code(&path), Err(ErrorCode::TruncatedCache));
    let mut header = fx.bytes.clone();
    header[33] ^= 0x10;
    std::fs::write(&path, &header).unwrap();
    assert_eq!(code(&path), Err(ErrorCode::CorruptCache));

    // A damaged body opens; every query returns; verify() reports the damage.
    let mut body = fx.bytes.clone();
    let names = fx.layout().entry(NAMES).unwrap();
    body[names.offset + names.len - 1] ^= 0x20;
    std::fs::write(&path, &body).unwrap();
    let cache = Cache::open(&path).unwrap();
    assert!(cache.is_mapped());
    sweep(&cache);
    assert_eq!(
        cache.verify().unwrap_err().code(),
        ErrorCode::CacheChecksumMismatch
    );
    drop(cache);

    // Opening a file reads the string tables' entry counts with pread, not through the
    // mapping: a damaged count is refused (or survived) exactly as from memory.
    let layout = fx.layout();
    let mut refused = 0;
    for kind in STRING_TABLES {
        let Some(table) = layout.entry(kind) else {
            continue;
        };
        let count = get_u32(&fx.bytes, table.offset);
        for value in [0, count + 1, ((table.len - 8) / 8) as u32 + 1, u32::MAX] {
            let mut damaged = fx.bytes.clone();
            put_u32(&mut damaged, table.offset, value);
            reseal_all(&mut damaged);
            std::fs::write(&path, &damaged).unwrap();
            let from_memory = Cache::from_slice(&damaged)
                .map(|_| ())
                .map_err(|e| e.code());
            assert_eq!(code(&path), from_memory, "table {kind}: count = {value}");
            refused += usize::from(from_memory.is_err());
        }
    }
    assert!(refused > 0, "no damaged count was refused");

    // An intact file written by the library opens and verifies.
    write_cache_file(&fx.map, &path, FULL).unwrap();
    let cache = Cache::open(&path).unwrap();
    cache.verify().unwrap();
    assert_eq!(sweep(&cache), sweep(&fx.map));
    drop(cache);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1, "temporary files left behind: {left:?}");
}
