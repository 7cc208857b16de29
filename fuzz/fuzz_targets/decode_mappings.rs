//! Any text as the `mappings` of a map with a few sources and names: the VLQ decoder,
//! the segment rules and the packer, past the JSON layer. Text after a NUL byte is the
//! map's `rangeMappings` (range mappings proposal): the marks on the tokens and the
//! lookups inside ranges.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::SourceMap;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let (mappings, ranges) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], Some(&data[nul + 1..])),
        None => (data, None),
    };
    let mut json = serde_json::json!({
        "version": 3,
        "sources": ["a.js", "b.js", null],
        "sourcesContent": ["a\nb\r\nc", null, "x"],
        "names": ["n0", "n1"],
        "mappings": String::from_utf8_lossy(mappings),
    });
    if let Some(ranges) = ranges {
        json["rangeMappings"] = String::from_utf8_lossy(ranges).into();
    }
    if let Ok(map) = SourceMap::from_slice(json.to_string().as_bytes()) {
        common::exercise(&map);
    }
});
