//! `mapback_builder`: build a map and encode it, and the operations that produce one
//! (compose, concatenate, rewrite) with their text helpers.
//!
//! A `mapback_builder` is mutable and NOT thread-safe: one thread at a time may use a
//! given builder (different builders are independent). Maps passed in are only read.

use std::ffi::c_void;

use crate::error::{Error, ErrorCode};
use crate::map::SourceMap;
use crate::produce::{
    self, ConcatPiece, ContentsAction, EncodeOptions, OriginalPosition, RewriteOptions,
    SourceMapBuilder, StepMap,
};
use crate::view::SourceMapView;

use super::args::{optional, optional_text, output, text, values};
use super::boundary::{ffi_boundary, mapback_error, null_argument};
use super::buffer::mapback_buf;
use super::fetched::{mapback_fetch_fn, mapback_fetched};
use super::handle::Handle;
use super::sourcemap::mapback_sourcemap;
use super::types::{mapback_str, mapback_token, MAPBACK_NONE};

/// A source map under construction (opaque). Create with `mapback_builder_new`,
/// `mapback_builder_from_map` or an operation (`mapback_sourcemap_compose`,
/// `mapback_sourcemap_concat`, `mapback_sourcemap_rewrite`); release with
/// `mapback_builder_free`. NOT thread-safe: use one builder from one thread at a time.
pub struct mapback_builder {
    inner: SourceMapBuilder,
}

impl Handle for mapback_builder {
    const ARGUMENT: &'static str = "builder";
}

impl mapback_builder {
    /// A new handle owned by the caller.
    fn boxed(inner: SourceMapBuilder) -> *mut mapback_builder {
        mapback_builder { inner }.into_raw()
    }
}

/// The largest line, column or index a built map can carry (2^31 - 1: VLQ fields are
/// 32-bit signed); larger positions fail with `MAPBACK_ERROR_INVALID_ARGUMENT`.
pub const MAPBACK_MAX_POSITION: u32 = 2_147_483_647;
/// How deep a chain given to `mapback_sourcemap_compose` may be, loaded maps included.
pub const MAPBACK_MAX_COMPOSE_DEPTH: u32 = 64;

const _: () = assert!(MAPBACK_MAX_POSITION == produce::MAX_POSITION);
const _: () = assert!(MAPBACK_MAX_COMPOSE_DEPTH as usize == produce::MAX_COMPOSE_DEPTH);

/// What encoding writes. Pass NULL for the defaults (both true). Plain data, only read
/// during the call.
#[repr(C)]
pub struct mapback_encode_options {
    /// Write `sourcesContent` (when any source has content).
    pub include_contents: bool,
    /// Write `names` and the names of mappings.
    pub include_names: bool,
}

pub(crate) fn encode_options(options: Option<&mapback_encode_options>) -> EncodeOptions {
    options.map_or_else(EncodeOptions::default, |o| EncodeOptions {
        include_contents: o.include_contents,
        include_names: o.include_names,
    })
}

/// Creates an empty builder, owned by the caller (release with `mapback_builder_free`).
/// Returns NULL only on allocation failure or a caught panic.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_new(err: *mut mapback_error) -> *mut mapback_builder {
    ffi_boundary!(err, { Ok(mapback_builder::boxed(SourceMapBuilder::new())) })
}

/// Creates a builder holding everything `map` holds (file, debugId, sources with
/// contents and ignore flags, names, mappings; an index map comes out flattened), to
/// edit and re-encode. `map` is only read and may be freed afterwards. Returns a new
/// builder owned by the caller, or NULL with `err` set. Thread-safe for `map`.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_from_map(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> *mut mapback_builder {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        Ok(mapback_builder::boxed(SourceMapBuilder::from_view(
            map.map.as_view(),
        )))
    })
}

/// Releases a builder. NULL is ignored; it must not be freed twice or be in use.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_free(builder: *mut mapback_builder) {
    ffi_boundary!({
        mapback_builder::free(builder);
        Ok(())
    })
}

