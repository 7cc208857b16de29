//! The scopes proposal (ECMA-426 Stage 3): original scopes and generated ranges a map
//! carries, as a producer wrote them. Not to be confused with [`crate::scopes`], the
//! function scopes mapback finds itself by parsing original sources.
//!
//! `types.rs` holds the records; `decode.rs` reads both encodings (the combined
//! `"scopes"` string of the `proposal-scopes` branch, and the per-source list plus
//! `"ranges"` of ecma426 #266); `encode.rs` writes them; `record.rs` prints them as
//! the tc39 golden files do; `stored.rs` is the form a cache keeps them in; `frames.rs` answers the symbolicator's question: which
//! original functions, inlined or not, run at a generated position.

pub(crate) mod decode;
mod encode;
mod frames;
mod record;
pub(crate) mod stored;
mod types;

pub use self::decode::MAX_SCOPE_DEPTH;
pub use self::encode::{encode_combined, encode_per_source, EncodedPerSource};
pub use self::frames::{frames_at, ScopeFrame};
pub use self::record::{scopes_from_record, scopes_record};
pub use self::types::{
    Binding, GeneratedRange, OriginalScope, PreOrder, ScopeInfo, ScopeRef, ScopesFormat,
    StackFrameType, Tree,
};
