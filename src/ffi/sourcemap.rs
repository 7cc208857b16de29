//! `mapback_sourcemap`: decode a map, look positions up in it, read its sources, names
//! and diagnostics, and encode it back to JSON.
//!
//! A `mapback_sourcemap` is immutable once parsed. Every function taking a
//! `const mapback_sourcemap *` may be called from any number of threads at once on the
//! same handle; only `mapback_sourcemap_free` must not race with other uses.

use crate::decode::DecodeOptions;
use crate::error::{Error, ErrorCode};
use crate::lookup::LookupOptions;
use crate::map::SourceMap;
use crate::produce::SourceMapBuilder;
use crate::view::SourceMapView;

use super::args::{bytes, optional, output, text, values, values_mut};
use super::boundary::{ffi_boundary, mapback_error};
use super::buffer::mapback_buf;
use super::builder::{encode_options, mapback_encode_options};
use super::handle::Handle;
use super::types::{
    mapback_diagnostic, mapback_lookup_options, mapback_lookup_request, mapback_parse_options,
    mapback_str, mapback_token, MAPBACK_NONE,
};

/// A source map (opaque), decoded from JSON (`mapback_sourcemap_parse`) or opened from
/// a cache (`mapback_cache_open`, `mapback_cache_from_bytes`); every
/// `mapback_sourcemap_*` query works on both. Release with `mapback_sourcemap_free`.
/// Immutable and thread-safe: any number of threads may query one map at once; only
/// `mapback_sourcemap_free` must not race with other uses.
pub struct mapback_sourcemap {
    pub(crate) map: Box<dyn SourceMapView>,
}

impl Handle for mapback_sourcemap {
    const ARGUMENT: &'static str = "map";
}

impl mapback_sourcemap {
    /// A new handle owned by the caller.
    pub(crate) fn boxed(map: Box<dyn SourceMapView>) -> *mut mapback_sourcemap {
        mapback_sourcemap { map }.into_raw()
    }
}

fn index_error(what: &str, index: u32, count: usize) -> Error {
    Error::new(
        ErrorCode::IndexOutOfRange,
        format!("{what} index {index} is out of range ({count} {what}s)"),
    )
}

/// Parses a source map (regular or index map) from `len` bytes of JSON at `data`.
///
/// `data` is copied as needed; the caller keeps ownership and may free it as soon as
/// the call returns. `data` may be NULL only when `len` is 0. `options` may be NULL for
/// the defaults (lenient, no base URL, default limits). A UTF-8 BOM and a `)]}'` first
/// line are skipped.
///
/// Returns a new map owned by the caller, to be released with `mapback_sourcemap_free`,
/// or NULL on error with `err` set (`MAPBACK_ERROR_INVALID_JSON`, `..._MISSING_FIELD`,
/// `..._VLQ_OVERFLOW`, `..._INPUT_TOO_LARGE` when the map passes one of
/// `options->limits`, and in strict mode any optional-error code). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_parse(
    data: *const u8,
    len: usize,
    options: *const mapback_parse_options,
    err: *mut mapback_error,
) -> *mut mapback_sourcemap {
    ffi_boundary!(err, {
        let input = bytes(data, len, "data")?;
        let mut decode_options = DecodeOptions::new();
        if let Some(o) = optional(options) {
            decode_options = decode_options.strict(o.strict).limits(o.limits.to_core());
            if o.base_url_len > 0 {
                let base = text(o.base_url, o.base_url_len, "options.base_url")?;
                decode_options = decode_options.base_url(base)?;
            }
        }
        let map = SourceMap::from_slice_with(input, &decode_options)?;
        Ok(mapback_sourcemap::boxed(Box::new(map)))
    })
}

