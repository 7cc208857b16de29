//! The hostile-input catalogue: malformed maps, sources, stack traces and caches, each
//! run in a child process under `prlimit --as=2G`, so that an abort, a stack overflow
//! or an allocation failure is seen as a failed case instead of killing the test run.
//! Every case states its outcome (a typed error, or a documented answer), and the
//! child's peak resident memory must stay within 16 × input + 32 MiB.
//!
//! The parent test (`hostile_inputs_get_typed_errors_within_memory_bounds`) runs this
//! same test binary once per case with `MAPBACK_HOSTILE_CASE` set; the child test
//! (`hostile_case_child`) then runs that one case and prints its outcome. Inputs are
//! generated in the child (200 MB of separators are never written to disk).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use mapback::symbolicate::{Artifact, ArtifactLookup, SymbolicateOptions, Symbolicator, Unmapped};
use mapback::{
    discovery, parse_stack_trace, Cache, CacheOptions, DecodeLimits, DecodeOptions, IngestLimits,
    SourceMap, SourceMapView, Store, StoreOptions, TraceLimits,
};

const CASE_VARIABLE: &str = "MAPBACK_HOSTILE_CASE";
const MIB: usize = 1 << 20;

/// One hostile input and how it is used.
struct Case {
    name: &'static str,
    /// The outcome that must be printed: `ok …` for a documented answer, else the
    /// error code (`InvalidJson`, …), as [`outcome`] writes it.
    expected: &'static str,
    run: fn() -> (usize, String),
}

/// `ok <summary>` or the error's code.
fn outcome<T>(result: mapback::Result<T>, summary: impl FnOnce(&T) -> String) -> String {
    match result {
        Ok(value) => format!("ok {}", summary(&value)),
        Err(error) => format!("{:?}", error.code()),
    }
}

fn lenient(input: &[u8]) -> String {
    outcome(SourceMap::from_slice(input), |map| {
        format!("tokens={} lines={}", map.token_count(), map.line_count())
    })
}

/// Lenient, with the codes of the diagnostics.
fn lenient_noting(input: &[u8]) -> String {
    outcome(SourceMap::from_slice(input), |map| {
        let codes: Vec<String> = map
            .diagnostics()
            .iter()
            .map(|d| format!("{:?}", d.code()))
            .collect();
        format!("tokens={} noted={}", map.token_count(), codes.join(","))
    })
}

/// Lenient, with every limit lifted: what the decoder itself can take.
fn unlimited(input: &[u8]) -> String {
    let options = DecodeOptions::new().limits(DecodeLimits::UNLIMITED);
    outcome(SourceMap::from_slice_with(input, &options), |map| {
        format!("tokens={} lines={}", map.token_count(), map.line_count())
    })
}

