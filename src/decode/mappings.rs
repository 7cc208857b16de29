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
    /// Byte offset in the input of the `mappings` JSON string (its opening quote).
    pub(crate) mappings_offset: usize,
    /// Whether the decoded text is the input's bytes verbatim (no escapes, no repaired
    /// UTF-8). Only then can an error name the exact byte; otherwise it names the
    /// string's start.
    pub(crate) verbatim: bool,
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
    let diagnostics_before = reporter.mark();
    builder.advance_to_line(placement.line_offset);
    match decode_segments(text, placement, builder, reporter) {
        Ok(()) => Ok(()),
        Err(Failure::Fatal(error)) => Err(error),
        Err(Failure::Grammar(error)) => {
            builder.rollback(mark);
            reporter.rollback(diagnostics_before);
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
        mappings_offset,
        verbatim,
    } = placement;
    let place = Place {
        mappings_offset,
        verbatim,
    };

    let mut state = State::default();
    let mut local_line: u32 = 0;
    let mut pos = 0usize;
    while pos < text.len() {
        let line = line_offset + local_line;
        match text[pos] {
            b';' => {
                pos += 1;
                local_line += 1;
                state.generated_column = 0;
                builder.new_line();
                continue;
            }
            b',' => {
                let error =
                    place.error(ErrorCode::InvalidSegmentLength, pos, "empty segment", line);
                return Err(Failure::Grammar(error));
            }
            _ => {}
        }
        let segment_start = pos;
        // Fields go to locals, not an array: they are read back at once, and values
        // kept in registers avoid store-to-load stalls in this hot loop.
        macro_rules! next_field {
            () => {{
                let before = pos;
                let value = next_field(text, &mut pos);
                if value == BAD_FIELD {
                    return Err(vlq_failure_at(text, before, &place, line));
                }
                value
            }};
        }
        let (f0, f1, f2, f3, f4, count) = match short_segment(text, pos) {
            Some(([f0, f1, f2, f3, f4], count)) => {
                pos += count;
                (f0, f1, f2, f3, f4, count)
            }
            None => {
                let (mut f1, mut f2, mut f3, mut f4) = (0, 0, 0, 0);
                let f0 = next_field!();
                let mut count = 1usize;
                let v = next_field!();
                if v != END_OF_SEGMENT {
                    (f1, count) = (v, 2);
                    let v = next_field!();
                    if v != END_OF_SEGMENT {
                        (f2, count) = (v, 3);
                        let v = next_field!();
                        if v != END_OF_SEGMENT {
                            (f3, count) = (v, 4);
                            let v = next_field!();
                            if v != END_OF_SEGMENT {
                                (f4, count) = (v, 5);
                                while next_field!() != END_OF_SEGMENT {
                                    count += 1;
                                }
                            }
                        }
                    }
                }
                (f0, f1, f2, f3, f4, count)
            }
        };
        if !matches!(count, 1 | 4 | 5) {
            let what = format!("segment with {count} fields (segments have 1, 4 or 5)");
            let error = place.error(ErrorCode::InvalidSegmentLength, segment_start, what, line);
            return Err(Failure::Grammar(error));
        }
        if pos < text.len() && text[pos] == b',' {
            pos += 1;
            if pos == text.len() || text[pos] == b';' || text[pos] == b',' {
                let error =
                    place.error(ErrorCode::InvalidSegmentLength, pos, "empty segment", line);
                return Err(Failure::Grammar(error));
            }
        }

        let at = segment_start;
        state.generated_column += f0;
        let mut column = state.generated_column;
        if local_line == 0 {
            column += i64::from(column_offset);
        }
        if state.generated_column < 0 || column >= i64::from(NONE) {
            if state.generated_column < 0 {
                reporter
                    .report(place.negative(at, "generated column", line))
                    .map_err(Failure::Fatal)?;
                continue;
            }
            place.to_u32(column, at, "generated column", line)?;
        }
        let column = column as u32;
        if !builder.make_room(pos, text.len()) {
            let (count, limit) = (builder.token_count() + 1, builder.token_limit());
            let error = super::over_limit("mappings", count, limit, "max_mappings");
            return Err(Failure::Fatal(error));
        }
        if count == 1 {
            builder.push(column, NONE, NONE, NONE, NONE);
            continue;
        }
        state.source += f1;
        state.original_line += f2;
        state.original_column += f3;
        let (source, original_line, original_column) = if (state.source as u64)
            < u64::from(source_count)
            && (state.original_line as u64) < u64::from(NONE)
            && (state.original_column as u64) < u64::from(NONE)
        {
            (
                source_base + state.source as u32,
                state.original_line as u32,
                state.original_column as u32,
            )
        } else {
            original_with_problem(
                &state,
                source_base,
                source_count,
                &place,
                at,
                line,
                reporter,
            )?
        };
        let mut name = NONE;
        if count == 5 {
            state.name += f4;
            if (state.name as u64) < u64::from(name_count) {
                name = name_base + state.name as u32;
            } else {
                let problem = if state.name < 0 {
                    place.negative(at, "name index", line)
                } else {
                    let what = format!(
                        "name index {} out of bounds ({name_count} names)",
                        state.name
                    );
                    place.error(ErrorCode::NameIndexOutOfBounds, at, what, line)
                };
                reporter.report(problem).map_err(Failure::Fatal)?;
            }
        }
        builder.push(column, source, original_line, original_column, name);
    }
    Ok(())
}

