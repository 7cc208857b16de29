//! Turning an `add`'s files into entries: each map decoded once into its binary
//! cache, each script paired with its map by, in order, its `sourceMappingURL` (or
//! the bundle's `sourcemap` header; a `data:` URL is the map itself), the debug ID
//! both declare, or the name `<script>.map`. A pair whose debug IDs disagree is
//! reported and not stored. Maps no script claimed become map-only entries.

use std::collections::HashMap;

use super::input::{FileKind, InputFile};
use super::layout::sha256_hex;
use super::options::StoreOptions;
use super::record::{EntryRecord, ObjectRef};
use super::summary::{PairedBy, SkipReason, SkippedFile};
use super::urls::{path_of, resolve_path};
use crate::cache::to_cache_bytes;
use crate::decode::{is_uuid, DecodeOptions};
use crate::discovery::{debug_id, decode_data_url, source_mapping_url, DEFAULT_MAX_DATA_URL_BYTES};
use crate::error::{Error, ErrorCode, Result};
use crate::function_maps::is_hermes_bytecode;
use crate::map::SourceMap;
use crate::scopes::FunctionScopes;
use crate::view::SourceMapView;

/// An entry ready to publish: its record and the bytes of its objects.
#[derive(Debug)]
pub(crate) struct PreparedEntry {
    pub(crate) record: EntryRecord,
    pub(crate) cache_bytes: Vec<u8>,
    pub(crate) script_bytes: Option<Vec<u8>>,
    pub(crate) script_scopes_bytes: Option<Vec<u8>>,
    pub(crate) script_origin: Option<String>,
    pub(crate) map_origin: Option<String>,
    pub(crate) paired_by: PairedBy,
}

/// A decoded map, reduced to its cache.
struct PreparedMap {
    origin: String,
    url: String,
    debug_id: Option<String>,
    cache: Vec<u8>,
    claimed: bool,
}

/// Pairs and converts; problems with single files go to `skipped`.
pub(crate) fn prepare(
    files: Vec<InputFile>,
    options: &StoreOptions,
    skipped: &mut Vec<SkippedFile>,
) -> Vec<PreparedEntry> {
    let (map_files, script_files): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|f| f.kind == FileKind::Map);

    // The scripts' function scopes are parsed on a second thread while the maps'
    // caches are built: neither needs the other, and each is most of an ingest.
    let (built, scripts_scopes) = std::thread::scope(|scope| {
        let scopes = scope.spawn(|| {
            script_files
                .iter()
                .map(|file| script_scopes(&file.bytes))
                .collect::<Vec<_>>()
        });
        let built: Vec<_> = map_files
            .into_iter()
            .map(|file| (build_cache(&file.bytes, options), file))
            .collect();
        let scopes = scopes
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (built, scopes)
    });

    let mut maps = Vec::new();
    for (result, file) in built {
        match result {
            Ok((debug_id, cache)) => maps.push(PreparedMap {
                debug_id: debug_id.or_else(|| valid_id(file.debug_id_header.as_deref())),
                origin: file.origin,
                url: file.url,
                cache,
                claimed: false,
            }),
            Err(error) => skipped.push(SkippedFile {
                file: file.origin,
                reason: SkipReason::Invalid(error),
            }),
        }
    }
    let mut by_path: HashMap<String, usize> = HashMap::new();
    let mut by_debug_id: HashMap<String, usize> = HashMap::new();
    for (index, map) in maps.iter().enumerate() {
        by_path.entry(path_of(&map.url)).or_insert(index);
        if let Some(id) = &map.debug_id {
            by_debug_id.entry(id.clone()).or_insert(index);
        }
    }

    let mut entries = Vec::new();
    for (script, script_scopes) in script_files.into_iter().zip(scripts_scopes) {
        // Hermes bytecode (React Native): no comments to read, so it pairs with its map
        // by name; its bytes are not kept, having no text to name functions from.
        let bytecode = is_hermes_bytecode(&script.bytes);
        let text = if bytecode {
            ""
        } else if let Ok(text) = std::str::from_utf8(&script.bytes) {
            text
        } else {
            skipped.push(SkippedFile {
                file: script.origin,
                reason: SkipReason::Invalid(Error::new(
                    ErrorCode::InvalidUtf8,
                    "the script is not valid UTF-8 (nor Hermes bytecode)",
                )),
            });
            continue;
        };
        let script_scopes = script_scopes.filter(|_| !bytecode);
        let script_id =
            valid_id(debug_id(text)).or_else(|| valid_id(script.debug_id_header.as_deref()));
        let reference = script
            .sourcemap_header
            .clone()
            .or_else(|| source_mapping_url(text).map(str::to_owned));

        // An inline map is the script's own.
        if let Some(decoded) = reference
            .as_deref()
            .and_then(|r| decode_data_url(r, DEFAULT_MAX_DATA_URL_BYTES))
        {
            let built = decoded.and_then(|bytes| build_cache(&bytes, options));
            match built {
                Ok((map_id, cache)) => {
                    if let Some(reason) = mismatch(&script_id, &map_id) {
                        skipped.push(SkippedFile {
                            file: script.origin,
                            reason,
                        });
                        continue;
                    }
                    entries.push(entry(
                        cache,
                        (!bytecode).then_some(script.bytes),
                        script_scopes,
                        script_id.or(map_id),
                        Some(script.url),
                        None,
                        Some(script.origin),
                        None,
                        PairedBy::InlineDataUrl,
                    ));
                }
                Err(error) => skipped.push(SkippedFile {
                    file: script.origin,
                    reason: SkipReason::Invalid(error),
                }),
            }
            continue;
        }

        let by_reference = reference
            .as_deref()
            .and_then(|r| by_path.get(&resolve_path(&script.url, r)))
            .map(|&i| (i, PairedBy::SourceMappingUrl));
        let by_id = || {
            script_id
                .as_ref()
                .and_then(|id| by_debug_id.get(id))
                .map(|&i| (i, PairedBy::DebugId))
        };
        let by_name = || {
            by_path
                .get(&format!("{}.map", path_of(&script.url)))
                .map(|&i| (i, PairedBy::MapFileName))
        };
        let Some((index, paired_by)) = by_reference.or_else(by_id).or_else(by_name) else {
            skipped.push(SkippedFile {
                file: script.origin,
                reason: SkipReason::NoSourceMap {
                    source_mapping_url: reference,
                },
            });
            continue;
        };
        let map = &mut maps[index];
        map.claimed = true;
        if let Some(reason) = mismatch(&script_id, &map.debug_id) {
            skipped.push(SkippedFile {
                file: script.origin,
                reason: reason.clone(),
            });
            skipped.push(SkippedFile {
                file: map.origin.clone(),
                reason,
            });
            continue;
        }
        entries.push(entry(
            map.cache.clone(),
            (!bytecode).then_some(script.bytes),
            script_scopes,
            script_id.or_else(|| map.debug_id.clone()),
            Some(script.url),
            Some(map.url.clone()),
            Some(script.origin),
            Some(map.origin.clone()),
            paired_by,
        ));
    }
    for map in maps.into_iter().filter(|m| !m.claimed) {
        entries.push(entry(
            map.cache,
            None,
            None,
            map.debug_id,
            None,
            Some(map.url),
            None,
            Some(map.origin),
            PairedBy::MapOnly,
        ));
    }
    entries
}

