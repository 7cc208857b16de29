//! Any text as the `mappings` of a map with a few sources and names: the VLQ decoder,
//! the segment rules and the packer, past the JSON layer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::SourceMap;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mappings = String::from_utf8_lossy(data);
    let json = serde_json::json!({
        "version": 3,
        "sources": ["a.js", "b.js", null],
        "sourcesContent": ["a\nb\r\nc", null, "x"],
        "names": ["n0", "n1"],
        "mappings": mappings,
    });
    if let Ok(map) = SourceMap::from_slice(json.to_string().as_bytes()) {
        common::exercise(&map);
    }
});