/// Looks up the original position of a generated position (0-based line, 0-based
/// UTF-16 column). `options` may be NULL (greatest lower bound, same line).
///
/// Returns true and writes `*out` when a token covers the position; returns false with
/// `err` cleared when none does. A found token may still lack an original position
/// (`source_index == MAPBACK_NONE`). `map` and `out` must not be NULL
/// (`MAPBACK_ERROR_NULL_POINTER`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_lookup(
    map: *const mapback_sourcemap,
    line: u32,
    column: u32,
    options: *const mapback_lookup_options,
    out: *mut mapback_token,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let options = mapback_lookup_options::to_core(optional(options))?;
        let out = output(out, "out")?;
        match map.map.raw_lookup(line, column, options) {
            Some(token) => {
                *out = token.into();
                Ok(true)
            }
            None => Ok(false),
        }
    })
}

/// Runs a lookup request: `mapback_sourcemap_lookup` with default options, in two
/// arguments instead of six, for bindings where each argument of a foreign call costs
/// (cffi's ABI mode spends about 60 ns on each).
///
/// When a token covers the position it is written over `request->token` and the result
/// is `MAPBACK_LOOKUP_FOUND`, with `MAPBACK_LOOKUP_HAS_ORIGINAL` when it has an original
/// position and `MAPBACK_LOOKUP_HAS_NAME` when it has a name, so that a binding knows
/// which fields are `MAPBACK_NONE` without reading them. When none covers it, or on
/// error, the result is 0, `request->token` is unchanged, and `err` tells the two apart
/// (code 0: none covers it). `request` and `request->map` must not be NULL
/// (`MAPBACK_ERROR_NULL_POINTER`). Thread-safe for distinct requests; one request must
/// not be used by two calls at once.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_lookup_request(
    request: *mut mapback_lookup_request,
    err: *mut mapback_error,
) -> i32 {
    ffi_boundary!(err, {
        let request = output(request, "request")?;
        let map = mapback_sourcemap::from_ptr(request.map)?;
        let found = map.map.raw_lookup(
            request.token.generated_line,
            request.token.generated_column,
            LookupOptions::default(),
        );
        Ok(found.map_or(0, |raw| {
            request.token = raw.into();
            request.token.lookup_flags()
        }))
    })
}

/// Releases a map returned by `mapback_sourcemap_parse`. NULL is ignored.
///
/// Every view (`mapback_str`) obtained from the map becomes invalid. The map must not be
/// in use by another thread, and must not be freed twice.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_free(map: *mut mapback_sourcemap) {
    ffi_boundary!({
        mapback_sourcemap::free(map);
        Ok(())
    })
}

/// Looks up `count` generated positions in one call: `lines[i]`, `columns[i]` →
/// `out[i]`. Slots with no token get `token_index == MAPBACK_NONE` (all fields NONE).
///
/// The three arrays hold `count` elements each and may be NULL only when `count` is 0.
/// `options` may be NULL. Returns how many positions were found. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_lookup_many(
    map: *const mapback_sourcemap,
    lines: *const u32,
    columns: *const u32,
    count: usize,
    options: *const mapback_lookup_options,
    out: *mut mapback_token,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let lines = values(lines, count, "lines")?;
        let columns = values(columns, count, "columns")?;
        let out = values_mut(out, count, "out")?;
        let options = mapback_lookup_options::to_core(optional(options))?;
        let mut found = 0;
        map.map
            .raw_lookup_batch(lines, columns, options, &mut |i, token| {
                out[i] = match token {
                    Some(token) => {
                        found += 1;
                        token.into()
                    }
                    None => mapback_token::EMPTY,
                };
            });
        Ok(found)
    })
}

/// Writes every token at the generated position a lookup finds (several segments may
/// share a position) into `out`, at most `capacity` of them, and returns how many there
/// are in all: call again with a larger buffer when the result exceeds `capacity`.
///
/// `out` may be NULL only when `capacity` is 0. `options` may be NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_original_positions(
    map: *const mapback_sourcemap,
    line: u32,
    column: u32,
    options: *const mapback_lookup_options,
    out: *mut mapback_token,
    capacity: usize,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let options = mapback_lookup_options::to_core(optional(options))?;
        let out = values_mut(out, capacity, "out")?;
        let tokens = map.map.raw_tokens_at(line, column, options);
        for (slot, token) in out.iter_mut().zip(&tokens) {
            *slot = (*token).into();
        }
        Ok(tokens.len())
    })
}

