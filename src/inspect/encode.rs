//! The page's compact form of the mappings, written ahead so the browser only decodes
//! the lines it shows. Both forms are Base64 VLQ digits (`crate::vlq`), lines separated
//! by `;`, every delta starting again from 0 at each line so one line decodes alone.
//!
//! - Generated side, one string for the script: per segment, in generated order, the
//!   column delta (unsigned), then flags (unsigned: 1 mapped, 2 named, 4 range mapping),
//!   then, when mapped, the source, original line and original column deltas and, when
//!   named, the name delta (signed).
//! - Original side, one string per source, one line per original line: per segment,
//!   ordered by (original column, generated line, generated column), the original
//!   column delta (unsigned), then the generated line and generated column deltas
//!   (signed).

use crate::mappings::NONE;
use crate::view::SourceMapView;
use crate::vlq::{encode_signed, encode_unsigned};

const MAPPED: u32 = 1;
const NAMED: u32 = 2;
const RANGE: u32 = 4;

/// The generated-side string for `line_count` lines (at least the map's).
pub fn generated_lines(map: &dyn SourceMapView, line_count: usize) -> String {
    let mut out = Vec::with_capacity(map.token_count() * 6);
    let mut line = 0u32;
    let (mut column, mut source, mut original_line, mut original_column, mut name) =
        (0u32, 0i64, 0i64, 0i64, 0i64);
    for token in (0..map.token_count()).filter_map(|i| map.raw_token(i)) {
        while line < token.generated_line {
            out.push(b';');
            line += 1;
            (column, source, original_line, original_column, name) = (0, 0, 0, 0, 0);
        }
        encode_unsigned(token.generated_column.saturating_sub(column), &mut out);
        column = token.generated_column;
        let mapped = token.source != NONE;
        let named = mapped && token.name != NONE;
        let flags = u32::from(mapped) * MAPPED
            + u32::from(named) * NAMED
            + u32::from(token.is_range) * RANGE;
        encode_unsigned(flags, &mut out);
        if mapped {
            encode_signed(i64::from(token.source) - source, &mut out);
            encode_signed(i64::from(token.original_line) - original_line, &mut out);
            encode_signed(i64::from(token.original_column) - original_column, &mut out);
            source = i64::from(token.source);
            original_line = i64::from(token.original_line);
            original_column = i64::from(token.original_column);
        }
        if named {
            encode_signed(i64::from(token.name) - name, &mut out);
            name = i64::from(token.name);
        }
    }
    let missing = line_count.saturating_sub(line as usize + 1);
    out.resize(out.len() + missing, b';');
    String::from_utf8(out).expect("VLQ digits and ';' are ASCII")
}

/// The original-side string of every source (empty for a source no segment maps to).
pub fn original_lines(map: &dyn SourceMapView) -> Vec<String> {
    // (source, original line, original column, generated line, generated column)
    let mut segments: Vec<(u32, u32, u32, u32, u32)> = (0..map.token_count())
        .filter_map(|i| map.raw_token(i))
        .filter(|t| t.source != NONE && (t.source as usize) < map.source_count())
        .map(|t| {
            let at = (t.source, t.original_line, t.original_column);
            (at.0, at.1, at.2, t.generated_line, t.generated_column)
        })
        .collect();
    segments.sort_unstable();
    let mut strings = vec![Vec::new(); map.source_count()];
    let mut at = 0;
    while at < segments.len() {
        let source = segments[at].0;
        let end = at + segments[at..].partition_point(|s| s.0 == source);
        strings[source as usize] = encode_source(&segments[at..end]);
        at = end;
    }
    strings
        .into_iter()
        .map(|bytes| String::from_utf8(bytes).expect("VLQ digits and ';' are ASCII"))
        .collect()
}

/// One source's segments, sorted, as `;`-separated lines.
fn encode_source(segments: &[(u32, u32, u32, u32, u32)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(segments.len() * 4);
    let mut line = 0u32;
    let (mut column, mut generated_line, mut generated_column) = (0u32, 0i64, 0i64);
    for &(_, original_line, original_column, g_line, g_column) in segments {
        while line < original_line {
            out.push(b';');
            line += 1;
            (column, generated_line, generated_column) = (0, 0, 0);
        }
        encode_unsigned(original_column - column, &mut out);
        encode_signed(i64::from(g_line) - generated_line, &mut out);
        encode_signed(i64::from(g_column) - generated_column, &mut out);
        column = original_column;
        generated_line = i64::from(g_line);
        generated_column = i64::from(g_column);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceMap;

    #[test]
    fn lines_start_from_zero() {
        // Line 0: a.js 0:0 at 0 and a.js 1:4 "run" at 6. Line 2: an unmapped segment at 3.
        let map = SourceMap::from_slice(
            br#"{"version":3,"sources":["a.js"],"names":["run"],"mappings":"AAAA,MACIA;;G"}"#,
        )
        .unwrap();
        // Segment 2: column +6 (unsigned M), flags 3 (D), source 0, line +1 (C), column +4
        // (I), name 0; line 2: column 3 (D), flags 0.
        assert_eq!(generated_lines(&map, 4), "ABAAAGDACIA;;DA;");
        // a.js line 0: column 0 -> 0:0; line 1: column 4 -> 0:6.
        assert_eq!(original_lines(&map), ["AAA;EAM"]);
    }
}