/// The body of the setters of optional text fields: `apply` gets the text (or `None`
/// for a NULL `data`).
fn set_optional_text(
    builder: *mut mapback_builder,
    data: *const u8,
    len: usize,
    what: &str,
    apply: impl FnOnce(&mut SourceMapBuilder, Option<&str>) -> Result<(), Error>,
) -> Result<bool, Error> {
    let builder = &mut mapback_builder::from_mut_ptr(builder)?.inner;
    apply(builder, optional_text(data, len, what)?)?;
    Ok(true)
}

/// Sets the `file` field to `len` bytes of UTF-8 at `data` (copied), or removes it when
/// `data` is NULL. Returns false with `err` set on invalid UTF-8 or a NULL builder.
/// Not thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_set_file(
    builder: *mut mapback_builder,
    data: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        set_optional_text(builder, data, len, "file", |b, file| {
            b.set_file(file);
            Ok(())
        })
    })
}

/// Sets the `sourceRoot` field (copied), or removes it when `data` is NULL or `len` is
/// 0. Returns false with `err` set on invalid UTF-8. Not thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_set_source_root(
    builder: *mut mapback_builder,
    data: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        set_optional_text(builder, data, len, "source_root", |b, root| {
            b.set_source_root(root);
            Ok(())
        })
    })
}

/// Sets the `debugId` (a UUID, copied), or removes it when `data` is NULL. Returns
/// false with `err` set (`MAPBACK_ERROR_INVALID_DEBUG_ID`) when it is not a UUID.
/// Not thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_set_debug_id(
    builder: *mut mapback_builder,
    data: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        set_optional_text(
            builder,
            data,
            len,
            "debug_id",
            SourceMapBuilder::set_debug_id,
        )
    })
}

/// Adds a source named by `len` bytes of UTF-8 at `name` (copied) and returns its
/// index; a name added before returns the earlier index. `name` NULL adds a `null`
/// source (never shared). Returns `MAPBACK_NONE` with `err` set on error. Not
/// thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_add_source(
    builder: *mut mapback_builder,
    name: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> u32 {
    ffi_boundary!(err, {
        let builder = &mut mapback_builder::from_mut_ptr(builder)?.inner;
        Ok(match optional_text(name, len, "name")? {
            Some(name) => builder.add_source(name),
            None => builder.add_null_source(),
        })
    })
}

/// Sets the content of source `index` to `len` bytes of UTF-8 at `data` (copied), or
/// removes it when `data` is NULL. Returns false with `err` set
/// (`MAPBACK_ERROR_INDEX_OUT_OF_RANGE`, invalid UTF-8). Not thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_set_source_content(
    builder: *mut mapback_builder,
    index: u32,
    data: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        set_optional_text(builder, data, len, "content", |b, content| {
            b.set_source_content(index, content)
        })
    })
}

/// Puts source `index` on the `ignoreList` (`ignored` true) or takes it off. Returns
/// false with `err` set for an unknown index. Not thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_set_source_ignored(
    builder: *mut mapback_builder,
    index: u32,
    ignored: bool,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let builder = &mut mapback_builder::from_mut_ptr(builder)?.inner;
        builder.set_source_ignored(index, ignored)?;
        Ok(true)
    })
}

/// Adds a name (`len` bytes of UTF-8 at `data`, copied; NULL only with `len` 0) and
/// returns its index; a name added before returns the earlier index. Returns
/// `MAPBACK_NONE` with `err` set on error. Not thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_add_name(
    builder: *mut mapback_builder,
    data: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> u32 {
    ffi_boundary!(err, {
        let builder = &mut mapback_builder::from_mut_ptr(builder)?.inner;
        Ok(builder.add_name(text(data, len, "name")?))
    })
}

/// Adds `count` mappings from `tokens` (read, not kept; `token_index` is ignored). A
/// token with `source_index` = `MAPBACK_NONE` marks its generated position unmapped;
/// `name_index` = `MAPBACK_NONE` means no name. Mappings may come in any order. All or
/// nothing: on an unknown source or name index or a position above 2^31 - 1 none is
/// added and false is returned with `err` set. `tokens` may be NULL when `count` is 0.
/// Not thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_add_mappings(
    builder: *mut mapback_builder,
    tokens: *const mapback_token,
    count: usize,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let builder = &mut mapback_builder::from_mut_ptr(builder)?.inner;
        add_tokens(builder, values(tokens, count, "tokens")?, false)
    })
}

