//! The validator: every problem of a source map, listed rather than stopping at the
//! first (docs/validate.md).
//!
//! It reuses the decoder instead of checking the document a second way: the lenient
//! decoder already records each optional error of the spec as a [`Diagnostic`] and
//! goes on, and a fatal error is the one problem that stops it. On top come the checks
//! that break symbolication in practice: sources without content, sources that resolve
//! to no URL, mappings only into ignore-listed sources, maps without mappings, and,
//! given the generated script, columns past the end of their line and a `debugId`
//! comment that differs from the map's.
//!
//! Output is bounded whatever the input: at most [`MAX_PROBLEMS_PER_CODE`] problems of
//! one code are listed, the rest only counted.

use serde_json::{json, Map, Value};

use crate::decode::{decode, decode_capped, DecodeOptions};
use crate::discovery;
use crate::error::{excerpt, Error, ErrorCode};
use crate::lines::later_line_starts;
use crate::map::SourceMap;
use crate::view::SourceMapView;

/// Problems of one code listed one by one; past this they are only counted.
pub const MAX_PROBLEMS_PER_CODE: usize = 100;

/// Stands in for the map's own URL when sources are resolved, so a source that resolves
/// against no URL at all is found. Its host is reserved and never contacted.
const PLACEHOLDER_BASE_URL: &str = "https://validate.invalid/";

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The spec calls it an error (fatal or optional), or symbolication gives wrong
    /// answers because of it.
    Error,
    /// The map works, but less well than it could (no source content, say).
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Stable kebab-case code such as `"invalid-vlq"` (docs/validate.md lists them).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, for people.
    pub message: String,
    /// Byte offset in the map's JSON, when the problem has a place there.
    pub offset: Option<u64>,
    /// JSON path of the value, such as `sources[3]`, when it is known.
    pub path: Option<String>,
    /// 0-based generated line and column (UTF-16), for problems of a mapping.
    pub generated: Option<(u32, u32)>,
}

impl Problem {
    fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Problem {
        Problem {
            code,
            severity,
            message: message.into(),
            offset: None,
            path: None,
            generated: None,
        }
    }

    fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("code".into(), json!(self.code));
        object.insert("severity".into(), json!(self.severity.as_str()));
        object.insert("message".into(), json!(self.message));
        if let Some(offset) = self.offset {
            object.insert("offset".into(), json!(offset));
        }
        if let Some(path) = &self.path {
            object.insert("path".into(), json!(path));
        }
        if let Some((line, column)) = self.generated {
            object.insert("generated_line".into(), json!(line));
            object.insert("generated_column".into(), json!(column));
        }
        Value::Object(object)
    }
}

/// Everything [`validate`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationReport {
    problems: Vec<Problem>,
    /// `(code, severity, problems found but not listed)`, in the order first seen.
    omitted: Vec<(&'static str, Severity, usize)>,
    /// `(code, problems listed)`, so adding a problem never scans the list.
    listed: Vec<(&'static str, usize)>,
}

impl ValidationReport {
    /// Whether the map has no error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.error_count() == 0
    }

    /// Every listed problem, in the order found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The listed errors.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.listed(Severity::Error)
    }

    /// The listed warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.listed(Severity::Warning)
    }

    /// Errors found, listed or not.
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Warnings found, listed or not.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    /// Problems found but not listed, per code, past [`MAX_PROBLEMS_PER_CODE`].
    pub fn omitted(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        self.omitted.iter().map(|&(code, _, count)| (code, count))
    }

    fn listed(&self, severity: Severity) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.severity == severity)
    }

    fn count(&self, severity: Severity) -> usize {
        let omitted: usize = (self.omitted.iter())
            .filter(|entry| entry.1 == severity)
            .map(|entry| entry.2)
            .sum();
        self.listed(severity).count() + omitted
    }

    /// The report as JSON: `{"valid", "error_count", "warning_count", "errors": [...],
    /// "warnings": [...], "omitted": {code: count}}`; each problem is `{"code",
    /// "severity", "message"}` with `"offset"`, `"path"` and
    /// `"generated_line"`/`"generated_column"` (0-based) when known.
    pub fn to_json(&self) -> Value {
        let omitted: Map<String, Value> = (self.omitted())
            .map(|(code, count)| (code.to_owned(), json!(count)))
            .collect();
        json!({
            "valid": self.is_valid(),
            "error_count": self.error_count(),
            "warning_count": self.warning_count(),
            "errors": self.errors().map(Problem::to_json).collect::<Vec<_>>(),
            "warnings": self.warnings().map(Problem::to_json).collect::<Vec<_>>(),
            "omitted": omitted,
        })
    }

    fn add(&mut self, problem: Problem) {
        // A few dozen codes at most: a linear search of the tally is cheap.
        let tally = match self.listed.iter_mut().find(|entry| entry.0 == problem.code) {
            Some(entry) => entry,
            None => {
                self.listed.push((problem.code, 0));
                self.listed.last_mut().expect("just pushed")
            }
        };
        if tally.1 < MAX_PROBLEMS_PER_CODE {
            tally.1 += 1;
            self.problems.push(problem);
            return;
        }
        self.count_omitted(problem.code, problem.severity, 1);
    }

    /// Counts problems found but not listed.
    fn count_omitted(&mut self, code: &'static str, severity: Severity, count: usize) {
        match self.omitted.iter_mut().find(|entry| entry.0 == code) {
            Some(entry) => entry.2 += count,
            None => self.omitted.push((code, severity, count)),
        }
    }
}

