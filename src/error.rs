//! One error type for the whole crate.
//!
//! Every variant maps to a stable numeric code ([`ErrorCode`]). Codes are banded by
//! domain and never renumbered; a retired code stays reserved. The same codes label
//! lenient-mode [`Diagnostic`]s, so a caller can treat a recovered problem and a
//! strict-mode failure alike.

use std::fmt;

/// The one list of error codes: variant, stable number, C constant name, and the one
/// sentence that describes the code everywhere (Rust docs, the C header, Python
/// docstrings, `mapback_error_code_description`). Calls `$then!` with the list, so each
/// consumer (the enum below, the C constants in `src/ffi`) expands the same entries;
/// build.rs reads this block to write the `MAPBACK_ERROR_*` defines into the header.
///
/// Codes are banded and never renumbered; a retired code stays here as a comment.
macro_rules! for_each_error_code {
    ($then:ident) => {
        $then! {
            // 1xx: input, JSON and I/O.
            InvalidJson = 101, MAPBACK_ERROR_INVALID_JSON,
                "The input is not valid JSON.";
            InvalidUtf8 = 102, MAPBACK_ERROR_INVALID_UTF8,
                "The input is not valid UTF-8.";
            NotAnObject = 103, MAPBACK_ERROR_NOT_AN_OBJECT,
                "The JSON document is not an object.";
            InputTooLarge = 104, MAPBACK_ERROR_INPUT_TOO_LARGE,
                "The input exceeds a size limit.";
            DuplicateKey = 105, MAPBACK_ERROR_DUPLICATE_KEY,
                "A JSON object has the same key twice (the last one wins).";
            TrailingComma = 106, MAPBACK_ERROR_TRAILING_COMMA,
                "The JSON has a trailing comma, which JSON does not allow (accepted in lenient mode).";
            Io = 107, MAPBACK_ERROR_IO,
                "Reading or writing a file failed.";
            // 2xx: top-level map fields.
            MissingField = 201, MAPBACK_ERROR_MISSING_FIELD,
                "A required field is absent.";
            WrongType = 202, MAPBACK_ERROR_WRONG_TYPE,
                "A field has the wrong JSON type.";
            UnsupportedVersion = 203, MAPBACK_ERROR_UNSUPPORTED_VERSION,
                "`version` is not 3.";
            InvalidDebugId = 204, MAPBACK_ERROR_INVALID_DEBUG_ID,
                "`debugId` is not a UUID.";
            InvalidIgnoreList = 205, MAPBACK_ERROR_INVALID_IGNORE_LIST,
                "An `ignoreList` entry is not an index into `sources`.";
            InvalidSourceUrl = 206, MAPBACK_ERROR_INVALID_SOURCE_URL,
                "A source does not resolve to a URL against the base URL.";
            SourcesContentLength = 207, MAPBACK_ERROR_SOURCES_CONTENT_LENGTH,
                "`sourcesContent` and `sources` differ in length (reserved).";
            InvalidFunctionMap = 208, MAPBACK_ERROR_INVALID_FUNCTION_MAP,
                "A React Native extension is malformed: an `x_facebook_sources` function map or `x_hermes_function_offsets` (the field is ignored).";
            // 3xx: the `mappings` string.
            InvalidBase64 = 301, MAPBACK_ERROR_INVALID_BASE64,
                "A character in `mappings` is not Base64 and not a separator.";
            VlqOverflow = 302, MAPBACK_ERROR_VLQ_OVERFLOW,
                "A VLQ value does not fit in 32 bits.";
            VlqTruncated = 303, MAPBACK_ERROR_VLQ_TRUNCATED,
                "A VLQ value ends while its continuation bit is set.";
            InvalidSegmentLength = 304, MAPBACK_ERROR_INVALID_SEGMENT_LENGTH,
                "A segment has a field count other than 1, 4 or 5.";
            NegativeValue = 305, MAPBACK_ERROR_NEGATIVE_VALUE,
                "A decoded absolute field is negative.";
            SourceIndexOutOfBounds = 306, MAPBACK_ERROR_SOURCE_INDEX_OUT_OF_BOUNDS,
                "A segment's source index is not an index into `sources`.";
            NameIndexOutOfBounds = 307, MAPBACK_ERROR_NAME_INDEX_OUT_OF_BOUNDS,
                "A segment's name index is not an index into `names`.";
            UnsortedMappings = 308, MAPBACK_ERROR_UNSORTED_MAPPINGS,
                "Segments on one generated line are not sorted by column (a note: they were sorted).";
            InvalidRangeMapping = 309, MAPBACK_ERROR_INVALID_RANGE_MAPPING,
                "A `rangeMappings` entry repeats an index, names no mapping, or names one without an original position.";
            InvalidScopes = 310, MAPBACK_ERROR_INVALID_SCOPES,
                "The `scopes` or `ranges` field (scopes proposal) breaks its grammar, or names a scope, source, name or variable that does not exist.";
            // 4xx: index maps.
            SectionsWithMappings = 401, MAPBACK_ERROR_SECTIONS_WITH_MAPPINGS,
                "A map has both `sections` and `mappings`.";
            InvalidSectionOrder = 402, MAPBACK_ERROR_INVALID_SECTION_ORDER,
                "Index map sections are out of order or overlap.";
            NestedIndexMap = 403, MAPBACK_ERROR_NESTED_INDEX_MAP,
                "A section's map is itself an index map.";
            SectionUrlUnsupported = 404, MAPBACK_ERROR_SECTION_URL_UNSUPPORTED,
                "A section refers to its map by `url`, which this library does not fetch.";
            // 5xx: caller arguments.
            InvalidArgument = 501, MAPBACK_ERROR_INVALID_ARGUMENT,
                "An argument passed by the caller is invalid.";
            IndexOutOfRange = 502, MAPBACK_ERROR_INDEX_OUT_OF_RANGE,
                "An index passed by the caller is out of range.";
            InvalidBaseUrl = 503, MAPBACK_ERROR_INVALID_BASE_URL,
                "The base URL passed by the caller is not an absolute URL.";
            // 6xx: cache files.
            NotACache = 601, MAPBACK_ERROR_NOT_A_CACHE,
                "The data is not a mapback cache (wrong magic bytes or too short).";
            UnsupportedCacheVersion = 602, MAPBACK_ERROR_UNSUPPORTED_CACHE_VERSION,
                "The cache was written by an incompatible format version.";
            CorruptCache = 603, MAPBACK_ERROR_CORRUPT_CACHE,
                "The cache's header or section table is inconsistent.";
            TruncatedCache = 604, MAPBACK_ERROR_TRUNCATED_CACHE,
                "The cache's length differs from the length its header records.";
            CacheChecksumMismatch = 605, MAPBACK_ERROR_CACHE_CHECKSUM_MISMATCH,
                "The cache's checksum does not match its contents (found by a full verify).";
            CacheLimitExceeded = 606, MAPBACK_ERROR_CACHE_LIMIT_EXCEEDED,
                "A value does not fit the cache format (refused when writing).";
            UnsupportedPlatform = 607, MAPBACK_ERROR_UNSUPPORTED_PLATFORM,
                "Cache files are little-endian; this host cannot read them in place.";
            // 7xx: stack traces.
            TraceTooLarge = 701, MAPBACK_ERROR_TRACE_TOO_LARGE,
                "A stack trace is larger than the caller's size limit.";
            // 8xx: the artifact store and artifact bundles.
            InvalidArchive = 801, MAPBACK_ERROR_INVALID_ARCHIVE,
                "The file is not a readable zip archive.";
            UnsafeArchivePath = 802, MAPBACK_ERROR_UNSAFE_ARCHIVE_PATH,
                "An archive entry's name is absolute, climbs out with `..`, or holds a backslash or NUL.";
            DuplicateArchiveEntry = 803, MAPBACK_ERROR_DUPLICATE_ARCHIVE_ENTRY,
                "An archive holds two entries with the same name.";
            ArchiveSymlink = 804, MAPBACK_ERROR_ARCHIVE_SYMLINK,
                "An archive entry is a symbolic link, which is refused.";
            InvalidManifest = 805, MAPBACK_ERROR_INVALID_MANIFEST,
                "An artifact bundle lacks `manifest.json` or the manifest names a file the archive lacks.";
            DebugIdMismatch = 806, MAPBACK_ERROR_DEBUG_ID_MISMATCH,
                "A script's `debugId` comment and its map's `debugId` differ.";
            CorruptStore = 807, MAPBACK_ERROR_CORRUPT_STORE,
                "A store's entry record, index file or object is damaged or missing.";
            NotAStore = 808, MAPBACK_ERROR_NOT_A_STORE,
                "The directory is not a mapback store, or one of an unsupported format version.";
            // 9xx: internal and FFI.
            Panic = 901, MAPBACK_ERROR_PANIC,
                "A panic was caught inside the library (a bug: please report it).";
            NullPointer = 902, MAPBACK_ERROR_NULL_POINTER,
                "A required pointer argument was NULL.";
            Closed = 903, MAPBACK_ERROR_CLOSED,
                "An object was used after it was closed (reported by language bindings).";
        }
    };
}
pub(crate) use for_each_error_code;