#[allow(clippy::too_many_arguments)]
fn entry(
    cache_bytes: Vec<u8>,
    script_bytes: Option<Vec<u8>>,
    script_scopes_bytes: Option<Vec<u8>>,
    debug_id: Option<String>,
    script_url: Option<String>,
    map_url: Option<String>,
    script_origin: Option<String>,
    map_origin: Option<String>,
    paired_by: PairedBy,
) -> PreparedEntry {
    let object = |bytes: &[u8]| ObjectRef {
        sha256: sha256_hex(bytes),
        bytes: bytes.len() as u64,
    };
    PreparedEntry {
        record: EntryRecord {
            cache: object(&cache_bytes),
            script: script_bytes.as_deref().map(object),
            script_scopes: script_scopes_bytes.as_deref().map(object),
            debug_id,
            script_url,
            map_url,
        },
        cache_bytes,
        script_bytes,
        script_scopes_bytes,
        script_origin,
        map_origin,
        paired_by,
    }
}

/// The minified script's function scopes in their stored form, as the symbolicator
/// would parse them on a first event (the same parse, the same size bound); `None` for
/// a script that is not UTF-8, too large, or has no functions.
fn script_scopes(script: &[u8]) -> Option<Vec<u8>> {
    let max_bytes = crate::symbolicate::SymbolicateOptions::default().max_parse_bytes;
    let text = std::str::from_utf8(script)
        .ok()
        .filter(|t| t.len() <= max_bytes)?;
    let scopes = FunctionScopes::parse_functions(text, None);
    (!scopes.is_empty()).then(|| scopes.encode())
}

/// Decodes a map (lenient, default limits) and writes its cache; returns its debug ID.
fn build_cache(bytes: &[u8], options: &StoreOptions) -> Result<(Option<String>, Vec<u8>)> {
    let map = SourceMap::from_slice_with(bytes, &DecodeOptions::new())?;
    let id = map.debug_id().map(str::to_ascii_lowercase);
    let cache = to_cache_bytes(&map, options.cache_options)?;
    Ok((id, cache))
}

/// A debug ID in its canonical form (lowercase), if `id` is a UUID.
fn valid_id(id: Option<&str>) -> Option<String> {
    id.filter(|id| is_uuid(id)).map(str::to_ascii_lowercase)
}

fn mismatch(script_id: &Option<String>, map_id: &Option<String>) -> Option<SkipReason> {
    match (script_id, map_id) {
        (Some(script), Some(map)) if script != map => Some(SkipReason::DebugIdMismatch {
            script_debug_id: script.clone(),
            map_debug_id: map.clone(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scripts_scopes_are_stored_as_the_symbolicator_would_parse_them() {
        let script = "function a(){return b()}var c=function d(){throw new Error('x')};";
        let stored = script_scopes(script.as_bytes()).expect("functions");
        let decoded = FunctionScopes::decode(&stored).expect("decodes");
        let parsed = FunctionScopes::parse_functions(script, None);
        assert_eq!(decoded.encode(), parsed.encode());
        assert!(!parsed.is_empty());
        // Nothing is stored for what the symbolicator would not parse either.
        assert_eq!(script_scopes(b"\xff\xfe not UTF-8"), None);
        assert_eq!(script_scopes(b"var x = 1;"), None);
    }
}
