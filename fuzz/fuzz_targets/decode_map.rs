//! Any bytes as a source map, lenient and strict; every query of what decodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::{DecodeOptions, SourceMap};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    for strict in [false, true] {
        let options = DecodeOptions::new().strict(strict);
        if let Ok(map) = SourceMap::from_slice_with(data, &options) {
            common::exercise(&map);
        }
    }
});
