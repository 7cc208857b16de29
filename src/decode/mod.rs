//! Decoding a source map document (ECMA-426 ParseSourceMap, DecodeSourceMap,
//! DecodeIndexSourceMap).
//!
//! The spec distinguishes fatal errors from "optional" ones, after which decoding goes on
//! with a defined fallback value. [`Reporter`] is the single place that decides: in strict
//! mode an optional error is returned, in lenient mode it is recorded as a diagnostic and
//! the spec's fallback is used.

mod mappings;
mod range_mappings;

use url::Url;

use crate::error::{excerpt, Diagnostic, Error, ErrorCode, Result};
use crate::function_maps::{function_map_of_entry, HermesFunctionOffsets};
use crate::json::{self, InputPositions, JsonObject, JsonType, Raw};
use crate::map::SourceMap;
use crate::mappings::MappingsBuilder;
use crate::original_scopes::decode::{
    decode_combined, decode_ranges, decode_source_scopes, report_all, Failure, Problems,
    ScopesTarget,
};
use crate::original_scopes::{PreOrder, ScopeInfo, ScopeRef, ScopesFormat};
use crate::sources::SourceTable;
use crate::strings::StringTable;
use crate::url::{parse_base_url, resolve, source_prefix};

use self::mappings::{decode_mappings, Placement};
use self::range_mappings::{decode_range_mappings, RangeTarget};

/// The largest input that can be decoded at all: offsets inside the decoded map are
/// 32-bit. [`DecodeLimits::max_input_bytes`] is the (lower) limit actually applied.
pub const MAX_INPUT_BYTES: usize = u32::MAX as usize - 1;

/// Bounds on what one decode may take, checked before the memory is allocated, so a
/// hostile map fails with [`ErrorCode::InputTooLarge`] instead of exhausting memory.
///
/// The defaults take the largest published maps measured (babel.js.map: 18 MB, 2.7
/// million mappings; mermaid.min.js.map: 20 MB, 1,255 sources, 56,820 names) with ten
/// times or more to spare, and hold a decode's peak memory near 16 bytes per input byte. A service that decodes
/// maps from strangers may lower them; a build tool with huge maps may raise them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Input larger than this fails before anything is parsed. Default 256 MiB; at most
    /// [`MAX_INPUT_BYTES`].
    pub max_input_bytes: usize,
    /// Mappings (segments) in all, over every section of an index map. Default 32 Mi
    /// (33,554,432).
    pub max_mappings: usize,
    /// Entries of `sources`, over every section. Default 1 Mi (1,048,576).
    pub max_sources: usize,
    /// Entries of `names`, over every section. Default 4 Mi (4,194,304).
    pub max_names: usize,
}

impl DecodeLimits {
    /// Limits no input reaches (up to the format's own [`MAX_INPUT_BYTES`]): for
    /// trusted input only.
    pub const UNLIMITED: DecodeLimits = DecodeLimits {
        max_input_bytes: MAX_INPUT_BYTES,
        max_mappings: usize::MAX,
        max_sources: usize::MAX,
        max_names: usize::MAX,
    };
}

impl Default for DecodeLimits {
    fn default() -> DecodeLimits {
        DecodeLimits {
            max_input_bytes: 256 << 20,
            max_mappings: 32 << 20,
            max_sources: 1 << 20,
            max_names: 4 << 20,
        }
    }
}

/// The error for a count over its limit.
pub(crate) fn over_limit(what: &str, count: usize, limit: usize, field: &str) -> Error {
    Error::new(
        ErrorCode::InputTooLarge,
        format!("the map has {count} {what}, over the limit of {limit} (DecodeLimits::{field})"),
    )
}

/// How to decode a map.
#[derive(Clone, Debug, Default)]
pub struct DecodeOptions {
    strict: bool,
    base_url: Option<Url>,
    limits: DecodeLimits,
}

impl DecodeOptions {
    /// Lenient decoding with no base URL.
    pub fn new() -> DecodeOptions {
        DecodeOptions::default()
    }

    /// Strict mode turns every optional error of the spec into a returned error.
    pub fn strict(mut self, strict: bool) -> DecodeOptions {
        self.strict = strict;
        self
    }

    /// Sets the map's own URL, against which source URLs are resolved. It must be an
    /// absolute URL (`https://...`, `file:///...`).
    pub fn base_url(mut self, base_url: &str) -> Result<DecodeOptions> {
        self.base_url = Some(parse_base_url(base_url)?);
        Ok(self)
    }

    /// Sets the bounds on what the decode may take (see [`DecodeLimits`]).
    pub fn limits(mut self, limits: DecodeLimits) -> DecodeOptions {
        self.limits = limits;
        self
    }

    /// The bounds in force.
    pub fn decode_limits(&self) -> &DecodeLimits {
        &self.limits
    }

    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// The base URL, if one was set.
    pub fn base(&self) -> Option<&Url> {
        self.base_url.as_ref()
    }
}

