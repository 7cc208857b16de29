//! What symbolication gives back: the symbolicated trace and frames, why a frame kept
//! its minified data, and their JSON in the field names error trackers use.
//!
//! This is the edge where positions turn 1-based: [`original_frame`] is the one place
//! an original [`Position`] becomes the `lineno`/`colno` people read.

use std::fmt;

use serde_json::{json, Value};

use crate::error::excerpt;
use crate::position::{Position, SourcePosition};
use crate::stacktrace::Frame;
use crate::view::SourceMapView;

use super::{FoundBy, SymbolicateOptions};

#[cfg(doc)]
use super::Artifact;

/// Why a frame kept its minified data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unmapped {
    /// The frame has no URL, line or column (a native or anonymous frame).
    NoLocation,
    /// The loader found neither the script nor a map for its URL.
    NotFound {
        /// The frame's URL.
        url: String,
    },
    /// The script was found but it names no source map, and `<url>.map` does not exist.
    NoSourceMap {
        /// The frame's URL.
        url: String,
    },
    /// The script names a map that the loader did not find.
    MapNotFound {
        /// The map's URL, resolved against the script's.
        map_url: String,
    },
    /// The loader failed (an I/O error, a callback error). Not cached: the next
    /// trace tries again.
    LoaderFailed {
        /// What went wrong.
        message: String,
    },
    /// The map could not be decoded; the message says how.
    Failed {
        /// What went wrong.
        message: String,
    },
    /// The map has no token at or before the position on its line.
    NoMapping,
    /// Nothing was found for the frame's debug ID, and the frame has no URL to try.
    DebugIdNotFound {
        /// The debug ID, normalized.
        debug_id: String,
    },
    /// The map found by the frame's URL has a debug ID other than the frame's: it is
    /// the map of another build.
    DebugIdMismatch {
        /// The frame's URL.
        url: String,
        /// The frame's debug ID (from its image).
        expected: String,
        /// The map's debug ID.
        found: String,
    },
    /// A script or map was larger than the lookup's limit.
    TooLarge {
        /// What was too large.
        url: String,
        /// The limit it broke.
        message: String,
    },
    /// The position's token has no original position.
    NoOriginal,
}

impl fmt::Display for Unmapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unmapped::NoLocation => f.write_str("the frame has no location"),
            Unmapped::NotFound { url } => write!(f, "nothing found for {}", excerpt(url)),
            Unmapped::NoSourceMap { url } => write!(f, "{} names no source map", excerpt(url)),
            Unmapped::MapNotFound { map_url } => {
                write!(f, "source map {} not found", excerpt(map_url))
            }
            Unmapped::LoaderFailed { message } | Unmapped::Failed { message } => {
                f.write_str(message)
            }
            Unmapped::NoMapping => f.write_str("no mapping at this position"),
            Unmapped::DebugIdNotFound { debug_id } => {
                write!(f, "no source map found for debug ID {}", excerpt(debug_id))
            }
            Unmapped::DebugIdMismatch {
                url,
                expected,
                found,
            } => write!(
                f,
                "the source map of {} has debug ID {}, not the frame's {}",
                excerpt(url),
                excerpt(found),
                excerpt(expected)
            ),
            Unmapped::TooLarge { message, .. } => f.write_str(message),
            Unmapped::NoOriginal => f.write_str("the position maps to no original source"),
        }
    }
}

impl Unmapped {
    /// A short stable identifier (for JSON and bindings).
    pub fn kind(&self) -> &'static str {
        match self {
            Unmapped::NoLocation => "no_location",
            Unmapped::NotFound { .. } => "not_found",
            Unmapped::NoSourceMap { .. } => "no_source_map",
            Unmapped::MapNotFound { .. } => "map_not_found",
            Unmapped::LoaderFailed { .. } => "loader_failed",
            Unmapped::Failed { .. } => "failed",
            Unmapped::NoMapping => "no_mapping",
            Unmapped::DebugIdNotFound { .. } => "debug_id_not_found",
            Unmapped::DebugIdMismatch { .. } => "debug_id_mismatch",
            Unmapped::TooLarge { .. } => "too_large",
            Unmapped::NoOriginal => "no_original",
        }
    }
}