/// Finds the best generated token for an original position (source index, 0-based
/// line and column). `options` may be NULL (greatest lower bound on the same original
/// line). Returns true and writes `*out` when found, false otherwise. The first call
/// builds the reverse index (O(n log n)); it is thread-safe to race on it. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_generated_position(
    map: *const mapback_sourcemap,
    source_index: u32,
    line: u32,
    column: u32,
    options: *const mapback_lookup_options,
    out: *mut mapback_token,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let options = mapback_lookup_options::to_core(optional(options))?;
        let out = output(out, "out")?;
        match map
            .map
            .raw_generated_position(source_index, line, column, options)
        {
            Some(token) => {
                *out = token.into();
                Ok(true)
            }
            None => Ok(false),
        }
    })
}

/// Writes the generated tokens for an original line of source `source_index` into `out`
/// (at most `capacity`) and returns how many there are in all. With `column` =
/// `MAPBACK_NONE`, every token of the line; otherwise those at `column`, or at the
/// closest column after it on that line. `out` may be NULL only when `capacity` is 0.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_generated_positions(
    map: *const mapback_sourcemap,
    source_index: u32,
    line: u32,
    column: u32,
    out: *mut mapback_token,
    capacity: usize,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let out = values_mut(out, capacity, "out")?;
        let column = (column != MAPBACK_NONE).then_some(column);
        let tokens = map.map.raw_generated_positions(source_index, line, column);
        for (slot, token) in out.iter_mut().zip(&tokens) {
            *slot = (*token).into();
        }
        Ok(tokens.len())
    })
}

/// Returns the number of tokens (decoded segments). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_token_count(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        Ok(mapback_sourcemap::from_ptr(map)?.map.token_count())
    })
}

/// Returns the number of generated lines the mappings cover. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_line_count(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        Ok(mapback_sourcemap::from_ptr(map)?.map.line_count())
    })
}

/// Writes the token at `index` (generated order) to `*out`. Returns false with
/// `MAPBACK_ERROR_INDEX_OUT_OF_RANGE` when `index >= token_count`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_token_at(
    map: *const mapback_sourcemap,
    index: u32,
    out: *mut mapback_token,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let out = output(out, "out")?;
        let token = map
            .map
            .raw_token(index as usize)
            .ok_or_else(|| index_error("token", index, map.map.token_count()))?;
        *out = token.into();
        Ok(true)
    })
}

/// Whether the token at `index` (generated order) is a range mapping (ECMA-426 range
/// mappings proposal). A lookup that lands inside a range mapping writes a token whose
/// `token_index` is the range mapping's, whose generated position is the looked-up one
/// and whose original position is moved by as much (its name is dropped away from the
/// mapping's own position); `mapback_sourcemap_token_at` gives the mapping itself.
/// Returns false with `MAPBACK_ERROR_INDEX_OUT_OF_RANGE` when `index >= token_count`,
/// and false with `err` set for a NULL map. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_token_is_range(
    map: *const mapback_sourcemap,
    index: u32,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let token = map
            .map
            .raw_token(index as usize)
            .ok_or_else(|| index_error("token", index, map.map.token_count()))?;
        Ok(token.is_range)
    })
}

/// Returns the number of sources. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_count(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        Ok(mapback_sourcemap::from_ptr(map)?.map.source_count())
    })
}

/// Which string of a source to return.
#[derive(Clone, Copy)]
enum SourceField {
    Name,
    Url,
    Path,
    Content,
}

/// Shared body of the source string getters.
fn source_string(
    map: *const mapback_sourcemap,
    index: u32,
    field: SourceField,
    out: *mut mapback_str,
) -> Result<bool, Error> {
    let map = mapback_sourcemap::from_ptr(map)?;
    let out = output(out, "out")?;
    let source = map
        .map
        .source(index)
        .ok_or_else(|| index_error("source", index, map.map.source_count()))?;
    let value = match field {
        SourceField::Name => source.name(),
        SourceField::Url => source.url(),
        SourceField::Path => source.path(),
        SourceField::Content => source.content(),
    };
    Ok(match value {
        Some(text) => {
            *out = mapback_str::from_str(text);
            true
        }
        None => false,
    })
}