/// Routes optional errors: returned in strict mode, collected in lenient mode.
#[derive(Debug)]
pub(crate) struct Reporter {
    strict: bool,
    diagnostics: Vec<Diagnostic>,
    /// Diagnostics of one code kept; past it they are only counted (the validator's
    /// bound on memory). `None`: keep all, as `SourceMap::diagnostics` promises.
    cap_per_code: Option<usize>,
    /// `(code, diagnostics kept)`, maintained only under a cap.
    kept: Vec<(ErrorCode, usize)>,
    /// `(code, diagnostics counted but not kept)`.
    dropped: Vec<(ErrorCode, usize)>,
}

/// A point to roll the reporter back to (a section or `mappings` dropped whole).
#[derive(Clone, Debug)]
pub(crate) struct ReporterMark {
    len: usize,
    dropped: Vec<(ErrorCode, usize)>,
}

impl Reporter {
    fn new(strict: bool, cap_per_code: Option<usize>) -> Reporter {
        Reporter {
            strict,
            diagnostics: Vec::new(),
            cap_per_code,
            kept: Vec::new(),
            dropped: Vec::new(),
        }
    }

    pub(crate) fn report(&mut self, error: Error) -> Result<()> {
        if self.strict {
            return Err(error);
        }
        self.record(error);
        Ok(())
    }

    /// Records something worth knowing that is not an error in either mode.
    fn note(&mut self, diagnostic: Diagnostic) {
        self.record(diagnostic);
    }

    fn record(&mut self, diagnostic: Diagnostic) {
        if let Some(cap) = self.cap_per_code {
            let code = diagnostic.code();
            let kept = match self.kept.iter_mut().find(|entry| entry.0 == code) {
                Some(entry) => &mut entry.1,
                None => {
                    self.kept.push((code, 0));
                    &mut self.kept.last_mut().expect("just pushed").1
                }
            };
            if *kept >= cap {
                match self.dropped.iter_mut().find(|entry| entry.0 == code) {
                    Some(entry) => entry.1 += 1,
                    None => self.dropped.push((code, 1)),
                }
                return;
            }
            *kept += 1;
        }
        self.diagnostics.push(diagnostic);
    }

    pub(crate) fn mark(&self) -> ReporterMark {
        ReporterMark {
            len: self.diagnostics.len(),
            dropped: self.dropped.clone(),
        }
    }

    pub(crate) fn rollback(&mut self, mark: ReporterMark) {
        self.diagnostics.truncate(mark.len);
        self.dropped = mark.dropped;
        if self.cap_per_code.is_some() {
            // At most the cap times the codes remain: recounting is cheap.
            self.kept.clear();
            for diagnostic in &self.diagnostics {
                let code = diagnostic.code();
                match self.kept.iter_mut().find(|entry| entry.0 == code) {
                    Some(entry) => entry.1 += 1,
                    None => self.kept.push((code, 1)),
                }
            }
        }
    }
}

/// Decodes leniently keeping at most `cap_per_code` diagnostics of each code on the
/// map, and returns with it `(code, diagnostics counted but not kept)`: the
/// validator's decode, whose memory stays bounded however many segments are bad.
pub(crate) fn decode_capped(
    input: &[u8],
    options: &DecodeOptions,
    cap_per_code: usize,
) -> Result<(SourceMap, Vec<(ErrorCode, usize)>)> {
    let mut reporter = Reporter::new(false, Some(cap_per_code));
    let map = decode_reporting(input, options, &mut reporter)?;
    Ok((map, std::mem::take(&mut reporter.dropped)))
}

/// Decodes a source map document.
pub fn decode(input: &[u8], options: &DecodeOptions) -> Result<SourceMap> {
    decode_reporting(input, options, &mut Reporter::new(options.strict, None))
}

fn decode_reporting(
    input: &[u8],
    options: &DecodeOptions,
    reporter: &mut Reporter,
) -> Result<SourceMap> {
    let max_input_bytes = options.limits.max_input_bytes.min(MAX_INPUT_BYTES);
    if input.len() > max_input_bytes {
        return Err(Error::new(
            ErrorCode::InputTooLarge,
            format!(
                "input of {} bytes exceeds the limit of {max_input_bytes} (DecodeLimits::max_input_bytes)",
                input.len()
            ),
        ));
    }
    let mut positions = InputPositions {
        skipped: prefix_length(input),
        growth: Vec::new(),
    };
    let body = &input[positions.skipped..];
    match std::str::from_utf8(body) {
        Ok(text) => decode_text(text, &positions, options, reporter),
        Err(_) => {
            let (text, first_invalid) = json::repair_utf8(body, &mut positions);
            let at = positions.skipped + first_invalid.unwrap_or(0);
            reporter.report(Error::at(
                ErrorCode::InvalidUtf8,
                at,
                format!("invalid UTF-8 at byte {at}; replaced with U+FFFD"),
            ))?;
            decode_text(&text, &positions, options, reporter)
        }
    }
}

