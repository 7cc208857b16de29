//! Differential: a map that decodes, encoded as JSON and decoded again, holds the same
//! tokens, sources and names, and encodes to the same bytes. (A name on a token without
//! an original position, which ECMA-426 keeps from an invalid segment, has no encoding:
//! it is compared as absent.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::{EncodeOptions, SourceMap, SourceMapBuilder, SourceMapView};

fuzz_target!(|data: &[u8]| {
    let Ok(map) = SourceMap::from_slice(data) else {
        return;
    };
    let json = SourceMapBuilder::from_view(&map).to_json(&EncodeOptions::default());
    let again = SourceMap::from_slice(json.as_bytes()).expect("our own encoding decodes");
    assert_eq!(again.token_count(), map.token_count());
    assert_eq!(again.line_count(), map.line_count());
    for index in 0..map.token_count() {
        let mut token = map.raw_token(index).unwrap();
        if !token.has_original() {
            token.name = mapback::NONE;
        }
        assert_eq!(again.raw_token(index), Some(token));
    }
    for source in 0..map.source_count() as u32 {
        assert_eq!(
            again.source_prefixed_name(source),
            map.source_prefixed_name(source)
        );
        assert_eq!(again.source_content(source), map.source_content(source));
        assert_eq!(
            again.source_is_ignored(source),
            map.source_is_ignored(source)
        );
    }
    for name in 0..map.name_count() as u32 {
        assert_eq!(again.name(name), map.name(name));
    }
    assert_eq!(
        SourceMapBuilder::from_view(&again).to_json(&EncodeOptions::default()),
        json
    );
});
