//! Differential: a map that decodes, written as a cache and read back, must answer
//! every lookup as the map does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::{to_cache_bytes, Bias, Cache, CacheOptions, LookupOptions, SourceMap, SourceMapView};

fuzz_target!(|data: &[u8]| {
    let Ok(map) = SourceMap::from_slice(data) else {
        return;
    };
    let Ok(bytes) = to_cache_bytes(&map, CacheOptions::default()) else {
        return; // a value that does not fit the format is refused, with a typed error
    };
    let cache = Cache::from_slice(&bytes).expect("a cache we wrote opens");
    cache.verify().expect("a cache we wrote verifies");
    assert_eq!(cache.token_count(), map.token_count());
    assert_eq!(cache.source_count(), map.source_count());
    for index in 0..map.token_count().min(2_000) {
        let token = map.raw_token(index).unwrap();
        assert_eq!(cache.raw_token(index), Some(token));
        for bias in [Bias::GreatestLowerBound, Bias::LeastUpperBound] {
            for column in [
                token.generated_column,
                token.generated_column.saturating_add(1),
            ] {
                let options = LookupOptions {
                    bias,
                    same_line: true,
                };
                assert_eq!(
                    cache.raw_lookup(token.generated_line, column, options),
                    map.raw_lookup(token.generated_line, column, options)
                );
            }
        }
    }
    for source in 0..map.source_count() as u32 {
        assert_eq!(cache.source_content(source), map.source_content(source));
        assert_eq!(
            cache.source_prefixed_name(source),
            map.source_prefixed_name(source)
        );
    }
});
