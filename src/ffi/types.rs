//! Plain C structs passed across the ABI, and the constants that go with them.
//!
//! All of them are plain data: a value may be copied and read from any thread; the
//! pointers inside a view (`mapback_str`) live as long as the object they came from.

use std::ffi::c_char;

use crate::decode::DecodeLimits;
use crate::error::{Error, ErrorCode};
use crate::lookup::{Bias, LookupOptions};
use crate::mappings::{RawToken, NONE};

use super::sourcemap::mapback_sourcemap;

/// "No value": an absent source, name or original position in a `mapback_token`, a
/// source that was not found, or "the whole line" where a column may be given.
pub const MAPBACK_NONE: u32 = u32::MAX;

/// A borrowed UTF-8 string: `len` bytes at `data`, NOT NUL-terminated.
///
/// It is owned by the object it came from and valid until that object is freed. `data`
/// is never NULL when a function reports that it wrote the view. Plain data: it may be
/// read from any thread while its object lives.
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
/// (up to the format's own 4 GiB input limit); do that only for trusted input. Plain
/// data, only read by the library.
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
/// URL, default limits); a zero-initialised struct means the same. Plain data, only read
/// during the call.
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
/// Plain data, only read during the call.
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
/// `mapback_sourcemap_lookup_many`) has `token_index` = `MAPBACK_NONE`. Plain data: a
/// copy the caller owns, usable from any thread.
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

    /// `MAPBACK_LOOKUP_FOUND`, with `MAPBACK_LOOKUP_HAS_ORIGINAL` and
    /// `MAPBACK_LOOKUP_HAS_NAME` for the fields that hold a value.
    pub(crate) fn lookup_flags(&self) -> i32 {
        let mut flags = MAPBACK_LOOKUP_FOUND;
        if self.source_index != NONE {
            flags |= MAPBACK_LOOKUP_HAS_ORIGINAL;
        }
        if self.name_index != NONE {
            flags |= MAPBACK_LOOKUP_HAS_NAME;
        }
        flags
    }
}

/// A default lookup (greatest lower bound, same line) whose inputs and output travel
/// in one caller-owned struct, for `mapback_sourcemap_lookup_request`.
///
/// Set `map` once; before each call set `token.generated_line` and
/// `token.generated_column` to the generated position (0-based line, 0-based UTF-16
/// column); the call writes the found token over `token`. Plain data owned by the
/// caller; the map it names must outlive each call made with it.
#[repr(C)]
pub struct mapback_lookup_request {
    /// The map to search (not owned).
    pub map: *const mapback_sourcemap,
    /// In: the generated position. Out: the token found.
    pub token: mapback_token,
}

/// `mapback_sourcemap_lookup_request` found a token (the other bits say which of its
/// optional fields hold a value).
pub const MAPBACK_LOOKUP_FOUND: i32 = 1;
/// The token found has an original position: `source_index`, `original_line` and
/// `original_column` hold values (else all three are `MAPBACK_NONE`).
pub const MAPBACK_LOOKUP_HAS_ORIGINAL: i32 = 2;
/// The token found has a name: `name_index` holds a value (else `MAPBACK_NONE`).
pub const MAPBACK_LOOKUP_HAS_NAME: i32 = 4;

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
/// sorted"). `message` is borrowed from the map and valid until it is freed. Plain data,
/// readable from any thread while the map lives.
#[repr(C)]
pub struct mapback_diagnostic {
    /// A `MAPBACK_ERROR_*` code.
    pub code: i32,
    /// Byte offset in the input, or -1.
    pub offset: i64,
    /// Human-readable description.
    pub message: mapback_str,
}