/// Validates a source map document (JSON, regular or index map), and with `script`,
/// the generated file it maps. Lists every problem found; never fails and never panics
/// on bad input.
pub fn validate(map_json: &[u8], script: Option<&str>) -> ValidationReport {
    let mut report = ValidationReport::default();
    let options = DecodeOptions::new()
        .base_url(PLACEHOLDER_BASE_URL)
        .expect("the placeholder base URL is absolute");
    // The decoder keeps no more diagnostics of a code than the report lists, so a map
    // of millions of bad segments costs no more memory than a sound one.
    let (map, uncounted) = match decode_capped(map_json, &options, MAX_PROBLEMS_PER_CODE) {
        Ok(decoded) => decoded,
        Err(error) => {
            // Fatal: nothing past this point of the document can be known.
            report.add(from_error(&error));
            return report;
        }
    };
    for diagnostic in map.diagnostics() {
        report.add(from_error(diagnostic));
    }
    for (code, count) in uncounted {
        let problem = from_error(&Error::new(code, ""));
        report.count_omitted(problem.code, problem.severity, count);
    }
    check_sources(&map, &mut report);
    check_mappings(&map, &mut report);
    if let Some(script) = script {
        check_columns(&map, script, &mut report);
        check_debug_id(&map, script, &mut report);
    }
    let decoded_without_errors = map
        .diagnostics()
        .iter()
        .all(|d| from_error(d).severity != Severity::Error);
    // Dropped first, so the strict pass never holds two decoded maps at once.
    drop(map);
    if decoded_without_errors {
        // Strict mode may refuse what lenient mode fixed up without a word.
        // No base URL here: an unresolvable source is already a warning above.
        if let Err(error) = decode(map_json, &DecodeOptions::new().strict(true)) {
            report.add(from_error(&error));
        }
    }
    report
}

/// The validator's code and severity for a decoder error.
fn from_error(error: &Error) -> Problem {
    let severity = match error.code() {
        // Notes, not errors in either mode: the value is still well defined.
        ErrorCode::UnsortedMappings | ErrorCode::DuplicateKey => Severity::Warning,
        // Resolved against a placeholder, not the map's real URL: a warning.
        ErrorCode::InvalidSourceUrl => Severity::Warning,
        // A vendor extension, not part of ECMA-426: the map itself is valid.
        ErrorCode::InvalidFunctionMap => Severity::Warning,
        _ => Severity::Error,
    };
    let mut problem = Problem::new(code_name(error.code()), severity, error.message());
    problem.offset = error.offset();
    problem
}

/// The kebab-case code of a decoder error: `SourceIndexOutOfBounds` becomes
/// `source-index-out-of-bounds`. VLQ faults share `invalid-vlq`.
fn code_name(code: ErrorCode) -> &'static str {
    macro_rules! names {
        ($($variant:ident => $name:literal,)*) => {
            match code {
                $(ErrorCode::$variant => $name,)*
                _ => "invalid-map",
            }
        };
    }
    names! {
        InvalidJson => "invalid-json",
        InvalidUtf8 => "invalid-utf8",
        NotAnObject => "not-an-object",
        InputTooLarge => "input-too-large",
        DuplicateKey => "duplicate-key",
        TrailingComma => "trailing-comma",
        MissingField => "missing-field",
        WrongType => "wrong-type",
        UnsupportedVersion => "unsupported-version",
        InvalidDebugId => "invalid-debug-id",
        InvalidIgnoreList => "invalid-ignore-list",
        InvalidSourceUrl => "unresolvable-source",
        SourcesContentLength => "sources-content-length",
        InvalidFunctionMap => "invalid-function-map",
        InvalidBase64 => "invalid-vlq",
        VlqOverflow => "invalid-vlq",
        VlqTruncated => "invalid-vlq",
        InvalidSegmentLength => "invalid-segment-length",
        NegativeValue => "negative-value",
        SourceIndexOutOfBounds => "source-index-out-of-bounds",
        NameIndexOutOfBounds => "name-index-out-of-bounds",
        UnsortedMappings => "unsorted-mappings",
        InvalidRangeMapping => "invalid-range-mapping",
        InvalidScopes => "invalid-scopes",
        SectionsWithMappings => "sections-with-mappings",
        InvalidSectionOrder => "invalid-section-order",
        NestedIndexMap => "nested-index-map",
        SectionUrlUnsupported => "section-url-unsupported",
    }
}