/// Adds `count` range mappings (ECMA-426 range mappings proposal) from `tokens`, as
/// `mapback_builder_add_mappings` adds mappings: each maps every generated position
/// from its own up to the next mapping's to its original position moved by as much,
/// and is written in the `rangeMappings` field. Every token needs an original position
/// (`source_index` other than `MAPBACK_NONE`, else `MAPBACK_ERROR_INVALID_ARGUMENT`).
/// All or nothing, as there. `tokens` may be NULL when `count` is 0. Not thread-safe
/// for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_add_range_mappings(
    builder: *mut mapback_builder,
    tokens: *const mapback_token,
    count: usize,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let builder = &mut mapback_builder::from_mut_ptr(builder)?.inner;
        add_tokens(builder, values(tokens, count, "tokens")?, true)
    })
}

/// Adds `tokens` as mappings (range mappings with `range`), all or none.
fn add_tokens(
    builder: &mut SourceMapBuilder,
    tokens: &[mapback_token],
    range: bool,
) -> crate::error::Result<bool> {
    let before = builder.mapping_count();
    for (i, t) in tokens.iter().enumerate() {
        let original = (t.source_index != MAPBACK_NONE).then_some(OriginalPosition {
            source: t.source_index,
            line: t.original_line,
            column: t.original_column,
            name: (t.name_index != MAPBACK_NONE).then_some(t.name_index),
        });
        let added = match (range, original) {
            (false, original) => {
                builder.add_mapping(t.generated_line, t.generated_column, original)
            }
            (true, Some(original)) => {
                builder.add_range_mapping(t.generated_line, t.generated_column, original)
            }
            (true, None) => Err(Error::new(
                ErrorCode::InvalidArgument,
                "a range mapping needs an original position",
            )),
        };
        if let Err(error) = added {
            builder.truncate_mappings(before);
            return Err(Error::new(
                error.code(),
                format!("tokens[{i}]: {}", error.message()),
            ));
        }
    }
    Ok(true)
}

/// Number of mappings added so far. 0 with `err` set for a NULL builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_mapping_count(
    builder: *const mapback_builder,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        Ok(mapback_builder::from_ptr(builder)?.inner.mapping_count())
    })
}

/// Encodes the builder as ECMA-426 JSON (deterministic: fixed key order, mappings
/// sorted by generated position) into `*out`, which the caller then owns and releases
/// with `mapback_buf_free`. `options` may be NULL (contents and names included). The
/// builder is unchanged. Returns false with `err` set on a NULL argument.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_to_json(
    builder: *const mapback_builder,
    options: *const mapback_encode_options,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let builder = mapback_builder::from_ptr(builder)?;
        let options = encode_options(optional(options));
        let out = output(out, "out")?;
        *out = mapback_buf::from_vec(builder.inner.to_json(&options));
        Ok(true)
    })
}

/// Decodes the builder's map into a new `mapback_sourcemap` (owned by the caller,
/// released with `mapback_sourcemap_free`); the builder is unchanged. NULL with `err`
/// set on error.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_build(
    builder: *const mapback_builder,
    err: *mut mapback_error,
) -> *mut mapback_sourcemap {
    ffi_boundary!(err, {
        let builder = mapback_builder::from_ptr(builder)?;
        Ok(mapback_sourcemap::boxed(Box::new(builder.inner.build()?)))
    })
}

