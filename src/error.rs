//! One error type for the whole crate.
//!
//! Every variant maps to a stable numeric code ([`ErrorCode`]). Codes are banded by
//! domain and never renumbered; a retired code stays reserved. The same codes label
//! lenient-mode [`Diagnostic`]s, so a caller can treat a recovered problem and a
//! strict-mode failure alike.

use std::fmt;

/// Stable numeric error codes, shared by the Rust API, the C ABI and Python.
///
/// Bands: 1xx input, JSON and I/O, 2xx top-level map fields, 3xx the `mappings`
/// string, 4xx index maps, 5xx caller arguments, 6xx cache files, 7xx stack traces,
/// 9xx internal and FFI.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The input is not valid JSON.
    InvalidJson = 101,
    /// The input is not valid UTF-8.
    InvalidUtf8 = 102,
    /// The JSON document is not an object.
    NotAnObject = 103,
    /// The input exceeds a size limit.
    InputTooLarge = 104,
    /// A JSON object has the same key twice (the last one wins).
    DuplicateKey = 105,
    /// The JSON has a trailing comma, which JSON does not allow.
    TrailingComma = 106,
    /// Reading or writing a file failed.
    Io = 107,

    /// A required field is absent.
    MissingField = 201,
    /// A field has the wrong JSON type.
    WrongType = 202,
    /// `version` is not 3.
    UnsupportedVersion = 203,
    /// `debugId` is not a UUID.
    InvalidDebugId = 204,
    /// An `ignoreList` entry is not a valid index into `sources`.
    InvalidIgnoreList = 205,
    /// A source URL could not be resolved.
    InvalidSourceUrl = 206,
    /// `sourcesContent` and `sources` differ in length.
    SourcesContentLength = 207,

    /// A character in `mappings` is not Base64 and not a separator.
    InvalidBase64 = 301,
    /// A VLQ value does not fit in 32 bits.
    VlqOverflow = 302,
    /// A VLQ value ends while its continuation bit is set.
    VlqTruncated = 303,
    /// A segment has a field count other than 1, 4 or 5.
    InvalidSegmentLength = 304,
    /// A decoded absolute field is negative.
    NegativeValue = 305,
    /// A segment's source index is not an index into `sources`.
    SourceIndexOutOfBounds = 306,
    /// A segment's name index is not an index into `names`.
    NameIndexOutOfBounds = 307,
    /// Segments on one generated line are not sorted by column (recovered by sorting).
    UnsortedMappings = 308,

    /// A map has both `sections` and `mappings`.
    SectionsWithMappings = 401,
    /// Index map sections are out of order or overlap.
    InvalidSectionOrder = 402,
    /// A section's map is itself an index map.
    NestedIndexMap = 403,
    /// A section uses `url` instead of `map`, which this library does not fetch.
    SectionUrlUnsupported = 404,

    /// An argument passed by the caller is invalid.
    InvalidArgument = 501,
    /// An index passed by the caller is out of range.
    IndexOutOfRange = 502,
    /// The base URL passed by the caller is not an absolute URL.
    InvalidBaseUrl = 503,

    /// The data is not a mapback cache (wrong magic bytes or too short).
    NotACache = 601,
    /// The cache was written by an incompatible format version.
    UnsupportedCacheVersion = 602,
    /// The cache's header or section table is inconsistent.
    CorruptCache = 603,
    /// The cache's length differs from the length its header records.
    TruncatedCache = 604,
    /// The cache's checksum does not match its contents.
    CacheChecksumMismatch = 605,
    /// A value does not fit the cache format (refused when writing).
    CacheLimitExceeded = 606,
    /// Cache files are little-endian; this host cannot read them in place.
    UnsupportedPlatform = 607,

    /// A stack trace is larger than the caller's limit (`TraceLimits::max_input_bytes`).
    TraceTooLarge = 701,

    /// A Rust panic was caught at the C boundary.
    Panic = 901,
    /// A required pointer argument was NULL.
    NullPointer = 902,
    /// An object handle was used after it was closed (Python layer).
    Closed = 903,
}

