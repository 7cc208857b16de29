//! Decoding the `rangeMappings` field (ECMA-426 range mappings proposal, Stage 3:
//! DecodeRangeMappings and UpdateMappingsForRangeMappings) onto the tokens that the
//! same map's `mappings` just added.
//!
//! The field has a line per generated line (`;`-separated); each line is a list of
//! unsigned VLQs naming mappings of that line by their 0-based position in it: the first
//! VLQ is the position, every later one the distance from the one before (ecma426
//! #252, April 2026; earlier drafts counted from 1). Rules, as the draft gives them:
//! - a grammar error (a character outside Base64 and `;`, a VLQ cut short) drops the
//!   whole field (an optional error);
//! - a VLQ of 2^32 or more is fatal, as in `mappings`;
//! - a distance of 0 (an index named twice), an index past the line's mappings and a
//!   mapping without an original position are optional errors; lenient decoding skips
//!   that entry and keeps the others.
//!
//! Positions count the mappings the decoder kept, in `mappings` order (before any
//! sorting), within one map: an index-map section counts its own.

use crate::error::{excerpt, Error, ErrorCode, Result};
use crate::mappings::{MappingsBuilder, NONE};
use crate::vlq::{self, VlqError};

use super::Reporter;

/// Where the map's tokens are in the builder.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RangeTarget {
    /// Index of the map's first token (tokens of an earlier section may share its first
    /// line).
    pub(crate) first_token: usize,
    /// Generated line of the map's first line.
    pub(crate) line_offset: u32,
    /// Byte offset in the input of the `rangeMappings` JSON string (its opening quote).
    pub(crate) field_offset: usize,
}

/// Optional errors reported one by one before the rest are only counted (a hostile
/// field could otherwise name millions of bad indices, a diagnostic each).
const REPORTED_PROBLEMS: usize = 16;

/// Decodes `text` and marks the tokens it names as range mappings. Takes no memory
/// beyond the marks: the field is read twice, once for its grammar (an error there
/// drops it whole) and once to apply it.
pub(crate) fn decode_range_mappings(
    text: &[u8],
    target: RangeTarget,
    builder: &mut MappingsBuilder,
    reporter: &mut Reporter,
) -> Result<()> {
    if let Some(Err(problem)) = Entries::new(text).find(|entry| entry.is_err()) {
        return grammar_error(problem, text, target, reporter);
    }
    let mut problems = 0usize;
    for entry in Entries::new(text).flatten() {
        let line = target.line_offset.saturating_add(entry.line);
        let problem = if entry.repeated {
            Some("twice (a distance of 0)")
        } else {
            match token_of(builder, target, entry) {
                None => Some("which the line does not have"),
                Some(token) if builder.source_of(token) == NONE => {
                    Some("which has no original position")
                }
                Some(token) => {
                    builder.mark_range(token);
                    None
                }
            }
        };
        if let Some(problem) = problem {
            problems += 1;
            if problems <= REPORTED_PROBLEMS {
                let what = format!(
                    "rangeMappings names mapping {} of generated line {line} {problem}; it was skipped",
                    entry.index
                );
                reporter.report(error(ErrorCode::InvalidRangeMapping, target, what))?;
            }
        }
    }
    if problems > REPORTED_PROBLEMS {
        let what = format!(
            "rangeMappings: {} more entries were skipped for the same reasons",
            problems - REPORTED_PROBLEMS
        );
        reporter.report(error(ErrorCode::InvalidRangeMapping, target, what))?;
    }
    Ok(())
}

/// Reports a grammar error (the field is dropped) or fails on an overflow.
fn grammar_error(
    problem: VlqError,
    text: &[u8],
    target: RangeTarget,
    reporter: &mut Reporter,
) -> Result<()> {
    match problem {
        VlqError::Overflow(pos) => Err(error(
            ErrorCode::VlqOverflow,
            target,
            format!("rangeMappings: VLQ value at character {pos} is 2^32 or more"),
        )),
        VlqError::Truncated(pos) => {
            let what = format!(
                "rangeMappings: VLQ at character {pos} ends with its continuation bit set; the field was ignored"
            );
            reporter.report(error(ErrorCode::VlqTruncated, target, what))
        }
        VlqError::InvalidDigit(pos) => {
            let found = text.get(pos).map_or(String::new(), |&b| {
                excerpt(&String::from_utf8_lossy(&[b])).to_string()
            });
            let what = format!(
                "rangeMappings: character {pos} ({found:?}) is neither Base64 nor ';'; the field was ignored"
            );
            reporter.report(error(ErrorCode::InvalidBase64, target, what))
        }
    }
}