/// Composes a chain of maps into one that points at the original sources.
///
/// `chain` holds `count` (at least 1) maps, outermost (the last build step's) first;
/// each further map is the map of the single source of the map before it. Then, when
/// `loader` is not NULL, it is called with the name of each source of the last map,
/// and recursively of the maps it gives (`sourceRoot` applied, and resolved against the
/// name of the file the listing map belongs to, so that names are relative to the
/// outermost map, as in the output): it returns 0 for an
/// original source, or 1 after giving that source's map with `mapback_fetched_set`
/// (JSON or index map bytes, copied) or `mapback_fetched_set_map` (a map that must stay
/// valid until this call returns), any other value to fail the call
/// (`MAPBACK_ERROR_IO`). It runs on the calling thread. Chains deeper than 64 fail
/// (`MAPBACK_ERROR_INVALID_ARGUMENT`), as does a map in the middle of `chain` with other
/// than one source.
///
/// Each mapping of the outermost map is traced down by greatest-lower-bound lookups on
/// the same line; the innermost name wins; a trace that falls off an inner map becomes
/// an unmapped segment. Returns a new builder owned by the caller (encode it with
/// `mapback_builder_to_json`), or NULL with `err` set. The maps are only read.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_compose(
    chain: *const *const mapback_sourcemap,
    count: usize,
    loader: mapback_fetch_fn,
    user_data: *mut c_void,
    err: *mut mapback_error,
) -> *mut mapback_builder {
    ffi_boundary!(err, {
        let pointers = values(chain, count, "chain")?;
        let mut maps: Vec<&dyn SourceMapView> = Vec::with_capacity(pointers.len());
        for (i, &pointer) in pointers.iter().enumerate() {
            let map = mapback_sourcemap::from_nullable(pointer)
                .ok_or_else(|| null_argument(&format!("chain[{i}]")))?;
            maps.push(map.map.as_view());
        }
        let mut load = |name: &str, _depth: usize| -> Result<Option<StepMap<'_>>, Error> {
            let Some(fetch) = loader else {
                return Ok(None);
            };
            // SAFETY: `loader` and `user_data` are callable as documented above.
            let Some(found) = (unsafe { mapback_fetched::call(fetch, user_data, name) })? else {
                return Ok(None);
            };
            if let Some(data) = found.data {
                let map = SourceMap::from_slice(&data).map_err(|e| {
                    Error::new(
                        e.code(),
                        format!("the map the loader gave for \"{name}\": {}", e.message()),
                    )
                })?;
                return Ok(Some(StepMap::Owned(Box::new(map))));
            }
            match mapback_sourcemap::from_nullable(found.map) {
                Some(map) => Ok(Some(StepMap::Borrowed(map.map.as_view()))),
                None => Ok(None),
            }
        };
        Ok(mapback_builder::boxed(produce::compose(&maps, &mut load)?))
    })
}

/// One piece of a concatenation: its map (NULL for code without a map) and where its
/// code starts in the output (0-based line, UTF-16 column). Plain data, only read during
/// the call.
#[repr(C)]
pub struct mapback_concat_piece {
    /// The piece's map, or NULL.
    pub map: *const mapback_sourcemap,
    /// Output line where the piece starts.
    pub line: u32,
    /// Output column where the piece starts, on that line.
    pub column: u32,
}

/// Reads the pieces of a concatenation (their maps NULL or live, per the contract).
fn concat_pieces<'a>(
    pieces: *const mapback_concat_piece,
    count: usize,
) -> Result<Vec<ConcatPiece<'a>>, Error> {
    let raw = values(pieces, count, "pieces")?;
    Ok(raw
        .iter()
        .map(|p| ConcatPiece {
            map: mapback_sourcemap::from_nullable(p.map).map(|m| m.map.as_view()),
            line: p.line,
            column: p.column,
        })
        .collect())
}

/// Concatenates `count` pieces (in output order) into one flat map: each piece's
/// mappings shifted to its offset and cut where the next piece starts; sources shared
/// when name and content agree. Returns a new builder owned by the caller, or NULL with
/// `err` set (`MAPBACK_ERROR_INVALID_ARGUMENT` for pieces out of order). The maps are
/// only read. Use `mapback_text_end_position` to find offsets. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_concat(
    pieces: *const mapback_concat_piece,
    count: usize,
    err: *mut mapback_error,
) -> *mut mapback_builder {
    ffi_boundary!(err, {
        let pieces = concat_pieces(pieces, count)?;
        Ok(mapback_builder::boxed(produce::concat(&pieces)?))
    })
}

/// Concatenates `count` pieces into an index map (one section per non-empty piece),
/// written as JSON to `*out` (owned by the caller, released with `mapback_buf_free`).
/// `file` (`file_len` bytes of UTF-8) may be NULL for none; `options` may be NULL.
/// Returns false with `err` set on error. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_concat_index(
    pieces: *const mapback_concat_piece,
    count: usize,
    file: *const u8,
    file_len: usize,
    options: *const mapback_encode_options,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let pieces = concat_pieces(pieces, count)?;
        let file = optional_text(file, file_len, "file")?;
        let options = encode_options(optional(options));
        let out = output(out, "out")?;
        *out = mapback_buf::from_vec(produce::concat_index(&pieces, file, &options)?);
        Ok(true)
    })
}