fn check_sources(map: &SourceMap, report: &mut ValidationReport) {
    for index in 0..map.source_count() as u32 {
        if map.source_name(index).is_some() && map.source_content(index).is_none() {
            let mut problem = Problem::new(
                "missing-sources-content",
                Severity::Warning,
                format!(
                    "source {index} (\"{}\") has no sourcesContent: context lines and \
                     function names need the source fetched",
                    excerpt(map.source_name(index).unwrap_or_default())
                ),
            );
            problem.path = Some(format!("sources[{index}]"));
            report.add(problem);
        }
    }
}

fn check_mappings(map: &SourceMap, report: &mut ValidationReport) {
    let mut mapped = 0usize;
    let mut into_listed_source = 0usize;
    for token in map.tokens() {
        if let Some(source) = token.source_index() {
            mapped += 1;
            if !map.source_is_ignored(source) {
                into_listed_source += 1;
            }
        }
    }
    if mapped == 0 {
        let message = if map.token_count() == 0 {
            "the map has no mappings".to_owned()
        } else {
            format!(
                "none of the map's {} mappings has an original position",
                map.token_count()
            )
        };
        report.add(Problem::new("no-mappings", Severity::Warning, message));
    } else if into_listed_source == 0 {
        report.add(Problem::new(
            "only-ignored-sources",
            Severity::Warning,
            format!(
                "all {mapped} mappings point into ignore-listed sources: \
                 every frame of this script will be hidden"
            ),
        ));
    }
}

/// Each generated line's length in UTF-16 code units, as columns count them.
fn line_lengths(script: &str) -> Vec<u32> {
    let mut lengths = Vec::new();
    let mut start = 0usize;
    let ends = later_line_starts(script).chain(std::iter::once(script.len() + 1));
    for next in ends {
        let end = next.min(script.len());
        let line = script[start..end].trim_end_matches(['\n', '\r', '\u{2028}', '\u{2029}']);
        let units = line.encode_utf16().count();
        lengths.push(u32::try_from(units).unwrap_or(u32::MAX));
        start = end;
    }
    lengths
}

fn check_columns(map: &SourceMap, script: &str, report: &mut ValidationReport) {
    let lengths = line_lengths(script);
    for token in map.tokens() {
        let (line, column) = (token.generated_line(), token.generated_column());
        let problem = match lengths.get(line as usize) {
            None => Problem::new(
                "line-past-end",
                Severity::Error,
                format!(
                    "a mapping is on generated line {line}, but the script has {} lines",
                    lengths.len()
                ),
            ),
            Some(&length) if column > length => Problem::new(
                "column-past-line-end",
                Severity::Error,
                format!(
                    "a mapping is at generated column {column}, past the end of line {line} \
                     ({length} UTF-16 units): the map does not fit this script"
                ),
            ),
            Some(_) => continue,
        };
        report.add(Problem {
            generated: Some((line, column)),
            ..problem
        });
    }
}

/// A debug ID reduced to its hex digits, lowercase, so `ABCD…` and `abcd-…` agree.
fn debug_id_digits(id: &str) -> String {
    (id.chars())
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn check_debug_id(map: &SourceMap, script: &str, report: &mut ValidationReport) {
    let Some(script_id) = discovery::debug_id(script) else {
        return;
    };
    let message = match map.debug_id() {
        None => format!(
            "the script's debugId comment is {} but the map has no debugId",
            excerpt(script_id)
        ),
        Some(map_id) if debug_id_digits(map_id) != debug_id_digits(script_id) => format!(
            "the script's debugId comment is {} but the map's debugId is {}",
            excerpt(script_id),
            excerpt(map_id)
        ),
        Some(_) => return,
    };
    let mut problem = Problem::new("debug-id-mismatch", Severity::Error, message);
    problem.path = Some("debugId".into());
    report.add(problem);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_lengths_count_utf16_units() {
        assert_eq!(line_lengths("ab\r\nc😀\nxyz"), vec![2, 3, 3]);
        assert_eq!(line_lengths(""), vec![0]);
        assert_eq!(line_lengths("a\n"), vec![1, 0]);
    }

    #[test]
    fn every_decoder_code_has_its_own_name() {
        for &code in ErrorCode::ALL {
            let name = code_name(code);
            let banded = matches!(code.as_i32(), 100..=499) && code != ErrorCode::Io;
            assert_eq!(name != "invalid-map", banded, "{code:?} → {name}");
        }
    }

    #[test]
    fn repeated_problems_are_counted_past_the_cap() {
        let mut report = ValidationReport::default();
        for _ in 0..MAX_PROBLEMS_PER_CODE + 7 {
            report.add(Problem::new("x", Severity::Error, "m"));
        }
        assert_eq!(report.problems().len(), MAX_PROBLEMS_PER_CODE);
        assert_eq!(report.error_count(), MAX_PROBLEMS_PER_CODE + 7);
        assert_eq!(report.omitted().collect::<Vec<_>>(), vec![("x", 7)]);
        assert!(!report.is_valid());
    }
}