/// Bytes to skip before the JSON: a UTF-8 BOM, and the `)]}'` anti-XSSI prefix up to
/// (not including) the next line break, as FetchSourceMap removes it.
pub(crate) fn prefix_length(input: &[u8]) -> usize {
    let mut skip = 0;
    if input.starts_with(b"\xEF\xBB\xBF") {
        skip = 3;
    }
    if input[skip..].starts_with(b")]}'") {
        let rest = &input[skip..];
        skip += memchr::memchr2(b'\n', b'\r', rest).unwrap_or(4);
    }
    skip
}

fn decode_text(
    text: &str,
    positions: &InputPositions,
    options: &DecodeOptions,
    reporter: &mut Reporter,
) -> Result<SourceMap> {
    match JsonObject::parse(text, positions) {
        Ok(document) => decode_document(&document, text, positions, options, reporter),
        Err(error) if error.code() == ErrorCode::InvalidJson => {
            // JSON with trailing commas is common in hand-written maps: name exactly
            // that problem, and in lenient mode recover from it (and nothing else).
            let Some(repaired) = json::blank_trailing_commas(text) else {
                return Err(error);
            };
            let Ok(document) = JsonObject::parse(&repaired, positions) else {
                return Err(error);
            };
            reporter.report(Error::at(
                ErrorCode::TrailingComma,
                error.offset().unwrap_or(0) as usize,
                "the JSON has trailing commas, which JSON does not allow",
            ))?;
            decode_document(&document, &repaired, positions, options, reporter)
        }
        Err(error) => Err(error),
    }
}

/// Everything a document contributes, merged across index-map sections.
struct Assembly {
    sources: SourceTable,
    names: StringTable,
    mappings: MappingsBuilder,
    /// The scopes proposal's records, when a map (or a section) has them.
    scopes: Option<ScopeInfo>,
    /// Whether the document is one regular map (not sections of an index map).
    whole_map: bool,
}

impl Assembly {
    fn mark(&self) -> (usize, usize, crate::mappings::BuilderMark) {
        (self.sources.len(), self.names.len(), self.mappings.mark())
    }

    fn rollback(&mut self, mark: (usize, usize, crate::mappings::BuilderMark)) {
        self.sources.truncate(mark.0);
        self.names.truncate(mark.1);
        self.mappings.rollback(mark.2);
    }
}

/// The document text and how its byte offsets map back to the input.
#[derive(Clone, Copy)]
struct Origin<'t> {
    text: &'t str,
    positions: &'t InputPositions,
}

impl Origin<'_> {
    /// Position in the document text of a value borrowed from it.
    fn text_position(&self, raw: Raw<'_>) -> usize {
        raw.get().as_ptr() as usize - self.text.as_ptr() as usize
    }

    /// Byte offset in the input of a value borrowed from the document text.
    fn offset_of(&self, raw: Raw<'_>) -> usize {
        self.positions.to_input(self.text_position(raw))
    }
}

fn decode_document(
    document: &JsonObject<'_>,
    text: &str,
    positions: &InputPositions,
    options: &DecodeOptions,
    reporter: &mut Reporter,
) -> Result<SourceMap> {
    let origin = Origin { text, positions };
    if let Some(key) = document.duplicate_key() {
        reporter.note(Error::new(
            ErrorCode::DuplicateKey,
            format!(
                "key \"{}\" appears more than once; the last value is used",
                excerpt(key)
            ),
        ));
    }
    let is_index_map = document.contains("sections");
    let mut assembly = Assembly {
        sources: SourceTable::default(),
        names: StringTable::default(),
        mappings: MappingsBuilder::with_token_limit(options.limits.max_mappings),
        scopes: None,
        whole_map: !is_index_map,
    };
    let file = if is_index_map {
        if let Some(mappings) = document.get("mappings") {
            reporter.report(Error::at(
                ErrorCode::SectionsWithMappings,
                origin.offset_of(mappings),
                "an index map must not have a \"mappings\" field; it was ignored",
            ))?;
        }
        decode_index(document, origin, options, reporter, &mut assembly)?
    } else {
        let placement = SectionPlacement::default();
        decode_regular(
            document,
            origin,
            placement,
            options,
            reporter,
            &mut assembly,
        )?
    };
    let debug_id = decode_debug_id(document, origin, reporter)?;
    let hermes_function_offsets = decode_hermes_function_offsets(document, origin, reporter)?;

    let (mappings, sorted_lines) = assembly.mappings.finish();
    if sorted_lines > 0 {
        reporter.note(Error::new(
            ErrorCode::UnsortedMappings,
            format!("{sorted_lines} generated lines had unsorted segments; they were sorted"),
        ));
    }
    let mut sources = assembly.sources;
    sources.shrink_to_fit();
    let mut names = assembly.names;
    names.shrink_to_fit();
    Ok(SourceMap::from_parts(
        file,
        debug_id,
        is_index_map,
        sources,
        names,
        mappings,
        std::mem::take(&mut reporter.diagnostics),
    )
    .with_hermes_function_offsets(hermes_function_offsets)
    .with_scopes(assembly.scopes))
}

