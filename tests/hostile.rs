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

use std::process::Command;

use mapback::symbolicate::{SymbolicateOptions, Symbolicator};
use mapback::{
    discovery, parse_stack_trace, Cache, CacheOptions, DecodeLimits, DecodeOptions, SourceMap,
    SourceMapView, TraceLimits,
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

fn decode_case(input: Vec<u8>, decode: fn(&[u8]) -> String) -> (usize, String) {
    (input.len(), decode(&input))
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
    println!("HOSTILE-RESULT\t{input_bytes}\t{peak_kib}\t{result}");
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
        let mut fields = line.splitn(3, '\t');
        let input_bytes: usize = fields.next().unwrap().parse().unwrap();
        let peak_kib: usize = fields.next().unwrap().parse().unwrap();
        let result = fields.next().unwrap();
        let bound = 16 * input_bytes + 32 * MIB;
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
