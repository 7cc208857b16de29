//! Concatenation: pieces of generated code, each with its map (or none), placed at
//! line/column offsets of one output, as an index map or as one flat map.

use crate::error::{Error, ErrorCode, Result};
use crate::mappings::NONE;
use crate::view::SourceMapView;

use super::builder::{EncodeOptions, SourceMapBuilder, MAX_POSITION};

/// One piece of a concatenation: where its code starts in the output, and its map.
#[derive(Clone, Copy)]
pub struct ConcatPiece<'a> {
    /// The piece's map; `None` for code without a map (its range maps to nothing).
    pub map: Option<&'a dyn SourceMapView>,
    /// 0-based output line where the piece starts.
    pub line: u32,
    /// 0-based output column (UTF-16) where the piece starts, on that line.
    pub column: u32,
}

/// The position just past the end of `text`: its number of line terminators and the
/// UTF-16 length of its last line. Terminators are ECMAScript's (`\n`, `\r\n`, `\r`,
/// U+2028, U+2029), as for generated lines in ECMA-426.
pub fn text_end_position(text: &str) -> (u32, u32) {
    let (mut lines, mut last_start) = (0u64, 0);
    for start in crate::lines::later_line_starts(text) {
        lines += 1;
        last_start = start;
    }
    let column = text[last_start..].encode_utf16().count() as u64;
    let clamp = |v: u64| v.min(u64::from(u32::MAX)) as u32;
    (clamp(lines), clamp(column))
}

/// Where each of `texts` starts when they are joined with `separator` between them.
pub fn piece_offsets(texts: &[&str], separator: &str) -> Vec<(u32, u32)> {
    let mut offsets = Vec::with_capacity(texts.len());
    let (mut line, mut column) = (0u32, 0u32);
    let separator_end = text_end_position(separator);
    for (i, text) in texts.iter().enumerate() {
        offsets.push((line, column));
        let mut advance = |(lines, columns): (u32, u32)| {
            if lines > 0 {
                line = line.saturating_add(lines);
                column = columns;
            } else {
                column = column.saturating_add(columns);
            }
        };
        advance(text_end_position(text));
        if i + 1 < texts.len() {
            advance(separator_end);
        }
    }
    offsets
}

fn check_order(pieces: &[ConcatPiece<'_>]) -> Result<()> {
    for (i, piece) in pieces.iter().enumerate() {
        if piece.line > MAX_POSITION || piece.column > MAX_POSITION {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("piece {i} starts beyond the largest position a map can hold"),
            ));
        }
        if i > 0 && (piece.line, piece.column) < (pieces[i - 1].line, pieces[i - 1].column) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "piece {i} starts at {}:{}, before piece {} ({}:{}): pieces must be in output order",
                    piece.line,
                    piece.column,
                    i - 1,
                    pieces[i - 1].line,
                    pieces[i - 1].column
                ),
            ));
        }
    }
    Ok(())
}

