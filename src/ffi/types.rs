//! Plain C structs passed across the ABI, and the constants that go with them.

use std::ffi::c_char;

use crate::decode::DecodeLimits;
use crate::error::{Error, ErrorCode};
use crate::lookup::{Bias, LookupOptions};
use crate::mappings::{RawToken, NONE};

/// A borrowed UTF-8 string: `len` bytes at `data`, NOT NUL-terminated.
///
/// It is owned by the object it came from and valid until that object is freed. `data`
/// is never NULL when a function reports that it wrote the view.
#[repr(C)]
pub struct mapback_str {
    /// First byte of the string.
    pub data: *const c_char,
    /// Length in bytes.
    pub len: usize,
}

impl mapback_str {
    pub(crate) fn from_str(text: &str) -> mapback_str {
        mapback_str {
            data: text.as_ptr().cast(),
            len: text.len(),
        }
    }
}

/// Bounds on what decoding one map may take, checked before memory is allocated. A map
/// over a bound fails with `MAPBACK_ERROR_INPUT_TOO_LARGE`. 0 in a field means its
/// default, so a zero-initialised struct gives the defaults. `SIZE_MAX` lifts a bound
/// (up to the format's own 4 GiB input limit); do that only for trusted input.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct mapback_decode_limits {
    /// Largest input in bytes (default 256 MiB).
    pub max_input_bytes: usize,
    /// Most mappings (segments), over all sections of an index map (default 33,554,432).
    pub max_mappings: usize,
    /// Most `sources` entries, over all sections (default 1,048,576).
    pub max_sources: usize,
    /// Most `names` entries, over all sections (default 4,194,304).
    pub max_names: usize,
}

impl mapback_decode_limits {
    /// The core limits: each 0 field takes its default.
    pub(crate) fn to_core(self) -> DecodeLimits {
        let defaults = DecodeLimits::default();
        let pick = |value: usize, default: usize| if value == 0 { default } else { value };
        DecodeLimits {
            max_input_bytes: pick(self.max_input_bytes, defaults.max_input_bytes),
            max_mappings: pick(self.max_mappings, defaults.max_mappings),
            max_sources: pick(self.max_sources, defaults.max_sources),
            max_names: pick(self.max_names, defaults.max_names),
        }
    }
}

/// Options for `mapback_sourcemap_parse`. Pass NULL for the defaults (lenient, no base
/// URL, default limits); a zero-initialised struct means the same.
#[repr(C)]
pub struct mapback_parse_options {
    /// true: every optional error of ECMA-426 fails the parse. false (the default):
    /// recover as the spec allows and record diagnostics.
    pub strict: bool,
    /// The map's own absolute URL, against which `sources` are resolved; UTF-8,
    /// `base_url_len` bytes, not NUL-terminated. NULL (with length 0) for none.
    pub base_url: *const u8,
    /// Length of `base_url` in bytes.
    pub base_url_len: usize,
    /// Bounds on the decode (0 fields: the defaults).
    pub limits: mapback_decode_limits,
}

/// Lookup bias: the closest token at or before the position (the default).
pub const MAPBACK_BIAS_GREATEST_LOWER_BOUND: u32 = 0;
/// Lookup bias: the closest token at or after the position.
pub const MAPBACK_BIAS_LEAST_UPPER_BOUND: u32 = 1;

/// Options for lookups. Pass NULL for the defaults (greatest lower bound, same line).
#[repr(C)]
pub struct mapback_lookup_options {
    /// `MAPBACK_BIAS_GREATEST_LOWER_BOUND` or `MAPBACK_BIAS_LEAST_UPPER_BOUND`; any
    /// other value fails the call with `MAPBACK_ERROR_INVALID_ARGUMENT`.
    pub bias: u32,
    /// true: stay on the requested line (the default). false: continue to the
    /// previous (or next) line when the line has no suitable token.
    pub same_line: bool,
}