/// Where a section starts in the generated file.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct SectionPlacement {
    line: u32,
    column: u32,
}

fn decode_index(
    document: &JsonObject<'_>,
    origin: Origin<'_>,
    options: &DecodeOptions,
    reporter: &mut Reporter,
    assembly: &mut Assembly,
) -> Result<Option<String>> {
    let sections_raw = document.get("sections").expect("checked by caller");
    if JsonType::of(sections_raw) != JsonType::Array {
        return Err(wrong_type(origin, sections_raw, "sections", "an array"));
    }
    check_version(document, origin, reporter)?;
    let file = optional_string(document, origin, "file", reporter)?.map(String::from);

    let mut previous_offset: Option<SectionPlacement> = None;
    let mut previous_last: Option<SectionPlacement> = None;
    for section_raw in document.items("sections", sections_raw)? {
        let at = origin.offset_of(section_raw);
        if JsonType::of(section_raw) != JsonType::Object {
            reporter.report(wrong_type(origin, section_raw, "section", "an object"))?;
            continue;
        }
        let section = JsonObject::from_raw(section_raw)?;
        let placement = section_offset(&section, section_raw, origin, reporter)?;
        if previous_offset.is_some_and(|previous| placement < previous) {
            reporter.report(Error::at(
                ErrorCode::InvalidSectionOrder,
                at,
                format!(
                    "section at line {} column {} comes before the previous section",
                    placement.line, placement.column
                ),
            ))?;
        } else if previous_last.is_some_and(|last| placement <= last) {
            reporter.report(Error::at(
                ErrorCode::InvalidSectionOrder,
                at,
                format!(
                    "section at line {} column {} overlaps the previous section's mappings",
                    placement.line, placement.column
                ),
            ))?;
        }
        let Some(map_raw) = section.get("map") else {
            if section.contains("url") {
                return Err(Error::at(
                    ErrorCode::SectionUrlUnsupported,
                    at,
                    "index map sections with \"url\" are not supported; embed the map",
                ));
            }
            return Err(Error::at(
                ErrorCode::MissingField,
                at,
                "index map section has no \"map\"",
            ));
        };
        if JsonType::of(map_raw) != JsonType::Object {
            return Err(wrong_type(origin, map_raw, "map", "an object"));
        }
        let map = JsonObject::from_raw(map_raw)?;
        // Tokens can only be appended at or after the builder's current line.
        if placement.line < assembly.mappings.current_line() {
            reporter.report(Error::at(
                ErrorCode::InvalidSectionOrder,
                at,
                format!(
                    "section at line {} cannot be placed before line {}; it was skipped",
                    placement.line,
                    assembly.mappings.current_line()
                ),
            ))?;
            continue;
        }
        let mark = assembly.mark();
        let diagnostics = reporter.mark();
        let decoded = if map.contains("sections") {
            Err(Error::at(
                ErrorCode::NestedIndexMap,
                origin.offset_of(map_raw),
                "a section's map is itself an index map, which the spec does not allow",
            ))
        } else {
            decode_regular(&map, origin, placement, options, reporter, assembly)
        };
        match decoded {
            Ok(_) => {
                previous_offset = Some(placement);
                if let Some((line, column)) = assembly.mappings.last_position_since(mark.2) {
                    previous_last = Some(SectionPlacement { line, column });
                }
                assembly.mappings.trim_empty_lines(placement.line);
            }
            // A limit holds for the whole map: no section may step around it.
            Err(error) if error.code() == ErrorCode::InputTooLarge => return Err(error),
            Err(error) => {
                assembly.rollback(mark);
                reporter.rollback(diagnostics);
                reporter.report(error)?;
            }
        }
    }
    Ok(file)
}

fn section_offset(
    section: &JsonObject<'_>,
    section_raw: Raw<'_>,
    origin: Origin<'_>,
    reporter: &mut Reporter,
) -> Result<SectionPlacement> {
    let Some(offset) = section.get("offset") else {
        return Err(Error::at(
            ErrorCode::MissingField,
            origin.offset_of(section_raw),
            "index map section has no \"offset\"",
        ));
    };
    if JsonType::of(offset) != JsonType::Object {
        return Err(wrong_type(origin, offset, "offset", "an object"));
    }
    let offset_object = JsonObject::from_raw(offset)?;
    let mut read = |field: &str| -> Result<u32> {
        let value = offset_object.get(field);
        match value.and_then(json::integer) {
            Some(n) if (0.0..=f64::from(u32::MAX - 1)).contains(&n) => Ok(n as u32),
            _ => {
                let at = value.map_or(origin.offset_of(offset), |v| origin.offset_of(v));
                let problem = match value {
                    None => format!("section offset has no \"{field}\""),
                    Some(v) => format!(
                        "section offset \"{field}\" must be a non-negative integer, found {}",
                        excerpt(v.get())
                    ),
                };
                let code = if value.is_none() {
                    ErrorCode::MissingField
                } else {
                    ErrorCode::WrongType
                };
                reporter.report(Error::at(code, at, problem))?;
                Ok(0)
            }
        }
    };
    let line = read("line")?;
    let column = read("column")?;
    Ok(SectionPlacement { line, column })
}