/// `mapback_rewrite_options.contents`: keep the contents the map has.
pub const MAPBACK_CONTENTS_KEEP: u32 = 0;

/// `mapback_rewrite_options.contents`: remove every content.
pub const MAPBACK_CONTENTS_DROP: u32 = 1;

/// `mapback_rewrite_options.contents`: keep them, and ask `content_loader` for the
/// missing ones.
pub const MAPBACK_CONTENTS_INLINE: u32 = 2;

/// How `mapback_sourcemap_rewrite` changes a map. Zero-initialised, it changes nothing.
/// Plain data, only read during the call (the loader runs on the calling thread).
#[repr(C)]
pub struct mapback_rewrite_options {
    /// Remove `names` and the names of every mapping.
    pub drop_names: bool,
    /// `MAPBACK_CONTENTS_KEEP`, `..._DROP` or `..._INLINE`.
    pub contents: u32,
    /// For `MAPBACK_CONTENTS_INLINE`: called on the calling thread with the name (with
    /// `sourceRoot` applied) of each source without content; returns 1 after
    /// `mapback_fetched_set` (the content, UTF-8), 0 when it has none, else fails the
    /// call. It is asked only for the map's own source names; whether it reads files is
    /// its decision. NULL: no content is added.
    pub content_loader: mapback_fetch_fn,
    /// Passed back to `content_loader`.
    pub content_loader_data: *mut c_void,
    /// `prefix_count` prefixes; the first that starts a source name (with the old
    /// `sourceRoot` applied) is replaced by `prefix_replacements[i]` (empty: stripped).
    pub prefixes: *const mapback_str,
    /// Replacements, `prefix_count` of them.
    pub prefix_replacements: *const mapback_str,
    /// Number of prefix rules (the arrays may be NULL when 0).
    pub prefix_count: usize,
    /// true: write `source_root` (empty: none) in front of the rewritten names. false:
    /// keep the old `sourceRoot` when there are no prefix rules; with prefix rules the
    /// names carry the old root.
    pub set_source_root: bool,
    /// The new `sourceRoot`, when `set_source_root`.
    pub source_root: mapback_str,
    /// A UUID to set as `debugId`; `len` 0 keeps the map's.
    pub debug_id: mapback_str,
}

/// Rewrites `map`'s metadata (names, contents, source names, `sourceRoot`, debugId;
/// the mappings are unchanged) into a new builder owned by the caller, or NULL with
/// `err` set (`MAPBACK_ERROR_INVALID_DEBUG_ID`, `..._INVALID_ARGUMENT` for an unknown
/// `contents`, `..._IO` when the loader fails). `options` may be NULL (a plain copy).
/// The map is only read; the loader runs on the calling thread.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_rewrite(
    map: *const mapback_sourcemap,
    options: *const mapback_rewrite_options,
    err: *mut mapback_error,
) -> *mut mapback_builder {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let mut core = RewriteOptions::default();
        let mut fetch = None;
        let mut fetch_data = std::ptr::null_mut();
        if let Some(o) = optional(options) {
            let string = |view: &mapback_str, what: &str| -> Result<String, Error> {
                text(view.data.cast(), view.len, what).map(str::to_owned)
            };
            core.drop_names = o.drop_names;
            core.contents = match o.contents {
                MAPBACK_CONTENTS_KEEP => ContentsAction::Keep,
                MAPBACK_CONTENTS_DROP => ContentsAction::Drop,
                MAPBACK_CONTENTS_INLINE => ContentsAction::Inline,
                other => {
                    return Err(Error::new(
                        ErrorCode::InvalidArgument,
                        format!("options.contents must be a MAPBACK_CONTENTS_* value, not {other}"),
                    ))
                }
            };
            let from = values(o.prefixes, o.prefix_count, "prefixes")?;
            let to = values(o.prefix_replacements, o.prefix_count, "prefix_replacements")?;
            for (from, to) in from.iter().zip(to) {
                core.prefix_rules
                    .push((string(from, "prefix")?, string(to, "prefix replacement")?));
            }
            if o.set_source_root {
                core.source_root = Some(string(&o.source_root, "source_root")?);
            }
            if o.debug_id.len > 0 {
                core.debug_id = Some(string(&o.debug_id, "debug_id")?);
            }
            fetch = o.content_loader;
            fetch_data = o.content_loader_data;
        }
        let mut load = |name: &str| -> Result<Option<String>, Error> {
            let Some(fetch) = fetch else {
                return Ok(None);
            };
            // SAFETY: `content_loader` and its data are callable as documented on
            // `mapback_rewrite_options`.
            let Some(found) = (unsafe { mapback_fetched::call(fetch, fetch_data, name) })? else {
                return Ok(None);
            };
            let data = found.data.unwrap_or_default();
            String::from_utf8(data).map(Some).map_err(|_| {
                Error::new(
                    ErrorCode::InvalidUtf8,
                    format!("the content the loader gave for \"{name}\" is not UTF-8"),
                )
            })
        };
        let loader: Option<&mut produce::ContentLoader<'_>> = Some(&mut load);
        Ok(mapback_builder::boxed(produce::rewrite(
            map.map.as_view(),
            &core,
            loader,
        )?))
    })
}