/// Where a frame's function name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameOrigin {
    /// The map's own scopes (the scopes proposal): the generated ranges at the position
    /// and the original scopes they stand for, which also give inlined frames.
    Scopes,
    /// The map's function map for the frame's source (Metro's `x_facebook_sources`):
    /// the name React Native's tools show (`Checkout#total`, `cart.map$argument_0`).
    FunctionMap,
    /// The original source, parsed (`sourcesContent`, or a store's parsed scopes).
    OriginalSource,
    /// The minified script's enclosing function name, mapped through the map.
    MinifiedScript,
}

impl NameOrigin {
    /// `"scopes"`, `"function_map"`, `"original_source"` or `"minified_script"` (JSON
    /// and bindings).
    pub fn as_str(self) -> &'static str {
        match self {
            NameOrigin::Scopes => "scopes",
            NameOrigin::FunctionMap => "function_map",
            NameOrigin::OriginalSource => "original_source",
            NameOrigin::MinifiedScript => "minified_script",
        }
    }
}

/// Where a frame comes from in the original sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginalFrame {
    /// The `sources` entry as written, `sourceRoot`-prefixed.
    pub filename: Option<String>,
    /// The resolved URL when there is one, else `filename`.
    pub abs_path: Option<String>,
    /// 1-based line.
    pub lineno: u32,
    /// 1-based column (UTF-16 code units).
    pub colno: u32,
    /// The enclosing function's original name; `<anonymous>` inside an anonymous
    /// function; `None` at top level or when it cannot be told.
    pub function: Option<String>,
    /// Where `function` came from: `None` when nothing told it (it is then `None`
    /// too). With [`NameOrigin::Scopes`] and [`NameOrigin::FunctionMap`] a `None`
    /// function is told: top-level code.
    pub function_origin: Option<NameOrigin>,
    /// The frame's line of the original source (cut to `max_line_chars`).
    pub context_line: Option<String>,
    /// Lines before it.
    pub pre_context: Vec<String>,
    /// Lines after it.
    pub post_context: Vec<String>,
    /// False for sources the map's `ignoreList` names (third-party code).
    pub in_app: bool,
    /// Whether the map has the source's content (`sourcesContent`, or a cache's copy):
    /// without it there is no context, and names come from the minified script.
    pub has_source_content: bool,
    /// The runtime reported the frame between two segments of the map, and `colno` is
    /// the column of the very token it reported: found by walking the minified and the
    /// original tokens in step from the segment before it (they are the same tokens,
    /// renamed identifiers aside). False where a segment, or an engine rule, gave the
    /// position.
    pub column_refined: bool,
}

/// One frame of a symbolicated trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolicatedFrame {
    /// The frame as the runtime printed it.
    pub minified: Frame,
    /// The original location, when the frame could be mapped.
    pub original: Option<OriginalFrame>,
    /// Why not, otherwise.
    pub unmapped: Option<Unmapped>,
    /// The runtime had no frame of its own for this one: the minifier inlined this
    /// function into its caller, and the frame was rebuilt from the original sources.
    /// It shares `minified` with the frame after it (its caller), which the runtime
    /// did print, and whose position is then the call in the original source.
    pub inlined: bool,
    /// Which key found the frame's map, when one was found.
    pub found_by: Option<FoundBy>,
    /// Where that map came from, when the lookup said (see [`Artifact::map_url`]).
    pub map_url: Option<String>,
}

/// A symbolicated stack trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolicatedTrace {
    /// The error's type (`TypeError`), when the trace has a header line.
    pub error_type: Option<String>,
    /// The error's message.
    pub message: Option<String>,
    /// The frames, innermost first as printed.
    pub frames: Vec<SymbolicatedFrame>,
    /// Whether the trace had more frames than the limit and was cut.
    pub truncated: bool,
}

impl SymbolicatedTrace {
    /// The trace as JSON, in the field names error trackers use.
    pub fn to_json(&self) -> Value {
        json!({
            "error_type": self.error_type,
            "message": self.message,
            "truncated": self.truncated,
            "frames": self.frames.iter().map(SymbolicatedFrame::to_json).collect::<Vec<_>>(),
        })
    }
}