/// Writes the raw `sources` entry `index` to `*out` (borrowed from the map, valid until
/// it is freed). Returns false when the entry is null, false with
/// `MAPBACK_ERROR_INDEX_OUT_OF_RANGE` when `index` is too large. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_name(
    map: *const mapback_sourcemap,
    index: u32,
    out: *mut mapback_str,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, { source_string(map, index, SourceField::Name, out) })
}

/// Writes the resolved URL of source `index` (`sourceRoot` + name, WHATWG-parsed
/// against the base URL) to `*out`, borrowed from the map. Returns false when the source
/// is null or does not resolve (a relative name without a base URL). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_url(
    map: *const mapback_sourcemap,
    index: u32,
    out: *mut mapback_str,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, { source_string(map, index, SourceField::Url, out) })
}

/// Writes the best display path of source `index` to `*out`: its resolved URL, else the
/// `sourceRoot`-prefixed name. Borrowed from the map. Returns false for a null source.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_path(
    map: *const mapback_sourcemap,
    index: u32,
    out: *mut mapback_str,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, { source_string(map, index, SourceField::Path, out) })
}

/// Writes the `sourcesContent` entry of source `index` to `*out`, unescaped on first
/// access and borrowed from the map until it is freed. Returns false when the map has no
/// content for it. Thread-safe (concurrent first accesses are synchronised).
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_content(
    map: *const mapback_sourcemap,
    index: u32,
    out: *mut mapback_str,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        source_string(map, index, SourceField::Content, out)
    })
}

/// Returns whether `ignoreList` names source `index` (false with
/// `MAPBACK_ERROR_INDEX_OUT_OF_RANGE` when `index` is too large). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_is_ignored(
    map: *const mapback_sourcemap,
    index: u32,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let source = map
            .map
            .source(index)
            .ok_or_else(|| index_error("source", index, map.map.source_count()))?;
        Ok(source.is_ignored())
    })
}

/// Writes line `line` (0-based) of the content of source `source_index`, without its
/// line terminator, to `*out` (borrowed from the map). Lines end at `\n`, `\r\n`, `\r`,
/// U+2028 and U+2029, as JavaScript counts them. Returns false when the source has no
/// content or no such line. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_line(
    map: *const mapback_sourcemap,
    source_index: u32,
    line: u32,
    out: *mut mapback_str,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let out = output(out, "out")?;
        Ok(match map.map.source_line(source_index, line) {
            Some(text) => {
                *out = mapback_str::from_str(text);
                true
            }
            None => false,
        })
    })
}

/// Returns the number of lines of the content of source `source_index` (0 when it has
/// none). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_source_line_count(
    map: *const mapback_sourcemap,
    source_index: u32,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        Ok(mapback_sourcemap::from_ptr(map)?
            .map
            .source_line_count(source_index))
    })
}

/// Returns the index of the first source whose raw name, prefixed path or resolved URL
/// equals the `len` UTF-8 bytes at `name`, or `MAPBACK_NONE` when there is none.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_find_source(
    map: *const mapback_sourcemap,
    name: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> u32 {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let name = text(name, len, "name")?;
        Ok(map.map.find_source(name).unwrap_or(MAPBACK_NONE))
    })
}

/// Returns the number of entries in `names`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_name_count(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        Ok(mapback_sourcemap::from_ptr(map)?.map.name_count())
    })
}

/// Writes `names[index]` to `*out`, borrowed from the map. Returns false with
/// `MAPBACK_ERROR_INDEX_OUT_OF_RANGE` when `index` is too large. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_name(
    map: *const mapback_sourcemap,
    index: u32,
    out: *mut mapback_str,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let out = output(out, "out")?;
        let name = map
            .map
            .name(index)
            .ok_or_else(|| index_error("name", index, map.map.name_count()))?;
        *out = mapback_str::from_str(name);
        Ok(true)
    })
}

