//! Any bytes as the `sections` array of an index map (offsets, nesting, url sections).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::{DecodeOptions, SourceMap};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut json = br#"{"version":3,"file":"x.js","sections":"#.to_vec();
    json.extend_from_slice(data);
    json.push(b'}');
    for strict in [false, true] {
        if let Ok(map) = SourceMap::from_slice_with(&json, &DecodeOptions::new().strict(strict)) {
            common::exercise(&map);
        }
    }
});