impl SymbolicatedFrame {
    /// The frame as JSON: the original fields (null when unmapped), `unmapped_reason`,
    /// and the untouched minified frame under `minified`.
    pub fn to_json(&self) -> Value {
        let m = &self.minified;
        let minified = json!({
            "raw": m.raw, "function": m.function, "abs_path": m.url,
            "lineno": m.line, "colno": m.column,
            "is_async": m.is_async, "is_constructor": m.is_constructor,
            "is_native": m.is_native, "is_eval": m.is_eval, "is_bytecode": m.is_bytecode,
        });
        let mut frame = match &self.original {
            Some(o) => json!({
                "filename": o.filename, "abs_path": o.abs_path,
                "lineno": o.lineno, "colno": o.colno, "function": o.function,
                "function_origin": o.function_origin.map(NameOrigin::as_str),
                "context_line": o.context_line, "pre_context": o.pre_context,
                "post_context": o.post_context, "in_app": o.in_app,
                "unmapped_reason": Value::Null, "inlined": self.inlined,
                "column_refined": o.column_refined,
            }),
            None => json!({
                "filename": Value::Null, "abs_path": m.url,
                "lineno": m.line, "colno": m.column, "function": m.function,
                "function_origin": Value::Null,
                "context_line": Value::Null, "pre_context": [], "post_context": [],
                "in_app": true,
                "unmapped_reason": self.unmapped.as_ref().map(|u| json!({"kind": u.kind(), "message": u.to_string()})),
                "inlined": false, "column_refined": false,
            }),
        };
        frame["found_by"] = json!(self.found_by.map(FoundBy::as_str));
        frame["map_url"] = json!(self.map_url);
        frame["minified"] = minified;
        frame
    }
}

