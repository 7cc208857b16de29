//! Decoding the `mappings` string (ECMA-426 DecodeMappings) into a [`MappingsBuilder`].
//!
//! Rules, as the spec gives them:
//! - segments have 1, 4 or 5 fields; any other count, an empty segment or a character
//!   outside Base64 and `,;` is a grammar error, after which the spec drops every
//!   mapping of this map (an optional error: strict mode fails instead);
//! - a VLQ out of 32-bit range is a fatal error in both modes;
//! - all fields are relative; only the generated column resets at `;`;
//! - a negative generated column skips the segment; a negative or out-of-range source,
//!   original line or original column keeps the segment without an original position;
//!   a bad name index keeps the position without a name (optional errors).

use crate::error::{Error, ErrorCode, Result};
use crate::mappings::{MappingsBuilder, NONE};
use crate::vlq::{self, VlqError};

use super::Reporter;

/// How to place this map's tokens among the tokens already decoded.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Placement {
    /// Generated line of this map's first line (index-map section offset).
    pub(crate) line_offset: u32,
    /// Added to generated columns on this map's first line only.
    pub(crate) column_offset: u32,
    /// Added to every source index (sources of earlier sections).
    pub(crate) source_base: u32,
    /// Added to every name index (names of earlier sections).
    pub(crate) name_base: u32,
    pub(crate) source_count: u32,
    pub(crate) name_count: u32,
    /// Byte offset of the `mappings` text in the input, for error positions (`None`
    /// when the JSON string had escapes, so positions would not line up).
    pub(crate) input_offset: Option<usize>,
}

/// Decodes `text`, appending to the target. On a grammar error in lenient mode the
/// tokens of this map are rolled back, as the spec prescribes.
pub(crate) fn decode_mappings(
    text: &[u8],
    placement: Placement,
    builder: &mut MappingsBuilder,
    reporter: &mut Reporter,
) -> Result<()> {
    let mark = builder.mark();
    let diagnostics_before = reporter.len();
    builder.advance_to_line(placement.line_offset);
    match decode_segments(text, placement, builder, reporter) {
        Ok(()) => Ok(()),
        Err(Failure::Fatal(error)) => Err(error),
        Err(Failure::Grammar(error)) => {
            builder.rollback(mark);
            reporter.truncate(diagnostics_before);
            reporter.report(error)?;
            Ok(())
        }
    }
}

enum Failure {
    Fatal(Error),
    Grammar(Error),
}

#[derive(Default)]
struct State {
    generated_column: i64,
    source: i64,
    original_line: i64,
    original_column: i64,
    name: i64,
}

