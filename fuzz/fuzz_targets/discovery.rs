//! Any text as generated code: sourceMappingURL and debugId discovery, and data: URL
//! decoding with a size cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::discovery::{debug_id, decode_data_url, source_mapping_url};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(url) = source_mapping_url(&text) {
        if let Some(Ok(bytes)) = decode_data_url(url, 1 << 16) {
            assert!(bytes.len() <= 1 << 16);
        }
    }
    let _ = debug_id(&text);
    if let Some(Ok(bytes)) = decode_data_url(&text, 1 << 12) {
        assert!(bytes.len() <= 1 << 12);
    }
});