/// Expands the list into [`ErrorCode`] and its tables.
macro_rules! define_error_code {
    ($($variant:ident = $value:literal, $c_name:ident, $description:literal;)*) => {
        /// Stable numeric error codes, shared by the Rust API, the C ABI and Python.
        ///
        /// Bands: 1xx input, JSON and I/O, 2xx top-level map fields, 3xx the `mappings`
        /// string, 4xx index maps, 5xx caller arguments, 6xx cache files, 7xx stack traces,
        /// 8xx the artifact store, 9xx internal and FFI.
        #[repr(i32)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(#[doc = $description] $variant = $value,)*
        }

        impl ErrorCode {
            /// Every code, in numeric order (used by tests and binding generators).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code with this number, if there is one.
            pub fn from_i32(value: i32) -> Option<ErrorCode> {
                match value {
                    $($value => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }

            /// The one sentence that describes this code (as in the C header).
            pub fn description(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $description,)*
                }
            }

            /// The name of the C constant, such as `MAPBACK_ERROR_INVALID_JSON`.
            pub fn c_name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => stringify!($c_name),)*
                }
            }
        }
    };
}

for_each_error_code!(define_error_code);

impl ErrorCode {
    /// The numeric value carried across the C ABI.
    pub fn as_i32(self) -> i32 {
        self as i32
    }
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
    fn tables_agree() {
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_i32(code.as_i32()), Some(code));
            assert!(code.description().ends_with('.'), "{code:?}");
            let snake = format!("{code:?}")
                .chars()
                .enumerate()
                .flat_map(|(i, c)| {
                    let sep = (i > 0 && c.is_ascii_uppercase()).then_some('_');
                    sep.into_iter().chain([c.to_ascii_uppercase()])
                })
                .collect::<String>();
            assert_eq!(code.c_name(), format!("MAPBACK_ERROR_{snake}"));
        }
        assert_eq!(ErrorCode::from_i32(100), None);
    }

    #[test]
    fn excerpt_escapes_and_truncates() {
        assert_eq!(excerpt("a\nb"), "a\\nb");
        let long = "x".repeat(100);
        assert_eq!(excerpt(&long).chars().count(), 41);
    }
}