/// The original position of a segment whose source, line or column is out of range:
/// the spec keeps the mapping without an original position (an optional error), except
/// that values beyond 32 bits are fatal.
#[cold]
fn original_with_problem(
    state: &State,
    source_base: u32,
    source_count: u32,
    place: &Place,
    at: usize,
    line: u32,
    reporter: &mut Reporter,
) -> Result<(u32, u32, u32), Failure> {
    let problem = if state.source < 0 {
        place.negative(at, "source index", line)
    } else if state.source >= i64::from(source_count) {
        let what = format!(
            "source index {} out of bounds ({source_count} sources)",
            state.source
        );
        place.error(ErrorCode::SourceIndexOutOfBounds, at, what, line)
    } else if state.original_line < 0 {
        place.negative(at, "original line", line)
    } else if state.original_column < 0 {
        place.negative(at, "original column", line)
    } else {
        let original_line = place.to_u32(state.original_line, at, "original line", line)?;
        let original_column = place.to_u32(state.original_column, at, "original column", line)?;
        return Ok((
            source_base + state.source as u32,
            original_line,
            original_column,
        ));
    };
    reporter.report(problem).map_err(Failure::Fatal)?;
    Ok((NONE, NONE, NONE))
}

/// A segment of four or five one-digit fields and then a separator, which is what most
/// segments of real maps look like, decoded without a loop: `(fields, field count)`.
#[inline(always)]
fn short_segment(text: &[u8], pos: usize) -> Option<([i64; 5], usize)> {
    let bytes = text.get(pos..pos + 6)?;
    let digits = [
        vlq::digit_or_invalid(bytes[0]),
        vlq::digit_or_invalid(bytes[1]),
        vlq::digit_or_invalid(bytes[2]),
        vlq::digit_or_invalid(bytes[3]),
    ];
    // A digit of 32 or more continues its VLQ; 0xff is not a digit at all.
    if (digits[0] | digits[1] | digits[2] | digits[3]) >= 0x20 {
        return None;
    }
    let value = |digit: u8| vlq::ONE_DIGIT_VALUE[usize::from(digit & 0x1f)];
    let mut fields = [
        value(digits[0]),
        value(digits[1]),
        value(digits[2]),
        value(digits[3]),
        0,
    ];
    match bytes[4] {
        b',' | b';' => Some((fields, 4)),
        fifth => {
            let digit = vlq::digit_or_invalid(fifth);
            if digit < 0x20 && matches!(bytes[5], b',' | b';') {
                fields[4] = value(digit);
                Some((fields, 5))
            } else {
                None
            }
        }
    }
}