/// Concatenates into one flat map. Each piece's mappings are shifted to its offset and
/// cut where the next piece starts (as an index map's sections are); a piece without a
/// map, or whose first mapping comes after its start, gets an unmapped mark at its start
/// so the previous piece's last mapping does not run on into it. Sources are shared
/// between pieces when name and content agree; names are deduplicated.
pub fn concat(pieces: &[ConcatPiece<'_>]) -> Result<SourceMapBuilder> {
    check_order(pieces)?;
    let mut builder = SourceMapBuilder::new();
    for (i, piece) in pieces.iter().enumerate() {
        let start = (piece.line, piece.column);
        let end = pieces.get(i + 1).map(|next| (next.line, next.column));
        if end.is_some_and(|end| start >= end) {
            continue; // an empty piece
        }
        let mark_start = builder.mapping_count() > 0;
        append_piece(&mut builder, piece.map, start, end, mark_start)
            .map_err(|e| Error::new(e.code(), format!("piece {i}: {}", e.message())))?;
    }
    Ok(builder)
}

/// Appends `map`'s mappings shifted to `start` and cut at `end`. With `mark_start`, an
/// unmapped segment goes at `start` unless the map has a mapping there.
fn append_piece(
    builder: &mut SourceMapBuilder,
    map: Option<&dyn SourceMapView>,
    start: (u32, u32),
    end: Option<(u32, u32)>,
    mark_start: bool,
) -> Result<()> {
    let unmapped_start = [start.0, start.1, NONE, NONE, NONE, NONE, 0];
    let Some(map) = map else {
        if mark_start {
            builder.push_segment(unmapped_start);
        }
        return Ok(());
    };
    let end = end.map_or((u64::MAX, u64::MAX), |(l, c)| (u64::from(l), u64::from(c)));
    let sources: Vec<u32> = (0..map.source_count() as u32)
        .map(|s| {
            let slot = builder.intern_source(
                map.source_prefixed_name(s),
                map.source_content(s),
                map.source_is_ignored(s),
            );
            builder.adopt_function_map(slot, map.function_map(s));
            slot
        })
        .collect();
    let mut names = vec![NONE; map.name_count()];
    let mut start_handled = !mark_start;
    for index in 0..map.token_count() {
        let Some(t) = map.raw_token(index) else {
            break;
        };
        let line = u64::from(t.generated_line) + u64::from(start.0);
        let column = u64::from(t.generated_column)
            + if t.generated_line == 0 {
                u64::from(start.1)
            } else {
                0
            };
        if (line, column) >= end {
            break; // tokens are in generated order: the rest is past the end too
        }
        if line > u64::from(MAX_POSITION) || column > u64::from(MAX_POSITION) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "its mappings reach beyond the largest position a map can hold",
            ));
        }
        let (line, column) = (line as u32, column as u32);
        if !start_handled && (line, column) != start {
            builder.push_segment(unmapped_start);
        }
        start_handled = true;
        let segment = if t.has_original() {
            let name = if t.name == NONE {
                NONE
            } else {
                let slot = &mut names[t.name as usize];
                if *slot == NONE {
                    *slot = builder.add_name(map.name(t.name).unwrap_or_default());
                }
                *slot
            };
            [
                line,
                column,
                sources[t.source as usize],
                t.original_line,
                t.original_column,
                name,
                u32::from(t.is_range),
            ]
        } else {
            [line, column, NONE, NONE, NONE, NONE, 0]
        };
        builder.push_segment(segment);
    }
    if !start_handled {
        builder.push_segment(unmapped_start);
    }
    Ok(())
}

/// Concatenates into an index map: one section per non-empty piece at its offset,
/// holding the piece's map as a regular map (an index map flattened), cut where the
/// next piece starts, with an unmapped segment at its start when it has no mapping
/// there (so the previous section's last mapping does not run on). A piece without a
/// map gets a section with just that segment. `file` is written when given.
pub fn concat_index(
    pieces: &[ConcatPiece<'_>],
    file: Option<&str>,
    options: &EncodeOptions,
) -> Result<String> {
    check_order(pieces)?;
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"version\":3");
    if let Some(file) = file {
        out.extend_from_slice(b",\"file\":");
        super::json_text::push_json_string(&mut out, file);
    }
    out.extend_from_slice(b",\"sections\":[");
    let mut first = true;
    for (i, piece) in pieces.iter().enumerate() {
        let start = (piece.line, piece.column);
        let end = pieces.get(i + 1).map(|next| (next.line, next.column));
        if end.is_some_and(|end| start >= end) {
            continue;
        }
        // Positions inside the section are relative to its offset.
        let relative_end = end.map(|(line, column)| {
            if line == start.0 {
                (0, column - start.1)
            } else {
                (line - start.0, column)
            }
        });
        let mut section = SourceMapBuilder::new();
        append_piece(&mut section, piece.map, (0, 0), relative_end, !first)
            .map_err(|e| Error::new(e.code(), format!("piece {i}: {}", e.message())))?;
        if let Some(map) = piece.map {
            section.set_file(map.file());
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(
            format!(
                "{{\"offset\":{{\"line\":{},\"column\":{}}},\"map\":",
                start.0, start.1
            )
            .as_bytes(),
        );
        out.extend_from_slice(section.to_json(options).as_bytes());
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    Ok(String::from_utf8(out).expect("the encoder writes UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_positions_count_utf16_and_every_terminator() {
        assert_eq!(text_end_position(""), (0, 0));
        assert_eq!(text_end_position("ab"), (0, 2));
        assert_eq!(text_end_position("a\r\nb\rc\nd\u{2028}é😀"), (4, 3));
        assert_eq!(
            piece_offsets(&["a;", "b\nc", "d"], "\n"),
            [(0, 0), (1, 0), (3, 0)]
        );
        assert_eq!(piece_offsets(&["ab", "cd"], ""), [(0, 0), (0, 2)]);
    }
}