/// Writes to `*line` and `*column` the position just past the end of `len` bytes of
/// UTF-8 at `data`: its count of line terminators (`\n`, `\r\n`, `\r`, U+2028, U+2029)
/// and the UTF-16 length of its last line. This is where the next piece of a
/// concatenation starts. Returns false with `err` set on invalid UTF-8. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_text_end_position(
    data: *const u8,
    len: usize,
    line: *mut u32,
    column: *mut u32,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let text = text(data, len, "data")?;
        let line = output(line, "line")?;
        let column = output(column, "column")?;
        (*line, *column) = produce::text_end_position(text);
        Ok(true)
    })
}

/// Writes to `*out` (owned by the caller, released with `mapback_buf_free`) the
/// generated code `code` (`code_len` bytes of UTF-8) with a `//# debugId=` comment for
/// `debug_id` (a UUID): an existing one is replaced, else it goes before a trailing
/// `sourceMappingURL` comment, else at the end. Returns false with `err` set
/// (`MAPBACK_ERROR_INVALID_DEBUG_ID`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_text_add_debug_id(
    code: *const u8,
    code_len: usize,
    debug_id: *const u8,
    debug_id_len: usize,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let code = text(code, code_len, "code")?;
        let debug_id = text(debug_id, debug_id_len, "debug_id")?;
        let out = output(out, "out")?;
        *out = mapback_buf::from_vec(produce::add_debug_id_comment(code, debug_id)?);
        Ok(true)
    })
}

/// Sets the scopes proposal's original scopes and generated ranges from `len` bytes of
/// UTF-8 JSON at `data` (copied), in the shape `mapback_sourcemap_scopes_json` writes
/// (`"sources"` each with `"scope"`, or `"rootScopes"` for ecma426 #266's per-source
/// format, and `"ranges"`; other keys are ignored); names are added as by
/// `mapback_builder_add_name`. `data` NULL removes the scopes. The encoded map then
/// carries `"scopes"` (and `"ranges"` in the per-source format).
///
/// Returns false with `err` set, the builder unchanged: invalid JSON or a record of the
/// wrong shape, positions out of order, several root scopes of one source in the
/// combined format (`..._INVALID_ARGUMENT`), an unknown source index
/// (`..._INDEX_OUT_OF_RANGE`). Not thread-safe for one builder.
#[no_mangle]
pub unsafe extern "C" fn mapback_builder_set_scopes_json(
    builder: *mut mapback_builder,
    data: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        set_optional_text(builder, data, len, "scopes", |b, text| match text {
            None => b.set_scopes(None),
            Some(text) => {
                let record: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                    Error::new(
                        crate::error::ErrorCode::InvalidArgument,
                        format!("scopes: not JSON: {e}"),
                    )
                })?;
                b.set_scopes_record(&record)
            }
        })
    })
}