/// What [`next_field`] returns at a `,`, a `;` or the end of the text.
const END_OF_SEGMENT: i64 = i64::MAX;
/// What [`next_field`] returns for a VLQ that does not decode.
const BAD_FIELD: i64 = i64::MIN;

/// The next field of a segment, [`END_OF_SEGMENT`] or [`BAD_FIELD`]. Plain values rather
/// than a `Result` keep the hot loop in registers; [`vlq_failure_at`] finds out what was
/// wrong.
#[inline(always)]
fn next_field(text: &[u8], pos: &mut usize) -> i64 {
    match text.get(*pos) {
        None | Some(b',') | Some(b';') => END_OF_SEGMENT,
        Some(_) => vlq::decode_signed(text, pos).unwrap_or(BAD_FIELD),
    }
}

/// The failure for the VLQ at `pos`, which [`next_field`] could not decode.
#[cold]
fn vlq_failure_at(text: &[u8], mut pos: usize, place: &Place, line: u32) -> Failure {
    match vlq::decode_signed(text, &mut pos) {
        Err(error) => vlq_failure(error, place, line),
        Ok(_) => unreachable_failure(place, pos, line),
    }
}

/// Only reachable if the VLQ decoder were not deterministic; kept as an error, not a panic.
#[cold]
fn unreachable_failure(place: &Place, pos: usize, line: u32) -> Failure {
    Failure::Fatal(place.error(ErrorCode::InvalidBase64, pos, "VLQ decoding failed", line))
}

/// Turns positions in the mappings text into error locations.
struct Place {
    mappings_offset: usize,
    verbatim: bool,
}

impl Place {
    /// An error about the segment or character at `pos` of the mappings text. It has
    /// an input byte offset when the text is the input verbatim; otherwise (escapes in
    /// the JSON string) the message gives the position within the mappings text.
    fn error(&self, code: ErrorCode, pos: usize, what: impl std::fmt::Display, line: u32) -> Error {
        if self.verbatim {
            let at = self.mappings_offset + 1 + pos;
            Error::at(
                code,
                at,
                format!("{what} at byte {at} (generated line {line})"),
            )
        } else {
            Error::new(
                code,
                format!("{what} at character {pos} of the escaped mappings string (generated line {line})"),
            )
        }
    }

    fn negative(&self, pos: usize, field: &str, line: u32) -> Error {
        self.error(
            ErrorCode::NegativeValue,
            pos,
            format!("negative {field}"),
            line,
        )
    }

    /// Absolute positions are kept as u32; the spec's relative sums can exceed that.
    fn to_u32(&self, value: i64, pos: usize, field: &str, line: u32) -> Result<u32, Failure> {
        u32::try_from(value)
            .ok()
            .filter(|&v| v != NONE)
            .ok_or_else(|| {
                let what = format!("{field} {value} does not fit in 32 bits");
                Failure::Fatal(self.error(ErrorCode::VlqOverflow, pos, what, line))
            })
    }
}

fn vlq_failure(error: VlqError, place: &Place, line: u32) -> Failure {
    match error {
        VlqError::Overflow(pos) => Failure::Fatal(place.error(
            ErrorCode::VlqOverflow,
            pos,
            "VLQ value out of 32-bit range",
            line,
        )),
        VlqError::Truncated(pos) => Failure::Grammar(place.error(
            ErrorCode::VlqTruncated,
            pos,
            "VLQ ends with its continuation bit set",
            line,
        )),
        VlqError::InvalidDigit(pos) => Failure::Grammar(place.error(
            ErrorCode::InvalidBase64,
            pos,
            "invalid character in mappings",
            line,
        )),
    }
}