impl mapback_lookup_options {
    /// The core options; NULL means the defaults, an unknown bias is an error.
    pub(crate) fn to_core(
        options: Option<&mapback_lookup_options>,
    ) -> Result<LookupOptions, Error> {
        let Some(o) = options else {
            return Ok(LookupOptions::default());
        };
        let bias = match o.bias {
            MAPBACK_BIAS_GREATEST_LOWER_BOUND => Bias::GreatestLowerBound,
            MAPBACK_BIAS_LEAST_UPPER_BOUND => Bias::LeastUpperBound,
            other => {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!("options.bias must be MAPBACK_BIAS_GREATEST_LOWER_BOUND or MAPBACK_BIAS_LEAST_UPPER_BOUND, not {other}"),
                ))
            }
        };
        Ok(LookupOptions {
            bias,
            same_line: o.same_line,
        })
    }
}

/// One mapping. Lines and columns are 0-based; columns count UTF-16 code units.
///
/// A token without an original position (a 1-field segment) has `source_index`,
/// `original_line` and `original_column` set to `MAPBACK_NONE`; a token without a name
/// has `name_index` = `MAPBACK_NONE`. A slot that received no token (in
/// `mapback_sourcemap_lookup_many`) has `token_index` = `MAPBACK_NONE`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mapback_token {
    /// Position in generated order (see `mapback_sourcemap_token_at`).
    pub token_index: u32,
    /// Generated line.
    pub generated_line: u32,
    /// Generated column.
    pub generated_column: u32,
    /// Index into the map's sources, or `MAPBACK_NONE`.
    pub source_index: u32,
    /// Original line, or `MAPBACK_NONE`.
    pub original_line: u32,
    /// Original column, or `MAPBACK_NONE`.
    pub original_column: u32,
    /// Index into the map's names, or `MAPBACK_NONE`.
    pub name_index: u32,
}

impl mapback_token {
    pub(crate) const EMPTY: mapback_token = mapback_token {
        token_index: NONE,
        generated_line: NONE,
        generated_column: NONE,
        source_index: NONE,
        original_line: NONE,
        original_column: NONE,
        name_index: NONE,
    };
}

impl From<RawToken> for mapback_token {
    fn from(t: RawToken) -> mapback_token {
        mapback_token {
            token_index: t.index,
            generated_line: t.generated_line,
            generated_column: t.generated_column,
            source_index: t.source,
            original_line: t.original_line,
            original_column: t.original_column,
            name_index: t.name,
        }
    }
}

/// A problem the lenient decoder recovered from (or a note such as "lines were
/// sorted"). `message` is borrowed from the map and valid until it is freed.
#[repr(C)]
pub struct mapback_diagnostic {
    /// A `MAPBACK_ERROR_*` code.
    pub code: i32,
    /// Byte offset in the input, or -1.
    pub offset: i64,
    /// Human-readable description.
    pub message: mapback_str,
}

