//! Scripts and their maps: fetching through the [`Loader`], finding the map
//! (`sourceMappingURL` comment, inline `data:` URL, or `<url>.map`), decoding it (JSON
//! or cache), and keeping the result in a bounded cache shared by all threads. A
//! script's function scopes and minified lines are worked out on first use and kept
//! with it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, MutexGuard, OnceLock};

use crate::cache::Cache;
use crate::decode::{DecodeLimits, DecodeOptions};
use crate::discovery;
use crate::error::{excerpt, Result};
use crate::map::SourceMap;
use crate::position::Position;
use crate::scopes::FunctionScopes;
use crate::view::SourceMapView;

use super::{Symbolicator, Unmapped};

#[cfg(doc)]
use super::Loader;

/// A script's map, decoded once, with lazily parsed function scopes.
pub(super) struct Script {
    pub(super) map: Box<dyn SourceMapView>,
    /// The minified script's text, when it was fetched.
    minified: Option<String>,
    /// The minified script's lines, indexed on first use.
    minified_lines: OnceLock<MinifiedLines>,
    minified_scopes: OnceLock<FunctionScopes>,
    /// Scopes of each original source, parsed on first use.
    source_scopes: Vec<OnceLock<Option<FunctionScopes>>>,
}

/// What the cache holds for a URL: a script, or why there is none.
pub(super) type Loaded = std::result::Result<Arc<Script>, Unmapped>;

/// The decoded scripts by URL, the least recently added dropped first.
#[derive(Default)]
pub(super) struct ScriptCache {
    entries: HashMap<String, Loaded>,
    order: VecDeque<String>,
}

impl ScriptCache {
    /// Keeps `loaded` for `url` unless another thread did first; then drops the oldest
    /// entries down to `capacity` (at least one).
    fn insert(&mut self, url: &str, loaded: &Loaded, capacity: usize) {
        if self.entries.contains_key(url) {
            return;
        }
        self.entries.insert(url.to_owned(), loaded.clone());
        self.order.push_back(url.to_owned());
        while self.order.len() > capacity.max(1) {
            if let Some(oldest) = self.order.pop_front() {
                self.entries.remove(&oldest);
            }
        }
    }
}

impl Symbolicator {
    /// The script for `url`, from the cache or loaded now.
    pub(super) fn script(&self, url: &str) -> Loaded {
        // In a child forked while another thread of the parent held the cache's lock,
        // or was parsing a script's scopes, that lock or parse is never released: the
        // child loads its own scripts and touches nothing the parent shared.
        if std::process::id() != self.process {
            return self.load(url);
        }
        if let Some(found) = self.lock().entries.get(url) {
            return found.clone();
        }
        // Loaded outside the lock: other threads keep symbolicating meanwhile (two
        // threads may load the same script once each; the second result is dropped).
        let loaded = self.load(url);
        // A loader failure may be transient (storage down): don't remember it.
        if matches!(loaded, Err(Unmapped::LoaderFailed { .. })) {
            return loaded;
        }
        self.lock()
            .insert(url, &loaded, self.options.max_cached_scripts);
        loaded
    }

