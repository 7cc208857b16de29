//! Any bytes as a cache, as the reader sees them from memory: opening checks the
//! header and section table; every query must then stay in bounds (verify() is the
//! full checksum pass, run too).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::Cache;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(cache) = Cache::from_slice(data) {
        common::exercise(&cache);
        let _ = cache.verify();
    }
});
