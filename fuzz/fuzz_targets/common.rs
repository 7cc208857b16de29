//! Shared by the targets: exercise every query of a decoded map or cache, so that a
//! bad internal state shows up as a panic (which libFuzzer reports) instead of staying
//! silent.

use mapback::{Bias, LookupOptions, SourceMapView};

pub fn exercise(map: &dyn SourceMapView) {
    let tokens = map.token_count().min(2_000);
    for index in 0..tokens {
        let token = map
            .raw_token(index)
            .expect("indices below token_count exist");
        for bias in [Bias::GreatestLowerBound, Bias::LeastUpperBound] {
            for same_line in [true, false] {
                let options = LookupOptions { bias, same_line };
                let _ = map.raw_lookup(token.generated_line, token.generated_column, options);
                let _ = map.raw_lookup(
                    token.generated_line,
                    token.generated_column.saturating_add(1),
                    options,
                );
                // The next line's start: inside a range mapping that runs on.
                let _ = map.raw_lookup(token.generated_line.saturating_add(1), 0, options);
            }
        }
        if token.has_original() {
            let _ = map.raw_generated_positions(
                token.source,
                token.original_line,
                Some(token.original_column),
            );
            let _ = map.raw_generated_position(
                token.source,
                token.original_line,
                token.original_column,
                LookupOptions::default(),
            );
            let _ = map.source_line(token.source, token.original_line);
        }
    }
    let _ = map.raw_lookup(u32::MAX, u32::MAX, LookupOptions::default());
    for source in 0..map.source_count().min(64) as u32 {
        let _ = (
            map.source_name(source),
            map.source_url(source),
            map.source_content(source),
        );
        let _ = map.source_line_count(source);
    }
    for name in 0..map.name_count().min(64) as u32 {
        let _ = map.name(name);
    }
}