    fn lock(&self) -> MutexGuard<'_, ScriptCache> {
        // A panic while holding the lock cannot leave the cache inconsistent (inserts
        // and removals are single operations), so a poisoned lock is still usable.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn fetch(&self, url: &str) -> std::result::Result<Option<Vec<u8>>, Unmapped> {
        self.loader.fetch(url).map_err(|e| Unmapped::LoaderFailed {
            message: format!("loading {}: {}", excerpt(url), e.message()),
        })
    }

    fn load(&self, url: &str) -> Loaded {
        let script = self.fetch(url)?;
        let minified = script.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        let (map_url, map_bytes) = match minified.as_deref().and_then(discovery::source_mapping_url)
        {
            Some(reference) => {
                if let Some(decoded) =
                    discovery::decode_data_url(reference, self.options.max_data_url_bytes)
                {
                    let bytes = decoded.map_err(|e| Unmapped::Failed {
                        message: format!("inline source map of {}: {}", excerpt(url), e.message()),
                    })?;
                    (url.to_owned(), bytes)
                } else {
                    let map_url = resolve_reference(url, reference);
                    let bytes = self.fetch(&map_url)?.ok_or_else(|| Unmapped::MapNotFound {
                        map_url: map_url.clone(),
                    })?;
                    (map_url, bytes)
                }
            }
            None => {
                // No comment (or no script): the common `<url>.map` convention.
                let map_url = format!("{}.map", strip_query(url));
                match self.fetch(&map_url)? {
                    Some(bytes) => (map_url, bytes),
                    None if minified.is_some() => {
                        return Err(Unmapped::NoSourceMap {
                            url: url.to_owned(),
                        })
                    }
                    None => {
                        return Err(Unmapped::NotFound {
                            url: url.to_owned(),
                        })
                    }
                }
            }
        };
        let map = decode_map(&map_bytes, &map_url, self.options.decode_limits).map_err(|e| {
            Unmapped::Failed {
                message: format!("source map {}: {}", excerpt(&map_url), e.message()),
            }
        })?;
        Ok(Arc::new(Script::new(map, minified)))
    }

    /// The function scopes of the minified script, parsed on first use; `None` when
    /// the script was not fetched or is larger than `max_parse_bytes`.
    pub(super) fn minified_scopes<'s>(&self, script: &'s Script) -> Option<&'s FunctionScopes> {
        let minified = script
            .minified
            .as_deref()
            .filter(|m| m.len() <= self.options.max_parse_bytes)?;
        Some(
            script
                .minified_scopes
                .get_or_init(|| FunctionScopes::parse_functions(minified, None)),
        )
    }

    /// The function scopes of source `index`: stored in a cache, or parsed from its
    /// content on first use; `None` without content or when nothing parses.
    pub(super) fn source_scopes<'s>(
        &self,
        script: &'s Script,
        index: u32,
    ) -> Option<&'s FunctionScopes> {
        script
            .source_scopes
            .get(index as usize)?
            .get_or_init(|| {
                let map = script.map.as_ref();
                let scopes = map.stored_scopes(index).or_else(|| {
                    let content = map
                        .source_content(index)
                        .filter(|c| c.len() <= self.options.max_parse_bytes)?;
                    Some(FunctionScopes::parse(
                        content,
                        map.source_prefixed_name(index),
                    ))
                })?;
                (!scopes.is_empty()).then_some(scopes)
            })
            .as_ref()
    }
}