/// Decodes one regular map (the whole document or a section) into `assembly`.
fn decode_regular(
    map: &JsonObject<'_>,
    origin: Origin<'_>,
    placement: SectionPlacement,
    options: &DecodeOptions,
    reporter: &mut Reporter,
    assembly: &mut Assembly,
) -> Result<Option<String>> {
    check_version(map, origin, reporter)?;
    let mappings_raw = required(map, origin, "mappings", JsonType::String, "a string")?;
    let sources_raw = required(map, origin, "sources", JsonType::Array, "an array")?;
    let file = optional_string(map, origin, "file", reporter)?.map(String::from);
    let source_root = optional_string(map, origin, "sourceRoot", reporter)?;

    let source_items = map.items("sources", sources_raw)?;
    let source_total = assembly.sources.len() + source_items.len();
    if source_total > options.limits.max_sources {
        let limit = options.limits.max_sources;
        return Err(over_limit("sources", source_total, limit, "max_sources"));
    }
    let content_items = optional_array(map, origin, "sourcesContent", reporter)?;
    let source_base = assembly.sources.len() as u32;
    let prefix = source_prefix(source_root.as_deref());
    for (index, item) in source_items.iter().copied().enumerate() {
        let raw = match JsonType::of(item) {
            JsonType::String => json::string(item),
            JsonType::Null => None,
            other => {
                reporter.report(Error::at(
                    ErrorCode::WrongType,
                    origin.offset_of(item),
                    format!(
                        "sources[{index}] must be a string or null, found {}",
                        other.name()
                    ),
                ))?;
                None
            }
        };
        let content = match content_items.get(index).copied() {
            Some(item) => match JsonType::of(item) {
                JsonType::String => Some(item.get()),
                JsonType::Null => None,
                other => {
                    reporter.report(Error::at(
                        ErrorCode::WrongType,
                        origin.offset_of(item),
                        format!(
                            "sourcesContent[{index}] must be a string or null, found {}",
                            other.name()
                        ),
                    ))?;
                    None
                }
            },
            None => None,
        };
        let joined = raw.as_deref().map(|raw| format!("{prefix}{raw}"));
        let url = joined.as_deref().and_then(|j| resolve(j, options.base()));
        if let (Some(joined), None, Some(_)) = (&joined, &url, options.base()) {
            reporter.report(Error::at(
                ErrorCode::InvalidSourceUrl,
                origin.offset_of(item),
                format!("source \"{}\" does not resolve to a URL", excerpt(joined)),
            ))?;
        }
        assembly
            .sources
            .push(raw.as_deref(), joined.as_deref(), url.as_deref(), content);
    }
    decode_ignore_list(map, origin, source_base, reporter, assembly)?;
    decode_function_maps(map, origin, source_base, reporter, assembly)?;

    let name_base = assembly.names.len() as u32;
    let name_items = optional_array(map, origin, "names", reporter)?;
    let name_total = assembly.names.len() + name_items.len();
    if name_total > options.limits.max_names {
        let limit = options.limits.max_names;
        return Err(over_limit("names", name_total, limit, "max_names"));
    }
    for (index, item) in name_items.into_iter().enumerate() {
        match json::string(item) {
            Some(name) => assembly.names.push(Some(&name)),
            None => {
                reporter.report(Error::at(
                    ErrorCode::WrongType,
                    origin.offset_of(item),
                    format!(
                        "names[{index}] must be a string, found {}",
                        JsonType::of(item).name()
                    ),
                ))?;
                // The spec keeps indices aligned with an empty name.
                assembly.names.push(Some(""));
            }
        }
    }

    let token = mappings_raw.get();
    let start = origin.text_position(mappings_raw);
    let verbatim = memchr::memchr(b'\\', token.as_bytes()).is_none()
        && origin.positions.is_contiguous(start..start + token.len());
    let text = if verbatim {
        std::borrow::Cow::Borrowed(&token[1..token.len() - 1])
    } else {
        json::unescape_token(token)
    };
    let placement = Placement {
        line_offset: placement.line,
        column_offset: placement.column,
        source_base,
        name_base,
        source_count: assembly.sources.len() as u32 - source_base,
        name_count: assembly.names.len() as u32 - name_base,
        mappings_offset: origin.offset_of(mappings_raw),
        verbatim,
    };
    let first_token = assembly.mappings.len();
    decode_mappings(text.as_bytes(), placement, &mut assembly.mappings, reporter)?;
    if let Some(raw) = map.get("rangeMappings") {
        match json::string(raw) {
            Some(ranges) => {
                let target = RangeTarget {
                    first_token,
                    line_offset: placement.line_offset,
                    field_offset: origin.offset_of(raw),
                };
                decode_range_mappings(ranges.as_bytes(), target, &mut assembly.mappings, reporter)?;
            }
            None => reporter.report(wrong_type(origin, raw, "rangeMappings", "a string"))?,
        }
    }
    // `ranges` alone is the per-source format with no original scopes (its definitions
    // then name none).
    if let Some(raw) = map.get("scopes").or_else(|| map.get("ranges")) {
        let target = ScopesTarget {
            source_base,
            source_count: placement.source_count,
            name_base,
            name_count: placement.name_count,
            line_offset: placement.line_offset,
            column_offset: placement.column_offset,
            field_offset: origin.offset_of(raw),
        };
        // Decoded last: nothing after it can fail the map, so a section dropped
        // whole never leaves scopes behind.
        if let Some(info) = decode_scopes(map, raw, origin, target, reporter)? {
            merge_scopes(assembly, info, target);
        }
    }
    Ok(file)
}