impl ErrorCode {
    /// The numeric value carried across the C ABI.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// Every code, in numeric order (used by tests and binding generators).
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InvalidJson,
        ErrorCode::InvalidUtf8,
        ErrorCode::NotAnObject,
        ErrorCode::InputTooLarge,
        ErrorCode::DuplicateKey,
        ErrorCode::TrailingComma,
        ErrorCode::Io,
        ErrorCode::MissingField,
        ErrorCode::WrongType,
        ErrorCode::UnsupportedVersion,
        ErrorCode::InvalidDebugId,
        ErrorCode::InvalidIgnoreList,
        ErrorCode::InvalidSourceUrl,
        ErrorCode::SourcesContentLength,
        ErrorCode::InvalidBase64,
        ErrorCode::VlqOverflow,
        ErrorCode::VlqTruncated,
        ErrorCode::InvalidSegmentLength,
        ErrorCode::NegativeValue,
        ErrorCode::SourceIndexOutOfBounds,
        ErrorCode::NameIndexOutOfBounds,
        ErrorCode::UnsortedMappings,
        ErrorCode::SectionsWithMappings,
        ErrorCode::InvalidSectionOrder,
        ErrorCode::NestedIndexMap,
        ErrorCode::SectionUrlUnsupported,
        ErrorCode::InvalidArgument,
        ErrorCode::IndexOutOfRange,
        ErrorCode::InvalidBaseUrl,
        ErrorCode::NotACache,
        ErrorCode::UnsupportedCacheVersion,
        ErrorCode::CorruptCache,
        ErrorCode::TruncatedCache,
        ErrorCode::CacheChecksumMismatch,
        ErrorCode::CacheLimitExceeded,
        ErrorCode::UnsupportedPlatform,
        ErrorCode::TraceTooLarge,
        ErrorCode::Panic,
        ErrorCode::NullPointer,
        ErrorCode::Closed,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({})", self, *self as i32)
    }
}

/// An error from decoding or querying a source map.
///
/// `offset` is a byte offset into the input document when the problem has a place
/// there; for `mappings` problems the message also names the generated line and the
/// segment.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    code: ErrorCode,
    message: String,
    offset: Option<u64>,
}

impl Error {
    /// Builds an error with a code and message, and no position.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            offset: None,
        }
    }

    /// Builds an error at a byte offset of the input.
    pub fn at(code: ErrorCode, offset: usize, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            offset: Some(offset as u64),
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte offset in the input where the problem was found, if any.
    pub fn offset(&self) -> Option<u64> {
        self.offset
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem the lenient decoder recovered from, kept on the map for the caller.
///
/// In strict mode the same condition is returned as an [`Error`] with the same code.
pub type Diagnostic = Error;

/// Escapes and shortens a piece of input for an error message, so messages never echo
/// large or control-laden input back to a log.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut out = String::new();
    for (i, ch) in text.chars().enumerate() {
        if i == MAX_CHARS {
            out.push('…');
            break;
        }
        out.extend(ch.escape_debug());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_banded() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let value = code.as_i32();
            assert!(seen.insert(value), "duplicate code {value}");
            assert!((100..1000).contains(&value));
        }
        let mut sorted: Vec<i32> = ErrorCode::ALL.iter().map(|c| c.as_i32()).collect();
        sorted.sort_unstable();
        let listed: Vec<i32> = ErrorCode::ALL.iter().map(|c| c.as_i32()).collect();
        assert_eq!(sorted, listed, "ALL must be in numeric order");
    }

    #[test]
    fn excerpt_escapes_and_truncates() {
        assert_eq!(excerpt("a\nb"), "a\\nb");
        let long = "x".repeat(100);
        assert_eq!(excerpt(&long).chars().count(), 41);
    }
}