impl Script {
    fn new(map: Box<dyn SourceMapView>, minified: Option<String>) -> Script {
        let sources = map.source_count();
        Script {
            map,
            minified,
            minified_lines: OnceLock::new(),
            minified_scopes: OnceLock::new(),
            source_scopes: (0..sources).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The line of the minified script that `position` is on, when the script was
    /// fetched, and the byte offset in it of `position`'s column.
    pub(super) fn minified_at(&self, position: Position) -> Option<(&str, usize)> {
        let text = self.minified.as_deref()?;
        let lines = self.minified_lines.get_or_init(|| MinifiedLines::new(text));
        let Position { line, column } = position;
        let line_text = crate::lines::line(text, &lines.starts, line as usize)?;
        let at = match lines.checkpoints.get(&line) {
            Some(checkpoints) => {
                // Walk from the last checkpoint at or before the column.
                let i = checkpoints.partition_point(|&(units, _)| units <= column);
                let (units, byte) = i.checked_sub(1).map_or((0, 0), |i| checkpoints[i]);
                byte as usize + utf16_offset(&line_text[byte as usize..], column - units)?
            }
            None => utf16_offset(line_text, column)?,
        };
        Some((line_text, at))
    }
}

/// The minified script's line starts, and for each long line with non-ASCII text,
/// `(UTF-16 column, byte offset)` checkpoints about every [`Self::STEP`] units: minified
/// lines run to megabytes, and a frame's column becomes a byte offset without walking
/// the whole line before it.
struct MinifiedLines {
    starts: Vec<u32>,
    checkpoints: HashMap<u32, Vec<(u32, u32)>>,
}

impl MinifiedLines {
    const STEP: u32 = 1024;

    fn new(text: &str) -> MinifiedLines {
        let starts = crate::lines::line_starts(text);
        let mut checkpoints = HashMap::new();
        for index in 0..starts.len() {
            let Some(line) = crate::lines::line(text, &starts, index) else {
                continue;
            };
            if line.len() <= Self::STEP as usize || line.is_ascii() {
                continue;
            }
            let mut marks = Vec::new();
            let mut units = 0u32;
            for (offset, ch) in line.char_indices() {
                if units >= (marks.len() as u32 + 1) * Self::STEP {
                    marks.push((units, offset as u32));
                }
                units += ch.len_utf16() as u32;
            }
            checkpoints.insert(index as u32, marks);
        }
        MinifiedLines {
            starts,
            checkpoints,
        }
    }
}

/// The byte offset of UTF-16 column `column` of `line`, if it falls on a character.
pub(super) fn utf16_offset(line: &str, column: u32) -> Option<usize> {
    // Minified lines are long and nearly always ASCII before the column: one
    // vectorised check instead of a walk over every character.
    let prefix = line.as_bytes().get(..column as usize);
    if prefix.is_some_and(|p| p.is_ascii()) {
        return Some(column as usize);
    }
    let mut units = 0u32;
    for (offset, ch) in line.char_indices() {
        if units == column {
            return Some(offset);
        }
        units += ch.len_utf16() as u32;
    }
    (units == column).then_some(line.len())
}

/// A map from bytes: a mapback cache (by its magic bytes) or JSON, with sources
/// resolved against the map's own URL when that is an absolute URL.
fn decode_map(bytes: &[u8], map_url: &str, limits: DecodeLimits) -> Result<Box<dyn SourceMapView>> {
    if bytes.starts_with(b"MAPBACKC") {
        return Ok(Box::new(Cache::from_slice(bytes)?));
    }
    let mut options = DecodeOptions::new().limits(limits);
    if let Ok(with_base) = options.clone().base_url(map_url) {
        options = with_base;
    }
    Ok(Box::new(SourceMap::from_slice_with(bytes, &options)?))
}

/// Resolves a map reference against the script's URL: as a URL when the script's is
/// one, else as a path relative to the script's directory (Node prints paths).
fn resolve_reference(script_url: &str, reference: &str) -> String {
    if let Ok(base) = url::Url::parse(script_url) {
        if let Ok(resolved) = base.join(reference) {
            return resolved.into();
        }
    }
    if url::Url::parse(reference).is_ok() || reference.starts_with('/') {
        return reference.to_owned();
    }
    match strip_query(script_url).rfind('/') {
        Some(slash) => format!("{}/{}", &script_url[..slash], reference),
        None => reference.to_owned(),
    }
}

fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_against_urls_and_paths() {
        assert_eq!(
            resolve_reference("https://x.com/js/app.js", "app.js.map"),
            "https://x.com/js/app.js.map"
        );
        assert_eq!(
            resolve_reference("https://x.com/js/app.js", "/maps/a.map"),
            "https://x.com/maps/a.map"
        );
        assert_eq!(
            resolve_reference("/srv/app/dist/app.js", "app.js.map"),
            "/srv/app/dist/app.js.map"
        );
        assert_eq!(
            resolve_reference("file:///srv/app.js", "app.js.map"),
            "file:///srv/app.js.map"
        );
        assert_eq!(resolve_reference("app.js", "app.js.map"), "app.js.map");
    }

    #[test]
    fn columns_past_checkpoints_find_their_byte() {
        // A long non-ASCII line gets checkpoints; a column far into it still lands on
        // the right character.
        let line = format!("{}x", "é".repeat(3000));
        let map = SourceMap::from_slice(br#"{"version":3,"sources":[],"names":[],"mappings":""}"#)
            .unwrap();
        let script = Script::new(Box::new(map), Some(line.clone()));
        let (text, at) = script.minified_at(Position::new(0, 3000)).unwrap();
        assert_eq!(text, line);
        assert_eq!(&text[at..], "x");
        assert_eq!(script.minified_at(Position::new(1, 0)), None);
    }
}