/// The original frame at `at`, named `function` (which `function_origin` says where it came
/// from), with the source's lines around it as context: the one place an original position
/// becomes 1-based.
pub(super) fn original_frame(
    map: &dyn SourceMapView,
    at: SourcePosition,
    function: Option<String>,
    function_origin: Option<NameOrigin>,
    options: &SymbolicateOptions,
) -> OriginalFrame {
    let SourcePosition { source, position } = at;
    let context = map
        .source(source)
        .and_then(|s| s.context(position.line, options.context_lines, options.context_lines));
    let (context_line, pre_context, post_context) = match context {
        Some(context) => {
            let max = options.max_line_chars;
            let ascii = |line: u32| map.source_line_is_ascii(source, line);
            let first_pre = position.line - context.pre.len() as u32;
            let pre = context.pre.iter().zip(first_pre..);
            let post = context.post.iter().zip(position.line + 1..);
            (
                Some(cut_line(
                    context.line,
                    Some(position.column),
                    max,
                    ascii(position.line),
                )),
                pre.map(|(l, at)| cut_line(l, None, max, ascii(at)))
                    .collect(),
                post.map(|(l, at)| cut_line(l, None, max, ascii(at)))
                    .collect(),
            )
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let (lineno, colno) = one_based(position);
    let source = map.source(source);
    OriginalFrame {
        filename: source.and_then(|s| s.prefixed_name()).map(str::to_owned),
        abs_path: source.and_then(|s| s.path()).map(str::to_owned),
        lineno,
        colno,
        function,
        function_origin,
        context_line,
        pre_context,
        post_context,
        in_app: !source.is_some_and(|s| s.is_ignored()),
        has_source_content: map.source_content(at.source).is_some(),
        column_refined: false,
    }
}

/// `position` as [`OriginalFrame`]'s 1-based `u32` fields. Original positions come
/// from a map's tokens or a parsed source, whose values stay below `u32::MAX` (the
/// decoder refuses `u32::MAX`), so the 1-based values fit.
fn one_based(position: Position) -> (u32, u32) {
    let (line, column) = position.to_one_based();
    let fit = |value: u64| u32::try_from(value).unwrap_or(u32::MAX);
    (fit(line), fit(column))
}

/// Cuts a line longer than `max_chars` characters: around `column` (UTF-16) when given,
/// else its start, marking cuts with `{snip}` as error trackers do. The work is bounded
/// by the column and `max_chars`, not by the line: original sources can hold minified
/// lines of megabytes. On a line known to be ASCII (`ascii`) characters are bytes, and
/// the window is found without reading the line.
fn cut_line(line: &str, column: Option<u32>, max_chars: usize, ascii: bool) -> String {
    // A line of at most `max_chars` bytes has at most `max_chars` characters.
    if max_chars == 0 || line.len() <= max_chars {
        return line.to_owned();
    }
    let (start, end) = if ascii {
        let center = column.map_or(0, |column| (column as usize).min(line.len()));
        let start = center.saturating_sub(max_chars / 2);
        let end = (start + max_chars).min(line.len());
        // The line ends first: the window slides back to keep `max_chars` characters.
        (start.saturating_sub(max_chars - (end - start)), end)
    } else {
        // The character that holds UTF-16 unit `column` (or the line's end).
        let center = column.map_or(0, |column| char_holding_unit(line, column));
        let mut start = back_chars(line, center, max_chars / 2);
        let (end, taken) = forward_chars(line, start, max_chars);
        if taken < max_chars {
            start = back_chars(line, start, max_chars - taken);
        }
        (start, end)
    };
    let (before, after) = ("{snip} ", " {snip}");
    let mut cut = String::with_capacity(before.len() + end - start + after.len());
    if start > 0 {
        cut.push_str(before);
    }
    cut.push_str(&line[start..end]);
    if end < line.len() {
        cut.push_str(after);
    }
    cut
}

/// The byte offset of the character holding UTF-16 unit `column`, or the line's
/// length when the line is shorter.
fn char_holding_unit(line: &str, column: u32) -> usize {
    let prefix = line
        .as_bytes()
        .get(..column as usize)
        .unwrap_or(line.as_bytes());
    if prefix.is_ascii() {
        return prefix.len();
    }
    let mut units = 0u32;
    for (offset, ch) in line.char_indices() {
        units += ch.len_utf16() as u32;
        if units > column {
            return offset;
        }
    }
    line.len()
}

/// The byte offset `count` characters before `from` (or 0).
fn back_chars(line: &str, from: usize, count: usize) -> usize {
    line[..from]
        .char_indices()
        .rev()
        .take(count)
        .last()
        .map_or(from, |(offset, _)| offset)
}

/// The byte offset `count` characters after `from` (or the line's end), and how many
/// characters that is.
fn forward_chars(line: &str, from: usize, count: usize) -> (usize, usize) {
    let mut taken = 0;
    for (offset, _) in line[from..].char_indices() {
        if taken == count {
            return (from + offset, taken);
        }
        taken += 1;
    }
    (line.len(), taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = "x".repeat(400);
        let cut = cut_line(&line, Some(200), 150, false);
        assert!(
            cut.starts_with("{snip} ") && cut.ends_with(" {snip}"),
            "{cut}"
        );
        assert_eq!(cut.chars().filter(|c| *c == 'x').count(), 150);
        assert_eq!(cut_line("short", Some(2), 150, true), "short");
        assert!(cut_line(&line, None, 150, true).ends_with(" {snip}"));
    }

    /// The window as a walk over every character would cut it.
    fn cut_by_walking(line: &str, column: Option<u32>, max_chars: usize) -> String {
        let count = line.chars().count();
        if count <= max_chars || max_chars == 0 {
            return line.to_owned();
        }
        let center = column.map_or(0, |c| {
            let mut units = 0u32;
            line.chars()
                .take_while(|ch| {
                    units += ch.len_utf16() as u32;
                    units <= c
                })
                .count()
        });
        let start = center.saturating_sub(max_chars / 2).min(count - max_chars);
        let middle: String = line.chars().skip(start).take(max_chars).collect();
        let snip = |cut: bool, text: &'static str| if cut { text } else { "" };
        format!(
            "{}{middle}{}",
            snip(start > 0, "{snip} "),
            snip(start + max_chars < count, " {snip}")
        )
    }

    #[test]
    fn cutting_reads_only_around_the_column_and_agrees_with_a_full_walk() {
        let lines = [
            "a".repeat(40),
            "fn(a, b); ".repeat(5),
            "é".repeat(30),
            "ab😀cd".repeat(9),
            format!("{}{}", "x".repeat(25), "ü".repeat(25)),
            format!("{}{}", "😀".repeat(12), "y".repeat(30)),
        ];
        for line in &lines {
            for max_chars in [0, 1, 7, 20, 39, 40, 41, 60] {
                let units: u32 = line.chars().map(|c| c.len_utf16() as u32).sum();
                for column in (0..units + 3).map(Some).chain([None]) {
                    let walked = cut_by_walking(line, column, max_chars);
                    assert_eq!(
                        cut_line(line, column, max_chars, false),
                        walked,
                        "{line:?} column {column:?} max {max_chars}"
                    );
                    if line.is_ascii() {
                        assert_eq!(
                            cut_line(line, column, max_chars, true),
                            walked,
                            "ASCII: column {column:?} max {max_chars}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn original_positions_print_one_based() {
        assert_eq!(one_based(Position::new(0, 0)), (1, 1));
        assert_eq!(one_based(Position::new(9, 41)), (10, 42));
    }
}