/// The scopes proposal's fields, told apart by the type of `"scopes"`: a string is the
/// combined format (`proposal-scopes` branch), a list the per-source one with
/// `"ranges"` (ecma426 #266). `None` when the field is `null` or was dropped.
fn decode_scopes(
    map: &JsonObject<'_>,
    raw: Raw<'_>,
    origin: Origin<'_>,
    target: ScopesTarget,
    reporter: &mut Reporter,
) -> Result<Option<ScopeInfo>> {
    let mut problems = Problems::new(target);
    let scopes = map.get("scopes").map_or(JsonType::Null, JsonType::of);
    let decoded = match scopes {
        JsonType::Null if map.get("ranges").is_none() => return Ok(None),
        JsonType::String => {
            let text = json::string(raw).unwrap_or_default();
            decode_combined(text.as_bytes(), target, &mut problems)
        }
        JsonType::Array | JsonType::Null => {
            let mut sources = Vec::new();
            let items = match map.get("scopes") {
                Some(list) if scopes == JsonType::Array => map.items("scopes", list)?,
                _ => Vec::new(),
            };
            for (index, item) in items.into_iter().enumerate() {
                if index >= target.source_count as usize {
                    break;
                }
                let roots = match JsonType::of(item) {
                    JsonType::Null => None,
                    JsonType::String => {
                        let text = json::string(item).unwrap_or_default();
                        let mut own = Problems::new(target);
                        match decode_source_scopes(text.as_bytes(), target, &mut own) {
                            Ok(roots) => {
                                report_all(own, &mut |e| reporter.report(e))?;
                                Some(roots)
                            }
                            // The spec's DecodeSourceScopes: this source has none.
                            Err(Failure::Grammar(error)) => {
                                reporter.report(error)?;
                                Some(Vec::new())
                            }
                            Err(Failure::Fatal(error)) => return Err(error),
                        }
                    }
                    other => {
                        reporter.report(Error::at(
                            ErrorCode::WrongType,
                            origin.offset_of(item),
                            format!(
                                "scopes[{index}] must be a string or null, found {}",
                                other.name()
                            ),
                        ))?;
                        None
                    }
                };
                sources.push(roots);
            }
            let counts: Vec<usize> = sources
                .iter()
                .map(|roots| roots.as_deref().map_or(0, |r| PreOrder::new(r).count()))
                .collect();
            let ranges = match map.get("ranges") {
                None => Ok(Vec::new()),
                Some(ranges_raw) => match json::string(ranges_raw) {
                    Some(text) => {
                        let ranges_target = ScopesTarget {
                            field_offset: origin.offset_of(ranges_raw),
                            ..target
                        };
                        decode_ranges(text.as_bytes(), ranges_target, &counts, &mut problems)
                    }
                    None => {
                        reporter.report(wrong_type(origin, ranges_raw, "ranges", "a string"))?;
                        Ok(Vec::new())
                    }
                },
            };
            let ranges = match ranges {
                Ok(ranges) => ranges,
                Err(Failure::Grammar(error)) => {
                    reporter.report(error)?;
                    Vec::new()
                }
                Err(Failure::Fatal(error)) => return Err(error),
            };
            Ok(ScopeInfo {
                format: ScopesFormat::PerSource,
                sources,
                ranges,
            })
        }
        _ => {
            reporter.report(wrong_type(origin, raw, "scopes", "a string or an array"))?;
            return Ok(None);
        }
    };
    match decoded {
        Ok(info) => {
            report_all(problems, &mut |e| reporter.report(e))?;
            Ok(Some(info))
        }
        Err(Failure::Grammar(error)) => {
            reporter.report(error)?;
            Ok(None)
        }
        Err(Failure::Fatal(error)) => Err(error),
    }
}