/// The input is not valid JSON.
pub const MAPBACK_ERROR_INVALID_JSON: i32 = 101;
/// The input is not valid UTF-8.
pub const MAPBACK_ERROR_INVALID_UTF8: i32 = 102;
/// The JSON document is not an object.
pub const MAPBACK_ERROR_NOT_AN_OBJECT: i32 = 103;
/// The input exceeds a size limit.
pub const MAPBACK_ERROR_INPUT_TOO_LARGE: i32 = 104;
/// A JSON object repeats a key (a note: the last value is used).
pub const MAPBACK_ERROR_DUPLICATE_KEY: i32 = 105;
/// The JSON has trailing commas (accepted in lenient mode).
pub const MAPBACK_ERROR_TRAILING_COMMA: i32 = 106;
/// Reading or writing a file failed.
pub const MAPBACK_ERROR_IO: i32 = 107;
/// A required field is absent.
pub const MAPBACK_ERROR_MISSING_FIELD: i32 = 201;
/// A field has the wrong JSON type.
pub const MAPBACK_ERROR_WRONG_TYPE: i32 = 202;
/// `version` is not 3.
pub const MAPBACK_ERROR_UNSUPPORTED_VERSION: i32 = 203;
/// `debugId` is not a UUID.
pub const MAPBACK_ERROR_INVALID_DEBUG_ID: i32 = 204;
/// An `ignoreList` entry is not an index into `sources`.
pub const MAPBACK_ERROR_INVALID_IGNORE_LIST: i32 = 205;
/// A source does not resolve to a URL against the base URL.
pub const MAPBACK_ERROR_INVALID_SOURCE_URL: i32 = 206;
/// `sourcesContent` and `sources` differ in length (reserved).
pub const MAPBACK_ERROR_SOURCES_CONTENT_LENGTH: i32 = 207;
/// A character in `mappings` is not Base64.
pub const MAPBACK_ERROR_INVALID_BASE64: i32 = 301;
/// A VLQ value does not fit in 32 bits.
pub const MAPBACK_ERROR_VLQ_OVERFLOW: i32 = 302;
/// A VLQ value ends with its continuation bit set.
pub const MAPBACK_ERROR_VLQ_TRUNCATED: i32 = 303;
/// A segment has a field count other than 1, 4 or 5.
pub const MAPBACK_ERROR_INVALID_SEGMENT_LENGTH: i32 = 304;
/// A decoded absolute field is negative.
pub const MAPBACK_ERROR_NEGATIVE_VALUE: i32 = 305;
/// A segment's source index is out of bounds.
pub const MAPBACK_ERROR_SOURCE_INDEX_OUT_OF_BOUNDS: i32 = 306;
/// A segment's name index is out of bounds.
pub const MAPBACK_ERROR_NAME_INDEX_OUT_OF_BOUNDS: i32 = 307;
/// Segments of a line were unsorted (a note: they were sorted).
pub const MAPBACK_ERROR_UNSORTED_MAPPINGS: i32 = 308;
/// A map has both `sections` and `mappings`.
pub const MAPBACK_ERROR_SECTIONS_WITH_MAPPINGS: i32 = 401;
/// Index map sections are out of order or overlap.
pub const MAPBACK_ERROR_INVALID_SECTION_ORDER: i32 = 402;
/// A section's map is itself an index map.
pub const MAPBACK_ERROR_NESTED_INDEX_MAP: i32 = 403;
/// A section refers to its map by `url`, which is not fetched.
pub const MAPBACK_ERROR_SECTION_URL_UNSUPPORTED: i32 = 404;
/// An argument is invalid.
pub const MAPBACK_ERROR_INVALID_ARGUMENT: i32 = 501;
/// An index argument is out of range.
pub const MAPBACK_ERROR_INDEX_OUT_OF_RANGE: i32 = 502;
/// The base URL is not an absolute URL.
pub const MAPBACK_ERROR_INVALID_BASE_URL: i32 = 503;
/// The data is not a mapback cache.
pub const MAPBACK_ERROR_NOT_A_CACHE: i32 = 601;
/// The cache was written by an incompatible format version.
pub const MAPBACK_ERROR_UNSUPPORTED_CACHE_VERSION: i32 = 602;
/// The cache's header or section table is inconsistent.
pub const MAPBACK_ERROR_CORRUPT_CACHE: i32 = 603;
/// The cache's length differs from the length its header records.
pub const MAPBACK_ERROR_TRUNCATED_CACHE: i32 = 604;
/// The cache's checksum does not match (from `mapback_cache_verify`).
pub const MAPBACK_ERROR_CACHE_CHECKSUM_MISMATCH: i32 = 605;
/// A value does not fit the cache format (refused when writing).
pub const MAPBACK_ERROR_CACHE_LIMIT_EXCEEDED: i32 = 606;
/// Cache files are little-endian; this host cannot read them.
pub const MAPBACK_ERROR_UNSUPPORTED_PLATFORM: i32 = 607;
/// A stack trace is larger than the caller's size limit.
pub const MAPBACK_ERROR_TRACE_TOO_LARGE: i32 = 701;
/// A panic was caught inside the library (a bug: please report it).
pub const MAPBACK_ERROR_PANIC: i32 = 901;
/// A required pointer argument was NULL.
pub const MAPBACK_ERROR_NULL_POINTER: i32 = 902;
/// An object was used after it was closed (reported by language bindings).
pub const MAPBACK_ERROR_CLOSED: i32 = 903;