fn decode_segments(
    text: &[u8],
    placement: Placement,
    builder: &mut MappingsBuilder,
    reporter: &mut Reporter,
) -> Result<(), Failure> {
    let Placement {
        line_offset,
        column_offset,
        source_base,
        name_base,
        source_count,
        name_count,
        input_offset,
    } = placement;
    let place = |pos: usize| input_offset.map_or(pos, |base| base + pos);

    let mut state = State::default();
    let mut local_line: u32 = 0;
    let mut pos = 0usize;
    let mut fields = [0i64; 5];
    while pos < text.len() {
        match text[pos] {
            b';' => {
                pos += 1;
                local_line += 1;
                state.generated_column = 0;
                builder.new_line();
                continue;
            }
            b',' => {
                let at = place(pos);
                return Err(Failure::Grammar(Error::at(
                    ErrorCode::InvalidSegmentLength,
                    at,
                    format!(
                        "empty segment at byte {at} (generated line {})",
                        line_offset + local_line
                    ),
                )));
            }
            _ => {}
        }
        let segment_start = pos;
        let mut count = 0usize;
        while pos < text.len() && text[pos] != b',' && text[pos] != b';' {
            let value = vlq::decode_signed(text, &mut pos)
                .map_err(|e| vlq_failure(e, &place, line_offset + local_line))?;
            if count < 5 {
                fields[count] = value;
            }
            count += 1;
        }
        if !matches!(count, 1 | 4 | 5) {
            let at = place(segment_start);
            return Err(Failure::Grammar(Error::at(
                ErrorCode::InvalidSegmentLength,
                at,
                format!(
                    "segment with {count} fields at byte {at} (generated line {}); \
                     segments have 1, 4 or 5",
                    line_offset + local_line
                ),
            )));
        }
        if pos < text.len() && text[pos] == b',' {
            pos += 1;
            if pos == text.len() || text[pos] == b';' || text[pos] == b',' {
                let at = place(pos);
                return Err(Failure::Grammar(Error::at(
                    ErrorCode::InvalidSegmentLength,
                    at,
                    format!(
                        "empty segment at byte {at} (generated line {})",
                        line_offset + local_line
                    ),
                )));
            }
        }

        let at = place(segment_start);
        let generated_line = line_offset + local_line;
        state.generated_column += fields[0];
        if state.generated_column < 0 {
            reporter
                .report(negative(at, "generated column", generated_line))
                .map_err(Failure::Fatal)?;
            continue;
        }
        let mut column = state.generated_column;
        if local_line == 0 {
            column += i64::from(column_offset);
        }
        let column = to_u32(column, at, "generated column")?;
        if count == 1 {
            builder.push(column, NONE, NONE, NONE, NONE);
            continue;
        }
        state.source += fields[1];
        state.original_line += fields[2];
        state.original_column += fields[3];
        let mut source = NONE;
        let mut original_line = NONE;
        let mut original_column = NONE;
        if state.source < 0 {
            reporter
                .report(negative(at, "source index", generated_line))
                .map_err(Failure::Fatal)?;
        } else if state.source >= i64::from(source_count) {
            reporter
                .report(Error::at(
                    ErrorCode::SourceIndexOutOfBounds,
                    at,
                    format!(
                        "source index {} out of bounds ({source_count} sources) at byte {at} \
                         (generated line {generated_line})",
                        state.source
                    ),
                ))
                .map_err(Failure::Fatal)?;
        } else if state.original_line < 0 {
            reporter
                .report(negative(at, "original line", generated_line))
                .map_err(Failure::Fatal)?;
        } else if state.original_column < 0 {
            reporter
                .report(negative(at, "original column", generated_line))
                .map_err(Failure::Fatal)?;
        } else {
            source = source_base + state.source as u32;
            original_line = to_u32(state.original_line, at, "original line")?;
            original_column = to_u32(state.original_column, at, "original column")?;
        }
        let mut name = NONE;
        if count == 5 {
            state.name += fields[4];
            if state.name < 0 {
                reporter
                    .report(negative(at, "name index", generated_line))
                    .map_err(Failure::Fatal)?;
            } else if state.name >= i64::from(name_count) {
                reporter
                    .report(Error::at(
                        ErrorCode::NameIndexOutOfBounds,
                        at,
                        format!(
                            "name index {} out of bounds ({name_count} names) at byte {at} \
                             (generated line {generated_line})",
                            state.name
                        ),
                    ))
                    .map_err(Failure::Fatal)?;
            } else {
                name = name_base + state.name as u32;
            }
        }
        builder.push(column, source, original_line, original_column, name);
    }
    Ok(())
}

fn negative(at: usize, field: &str, generated_line: u32) -> Error {
    Error::at(
        ErrorCode::NegativeValue,
        at,
        format!("negative {field} at byte {at} (generated line {generated_line})"),
    )
}

/// Absolute positions are kept as u32; the spec's relative sums can exceed that.
fn to_u32(value: i64, at: usize, field: &str) -> Result<u32, Failure> {
    u32::try_from(value)
        .ok()
        .filter(|&v| v != NONE)
        .ok_or_else(|| {
            Failure::Fatal(Error::at(
                ErrorCode::VlqOverflow,
                at,
                format!("{field} {value} at byte {at} does not fit in 32 bits"),
            ))
        })
}

fn vlq_failure(error: VlqError, place: &dyn Fn(usize) -> usize, line: u32) -> Failure {
    match error {
        VlqError::Overflow(pos) => {
            let at = place(pos);
            Failure::Fatal(Error::at(
                ErrorCode::VlqOverflow,
                at,
                format!("VLQ value out of 32-bit range at byte {at} (generated line {line})"),
            ))
        }
        VlqError::Truncated(pos) => {
            let at = place(pos);
            Failure::Grammar(Error::at(
                ErrorCode::VlqTruncated,
                at,
                format!(
                    "VLQ ends with its continuation bit set at byte {at} (generated line {line})"
                ),
            ))
        }
        VlqError::InvalidDigit(pos) => {
            let at = place(pos);
            Failure::Grammar(Error::at(
                ErrorCode::InvalidBase64,
                at,
                format!("invalid character in mappings at byte {at} (generated line {line})"),
            ))
        }
    }
}
