//! The C entry points with any bytes: parse, cache from bytes, lookups and views, and
//! the error struct's lifecycle, as a C caller would use them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::ffi::*;

fuzz_target!(|data: &[u8]| {
    let mut err = mapback_error {
        code: 0,
        message: std::ptr::null_mut(),
        offset: -1,
    };
    // SAFETY: every pointer passed is valid for the call; handles are freed once.
    unsafe {
        let map = mapback_sourcemap_parse(data.as_ptr(), data.len(), std::ptr::null(), &mut err);
        if map.is_null() {
            assert_ne!(err.code, 0);
            assert!(!err.message.is_null());
        } else {
            let count = mapback_sourcemap_token_count(map, &mut err);
            let mut token = std::mem::zeroed::<mapback_token>();
            for index in 0..(count.min(200) as u32) {
                assert!(mapback_sourcemap_token_at(map, index, &mut token, &mut err));
                mapback_sourcemap_lookup(
                    map,
                    token.generated_line,
                    token.generated_column,
                    std::ptr::null(),
                    &mut token,
                    &mut err,
                );
                let mut view = std::mem::zeroed::<mapback_str>();
                if token.source_index != MAPBACK_NONE {
                    mapback_sourcemap_source_name(map, token.source_index, &mut view, &mut err);
                    mapback_sourcemap_source_line(
                        map,
                        token.source_index,
                        token.original_line,
                        &mut view,
                        &mut err,
                    );
                }
            }
            let mut json = mapback_buf {
                data: std::ptr::null_mut(),
                len: 0,
            };
            if mapback_sourcemap_to_json(map, std::ptr::null(), &mut json, &mut err) {
                mapback_buf_free(&mut json);
            }
            mapback_sourcemap_free(map);
        }
        let cache = mapback_cache_from_bytes(data.as_ptr(), data.len(), &mut err);
        if !cache.is_null() {
            let _ = mapback_sourcemap_token_count(cache, &mut err);
            let mut token = std::mem::zeroed::<mapback_token>();
            let _ = mapback_sourcemap_lookup(cache, 0, 0, std::ptr::null(), &mut token, &mut err);
            let _ = mapback_sourcemap_verify(cache, &mut err);
            mapback_sourcemap_free(cache);
        }
        mapback_error_clear(&mut err);
        assert!(err.message.is_null());
    }
});