/// Adds one map's scopes to the document's, its sources placed at their index in the
/// whole map. Scope trees past the map's sources (the combined format allows them) are
/// kept for a whole map only: in an index map the next section owns those indices, so
/// they are dropped there, with the definitions naming them.
fn merge_scopes(assembly: &mut Assembly, mut info: ScopeInfo, target: ScopesTarget) {
    let end = target.source_base + target.source_count;
    if !assembly.whole_map {
        info.sources.truncate(target.source_count as usize);
        forget_definitions_past(&mut info.ranges, end);
    }
    if target.source_base == 0 && assembly.scopes.is_none() {
        // The first (or only) map's records are moved, not copied: a map of millions
        // of ranges would otherwise take their size twice.
        assembly.scopes = Some(info);
        return;
    }
    let scopes = assembly.scopes.get_or_insert_with(|| ScopeInfo {
        format: info.format,
        sources: Vec::new(),
        ranges: Vec::new(),
    });
    if info.format == ScopesFormat::PerSource {
        scopes.format = ScopesFormat::PerSource;
    }
    scopes.sources.resize(target.source_base as usize, None);
    scopes.sources.extend(info.sources);
    scopes.ranges.extend(info.ranges);
}

fn forget_definitions_past(ranges: &mut [crate::original_scopes::GeneratedRange], end: u32) {
    let mut stack: Vec<&mut crate::original_scopes::GeneratedRange> = ranges.iter_mut().collect();
    while let Some(range) = stack.pop() {
        if range.definition.is_some_and(|d: ScopeRef| d.source >= end) {
            range.definition = None;
        }
        stack.extend(range.children.iter_mut());
    }
}

fn decode_ignore_list(
    map: &JsonObject<'_>,
    origin: Origin<'_>,
    source_base: u32,
    reporter: &mut Reporter,
    assembly: &mut Assembly,
) -> Result<()> {
    // `x_google_ignoreList` is the deprecated name, used only when the new one is absent.
    let key = if map.contains("ignoreList") {
        "ignoreList"
    } else {
        "x_google_ignoreList"
    };
    let source_count = assembly.sources.len() as u32 - source_base;
    for item in optional_array(map, origin, key, reporter)? {
        match json::integer(item) {
            Some(n) if n >= 0.0 && n < f64::from(source_count) => {
                assembly.sources.ignored[(source_base + n as u32) as usize] = true;
            }
            _ => reporter.report(Error::at(
                ErrorCode::InvalidIgnoreList,
                origin.offset_of(item),
                format!(
                    "{key} entry {} is not an index into sources ({source_count} sources)",
                    excerpt(item.get())
                ),
            ))?,
        }
    }
    Ok(())
}

/// Metro's `x_facebook_sources`: a function map per source (see `function_maps.rs`). A
/// malformed entry is reported and left out; the map's positions do not depend on it.
fn decode_function_maps(
    map: &JsonObject<'_>,
    origin: Origin<'_>,
    source_base: u32,
    reporter: &mut Reporter,
    assembly: &mut Assembly,
) -> Result<()> {
    const KEY: &str = "x_facebook_sources";
    let source_count = (assembly.sources.len() as u32 - source_base) as usize;
    for (index, item) in optional_array(map, origin, KEY, reporter)?
        .into_iter()
        .enumerate()
    {
        let decoded = serde_json::from_str::<serde_json::Value>(item.get())
            .map_err(|e| e.to_string())
            .and_then(|entry| function_map_of_entry(&entry));
        let problem = match decoded {
            Ok(None) => continue,
            Ok(Some(_)) if index >= source_count => {
                format!(
                    "{KEY} has an entry for source {index}, but the map has {source_count} sources"
                )
            }
            Ok(Some(function_map)) => {
                let source = source_base + index as u32;
                assembly.sources.set_function_map(source, function_map);
                continue;
            }
            Err(message) => format!("{KEY}[{index}]: {message}"),
        };
        reporter.report(Error::at(
            ErrorCode::InvalidFunctionMap,
            origin.offset_of(item),
            problem,
        ))?;
    }
    Ok(())
}

/// Hermes's `x_hermes_function_offsets` (see `function_maps.rs`); reported and left out
/// when malformed.
fn decode_hermes_function_offsets(
    document: &JsonObject<'_>,
    origin: Origin<'_>,
    reporter: &mut Reporter,
) -> Result<Option<HermesFunctionOffsets>> {
    const KEY: &str = "x_hermes_function_offsets";
    let Some(raw) = document.get(KEY) else {
        return Ok(None);
    };
    let decoded = serde_json::from_str::<serde_json::Value>(raw.get())
        .map_err(|e| e.to_string())
        .and_then(|value| HermesFunctionOffsets::from_json(&value));
    match decoded {
        Ok(offsets) => Ok(Some(offsets)),
        Err(message) => {
            reporter.report(Error::at(
                ErrorCode::InvalidFunctionMap,
                origin.offset_of(raw),
                message,
            ))?;
            Ok(None)
        }
    }
}

