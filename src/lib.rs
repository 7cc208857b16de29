//! mapback: a conformant ECMA-426 source map engine.
//!
//! Decode regular and index maps exactly as the spec says ([`SourceMap::from_slice_with`]
//! with [`DecodeOptions`]), look positions up in both directions ([`SourceMap::lookup`],
//! [`SourceMap::generated_position`]), and read sources, names and diagnostics. Lines
//! and columns are 0-based; columns count UTF-16 code units, as the spec says.
//!
//! The C ABI lives in `ffi` and is the only place with `unsafe` code.
//!
//! ```
//! use mapback::SourceMapView;
//!
//! let map = mapback::SourceMap::from_slice(
//!     br#"{"version":3,"sources":["a.js"],"names":["run"],"mappings":"AAAA,IAAIA"}"#,
//! ).unwrap();
//! let token = map.lookup(0, 6).unwrap();
//! assert_eq!(token.source().unwrap().name(), Some("a.js"));
//! assert_eq!((token.original_line(), token.original_column()), (Some(0), Some(4)));
//! assert_eq!(token.name(), Some("run"));
//! ```

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod cache;
mod decode;
pub mod discovery;
mod error;
mod function_maps;
mod inspect;
mod json;
mod lines;
mod lookup;
mod map;
mod mappings;
pub mod original_scopes;
mod position;
pub mod produce;
mod scopes;
mod sources;
mod stacktrace;
mod store;
mod strings;
pub mod symbolicate;
mod url;
mod validate;
mod view;
pub mod vlq;

pub mod ffi;

pub use crate::cache::{to_cache_bytes, write_cache_file, Cache, CacheOptions};
pub use crate::decode::{decode, DecodeLimits, DecodeOptions, MAX_INPUT_BYTES};
pub use crate::error::{Diagnostic, Error, ErrorCode, Result};
pub use crate::function_maps::{FunctionMap, HermesFunctionOffsets};
pub use crate::inspect::{attribute, package_of, Attribution, Inspection, PackageShare};
pub use crate::lookup::{Bias, LookupOptions, MappingStore, ReverseIndex};
pub use crate::map::SourceMap;
pub use crate::mappings::{Mappings, MappingsView, RawToken, NONE};
pub use crate::position::{Position, SourcePosition, Span};
pub use crate::produce::{EncodeOptions, OriginalPosition, SourceMapBuilder};
pub use crate::scopes::{Enclosing, FunctionScopes, ScopeId};
pub use crate::stacktrace::{parse_stack_trace, Frame, StackTrace, TraceFormat, TraceLimits};
pub use crate::store::{
    AddSummary, AddedBundle, EntryInfo, GcReport, IngestLimits, MatchedKey, PairedBy, SkipReason,
    SkippedFile, Store, StoreEntry, StoreOptions, StoreProblem, VerifyReport,
};
pub use crate::url::parse_base_url;
pub use crate::validate::{validate, Problem, Severity, ValidationReport, MAX_PROBLEMS_PER_CODE};
pub use crate::view::{Context, Source, SourceMapView, Sources, Token, Tokens};

/// The crate version, as in Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