/// A map whose `key` array holds `count` copies of `item`.
fn map_with_array(key: &str, item: &str, count: usize) -> Vec<u8> {
    let mut input = br#"{"version":3,"mappings":"AAAAA","#.to_vec();
    if key != "sources" {
        input.extend_from_slice(br#""sources":["a.js"],"#);
    }
    if key != "names" {
        input.extend_from_slice(br#""names":["n"],"#);
    }
    input.extend_from_slice(format!(r#""{key}":["#).as_bytes());
    for i in 0..count {
        if i > 0 {
            input.push(b',');
        }
        input.extend_from_slice(item.as_bytes());
    }
    input.extend_from_slice(b"]}");
    input
}

fn strict(input: &[u8]) -> String {
    let options = DecodeOptions::new().strict(true);
    outcome(SourceMap::from_slice_with(input, &options), |map| {
        format!("tokens={}", map.token_count())
    })
}

fn map_with_mappings(mappings: &str) -> Vec<u8> {
    format!(r#"{{"version":3,"sources":["a.js"],"names":["n"],"mappings":"{mappings}"}}"#)
        .into_bytes()
}

fn map_with_big_mappings(piece: &str, bytes: usize) -> Vec<u8> {
    let mut out = br#"{"version":3,"sources":["a.js"],"names":[],"mappings":""#.to_vec();
    let pieces = bytes / piece.len();
    out.reserve(pieces * piece.len() + 4);
    for _ in 0..pieces {
        out.extend_from_slice(piece.as_bytes());
    }
    // Segments are separated, not terminated, by commas.
    if out.last() == Some(&b',') && piece.len() > 1 {
        out.pop();
    }
    out.extend_from_slice(b"\"}");
    out
}

/// A map of `mappings` whose `rangeMappings` is `piece` repeated to `bytes` bytes.
fn map_with_big_range_mappings(mappings: &str, piece: &str, bytes: usize) -> Vec<u8> {
    let mut out = format!(
        r#"{{"version":3,"sources":["a.js"],"names":[],"mappings":"{mappings}","rangeMappings":""#
    )
    .into_bytes();
    out.reserve(bytes + 4);
    for _ in 0..bytes / piece.len() {
        out.extend_from_slice(piece.as_bytes());
    }
    out.extend_from_slice(b"\"}");
    out
}

/// A map whose one source has a Metro function map (`x_facebook_sources`) whose
/// `mappings` is `first` then `piece` repeated to `bytes` bytes, or whose entry is
/// nested `depth` lists deep when `depth` > 0.
fn map_with_function_map(first: &str, piece: &str, bytes: usize, depth: usize) -> Vec<u8> {
    let mut out =
        br#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA","x_facebook_sources":["#
            .to_vec();
    if depth > 0 {
        out.extend(std::iter::repeat_n(b'[', depth));
        out.extend(std::iter::repeat_n(b']', depth));
    } else {
        out.extend_from_slice(br#"[{"names":["f"],"mappings":""#);
        out.extend_from_slice(first.as_bytes());
        out.reserve(bytes + 8);
        for _ in 0..bytes / piece.len() {
            out.extend_from_slice(piece.as_bytes());
        }
        out.extend_from_slice(br#""}]"#);
    }
    out.extend_from_slice(b"]}");
    out
}

/// Lenient decoding, with how many ranges source 0's function map has.
fn lenient_function_map(input: &[u8]) -> String {
    outcome(SourceMap::from_slice(input), |map| {
        let ranges = map.function_map(0).map(|f| f.ranges().count());
        let noted: Vec<String> = map
            .diagnostics()
            .iter()
            .map(|d| format!("{:?}", d.code()))
            .collect();
        format!("ranges={ranges:?} noted={}", noted.join(","))
    })
}

/// A map whose `scopes` field is `head`, then `piece` repeated to `bytes` bytes, then
/// `tail` (inside the string, or the list when `head` opens one).
fn map_with_big_scopes(head: &str, piece: &str, bytes: usize, tail: &str) -> Vec<u8> {
    let mut out =
        format!(r#"{{"version":3,"sources":["a.js"],"names":["n"],"mappings":"","scopes":{head}"#)
            .into_bytes();
    out.reserve(bytes + tail.len() + 2);
    for _ in 0..bytes / piece.len() {
        out.extend_from_slice(piece.as_bytes());
    }
    out.extend_from_slice(tail.as_bytes());
    out.push(b'}');
    out
}

/// Lenient, with what the scopes proposal's fields decoded to and the diagnostics'
/// codes, counted.
fn lenient_scopes(input: &[u8]) -> String {
    outcome(SourceMap::from_slice(input), |map| {
        let (roots, ranges) = map.scopes().map_or((0, 0), |info| {
            let roots = info.sources.iter().flatten().map(Vec::len).sum::<usize>();
            (roots, info.ranges.len())
        });
        let mut codes: BTreeMap<String, usize> = BTreeMap::new();
        for d in map.diagnostics() {
            *codes.entry(format!("{:?}", d.code())).or_default() += 1;
        }
        let noted: Vec<String> = codes.iter().map(|(c, n)| format!("{c}*{n}")).collect();
        format!("roots={roots} ranges={ranges} noted={}", noted.join(","))
    })
}

/// One Base64 VLQ value, as ECMA-426 encodes it.
fn vlq(value: i64) -> String {
    const DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rest = if value < 0 {
        (-value << 1) | 1
    } else {
        value << 1
    } as u64;
    let mut out = String::new();
    loop {
        let digit = (rest & 31) as usize;
        rest >>= 5;
        out.push(DIGITS[digit | if rest > 0 { 32 } else { 0 }] as char);
        if rest == 0 {
            return out;
        }
    }
}

/// Decodes, then validates the same bytes: the validator must return (never panic)
/// with a bounded report, however many problems the input holds.
fn decode_case(input: Vec<u8>, decode: fn(&[u8]) -> String) -> (usize, String) {
    let outcome = decode(&input);
    let report = mapback::validate(&input, None);
    let codes: std::collections::HashSet<&str> = report.problems().iter().map(|p| p.code).collect();
    assert!(report.problems().len() <= codes.len() * mapback::MAX_PROBLEMS_PER_CODE);
    assert!(
        report.to_json().to_string().len() < MIB,
        "validation report over 1 MiB"
    );
    (input.len(), outcome)
}

/// A symbolicator over one script (`text`) and its map, at `https://x.example/app.js`.
fn symbolicate_case(script: Vec<u8>, map: Vec<u8>, trace: &str) -> (usize, String) {
    let size = script.len() + map.len();
    let loader = move |url: &str| -> mapback::Result<Option<Vec<u8>>> {
        Ok(match url {
            "https://x.example/app.js" => Some(script.clone()),
            "https://x.example/app.js.map" => Some(map.clone()),
            _ => None,
        })
    };
    let symbolicator = Symbolicator::new(loader, SymbolicateOptions::default());
    let result = outcome(symbolicator.symbolicate(trace), |trace| {
        let frame = &trace.frames[0];
        match &frame.original {
            Some(o) => format!(
                "{}:{}:{} {:?} context={:?}",
                o.filename.as_deref().unwrap_or("?"),
                o.lineno,
                o.colno,
                o.function,
                o.context_line
            ),
            None => format!("unmapped {}", frame.unmapped.as_ref().unwrap().kind()),
        }
    });
    (size, result)
}

/// A frame at column 50,000,000 of a big one-line `script`, whose map sends every
/// position to the start of `var a`.
fn big_script_case(script: Vec<u8>) -> (usize, String) {
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["var a"],"names":[],"mappings":"AAAA"}"#;
    symbolicate_case(
        script,
        map.to_vec(),
        "Error\n    at https://x.example/app.js:1:50000000\n",
    )
}

fn trace_case(text: String) -> (usize, String) {
    let limits = TraceLimits::default();
    let result = outcome(parse_stack_trace(&text, &limits), |trace| {
        format!(
            "frames={} truncated={}",
            trace.frames.len(),
            trace.truncated
        )
    });
    (text.len(), result)
}

fn cache_bytes() -> Vec<u8> {
    let map = SourceMap::from_slice(
        br#"{"version":3,"sources":["a.js"],"sourcesContent":["function f() {}"],"names":["f"],"mappings":"AAAAA,CAAC;ACAA"}"#,
    )
    .unwrap_or_else(|_| {
        SourceMap::from_slice(br#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}"#)
            .unwrap()
    });
    mapback::to_cache_bytes(&map, CacheOptions::default()).unwrap()
}

fn cache_case(bytes: Vec<u8>) -> (usize, String) {
    let result = outcome(Cache::from_slice(&bytes), |cache| {
        // Opening checks the structure; a lookup must not fail either way.
        format!(
            "tokens={} lookup={}",
            cache.token_count(),
            cache.lookup(0, 0).is_some()
        )
    });
    (bytes.len(), result)
}

// ---- events (structured symbolication)

/// The script every event frame below points at: one line whose map sends every
/// position to `var a` of `a.js`, with its content (so a mapped frame has no error).
const APP_URL: &str = "https://x.example/app.js";

fn app_symbolicator() -> Symbolicator {
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["var a"],"names":[],"mappings":"AAAA"}"#;
    symbolicate_loader(
        b"x\n//# sourceMappingURL=app.js.map\n".to_vec(),
        map.to_vec(),
    )
}

fn symbolicate_loader(script: Vec<u8>, map: Vec<u8>) -> Symbolicator {
    let loader = move |url: &str| -> mapback::Result<Option<Vec<u8>>> {
        Ok(match url {
            "https://x.example/app.js" => Some(script.clone()),
            "https://x.example/app.js.map" => Some(map.clone()),
            _ => None,
        })
    };
    Symbolicator::new(loader, SymbolicateOptions::default())
}

/// `ok mapped=M/F errors=TYPES`: of the F frames of the output's stack traces, M were
/// symbolicated; TYPES are the distinct `errors[].type`s, sorted.
fn event_summary(event: &serde_json::Value) -> String {
    let mut frames = 0;
    let mut mapped = 0;
    for section in ["exception", "threads"] {
        let values = event
            .get(section)
            .and_then(|s| s.get("values"))
            .and_then(|v| v.as_array());
        for value in values.into_iter().flatten() {
            let list = value
                .get("stacktrace")
                .and_then(|s| s.get("frames"))
                .and_then(|f| f.as_array());
            for frame in list.into_iter().flatten() {
                frames += 1;
                let symbolicated = frame.pointer("/data/symbolicated");
                mapped += usize::from(symbolicated == Some(&serde_json::Value::Bool(true)));
            }
        }
    }
    let mut types: Vec<&str> = event
        .get("errors")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("type").and_then(|t| t.as_str()))
        .collect();
    types.sort_unstable();
    types.dedup();
    format!("mapped={mapped}/{frames} errors={}", types.join(","))
}

/// An event's JSON text through `symbolicate_event_json`, over [`app_symbolicator`].
fn event_json_case(event: Vec<u8>) -> (usize, String) {
    ALLOWANCE.fetch_add(2048 * json_containers(&event), Ordering::Relaxed);
    let result = outcome(app_symbolicator().symbolicate_event_json(&event), |out| {
        event_summary(&serde_json::from_slice(out).expect("the output is JSON"))
    });
    (event.len(), result)
}

/// An event as a JSON value through `symbolicate_event` (no byte limit applies: the
/// caller built the value), the input counted as its JSON length.
fn event_value_case(event: serde_json::Value) -> (usize, String) {
    let text = serde_json::to_vec(&event).unwrap_or_default();
    let size = text.len();
    ALLOWANCE.fetch_add(2048 * json_containers(&text), Ordering::Relaxed);
    drop(text);
    let result = outcome(app_symbolicator().symbolicate_event(event), event_summary);
    (size, result)
}

/// The objects and arrays of a JSON text, up to `max_event_values` + 1 (an event
/// over it is refused before it takes memory).
fn json_containers(json: &[u8]) -> usize {
    let limit = SymbolicateOptions::default().max_event_values;
    let (mut count, mut in_string, mut escaped) = (0, false, false);
    for &byte in json {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (false, _, b'"') => in_string = true,
            (false, _, b'{' | b'[') => count += 1,
            _ => {}
        }
    }
    count.min(limit + 1)
}

/// An event with one exception whose frames are `frames` (JSON texts), each frame
/// named by an image list `images` (JSON text).
fn event_with_frames(frames: &[String], images: &str) -> Vec<u8> {
    event_with_frame_text(frames.join(",").as_bytes(), images)
}

/// An event whose frames are `count` copies of `frame`, built without a list of them.
fn event_with_repeated_frames(frame: &str, count: usize) -> Vec<u8> {
    let mut frames = Vec::with_capacity((frame.len() + 1) * count);
    for i in 0..count {
        if i > 0 {
            frames.push(b',');
        }
        frames.extend_from_slice(frame.as_bytes());
    }
    event_with_frame_text(&frames, "[]")
}

fn event_with_frame_text(frames: &[u8], images: &str) -> Vec<u8> {
    let mut event = br#"{"platform":"javascript","exception":{"values":[{"type":"Error","stacktrace":{"frames":["#.to_vec();
    event.extend_from_slice(frames);
    event.extend_from_slice(format!(r#"]}}}}]}},"debug_meta":{{"images":{images}}}}}"#).as_bytes());
    event
}

fn app_frame(lineno: &str, colno: &str) -> String {
    format!(r#"{{"abs_path":"{APP_URL}","lineno":{lineno},"colno":{colno},"function":"f"}}"#)
}

/// An event padded with an `extra` string to exactly `bytes` bytes.
fn event_of_size(bytes: usize) -> Vec<u8> {
    let mut event = event_with_frames(&[app_frame("1", "1")], "[]");
    event.pop();
    event.extend_from_slice(br#","extra":{"pad":""#);
    let pad = bytes.saturating_sub(event.len() + 3);
    event.extend(std::iter::repeat_n(b'p', pad));
    event.extend_from_slice(b"\"}}");
    event
}

/// Finds one map by debug ID (decoded as `LoaderLookup` decodes maps), nothing by URL.
struct OneMapLookup {
    debug_id: String,
    map: Vec<u8>,
}

impl ArtifactLookup for OneMapLookup {
    fn by_debug_id(&self, debug_id: &str) -> Result<Artifact, Unmapped> {
        if debug_id != self.debug_id {
            return Err(Unmapped::DebugIdNotFound {
                debug_id: debug_id.to_owned(),
            });
        }
        let map = SourceMap::from_slice(&self.map).map_err(|e| Unmapped::Failed {
            message: e.to_string(),
        })?;
        Ok(Artifact {
            map: Box::new(map),
            minified: None,
            map_url: None,
            minified_scopes: None,
        })
    }

    fn by_url(&self, url: &str) -> Result<Artifact, Unmapped> {
        Err(Unmapped::NotFound {
            url: url.to_owned(),
        })
    }
}

// ---- uploads (the artifact store)

/// Memory a case may hold besides 16 × its input, by documented limits: twice what
/// the ingest limits let an archive decompress to (the entry, and the buffer growing
/// to it), and 2 KiB per JSON object or array of an event (docs/limits.md).
static ALLOWANCE: AtomicUsize = AtomicUsize::new(0);

/// A fresh scratch directory for this child.
fn scratch_root() -> PathBuf {
    let root = std::env::temp_dir().join(format!("mapback-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    root
}

/// Every file under `dir` with its bytes, by relative path (links as their target).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(&entry.path(), &name, out);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(entry.path()).unwrap();
                out.insert(name, target.to_string_lossy().into_owned().into_bytes());
            } else {
                out.insert(name, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

fn size_on_disk(path: &Path) -> usize {
    let meta = std::fs::symlink_metadata(path).unwrap();
    if meta.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| size_on_disk(&e.unwrap().path()))
            .sum()
    } else {
        meta.len() as usize
    }
}

/// What the default ingest limits let the archive at `path` decompress to: per entry,
/// the larger of 1 MiB and 200 × its compressed size, at most 256 MiB; at most 1 GiB in
/// all. Read from the central directory; 0 when there is none to read.
fn decompression_allowance(path: &Path) -> usize {
    let limits = IngestLimits::default();
    let Ok(file) = std::fs::File::open(path) else {
        return 0;
    };
    let Ok(mut archive) = zip::ZipArchive::new(file) else {
        return 0;
    };
    let mut total = 0u64;
    for index in 0..archive.len() {
        if let Ok(entry) = archive.by_index_raw(index) {
            let allowed = entry
                .compressed_size()
                .saturating_mul(limits.max_compression_ratio)
                .max(1 << 20)
                .min(limits.max_file_bytes);
            total = total.saturating_add(allowed);
        }
    }
    total.min(limits.max_total_bytes) as usize
}

/// Adds what `make` writes under a scratch root to a store that already holds one
/// entry. The outcome is the add's (`ok added=N skipped=REASONS` or the error code);
/// when nothing was added, the store's entries and every file under it must be
/// byte-for-byte as before (else `CHANGED`), and `verify` must pass (else
/// `UNVERIFIED`).
fn upload_case(make: impl FnOnce(&Path) -> PathBuf) -> (usize, String) {
    let root = scratch_root();
    let base = root.join("base");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::write(base.join("app.js"), "x\n//# sourceMappingURL=app.js.map\n").unwrap();
    std::fs::write(
        base.join("app.js.map"),
        br#"{"version":3,"sources":["a.js"],"sourcesContent":["var a"],"names":[],"mappings":"AAAA"}"#,
    )
    .unwrap();
    let store_dir = root.join("store");
    let store = Store::open(&store_dir, StoreOptions::default()).unwrap();
    store.add(&[&base]).unwrap();
    let entries_before = store.entries().unwrap();
    let files_before = tree(&store_dir);

    let input = make(&root);
    let input_bytes = size_on_disk(&input);
    if input.is_file() {
        ALLOWANCE.fetch_add(2 * decompression_allowance(&input), Ordering::Relaxed);
    }
    let added = store.add(&[&input]);
    let nothing_added = added.as_ref().map_or(true, |s| s.added.is_empty());
    let mut result = outcome(added, |summary| {
        let mut reasons: Vec<String> = summary
            .skipped
            .iter()
            .map(|s| match s.reason.code() {
                Some(code) => format!("{}({code:?})", s.reason.kind()),
                None => s.reason.kind().to_owned(),
            })
            .collect();
        reasons.sort();
        reasons.dedup();
        format!(
            "added={} skipped={}",
            summary.added.len(),
            reasons.join(",")
        )
    });
    if nothing_added
        && (store.entries().unwrap() != entries_before || tree(&store_dir) != files_before)
    {
        result.push_str(" CHANGED");
    }
    if !store.verify().unwrap().is_ok() {
        result.push_str(" UNVERIFIED");
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&root);
    (input_bytes, result)
}

/// Writes one zip entry's bytes.
type Fill<'f> = &'f dyn Fn(&mut dyn Write);

/// A zip of `entries` (deflated, fastest level) at `path`, written as it is made.
fn write_zip(path: &Path, entries: &[(&str, Fill<'_>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    for (name, fill) in entries {
        writer.start_file(*name, options).unwrap();
        fill(&mut writer);
    }
    writer.finish().unwrap().flush().unwrap();
}

/// Writes `count` copies of `piece`, 1 MiB at a time.
fn repeat_into(out: &mut dyn Write, piece: &[u8], count: usize) {
    let per_chunk = (MIB / piece.len()).max(1);
    let chunk = piece.repeat(per_chunk);
    let mut left = count;
    while left > 0 {
        let n = left.min(per_chunk);
        out.write_all(&chunk[..n * piece.len()]).unwrap();
        left -= n;
    }
}

const SMALL_MAP: &[u8] = br#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}"#;

fn manifest_naming(names: &[&str]) -> Vec<u8> {
    let files: Vec<String> = names
        .iter()
        .map(|n| format!(r#""{n}":{{"type":"source_map","url":"~/{n}"}}"#))
        .collect();
    format!(r#"{{"files":{{{}}}}}"#, files.join(",")).into_bytes()
}

/// A small valid-looking artifact bundle whose map entries are `names`, then `patch`ed.
fn bundle_case(names: &[&'static str], patch: fn(&mut Vec<u8>)) -> (usize, String) {
    let names = names.to_vec();
    upload_case(move |root| {
        let path = root.join("bundle.zip");
        let manifest = manifest_naming(&names);
        let mut entries: Vec<(&str, Fill<'_>)> = Vec::new();
        let write_map = |out: &mut dyn Write| out.write_all(SMALL_MAP).unwrap();
        let write_manifest = |out: &mut dyn Write| out.write_all(&manifest).unwrap();
        for name in &names {
            entries.push((name, &write_map));
        }
        entries.push(("manifest.json", &write_manifest));
        write_zip(&path, &entries);
        let mut bytes = std::fs::read(&path).unwrap();
        patch(&mut bytes);
        std::fs::write(&path, bytes).unwrap();
        path
    })
}

/// Replaces every `from` in `bytes` with `to` (same length): local headers and the
/// central directory alike, as a hostile writer would.
fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
}

/// A row of [`CASES`]: `case!(name, expected outcome, run)`.
macro_rules! case {
    ($name:literal, $expected:expr, $run:expr) => {
        Case {
            name: $name,
            expected: $expected,
            run: $run,
        }
    };
}

const CASES: &[Case] = &[
    // ---- maps: JSON
    case!("truncated_json", "InvalidJson", || decode_case(br#"{"version":3,"sources":["a.js"],"mappings":"AAAA"#.to_vec(), lenient)),
    case!("deeply_nested_arrays", "InvalidJson", || {
        let mut input = br#"{"version":3,"sources":[],"mappings":"","x_deep":"#.to_vec();
        input.extend(std::iter::repeat_n(b'[', 10 * MIB));
        decode_case(input, lenient)
    }),
    case!("deeply_nested_objects", "InvalidJson", || {
        let mut input = br#"{"version":3,"sources":[],"mappings":"","x_deep":"#.to_vec();
        for _ in 0..MIB {
            input.extend_from_slice(br#"{"a":"#);
        }
        decode_case(input, lenient)
    }),
    case!("wrong_type_for_sources", "WrongType", || decode_case(br#"{"version":3,"sources":5,"names":[],"mappings":""}"#.to_vec(), lenient)),
    case!("wrong_type_for_mappings", "WrongType", || decode_case(br#"{"version":3,"sources":[],"names":[],"mappings":7}"#.to_vec(), lenient)),
    // JSON.parse semantics: the last value is used, and the duplicate is noted.
    case!("duplicate_keys", "ok tokens=0 noted=DuplicateKey", || {
        decode_case(
            br#"{"version":3,"sources":[],"names":[],"mappings":"","mappings":""}"#.to_vec(),
            lenient_noting,
        )
    }),
    case!("not_an_object", "NotAnObject", || decode_case(b"[1,2,3]".to_vec(), lenient)),
    case!("empty_input", "InvalidJson", || decode_case(Vec::new(), lenient)),
    // Over a default limit (DecodeLimits): refused before the tables are built.
    case!("five_million_names", "InputTooLarge", || decode_case(map_with_array("names", "\"n\"", 5_000_000), lenient)),
    case!("five_million_names_unlimited", "ok tokens=1 lines=1", || decode_case(map_with_array("names", "\"n\"", 5_000_000), unlimited)),
    case!("one_million_named_sources", "ok tokens=1 lines=1", || {
        decode_case(map_with_array("sources", "\"s000000.js\"", 1_000_000), lenient)
    }),
    case!("two_million_sources", "InputTooLarge", || decode_case(map_with_array("sources", "null", 2_000_000), lenient)),
    case!("forty_million_segments", "InputTooLarge", || decode_case(map_with_big_mappings("A,", 80 * MIB), lenient)),
    case!("input_over_256_mib", "InputTooLarge", || decode_case(map_with_big_mappings(";", 257 * MIB), lenient)),
    case!("utf8_bom_prefix", "ok tokens=1 lines=1", || {
        let mut input = b"\xEF\xBB\xBF".to_vec();
        input.extend(map_with_mappings("AAAA"));
        decode_case(input, lenient)
    }),
    case!("xssi_prefix", "ok tokens=1 lines=1", || {
        let mut input = b")]}'\n".to_vec();
        input.extend(map_with_mappings("AAAA"));
        decode_case(input, lenient)
    }),
    case!("invalid_utf8_strict", "InvalidUtf8", || {
        decode_case(
            b"{\"version\":3,\"sources\":[\"a\xFF.js\"],\"names\":[],\"mappings\":\"AAAA\"}".to_vec(),
            strict,
        )
    }),
    case!("invalid_utf8_lenient", "ok tokens=1 lines=1", || {
        decode_case(
            b"{\"version\":3,\"sources\":[\"a\xFF.js\"],\"names\":[],\"mappings\":\"AAAA\"}".to_vec(),
            lenient,
        )
    }),
    case!("lone_surrogate_escape", "ok tokens=1 lines=1", || {
        decode_case(
            br#"{"version":3,"sources":["\ud800.js"],"names":[],"mappings":"AAAA"}"#.to_vec(),
            lenient,
        )
    }),
    case!("junk_extension_fields", "ok tokens=1 lines=1", || {
        decode_case(
            br#"{"version":3,"x_junk":{"a":[1,{"b":null}]},"x_google_ignoreList":"no","sources":["a.js"],"names":[],"mappings":"AAAA"}"#
                .to_vec(),
            lenient,
        )
    }),
    // ---- maps: mappings
    case!("non_base64_vlq", "InvalidBase64", || decode_case(map_with_mappings("AA!A"), strict)),
    case!("dangling_continuation", "VlqTruncated", || decode_case(map_with_mappings("AAAg"), strict)),
    case!("value_over_32_bits", "VlqOverflow", || decode_case(map_with_mappings("gggggggggggB"), strict)),
    case!("negative_generated_column", "NegativeValue", || decode_case(map_with_mappings("D"), strict)),
    case!("two_field_segment", "InvalidSegmentLength", || decode_case(map_with_mappings("AA"), strict)),
    case!("source_index_out_of_range", "SourceIndexOutOfBounds", || decode_case(map_with_mappings("ACAA"), strict)),
    case!("name_index_out_of_range", "NameIndexOutOfBounds", || decode_case(map_with_mappings("AAAAC"), strict)),
    case!("unsorted_columns_lenient", "ok tokens=2 lines=1", || decode_case(map_with_mappings("KAAA,DAAA"), lenient)),
    case!("200_mb_of_semicolons", "ok tokens=0 lines=209715201", || decode_case(map_with_big_mappings(";", 200 * MIB), lenient)),
    case!("200_mb_of_commas", "ok tokens=0 lines=1", || decode_case(map_with_big_mappings(",", 200 * MIB), lenient)),
    case!("50_mb_of_segments", "ok tokens=10485760 lines=1", || decode_case(map_with_big_mappings("CAAA,", 50 * MIB), lenient)),
    // ---- rangeMappings (range mappings proposal): 200 MB of one index named again and
    // again is a diagnostic-bounded skip in lenient mode, an error in strict mode.
    case!("200_mb_of_repeated_range_indices", "ok tokens=1 noted=InvalidRangeMapping*17", || {
        decode_case(map_with_big_range_mappings("AAAA", "A", 200 * MIB), |input| {
            let noted = lenient_noting(input);
            let count = noted.matches("InvalidRangeMapping").count();
            match noted.split_once(" noted=") {
                Some((tokens, _)) => format!("{tokens} noted=InvalidRangeMapping*{count}"),
                None => noted,
            }
        })
    }),
    case!("200_mb_of_repeated_range_indices_strict", "InvalidRangeMapping", || decode_case(map_with_big_range_mappings("AAAA", "A", 200 * MIB), strict)),
    case!("200_mb_of_range_line_separators", "ok tokens=1 lines=1", || decode_case(map_with_big_range_mappings("AAAA", ";", 200 * MIB), lenient)),
    case!("range_index_over_32_bits", "VlqOverflow", || decode_case(map_with_big_range_mappings("AAAA", "//////E", 7), lenient)),
    // ---- React Native's function maps (x_facebook_sources): bounded by the input, and a
    // malformed entry is a diagnostic in lenient mode.
    case!("function_map_50_mb_of_ranges", "ok ranges=Some(17476267) noted=", || decode_case(map_with_function_map("AAA", ",AA", 50 * MIB, 0), lenient_function_map)),
    case!("function_map_200_mb_of_line_breaks", "ok ranges=Some(1) noted=", || decode_case(map_with_function_map("AAA", ";", 200 * MIB, 0), lenient_function_map)),
    case!("function_map_value_over_32_bits", "ok ranges=None noted=InvalidFunctionMap", || decode_case(map_with_function_map("", "//////E", 7, 0), lenient_function_map)),
    case!("function_map_nested_100000_deep", "ok ranges=None noted=InvalidFunctionMap", || decode_case(map_with_function_map("", "", 0, 100_000), lenient_function_map)),
    case!("function_map_nested_strict", "InvalidFunctionMap", || decode_case(map_with_function_map("", "", 0, 100_000), strict)),
    // ---- scopes (scopes proposal): millions of items take memory in proportion; trees
    // nest at most 256 deep (read without recursion); bad indices are reported 16 times.
    case!("50_mb_of_sibling_ranges", "ok roots=1 ranges=7489828 noted=", || {
        decode_case(map_with_big_scopes("\"BAAA,CAA", ",EAA,FA", 50 * MIB, "\""), lenient_scopes)
    }),
    case!("50_mb_of_sibling_scopes_per_source", "ok roots=5825423 ranges=0 noted=", || {
        decode_case(map_with_big_scopes("[\"BAAA,CAA", ",BAAA,CAA", 50 * MIB, "\"]"), lenient_scopes)
    }),
    case!("50_mb_of_nested_scopes", "ok roots=0 ranges=0 noted=InvalidScopes*1", || {
        decode_case(map_with_big_scopes("\"BAAA", ",BAAA", 50 * MIB, "\""), lenient_scopes)
    }),
    case!("50_mb_of_nested_scopes_strict", "InvalidScopes", || {
        decode_case(map_with_big_scopes("\"BAAA", ",BAAA", 50 * MIB, "\""), strict)
    }),
    case!("50_mb_of_bad_variable_names", "ok roots=1 ranges=0 noted=InvalidScopes*17", || {
        decode_case(map_with_big_scopes("\"BAAA,D", "K", 50 * MIB, ",CAA\""), lenient_scopes)
    }),
    case!("scope_vlq_over_32_bits", "VlqOverflow", || decode_case(map_with_big_scopes("\"B", "//////E", 7, "\""), lenient)),
    // ---- index maps
    case!("index_map_overlapping_sections", "InvalidSectionOrder", || {
        decode_case(
            br#"{"version":3,"sections":[{"offset":{"line":0,"column":5},"map":{"version":3,"sources":[],"names":[],"mappings":""}},{"offset":{"line":0,"column":1},"map":{"version":3,"sources":[],"names":[],"mappings":""}}]}"#
                .to_vec(),
            strict,
        )
    }),
    case!("index_map_nested", "NestedIndexMap", || {
        decode_case(
            br#"{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sections":[]}}]}"#
                .to_vec(),
            strict,
        )
    }),
    case!("index_map_with_mappings", "SectionsWithMappings", || {
        decode_case(
            br#"{"version":3,"mappings":"AAAA","sections":[]}"#.to_vec(),
            strict,
        )
    }),
    // ---- minified scripts and original sources, through the symbolicator
    case!("line_terminators_in_sources", "ok a.js:4:1 None context=Some(\"d\")", || {
        // CRLF, lone CR and U+2028 each end a line: the fourth line is `d`.
        let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["a\r\nb\rc\u2028d\u2029e"],"names":[],"mappings":"AAGA"}"#;
        symbolicate_case(
            b"x".to_vec(),
            map.to_vec(),
            "Error\n    at https://x.example/app.js:1:1\n",
        )
    }),
    case!("surrogate_pairs_in_columns", "ok a.js:1:5 None context=Some(\"\u{1F600}\u{1F600}x\")", || {
        // Columns count UTF-16 units: x is at column 4 (0-based) after two emoji.
        let map = r#"{"version":3,"sources":["a.js"],"sourcesContent":["😀😀x"],"names":[],"mappings":"AAAI"}"#;
        symbolicate_case(
            b"x".to_vec(),
            map.as_bytes().to_vec(),
            "Error\n    at https://x.example/app.js:1:1\n",
        )
    }),
    case!("100_mb_single_line_script", "ok a.js:1:1 None context=Some(\"var a\")", || {
        let mut script = b"var a = \"".to_vec();
        script.extend(std::iter::repeat_n(b'x', 100 * MIB));
        script.extend_from_slice(b"\";");
        big_script_case(script)
    }),
    case!("source_nested_a_million_deep", "ok a.js:1:1 None context=Some(\"var x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ {snip}\")", || {
        // Parsing it would recurse a million levels: over the nesting bound, it is not
        // parsed, and the frame has no function name instead of a crashed process.
        let content = format!("var x = {}1;", "[".repeat(1_000_000));
        let map = serde_json::json!({"version": 3, "sources": ["a.js"], "names": [],
            "mappings": "AAAA", "sourcesContent": [content]});
        symbolicate_case(b"x".to_vec(), map.to_string().into_bytes(), "Error\n    at https://x.example/app.js:1:1\n")
    }),
    case!("source_of_nested_ifs_and_prefix_operators", "ok a.js:1:1 None context=Some(\"if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if (a) if  {snip}\")", || {
        let content = format!("{}{}x;", "if (a) ".repeat(200_000), "!".repeat(200_000));
        let map = serde_json::json!({"version": 3, "sources": ["a.js"], "names": [],
            "mappings": "AAAA", "sourcesContent": [content]});
        symbolicate_case(b"x".to_vec(), map.to_string().into_bytes(), "Error\n    at https://x.example/app.js:1:1\n")
    }),
    case!("script_nested_a_million_deep", "ok a.js:1:1 None context=None", || {
        // The minified script is parsed for its function names when the map has no
        // sources' content: the same bound applies.
        let script = format!("var x = {}1;", "f(".repeat(1_000_000)).into_bytes();
        let map = br#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}"#.to_vec();
        symbolicate_case(script, map, "Error\n    at https://x.example/app.js:1:1\n")
    }),
    case!("100_mb_of_functions_in_a_script", "ok a.js:1:1 None context=Some(\"var a\")", || {
        // Over `max_parse_bytes` (32 MiB): not parsed, so no syntax tree of
        // several times its size is built.
        big_script_case("function a(){}".repeat(100 * MIB / 14).into_bytes())
    }),
    case!("100_mb_single_line_source", "ok a.js:1:50000001 None context=Some(\"{snip} xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx {snip}\")", || {
        // Generated 0:0 maps to original column 50,000,000 of a 100 MiB line.
        let mut map = format!(
            r#"{{"version":3,"sources":["a.js"],"names":[],"mappings":"AAA{}","sourcesContent":[""#,
            vlq(50_000_000)
        )
        .into_bytes();
        map.extend(std::iter::repeat_n(b'x', 100 * MIB));
        map.extend_from_slice(b"\"]}");
        symbolicate_case(
            b"x".to_vec(),
            map,
            "Error\n    at https://x.example/app.js:1:1\n",
        )
    }),
    case!("oversized_inline_data_url", "ok unmapped failed", || {
        // A base64 `data:` map larger than the 64 MiB default decodes to nothing.
        let mut script = b"x\n//# sourceMappingURL=data:application/json;base64,".to_vec();
        script.extend(std::iter::repeat_n(b'A', 90 * MIB));
        symbolicate_case(script, Vec::new(), "Error\n    at https://x.example/app.js:1:1\n")
    }),
    // ---- stack traces
    case!("trace_with_a_1_mb_line", "ok frames=1 truncated=false", || {
        let mut text = format!("Error: {}\n", "m".repeat(MIB));
        text.push_str(&format!("    at f ({}:1:1)\n", "u".repeat(MIB)));
        text.push_str("    at g (https://x.example/app.js:1:1)\n");
        trace_case(text)
    }),
    case!("trace_with_a_million_frames", "TraceTooLarge", || trace_case("    at f (https://x.example/app.js:1:1)\n".repeat(1_000_000))),
    case!("trace_with_400_thousand_frames", "ok frames=10000 truncated=true", || trace_case("    at f (a.js:1:1)\n".repeat(400_000))),
    case!("trace_of_control_bytes_and_parens", "ok frames=0 truncated=false", || {
        let text: String = (0..MIB)
            .map(|i| ['(', ')', '@', ':', '\u{1}', ' ', 'a'][i % 7])
            .collect();
        trace_case(text)
    }),
    // ---- caches
    case!("cache_truncated", "TruncatedCache", || {
        let mut bytes = cache_bytes();
        bytes.truncate(bytes.len() - 7);
        cache_case(bytes)
    }),
    case!("cache_bit_flipped", "CorruptCache", || {
        let mut bytes = cache_bytes();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x10;
        cache_case(bytes)
    }),
    case!("cache_of_zeros", "NotACache", || cache_case(vec![0; 64 * 1024])),
    case!("cache_magic_then_garbage", "NotACache", || {
        let mut bytes = b"MAPBACKC".to_vec();
        bytes.extend(std::iter::repeat_n(0xFF, 20));
        cache_case(bytes)
    }),
    // ---- discovery
    case!("discovery_in_100_mb_of_comment_lines", "ok found", || {
        let mut text = "//\n".repeat(100 * MIB / 3);
        text.push_str("//# sourceMappingURL=app.js.map\n");
        let found = discovery::source_mapping_url(&text) == Some("app.js.map");
        (text.len(), if found { "ok found".into() } else { "missing".into() })
    }),
    // ---- events: `symbolicate_event_json` (max_event_bytes 16 MiB, max_event_frames 4,096)
    case!("event_nested_100k_levels", "InvalidJson", || {
        let mut event = br#"{"platform":"javascript","extra":"#.to_vec();
        event.extend(std::iter::repeat_n(b'[', 100_000));
        event.extend(std::iter::repeat_n(b']', 100_000));
        event.push(b'}');
        event_json_case(event)
    }),
    case!("event_at_max_event_bytes", "ok mapped=1/1 errors=", || event_json_case(event_of_size(16 * MIB))),
    case!("event_just_over_max_event_bytes", "InputTooLarge", || event_json_case(event_of_size(16 * MIB + 1))),
    case!("event_of_200_mb", "InputTooLarge", || event_json_case(event_of_size(200 * MIB))),
    // The innermost 4,096 are symbolicated; the rest are left as sent, and said so.
    case!("event_with_100k_frames", "ok mapped=4096/100000 errors=js_too_many_frames", || {
        event_json_case(event_with_repeated_frames(&app_frame("1", "1"), 100_000))
    }),
        // 16 MiB holds 2 million 8-byte frames, which as parsed JSON would take gigabytes:
    // refused by counting objects and arrays first (`max_event_values`, 131,072).
    case!("event_of_16_mib_of_tiny_frames", "InputTooLarge", || {
        event_json_case(event_with_repeated_frames("{\"a\":1}", 2_097_000))
    }),
    // At the limit (8 objects and arrays around the frames): parsed and held within
    // the documented 2 KiB each.
    case!("event_at_max_event_values", "ok mapped=0/131064 errors=js_too_many_frames", || {
        event_json_case(event_with_repeated_frames("{\"a\":1}", 131_064))
    }),
case!("event_with_a_50_mb_abs_path", "ok mapped=0/1 errors=js_no_source", || {
        let url = format!("https://x.example/{}.js", "a".repeat(50 * MIB));
        event_value_case(serde_json::json!({
            "exception": {"values": [{"stacktrace": {"frames": [
                {"abs_path": url, "lineno": 1, "colno": 1}
            ]}}]}
        }))
    }),
    case!("event_with_a_50_mb_function_name", "ok mapped=1/1 errors=", || {
        event_value_case(serde_json::json!({
            "exception": {"values": [{"stacktrace": {"frames": [
                {"abs_path": APP_URL, "lineno": 1, "colno": 1, "function": "f".repeat(50 * MIB)}
            ]}}]}
        }))
    }),
    case!("event_with_50_mb_abs_path_as_json", "InputTooLarge", || {
        let frame = format!(r#"{{"abs_path":"https://x.example/{}.js","lineno":1,"colno":1}}"#, "a".repeat(50 * MIB));
        event_json_case(event_with_frames(&[frame], "[]"))
    }),
    case!("event_frames_not_a_list", "ok mapped=0/0 errors=invalid_data", || {
        event_json_case(br#"{"exception":{"values":[{"stacktrace":{"frames":{"0":{"abs_path":"https://x.example/app.js"}}}},{"stacktrace":"no"},7]},"threads":"no"}"#.to_vec())
    }),
    // Each bad frame is reported and left as sent; the good one is still mapped.
    case!("event_frames_of_wrong_types", "ok mapped=1/9 errors=invalid_data", || {
        let frames = [
            app_frame("\"12\"", "1"),
            app_frame("-1", "1"),
            app_frame("1.5", "1"),
            app_frame("1099511627776", "1"),
            app_frame("1", "[1]"),
            r#"{"abs_path":7,"lineno":1,"colno":1}"#.to_owned(),
            format!(r#"{{"abs_path":"{APP_URL}","lineno":1,"colno":1,"in_app":"yes"}}"#),
            "\"not a frame\"".to_owned(),
            app_frame("1", "1"),
        ];
        event_json_case(event_with_frames(&frames, "[]"))
    }),
    case!("event_images_not_a_list", "ok mapped=1/1 errors=invalid_data", || {
        event_json_case(event_with_frames(&[app_frame("1", "1")], r#"{"type":"sourcemap"}"#))
    }),
    // A malformed debug ID is reported; the frame is still found by its URL.
    case!("event_malformed_debug_ids", "ok mapped=1/1 errors=invalid_data", || {
        let images = format!(
            r#"[{{"type":"sourcemap","code_file":"{APP_URL}","debug_id":"not-a-uuid"}},{{"type":"sourcemap","code_file":"{APP_URL}","debug_id":7}},{{"type":"sourcemap","code_file":5,"debug_id":"85314830-023f-4cf1-a267-535f4e37bb17"}},"image"]"#
        );
        event_json_case(event_with_frames(&[app_frame("1", "1")], &images))
    }),
    // The image's debug ID finds a map of 1,000,000 sources; the frame maps to the last.
    case!("event_image_with_a_map_of_1m_sources", "ok mapped=1/1 errors=js_missing_sources_content s999999.js", || {
        let mut map = br#"{"version":3,"names":[],"sources":["#.to_vec();
        for i in 0..1_000_000 {
            if i > 0 {
                map.push(b',');
            }
            map.extend_from_slice(format!("\"s{i}.js\"").as_bytes());
        }
        map.extend_from_slice(format!(r#"],"mappings":"A{}AA"}}"#, vlq(999_999)).as_bytes());
        let debug_id = "85314830-023f-4cf1-a267-535f4e37bb17";
        let size = map.len();
        let lookup = OneMapLookup { debug_id: debug_id.to_owned(), map };
        let symbolicator = Symbolicator::with_lookup(lookup, SymbolicateOptions::default());
        let event = event_with_frames(
            &[r#"{"abs_path":"https://x.example/big.js","lineno":1,"colno":1}"#.to_owned()],
            &format!(r#"[{{"type":"sourcemap","code_file":"https://x.example/big.js","debug_id":"{debug_id}"}}]"#),
        );
        let result = outcome(symbolicator.symbolicate_event_json(&event), |out| {
            let out: serde_json::Value = serde_json::from_slice(out).unwrap();
            let file = out.pointer("/exception/values/0/stacktrace/frames/0/filename").cloned();
            format!("{} {}", event_summary(&out), file.and_then(|f| f.as_str().map(str::to_owned)).unwrap_or_default())
        });
        (size + event.len(), result)
    }),
    // ---- uploads: `Store::add` on a store holding one entry; a refused add changes nothing
    // Deflated spaces, ~1,000:1: refused past 200 × the entry's compressed size.
    case!("upload_zip_bomb_ratio", "InputTooLarge", || {
        upload_case(|root| {
            let path = root.join("bomb.zip");
            let manifest = manifest_naming(&["bomb.map"]);
            write_zip(&path, &[
                ("manifest.json", &|out: &mut dyn Write| out.write_all(&manifest).unwrap()),
                ("bomb.map", &|out: &mut dyn Write| repeat_into(out, b" ", 300 * MIB)),
            ]);
            path
        })
    }),
    // 100 random bytes per 15,000 (~100:1, under the ratio limit): refused at the
    // 256 MiB per-file limit.
    case!("upload_zip_bomb_absolute", "InputTooLarge", || {
        upload_case(|root| {
            let path = root.join("bomb.zip");
            let manifest = manifest_naming(&["bomb.map"]);
            write_zip(&path, &[
                ("manifest.json", &|out: &mut dyn Write| out.write_all(&manifest).unwrap()),
                ("bomb.map", &|out: &mut dyn Write| {
                    // xorshift bytes: deflate cannot shorten them.
                    let mut state = 0x9E37_79B9_7F4A_7C15u64;
                    let mut piece = vec![b' '; 15_000];
                    for _ in 0..(300 * MIB / 15_000) {
                        for byte in &mut piece[..100] {
                            state ^= state << 13;
                            state ^= state >> 7;
                            state ^= state << 17;
                            *byte = b'!' + (state % 90) as u8;
                        }
                        out.write_all(&piece).unwrap();
                    }
                }),
            ]);
            path
        })
    }),
    // Past 65,535 entries the zip is zip64: refused from its end record.
    case!("upload_100k_tiny_entries", "InputTooLarge", || {
        upload_case(|root| {
            let path = root.join("many.zip");
            let names: Vec<String> = (0..100_000).map(|i| format!("f{i}.map")).collect();
            let fills: Vec<(&str, Fill<'_>)> = names
                .iter()
                .map(|n| (n.as_str(), &(|out: &mut dyn Write| out.write_all(b"{}").unwrap()) as Fill<'_>))
                .collect();
            write_zip(&path, &fills);
            path
        })
    }),
    // Under the entry limit (10,000) but over 2^16 bytes of names: parsed, then refused
    // for having no map the manifest names.
    case!("upload_10k_tiny_entries", "InvalidManifest", || {
        upload_case(|root| {
            let path = root.join("many.zip");
            let names: Vec<String> = (0..9_999).map(|i| format!("f{i}.map")).collect();
            let manifest = manifest_naming(&["absent.map"]);
            let mut fills: Vec<(&str, Fill<'_>)> = names
                .iter()
                .map(|n| (n.as_str(), &(|out: &mut dyn Write| out.write_all(b"{}").unwrap()) as Fill<'_>))
                .collect();
            let write_manifest = |out: &mut dyn Write| out.write_all(&manifest).unwrap();
            fills.push(("manifest.json", &write_manifest));
            write_zip(&path, &fills);
            path
        })
    }),
    case!("upload_300_mb_manifest", "InputTooLarge", || {
        upload_case(|root| {
            let path = root.join("manifest.zip");
            write_zip(&path, &[
                ("a.map", &|out: &mut dyn Write| out.write_all(SMALL_MAP).unwrap()),
                ("manifest.json", &|out: &mut dyn Write| {
                    out.write_all(br#"{"files":{"a.map":{"type":"source_map","url":"~/a.map"}},"note":""#).unwrap();
                    repeat_into(out, b"manifest", 300 * MIB / 8);
                    out.write_all(b"\"}").unwrap();
                }),
            ]);
            path
        })
    }),
    case!("upload_duplicate_names", "DuplicateArchiveEntry", || {
        bundle_case(&["dupA.map", "dupB.map"], |bytes| replace_all(bytes, b"dupB.map", b"dupA.map"))
    }),
    case!("upload_dot_dot_names", "UnsafeArchivePath", || bundle_case(&["files/../../evil.map"], |_| {})),
    case!("upload_absolute_names", "UnsafeArchivePath", || bundle_case(&["/tmp/evil.map"], |_| {})),
    case!("upload_backslash_names", "UnsafeArchivePath", || bundle_case(&["xx/a.map"], |bytes| replace_all(bytes, b"xx/a.map", b"..\\a.map"))),
    case!("upload_symlink_entry", "ArchiveSymlink", || {
        upload_case(|root| {
            let path = root.join("link.zip");
            let file = std::fs::File::create(&path).unwrap();
            let mut writer = zip::ZipWriter::new(file);
            let options = zip::write::SimpleFileOptions::default();
            writer.add_symlink("link.map", "/etc/passwd", options).unwrap();
            writer.start_file("manifest.json", options).unwrap();
            writer.write_all(&manifest_naming(&["link.map"])).unwrap();
            writer.finish().unwrap();
            path
        })
    }),
    case!("upload_truncated_zip", "InvalidArchive", || {
        bundle_case(&["a.map"], |bytes| bytes.truncate(bytes.len() - 30))
    }),
    // The deflated bytes of the first entry (after its header, name and extra field)
    // damaged.
    case!("upload_zip_with_a_damaged_entry", "InvalidArchive", || {
        bundle_case(&["a.map"], |bytes| {
            let extra = usize::from(u16::from_le_bytes([bytes[28], bytes[29]]));
            let data = 30 + "a.map".len() + extra;
            bytes[data..data + 10].fill(0xFF);
        })
    }),
    case!("upload_manifest_names_absent_files", "InvalidManifest", || {
        upload_case(|root| {
            let path = root.join("absent.zip");
            let manifest = manifest_naming(&["a.map", "b.map"]);
            write_zip(&path, &[
                ("a.map", &|out: &mut dyn Write| out.write_all(SMALL_MAP).unwrap()),
                ("manifest.json", &|out: &mut dyn Write| out.write_all(&manifest).unwrap()),
            ]);
            path
        })
    }),
    // Links that loop (to their own directory, to themselves, to each other) are
    // skipped, never followed; nothing else is in the directory.
    case!("upload_directory_with_symlink_loops", "ok added=0 skipped=symlink", || {
        upload_case(|root| {
            let dir = root.join("dist");
            std::fs::create_dir_all(dir.join("sub")).unwrap();
            std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
            std::os::unix::fs::symlink(".", dir.join("here")).unwrap();
            std::os::unix::fs::symlink("self.js", dir.join("self.js")).unwrap();
            std::os::unix::fs::symlink("b.js.map", dir.join("a.js.map")).unwrap();
            std::os::unix::fs::symlink("a.js.map", dir.join("b.js.map")).unwrap();
            dir
        })
    }),
    // A script whose inline map decodes past 64 MiB: skipped, nothing stored.
    case!("upload_script_with_a_huge_data_url", "ok added=0 skipped=invalid(InputTooLarge)", || {
        upload_case(|root| {
            let path = root.join("app.js");
            let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            file.write_all(b"x\n//# sourceMappingURL=data:application/json;base64,").unwrap();
            repeat_into(&mut file, b"e30K", 90 * MIB / 4);
            file.flush().unwrap();
            drop(file);
            path
        })
    }),
];

/// The child: runs the case named by `MAPBACK_HOSTILE_CASE`, if any, and prints its
/// outcome, input size and peak resident memory.
#[test]
fn hostile_case_child() {
    let Ok(name) = std::env::var(CASE_VARIABLE) else {
        return;
    };
    let case = CASES.iter().find(|c| c.name == name).expect("known case");
    let (input_bytes, result) = (case.run)();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_kib: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let allowance = ALLOWANCE.load(Ordering::Relaxed);
    println!("HOSTILE-RESULT\t{input_bytes}\t{allowance}\t{peak_kib}\t{result}");
}

// Release mode only: `make test-hostile` (part of `make test`) runs it. In a debug build
// the 200 MB cases take minutes.
#[test]
#[ignore = "run in release mode by `make test-hostile`"]
fn hostile_inputs_get_typed_errors_within_memory_bounds() {
    if std::env::var(CASE_VARIABLE).is_ok() {
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut failures = Vec::new();
    for case in CASES {
        let output = Command::new("prlimit")
            .arg("--as=2147483648")
            .arg("--")
            .arg(&exe)
            .args([
                "--exact",
                "hostile_case_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CASE_VARIABLE, case.name)
            // A caught panic's backtrace is noise here; an uncaught one fails the case.
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("prlimit (util-linux) runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        // The harness may print `test hostile_case_child ... ` on the same line first.
        let line = stdout
            .lines()
            .find_map(|l| l.split_once("HOSTILE-RESULT\t").map(|(_, rest)| rest));
        let Some(line) = line.filter(|_| output.status.success()) else {
            failures.push(format!(
                "{}: the child died ({}): {}",
                case.name,
                output.status,
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .rev()
                    .take(5)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
            continue;
        };
        let mut fields = line.splitn(4, '\t');
        let input_bytes: usize = fields.next().unwrap().parse().unwrap();
        let allowance: usize = fields.next().unwrap().parse().unwrap();
        let peak_kib: usize = fields.next().unwrap().parse().unwrap();
        let result = fields.next().unwrap();
        let bound = 16 * input_bytes + allowance + 32 * MIB;
        println!(
            "{:40} {:>10} bytes in, peak {:>7} KiB (bound {:>8} KiB): {}",
            case.name,
            input_bytes,
            peak_kib,
            bound / 1024,
            result
        );
        if result != case.expected {
            failures.push(format!(
                "{}: expected {:?}, got {:?}",
                case.name, case.expected, result
            ));
        }
        if peak_kib * 1024 > bound {
            failures.push(format!(
                "{}: peak {} KiB over the bound {} KiB",
                case.name,
                peak_kib,
                bound / 1024
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
