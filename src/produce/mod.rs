//! The producer side: build maps, encode them as JSON, concatenate, flatten, compose
//! chains of maps, and rewrite their metadata.
//!
//! Everything produces a [`SourceMapBuilder`], which encodes deterministically
//! ([`SourceMapBuilder::to_json`]) or decodes into a queryable map
//! ([`SourceMapBuilder::build`]). Flattening an index map is
//! `SourceMapBuilder::from_view(&map).to_json(..)`.

mod builder;
mod compose;
mod concat;
mod json_text;
mod rewrite;

pub use self::builder::{EncodeOptions, OriginalPosition, SourceMapBuilder, MAX_POSITION};
pub use self::compose::{compose, MapLoader, StepMap, MAX_COMPOSE_DEPTH};
pub use self::concat::{concat, concat_index, piece_offsets, text_end_position, ConcatPiece};
pub use self::rewrite::{
    add_debug_id_comment, rewrite, ContentLoader, ContentsAction, RewriteOptions,
};