fn decode_debug_id(
    document: &JsonObject<'_>,
    origin: Origin<'_>,
    reporter: &mut Reporter,
) -> Result<Option<String>> {
    // `debug_id` is the name used before the proposal settled on `debugId`.
    let key = if document.contains("debugId") {
        "debugId"
    } else {
        "debug_id"
    };
    let Some(id) = optional_string(document, origin, key, reporter)? else {
        return Ok(None);
    };
    if is_uuid(&id) {
        return Ok(Some(id.into_owned()));
    }
    let raw = document.get(key).expect("present");
    reporter.report(Error::at(
        ErrorCode::InvalidDebugId,
        origin.offset_of(raw),
        format!("{key} \"{}\" is not a UUID", excerpt(&id)),
    ))?;
    Ok(None)
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in either case.
pub(crate) fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn check_version(map: &JsonObject<'_>, origin: Origin<'_>, reporter: &mut Reporter) -> Result<()> {
    match map.get("version") {
        None => reporter.report(Error::new(
            ErrorCode::MissingField,
            "the \"version\" field is missing",
        )),
        Some(raw) if json::number(raw) == Some(3.0) => Ok(()),
        Some(raw) => reporter.report(Error::at(
            ErrorCode::UnsupportedVersion,
            origin.offset_of(raw),
            format!(
                "\"version\" must be the number 3, found {}",
                excerpt(raw.get())
            ),
        )),
    }
}

fn required<'a>(
    map: &JsonObject<'a>,
    origin: Origin<'_>,
    key: &str,
    kind: JsonType,
    expected: &str,
) -> Result<Raw<'a>> {
    match map.get(key) {
        Some(raw) if JsonType::of(raw) == kind => Ok(raw),
        Some(raw) => Err(wrong_type(origin, raw, key, expected)),
        None => Err(Error::new(
            ErrorCode::MissingField,
            format!("the \"{key}\" field is missing"),
        )),
    }
}

fn optional_string<'a>(
    map: &JsonObject<'a>,
    origin: Origin<'_>,
    key: &str,
    reporter: &mut Reporter,
) -> Result<Option<std::borrow::Cow<'a, str>>> {
    match map.get(key) {
        None => Ok(None),
        Some(raw) => match json::string(raw) {
            Some(text) => Ok(Some(text)),
            None => {
                reporter.report(wrong_type(origin, raw, key, "a string"))?;
                Ok(None)
            }
        },
    }
}

fn optional_array<'a>(
    map: &JsonObject<'a>,
    origin: Origin<'_>,
    key: &str,
    reporter: &mut Reporter,
) -> Result<Vec<Raw<'a>>> {
    match map.get(key) {
        None => Ok(Vec::new()),
        Some(raw) if JsonType::of(raw) == JsonType::Array => map.items(key, raw),
        Some(raw) => {
            reporter.report(wrong_type(origin, raw, key, "an array"))?;
            Ok(Vec::new())
        }
    }
}

fn wrong_type(origin: Origin<'_>, raw: Raw<'_>, key: &str, expected: &str) -> Error {
    let at = origin.offset_of(raw);
    Error::at(
        ErrorCode::WrongType,
        at,
        format!(
            "\"{key}\" must be {expected}, found {} at byte {at}",
            JsonType::of(raw).name()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        assert!(is_uuid("1aad9d9e-2b50-454f-a5f2-0dd5e95c154c"));
        assert!(is_uuid("1AAD9D9E-2B50-454F-A5F2-0DD5E95C154C"));
        assert!(!is_uuid("1aad9d9e2b50454fa5f20dd5e95c154c"));
        assert!(!is_uuid("this is not a UUID"));
    }

    #[test]
    fn a_capped_reporter_counts_past_its_cap_and_rolls_back() {
        let mut reporter = Reporter::new(false, Some(2));
        let problem = || Error::new(ErrorCode::NegativeValue, "x");
        for _ in 0..3 {
            reporter.report(problem()).unwrap();
        }
        assert_eq!(reporter.diagnostics.len(), 2);
        assert_eq!(reporter.dropped, vec![(ErrorCode::NegativeValue, 1)]);
        let mark = reporter.mark();
        for _ in 0..5 {
            reporter.report(problem()).unwrap();
        }
        reporter.note(Error::new(ErrorCode::DuplicateKey, "y"));
        assert_eq!(reporter.dropped, vec![(ErrorCode::NegativeValue, 6)]);
        reporter.rollback(mark);
        assert_eq!(reporter.diagnostics.len(), 2);
        assert_eq!(reporter.dropped, vec![(ErrorCode::NegativeValue, 1)]);
        reporter.note(Error::new(ErrorCode::DuplicateKey, "y"));
        assert_eq!(reporter.diagnostics.len(), 3);
        // Uncapped (every decode but the validator's): everything is kept.
        let mut all = Reporter::new(false, None);
        for _ in 0..300 {
            all.report(problem()).unwrap();
        }
        assert_eq!((all.diagnostics.len(), all.dropped.len()), (300, 0));
    }

    #[test]
    fn prefixes_are_skipped() {
        assert_eq!(prefix_length(b"{}"), 0);
        assert_eq!(prefix_length(b"\xEF\xBB\xBF{}"), 3);
        assert_eq!(prefix_length(b")]}'\n{}"), 4);
        assert_eq!(prefix_length(b")]}' junk\n{}"), 9);
    }
}