/// Shared body of the map-level optional string getters.
fn map_string(
    map: *const mapback_sourcemap,
    out: *mut mapback_str,
    field: fn(&dyn SourceMapView) -> Option<&str>,
) -> Result<bool, Error> {
    let map = mapback_sourcemap::from_ptr(map)?;
    let out = output(out, "out")?;
    Ok(field(map.map.as_view())
        .map(|text| *out = mapback_str::from_str(text))
        .is_some())
}

/// Writes the map's `file` to `*out` (borrowed from the map); false when absent.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_file(
    map: *const mapback_sourcemap,
    out: *mut mapback_str,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, { map_string(map, out, |m| m.file()) })
}

/// Writes the map's debug ID (`debugId`, or legacy `debug_id`; a UUID) to `*out`,
/// borrowed from the map; false when absent or invalid. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_debug_id(
    map: *const mapback_sourcemap,
    out: *mut mapback_str,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, { map_string(map, out, |m| m.debug_id()) })
}

/// Returns whether the input was an index map (with `sections`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_is_index_map(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        Ok(mapback_sourcemap::from_ptr(map)?.map.is_index_map())
    })
}

/// Returns the number of diagnostics (problems recovered from in lenient mode, and
/// notes). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_diagnostic_count(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        Ok(mapback_sourcemap::from_ptr(map)?.map.diagnostics().len())
    })
}

/// Writes diagnostic `index` to `*out`; its message is borrowed from the map. Returns
/// false with `MAPBACK_ERROR_INDEX_OUT_OF_RANGE` when `index` is too large. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_diagnostic(
    map: *const mapback_sourcemap,
    index: u32,
    out: *mut mapback_diagnostic,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let out = output(out, "out")?;
        let diagnostics = map.map.diagnostics();
        let diagnostic = diagnostics
            .get(index as usize)
            .ok_or_else(|| index_error("diagnostic", index, diagnostics.len()))?;
        *out = mapback_diagnostic {
            code: diagnostic.code().as_i32(),
            offset: diagnostic.offset().map_or(-1, |o| o as i64),
            message: mapback_str::from_str(diagnostic.message()),
        };
        Ok(true)
    })
}

/// Returns the heap bytes the map holds (mappings, sources, contents, names and the
/// reverse index if built). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_heap_size(
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> usize {
    ffi_boundary!(err, {
        Ok(mapback_sourcemap::from_ptr(map)?.map.heap_size())
    })
}

/// Encodes `map` (a parsed map or a cache) as a regular map's JSON into `*out` (owned
/// by the caller, released with `mapback_buf_free`): an index map comes out flattened.
/// `options` may be NULL. Returns false with `err` set on a NULL argument.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_to_json(
    map: *const mapback_sourcemap,
    options: *const mapback_encode_options,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let options = encode_options(optional(options));
        let out = output(out, "out")?;
        *out =
            mapback_buf::from_vec(SourceMapBuilder::from_view(map.map.as_view()).to_json(&options));
        Ok(true)
    })
}

/// Writes the scopes proposal's original scopes and generated ranges of `map` to
/// `*out` as UTF-8 JSON in the shape of the tc39 golden files: `{"file", "sources":
/// [{"url", "content", "ignored", "scope"}], "ranges": [...]}` (`"rootScopes"`, a list,
/// instead of `"scope"` for maps in ecma426 #266's per-source format; the mappings are
/// left out). A map without scopes gives `null` scopes and no ranges; a cache gives
/// those of its map (kept when the cache keeps names). Schema in docs/scopes.md.
///
/// The caller owns the buffer written to `*out` and releases it with
/// `mapback_buf_free`. Returns false with `err` set when `map` or `out` is NULL;
/// `*out` is then untouched. Thread-safe: the map is only read.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_scopes_json(
    map: *const mapback_sourcemap,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = mapback_sourcemap::from_ptr(map)?;
        let out = output(out, "out")?;
        let record = crate::original_scopes::scopes_record(map.map.as_view());
        *out = mapback_buf::from_json(&record)?;
        Ok(true)
    })
}