/// One decoded entry: mapping `index` of the map's line `line`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    line: u32,
    index: u64,
    /// A distance of 0: the index the entry before named.
    repeated: bool,
}

/// The entries of the field, in order; a VLQ error ends them.
struct Entries<'t> {
    text: &'t [u8],
    pos: usize,
    line: u32,
    /// The index the entry before named on this line.
    index: Option<u64>,
    failed: bool,
}

impl<'t> Entries<'t> {
    fn new(text: &'t [u8]) -> Entries<'t> {
        Entries {
            text,
            pos: 0,
            line: 0,
            index: None,
            failed: false,
        }
    }
}

impl Iterator for Entries<'_> {
    type Item = std::result::Result<Entry, VlqError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed && self.text.get(self.pos) == Some(&b';') {
            self.pos += 1;
            self.line = self.line.saturating_add(1);
            self.index = None;
        }
        if self.failed || self.pos >= self.text.len() {
            return None;
        }
        let value = match vlq::decode_unsigned(self.text, &mut self.pos) {
            Ok(value) => u64::from(value),
            Err(problem) => {
                self.failed = true;
                return Some(Err(problem));
            }
        };
        let (index, repeated) = match self.index {
            None => (value, false),
            Some(previous) => (previous + value, value == 0),
        };
        self.index = Some(index);
        Some(Ok(Entry {
            line: self.line,
            index,
            repeated,
        }))
    }
}

/// The builder index of the entry's token, if the map's line has that many.
fn token_of(builder: &MappingsBuilder, target: RangeTarget, entry: Entry) -> Option<usize> {
    let line = target.line_offset.checked_add(entry.line)?;
    let start = builder.line_start(line)?;
    let start = if entry.line == 0 {
        start.max(target.first_token)
    } else {
        start
    };
    let end = builder
        .line_start(line.checked_add(1)?)
        .unwrap_or(builder.len());
    let token = start.checked_add(usize::try_from(entry.index).ok()?)?;
    (token < end).then_some(token)
}

fn error(code: ErrorCode, target: RangeTarget, what: String) -> Error {
    Error::at(code, target.field_offset, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8]) -> std::result::Result<Vec<Entry>, VlqError> {
        Entries::new(text).collect()
    }

    fn entries(text: &str) -> Vec<(u32, u64, bool)> {
        parse(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|e| (e.line, e.index, e.repeated))
            .collect()
    }

    /// The draft's example, in the 0-based encoding: "B;;A" marks mapping 1 of line 0
    /// and mapping 0 of line 2; later values are distances.
    #[test]
    fn first_index_then_distances() {
        assert_eq!(entries("B;;A"), vec![(0, 1, false), (2, 0, false)]);
        assert_eq!(
            entries("ABCgB"),
            vec![(0, 0, false), (0, 1, false), (0, 3, false), (0, 35, false)]
        );
        assert_eq!(entries("AA"), vec![(0, 0, false), (0, 0, true)]);
        assert_eq!(entries(""), vec![]);
        assert_eq!(entries(";;;"), vec![]);
    }

    #[test]
    fn grammar_errors() {
        assert_eq!(parse(b"AB%"), Err(VlqError::InvalidDigit(2)));
        assert_eq!(parse(b"ab="), Err(VlqError::InvalidDigit(2)));
        assert_eq!(parse(b"A,B"), Err(VlqError::InvalidDigit(1)));
        assert_eq!(parse(b"g"), Err(VlqError::Truncated(1)));
        assert_eq!(parse(b"//////E"), Err(VlqError::Overflow(0)));
    }
}
